//! The model catalog: base models, fine-tuned ones, what each can do; list and delete.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use mistral_openapi::types::DeleteModelOut;
use serde_json::{Value, json};

use crate::api_error::ApiError;
use crate::app::{App, now_ms};

/// What an endpoint needs a model to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Capability {
    /// Chat completions.
    Chat,
    /// Fill-in-the-middle.
    Fim,
    /// Embeddings.
    Embed,
}

impl Capability {
    fn describe(self) -> &'static str {
        match self {
            Capability::Chat => "chat completions",
            Capability::Fim => "fill-in-the-middle completions",
            Capability::Embed => "embeddings",
        }
    }
}

/// A base model.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BaseModel {
    pub(crate) id: &'static str,
    pub(crate) created: i64,
    pub(crate) capabilities: &'static [Capability],
}

const CHAT: &[Capability] = &[Capability::Chat];
const CODE: &[Capability] = &[Capability::Chat, Capability::Fim];
const EMBED: &[Capability] = &[Capability::Embed];

/// The base models served, in list order.
pub(crate) const BASE_MODELS: &[BaseModel] = &[
    BaseModel { id: "open-mistral-7b", created: 1_695_859_200, capabilities: CHAT },
    BaseModel { id: "mistral-small-latest", created: 1_711_430_400, capabilities: CHAT },
    BaseModel { id: "mistral-large-latest", created: 1_708_905_600, capabilities: CHAT },
    BaseModel { id: "codestral-latest", created: 1_716_508_800, capabilities: CODE },
    BaseModel { id: "codestral-2405", created: 1_716_508_800, capabilities: CODE },
    BaseModel { id: "mistral-embed", created: 1_702_252_800, capabilities: EMBED },
];

/// Base models that can be fine-tuned.
pub(crate) const FINE_TUNEABLE: &[&str] = &["open-mistral-7b", "mistral-small-latest"];

/// The base model with this id.
pub(crate) fn base(id: &str) -> Option<&'static BaseModel> {
    BASE_MODELS.iter().find(|m| m.id == id)
}

/// Checks that `model` exists and can do `capability`: 400 `invalid_model` when it does not
/// exist, 400 `invalid_request_error` when it cannot.
pub(crate) fn check(app: &App, model: &str, capability: Capability) -> Result<(), ApiError> {
    let capabilities: &[Capability] = match base(model) {
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
fn card(id: &str, created: i64, owner: &str, capabilities: &[Capability], tuned: Option<(&str, &str)>) -> Value {
    let has = |c: Capability| capabilities.contains(&c);
    let mut card = json!({
        "id": id,
        "object": "model",
        "created": created,
        "owned_by": owner,
        "capabilities": {
            "completion_chat": has(Capability::Chat),
            "function_calling": has(Capability::Chat),
            "reasoning": false,
            "completion_fim": has(Capability::Fim),
            "fine_tuning": FINE_TUNEABLE.contains(&id),
            "vision": false,
            "ocr": false,
            "classification": false,
            "moderation": false,
            "audio": false,
            "audio_transcription": false,
            "audio_transcription_realtime": false,
            "audio_speech": false,
            "unified_resources": false,
        },
        "name": id,
        "description": null,
        "max_context_length": 32768,
        "aliases": [],
        "deprecation": null,
        "deprecation_replacement_model": null,
        "default_model_temperature": if has(Capability::Chat) { json!(0.7) } else { Value::Null },
        "type": if tuned.is_some() { "fine-tuned" } else { "base" },
    });
    if let (Some((job, root)), Some(map)) = (tuned, card.as_object_mut()) {
        map.insert("job".into(), json!(job));
        map.insert("root".into(), json!(root));
        map.insert("archived".into(), json!(false));
    }
    card
}

/// `GET /v1/models`
pub(crate) async fn list(State(app): State<Arc<App>>) -> Json<Value> {
    let mut data: Vec<Value> =
        BASE_MODELS.iter().map(|m| card(m.id, m.created, "mistralai", m.capabilities, None)).collect();
    let tuned = app.with_store(|s| s.fine_tuned(now_ms()));
    data.extend(tuned.iter().map(|f| card(&f.id, f.created, &f.owner, CHAT, Some((&f.job, &f.root)))));
    Json(json!({"object": "list", "data": data}))
}

/// `DELETE /v1/models/{model_id}`
pub(crate) async fn delete(
    State(app): State<Arc<App>>,
    Path(model_id): Path<String>,
) -> Result<Json<DeleteModelOut>, ApiError> {
    if base(&model_id).is_some() {
        return Err(ApiError::bad_request(format!("Cannot delete base model {model_id}")));
    }
    let deleted = app.with_store(|s| {
        let exists = s.fine_tuned(now_ms()).iter().any(|f| f.id == model_id);
        if exists {
            s.deleted_models.push(model_id.clone());
        }
        exists
    });
    if !deleted {
        return Err(ApiError::not_found(format!("Model {model_id} not found")));
    }
    app.save().await?;
    Ok(Json(DeleteModelOut { deleted: Some(true), id: model_id, object: Some("model".into()) }))
}
