//! `/v1/conversations`: conversations kept in the store with their entries; each start, append
//! or restart is answered by the chat engine (the conversation's model, or its agent's model,
//! instructions and tools) on the entries turned into chat messages. The engine's choice is the
//! answer's: function calls become `function.call` entries, which the client answers with
//! `function.result` inputs; a text answer to a user message comes after a `tool.execution`
//! entry per built-in tool (the document library searched for real, its best chunk quoted); an
//! agent whose `handoffs` include an agent the user message names hands off to it first
//! (`agent.handoff`). With `stream: true` the same outputs go out as the API's named events, in
//! its order.

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
use crate::validate::read_request;

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

/// A new id for an entry of this type (`msg_`, `fc_`, `fr_`, `tex_`, `ho_` and 32 hex digits).
fn entry_id(kind: &str) -> String {
    let prefix = match kind {
        "function.call" => "fc",
        "function.result" => "fr",
        "tool.execution" => "tex",
        "agent.handoff" => "ho",
        _ => "msg",
    };
    format!("{prefix}_{}", Uuid::new_v4().simple())
}

/// The entries `inputs` stands for: a string is one user message.
fn input_entries(inputs: Option<&Value>, now: i64) -> Vec<Value> {
    let stamp = |mut entry: Map<String, Value>| {
        entry.insert("object".into(), json!("entry"));
        entry.entry("type").or_insert_with(|| json!("message.input"));
        let id = entry_id(entry["type"].as_str().unwrap_or_default());
        entry.insert("id".into(), json!(id));
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

/// Adds `inputs` to `entries`, refusing (400) a `function.result` that answers no pending
/// `function.call` (none with its `tool_call_id`, or one already answered): the model could
/// not tell what the result is for.
fn add_inputs(entries: &mut Vec<Value>, inputs: Vec<Value>) -> Result<(), ApiError> {
    for input in inputs {
        if input["type"] == json!("function.result") {
            let id = &input["tool_call_id"];
            let called = entries.iter().any(|e| e["type"] == json!("function.call") && e["tool_call_id"] == *id);
            let answered = entries.iter().any(|e| e["type"] == json!("function.result") && e["tool_call_id"] == *id);
            if !called || answered {
                let id = id.as_str().unwrap_or_default();
                return Err(ApiError::bad_request(format!(
                    "function.result for tool_call_id {id} does not answer a pending function.call"
                )));
            }
        }
        entries.push(input);
    }
    Ok(())
}

/// The text of an entry's content: a string, or the `text` of its chunks.
fn content_text(content: &Value) -> String {
    match content {
        Value::String(text) => text.clone(),
        Value::Array(chunks) => chunks.iter().filter_map(|c| c["text"].as_str()).collect(),
        _ => String::new(),
    }
}

/// Function arguments as JSON text (entries may hold them as an object).
fn arguments_text(arguments: &Value) -> String {
    match arguments {
        Value::String(text) => text.clone(),
        Value::Null => "{}".to_string(),
        other => other.to_string(),
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

/// The agent that answers, as entries name it.
struct Speaker {
    id: String,
    name: String,
    handoffs: Vec<String>,
}

/// What answers: a model, or an agent (at a version) with its model.
struct Answering {
    model: String,
    instructions: Option<String>,
    args: Map<String, Value>,
    tools: Vec<Value>,
    agent: Option<Speaker>,
}

impl Answering {
    /// From a conversation's settings or an agent (`Agent` JSON).
    fn from_source(source: &Value, agent: bool) -> Answering {
        let speaker = agent.then(|| Speaker {
            id: source["id"].as_str().unwrap_or_default().to_string(),
            name: source["name"].as_str().unwrap_or_default().to_string(),
            handoffs: source["handoffs"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect(),
        });
        Answering {
            model: source["model"].as_str().unwrap_or_default().to_string(),
            instructions: source["instructions"].as_str().filter(|i| !i.is_empty()).map(str::to_string),
            args: source["completion_args"].as_object().cloned().unwrap_or_default(),
            tools: source["tools"].as_array().cloned().unwrap_or_default(),
            agent: speaker,
        }
    }

    /// Marks an output entry as this one's (`agent_id`, else `model`).
    fn sign(&self, entry: &mut Value) {
        match &self.agent {
            Some(agent) => entry["agent_id"] = json!(agent.id),
            None => entry["model"] = json!(self.model),
        }
    }
}

/// The model or agent the conversation answers with (its agent at `agent_version`).
fn answering(app: &App, c: &ConversationRecord) -> Result<Answering, ApiError> {
    let setting = |key: &str| c.settings.get(key).filter(|v| !v.is_null());
    match setting("agent_id").and_then(Value::as_str) {
        Some(agent_id) => {
            let version =
                setting("agent_version").map(|v| v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string()));
            Ok(Answering::from_source(&agent_at(app, agent_id, version.as_deref())?, true))
        }
        None => Ok(Answering::from_source(&Value::Object(c.settings.clone()), false)),
    }
}

/// The last entry when it is a user message: a question to answer (handoffs and built-in
/// tools act on these, not on function results).
fn asked(entries: &[Value]) -> Option<String> {
    let last = entries.last()?;
    (last["type"] == json!("message.input") && last["role"] == json!("user")).then(|| content_text(&last["content"]))
}

/// Whether `name` appears in `text` as whole words, whatever the case.
fn names(text: &str, name: &str) -> bool {
    let (text, name) = (text.to_lowercase(), name.trim().to_lowercase());
    if name.is_empty() {
        return false;
    }
    let word = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    text.match_indices(&name)
        .any(|(at, _)| !word(text[..at].chars().next_back()) && !word(text[at + name.len()..].chars().next()))
}

/// The agent `from` hands the question to: the first of its `handoffs` (that still exists)
/// whose name the question contains as whole words, any case.
fn handoff_target(app: &App, from: &Answering, question: &str) -> Option<Answering> {
    let agent = from.agent.as_ref()?;
    agent
        .handoffs
        .iter()
        .filter_map(|id| agent_at(app, id, None).ok())
        .find(|next| next["name"].as_str().is_some_and(|n| names(question, n)))
        .map(|next| Answering::from_source(&next, true))
}

/// The agent that made the function call the last entry (a `function.result`) answers, so
/// that a handed-off agent gets its results back; `None`: the conversation's own.
fn caller_of_result(app: &App, entries: &[Value], own: &Answering) -> Option<Answering> {
    let last = entries.last().filter(|e| e["type"] == json!("function.result"))?;
    let call =
        entries.iter().find(|e| e["type"] == json!("function.call") && e["tool_call_id"] == last["tool_call_id"])?;
    let agent_id = call["agent_id"].as_str()?;
    if own.agent.as_ref().is_some_and(|a| a.id == agent_id) {
        return None;
    }
    agent_at(app, agent_id, None).ok().map(|a| Answering::from_source(&a, true))
}

/// The chat messages the entries stand for: messages as they are, function calls as the
/// assistant's `tool_calls` (consecutive ones in one message), function results as `tool`
/// messages; tool executions and handoffs are not part of the chat.
fn chat_messages(instructions: Option<&str>, entries: &[Value]) -> Vec<Value> {
    let mut messages: Vec<Value> = Vec::new();
    if let Some(instructions) = instructions {
        messages.push(json!({"role": "system", "content": instructions}));
    }
    for entry in entries {
        match entry["type"].as_str() {
            Some("message.input") => {
                let role = entry["role"].as_str().unwrap_or("user");
                messages.push(json!({"role": role, "content": content_text(&entry["content"])}));
            }
            Some("message.output") => {
                messages.push(json!({"role": "assistant", "content": content_text(&entry["content"])}));
            }
            Some("function.call") => {
                let call = json!({"id": entry["tool_call_id"], "type": "function", "function": {
                    "name": entry["name"], "arguments": arguments_text(&entry["arguments"])}});
                match messages.last_mut().and_then(|m| m.get_mut("tool_calls")).and_then(Value::as_array_mut) {
                    Some(calls) => calls.push(call),
                    None => messages.push(json!({"role": "assistant", "content": "", "tool_calls": [call]})),
                }
            }
            Some("function.result") => {
                let id = &entry["tool_call_id"];
                let name = entries
                    .iter()
                    .find(|e| e["type"] == json!("function.call") && e["tool_call_id"] == *id)
                    .map_or(Value::Null, |call| call["name"].clone());
                let mut message =
                    json!({"role": "tool", "tool_call_id": id, "content": arguments_text(&entry["result"])});
                if !name.is_null() {
                    message["name"] = name;
                }
                messages.push(message);
            }
            _ => {}
        }
    }
    messages
}

/// What a built-in tool does with `query`: its name in entries and its arguments; `None` for
/// function tools and kinds the mock does not know.
fn builtin(tool: &Value, query: &str) -> Option<(String, Value)> {
    let kind = tool["type"].as_str()?;
    match kind {
        "web_search" | "web_search_premium" | "code_interpreter" | "image_generation" => {
            Some((kind.to_string(), json!({"query": query})))
        }
        "document_library" => Some((kind.to_string(), json!({"query": query, "library_ids": tool["library_ids"]}))),
        "connector" => Some((tool["connector_id"].as_str()?.to_string(), json!({"query": query}))),
        _ => None,
    }
}

/// Searches the tool's libraries for `query`: the execution's `info` (`hits`, best first, as
/// `{library_id, document_id, document_name, chunk, score}`) and what the answer says of it (the
/// best chunk quoted, or that nothing was found).
fn library_search(app: &App, tool: &Value, query: &str) -> (Value, String) {
    let ids: Vec<String> =
        tool["library_ids"].as_array().into_iter().flatten().filter_map(Value::as_str).map(str::to_string).collect();
    let hits = crate::routes::libraries::search(app, &ids, query);
    let sentence = match hits.first() {
        Some(best) => format!("According to {}: \"{}\"", best.document_name, best.chunk),
        None => format!("I found nothing about \"{query}\" in the document library."),
    };
    let hits: Vec<Value> = hits
        .iter()
        .map(|h| {
            json!({"library_id": h.library_id, "document_id": h.document_id, "document_name": h.document_name,
                "chunk": h.chunk, "score": h.score})
        })
        .collect();
    (json!({"hits": hits}), sentence)
}

/// The query built-in tools run with: the question's first four keywords (as the chat engine
/// says it searched for), else the question.
fn tool_query(question: &str) -> String {
    let keys = crate::text::keywords(question);
    if keys.is_empty() { question.trim().to_string() } else { keys[..keys.len().min(4)].join(" ") }
}

/// One chat completion: the JSON answer, or the chat route's error as it is.
async fn chat(app: &Arc<App>, caller: Caller, chat: Value) -> Result<Value, ApiError> {
    let bytes = chat.to_string().into_bytes();
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
    Ok(body)
}

/// A new output entry of `kind` with `fields`, signed by `by` when given.
fn output_entry(kind: &str, by: Option<&Answering>, fields: Value) -> Value {
    let now = time(now_ms());
    let mut entry =
        json!({"object": "entry", "type": kind, "created_at": now, "completed_at": now, "id": entry_id(kind)});
    if let Some(by) = by {
        by.sign(&mut entry);
    }
    for (key, value) in fields.as_object().into_iter().flatten() {
        entry[key] = value.clone();
    }
    entry
}

/// `by`'s answer to the entries: `function.call` entries when the chat engine calls functions;
/// else a `tool.execution` entry per built-in tool (when answering a question) then the
/// `message.output`. Gives the entries and the usage.
async fn run(
    app: &Arc<App>,
    caller: Caller,
    entries: &[Value],
    by: &Answering,
    extra_args: Option<&Value>,
) -> Result<(Vec<Value>, Value), ApiError> {
    let mut args = by.args.clone();
    if let Some(extra) = extra_args.and_then(Value::as_object) {
        args.extend(extra.clone());
    }
    let question = asked(entries);
    let no_tools = args.get("tool_choice") == Some(&json!("none"));
    let mut request = Map::new();
    for (key, value) in args {
        if COMPLETION_ARGS.contains(&key.as_str()) && !value.is_null() {
            request.insert(key, value);
        }
    }
    request.insert("model".into(), json!(by.model));
    request.insert("messages".into(), Value::Array(chat_messages(by.instructions.as_deref(), entries)));
    // The mock runs the document library itself (below): the engine would only say it did.
    let chat_tools: Vec<Value> = by.tools.iter().filter(|t| t["type"] != json!("document_library")).cloned().collect();
    if !chat_tools.is_empty() {
        request.insert("tools".into(), Value::Array(chat_tools));
    }
    let body = chat(app, caller, Value::Object(request)).await?;
    let mut usage = json!({
        "prompt_tokens": body["usage"]["prompt_tokens"], "completion_tokens": body["usage"]["completion_tokens"],
        "total_tokens": body["usage"]["total_tokens"],
    });
    let message = &body["choices"][0]["message"];
    let calls = message["tool_calls"].as_array().filter(|c| !c.is_empty());
    if let Some(calls) = calls {
        let outputs = calls
            .iter()
            .map(|call| {
                output_entry(
                    "function.call",
                    Some(by),
                    json!({"tool_call_id": call["id"], "name": call["function"]["name"],
                        "arguments": arguments_text(&call["function"]["arguments"])}),
                )
            })
            .collect();
        return Ok((outputs, usage));
    }
    let mut outputs = Vec::new();
    let mut connectors = Map::new();
    let mut said = Vec::new();
    if let Some(question) = question.filter(|_| !no_tools) {
        let query = tool_query(&question);
        for (tool, (name, arguments)) in by.tools.iter().filter_map(|t| Some((t, builtin(t, &query)?))) {
            let count = connectors.get(&name).and_then(Value::as_u64).unwrap_or(0) + 1;
            connectors.insert(name.clone(), json!(count));
            let info = if name == "document_library" {
                let (info, sentence) = library_search(app, tool, &query);
                said.push(sentence);
                info
            } else {
                json!({})
            };
            let fields = json!({"name": name, "arguments": arguments.to_string(), "info": info});
            outputs.push(output_entry("tool.execution", Some(by), fields));
        }
    }
    if !connectors.is_empty() {
        usage["connectors"] = Value::Object(connectors);
    }
    said.push(content_text(&message["content"]));
    let content = said.join(" ");
    outputs.push(output_entry("message.output", Some(by), json!({"role": "assistant", "content": content})));
    Ok((outputs, usage))
}

/// Answers the conversation's entries: the conversation's model or agent, or the agent it
/// hands the question off to (an `agent.handoff` entry first), or the agent whose function
/// call the last result answers. Gives the output entries and the usage.
async fn answer(
    app: &Arc<App>,
    caller: Caller,
    c: &ConversationRecord,
    extra_args: Option<&Value>,
) -> Result<(Vec<Value>, Value), ApiError> {
    let own = answering(app, c)?;
    let mut outputs = Vec::new();
    let handoff = asked(&c.entries).and_then(|question| handoff_target(app, &own, &question));
    let by = match (handoff, caller_of_result(app, &c.entries, &own)) {
        (Some(next), _) => {
            if let (Some(from), Some(to)) = (&own.agent, &next.agent) {
                outputs.push(output_entry(
                    "agent.handoff",
                    None,
                    json!({"previous_agent_id": from.id, "previous_agent_name": from.name,
                        "next_agent_id": to.id, "next_agent_name": to.name}),
                ));
            }
            next
        }
        (None, Some(caller)) => caller,
        (None, None) => own,
    };
    let (more, usage) = run(app, caller, &c.entries, &by, extra_args).await?;
    outputs.extend(more);
    Ok((outputs, usage))
}

/// The named events of a streamed answer, in the API's order: `conversation.response.started`,
/// then per output entry its events (`agent.handoff.started`/`done`,
/// `tool.execution.started`/`done`, `function.call.delta`s, `message.output.delta`s), then
/// `conversation.response.done`.
fn stream_events(conversation_id: &str, outputs: &[Value], usage: &Value) -> Vec<Value> {
    let now = time(now_ms());
    let mut events =
        vec![json!({"type": "conversation.response.started", "created_at": now, "conversation_id": conversation_id})];
    for (index, entry) in outputs.iter().enumerate() {
        let event = |kind: &str, keys: &[&str]| {
            let mut event = json!({"type": kind, "created_at": now, "output_index": index, "id": entry["id"]});
            for key in keys {
                if let Some(value) = entry.get(*key) {
                    event[*key] = value.clone();
                }
            }
            event
        };
        match entry["type"].as_str() {
            Some("agent.handoff") => {
                events.push(event("agent.handoff.started", &["previous_agent_id", "previous_agent_name"]));
                events.push(event("agent.handoff.done", &["next_agent_id", "next_agent_name"]));
            }
            Some("tool.execution") => {
                events.push(event("tool.execution.started", &["model", "agent_id", "name", "arguments"]));
                events.push(event("tool.execution.done", &["name", "info"]));
            }
            Some("function.call") => {
                // The arguments in pieces, as the model writes them.
                let arguments = entry["arguments"].as_str().unwrap_or_default();
                for piece in arguments.split_inclusive([',', ':']) {
                    let mut delta = event("function.call.delta", &["model", "agent_id", "name", "tool_call_id"]);
                    delta["arguments"] = json!(piece);
                    events.push(delta);
                }
            }
            Some("message.output") => {
                let text = entry["content"].as_str().unwrap_or_default();
                for piece in text.split_inclusive(' ') {
                    let mut delta = event("message.output.delta", &["model", "agent_id", "role"]);
                    delta["content_index"] = json!(0);
                    delta["content"] = json!(piece);
                    events.push(delta);
                }
            }
            _ => {}
        }
    }
    events.push(json!({"type": "conversation.response.done", "created_at": now, "usage": usage}));
    events
}

/// Answers `c` (already holding the new inputs), stores it with the outputs, and responds.
async fn respond(
    app: &Arc<App>,
    caller: Caller,
    mut c: ConversationRecord,
    request: &Value,
    is_new: bool,
) -> Result<Response, ApiError> {
    let (outputs, usage) = answer(app, caller, &c, request.get("completion_args")).await?;
    let store = request.get("store").and_then(Value::as_bool).unwrap_or(true);
    c.entries.extend(outputs.iter().cloned());
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
            json!({"object": "conversation.response", "conversation_id": id, "outputs": outputs, "usage": usage});
        return Ok(Json(body).into_response());
    }
    Ok(crate::sse::events_response(&stream_events(&id, &outputs, &usage), app.options.token_delay))
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
    let mut c = ConversationRecord {
        id: format!("conv_{}", Uuid::new_v4().simple()),
        created_ms: now,
        updated_ms: now,
        settings,
        entries: Vec::new(),
    };
    add_inputs(&mut c.entries, input_entries(request.get("inputs"), now))?;
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
    add_inputs(&mut c.entries, input_entries(request.get("inputs"), now_ms()))?;
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
    add_inputs(&mut entries, input_entries(request.get("inputs"), now))?;
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
