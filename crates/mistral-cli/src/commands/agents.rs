//! `mistral agents create|list|get|update|delete|versions|alias` (beta).

use std::io::Write;

use futures::TryStreamExt;
use mistral_sdk::types::{Agent, AgentListPage, UpdateAgentRequest};
use mistral_sdk::{AgentFilter, NewAgent, Tool};
use serde_json::Value;

use crate::cli::{AgentTools, AgentsCommand, AliasCommand};
use crate::output::{self, Table, or_dash};
use crate::{Ctx, Failure};

/// Versions asked for per page (the most the API gives at once).
const VERSIONS_PAGE: u64 = 100;

pub(crate) async fn run(ctx: &mut Ctx<'_, '_>, command: &AgentsCommand) -> Result<(), Failure> {
    match command {
        AgentsCommand::Create { model, name, description, instructions, tools, handoffs } => {
            let mut agent = NewAgent::new(model, name).tools(tools_of(tools));
            if let Some(d) = description {
                agent = agent.description(d);
            }
            if let Some(i) = instructions {
                agent = agent.instructions(i);
            }
            if !handoffs.is_empty() {
                agent = agent.handoffs(handoffs);
            }
            if let Some(agent) = output::fetch(ctx.json, ctx.out, ctx.client.agents().create(agent)).await? {
                writeln!(ctx.out, "created agent {} ({}, version {})", agent.id, agent.name, agent.version)?;
            }
        }
        AgentsCommand::List { search } => {
            let mut filter = AgentFilter::new().page_size(100);
            if let Some(s) = search {
                filter = filter.search(s);
            }
            let pages: Vec<AgentListPage> = ctx.client.agents().pages(filter).try_collect().await?;
            let data: Vec<Agent> = pages.into_iter().flat_map(|p| p.data).collect();
            if ctx.json {
                // Several pages make one document, as `files list` does.
                return Ok(output::json(ctx.out, &serde_json::json!({"object": "list", "data": data}))?);
            }
            if data.is_empty() {
                writeln!(ctx.out, "no agents")?;
                return Ok(());
            }
            let mut table = Table::new(&["ID", "NAME", "MODEL", "VERSION", "TOOLS", "UPDATED"]).right(&[3]);
            for a in &data {
                table.row(vec![
                    a.id.clone(),
                    a.name.clone(),
                    a.model.clone(),
                    a.version.to_string(),
                    tools_label(&a.tools),
                    output::datetime(&a.updated_at),
                ]);
            }
            table.write(ctx.out)?;
        }
        AgentsCommand::Get { id, version } => {
            let pending = match version {
                Some(v) => ctx.client.agents().version(id, v),
                None => ctx.client.agents().get(id),
            };
            if let Some(agent) = output::fetch(ctx.json, ctx.out, pending).await? {
                describe(ctx.out, &agent)?;
            }
        }
        AgentsCommand::Update { id, model, name, description, instructions, tools, handoffs, version_message } => {
            let tools =
                tools_of(tools).iter().map(Tool::to_wire).collect::<Result<Vec<_>, _>>().map_err(Failure::Message)?;
            let version_message = version_message
                .as_deref()
                .map(str::parse)
                .transpose()
                .map_err(|e| Failure::Message(format!("--version-message: {e}")))?;
            let update = UpdateAgentRequest {
                model: model.clone(),
                name: name.clone(),
                description: description.clone(),
                instructions: instructions.clone(),
                handoffs: (!handoffs.is_empty()).then(|| handoffs.clone()),
                tools,
                version_message,
                ..Default::default()
            };
            if update == UpdateAgentRequest::default() {
                return Err(Failure::Message(
                    "nothing to change: give --model, --name, --description, --instructions, --tool, --library, \
                     --handoff or --version-message"
                        .into(),
                ));
            }
            if let Some(agent) = output::fetch(ctx.json, ctx.out, ctx.client.agents().update(id, update)).await? {
                writeln!(ctx.out, "updated agent {}: now version {}", agent.id, agent.version)?;
            }
        }
        AgentsCommand::Delete { id } => {
            ctx.client.agents().delete(id).await?;
            if !ctx.json {
                writeln!(ctx.out, "deleted agent {id}")?;
            }
        }
        AgentsCommand::Versions { id, switch: Some(version) } => {
            let pending = ctx.client.agents().switch_version(id, *version);
            if let Some(agent) = output::fetch(ctx.json, ctx.out, pending).await? {
                writeln!(ctx.out, "agent {} is now at version {}", agent.id, agent.version)?;
            }
        }
        AgentsCommand::Versions { id, switch: None } => versions(ctx, id).await?,
        AgentsCommand::Alias { id, command } => alias(ctx, id, command).await?,
    }
    Ok(())
}

/// Every version of the agent, newest first, the current one marked.
async fn versions(ctx: &mut Ctx<'_, '_>, id: &str) -> Result<(), Failure> {
    let mut all = Vec::new();
    for page in 0.. {
        let got = ctx.client.agents().versions(id, Some(page), Some(VERSIONS_PAGE)).await?;
        let short = (got.len() as u64) < VERSIONS_PAGE;
        all.extend(got);
        if short {
            break;
        }
    }
    if ctx.json {
        return Ok(output::json(ctx.out, &all)?);
    }
    // The versions do not say which is current; the agent does.
    let current = ctx.client.agents().get(id).await?.version;
    let mut table = Table::new(&["CURRENT", "VERSION", "MODEL", "NAME", "MESSAGE", "CREATED"]).right(&[1]);
    for v in &all {
        table.row(vec![
            if v.version == current { "*".into() } else { String::new() },
            v.version.to_string(),
            v.model.clone(),
            v.name.clone(),
            or_dash(v.version_message.as_deref()),
            output::datetime(&v.updated_at),
        ]);
    }
    table.write(ctx.out)?;
    Ok(())
}

async fn alias(ctx: &mut Ctx<'_, '_>, id: &str, command: &AliasCommand) -> Result<(), Failure> {
    match command {
        AliasCommand::List => {
            let Some(aliases) = output::fetch(ctx.json, ctx.out, ctx.client.agents().aliases(id)).await? else {
                return Ok(());
            };
            if aliases.is_empty() {
                writeln!(ctx.out, "no aliases")?;
                return Ok(());
            }
            let mut table = Table::new(&["ALIAS", "VERSION", "UPDATED"]).right(&[1]);
            for a in &aliases {
                table.row(vec![a.alias.clone(), a.version.to_string(), output::datetime(&a.updated_at)]);
            }
            table.write(ctx.out)?;
        }
        AliasCommand::Set { name, to_version } => {
            let pending = ctx.client.agents().set_alias(id, name, *to_version);
            if let Some(alias) = output::fetch(ctx.json, ctx.out, pending).await? {
                writeln!(ctx.out, "alias {} of agent {id} names version {}", alias.alias, alias.version)?;
            }
        }
        AliasCommand::Delete { name } => {
            ctx.client.agents().delete_alias(id, name).await?;
            if !ctx.json {
                writeln!(ctx.out, "deleted alias {name} of agent {id}")?;
            }
        }
    }
    Ok(())
}

/// The SDK tools the flags ask for.
fn tools_of(args: &AgentTools) -> Vec<Tool> {
    let mut tools: Vec<Tool> = args
        .tools
        .iter()
        .filter_map(|name| match name.as_str() {
            "web_search" => Some(Tool::web_search()),
            "web_search_premium" => Some(Tool::web_search_premium()),
            "code_interpreter" => Some(Tool::code_interpreter()),
            "image_generation" => Some(Tool::image_generation()),
            // clap only lets the names above through.
            _ => None,
        })
        .collect();
    if !args.libraries.is_empty() {
        tools.push(Tool::document_library(&args.libraries));
    }
    tools
}

/// The tools' names (a function's own name), comma-separated, or `-`.
fn tools_label(tools: &[mistral_sdk::types::Tool]) -> String {
    let names: Vec<String> = tools
        .iter()
        .map(|tool| {
            // Read from the JSON: tool kinds newer than this release have a `type` too.
            let v = serde_json::to_value(tool).unwrap_or_default();
            match v["type"].as_str() {
                Some("function") => v["function"]["name"].as_str().unwrap_or("function").to_string(),
                Some("document_library") => {
                    let ids: Vec<&str> =
                        v["library_ids"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
                    format!("document_library({})", ids.join(" "))
                }
                Some(kind) => kind.to_string(),
                None => "?".into(),
            }
        })
        .collect();
    if names.is_empty() { "-".into() } else { names.join(", ") }
}

fn describe(out: &mut dyn Write, a: &Agent) -> std::io::Result<()> {
    let versions: Vec<String> = a.versions.iter().map(ToString::to_string).collect();
    output::key_values(
        out,
        &[
            ("id", a.id.clone()),
            ("name", a.name.clone()),
            ("version", format!("{} (of {})", a.version, versions.join(", "))),
            ("model", a.model.clone()),
            ("description", or_dash(a.description.as_deref())),
            ("instructions", or_dash(a.instructions.as_deref())),
            ("tools", tools_label(&a.tools)),
            ("handoffs", a.handoffs.as_ref().filter(|h| !h.is_empty()).map_or_else(|| "-".into(), |h| h.join(", "))),
            ("version message", or_dash(a.version_message.as_deref())),
            ("created", output::datetime(&a.created_at)),
            ("updated", output::datetime(&a.updated_at)),
        ],
    )
}
