//! `mistral chat` in 2026: images and documents, structured output from a schema file,
//! reasoning shown apart from the answer. In-process against the mock; the journal shows the
//! exact request.

mod common;

use common::{KEY, cli, mock, raw_with, within};
use mistral_openapi::operations as ops;
use serde_json::{Value, json};

/// A 2x1 PNG: signature, IHDR (width 2, height 1), nothing else the API needs.
const PNG: &[u8] = &[
    0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, b'I', b'H', b'D', b'R', 0, 0, 0, 2, 0, 0, 0, 1, 8, 2,
    0, 0, 0, 0x7b, 0x0d, 0x84, 0x2c,
];

fn sent_content(server: &common::MockServer) -> Value {
    let sent = server.received_for(&ops::CREATE_CHAT_COMPLETION);
    let body = sent.last().and_then(|r| r.body.clone()).expect("a JSON body");
    body["messages"][0]["content"].clone()
}

#[tokio::test]
async fn images_and_documents_go_with_the_prompt() {
    within(20, async {
        let server = mock().await;
        let dir = tempfile::tempdir().unwrap();
        let png = dir.path().join("dot.png");
        std::fs::write(&png, PNG).unwrap();
        let file_id = "497f6eca-6276-4993-bfeb-53cbbbba6f09";
        let args = [
            "chat",
            "-m",
            "mistral-large-latest",
            "--no-stream",
            "What is this?",
            "--image",
            png.to_str().unwrap(),
            "--image",
            "https://example.com/cat.jpg",
            "--document",
            "https://example.com/report.pdf",
            "--document",
            file_id,
        ];
        let run = cli(&server, &args).await;
        assert!(!run.ok().trim().is_empty());
        let content = sent_content(&server);
        let data_url = format!("data:image/png;base64,{}", b64(PNG));
        assert_eq!(content[0], json!({"type": "text", "text": "What is this?"}));
        assert_eq!(content[1]["type"], "image_url");
        assert_eq!(
            content[1]["image_url"].as_str().or(content[1]["image_url"]["url"].as_str()),
            Some(data_url.as_str())
        );
        assert_eq!(
            content[2]["image_url"].as_str().or(content[2]["image_url"]["url"].as_str()),
            Some("https://example.com/cat.jpg")
        );
        assert_eq!(
            (content[3]["type"].as_str(), content[3]["document_url"].as_str()),
            (Some("document_url"), Some("https://example.com/report.pdf"))
        );
        assert_eq!(content[4], json!({"type": "file", "file_id": file_id}));

        let bad = cli(&server, &["chat", "Hi", "--document", "report.pdf"]).await;
        assert_eq!(bad.code, 1);
        assert_eq!(bad.stderr, "error: --document \"report.pdf\" is neither an http(s) URL nor a file id\n");
        let missing = cli(&server, &["chat", "Hi", "--image", "/nonexistent/x.png"]).await;
        assert_eq!(missing.code, 1);
        assert!(missing.stderr.starts_with("error: ") && missing.stderr.contains("x.png"), "{}", missing.stderr);
    })
    .await;
}

/// Standard base64 (the test's own, to check the CLI's data URL independently).
fn b64(bytes: &[u8]) -> String {
    const ABC: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            out.push(if i <= chunk.len() { ABC[(n >> (18 - 6 * i) & 63) as usize] as char } else { '=' });
        }
    }
    out
}

#[tokio::test]
async fn a_schema_file_asks_for_a_structured_answer_that_fits_it() {
    within(20, async {
        let server = mock().await;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("city info.json");
        let schema = json!({"type": "object", "properties": {"city": {"type": "string"}, "population": {"type": "integer", "minimum": 0}},
                            "required": ["city", "population"], "additionalProperties": false});
        std::fs::write(&path, schema.to_string()).unwrap();
        let out = cli(&server, &["chat", "--schema", path.to_str().unwrap(), "city=Lyon"]).await.ok().to_string();
        let answer: Value = serde_json::from_str(out.trim()).expect("the answer is JSON");
        assert_eq!(answer["city"], "Lyon");
        assert!(answer["population"].as_u64().is_some(), "{answer}");
        let sent = server.received_for(&ops::CREATE_CHAT_COMPLETION);
        let format = &sent[0].body.as_ref().unwrap()["response_format"];
        assert_eq!(*format, json!({"type": "json_schema", "json_schema": {"name": "city_info", "schema": schema, "strict": true}}));

        let not_json = dir.path().join("bad.json");
        std::fs::write(&not_json, "[1, 2]").unwrap();
        let run = cli(&server, &["chat", "--schema", not_json.to_str().unwrap(), "Hi"]).await;
        assert_eq!(run.code, 1);
        assert!(run.stderr.contains("is not a JSON object"), "{}", run.stderr);
    })
    .await;
}

#[tokio::test]
async fn reasoning_goes_to_stderr_apart_from_the_answer() {
    within(20, async {
        let server = mock().await;
        for stream in [true, false] {
            let mut args = vec!["chat", "-m", "magistral-small-latest", "Why is the sky blue?"];
            if !stream {
                args.push("--no-stream");
            }
            let run = cli(&server, &args).await;
            let answer = run.ok().to_string();
            assert!(!answer.trim().is_empty() && run.stderr.trim().len() > 10, "stream {stream}: {run:?}");
            assert!(!answer.contains(run.stderr.trim()), "the thinking is not in the answer: {run:?}");
            assert!(!run.stderr.contains('\u{1b}'), "no colour unless asked");

            args.push("--no-thinking");
            let run = cli(&server, &args).await;
            assert_eq!((run.ok(), run.stderr.as_str()), (answer.as_str(), ""), "stream {stream}");
        }
        // --reasoning and an effort go on the wire for any model.
        cli(&server, &["chat", "--reasoning", "--reasoning-effort", "high", "Hi"]).await.ok();
        let sent = server.received_for(&ops::CREATE_CHAT_COMPLETION);
        let body = sent.last().and_then(|r| r.body.clone()).unwrap();
        assert_eq!(
            (body["prompt_mode"].as_str(), body["reasoning_effort"].as_str()),
            (Some("reasoning"), Some("high"))
        );

        // On a terminal (colours on), the thinking is dimmed.
        let base = server.base_url();
        let args =
            ["mistral", "--base-url", base.as_str(), "--api-key", KEY, "chat", "-m", "magistral-small-latest", "Hi"];
        let options = mistral_cli::Options { color: true, ..Default::default() };
        let run = raw_with(&args, options, std::future::pending()).await;
        assert!(run.stderr.starts_with("\u{1b}[2m") && run.stderr.ends_with("\u{1b}[0m\n"), "{:?}", run.stderr);
    })
    .await;
}

#[tokio::test]
async fn json_streams_print_each_events_data_as_the_server_sent_it() {
    within(20, async {
        let server = mock().await;
        let first = r#"{"id":"c1","object":"chat.completion.chunk","created":1,"model":"mistral-small-latest","choices":[{"index":0,"delta":{"role":"assistant","content":"Hi"},"finish_reason":null}],"x_from_2027":{"kept":true}}"#;
        let last = r#"{"id":"c1","object":"chat.completion.chunk","created":1,"model":"mistral-small-latest","choices":[{"index":0,"delta":{"content":"!"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":2,"total_tokens":3}}"#;
        let events = [serde_json::from_str::<Value>(first).unwrap(), serde_json::from_str::<Value>(last).unwrap()];
        server.on(&ops::CREATE_CHAT_COMPLETION).respond(mistral_mock::Reply::events(events));
        let out = cli(&server, &["--json", "chat", "Hi"]).await.ok().to_string();
        let lines: Vec<Value> = out.lines().map(|l| serde_json::from_str(l).expect("one JSON document a line")).collect();
        assert_eq!(lines.len(), 2, "{out}");
        assert_eq!(lines[0]["x_from_2027"], json!({"kept": true}), "a field no spec knows is kept");
        assert_eq!(lines[1]["usage"]["total_tokens"], 3);
    })
    .await;
}
