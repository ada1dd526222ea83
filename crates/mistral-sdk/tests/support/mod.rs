//! Shared test helpers: clients pointed at test servers, and a byte-level scripted server.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};
use std::time::Duration;

pub mod raw;

use mistral_sdk::{Client, RetryPolicy};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

pub const KEY: &str = "test-key-5f1d";

/// A client for `base_url` with fast retries.
pub fn client(base_url: &str) -> Client {
    Client::builder()
        .api_key(KEY)
        .base_url(base_url)
        .retry_policy(
            RetryPolicy::default().initial_delay(Duration::from_millis(5)).max_delay(Duration::from_millis(50)),
        )
        .build()
        .unwrap()
}

/// One step of a scripted response.
#[derive(Clone, Debug)]
pub enum Step {
    /// Write these bytes.
    Write(Vec<u8>),
    /// Wait.
    Sleep(Duration),
    /// Close the connection abruptly (RST).
    Reset,
}

/// A raw HTTP/1.1 response head with chunked transfer encoding.
pub fn head(status: u16, content_type: &str) -> Step {
    Step::Write(
        format!("HTTP/1.1 {status} X\r\ncontent-type: {content_type}\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n")
            .into_bytes(),
    )
}

/// One chunk of a chunked body.
pub fn chunk(bytes: &[u8]) -> Step {
    let mut out = format!("{:x}\r\n", bytes.len()).into_bytes();
    out.extend_from_slice(bytes);
    out.extend_from_slice(b"\r\n");
    Step::Write(out)
}

/// The end of a chunked body.
pub fn end() -> Step {
    Step::Write(b"0\r\n\r\n".to_vec())
}

/// A server answering every connection with the script chosen for its index (the last one
/// repeats), recording each raw request.
pub struct ScriptServer {
    pub base_url: String,
    pub requests: Arc<Mutex<Vec<String>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for ScriptServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl ScriptServer {
    pub async fn start(scripts: Vec<Vec<Step>>) -> ScriptServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let recorded = requests.clone();
        let task = tokio::spawn(async move {
            let mut n = 0usize;
            loop {
                let Ok((mut socket, _)) = listener.accept().await else { return };
                let script = scripts[n.min(scripts.len() - 1)].clone();
                n += 1;
                let recorded = recorded.clone();
                tokio::spawn(async move {
                    let request = read_request(&mut socket).await;
                    recorded.lock().unwrap().push(request);
                    for step in script {
                        match step {
                            Step::Write(bytes) => {
                                if socket.write_all(&bytes).await.is_err() {
                                    return;
                                }
                                let _ = socket.flush().await;
                            }
                            Step::Sleep(d) => tokio::time::sleep(d).await,
                            #[allow(deprecated)] // an RST is exactly what this step is for
                            Step::Reset => {
                                let _ = socket.set_linger(Some(Duration::ZERO));
                                return;
                            }
                        }
                    }
                    let _ = socket.shutdown().await;
                });
            }
        });
        ScriptServer { base_url, requests, task }
    }

    pub fn request_count(&self) -> usize {
        self.requests.lock().unwrap().len()
    }
}

async fn read_request(socket: &mut tokio::net::TcpStream) -> String {
    let mut buf = Vec::new();
    let mut tmp = [0u8; 4096];
    while let Ok(n) = socket.read(&mut tmp).await {
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&tmp[..n]);
        if let Some(end) = find(&buf, b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_lowercase();
            let len = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok())
                .unwrap_or(0);
            if buf.len() >= end + 4 + len {
                break;
            }
        }
    }
    String::from_utf8_lossy(&buf).into_owned()
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// A chat chunk event line.
pub fn chat_chunk(content: &str, finish: Option<&str>, usage: bool) -> String {
    let mut v = serde_json::json!({
        "id": "cmpl-1", "object": "chat.completion.chunk", "created": 1, "model": "mistral-small-latest",
        "choices": [{"index": 0, "delta": {"content": content}, "finish_reason": finish}]
    });
    if usage {
        v["usage"] = serde_json::json!({"prompt_tokens": 5, "completion_tokens": 3, "total_tokens": 8});
    }
    format!("data: {v}\n\n")
}

/// A `tracing` writer that keeps everything written, for asserting on logs.
#[derive(Clone, Default)]
pub struct Capture(pub Arc<Mutex<Vec<u8>>>);

impl Capture {
    pub fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }

    /// A subscriber writing into this capture, at `level` and above.
    pub fn subscriber(&self, level: tracing::Level) -> impl tracing::Subscriber + Send + Sync {
        let writer = self.clone();
        tracing_subscriber::fmt().with_max_level(level).with_writer(move || writer.clone()).with_ansi(false).finish()
    }
}

impl std::io::Write for Capture {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
