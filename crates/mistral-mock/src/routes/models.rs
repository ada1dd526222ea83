//! The model catalog: base models, fine-tuned ones, what each can do; list, retrieve and
//! delete, and the fine-tuned models' update, archive and unarchive.

use std::sync::Arc;

use axum::Json;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use mistral_openapi::operations as ops;
use mistral_openapi::types::DeleteModelOut;
use serde_json::{Value, json};

use crate::api_error::ApiError;
use crate::app::{App, now_ms};
use crate::store::{FineTuned, ModelEdit};
use crate::text::hash64;
use crate::validate::{parse_json, read_body};

/// What an endpoint needs a model to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Capability {
    /// Chat completions.
    Chat,
    /// Fill-in-the-middle.
    Fim,
    /// Embeddings.
    Embed,
    /// Images in chat.
    Vision,
    /// Thinking before answering.
    Reasoning,
    /// Audio input in chat.
    Audio,
    /// OCR.
    Ocr,
    /// Moderation and classification.
    Moderation,
    /// Speech to text.
    Transcription,
    /// Text to speech.
    Speech,
}

impl Capability {
    fn describe(self) -> &'static str {
        match self {
            Capability::Chat => "chat completions",
            Capability::Fim => "fill-in-the-middle completions",
            Capability::Embed => "embeddings",
            Capability::Vision => "image input",
            Capability::Reasoning => "reasoning",
            Capability::Audio => "audio input",
            Capability::Ocr => "OCR",
            Capability::Moderation => "moderation",
            Capability::Transcription => "transcription",
            Capability::Speech => "speech",
        }
    }
}

/// A base model.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BaseModel {
    pub(crate) id: &'static str,
    pub(crate) created: i64,
    pub(crate) capabilities: &'static [Capability],
    pub(crate) context: i64,
}

use Capability::{Audio, Chat, Embed, Fim, Moderation, Ocr, Reasoning, Speech, Transcription, Vision};

const CHAT: &[Capability] = &[Chat];
const CODE: &[Capability] = &[Chat, Fim];
const EMBED: &[Capability] = &[Embed];
const SEEING: &[Capability] = &[Chat, Vision];
const THINKING: &[Capability] = &[Chat, Vision, Reasoning];
const HEARING: &[Capability] = &[Chat, Audio];

const fn base(id: &'static str, created: i64, capabilities: &'static [Capability], context: i64) -> BaseModel {
    BaseModel { id, created, capabilities, context }
}

/// The base models served, in list order: the seed's, then the 2026 catalog's (capabilities
/// as the live API's model list gives them).
pub(crate) const BASE_MODELS: &[BaseModel] = &[
    base("open-mistral-7b", 1_695_859_200, CHAT, 32_768),
    base("mistral-small-latest", 1_711_430_400, THINKING, 131_072),
    base("mistral-large-latest", 1_708_905_600, SEEING, 262_144),
    base("codestral-latest", 1_716_508_800, CODE, 262_144),
    base("codestral-2405", 1_716_508_800, CODE, 32_768),
    base("mistral-embed", 1_702_252_800, EMBED, 8_192),
    base("mistral-medium-latest", 1_746_057_600, THINKING, 131_072),
    base("magistral-small-latest", 1_749_427_200, THINKING, 131_072),
    base("ministral-3b-latest", 1_764_547_200, SEEING, 131_072),
    base("ministral-8b-latest", 1_764_547_200, SEEING, 131_072),
    base("ministral-14b-latest", 1_764_547_200, SEEING, 131_072),
    base("devstral-latest", 1_764_547_200, CHAT, 262_144),
    base("codestral-embed", 1_748_131_200, EMBED, 8_192),
    base("voxtral-small-latest", 1_752_192_000, HEARING, 32_768),
    base("voxtral-mini-latest", 1_770_000_000, &[Transcription], 32_768),
    base("voxtral-mini-tts-latest", 1_773_000_000, &[Speech], 32_768),
    base("mistral-ocr-latest", 1_764_547_200, &[Ocr, Vision], 131_072),
    base("mistral-moderation-latest", 1_772_000_000, &[Moderation], 8_192),
];

/// Base models that can be fine-tuned.
pub(crate) const FINE_TUNEABLE: &[&str] = &["open-mistral-7b", "mistral-small-latest"];

/// The base model with this id.
pub(crate) fn find_base(id: &str) -> Option<&'static BaseModel> {
    BASE_MODELS.iter().find(|m| m.id == id)
}

/// Checks that `model` exists and can do `capability`: 400 `invalid_model` when it does not
/// exist, 400 `invalid_request_error` when it cannot.
pub(crate) fn check(app: &App, model: &str, capability: Capability) -> Result<(), ApiError> {
    let capabilities: &[Capability] = match find_base(model) {
        Some(m) => m.capabilities,
        None if app.with_store(|s| s.fine_tuned(now_ms()).iter().any(|f| f.id == model)) => CHAT,
        None => return Err(ApiError::invalid_model(model)),
    };
    if capabilities.contains(&capability) {
        Ok(())
    } else {
        Err(ApiError::bad_request(format!("Model {model} does not support {}", capability.describe())))
    }
}

/// A model card with every field the server sends (`null` where it has no value).
fn card(id: &str, model: &BaseModel, owner: &str, tuned: Option<(&FineTuned, &ModelEdit)>) -> Value {
    let (created, capabilities) = (model.created, model.capabilities);
    let has = |c: Capability| capabilities.contains(&c);
    let mut card = json!({
        "id": id,
        "object": "model",
        "created": created,
        "owned_by": owner,
        "capabilities": {
            "completion_chat": has(Capability::Chat),
            "function_calling": has(Capability::Chat),
            "reasoning": has(Reasoning),
            "completion_fim": has(Fim),
            "fine_tuning": FINE_TUNEABLE.contains(&id),
            "vision": has(Vision),
            "ocr": has(Ocr),
            "classification": has(Moderation),
            "moderation": has(Moderation),
            "audio": has(Audio),
            "audio_transcription": has(Transcription),
            "audio_transcription_realtime": false,
            "audio_speech": has(Speech),
            "unified_resources": false,
        },
        "name": id,
        "description": null,
        "max_context_length": model.context,
        "aliases": [],
        "deprecation": null,
        "deprecation_replacement_model": null,
        "default_model_temperature": if has(Capability::Chat) { json!(0.7) } else { Value::Null },
        "type": if tuned.is_some() { "fine-tuned" } else { "base" },
    });
    if let (Some((tuned, edit)), Some(map)) = (tuned, card.as_object_mut()) {
        map.insert("job".into(), json!(tuned.job));
        map.insert("root".into(), json!(tuned.root));
        map.insert("archived".into(), json!(edit.archived));
        map.insert("name".into(), json!(edit.name.as_deref().unwrap_or(id)));
        map.insert("description".into(), json!(edit.description));
    }
    card
}

/// The card of a fine-tuned model.
fn tuned_card(f: &FineTuned, edit: &ModelEdit) -> Value {
    let context = find_base(&f.root).map_or(32_768, |b| b.context);
    let model = BaseModel { id: "", created: f.created, capabilities: CHAT, context };
    card(&f.id, &model, &f.owner, Some((f, edit)))
}

/// `GET /v1/models`
pub(crate) async fn list(State(app): State<Arc<App>>) -> Json<Value> {
    let mut data: Vec<Value> = BASE_MODELS.iter().map(|m| card(m.id, m, "mistralai", None)).collect();
    let tuned =
        app.with_store(|s| s.fine_tuned(now_ms()).into_iter().map(|f| (s.model_edit(&f.id), f)).collect::<Vec<_>>());
    data.extend(tuned.iter().map(|(edit, f)| tuned_card(f, edit)));
    Json(json!({"object": "list", "data": data}))
}

fn no_model(id: &str) -> ApiError {
    ApiError::not_found(format!("Model {id} not found"))
}

/// The fine-tuned model with this id and its edits; 400 for a base model (`action` says what
/// cannot be done to it), 404 for an unknown one.
fn fine_tuned(app: &App, id: &str, action: &str) -> Result<(FineTuned, ModelEdit), ApiError> {
    if find_base(id).is_some() {
        return Err(ApiError::bad_request(format!(
            "Model {id} is a base model: only fine-tuned models can be {action}"
        )));
    }
    app.with_store(|s| {
        let found = s.fine_tuned(now_ms()).into_iter().find(|f| f.id == id);
        found.map(|f| (f.clone(), s.model_edit(&f.id)))
    })
    .ok_or_else(|| no_model(id))
}

/// `GET /v1/models/{model_id}`
pub(crate) async fn retrieve(
    State(app): State<Arc<App>>,
    Path(model_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    if let Some(base) = find_base(&model_id) {
        return Ok(Json(card(base.id, base, "mistralai", None)));
    }
    let (tuned, edit) = fine_tuned(&app, &model_id, "retrieved")?;
    Ok(Json(tuned_card(&tuned, &edit)))
}

/// A fine-tuned model as the fine-tuning routes answer it (`CompletionFineTunedModel`).
fn fine_tuned_json(f: &FineTuned, edit: &ModelEdit) -> Value {
    let context = find_base(&f.root).map_or(32_768, |b| b.context);
    // The workspace of the key's organisation, as a UUID.
    let workspace = uuid::Uuid::from_u64_pair(hash64(f.owner.as_bytes()), hash64(format!("{}/ws", f.owner).as_bytes()));
    // `codestral-2405` is version 2405 of its root; a `-latest` alias has no number.
    let version = f.root.rsplit('-').next().filter(|v| v.chars().all(|c| c.is_ascii_digit())).unwrap_or("latest");
    json!({
        "id": f.id,
        "object": "model",
        "created": f.created,
        "owned_by": f.owner,
        "workspace_id": workspace.to_string(),
        "root": f.root,
        "root_version": version,
        "archived": edit.archived,
        "name": edit.name.as_deref().unwrap_or(&f.id),
        "description": edit.description,
        "capabilities": {
            "completion_chat": true,
            "completion_fim": false,
            "function_calling": false,
            "fine_tuning": false,
            "classification": false,
        },
        "max_context_length": context,
        "aliases": [],
        "job": f.job,
        "model_type": "completion",
    })
}

/// `PATCH /v1/fine_tuning/models/{model_id}`: `name` and `description` set when given (a
/// `null` clears them), left as they were when absent.
pub(crate) async fn update(
    State(app): State<Arc<App>>,
    Path(model_id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Value>, ApiError> {
    let bytes = read_body(body, &headers, app.options.body_limit).await?;
    let change = parse_json(&bytes)?;
    app.validators.check(&ops::JOBS_API_ROUTES_FINE_TUNING_UPDATE_FINE_TUNED_MODEL, &change)?;
    let (tuned, _) = fine_tuned(&app, &model_id, "updated")?;
    let text = |key: &str| change.get(key).map(|v| v.as_str().map(str::to_string));
    let (name, description) = (text("name"), text("description"));
    let edit = app.with_store(|s| {
        s.edit_model(&model_id, |e| {
            if let Some(name) = name {
                e.name = name;
            }
            if let Some(description) = description {
                e.description = description;
            }
        })
    });
    app.save().await?;
    Ok(Json(fine_tuned_json(&tuned, &edit)))
}

async fn set_archived(app: &App, model_id: &str, archived: bool) -> Result<Json<Value>, ApiError> {
    fine_tuned(app, model_id, if archived { "archived" } else { "unarchived" })?;
    app.with_store(|s| s.edit_model(model_id, |e| e.archived = archived));
    app.save().await?;
    Ok(Json(json!({"id": model_id, "object": "model", "archived": archived})))
}

/// `POST /v1/fine_tuning/models/{model_id}/archive`
pub(crate) async fn archive(
    State(app): State<Arc<App>>,
    Path(model_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    set_archived(&app, &model_id, true).await
}

/// `DELETE /v1/fine_tuning/models/{model_id}/archive`
pub(crate) async fn unarchive(
    State(app): State<Arc<App>>,
    Path(model_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    set_archived(&app, &model_id, false).await
}

/// `DELETE /v1/models/{model_id}`
pub(crate) async fn delete(
    State(app): State<Arc<App>>,
    Path(model_id): Path<String>,
) -> Result<Json<DeleteModelOut>, ApiError> {
    if find_base(&model_id).is_some() {
        return Err(ApiError::bad_request(format!("Cannot delete base model {model_id}")));
    }
    let deleted = app.with_store(|s| {
        let exists = s.fine_tuned(now_ms()).iter().any(|f| f.id == model_id);
        if exists {
            s.deleted_models.push(model_id.clone());
            s.model_edits.retain(|e| e.id != model_id);
        }
        exists
    });
    if !deleted {
        return Err(no_model(&model_id));
    }
    app.save().await?;
    Ok(Json(DeleteModelOut { deleted: Some(true), id: model_id, object: Some("model".into()) }))
}
