//! [`Functions`]: Rust functions that answer a conversation's function calls, and the loop
//! ([`Conversations::run`](crate::Conversations::run)) that sends their results back until the
//! model answers.

use std::fmt::Display;
use std::future::Future;

use futures::future::BoxFuture;
use schemars::JsonSchema;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::tool::Tool;
use crate::types::{
    ConversationResponseOutputsItem, ConversationUsageInfo, FunctionArguments, FunctionCallEntry, FunctionResultEntry,
    FunctionResultEntryType, MessageOutputEntryContent,
};

type Handler = Box<dyn Fn(Value) -> BoxFuture<'static, Result<Value, String>> + Send + Sync>;

struct Function {
    tool: Tool,
    handler: Handler,
}

/// Rust functions the model may call in a conversation, each with typed arguments (their JSON
/// Schema comes from `schemars`). [`Conversations::run`](crate::Conversations::run) declares
/// them as tools, answers every function call with them and sends the results back.
///
/// What the model receives as a function's result: a string result as is, any other value as
/// JSON. A call the functions cannot answer (unknown name, arguments that do not decode, the
/// function's own error) is answered with `{"error": "..."}`, so the model can correct itself;
/// the run goes on.
///
/// ```
/// use mistral_sdk::Functions;
///
/// #[derive(serde::Deserialize, schemars::JsonSchema)]
/// struct Weather {
///     /// The city, e.g. "Paris".
///     city: String,
/// }
///
/// let functions = Functions::new().add("get_weather", "Current weather in a city", |w: Weather| async move {
///     Ok::<_, std::convert::Infallible>(serde_json::json!({"city": w.city, "sky": "cloudy", "temperature_c": 18}))
/// });
/// assert_eq!(functions.tools()[0].name(), "get_weather");
/// assert_eq!(functions.tools()[0].parameters()["required"][0], "city");
/// ```
#[derive(Default)]
pub struct Functions {
    functions: Vec<Function>,
}

impl std::fmt::Debug for Functions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.functions.iter().map(|function| function.tool.name())).finish()
    }
}

impl Functions {
    /// No functions yet.
    pub fn new() -> Functions {
        Functions::default()
    }

    /// Adds the function `name`: `f` takes its arguments as `A` and gives a result (any
    /// `Serialize`) or an error (any `Display`). A second function of the same name replaces
    /// the first.
    pub fn add<A, F, Fut, R, E>(mut self, name: impl Into<String>, description: impl Into<String>, f: F) -> Functions
    where
        A: JsonSchema + DeserializeOwned + Send + 'static,
        F: Fn(A) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<R, E>> + Send + 'static,
        R: Serialize,
        E: Display,
    {
        let tool = Tool::function::<A>(name, description);
        let handler: Handler = Box::new(move |arguments: Value| {
            let call = serde_json::from_value::<A>(arguments).map(&f);
            Box::pin(async move {
                let done = call.map_err(|e| format!("the arguments do not fit: {e}"))?.await;
                let value = done.map_err(|e| e.to_string())?;
                serde_json::to_value(value).map_err(|e| format!("the result cannot be sent: {e}"))
            })
        });
        self.functions.retain(|existing| existing.tool.name() != tool.name());
        self.functions.push(Function { tool, handler });
        self
    }

    /// The functions as tools, to declare them on an agent or a conversation.
    pub fn tools(&self) -> Vec<Tool> {
        self.functions.iter().map(|function| function.tool.clone()).collect()
    }

    /// The result entry that answers `call`.
    pub async fn answer(&self, call: &FunctionCallEntry) -> FunctionResultEntry {
        let outcome = match self.functions.iter().find(|function| function.tool.name() == call.name) {
            None => Err(format!("no function named {:?}", call.name)),
            Some(function) => match arguments(&call.arguments) {
                Ok(arguments) => (function.handler)(arguments).await,
                Err(problem) => Err(problem),
            },
        };
        let result = match outcome {
            Ok(Value::String(text)) => text,
            Ok(value) => value.to_string(),
            Err(problem) => json!({ "error": problem }).to_string(),
        };
        FunctionResultEntry {
            completed_at: None,
            created_at: None,
            id: None,
            object: None,
            result,
            tool_call_id: call.tool_call_id.clone(),
            type_: FunctionResultEntryType::FunctionResult,
        }
    }
}

/// A call's arguments as JSON: an object as sent, a string parsed (empty is no arguments).
fn arguments(arguments: &FunctionArguments) -> Result<Value, String> {
    match arguments {
        FunctionArguments::Object(map) => Ok(Value::Object(map.clone())),
        FunctionArguments::String(text) if text.trim().is_empty() => Ok(json!({})),
        FunctionArguments::String(text) => {
            serde_json::from_str(text).map_err(|e| format!("the arguments are not JSON: {e}"))
        }
    }
}

/// What [`Conversations::run`](crate::Conversations::run) did: every output of every round in
/// order (function calls, tool executions, handoffs, messages), the results it sent, the usage
/// of each round.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ConversationRun {
    /// The conversation (empty when it was not stored and the server gave no id).
    pub conversation_id: String,
    /// Every output, in the order the server gave them.
    pub outputs: Vec<ConversationResponseOutputsItem>,
    /// The function results sent back, in order.
    pub results: Vec<FunctionResultEntry>,
    /// Each response's usage (one per round trip).
    pub usage: Vec<ConversationUsageInfo>,
    /// How many rounds of function calls were answered.
    pub rounds: u32,
}

impl ConversationRun {
    /// The text of the last output message (its text chunks, for chunked content); empty when
    /// the run has none.
    pub fn text(&self) -> String {
        self.outputs
            .iter()
            .rev()
            .find_map(|output| match output {
                ConversationResponseOutputsItem::MessageOutput(message) => Some(message_text(&message.content)),
                _ => None,
            })
            .unwrap_or_default()
    }

    /// The function calls of the run, in order.
    pub fn function_calls(&self) -> impl Iterator<Item = &FunctionCallEntry> {
        self.outputs.iter().filter_map(|output| match output {
            ConversationResponseOutputsItem::FunctionCall(call) => Some(call),
            _ => None,
        })
    }
}

fn message_text(content: &MessageOutputEntryContent) -> String {
    match content {
        MessageOutputEntryContent::String(text) => text.clone(),
        MessageOutputEntryContent::MessageOutputContentChunks(chunks) => chunks
            .iter()
            .filter_map(|chunk| match serde_json::to_value(chunk) {
                Ok(Value::Object(fields)) if fields.get("type").and_then(Value::as_str) == Some("text") => {
                    fields.get("text").and_then(Value::as_str).map(str::to_string)
                }
                _ => None,
            })
            .collect(),
    }
}
