//! Fault injection through `x-mock-fault` and server-wide options.

use std::time::{Duration, Instant};

use futures::StreamExt;
use mistral_mock::{FAULT_HEADER, MockServer};
use reqwest::Method;
use serde_json::json;

use crate::{Mock, read, sse_events, within};

#[tokio::test]
async fn rate_limit_with_retry_after() {
    within(20, async {
        let m = Mock::start().await;
        let r = m.call("listModels", m.request(Method::GET, "/v1/models").header(FAULT_HEADER, "429;retry-after=1")).await;
        assert_eq!(r.status, 429);
        assert_eq!(r.headers.get("retry-after").and_then(|v| v.to_str().ok()), Some("1"));
        assert_eq!(r.body, json!({"object": "error", "message": "Rate limit exceeded", "type": "rate_limited", "param": null, "code": "1300"}));
    })
    .await;
}

#[tokio::test]
async fn server_errors_as_json_html_or_empty() {
    within(20, async {
        let m = Mock::start().await;
        for status in [500u16, 502, 503, 504] {
            let r = m
                .call("listModels", m.request(Method::GET, "/v1/models").header(FAULT_HEADER, status.to_string()))
                .await;
            assert_eq!(r.status.as_u16(), status);
            assert_eq!(r.body["object"], "error");
        }
        let r = read(m.request(Method::GET, "/v1/models").header(FAULT_HEADER, "502;html")).await;
        assert_eq!(r.status, 502);
        assert_eq!(r.content_type(), "text/html; charset=utf-8");
        assert!(r.text.starts_with("<html>") && r.text.contains("502 Bad Gateway"), "{}", r.text);
        let r =
            read(m.request(Method::POST, "/v1/chat/completions").header(FAULT_HEADER, "503;empty;retry-after=3")).await;
        assert_eq!(r.status, 503);
        assert!(r.text.is_empty());
        assert!(r.headers.get("content-type").is_none());
        assert_eq!(r.headers.get("retry-after").and_then(|v| v.to_str().ok()), Some("3"));
    })
    .await;
}

#[tokio::test]
async fn delays_come_before_the_headers() {
    within(20, async {
        let m = Mock::start().await;
        let start = Instant::now();
        let r = read(m.request(Method::GET, "/v1/models").header(FAULT_HEADER, "delay=300ms")).await;
        assert_eq!(r.status, 200);
        assert!(start.elapsed() >= Duration::from_millis(300));
        let start = Instant::now();
        let r = read(m.request(Method::GET, "/v1/models").header(FAULT_HEADER, "delay=0.2s;504")).await;
        assert_eq!(r.status, 504);
        assert!(start.elapsed() >= Duration::from_millis(200));
        // A client timeout shorter than the delay fires.
        let short =
            m.request(Method::GET, "/v1/models").header(FAULT_HEADER, "delay=2s").timeout(Duration::from_millis(100));
        assert!(short.send().await.expect_err("times out").is_timeout());
    })
    .await;
}

#[tokio::test]
async fn streams_can_be_dropped_midway() {
    within(20, async {
        let m = Mock::start().await;
        let body = json!({"model": "mistral-small-latest", "stream": true, "messages": [{"role": "user", "content": "Tell me about the history of bread"}]});
        let response = m
            .request(Method::POST, "/v1/chat/completions")
            .header(FAULT_HEADER, "drop-stream-after=3")
            .json(&body)
            .send()
            .await
            .expect("headers arrive");
        assert_eq!(response.status(), 200);
        let mut stream = response.bytes_stream();
        let mut received = Vec::new();
        let mut failed = false;
        while let Some(item) = stream.next().await {
            match item {
                Ok(bytes) => received.extend_from_slice(&bytes),
                Err(_) => {
                    failed = true;
                    break;
                }
            }
        }
        assert!(failed, "the body must end in an error, not cleanly");
        let text = String::from_utf8(received).expect("utf8");
        let events = sse_events(&text);
        assert_eq!(events.len(), 3, "{text}");
        assert!(!text.contains("[DONE]"));
    })
    .await;
}

#[tokio::test]
async fn reset_closes_the_connection_without_a_response() {
    within(20, async {
        let m = Mock::start().await;
        let err =
            m.request(Method::GET, "/v1/models").header(FAULT_HEADER, "reset").send().await.expect_err("no response");
        assert!(!err.is_status() && !err.is_timeout(), "{err:?}");
        assert_eq!(read(m.request(Method::GET, "/v1/models")).await.status, 200);
    })
    .await;
}

#[tokio::test]
async fn bad_fault_headers_are_explained() {
    within(20, async {
        let m = Mock::start().await;
        let r = m.call("listModels", m.request(Method::GET, "/v1/models").header(FAULT_HEADER, "explode")).await;
        assert_eq!(r.status, 400);
        let msg = r.body["message"].as_str().expect("message");
        assert!(msg.contains("'explode'") && msg.contains("retry-after=N"), "{msg}");
    })
    .await;
}

#[tokio::test]
async fn server_wide_faults() {
    within(20, async {
        let m = Mock::with(MockServer::builder().fail_first(2)).await;
        let statuses = [
            read(m.request(Method::GET, "/v1/models")).await.status,
            read(m.request(Method::GET, "/v1/models")).await.status,
            read(m.request(Method::GET, "/v1/models")).await.status,
        ];
        assert_eq!(statuses.map(|s| s.as_u16()), [503, 503, 200]);
        let m = Mock::with(MockServer::builder().faults("500".parse().expect("fault"))).await;
        assert_eq!(read(m.request(Method::GET, "/v1/models")).await.status, 500);
        // The header replaces the server-wide faults (an empty one means none).
        assert_eq!(read(m.request(Method::GET, "/v1/models").header(FAULT_HEADER, "")).await.status, 200);
        assert_eq!(read(m.request(Method::GET, "/v1/models").header(FAULT_HEADER, "429")).await.status, 429);
    })
    .await;
}
