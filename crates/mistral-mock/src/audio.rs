//! WAV audio that carries text, so that a transcription can be checked exactly: the mock
//! transcribes a WAV made by [`wav_from_text`] back to that text, and its speech route
//! answers with one.
//!
//! The encoding: 16 kHz, mono, 16-bit PCM; each byte of the UTF-8 text is held for
//! [`SAMPLES_PER_BYTE`] samples at the level `byte × 128` (so a second of audio carries 16
//! bytes, about the pace of speech); a `mtxt` chunk before the `data` chunk marks the file
//! (`mistral-mock text`, then the samples per byte as a little-endian `u32`). Any other
//! WAV still has a duration ([`wav_duration`]).
//!
//! ```
//! let wav = mistral_mock::audio::wav_from_text("Bonjour et bienvenue.");
//! assert_eq!(&wav[..4], b"RIFF");
//! assert_eq!(mistral_mock::audio::text_from_wav(&wav).as_deref(), Some("Bonjour et bienvenue."));
//! assert_eq!(mistral_mock::audio::wav_duration(&wav), Some(21.0 / 16.0));
//! ```

/// Samples per second.
pub const SAMPLE_RATE: u32 = 16_000;

/// Samples that hold one byte of text (1/16 s).
pub const SAMPLES_PER_BYTE: u32 = 1_000;

/// The id of the chunk that marks a WAV made by [`wav_from_text`].
const MARKER_CHUNK: &[u8; 4] = b"mtxt";
/// What the marker chunk starts with.
const MARKER: &[u8] = b"mistral-mock text";

/// A WAV (16 kHz mono 16-bit PCM) whose samples encode `text` (see the module docs).
pub fn wav_from_text(text: &str) -> Vec<u8> {
    let mut samples = Vec::with_capacity(text.len() * SAMPLES_PER_BYTE as usize * 2);
    for byte in text.bytes() {
        let level = (i16::from(byte) * 128).to_le_bytes();
        for _ in 0..SAMPLES_PER_BYTE {
            samples.extend_from_slice(&level);
        }
    }
    let mut marker = MARKER.to_vec();
    marker.extend_from_slice(&SAMPLES_PER_BYTE.to_le_bytes());
    wav(&samples, Some(&marker))
}

/// A WAV (16 kHz mono 16-bit PCM) of these little-endian sample bytes, with the marker chunk
/// when given.
fn wav(samples: &[u8], marker: Option<&[u8]>) -> Vec<u8> {
    let mut fmt = Vec::with_capacity(16);
    fmt.extend_from_slice(&1u16.to_le_bytes()); // PCM
    fmt.extend_from_slice(&1u16.to_le_bytes()); // mono
    fmt.extend_from_slice(&SAMPLE_RATE.to_le_bytes());
    fmt.extend_from_slice(&(SAMPLE_RATE * 2).to_le_bytes()); // bytes per second
    fmt.extend_from_slice(&2u16.to_le_bytes()); // bytes per frame
    fmt.extend_from_slice(&16u16.to_le_bytes()); // bits per sample
    let mut body = b"WAVE".to_vec();
    let mut chunk = |id: &[u8; 4], data: &[u8]| {
        body.extend_from_slice(id);
        body.extend_from_slice(&u32::try_from(data.len()).unwrap_or(u32::MAX).to_le_bytes());
        body.extend_from_slice(data);
        if data.len() % 2 == 1 {
            body.push(0);
        }
    };
    chunk(b"fmt ", &fmt);
    if let Some(marker) = marker {
        chunk(MARKER_CHUNK, marker);
    }
    chunk(b"data", samples);
    let mut out = b"RIFF".to_vec();
    out.extend_from_slice(&u32::try_from(body.len()).unwrap_or(u32::MAX).to_le_bytes());
    out.extend_from_slice(&body);
    out
}

/// The chunks of a RIFF/WAVE file: id and data (a truncated last chunk as far as it goes).
fn chunks(bytes: &[u8]) -> Option<Vec<(&[u8], &[u8])>> {
    if bytes.get(..4)? != b"RIFF" || bytes.get(8..12)? != b"WAVE" {
        return None;
    }
    let mut out = Vec::new();
    let mut at = 12;
    while let Some(header) = bytes.get(at..at + 8) {
        let size = u32::from_le_bytes([header[4], header[5], header[6], header[7]]) as usize;
        let start = at + 8;
        let end = start.saturating_add(size).min(bytes.len());
        out.push((&header[..4], &bytes[start..end]));
        at = end + (size % 2);
    }
    Some(out)
}

/// The text a WAV made by [`wav_from_text`] carries (`None` for any other audio). Text that
/// is not UTF-8 is decoded lossily.
pub fn text_from_wav(bytes: &[u8]) -> Option<String> {
    let chunks = chunks(bytes)?;
    let marker = chunks.iter().find(|(id, _)| *id == MARKER_CHUNK).map(|(_, data)| *data)?;
    let per_byte = marker.strip_prefix(MARKER)?;
    let per_byte = u32::from_le_bytes(per_byte.get(..4)?.try_into().ok()?) as usize;
    let data = chunks.iter().find(|(id, _)| *id == b"data").map(|(_, data)| *data)?;
    if per_byte == 0 {
        return None;
    }
    let text: Vec<u8> = data
        .chunks(per_byte * 2)
        .filter_map(|run| {
            let level = i16::from_le_bytes([*run.first()?, *run.get(1)?]);
            u8::try_from(level / 128).ok()
        })
        .collect();
    Some(String::from_utf8_lossy(&text).into_owned())
}

/// The duration in seconds of a WAV, from its `fmt ` chunk's byte rate and its `data` size.
pub fn wav_duration(bytes: &[u8]) -> Option<f64> {
    let chunks = chunks(bytes)?;
    let fmt = chunks.iter().find(|(id, _)| *id == b"fmt ").map(|(_, data)| *data)?;
    let byte_rate = u32::from_le_bytes(fmt.get(8..12)?.try_into().ok()?);
    let data = chunks.iter().find(|(id, _)| *id == b"data").map(|(_, data)| *data)?;
    (byte_rate > 0).then(|| data.len() as f64 / f64::from(byte_rate))
}

/// The PCM samples of a WAV (its `data` chunk), as the `pcm` speech format sends them.
pub(crate) fn pcm(wav: &[u8]) -> Vec<u8> {
    chunks(wav)
        .and_then(|chunks| chunks.into_iter().find(|(id, _)| *id == b"data").map(|(_, data)| data.to_vec()))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_any_text() {
        for text in ["", "a", "Hello, world.", "Ça va ? Très bien.\nNext line: 42 €"] {
            let wav = wav_from_text(text);
            assert_eq!(text_from_wav(&wav).as_deref(), Some(text));
            assert_eq!(wav_duration(&wav), Some(text.len() as f64 / 16.0));
        }
        let wav = wav_from_text("hi");
        assert_eq!(pcm(&wav).len(), 2 * 2 * SAMPLES_PER_BYTE as usize);
    }

    #[test]
    fn other_audio_has_a_duration_or_nothing() {
        let plain = wav(&[0u8; 64_000], None);
        assert_eq!((text_from_wav(&plain), wav_duration(&plain)), (None, Some(2.0)));
        assert_eq!(wav_duration(b"ID3"), None);
        let wav = wav_from_text("truncated");
        for cut in 0..wav.len() {
            let _ = (text_from_wav(&wav[..cut]), wav_duration(&wav[..cut]));
        }
    }
}
