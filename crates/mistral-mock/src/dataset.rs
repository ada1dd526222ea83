//! Fine-tuning data: JSONL where each line is `{"messages": [...]}`.

use serde_json::Value;

use crate::text::count_tokens;

/// What a valid file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Stats {
    /// Examples (non-blank lines).
    pub(crate) lines: u64,
    /// Tokens of all message contents.
    pub(crate) tokens: u64,
}

const ROLES: &[&str] = &["system", "user", "assistant", "tool"];

fn content_tokens(content: &Value) -> Option<u64> {
    match content {
        Value::String(s) => Some(count_tokens(s)),
        Value::Array(chunks) => {
            Some(chunks.iter().filter_map(|c| c.get("text").and_then(Value::as_str)).map(count_tokens).sum())
        }
        _ => None,
    }
}

fn check_message(message: &Value) -> Result<(bool, u64), String> {
    let role =
        message.get("role").and_then(Value::as_str).ok_or_else(|| "expected an object with a \"role\"".to_string())?;
    if !ROLES.contains(&role) {
        return Err(format!("unknown role \"{role}\" (expected system, user, assistant or tool)"));
    }
    let calls = message.get("tool_calls").is_some_and(|c| !c.is_null());
    let tokens = match message.get("content") {
        Some(Value::Null) | None if role == "assistant" && calls => 0,
        Some(content) => content_tokens(content).ok_or_else(|| "\"content\" must be a string".to_string())?,
        None => return Err("\"content\" is missing".into()),
    };
    Ok((role == "assistant", tokens))
}

/// Checks a fine-tuning file, counting its examples and tokens; the error says which line
/// (and message) is wrong, and why.
pub(crate) fn check(bytes: &[u8]) -> Result<Stats, String> {
    let text =
        std::str::from_utf8(bytes).map_err(|e| format!("the file is not valid UTF-8 (at byte {})", e.valid_up_to()))?;
    let mut stats = Stats { lines: 0, tokens: 0 };
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let value: Value = serde_json::from_str(line).map_err(|e| format!("line {n} is not valid JSON: {e}"))?;
        let messages = value
            .get("messages")
            .and_then(Value::as_array)
            .ok_or_else(|| format!("line {n}: expected an object with a \"messages\" array"))?;
        if messages.is_empty() {
            return Err(format!("line {n}: \"messages\" must not be empty"));
        }
        let mut has_assistant = false;
        for (j, message) in messages.iter().enumerate() {
            let (assistant, tokens) = check_message(message).map_err(|why| format!("line {n}, message {j}: {why}"))?;
            has_assistant |= assistant;
            stats.tokens += tokens;
        }
        if !has_assistant {
            return Err(format!("line {n}: needs at least one assistant message to learn from"));
        }
        stats.lines += 1;
    }
    if stats.lines == 0 {
        return Err("the file has no examples".into());
    }
    Ok(stats)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_valid_files() {
        let file = b"{\"messages\": [{\"role\": \"user\", \"content\": \"Hi there\"}, {\"role\": \"assistant\", \"content\": \"Hello!\"}]}\n\n";
        assert_eq!(check(file), Ok(Stats { lines: 1, tokens: 4 }));
    }

    #[test]
    fn says_what_is_wrong() {
        let cases: [(&[u8], &str); 6] = [
            (b"", "no examples"),
            (b"not json", "line 1 is not valid JSON"),
            (b"{\"prompt\": \"x\"}", "line 1: expected an object with a \"messages\" array"),
            (b"{\"messages\": [{\"role\": \"robot\", \"content\": \"x\"}]}", "line 1, message 0: unknown role"),
            (b"{\"messages\": [{\"role\": \"user\", \"content\": \"x\"}]}", "at least one assistant"),
            (b"\xff\xfe", "not valid UTF-8"),
        ];
        for (bytes, want) in cases {
            let err = check(bytes).expect_err("invalid");
            assert!(err.contains(want), "{err} should contain {want}");
        }
    }
}
