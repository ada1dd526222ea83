//! The model catalog: base models, fine-tuned ones, what each can do; list and delete.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use mistral_openapi::types::{DeleteModelOut, Model, ModelList};

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

/// `GET /v1/models`
pub(crate) async fn list(State(app): State<Arc<App>>) -> Json<ModelList> {
    let mut data: Vec<Model> = BASE_MODELS
        .iter()
        .map(|m| Model { created: m.created, id: m.id.into(), object: "model".into(), owned_by: "mistralai".into() })
        .collect();
    let tuned = app.with_store(|s| s.fine_tuned(now_ms()));
    data.extend(tuned.into_iter().map(|f| Model {
        created: f.created,
        id: f.id,
        object: "model".into(),
        owned_by: f.owner,
    }));
    Json(ModelList { data, object: "list".into() })
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
    Ok(Json(DeleteModelOut { deleted: true, id: model_id, object: "model".into() }))
}
