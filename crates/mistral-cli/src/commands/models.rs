//! `mistral models list|delete`.

use std::io::Write;

use mistral_sdk::ModelExt;

use crate::cli::ModelsCommand;
use crate::output::{self, Table};
use crate::{Ctx, Failure};

pub(crate) async fn run(ctx: &mut Ctx<'_, '_>, command: &ModelsCommand) -> Result<(), Failure> {
    match command {
        ModelsCommand::List => {
            let models = ctx.client.models().list().await?;
            if ctx.json {
                return Ok(output::json(ctx.out, &models)?);
            }
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
        ModelsCommand::Delete { id } => {
            let deleted = ctx.client.models().delete(id).await?;
            if ctx.json {
                return Ok(output::json(ctx.out, &deleted)?);
            }
            if deleted.deleted.unwrap_or(true) {
                writeln!(ctx.out, "deleted model {}", deleted.id)?;
            } else {
                return Err(Failure::Message(format!("the server did not delete model {}", deleted.id)));
            }
        }
    }
    Ok(())
}
