//! Turning a generated answer into a chat/FIM response: one JSON body, or SSE chunks.

use std::time::Duration;

use axum::Json;
use axum::response::{IntoResponse, Response};
use mistral_openapi::types::{
    AssistantMessage, ChatCompletionChoice, ChatCompletionResponse, CompletionChunk, CompletionResponseStreamChoice,
    DeltaMessage, FinishReason, KnownFinishReason, MessageContent, ToolCall, UsageInfo,
};

use serde_json::{Value, json};

use crate::text::{count_tokens, tokenize};

/// A generated answer, before framing.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Generated {
    /// The text (empty for a tool call).
    pub(crate) content: String,
    /// Tool calls, when the model calls tools.
    pub(crate) tool_calls: Option<Vec<ToolCall>>,
    /// Why generation stopped.
    pub(crate) finish: KnownFinishReason,
    /// Tokens of the prompt.
    pub(crate) prompt_tokens: u64,
    /// Seconds of audio in the prompt (chat with `input_audio`), reported in usage.
    pub(crate) audio_seconds: Option<u64>,
}

impl Generated {
    /// Tokens generated: the content's, plus each tool call's name and arguments.
    pub(crate) fn completion_tokens(&self) -> u64 {
        let calls: u64 = self
            .tool_calls
            .iter()
            .flatten()
            .map(|c| {
                count_tokens(&c.function.name)
                    + count_tokens(&crate::routes::chat::arguments_text(&c.function.arguments))
            })
            .sum();
        count_tokens(&self.content) + calls
    }

    fn usage(&self) -> UsageInfo {
        usage(self.prompt_tokens, self.completion_tokens())
    }

    /// Usage as the live server sends it for a completion: the counts, cached tokens (none),
    /// the service tier, and the audio it heard.
    fn usage_json(&self) -> Value {
        let u = self.usage();
        let mut usage = json!({
            "prompt_tokens": u.prompt_tokens,
            "completion_tokens": u.completion_tokens,
            "total_tokens": u.total_tokens,
            "prompt_tokens_details": {"cached_tokens": 0},
            "service_tier": "standard",
        });
        if let Some(seconds) = self.audio_seconds {
            usage["prompt_audio_seconds"] = json!(seconds);
            // About 25 audio tokens per second, as the live server counts them.
            usage["prompt_tokens_details"]["audio_tokens"] = json!(seconds * 25);
        }
        usage
    }
}

/// Embeddings usage as the live server sends it: no completion, every detail `null`.
pub(crate) fn embedding_usage(prompt: u64) -> Value {
    json!({
        "prompt_tokens": prompt,
        "completion_tokens": 0,
        "total_tokens": prompt,
        "completion_tokens_details": null,
        "prompt_audio_seconds": null,
        "prompt_token_details": null,
        "prompt_tokens_details": null,
        "request_count": null,
        "service_tier": null,
    })
}

/// The padding the live server adds to stream events after the first (`"p": "abc..."`, a
/// length that varies with the event), so a client is tested against it.
fn padding(n: usize) -> String {
    "abcdefghijklmnopqrstuvwxyz".chars().cycle().take(1 + n % 26).collect()
}

/// Usage as the server reports it: token counts, the details it has left null.
pub(crate) fn usage(prompt: u64, completion: u64) -> UsageInfo {
    let count = |n: u64| i64::try_from(n).unwrap_or(i64::MAX);
    UsageInfo {
        completion_tokens: Some(count(completion)),
        completion_tokens_details: None,
        num_cached_tokens: None,
        prompt_audio_seconds: None,
        prompt_token_details: None,
        prompt_tokens: count(prompt),
        prompt_tokens_details: None,
        request_count: None,
        service_tier: None,
        total_tokens: count(prompt.saturating_add(completion)),
    }
}

/// A fresh completion id (32 hex digits).
fn completion_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}

fn now_seconds() -> i64 {
    chrono::Utc::now().timestamp()
}

/// The whole answer as one JSON response, keyed as the live server keys it (`tool_calls:
/// null` when there are none, the usage details).
pub(crate) fn json(answer: &Generated, model: &str) -> Response {
    let choice = ChatCompletionChoice {
        finish_reason: FinishReason::Known(answer.finish),
        index: 0,
        message: AssistantMessage {
            content: Some(MessageContent::String(answer.content.clone())),
            prefix: None,
            role: Some("assistant".into()),
            tool_calls: answer.tool_calls.clone(),
        },
        messages: Vec::new(),
    };
    // Chat and FIM answers have one wire shape (`FimCompletionResponse` is the same object).
    let body = serde_json::to_value(ChatCompletionResponse {
        choices: vec![choice],
        created: now_seconds(),
        id: completion_id(),
        model: model.into(),
        object: "chat.completion".to_string(),
        usage: answer.usage(),
    });
    let mut body = body.unwrap_or(Value::Null);
    if let Some(message) = body.pointer_mut("/choices/0/message").and_then(Value::as_object_mut) {
        message.entry("tool_calls").or_insert(Value::Null);
    }
    body["usage"] = answer.usage_json();
    Json(body).into_response()
}

fn delta(content: Option<MessageContent>, role: Option<String>, tool_calls: Option<Vec<ToolCall>>) -> DeltaMessage {
    DeltaMessage { content, role, tool_calls, index: None, metadata: None, tool_call_id: None }
}

/// The answer's stream chunks: the role, one per token (or one with the tool calls), the last
/// with `finish_reason` and `usage`.
pub(crate) fn chunks(answer: &Generated, model: &str) -> Vec<CompletionChunk> {
    let (id, created) = (completion_id(), now_seconds());
    let chunk = |delta: DeltaMessage, finish: Option<KnownFinishReason>, usage: Option<UsageInfo>| CompletionChunk {
        choices: vec![CompletionResponseStreamChoice {
            delta,
            finish_reason: finish.map(FinishReason::Known),
            index: 0,
        }],
        created: Some(created),
        id: id.clone(),
        model: model.into(),
        object: Some("chat.completion.chunk".into()),
        usage,
    };
    let text = |s: &str| Some(MessageContent::String(s.to_string()));
    let mut out = vec![chunk(delta(text(""), Some("assistant".into()), None), None, None)];
    if let Some(calls) = &answer.tool_calls {
        let calls = calls
            .iter()
            .enumerate()
            .map(|(i, c)| ToolCall { index: Some(i64::try_from(i).unwrap_or_default()), ..c.clone() })
            .collect();
        out.push(chunk(delta(text(""), None, Some(calls)), Some(answer.finish), Some(answer.usage())));
        return out;
    }
    let tokens = tokenize(&answer.content);
    if tokens.is_empty() {
        out.push(chunk(delta(text(""), None, None), Some(answer.finish), Some(answer.usage())));
    }
    let last = tokens.len().saturating_sub(1);
    for (i, token) in tokens.iter().enumerate() {
        let end = i == last;
        out.push(chunk(delta(text(token), None, None), end.then_some(answer.finish), end.then(|| answer.usage())));
    }
    out
}

/// The stream's events as the live server sends them: each chunk, every event after the
/// first padded (`p`), the usage with its details.
pub(crate) fn events(answer: &Generated, model: &str) -> Vec<Value> {
    chunks(answer, model)
        .iter()
        .enumerate()
        .map(|(i, chunk)| {
            let mut event = serde_json::to_value(chunk).unwrap_or(Value::Null);
            if event.get("usage").is_some() {
                event["usage"] = answer.usage_json();
            }
            if i > 0 {
                let n = chunk.choices.first().and_then(|c| c.delta.content.as_ref()).map_or(i, |c| match c {
                    MessageContent::String(s) => s.len() * 7 + i,
                    MessageContent::Array(a) => a.len() + i,
                });
                event["p"] = json!(padding(n));
            }
            event
        })
        .collect()
}

/// Either framing, as the request asked.
pub(crate) fn respond(answer: &Generated, model: &str, stream: bool, delay: Duration) -> Response {
    if stream { crate::sse::response(&events(answer, model), delay) } else { json(answer, model) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_concatenate_to_the_content() {
        let answer = Generated {
            content: "Hello, world!".into(),
            tool_calls: None,
            finish: KnownFinishReason::Stop,
            prompt_tokens: 3,
            audio_seconds: None,
        };
        let chunks = chunks(&answer, "m");
        assert_eq!(chunks.len(), 1 + 4);
        let text: String = chunks
            .iter()
            .filter_map(|c| match &c.choices[0].delta.content {
                Some(MessageContent::String(s)) => Some(s.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(text, "Hello, world!");
        let last = chunks.last().expect("chunks");
        assert_eq!(last.usage.as_ref().map(|u| u.total_tokens), Some(7));
        assert!(chunks[..4].iter().all(|c| c.choices[0].finish_reason.is_none()));
    }
}
