//! `/v1/conversations`: conversations kept in the store with their entries; each start, append
//! or restart is answered by the chat engine (the conversation's model, or its agent's model
//! and instructions) with one `message.output` entry, or with `stream: true` as the named
//! events `conversation.response.started`, `message.output.delta`...,
//! `conversation.response.done`. Tools are kept but the answers are text.

use std::sync::Arc;

use axum::Json;
use axum::body::Body;
use axum::extract::{Extension, Path, RawQuery, State};
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use mistral_openapi::operations as ops;
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::api_error::ApiError;
use crate::app::{App, dispatch, now_ms};
use crate::auth::Caller;
use crate::query::{query_error, query_int_in, query_map};
use crate::routes::agents::{agent_at, time};
use crate::store::ConversationRecord;
use crate::validate::{parse_json, read_body};

/// The settings of a start request a conversation keeps.
const SETTINGS: &[&str] = &[
    "model",
    "agent_id",
    "agent_version",
    "instructions",
    "tools",
    "completion_args",
    "guardrails",
    "name",
    "description",
    "metadata",
];

/// Chat request fields that `completion_args` may set.
const COMPLETION_ARGS: &[&str] = &[
    "frequency_penalty",
    "max_tokens",
    "prediction",
    "presence_penalty",
    "random_seed",
    "reasoning_effort",
    "response_format",
    "stop",
    "temperature",
    "tool_choice",
    "top_p",
];

fn no_conversation(id: &str) -> ApiError {
    ApiError::not_found(format!("Conversation {id} not found"))
}

fn find(app: &App, id: &str) -> Result<ConversationRecord, ApiError> {
    app.with_store(|s| s.conversations.iter().find(|c| c.id == id).cloned()).ok_or_else(|| no_conversation(id))
}

async fn read_request(
    app: &App,
    op: &'static ops::Operation,
    headers: &HeaderMap,
    body: Body,
) -> Result<Value, ApiError> {
    let bytes = read_body(body, headers, app.options.body_limit).await?;
    let request = parse_json(&bytes)?;
    app.validators.check(op, &request)?;
    Ok(request)
}

fn entry_id() -> String {
    format!("msg_{}", Uuid::new_v4().simple())
}

/// The entries `inputs` stands for: a string is one user message.
fn input_entries(inputs: Option<&Value>, now: i64) -> Vec<Value> {
    let stamp = |mut entry: Map<String, Value>| {
        entry.insert("object".into(), json!("entry"));
        entry.entry("type").or_insert_with(|| json!("message.input"));
        entry.insert("id".into(), json!(entry_id()));
        entry.insert("created_at".into(), json!(time(now)));
        entry.insert("completed_at".into(), Value::Null);
        Value::Object(entry)
    };
    match inputs {
        Some(Value::String(text)) => {
            let mut entry = Map::new();
            entry.insert("role".into(), json!("user"));
            entry.insert("content".into(), json!(text));
            vec![stamp(entry)]
        }
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_object).cloned().map(stamp).collect(),
        _ => Vec::new(),
    }
}

/// The text of an entry's content: a string, or the `text` of its chunks.
fn content_text(content: &Value) -> String {
    match content {
        Value::String(text) => text.clone(),
        Value::Array(chunks) => chunks.iter().filter_map(|c| c["text"].as_str()).collect(),
        _ => String::new(),
    }
}

/// The conversation as the API sends it (`ModelConversation` or `AgentConversation`).
fn conversation_json(c: &ConversationRecord) -> Value {
    let mut out = Map::new();
    let agent = c.settings.get("agent_id").is_some_and(|a| !a.is_null());
    for (key, value) in &c.settings {
        let skip = value.is_null() && !matches!(key.as_str(), "name" | "description" | "instructions");
        let other_kind =
            if agent { key == "model" || key == "instructions" || key == "tools" } else { key.starts_with("agent_") };
        let agent_only = agent && matches!(key.as_str(), "completion_args" | "guardrails");
        if !skip && !other_kind && !agent_only {
            out.insert(key.clone(), value.clone());
        }
    }
    out.insert("object".into(), json!("conversation"));
    out.insert("id".into(), json!(c.id));
    out.insert("created_at".into(), json!(time(c.created_ms)));
    out.insert("updated_at".into(), json!(time(c.updated_ms)));
    Value::Object(out)
}

/// What a conversation answers with.
struct Answering {
    model: String,
    instructions: Option<String>,
    args: Map<String, Value>,
}

/// The model, instructions and completion arguments the conversation answers with.
fn answering(app: &App, c: &ConversationRecord) -> Result<Answering, ApiError> {
    let setting = |key: &str| c.settings.get(key).filter(|v| !v.is_null());
    let source = match setting("agent_id").and_then(Value::as_str) {
        Some(agent_id) => {
            let version =
                setting("agent_version").map(|v| v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string()));
            agent_at(app, agent_id, version.as_deref())?
        }
        None => Value::Object(c.settings.clone()),
    };
    let model = source["model"].as_str().unwrap_or_default().to_string();
    let instructions = source["instructions"].as_str().filter(|i| !i.is_empty()).map(str::to_string);
    let args = source["completion_args"].as_object().cloned().unwrap_or_default();
    Ok(Answering { model, instructions, args })
}

/// Runs the chat engine on the conversation's entries; gives the output entry and the usage.
async fn answer(
    app: &Arc<App>,
    caller: Caller,
    c: &ConversationRecord,
    extra_args: Option<&Value>,
) -> Result<(Value, Value), ApiError> {
    let Answering { model, instructions, mut args } = answering(app, c)?;
    if let Some(extra) = extra_args.and_then(Value::as_object) {
        args.extend(extra.clone());
    }
    let mut messages = Vec::new();
    if let Some(instructions) = instructions {
        messages.push(json!({"role": "system", "content": instructions}));
    }
    for entry in &c.entries {
        let role = match (entry["type"].as_str(), entry["role"].as_str()) {
            (Some("message.input"), Some(role)) => role,
            (Some("message.output"), _) => "assistant",
            _ => continue,
        };
        messages.push(json!({"role": role, "content": content_text(&entry["content"])}));
    }
    let mut chat = Map::new();
    for (key, value) in args {
        if COMPLETION_ARGS.contains(&key.as_str()) && !value.is_null() {
            chat.insert(key, value);
        }
    }
    chat.insert("model".into(), json!(model));
    chat.insert("messages".into(), Value::Array(messages));
    let bytes = Value::Object(chat).to_string().into_bytes();
    let request = Request::builder()
        .method(Method::POST)
        .uri(ops::CREATE_CHAT_COMPLETION.path)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::CONTENT_LENGTH, bytes.len())
        .extension(caller)
        .body(Body::from(bytes))
        .map_err(|e| ApiError::internal(format!("cannot build the request: {e}")))?;
    let response = dispatch(app, &ops::CREATE_CHAT_COMPLETION, request).await;
    let status = response.status();
    let body = axum::body::to_bytes(response.into_body(), 16 * 1024 * 1024)
        .await
        .map_err(|e| ApiError::internal(format!("cannot read the answer: {e}")))?;
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    if !status.is_success() {
        return Err(ApiError { status, body, headers: Vec::new() });
    }
    let now = now_ms();
    let mut output = json!({
        "object": "entry", "type": "message.output", "created_at": time(now), "completed_at": time(now),
        "id": entry_id(), "role": "assistant",
        "content": content_text(&body["choices"][0]["message"]["content"]),
    });
    match c.settings.get("agent_id").filter(|a| !a.is_null()) {
        Some(agent_id) => output["agent_id"] = agent_id.clone(),
        None => output["model"] = json!(model),
    }
    let usage = json!({
        "prompt_tokens": body["usage"]["prompt_tokens"], "completion_tokens": body["usage"]["completion_tokens"],
        "total_tokens": body["usage"]["total_tokens"],
    });
    Ok((output, usage))
}

/// Answers `c` (already holding the new inputs), stores it with the output, and responds.
async fn respond(
    app: &Arc<App>,
    caller: Caller,
    mut c: ConversationRecord,
    request: &Value,
    is_new: bool,
) -> Result<Response, ApiError> {
    let (output, usage) = answer(app, caller, &c, request.get("completion_args")).await?;
    let store = request.get("store").and_then(Value::as_bool).unwrap_or(true);
    c.entries.push(output.clone());
    c.updated_ms = now_ms();
    let id = c.id.clone();
    if store {
        app.with_store(|s| match s.conversations.iter_mut().find(|x| x.id == c.id) {
            Some(existing) if !is_new => *existing = c,
            _ => s.conversations.push(c),
        });
        app.save().await?;
    }
    if request.get("stream").and_then(Value::as_bool) != Some(true) {
        let body =
            json!({"object": "conversation.response", "conversation_id": id, "outputs": [output], "usage": usage});
        return Ok(Json(body).into_response());
    }
    let now = time(now_ms());
    let mut events = vec![json!({"type": "conversation.response.started", "created_at": now, "conversation_id": id})];
    let text = output["content"].as_str().unwrap_or_default();
    for (i, piece) in text.split_inclusive(' ').enumerate() {
        let mut delta = json!({
            "type": "message.output.delta", "created_at": now, "output_index": 0, "id": output["id"],
            "content_index": i, "role": "assistant", "content": piece,
        });
        for key in ["model", "agent_id"] {
            if let Some(v) = output.get(key) {
                delta[key] = v.clone();
            }
        }
        events.push(delta);
    }
    events.push(json!({"type": "conversation.response.done", "created_at": now, "usage": usage}));
    Ok(crate::sse::events_response(&events, app.options.token_delay))
}

/// `POST /v1/conversations`: a new conversation with a model or an agent, answered.
pub(crate) async fn start(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let request = read_request(&app, &ops::AGENTS_API_V1_CONVERSATIONS_START, &headers, body).await?;
    let has = |key: &str| request.get(key).is_some_and(|v| !v.is_null());
    if has("model") == has("agent_id") {
        return Err(ApiError::bad_request("A conversation needs either a model or an agent_id, not both"));
    }
    let mut settings = Map::new();
    for key in SETTINGS {
        settings.insert((*key).to_string(), request.get(*key).cloned().unwrap_or(Value::Null));
    }
    if let Some(agent_id) = request.get("agent_id").and_then(Value::as_str) {
        agent_at(&app, agent_id, None)?;
    }
    if let Some(model) = request.get("model").and_then(Value::as_str) {
        crate::routes::models::check(&app, model, crate::routes::models::Capability::Chat)?;
    }
    let now = now_ms();
    let c = ConversationRecord {
        id: format!("conv_{}", Uuid::new_v4().simple()),
        created_ms: now,
        updated_ms: now,
        settings,
        entries: input_entries(request.get("inputs"), now),
    };
    respond(&app, caller, c, &request, true).await
}

/// `POST /v1/conversations/{conversation_id}`: new inputs, answered.
pub(crate) async fn append(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    Path(conversation_id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let request = read_request(&app, &ops::AGENTS_API_V1_CONVERSATIONS_APPEND, &headers, body).await?;
    let mut c = find(&app, &conversation_id)?;
    c.entries.extend(input_entries(request.get("inputs"), now_ms()));
    respond(&app, caller, c, &request, false).await
}

/// `POST /v1/conversations/{conversation_id}/restart`: a new conversation with the entries up
/// to `from_entry_id` (included) and the new inputs, answered.
pub(crate) async fn restart(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    Path(conversation_id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let request = read_request(&app, &ops::AGENTS_API_V1_CONVERSATIONS_RESTART, &headers, body).await?;
    let old = find(&app, &conversation_id)?;
    let from = request.get("from_entry_id").and_then(Value::as_str).unwrap_or_default();
    let Some(at) = old.entries.iter().position(|e| e["id"] == json!(from)) else {
        return Err(ApiError::bad_request(format!("Entry {from} is not in conversation {conversation_id}")));
    };
    let now = now_ms();
    let mut settings = old.settings.clone();
    for key in ["metadata", "agent_version", "guardrails"] {
        if let Some(value) = request.get(key) {
            settings.insert(key.into(), value.clone());
        }
    }
    let mut entries = old.entries[..=at].to_vec();
    entries.extend(input_entries(request.get("inputs"), now));
    let c = ConversationRecord {
        id: format!("conv_{}", Uuid::new_v4().simple()),
        created_ms: now,
        updated_ms: now,
        settings,
        entries,
    };
    respond(&app, caller, c, &request, true).await
}

/// `GET /v1/conversations`: `page` (from 0) of `page_size` (default 100), newest first.
pub(crate) async fn list(State(app): State<Arc<App>>, RawQuery(raw): RawQuery) -> Result<Json<Value>, ApiError> {
    let q = query_map(raw.as_deref());
    let mut details = Vec::new();
    let page = query_int_in(&q, "page", (0, i64::MAX), &mut details).unwrap_or(0);
    let size = query_int_in(&q, "page_size", (1, 10_000), &mut details).unwrap_or(100);
    let metadata: Option<Map<String, Value>> = match q.get("metadata").filter(|m| !m.is_empty()) {
        Some(m) => serde_json::from_str(m).map_err(|_| {
            ApiError::validation(vec![query_error("json_invalid", "metadata", "Input should be a JSON object", m)])
        })?,
        None => None,
    };
    if !details.is_empty() {
        return Err(ApiError::validation(details));
    }
    let all = app.with_store(|s| s.conversations.iter().rev().map(conversation_json).collect::<Vec<_>>());
    let skip = usize::try_from(page.saturating_mul(size)).unwrap_or(usize::MAX);
    let out: Vec<Value> = all
        .into_iter()
        .filter(|c| metadata.as_ref().is_none_or(|m| m.iter().all(|(k, v)| c["metadata"].get(k) == Some(v))))
        .skip(skip)
        .take(usize::try_from(size).unwrap_or(0))
        .collect();
    Ok(Json(Value::Array(out)))
}

/// `GET /v1/conversations/{conversation_id}`
pub(crate) async fn get(State(app): State<Arc<App>>, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    Ok(Json(conversation_json(&find(&app, &id)?)))
}

/// `DELETE /v1/conversations/{conversation_id}`: 204.
pub(crate) async fn delete(State(app): State<Arc<App>>, Path(id): Path<String>) -> Result<Response, ApiError> {
    let removed = app.with_store(|s| {
        let i = s.conversations.iter().position(|c| c.id == id)?;
        Some(s.conversations.remove(i))
    });
    removed.ok_or_else(|| no_conversation(&id))?;
    app.save().await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `GET /v1/conversations/{conversation_id}/history`: every entry, in order.
pub(crate) async fn history(State(app): State<Arc<App>>, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    let c = find(&app, &id)?;
    Ok(Json(json!({"object": "conversation.history", "conversation_id": c.id, "entries": c.entries})))
}

/// `GET /v1/conversations/{conversation_id}/messages`: the message entries, in order.
pub(crate) async fn messages(State(app): State<Arc<App>>, Path(id): Path<String>) -> Result<Json<Value>, ApiError> {
    let c = find(&app, &id)?;
    let messages: Vec<&Value> =
        c.entries.iter().filter(|e| matches!(e["type"].as_str(), Some("message.input" | "message.output"))).collect();
    Ok(Json(json!({"object": "conversation.messages", "conversation_id": c.id, "messages": messages})))
}
