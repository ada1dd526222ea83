//! [`Part`]: one piece of a multimodal user message.

use std::path::Path;

use uuid::Uuid;

use crate::error::{Error, Result};
use crate::types::{
    AudioChunk, AudioChunkInputAudio, AudioChunkType, ContentChunk, DocumentUrlChunk, DocumentUrlChunkType, FileChunk,
    FileChunkType, ImageDetail, ImageUrl, ImageUrlChunk, ImageUrlChunkType, ImageUrlValue, ReferenceChunk,
    ReferenceChunkType, ReferenceId, TextChunk, TextChunkType,
};

/// One piece of a user message: text, an image, a document, audio or references, for
/// [`ChatRequest::user_parts`](crate::ChatRequest::user_parts). Each is one of the spec's
/// content chunks. Mistakes (a file id that is not a UUID, a modifier on the wrong kind of part)
/// surface as [`Error::InvalidRequest`] when the request is sent.
///
/// ```
/// use mistral_sdk::{ChatRequest, Part, types::KnownImageDetail};
///
/// let request = ChatRequest::new("mistral-medium-latest").user_parts([
///     Part::text("What is in this picture, and what does the contract say?"),
///     Part::image_url("https://example.com/cheese.jpg").detail(KnownImageDetail::High),
///     Part::image_bytes(b"\x89PNG\r\n\x1a\n...", "image/png"),
///     Part::document_url("https://example.com/contract.pdf").document_name("contract.pdf"),
/// ]);
/// let wire = serde_json::to_value(&request).unwrap();
/// let content = &wire["messages"][0]["content"];
/// assert_eq!(content[1], serde_json::json!({"type": "image_url", "image_url": {"url": "https://example.com/cheese.jpg", "detail": "high"}}));
/// assert!(content[2]["image_url"].as_str().unwrap().starts_with("data:image/png;base64,iVBORw0KGgo"));
/// assert_eq!(content[3]["document_name"], "contract.pdf");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Part {
    chunk: std::result::Result<ContentChunk, String>,
}

impl From<ContentChunk> for Part {
    fn from(chunk: ContentChunk) -> Self {
        Part { chunk: Ok(chunk) }
    }
}

impl From<&str> for Part {
    fn from(text: &str) -> Self {
        Part::text(text)
    }
}

impl From<String> for Part {
    fn from(text: String) -> Self {
        Part::text(text)
    }
}

impl Part {
    /// Text.
    pub fn text(text: impl Into<String>) -> Part {
        ContentChunk::Text(TextChunk { text: text.into(), type_: TextChunkType::Text }).into()
    }

    /// An image the server fetches, or a `data:` URL (sent as `image_url: "<url>"`).
    pub fn image_url(url: impl Into<String>) -> Part {
        image(ImageUrlValue::String(url.into()))
    }

    /// An image from memory, sent inline as a `data:<mime>;base64,...` URL.
    pub fn image_bytes(bytes: impl AsRef<[u8]>, mime: impl Into<String>) -> Part {
        Part::image_url(data_url(&mime.into(), bytes.as_ref()))
    }

    /// An image from memory whose type (PNG, JPEG, GIF or WebP) is read from its first bytes;
    /// any other is an [`Error::InvalidRequest`].
    pub fn image_data(bytes: impl AsRef<[u8]>) -> Result<Part> {
        let bytes = bytes.as_ref();
        let mime =
            sniff_image(bytes).ok_or_else(|| Error::InvalidRequest("not a PNG, JPEG, GIF or WebP image".into()))?;
        Ok(Part::image_bytes(bytes, mime))
    }

    /// An image file, read now (synchronously) and sent inline as a data URL. Its type
    /// (PNG, JPEG, GIF or WebP) comes from its first bytes, else from its extension; any
    /// other is an [`Error::InvalidRequest`], a read failure an [`Error::Io`].
    pub fn image_path(path: impl AsRef<Path>) -> Result<Part> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|source| Error::Io { path: path.display().to_string(), source })?;
        let mime = sniff_image(&bytes)
            .or_else(|| image_extension(path))
            .ok_or_else(|| Error::InvalidRequest(format!("{}: not a PNG, JPEG, GIF or WebP image", path.display())))?;
        Ok(Part::image_bytes(&bytes, mime))
    }

    /// A document (PDF, DOCX, ...) the server fetches, or a `data:` URL.
    pub fn document_url(url: impl Into<String>) -> Part {
        ContentChunk::DocumentUrl(DocumentUrlChunk {
            document_url: url.into(),
            document_name: None,
            type_: DocumentUrlChunkType::DocumentUrl,
        })
        .into()
    }

    /// A file uploaded before (`Client::files().upload`), by its id (a UUID).
    pub fn document_file_id(id: impl std::fmt::Display) -> Part {
        let id = id.to_string();
        Part {
            chunk: Uuid::parse_str(&id)
                .map(|file_id| ContentChunk::File(FileChunk { file_id, type_: FileChunkType::File }))
                .map_err(|_| format!("file id {id:?} is not a UUID")),
        }
    }

    /// Audio (`input_audio`): base64-encoded audio data, or a URL to it.
    pub fn audio(data_or_url: impl Into<String>) -> Part {
        ContentChunk::InputAudio(AudioChunk {
            input_audio: AudioChunkInputAudio::Base64(data_or_url.into()),
            type_: AudioChunkType::InputAudio,
        })
        .into()
    }

    /// Audio from memory (MP3, WAV, ...), sent base64-encoded.
    pub fn audio_bytes(bytes: impl AsRef<[u8]>) -> Part {
        Part::audio(crate::base64::encode(bytes.as_ref()))
    }

    /// References to earlier results (e.g. from a tool), by id.
    pub fn reference<I: Into<ReferenceId>>(ids: impl IntoIterator<Item = I>) -> Part {
        ContentChunk::Reference(ReferenceChunk {
            reference_ids: ids.into_iter().map(Into::into).collect(),
            type_: ReferenceChunkType::Reference,
        })
        .into()
    }

    /// The resolution the model looks at an image with (`low`, `auto`, `high`); only for
    /// image parts.
    pub fn detail(self, detail: impl Into<ImageDetail>) -> Part {
        let detail = Some(detail.into());
        self.map("detail", |chunk| match chunk {
            ContentChunk::ImageUrl(ImageUrlChunk { image_url, type_ }) => {
                let url = match image_url {
                    ImageUrlValue::String(url) => url,
                    ImageUrlValue::ImageUrl(i) => i.url,
                };
                Ok(ContentChunk::ImageUrl(ImageUrlChunk {
                    image_url: ImageUrlValue::ImageUrl(ImageUrl { url, detail }),
                    type_,
                }))
            }
            other => Err(other),
        })
    }

    /// The document's name, shown to the model; only for document URL parts.
    pub fn document_name(self, name: impl Into<String>) -> Part {
        let name = Some(name.into());
        self.map("document_name", |chunk| match chunk {
            ContentChunk::DocumentUrl(d) => {
                Ok(ContentChunk::DocumentUrl(DocumentUrlChunk { document_name: name, ..d }))
            }
            other => Err(other),
        })
    }

    /// The chunk this part sends, or why it cannot be sent.
    pub fn to_chunk(&self) -> std::result::Result<&ContentChunk, &str> {
        self.chunk.as_ref().map_err(String::as_str)
    }

    pub(crate) fn into_chunk(self) -> std::result::Result<ContentChunk, String> {
        self.chunk
    }

    fn map(self, what: &str, f: impl FnOnce(ContentChunk) -> std::result::Result<ContentChunk, ContentChunk>) -> Part {
        Part {
            chunk: self.chunk.and_then(|chunk| f(chunk).map_err(|c| format!("{what} does not apply to {}", kind(&c)))),
        }
    }
}

fn image(value: ImageUrlValue) -> Part {
    ContentChunk::ImageUrl(ImageUrlChunk { image_url: value, type_: ImageUrlChunkType::ImageUrl }).into()
}

fn kind(chunk: &ContentChunk) -> &'static str {
    match chunk {
        ContentChunk::Text(_) => "a text part",
        ContentChunk::ImageUrl(_) => "an image part",
        ContentChunk::DocumentUrl(_) => "a document URL part",
        ContentChunk::Reference(_) => "a reference part",
        ContentChunk::File(_) => "a file part",
        ContentChunk::Thinking(_) => "a thinking part",
        ContentChunk::InputAudio(_) => "an audio part",
        ContentChunk::Other(_) => "this part",
    }
}

/// `data:<mime>;base64,<bytes>`.
pub(crate) fn data_url(mime: &str, bytes: &[u8]) -> String {
    let mut url = format!("data:{mime};base64,");
    url.push_str(&crate::base64::encode(bytes));
    url
}

/// The image type the magic bytes say.
pub(crate) fn sniff_image(bytes: &[u8]) -> Option<&'static str> {
    match bytes {
        [0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n', ..] => Some("image/png"),
        [0xff, 0xd8, 0xff, ..] => Some("image/jpeg"),
        [b'G', b'I', b'F', b'8', b'7' | b'9', b'a', ..] => Some("image/gif"),
        [b'R', b'I', b'F', b'F', _, _, _, _, b'W', b'E', b'B', b'P', ..] => Some("image/webp"),
        _ => None,
    }
}

pub(crate) fn image_extension(path: &Path) -> Option<&'static str> {
    let ext = path.extension()?.to_str()?.to_ascii_lowercase();
    match ext.as_str() {
        "png" => Some("image/png"),
        "jpg" | "jpeg" => Some("image/jpeg"),
        "gif" => Some("image/gif"),
        "webp" => Some("image/webp"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn magic_bytes() {
        assert_eq!(sniff_image(b"\x89PNG\r\n\x1a\n\0\0"), Some("image/png"));
        assert_eq!(sniff_image(b"\xff\xd8\xff\xe0"), Some("image/jpeg"));
        assert_eq!(sniff_image(b"GIF89a.."), Some("image/gif"));
        assert_eq!(sniff_image(b"GIF87a"), Some("image/gif"));
        assert_eq!(sniff_image(b"RIFF\x10\0\0\0WEBPVP8 "), Some("image/webp"));
        assert_eq!(sniff_image(b"RIFF\x10\0\0\0WAVEfmt "), None);
        assert_eq!(sniff_image(b"%PDF-1.7"), None);
        assert_eq!(sniff_image(b""), None);
        assert_eq!(image_extension(Path::new("a/b.JPG")), Some("image/jpeg"));
        assert_eq!(image_extension(Path::new("a/b.bmp")), None);
    }

    #[test]
    fn modifiers_on_the_wrong_kind_are_problems() {
        assert_eq!(
            Part::text("x").detail(crate::types::KnownImageDetail::Low).to_chunk(),
            Err("detail does not apply to a text part")
        );
        assert!(Part::image_url("u").document_name("n").to_chunk().is_err());
        assert!(Part::document_file_id("not-a-uuid").to_chunk().unwrap_err().contains("not a UUID"));
    }
}
