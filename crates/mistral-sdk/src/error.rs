//! The one error type of the SDK.

use std::time::Duration;

use serde_json::Value;

/// Everything a call can fail with.
///
/// ```
/// # async fn demo(client: mistral_sdk::Client) {
/// use mistral_sdk::{ApiErrorKind, ChatRequest, Error};
///
/// match client.chat().create(ChatRequest::new("mistral-small-latest").user("Hi")).await {
///     Ok(response) => println!("{:?}", response.choices),
///     Err(Error::Api(e)) if e.kind == ApiErrorKind::RateLimited => println!("slow down: {e}"),
///     Err(e) if e.is_retryable() => println!("try again later: {e}"),
///     Err(e) => println!("failed: {e}"),
/// }
/// # }
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The server answered with an error status.
    #[error(transparent)]
    Api(Box<ApiError>),
    /// No answer in time: connecting, waiting for the response, or between two stream events.
    #[error("timed out ({what})")]
    Timeout {
        /// What timed out: `"request"`, `"connect"` or `"stream idle"`.
        what: &'static str,
        /// The transport error, when the timeout came from it.
        #[source]
        source: Option<reqwest::Error>,
    },
    /// The connection failed or broke (refused, reset, TLS, ...).
    #[error("connection failed: {0}")]
    Connection(#[source] reqwest::Error),
    /// The server's success response could not be decoded.
    #[error("cannot decode the response: {source} (body starts: {body:?})")]
    Decode {
        /// The first bytes of the body (at most 512), lossily decoded.
        body: String,
        /// Why it did not decode.
        #[source]
        source: serde_json::Error,
    },
    /// The model's answer is not the value asked for (see
    /// [`ChatResponseExt::parsed`](crate::ChatResponseExt::parsed)): not JSON, or JSON of
    /// another shape. The call itself succeeded.
    #[error("the answer is not the expected value: {source} (answer: {})", preview(content))]
    InvalidOutput {
        /// The answer, whole.
        content: String,
        /// Why it does not fit.
        #[source]
        source: serde_json::Error,
    },
    /// A stream broke after it started: cut off, malformed, or an error event inside it.
    #[error("stream failed: {message}")]
    Stream {
        /// What went wrong.
        message: String,
        /// The underlying error, if any.
        #[source]
        source: Option<Box<dyn std::error::Error + Send + Sync>>,
    },
    /// The request was refused before sending: it cannot be valid (no messages, bad tool
    /// name, value out of range...).
    #[error("invalid request: {0}")]
    InvalidRequest(String),
    /// The client is misconfigured (no API key, bad base URL or header).
    #[error("invalid configuration: {0}")]
    Config(String),
    /// A batch job ended without any result (`FAILED`, `TIMEOUT_EXCEEDED`, `CANCELLED` with
    /// neither an output nor an error file): its `errors` say why.
    #[error("{}", batch_failed(job))]
    BatchFailed {
        /// The job, as it ended.
        job: Box<crate::types::BatchJob>,
    },
    /// A conversation run ([`Conversations::run`](crate::Conversations::run)) was still calling
    /// functions after its bound on rounds; the run so far is kept.
    #[error("the model still called functions after {} rounds", run.rounds)]
    FunctionRounds {
        /// Everything the run did, the last round's unanswered calls included.
        run: Box<crate::ConversationRun>,
    },
    /// Reading a local file (for an upload) failed.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
}

fn batch_failed(job: &crate::types::BatchJob) -> String {
    let status = match &job.status {
        crate::types::BatchJobStatus::Known(k) => k.to_string(),
        crate::types::BatchJobStatus::Other(s) => s.clone(),
    };
    let mut out = format!("batch job {} ended {status} without results", job.id);
    for error in &job.errors {
        out.push_str("; ");
        out.push_str(&error.message);
    }
    out
}

/// At most 512 bytes of `text` (cut on a character boundary), quoted, for messages.
fn preview(text: &str) -> String {
    let mut end = text.len().min(512);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let more = if end < text.len() { "..." } else { "" };
    format!("{:?}{more}", &text[..end])
}

/// Result alias of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// An error answer from the API, with what could be read from it.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ApiError {
    /// HTTP status.
    pub status: u16,
    /// The server's message, or a description of the status when the body had none.
    pub message: String,
    /// The server's error code (`"1300"`, ...), when given.
    pub code: Option<String>,
    /// The server's error type (`"invalid_request_error"`, `"rate_limited"`), when given.
    pub error_type: Option<String>,
    /// What kind of failure it is.
    pub kind: ApiErrorKind,
    /// The request id from the body or the `x-request-id`/`mistral-correlation-id` headers.
    pub request_id: Option<String>,
    /// `Retry-After`, when the server sent it.
    pub retry_after: Option<Duration>,
    /// The raw body (at most 64 KiB), lossily decoded.
    pub body: String,
    /// How many attempts were made (1 when not retried).
    pub attempts: u32,
}

/// What kind of API error.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ApiErrorKind {
    /// 401 or 403: the key is missing, wrong or not allowed.
    Unauthorized,
    /// 429: too many requests or tokens.
    RateLimited,
    /// 422 (or a 400 with validation details): the request does not fit the schema.
    Validation(Vec<FieldError>),
    /// 404.
    NotFound,
    /// 410: the API retired the endpoint (the fine-tuning job routes, since 2026).
    Gone,
    /// 5xx.
    Server,
    /// Any other status.
    Other,
}

/// One problem with a request, from a 422's details.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// Where, e.g. `body.messages.0.content`.
    pub loc: String,
    /// What is wrong.
    pub msg: String,
    /// The validator's code, e.g. `missing`, `extra_forbidden`.
    pub kind: String,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "API error {}: {}", self.status, self.message)?;
        if let ApiErrorKind::Validation(fields) = &self.kind {
            for field in fields {
                write!(f, "; {}: {}", field.loc, field.msg)?;
            }
        }
        if let Some(id) = &self.request_id {
            write!(f, " (request id {id})")?;
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

const BODY_LIMIT: usize = 64 * 1024;

impl ApiError {
    /// Reads an error response's body, whatever its shape: the Mistral error object, a 422
    /// with details in `message` or `detail`, a gateway's `{"message"}`/`{"detail"}`, an
    /// `{"error": {...}}` wrapper, or HTML/empty/garbage.
    pub fn from_parts(status: u16, headers: &reqwest::header::HeaderMap, body: &[u8]) -> ApiError {
        let text = String::from_utf8_lossy(&body[..body.len().min(BODY_LIMIT)]).into_owned();
        let json: Option<Value> = serde_json::from_slice(body).ok();
        let obj = json.as_ref().map(|v| match v.get("error") {
            Some(inner @ Value::Object(_)) => inner,
            _ => v,
        });
        let field = |name: &str| obj.and_then(|o| o.get(name));
        let string = |v: Option<&Value>| match v {
            Some(Value::String(s)) if !s.trim().is_empty() => Some(s.clone()),
            Some(Value::Number(n)) => Some(n.to_string()),
            _ => None,
        };

        let mut fields = Vec::new();
        for details in [field("detail"), field("message").and_then(|m| m.get("detail"))].into_iter().flatten() {
            if let Some(items) = details.as_array() {
                fields.extend(items.iter().map(field_error));
            }
        }
        let mut message = string(field("message"))
            .or_else(|| string(field("detail")))
            .or_else(|| string(field("msg")))
            .or_else(|| (!fields.is_empty()).then(|| "the request does not fit the schema".to_string()))
            .unwrap_or_else(|| describe_status(status, &text));
        if status == 410 && !message.to_lowercase().contains("retired") {
            message.push_str(" (the API retired this endpoint)");
        }

        let kind = match status {
            401 | 403 => ApiErrorKind::Unauthorized,
            429 => ApiErrorKind::RateLimited,
            404 => ApiErrorKind::NotFound,
            410 => ApiErrorKind::Gone,
            422 => ApiErrorKind::Validation(fields),
            400 if !fields.is_empty() => ApiErrorKind::Validation(fields),
            500..=599 => ApiErrorKind::Server,
            _ => ApiErrorKind::Other,
        };
        let request_id =
            string(field("request_id")).or_else(|| crate::meta::request_id_header(headers).map(str::to_string));
        ApiError {
            status,
            message,
            code: string(field("code")),
            error_type: string(field("type")),
            kind,
            request_id,
            retry_after: crate::retry::retry_after(headers),
            body: text,
            attempts: 1,
        }
    }
}

fn field_error(item: &Value) -> FieldError {
    let loc = item
        .get("loc")
        .and_then(Value::as_array)
        .map(|parts| {
            parts
                .iter()
                .map(|p| match p {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                })
                .collect::<Vec<_>>()
                .join(".")
        })
        .unwrap_or_default();
    let text = |k: &str| item.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
    FieldError { loc, msg: text("msg"), kind: text("type") }
}

/// A message for a body that carries none: the status's reason, plus an HTML page's title.
fn describe_status(status: u16, body: &str) -> String {
    let reason = reqwest::StatusCode::from_u16(status).ok().and_then(|s| s.canonical_reason()).unwrap_or("error");
    let title = body
        .find("<title>")
        .and_then(|start| {
            let rest = &body[start + 7..];
            rest.find("</title>").map(|end| rest[..end].trim().to_string())
        })
        .filter(|t| !t.is_empty());
    match (title, body.trim().is_empty()) {
        (Some(t), _) => format!("{reason} ({t})"),
        (None, true) => format!("{reason} (empty body)"),
        (None, false) => reason.to_string(),
    }
}

impl Error {
    /// The HTTP status of an API error.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api(e) => Some(e.status),
            _ => None,
        }
    }

    /// The API error, if this is one.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e),
            _ => None,
        }
    }

    /// The request id the server gave, if any.
    pub fn request_id(&self) -> Option<&str> {
        self.api().and_then(|e| e.request_id.as_deref())
    }

    /// A 429.
    pub fn is_rate_limited(&self) -> bool {
        self.status() == Some(429)
    }

    /// A timeout of any kind.
    pub fn is_timeout(&self) -> bool {
        matches!(self, Error::Timeout { .. })
    }

    /// Whether trying again may succeed: 408, 409, 429, 500, 502, 503, 504, connection
    /// failures and timeouts.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Api(e) => crate::retry::RETRY_STATUSES.contains(&e.status),
            Error::Connection(_) | Error::Timeout { .. } => true,
            _ => false,
        }
    }

    pub(crate) fn stream(message: impl Into<String>) -> Error {
        Error::Stream { message: message.into(), source: None }
    }

    pub(crate) fn decode(body: &[u8], source: serde_json::Error) -> Error {
        Error::Decode { body: String::from_utf8_lossy(&body[..body.len().min(512)]).into_owned(), source }
    }

    pub(crate) fn transport(e: reqwest::Error) -> Error {
        if e.is_timeout() {
            let what = if e.is_connect() { "connect" } else { "request" };
            Error::Timeout { what, source: Some(e) }
        } else {
            Error::Connection(e)
        }
    }
}

impl From<ApiError> for Error {
    fn from(e: ApiError) -> Self {
        Error::Api(Box::new(e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderMap;

    fn parse(status: u16, body: &str) -> ApiError {
        ApiError::from_parts(status, &HeaderMap::new(), body.as_bytes())
    }

    #[test]
    fn wrapped_422() {
        let e = parse(
            422,
            r#"{"object":"error","message":{"detail":[{"type":"missing","loc":["body","model"],"msg":"Field required"}]},"type":"invalid_request_error","param":null,"code":null}"#,
        );
        assert_eq!(
            e.kind,
            ApiErrorKind::Validation(vec![FieldError {
                loc: "body.model".into(),
                msg: "Field required".into(),
                kind: "missing".into()
            }])
        );
        assert_eq!(e.message, "the request does not fit the schema");
        assert_eq!(e.error_type.as_deref(), Some("invalid_request_error"));
        assert_eq!(e.to_string(), "API error 422: the request does not fit the schema; body.model: Field required");
    }

    #[test]
    fn plain_422() {
        let e = parse(
            422,
            r#"{"detail":[{"type":"extra_forbidden","loc":["body","x",0],"msg":"Extra inputs are not permitted"}]}"#,
        );
        assert_eq!(
            e.kind,
            ApiErrorKind::Validation(vec![FieldError {
                loc: "body.x.0".into(),
                msg: "Extra inputs are not permitted".into(),
                kind: "extra_forbidden".into()
            }])
        );
    }

    #[test]
    fn unauthorized_shapes() {
        let e = parse(401, r#"{"message":"Unauthorized","request_id":"abc123"}"#);
        assert_eq!(
            (e.kind.clone(), e.message.as_str(), e.request_id.as_deref()),
            (ApiErrorKind::Unauthorized, "Unauthorized", Some("abc123"))
        );
        let e = parse(401, r#"{"detail":"Unauthorized"}"#);
        assert_eq!((e.kind, e.message.as_str()), (ApiErrorKind::Unauthorized, "Unauthorized"));
    }

    #[test]
    fn rate_limit_shapes() {
        let e = parse(429, r#"{"message":"Requests rate limit exceeded"}"#);
        assert_eq!((e.kind, e.message.as_str()), (ApiErrorKind::RateLimited, "Requests rate limit exceeded"));
        let e = parse(
            429,
            r#"{"object":"error","message":"Rate limit exceeded","type":"rate_limited","param":null,"code":"1300"}"#,
        );
        assert_eq!(e.code.as_deref(), Some("1300"));
        assert_eq!(e.error_type.as_deref(), Some("rate_limited"));
    }

    #[test]
    fn wrapped_error_object_and_numeric_code() {
        let e = parse(400, r#"{"error":{"message":"bad","type":"invalid_request_error","code":3051}}"#);
        assert_eq!((e.message.as_str(), e.code.as_deref(), e.kind), ("bad", Some("3051"), ApiErrorKind::Other));
    }

    #[test]
    fn html_and_empty_bodies() {
        let e = parse(502, "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>");
        assert_eq!((e.kind.clone(), e.message.as_str()), (ApiErrorKind::Server, "Bad Gateway (502 Bad Gateway)"));
        let e = parse(503, "");
        assert_eq!(e.message, "Service Unavailable (empty body)");
        let e = parse(500, "\u{0}\u{1}garbage");
        assert_eq!(e.message, "Internal Server Error");
    }

    #[test]
    fn request_id_from_headers() {
        let mut headers = HeaderMap::new();
        headers.insert("x-request-id", "req-9".parse().unwrap());
        let e = ApiError::from_parts(500, &headers, b"{}");
        assert_eq!(e.request_id.as_deref(), Some("req-9"));
    }
}
