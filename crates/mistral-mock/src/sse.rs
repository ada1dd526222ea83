//! Server-sent events: `data: <json>\n\n` per chunk, then `data: [DONE]\n\n`.

use std::convert::Infallible;
use std::time::Duration;

use axum::body::Body;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use futures::StreamExt;
use serde_json::Value;

/// One event's bytes.
pub(crate) fn event(data: &Value) -> Bytes {
    Bytes::from(format!("data: {data}\n\n"))
}

/// One event's bytes with an `event:` name.
pub(crate) fn named_event(name: &str, data: &Value) -> Bytes {
    Bytes::from(format!("event: {name}\ndata: {data}\n\n"))
}

/// The terminating event.
pub(crate) const DONE: &[u8] = b"data: [DONE]\n\n";

/// A `text/event-stream` response sending each chunk as one event (one body frame each),
/// `delay` apart, then `[DONE]`.
pub(crate) fn response(chunks: &[Value], delay: Duration) -> Response {
    let mut events: Vec<Bytes> = chunks.iter().map(event).collect();
    events.push(Bytes::from_static(DONE));
    framed(events, delay)
}

/// The events of a named-event stream (conversations, audio): each object with a string `type`
/// goes out as `event: <type>`, as the live API names them; such a stream has no `[DONE]`.
/// Events without a `type` are plain `data:` events, closed by `[DONE]` as chat's are.
pub(crate) fn events_response(events: &[Value], delay: Duration) -> Response {
    let mut named = false;
    let mut frames: Vec<Bytes> = events
        .iter()
        .map(|data| match data.get("type").and_then(Value::as_str) {
            Some(name) => {
                named = true;
                named_event(name, data)
            }
            None => event(data),
        })
        .collect();
    if !named {
        frames.push(Bytes::from_static(DONE));
    }
    framed(frames, delay)
}

fn framed(events: Vec<Bytes>, delay: Duration) -> Response {
    let stream = futures::stream::iter(events.into_iter().enumerate()).then(move |(i, bytes)| async move {
        if i > 0 && !delay.is_zero() {
            tokio::time::sleep(delay).await;
        }
        Ok::<Bytes, Infallible>(bytes)
    });
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "text/event-stream"), (header::CACHE_CONTROL, "no-cache")],
        Body::from_stream(stream),
    )
        .into_response()
}
