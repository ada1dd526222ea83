//! Retries, backoff, Retry-After and timeouts.
#![allow(deprecated)] // the retired fine-tuning job routes, still served by seed-era servers and the mock

mod support;

use std::time::{Duration, Instant};

use httpmock::Method::POST;
use httpmock::MockServer;
use mistral_sdk::{ApiErrorKind, ChatRequest, Client, Error, RetryPolicy};
use serde_json::json;
use support::{ScriptServer, Step, chunk, client, end, head};

fn ok_body() -> serde_json::Value {
    json!({"id": "c", "object": "chat.completion", "created": 1, "model": "m",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "ok"}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}})
}

fn request() -> ChatRequest {
    ChatRequest::new("mistral-small-latest").user("Hi")
}

#[tokio::test]
async fn rate_limit_with_retry_after_then_success() {
    let server = MockServer::start_async().await;
    let limited = server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/chat/completions");
            then.status(429).header("retry-after", "1").json_body(json!({"message": "Requests rate limit exceeded"}));
        })
        .await;
    limited.up_to_n_times_async(1).await;
    let ok = server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/chat/completions");
            then.status(200).json_body(ok_body());
        })
        .await;
    // Retry-After (1 s) is honoured over the tiny backoff configured in the test client.
    let c = Client::builder()
        .api_key("k")
        .base_url(server.base_url())
        .retry_policy(RetryPolicy::default().initial_delay(Duration::from_millis(1)).max_delay(Duration::from_secs(5)))
        .build()
        .unwrap();
    let started = Instant::now();
    let response = c.chat().create(request()).await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(950), "{:?}", started.elapsed());
    assert_eq!(mistral_sdk::ChatResponseExt::text(&response), "ok");
    limited.assert_calls_async(1).await;
    ok.assert_calls_async(1).await;
}

#[tokio::test]
async fn retry_after_as_http_date() {
    let server = MockServer::start_async().await;
    let date = httpdate::fmt_http_date(std::time::SystemTime::now() + Duration::from_secs(2));
    let limited = server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/chat/completions");
            then.status(429).header("retry-after", date.as_str()).json_body(json!({"message": "slow down"}));
        })
        .await;
    limited.up_to_n_times_async(1).await;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/chat/completions");
            then.status(200).json_body(ok_body());
        })
        .await;
    let c = Client::builder().api_key("k").base_url(server.base_url()).build().unwrap();
    let started = Instant::now();
    c.chat().create(request()).await.unwrap();
    // The date has one-second resolution: the wait is between 1 and 2 s.
    let waited = started.elapsed();
    assert!(waited >= Duration::from_millis(900) && waited < Duration::from_millis(2500), "{waited:?}");
}

#[tokio::test]
async fn server_errors_exhaust_retries_and_report_attempts() {
    let server = MockServer::start_async().await;
    let failing = server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/chat/completions");
            then.status(503).body("");
        })
        .await;
    let err = client(&server.base_url()).chat().create(request()).await.unwrap_err();
    failing.assert_calls_async(3).await;
    let api = err.api().unwrap();
    assert_eq!((api.status, api.kind.clone(), api.attempts), (503, ApiErrorKind::Server, 3));
    assert_eq!(api.message, "Service Unavailable (empty body)");
    assert!(err.is_retryable());
}

#[tokio::test]
async fn each_retryable_status_is_retried_then_succeeds() {
    for status in [408u16, 409, 429, 500, 502, 503, 504] {
        let server = MockServer::start_async().await;
        let failing = server
            .mock_async(|when, then| {
                when.method(POST).path("/v1/chat/completions");
                then.status(status).json_body(json!({"message": "try again"}));
            })
            .await;
        failing.up_to_n_times_async(2).await;
        let ok = server
            .mock_async(|when, then| {
                when.method(POST).path("/v1/chat/completions");
                then.status(200).json_body(ok_body());
            })
            .await;
        client(&server.base_url()).chat().create(request()).await.unwrap();
        failing.assert_calls_async(2).await;
        ok.assert_calls_async(1).await;
    }
}

#[tokio::test]
async fn client_errors_are_not_retried() {
    for (status, kind) in [
        (400, ApiErrorKind::Other),
        (401, ApiErrorKind::Unauthorized),
        (403, ApiErrorKind::Unauthorized),
        (404, ApiErrorKind::NotFound),
        (413, ApiErrorKind::Other),
    ] {
        let server = MockServer::start_async().await;
        let mock = server
            .mock_async(|when, then| {
                when.method(POST).path("/v1/chat/completions");
                then.status(status).json_body(json!({"message": "no"}));
            })
            .await;
        let err = client(&server.base_url()).chat().create(request()).await.unwrap_err();
        mock.assert_calls_async(1).await;
        assert_eq!(err.api().map(|e| (e.status, e.kind.clone(), e.attempts)), Some((status, kind, 1)));
        assert!(!err.is_retryable());
    }
}

#[tokio::test]
async fn retries_can_be_switched_off() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/chat/completions");
            then.status(503);
        })
        .await;
    let c = Client::builder().api_key("k").base_url(server.base_url()).max_retries(0).build().unwrap();
    assert_eq!(c.chat().create(request()).await.unwrap_err().status(), Some(503));
    mock.assert_calls_async(1).await;
}

#[tokio::test]
async fn connection_refused_is_retried_then_reported() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let err = client(&format!("http://127.0.0.1:{port}")).models().list().await.unwrap_err();
    assert!(matches!(err, Error::Connection(_)), "{err:?}");
    assert!(err.is_retryable());
}

#[tokio::test]
async fn reset_before_headers_is_retried() {
    let ok = serde_json::to_vec(&json!({"object": "list", "data": []})).unwrap();
    let server =
        ScriptServer::start(vec![vec![Step::Reset], vec![head(200, "application/json"), chunk(&ok), end()]]).await;
    let models = client(&server.base_url).models().list().await.unwrap();
    assert!(models.data.is_empty());
    assert_eq!(server.request_count(), 2);
}

#[tokio::test]
async fn slow_headers_hit_the_request_timeout() {
    let server = ScriptServer::start(vec![vec![Step::Sleep(Duration::from_secs(30))]]).await;
    let c = Client::builder()
        .api_key("k")
        .base_url(&server.base_url)
        .request_timeout(Duration::from_millis(200))
        .max_retries(0)
        .build()
        .unwrap();
    let started = Instant::now();
    let err = tokio::time::timeout(Duration::from_secs(5), c.models().list()).await.unwrap().unwrap_err();
    assert!(matches!(err, Error::Timeout { what: "request", .. }), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(2));
    // Streams: the request timeout covers the wait for headers too.
    let err = tokio::time::timeout(Duration::from_secs(5), c.chat().stream(request())).await.unwrap().unwrap_err();
    assert!(matches!(err, Error::Timeout { what: "request", .. }), "{err:?}");
}

#[tokio::test]
async fn a_body_that_stalls_after_the_head_hits_the_request_timeout() {
    // The head at once, then half the JSON, then nothing: the timeout covers the body too,
    // with or without `.with_meta()`, and is not retried (the server answered).
    let half = br#"{"object": "list", "da"#.to_vec();
    let script = || vec![head(200, "application/json"), chunk(&half), Step::Sleep(Duration::from_secs(30))];
    let server = ScriptServer::start(vec![script(), script()]).await;
    let c = Client::builder()
        .api_key("k")
        .base_url(&server.base_url)
        .request_timeout(Duration::from_millis(300))
        .max_retries(2)
        .build()
        .unwrap();
    let started = Instant::now();
    let err = tokio::time::timeout(Duration::from_secs(5), c.models().list()).await.unwrap().unwrap_err();
    assert!(matches!(err, Error::Timeout { what: "request", .. }), "{err:?}");
    let err = tokio::time::timeout(Duration::from_secs(5), c.models().list().with_meta()).await.unwrap().unwrap_err();
    assert!(matches!(err, Error::Timeout { what: "request", .. }), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(3), "{:?}", started.elapsed());
    assert_eq!(server.request_count(), 2, "one request per call");
}

#[tokio::test]
async fn invalid_requests_never_reach_the_server() {
    let server = MockServer::start_async().await;
    let any = server
        .mock_async(|when, then| {
            when.any_request();
            then.status(200);
        })
        .await;
    let c = client(&server.base_url());
    let cases = [
        (ChatRequest::new("m"), "a chat request needs at least one message"),
        (request().temperature(1.6), "temperature must be in 0..=1.5, is 1.6"),
        (
            request().tools([mistral_sdk::Tool::with_schema("bad name!", "x", json!({"type": "object"}))]),
            "tool name \"bad name!\" must be 1 to 64 of a-z, A-Z, 0-9, _ and -",
        ),
        (request().assistant_prefix("x").user("y"), "message 1: only the last message may be an assistant prefix"),
    ];
    for (req, msg) in cases {
        match c.chat().create(req).await {
            Err(Error::InvalidRequest(m)) => assert_eq!(m, msg),
            other => panic!("{other:?}"),
        }
    }
    assert!(matches!(
        c.embeddings().create("mistral-embed", Vec::<String>::new()).await,
        Err(Error::InvalidRequest(_))
    ));
    any.assert_calls_async(0).await;
}

#[tokio::test]
async fn upload_retry_sends_the_whole_file_again() {
    let server = MockServer::start_async().await;
    let failing = server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/files");
            // A 429: the server did not take the upload, so even this non-idempotent call retries.
            then.status(429).header("retry-after", "0").body("");
        })
        .await;
    failing.up_to_n_times_async(1).await;
    let ok = server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/files").body_includes(
                "filename=\"data.jsonl\"\r\nContent-Type: application/octet-stream\r\n\r\nline one\nline two\n\r\n",
            );
            then.status(200).json_body(
                json!({"id": "497f6eca-6276-4993-bfeb-53cbbbba6f09", "object": "file", "bytes": 18,
                "created_at": 1, "filename": "data.jsonl", "purpose": "fine-tune",
                "sample_type": "instruct", "source": "upload"}),
            );
        })
        .await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data.jsonl");
    std::fs::write(&path, "line one\nline two\n").unwrap();
    let file = client(&server.base_url()).files().upload(mistral_sdk::FileUpload::from_path(&path)).await.unwrap();
    assert_eq!(file.bytes, 18);
    failing.assert_calls_async(1).await;
    ok.assert_calls_async(1).await;
}

#[tokio::test]
async fn reader_uploads_are_not_retried() {
    let server = MockServer::start_async().await;
    let failing = server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/files");
            then.status(429).header("retry-after", "0").body("");
        })
        .await;
    let upload = mistral_sdk::FileUpload::from_reader("a.jsonl", &b"{}\n"[..]);
    let err = client(&server.base_url()).files().upload(upload).await.unwrap_err();
    assert_eq!(err.api().map(|e| (e.status, e.attempts)), Some((429, 1)));
    failing.assert_calls_async(1).await;
}

#[tokio::test]
async fn server_errors_are_not_retried_where_the_server_may_have_acted() {
    // Creating a job is not idempotent: after a 503 the job may exist, so no second POST.
    // Cancelling (also a POST) is the same; reading it back (GET) is retried.
    let server = MockServer::start_async().await;
    let failing = server
        .mock_async(|when, then| {
            when.any_request();
            then.status(503).body("");
        })
        .await;
    let c = client(&server.base_url());
    let job_id = uuid::Uuid::nil();
    let err = c.fine_tuning().jobs().cancel(job_id).await.unwrap_err();
    assert_eq!(err.api().map(|e| (e.status, e.attempts)), Some((503, 1)));
    failing.assert_calls_async(1).await;
    let err = c.fine_tuning().jobs().get(job_id).await.unwrap_err();
    assert!(err.api().is_some_and(|e| e.status == 503 && e.attempts > 1), "{err:?}");
}

#[test]
fn client_is_cheap_to_share() {
    fn check<T: Clone + Send + Sync + 'static>() {}
    check::<Client>();
    assert_eq!(std::mem::size_of::<Client>(), std::mem::size_of::<usize>());
}
