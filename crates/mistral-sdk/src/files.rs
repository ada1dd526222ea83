//! `/v1/files`: [`Files`] and the streamed multipart [`FileUpload`].

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use futures::{StreamExt, TryStreamExt};
use reqwest::multipart::{Form, Part};
use tokio::io::AsyncRead;

use mistral_openapi::operations as ops;

use crate::client::Client;
use crate::error::{Error, Result};
use crate::transport::{Body, Call};
use crate::types::{DeleteFileOut, ListFilesOut, RetrieveFileOut, UploadFileOut};

/// Files. Get it from [`Client::files`].
#[derive(Debug, Clone, Copy)]
pub struct Files<'c> {
    client: &'c Client,
}

impl Client {
    /// Training data files.
    pub fn files(&self) -> Files<'_> {
        Files { client: self }
    }
}

impl Files<'_> {
    /// Uploads a file as `multipart/form-data` (`files_api_routes_upload_file`), streamed:
    /// a file from a path is read as it is sent, never whole into memory, and read again
    /// from the start if the upload is retried.
    ///
    /// ```no_run
    /// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
    /// use mistral_sdk::FileUpload;
    ///
    /// let upload = FileUpload::from_path("training.jsonl")
    ///     .on_progress(|sent, total| eprintln!("{sent}/{total:?} bytes"));
    /// let file = client.files().upload(upload).await?;
    /// println!("uploaded {} ({} bytes)", file.id, file.bytes);
    /// # Ok(()) }
    /// ```
    pub async fn upload(&self, upload: FileUpload) -> Result<UploadFileOut> {
        let body = upload.into_body().await?;
        let mut call = Call::new(&ops::FILES_API_ROUTES_UPLOAD_FILE);
        call.body = body;
        self.client.json(call).await
    }

    /// Lists the files (`files_api_routes_list_files`).
    pub async fn list(&self) -> Result<ListFilesOut> {
        self.client.json(Call::new(&ops::FILES_API_ROUTES_LIST_FILES)).await
    }

    /// One file's metadata (`files_api_routes_retrieve_file`).
    pub async fn retrieve(&self, file_id: impl std::fmt::Display) -> Result<RetrieveFileOut> {
        let id = file_id.to_string();
        self.client.json(Call::with_path(&ops::FILES_API_ROUTES_RETRIEVE_FILE, &[&id])).await
    }

    /// Deletes a file (`files_api_routes_delete_file`).
    pub async fn delete(&self, file_id: impl std::fmt::Display) -> Result<DeleteFileOut> {
        let id = file_id.to_string();
        self.client.json(Call::with_path(&ops::FILES_API_ROUTES_DELETE_FILE, &[&id])).await
    }
}

type Progress = Arc<dyn Fn(u64, Option<u64>) + Send + Sync>;
type Reader = Box<dyn AsyncRead + Send + Unpin>;

enum Source {
    Path(PathBuf),
    Bytes(Bytes),
    Reader(Arc<Mutex<Option<Reader>>>),
}

/// A file to upload: from a path, bytes, or any `AsyncRead`.
///
/// ```
/// use mistral_sdk::FileUpload;
///
/// let upload = FileUpload::from_bytes("train.jsonl", r#"{"messages":[]}"#).purpose("fine-tune");
/// assert_eq!(upload.file_name(), Some("train.jsonl"));
/// ```
pub struct FileUpload {
    source: Source,
    file_name: Option<String>,
    purpose: Option<String>,
    progress: Option<Progress>,
}

impl std::fmt::Debug for FileUpload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let source = match &self.source {
            Source::Path(p) => format!("path {}", p.display()),
            Source::Bytes(b) => format!("{} bytes", b.len()),
            Source::Reader(_) => "reader".to_string(),
        };
        f.debug_struct("FileUpload")
            .field("source", &source)
            .field("file_name", &self.file_name)
            .field("purpose", &self.purpose)
            .finish()
    }
}

impl FileUpload {
    /// The file at `path`, named after its last component.
    pub fn from_path(path: impl Into<PathBuf>) -> FileUpload {
        let path = path.into();
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        FileUpload { source: Source::Path(path), file_name: name, purpose: None, progress: None }
    }

    /// Bytes already in memory, under `file_name`.
    pub fn from_bytes(file_name: impl Into<String>, bytes: impl Into<Bytes>) -> FileUpload {
        FileUpload {
            source: Source::Bytes(bytes.into()),
            file_name: Some(file_name.into()),
            purpose: None,
            progress: None,
        }
    }

    /// A reader, under `file_name`. It can be read once: such an upload is not retried.
    pub fn from_reader(file_name: impl Into<String>, reader: impl AsyncRead + Send + Unpin + 'static) -> FileUpload {
        FileUpload {
            source: Source::Reader(Arc::new(Mutex::new(Some(Box::new(reader))))),
            file_name: Some(file_name.into()),
            purpose: None,
            progress: None,
        }
    }

    /// The name sent for the file (default: the path's file name).
    pub fn file_name_as(mut self, name: impl Into<String>) -> Self {
        self.file_name = Some(name.into());
        self
    }

    /// The file name that will be sent.
    pub fn file_name(&self) -> Option<&str> {
        self.file_name.as_deref()
    }

    /// The `purpose` part (not sent unless set; the server takes `fine-tune`).
    pub fn purpose(mut self, purpose: impl Into<String>) -> Self {
        self.purpose = Some(purpose.into());
        self
    }

    /// Called as bytes are sent, with the bytes sent so far and the total when known.
    pub fn on_progress(mut self, f: impl Fn(u64, Option<u64>) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(f));
        self
    }

    pub(crate) async fn into_body(self) -> Result<Body> {
        let FileUpload { source, file_name, purpose, progress } = self;
        let name = file_name.unwrap_or_else(|| "file.jsonl".into());
        let total = match &source {
            Source::Path(p) => Some(
                tokio::fs::metadata(p).await.map_err(|e| Error::Io { path: p.display().to_string(), source: e })?.len(),
            ),
            Source::Bytes(b) => Some(b.len() as u64),
            Source::Reader(_) => None,
        };
        let replayable = !matches!(source, Source::Reader(_));
        let make = move || -> Result<Form> {
            let stream: futures::stream::BoxStream<'static, std::io::Result<Bytes>> = match &source {
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
            };
            let stream = match progress.clone() {
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
            let part = match total {
                Some(len) => Part::stream_with_length(body, len),
                None => Part::stream(body),
            }
            .file_name(name.clone())
            .mime_str("application/octet-stream")
            .map_err(|e| Error::InvalidRequest(e.to_string()))?;
            let mut form = Form::new();
            if let Some(p) = &purpose {
                form = form.text("purpose", p.clone());
            }
            Ok(form.part("file", part))
        };
        Ok(Body::Multipart { make: Box::new(make), replayable })
    }
}
