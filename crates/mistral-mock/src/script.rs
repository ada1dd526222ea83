//! The mock as a test double: a journal of every request it received, and scripted answers
//! that take precedence over its own behaviour.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use mistral_mock::{MockServer, Reply};
//! use mistral_openapi::operations as ops;
//!
//! let server = MockServer::start().await?;
//! // The model calls get_weather for Lyon, whatever the prompt, once; then the mock answers.
//! server
//!     .on(&ops::CREATE_CHAT_COMPLETION)
//!     .when(|r| r.text().contains("weather"))
//!     .times(1)
//!     .respond(Reply::tool_call("get_weather", serde_json::json!({"city": "Lyon"})));
//! let answer: serde_json::Value = reqwest::Client::new()
//!     .post(format!("{}/v1/chat/completions", server.base_url()))
//!     .bearer_auth("any-key")
//!     .json(&serde_json::json!({"model": "mistral-small-latest",
//!         "messages": [{"role": "user", "content": "What is the weather?"}]}))
//!     .send()
//!     .await?
//!     .json()
//!     .await?;
//! assert_eq!(answer["choices"][0]["message"]["tool_calls"][0]["function"]["name"], "get_weather");
//! // What the application sent, key left out.
//! let sent = server.received_for(&ops::CREATE_CHAT_COMPLETION);
//! assert_eq!(sent.len(), 1);
//! assert_eq!(sent[0].body.as_ref().unwrap()["model"], "mistral-small-latest");
//! assert!(sent[0].headers.iter().all(|(name, value)| name != "authorization" || value == "[redacted]"));
//! # Ok(()) }
//! ```

use std::sync::{Arc, Mutex, PoisonError};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use mistral_openapi::operations::{self, Operation};
use mistral_openapi::types::{FunctionArguments, FunctionCall, KnownFinishReason, ToolCall, ToolTypes};
use serde_json::Value;

use crate::api_error::ApiError;
use crate::app::{App, now_ms};
use crate::completion::{self, Generated};

/// One request the mock received, as a test asserts on it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Received {
    /// The operation of the table it was routed to (`None` for an unknown path).
    pub operation: Option<&'static str>,
    /// `POST`.
    pub method: String,
    /// `/v1/chat/completions`.
    pub path: String,
    /// The raw query string, if any.
    pub query: Option<String>,
    /// Every header, in order, names lower-case; the `authorization` value is `[redacted]`.
    pub headers: Vec<(String, String)>,
    /// The body, when it was JSON.
    pub body: Option<Value>,
    /// The body's size in bytes (multipart uploads included).
    pub body_bytes: usize,
    /// The parts of a `multipart/form-data` body, in order.
    pub parts: Vec<Part>,
    /// When, in milliseconds since the Unix epoch.
    pub at_ms: i64,
}

impl Received {
    /// The text of the request's messages (`messages[].content` strings and text chunks) and
    /// of its `prompt`/`input`, joined by newlines: what a predicate usually looks at.
    pub fn text(&self) -> String {
        let mut out = Vec::new();
        let Some(body) = &self.body else {
            return String::new();
        };
        let mut push = |v: &Value| match v {
            Value::String(s) => out.push(s.clone()),
            Value::Array(items) => out.extend(items.iter().filter_map(|i| {
                i.as_str().map(str::to_string).or_else(|| i.get("text").and_then(Value::as_str).map(str::to_string))
            })),
            _ => {}
        };
        for m in body.get("messages").and_then(Value::as_array).into_iter().flatten() {
            if let Some(content) = m.get("content") {
                push(content);
            }
        }
        for key in ["prompt", "input", "inputs"] {
            if let Some(v) = body.get(key) {
                push(v);
            }
        }
        out.join("\n")
    }

    /// The body's `model`, if any.
    pub fn model(&self) -> Option<&str> {
        self.body.as_ref()?.get("model")?.as_str()
    }

    /// The value of a header (name case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// One part of a multipart request.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Part {
    /// The field name, e.g. `file` or `purpose`.
    pub name: String,
    /// The file name, for a file part.
    pub filename: Option<String>,
    /// Its `Content-Type`, if it has one.
    pub content_type: Option<String>,
    /// Its size in bytes.
    pub bytes: usize,
    /// Its text, when it is UTF-8 of at most 64 KiB.
    pub text: Option<String>,
}

impl Received {
    /// The text of the multipart field `name` (e.g. `purpose`).
    pub fn part_text(&self, name: &str) -> Option<&str> {
        self.parts.iter().find(|p| p.name == name)?.text.as_deref()
    }
}

/// The parts of a multipart body (none when it is not one, or cannot be read).
async fn parts_of(content_type: Option<&str>, bytes: &bytes::Bytes) -> Vec<Part> {
    let Some(boundary) = content_type.and_then(|ct| multer::parse_boundary(ct).ok()) else {
        return Vec::new();
    };
    let body = futures::stream::once(std::future::ready(Ok::<_, std::convert::Infallible>(bytes.clone())));
    let mut form = multer::Multipart::new(body, boundary);
    let mut out = Vec::new();
    while let Ok(Some(field)) = form.next_field().await {
        let name = field.name().unwrap_or_default().to_string();
        let filename = field.file_name().map(str::to_string);
        let content_type = field.content_type().map(ToString::to_string);
        let Ok(data) = field.bytes().await else {
            break;
        };
        let text = (data.len() <= 64 * 1024).then(|| std::str::from_utf8(&data).ok().map(str::to_string)).flatten();
        out.push(Part { name, filename, content_type, bytes: data.len(), text });
    }
    out
}

/// What a scripted rule answers.
#[derive(Debug, Clone, PartialEq)]
pub enum Reply {
    /// This status and JSON body.
    Json {
        /// The status.
        status: u16,
        /// The body.
        body: Value,
    },
    /// A chat (or FIM) completion with this text, streamed when the request asks for a stream.
    Text(String),
    /// A chat completion whose content is this JSON value as text: what a structured-output
    /// (`json_schema`) or JSON-mode request gets.
    Structured(Value),
    /// A chat (or FIM) completion streamed in exactly these pieces, one event each (their
    /// concatenation when the request does not ask for a stream).
    Chunks(Vec<String>),
    /// A stream of these events, whatever the operation: each object with a string `type` goes
    /// out named (`event: <type>`, as conversation and audio streams are), the others as plain
    /// `data:` events followed by `[DONE]`.
    Events(Vec<Value>),
    /// A chat completion calling this function with these arguments (streamed when asked).
    ToolCall {
        /// The function's name.
        name: String,
        /// Its arguments (sent as a JSON string, as the API does).
        arguments: Value,
    },
    /// An error object as the API sends it (`{"object": "error", "message": ...}`).
    Error {
        /// The status.
        status: u16,
        /// The message.
        message: String,
    },
    /// The mock's own answer with these faults (the `x-mock-fault` syntax, e.g.
    /// `"503;retry-after=1".parse()?`, `"delay=2s"`, `"drop-stream-after=3"`, `"reset"`).
    Fault(crate::Faults),
}

impl Reply {
    /// [`Reply::Json`].
    pub fn json(status: u16, body: Value) -> Reply {
        Reply::Json { status, body }
    }

    /// [`Reply::Text`].
    pub fn text(text: impl Into<String>) -> Reply {
        Reply::Text(text.into())
    }

    /// [`Reply::Structured`].
    pub fn structured(value: Value) -> Reply {
        Reply::Structured(value)
    }

    /// [`Reply::Chunks`].
    pub fn chunks(pieces: impl IntoIterator<Item = impl Into<String>>) -> Reply {
        Reply::Chunks(pieces.into_iter().map(Into::into).collect())
    }

    /// [`Reply::Events`].
    pub fn events(events: impl IntoIterator<Item = Value>) -> Reply {
        Reply::Events(events.into_iter().collect())
    }

    /// [`Reply::ToolCall`].
    pub fn tool_call(name: impl Into<String>, arguments: Value) -> Reply {
        Reply::ToolCall { name: name.into(), arguments }
    }

    /// [`Reply::Error`].
    pub fn error(status: u16, message: impl Into<String>) -> Reply {
        Reply::Error { status, message: message.into() }
    }

    /// [`Reply::Fault`].
    pub fn fault(faults: crate::Faults) -> Reply {
        Reply::Fault(faults)
    }
}

type Predicate = Arc<dyn Fn(&Received) -> bool + Send + Sync>;

/// A scripted answer: for requests of `operation` (any, if `None`) that `predicate` accepts,
/// `reply`, at most `times` times (always, if `None`).
#[derive(Clone)]
pub(crate) struct Rule {
    operation: Option<&'static str>,
    predicate: Option<Predicate>,
    reply: Reply,
    times: Option<usize>,
    used: usize,
    pace: Option<std::time::Duration>,
}

impl std::fmt::Debug for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rule")
            .field("operation", &self.operation)
            .field("reply", &self.reply)
            .field("times", &self.times)
            .field("used", &self.used)
            .finish_non_exhaustive()
    }
}

/// The journal and the rules of one server.
#[derive(Debug, Default)]
pub(crate) struct Script {
    journal: Mutex<Vec<Received>>,
    rules: Mutex<Vec<Rule>>,
}

impl Script {
    pub(crate) fn received(&self) -> Vec<Received> {
        self.journal.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    pub(crate) fn clear(&self) {
        self.journal.lock().unwrap_or_else(PoisonError::into_inner).clear();
        self.rules.lock().unwrap_or_else(PoisonError::into_inner).clear();
    }

    pub(crate) fn add(&self, rule: Rule) {
        self.rules.lock().unwrap_or_else(PoisonError::into_inner).push(rule);
    }

    /// The first rule that takes `request`, used once more: its answer and pace.
    fn take(&self, request: &Received) -> Option<(Reply, Option<std::time::Duration>)> {
        let mut rules = self.rules.lock().unwrap_or_else(PoisonError::into_inner);
        let rule = rules.iter_mut().find(|r| {
            r.times.is_none_or(|t| r.used < t)
                && r.operation.is_none_or(|op| request.operation == Some(op))
                && r.predicate.as_ref().is_none_or(|p| p(request))
        })?;
        rule.used += 1;
        Some((rule.reply.clone(), rule.pace))
    }
}

/// A rule being written: see [`crate::MockServer::on`].
#[must_use = "a rule takes effect with `respond`"]
pub struct RuleBuilder<'a> {
    script: &'a Script,
    rule: Rule,
}

impl<'a> RuleBuilder<'a> {
    pub(crate) fn new(script: &'a Script, operation: Option<&'static Operation>) -> RuleBuilder<'a> {
        let rule = Rule {
            operation: operation.map(|o| o.id),
            predicate: None,
            reply: Reply::text(""),
            times: None,
            used: 0,
            pace: None,
        };
        RuleBuilder { script, rule }
    }

    /// Only requests `predicate` accepts (all of them otherwise).
    pub fn when(mut self, predicate: impl Fn(&Received) -> bool + Send + Sync + 'static) -> Self {
        self.rule.predicate = Some(Arc::new(predicate));
        self
    }

    /// At most `n` times, then the rule is spent.
    pub fn times(mut self, n: usize) -> Self {
        self.rule.times = Some(n);
        self
    }

    /// Streams a text, chunks, tool-call or events answer with this pause between events (default: the
    /// server's `token_delay`).
    pub fn pace(mut self, delay: std::time::Duration) -> Self {
        self.rule.pace = Some(delay);
        self
    }

    /// Installs the rule with its answer. Rules are tried in the order they were added; a
    /// request no rule takes gets the mock's own answer.
    pub fn respond(mut self, reply: Reply) {
        self.rule.reply = reply;
        self.script.add(self.rule);
    }
}

/// The operation of the table `method path` is routed to.
fn operation(method: &str, path: &str) -> Option<&'static str> {
    let segments: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    operations::ALL
        .iter()
        .find(|op| {
            let template: Vec<&str> = op.path.split('/').collect();
            op.method.as_str() == method
                && template.len() == segments.len()
                && template.iter().zip(&segments).all(|(t, s)| t.starts_with('{') || t == s)
        })
        .map(|op| op.id)
}

/// Where the admin API lives (see [`ADMIN_RULES`] and [`ADMIN_REQUESTS`]).
pub const ADMIN_PREFIX: &str = "/__mock/";
/// `POST` a rule (JSON, see [`AdminRule`]), `DELETE` them all.
pub const ADMIN_RULES: &str = "/__mock/rules";
/// `GET` the journal (a JSON array of [`Received`]), `DELETE` it.
pub const ADMIN_REQUESTS: &str = "/__mock/requests";
/// `POST {"advance_seconds": N}`: simulated time of the fine-tuning and batch jobs moves on by N
/// seconds.
pub const ADMIN_CLOCK: &str = "/__mock/clock";

/// A rule as the admin API takes it:
///
/// ```json
/// {"operation": "createChatCompletion", "text_contains": "weather", "times": 1,
///  "reply": {"tool_call": {"name": "get_weather", "arguments": {"city": "Lyon"}}}}
/// ```
///
/// `operation` (an operationId), `text_contains` (see [`Received::text`]), `model` and
/// `header` (`{"name": ..., "value": ...}`) narrow it; `reply` is one of `{"text": "..."}`,
/// `{"structured": {...}}`, `{"chunks": ["Hel", "lo"]}`, `{"events": [{...}, ...]}`,
/// `{"tool_call": {"name", "arguments"}}`, `{"json": {"status", "body"}}`,
/// `{"error": {"status", "message"}}`, `{"fault": "503;retry-after=1"}`.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdminRule {
    /// The operationId the rule is for (any, if absent).
    #[serde(default)]
    pub operation: Option<String>,
    /// Only requests whose text contains this.
    #[serde(default)]
    pub text_contains: Option<String>,
    /// Only requests for this model.
    #[serde(default)]
    pub model: Option<String>,
    /// Only requests with this header value.
    #[serde(default)]
    pub header: Option<AdminHeader>,
    /// At most this many times.
    #[serde(default)]
    pub times: Option<usize>,
    /// Milliseconds between the events of a streamed answer (see [`RuleBuilder::pace`]).
    #[serde(default)]
    pub pace_ms: Option<u64>,
    /// The answer.
    pub reply: AdminReply,
}

/// A header condition of an [`AdminRule`].
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdminHeader {
    /// The name (case-insensitive).
    pub name: String,
    /// The value.
    pub value: String,
}

/// The answer of an [`AdminRule`]: one of its fields.
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum AdminReply {
    /// [`Reply::Text`].
    Text(String),
    /// [`Reply::Structured`].
    Structured(Value),
    /// [`Reply::Chunks`].
    Chunks(Vec<String>),
    /// [`Reply::Events`].
    Events(Vec<Value>),
    /// [`Reply::ToolCall`].
    ToolCall {
        /// The function's name.
        name: String,
        /// Its arguments.
        #[serde(default)]
        arguments: Value,
    },
    /// [`Reply::Json`].
    Json {
        /// The status (default 200).
        #[serde(default = "ok")]
        status: u16,
        /// The body.
        body: Value,
    },
    /// [`Reply::Error`].
    Error {
        /// The status.
        status: u16,
        /// The message.
        message: String,
    },
    /// [`Reply::Fault`], in the `x-mock-fault` syntax.
    Fault(String),
}

fn ok() -> u16 {
    200
}

impl AdminRule {
    fn into_rule(self) -> Result<Rule, String> {
        let operation = match &self.operation {
            None => None,
            Some(id) => Some(operations::by_id(id).ok_or_else(|| format!("no operation {id:?}"))?.id),
        };
        let reply = match self.reply {
            AdminReply::Text(t) => Reply::Text(t),
            AdminReply::Structured(v) => Reply::Structured(v),
            AdminReply::Chunks(c) => Reply::Chunks(c),
            AdminReply::Events(e) => Reply::Events(e),
            AdminReply::ToolCall { name, arguments } => Reply::ToolCall { name, arguments },
            AdminReply::Json { status, body } => Reply::Json { status, body },
            AdminReply::Error { status, message } => Reply::Error { status, message },
            AdminReply::Fault(spec) => Reply::Fault(spec.parse().map_err(|e| format!("fault {spec:?}: {e}"))?),
        };
        let (text, model, header) = (self.text_contains, self.model, self.header);
        let predicate: Predicate = Arc::new(move |r: &Received| {
            text.as_ref().is_none_or(|t| r.text().contains(t.as_str()))
                && model.as_ref().is_none_or(|m| r.model() == Some(m.as_str()))
                && header.as_ref().is_none_or(|h| r.header(&h.name) == Some(h.value.as_str()))
        });
        let pace = self.pace_ms.map(std::time::Duration::from_millis);
        Ok(Rule { operation, predicate: Some(predicate), reply, times: self.times, used: 0, pace })
    }
}

/// `POST /__mock/rules`: adds a rule; 400 with why when it is not one.
pub(crate) async fn admin_add_rule(State(app): State<Arc<App>>, body: axum::body::Bytes) -> Response {
    let rule = serde_json::from_slice::<AdminRule>(&body).map_err(|e| e.to_string()).and_then(AdminRule::into_rule);
    match rule {
        Ok(rule) => {
            app.script.add(rule);
            StatusCode::CREATED.into_response()
        }
        Err(why) => ApiError::bad_request(format!("not a rule: {why}")).into_response(),
    }
}

/// `DELETE /__mock/rules`.
pub(crate) async fn admin_clear_rules(State(app): State<Arc<App>>) -> StatusCode {
    app.script.rules.lock().unwrap_or_else(PoisonError::into_inner).clear();
    StatusCode::NO_CONTENT
}

/// `GET /__mock/requests`.
pub(crate) async fn admin_requests(State(app): State<Arc<App>>) -> axum::Json<Vec<Received>> {
    axum::Json(app.script.received())
}

/// `DELETE /__mock/requests`.
pub(crate) async fn admin_clear_requests(State(app): State<Arc<App>>) -> StatusCode {
    app.script.journal.lock().unwrap_or_else(PoisonError::into_inner).clear();
    StatusCode::NO_CONTENT
}

/// Records every request, then answers it by the first rule that takes it, if any.
pub(crate) async fn layer(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    if request.uri().path().starts_with(ADMIN_PREFIX) {
        return next.run(request).await;
    }
    let (parts, body) = request.into_parts();
    let limit = app.options.upload_limit.max(app.options.body_limit);
    let Ok(bytes) = axum::body::to_bytes(body, limit).await else {
        return ApiError::too_large(limit).into_response();
    };
    let headers = parts
        .headers
        .iter()
        .map(|(name, value)| {
            let value = if name == header::AUTHORIZATION {
                "[redacted]".to_string()
            } else {
                String::from_utf8_lossy(value.as_bytes()).into_owned()
            };
            (name.as_str().to_string(), value)
        })
        .collect();
    let received = Received {
        operation: operation(parts.method.as_str(), parts.uri.path()),
        method: parts.method.to_string(),
        path: parts.uri.path().to_string(),
        query: parts.uri.query().map(str::to_string),
        headers,
        body: serde_json::from_slice(&bytes).ok(),
        body_bytes: bytes.len(),
        parts: parts_of(parts.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()), &bytes).await,
        at_ms: now_ms(),
    };
    let reply = app.script.take(&received);
    if let Some(dir) = &app.options.record {
        record(dir, &received);
    }
    app.script.journal.lock().unwrap_or_else(PoisonError::into_inner).push(received.clone());
    let request = Request::from_parts(parts, Body::from(bytes));
    match reply {
        Some((Reply::Fault(faults), _)) => crate::faults::apply(&faults, request, next).await,
        Some((reply, pace)) => answer(&received, reply, pace.unwrap_or(app.options.token_delay)),
        None => next.run(request).await,
    }
}

/// Appends `received` as one JSON line to `dir/requests.jsonl`; a failure to write is logged
/// on stderr, never an answer's failure.
fn record(dir: &std::path::Path, received: &Received) {
    use std::io::Write;
    let line = serde_json::to_string(received).unwrap_or_default();
    let written = std::fs::create_dir_all(dir).and_then(|()| {
        let mut file = std::fs::OpenOptions::new().create(true).append(true).open(dir.join("requests.jsonl"))?;
        writeln!(file, "{line}")
    });
    if let Err(e) = written {
        eprintln!("mistral-mock: cannot record to {}: {e}", dir.display());
    }
}

/// `POST /__mock/clock` with `{"advance_seconds": N}`: moves simulated time on by N seconds.
pub(crate) async fn admin_clock(State(app): State<Arc<App>>, body: axum::body::Bytes) -> Response {
    #[derive(serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Clock {
        advance_seconds: f64,
    }
    match serde_json::from_slice::<Clock>(&body) {
        Ok(c) if c.advance_seconds.is_finite() && c.advance_seconds >= 0.0 => {
            advance(&app, std::time::Duration::from_secs_f64(c.advance_seconds.min(1e9)));
            StatusCode::NO_CONTENT.into_response()
        }
        Ok(_) => ApiError::bad_request("advance_seconds must be a number of seconds, 0 or more").into_response(),
        Err(e) => ApiError::bad_request(format!("not a clock change: {e}")).into_response(),
    }
}

/// Moves the simulated time of every fine-tuning and batch job and library document on by
/// `simulated` (as if that much simulated time had passed). A batch job's requests that became
/// due run when its state is next read.
pub(crate) fn advance(app: &App, simulated: std::time::Duration) {
    let shift = |speed: f64| (simulated.as_secs_f64() / speed.max(f64::MIN_POSITIVE) * 1000.0).min(1e15) as i64;
    app.with_store(|s| {
        for job in &mut s.jobs {
            let shift = shift(job.speed);
            job.created_ms = job.created_ms.saturating_sub(shift);
            job.cancel_ms = job.cancel_ms.map(|c| c.saturating_sub(shift));
        }
        for job in &mut s.batches {
            let shift = shift(job.speed);
            job.created_ms = job.created_ms.saturating_sub(shift);
            job.cancel_ms = job.cancel_ms.map(|c| c.saturating_sub(shift));
        }
        crate::routes::libraries::advance(s, simulated);
    });
}

fn answer(request: &Received, reply: Reply, pace: std::time::Duration) -> Response {
    let model = request.model().unwrap_or("mistral-small-latest").to_string();
    let stream = request.body.as_ref().and_then(|b| b.get("stream")).and_then(Value::as_bool).unwrap_or(false);
    let prompt_tokens = crate::text::count_tokens(&request.text());
    let said = |content: String| Generated {
        content,
        tool_calls: None,
        finish: KnownFinishReason::Stop,
        prompt_tokens,
        audio_seconds: None,
    };
    match reply {
        // Served by the layer, around the mock's own answer.
        Reply::Fault(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        Reply::Json { status, body } => {
            (StatusCode::from_u16(status).unwrap_or(StatusCode::OK), axum::Json(body)).into_response()
        }
        Reply::Error { status, message } => ApiError::object(
            StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
            message,
            "invalid_request_error",
            None,
        )
        .into_response(),
        Reply::Text(text) => completion::respond(&said(text), &model, stream, pace),
        Reply::Structured(value) => completion::respond(&said(value.to_string()), &model, stream, pace),
        Reply::Chunks(pieces) => completion::respond_in(&said(pieces.concat()), &pieces, &model, stream, pace),
        Reply::Events(events) => crate::sse::events_response(&events, pace),
        Reply::ToolCall { name, arguments } => {
            let call = ToolCall {
                function: FunctionCall { arguments: FunctionArguments::String(arguments.to_string()), name },
                id: Some(format!("call{:05}", request.at_ms.rem_euclid(100_000))),
                index: Some(0),
                type_: Some(ToolTypes::Function.into()),
            };
            let generated = Generated {
                content: String::new(),
                tool_calls: Some(vec![call]),
                finish: KnownFinishReason::ToolCalls,
                prompt_tokens,
                audio_seconds: None,
            };
            completion::respond(&generated, &model, stream, pace)
        }
    }
}
