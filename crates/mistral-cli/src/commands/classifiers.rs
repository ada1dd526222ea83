//! `mistral moderate TEXT...` and `mistral classify -m MODEL TEXT...`.

use std::io::Write;

use mistral_sdk::{ClassificationExt, ClassificationsRequest, ModerationExt, ModerationsRequest};

use crate::cli::{ClassifyArgs, ModerateArgs};
use crate::output::{self, Table};
use crate::{Ctx, Failure};

/// The texts, each with its flagged categories (and the top score when none is flagged).
pub(crate) async fn moderate(ctx: &mut Ctx<'_, '_>, args: &ModerateArgs) -> Result<(), Failure> {
    let request = ModerationsRequest::texts(&args.model, args.texts.iter().cloned());
    let Some(response) = output::fetch(ctx.json, ctx.out, ctx.client.classifiers().moderate(request)).await? else {
        return Ok(());
    };
    let mut table = Table::new(&["TEXT", "FLAGGED", "CATEGORIES"]);
    for (text, result) in args.texts.iter().zip(&response.results) {
        let categories = if result.flagged() {
            result
                .above(args.threshold)
                .iter()
                .map(|(c, s)| format!("{} {s:.2}", c.as_str()))
                .collect::<Vec<_>>()
                .join(", ")
        } else {
            result.top_category().map_or_else(|| "-".into(), |(c, s)| format!("(top: {} {s:.2})", c.as_str()))
        };
        table.row(vec![output::shorten(text, 40), if result.flagged() { "yes" } else { "no" }.into(), categories]);
    }
    table.write(ctx.out)?;
    Ok(())
}

/// The texts, each with every target's best label.
pub(crate) async fn classify(ctx: &mut Ctx<'_, '_>, args: &ClassifyArgs) -> Result<(), Failure> {
    let request = ClassificationsRequest::texts(&args.model, args.texts.iter().cloned());
    let Some(response) = output::fetch(ctx.json, ctx.out, ctx.client.classifiers().classify(request)).await? else {
        return Ok(());
    };
    let mut table = Table::new(&["TEXT", "LABELS"]);
    for (text, labels) in args.texts.iter().zip(response.top_labels()) {
        let labels: Vec<String> =
            labels.iter().map(|(target, (label, score))| format!("{target}: {label} {score:.2}")).collect();
        table.row(vec![output::shorten(text, 40), if labels.is_empty() { "-".into() } else { labels.join(", ") }]);
    }
    table.write(ctx.out)?;
    if response.results.len() != args.texts.len() {
        writeln!(ctx.out, "({} results for {} texts)", response.results.len(), args.texts.len())?;
    }
    Ok(())
}
