//! Conversations: start one with a model, continue it, read its history and messages, restart
//! it from its first entry, find it in the list, delete what the run made; the start, append
//! and restart streams judged event by event (streamed runs other than the append are not
//! stored).

use mistral_openapi::operations as ops;
use serde_json::{Value, json};

use super::flow::{Step, lists};
use crate::Group;
use crate::check::Fail;
use crate::runner::*;

/// `conversations.start`.
pub(crate) const START: &str = "conversations.start";
/// `conversations.start_stream`.
pub(crate) const START_STREAM: &str = "conversations.start_stream";
/// `conversations.append`.
pub(crate) const APPEND: &str = "conversations.append";
/// `conversations.append_stream`.
pub(crate) const APPEND_STREAM: &str = "conversations.append_stream";
/// `conversations.history`.
pub(crate) const HISTORY: &str = "conversations.history";
/// `conversations.messages`.
pub(crate) const MESSAGES: &str = "conversations.messages";
/// `conversations.restart`.
pub(crate) const RESTART: &str = "conversations.restart";
/// `conversations.restart_stream`.
pub(crate) const RESTART_STREAM: &str = "conversations.restart_stream";
/// `conversations.get`.
pub(crate) const GET: &str = "conversations.get";
/// `conversations.list`.
pub(crate) const LIST: &str = "conversations.list";
/// `conversations.delete`.
pub(crate) const DELETE: &str = "conversations.delete";

/// Each check of the flow and its operation, in the order they run.
pub(crate) const STEPS: &[(&str, &ops::Operation)] = &[
    (START, &ops::AGENTS_API_V1_CONVERSATIONS_START),
    (START_STREAM, &ops::AGENTS_API_V1_CONVERSATIONS_START),
    (APPEND, &ops::AGENTS_API_V1_CONVERSATIONS_APPEND),
    (APPEND_STREAM, &ops::AGENTS_API_V1_CONVERSATIONS_APPEND),
    (HISTORY, &ops::AGENTS_API_V1_CONVERSATIONS_HISTORY),
    (MESSAGES, &ops::AGENTS_API_V1_CONVERSATIONS_MESSAGES),
    (RESTART, &ops::AGENTS_API_V1_CONVERSATIONS_RESTART),
    (RESTART_STREAM, &ops::AGENTS_API_V1_CONVERSATIONS_RESTART),
    (GET, &ops::AGENTS_API_V1_CONVERSATIONS_GET),
    (LIST, &ops::AGENTS_API_V1_CONVERSATIONS_LIST),
    (DELETE, &ops::AGENTS_API_V1_CONVERSATIONS_DELETE),
];

const MODEL: &str = super::agents::MODEL;

/// The answer has outputs, and its `conversation_id` is `id` (when one is expected).
fn answered(body: &Value, id: Option<&str>) -> Result<(), Fail> {
    if body.get("outputs").and_then(Value::as_array).is_none_or(Vec::is_empty) {
        return Err(Fail { pointer: Some("/outputs".into()), ..behaviour("no outputs".into()) });
    }
    match (id, body.get("conversation_id").and_then(Value::as_str)) {
        (Some(id), Some(got)) if got != id => Err(Fail {
            pointer: Some("/conversation_id".into()),
            ..behaviour(format!("conversation_id {got:?}, expected {id:?}"))
        }),
        _ => Ok(()),
    }
}

impl Ctx {
    /// The conversation flow; the conversations made are deleted.
    pub(crate) async fn conversations(&mut self) {
        let g = Group::Conversations;
        let start = Step::new(START, g, &ops::AGENTS_API_V1_CONVERSATIONS_START, format!("{MODEL}, one question"))
            .json(json!({"model": MODEL, "inputs": "Say hello.", "name": "mistral-conformance"}));
        let started = self.step(start, |v| answered(v, None)).await;
        let stream = Step::new(
            START_STREAM,
            g,
            &ops::AGENTS_API_V1_CONVERSATIONS_START,
            "stream: true, store: false: named events, the last one done",
        )
        .json(json!({"model": MODEL, "inputs": "Say hello.", "stream": true, "store": false}))
        .stream();
        self.step(stream, |_| Ok(())).await;

        let Some(id) = started.field("conversation_id") else {
            self.skip_steps(g, &STEPS[2..], "no conversation was started");
            return;
        };
        let param = |step: Step| step.param("conversation_id", &id);

        let append = param(Step::new(APPEND, g, &ops::AGENTS_API_V1_CONVERSATIONS_APPEND, "a second question"))
            .json(json!({"inputs": "Say it again."}));
        self.step(append, |v| answered(v, Some(&id))).await;
        let append_stream =
            param(Step::new(APPEND_STREAM, g, &ops::AGENTS_API_V1_CONVERSATIONS_APPEND, "stream: true: named events"))
                .json(json!({"inputs": "Once more.", "stream": true}))
                .stream();
        self.step(append_stream, |_| Ok(())).await;

        let history = param(Step::new(
            HISTORY,
            g,
            &ops::AGENTS_API_V1_CONVERSATIONS_HISTORY,
            "the entries: three questions, three answers",
        ));
        let history = self
            .step(history, |v| {
                let entries = v.get("entries").and_then(Value::as_array).map_or(0, Vec::len);
                if entries >= 6 {
                    Ok(())
                } else {
                    Err(Fail {
                        pointer: Some("/entries".into()),
                        ..behaviour(format!("{entries} entries, expected 6"))
                    })
                }
            })
            .await;
        let first_entry = history
            .created
            .as_ref()
            .and_then(|v| v.pointer("/entries/0/id"))
            .and_then(Value::as_str)
            .map(str::to_string);
        let messages = param(Step::new(MESSAGES, g, &ops::AGENTS_API_V1_CONVERSATIONS_MESSAGES, "the messages"));
        self.step(messages, |v| match v.get("messages").and_then(Value::as_array) {
            Some(m) if !m.is_empty() => Ok(()),
            _ => Err(Fail { pointer: Some("/messages".into()), ..behaviour("no messages".into()) }),
        })
        .await;

        let restart = param(Step::new(RESTART, g, &ops::AGENTS_API_V1_CONVERSATIONS_RESTART, "from the first entry"));
        let restart_stream = param(Step::new(
            RESTART_STREAM,
            g,
            &ops::AGENTS_API_V1_CONVERSATIONS_RESTART,
            "from the first entry, stream: true, store: false: named events",
        ));
        match &first_entry {
            Some(entry) => {
                let restart = restart.json(json!({"from_entry_id": entry, "inputs": "Say goodbye."}));
                let restarted = self.step(restart, |v| answered(v, None)).await;
                if let Some(other) = restarted.field("conversation_id").filter(|other| *other != id) {
                    self.quietly_delete_conversation(&other).await;
                }
                let restart_stream = restart_stream
                    .json(json!({"from_entry_id": entry, "inputs": "Bye.", "stream": true, "store": false}))
                    .stream();
                self.step(restart_stream, |_| Ok(())).await;
            }
            None => {
                self.skip_step(restart, "the history gave no entry id");
                self.skip_step(restart_stream, "the history gave no entry id");
            }
        }

        let get = param(Step::new(GET, g, &ops::AGENTS_API_V1_CONVERSATIONS_GET, "the conversation: same id"));
        self.step(get, |v| same_id(v, &id, "the conversation")).await;
        let list = Step::new(LIST, g, &ops::AGENTS_API_V1_CONVERSATIONS_LIST, "the newest 100: holds it")
            .param("page_size", "100");
        self.step(list, |v| lists(v, "", "id", &id, "the conversation")).await;
        let delete = param(Step::new(DELETE, g, &ops::AGENTS_API_V1_CONVERSATIONS_DELETE, "the conversation"));
        self.step(delete, |_| Ok(())).await;
    }

    async fn quietly_delete_conversation(&mut self, id: &str) {
        match crate::spec_data::op(self.spec, &ops::AGENTS_API_V1_CONVERSATIONS_DELETE) {
            Ok(op) => self.quietly(&format!("the conversation {id}"), &op, &[("conversation_id", id)]).await,
            Err(e) => self.notes.push(e.to_string()),
        }
    }
}
