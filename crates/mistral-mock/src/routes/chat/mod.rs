//! `POST /v1/chat/completions`: plain answers, JSON mode, tool calls and tool results.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use mistral_openapi::operations::{self, Operation};
use mistral_openapi::types::{
    ChatCompletionRequest, ContentChunk, FunctionArguments, FunctionCall, KnownFinishReason, KnownResponseFormats,
    KnownToolChoiceEnum, MessageContent, Messages, ResponseFormats, SystemMessageContent, SystemMessageContentChunks,
    ToolCall, ToolChoice, ToolChoiceEnum, ToolTypes,
};
use serde_json::{Value, json};

use crate::api_error::ApiError;
use crate::app::App;
use crate::arguments::{self, Context};
use crate::completion::{self, Generated};
use crate::routes::models::{self, Capability};
use crate::text::{self, Rng, count_tokens, hash64, truncate_tokens};
use crate::validate::{parse_json, read_body};

/// The operation id of this endpoint in the spec.
pub(crate) const OPERATION: &Operation = &operations::CREATE_CHAT_COMPLETION;

/// `POST /v1/chat/completions`
pub(crate) async fn create(State(app): State<Arc<App>>, headers: HeaderMap, body: Body) -> Result<Response, ApiError> {
    let bytes = read_body(body, &headers, app.options.body_limit).await?;
    let request: ChatCompletionRequest = app.validators.parse(OPERATION, parse_json(&bytes)?)?;
    models::check(&app, &request.model, Capability::Chat)?;
    if request.logprobs == Some(true) {
        // What the live server answers for its models.
        return Err(ApiError::object(
            axum::http::StatusCode::BAD_REQUEST,
            "Logprobs are not enabled for this model",
            "invalid_request_invalid_args",
            Some("3051"),
        ));
    }
    let generated = answer(&request)?;
    let stream = request.stream.unwrap_or(false);
    Ok(completion::respond(&generated, &request.model, stream, app.options.token_delay))
}

/// A message's text: the string, or its chunks as text (non-text chunks as a placeholder;
/// thinking left out).
pub(crate) fn content_text(content: Option<&MessageContent>) -> String {
    match content {
        None => String::new(),
        Some(MessageContent::String(s)) => s.clone(),
        Some(MessageContent::Array(chunks)) => chunks
            .iter()
            .filter_map(|c| match c {
                ContentChunk::Text(t) => Some(t.text.as_str()),
                ContentChunk::ImageUrl(_) => Some("[image]"),
                ContentChunk::DocumentUrl(_) | ContentChunk::File(_) => Some("[document]"),
                ContentChunk::InputAudio(_) => Some("[audio]"),
                _ => None,
            })
            .collect::<Vec<_>>()
            .join("\n"),
    }
}

/// A system message's text.
fn system_text(content: &SystemMessageContent) -> String {
    match content {
        SystemMessageContent::String(s) => s.clone(),
        SystemMessageContent::Array(chunks) => chunks
            .iter()
            .filter_map(|c| match c {
                SystemMessageContentChunks::Text(t) => Some(t.text.as_str()),
                _ => None,
            })
            .collect::<Vec<_>>()
            .join("\n"),
    }
}

/// Tool-call arguments as JSON text, whichever form they came in.
pub(crate) fn arguments_text(arguments: &FunctionArguments) -> String {
    match arguments {
        FunctionArguments::String(s) => s.clone(),
        FunctionArguments::Object(map) => Value::Object(map.clone()).to_string(),
    }
}

fn message_tokens(message: &Messages) -> u64 {
    match message {
        Messages::System { content } => count_tokens(&system_text(content)),
        Messages::User { content } | Messages::Tool { content, .. } => count_tokens(&content_text(content.as_ref())),
        Messages::Assistant { content, tool_calls, .. } => {
            count_tokens(&content_text(content.as_ref()))
                + tool_calls
                    .iter()
                    .flatten()
                    .map(|c| count_tokens(&c.function.name) + count_tokens(&arguments_text(&c.function.arguments)))
                    .sum::<u64>()
        }
    }
}

/// The last user message's text.
fn question(messages: &[Messages]) -> String {
    messages
        .iter()
        .rev()
        .find_map(|m| match m {
            Messages::User { content } => Some(content_text(content.as_ref())),
            _ => None,
        })
        .unwrap_or_default()
}

fn wants_terse(messages: &[Messages]) -> bool {
    messages.iter().any(|m| match m {
        Messages::System { content } => {
            let t = system_text(content).to_lowercase();
            ["terse", "brief", "concise", "short"].iter().any(|w| t.contains(w))
        }
        _ => false,
    })
}

/// A 9-character alphanumeric tool call id.
fn tool_call_id(rng: &mut Rng) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    (0..9).map(|_| char::from(ALPHABET[rng.below(ALPHABET.len())])).collect()
}

/// "According to get_weather, sky is cloudy and temperature_c is 18."
fn tool_answer(messages: &[Messages]) -> String {
    let Some(Messages::Tool { content, name, tool_call_id }) = messages.last() else {
        return String::new();
    };
    let called = name.clone().or_else(|| {
        messages.iter().rev().find_map(|m| match m {
            Messages::Assistant { tool_calls: Some(calls), .. } => {
                calls.iter().find(|c| c.id.is_some() && c.id == *tool_call_id).map(|c| c.function.name.clone())
            }
            _ => None,
        })
    });
    let raw = content_text(content.as_ref());
    let summary = match serde_json::from_str::<Value>(&raw) {
        Ok(Value::Object(map)) if !map.is_empty() => {
            let pairs: Vec<String> = map
                .iter()
                .take(6)
                .map(|(k, v)| format!("{k} is {}", v.as_str().map_or_else(|| v.to_string(), str::to_string)))
                .collect();
            match pairs.split_last() {
                Some((last, [])) => last.clone(),
                Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
                None => raw.clone(),
            }
        }
        _ => truncate_tokens(raw.trim(), Some(40)).0,
    };
    let source = called.unwrap_or_else(|| "the tool".to_string());
    let mut answer = format!("According to {source}, {summary}.");
    let keys = text::keywords(&question(messages));
    if let Some(first) = keys.first() {
        let topic = match keys.get(1) {
            Some(second) => format!("{first} and {second}"),
            None => first.clone(),
        };
        answer.push_str(&format!(" That should answer your question about {topic}."));
    }
    answer
}

/// Generates the answer to a chat request.
pub(crate) fn answer(request: &ChatCompletionRequest) -> Result<Generated, ApiError> {
    let messages = &request.messages;
    let last = messages.last().ok_or_else(|| ApiError::bad_request("messages must not be empty"))?;
    let prefix = match last {
        Messages::User { .. } | Messages::Tool { .. } => None,
        Messages::Assistant { content, prefix: Some(true), .. } => Some(content_text(content.as_ref())),
        other => {
            let role = match other {
                Messages::System { .. } => "system",
                _ => "assistant",
            };
            return Err(ApiError::bad_request(format!(
                "Expected last role User or Tool (or Assistant with prefix True) for serving but got {role}"
            )));
        }
    };
    let fingerprint = json!({
        "model": request.model, "messages": request.messages, "seed": request.random_seed,
        "temperature": request.temperature, "top_p": request.top_p, "format": request.response_format,
        "tools": request.tools, "tool_choice": request.tool_choice,
    });
    let seed = hash64(fingerprint.to_string().as_bytes());
    let tools = request.tools.as_deref().unwrap_or_default();
    let prompt_tokens = messages.iter().map(message_tokens).sum::<u64>()
        + if tools.is_empty() { 0 } else { count_tokens(&serde_json::to_string(tools).unwrap_or_default()) };
    let asked = question(messages);
    let ctx = Context::new(&asked, seed);
    let may_call = !matches!(
        request.tool_choice,
        Some(ToolChoice::ToolChoiceEnum(ToolChoiceEnum::Known(KnownToolChoiceEnum::None)))
    );
    let callable = may_call && matches!(last, Messages::User { .. });
    if let Some(tool) = arguments::choose_tool(tools, &ctx).filter(|_| callable) {
        let args = arguments::generate(&Value::Object(tool.parameters.clone()), &ctx);
        let mut rng = Rng::new(seed);
        let call = ToolCall {
            function: FunctionCall { arguments: FunctionArguments::String(args.to_string()), name: tool.name.clone() },
            id: Some(tool_call_id(&mut rng)),
            index: Some(0),
            type_: Some(ToolTypes::Function.into()),
        };
        return Ok(Generated {
            content: String::new(),
            tool_calls: Some(vec![call]),
            finish: KnownFinishReason::ToolCalls,
            prompt_tokens,
            audio_seconds: audio_seconds(messages),
        });
    }
    let json_mode = request
        .response_format
        .as_ref()
        .is_some_and(|f| f.type_ == ResponseFormats::Known(KnownResponseFormats::JsonObject));
    let full = if matches!(last, Messages::Tool { .. }) {
        tool_answer(messages)
    } else if json_mode {
        arguments::json_object(&ctx).to_string()
    } else {
        text::prose(&asked, seed, wants_terse(messages))
    };
    let full = match prefix {
        Some(p) if !p.is_empty() => format!("{p} {full}"),
        _ => full,
    };
    let (content, cut) = truncate_tokens(&full, request.max_tokens);
    Ok(Generated {
        content,
        tool_calls: None,
        finish: if cut { KnownFinishReason::Length } else { KnownFinishReason::Stop },
        prompt_tokens,
        audio_seconds: audio_seconds(messages),
    })
}

/// Seconds of the audio in the user's messages, `None` without audio (about 16 kB of
/// compressed audio per second, from the base64's length).
fn audio_seconds(messages: &[Messages]) -> Option<u64> {
    let bytes: usize = messages
        .iter()
        .filter_map(|m| match m {
            Messages::User { content: Some(MessageContent::Array(chunks)) } => Some(chunks),
            _ => None,
        })
        .flatten()
        .filter_map(|c| match c {
            ContentChunk::InputAudio(audio) => Some(serde_json::to_string(&audio.input_audio).map_or(0, |s| s.len())),
            _ => None,
        })
        .sum();
    (bytes > 0).then(|| u64::try_from(bytes * 3 / 4 / 16_000).unwrap_or(u64::MAX).max(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(body: Value) -> ChatCompletionRequest {
        serde_json::from_value(body).expect("request")
    }

    #[test]
    fn same_request_same_answer_and_max_tokens() {
        let r =
            request(json!({"model": "m", "messages": [{"role": "user", "content": "Tell me about French cheese"}]}));
        let a = answer(&r).expect("answer");
        assert_eq!(a, answer(&r).expect("answer"));
        assert_eq!(a.finish, KnownFinishReason::Stop);
        assert_eq!(a.prompt_tokens, 5);
        let r = request(
            json!({"model": "m", "max_tokens": 3, "messages": [{"role": "user", "content": "Tell me about French cheese"}]}),
        );
        let a = answer(&r).expect("answer");
        assert_eq!((a.completion_tokens(), a.finish), (3, KnownFinishReason::Length));
    }

    #[test]
    fn tool_result_gets_a_final_answer() {
        let r = request(json!({"model": "m", "messages": [
            {"role": "user", "content": "What is the weather in Paris?"},
            {"role": "assistant", "content": "", "tool_calls": [{"id": "D681PevKs", "type": "function", "function": {"name": "get_weather", "arguments": "{}"}}]},
            {"role": "tool", "tool_call_id": "D681PevKs", "content": "{\"temperature_c\": 18, \"sky\": \"cloudy\"}"}]}));
        let a = answer(&r).expect("answer");
        assert!(
            a.content.starts_with("According to get_weather, sky is cloudy and temperature_c is 18."),
            "{}",
            a.content
        );
    }

    #[test]
    fn last_assistant_without_prefix_is_refused() {
        let r = request(
            json!({"model": "m", "messages": [{"role": "user", "content": "x"}, {"role": "assistant", "content": "y"}]}),
        );
        assert_eq!(answer(&r).expect_err("refused").status, 400);
        let r = request(
            json!({"model": "m", "messages": [{"role": "user", "content": "x"}, {"role": "assistant", "content": "Sure:", "prefix": true}]}),
        );
        assert!(answer(&r).expect("answer").content.starts_with("Sure: "));
    }
}
