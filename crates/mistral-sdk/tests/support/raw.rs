//! A bare HTTP/1.1 server that reads request bodies as they come (chunked or not), recording
//! their shape (chunk sizes, byte and line counts) without keeping them, and answers JSON.

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

/// One request, as read.
#[derive(Debug, Clone, Default)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub chunked: bool,
    /// The size of each chunk of a chunked body.
    pub chunks: Vec<usize>,
    pub bytes: usize,
    pub newlines: usize,
}

pub struct RawServer {
    pub base_url: String,
    pub requests: Arc<Mutex<Vec<Seen>>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for RawServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

type Answer = Arc<dyn Fn(&str, &str) -> serde_json::Value + Send + Sync>;

impl RawServer {
    /// Answers each request with `answer(method, path)` as JSON, status 200.
    pub async fn start(answer: impl Fn(&str, &str) -> serde_json::Value + Send + Sync + 'static) -> RawServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base_url = format!("http://{}", listener.local_addr().unwrap());
        let requests = Arc::new(Mutex::new(Vec::new()));
        let (recorded, answer): (_, Answer) = (requests.clone(), Arc::new(answer));
        let task = tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let (recorded, answer) = (recorded.clone(), answer.clone());
                tokio::spawn(async move {
                    let (read, mut write) = socket.into_split();
                    let mut read = BufReader::new(read);
                    while let Some(seen) = read_request(&mut read).await {
                        let body = answer(&seen.method, &seen.path).to_string();
                        recorded.lock().unwrap().push(seen);
                        let head = format!(
                            "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
                            body.len()
                        );
                        if write.write_all(head.as_bytes()).await.is_err()
                            || write.write_all(body.as_bytes()).await.is_err()
                        {
                            return;
                        }
                    }
                });
            }
        });
        RawServer { base_url, requests, task }
    }
}

async fn read_request<R: tokio::io::AsyncBufRead + Unpin>(read: &mut R) -> Option<Seen> {
    let mut line = String::new();
    if read.read_line(&mut line).await.ok()? == 0 {
        return None;
    }
    let mut words = line.split_whitespace();
    let mut seen = Seen {
        method: words.next()?.to_string(),
        path: words.next()?.split('?').next()?.to_string(),
        ..Seen::default()
    };
    let mut length = 0usize;
    loop {
        line.clear();
        read.read_line(&mut line).await.ok()?;
        let header = line.trim_end().to_ascii_lowercase();
        if header.is_empty() {
            break;
        }
        if let Some(v) = header.strip_prefix("content-length:") {
            length = v.trim().parse().ok()?;
        }
        if header.starts_with("transfer-encoding:") && header.contains("chunked") {
            seen.chunked = true;
        }
    }
    let count = |bytes: &[u8], seen: &mut Seen| {
        seen.bytes += bytes.len();
        seen.newlines += bytes.iter().filter(|b| **b == b'\n').count();
    };
    if seen.chunked {
        loop {
            line.clear();
            read.read_line(&mut line).await.ok()?;
            let size = usize::from_str_radix(line.trim().split(';').next()?, 16).ok()?;
            if size == 0 {
                line.clear();
                read.read_line(&mut line).await.ok()?; // the empty trailer line
                break;
            }
            let mut chunk = vec![0u8; size];
            read.read_exact(&mut chunk).await.ok()?;
            count(&chunk, &mut seen);
            seen.chunks.push(size);
            let mut crlf = [0u8; 2];
            read.read_exact(&mut crlf).await.ok()?;
        }
    } else {
        let mut body = vec![0u8; length];
        read.read_exact(&mut body).await.ok()?;
        count(&body, &mut seen);
    }
    Some(seen)
}
