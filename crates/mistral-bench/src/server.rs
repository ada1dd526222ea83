//! The canned server: hyper 1 over HTTP/1.1 on 127.0.0.1, answering from bytes built once.
//!
//! It runs in a child process of the benchmark (`mistral-bench --serve`), so that its CPU
//! time is never counted as the client's, on a current-thread runtime (one core at most).
//!
//! - `POST /v1/chat/completions` without `"stream":true`: the ~1 KB chat completion.
//! - the same with `"stream":true`: the SSE body of `chunks` events, written 16 KiB at a time
//!   (one write per frame: the connection's buffer is capped at 16 KiB).
//! - the same for the model `bench-hold`: a stream that stays open, one event now and then.
//! - the same for the model `bench-think`: a reasoning model's stream (thinking chunks, text,
//!   function calls).
//! - `POST /v1/conversations` with `"stream":true`: a conversation run's named events.
//! - `POST /v1/embeddings`: 256 x 1024 floats (as base64 with `"encoding_format":"base64"`).
//! - `POST /v1/files`: reads the multipart upload as it comes (nothing kept) and counts its
//!   bytes and its batch lines; the file's id says how many (see [`FileKind`]).
//! - `POST /v1/libraries/{id}/documents`: the same for a library document (a `Document`
//!   answers).
//! - `POST /v1/batch/jobs` on such a file, `GET /v1/batch/jobs/{id}`: a job that already
//!   succeeded, its output file holding one answer per line of the input.
//! - `GET /v1/files/{id}/content`: that output file, or N bytes for a file id asking for them.
//!
//! Paths come from the operation table; ids carry everything, so the server keeps no state.

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
    pub think_sse: Bytes,
    pub conversation_sse: Bytes,
    pub embeddings: Bytes,
    pub embeddings_base64: Bytes,
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
            think_sse: bodies::think_sse_body(chunks).into(),
            conversation_sse: bodies::conversation_sse_body(chunks).into(),
            embeddings: bodies::embeddings_body(bodies::EMBED_INPUTS, bodies::EMBED_DIM).into(),
            embeddings_base64: bodies::embeddings_base64_body(bodies::EMBED_INPUTS, bodies::EMBED_DIM).into(),
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
    let path = parts.uri.path();
    if parts.method == Method::POST {
        // Uploads are read as they come: a file, or a document of the library in the path.
        let library =
            path_values(&ops::LIBRARIES_DOCUMENTS_UPLOAD_V1, path).and_then(|v| v.first().map(|id| id.to_string()));
        if library.is_some() || path == ops::FILES_API_ROUTES_UPLOAD_FILE.path {
            let Some((bytes, lines)) = count_upload(body).await else {
                return Ok(error(StatusCode::BAD_REQUEST, "the upload was cut"));
            };
            return Ok(json(match library {
                Some(library) => document(&library, bytes),
                None => file(bytes, lines),
            }));
        }
    }
    if parts.method == Method::GET {
        return Ok(get(path));
    }
    let body = match Limited::new(body, MAX_REQUEST).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => return Ok(error(StatusCode::BAD_REQUEST, "unreadable or too large request body")),
    };
    if parts.method != Method::POST {
        return Ok(error(StatusCode::METHOD_NOT_ALLOWED, "only GET and POST are served"));
    }
    let has = |needle: &str| memchr::memmem::find(&body, needle.as_bytes()).is_some();
    Ok(if path == ops::CREATE_CHAT_COMPLETION.path {
        if !has(r#""stream":true"#) {
            full(StatusCode::OK, "application/json", canned.chat.clone())
        } else if has(HOLD_MODEL) {
            event_stream(held(&canned))
        } else if has(bodies::THINK_MODEL) {
            event_stream(sse_frames(canned.think_sse.clone()))
        } else {
            event_stream(sse_frames(canned.sse.clone()))
        }
    } else if path == ops::AGENTS_API_V1_CONVERSATIONS_START.path && has(r#""stream":true"#) {
        event_stream(sse_frames(canned.conversation_sse.clone()))
    } else if path == ops::CREATE_EMBEDDING.path {
        let body = if has(r#""encoding_format":"base64""#) { &canned.embeddings_base64 } else { &canned.embeddings };
        full(StatusCode::OK, "application/json", body.clone())
    } else if path == ops::JOBS_API_ROUTES_BATCH_CREATE_BATCH_JOB.path {
        match serde_json::from_slice::<serde_json::Value>(&body)
            .ok()
            .and_then(|v| v["input_files"][0].as_str().and_then(FileKind::parse))
        {
            Some(FileKind::BatchInput(lines)) => json(batch_job(lines)),
            _ => error(StatusCode::BAD_REQUEST, "input_files[0] is no batch input of this server"),
        }
    } else {
        error(StatusCode::NOT_FOUND, "no such route")
    })
}

/// What a file id of this server stands for: the id's last group is a number, its fourth
/// group the kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// An uploaded batch input of this many lines.
    BatchInput(u64),
    /// The output file of a batch of this many lines.
    BatchOutput(u64),
    /// This many bytes (uploaded, or to download).
    Bytes(u64),
}

impl FileKind {
    pub fn id(self) -> String {
        let (kind, n) = match self {
            FileKind::BatchInput(n) => ("8000", n),
            FileKind::BatchOutput(n) => ("9000", n),
            FileKind::Bytes(n) => ("a000", n),
        };
        format!("00000000-0000-4000-{kind}-{n:012x}")
    }

    pub fn parse(id: &str) -> Option<FileKind> {
        let rest = id.strip_prefix("00000000-0000-4000-")?;
        let (kind, n) = rest.split_once('-')?;
        let n = u64::from_str_radix(n, 16).ok()?;
        match kind {
            "8000" => Some(FileKind::BatchInput(n)),
            "9000" => Some(FileKind::BatchOutput(n)),
            "a000" => Some(FileKind::Bytes(n)),
            _ => None,
        }
    }
}

fn json(value: serde_json::Value) -> Response<Body> {
    full(StatusCode::OK, "application/json", Bytes::from(value.to_string()))
}

/// A batch job over `lines` requests that already succeeded.
fn batch_job(lines: u64) -> serde_json::Value {
    serde_json::json!({
        "id": format!("bench-{lines}"),
        "object": "batch",
        "input_files": [FileKind::BatchInput(lines).id()],
        "metadata": null,
        "endpoint": ops::CREATE_CHAT_COMPLETION.path,
        "model": crate::clients::MODEL,
        "agent_id": null,
        "output_file": FileKind::BatchOutput(lines).id(),
        "error_file": null,
        "errors": [],
        "outputs": null,
        "status": "SUCCESS",
        "created_at": 1733011200,
        "total_requests": lines,
        "completed_requests": lines,
        "succeeded_requests": lines,
        "failed_requests": 0,
        "started_at": 1733011201,
        "completed_at": 1733011260,
    })
}

/// Matches `path` against an operation's template: the values of its `{parameters}`.
fn path_values<'p>(op: &ops::Operation, path: &'p str) -> Option<Vec<&'p str>> {
    let (mut want, mut got) = (op.path.split('/'), path.split('/'));
    let mut values = Vec::new();
    loop {
        match (want.next(), got.next()) {
            (None, None) => return Some(values),
            (Some(w), Some(g)) if w.starts_with('{') && !g.is_empty() => values.push(g),
            (Some(w), Some(g)) if w == g => {}
            _ => return None,
        }
    }
}

fn get(path: &str) -> Response<Body> {
    if let Some(id) = path_values(&ops::JOBS_API_ROUTES_BATCH_GET_BATCH_JOB, path).and_then(|v| v.first().copied()) {
        return match id.strip_prefix("bench-").and_then(|n| n.parse().ok()) {
            Some(lines) => json(batch_job(lines)),
            None => error(StatusCode::NOT_FOUND, "no such job"),
        };
    }
    let file = path_values(&ops::FILES_API_ROUTES_DOWNLOAD_FILE, path)
        .and_then(|v| v.first().and_then(|id| FileKind::parse(id)));
    let body = match file {
        Some(FileKind::BatchOutput(lines)) => batch_output(lines),
        Some(FileKind::Bytes(n)) => repeated(n),
        _ => return error(StatusCode::NOT_FOUND, "no such file"),
    };
    let mut response = Response::new(body);
    response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("application/octet-stream"));
    response
}

/// A file's bytes are this block over and over.
const BLOCK: usize = 64 * 1024;

/// `n` bytes, 64 KiB per frame.
fn repeated(n: u64) -> Body {
    let block = Bytes::from(vec![b'x'; BLOCK]);
    let frames = n.div_ceil(BLOCK as u64);
    let stream = futures::stream::iter((0..frames).map(move |i| {
        let len = (n - i * BLOCK as u64).min(BLOCK as u64) as usize;
        Ok::<_, Infallible>(Frame::data(block.slice(..len)))
    }));
    StreamBody::new(stream).boxed_unsync()
}

/// The output file of a batch of `lines` requests, made as it is sent (~64 KiB per frame).
fn batch_output(lines: u64) -> Body {
    let stream = futures::stream::unfold(0u64, move |next| async move {
        if next >= lines {
            return None;
        }
        let mut buf = Vec::with_capacity(BLOCK + 1024);
        let mut i = next;
        while i < lines && buf.len() < BLOCK {
            bodies::batch_output_line(&mut buf, i);
            i += 1;
        }
        Some((Ok::<_, Infallible>(Frame::data(Bytes::from(buf))), i))
    });
    StreamBody::new(stream).boxed_unsync()
}

/// Reads a multipart upload frame by frame, keeping nothing but counts: its bytes and the
/// batch lines in it (`"custom_id"` keys, found across frame boundaries too). `None`: cut.
async fn count_upload(mut body: Incoming) -> Option<(u64, u64)> {
    const KEY: &[u8] = br#""custom_id""#;
    let (mut bytes, mut lines) = (0u64, 0u64);
    let mut carry: Vec<u8> = Vec::with_capacity(2 * KEY.len());
    let finder = memchr::memmem::Finder::new(KEY);
    while let Some(frame) = body.frame().await {
        let Ok(data) = frame.ok()?.into_data() else { continue };
        bytes += data.len() as u64;
        // A key split between two frames: look at the seam.
        carry.extend_from_slice(&data[..data.len().min(KEY.len() - 1)]);
        lines += finder.find_iter(&carry).count() as u64;
        lines += finder.find_iter(&data).count() as u64;
        carry.clear();
        carry.extend_from_slice(&data[data.len().saturating_sub(KEY.len() - 1)..]);
    }
    Some((bytes, lines))
}

/// The stored file for an upload of `bytes` bytes holding `lines` batch lines.
fn file(bytes: u64, lines: u64) -> serde_json::Value {
    let kind = if lines > 0 { FileKind::BatchInput(lines) } else { FileKind::Bytes(bytes) };
    serde_json::json!({
        "id": kind.id(),
        "object": "file",
        "bytes": bytes,
        "created_at": 1733011200,
        "filename": "upload.bin",
        "purpose": if lines > 0 { "batch" } else { "fine-tune" },
        "sample_type": if lines > 0 { "batch_request" } else { "pretrain" },
        "num_lines": if lines > 0 { Some(lines) } else { None },
        "mimetype": null,
        "source": "upload",
        "signature": null,
    })
}

/// The library document an upload of `bytes` bytes became: queued for processing, as the API
/// answers an upload.
fn document(library: &str, bytes: u64) -> serde_json::Value {
    serde_json::json!({
        "id": FileKind::Bytes(bytes).id(),
        "library_id": library,
        "hash": null,
        "mime_type": "application/octet-stream",
        "extension": "bin",
        "size": bytes,
        "name": "upload.bin",
        "summary": null,
        "created_at": "2026-12-01T00:00:00Z",
        "last_processed_at": null,
        "number_of_pages": null,
        "process_status": "todo",
        "uploaded_by_id": null,
        "uploaded_by_type": "Workspace",
        "tokens_processing_main_content": null,
        "tokens_processing_summary": null,
        "processing_status": "Running",
        "tokens_processing_total": 0,
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
