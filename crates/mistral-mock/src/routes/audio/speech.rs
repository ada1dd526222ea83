//! `POST /v1/audio/speech`: the input said as a WAV of `crate::audio` (so transcribing it gives
//! the input back), base64 in `audio_data`; with `stream: true`, `speech.audio.delta` events
//! then `speech.audio.done`.

use std::sync::Arc;

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use mistral_openapi::operations as ops;
use serde_json::{Value, json};

use crate::api_error::{ApiError, Detail, loc};
use crate::app::App;
use crate::audio::{pcm, wav_duration, wav_from_text};
use crate::routes::audio::voices;
use crate::routes::models::{self, Capability};
use crate::text::count_tokens;
use crate::validate::{parse_json, read_body};

/// The model when the request names none.
const DEFAULT_MODEL: &str = "voxtral-mini-tts-latest";

/// The longest input said, in characters (its audio is 1/16 s a byte).
const MAX_INPUT: usize = 4096;

/// Bytes of audio per streamed event.
const DELTA_BYTES: usize = 16 * 1024;

/// `POST /v1/audio/speech`
pub(crate) async fn create(State(app): State<Arc<App>>, headers: HeaderMap, body: Body) -> Result<Response, ApiError> {
    let bytes = read_body(body, &headers, app.options.body_limit).await?;
    let request = parse_json(&bytes)?;
    app.validators.check(&ops::SPEECH_V1_AUDIO_SPEECH_POST, &request)?;
    let model = request.get("model").and_then(Value::as_str).unwrap_or(DEFAULT_MODEL);
    models::check(&app, model, Capability::Speech)?;
    if let Some(voice) = request.get("voice_id").and_then(Value::as_str) {
        voices::find(&app, voice)?;
    }
    let input = request.get("input").and_then(Value::as_str).unwrap_or_default();
    if input.chars().count() > MAX_INPUT {
        let at = loc("body", &["input".into()]);
        let msg = format!("String should have at most {MAX_INPUT} characters");
        return Err(ApiError::invalid(Detail::new("string_too_long", at, msg)));
    }
    let wav = wav_from_text(input);
    let seconds = wav_duration(&wav).unwrap_or(0.0);
    // `pcm` is the bare samples; the mock has no MP3, FLAC or Opus encoder: those get the WAV.
    let audio = match request.get("response_format").and_then(Value::as_str) {
        Some("pcm") => pcm(&wav),
        _ => wav,
    };
    let prompt = count_tokens(input);
    let completion = (seconds.ceil() as u64).max(1) * 75;
    let usage = json!({"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion});
    if request.get("stream").and_then(Value::as_bool) != Some(true) {
        return Ok(Json(json!({"audio_data": crate::base64::encode(&audio)})).into_response());
    }
    let mut events: Vec<Value> = audio
        .chunks(DELTA_BYTES)
        .map(|piece| json!({"type": "speech.audio.delta", "audio_data": crate::base64::encode(piece)}))
        .collect();
    events.push(json!({"type": "speech.audio.done", "usage": usage}));
    Ok(crate::sse::events_response(&events, app.options.token_delay))
}
