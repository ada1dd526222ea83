//! The fault matrix at the byte level (see RELIABILITY.md): each fault, its outcome.

mod support;

use std::io::Write;
use std::time::Duration;

use futures::StreamExt;
use mistral_sdk::ModelExt;
use mistral_sdk::{ChatRequest, Error};
use support::{ScriptServer, Step, chat_chunk, chunk, client, end, head};

fn request() -> ChatRequest {
    ChatRequest::new("mistral-small-latest").user("Hi")
}

fn models_body() -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({"object": "list", "data": [
        {"id": "mistral-small-latest", "object": "model", "created": 1, "owned_by": "mistralai"}
    ]}))
    .unwrap()
}

/// Every test is bounded: a hang is a failure, not a stuck CI.
async fn bounded<T>(f: impl std::future::IntoFuture<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(10), f).await.expect("no hang")
}

#[tokio::test]
async fn reset_mid_body_is_a_connection_error() {
    let body = models_body();
    let steps = vec![
        Step::Write(
            format!("HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n", body.len())
                .into_bytes(),
        ),
        Step::Write(body[..10].to_vec()),
        Step::Sleep(Duration::from_millis(20)),
        Step::Reset,
    ];
    let server = ScriptServer::start(vec![steps]).await;
    let err = bounded(client(&server.base_url).models().list()).await.unwrap_err();
    assert!(matches!(err, Error::Connection(_)), "{err:?}");
    // Not retried: the server answered, it may have acted on the request.
    assert_eq!(server.request_count(), 1);
}

#[tokio::test]
async fn gzip_and_chunked_bodies_decode() {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&models_body()).unwrap();
    let gz = gz.finish().unwrap();
    let steps = vec![
        Step::Write(
            b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-encoding: gzip\r\ntransfer-encoding: chunked\r\n\r\n".to_vec(),
        ),
        chunk(&gz[..gz.len() / 2]),
        chunk(&gz[gz.len() / 2..]),
        end(),
    ];
    let server = ScriptServer::start(vec![steps]).await;
    let models = bounded(client(&server.base_url).models().list()).await.unwrap();
    assert_eq!(models.data[0].id(), "mistral-small-latest");
    let request = server.requests.lock().unwrap()[0].clone();
    assert!(request.contains("accept-encoding: gzip"), "{request}");
}

#[tokio::test]
async fn wrong_content_type_with_a_json_body_still_decodes() {
    let body = models_body();
    let steps = vec![head(200, "text/plain"), chunk(&body), end()];
    let server = ScriptServer::start(vec![steps]).await;
    assert_eq!(bounded(client(&server.base_url).models().list()).await.unwrap().data.len(), 1);
}

#[tokio::test]
async fn ten_megabyte_response() {
    let big: Vec<f32> = (0..1024).map(|i| i as f32 / 1024.0).collect();
    let data: Vec<_> =
        (0..1000).map(|i| serde_json::json!({"object": "embedding", "embedding": big, "index": i})).collect();
    let body =
        serde_json::to_vec(&serde_json::json!({"id": "e", "object": "list", "data": data, "model": "mistral-embed",
        "usage": {"prompt_tokens": 1, "total_tokens": 1}}))
        .unwrap();
    assert!(body.len() > 10_000_000);
    let mut steps = vec![head(200, "application/json")];
    steps.extend(body.chunks(1 << 20).map(chunk));
    steps.push(end());
    let server = ScriptServer::start(vec![steps]).await;
    let response = bounded(client(&server.base_url).embeddings().create("mistral-embed", ["x"])).await.unwrap();
    assert_eq!(response.data.len(), 1000);
    assert_eq!(response.data[999].embedding[1023], 1023.0 / 1024.0);
}

#[tokio::test]
async fn invalid_utf8_inside_an_sse_event() {
    // Decoded with replacement, as the SSE standard says: the chunk still arrives.
    let good = chat_chunk("caf\u{e9}", None, false);
    let mut bad = good.clone().into_bytes();
    let at = bad.windows(2).position(|w| w == "é".as_bytes()).unwrap();
    bad[at] = 0xFF;
    let mut steps = vec![head(200, "text/event-stream"), chunk(&bad)];
    steps.push(chunk(b"data: [DONE]\n\n"));
    steps.push(end());
    let server = ScriptServer::start(vec![steps]).await;
    let items: Vec<_> =
        bounded(client(&server.base_url).chat().stream(request()).await.unwrap().collect::<Vec<_>>()).await;
    assert_eq!(items.len(), 1);
    let chunk = items[0].as_ref().unwrap();
    assert_eq!(mistral_sdk::content_text(chunk.choices[0].delta.content.as_ref()).unwrap(), "caf\u{FFFD}\u{FFFD}");
}

#[tokio::test]
async fn event_that_never_ends_is_bounded() {
    // 20 MiB of one data line with no newline: the decoder stops at its 16 MiB bound.
    let mut steps = vec![head(200, "text/event-stream"), chunk(b"data: ")];
    let block = vec![b'x'; 1 << 20];
    for _ in 0..20 {
        steps.push(chunk(&block));
    }
    steps.push(end());
    let server = ScriptServer::start(vec![steps]).await;
    let items: Vec<_> =
        bounded(client(&server.base_url).chat().stream(request()).await.unwrap().collect::<Vec<_>>()).await;
    assert_eq!(items.len(), 1);
    assert!(
        matches!(&items[0], Err(Error::Stream { message, .. }) if message.contains("larger than 16777216 bytes")),
        "{:?}",
        items[0]
    );
}

#[tokio::test]
async fn dropping_a_request_future_mid_flight_leaves_the_client_usable() {
    let hang = vec![Step::Sleep(Duration::from_secs(30))];
    let body = models_body();
    let ok = vec![head(200, "application/json"), chunk(&body), end()];
    let server = ScriptServer::start(vec![hang.clone(), hang, ok]).await;
    let c = client(&server.base_url);
    for _ in 0..2 {
        assert!(tokio::time::timeout(Duration::from_millis(100), c.models().list()).await.is_err());
    }
    assert_eq!(bounded(c.models().list()).await.unwrap().data.len(), 1);
}

#[test]
fn plain_http_to_a_remote_host_warns() {
    let capture = support::Capture::default();
    tracing::subscriber::with_default(capture.subscriber(tracing::Level::INFO), || {
        mistral_sdk::Client::builder().api_key("k").base_url("http://127.0.0.1:8080").build().unwrap();
        mistral_sdk::Client::builder().api_key("k").base_url("http://localhost:8080").build().unwrap();
        mistral_sdk::Client::builder().api_key("k").base_url("http://example.com").build().unwrap();
    });
    let logs = capture.text();
    assert_eq!(logs.matches("the API key will be sent over plain HTTP").count(), 1, "{logs}");
    assert!(logs.contains("http://example.com"));
}
