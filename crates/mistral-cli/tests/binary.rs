//! The real `mistral` binary, run as a process.

mod common;

use std::io::Read;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use common::{KEY, MockServer, mock, within};

fn mistral() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_mistral"));
    cmd.env_remove("MISTRAL_API_KEY").env_remove("MISTRAL_BASE_URL").stdin(Stdio::null());
    cmd
}

/// Runs the command on the blocking pool, so the mock keeps serving meanwhile.
async fn output(mut cmd: Command) -> Output {
    tokio::task::spawn_blocking(move || cmd.output().expect("run mistral")).await.expect("join")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[tokio::test]
async fn help_and_version() {
    within(20, async {
        let mut cmd = mistral();
        cmd.arg("--help").env("MISTRAL_API_KEY", "super-secret-key");
        let out = output(cmd).await;
        assert!(out.status.success());
        let help = text(&out.stdout);
        for word in ["chat", "fim", "embed", "models", "files", "jobs", "mock", "--json", "--base-url", "--api-key"] {
            assert!(help.contains(word), "help mentions {word}: {help}");
        }
        assert!(!help.contains("super-secret-key"), "the key is never echoed");

        let mut cmd = mistral();
        cmd.arg("--version");
        let out = output(cmd).await;
        assert!(out.status.success());
        assert!(text(&out.stdout).starts_with("mistral "));

        let mut cmd = mistral();
        cmd.args(["jobs", "watch"]);
        let out = output(cmd).await;
        assert_eq!(out.status.code(), Some(2), "usage errors exit 2");
        assert!(text(&out.stderr).starts_with("error:"));
    })
    .await;
}

#[tokio::test]
async fn models_list_from_the_environment() {
    within(20, async {
        let server = mock().await;
        let mut cmd = mistral();
        cmd.args(["models", "list"]).env("MISTRAL_BASE_URL", server.base_url()).env("MISTRAL_API_KEY", KEY);
        let out = output(cmd).await;
        assert!(out.status.success(), "{}", text(&out.stderr));
        let table = text(&out.stdout);
        assert!(table.starts_with("ID") && table.contains("open-mistral-7b"), "{table}");

        let mut cmd = mistral();
        cmd.args(["--json", "models", "list", "--base-url", &server.base_url(), "--api-key", KEY]);
        let out = output(cmd).await;
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
        assert_eq!(json["object"], "list");
    })
    .await;
}

#[tokio::test]
async fn a_bad_key_exits_1_with_one_line() {
    within(20, async {
        let server = MockServer::builder().api_key("good").start().await.unwrap();
        let mut cmd = mistral();
        cmd.args(["--base-url", &server.base_url(), "--api-key", "bad", "files", "list"]);
        let out = output(cmd).await;
        assert_eq!(out.status.code(), Some(1));
        let err = text(&out.stderr);
        assert_eq!(err.lines().count(), 1, "{err}");
        // The live server's answer to an unknown key.
        assert_eq!(err, "error: API error 401: Invalid API Key\n");
        assert!(out.stdout.is_empty());
    })
    .await;
}

#[tokio::test]
async fn sigint_stops_a_stream_with_exit_130() {
    within(20, async {
        let server = MockServer::builder().token_delay(Duration::from_millis(50)).start().await.unwrap();
        let base = server.base_url();
        let status = tokio::task::spawn_blocking(move || {
            let mut child = mistral()
                .args(["--base-url", &base, "--api-key", KEY, "chat", "Tell me a long story about cheese"])
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn mistral");
            // Wait for the first streamed bytes, then press Ctrl-C.
            let mut stdout = child.stdout.take().unwrap();
            let mut first = [0u8; 1];
            stdout.read_exact(&mut first).expect("a first token");
            let kill = Command::new("kill").args(["-INT", &child.id().to_string()]).status().expect("run kill");
            assert!(kill.success());
            let mut rest = Vec::new();
            stdout.read_to_end(&mut rest).expect("read the rest");
            let status = child.wait().expect("wait");
            (status, rest)
        })
        .await
        .expect("join");
        let (status, rest) = status;
        assert_eq!(status.code(), Some(130));
        assert_eq!(rest.last(), Some(&b'\n'), "the partial line is ended");
    })
    .await;
}

#[tokio::test]
async fn chat_reads_the_prompt_from_stdin_when_none_is_given() {
    within(20, async {
        let server = mock().await;
        server
            .on(&mistral_openapi::operations::CREATE_CHAT_COMPLETION)
            .respond(mistral_mock::Reply::text("Comté, of course."));
        let mut cmd = mistral();
        cmd.args(["--base-url", &server.base_url(), "--api-key", KEY, "chat"]).stdin(Stdio::piped());
        cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
        let out = tokio::task::spawn_blocking(move || {
            let mut child = cmd.spawn().expect("run mistral");
            if let Some(mut stdin) = child.stdin.take() {
                std::io::Write::write_all(&mut stdin, b"Which cheese?\n").expect("write stdin");
            }
            child.wait_with_output().expect("wait")
        })
        .await
        .expect("join");
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert_eq!(text(&out.stdout), "Comté, of course.\n");
        let sent = server.received_for(&mistral_openapi::operations::CREATE_CHAT_COMPLETION);
        assert_eq!(sent[0].body.as_ref().map(|b| b["messages"][0]["content"].clone()), Some("Which cheese?".into()));

        // Nothing on stdin: a clear error, not a hang.
        let mut cmd = mistral();
        cmd.args(["--base-url", &server.base_url(), "--api-key", KEY, "chat"]);
        let out = output(cmd).await;
        assert_eq!(out.status.code(), Some(1));
        assert_eq!(text(&out.stderr), "error: no prompt: stdin was empty\n");
    })
    .await;
}
