//! Bulk scenarios, each run in a fresh child process (through [`crate::memory`]) so that its
//! peak RSS is its own: a streamed file upload and download, a library document upload, and a
//! whole batch (JSONL written into the upload, job, results read back).

use anyhow::{Result, anyhow, ensure};
use futures::StreamExt;
use mistral_openapi::operations as ops;
use mistral_sdk::{BatchSource, ChatRequest, FileUpload};
use reqwest::header::AUTHORIZATION;
use tokio::io::AsyncReadExt;

use crate::clients::{Clients, Contender, MODEL, PROMPT};
use crate::server::FileKind;

/// What one bulk run moved: bytes (of the file, or of the batch's JSONL) and units (requests).
#[derive(Debug, Clone, Copy, Default)]
pub struct Moved {
    pub bytes: u64,
    pub units: u64,
}

/// `bytes` of one byte repeated: the file both contenders send, read as they send it.
fn source(bytes: u64) -> impl tokio::io::AsyncRead + Send + Unpin + 'static {
    tokio::io::repeat(b'x').take(bytes)
}

/// The raw contender's upload of `bytes` bytes to `path`: the same 64 KiB reads as the SDK's,
/// as a plain streamed body. The server's JSON answer.
async fn raw_upload(clients: &Clients, path: String, bytes: u64) -> Result<serde_json::Value> {
    let body = reqwest::Body::wrap_stream(tokio_util::io::ReaderStream::with_capacity(source(bytes), 64 * 1024));
    let url = format!("{}{path}", clients.base);
    let response = clients.raw().post(url).header(AUTHORIZATION, clients.auth().clone()).body(body).send().await?;
    ensure!(response.status().is_success(), "status {}", response.status());
    Ok(serde_json::from_slice(&response.bytes().await?)?)
}

/// Uploads a file of `bytes` bytes, streamed from a reader.
pub async fn upload(clients: &Clients, contender: Contender, bytes: u64) -> Result<Moved> {
    let stored = match contender {
        Contender::Raw => {
            let file = raw_upload(clients, ops::FILES_API_ROUTES_UPLOAD_FILE.path.to_string(), bytes).await?;
            file["bytes"].as_u64().ok_or_else(|| anyhow!("no bytes in {file}"))?
        }
        Contender::Sdk => {
            let upload = FileUpload::from_reader("big.bin", source(bytes)).purpose("fine-tune");
            clients.sdk().files().upload(upload).await?.bytes as u64
        }
        other => return Err(anyhow!("{} does not upload", other.name())),
    };
    // The multipart form adds its headers; nothing may be missing.
    ensure!(stored >= bytes, "the server stored {stored} of {bytes} bytes");
    Ok(Moved { bytes, units: 1 })
}

/// The library the document upload goes to (the bench server keeps no libraries: any id).
pub const LIBRARY: &str = "00000000-0000-4000-b000-000000000001";

/// Uploads a library document of `bytes` bytes, streamed from a reader: the same as
/// [`upload`] on the documents route, answered by a `Document`.
pub async fn doc_upload(clients: &Clients, contender: Contender, bytes: u64) -> Result<Moved> {
    let stored = match contender {
        Contender::Raw => {
            let document = raw_upload(clients, ops::LIBRARIES_DOCUMENTS_UPLOAD_V1.path_with(&[LIBRARY]), bytes).await?;
            document["size"].as_u64().ok_or_else(|| anyhow!("no size in {document}"))?
        }
        Contender::Sdk => {
            let upload = FileUpload::from_reader("big.bin", source(bytes));
            let document = clients.sdk().libraries().documents(LIBRARY).upload(upload).await?;
            ensure!(document.library_id.to_string() == LIBRARY, "the document is in library {}", document.library_id);
            document.size.ok_or_else(|| anyhow!("the document has no size"))? as u64
        }
        other => return Err(anyhow!("{} does not upload", other.name())),
    };
    ensure!(stored >= bytes, "the server stored {stored} of {bytes} bytes");
    Ok(Moved { bytes, units: 1 })
}

/// Downloads a file of `bytes` bytes, chunk by chunk, into nothing.
pub async fn download(clients: &Clients, contender: Contender, bytes: u64) -> Result<Moved> {
    let id = FileKind::Bytes(bytes).id();
    let got = match contender {
        Contender::Raw => {
            let url = format!("{}{}", clients.base, ops::FILES_API_ROUTES_DOWNLOAD_FILE.path_with(&[&id]));
            let response = clients.raw().get(url).header(AUTHORIZATION, clients.auth().clone()).send().await?;
            ensure!(response.status().is_success(), "status {}", response.status());
            let mut body = response.bytes_stream();
            let mut got = 0u64;
            while let Some(chunk) = body.next().await {
                got += chunk?.len() as u64;
            }
            got
        }
        Contender::Sdk => clients.sdk().files().download_to(&id, &mut tokio::io::sink()).await?,
        other => return Err(anyhow!("{} does not download", other.name())),
    };
    ensure!(got == bytes, "downloaded {got} of {bytes} bytes");
    Ok(Moved { bytes, units: 1 })
}

/// The batch's request number `i`.
fn request(i: u64) -> (String, ChatRequest) {
    (format!("r{i}"), ChatRequest::new(MODEL).user(PROMPT).max_tokens(64))
}

/// `Raw`: the limit, `serde_json::to_writer` of the same JSONL lines into nothing.
/// `Sdk`: `BatchRunner::run` (JSONL written into the streamed upload, job, output file read
/// back and decoded line by line); every result must be a success.
pub async fn batch(clients: &Clients, contender: Contender, requests: u64) -> Result<Moved> {
    match contender {
        Contender::Raw => {
            #[derive(serde::Serialize)]
            struct Line<'a> {
                custom_id: &'a str,
                body: &'a ChatRequest,
            }
            let mut out = Counting(0);
            for i in 0..requests {
                let (custom_id, body) = request(i);
                serde_json::to_writer(&mut out, &Line { custom_id: &custom_id, body: &body })?;
                std::io::Write::write_all(&mut out, b"\n")?;
            }
            Ok(Moved { bytes: out.0, units: requests })
        }
        Contender::Sdk => {
            let sent = std::sync::Arc::new(std::sync::atomic::AtomicU64::new(0));
            let seen = sent.clone();
            let runner = clients.sdk().batch().runner::<ChatRequest>().on_upload_progress(move |bytes, _| {
                seen.store(bytes, std::sync::atomic::Ordering::Relaxed);
            });
            let mut results = runner.run(BatchSource::iter((0..requests).map(request))).await?;
            let (mut ok, mut answers) = (0u64, 0u64);
            while let Some(result) = results.next().await {
                let result = result?;
                let answer = result.result.map_err(|e| anyhow!("{}: {e}", result.custom_id))?;
                answers += answer.choices.len() as u64;
                ok += 1;
            }
            ensure!(ok == requests && answers == requests, "{ok} results ({answers} answers) for {requests} requests");
            Ok(Moved { bytes: sent.load(std::sync::atomic::Ordering::Relaxed), units: requests })
        }
        other => Err(anyhow!("{} does not run batches", other.name())),
    }
}

/// A writer that only counts.
struct Counting(u64);

impl std::io::Write for Counting {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}
