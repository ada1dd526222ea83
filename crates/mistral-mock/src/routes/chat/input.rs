//! What the messages hold: their text, their tokens (text, images, documents) and the
//! seconds of audio they carry.
//!
//! Images cost what a 16-pixel-patch vision encoder would spend on them: the image scaled to
//! at most 1024 pixels on its longest side (512 with `detail: "low"`), one token per 16×16
//! patch plus one per row of patches. The size is read from the header of a `data:` URL
//! (PNG, GIF, JPEG, WebP); a remote image (or an unreadable one) counts as 768×768.
//! Documents: a `data:` text document counts its own tokens, another `data:` document one
//! token per 20 bytes (at least 16), a remote document or an uploaded file (`file_id`) 500.
//! Audio is not in `prompt_tokens`: its seconds (about 6.5 kB of compressed audio per second,
//! at least 1) are reported apart.

use mistral_openapi::types::{
    AudioChunkInputAudio, ContentChunk, ImageDetail, ImageUrlValue, KnownImageDetail, MessageContent, Messages,
    SystemMessageContent, SystemMessageContentChunks, ThinkChunk, ThinkingChunk,
};

use crate::text::count_tokens;

/// Pixels per side of a patch.
const PATCH: u64 = 16;
/// Longest side an image is scaled down to.
const MAX_SIDE: u64 = 1024;
/// Longest side with `detail: "low"`.
const LOW_SIDE: u64 = 512;
/// The size assumed for an image whose size cannot be read.
const UNKNOWN_SIDE: u64 = 768;
/// Tokens of a document the mock cannot read (remote, or an uploaded file).
const UNKNOWN_DOCUMENT: u64 = 500;
/// Bytes per token of a binary document (PDF, ...).
const DOCUMENT_BYTES_PER_TOKEN: u64 = 20;
/// Bytes of compressed audio per second (a 52 kbit/s stream: the live server heard 5 s in
/// 33 kB).
const AUDIO_BYTES_PER_SECOND: u64 = 6_500;
/// At most this much of a data URL is decoded to find an image's size.
const HEADER_BASE64: usize = 87_384;

/// A message's text: the string, or its chunks as text (images, documents and audio as a
/// placeholder; thinking left out).
pub(crate) fn content_text(content: Option<&MessageContent>) -> String {
    match content {
        None => String::new(),
        Some(MessageContent::String(s)) => s.clone(),
        Some(MessageContent::Array(chunks)) => chunks
            .iter()
            .filter_map(|c| match c {
                ContentChunk::Text(t) => Some(t.text.as_str()),
                ContentChunk::ImageUrl(_) => Some("[image]"),
                ContentChunk::DocumentUrl(_) | ContentChunk::File(_) => Some("[document]"),
                ContentChunk::InputAudio(_) => Some("[audio]"),
                _ => None,
            })
            .collect::<Vec<_>>()
            .join("\n"),
    }
}

/// A system message's text.
pub(crate) fn system_text(content: &SystemMessageContent) -> String {
    match content {
        SystemMessageContent::String(s) => s.clone(),
        SystemMessageContent::Array(chunks) => chunks
            .iter()
            .filter_map(|c| match c {
                SystemMessageContentChunks::Text(t) => Some(t.text.as_str()),
                _ => None,
            })
            .collect::<Vec<_>>()
            .join("\n"),
    }
}

fn thinking_tokens(think: &ThinkChunk) -> u64 {
    think
        .thinking
        .iter()
        .map(|t| match t {
            ThinkingChunk::Text(t) => count_tokens(&t.text),
            _ => 0,
        })
        .sum()
}

/// Tokens of a message's content: text, thinking, images and documents (audio apart).
pub(crate) fn content_tokens(content: Option<&MessageContent>) -> u64 {
    match content {
        None => 0,
        Some(MessageContent::String(s)) => count_tokens(s),
        Some(MessageContent::Array(chunks)) => chunks.iter().map(chunk_tokens).sum(),
    }
}

fn chunk_tokens(chunk: &ContentChunk) -> u64 {
    match chunk {
        ContentChunk::Text(t) => count_tokens(&t.text),
        ContentChunk::Thinking(t) => thinking_tokens(t),
        ContentChunk::ImageUrl(image) => {
            let (url, low) = match &image.image_url {
                ImageUrlValue::String(url) => (url.as_str(), false),
                ImageUrlValue::ImageUrl(i) => {
                    (i.url.as_str(), i.detail == Some(ImageDetail::Known(KnownImageDetail::Low)))
                }
            };
            image_tokens(url, low)
        }
        ContentChunk::DocumentUrl(d) => document_tokens(&d.document_url),
        ContentChunk::File(_) => UNKNOWN_DOCUMENT,
        ContentChunk::Reference(r) => r.reference_ids.len() as u64,
        ContentChunk::InputAudio(_) | ContentChunk::Other(_) => 0,
    }
}

/// Tokens of a system message.
pub(crate) fn system_tokens(content: &SystemMessageContent) -> u64 {
    match content {
        SystemMessageContent::String(s) => count_tokens(s),
        SystemMessageContent::Array(chunks) => chunks
            .iter()
            .map(|c| match c {
                SystemMessageContentChunks::Text(t) => count_tokens(&t.text),
                SystemMessageContentChunks::Thinking(t) => thinking_tokens(t),
                _ => 0,
            })
            .sum(),
    }
}

/// The chunks of every user message.
fn user_chunks(messages: &[Messages]) -> impl Iterator<Item = &ContentChunk> {
    messages
        .iter()
        .filter_map(|m| match m {
            Messages::User { content: Some(MessageContent::Array(chunks)) } => Some(chunks),
            _ => None,
        })
        .flatten()
}

/// Whether the user sent images.
pub(crate) fn has_images(messages: &[Messages]) -> bool {
    user_chunks(messages).any(|c| matches!(c, ContentChunk::ImageUrl(_)))
}

/// Seconds of the audio in the user's messages, `None` without audio.
pub(crate) fn audio_seconds(messages: &[Messages]) -> Option<u64> {
    let mut any = false;
    let bytes: u64 = user_chunks(messages)
        .filter_map(|c| match c {
            ContentChunk::InputAudio(audio) => {
                any = true;
                let (AudioChunkInputAudio::Base64(data) | AudioChunkInputAudio::Bytes(data)) = &audio.input_audio;
                Some(base64_len(payload(data)))
            }
            _ => None,
        })
        .sum();
    any.then(|| (bytes / AUDIO_BYTES_PER_SECOND).max(1))
}

/// The base64 payload of a `data:` URL (or the string itself).
fn payload(data: &str) -> &str {
    match data.strip_prefix("data:").and_then(|rest| rest.split_once(',')) {
        Some((_, payload)) => payload,
        None => data,
    }
}

/// The media type and base64 payload of a `data:...;base64,` URL.
fn data_url(url: &str) -> Option<(&str, &str)> {
    let (head, payload) = url.strip_prefix("data:")?.split_once(',')?;
    let media = head.strip_suffix(";base64")?;
    Some((media, payload))
}

/// Bytes that `encoded` base64 text stands for.
fn base64_len(encoded: &str) -> u64 {
    let chars = encoded.bytes().filter(|b| !b.is_ascii_whitespace() && *b != b'=').count() as u64;
    chars * 3 / 4
}

fn be16(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from(u16::from_be_bytes([*b.get(at)?, *b.get(at + 1)?])))
}

fn le16(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from(u16::from_le_bytes([*b.get(at)?, *b.get(at + 1)?])))
}

fn le24(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from(*b.get(at)?) | u64::from(*b.get(at + 1)?) << 8 | u64::from(*b.get(at + 2)?) << 16)
}

/// Width and height from an image's first bytes (PNG, GIF, JPEG, WebP).
pub(crate) fn image_size(b: &[u8]) -> Option<(u64, u64)> {
    if b.starts_with(b"\x89PNG\r\n\x1a\n") {
        let w = u32::from_be_bytes(b.get(16..20)?.try_into().ok()?);
        let h = u32::from_be_bytes(b.get(20..24)?.try_into().ok()?);
        return Some((u64::from(w), u64::from(h)));
    }
    if b.starts_with(b"GIF8") {
        return Some((le16(b, 6)?, le16(b, 8)?));
    }
    if b.starts_with(b"RIFF") && b.get(8..12) == Some(b"WEBP") {
        return match b.get(12..16)? {
            b"VP8X" => Some((le24(b, 24)? + 1, le24(b, 27)? + 1)),
            b"VP8 " => Some((le16(b, 26)? & 0x3fff, le16(b, 28)? & 0x3fff)),
            _ => None,
        };
    }
    if b.starts_with(&[0xff, 0xd8]) {
        // Walk the JPEG segments to the first start-of-frame.
        let mut at = 2;
        while at + 9 < b.len() {
            if b[at] != 0xff {
                return None;
            }
            let marker = b[at + 1];
            if (0xc0..=0xcf).contains(&marker) && !matches!(marker, 0xc4 | 0xc8 | 0xcc) {
                return Some((be16(b, at + 7)?, be16(b, at + 5)?));
            }
            at += 2 + usize::try_from(be16(b, at + 2)?).ok()?;
        }
    }
    None
}

/// Tokens of an image of this size (see the module docs).
pub(crate) fn tokens_for_size(width: u64, height: u64, low: bool) -> u64 {
    let limit = if low { LOW_SIDE } else { MAX_SIDE };
    let longest = width.max(height).max(1);
    let scale = |side: u64| if longest > limit { (side * limit).div_ceil(longest) } else { side };
    let (w, h) = (scale(width).max(1), scale(height).max(1));
    let (cols, rows) = (w.div_ceil(PATCH), h.div_ceil(PATCH));
    rows * cols + rows
}

fn image_tokens(url: &str, low: bool) -> u64 {
    let size = data_url(url).and_then(|(_, payload)| {
        // Bytes, not a str slice: the payload may hold any character.
        let head = &payload.as_bytes()[..payload.len().min(HEADER_BASE64)];
        image_size(&crate::base64::decode(head))
    });
    let (w, h) = size.unwrap_or((UNKNOWN_SIDE, UNKNOWN_SIDE));
    tokens_for_size(w, h, low)
}

fn document_tokens(url: &str) -> u64 {
    match data_url(url) {
        Some((media, payload)) if media.starts_with("text/") || media.ends_with("json") || media.ends_with("xml") => {
            count_tokens(&String::from_utf8_lossy(&crate::base64::decode(payload.as_bytes())))
        }
        Some((_, payload)) => (base64_len(payload) / DOCUMENT_BYTES_PER_TOKEN).max(16),
        None => UNKNOWN_DOCUMENT,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_sizes_from_headers() {
        // A 2x3 PNG's signature and IHDR.
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        png.extend_from_slice(&2u32.to_be_bytes());
        png.extend_from_slice(&3u32.to_be_bytes());
        assert_eq!(image_size(&png), Some((2, 3)));
        assert_eq!(image_size(b"GIF89a\x0a\x00\x14\x00"), Some((10, 20)));
        let jpeg = [0xff, 0xd8, 0xff, 0xe0, 0, 4, 0, 0, 0xff, 0xc0, 0, 17, 8, 1, 0x90, 2, 0x58, 3];
        assert_eq!(image_size(&jpeg), Some((600, 400)));
        assert_eq!(image_size(b"not an image"), None);
    }

    #[test]
    fn image_tokens_grow_with_the_image_and_are_capped() {
        assert_eq!(tokens_for_size(1, 1, false), 2);
        assert_eq!(tokens_for_size(32, 16, false), 2 + 1);
        assert_eq!(tokens_for_size(1024, 1024, false), 64 * 64 + 64);
        assert_eq!(tokens_for_size(4096, 4096, false), 64 * 64 + 64);
        assert_eq!(tokens_for_size(4096, 4096, true), 32 * 32 + 32);
        assert_eq!(image_tokens("https://example.com/a.jpg", false), 48 * 48 + 48);
    }

    #[test]
    fn base64_round_trip_and_documents() {
        assert_eq!(crate::base64::decode(b"aGVsbG8gd29ybGQ="), b"hello world");
        // Not base64 at all (multibyte characters included): skipped, no panic.
        assert_eq!(image_tokens(&format!("data:image/png;base64,{}", "é".repeat(50_000)), false), 48 * 48 + 48);
        assert_eq!(base64_len("aGVsbG8gd29ybGQ="), 11);
        assert_eq!(document_tokens("data:text/plain;base64,aGVsbG8gd29ybGQ="), 2);
        assert_eq!(document_tokens("https://example.com/a.pdf"), UNKNOWN_DOCUMENT);
    }
}
