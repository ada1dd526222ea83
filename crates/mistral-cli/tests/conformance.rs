//! `mistral conformance`, in-process against the mock.

mod common;

use common::{MockServer, raw, within};

/// A mock whose jobs run slowly enough that none finishes before the runner cancels it.
async fn mock() -> MockServer {
    MockServer::builder().speed(1.0).start().await.unwrap()
}

async fn conformance(args: &[&str]) -> common::Run {
    let mut full = vec!["mistral", "conformance"];
    full.extend(args);
    raw(&full, std::future::pending()).await
}

#[tokio::test]
async fn every_check_passes_against_the_mock() {
    within(60, async {
        let server = mock().await;
        let url = server.base_url();
        let run = conformance(&["--base-url", &url, "--examples", "all"]).await;
        let out = run.ok();
        assert_eq!(run.stderr, "");
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[0].split_whitespace().collect::<Vec<_>>(), ["CHECK", "REQUEST", "RESULT", "AT", "DETAILS"]);
        let checks: Vec<&str> = lines[1..].iter().copied().filter(|l| !l.starts_with("note: ")).collect();
        // 96 checks of the flows (70 operations, the transcription and speech streams, the
        // conversation streams), one per other operation (8), and the summary.
        assert_eq!(checks.len(), 105, "104 checks and the summary: {out}");
        for line in &checks[..104] {
            assert_eq!(line.split_whitespace().last(), Some("pass"), "{line}");
        }
        assert!(checks[0].starts_with("chat.create ") && checks[0].contains("POST /v1/chat/completions"), "{out}");
        assert!(
            checks[38].starts_with("models.delete ") && checks[38].contains("DELETE /v1/models/{model_id}"),
            "{out}"
        );
        assert_eq!(checks[104], "104 checks: 104 passed, 0 failed, 0 skipped");

        let run = conformance(&["--base-url", &url, "--json", "--timeout", "20"]).await;
        let json = run.json();
        assert_eq!(json["passed"], true);
        assert_eq!(json["base_url"], url.as_str());
        // By default the harmless examples only; the 8 operations left without a flow are all
        // stateless calls (OCR, classifiers, transcription, speech) or reads (voices).
        assert_eq!(json["summary"]["total"], 104);
        assert_eq!(json["summary"]["passed"], 104);
        let checks = json["checks"].as_array().unwrap();
        assert_eq!(checks.len(), 104);
        assert!(checks.iter().all(|c| c["result"] == "pass"), "{json}");
        assert_eq!(checks[4]["name"], "chat.stream");
        assert_eq!(checks[4]["operation_id"], "createChatCompletion");
    })
    .await;
}

#[tokio::test]
async fn only_selects_groups() {
    within(60, async {
        let server = mock().await;
        let url = server.base_url();
        let run = conformance(&[
            "--base-url",
            &url,
            "--api-key",
            "k",
            "--only",
            "models,fine-tuning",
            "--examples",
            "none",
            "--json",
        ])
        .await;
        let json = run.json();
        assert_eq!(json["groups"], serde_json::json!(["models", "fine_tuning"]));
        let names: Vec<&str> = json["checks"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
        assert_eq!(
            names,
            [
                "models.list",
                "models.retrieve",
                "models.no_key",
                "fine_tuning.create",
                "fine_tuning.get",
                "fine_tuning.list",
                "fine_tuning.cancel",
                "fine_tuning.no_key",
                "models.update",
                "models.archive",
                "models.unarchive",
                "models.delete"
            ]
        );
        assert_eq!(json["notes"], serde_json::json!([]), "a key was given");

        let run = conformance(&["--base-url", &url, "--only", "chat,everything"]).await;
        assert_eq!(run.code, mistral_cli::EXIT_USAGE);
        assert!(run.stderr.contains("unknown group \"everything\""), "{}", run.stderr);
    })
    .await;
}

#[tokio::test]
async fn departures_exit_1_with_the_table() {
    within(60, async {
        // A server that knows another key answers 401 to checks that need one.
        let server = MockServer::builder().api_key("the-right-key").start().await.unwrap();
        let url = server.base_url();
        let run = conformance(&["--base-url", &url, "--api-key", "a-wrong-key", "--only", "models"]).await;
        assert_eq!(run.code, mistral_cli::EXIT_FAILURE, "{}", run.stdout);
        // models.list, retrieve (skipped: the list gave no model), no_key, update, archive,
        // unarchive and delete: all but no_key get the 401.
        assert_eq!(run.stderr, "error: 6 of 7 checks did not pass (5 failed, 1 skipped)\n");
        let list = run.stdout.lines().find(|l| l.starts_with("models.list ")).unwrap();
        assert!(list.contains(" fail ") && list.contains("status: status 401, expected 200"), "{list}");
        let no_key = run.stdout.lines().find(|l| l.starts_with("models.no_key ")).unwrap();
        assert!(no_key.ends_with(" pass"), "{no_key}");
        assert!(run.stdout.ends_with("7 checks: 1 passed, 5 failed, 1 skipped\n"), "{}", run.stdout);

        let run = conformance(&["--base-url", "ftp://nowhere"]).await;
        assert_eq!(run.code, mistral_cli::EXIT_FAILURE);
        assert!(run.stderr.starts_with("error: invalid base URL \"ftp://nowhere\""), "{}", run.stderr);
    })
    .await;
}
