//! `mistral batch`, in-process against the mock, which runs batch jobs through its own
//! handlers on its simulated clock.

mod common;

use common::{cli, mock, within};
use mistral_openapi::operations as ops;
use serde_json::{Value, json};

fn requests(dir: &std::path::Path) -> std::path::PathBuf {
    let path = dir.join("questions.jsonl");
    let lines: Vec<String> = ["Best cheese?", "Best wine?", "Best bread?"]
        .iter()
        .enumerate()
        .map(|(i, q)| {
            json!({"custom_id": format!("q{i}"), "body": {"messages": [{"role": "user", "content": q}]}}).to_string()
        })
        .collect();
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    path
}

#[tokio::test]
async fn run_uploads_creates_watches_and_writes_the_results() {
    within(60, async {
        let server = mock().await;
        let dir = tempfile::tempdir().unwrap();
        let file = requests(dir.path());
        let out_dir = dir.path().join("results");
        let args = [
            "batch",
            "run",
            file.to_str().unwrap(),
            "-m",
            "mistral-small-latest",
            "--metadata",
            "team=search",
            "--interval-ms",
            "50",
            "-o",
            out_dir.to_str().unwrap(),
        ];
        let out = cli(&server, &args).await.ok().to_string();
        let id = out
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("created batch job "))
            .and_then(|l| l.split(' ').next())
            .expect("the job id");
        assert!(out.contains(&format!("batch job {id} succeeded: 3 requests, 0 failed")), "{out}");

        // The job as created: the uploaded file, the endpoint, the model, the metadata.
        let created = server.received_for(&ops::JOBS_API_ROUTES_BATCH_CREATE_BATCH_JOB);
        let body = created[0].body.clone().unwrap();
        assert_eq!(
            (body["endpoint"].as_str(), body["model"].as_str()),
            (Some("/v1/chat/completions"), Some("mistral-small-latest"))
        );
        assert_eq!(body["metadata"], json!({"team": "search"}));
        let upload = &server.received_for(&ops::FILES_API_ROUTES_UPLOAD_FILE)[0];
        assert_eq!(upload.part_text("purpose"), Some("batch"));
        assert_eq!(body["input_files"].as_array().map(Vec::len), Some(1));

        // One answer per line, keyed by custom id, as the sync call would answer.
        let output = std::fs::read_to_string(out_dir.join(format!("{id}.output.jsonl"))).unwrap();
        let lines: Vec<Value> = output.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        let mut ids: Vec<&str> = lines.iter().filter_map(|l| l["custom_id"].as_str()).collect();
        ids.sort();
        assert_eq!(ids, ["q0", "q1", "q2"]);
        assert!(lines.iter().all(|l| l["response"]["status_code"] == 200), "{output}");

        // get, list, results to stdout.
        let got = cli(&server, &["batch", "get", id]).await.ok().to_string();
        assert!(got.contains("SUCCESS") && got.contains("3 done of 3"), "{got}");
        let listed = cli(&server, &["batch", "list", "--status", "SUCCESS"]).await.ok().to_string();
        assert!(listed.contains(id) && listed.contains("3/3"), "{listed}");
        let stdout = cli(&server, &["batch", "results", id]).await.ok().to_string();
        assert_eq!(stdout, output);
        let json = cli(&server, &["--json", "batch", "get", id]).await.json();
        assert_eq!(json["id"], id);
    })
    .await;
}

#[tokio::test]
async fn create_then_cancel_and_watch_fails_unless_it_succeeds() {
    within(60, async {
        // Slow simulated time: the job cannot finish before it is cancelled.
        let server = mistral_mock::MockServer::builder().speed(0.01).start().await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let file = requests(dir.path());
        let out = cli(&server, &["batch", "create", file.to_str().unwrap(), "-m", "mistral-small-latest"])
            .await
            .ok()
            .to_string();
        let id =
            out.strip_prefix("created batch job ").and_then(|l| l.split(' ').next()).expect("the job id").to_string();
        let cancelled = cli(&server, &["batch", "cancel", &id]).await.ok().to_string();
        assert!(cancelled.starts_with(&format!("cancellation requested for batch job {id}")), "{cancelled}");
        server.advance(std::time::Duration::from_secs(3600));
        let watched = cli(&server, &["batch", "watch", &id, "--interval-ms", "20"]).await;
        assert_eq!(watched.code, 1, "{watched:?}");
        assert_eq!(watched.stderr, format!("error: batch job {id} ended with status CANCELLED\n"));

        let uploads = server.received_for(&ops::FILES_API_ROUTES_UPLOAD_FILE).len();
        let bad = cli(&server, &["batch", "create", file.to_str().unwrap(), "--metadata", "oops"]).await;
        assert_eq!((bad.code, bad.stderr.as_str()), (1, "error: --metadata \"oops\" is not KEY=VALUE\n"));
        assert_eq!(server.received_for(&ops::FILES_API_ROUTES_UPLOAD_FILE).len(), uploads, "nothing uploaded");
    })
    .await;
}
