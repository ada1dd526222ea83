//! Operations the mock has no behaviour of its own for yet answer from the spec: the request is
//! validated like any other (422 with the real details), and the answer is the first example
//! of the operation's success response, streamed when the request asks for a stream.
//!
//! Such answers carry `x-mock-answer: example`, so a test can tell canned data from state.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use mistral_openapi::operations::{self, Operation};
use serde_json::Value;

use crate::api_error::ApiError;
use crate::app::App;
use crate::validate::parse_json;

/// The header that marks an answer taken from the spec's examples.
pub const EXAMPLE_HEADER: &str = "x-mock-answer";

/// Answers `op` from its examples.
pub(crate) async fn answer(
    op: &'static Operation,
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ApiError> {
    let mut stream = false;
    if op.body == operations::Body::Json {
        let value = parse_json(&body)?;
        app.validators.check(op, &value)?;
        stream = value.get("stream").and_then(Value::as_bool).unwrap_or(false);
    }
    let wants_events =
        headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|a| a.contains("text/event-stream"));
    let spec = mistral_spec::Spec::embedded().map_err(|e| ApiError::internal(e.to_string()))?;
    let responses = spec
        .operation(op.id)
        .and_then(|o| o.raw.get("responses"))
        .and_then(Value::as_object)
        .ok_or_else(|| ApiError::internal(format!("{} has no responses in the spec", op.id)))?;
    let (status, response) = responses
        .iter()
        .find(|(status, _)| status.starts_with('2'))
        .ok_or_else(|| ApiError::internal(format!("{} has no success response in the spec", op.id)))?;
    let code = status.parse::<u16>().ok().and_then(|c| StatusCode::from_u16(c).ok()).unwrap_or(StatusCode::OK);
    let Some(content) = response.get("content").and_then(Value::as_object) else {
        return Ok(marked(code, None, Body::empty()));
    };
    let media = if (stream || wants_events) && content.contains_key("text/event-stream") {
        "text/event-stream"
    } else if content.contains_key("application/json") {
        "application/json"
    } else {
        content.keys().next().map(String::as_str).unwrap_or("application/json")
    };
    let example = content
        .get(media)
        .and_then(|m| {
            m.get("example").or_else(|| m.get("examples").and_then(Value::as_object)?.values().next()?.get("value"))
        })
        .cloned()
        .unwrap_or(Value::Null);
    let body = match (media, example) {
        ("application/json", value) => Body::from(serde_json::to_vec(&value).unwrap_or_default()),
        (_, Value::String(text)) => Body::from(text),
        (_, other) => Body::from(other.to_string()),
    };
    Ok(marked(code, Some(media), body))
}

fn marked(status: StatusCode, media: Option<&str>, body: Body) -> Response {
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    if let Some(media) = media.and_then(|m| HeaderValue::from_str(m).ok()) {
        headers.insert(header::CONTENT_TYPE, media);
    }
    headers.insert(EXAMPLE_HEADER, HeaderValue::from_static("example"));
    response
}
