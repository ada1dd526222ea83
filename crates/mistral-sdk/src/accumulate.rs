//! Folding stream chunks back into one response.

use crate::types::{
    AssistantMessage, ChatCompletionChoice, ChatCompletionResponse, CompletionChunk, ContentChunk, FinishReason,
    FunctionArguments, FunctionCall, MessageContent, TextChunk, TextChunkType, ThinkChunk, ThinkingChunk, ToolCall,
    UsageInfo,
};

/// Folds [`CompletionChunk`]s into a [`ChatCompletionResponse`]: each choice `index` into its
/// own choice (several with [`ChatRequest::n`](crate::ChatRequest::n), interleaved or not);
/// text appended; thinking kept apart from the answer (the content becomes
/// `[thinking, text]` chunks, as a non-streamed answer has it); tool calls assembled across
/// chunks (by `index`, else `id`; arguments concatenated; later fragments may carry no `id`
/// or name); the last finish reason and usage kept.
///
/// ```
/// use mistral_sdk::{ChatResponseExt, StreamAccumulator};
/// use mistral_sdk::types::CompletionChunk;
///
/// let chunks = [
///     r#"{"id":"c1","model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":"Hel"}}]}"#,
///     r#"{"id":"c1","model":"m","choices":[{"index":0,"delta":{"content":"lo"},"finish_reason":"stop"}],
///         "usage":{"prompt_tokens":3,"completion_tokens":2,"total_tokens":5}}"#,
/// ];
/// let mut acc = StreamAccumulator::new();
/// for c in chunks {
///     acc.push(&serde_json::from_str::<CompletionChunk>(c).unwrap());
/// }
/// let response = acc.finish();
/// assert_eq!(response.text(), "Hello");
/// assert_eq!(response.usage.total_tokens, 5);
/// ```
///
/// A reasoning model's stream folds into its thinking and its answer:
///
/// ```
/// use mistral_sdk::{ChatResponseExt, StreamAccumulator};
/// use mistral_sdk::types::CompletionChunk;
///
/// let chunks = [
///     r#"{"id":"c","model":"m","choices":[{"index":0,"delta":{"content":[{"type":"thinking","thinking":[{"type":"text","text":"Two r in "}]}]}}]}"#,
///     r#"{"id":"c","model":"m","choices":[{"index":0,"delta":{"content":[{"type":"thinking","thinking":[{"type":"text","text":"straw, one in berry."}]}]}}]}"#,
///     r#"{"id":"c","model":"m","choices":[{"index":0,"delta":{"content":"Three."},"finish_reason":"stop"}]}"#,
/// ];
/// let mut acc = StreamAccumulator::new();
/// for c in chunks {
///     acc.push(&serde_json::from_str::<CompletionChunk>(c).unwrap());
/// }
/// let response = acc.finish();
/// assert_eq!(response.thinking(), "Two r in straw, one in berry.");
/// assert_eq!(response.text(), "Three.");
/// ```
#[derive(Debug, Clone, Default)]
pub struct StreamAccumulator {
    id: String,
    model: String,
    created: i64,
    choices: Vec<Choice>,
    usage: Option<UsageInfo>,
}

#[derive(Debug, Clone, Default)]
struct Choice {
    index: i64,
    /// The content so far; neighbouring text (and thinking) pieces merged.
    parts: Vec<ContentChunk>,
    has_content: bool,
    tool_calls: Vec<ToolCall>,
    finish_reason: Option<FinishReason>,
}

impl StreamAccumulator {
    /// An empty accumulator.
    pub fn new() -> StreamAccumulator {
        StreamAccumulator::default()
    }

    /// Adds one chunk.
    pub fn push(&mut self, chunk: &CompletionChunk) {
        if self.id.is_empty() {
            self.id.clone_from(&chunk.id);
            self.model.clone_from(&chunk.model);
            self.created = chunk.created.unwrap_or_default();
        }
        if let Some(usage) = &chunk.usage {
            self.usage = Some(usage.clone());
        }
        for delta in &chunk.choices {
            let choice = match self.choices.iter().position(|c| c.index == delta.index) {
                Some(i) => &mut self.choices[i],
                None => {
                    self.choices.push(Choice { index: delta.index, ..Choice::default() });
                    let last = self.choices.len() - 1;
                    &mut self.choices[last]
                }
            };
            match &delta.delta.content {
                None => {}
                Some(MessageContent::String(text)) => choice.push_text(text),
                Some(MessageContent::Array(chunks)) => chunks.iter().for_each(|c| choice.push_chunk(c)),
            }
            for call in delta.delta.tool_calls.iter().flatten() {
                merge_tool_call(&mut choice.tool_calls, call);
            }
            if delta.finish_reason.is_some() {
                choice.finish_reason.clone_from(&delta.finish_reason);
            }
        }
    }

    /// The usage, if a chunk carried it (usually the last).
    pub fn usage(&self) -> Option<&UsageInfo> {
        self.usage.as_ref()
    }

    /// The folded response, choices in `index` order. `usage` is zero when no chunk carried
    /// it (see [`StreamAccumulator::usage`]); a choice with no finish reason gets `Other("")`.
    /// Content that was only text comes out as one string; with thinking (or other chunks)
    /// it comes out as chunks, text pieces joined. Tool-call arguments streamed as string
    /// pieces come out as one string.
    pub fn finish(self) -> ChatCompletionResponse {
        let mut choices: Vec<ChatCompletionChoice> = self
            .choices
            .into_iter()
            .map(|c| ChatCompletionChoice {
                index: c.index,
                finish_reason: c.finish_reason.unwrap_or(FinishReason::Other(String::new())),
                message: AssistantMessage {
                    role: Some("assistant".into()),
                    content: c.has_content.then(|| content(c.parts)),
                    tool_calls: (!c.tool_calls.is_empty()).then_some(c.tool_calls),
                    prefix: None,
                },
                messages: Vec::new(),
            })
            .collect();
        choices.sort_by_key(|c| c.index);
        ChatCompletionResponse {
            id: self.id,
            object: "chat.completion".into(),
            created: self.created,
            model: self.model,
            choices,
            usage: self.usage.unwrap_or_else(zero_usage),
        }
    }
}

impl Choice {
    fn push_text(&mut self, text: &str) {
        self.has_content = true;
        if text.is_empty() {
            return; // the role-only first delta sends ""
        }
        match self.parts.last_mut() {
            Some(ContentChunk::Text(last)) => last.text.push_str(text),
            _ => self.parts.push(ContentChunk::Text(TextChunk { text: text.into(), type_: TextChunkType::Text })),
        }
    }

    fn push_chunk(&mut self, chunk: &ContentChunk) {
        match chunk {
            ContentChunk::Text(t) => self.push_text(&t.text),
            ContentChunk::Thinking(t) => {
                self.has_content = true;
                match self.parts.last_mut() {
                    Some(ContentChunk::Thinking(last)) => merge_thinking(last, t),
                    _ => self.parts.push(chunk.clone()),
                }
            }
            other => {
                self.has_content = true;
                self.parts.push(other.clone());
            }
        }
    }
}

/// Appends a thinking delta to the thinking so far: text to text, anything else after it.
fn merge_thinking(into: &mut ThinkChunk, piece: &ThinkChunk) {
    for part in &piece.thinking {
        match (into.thinking.last_mut(), part) {
            (Some(ThinkingChunk::Text(last)), ThinkingChunk::Text(t)) => last.text.push_str(&t.text),
            _ => into.thinking.push(part.clone()),
        }
    }
    if piece.signature.is_some() {
        into.signature.clone_from(&piece.signature);
    }
    if piece.closed.is_some() {
        into.closed = piece.closed;
    }
}

/// Only text: one string (what a non-reasoning answer is); else the chunks.
fn content(parts: Vec<ContentChunk>) -> MessageContent {
    if parts.iter().all(|p| matches!(p, ContentChunk::Text(_))) {
        let text = parts
            .into_iter()
            .map(|p| match p {
                ContentChunk::Text(t) => t.text,
                _ => String::new(),
            })
            .collect();
        return MessageContent::String(text);
    }
    MessageContent::Array(parts)
}

fn zero_usage() -> UsageInfo {
    UsageInfo {
        completion_tokens: Some(0),
        completion_tokens_details: None,
        num_cached_tokens: None,
        prompt_audio_seconds: None,
        prompt_token_details: None,
        prompt_tokens: 0,
        prompt_tokens_details: None,
        request_count: None,
        service_tier: None,
        total_tokens: 0,
    }
}

/// Appends a streamed piece of arguments. Pieces are JSON text; an object piece (a server that
/// sends whole arguments at once) replaces what was there.
fn append_arguments(into: &mut FunctionArguments, piece: &FunctionArguments) {
    match (into, piece) {
        (FunctionArguments::String(s), FunctionArguments::String(p)) => s.push_str(p),
        (into, piece) => *into = piece.clone(),
    }
}

/// Whether `part` continues `call`: the same `index` (and no other `id`), else the same `id`.
fn continues(call: &ToolCall, part: &ToolCall) -> bool {
    let ids_agree = match (&call.id, &part.id) {
        (Some(a), Some(b)) => a == b,
        _ => true,
    };
    match (call.index, part.index, &part.id) {
        (Some(a), Some(b), _) => a == b && ids_agree,
        (_, None, Some(id)) => call.id.as_ref() == Some(id),
        _ => false,
    }
}

fn merge_tool_call(calls: &mut Vec<ToolCall>, part: &ToolCall) {
    // A fragment with no index, id or name can only continue the call before it.
    let anonymous = part.index.is_none() && part.id.is_none() && part.function.name.is_empty();
    let existing = if anonymous { calls.last_mut() } else { calls.iter_mut().rev().find(|c| continues(c, part)) };
    match existing {
        Some(call) => {
            append_arguments(&mut call.function.arguments, &part.function.arguments);
            if call.function.name.is_empty() {
                call.function.name.clone_from(&part.function.name);
            }
            if call.id.is_none() {
                call.id.clone_from(&part.id);
            }
            if call.type_.is_none() {
                call.type_.clone_from(&part.type_);
            }
        }
        None => calls.push(ToolCall {
            function: FunctionCall { name: part.function.name.clone(), arguments: part.function.arguments.clone() },
            ..part.clone()
        }),
    }
}
