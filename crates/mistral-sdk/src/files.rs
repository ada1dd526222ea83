//! `/v1/files`: [`Files`] and the streamed multipart [`FileUpload`].

use std::path::PathBuf;
use std::sync::Arc;

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures::{Stream, StreamExt};
use reqwest::header::HeaderValue;
use reqwest::multipart::Form;
use tokio::io::AsyncRead;
use tokio::io::{AsyncWrite, AsyncWriteExt};

use mistral_openapi::operations as ops;

use crate::body::IdleBody;
use crate::error::{Error, Result};
use crate::meta::ResponseMeta;
use crate::pending::{Pending, group};
use crate::transport::{Body, Call};
use crate::types::{DeleteFileOut, GetSignedUrlResponse, ListFilesOut, RetrieveFileOut, UploadFileOut};
use crate::upload::{FilePart, Progress, Source};

group!(
    /// Files: uploads (training data, batch input, OCR documents...), listing with filters and
    /// pages, metadata, download and signed URLs.
    Files,
    files
);

impl<'c> Files<'c> {
    /// Uploads a file as `multipart/form-data` (`files_api_routes_upload_file`), streamed:
    /// a file from a path is read as it is sent, never whole into memory, and read again
    /// from the start if the upload is retried.
    ///
    /// ```no_run
    /// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
    /// use mistral_sdk::FileUpload;
    ///
    /// let upload = FileUpload::from_path("training.jsonl")
    ///     .purpose("batch")
    ///     .expiry_hours(48)
    ///     .on_progress(|sent, total| eprintln!("{sent}/{total:?} bytes"));
    /// let file = client.files().upload(upload).await?;
    /// println!("uploaded {} ({} bytes)", file.id, file.bytes);
    /// # Ok(()) }
    /// ```
    pub fn upload(&self, upload: FileUpload) -> Pending<'c, UploadFileOut> {
        Pending::later(&self.client, async move {
            let mut call = Call::new(&ops::FILES_API_ROUTES_UPLOAD_FILE);
            call.body = upload.into_body().await?;
            Ok(call)
        })
    }

    /// The first page of files (`files_api_routes_list_files`), as the server pages by default.
    ///
    /// ```no_run
    /// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
    /// for file in client.files().list().await?.data {
    ///     println!("{} {} bytes", file.filename, file.bytes);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list(&self) -> Pending<'c, ListFilesOut> {
        self.list_with(FileFilter::new())
    }

    /// One page of the files that `filter` selects.
    ///
    /// ```no_run
    /// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
    /// use mistral_sdk::FileFilter;
    ///
    /// let page = client.files().list_with(FileFilter::new().purpose("batch").page_size(20).include_total()).await?;
    /// println!("{} of {:?}", page.data.len(), page.total);
    /// # Ok(()) }
    /// ```
    pub fn list_with(&self, filter: FileFilter) -> Pending<'c, ListFilesOut> {
        self.pending(Ok(filter.apply(Call::new(&ops::FILES_API_ROUTES_LIST_FILES))))
    }

    /// Every page of the files that `filter` selects, from its `page` (default 0) on, until a
    /// page comes back short. Pages are fetched as the stream is polled.
    ///
    /// ```no_run
    /// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
    /// use futures::TryStreamExt;
    /// use mistral_sdk::FileFilter;
    ///
    /// let pages: Vec<_> = client.files().pages(FileFilter::new().page_size(100)).try_collect().await?;
    /// let count: usize = pages.iter().map(|p| p.data.len()).sum();
    /// # let _ = count;
    /// # Ok(()) }
    /// ```
    pub fn pages(&self, filter: FileFilter) -> impl Stream<Item = Result<ListFilesOut>> + Send + 'c {
        let size = filter.page_size.unwrap_or(DEFAULT_PAGE_SIZE);
        let first = filter.page.unwrap_or(0);
        let call = move |page, size| {
            filter.clone().page(page).page_size(size).apply(Call::new(&ops::FILES_API_ROUTES_LIST_FILES))
        };
        crate::paging::pages(self.client.clone(), first, size, call, |out: &ListFilesOut| (out.data.len(), None))
    }

    /// One file's metadata (`files_api_routes_retrieve_file`).
    ///
    /// ```no_run
    /// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
    /// let file = client.files().retrieve("497f6eca-6276-4993-bfeb-53cbbbba6f09").await?;
    /// println!("{} ({:?})", file.filename, file.purpose);
    /// # Ok(()) }
    /// ```
    pub fn retrieve(&self, file_id: impl std::fmt::Display) -> Pending<'c, RetrieveFileOut> {
        let id = file_id.to_string();
        self.pending(Ok(Call::with_path(&ops::FILES_API_ROUTES_RETRIEVE_FILE, &[&id])))
    }

    /// Deletes a file (`files_api_routes_delete_file`).
    ///
    /// ```no_run
    /// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
    /// let gone = client.files().delete("497f6eca-6276-4993-bfeb-53cbbbba6f09").await?;
    /// assert!(gone.deleted);
    /// # Ok(()) }
    /// ```
    pub fn delete(&self, file_id: impl std::fmt::Display) -> Pending<'c, DeleteFileOut> {
        let id = file_id.to_string();
        self.pending(Ok(Call::with_path(&ops::FILES_API_ROUTES_DELETE_FILE, &[&id])))
    }

    /// A temporary URL anyone can download the file from (`files_api_routes_get_signed_url`),
    /// valid for `expiry_hours` when given (the server's default otherwise).
    ///
    /// ```no_run
    /// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
    /// let link = client.files().signed_url("497f6eca-6276-4993-bfeb-53cbbbba6f09", Some(1)).await?;
    /// println!("valid for an hour: {}", link.url);
    /// # Ok(()) }
    /// ```
    pub fn signed_url(
        &self,
        file_id: impl std::fmt::Display,
        expiry_hours: Option<u64>,
    ) -> Pending<'c, GetSignedUrlResponse> {
        let id = file_id.to_string();
        self.pending(Ok(Call::with_path(&ops::FILES_API_ROUTES_GET_SIGNED_URL, &[&id]).query("expiry", expiry_hours)))
    }

    /// The file's bytes (`files_api_routes_download_file`) as a stream of chunks, read as it is
    /// polled: memory stays bounded whatever the file's size. The stream ends with an error if
    /// the connection breaks or stalls longer than the client's stream idle timeout.
    ///
    /// ```no_run
    /// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
    /// use futures::StreamExt;
    ///
    /// let mut chunks = client.files().download("497f6eca-6276-4993-bfeb-53cbbbba6f09").await?;
    /// let mut total = 0;
    /// while let Some(chunk) = chunks.next().await {
    ///     total += chunk?.len();
    /// }
    /// println!("{total} bytes");
    /// # Ok(()) }
    /// ```
    pub async fn download(&self, file_id: impl std::fmt::Display) -> Result<Download> {
        let id = file_id.to_string();
        self.client.download(Call::with_path(&ops::FILES_API_ROUTES_DOWNLOAD_FILE, &[&id]), OCTET_STREAM).await
    }

    /// Downloads the file into `writer` (a file, a socket, a `Vec<u8>`...), chunk by chunk, and
    /// gives the number of bytes written.
    ///
    /// ```no_run
    /// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
    /// let mut out = tokio::fs::File::create("results.jsonl").await.map_err(|e| mistral_sdk::Error::Io {
    ///     path: "results.jsonl".into(),
    ///     source: e,
    /// })?;
    /// let bytes = client.files().download_to("497f6eca-6276-4993-bfeb-53cbbbba6f09", &mut out).await?;
    /// println!("{bytes} bytes");
    /// # Ok(()) }
    /// ```
    pub async fn download_to<W: AsyncWrite + Unpin + ?Sized>(
        &self,
        file_id: impl std::fmt::Display,
        writer: &mut W,
    ) -> Result<u64> {
        self.download(file_id).await?.write_to(writer).await
    }
}

impl crate::Client {
    /// Sends a call whose answer is bytes of type `accept`, read as a [`Download`].
    pub(crate) async fn download(&self, mut call: Call, accept: HeaderValue) -> Result<Download> {
        call.accept = Some(accept);
        call.stream = true;
        let response = self.send(call).await?;
        Ok(Download::new(response, self.inner.stream_idle_timeout))
    }
}

fn write_error(source: std::io::Error) -> Error {
    Error::Io { path: "the download's destination".into(), source }
}

const OCTET_STREAM: HeaderValue = HeaderValue::from_static("application/octet-stream");
const DEFAULT_PAGE_SIZE: u64 = 100;

/// A file's bytes as they arrive: a `Stream` of chunks (see [`Files::download`]).
pub struct Download {
    body: IdleBody,
    meta: ResponseMeta,
    done: bool,
}

impl std::fmt::Debug for Download {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Download").field("meta", &self.meta).field("done", &self.done).finish_non_exhaustive()
    }
}

impl Download {
    pub(crate) fn new(response: reqwest::Response, idle: Option<std::time::Duration>) -> Download {
        let meta = ResponseMeta::from_response(&response);
        Download { body: IdleBody::of(response, idle), meta, done: false }
    }

    /// Status and headers (`content-length`, `content-type`...).
    pub fn meta(&self) -> &ResponseMeta {
        &self.meta
    }

    /// The size the server announced, if it did.
    pub fn content_length(&self) -> Option<u64> {
        self.meta.headers.get(reqwest::header::CONTENT_LENGTH)?.to_str().ok()?.parse().ok()
    }

    /// Writes the rest of the bytes into `writer` (a file, a socket, a `Vec<u8>`...), chunk by
    /// chunk, flushes it, and gives the number of bytes written.
    pub async fn write_to<W: AsyncWrite + Unpin + ?Sized>(mut self, writer: &mut W) -> Result<u64> {
        let mut written = 0u64;
        while let Some(chunk) = self.next().await {
            let chunk = chunk?;
            writer.write_all(&chunk).await.map_err(write_error)?;
            written += chunk.len() as u64;
        }
        writer.flush().await.map_err(write_error)?;
        Ok(written)
    }
}

impl Stream for Download {
    type Item = Result<Bytes>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        if this.done {
            return Poll::Ready(None);
        }
        let next = this.body.poll_chunk(cx);
        if matches!(next, Poll::Ready(None | Some(Err(_)))) {
            this.done = true;
        }
        next
    }
}

/// Which files [`Files::list_with`] and [`Files::pages`] select. Only what is set is sent.
///
/// ```
/// use mistral_sdk::FileFilter;
///
/// let filter = FileFilter::new().purpose("fine-tune").source("upload").search("train").page_size(50);
/// # let _ = filter;
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FileFilter {
    page: Option<u64>,
    page_size: Option<u64>,
    include_total: Option<bool>,
    purpose: Option<String>,
    sample_types: Vec<String>,
    sources: Vec<String>,
    mimetypes: Vec<String>,
    search: Option<String>,
}

impl FileFilter {
    /// Every file, the server's first page.
    pub fn new() -> FileFilter {
        FileFilter::default()
    }

    /// This page (from 0).
    pub fn page(mut self, page: u64) -> Self {
        self.page = Some(page);
        self
    }

    /// This many files per page.
    pub fn page_size(mut self, size: u64) -> Self {
        self.page_size = Some(size);
        self
    }

    /// Ask for the `total` count of matching files.
    pub fn include_total(mut self) -> Self {
        self.include_total = Some(true);
        self
    }

    /// Only files with this purpose (`fine-tune`, `batch`, `ocr`...).
    pub fn purpose(mut self, purpose: impl Into<String>) -> Self {
        self.purpose = Some(purpose.into());
        self
    }

    /// Only files of this sample type (repeatable: any of them).
    pub fn sample_type(mut self, sample_type: impl Into<String>) -> Self {
        self.sample_types.push(sample_type.into());
        self
    }

    /// Only files from this source (`upload`, `repository`, `mistral`; repeatable).
    pub fn source(mut self, source: impl Into<String>) -> Self {
        self.sources.push(source.into());
        self
    }

    /// Only files of this MIME type (repeatable).
    pub fn mimetype(mut self, mimetype: impl Into<String>) -> Self {
        self.mimetypes.push(mimetype.into());
        self
    }

    /// Only files whose name contains this.
    pub fn search(mut self, text: impl Into<String>) -> Self {
        self.search = Some(text.into());
        self
    }

    fn apply(&self, mut call: Call) -> Call {
        call = call
            .query("page", self.page)
            .query("page_size", self.page_size)
            .query("include_total", self.include_total)
            .query("purpose", self.purpose.as_ref())
            .query("search", self.search.as_ref());
        for (name, values) in
            [("sample_type", &self.sample_types), ("source", &self.sources), ("mimetypes", &self.mimetypes)]
        {
            for value in values {
                call = call.query(name, Some(value));
            }
        }
        call
    }
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
    visibility: Option<String>,
    expiry: Option<u64>,
    fields: Vec<(String, String)>,
    progress: Option<Progress>,
}

impl std::fmt::Debug for FileUpload {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FileUpload")
            .field("source", &self.source.describe())
            .field("file_name", &self.file_name)
            .field("purpose", &self.purpose)
            .field("visibility", &self.visibility)
            .field("expiry", &self.expiry)
            .finish()
    }
}

impl FileUpload {
    /// The file at `path`, named after its last component.
    pub fn from_path(path: impl Into<PathBuf>) -> FileUpload {
        let path = path.into();
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        FileUpload::from_source(Source::Path(path), name)
    }

    /// Bytes already in memory, under `file_name`.
    pub fn from_bytes(file_name: impl Into<String>, bytes: impl Into<Bytes>) -> FileUpload {
        FileUpload::from_source(Source::Bytes(bytes.into()), Some(file_name.into()))
    }

    /// A reader, under `file_name`. It can be read once: such an upload is not retried.
    pub fn from_reader(file_name: impl Into<String>, reader: impl AsyncRead + Send + Unpin + 'static) -> FileUpload {
        FileUpload::from_source(Source::reader(reader), Some(file_name.into()))
    }

    fn from_source(source: Source, file_name: Option<String>) -> FileUpload {
        FileUpload {
            source,
            file_name,
            purpose: None,
            visibility: None,
            expiry: None,
            fields: Vec::new(),
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

    /// The `purpose` part (`fine-tune`, `batch`, `ocr`, `audio`...; not sent unless set).
    pub fn purpose(mut self, purpose: impl Into<String>) -> Self {
        self.purpose = Some(purpose.into());
        self
    }

    /// The `visibility` part (`workspace` or `user`; not sent unless set).
    pub fn visibility(mut self, visibility: impl Into<String>) -> Self {
        self.visibility = Some(visibility.into());
        self
    }

    /// Sends this form field too (a field this release does not name yet).
    pub fn field(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.fields.push((name.into(), value.into()));
        self
    }

    /// The `expiry` part: the server deletes the file after this many hours.
    pub fn expiry_hours(mut self, hours: u64) -> Self {
        self.expiry = Some(hours);
        self
    }

    /// Called as bytes are sent, with the bytes sent so far and the total when known.
    pub fn on_progress(mut self, f: impl Fn(u64, Option<u64>) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(f));
        self
    }

    /// Bytes made by `make` for each attempt (the batch runner's JSONL lines); retried only
    /// when `replayable`.
    pub(crate) fn generated(
        file_name: impl Into<String>,
        replayable: bool,
        make: crate::upload::Generate,
    ) -> FileUpload {
        FileUpload::from_source(Source::Generated { make, replayable }, Some(file_name.into()))
    }

    pub(crate) async fn into_body(self) -> Result<Body> {
        let FileUpload { source, file_name, purpose, visibility, expiry, fields, progress } = self;
        let name = file_name.unwrap_or_else(|| "file.jsonl".into());
        let mut file = FilePart::new(source, name, progress).await?;
        let replayable = file.replayable();
        let make = move || -> Result<Form> {
            let part = file.part()?;
            let mut form = Form::new();
            if let Some(p) = &purpose {
                form = form.text("purpose", p.clone());
            }
            if let Some(v) = &visibility {
                form = form.text("visibility", v.clone());
            }
            if let Some(hours) = expiry {
                form = form.text("expiry", hours.to_string());
            }
            for (name, value) in &fields {
                form = form.text(name.clone(), value.clone());
            }
            Ok(form.part("file", part))
        };
        Ok(Body::Multipart { make: Box::new(make), replayable })
    }
}
