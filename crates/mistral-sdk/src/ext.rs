//! Conveniences on the generated wire types.

use serde::de::DeserializeOwned;

use crate::error::{Error, Result};
use crate::types::{
    ChatCompletionChoice, ChatCompletionResponse, ContentChunk, FimCompletionResponse, FinishReason, FunctionArguments,
    KnownFinishReason, MessageContent, Model, ThinkingChunk, ToolCall,
};

/// The text of a message's content: the string, or its text chunks joined (thinking left
/// out: see [`content_thinking`]).
///
/// ```
/// use mistral_sdk::{content_text, types::MessageContent};
///
/// let chunks: MessageContent = serde_json::from_str(
///     r#"[{"type":"thinking","thinking":[{"type":"text","text":"greet"}]},
///         {"type":"text","text":"Hello "},{"type":"text","text":"world"}]"#,
/// ).unwrap();
/// assert_eq!(content_text(Some(&chunks)).as_deref(), Some("Hello world"));
/// ```
pub fn content_text(content: Option<&MessageContent>) -> Option<String> {
    match content? {
        MessageContent::String(s) => Some(s.clone()),
        MessageContent::Array(chunks) => Some(
            chunks
                .iter()
                .filter_map(|c| match c {
                    ContentChunk::Text(t) => Some(t.text.as_str()),
                    _ => None,
                })
                .collect(),
        ),
    }
}

/// The reasoning of a message's content: the text of its thinking chunks, joined (`None`
/// without content; `""` when it has no thinking).
///
/// ```
/// use mistral_sdk::{content_thinking, types::MessageContent};
///
/// let chunks: MessageContent = serde_json::from_str(
///     r#"[{"type":"thinking","thinking":[{"type":"text","text":"They said hi. "},{"type":"text","text":"Greet back."}]},
///         {"type":"text","text":"Hello!"}]"#,
/// ).unwrap();
/// assert_eq!(content_thinking(Some(&chunks)).as_deref(), Some("They said hi. Greet back."));
/// ```
pub fn content_thinking(content: Option<&MessageContent>) -> Option<String> {
    match content? {
        MessageContent::String(_) => Some(String::new()),
        MessageContent::Array(chunks) => Some(
            chunks
                .iter()
                .filter_map(|c| match c {
                    ContentChunk::Thinking(t) => Some(&t.thinking),
                    _ => None,
                })
                .flatten()
                .filter_map(|t| match t {
                    ThinkingChunk::Text(t) => Some(t.text.as_str()),
                    _ => None,
                })
                .collect(),
        ),
    }
}

/// Reading a chat (or FIM) response: the first choice's answer, reasoning, tool calls, and
/// the answer parsed from JSON.
///
/// ```
/// use mistral_sdk::ChatResponseExt;
/// # let response: mistral_sdk::types::ChatCompletionResponse = serde_json::from_str(r#"{"id":"1","object":"chat.completion","created":1,"model":"m",
/// #   "choices":[{"index":0,"message":{"role":"assistant","content":"{\"city\":\"Paris\"}"},"finish_reason":"stop"}],
/// #   "usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}"#).unwrap();
/// #[derive(serde::Deserialize)]
/// struct Answer { city: String }
///
/// let answer: Answer = response.json().unwrap(); // JSON mode
/// assert_eq!(answer.city, "Paris");
/// ```
pub trait ChatResponseExt {
    /// The first choice's answer ("" when it has none), without its thinking.
    fn text(&self) -> String;
    /// The first choice's reasoning: the text of its thinking chunks ("" when it has none).
    fn thinking(&self) -> String;
    /// Every choice's answer, in `index` order (several with [`ChatRequest::n`](crate::ChatRequest::n)).
    fn texts(&self) -> Vec<String>;
    /// The first choice's tool calls.
    fn tool_calls(&self) -> &[ToolCall];
    /// The first choice's finish reason.
    fn finish_reason(&self) -> Option<&FinishReason>;
    /// The first choice's text parsed as JSON into `T` (for JSON mode).
    fn json<T: DeserializeOwned>(&self) -> Result<T> {
        let text = self.text();
        serde_json::from_str(&text).map_err(|e| Error::decode(text.as_bytes(), e))
    }

    /// The first choice's answer as a `T` (for [`ChatRequest::json_schema`](crate::ChatRequest::json_schema)
    /// and JSON mode). An answer that is not a `T` is an [`Error::InvalidOutput`] holding the
    /// answer; one wrapped in a Markdown code fence is read inside it.
    ///
    /// ```
    /// use mistral_sdk::{ChatResponseExt, Error};
    /// # let response: mistral_sdk::types::ChatCompletionResponse = serde_json::from_str(r#"{"id":"1","object":"chat.completion","created":1,"model":"m",
    /// #   "choices":[{"index":0,"message":{"role":"assistant","content":"{\"name\":\"Comté\",\"months\":24}"},"finish_reason":"stop"}],
    /// #   "usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}"#).unwrap();
    /// #[derive(serde::Deserialize)]
    /// struct Cheese { name: String, months: u32 }
    ///
    /// let cheese: Cheese = response.parsed()?;
    /// assert_eq!((cheese.name.as_str(), cheese.months), ("Comté", 24));
    ///
    /// #[derive(Debug, serde::Deserialize)]
    /// struct Wine { grape: String }
    /// match response.parsed::<Wine>() {
    ///     Err(Error::InvalidOutput { content, .. }) => assert!(content.contains("Comté")),
    ///     other => panic!("{other:?}"),
    /// }
    /// # Ok::<(), mistral_sdk::Error>(())
    /// ```
    fn parsed<T: DeserializeOwned>(&self) -> Result<T> {
        parse_output(&self.text())
    }
}

/// `text` as a `T`: as is, else inside a Markdown code fence.
pub(crate) fn parse_output<T: DeserializeOwned>(text: &str) -> Result<T> {
    let first = match serde_json::from_str(text) {
        Ok(value) => return Ok(value),
        Err(e) => e,
    };
    if let Some(inner) = fenced(text)
        && let Ok(value) = serde_json::from_str(inner)
    {
        return Ok(value);
    }
    Err(Error::InvalidOutput { content: text.to_string(), source: first })
}

/// The inside of a text that is one code fence (```` ```json ... ``` ````).
fn fenced(text: &str) -> Option<&str> {
    let body = text.trim().strip_prefix("```")?.strip_suffix("```")?;
    // Skip the info string (`json`) up to the end of the first line.
    Some(body.split_once('\n').map_or(body, |(_, rest)| rest))
}

fn choice_texts(choices: &[ChatCompletionChoice]) -> Vec<String> {
    let mut sorted: Vec<&ChatCompletionChoice> = choices.iter().collect();
    sorted.sort_by_key(|c| c.index);
    sorted.into_iter().map(|c| content_text(c.message.content.as_ref()).unwrap_or_default()).collect()
}

impl ChatResponseExt for ChatCompletionResponse {
    fn text(&self) -> String {
        self.choices.first().and_then(|c| content_text(c.message.content.as_ref())).unwrap_or_default()
    }

    fn thinking(&self) -> String {
        self.choices.first().and_then(|c| content_thinking(c.message.content.as_ref())).unwrap_or_default()
    }

    fn texts(&self) -> Vec<String> {
        choice_texts(&self.choices)
    }

    fn tool_calls(&self) -> &[ToolCall] {
        self.choices.first().and_then(|c| c.message.tool_calls.as_deref()).unwrap_or_default()
    }

    fn finish_reason(&self) -> Option<&FinishReason> {
        self.choices.first().map(|c| &c.finish_reason)
    }
}

impl ChatResponseExt for FimCompletionResponse {
    fn text(&self) -> String {
        self.choices.first().and_then(|c| content_text(c.message.content.as_ref())).unwrap_or_default()
    }

    fn thinking(&self) -> String {
        self.choices.first().and_then(|c| content_thinking(c.message.content.as_ref())).unwrap_or_default()
    }

    fn texts(&self) -> Vec<String> {
        choice_texts(&self.choices)
    }

    fn tool_calls(&self) -> &[ToolCall] {
        &[]
    }

    fn finish_reason(&self) -> Option<&FinishReason> {
        self.choices.first().map(|c| &c.finish_reason)
    }
}

/// Reading a tool call's arguments.
///
/// ```
/// use mistral_sdk::ToolCallExt;
/// use mistral_sdk::types::{FunctionArguments, FunctionCall, ToolCall};
///
/// #[derive(serde::Deserialize)]
/// struct Weather { city: String }
///
/// let call = ToolCall {
///     id: Some("D681PevKs".into()),
///     type_: None,
///     index: None,
///     function: FunctionCall { name: "get_weather".into(), arguments: FunctionArguments::String(r#"{"city":"Paris"}"#.into()) },
/// };
/// assert_eq!(call.arguments::<Weather>().unwrap().city, "Paris");
/// // Some servers send the arguments as an object: the same call reads them.
/// let call = ToolCall {
///     function: FunctionCall { name: "get_weather".into(), arguments: serde_json::from_str(r#"{"city":"Lyon"}"#).unwrap() },
///     ..call
/// };
/// assert_eq!(call.arguments::<Weather>().unwrap().city, "Lyon");
/// ```
pub trait ToolCallExt {
    /// The arguments parsed into `T`.
    fn arguments<T: DeserializeOwned>(&self) -> Result<T>;

    /// The arguments as JSON text, whether the server sent a string or an object.
    fn arguments_text(&self) -> std::borrow::Cow<'_, str>;
}

impl ToolCallExt for ToolCall {
    fn arguments<T: DeserializeOwned>(&self) -> Result<T> {
        match &self.function.arguments {
            FunctionArguments::String(args) => {
                serde_json::from_str(args).map_err(|e| Error::decode(args.as_bytes(), e))
            }
            FunctionArguments::Object(map) => T::deserialize(serde_json::Value::Object(map.clone()))
                .map_err(|e| Error::decode(serde_json::to_string(map).unwrap_or_default().as_bytes(), e)),
        }
    }

    fn arguments_text(&self) -> std::borrow::Cow<'_, str> {
        match &self.function.arguments {
            FunctionArguments::String(args) => args.as_str().into(),
            // A map of JSON values always serializes.
            FunctionArguments::Object(map) => serde_json::to_string(map).unwrap_or_default().into(),
        }
    }
}

/// Matching finish reasons without the open-enum wrapping.
///
/// ```
/// use mistral_sdk::FinishReasonExt;
/// use mistral_sdk::types::{FinishReason, KnownFinishReason};
///
/// let r = FinishReason::Known(KnownFinishReason::ToolCalls);
/// assert_eq!(r.known(), Some(KnownFinishReason::ToolCalls));
/// assert_eq!(r.as_str(), "tool_calls");
/// assert_eq!(FinishReason::Other("content_filter".into()).known(), None);
/// ```
pub trait FinishReasonExt {
    /// The reason, when it is one this release knows.
    fn known(&self) -> Option<KnownFinishReason>;
    /// The reason as sent.
    fn as_str(&self) -> String;
}

impl FinishReasonExt for FinishReason {
    fn known(&self) -> Option<KnownFinishReason> {
        match self {
            FinishReason::Known(k) => Some(*k),
            FinishReason::Other(_) => None,
        }
    }

    fn as_str(&self) -> String {
        match self {
            FinishReason::Known(k) => k.to_string(),
            FinishReason::Other(s) => s.clone(),
        }
    }
}

/// Reading a job status without the open-enum wrapping.
///
/// ```
/// use mistral_sdk::JobStatusExt;
/// use mistral_sdk::types::{JobStatus, KnownJobStatus};
///
/// assert_eq!(JobStatus::Known(KnownJobStatus::Running).as_str(), "RUNNING");
/// assert_eq!(JobStatus::Other("VALIDATING".into()).as_str(), "VALIDATING");
/// ```
pub trait JobStatusExt {
    /// The status as sent.
    fn as_str(&self) -> String;
}

impl JobStatusExt for crate::types::JobStatus {
    fn as_str(&self) -> String {
        match self {
            crate::types::JobStatus::Known(k) => k.to_string(),
            crate::types::JobStatus::Other(s) => s.clone(),
        }
    }
}

/// Reading a model card whichever kind it is (base, fine-tuned, or a kind this release does
/// not know).
///
/// ```
/// use mistral_sdk::ModelExt;
/// use mistral_sdk::types::Model;
///
/// let card: Model = serde_json::from_str(
///     r#"{"id":"mistral-small-latest","type":"base","created":1711430400,"owned_by":"mistralai",
///         "capabilities":{"completion_chat":true}}"#,
/// ).unwrap();
/// assert_eq!(card.id(), "mistral-small-latest");
/// assert_eq!(card.kind(), "base");
/// assert_eq!(card.owned_by(), Some("mistralai"));
/// ```
pub trait ModelExt {
    /// The model's id.
    fn id(&self) -> &str;
    /// The card's `type`: `base`, `fine-tuned`, or what a newer server sends.
    fn kind(&self) -> &str;
    /// Unix time in seconds, when the server gives it.
    fn created(&self) -> Option<i64>;
    /// The owner, when the server gives it.
    fn owned_by(&self) -> Option<&str>;
}

impl ModelExt for crate::types::Model {
    fn id(&self) -> &str {
        match self {
            Model::Base(m) => &m.id,
            Model::FineTuned(m) => &m.id,
            Model::Other(map) => map.get("id").and_then(serde_json::Value::as_str).unwrap_or_default(),
        }
    }

    fn kind(&self) -> &str {
        match self {
            Model::Base(_) => "base",
            Model::FineTuned(_) => "fine-tuned",
            Model::Other(map) => map.get("type").and_then(serde_json::Value::as_str).unwrap_or_default(),
        }
    }

    fn created(&self) -> Option<i64> {
        match self {
            Model::Base(m) => m.created,
            Model::FineTuned(m) => m.created,
            Model::Other(map) => map.get("created").and_then(serde_json::Value::as_i64),
        }
    }

    fn owned_by(&self) -> Option<&str> {
        match self {
            Model::Base(m) => m.owned_by.as_deref(),
            Model::FineTuned(m) => m.owned_by.as_deref(),
            Model::Other(map) => map.get("owned_by").and_then(serde_json::Value::as_str),
        }
    }
}
