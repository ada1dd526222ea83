//! `/v1/agents`: agents kept in the store, each a list of versions (an update makes a new one
//! and makes it current), a current version that can be switched, and aliases naming versions;
//! `/v1/agents/completions` answers through the chat engine with the agent's model,
//! instructions, tools and completion arguments.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::body::Body;
use axum::extract::{Extension, Path, RawQuery, State};
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use axum::response::{IntoResponse, Response};
use mistral_openapi::operations as ops;
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::api_error::{ApiError, Detail};
use crate::app::{App, dispatch, now_ms};
use crate::auth::Caller;
use crate::query::{query_bool, query_error, query_int_in, query_list, query_map};
use crate::store::{AgentAlias, AgentRecord, AgentVersion};
use crate::validate::read_request;

/// The fields of a create or update request that a version keeps.
const FIELDS: &[&str] = &[
    "model",
    "name",
    "instructions",
    "tools",
    "completion_args",
    "guardrails",
    "description",
    "handoffs",
    "metadata",
    "version_message",
];

/// The fields of `completion_args` that a chat request takes.
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

/// Where the agents made through this API come from (`source`).
const SOURCE: &str = "api";

pub(crate) fn time(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms).unwrap_or_default().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

fn no_agent(id: &str) -> ApiError {
    ApiError::not_found(format!("Agent {id} not found"))
}

fn no_version(id: &str, version: &str) -> ApiError {
    ApiError::not_found(format!("Agent {id} has no version {version}"))
}

/// The agent with this id (404 when there is none).
fn find(app: &App, id: &str) -> Result<AgentRecord, ApiError> {
    app.with_store(|s| s.agents.iter().find(|a| a.id == id).cloned()).ok_or_else(|| no_agent(id))
}

/// The version named by `reference`: a number, or an alias.
fn resolve(agent: &AgentRecord, reference: &str) -> Result<i64, ApiError> {
    let version = match reference.trim().parse::<i64>() {
        Ok(n) => Some(n),
        Err(_) => agent.aliases.iter().find(|a| a.alias == reference).map(|a| a.version),
    };
    version.filter(|v| agent.versions.iter().any(|x| x.version == *v)).ok_or_else(|| no_version(&agent.id, reference))
}

/// The agent as the API sends it (`Agent`) at `version`.
fn agent_json(agent: &AgentRecord, version: i64) -> Value {
    let Some(at) = agent.versions.iter().find(|v| v.version == version) else { return Value::Null };
    let mut out = Map::new();
    for (key, value) in &at.fields {
        if !value.is_null() || key == "instructions" || key == "description" {
            out.insert(key.clone(), value.clone());
        }
    }
    out.insert("object".into(), json!("agent"));
    out.insert("id".into(), json!(agent.id));
    out.insert("version".into(), json!(version));
    out.insert("versions".into(), json!(agent.versions.iter().map(|v| v.version).collect::<Vec<_>>()));
    out.insert("created_at".into(), json!(time(agent.created_ms)));
    out.insert("updated_at".into(), json!(time(at.created_ms)));
    out.insert("deployment_chat".into(), json!(agent.deployment_chat));
    out.insert("source".into(), json!(SOURCE));
    Value::Object(out)
}

fn current_json(agent: &AgentRecord) -> Value {
    agent_json(agent, agent.current)
}

/// The agent `id` as the API sends it, at `version` (a number or an alias; `None`: the
/// current one).
pub(crate) fn agent_at(app: &App, id: &str, version: Option<&str>) -> Result<Value, ApiError> {
    let agent = find(app, id)?;
    let version = match version {
        Some(reference) => resolve(&agent, reference)?,
        None => agent.current,
    };
    Ok(agent_json(&agent, version))
}

fn alias_json(alias: &AgentAlias) -> Value {
    json!({
        "alias": alias.alias, "version": alias.version,
        "created_at": time(alias.created_ms), "updated_at": time(alias.updated_ms),
    })
}

/// `POST /v1/agents`: a new agent at version 0.
pub(crate) async fn create(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Value>, ApiError> {
    let request = read_request(&app, &ops::AGENTS_API_V1_AGENTS_CREATE, &headers, body).await?;
    let model = request.get("model").and_then(Value::as_str).unwrap_or_default();
    crate::routes::models::check(&app, model, crate::routes::models::Capability::Chat)?;
    let mut fields = Map::new();
    for key in FIELDS {
        fields.insert((*key).to_string(), request.get(*key).cloned().unwrap_or(Value::Null));
    }
    if fields.get("tools").is_none_or(Value::is_null) {
        fields.insert("tools".into(), json!([]));
    }
    if fields.get("completion_args").is_none_or(Value::is_null) {
        fields.insert("completion_args".into(), json!({}));
    }
    let now = now_ms();
    let agent = AgentRecord {
        id: format!("ag_{}", Uuid::new_v4().simple()),
        created_ms: now,
        current: 0,
        deployment_chat: false,
        versions: vec![AgentVersion { version: 0, created_ms: now, fields }],
        aliases: Vec::new(),
    };
    let out = current_json(&agent);
    app.with_store(|s| s.agents.push(agent));
    app.save().await?;
    Ok(Json(out))
}

/// The agents that pass the list filters (`name`, `search`, `id`, `deployment_chat`,
/// `sources`, `metadata`), oldest first.
fn filtered(app: &App, raw: Option<&str>, q: &HashMap<String, String>, details: &mut Vec<Detail>) -> Vec<Value> {
    let deployment_chat = query_bool(q, "deployment_chat", details);
    let sources = query_list(raw, "sources");
    let metadata: Option<Map<String, Value>> = match q.get("metadata").filter(|m| !m.is_empty()) {
        Some(m) => match serde_json::from_str(m) {
            Ok(map) => Some(map),
            Err(_) => {
                details.push(query_error("json_invalid", "metadata", "Input should be a JSON object", m));
                None
            }
        },
        None => None,
    };
    let search = q.get("search").map(|s| s.to_lowercase());
    let agents = app.with_store(|s| s.agents.clone());
    agents
        .iter()
        .map(current_json)
        .filter(|a| q.get("name").is_none_or(|n| a["name"] == json!(n)))
        .filter(|a| q.get("id").is_none_or(|id| a["id"] == json!(id)))
        .filter(|a| deployment_chat.is_none_or(|d| a["deployment_chat"] == json!(d)))
        .filter(|_| sources.is_empty() || sources.iter().any(|s| s == SOURCE))
        .filter(|a| {
            search.as_deref().is_none_or(|needle| {
                ["name", "description"].iter().any(|k| a[k].as_str().is_some_and(|t| t.to_lowercase().contains(needle)))
            })
        })
        .filter(|a| metadata.as_ref().is_none_or(|m| m.iter().all(|(k, v)| a["metadata"].get(k) == Some(v))))
        .collect()
}

/// `GET /v1/agents`: `page` (from 0) of `page_size` (default 20) agents, oldest first.
pub(crate) async fn list(State(app): State<Arc<App>>, RawQuery(raw): RawQuery) -> Result<Json<Value>, ApiError> {
    let q = query_map(raw.as_deref());
    let mut details = Vec::new();
    let page = query_int_in(&q, "page", (0, i64::MAX), &mut details).unwrap_or(0);
    let size = query_int_in(&q, "page_size", (1, 1000), &mut details).unwrap_or(20);
    let all = filtered(&app, raw.as_deref(), &q, &mut details);
    if !details.is_empty() {
        return Err(ApiError::validation(details));
    }
    let skip = usize::try_from(page.saturating_mul(size)).unwrap_or(usize::MAX);
    Ok(Json(Value::Array(all.into_iter().skip(skip).take(usize::try_from(size).unwrap_or(0)).collect())))
}

/// `GET /v1/agents/pages`: `page_size` (default 20) agents from `page_token` (the
/// `next_page_token` of the page before), oldest first.
pub(crate) async fn list_pages(State(app): State<Arc<App>>, RawQuery(raw): RawQuery) -> Result<Json<Value>, ApiError> {
    let q = query_map(raw.as_deref());
    let mut details = Vec::new();
    let size = query_int_in(&q, "page_size", (1, 1000), &mut details).unwrap_or(20);
    let all = filtered(&app, raw.as_deref(), &q, &mut details);
    let start = match q.get("page_token").filter(|t| !t.is_empty() && t.as_str() != "null") {
        Some(token) => match token.strip_prefix("p").and_then(|n| n.parse::<usize>().ok()) {
            Some(n) => n,
            None => {
                details.push(query_error("value_error", "page_token", "Value error, invalid page token", token));
                0
            }
        },
        None => 0,
    };
    if !details.is_empty() {
        return Err(ApiError::validation(details));
    }
    let end = start.saturating_add(usize::try_from(size).unwrap_or(0));
    let next = (end < all.len()).then(|| format!("p{end}"));
    let data: Vec<Value> = all.into_iter().skip(start).take(end - start).collect();
    Ok(Json(json!({ "object": "list", "data": data, "next_page_token": next })))
}

/// `GET /v1/agents/{agent_id}`: the current version, or `agent_version` (a number or an alias).
pub(crate) async fn get(
    State(app): State<Arc<App>>,
    Path(agent_id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let agent = find(&app, &agent_id)?;
    let q = query_map(raw.as_deref());
    let version = match q.get("agent_version").filter(|v| !v.is_empty() && v.as_str() != "null") {
        Some(reference) => resolve(&agent, reference)?,
        None => agent.current,
    };
    Ok(Json(agent_json(&agent, version)))
}

/// `PATCH /v1/agents/{agent_id}`: a new version from the current one with the fields given
/// (`null` clears them; the model and name are kept), made current.
pub(crate) async fn update(
    State(app): State<Arc<App>>,
    Path(agent_id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Value>, ApiError> {
    let request = read_request(&app, &ops::AGENTS_API_V1_AGENTS_UPDATE, &headers, body).await?;
    if let Some(model) = request.get("model").and_then(Value::as_str) {
        crate::routes::models::check(&app, model, crate::routes::models::Capability::Chat)?;
    }
    let now = now_ms();
    let out = app.with_store(|s| {
        let agent = s.agents.iter_mut().find(|a| a.id == agent_id)?;
        let mut fields = agent.versions.iter().find(|v| v.version == agent.current)?.fields.clone();
        fields.insert("version_message".into(), Value::Null);
        for (key, value) in request.as_object().into_iter().flatten() {
            match (key.as_str(), value) {
                ("model" | "name", Value::Null) => {}
                ("deployment_chat", value) => agent.deployment_chat = value.as_bool().unwrap_or(agent.deployment_chat),
                (key, value) if FIELDS.contains(&key) => {
                    fields.insert(key.to_string(), value.clone());
                }
                _ => {}
            }
        }
        let version = agent.versions.iter().map(|v| v.version).max().unwrap_or(-1) + 1;
        agent.versions.push(AgentVersion { version, created_ms: now, fields });
        agent.current = version;
        Some(current_json(agent))
    });
    let out = out.ok_or_else(|| no_agent(&agent_id))?;
    app.save().await?;
    Ok(Json(out))
}

/// `DELETE /v1/agents/{agent_id}`: 204.
pub(crate) async fn delete(State(app): State<Arc<App>>, Path(agent_id): Path<String>) -> Result<Response, ApiError> {
    let removed = app.with_store(|s| {
        let i = s.agents.iter().position(|a| a.id == agent_id)?;
        Some(s.agents.remove(i))
    });
    removed.ok_or_else(|| no_agent(&agent_id))?;
    app.save().await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// A required integer query parameter.
fn required_int(q: &HashMap<String, String>, name: &str, details: &mut Vec<Detail>) -> Option<i64> {
    if !q.contains_key(name) {
        details.push(
            Detail::new("missing", crate::api_error::loc("query", &[Value::from(name)]), "Field required")
                .with_input(Value::Null),
        );
        return None;
    }
    query_int_in(q, name, (i64::MIN, i64::MAX), details)
}

/// `PATCH /v1/agents/{agent_id}/version?version=N`: version N becomes the current one.
pub(crate) async fn update_version(
    State(app): State<Arc<App>>,
    Path(agent_id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let q = query_map(raw.as_deref());
    let mut details = Vec::new();
    let version = required_int(&q, "version", &mut details);
    let Some(version) = version.filter(|_| details.is_empty()) else { return Err(ApiError::validation(details)) };
    let agent = find(&app, &agent_id)?;
    resolve(&agent, &version.to_string())?;
    let out = app.with_store(|s| {
        let agent = s.agents.iter_mut().find(|a| a.id == agent_id)?;
        agent.current = version;
        Some(current_json(agent))
    });
    let out = out.ok_or_else(|| no_agent(&agent_id))?;
    app.save().await?;
    Ok(Json(out))
}

/// `GET /v1/agents/{agent_id}/versions`: `page` (from 0) of `page_size` (default 20)
/// versions, newest first.
pub(crate) async fn list_versions(
    State(app): State<Arc<App>>,
    Path(agent_id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let q = query_map(raw.as_deref());
    let mut details = Vec::new();
    let page = query_int_in(&q, "page", (0, i64::MAX), &mut details).unwrap_or(0);
    let size = query_int_in(&q, "page_size", (1, 100), &mut details).unwrap_or(20);
    if !details.is_empty() {
        return Err(ApiError::validation(details));
    }
    let agent = find(&app, &agent_id)?;
    let skip = usize::try_from(page.saturating_mul(size)).unwrap_or(usize::MAX);
    let out: Vec<Value> = agent
        .versions
        .iter()
        .rev()
        .skip(skip)
        .take(usize::try_from(size).unwrap_or(0))
        .map(|v| agent_json(&agent, v.version))
        .collect();
    Ok(Json(Value::Array(out)))
}

/// `GET /v1/agents/{agent_id}/versions/{version}`: a version by number or alias.
pub(crate) async fn get_version(
    State(app): State<Arc<App>>,
    Path((agent_id, version)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let agent = find(&app, &agent_id)?;
    let version = resolve(&agent, &version)?;
    Ok(Json(agent_json(&agent, version)))
}

/// The `alias` query parameter, checked as the API does (`^[a-z]([a-z0-9_-]*[a-z0-9])?$`, 1
/// to 64 characters).
fn alias_param(q: &HashMap<String, String>, details: &mut Vec<Detail>) -> Option<String> {
    let Some(alias) = q.get("alias") else {
        details.push(
            Detail::new("missing", crate::api_error::loc("query", &[Value::from("alias")]), "Field required")
                .with_input(Value::Null),
        );
        return None;
    };
    let bytes = alias.as_bytes();
    let inner = |c: &u8| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'_' || *c == b'-';
    let fits = (1..=64).contains(&bytes.len())
        && bytes.first().is_some_and(u8::is_ascii_lowercase)
        && bytes.iter().all(inner)
        && bytes.last().is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    if !fits {
        let msg = "String should match pattern '^[a-z]([a-z0-9_-]*[a-z0-9])?$'";
        details.push(query_error("string_pattern_mismatch", "alias", msg, alias));
        return None;
    }
    Some(alias.clone())
}

/// `GET /v1/agents/{agent_id}/aliases`: the aliases, in creation order.
pub(crate) async fn list_aliases(
    State(app): State<Arc<App>>,
    Path(agent_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let agent = find(&app, &agent_id)?;
    Ok(Json(Value::Array(agent.aliases.iter().map(alias_json).collect())))
}

/// `PUT /v1/agents/{agent_id}/aliases?alias=A&version=N`: A names version N (made, or moved).
pub(crate) async fn put_alias(
    State(app): State<Arc<App>>,
    Path(agent_id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let q = query_map(raw.as_deref());
    let mut details = Vec::new();
    let alias = alias_param(&q, &mut details);
    let version = required_int(&q, "version", &mut details);
    let (Some(alias), Some(version)) = (alias, version) else { return Err(ApiError::validation(details)) };
    let agent = find(&app, &agent_id)?;
    if !agent.versions.iter().any(|v| v.version == version) {
        return Err(no_version(&agent_id, &version.to_string()));
    }
    let now = now_ms();
    let out = app.with_store(|s| {
        let agent = s.agents.iter_mut().find(|a| a.id == agent_id)?;
        match agent.aliases.iter_mut().find(|a| a.alias == alias) {
            Some(existing) => {
                existing.version = version;
                existing.updated_ms = now;
                Some(alias_json(existing))
            }
            None => {
                let made = AgentAlias { alias, version, created_ms: now, updated_ms: now };
                let out = alias_json(&made);
                agent.aliases.push(made);
                Some(out)
            }
        }
    });
    let out = out.ok_or_else(|| no_agent(&agent_id))?;
    app.save().await?;
    Ok(Json(out))
}

/// `DELETE /v1/agents/{agent_id}/aliases?alias=A`: 204.
pub(crate) async fn delete_alias(
    State(app): State<Arc<App>>,
    Path(agent_id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let q = query_map(raw.as_deref());
    let mut details = Vec::new();
    let Some(alias) = alias_param(&q, &mut details) else { return Err(ApiError::validation(details)) };
    find(&app, &agent_id)?;
    let removed = app.with_store(|s| {
        let agent = s.agents.iter_mut().find(|a| a.id == agent_id)?;
        let i = agent.aliases.iter().position(|a| a.alias == alias)?;
        Some(agent.aliases.remove(i))
    });
    removed.ok_or_else(|| ApiError::not_found(format!("Agent {agent_id} has no alias {alias}")))?;
    app.save().await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The chat request an agents completion stands for: the agent's completion arguments, then
/// the request's own fields, the agent's model, its instructions as a first system message,
/// its tools when the request has none.
fn chat_request(agent: &Value, request: &Value) -> Value {
    let mut chat = Map::new();
    for (key, value) in agent["completion_args"].as_object().into_iter().flatten() {
        if COMPLETION_ARGS.contains(&key.as_str()) && !value.is_null() {
            chat.insert(key.clone(), value.clone());
        }
    }
    for (key, value) in request.as_object().into_iter().flatten() {
        if key != "agent_id" {
            chat.insert(key.clone(), value.clone());
        }
    }
    chat.insert("model".into(), agent["model"].clone());
    let mut messages = Vec::new();
    if let Some(instructions) = agent["instructions"].as_str().filter(|i| !i.is_empty()) {
        messages.push(json!({ "role": "system", "content": instructions }));
    }
    messages.extend(request["messages"].as_array().into_iter().flatten().cloned());
    chat.insert("messages".into(), Value::Array(messages));
    let tools = agent["tools"].as_array().filter(|t| !t.is_empty());
    if let (None, Some(tools)) = (chat.get("tools").filter(|t| !t.is_null()), tools) {
        chat.insert("tools".into(), Value::Array(tools.clone()));
    }
    Value::Object(chat)
}

/// `POST /v1/agents/completions`: the chat engine's answer (plain or streamed) to the agent's
/// chat request.
pub(crate) async fn complete(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let request = read_request(&app, &ops::AGENTS_COMPLETION_V1_AGENTS_COMPLETIONS_POST, &headers, body).await?;
    let agent_id = request.get("agent_id").and_then(Value::as_str).unwrap_or_default();
    let agent = current_json(&find(&app, agent_id)?);
    let bytes = chat_request(&agent, &request).to_string().into_bytes();
    let chat = Request::builder()
        .method(Method::POST)
        .uri(ops::CREATE_CHAT_COMPLETION.path)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::CONTENT_LENGTH, bytes.len())
        .extension(caller)
        .body(Body::from(bytes))
        .map_err(|e| ApiError::internal(format!("cannot build the request: {e}")))?;
    Ok(dispatch(&app, &ops::CREATE_CHAT_COMPLETION, chat).await)
}
