//! `mistral conversations list|get|history|delete` (beta), and `mistral chat --agent` /
//! `--continue`: a conversation streamed in the terminal.

use std::io::Write;

use futures::{StreamExt, TryStreamExt};
use mistral_sdk::types::{Conversation, ConversationHistoryEntriesItem};
use mistral_sdk::{ConversationAccumulator, ConversationEvent, ConversationStart};
use serde_json::Value;

use crate::cli::{ChatArgs, ConversationsCommand};
use crate::output::{self, Table, or_dash};
use crate::{Ctx, Failure};

/// Conversations asked for per page when listing them all.
const PAGE: u64 = 100;

pub(crate) async fn run(ctx: &mut Ctx<'_, '_>, command: &ConversationsCommand) -> Result<(), Failure> {
    match command {
        ConversationsCommand::List => {
            let pages: Vec<Vec<Conversation>> = ctx.client.conversations().pages(0, PAGE).try_collect().await?;
            let all: Vec<Conversation> = pages.into_iter().flatten().collect();
            if ctx.json {
                // Several pages make one document (the API's own: an array).
                return Ok(output::json(ctx.out, &all)?);
            }
            if all.is_empty() {
                writeln!(ctx.out, "no conversations")?;
                return Ok(());
            }
            let mut table = Table::new(&["ID", "WITH", "NAME", "UPDATED"]);
            for c in &all {
                let (id, name, updated) = match c {
                    Conversation::ModelConversation(c) => (&c.id, &c.name, &c.updated_at),
                    Conversation::AgentConversation(c) => (&c.id, &c.name, &c.updated_at),
                };
                table.row(vec![id.clone(), with(c), or_dash(name.as_deref()), output::datetime(updated)]);
            }
            table.write(ctx.out)?;
        }
        ConversationsCommand::Get { id } => {
            if let Some(c) = output::fetch(ctx.json, ctx.out, ctx.client.conversations().get(id)).await? {
                describe(ctx.out, &c)?;
            }
        }
        ConversationsCommand::History { id } => {
            let Some(history) = output::fetch(ctx.json, ctx.out, ctx.client.conversations().history(id)).await? else {
                return Ok(());
            };
            if history.entries.is_empty() {
                writeln!(ctx.out, "no entries")?;
                return Ok(());
            }
            let mut table = Table::new(&["TYPE", "ROLE", "TEXT"]);
            for entry in &history.entries {
                table.row(entry_line(entry));
            }
            table.write(ctx.out)?;
        }
        ConversationsCommand::Delete { id } => {
            ctx.client.conversations().delete(id).await?;
            if !ctx.json {
                writeln!(ctx.out, "deleted conversation {id}")?;
            }
        }
    }
    Ok(())
}

/// Who answers in the conversation: `model M` or `agent A` (`@version` when pinned).
fn with(c: &Conversation) -> String {
    match c {
        Conversation::ModelConversation(c) => format!("model {}", c.model),
        Conversation::AgentConversation(c) => match &c.agent_version {
            Some(v) => format!("agent {}@{v}", c.agent_id),
            None => format!("agent {}", c.agent_id),
        },
    }
}

fn describe(out: &mut dyn Write, c: &Conversation) -> std::io::Result<()> {
    let (id, name, description, created, updated, instructions) = match c {
        Conversation::ModelConversation(m) => {
            (&m.id, &m.name, &m.description, &m.created_at, &m.updated_at, m.instructions.as_deref())
        }
        Conversation::AgentConversation(a) => (&a.id, &a.name, &a.description, &a.created_at, &a.updated_at, None),
    };
    let mut pairs = vec![
        ("id", id.clone()),
        ("with", with(c)),
        ("name", or_dash(name.as_deref())),
        ("description", or_dash(description.as_deref())),
    ];
    if let Conversation::ModelConversation(_) = c {
        pairs.push(("instructions", or_dash(instructions)));
    }
    pairs.push(("created", output::datetime(created)));
    pairs.push(("updated", output::datetime(updated)));
    output::key_values(out, &pairs)
}

/// An entry as `[type, role, text]`, read from its JSON so that entry kinds newer than this
/// release show too.
fn entry_line(entry: &ConversationHistoryEntriesItem) -> Vec<String> {
    let v = serde_json::to_value(entry).unwrap_or_default();
    let s = |key: &str| v[key].as_str().unwrap_or_default().to_string();
    let kind = v["type"].as_str().unwrap_or("?").to_string();
    let text = match kind.as_str() {
        "message.input" | "message.output" => content_text(&v["content"]),
        "function.call" => format!("{}({})", s("name"), arguments(&v["arguments"])),
        "function.result" => s("result"),
        "tool.execution" => format!("{} {}", name(&v["name"]), s("arguments")).trim_end().to_string(),
        "agent.handoff" => format!("{} -> {}", s("previous_agent_name"), s("next_agent_name")),
        _ => String::new(),
    };
    let role = match (v["role"].as_str(), kind.as_str()) {
        (Some(role), _) => role.to_string(),
        (None, "message.output") => "assistant".into(),
        _ => "-".into(),
    };
    vec![kind, role, if text.is_empty() { "-".into() } else { text }]
}

/// A message's content as text: the string, or its text chunks (other chunks as `[type]`).
fn content_text(content: &Value) -> String {
    match content {
        Value::String(text) => text.clone(),
        Value::Array(chunks) => chunks
            .iter()
            .map(|c| match c["type"].as_str() {
                Some("text") => c["text"].as_str().unwrap_or_default().to_string(),
                Some(other) => format!("[{other}]"),
                None => String::new(),
            })
            .collect(),
        _ => String::new(),
    }
}

/// Function arguments: a JSON text as sent, or the JSON object.
fn arguments(v: &Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), str::to_string)
}

/// A tool's name (a built-in connector's or any other, as a string).
fn name(v: &Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), str::to_string)
}

/// `mistral chat --agent ID` or `--continue CONVERSATION_ID`: the answer streamed to stdout,
/// what happens besides (tool runs, handoffs, function calls) on stderr, then the
/// conversation's id on stderr.
pub(crate) async fn chat(ctx: &mut Ctx<'_, '_>, args: &ChatArgs, prompt: String) -> Result<(), Failure> {
    let conversations = ctx.client.conversations();
    let stream = match (&args.continue_, &args.agent) {
        (Some(id), _) => conversations.append_stream(id, prompt).await?,
        (None, Some(agent)) => conversations.start_stream(ConversationStart::with_agent(agent, prompt)).await?,
        (None, None) => return Err(Failure::Message("give --agent or --continue".into())),
    };
    let mut events = std::pin::pin!(stream);
    let mut all = ConversationAccumulator::new();
    let mut notes = Notes { dim: ctx.options.color };
    while let Some(event) = events.next().await {
        let event = event?;
        all.push(&event);
        if ctx.json {
            if let Some(v) = event_json(&event) {
                output::json_line(ctx.out, &v)?;
            }
            continue;
        }
        match &event {
            ConversationEvent::MessageOutputDelta(_) => {
                if let Some(text) = event.text_delta() {
                    ctx.out.write_all(text.as_bytes())?;
                    ctx.out.flush()?;
                }
            }
            ConversationEvent::ToolExecutionStarted(e) => {
                let name = name(&serde_json::to_value(&e.name).unwrap_or_default());
                let line = if e.arguments.is_empty() { name } else { format!("{name} {}", e.arguments) };
                notes.write(ctx, &format!("[tool {line}]"))?;
            }
            ConversationEvent::ToolExecutionDone(e) => {
                let name = name(&serde_json::to_value(&e.name).unwrap_or_default());
                notes.write(ctx, &format!("[tool {name} done]"))?;
            }
            ConversationEvent::AgentHandoffStarted(e) => {
                notes.write(ctx, &format!("[handoff from {} ({})]", e.previous_agent_name, e.previous_agent_id))?;
            }
            ConversationEvent::AgentHandoffDone(e) => {
                notes.write(ctx, &format!("[handoff to {} ({})]", e.next_agent_name, e.next_agent_id))?;
            }
            // Function calls are shown whole, once their arguments are all in; unknown
            // events are skipped.
            _ => {}
        }
    }
    ctx.out.finish_line()?;
    if !ctx.json {
        for call in all.function_calls() {
            let line =
                format!("[function call {}({}) id {}: not run here]", call.name, call.arguments, call.tool_call_id);
            notes.write(ctx, &line)?;
        }
    }
    if let Some(id) = all.conversation_id().or(args.continue_.as_deref()) {
        notes.write(ctx, &format!("conversation {id} (go on with: mistral chat --continue {id})"))?;
    }
    if let Some(e) = all.error() {
        return Err(Failure::Message(format!("the conversation failed: {} (code {})", e.message, e.code)));
    }
    Ok(())
}

/// An event as a JSON line for `--json`: its data as decoded (the SDK's event stream keeps no
/// raw bytes); `None` for a kind neither this release nor the server named.
fn event_json(event: &ConversationEvent) -> Option<Value> {
    use ConversationEvent as E;
    let value = match event {
        E::ResponseStarted(e) => serde_json::to_value(e),
        E::ResponseDone(e) => serde_json::to_value(e),
        E::ResponseError(e) => serde_json::to_value(e),
        E::MessageOutputDelta(e) => serde_json::to_value(e),
        E::FunctionCallDelta(e) => serde_json::to_value(e),
        E::ToolExecutionStarted(e) => serde_json::to_value(e),
        E::ToolExecutionDelta(e) => serde_json::to_value(e),
        E::ToolExecutionDone(e) => serde_json::to_value(e),
        E::AgentHandoffStarted(e) => serde_json::to_value(e),
        E::AgentHandoffDone(e) => serde_json::to_value(e),
        E::Other { data, .. } => Ok(data.clone()),
        _ => return None,
    };
    value.ok()
}

/// Lines on stderr beside the answer: dimmed when colours are on, each after the answer's
/// current line is ended (so that a terminal shows them apart).
struct Notes {
    dim: bool,
}

impl Notes {
    fn write(&mut self, ctx: &mut Ctx<'_, '_>, line: &str) -> std::io::Result<()> {
        ctx.out.finish_line()?;
        if self.dim {
            writeln!(ctx.err, "\x1b[2m{line}\x1b[0m")?;
        } else {
            writeln!(ctx.err, "{line}")?;
        }
        ctx.err.flush()
    }
}
