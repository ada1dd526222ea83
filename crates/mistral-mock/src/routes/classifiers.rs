//! Moderation and classification of texts and conversations (`mistral-moderation-latest`),
//! scored by `crate::moderation`: `/v1/moderations`, `/v1/chat/moderations`,
//! `/v1/classifications`, `/v1/chat/classifications`.
//!
//! A conversation is judged by its last message, in the context of the others (which count
//! half). Classification answers per the model's targets: the moderation model's one target,
//! `moderation`, scores each category as a label.

use std::sync::Arc;

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::HeaderMap;
use mistral_openapi::operations::{self as ops, Operation};
use serde_json::{Map, Value, json};

use crate::api_error::ApiError;
use crate::app::App;
use crate::moderation::{THRESHOLD, scores};
use crate::routes::models::{self, Capability};
use crate::validate::{parse_json, read_body};

/// The target of the moderation model used as a classifier.
const MODERATION_TARGET: &str = "moderation";

/// The text of a message's `content`: a string, or its chunks' texts.
fn content_text(content: Option<&Value>) -> String {
    match content {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(chunks)) => {
            chunks.iter().filter_map(|c| c.get("text").and_then(Value::as_str)).collect::<Vec<_>>().join("\n")
        }
        _ => String::new(),
    }
}

/// What is judged: a text, and the context it came in.
struct Judged {
    text: String,
    context: String,
}

/// A conversation: its last message, the others as context.
fn conversation(messages: &[Value]) -> Judged {
    let texts: Vec<String> = messages.iter().map(|m| content_text(m.get("content"))).collect();
    match texts.split_last() {
        Some((last, rest)) => Judged { text: last.clone(), context: rest.join("\n") },
        None => Judged { text: String::new(), context: String::new() },
    }
}

/// Texts: `input` as a string or a list of strings.
fn texts(input: Option<&Value>) -> Vec<Judged> {
    let judged = |t: &str| Judged { text: t.to_string(), context: String::new() };
    match input {
        Some(Value::String(s)) => vec![judged(s)],
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).map(judged).collect(),
        _ => Vec::new(),
    }
}

/// Reads and checks a request of `op`: its body, and the model (moderation models only).
async fn request(
    app: &App,
    op: &'static Operation,
    headers: &HeaderMap,
    body: Body,
) -> Result<(Value, String), ApiError> {
    let bytes = read_body(body, headers, app.options.body_limit).await?;
    let request = parse_json(&bytes)?;
    app.validators.check(op, &request)?;
    let model = request.get("model").and_then(Value::as_str).unwrap_or_default().to_string();
    models::check(app, &model, Capability::Moderation)?;
    Ok((request, model))
}

fn moderation(judged: &Judged) -> Value {
    let scores = scores(&judged.text, &judged.context);
    let categories: Map<String, Value> =
        scores.iter().map(|(c, s)| ((*c).to_string(), json!(*s >= THRESHOLD))).collect();
    let category_scores: Map<String, Value> = scores.iter().map(|(c, s)| ((*c).to_string(), json!(s))).collect();
    json!({"categories": categories, "category_scores": category_scores})
}

fn classification(judged: &Judged) -> Value {
    let labels: Map<String, Value> =
        scores(&judged.text, &judged.context).iter().map(|(c, s)| ((*c).to_string(), json!(s))).collect();
    json!({MODERATION_TARGET: {"scores": labels}})
}

fn answer(model: String, results: Vec<Value>) -> Json<Value> {
    Json(json!({"id": uuid::Uuid::new_v4().simple().to_string(), "model": model, "results": results}))
}

/// `POST /v1/moderations`: one result per input text.
pub(crate) async fn moderate(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Value>, ApiError> {
    let (request, model) = request(&app, &ops::MODERATIONS_V1_MODERATIONS_POST, &headers, body).await?;
    Ok(answer(model, texts(request.get("input")).iter().map(moderation).collect()))
}

/// The conversations of a chat moderation's `input`: one (a list of messages) or several (a
/// list of lists).
fn conversations(input: Option<&Value>) -> Vec<Judged> {
    let items = input.and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    if items.iter().all(Value::is_array) && !items.is_empty() {
        items.iter().map(|c| conversation(c.as_array().map(Vec::as_slice).unwrap_or_default())).collect()
    } else {
        vec![conversation(items)]
    }
}

/// `POST /v1/chat/moderations`: one result per conversation.
pub(crate) async fn moderate_chat(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Value>, ApiError> {
    let (request, model) = request(&app, &ops::CHAT_MODERATIONS_V1_CHAT_MODERATIONS_POST, &headers, body).await?;
    Ok(answer(model, conversations(request.get("input")).iter().map(moderation).collect()))
}

/// `POST /v1/classifications`: one result per input text, per target.
pub(crate) async fn classify(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Value>, ApiError> {
    let (request, model) = request(&app, &ops::CLASSIFICATIONS_V1_CLASSIFICATIONS_POST, &headers, body).await?;
    Ok(answer(model, texts(request.get("input")).iter().map(classification).collect()))
}

/// `POST /v1/chat/classifications`: one result per conversation (`{"messages": [...]}`, or a
/// list of them), per target.
pub(crate) async fn classify_chat(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Value>, ApiError> {
    let op = &ops::CHAT_CLASSIFICATIONS_V1_CHAT_CLASSIFICATIONS_POST;
    let (request, model) = request(&app, op, &headers, body).await?;
    let messages =
        |v: &Value| conversation(v.get("messages").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default());
    let judged: Vec<Judged> = match request.get("input") {
        Some(Value::Array(items)) => items.iter().map(messages).collect(),
        Some(one) => vec![messages(one)],
        None => Vec::new(),
    };
    Ok(answer(model, judged.iter().map(classification).collect()))
}
