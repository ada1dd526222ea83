//! Servers that misbehave at the transport level: the run never panics or hangs, and each
//! check ends as a failure with a clear message (or a skip, for what depends on it).

mod support;

use std::future::Future;
use std::time::{Duration, Instant};

use httpmock::MockServer;
use mistral_conformance::{Aspect, Examples, Group, Outcome, Report, Runner};
use support::{KEY, within};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// A raw TCP server on 127.0.0.1 handling each connection with `handle` after reading the
/// request head; stopped when dropped.
struct Raw {
    url: String,
    task: JoinHandle<()>,
}

impl Drop for Raw {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn raw<F, Fut>(handle: F) -> Raw
where
    F: Fn(TcpStream) -> Fut + Send + Sync + Clone + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let handle = handle.clone();
            tokio::spawn(async move {
                let mut head = Vec::new();
                let mut buf = [0u8; 4096];
                while !head.windows(4).any(|w| w == b"\r\n\r\n") && head.len() < 65536 {
                    match stream.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => head.extend_from_slice(&buf[..n]),
                    }
                }
                handle(stream).await;
            });
        }
    });
    Raw { url, task }
}

fn fail(report: &Report, name: &str) -> (Aspect, String) {
    match &report.check(name).unwrap_or_else(|| panic!("no check {name}")).outcome {
        Outcome::Fail { aspect, message, .. } => (*aspect, message.clone()),
        other => panic!("{name}: {other:?}\n{}", report.render_table()),
    }
}

/// Every check failed at the transport level or was skipped; none passed.
fn nothing_passed(report: &Report) {
    for check in &report.checks {
        match &check.outcome {
            Outcome::Fail { aspect: Aspect::Transport, .. } | Outcome::Skip { .. } => {}
            other => panic!("{}: {other:?}\n{}", check.name, report.render_table()),
        }
    }
}

#[tokio::test]
async fn connection_refused() {
    within(60, async {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        drop(listener);
        let report =
            Runner::new(url, KEY).examples(Examples::None).timeout(Duration::from_secs(5)).run().await.unwrap();
        assert_eq!(report.checks.len(), 96);
        nothing_passed(&report);
        let (_, message) = fail(&report, "models.list");
        assert!(message.starts_with("no response: "), "{message}");
        assert!(message.to_lowercase().contains("connect"), "{message}");
        let skipped = report.summary().skipped;
        // What needs the file or the job (7), the file's download and URL, the model retrieve
        // (no model was listed), and what needs the batch job (get, list, cancel, delete) or the
        // voice (get, update, sample, delete): 18; what needs the agent (12), the conversation
        // (9) or the library (19).
        assert_eq!(skipped, 18 + 12 + 9 + 19, "what needs the file: {}", report.render_table());
    })
    .await;
}

#[tokio::test]
async fn connection_reset_and_garbage_instead_of_http() {
    within(60, async {
        let reset = raw(|stream| async move { drop(stream) }).await;
        let report = Runner::new(&reset.url, KEY)
            .examples(Examples::None)
            .only([Group::Models, Group::Chat])
            .run()
            .await
            .unwrap();
        nothing_passed(&report);
        let (_, message) = fail(&report, "chat.stream");
        assert!(message.starts_with("no response: "), "{message}");

        let garbage = raw(|mut stream| async move {
            let _ = stream.write_all(b"\x00\xffthis is not HTTP\r\n\r\n").await;
        })
        .await;
        let report =
            Runner::new(&garbage.url, KEY).examples(Examples::None).only([Group::Embeddings]).run().await.unwrap();
        nothing_passed(&report);
        let (_, message) = fail(&report, "embeddings.create");
        assert!(message.starts_with("no response: "), "{message}");
    })
    .await;
}

#[tokio::test]
async fn garbage_bodies() {
    within(60, async {
        let server = MockServer::start_async().await;
        server
            .mock_async(|when, then| {
                when.any_request();
                then.status(200).header("content-type", "application/json").body(b"\x00\xff{garbage");
            })
            .await;
        let report = Runner::new(server.base_url(), KEY).examples(Examples::None).run().await.unwrap();
        assert_eq!(report.checks.len(), 96);
        assert_eq!(report.summary().passed, 0, "{}", report.render_table());
        let (aspect, message) = fail(&report, "models.list");
        assert_eq!(aspect, Aspect::Body);
        assert!(message.starts_with("the body is not JSON: expected value at line 1 column 1; body: "), "{message}");
        let (aspect, message) = fail(&report, "chat.stream");
        assert_eq!(
            (aspect, message.as_str()),
            (Aspect::ContentType, "Content-Type \"application/json\", expected text/event-stream")
        );
        let (aspect, message) = fail(&report, "models.no_key");
        assert_eq!(aspect, Aspect::Status);
        assert!(message.starts_with("status 200, expected 401 (the request had no API key); body:"), "{message}");
        let reason = match &report.check("files.retrieve").unwrap().outcome {
            Outcome::Skip { reason } => reason.clone(),
            other => panic!("{other:?}"),
        };
        assert!(reason.starts_with("files.upload gave no file id: the body is not JSON"), "{reason}");
    })
    .await;
}

#[tokio::test]
async fn slow_answers_time_out() {
    within(60, async {
        let server = MockServer::start_async().await;
        server
            .mock_async(|when, then| {
                when.any_request();
                then.status(200).header("content-type", "application/json").body("{}").delay(Duration::from_secs(10));
            })
            .await;
        let started = Instant::now();
        let report = Runner::new(server.base_url(), KEY)
            .examples(Examples::None)
            .only([Group::Models])
            .timeout(Duration::from_millis(300))
            .run()
            .await
            .unwrap();
        assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
        // list, retrieve (skipped: nothing listed), no_key, update, archive, unarchive, delete.
        assert_eq!(report.checks.len(), 7);
        nothing_passed(&report);
        assert_eq!(fail(&report, "models.list").1, "no response before the timeout");
    })
    .await;
}

#[tokio::test]
async fn endless_streams_and_bodies_are_bounded() {
    within(60, async {
        let endless = raw(|mut stream| async move {
            let head = "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\nconnection: close\r\n\r\n";
            if stream.write_all(head.as_bytes()).await.is_err() {
                return;
            }
            let chunk =
                r#"data: {"id":"x","model":"m","choices":[{"index":0,"delta":{"content":"a"},"finish_reason":null}]}"#;
            for _ in 0..2000 {
                if stream.write_all(format!("{chunk}\n\n").as_bytes()).await.is_err() {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        })
        .await;
        let started = Instant::now();
        let report = Runner::new(&endless.url, KEY)
            .examples(Examples::None)
            .only([Group::Fim])
            .timeout(Duration::from_millis(500))
            .run()
            .await
            .unwrap();
        assert!(started.elapsed() < Duration::from_secs(8), "{:?}", started.elapsed());
        let (aspect, message) = fail(&report, "fim.stream");
        assert_eq!(aspect, Aspect::Transport);
        assert!(message.starts_with("the stream did not end before the timeout ("), "{message}");
        assert!(message.ends_with(" events read, no data: [DONE])"), "{message}");
        nothing_passed(&report);

        // A body larger than the runner reads.
        let huge = raw(|mut stream| async move {
            let head = "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n";
            if stream.write_all(head.as_bytes()).await.is_err() {
                return;
            }
            let block = vec![b' '; 1 << 20];
            for _ in 0..20 {
                if stream.write_all(&block).await.is_err() {
                    return;
                }
            }
        })
        .await;
        let report = Runner::new(&huge.url, KEY).examples(Examples::None).only([Group::Models]).run().await.unwrap();
        let (aspect, message) = fail(&report, "models.list");
        assert_eq!(
            (aspect, message.as_str()),
            (Aspect::Transport, "status 200, but the body is larger than 16777216 bytes")
        );
    })
    .await;
}

#[tokio::test]
async fn bad_base_urls_are_errors_not_reports() {
    for url in ["", "not a url", "ftp://example.com", "file:///etc"] {
        let error = Runner::new(url, KEY).examples(Examples::None).run().await.unwrap_err();
        assert!(error.to_string().starts_with("invalid base URL"), "{url}: {error}");
    }
    let error = "everything".parse::<Group>().unwrap_err();
    assert_eq!(
        error.to_string(),
        "unknown group \"everything\" (expected one of chat, fim, embeddings, models, files, fine_tuning, batch, ocr, \
         classifiers, audio, agents, conversations, libraries)"
    );
}
