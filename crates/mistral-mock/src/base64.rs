//! Base64 (standard alphabet, padded), as data URLs, audio and voice samples carry bytes.

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// `bytes` as standard, padded base64.
pub(crate) fn encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [chunk[0], chunk.get(1).copied().unwrap_or(0), chunk.get(2).copied().unwrap_or(0)];
        let n = u32::from(b[0]) << 16 | u32::from(b[1]) << 8 | u32::from(b[2]);
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(char::from(ALPHABET[((n >> shift) & 63) as usize]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Decodes standard or URL-safe base64, skipping what is not base64 (whitespace, padding, a
/// stray character): never fails.
pub(crate) fn decode(encoded: &[u8]) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' | b'-' => Some(62),
        b'/' | b'_' => Some(63),
        _ => None,
    };
    let mut out = Vec::with_capacity(encoded.len() * 3 / 4);
    let (mut buffer, mut bits) = (0u32, 0u32);
    for sextet in encoded.iter().copied().filter_map(value) {
        buffer = (buffer << 6) | u32::from(sextet);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buffer >> bits) as u8);
            buffer &= (1 << bits) - 1;
        }
    }
    out
}

/// The bytes of a `data:` URL (base64 or not), or of bare base64 text.
pub(crate) fn data_url_bytes(url: &str) -> Vec<u8> {
    match url.strip_prefix("data:").and_then(|rest| rest.split_once(',')) {
        Some((head, payload)) if head.ends_with(";base64") => decode(payload.as_bytes()),
        Some((_, payload)) => percent_decode(payload),
        None => decode(url.as_bytes()),
    }
}

/// The media type of a `data:` URL (`text/plain` when it names none), `None` for another URL.
pub(crate) fn data_url_media(url: &str) -> Option<&str> {
    let head = url.strip_prefix("data:")?.split_once(',')?.0;
    let media = head.split(';').next().unwrap_or_default();
    Some(if media.is_empty() { "text/plain" } else { media })
}

fn percent_decode(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (bytes[i], bytes.get(i + 1).copied().and_then(hex), bytes.get(i + 2).copied().and_then(hex)) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        for text in ["", "h", "he", "hel", "hello world", "\u{0}\u{ff}é"] {
            assert_eq!(decode(encode(text.as_bytes()).as_bytes()), text.as_bytes(), "{text}");
        }
        assert_eq!(encode(b"hello world"), "aGVsbG8gd29ybGQ=");
        assert_eq!(data_url_bytes("data:text/plain;base64,aGk="), b"hi");
        assert_eq!(data_url_bytes("data:,a%20b"), b"a b");
        assert_eq!(data_url_media("data:;base64,aGk="), Some("text/plain"));
        assert_eq!(data_url_media("https://x"), None);
    }
}
