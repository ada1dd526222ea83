//! The file part of a streamed multipart upload, shared by [`FileUpload`](crate::FileUpload),
//! transcriptions and the batch runner: read as it is sent, never whole into memory, and made
//! again for each attempt when its source can be read again.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use futures::stream::BoxStream;
use futures::{StreamExt, TryStreamExt};
use reqwest::multipart::Part;
use tokio::io::AsyncRead;

use crate::error::{Error, Result};

pub(crate) type Progress = Arc<dyn Fn(u64, Option<u64>) + Send + Sync>;
type Reader = Box<dyn AsyncRead + Send + Unpin>;
/// Makes the bytes of one attempt.
pub(crate) type Generate = Box<dyn FnMut() -> Result<BoxStream<'static, std::io::Result<Bytes>>> + Send>;

/// Where an upload's bytes come from.
pub(crate) enum Source {
    Path(PathBuf),
    Bytes(Bytes),
    /// Read once: not retried.
    Reader(Arc<Mutex<Option<Reader>>>),
    /// Made by a function (the batch runner's JSONL), replayable or not.
    Generated {
        make: Generate,
        replayable: bool,
    },
}

impl Source {
    pub(crate) fn reader(reader: impl AsyncRead + Send + Unpin + 'static) -> Source {
        Source::Reader(Arc::new(Mutex::new(Some(Box::new(reader)))))
    }

    pub(crate) fn describe(&self) -> String {
        match self {
            Source::Path(p) => format!("path {}", p.display()),
            Source::Bytes(b) => format!("{} bytes", b.len()),
            Source::Reader(_) => "reader".to_string(),
            Source::Generated { .. } => "generated".to_string(),
        }
    }

    pub(crate) fn replayable(&self) -> bool {
        match self {
            Source::Path(_) | Source::Bytes(_) => true,
            Source::Reader(_) => false,
            Source::Generated { replayable, .. } => *replayable,
        }
    }

    /// The size of bytes in memory; a path's is read from its metadata.
    fn known_size(&self) -> std::result::Result<Option<u64>, PathBuf> {
        match self {
            Source::Path(p) => Err(p.clone()),
            Source::Bytes(b) => Ok(Some(b.len() as u64)),
            Source::Reader(_) | Source::Generated { .. } => Ok(None),
        }
    }

    fn stream(&mut self) -> Result<BoxStream<'static, std::io::Result<Bytes>>> {
        Ok(match self {
            Source::Path(p) => {
                let p = p.clone();
                futures::stream::once(async move { tokio::fs::File::open(p).await })
                    .map_ok(|f| tokio_util::io::ReaderStream::with_capacity(f, 64 * 1024))
                    .try_flatten()
                    .boxed()
            }
            Source::Bytes(b) => futures::stream::iter([Ok(b.clone())]).boxed(),
            Source::Reader(r) => {
                let reader = r
                    .lock()
                    .ok()
                    .and_then(|mut r| r.take())
                    .ok_or_else(|| Error::InvalidRequest("the upload's reader was already used".into()))?;
                tokio_util::io::ReaderStream::with_capacity(reader, 64 * 1024).boxed()
            }
            Source::Generated { make, .. } => make()?,
        })
    }
}

/// A file part, ready to be made once per attempt.
pub(crate) struct FilePart {
    source: Source,
    name: String,
    mime: String,
    total: Option<u64>,
    progress: Option<Progress>,
}

impl FilePart {
    /// Looks at the source (a path's size) once, before the first attempt.
    pub(crate) async fn new(source: Source, name: String, progress: Option<Progress>) -> Result<FilePart> {
        // No borrow of `source` across the await: a generated source is not `Sync`.
        let total = match source.known_size() {
            Ok(size) => size,
            Err(path) => Some(
                tokio::fs::metadata(&path)
                    .await
                    .map_err(|e| Error::Io { path: path.display().to_string(), source: e })?
                    .len(),
            ),
        };
        Ok(FilePart { source, name, mime: "application/octet-stream".into(), total, progress })
    }

    pub(crate) fn mime(mut self, mime: impl Into<String>) -> Self {
        self.mime = mime.into();
        self
    }

    pub(crate) fn replayable(&self) -> bool {
        self.source.replayable()
    }

    /// The part for one attempt, its bytes read from the start.
    pub(crate) fn part(&mut self) -> Result<Part> {
        let stream = self.source.stream()?;
        let total = self.total;
        let stream = match self.progress.clone() {
            Some(report) => {
                let mut sent = 0u64;
                stream
                    .inspect_ok(move |chunk| {
                        sent += chunk.len() as u64;
                        report(sent, total);
                    })
                    .boxed()
            }
            None => stream,
        };
        let body = reqwest::Body::wrap_stream(stream);
        match total {
            Some(len) => Part::stream_with_length(body, len),
            None => Part::stream(body),
        }
        .file_name(self.name.clone())
        .mime_str(&self.mime)
        .map_err(|e| Error::InvalidRequest(e.to_string()))
    }
}
