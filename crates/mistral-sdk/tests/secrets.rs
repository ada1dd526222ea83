//! The API key never shows: not in logs at TRACE, not in Debug/Display of anything.
#![allow(deprecated)] // the retired fine-tuning job routes, still served by seed-era servers and the mock

mod support;

use support::Capture;

use httpmock::MockServer;
use mistral_sdk::{ChatRequest, Client, FileUpload, JobFilter, JobRequest};

const SENTINEL: &str = "sk-SENTINEL-7d3f9a1b2c";

#[tokio::test]
async fn key_never_appears_in_logs_or_errors() {
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(capture.subscriber(tracing::Level::TRACE));

    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.any_request();
            then.status(401).json_body(serde_json::json!({"message": "Unauthorized", "request_id": "r1"}));
        })
        .await;
    let client = Client::builder().api_key(SENTINEL).base_url(server.base_url()).max_retries(1).build().unwrap();
    let mut texts = vec![format!("{client:?}"), format!("{:?}", Client::builder().api_key(SENTINEL))];
    let id = uuid::Uuid::nil();
    let results = vec![
        client.chat().create(ChatRequest::new("m").user("hi")).await.map(|_| ()),
        client.chat().stream(ChatRequest::new("m").user("hi")).await.map(|_| ()),
        client.fim().create(mistral_sdk::FimRequest::new("codestral-latest", "x")).await.map(|_| ()),
        client.embeddings().create("mistral-embed", ["a"]).await.map(|_| ()),
        client.models().list().await.map(|_| ()),
        client.models().delete("m").await.map(|_| ()),
        client.files().upload(FileUpload::from_bytes("a.jsonl", "{}")).await.map(|_| ()),
        client.files().list().await.map(|_| ()),
        client.files().retrieve(id).await.map(|_| ()),
        client.files().delete(id).await.map(|_| ()),
        client.fine_tuning().jobs().list(JobFilter::new()).await.map(|_| ()),
        client.fine_tuning().jobs().create(JobRequest::new("open-mistral-7b", [id])).await.map(|_| ()),
        client.fine_tuning().jobs().get(id).await.map(|_| ()),
        client.fine_tuning().jobs().cancel(id).await.map(|_| ()),
        Client::builder()
            .api_key(SENTINEL)
            .base_url("http://127.0.0.1:1")
            .max_retries(0)
            .build()
            .unwrap()
            .models()
            .list()
            .await
            .map(|_| ()),
    ];
    for r in results {
        let e = r.unwrap_err();
        texts.push(format!("{e:?}"));
        texts.push(e.to_string());
    }
    let logs = capture.text();
    assert!(logs.contains("mistral.request"), "tracing spans are emitted");
    assert!(!logs.contains(SENTINEL), "the key leaked into logs");
    for t in texts {
        assert!(!t.contains(SENTINEL), "the key leaked: {t}");
    }
}

#[tokio::test]
async fn deprecation_header_is_logged_as_a_warning() {
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(capture.subscriber(tracing::Level::WARN));
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.any_request();
            then.status(200)
                .header("x-model-deprecation-timestamp", "2025-01-01T00:00:00Z")
                .json_body(serde_json::json!({"object": "list", "data": []}));
        })
        .await;
    let client = Client::builder().api_key("k").base_url(server.base_url()).build().unwrap();
    let models = client.models().list_with_meta().await.unwrap();
    assert_eq!(models.meta.deprecation(), Some("2025-01-01T00:00:00Z"));
    let logs = capture.text();
    assert!(
        logs.contains("WARN") && logs.contains("the model is deprecated") && logs.contains("2025-01-01T00:00:00Z"),
        "{logs}"
    );
}
