//! files, jobs, the full fine-tuning flow and `mistral mock`, in-process against the mock.

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common::{KEY, cli, mock, raw, training_file, within};

/// Uploads a fresh training file and returns its id.
async fn upload(server: &common::MockServer, dir: &std::path::Path) -> String {
    let path = training_file(dir, 20);
    let json = cli(server, &["--json", "files", "upload", path.to_str().unwrap()]).await.json();
    json["id"].as_str().expect("an id").to_string()
}

#[tokio::test]
async fn files_upload_list_get_delete() {
    within(20, async {
        let server = mock().await;
        let dir = tempfile::tempdir().unwrap();
        let path = training_file(dir.path(), 12);
        let out = cli(&server, &["files", "upload", path.to_str().unwrap(), "--purpose", "fine-tune"]).await;
        let out = out.ok();
        assert!(out.starts_with("uploaded train.jsonl as "), "{out}");
        let id = out.split_whitespace().nth(3).unwrap().to_string();
        uuid::Uuid::parse_str(&id).expect("a UUID");

        let list = cli(&server, &["files", "list"]).await.ok().to_string();
        assert!(list.starts_with("ID") && list.contains(&id) && list.contains("train.jsonl"), "{list}");
        let json = cli(&server, &["files", "list", "--json"]).await.json();
        assert!(json["data"].as_array().unwrap().iter().any(|f| f["id"] == id.as_str()));

        let get = cli(&server, &["files", "get", &id]).await.ok().to_string();
        assert!(get.contains(&format!("id:          {id}")) && get.contains("purpose:     fine-tune"), "{get}");
        let json = cli(&server, &["files", "get", &id, "--json"]).await.json();
        assert_eq!(json["bytes"], std::fs::metadata(&path).unwrap().len());

        assert_eq!(cli(&server, &["files", "delete", &id]).await.ok(), format!("deleted file {id}\n"));
        let run = cli(&server, &["files", "get", &id]).await;
        assert_eq!(run.code, 1);
        assert!(run.stderr.starts_with("error: API error 404: "), "{run:?}");
        assert_eq!(cli(&server, &["files", "list"]).await.ok(), "no files\n");

        // With a progress bar (drawn on the real stderr, hidden when it is not a terminal).
        let base = server.base_url();
        let args = ["mistral", "--base-url", &base, "--api-key", KEY, "files", "upload", path.to_str().unwrap()];
        let options = mistral_cli::Options { progress_bar: true, color: false };
        let run = common::raw_with(&args, options, std::future::pending()).await;
        assert!(run.ok().starts_with("uploaded train.jsonl as "), "{run:?}");
        assert_eq!(run.stderr, "", "the bar never goes to the captured stderr");

        // A missing local file fails before anything is sent.
        let run = cli(&server, &["files", "upload", "/nonexistent/train.jsonl"]).await;
        assert_eq!(run.code, 1);
        assert!(run.stderr.starts_with("error: cannot read /nonexistent/train.jsonl"), "{run:?}");
    })
    .await;
}

#[tokio::test]
async fn jobs_create_dry_run_list_get_cancel() {
    within(20, async {
        let server = mock().await;
        let dir = tempfile::tempdir().unwrap();
        let file = upload(&server, dir.path()).await;
        let create =
            ["jobs", "create", "--model", "open-mistral-7b", "--training-file", &file, "--training-steps", "10"];

        let mut dry = create.to_vec();
        dry.push("--dry-run");
        let out = cli(&server, &dry).await.ok().to_string();
        assert!(out.starts_with("dry run: no job was created") && out.contains("training steps:    10"), "{out}");
        dry.push("--json");
        let estimate = cli(&server, &dry).await.json();
        assert_eq!(estimate["training_steps"], 10);
        assert_eq!(cli(&server, &["jobs", "list"]).await.ok(), "no jobs\n", "a dry run starts nothing");

        // Long enough (~12 s at the mock's speed) to be cancelled while it runs.
        let mut args = create.to_vec();
        args[7] = "500";
        args.extend(["--learning-rate", "0.0001", "--suffix", "cli-test", "--validation-file", &file]);
        let out = cli(&server, &args).await.ok().to_string();
        assert!(out.starts_with("created job "), "{out}");
        let id = out.split_whitespace().nth(2).unwrap().to_string();
        assert!(out.contains("suffix:         cli-test"), "{out}");

        let list = cli(&server, &["jobs", "list", "--model", "open-mistral-7b", "--suffix", "cli-test"]).await;
        assert!(list.ok().contains(&id), "{list:?}");
        let page = cli(&server, &["--json", "jobs", "list", "--page", "0", "--page-size", "5", "--created-by-me"])
            .await
            .json();
        assert_eq!(page["data"][0]["id"], id.as_str());
        let none =
            cli(&server, &["jobs", "list", "--status", "failed", "--created-after", "2000-01-01T00:00:00Z"]).await;
        assert_eq!(none.ok(), "no jobs\n");

        let get = cli(&server, &["jobs", "get", &id]).await.ok().to_string();
        assert!(get.starts_with(&format!("id:               {id}\n")), "{get}");
        let job = cli(&server, &["jobs", "get", &id, "--json"]).await.json();
        assert_eq!(job["suffix"], "cli-test");

        let out = cli(&server, &["jobs", "cancel", &id]).await;
        let out = out.ok();
        assert!(out.starts_with(&format!("cancellation requested for job {id} (status ")), "{out}");
        let run = cli(&server, &["jobs", "watch", &id, "--interval-ms", "20"]).await;
        assert_eq!(run.code, 1, "a cancelled job is not a success: {run:?}");
        assert_eq!(run.stderr, format!("error: job {id} ended with status CANCELLED\n"));
        assert!(run.stdout.lines().last().unwrap().contains("CANCELLED"), "{run:?}");
    })
    .await;
}

#[tokio::test]
async fn jobs_watch_json_prints_one_snapshot_per_line() {
    within(20, async {
        let server = mock().await;
        let dir = tempfile::tempdir().unwrap();
        let file = upload(&server, dir.path()).await;
        let job = cli(
            &server,
            &[
                "--json",
                "jobs",
                "create",
                "--model",
                "mistral-small-latest",
                "--training-file",
                &file,
                "--training-steps",
                "4",
            ],
        )
        .await
        .json();
        let id = job["id"].as_str().unwrap();
        let run = cli(&server, &["--json", "jobs", "watch", id, "--interval-ms", "10"]).await;
        let snapshots: Vec<serde_json::Value> = run.ok().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(snapshots.last().unwrap()["status"], "SUCCESS");
        assert!(snapshots.iter().all(|s| s["id"] == id));
    })
    .await;
}

#[tokio::test]
async fn upload_job_watch_chat_then_clean_up() {
    within(30, async {
        let server = mock().await;
        let dir = tempfile::tempdir().unwrap();
        let file = upload(&server, dir.path()).await;
        let job = cli(
            &server,
            &[
                "--json",
                "jobs",
                "create",
                "--model",
                "open-mistral-7b",
                "--training-file",
                &file,
                "--training-steps",
                "10",
                "--suffix",
                "flow",
            ],
        )
        .await
        .json();
        let id = job["id"].as_str().unwrap().to_string();

        let watch = cli(&server, &["jobs", "watch", &id, "--interval-ms", "20"]).await;
        let out = watch.ok();
        let last = out.lines().last().unwrap();
        assert!(last.starts_with(&format!("job {id} succeeded: fine-tuned model ft:open-mistral-7b:")), "{out}");
        let success = out.lines().find(|l| l.contains("SUCCESS")).expect("a SUCCESS line");
        assert!(success.contains("step 10/10") && success.contains("train loss 0."), "{out}");
        let model = last.rsplit(' ').next().unwrap().to_string();

        assert!(cli(&server, &["models", "list"]).await.ok().contains(&model));
        let answer = cli(&server, &["chat", "-m", &model, "Hello, fine-tuned model!"]).await;
        assert!(!answer.ok().trim().is_empty());
        let json = cli(&server, &["chat", "--json", "--no-stream", "-m", &model, "Hi"]).await.json();
        assert_eq!(json["model"], model.as_str());

        assert_eq!(cli(&server, &["models", "delete", &model]).await.ok(), format!("deleted model {model}\n"));
        assert!(!cli(&server, &["models", "list"]).await.ok().contains(&model));
        let json = cli(&server, &["files", "delete", &file, "--json"]).await.json();
        assert_eq!(json["deleted"], true);
    })
    .await;
}

/// A writer the test can read while the CLI still writes to it.
#[derive(Clone, Default)]
struct Shared(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Shared {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn mock_command_serves_until_interrupted() {
    within(20, async {
        let (stdout, mut stderr) = (Shared::default(), Vec::new());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let args = ["mistral", "mock", "--addr", "127.0.0.1:0", "--accept-key", "mock-key", "--speed", "100"];
        let server = async {
            let mut out = stdout.clone();
            let interrupt = async {
                let _ = stopped.await;
            };
            mistral_cli::run_with(args, &mut out, &mut stderr, mistral_cli::Options::default(), interrupt).await
        };
        let client = async {
            let url = loop {
                let text = String::from_utf8(stdout.0.lock().unwrap().clone()).unwrap();
                if let Some(line) = text.lines().next() {
                    break line.to_string();
                }
                tokio::time::sleep(Duration::from_millis(10)).await;
            };
            assert!(url.starts_with("http://127.0.0.1:"), "{url}");
            let run = raw(
                &["mistral", "--base-url", &url, "--api-key", "mock-key", "models", "list"],
                std::future::pending(),
            )
            .await;
            assert!(run.ok().contains("mistral-small-latest"));
            let run =
                raw(&["mistral", "--base-url", &url, "--api-key", KEY, "models", "list"], std::future::pending()).await;
            assert_eq!(run.code, 1, "only --accept-key keys are accepted");
            let _ = stop.send(());
        };
        let (code, ()) = tokio::join!(server, client);
        assert_eq!(code, 0, "Ctrl-C is how the mock stops");
        assert!(String::from_utf8(stderr).unwrap().contains("serving the Mistral API"));
    })
    .await;
}
