//! Folding stream chunks back into one response.

use crate::types::{
    AssistantMessage, ChatCompletionChoice, ChatCompletionResponse, CompletionChunk, FinishReason, FunctionArguments,
    FunctionCall, MessageContent, ToolCall, UsageInfo,
};

/// Folds [`CompletionChunk`]s into a [`ChatCompletionResponse`]: content appended, tool calls
/// assembled across chunks (by `index`, else `id`; arguments concatenated), the last
/// finish reason and usage kept.
///
/// ```
/// use mistral_sdk::StreamAccumulator;
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
/// assert_eq!(mistral_sdk::ChatResponseExt::text(&response), "Hello");
/// assert_eq!(response.usage.total_tokens, 5);
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
    content: String,
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
            let choice = match self.choices.iter_mut().position(|c| c.index == delta.index) {
                Some(i) => &mut self.choices[i],
                None => {
                    self.choices.push(Choice { index: delta.index, ..Choice::default() });
                    let last = self.choices.len() - 1;
                    &mut self.choices[last]
                }
            };
            if let Some(text) = crate::ext::content_text(delta.delta.content.as_ref()) {
                choice.content.push_str(&text);
                choice.has_content = true;
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

    /// The folded response. `usage` is zero when no chunk carried it (see
    /// [`StreamAccumulator::usage`]); a choice with no finish reason gets `Other("")`.
    /// Tool-call arguments streamed as string pieces come out as one string.
    pub fn finish(self) -> ChatCompletionResponse {
        let mut choices: Vec<ChatCompletionChoice> = self
            .choices
            .into_iter()
            .map(|c| ChatCompletionChoice {
                index: c.index,
                finish_reason: c.finish_reason.unwrap_or(FinishReason::Other(String::new())),
                message: AssistantMessage {
                    role: Some("assistant".into()),
                    content: c.has_content.then_some(MessageContent::String(c.content)),
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

fn merge_tool_call(calls: &mut Vec<ToolCall>, part: &ToolCall) {
    let existing = calls.iter_mut().find(|c| match (part.index, c.index, &part.id, &c.id) {
        (Some(a), Some(b), _, _) => a == b,
        (None, _, Some(a), Some(b)) => a == b,
        _ => false,
    });
    match existing {
        Some(call) => {
            append_arguments(&mut call.function.arguments, &part.function.arguments);
            if call.function.name.is_empty() {
                call.function.name.clone_from(&part.function.name);
            }
            if call.id.is_none() {
                call.id.clone_from(&part.id);
            }
        }
        None => calls.push(ToolCall {
            function: FunctionCall { name: part.function.name.clone(), arguments: part.function.arguments.clone() },
            ..part.clone()
        }),
    }
}
