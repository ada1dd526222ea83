//! Tools in a chat: the answer after a tool result, and the built-in tools (web search, code
//! interpreter, image generation, document library, connectors), which the mock does not run
//! but says it used.

use mistral_openapi::types::{Messages, Tool};
use serde_json::Value;

use super::input::content_text;
use crate::text::{self, Rng, truncate_tokens};

/// A 9-character alphanumeric tool call id.
pub(crate) fn tool_call_id(rng: &mut Rng) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    (0..9).map(|_| char::from(ALPHABET[rng.below(ALPHABET.len())])).collect()
}

/// The last user message's text.
pub(crate) fn question(messages: &[Messages]) -> String {
    messages
        .iter()
        .rev()
        .find_map(|m| match m {
            Messages::User { content } => Some(content_text(content.as_ref())),
            _ => None,
        })
        .unwrap_or_default()
}

/// "According to get_weather, sky is cloudy and temperature_c is 18."
pub(crate) fn tool_answer(messages: &[Messages]) -> String {
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

/// What the built-in tools of the request "did", one sentence each, in the request's order
/// (function tools and unknown kinds say nothing).
pub(crate) fn builtin_mentions(tools: &[Tool], asked: &str) -> Vec<String> {
    let keys = text::keywords(asked);
    let query = if keys.is_empty() { "your question".to_string() } else { keys[..keys.len().min(4)].join(" ") };
    tools
        .iter()
        .filter_map(|tool| match tool {
            Tool::WebSearch(_) => Some(format!("I searched the web for \"{query}\".")),
            Tool::WebSearchPremium(_) => Some(format!("I searched the web and news sources for \"{query}\".")),
            Tool::CodeInterpreter(_) => Some(format!("I ran code in the code interpreter to check {query}.")),
            Tool::ImageGeneration(_) => Some(format!("I generated an image of {query}.")),
            Tool::DocumentLibrary(d) => {
                Some(format!("I searched the document library ({}) for \"{query}\".", d.library_ids.join(", ")))
            }
            Tool::Connector(c) => Some(format!("I asked the {} connector about \"{query}\".", c.connector_id)),
            Tool::Function(_) | Tool::Other(_) => None,
        })
        .collect()
}
