//! `POST /v1/fim/completions`: code that fits between `prompt` and `suffix`.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use mistral_openapi::operations::{self, Operation};
use mistral_openapi::types::{FimCompletionRequest, KnownFinishReason, Stop};
use serde_json::json;

use crate::api_error::ApiError;
use crate::app::App;
use crate::completion::{self, Generated};
use crate::routes::models::{self, Capability};
use crate::text::{Rng, count_tokens, hash64, truncate_tokens};
use crate::validate::{parse_json, read_body};

/// `min_tokens` is honoured up to this many tokens (the rest of a huge value is ignored).
const MAX_MIN_TOKENS: u64 = 8192;

/// The operation id of this endpoint in the spec.
pub(crate) const OPERATION: &Operation = &operations::CREATE_FIM_COMPLETION;

/// `POST /v1/fim/completions`
pub(crate) async fn create(State(app): State<Arc<App>>, headers: HeaderMap, body: Body) -> Result<Response, ApiError> {
    let bytes = read_body(body, &headers, app.options.body_limit).await?;
    let request: FimCompletionRequest = app.validators.parse(OPERATION, parse_json(&bytes)?)?;
    models::check(&app, &request.model, Capability::Fim)?;
    let generated = answer(&request);
    let stream = request.stream.unwrap_or(false);
    Ok(completion::respond(&generated, &request.model, stream, app.options.token_delay))
}

/// Leading whitespace of `line`.
fn indent_of(line: &str) -> &str {
    &line[..line.len() - line.trim_start().len()]
}

/// `name` and the first parameter of the last `def name(a, ...)` / `fn name(a: T)` /
/// `function name(a)` / `name(a) {` in `code`.
fn signature(code: &str) -> (String, Option<String>) {
    for line in code.lines().rev() {
        let Some(open) = line.find('(') else { continue };
        let head = line[..open].trim_end();
        let name: String = head
            .chars()
            .rev()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        if name.is_empty() || name.chars().next().is_some_and(|c| c.is_ascii_digit()) {
            continue;
        }
        let params = line[open + 1..].split(')').next().unwrap_or_default();
        let first = params
            .split(',')
            .next()
            .map(|p| p.split([':', '=']).next().unwrap_or_default().trim())
            .map(|p| p.split_whitespace().last().unwrap_or_default().trim_start_matches(['&', '*']).to_string())
            .filter(|p| !p.is_empty() && p != "self");
        return (name, first);
    }
    ("value".to_string(), None)
}

/// The middle part, before max/min tokens and stop sequences.
fn middle(prompt: &str, suffix: &str, seed: u64) -> String {
    let last_line = prompt.lines().last().unwrap_or_default();
    let base = indent_of(last_line);
    let trimmed = prompt.trim_end();
    let (name, arg) = signature(prompt);
    let arg = arg.unwrap_or_else(|| "None".to_string());
    let words = name.replace('_', " ");
    let mut rng = Rng::new(seed);
    if trimmed.ends_with(':') {
        let ind = format!("{base}    ");
        let check = match rng.below(2) {
            0 => format!("{ind}if {arg} is None:\n{ind}    return None\n"),
            _ => String::new(),
        };
        format!("\n{ind}\"\"\"Compute {words} for {arg}.\"\"\"\n{check}{ind}result = {arg}\n{ind}return result\n")
    } else if trimmed.ends_with('{') {
        let ind = format!("{base}    ");
        let close = if suffix.trim_start().starts_with('}') { String::new() } else { format!("{base}}}\n") };
        format!("\n{ind}// Compute {words}.\n{ind}let result = {arg};\n{ind}return result;\n{close}")
    } else if prompt.ends_with('\n') || prompt.is_empty() {
        format!("{base}# {words}\n{base}result = {name}({arg})\n")
    } else {
        format!(" {name}({arg})\n")
    }
}

/// Generates the completion of a FIM request.
pub(crate) fn answer(request: &FimCompletionRequest) -> Generated {
    let suffix = request.suffix.as_deref().unwrap_or_default();
    let fingerprint = json!({
        "model": request.model, "prompt": request.prompt, "suffix": suffix, "seed": request.random_seed,
        "temperature": request.temperature, "top_p": request.top_p,
    });
    let seed = hash64(fingerprint.to_string().as_bytes());
    let mut text = middle(&request.prompt, suffix, seed);
    if let Some(min) = request.min_tokens.map(|m| m.min(MAX_MIN_TOKENS)) {
        let (_, base) = signature(&request.prompt);
        let ind = indent_of(text.lines().last().unwrap_or_default()).to_string();
        let mut tokens = count_tokens(&text);
        let mut step = 1;
        while tokens < min {
            let line = format!("{ind}# step {step}: check {}\n", base.as_deref().unwrap_or("the input"));
            // Trailing whitespace is a token of its own until a word follows it.
            let merged = u64::from(text.ends_with(char::is_whitespace));
            tokens = tokens + count_tokens(&line) - merged;
            text.push_str(&line);
            step += 1;
        }
    }
    let mut finish = KnownFinishReason::Stop;
    let stops: Vec<&str> = match &request.stop {
        Some(Stop::String(s)) => vec![s.as_str()],
        Some(Stop::Array(a)) => a.iter().map(String::as_str).collect(),
        None => Vec::new(),
    };
    // `min_tokens` means at least that many: a stop sequence ends the text only after them.
    let floor = match request.min_tokens {
        Some(min) if min > 0 => {
            let keep = usize::try_from(min.min(MAX_MIN_TOKENS)).unwrap_or(usize::MAX);
            crate::text::tokenize(&text).iter().take(keep).map(|t| t.len()).sum()
        }
        _ => 0,
    };
    if let Some(cut) =
        stops.iter().filter(|s| !s.is_empty()).filter_map(|s| text[floor..].find(s).map(|at| floor + at)).min()
    {
        text.truncate(cut);
    }
    let (content, cut) = truncate_tokens(&text, request.max_tokens);
    if cut {
        finish = KnownFinishReason::Length;
    }
    let prompt_tokens = count_tokens(&request.prompt) + count_tokens(suffix);
    Generated { content, tool_calls: None, finish, prompt_tokens, audio_seconds: None }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(body: serde_json::Value) -> FimCompletionRequest {
        serde_json::from_value(body).expect("request")
    }

    #[test]
    fn python_body_and_stops() {
        let r = request(
            json!({"model": "codestral-latest", "prompt": "def fibonacci(n: int):", "suffix": "print(fibonacci(10))"}),
        );
        let a = answer(&r);
        assert!(a.content.contains("return result"), "{}", a.content);
        assert!(a.content.contains("    "), "{}", a.content);
        assert_eq!(a.finish, KnownFinishReason::Stop);
        let r = request(json!({"model": "codestral-latest", "prompt": "def f(x):", "stop": ["return"]}));
        assert!(!answer(&r).content.contains("return"));
        let r = request(json!({"model": "codestral-latest", "prompt": "def f(x):", "min_tokens": 60}));
        assert!(answer(&r).completion_tokens() >= 60);
    }

    #[test]
    fn braces_are_closed_unless_the_suffix_does() {
        let r = request(json!({"model": "codestral-latest", "prompt": "fn add(a: i32, b: i32) -> i32 {"}));
        assert!(answer(&r).content.trim_end().ends_with('}'));
        let r = request(json!({"model": "codestral-latest", "prompt": "function f(a) {", "suffix": "}"}));
        assert!(!answer(&r).content.trim_end().ends_with('}'));
    }
}
