//! The `mistral-mock` binary: prints its URL and serves.

use std::process::Stdio;

use tokio::io::{AsyncBufReadExt, BufReader};

use crate::within;

#[tokio::test]
async fn the_binary_prints_its_url_and_serves() {
    within(20, async {
        let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_mistral-mock"))
            .args(["--addr", "127.0.0.1:0", "--api-key", "sk-cli", "--speed", "100"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .expect("binary starts");
        let stdout = child.stdout.take().expect("stdout");
        let mut lines = BufReader::new(stdout).lines();
        let url = lines.next_line().await.expect("read").expect("a line");
        assert!(url.starts_with("http://127.0.0.1:"), "{url}");
        let http = reqwest::Client::new();
        let ok = http.get(format!("{url}/v1/models")).bearer_auth("sk-cli").send().await.expect("sent");
        assert_eq!(ok.status(), 200);
        let denied = http.get(format!("{url}/v1/models")).bearer_auth("sk-other").send().await.expect("sent");
        assert_eq!(denied.status(), 401);
        child.kill().await.expect("killed");

        let bad = tokio::process::Command::new(env!("CARGO_BIN_EXE_mistral-mock"))
            .args(["--addr", "127.0.0.1:0", "--speed", "0"])
            .output()
            .await
            .expect("runs");
        assert!(!bad.status.success());
        assert!(String::from_utf8_lossy(&bad.stderr).contains("speed"));
    })
    .await;
}
