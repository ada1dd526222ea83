//! `POST /v1/audio/transcriptions` (multipart; `stream: true` for named events): the text a
//! WAV of `crate::audio` carries, exactly; plausible text derived from any other audio.

use std::sync::Arc;

use axum::Json;
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::api_error::{ApiError, Detail, loc};
use crate::app::App;
use crate::audio::{text_from_wav, wav_duration};
use crate::routes::files::file_bytes;
use crate::routes::models::{self, Capability};
use crate::text::{self, count_tokens, hash64, tokenize};

/// Audio tokens per second, as chat counts them.
const AUDIO_TOKENS_PER_SECOND: u64 = 75;
/// Tokens of the instruction the model is given before the audio.
const INSTRUCTION_TOKENS: u64 = 4;
/// Bytes per second of compressed audio (128 kbit/s), for a duration without a WAV header.
const COMPRESSED_BYTES_PER_SECOND: f64 = 16_000.0;

/// The form, as sent.
#[derive(Default)]
struct Form {
    model: Option<String>,
    file: Option<Vec<u8>>,
    file_url: Option<String>,
    file_id: Option<String>,
    language: Option<String>,
    stream: bool,
    diarize: bool,
    context_bias: Vec<String>,
    granularities: Vec<String>,
}

fn field_error(kind: &str, field: &str, msg: impl Into<String>, input: Option<&str>) -> Detail {
    let detail = Detail::new(kind, loc("body", &[Value::from(field)]), msg);
    match input {
        Some(input) => detail.with_input(Value::from(input)),
        None => detail,
    }
}

fn boolean(field: &str, raw: &str, details: &mut Vec<Detail>) -> bool {
    match raw.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => true,
        "false" | "0" | "no" | "off" | "" => false,
        _ => {
            let msg = "Input should be a valid boolean, unable to interpret input";
            details.push(field_error("bool_parsing", field, msg, Some(raw)));
            false
        }
    }
}

/// Reads the multipart form (arrays as repeated fields, `name` or `name[]`), checking it.
async fn read_form(request: Request, limit: usize) -> Result<Form, ApiError> {
    let mut multipart = Multipart::from_request(request, &()).await.map_err(|e| {
        let msg = format!("Field required: send multipart/form-data with a 'model' part ({})", e.body_text());
        ApiError::invalid(field_error("missing", "model", msg, None))
    })?;
    let mut form = Form::default();
    let mut details = Vec::new();
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
                return Err(ApiError::too_large(limit));
            }
            Err(e) => return Err(ApiError::invalid(field_error("value_error", "file", e.body_text(), None))),
        };
        let name = field.name().unwrap_or_default().trim_end_matches("[]").to_string();
        let bytes = field
            .bytes()
            .await
            .map_err(|e| ApiError::invalid(field_error("value_error", &name, e.body_text(), None)))?;
        let text = String::from_utf8_lossy(&bytes).into_owned();
        match name.as_str() {
            "file" => form.file = Some(bytes.to_vec()),
            "model" => form.model = Some(text),
            "file_url" => form.file_url = Some(text),
            "file_id" => form.file_id = Some(text),
            "language" => form.language = Some(text).filter(|l| !l.is_empty() && l != "null"),
            "stream" => form.stream = boolean("stream", &text, &mut details),
            "diarize" => form.diarize = boolean("diarize", &text, &mut details),
            "context_bias" => {
                form.context_bias.extend(text.split(',').map(str::trim).filter(|w| !w.is_empty()).map(str::to_string))
            }
            "timestamp_granularities" => form.granularities.extend(text.split(',').map(|g| g.trim().to_string())),
            _ => {}
        }
    }
    if form.model.as_deref().is_none_or(str::is_empty) {
        details.push(field_error("missing", "model", "Field required", None));
    }
    if let Some(language) = &form.language
        && !(language.chars().count() == 2 && language.chars().all(|c| c.is_alphanumeric() || c == '_'))
    {
        details.push(field_error(
            "string_pattern_mismatch",
            "language",
            "String should match pattern '^\\w{2}$'",
            Some(language),
        ));
    }
    for g in form.granularities.iter().filter(|g| !matches!(g.as_str(), "segment" | "word")) {
        details.push(field_error("enum", "timestamp_granularities", "Input should be 'segment' or 'word'", Some(g)));
    }
    if details.is_empty() { Ok(form) } else { Err(ApiError::validation(details)) }
}

/// The audio to transcribe: its bytes, or only a URL the mock does not fetch.
enum Audio {
    Bytes(Vec<u8>),
    Remote(String),
}

async fn audio(app: &App, form: &mut Form) -> Result<Audio, ApiError> {
    if let Some(bytes) = form.file.take() {
        return Ok(Audio::Bytes(bytes));
    }
    if let Some(raw) = &form.file_id {
        let missing = || ApiError::not_found(format!("No file with id {raw}"));
        let id = Uuid::try_parse(raw.trim()).map_err(|_| missing())?;
        return Ok(Audio::Bytes(file_bytes(app, id).await.ok_or_else(missing)?.1.to_vec()));
    }
    match &form.file_url {
        Some(url) if url.starts_with("data:") => Ok(Audio::Bytes(crate::base64::data_url_bytes(url))),
        Some(url) => Ok(Audio::Remote(url.clone())),
        None => Err(ApiError::bad_request("Give the audio: a 'file', a 'file_url' or a 'file_id'")),
    }
}

/// A transcript: the text, how long the audio is, and where each part of the text is said.
struct Transcript {
    text: String,
    seconds: f64,
    language: String,
}

/// The two-letter language of `text`, from its most common function words (English when none).
fn detect_language(text: &str) -> String {
    const WORDS: &[(&str, &[&str])] = &[
        ("en", &["the", "and", "is", "of", "to", "you", "it", "in"]),
        ("fr", &["le", "la", "les", "et", "est", "de", "je", "vous", "bonjour", "un", "une"]),
        ("es", &["el", "los", "las", "y", "es", "que", "hola", "por", "una"]),
        ("de", &["der", "die", "das", "und", "ist", "ich", "nicht", "ein", "eine"]),
        ("it", &["il", "che", "e", "sono", "ciao", "gli", "una", "per"]),
    ];
    let lower = text.to_lowercase();
    let words: Vec<&str> = lower.split(|c: char| !c.is_alphabetic()).filter(|w| !w.is_empty()).collect();
    let count = |list: &[&str]| words.iter().filter(|w| list.contains(w)).count();
    let mut best = ("en", 0);
    for (language, list) in WORDS {
        let n = count(list);
        if n > best.1 {
            best = (language, n);
        }
    }
    best.0.to_string()
}

fn transcribe(audio: &Audio, language: Option<&str>) -> Transcript {
    let (text, seconds) = match audio {
        Audio::Bytes(bytes) => match text_from_wav(bytes) {
            Some(text) => (text, wav_duration(bytes).unwrap_or(0.0)),
            None => {
                let seconds = wav_duration(bytes).unwrap_or(bytes.len() as f64 / COMPRESSED_BYTES_PER_SECOND).max(1.0);
                (plausible(hash64(bytes), seconds), seconds)
            }
        },
        Audio::Remote(url) => {
            let seed = hash64(url.as_bytes());
            let seconds = 5.0 + (seed % 56) as f64;
            (plausible(seed, seconds), seconds)
        }
    };
    let language = language.map_or_else(|| detect_language(&text), str::to_string);
    Transcript { text, seconds, language }
}

/// Plausible speech for `seconds` of audio: about a sentence every three seconds.
fn plausible(seed: u64, seconds: f64) -> String {
    let topics = ["the project", "the schedule", "the meeting", "the budget", "the release"];
    let topic = topics[(seed % topics.len() as u64) as usize];
    text::statements(topic, seed, (seconds / 3.0).ceil().max(1.0) as usize).join(" ")
}

/// A part of the transcript with its times.
struct Segment {
    text: String,
    start: f64,
    end: f64,
    speaker: Option<String>,
}

/// The transcript's segments: its sentences (or words, when only `word` is asked), timed by
/// where their bytes fall in the audio; speakers take turns at each line with `diarize`.
fn segments(t: &Transcript, words: bool, diarize: bool) -> Vec<Segment> {
    let total = t.text.len().max(1) as f64;
    let at = |offset: usize| (offset as f64 / total * t.seconds * 1000.0).round() / 1000.0;
    let mut out = Vec::new();
    let mut line = 0;
    let mut start = 0;
    let push = |from: usize, to: usize, line: usize, out: &mut Vec<Segment>| {
        let piece = &t.text[from..to];
        let trimmed = piece.trim();
        if trimmed.is_empty() {
            return;
        }
        let lead = piece.len() - piece.trim_start().len();
        let speaker = diarize.then(|| format!("speaker_{}", line % 2 + 1));
        out.push(Segment {
            text: trimmed.to_string(),
            start: at(from + lead),
            end: at(from + lead + trimmed.len()),
            speaker,
        });
    };
    for (i, c) in t.text.char_indices() {
        let end = i + c.len_utf8();
        let boundary = if words { c.is_whitespace() } else { matches!(c, '.' | '!' | '?' | '\n') };
        if boundary {
            push(start, end, line, &mut out);
            start = end;
        }
        if c == '\n' {
            line += 1;
        }
    }
    push(start, t.text.len(), line, &mut out);
    out
}

/// Usage as the live server reports a transcription: the audio apart, as in chat.
fn usage(t: &Transcript, context_bias: &[String]) -> Value {
    let seconds = (t.seconds.ceil() as u64).max(1);
    let audio_tokens = seconds * AUDIO_TOKENS_PER_SECOND;
    let prompt = INSTRUCTION_TOKENS + context_bias.iter().map(|w| count_tokens(w)).sum::<u64>();
    let completion = count_tokens(&t.text);
    json!({
        "prompt_audio_seconds": seconds,
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion + audio_tokens,
        "prompt_tokens_details": {"audio_tokens": audio_tokens, "cached_tokens": 0},
    })
}

/// `POST /v1/audio/transcriptions`
pub(crate) async fn create(State(app): State<Arc<App>>, request: Request) -> Result<Response, ApiError> {
    let mut form = read_form(request, app.options.upload_limit).await?;
    let model = form.model.clone().unwrap_or_default();
    models::check(&app, &model, Capability::Transcription)?;
    let audio = audio(&app, &mut form).await?;
    let transcript = transcribe(&audio, form.language.as_deref());
    let timed = !form.granularities.is_empty();
    let only_words = form.granularities.iter().all(|g| g == "word");
    let segments: Vec<Segment> =
        if timed || form.diarize { segments(&transcript, timed && only_words, form.diarize) } else { Vec::new() };
    let segment_json = |s: &Segment, kind: &str| {
        let mut v = json!({"type": kind, "text": s.text, "start": s.start, "end": s.end});
        if let Some(speaker) = &s.speaker {
            v["speaker_id"] = json!(speaker);
        }
        v
    };
    let chunks: Vec<Value> = segments.iter().map(|s| segment_json(s, "transcription_segment")).collect();
    let usage = usage(&transcript, &form.context_bias);
    if !form.stream {
        return Ok(Json(json!({
            "model": model, "text": transcript.text, "language": transcript.language, "segments": chunks, "usage": usage,
        }))
        .into_response());
    }
    let mut events = vec![json!({"type": "transcription.language", "audio_language": transcript.language})];
    let delta = |text: &str| json!({"type": "transcription.text.delta", "text": text});
    if segments.is_empty() {
        events.extend(tokenize(&transcript.text).into_iter().map(delta));
    } else {
        // Each segment's words, then the segment; what lies between segments goes with the next.
        let mut said = 0;
        for s in &segments {
            let end = transcript.text[said..].find(&s.text).map_or(transcript.text.len(), |i| said + i + s.text.len());
            events.extend(tokenize(&transcript.text[said..end]).into_iter().map(delta));
            events.push(segment_json(s, "transcription.segment"));
            said = end;
        }
        events.extend(tokenize(&transcript.text[said..]).into_iter().map(delta));
    }
    let mut done = json!({"type": "transcription.done", "model": model, "text": transcript.text,
                          "language": transcript.language, "usage": usage});
    // As the live server: no segments list when there are none.
    if !chunks.is_empty() {
        done["segments"] = Value::Array(chunks);
    }
    events.push(done);
    Ok(crate::sse::events_response(&events, app.options.token_delay))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_from_function_words() {
        assert_eq!(detect_language("Bonjour, je suis ravi de vous voir."), "fr");
        assert_eq!(detect_language("The cat is on the mat."), "en");
        assert_eq!(detect_language("123"), "en");
    }

    #[test]
    fn segments_are_sentences_or_words_timed_by_position() {
        let t = Transcript { text: "Hello there. How are you?".into(), seconds: 25.0, language: "en".into() };
        let s = segments(&t, false, false);
        assert_eq!(s.iter().map(|s| s.text.as_str()).collect::<Vec<_>>(), ["Hello there.", "How are you?"]);
        assert_eq!((s[0].start, s[0].end, s[1].start, s[1].end), (0.0, 12.0, 13.0, 25.0));
        let w = segments(&t, true, true);
        assert_eq!(w.len(), 5);
        assert_eq!(w[0].speaker.as_deref(), Some("speaker_1"));
    }
}
