//! Shared helpers: run the CLI in-process against a mock and capture what it prints.

#![allow(dead_code)]

use std::future::Future;
use std::time::Duration;

pub use mistral_mock::MockServer;

/// The key the tests send (the mock accepts any non-empty key unless told otherwise).
pub const KEY: &str = "test-key";

/// What one CLI run printed, and its exit code.
#[derive(Debug)]
pub struct Run {
    pub code: u8,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    /// Asserts success and returns stdout.
    #[track_caller]
    pub fn ok(&self) -> &str {
        assert_eq!(self.code, 0, "exit code {}; stderr: {}; stdout: {}", self.code, self.stderr, self.stdout);
        &self.stdout
    }

    /// Asserts success and parses stdout as one JSON document.
    #[track_caller]
    pub fn json(&self) -> serde_json::Value {
        let out = self.ok();
        serde_json::from_str(out).unwrap_or_else(|e| panic!("stdout is not one JSON document ({e}): {out}"))
    }
}

/// Fails the test if `fut` takes longer than `secs`.
pub async fn within<T>(secs: u64, fut: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(secs), fut).await.expect("the test timed out")
}

/// A mock whose fine-tuning jobs run fast (a 10-step job in ~0.3 s).
pub async fn mock() -> MockServer {
    MockServer::builder().speed(400.0).start().await.expect("start the mock")
}

/// Runs `mistral --base-url URL --api-key KEY ARGS...` in-process.
pub async fn cli(server: &MockServer, args: &[&str]) -> Run {
    let mut full = vec!["mistral".to_string(), "--base-url".into(), server.base_url(), "--api-key".into(), KEY.into()];
    full.extend(args.iter().map(|s| s.to_string()));
    raw(&full, std::future::pending()).await
}

/// Runs the CLI with exactly these arguments (program name first) and an interrupt.
pub async fn raw<S: AsRef<str>>(args: &[S], interrupt: impl Future<Output = ()>) -> Run {
    raw_with(args, mistral_cli::Options::default(), interrupt).await
}

/// [`raw`] with terminal options.
pub async fn raw_with<S: AsRef<str>>(
    args: &[S],
    options: mistral_cli::Options,
    interrupt: impl Future<Output = ()>,
) -> Run {
    let args: Vec<String> = args.iter().map(|s| s.as_ref().to_string()).collect();
    let mut stdout = Vec::new();
    let mut stderr = Vec::new();
    let code = mistral_cli::run_with(args, &mut stdout, &mut stderr, options, interrupt).await;
    Run {
        code,
        stdout: String::from_utf8(stdout).expect("stdout is UTF-8"),
        stderr: String::from_utf8(stderr).expect("stderr is UTF-8"),
    }
}

/// A valid training file for the mock: JSONL chat samples.
pub fn training_file(dir: &std::path::Path, lines: usize) -> std::path::PathBuf {
    let path = dir.join("train.jsonl");
    let mut text = String::new();
    for i in 0..lines {
        text.push_str(&format!(
            "{{\"messages\":[{{\"role\":\"user\",\"content\":\"What is {i} + {i}?\"}},{{\"role\":\"assistant\",\"content\":\"{}\"}}]}}\n",
            i + i
        ));
    }
    std::fs::write(&path, text).expect("write the training file");
    path
}
