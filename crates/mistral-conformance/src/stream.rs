//! Judging a streamed completion: server-sent event framing, one `CompletionChunk` per
//! `data:` line, `usage` on some chunk, `data: [DONE]` at the end.

use mistral_sdk::sse::SseDecoder;
use mistral_spec::Spec;
use serde_json::Value;
use tokio::time::Instant;

use crate::check::{self, Expect, Fail};
use crate::http::{self, snippet};
use crate::report::Aspect;

/// What a conforming stream had.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Streamed {
    pub chunks: usize,
    /// Chunks whose delta carried a `thinking` content chunk (a reasoning model's thoughts).
    pub thinking: usize,
    /// Chunks whose delta carried answer text, after the first thinking one.
    pub text_after_thinking: usize,
}

/// How a stream is framed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Framing {
    /// Chat and FIM: `data:` chunks, `usage` on one of them, `data: [DONE]` last.
    Chunks,
    /// Conversations and audio: named events (`event: <type>`), the last one a `*.done`.
    Named,
}

/// Reads and judges the stream of `response` until it ends or `deadline`.
pub(crate) async fn judge(
    spec: &Spec,
    mut response: reqwest::Response,
    expect: &Expect<'_>,
    deadline: Instant,
    framing: Framing,
) -> Result<Streamed, Fail> {
    let status = response.status().as_u16();
    if status != expect.status {
        // Read what came for the message; a broken body is still reported as a wrong status.
        let body = http::read(response, deadline).await.map(|r| r.body).unwrap_or_default();
        return Err(check::wrong_status(status, expect, &body));
    }
    check::content_type(http::content_type(&response).as_deref(), expect)?;
    let validator = spec
        .response_validator(expect.operation_id, &expect.status.to_string(), expect.media_type)
        .map_err(Fail::spec)?;

    let mut decoder = SseDecoder::new();
    let mut events = 0usize;
    let mut chunks = 0usize;
    let mut done = false;
    let mut usage = false;
    let (mut thinking, mut text_after_thinking) = (0usize, 0usize);
    let mut last_name = String::new();
    loop {
        let next = match tokio::time::timeout_at(deadline, response.chunk()).await {
            Err(_) if done => {
                return Err(Fail::new(
                    Aspect::Stream,
                    format!("the response did not end before the timeout, after data: [DONE] ({events} events)"),
                ));
            }
            Err(_) => {
                return Err(Fail::transport(format!(
                    "the stream did not end before the timeout ({events} events read, no data: [DONE])"
                )));
            }
            Ok(Err(e)) => {
                return Err(Fail::transport(format!(
                    "the stream broke after {events} events{}: {}",
                    if done { " (after data: [DONE])" } else { "" },
                    http::describe(&e)
                )));
            }
            Ok(Ok(next)) => next,
        };
        let Some(bytes) = next else { break };
        decoder.feed(&bytes);
        loop {
            let event = match decoder.next_event() {
                Ok(Some(event)) => event,
                Ok(None) => break,
                Err(e) => return Err(Fail::new(Aspect::Stream, format!("after {events} events: {e}"))),
            };
            events += 1;
            let n = events;
            if done {
                return Err(Fail::new(
                    Aspect::Stream,
                    format!("event {n} came after data: [DONE]: {}", snippet(event.data.as_bytes())),
                ));
            }
            if event.data == "[DONE]" {
                done = true;
                continue;
            }
            let chunk: Value = serde_json::from_str(event.data).map_err(|e| {
                Fail::new(
                    Aspect::Stream,
                    format!("event {n}: data is not JSON ({e}): {}", snippet(event.data.as_bytes())),
                )
            })?;
            // The spec's event schema is the whole event, `{event?, data}`.
            let name = (event.event != "message").then_some(event.event);
            if framing == Framing::Named {
                last_name = event.event.to_string();
            }
            let envelope = mistral_spec::sse::envelope(name, chunk.clone());
            validator.validate(&envelope).map_err(|mut violations| {
                // Pointers into the event's data, as the data is what a reader sees.
                for v in &mut violations {
                    if let Some(rest) = v.pointer.strip_prefix("/data") {
                        v.pointer = rest.to_string();
                    }
                }
                Fail::schema(&violations, &format!("event {n}: "))
            })?;
            chunks += 1;
            if chunk.get("usage").is_some_and(Value::is_object) {
                usage = true;
            }
            let (thought, text) = kinds(&chunk);
            thinking += usize::from(thought);
            text_after_thinking += usize::from(text && thinking > 0);
        }
    }
    if framing == Framing::Named {
        if chunks == 0 {
            return Err(Fail::new(Aspect::Stream, "no event"));
        }
        if !last_name.ends_with("done") {
            return Err(Fail::new(Aspect::Stream, format!("the stream ended on {last_name:?}, not a done event")));
        }
        return Ok(Streamed { chunks, thinking, text_after_thinking });
    }
    if !done {
        // By the SSE rules an event not closed by a blank line is dropped at the end of the
        // stream: close it to tell that apart from a stream that never sent [DONE].
        decoder.feed(b"\n\n");
        let unfinished = match decoder.next_event() {
            Ok(Some(event)) if event.data == "[DONE]" => {
                "; data: [DONE] came, but without the blank line that ends an event, so it is dropped".to_string()
            }
            Ok(Some(_)) => "; it ended inside an event (no blank line after the last data: line)".to_string(),
            _ => String::new(),
        };
        return Err(Fail::new(
            Aspect::Stream,
            format!("the stream ended without data: [DONE] ({events} events){unfinished}"),
        ));
    }
    if chunks == 0 {
        return Err(Fail::new(Aspect::Stream, "no chunk before data: [DONE]"));
    }
    if !usage {
        return Err(Fail::new(Aspect::Stream, format!("none of the {chunks} chunks carried usage")));
    }
    Ok(Streamed { chunks, thinking, text_after_thinking })
}

/// Whether the first choice's delta holds thinking, and answer text.
fn kinds(chunk: &Value) -> (bool, bool) {
    match chunk.pointer("/choices/0/delta/content") {
        Some(Value::String(s)) => (false, !s.is_empty()),
        Some(Value::Array(items)) => {
            let kind = |k: &str| items.iter().any(|c| c.get("type").and_then(Value::as_str) == Some(k));
            (kind("thinking"), kind("text"))
        }
        _ => (false, false),
    }
}
