//! The typed events of a conversation stream ([`ConversationEvent`]) and the
//! [`ConversationAccumulator`] that folds them into the run's outputs.

use serde_json::Value;

use crate::error::Result;
use crate::events::{StreamEvent, data, raw_data};
use crate::types::{
    AgentHandoffDoneEvent, AgentHandoffStartedEvent, ConversationUsageInfo, FunctionCallEvent, MessageOutputEvent,
    MessageOutputEventContent, ResponseDoneEvent, ResponseErrorEvent, ResponseStartedEvent, ToolExecutionDeltaEvent,
    ToolExecutionDoneEvent, ToolExecutionStartedEvent,
};

/// One event of a streamed conversation run
/// ([`Conversations::start_stream`](crate::Conversations::start_stream) and the append and
/// restart streams). An event of a kind this release does not know is kept as
/// [`ConversationEvent::Other`], never an error.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum ConversationEvent {
    /// `conversation.response.started`: the run started (its conversation id).
    ResponseStarted(Box<ResponseStartedEvent>),
    /// `conversation.response.done`: the run ended, with the usage; the last event.
    ResponseDone(Box<ResponseDoneEvent>),
    /// `conversation.response.error`: the run failed (code and message); the last event.
    ResponseError(Box<ResponseErrorEvent>),
    /// `message.output.delta`: the next piece of an output message.
    MessageOutputDelta(Box<MessageOutputEvent>),
    /// `function.call.delta`: the next piece of a function call's arguments.
    FunctionCallDelta(Box<FunctionCallEvent>),
    /// `tool.execution.started`: a built-in tool started.
    ToolExecutionStarted(Box<ToolExecutionStartedEvent>),
    /// `tool.execution.delta`: more arguments of a built-in tool run.
    ToolExecutionDelta(Box<ToolExecutionDeltaEvent>),
    /// `tool.execution.done`: a built-in tool finished.
    ToolExecutionDone(Box<ToolExecutionDoneEvent>),
    /// `agent.handoff.started`: an agent hands the conversation off.
    AgentHandoffStarted(Box<AgentHandoffStartedEvent>),
    /// `agent.handoff.done`: another agent took the conversation over.
    AgentHandoffDone(Box<AgentHandoffDoneEvent>),
    /// An event of another kind, as sent.
    Other {
        /// The event's name (or its data's `type`).
        event: String,
        /// Its data (a JSON string when it is not JSON).
        data: Value,
    },
}

impl ConversationEvent {
    /// The text a message delta adds (its text chunks, for chunked content); `None` for
    /// other events.
    pub fn text_delta(&self) -> Option<String> {
        match self {
            ConversationEvent::MessageOutputDelta(event) => Some(content_text(&event.content)),
            _ => None,
        }
    }
}

/// The text of a message delta's content: the string, or its text chunks.
fn content_text(content: &MessageOutputEventContent) -> String {
    match content {
        MessageOutputEventContent::String(text) => text.clone(),
        MessageOutputEventContent::OutputContentChunks(chunk) => match serde_json::to_value(chunk) {
            Ok(Value::Object(fields)) if fields.get("type").and_then(Value::as_str) == Some("text") => {
                fields.get("text").and_then(Value::as_str).unwrap_or_default().to_string()
            }
            _ => String::new(),
        },
    }
}

impl StreamEvent for ConversationEvent {
    fn decode(name: &str, text: &str) -> Result<Self> {
        use ConversationEvent as E;
        Ok(match name {
            "conversation.response.started" => E::ResponseStarted(data(text)?),
            "conversation.response.done" => E::ResponseDone(data(text)?),
            "conversation.response.error" => E::ResponseError(data(text)?),
            "message.output.delta" => E::MessageOutputDelta(data(text)?),
            "function.call.delta" => E::FunctionCallDelta(data(text)?),
            "tool.execution.started" => E::ToolExecutionStarted(data(text)?),
            "tool.execution.delta" => E::ToolExecutionDelta(data(text)?),
            "tool.execution.done" => E::ToolExecutionDone(data(text)?),
            "agent.handoff.started" => E::AgentHandoffStarted(data(text)?),
            "agent.handoff.done" => E::AgentHandoffDone(data(text)?),
            other => E::Other { event: other.to_string(), data: raw_data(text) },
        })
    }

    fn is_last(&self) -> bool {
        matches!(self, ConversationEvent::ResponseDone(_) | ConversationEvent::ResponseError(_))
    }
}

/// A function call put together from its deltas.
#[derive(Debug, Clone, Default, PartialEq)]
#[non_exhaustive]
pub struct FunctionCallOutput {
    /// The entry's id.
    pub id: String,
    /// The id to answer the call with (a function result entry's `tool_call_id`).
    pub tool_call_id: String,
    /// The function's name.
    pub name: String,
    /// Its arguments, a JSON text once the run is done.
    pub arguments: String,
}

impl FunctionCallOutput {
    /// The arguments decoded into `T`.
    pub fn arguments<T: serde::de::DeserializeOwned>(&self) -> Result<T> {
        data(&self.arguments)
    }
}

/// Folds the events of a conversation stream into what the run produced: each output
/// message's text (by entry id, in order of first appearance, interleaved deltas kept apart),
/// function calls with their whole arguments, the usage, and the error if the run failed.
///
/// ```
/// use mistral_sdk::{ConversationAccumulator, ConversationEvent};
/// use mistral_sdk::StreamEvent;
///
/// let mut all = ConversationAccumulator::new();
/// for (name, data) in [
///     ("message.output.delta", r#"{"type":"message.output.delta","id":"m1","content":"Hel"}"#),
///     ("message.output.delta", r#"{"type":"message.output.delta","id":"m1","content":"lo"}"#),
///     ("conversation.response.done", r#"{"type":"conversation.response.done","usage":{"total_tokens":7}}"#),
/// ] {
///     all.push(&ConversationEvent::decode(name, data).unwrap());
/// }
/// assert_eq!(all.text(), "Hello");
/// assert_eq!(all.usage().and_then(|u| u.total_tokens), Some(7));
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ConversationAccumulator {
    conversation_id: Option<String>,
    messages: Vec<(String, String)>,
    function_calls: Vec<FunctionCallOutput>,
    usage: Option<ConversationUsageInfo>,
    error: Option<ResponseErrorEvent>,
    done: bool,
}

impl ConversationAccumulator {
    /// Nothing seen yet.
    pub fn new() -> ConversationAccumulator {
        ConversationAccumulator::default()
    }

    /// Takes one event into account.
    pub fn push(&mut self, event: &ConversationEvent) {
        match event {
            ConversationEvent::ResponseStarted(e) => self.conversation_id = Some(e.conversation_id.clone()),
            ConversationEvent::MessageOutputDelta(e) => {
                let text = content_text(&e.content);
                match self.messages.iter_mut().find(|(id, _)| *id == e.id) {
                    Some((_, all)) => all.push_str(&text),
                    None => self.messages.push((e.id.clone(), text)),
                }
            }
            ConversationEvent::FunctionCallDelta(e) => {
                let call = match self.function_calls.iter().position(|c| c.id == e.id) {
                    Some(i) => &mut self.function_calls[i],
                    None => {
                        self.function_calls.push(FunctionCallOutput { id: e.id.clone(), ..Default::default() });
                        let last = self.function_calls.len() - 1;
                        &mut self.function_calls[last]
                    }
                };
                if call.tool_call_id.is_empty() {
                    call.tool_call_id = e.tool_call_id.clone();
                }
                if call.name.is_empty() {
                    call.name = e.name.clone();
                }
                call.arguments.push_str(&e.arguments);
            }
            ConversationEvent::ResponseDone(e) => {
                self.usage = Some(e.usage.clone());
                self.done = true;
            }
            ConversationEvent::ResponseError(e) => {
                self.error = Some((**e).clone());
                self.done = true;
            }
            _ => {}
        }
    }

    /// The conversation's id, from the start event.
    pub fn conversation_id(&self) -> Option<&str> {
        self.conversation_id.as_deref()
    }

    /// Each output message's text, by entry id, in the order they started.
    pub fn messages(&self) -> &[(String, String)] {
        &self.messages
    }

    /// The text of the message with entry id `id`.
    pub fn message(&self, id: &str) -> Option<&str> {
        self.messages.iter().find(|(m, _)| m == id).map(|(_, text)| text.as_str())
    }

    /// Every message's text, one after the other.
    pub fn text(&self) -> String {
        self.messages.iter().map(|(_, text)| text.as_str()).collect()
    }

    /// The function calls, in the order they started.
    pub fn function_calls(&self) -> &[FunctionCallOutput] {
        &self.function_calls
    }

    /// The usage, once the run is done.
    pub fn usage(&self) -> Option<&ConversationUsageInfo> {
        self.usage.as_ref()
    }

    /// The error, if the run failed.
    pub fn error(&self) -> Option<&ResponseErrorEvent> {
        self.error.as_ref()
    }

    /// Whether the run's last event was seen.
    pub fn is_done(&self) -> bool {
        self.done
    }
}
