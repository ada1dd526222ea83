//! `/v1/audio/voices`: the service's preset voices, and custom voices made from a sample
//! (create, list, get, update, delete, download the sample), kept in the store.

use std::sync::Arc;

use axum::Json;
use axum::body::Body;
use axum::extract::{Extension, Path, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use mistral_openapi::operations as ops;
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::api_error::{ApiError, Detail, loc};
use crate::app::{App, now_ms};
use crate::audio::{wav_duration, wav_from_text};
use crate::auth::Caller;
use crate::query::{query_error, query_int_in, query_map};
use crate::routes::files::path_uuid;
use crate::store::VoiceRecord;
use crate::text::hash64;
use crate::validate::{parse_json, read_body};

/// The longest part of a sample a voice keeps, in seconds.
const MAX_SAMPLE_SECONDS: f64 = 30.0;
/// Days a sample is kept when the request does not say.
const DEFAULT_RETENTION: i64 = 30;

/// A preset voice: name, languages, gender, what its sample says.
pub(crate) struct Preset {
    name: &'static str,
    languages: &'static [&'static str],
    gender: &'static str,
    greeting: &'static str,
}

const PRESETS: &[Preset] = &[
    Preset { name: "Marie", languages: &["fr"], gender: "female", greeting: "Bonjour, je suis Marie." },
    Preset { name: "Paul", languages: &["en"], gender: "male", greeting: "Hello, I am Paul." },
    Preset { name: "Lucia", languages: &["es", "en"], gender: "female", greeting: "Hola, soy Lucia." },
    Preset { name: "Jonas", languages: &["de", "en"], gender: "male", greeting: "Hallo, ich bin Jonas." },
];

/// When the presets were made.
const PRESETS_CREATED: &str = "2025-07-15T00:00:00Z";

/// A preset's id: the same on every server.
fn preset_id(preset: &Preset) -> Uuid {
    let (hi, lo) = (hash64(preset.name.as_bytes()), hash64(preset.greeting.as_bytes()));
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&hi.to_be_bytes());
    bytes[8..].copy_from_slice(&lo.to_be_bytes());
    uuid::Builder::from_random_bytes(bytes).into_uuid()
}

fn preset_json(preset: &Preset) -> Value {
    json!({
        "name": preset.name, "slug": preset.name.to_lowercase(), "languages": preset.languages,
        "gender": preset.gender, "age": null, "tags": ["preset"], "color": null, "description": null,
        "retention_notice": 0, "id": preset_id(preset), "created_at": PRESETS_CREATED, "user_id": null,
        "trimmed_seconds": wav_duration(&wav_from_text(preset.greeting)), "type": "preset",
    })
}

/// A custom voice as the API sends it (`VoiceResponse`).
fn voice_json(voice: &VoiceRecord) -> Value {
    let mut out = Value::Object(voice.fields.clone());
    let created = chrono::DateTime::from_timestamp_millis(voice.created_ms).unwrap_or_default();
    let sample = crate::base64::decode(voice.sample.as_bytes());
    out["id"] = json!(voice.id);
    out["created_at"] = json!(created.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
    out["user_id"] = json!(voice.owner);
    out["trimmed_seconds"] = json!(wav_duration(&sample).map(|s| s.min(MAX_SAMPLE_SECONDS)));
    out["type"] = json!("custom");
    out
}

/// A voice found by id.
pub(crate) enum Found {
    Preset(&'static Preset),
    Custom(VoiceRecord),
}

fn no_voice(id: &str) -> ApiError {
    ApiError::not_found(format!("Voice {id} not found"))
}

/// The preset or custom voice with this id (404 when there is none).
pub(crate) fn find(app: &App, id: &str) -> Result<Found, ApiError> {
    if let Some(preset) = PRESETS.iter().find(|p| preset_id(p).to_string() == id) {
        return Ok(Found::Preset(preset));
    }
    let parsed = Uuid::try_parse(id).map_err(|_| no_voice(id))?;
    app.with_store(|s| s.voices.iter().find(|v| v.id == parsed).cloned()).map(Found::Custom).ok_or_else(|| no_voice(id))
}

fn preset_refused(id: &str) -> ApiError {
    ApiError::bad_request(format!("Voice {id} is a preset voice: only custom voices can be changed or deleted"))
}

/// A custom voice by its path id: 422 when not a UUID, 404 when unknown, 400 for a preset.
fn custom(app: &App, raw: &str) -> Result<VoiceRecord, ApiError> {
    path_uuid(raw, "voice_id")?;
    match find(app, raw)? {
        Found::Custom(voice) => Ok(voice),
        Found::Preset(_) => Err(preset_refused(raw)),
    }
}

/// `GET /v1/audio/voices`: presets then custom voices (oldest first), `type` (`all`,
/// `custom`, `preset`), `limit` (1 to 100, default 10) from `offset` (default 0).
pub(crate) async fn list(State(app): State<Arc<App>>, RawQuery(raw): RawQuery) -> Result<Json<Value>, ApiError> {
    let q = query_map(raw.as_deref());
    let mut details = Vec::new();
    let limit = query_int_in(&q, "limit", (1, 100), &mut details).unwrap_or(10);
    let offset = query_int_in(&q, "offset", (0, i64::MAX), &mut details).unwrap_or(0);
    let kind = q.get("type").map_or("all", String::as_str);
    if !matches!(kind, "all" | "custom" | "preset") {
        details.push(query_error("enum", "type", "Input should be 'all', 'custom' or 'preset'", kind));
    }
    if !details.is_empty() {
        return Err(ApiError::validation(details));
    }
    let mut all: Vec<Value> = Vec::new();
    if kind != "custom" {
        all.extend(PRESETS.iter().map(preset_json));
    }
    if kind != "preset" {
        all.extend(app.with_store(|s| s.voices.iter().map(voice_json).collect::<Vec<_>>()));
    }
    let total = all.len() as i64;
    let items: Vec<Value> = all
        .into_iter()
        .skip(usize::try_from(offset).unwrap_or(usize::MAX))
        .take(usize::try_from(limit).unwrap_or(0))
        .collect();
    Ok(Json(json!({
        "items": items, "total": total, "page": offset / limit, "page_size": limit,
        "total_pages": (total + limit - 1) / limit,
    })))
}

/// The fields of a create or update request that a voice keeps.
const FIELDS: &[&str] =
    &["name", "slug", "languages", "gender", "age", "tags", "color", "description", "retention_notice"];

/// `POST /v1/audio/voices`: a custom voice from `sample_audio` (base64).
pub(crate) async fn create(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Value>, ApiError> {
    let bytes = read_body(body, &headers, app.options.body_limit).await?;
    let request = parse_json(&bytes)?;
    app.validators.check(&ops::CREATE_VOICE_V1_AUDIO_VOICES_POST, &request)?;
    let sample = request.get("sample_audio").and_then(Value::as_str).unwrap_or_default();
    if crate::base64::decode(sample.as_bytes()).is_empty() {
        let at = loc("body", &["sample_audio".into()]);
        return Err(ApiError::invalid(
            Detail::new("value_error", at, "Value error, the sample is empty").with_input(json!(sample)),
        ));
    }
    let mut fields = Map::new();
    for key in FIELDS {
        fields.insert((*key).to_string(), request.get(*key).cloned().unwrap_or(Value::Null));
    }
    let name = request.get("name").and_then(Value::as_str).unwrap_or_default();
    let unset = |fields: &Map<String, Value>, key: &str| fields.get(key).is_none_or(Value::is_null);
    if unset(&fields, "slug") {
        let slug: String = name.to_lowercase().chars().map(|c| if c.is_alphanumeric() { c } else { '-' }).collect();
        fields.insert("slug".into(), json!(slug));
    }
    if unset(&fields, "languages") {
        fields.insert("languages".into(), json!([]));
    }
    if unset(&fields, "retention_notice") {
        fields.insert("retention_notice".into(), json!(DEFAULT_RETENTION));
    }
    let voice = VoiceRecord {
        id: Uuid::new_v4(),
        owner: caller.owner,
        created_ms: now_ms(),
        fields,
        sample: sample.to_string(),
    };
    let out = voice_json(&voice);
    app.with_store(|s| s.voices.push(voice));
    app.save().await?;
    Ok(Json(out))
}

/// `GET /v1/audio/voices/{voice_id}`
pub(crate) async fn get(State(app): State<Arc<App>>, Path(voice_id): Path<String>) -> Result<Json<Value>, ApiError> {
    Ok(Json(match find(&app, &voice_id)? {
        Found::Preset(preset) => preset_json(preset),
        Found::Custom(voice) => voice_json(&voice),
    }))
}

/// `PATCH /v1/audio/voices/{voice_id}`: the fields given are set (`null` clears them; the
/// name is kept), the others kept.
pub(crate) async fn update(
    State(app): State<Arc<App>>,
    Path(voice_id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Value>, ApiError> {
    let bytes = read_body(body, &headers, app.options.body_limit).await?;
    let request = parse_json(&bytes)?;
    app.validators.check(&ops::UPDATE_VOICE_V1_AUDIO_VOICES_VOICE_ID_PATCH, &request)?;
    let id = custom(&app, &voice_id)?.id;
    let out = app.with_store(|s| {
        let voice = s.voices.iter_mut().find(|v| v.id == id)?;
        for (key, value) in request.as_object().into_iter().flatten() {
            match (key.as_str(), value) {
                ("name", Value::Null) => {}
                ("languages", Value::Null) => {
                    voice.fields.insert(key.clone(), json!([]));
                }
                (key, value) if FIELDS.contains(&key) => {
                    voice.fields.insert(key.to_string(), value.clone());
                }
                _ => {}
            }
        }
        Some(voice_json(voice))
    });
    let out = out.ok_or_else(|| no_voice(&voice_id))?;
    app.save().await?;
    Ok(Json(out))
}

/// `DELETE /v1/audio/voices/{voice_id}`: the deleted voice.
pub(crate) async fn delete(State(app): State<Arc<App>>, Path(voice_id): Path<String>) -> Result<Json<Value>, ApiError> {
    let id = custom(&app, &voice_id)?.id;
    let removed = app.with_store(|s| {
        let i = s.voices.iter().position(|v| v.id == id)?;
        Some(s.voices.remove(i))
    });
    let voice = removed.ok_or_else(|| no_voice(&voice_id))?;
    app.save().await?;
    Ok(Json(voice_json(&voice)))
}

/// `GET /v1/audio/voices/{voice_id}/sample`: the sample's bytes (`audio/wav`).
pub(crate) async fn sample(State(app): State<Arc<App>>, Path(voice_id): Path<String>) -> Result<Response, ApiError> {
    let bytes = match find(&app, &voice_id)? {
        Found::Preset(preset) => wav_from_text(preset.greeting),
        Found::Custom(voice) => crate::base64::decode(voice.sample.as_bytes()),
    };
    let mut response = (StatusCode::OK, bytes).into_response();
    response.headers_mut().insert(header::CONTENT_TYPE, HeaderValue::from_static("audio/wav"));
    Ok(response)
}
