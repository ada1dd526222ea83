//! `POST /v1/ocr`: [`Ocr`], the [`OcrRequest`] builder, the [`Document`] to read, and
//! [`OcrResponseExt`] (markdown, typed annotations, images).

use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use uuid::Uuid;

use mistral_openapi::operations as ops;

use crate::error::{Error, Result};
use crate::extra::Extra;
use crate::files::FileUpload;
use crate::pending::{Pending, group};
use crate::transport::Call;
use crate::types::{
    DocumentUrlChunk, DocumentUrlChunkType, FileChunk, FileChunkType, ImageUrlChunk, ImageUrlChunkType, ImageUrlValue,
    JsonSchema as WireJsonSchema, OcrDocument, OcrImageObject, OcrRequest as WireOcrRequest,
    OcrRequestConfidenceScoresGranularity, OcrRequestPages, OcrRequestTableFormat, OcrResponse,
};

group!(
    /// OCR: documents (PDF, DOCX, PPTX...) and images read into markdown pages, with images,
    /// tables and structured annotations.
    Ocr,
    ocr
);

impl<'c> Ocr<'c> {
    /// Reads a document (`ocr_v1_ocr_post`). A local file is read (or uploaded, for
    /// [`Document::upload`]) when the call is sent.
    ///
    /// ```no_run
    /// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
    /// use mistral_sdk::{Document, OcrRequest, OcrResponseExt};
    ///
    /// #[derive(schemars::JsonSchema, serde::Deserialize)]
    /// struct Invoice {
    ///     number: String,
    ///     total: f64,
    /// }
    ///
    /// let request = OcrRequest::new("mistral-ocr-latest", Document::path("invoice.pdf"))
    ///     .pages([0, 1])
    ///     .include_image_base64(true)
    ///     .document_annotation::<Invoice>();
    /// let response = client.ocr().process(request).await?;
    /// for page in &response.pages {
    ///     println!("page {} ({:?}): {} images", page.index, page.dimensions.as_ref().map(|d| (d.width, d.height)), page.images.len());
    /// }
    /// println!("{}", response.markdown());
    /// let invoice: Invoice = response.document_annotation_as()?;
    /// println!("invoice {} for {}", invoice.number, invoice.total);
    /// # Ok(()) }
    /// ```
    pub fn process(&self, request: impl Into<OcrRequest>) -> Pending<'c, OcrResponse> {
        let request = request.into();
        let client = self.client.clone();
        Pending::later(&self.client, async move {
            let request = request.resolve(&client).await?;
            request.validate()?;
            Call::new(&ops::OCR_V1_OCR_POST).json(&request)
        })
    }
}

/// The document to read: a URL, an image URL, an uploaded file, bytes, or a local file (sent
/// inline as a `data:` URL, or uploaded first with purpose `ocr`).
///
/// ```
/// use mistral_sdk::Document;
///
/// let remote = Document::url("https://arxiv.org/pdf/2201.04234").name("paper.pdf");
/// let image = Document::image_url("https://example.com/receipt.png");
/// let uploaded = Document::file_id("497f6eca-6276-4993-bfeb-53cbbbba6f09");
/// let inline = Document::data(b"%PDF-1.7 ...".to_vec()); // type read from the bytes: a PDF
/// let local = Document::path("scan.pdf");                // read when sent
/// let big = Document::upload("book.pdf");                // uploaded when sent
/// # let _ = (remote, image, uploaded, inline, local, big);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Document(Source);

#[derive(Debug, Clone, PartialEq)]
enum Source {
    Ready(OcrDocument),
    Path { path: PathBuf, upload: bool, name: Option<String> },
    Invalid(String),
}

impl Document {
    /// A document (PDF, DOCX, PPTX...) the server fetches, or a `data:` URL.
    pub fn url(url: impl Into<String>) -> Document {
        Document(Source::Ready(OcrDocument::DocumentUrl(DocumentUrlChunk {
            document_url: url.into(),
            document_name: None,
            type_: DocumentUrlChunkType::DocumentUrl,
        })))
    }

    /// An image the server fetches, or a `data:` URL.
    pub fn image_url(url: impl Into<String>) -> Document {
        Document(Source::Ready(OcrDocument::ImageUrl(ImageUrlChunk {
            image_url: ImageUrlValue::String(url.into()),
            type_: ImageUrlChunkType::ImageUrl,
        })))
    }

    /// A file uploaded before (purpose `ocr`), by its id (a UUID).
    pub fn file_id(id: impl std::fmt::Display) -> Document {
        let id = id.to_string();
        Document(match Uuid::parse_str(&id) {
            Ok(file_id) => Source::Ready(OcrDocument::File(FileChunk { file_id, type_: FileChunkType::File })),
            Err(_) => Source::Invalid(format!("file id {id:?} is not a UUID")),
        })
    }

    /// Bytes of this MIME type, sent inline as a `data:` URL (an image for `image/*`, a
    /// document otherwise).
    pub fn bytes(bytes: impl AsRef<[u8]>, mime: &str) -> Document {
        let url = crate::chat::data_url(mime, bytes.as_ref());
        if mime.starts_with("image/") { Document::image_url(url) } else { Document::url(url) }
    }

    /// Bytes of a PDF or an image (PNG, JPEG, GIF, WebP), whose type is read from their first
    /// bytes; any other is an [`Error::InvalidRequest`] when sent (give the type with
    /// [`Document::bytes`]).
    pub fn data(bytes: impl AsRef<[u8]>) -> Document {
        let bytes = bytes.as_ref();
        match sniff(bytes) {
            Some(mime) => Document::bytes(bytes, mime),
            None => Document(Source::Invalid("not a PDF or PNG, JPEG, GIF, WebP image: give its type".into())),
        }
    }

    /// A local file, read when the request is sent and sent inline as a `data:` URL. Its type
    /// comes from its first bytes (PDF, images), else from its extension (`.pdf`, `.docx`,
    /// `.pptx`, image types).
    pub fn path(path: impl Into<PathBuf>) -> Document {
        Document(Source::Path { path: path.into(), upload: false, name: None })
    }

    /// A local file, uploaded (purpose `ocr`, streamed) when the request is sent, then read by
    /// its file id: for files too large to send inline. The uploaded file is kept.
    pub fn upload(path: impl Into<PathBuf>) -> Document {
        Document(Source::Path { path: path.into(), upload: true, name: None })
    }

    /// A local file, read now (synchronously), as [`Document::path`] sends it: for requests
    /// that are serialized rather than sent (a batch).
    pub fn read(path: impl AsRef<Path>) -> Result<Document> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|source| Error::Io { path: path.display().to_string(), source })?;
        Ok(Document::inline(path, &bytes))
    }

    /// The document's name (for a document URL, or a local file).
    pub fn name(self, name: impl Into<String>) -> Document {
        let name = Some(name.into());
        Document(match self.0 {
            Source::Ready(OcrDocument::DocumentUrl(d)) => {
                Source::Ready(OcrDocument::DocumentUrl(DocumentUrlChunk { document_name: name, ..d }))
            }
            Source::Path { path, upload, .. } => Source::Path { path, upload, name },
            Source::Ready(_) => Source::Invalid("only a document URL or a local file has a name".into()),
            invalid @ Source::Invalid(_) => invalid,
        })
    }

    fn inline(path: &Path, bytes: &[u8]) -> Document {
        match sniff(bytes).or_else(|| document_extension(path)) {
            Some(mime) => Document::bytes(bytes, mime),
            None => Document(Source::Invalid(format!("{}: not a PDF, DOCX, PPTX or image file", path.display()))),
        }
    }

    /// The wire document, reading or uploading a local file.
    async fn resolve(self, client: &crate::Client) -> Result<OcrDocument> {
        let (path, upload, name) = match self.0 {
            Source::Ready(document) => return Ok(document),
            Source::Invalid(problem) => return Err(Error::InvalidRequest(problem)),
            Source::Path { path, upload, name } => (path, upload, name),
        };
        if upload {
            let mut file = FileUpload::from_path(&path).purpose("ocr");
            if let Some(name) = name {
                file = file.file_name_as(name);
            }
            return Document::file_id(client.files().upload(file).await?.id).ready();
        }
        let bytes =
            tokio::fs::read(&path).await.map_err(|source| Error::Io { path: path.display().to_string(), source })?;
        let document = Document::inline(&path, &bytes);
        match name {
            Some(name) => document.name(name).ready(),
            None => document.ready(),
        }
    }

    fn ready(self) -> Result<OcrDocument> {
        match self.0 {
            Source::Ready(document) => Ok(document),
            Source::Invalid(problem) => Err(Error::InvalidRequest(problem)),
            Source::Path { path, .. } => Err(Error::InvalidRequest(format!(
                "{}: a local file is read when the request is sent; to serialize the request, use Document::read",
                path.display()
            ))),
        }
    }
}

/// A PDF, or an image, by its magic bytes.
fn sniff(bytes: &[u8]) -> Option<&'static str> {
    if bytes.starts_with(b"%PDF-") { Some("application/pdf") } else { crate::chat::sniff_image(bytes) }
}

fn document_extension(path: &Path) -> Option<&'static str> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    Some(match ext.as_str() {
        "pdf" => "application/pdf",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "pptx" => "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        _ => return crate::chat::image_extension(path),
    })
}

/// An OCR request, built field by field: only what you set is sent. Mistakes (an empty model,
/// a file id that is not a UUID, an unreadable file) surface as [`Error::InvalidRequest`] (or
/// [`Error::Io`]) when sent; a field this release does not name goes in with
/// [`OcrRequest::extra`].
///
/// ```
/// use mistral_sdk::{Document, OcrRequest};
///
/// /// A figure of the paper.
/// #[derive(schemars::JsonSchema, serde::Deserialize)]
/// struct Figure {
///     caption: String,
/// }
///
/// let request = OcrRequest::new("mistral-ocr-latest", Document::url("https://arxiv.org/pdf/2201.04234"))
///     .pages([0, 2])
///     .include_image_base64(true)
///     .bbox_annotation::<Figure>();
/// let wire = serde_json::to_value(&request).unwrap();
/// assert_eq!(wire["document"], serde_json::json!({"type": "document_url", "document_url": "https://arxiv.org/pdf/2201.04234"}));
/// assert_eq!(wire["pages"], serde_json::json!([0, 2]));
/// assert_eq!(wire["bbox_annotation_format"]["type"], "json_schema");
/// assert_eq!(wire["bbox_annotation_format"]["json_schema"]["name"], "Figure");
/// assert_eq!(wire["bbox_annotation_format"]["json_schema"]["description"], "A figure of the paper.");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct OcrRequest {
    inner: WireOcrRequest,
    document: Document,
    extra: Extra,
}

/// The wire request, with the [`extra`](OcrRequest::extra) fields merged in; a local file not
/// read yet ([`Document::path`]) cannot be serialized.
impl serde::Serialize for OcrRequest {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let document = self.document.clone().ready().map_err(serde::ser::Error::custom)?;
        let wire = WireOcrRequest { document, ..self.inner.clone() };
        self.extra.serialize(&wire, serializer)
    }
}

impl From<WireOcrRequest> for OcrRequest {
    fn from(inner: WireOcrRequest) -> Self {
        let document = Document(Source::Ready(inner.document.clone()));
        OcrRequest { inner, document, extra: Extra::default() }
    }
}

impl OcrRequest {
    /// Reads `document` with `model` (e.g. `mistral-ocr-latest`).
    pub fn new(model: impl Into<String>, document: Document) -> OcrRequest {
        let inner = WireOcrRequest {
            bbox_annotation_format: None,
            confidence_scores_granularity: None,
            document: OcrDocument::Other(Default::default()), // the document is kept apart until sent
            document_annotation_format: None,
            document_annotation_prompt: None,
            extract_footer: None,
            extract_header: None,
            image_limit: None,
            image_min_size: None,
            include_blocks: None,
            include_image_base64: None,
            model: Some(model.into()),
            pages: None,
            table_format: None,
        };
        OcrRequest { inner, document, extra: Extra::default() }
    }

    /// Only these pages (from 0).
    pub fn pages(mut self, pages: impl IntoIterator<Item = u32>) -> Self {
        self.inner.pages = Some(OcrRequestPages::Array(pages.into_iter().map(i64::from).collect()));
        self
    }

    /// Only these pages, as the server reads a page selection string (e.g. `"0-3,7"`).
    pub fn pages_spec(mut self, pages: impl Into<String>) -> Self {
        self.inner.pages = Some(OcrRequestPages::String(pages.into()));
        self
    }

    /// Sends each extracted image's bytes, base64-encoded (read them with
    /// [`OcrImageExt::image_bytes`]).
    pub fn include_image_base64(mut self, on: bool) -> Self {
        self.inner.include_image_base64 = Some(on);
        self
    }

    /// Extracts at most this many images.
    pub fn image_limit(mut self, n: u32) -> Self {
        self.inner.image_limit = Some(n.into());
        self
    }

    /// Extracts only images at least this large (pixels a side).
    pub fn image_min_size(mut self, pixels: u32) -> Self {
        self.inner.image_min_size = Some(pixels.into());
        self
    }

    /// Annotates each extracted image (bounding box) with a value of `T`'s JSON Schema (derive
    /// `schemars::JsonSchema`): read them with [`OcrResponseExt::image_annotations_as`].
    pub fn bbox_annotation<T: JsonSchema>(self) -> Self {
        self.bbox_annotation_with(crate::schema::json_schema_for::<T>())
    }

    /// [`bbox_annotation`](Self::bbox_annotation) with a schema given as the wire type.
    pub fn bbox_annotation_with(mut self, schema: WireJsonSchema) -> Self {
        self.inner.bbox_annotation_format = Some(crate::schema::response_format(schema));
        self
    }

    /// Annotates the whole document with a value of `T`'s JSON Schema: read it with
    /// [`OcrResponseExt::document_annotation_as`].
    pub fn document_annotation<T: JsonSchema>(self) -> Self {
        self.document_annotation_with(crate::schema::json_schema_for::<T>())
    }

    /// [`document_annotation`](Self::document_annotation) with a schema given as the wire type.
    pub fn document_annotation_with(mut self, schema: WireJsonSchema) -> Self {
        self.inner.document_annotation_format = Some(crate::schema::response_format(schema));
        self
    }

    /// Instructions for the document annotation.
    pub fn document_annotation_prompt(mut self, prompt: impl Into<String>) -> Self {
        self.inner.document_annotation_prompt = Some(prompt.into());
        self
    }

    /// Tables apart from the markdown, as `markdown` or `html` (`KnownOcrRequestTableFormat`).
    pub fn table_format(mut self, format: impl Into<OcrRequestTableFormat>) -> Self {
        self.inner.table_format = Some(format.into());
        self
    }

    /// Page headers apart from the markdown (in each page's `header`).
    pub fn extract_header(mut self, on: bool) -> Self {
        self.inner.extract_header = Some(on);
        self
    }

    /// Page footers apart from the markdown (in each page's `footer`).
    pub fn extract_footer(mut self, on: bool) -> Self {
        self.inner.extract_footer = Some(on);
        self
    }

    /// Each page's layout blocks (text, title, table, equation...) with their boxes.
    pub fn include_blocks(mut self, on: bool) -> Self {
        self.inner.include_blocks = Some(on);
        self
    }

    /// Confidence scores per `word`, `page` or `block`.
    pub fn confidence_scores(mut self, granularity: impl Into<OcrRequestConfidenceScoresGranularity>) -> Self {
        self.inner.confidence_scores_granularity = Some(granularity.into());
        self
    }

    /// Sets a body field this release does not name (or overrides one it does).
    pub fn extra(mut self, name: impl Into<String>, value: impl Into<serde_json::Value>) -> Self {
        self.extra.insert(name, value);
        self
    }

    /// The document it reads.
    pub fn document(&self) -> &Document {
        &self.document
    }

    /// Checks what the server would refuse: an empty model, a bad document.
    pub fn validate(&self) -> Result<()> {
        let mut problems = Vec::new();
        if self.inner.model.as_deref().is_none_or(|m| m.trim().is_empty()) {
            problems.push("the model is empty".into());
        }
        if let Source::Invalid(problem) = &self.document.0 {
            problems.push(problem.clone());
        }
        if problems.is_empty() { Ok(()) } else { Err(Error::InvalidRequest(problems.join("; "))) }
    }

    async fn resolve(mut self, client: &crate::Client) -> Result<OcrRequest> {
        let document = self.document.resolve(client).await?;
        self.document = Document(Source::Ready(document));
        Ok(self)
    }
}

impl crate::batch::Batchable for OcrRequest {
    type Response = OcrResponse;
    fn operation(&self) -> &'static ops::Operation {
        &ops::OCR_V1_OCR_POST
    }
    fn model(&self) -> Option<&str> {
        self.inner.model.as_deref()
    }
    fn check(&self) -> Result<()> {
        self.validate()?;
        self.document.clone().ready().map(drop)
    }
}

/// Reading an OCR response: the pages' markdown, the annotations as typed values, the images.
pub trait OcrResponseExt {
    /// Every page's markdown, in page order, separated by blank lines.
    fn markdown(&self) -> String;

    /// The document annotation (asked with [`OcrRequest::document_annotation`]) as a `T`:
    /// [`Error::InvalidOutput`] when there is none or it does not fit.
    fn document_annotation_as<T: DeserializeOwned>(&self) -> Result<T>;

    /// Each annotated image's id and annotation (asked with [`OcrRequest::bbox_annotation`])
    /// as a `T`, in page order.
    fn image_annotations_as<T: DeserializeOwned>(&self) -> Vec<(&str, Result<T>)>;

    /// Every extracted image, in page order.
    fn images(&self) -> Vec<&OcrImageObject>;
}

impl OcrResponseExt for OcrResponse {
    fn markdown(&self) -> String {
        let mut pages: Vec<_> = self.pages.iter().collect();
        pages.sort_by_key(|p| p.index);
        pages.iter().map(|p| p.markdown.as_str()).collect::<Vec<_>>().join("\n\n")
    }

    fn document_annotation_as<T: DeserializeOwned>(&self) -> Result<T> {
        match &self.document_annotation {
            Some(text) => crate::ext::parse_output(text),
            None => Err(missing("the response has no document annotation")),
        }
    }

    fn image_annotations_as<T: DeserializeOwned>(&self) -> Vec<(&str, Result<T>)> {
        self.images()
            .into_iter()
            .filter_map(|image| Some((image.id.as_str(), crate::ext::parse_output(image.image_annotation.as_deref()?))))
            .collect()
    }

    fn images(&self) -> Vec<&OcrImageObject> {
        let mut pages: Vec<_> = self.pages.iter().collect();
        pages.sort_by_key(|p| p.index);
        pages.into_iter().flat_map(|p| &p.images).collect()
    }
}

/// Reading an extracted image.
pub trait OcrImageExt {
    /// Its bytes (asked with [`OcrRequest::include_image_base64`]), decoded from base64 or a
    /// base64 `data:` URL; `None` when the response has none.
    fn image_bytes(&self) -> Option<Result<Vec<u8>>>;
    /// Its annotation as a `T`; `None` when it has none.
    fn annotation_as<T: DeserializeOwned>(&self) -> Option<Result<T>>;
}

impl OcrImageExt for OcrImageObject {
    fn image_bytes(&self) -> Option<Result<Vec<u8>>> {
        let text = self.image_base64.as_deref()?;
        let data = match text.split_once(";base64,") {
            Some((head, data)) if head.starts_with("data:") => data,
            _ => text,
        };
        Some(crate::base64::decode(data).map_err(|why| {
            Error::decode(text.as_bytes(), <serde_json::Error as serde::de::Error>::custom(format!("image: {why}")))
        }))
    }

    fn annotation_as<T: DeserializeOwned>(&self) -> Option<Result<T>> {
        Some(crate::ext::parse_output(self.image_annotation.as_deref()?))
    }
}

fn missing(what: &str) -> Error {
    Error::InvalidOutput { content: String::new(), source: <serde_json::Error as serde::de::Error>::custom(what) }
}
