//! `mistral embed`: vectors for texts.

use std::io::Write;

use crate::cli::EmbeddingsArgs;
use crate::output::{self, Table};
use crate::{Ctx, Failure};

/// How many values of each vector the human output shows.
const PREVIEW: usize = 4;

pub(crate) async fn run(ctx: &mut Ctx<'_, '_>, args: &EmbeddingsArgs) -> Result<(), Failure> {
    let Some(response) = output::fetch(
        ctx.json,
        ctx.out,
        ctx.client.embeddings().create(&args.model, args.texts.iter().map(String::as_str)),
    )
    .await?
    else {
        return Ok(());
    };
    let mut table = Table::new(&["INDEX", "DIMS", "VALUES", "TEXT"]).right(&[0, 1]);
    for item in &response.data {
        let index = item.index.unwrap_or_default();
        let text = usize::try_from(index)
            .ok()
            .and_then(|i| args.texts.get(i))
            .map(|t| output::shorten(t, 40))
            .unwrap_or_default();
        table.row(vec![index.to_string(), item.embedding.len().to_string(), preview(&item.embedding), text]);
    }
    table.write(ctx.out)?;
    writeln!(ctx.out, "model {}, {} prompt tokens", response.model, response.usage.prompt_tokens)?;
    Ok(())
}

fn preview(values: &[f32]) -> String {
    let shown: Vec<String> = values.iter().take(PREVIEW).map(|v| format!("{v:.4}")).collect();
    let more = if values.len() > PREVIEW { ", …" } else { "" };
    format!("[{}{more}]", shown.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn previews() {
        assert_eq!(preview(&[0.5, -0.25]), "[0.5000, -0.2500]");
        assert_eq!(preview(&[0.0; 6]), "[0.0000, 0.0000, 0.0000, 0.0000, …]");
        assert_eq!(output::shorten("a  b\nc", 10), "a b c");
        assert_eq!(output::shorten("abcdefghijkl", 5), "abcd…");
    }
}
