//! `POST /v1/chat/completions`: plain answers, JSON mode and structured outputs, tool calls
//! and tool results, built-in tools, reasoning, several choices, images, documents and audio.

pub(crate) mod input;
mod tools;

use std::sync::Arc;

use axum::body::Body;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use mistral_openapi::operations::{self, Operation};
use mistral_openapi::types::{
    ChatCompletionRequest, FunctionArguments, FunctionCall, KnownFinishReason, KnownReasoningEffort,
    KnownResponseFormats, KnownToolChoiceEnum, Messages, MistralPromptMode, ReasoningEffort, ResponseFormats, Stop,
    Tool, ToolCall, ToolChoice, ToolChoiceEnum, ToolTypes,
};
use serde_json::{Value, json};

use crate::api_error::ApiError;
use crate::app::App;
use crate::arguments::{self, Context};
use crate::completion::{self, Answer, Choice};
use crate::routes::models::{self, Capability};
use crate::text::{self, Rng, count_tokens, hash64, mix, truncate_tokens};
use crate::validate::{parse_json, read_body};
use input::{content_text, content_tokens, system_text, system_tokens};
use tools::{question, tool_answer, tool_call_id};

/// The operation id of this endpoint in the spec.
pub(crate) const OPERATION: &Operation = &operations::CREATE_CHAT_COMPLETION;

/// `POST /v1/chat/completions`
pub(crate) async fn create(State(app): State<Arc<App>>, headers: HeaderMap, body: Body) -> Result<Response, ApiError> {
    let bytes = read_body(body, &headers, app.options.body_limit).await?;
    let request: ChatCompletionRequest = app.validators.parse(OPERATION, parse_json(&bytes)?)?;
    models::check(&app, &request.model, Capability::Chat)?;
    if input::has_images(&request.messages) {
        models::check(&app, &request.model, Capability::Vision)?;
    }
    if input::audio_seconds(&request.messages).is_some() {
        models::check(&app, &request.model, Capability::Audio)?;
    }
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
    Ok(completion::respond_answer(&generated, &request.model, stream, app.options.token_delay))
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
        Messages::System { content } => system_tokens(content),
        Messages::User { content } | Messages::Tool { content, .. } => content_tokens(content.as_ref()),
        Messages::Assistant { content, tool_calls, .. } => {
            content_tokens(content.as_ref())
                + tool_calls
                    .iter()
                    .flatten()
                    .map(|c| count_tokens(&c.function.name) + count_tokens(&arguments_text(&c.function.arguments)))
                    .sum::<u64>()
        }
    }
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

/// How many sentences the model thinks before answering; `None` when it answers at once.
/// Magistral models always think (unless `reasoning_effort: "none"`); the other models that
/// can reason think when asked (`prompt_mode: "reasoning"`, or an effort above `none`); the
/// others never do.
fn thinking_sentences(request: &ChatCompletionRequest) -> Option<usize> {
    let model = models::find_base(&request.model).filter(|m| m.capabilities.contains(&Capability::Reasoning))?;
    let effort = match &request.reasoning_effort {
        Some(ReasoningEffort::Known(effort)) => Some(*effort),
        Some(ReasoningEffort::Other(_)) => Some(KnownReasoningEffort::Medium),
        None => None,
    };
    let asked = request.prompt_mode == Some(MistralPromptMode::Reasoning) || effort.is_some();
    if effort == Some(KnownReasoningEffort::None) || !(asked || model.id.starts_with("magistral")) {
        return None;
    }
    Some(match effort {
        Some(KnownReasoningEffort::Minimal) => 1,
        Some(KnownReasoningEffort::Low) => 2,
        Some(KnownReasoningEffort::High) => 5,
        Some(KnownReasoningEffort::Xhigh) => 7,
        _ => 3,
    })
}

/// The function the model calls, if it calls one: the named one of `tool_choice`, else the
/// best match for the prompt (`auto`, `any`, `required`); none with `tool_choice: "none"` or
/// after a tool result.
fn called_function<'a>(
    request: &'a ChatCompletionRequest,
    ctx: &Context,
) -> Option<&'a mistral_openapi::types::Function> {
    let tools = request.tools.as_deref().unwrap_or_default();
    if !matches!(request.messages.last(), Some(Messages::User { .. })) {
        return None;
    }
    match &request.tool_choice {
        Some(ToolChoice::ToolChoiceEnum(ToolChoiceEnum::Known(KnownToolChoiceEnum::None))) => None,
        Some(ToolChoice::NamedToolChoice(named)) => tools.iter().find_map(|t| match t {
            Tool::Function(f) if f.function.name == named.function.name => Some(&f.function),
            _ => None,
        }),
        _ => arguments::choose_tool(tools, ctx),
    }
}

/// The JSON an answer must be, when the request asks for JSON.
enum Format<'a> {
    Text,
    JsonObject,
    JsonSchema(&'a serde_json::Map<String, Value>),
}

fn format(request: &ChatCompletionRequest) -> Result<Format<'_>, ApiError> {
    let Some(format) = &request.response_format else { return Ok(Format::Text) };
    match &format.type_ {
        ResponseFormats::Known(KnownResponseFormats::JsonObject) => Ok(Format::JsonObject),
        ResponseFormats::Known(KnownResponseFormats::JsonSchema) => match &format.json_schema {
            Some(schema) => Ok(Format::JsonSchema(&schema.schema)),
            None => Err(ApiError::bad_request("response_format of type json_schema needs a json_schema")),
        },
        _ => Ok(Format::Text),
    }
}

/// The text up to the first of the stop sequences.
fn cut_at_stops(text: &str, stop: Option<&Stop>) -> String {
    let stops: Vec<&str> = match stop {
        Some(Stop::String(s)) => vec![s.as_str()],
        Some(Stop::Array(a)) => a.iter().map(String::as_str).collect(),
        None => Vec::new(),
    };
    match stops.iter().filter(|s| !s.is_empty()).filter_map(|s| text.find(s)).min() {
        Some(cut) => text[..cut].to_string(),
        None => text.to_string(),
    }
}

/// Everything one choice is generated from.
struct Prompt<'a> {
    request: &'a ChatCompletionRequest,
    asked: String,
    prefix: Option<String>,
    format: Format<'a>,
    thinking: Option<usize>,
}

impl Prompt<'_> {
    /// One choice, seeded by `seed`.
    fn choice(&self, seed: u64) -> Choice {
        let request = self.request;
        let messages = &request.messages;
        let ctx = Context::new(&self.asked, seed);
        let thinking = self.thinking.map(|n| text::thinking(&self.asked, seed, n));
        // max_tokens spends the thinking first, then the answer.
        let budget = request.max_tokens;
        let thought = thinking.as_deref().map(|t| truncate_tokens(t, budget));
        let left = budget.map(|b| b.saturating_sub(thought.as_ref().map_or(0, |(t, _)| count_tokens(t))));
        let thinking = thought.as_ref().map(|(t, _)| t.clone());
        let thought_cut = thought.is_some_and(|(_, cut)| cut);
        if let Some(function) = called_function(request, &ctx) {
            let args = arguments::generate(&Value::Object(function.parameters.clone()), &ctx);
            let call = ToolCall {
                function: FunctionCall {
                    arguments: FunctionArguments::String(args.to_string()),
                    name: function.name.clone(),
                },
                id: Some(tool_call_id(&mut Rng::new(seed))),
                index: Some(0),
                type_: Some(ToolTypes::Function.into()),
            };
            return Choice {
                thinking,
                tool_calls: Some(vec![call]),
                ..Choice::text(String::new(), KnownFinishReason::ToolCalls)
            };
        }
        let full = match self.format {
            Format::JsonSchema(schema) => crate::structured::answer(schema, &ctx),
            Format::JsonObject => crate::structured::object(&ctx),
            Format::Text if matches!(messages.last(), Some(Messages::Tool { .. })) => tool_answer(messages),
            Format::Text => {
                let mut said = match request.tool_choice {
                    Some(ToolChoice::ToolChoiceEnum(ToolChoiceEnum::Known(KnownToolChoiceEnum::None))) => Vec::new(),
                    _ => tools::builtin_mentions(request.tools.as_deref().unwrap_or_default(), &self.asked),
                };
                said.push(text::prose(&self.asked, seed, wants_terse(messages)));
                said.join(" ")
            }
        };
        let full = match &self.prefix {
            Some(p) if !p.is_empty() => format!("{p} {full}"),
            _ => full,
        };
        let full = cut_at_stops(&full, request.stop.as_ref());
        let (content, cut) = truncate_tokens(&full, left);
        let finish = if cut || thought_cut { KnownFinishReason::Length } else { KnownFinishReason::Stop };
        Choice { thinking, ..Choice::text(content, finish) }
    }
}

/// Closing sentences that tell apart choices that came out the same.
const VARIANTS: &[&str] =
    &["Happy to help further.", "Just ask if you want more.", "I can go into more detail.", "Hope that is useful."];

/// Generates the answer to a chat request: `n` choices (1 by default), deterministic, the
/// first as a request without `n` would get it, the others different from it.
pub(crate) fn answer(request: &ChatCompletionRequest) -> Result<Answer, ApiError> {
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
    let mut fingerprint = json!({
        "model": request.model, "messages": request.messages, "seed": request.random_seed,
        "temperature": request.temperature, "top_p": request.top_p, "format": request.response_format,
        "tools": request.tools, "tool_choice": request.tool_choice,
    });
    // Only when set, so that the answers to requests without them stay what they were.
    for (key, value) in [("prompt_mode", json!(request.prompt_mode)), ("effort", json!(request.reasoning_effort))] {
        if !value.is_null() {
            fingerprint[key] = value;
        }
    }
    let seed = hash64(fingerprint.to_string().as_bytes());
    let tools = request.tools.as_deref().unwrap_or_default();
    let prompt_tokens = messages.iter().map(message_tokens).sum::<u64>()
        + if tools.is_empty() { 0 } else { count_tokens(&serde_json::to_string(tools).unwrap_or_default()) };
    let prompt = Prompt {
        request,
        asked: question(messages),
        prefix,
        format: format(request)?,
        thinking: thinking_sentences(request),
    };
    let n = request.n.map_or(1, |n| usize::try_from(n.get()).unwrap_or(usize::MAX)).min(MAX_CHOICES);
    // Texts must differ between choices; JSON may repeat (a closing sentence would break it).
    let distinct = matches!(prompt.format, Format::Text);
    let mut choices: Vec<Choice> = Vec::with_capacity(n);
    for index in 0..n {
        let seed_of = |attempt: u64| {
            if index == 0 && attempt == 0 { seed } else { mix(seed ^ ((index as u64) << 8) ^ attempt) }
        };
        let same = |choice: &Choice, choices: &[Choice]| {
            distinct && choice.tool_calls.is_none() && choices.iter().any(|c| c.content == choice.content)
        };
        let mut choice = prompt.choice(seed_of(0));
        // Another seed, then closing sentences, until the text differs from the others'.
        for attempt in 1..8 {
            if !same(&choice, &choices) {
                break;
            }
            choice = prompt.choice(seed_of(attempt));
        }
        let base = choice.content.clone();
        for k in 0..MAX_CHOICES {
            if !same(&choice, &choices) {
                break;
            }
            let mut closing = VARIANTS[k % VARIANTS.len()].to_string();
            if k >= VARIANTS.len() {
                closing = format!("{} {closing}", VARIANTS[(k / VARIANTS.len()) % VARIANTS.len()]);
            }
            choice.content = format!("{base} {closing}");
        }
        choices.push(choice);
    }
    Ok(Answer { choices, prompt_tokens, audio_seconds: input::audio_seconds(messages) })
}

/// At most this many choices are generated, whatever `n` says.
const MAX_CHOICES: usize = 64;

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
        assert_eq!(a.choices[0].finish, KnownFinishReason::Stop);
        assert_eq!(a.prompt_tokens, 5);
        let r = request(
            json!({"model": "m", "max_tokens": 3, "messages": [{"role": "user", "content": "Tell me about French cheese"}]}),
        );
        let a = answer(&r).expect("answer");
        assert_eq!((a.completion_tokens(), a.choices[0].finish), (3, KnownFinishReason::Length));
    }

    #[test]
    fn tool_result_gets_a_final_answer() {
        let r = request(json!({"model": "m", "messages": [
            {"role": "user", "content": "What is the weather in Paris?"},
            {"role": "assistant", "content": "", "tool_calls": [{"id": "D681PevKs", "type": "function", "function": {"name": "get_weather", "arguments": "{}"}}]},
            {"role": "tool", "tool_call_id": "D681PevKs", "content": "{\"temperature_c\": 18, \"sky\": \"cloudy\"}"}]}));
        let a = answer(&r).expect("answer");
        let content = &a.choices[0].content;
        assert!(content.starts_with("According to get_weather, sky is cloudy and temperature_c is 18."), "{content}");
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
        assert!(answer(&r).expect("answer").choices[0].content.starts_with("Sure: "));
    }

    #[test]
    fn choices_differ_even_when_the_prose_has_few_forms() {
        let r = request(json!({"model": "m", "n": 5, "messages": [{"role": "user", "content": "Hello"}]}));
        let a = answer(&r).expect("answer");
        let mut texts: Vec<&str> = a.choices.iter().map(|c| c.content.as_str()).collect();
        texts.sort_unstable();
        texts.dedup();
        assert_eq!(texts.len(), 5, "{texts:?}");
    }

    #[test]
    fn stop_sequences_cut_the_answer() {
        let r =
            request(json!({"model": "m", "messages": [{"role": "user", "content": "Tell me about French cheese"}]}));
        let full = answer(&r).expect("answer").choices[0].content.clone();
        let word = full.split_whitespace().nth(2).expect("a third word").to_string();
        let r = request(json!({"model": "m", "stop": [word.clone()],
            "messages": [{"role": "user", "content": "Tell me about French cheese"}]}));
        let a = answer(&r).expect("answer");
        assert_eq!(a.choices[0].content, full[..full.find(&word).expect("the word")]);
        assert_eq!(a.choices[0].finish, KnownFinishReason::Stop);
    }
}
