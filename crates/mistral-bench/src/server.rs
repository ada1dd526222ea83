//! The canned server: hyper 1 over HTTP/1.1 on 127.0.0.1, answering from bytes built once.
//!
//! It runs in a child process of the benchmark (`mistral-bench --serve`), so that its CPU
//! time is never counted as the client's, on a current-thread runtime (one core at most).
//!
//! - `POST /v1/chat/completions` without `"stream":true`: the ~1 KB chat completion.
//! - the same with `"stream":true`: the SSE body of `chunks` events, written 16 KiB at a time
//!   (one write per frame: the connection's buffer is capped at 16 KiB).
//! - the same for the model `bench-hold`: a stream that stays open, one event now and then.
//! - `POST /v1/embeddings`: 256 x 1024 floats.

use std::convert::Infallible;
use std::io::{BufRead, Read, Write};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, anyhow};
use bytes::Bytes;
use http_body_util::combinators::UnsyncBoxBody;
use http_body_util::{BodyExt, Full, Limited, StreamBody};
use hyper::body::{Frame, Incoming};
use hyper::header::{CACHE_CONTROL, CONTENT_TYPE, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use mistral_openapi::operations as ops;
use tokio::net::TcpListener;

use crate::bodies;

/// Model name that asks for a stream held open.
pub const HOLD_MODEL: &str = "bench-hold";
/// Largest request body read.
const MAX_REQUEST: usize = 4 << 20;

type Body = UnsyncBoxBody<Bytes, Infallible>;

/// Everything the server sends, built once.
pub struct Canned {
    pub chat: Bytes,
    pub sse: Bytes,
    pub embeddings: Bytes,
    pub hold_first: Bytes,
    pub hold_next: Bytes,
    pub drip: Duration,
}

impl Canned {
    pub fn new(chunks: usize, drip: Duration) -> Canned {
        let (first, next) = bodies::hold_events();
        Canned {
            chat: bodies::chat_body().into(),
            sse: bodies::sse_body(chunks).into(),
            embeddings: bodies::embeddings_body(bodies::EMBED_INPUTS, bodies::EMBED_DIM).into(),
            hold_first: first.into(),
            hold_next: next.into(),
            drip,
        }
    }
}

/// Serves connections from `listener` until the task is dropped.
pub async fn serve(listener: TcpListener, canned: Arc<Canned>) {
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(_) => {
                // Out of descriptors or a reset before accept: wait, then go on.
                tokio::time::sleep(Duration::from_millis(5)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let canned = canned.clone();
        tokio::spawn(async move {
            let service = service_fn(move |req| handle(canned.clone(), req));
            let _ = http1::Builder::new()
                .max_buf_size(bodies::SSE_WRITE)
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

fn full(status: StatusCode, content_type: &'static str, body: Bytes) -> Response<Body> {
    let mut response = Response::new(Full::new(body).boxed_unsync());
    *response.status_mut() = status;
    response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
    response
}

fn error(status: StatusCode, message: &'static str) -> Response<Body> {
    let body = format!(r#"{{"object":"error","message":"{message}","type":"invalid_request_error"}}"#);
    full(status, "application/json", Bytes::from(body))
}

fn event_stream(body: Body) -> Response<Body> {
    let mut response = Response::new(body);
    response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("text/event-stream"));
    response.headers_mut().insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

/// The whole SSE body, one 16 KiB frame per poll.
fn sse_frames(data: Bytes) -> Body {
    let frames = data.len().div_ceil(bodies::SSE_WRITE);
    let stream = futures::stream::iter((0..frames).map(move |i| {
        let start = i * bodies::SSE_WRITE;
        let end = (start + bodies::SSE_WRITE).min(data.len());
        Ok::<_, Infallible>(Frame::data(data.slice(start..end)))
    }));
    StreamBody::new(stream).boxed_unsync()
}

/// A stream that never ends by itself: the first event now, then one every `drip`.
fn held(canned: &Canned) -> Body {
    let (first, next, drip) = (canned.hold_first.clone(), canned.hold_next.clone(), canned.drip);
    let stream = futures::stream::unfold(0u64, move |i| {
        let event = if i == 0 { first.clone() } else { next.clone() };
        async move {
            if i > 0 {
                tokio::time::sleep(drip).await;
            }
            Some((Ok::<_, Infallible>(Frame::data(event)), i + 1))
        }
    });
    StreamBody::new(stream).boxed_unsync()
}

async fn handle(canned: Arc<Canned>, req: Request<Incoming>) -> Result<Response<Body>, Infallible> {
    let (parts, body) = req.into_parts();
    let body = match Limited::new(body, MAX_REQUEST).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => return Ok(error(StatusCode::BAD_REQUEST, "unreadable or too large request body")),
    };
    if parts.method != Method::POST {
        return Ok(error(StatusCode::METHOD_NOT_ALLOWED, "only POST is served"));
    }
    let has = |needle: &str| memchr::memmem::find(&body, needle.as_bytes()).is_some();
    let path = parts.uri.path();
    Ok(if path == ops::CREATE_CHAT_COMPLETION.path {
        if !has(r#""stream":true"#) {
            full(StatusCode::OK, "application/json", canned.chat.clone())
        } else if has(HOLD_MODEL) {
            event_stream(held(&canned))
        } else {
            event_stream(sse_frames(canned.sse.clone()))
        }
    } else if path == ops::CREATE_EMBEDDING.path {
        full(StatusCode::OK, "application/json", canned.embeddings.clone())
    } else {
        error(StatusCode::NOT_FOUND, "no such route")
    })
}

/// `mistral-bench --serve`: prints `listening <addr>`, serves until stdin closes.
pub fn run_child(chunks: usize, drip: Duration) -> Result<()> {
    std::thread::spawn(|| {
        let mut buf = [0u8; 64];
        let mut stdin = std::io::stdin();
        loop {
            match stdin.read(&mut buf) {
                Ok(0) | Err(_) => std::process::exit(0),
                Ok(_) => {}
            }
        }
    });
    let canned = Arc::new(Canned::new(chunks, drip));
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    rt.block_on(async {
        let listener = TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let mut out = std::io::stdout();
        writeln!(out, "listening {addr}")?;
        out.flush()?;
        serve(listener, canned).await;
        Ok(())
    })
}

/// The server child process; killed when dropped.
pub struct ServerProcess {
    child: Child,
    pub addr: SocketAddr,
}

impl ServerProcess {
    pub fn spawn(chunks: usize, drip: Duration) -> Result<ServerProcess> {
        let exe = std::env::current_exe().context("cannot find the benchmark binary")?;
        let mut child = Command::new(exe)
            .args(["--serve", "--chunks", &chunks.to_string(), "--drip-ms", &drip.as_millis().to_string()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .context("cannot start the server process")?;
        let stdout = child.stdout.take().ok_or_else(|| anyhow!("no server stdout"))?;
        let mut line = String::new();
        std::io::BufReader::new(stdout).read_line(&mut line)?;
        let addr = line
            .trim()
            .strip_prefix("listening ")
            .and_then(|a| a.parse().ok())
            .ok_or_else(|| anyhow!("the server did not start: {line:?}"))?;
        Ok(ServerProcess { child, addr })
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }
}

impl Drop for ServerProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
