//! Streamed completions: [`CompletionStream`] and the helpers on top of it.

use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use futures::Stream;

use crate::body::{ByteStream, IdleBody};
use crate::error::{Error, Result};
use crate::meta::ResponseMeta;
use crate::sse::SseDecoder;
use crate::types::CompletionChunk;

/// The chunks of a streamed chat or FIM completion, as they arrive.
///
/// A `futures::Stream` of `Result<CompletionChunk>`, `Send + 'static`. It ends after
/// `data: [DONE]`; a stream cut before it (with no `finish_reason` seen) ends with an
/// [`Error::Stream`]; no bytes for longer than the stream idle timeout gives
/// [`Error::Timeout`]. Dropping it closes the connection. Events are decoded as they are
/// read, on the caller's task: no background task, no buffering beyond one read.
///
/// ```no_run
/// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
/// use futures::StreamExt;
/// use mistral_sdk::ChatRequest;
///
/// let mut stream = client.chat().stream(ChatRequest::new("mistral-small-latest").user("Hi")).await?;
/// while let Some(chunk) = stream.next().await {
///     let chunk = chunk?;
///     if let Some(text) = chunk.choices.first().and_then(|c| mistral_sdk::content_text(c.delta.content.as_ref())) {
///         print!("{text}");
///     }
/// }
/// # Ok(()) }
/// ```
pub struct CompletionStream {
    body: IdleBody,
    decoder: SseDecoder,
    done: bool,
    saw_finish: bool,
    meta: ResponseMeta,
    /// Keep each event's `data:` text for [`CompletionStream::with_raw`].
    keep_raw: bool,
    raw: Option<String>,
}

impl std::fmt::Debug for CompletionStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CompletionStream")
            .field("status", &self.meta.status)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl crate::Client {
    /// Sends a streaming call and wraps its body.
    pub(crate) async fn stream(&self, call: crate::transport::Call) -> Result<CompletionStream> {
        let response = self.send(call).await?;
        Ok(CompletionStream::new(response, self.inner.stream_idle_timeout))
    }
}

impl CompletionStream {
    pub(crate) fn new(response: reqwest::Response, idle: Option<Duration>) -> CompletionStream {
        let meta = ResponseMeta::from_response(&response);
        CompletionStream::from_parts(Box::pin(response.bytes_stream()), meta, idle)
    }

    pub(crate) fn from_parts(body: ByteStream, meta: ResponseMeta, idle: Option<Duration>) -> CompletionStream {
        CompletionStream {
            body: IdleBody::new(body, idle),
            decoder: SseDecoder::new(),
            done: false,
            saw_finish: false,
            keep_raw: false,
            raw: None,
            meta,
        }
    }

    /// Status and headers of the response.
    pub fn meta(&self) -> &ResponseMeta {
        &self.meta
    }

    /// Each chunk with its event's `data:` text as the server sent it (fields this release
    /// does not know included): to log or forward a stream verbatim.
    ///
    /// ```no_run
    /// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
    /// use futures::StreamExt;
    ///
    /// let stream = client.chat().stream(mistral_sdk::ChatRequest::new("mistral-small-latest").user("Hi")).await?;
    /// let mut events = std::pin::pin!(stream.with_raw());
    /// while let Some(event) = events.next().await {
    ///     let (_chunk, data) = event?;
    ///     println!("{data}");
    /// }
    /// # Ok(()) }
    /// ```
    pub fn with_raw(mut self) -> impl Stream<Item = Result<(CompletionChunk, String)>> + Send + 'static {
        use futures::StreamExt;
        self.keep_raw = true;
        futures::stream::unfold(self, |mut stream| async move {
            let item = stream.next().await?;
            let raw = stream.raw.take().unwrap_or_default();
            Some((item.map(|chunk| (chunk, raw)), stream))
        })
    }

    /// Only the answer text of the first choice, delta by delta (empty deltas and thinking
    /// skipped; see [`CompletionStream::deltas`] for everything, choice by choice).
    pub fn text(self) -> impl Stream<Item = Result<String>> + Send + 'static {
        use futures::StreamExt;
        self.filter_map(|chunk| async move {
            match chunk {
                Err(e) => Some(Err(e)),
                Ok(chunk) => chunk
                    .choices
                    .into_iter()
                    .find(|c| c.index == 0)
                    .and_then(|c| crate::ext::content_text(c.delta.content.as_ref()))
                    .filter(|t| !t.is_empty())
                    .map(Ok),
            }
        })
    }

    /// Every choice's pieces as they come: answer text, reasoning text, tool-call fragments,
    /// finish reasons (see [`Delta`]); chunks' `usage` is not among them.
    ///
    /// ```no_run
    /// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
    /// use futures::StreamExt;
    /// use mistral_sdk::{ChatRequest, ChoiceDelta, Delta};
    /// use mistral_sdk::types::MistralPromptMode;
    ///
    /// let request = ChatRequest::new("magistral-small-latest").user("17 * 23?").prompt_mode(MistralPromptMode::Reasoning);
    /// let mut deltas = std::pin::pin!(client.chat().stream(request).await?.deltas());
    /// while let Some(ChoiceDelta { index, delta }) = deltas.next().await.transpose()? {
    ///     match delta {
    ///         Delta::Thinking(t) => eprint!("{t}"),
    ///         Delta::Text(t) => print!("{t}"),
    ///         Delta::ToolCall { name, arguments, .. } => println!("[{index}] call {name:?} {arguments}"),
    ///         _ => {}
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// [`Delta`]: crate::Delta
    pub fn deltas(self) -> impl Stream<Item = Result<crate::ChoiceDelta>> + Send + 'static {
        use futures::StreamExt;
        self.flat_map(|chunk| {
            futures::stream::iter(match chunk {
                Ok(chunk) => crate::ChoiceDelta::from_chunk(&chunk).into_iter().map(Ok).collect::<Vec<_>>(),
                Err(e) => vec![Err(e)],
            })
        })
    }

    /// Reads the whole stream and folds it into one response (see [`StreamAccumulator`](crate::StreamAccumulator)).
    pub async fn collect_response(mut self) -> Result<crate::types::ChatCompletionResponse> {
        use futures::StreamExt;
        let mut acc = crate::StreamAccumulator::new();
        while let Some(chunk) = self.next().await {
            acc.push(&chunk?);
        }
        Ok(acc.finish())
    }

    fn event(&mut self) -> Option<Result<CompletionChunk>> {
        loop {
            let event = match self.decoder.next_event() {
                Ok(Some(event)) => event,
                Ok(None) => return None,
                Err(e) => {
                    return Some(Err(Error::Stream { message: e.to_string(), source: Some(Box::new(e)) }));
                }
            };
            if event.data == "[DONE]" {
                self.done = true;
                return None;
            }
            if event.event == "error" {
                return Some(Err(stream_error(event.data)));
            }
            if event.event != "message" && event.event != "completion" {
                continue; // a kind of event this API does not define
            }
            if self.keep_raw {
                self.raw = Some(event.data.to_string());
            }
            let decoded = serde_json::from_str::<CompletionChunk>(event.data)
                .or_else(|e| fill_tool_call_fragments(event.data).ok_or(e));
            return Some(match decoded {
                Ok(chunk) => {
                    self.saw_finish |= chunk.choices.iter().any(|c| c.finish_reason.is_some());
                    Ok(chunk)
                }
                Err(_) if looks_like_error(event.data) => Err(stream_error(event.data)),
                Err(e) => Err(Error::decode(event.data.as_bytes(), e)),
            });
        }
    }
}

/// A chunk whose tool-call fragments lack what the spec requires of a whole call (`function`,
/// its `name`, its `arguments`), as servers streaming OpenAI-style send them: decoded with
/// those filled in empty, for the accumulator to merge by `index`. Only tried when the chunk
/// does not decode as is.
fn fill_tool_call_fragments(data: &str) -> Option<CompletionChunk> {
    let mut value: serde_json::Value = serde_json::from_str(data).ok()?;
    let mut filled = false;
    for choice in value.get_mut("choices")?.as_array_mut()? {
        let Some(calls) = choice.pointer_mut("/delta/tool_calls").and_then(|c| c.as_array_mut()) else { continue };
        for call in calls.iter_mut().filter_map(|c| c.as_object_mut()) {
            let function = call.entry("function").or_insert_with(|| serde_json::json!({}));
            if function.is_null() {
                *function = serde_json::json!({});
            }
            let Some(function) = function.as_object_mut() else { continue };
            for field in ["name", "arguments"] {
                let slot = function.entry(field).or_insert(serde_json::Value::Null);
                if slot.is_null() {
                    *slot = serde_json::Value::String(String::new());
                    filled = true;
                }
            }
        }
    }
    if !filled {
        return None;
    }
    serde_json::from_value(value).ok()
}

pub(crate) fn looks_like_error(data: &str) -> bool {
    serde_json::from_str::<serde_json::Value>(data)
        .ok()
        .is_some_and(|v| v.get("error").is_some() || v.get("object").and_then(|o| o.as_str()) == Some("error"))
}

pub(crate) fn stream_error(data: &str) -> Error {
    let e = crate::error::ApiError::from_parts(200, &Default::default(), data.as_bytes());
    Error::Stream { message: format!("the server sent an error: {}", e.message), source: Some(Box::new(e)) }
}

impl Stream for CompletionStream {
    type Item = Result<CompletionChunk>;

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
                    if this.saw_finish && this.decoder.buffered() == 0 {
                        return Poll::Ready(None);
                    }
                    return Poll::Ready(Some(Err(Error::stream("the stream ended before data: [DONE]"))));
                }
                Poll::Pending => return Poll::Pending,
            }
        }
    }
}
