//! `mistral models list|get|update|archive|unarchive|delete`.

use std::io::Write;

use mistral_sdk::ModelExt;
use mistral_sdk::types::Model;

use crate::cli::ModelsCommand;
use crate::output::{self, Table};
use crate::{Ctx, Failure};

pub(crate) async fn run(ctx: &mut Ctx<'_, '_>, command: &ModelsCommand) -> Result<(), Failure> {
    match command {
        ModelsCommand::List => {
            let Some(models) = output::fetch(ctx.json, ctx.out, ctx.client.models().list()).await? else {
                return Ok(());
            };
            if models.data.is_empty() {
                writeln!(ctx.out, "no models")?;
                return Ok(());
            }
            let mut table = Table::new(&["ID", "TYPE", "OWNED BY", "CREATED"]);
            for m in &models.data {
                table.row(vec![
                    m.id().to_string(),
                    m.kind().to_string(),
                    output::or_dash(m.owned_by()),
                    m.created().map_or_else(|| "-".into(), output::timestamp),
                ]);
            }
            table.write(ctx.out)?;
        }
        ModelsCommand::Get { id } => {
            let Some(model) = output::fetch(ctx.json, ctx.out, ctx.client.models().retrieve(id)).await? else {
                return Ok(());
            };
            card(ctx.out, &model)?;
        }
        ModelsCommand::Update { id, name, description } => {
            if name.is_none() && description.is_none() {
                return Err(Failure::Message("nothing to change: give --name and/or --description".into()));
            }
            let update = ctx.client.models().update(id, name.as_deref(), description.as_deref());
            if output::fetch(ctx.json, ctx.out, update).await?.is_some() {
                writeln!(ctx.out, "updated model {id}")?;
            }
        }
        ModelsCommand::Archive { id } => {
            if let Some(out) = output::fetch(ctx.json, ctx.out, ctx.client.models().archive(id)).await? {
                writeln!(ctx.out, "archived model {}", out.id)?;
            }
        }
        ModelsCommand::Unarchive { id } => {
            if let Some(out) = output::fetch(ctx.json, ctx.out, ctx.client.models().unarchive(id)).await? {
                writeln!(ctx.out, "unarchived model {}", out.id)?;
            }
        }
        ModelsCommand::Delete { id } => {
            let Some(deleted) = output::fetch(ctx.json, ctx.out, ctx.client.models().delete(id)).await? else {
                return Ok(());
            };
            if deleted.deleted.unwrap_or(true) {
                writeln!(ctx.out, "deleted model {}", deleted.id)?;
            } else {
                return Err(Failure::Message(format!("the server did not delete model {}", deleted.id)));
            }
        }
    }
    Ok(())
}

/// A model card as key/value lines: what it is and what it can do.
fn card(out: &mut dyn Write, model: &Model) -> std::io::Result<()> {
    // The card's capabilities and limits, whatever its kind, read from its JSON.
    let json = serde_json::to_value(model).unwrap_or_default();
    let capabilities = json
        .get("capabilities")
        .and_then(serde_json::Value::as_object)
        .map(|caps| caps.iter().filter(|(_, v)| v.as_bool() == Some(true)).map(|(k, _)| k.as_str()).collect::<Vec<_>>())
        .unwrap_or_default();
    let text = |key: &str| json.get(key).and_then(serde_json::Value::as_str).map(str::to_string);
    output::key_values(
        out,
        &[
            ("id", model.id().to_string()),
            ("type", model.kind().to_string()),
            ("owned by", output::or_dash(model.owned_by())),
            ("created", model.created().map_or_else(|| "-".into(), output::timestamp)),
            ("name", output::or_dash(text("name"))),
            ("description", output::or_dash(text("description"))),
            ("context length", output::or_dash(json.get("max_context_length").and_then(serde_json::Value::as_u64))),
            ("capabilities", if capabilities.is_empty() { "-".into() } else { capabilities.join(", ") }),
        ],
    )
}
