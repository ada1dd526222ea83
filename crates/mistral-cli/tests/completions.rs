//! chat, fim, embed, models and error output, in-process against the mock.

mod common;

use std::time::Duration;

use common::{KEY, MockServer, cli, mock, raw, within};

#[tokio::test]
async fn chat_streams_text() {
    within(20, async {
        let server = mock().await;
        let run = cli(&server, &["chat", "What is the best French cheese?"]).await;
        let out = run.ok();
        assert!(out.trim().len() > 10, "an answer: {out:?}");
        assert!(out.ends_with('\n') && !out.ends_with("\n\n"), "one final newline: {out:?}");
        assert_eq!(run.stderr, "");
    })
    .await;
}

#[tokio::test]
async fn chat_without_stream_matches_the_json_answer() {
    within(20, async {
        let server = mock().await;
        let args = ["chat", "--no-stream", "--system", "Be terse.", "--temperature", "0.2", "--max-tokens", "40", "Hi"];
        let text = cli(&server, &args).await.ok().to_string();
        let mut json_args = vec!["--json"];
        json_args.extend(args);
        let json = cli(&server, &json_args).await.json();
        assert_eq!(json["object"], "chat.completion");
        assert_eq!(json["model"], "mistral-small-latest");
        assert_eq!(format!("{}\n", json["choices"][0]["message"]["content"].as_str().unwrap()), text);
    })
    .await;
}

#[tokio::test]
async fn chat_json_stream_prints_one_chunk_per_line() {
    within(20, async {
        let server = mock().await;
        let run = cli(&server, &["chat", "--json", "-m", "mistral-large-latest", "Tell me about Paris"]).await;
        let lines: Vec<serde_json::Value> =
            run.ok().lines().map(|l| serde_json::from_str(l).expect("each line is JSON")).collect();
        assert!(lines.len() > 2, "several chunks");
        assert!(lines.iter().all(|c| c["object"] == "chat.completion.chunk"));
        assert!(lines.iter().all(|c| c["model"] == "mistral-large-latest"));
        assert!(lines.last().unwrap()["choices"][0]["finish_reason"].is_string());
    })
    .await;
}

#[tokio::test]
async fn chat_json_mode_answers_json() {
    within(20, async {
        let server = mock().await;
        let run = cli(&server, &["chat", "--no-stream", "--json-mode", r#"Give me {"city": ..} as JSON"#]).await;
        let answer: serde_json::Value = serde_json::from_str(run.ok().trim()).expect("the answer is JSON");
        assert!(answer.is_object());
    })
    .await;
}

#[tokio::test]
async fn ctrl_c_stops_a_stream_with_a_newline_and_130() {
    within(20, async {
        let server = MockServer::builder().token_delay(Duration::from_millis(30)).start().await.unwrap();
        let base = server.base_url();
        let args = ["mistral", "--base-url", &base, "--api-key", KEY, "chat", "Write a long story about cheese"];
        let run = raw(&args, tokio::time::sleep(Duration::from_millis(400))).await;
        assert_eq!(run.code, 130, "{run:?}");
        assert!(run.stdout.len() > 1 && run.stdout.ends_with('\n'), "partial text ended by a newline: {run:?}");
        assert_eq!(run.stderr, "");
    })
    .await;
}

#[tokio::test]
async fn fim_completes_code() {
    within(20, async {
        let server = mock().await;
        let out = cli(&server, &["fim", "--prompt", "def fib(n):", "--suffix", "print(fib(10))", "--max-tokens", "64"])
            .await
            .ok()
            .to_string();
        assert!(!out.trim().is_empty());
        let json =
            cli(&server, &["--json", "fim", "--prompt", "def fib(n):", "--suffix", "print(fib(10))"]).await.json();
        assert_eq!(json["model"], "codestral-latest");
        assert!(json["choices"][0]["message"]["content"].is_string());
    })
    .await;
}

#[tokio::test]
async fn embed_shows_index_dims_and_values() {
    within(20, async {
        let server = mock().await;
        let out = cli(&server, &["embed", "hello world", "bonjour"]).await.ok().to_string();
        let lines: Vec<&str> = out.lines().collect();
        assert!(lines[0].starts_with("INDEX") && lines[0].contains("DIMS"), "{out}");
        assert!(lines[1].contains("1024") && lines[1].contains('[') && lines[1].contains("hello world"), "{out}");
        assert!(lines[2].trim_start().starts_with('1') && lines[2].contains("bonjour"), "{out}");
        let json = cli(&server, &["embed", "--json", "a", "b", "c"]).await.json();
        assert_eq!(json["data"].as_array().unwrap().len(), 3);
        assert_eq!(json["data"][2]["embedding"].as_array().unwrap().len(), 1024);
    })
    .await;
}

#[tokio::test]
async fn models_list_and_delete() {
    within(20, async {
        let server = mock().await;
        let out = cli(&server, &["models", "list"]).await.ok().to_string();
        assert!(out.starts_with("ID"), "{out}");
        assert!(out.contains("mistral-small-latest") && out.contains("codestral-latest"), "{out}");
        let json = cli(&server, &["models", "list", "--json"]).await.json();
        assert_eq!(json["object"], "list");
        assert!(json["data"].as_array().unwrap().iter().any(|m| m["id"] == "mistral-embed"));

        // A base model cannot be deleted, an unknown one is not found: one line each.
        let run = cli(&server, &["models", "delete", "mistral-small-latest"]).await;
        assert_eq!(run.code, 1);
        assert!(run.stderr.starts_with("error: API error 400: "), "{run:?}");
        assert_eq!(run.stderr.lines().count(), 1);
        let run = cli(&server, &["models", "delete", "ft:open-mistral-7b:nobody:20240101:deadbeef"]).await;
        assert_eq!(run.code, 1);
        assert!(run.stderr.starts_with("error: API error 404: "), "{run:?}");
        assert_eq!(run.stdout, "");
    })
    .await;
}

#[tokio::test]
async fn a_bad_key_is_one_line_with_401_and_exit_1() {
    within(20, async {
        let server = MockServer::builder().api_key("the-right-key").start().await.unwrap();
        let base = server.base_url();
        let run =
            raw(&["mistral", "--base-url", &base, "--api-key", "wrong-key", "models", "list"], std::future::pending())
                .await;
        assert_eq!(run.code, 1);
        assert_eq!(run.stdout, "");
        assert_eq!(run.stderr.lines().count(), 1, "{run:?}");
        assert_eq!(run.stderr, "error: API error 401: Invalid API Key\n", "{run:?}");
        assert!(!run.stderr.contains("wrong-key"), "the key is never echoed");

        // Without any key, the error says how to give one.
        let run = raw(&["mistral", "--base-url", &base, "models", "list"], std::future::pending()).await;
        if std::env::var_os("MISTRAL_API_KEY").is_none() {
            assert_eq!(run.code, 1);
            assert!(run.stderr.contains("401") && run.stderr.contains("MISTRAL_API_KEY"), "{run:?}");
        }

        // The right key works.
        let run = raw(
            &["mistral", "--base-url", &base, "--api-key", "the-right-key", "models", "list"],
            std::future::pending(),
        )
        .await;
        run.ok();
    })
    .await;
}

#[tokio::test]
async fn usage_errors_exit_2_and_help_exits_0() {
    within(20, async {
        // (`mistral chat` alone is no usage error: it reads the prompt from stdin.)
        let run = raw(&["mistral", "chat", "--max-tokens", "many", "Hi"], std::future::pending()).await;
        assert_eq!(run.code, 2);
        assert!(run.stderr.starts_with("error:"), "{run:?}");
        let run = raw(
            &["mistral", "jobs", "create", "--model", "m", "--training-file", "not-a-uuid", "--training-steps", "1"],
            std::future::pending(),
        )
        .await;
        assert_eq!(run.code, 2, "{run:?}");
        let run = raw(&["mistral", "--timeout", "-1", "models", "list"], std::future::pending()).await;
        assert_eq!(run.code, 2, "{run:?}");
        let run = raw(&["mistral", "--help"], std::future::pending()).await;
        assert_eq!(run.code, 0);
        assert!(run.stdout.contains("chat") && run.stdout.contains("--base-url"), "{run:?}");
    })
    .await;
}

#[tokio::test]
async fn local_failures_are_one_line() {
    within(20, async {
        // Refused by the SDK before sending.
        let server = mock().await;
        let run = cli(&server, &["chat", "--temperature", "3", "Hi"]).await;
        assert_eq!(run.code, 1);
        assert_eq!(run.stderr, "error: invalid request: temperature must be in 0..=1.5, is 3\n");

        // Nothing listening: a connection error, not retried forever.
        let addr = {
            let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            listener.local_addr().unwrap()
        };
        let base = format!("http://{addr}");
        let run = raw(
            &[
                "mistral",
                "--base-url",
                &base,
                "--api-key",
                KEY,
                "--max-retries",
                "0",
                "--timeout",
                "5",
                "models",
                "list",
            ],
            std::future::pending(),
        )
        .await;
        assert_eq!(run.code, 1);
        assert_eq!(run.stderr.lines().count(), 1, "{run:?}");
        assert!(run.stderr.starts_with("error: connection failed: "), "{run:?}");
    })
    .await;
}

#[tokio::test]
async fn run_uses_ctrl_c_and_reports_like_run_with() {
    within(20, async {
        let server = mock().await;
        let base = server.base_url();
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let code = mistral_cli::run(
            ["mistral", "--base-url", &base, "--api-key", KEY, "--json", "models", "list"],
            &mut out,
            &mut err,
        )
        .await;
        assert_eq!(code, 0);
        let json: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(json["object"], "list");
    })
    .await;
}
