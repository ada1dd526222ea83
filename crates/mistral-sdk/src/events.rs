//! Streams of named server-sent events (`event: <type>` + `data: {..}`), the dialect of the
//! audio streams: [`EventStream`] decodes each event into a typed enum ([`StreamEvent`]),
//! keeping the kinds it does not know.

use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures::Stream;
use serde_json::Value;

use crate::body::IdleBody;
use crate::error::{Error, Result};
use crate::meta::ResponseMeta;
use crate::sse::SseDecoder;

/// One kind of typed event of an [`EventStream`].
pub trait StreamEvent: Sized {
    /// Decodes an event from its name (its data's `type` when the event has no name) and its
    /// data. A kind this type does not know is kept (an `Other` variant), never an error; a
    /// known kind whose data does not fit is an error.
    fn decode(name: &str, data: &str) -> Result<Self>;

    /// Whether the stream ends after this event.
    fn is_last(&self) -> bool;
}

/// The name of an event: its `event:` field, else its data's `type`.
pub(crate) fn event_name<'a>(event: &'a str, data: &'a str) -> std::borrow::Cow<'a, str> {
    if event != "message" {
        return event.into();
    }
    serde_json::from_str::<Value>(data)
        .ok()
        .and_then(|v| v.get("type").and_then(Value::as_str).map(str::to_string))
        .map_or(event.into(), Into::into)
}

/// An event's data as JSON (a string when it is not JSON), for the `Other` variants.
pub(crate) fn raw_data(data: &str) -> Value {
    serde_json::from_str(data).unwrap_or_else(|_| Value::String(data.to_string()))
}

/// A known event's data, decoded.
pub(crate) fn data<T: serde::de::DeserializeOwned>(data: &str) -> Result<T> {
    serde_json::from_str(data).map_err(|e| Error::decode(data.as_bytes(), e))
}

/// The events of a streamed answer, typed, as they arrive: a `futures::Stream` of
/// `Result<E>`, `Send + 'static`. It ends after the last event ([`StreamEvent::is_last`]) or
/// `data: [DONE]`; a stream cut before them ends with an [`Error::Stream`]; an `error` event
/// is an [`Error::Stream`] with the server's message; no bytes for longer than the client's
/// stream idle timeout is an [`Error::Timeout`]. Dropping it closes the connection.
pub struct EventStream<E> {
    body: IdleBody,
    decoder: SseDecoder,
    done: bool,
    meta: ResponseMeta,
    events: PhantomData<fn() -> E>,
}

impl<E> std::fmt::Debug for EventStream<E> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EventStream")
            .field("status", &self.meta.status)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl crate::Client {
    /// Sends a streaming call and reads its named events.
    pub(crate) async fn events<E: StreamEvent>(&self, call: crate::transport::Call) -> Result<EventStream<E>> {
        let response = self.send(call).await?;
        let meta = ResponseMeta::from_response(&response);
        Ok(EventStream {
            body: IdleBody::of(response, self.inner.stream_idle_timeout),
            decoder: SseDecoder::new(),
            done: false,
            meta,
            events: PhantomData,
        })
    }
}

impl<E: StreamEvent> EventStream<E> {
    /// Status and headers of the response.
    pub fn meta(&self) -> &ResponseMeta {
        &self.meta
    }

    fn event(&mut self) -> Option<Result<E>> {
        let event = match self.decoder.next_event() {
            Ok(Some(event)) => event,
            Ok(None) => return None,
            Err(e) => return Some(Err(Error::Stream { message: e.to_string(), source: Some(Box::new(e)) })),
        };
        if event.data == "[DONE]" {
            self.done = true;
            return None;
        }
        let name = event_name(event.event, event.data);
        if name == "error" || (name == "message" && crate::stream::looks_like_error(event.data)) {
            return Some(Err(crate::stream::stream_error(event.data)));
        }
        let decoded = E::decode(&name, event.data);
        if decoded.as_ref().is_ok_and(StreamEvent::is_last) {
            self.done = true;
        }
        Some(decoded)
    }
}

impl<E: StreamEvent> Stream for EventStream<E> {
    type Item = Result<E>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            if this.done {
                return Poll::Ready(None);
            }
            if let Some(item) = this.event() {
                if item.is_err() {
                    this.done = true;
                }
                return Poll::Ready(Some(item));
            }
            if this.done {
                return Poll::Ready(None);
            }
            match this.body.poll_chunk(cx) {
                Poll::Ready(Some(Ok(bytes))) => this.decoder.feed_bytes(bytes),
                Poll::Ready(Some(Err(e))) => {
                    this.done = true;
                    return Poll::Ready(Some(Err(e)));
                }
                Poll::Ready(None) => {
                    this.done = true;
                    return Poll::Ready(Some(Err(Error::stream("the stream ended before its last event"))));
                }
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}
