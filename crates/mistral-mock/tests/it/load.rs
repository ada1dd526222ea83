//! Concurrency: hundreds of mixed requests and dozens of streams at once, no errors.

use std::time::{Duration, Instant};

use futures::future::join_all;
use reqwest::Method;
use serde_json::json;

use crate::{Mock, read, stream_chunks, within};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_hundred_mixed_requests_at_once() {
    within(30, async {
        let m = Mock::start().await;
        let file = m.upload_training(2).await;
        let start = Instant::now();
        let requests = (0..300).map(|i| {
            let request = match i % 6 {
                0 => m.request(Method::POST, "/v1/chat/completions").json(&json!({"model": "mistral-small-latest",
                    "messages": [{"role": "user", "content": format!("Question number {i} about rivers")}]})),
                1 => m
                    .request(Method::POST, "/v1/embeddings")
                    .json(&json!({"model": "mistral-embed", "input": [format!("text {i}"), "other"]})),
                2 => m.request(Method::GET, "/v1/models"),
                3 => m
                    .request(Method::POST, "/v1/fim/completions")
                    .json(&json!({"model": "codestral-latest", "prompt": format!("def f{i}(x):")})),
                4 => m.request(Method::GET, &format!("/v1/files/{file}")),
                _ => m
                    .request(Method::POST, "/v1/fine_tuning/jobs?dry_run=true")
                    .json(&json!({"model": "open-mistral-7b",
                    "training_files": [file], "hyperparameters": {"training_steps": 1 + i % 5}})),
            };
            read(request)
        });
        let replies = join_all(requests).await;
        let failures: Vec<String> =
            replies.iter().filter(|r| r.status != 200).map(|r| format!("{} {}", r.status, r.text)).collect();
        assert!(failures.is_empty(), "{} failures, e.g. {:?}", failures.len(), failures.first());
        assert!(start.elapsed() < Duration::from_secs(20), "{:?}", start.elapsed());
    })
    .await;
}

#[tokio::test]
async fn http2_with_prior_knowledge() {
    within(20, async {
        let m = Mock::start().await;
        let h2 = reqwest::Client::builder().http2_prior_knowledge().build().expect("client");
        let r = h2.get(m.url("/v1/models")).bearer_auth("k").send().await.expect("sent");
        assert_eq!(r.version(), reqwest::Version::HTTP_2);
        assert_eq!(r.status(), 200);
        let body = json!({"model": "mistral-small-latest", "stream": true, "messages": [{"role": "user", "content": "Hi there"}]});
        let r = h2.post(m.url("/v1/chat/completions")).bearer_auth("k").json(&body).send().await.expect("sent");
        let raw = r.text().await.expect("stream");
        assert!(stream_chunks("createChatCompletion", &raw).len() > 2);
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_streams_at_once() {
    within(30, async {
        let m = Mock::with(mistral_mock::MockServer::builder().token_delay(Duration::from_millis(2))).await;
        let streams = (0..50).map(|i| {
            let (path, op, body) = if i % 2 == 0 {
                (
                    "/v1/chat/completions",
                    "createChatCompletion",
                    json!({"model": "mistral-small-latest", "stream": true,
                    "messages": [{"role": "user", "content": format!("Describe lighthouse {i}")}]}),
                )
            } else {
                (
                    "/v1/fim/completions",
                    "createFIMCompletion",
                    json!({"model": "codestral-latest", "stream": true, "prompt": format!("def g{i}(y):")}),
                )
            };
            let m = &m;
            async move {
                let (status, _, raw) = m.stream(path, body).await;
                assert_eq!(status, 200);
                stream_chunks(op, &raw).len()
            }
        });
        let counts = join_all(streams).await;
        assert!(counts.iter().all(|n| *n > 3), "{counts:?}");
    })
    .await;
}
