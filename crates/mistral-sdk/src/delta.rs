//! [`Delta`]: what a stream chunk adds to each choice, answer and reasoning apart.

use crate::types::{CompletionChunk, ContentChunk, FinishReason, FunctionArguments, MessageContent, ThinkingChunk};

/// One piece of a streamed choice: answer text, reasoning text, a tool-call fragment, another
/// content chunk, or the end of the choice. See
/// [`CompletionStream::deltas`](crate::CompletionStream::deltas).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Delta {
    /// Text of the answer.
    Text(String),
    /// Text of the model's reasoning (thinking chunks).
    Thinking(String),
    /// A tool call, or a fragment of one: servers that stream calls OpenAI-style send the
    /// `id` and `name` first, then fragments with only `index` and more `arguments` text.
    ToolCall {
        /// The call's position among the choice's calls, when sent.
        index: Option<i64>,
        /// The call's id, when this fragment carries it.
        id: Option<String>,
        /// The function's name, when this fragment carries it.
        name: Option<String>,
        /// More JSON text of the arguments (the whole arguments when sent at once).
        arguments: String,
    },
    /// A content chunk of another kind (an image, a reference, a kind this release does not
    /// know), as sent.
    Chunk(ContentChunk),
    /// The choice is done, for this reason.
    Finish(FinishReason),
}

/// A [`Delta`] of the choice `index` (0 unless [`ChatRequest::n`](crate::ChatRequest::n)
/// asked for several).
#[derive(Debug, Clone, PartialEq)]
pub struct ChoiceDelta {
    /// The choice it belongs to.
    pub index: i64,
    /// What it adds.
    pub delta: Delta,
}

impl ChoiceDelta {
    /// The deltas of one chunk, choice by choice, in order: content, tool calls, finish.
    /// Empty text is left out.
    ///
    /// ```
    /// use mistral_sdk::{ChoiceDelta, Delta};
    /// use mistral_sdk::types::CompletionChunk;
    ///
    /// let chunk: CompletionChunk = serde_json::from_str(r#"{"id":"c","model":"m","choices":[
    ///     {"index":1,"delta":{"content":[{"type":"thinking","thinking":[{"type":"text","text":"hmm"}]},{"type":"text","text":"Hi"}]},"finish_reason":null}]}"#).unwrap();
    /// let deltas = ChoiceDelta::from_chunk(&chunk);
    /// assert_eq!(deltas[0], ChoiceDelta { index: 1, delta: Delta::Thinking("hmm".into()) });
    /// assert_eq!(deltas[1], ChoiceDelta { index: 1, delta: Delta::Text("Hi".into()) });
    /// ```
    pub fn from_chunk(chunk: &CompletionChunk) -> Vec<ChoiceDelta> {
        let mut out = Vec::new();
        for choice in &chunk.choices {
            let mut push = |delta| out.push(ChoiceDelta { index: choice.index, delta });
            match &choice.delta.content {
                Some(MessageContent::String(text)) if !text.is_empty() => push(Delta::Text(text.clone())),
                None | Some(MessageContent::String(_)) => {}
                Some(MessageContent::Array(chunks)) => chunks.iter().for_each(|c| content_delta(c, &mut push)),
            }
            for call in choice.delta.tool_calls.iter().flatten() {
                push(Delta::ToolCall {
                    index: call.index,
                    id: call.id.clone(),
                    name: Some(call.function.name.clone()).filter(|n| !n.is_empty()),
                    arguments: match &call.function.arguments {
                        FunctionArguments::String(s) => s.clone(),
                        FunctionArguments::Object(map) => serde_json::Value::Object(map.clone()).to_string(),
                    },
                });
            }
            if let Some(reason) = &choice.finish_reason {
                push(Delta::Finish(reason.clone()));
            }
        }
        out
    }
}

fn content_delta(chunk: &ContentChunk, push: &mut impl FnMut(Delta)) {
    match chunk {
        ContentChunk::Text(t) if t.text.is_empty() => {}
        ContentChunk::Text(t) => push(Delta::Text(t.text.clone())),
        ContentChunk::Thinking(think) => {
            let text: String = think
                .thinking
                .iter()
                .filter_map(|t| match t {
                    ThinkingChunk::Text(t) => Some(t.text.as_str()),
                    _ => None,
                })
                .collect();
            if !text.is_empty() {
                push(Delta::Thinking(text));
            }
        }
        other => push(Delta::Chunk(other.clone())),
    }
}
