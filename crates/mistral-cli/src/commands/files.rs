//! `mistral files upload|list|get|download|url|delete`.

use std::io::Write;

use std::path::Path;

use futures::{StreamExt, TryStreamExt};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use mistral_sdk::types::{FilePurpose, ListFilesOut, RetrieveFileOut};
use mistral_sdk::{FileFilter, FileUpload};
use tokio::io::AsyncWriteExt;

use crate::cli::FilesCommand;
use crate::output::{self, Table};
use crate::{Ctx, Failure};

pub(crate) async fn run(ctx: &mut Ctx<'_, '_>, command: &FilesCommand) -> Result<(), Failure> {
    match command {
        FilesCommand::Upload { path, purpose } => {
            let (upload, bar) = with_progress(ctx, FileUpload::from_path(path).purpose(purpose));
            let result = output::fetch(ctx.json, ctx.out, ctx.client.files().upload(upload)).await;
            if let Some(bar) = &bar {
                bar.finish_and_clear();
            }
            let Some(file) = result? else {
                return Ok(());
            };
            writeln!(
                ctx.out,
                "uploaded {} as {} ({})",
                file.filename,
                file.id,
                output::bytes(u64::try_from(file.bytes).unwrap_or_default())
            )?;
        }
        FilesCommand::List { purpose, search } => {
            let mut filter = FileFilter::new();
            if let Some(p) = purpose {
                filter = filter.purpose(p);
            }
            if let Some(s) = search {
                filter = filter.search(s);
            }
            let pages: Vec<ListFilesOut> = ctx.client.files().pages(filter).try_collect().await?;
            let data: Vec<_> = pages.into_iter().flat_map(|p| p.data).collect();
            if ctx.json {
                return Ok(output::json(ctx.out, &serde_json::json!({"object": "list", "data": data}))?);
            }
            let files = ListFilesOut { data, object: "list".into(), total: None };
            if files.data.is_empty() {
                writeln!(ctx.out, "no files")?;
                return Ok(());
            }
            let mut table = Table::new(&["ID", "FILENAME", "SIZE", "LINES", "PURPOSE", "CREATED"]).right(&[2, 3]);
            for f in &files.data {
                table.row(vec![
                    f.id.to_string(),
                    f.filename.clone(),
                    output::bytes(u64::try_from(f.bytes).unwrap_or_default()),
                    output::or_dash(f.num_lines),
                    purpose_str(&f.purpose),
                    output::timestamp(f.created_at),
                ]);
            }
            table.write(ctx.out)?;
        }
        FilesCommand::Get { id } => {
            let Some(file) = output::fetch(ctx.json, ctx.out, ctx.client.files().retrieve(id)).await? else {
                return Ok(());
            };
            describe(ctx.out, &file)?;
        }
        FilesCommand::Download { id, output: path } => download(ctx, id, path.as_deref()).await?,
        FilesCommand::Url { id, expiry } => {
            if let Some(url) = output::fetch(ctx.json, ctx.out, ctx.client.files().signed_url(id, *expiry)).await? {
                writeln!(ctx.out, "{}", url.url)?;
            }
        }
        FilesCommand::Delete { id } => {
            let Some(deleted) = output::fetch(ctx.json, ctx.out, ctx.client.files().delete(id)).await? else {
                return Ok(());
            };
            if !deleted.deleted {
                return Err(Failure::Message(format!("the server did not delete file {}", deleted.id)));
            }
            writeln!(ctx.out, "deleted file {}", deleted.id)?;
        }
    }
    Ok(())
}

/// `upload` with a byte progress bar on a terminal (to finish and clear when it is done).
pub(crate) fn with_progress(ctx: &Ctx<'_, '_>, upload: FileUpload) -> (FileUpload, Option<ProgressBar>) {
    let Some(bar) = ctx.options.progress_bar.then(|| progress_bar("uploading")) else {
        return (upload, None);
    };
    let shown = bar.clone();
    let upload = upload.on_progress(move |sent, total| {
        if let Some(total) = total {
            shown.set_length(total);
        }
        shown.set_position(sent);
    });
    (upload, Some(bar))
}

/// Writes the file's bytes to `path` (with a progress bar on a terminal) or to stdout.
async fn download(ctx: &mut Ctx<'_, '_>, id: &str, path: Option<&Path>) -> Result<(), Failure> {
    let mut download = ctx.client.files().download(id).await?;
    let Some(path) = path.filter(|p| *p != Path::new("-")) else {
        while let Some(chunk) = download.next().await {
            ctx.out.write_all(&chunk?)?;
        }
        return Ok(ctx.out.flush()?);
    };
    let bar = ctx.options.progress_bar.then(|| progress_bar("downloading"));
    if let (Some(bar), Some(total)) = (&bar, download.content_length()) {
        bar.set_length(total);
    }
    let io = |e: std::io::Error| Failure::Message(format!("cannot write {}: {e}", path.display()));
    let mut file = tokio::fs::File::create(path).await.map_err(io)?;
    let mut written = 0u64;
    while let Some(chunk) = download.next().await {
        let chunk = chunk?;
        file.write_all(&chunk).await.map_err(io)?;
        written += chunk.len() as u64;
        if let Some(bar) = &bar {
            bar.set_position(written);
        }
    }
    file.flush().await.map_err(io)?;
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    if !ctx.json {
        writeln!(ctx.out, "downloaded {} to {} ({})", id, path.display(), output::bytes(written))?;
    }
    Ok(())
}

fn describe(out: &mut dyn Write, f: &RetrieveFileOut) -> std::io::Result<()> {
    output::key_values(
        out,
        &[
            ("id", f.id.to_string()),
            ("filename", f.filename.clone()),
            ("size", format!("{} ({} bytes)", output::bytes(u64::try_from(f.bytes).unwrap_or_default()), f.bytes)),
            ("lines", output::or_dash(f.num_lines)),
            ("purpose", purpose_str(&f.purpose)),
            ("sample type", f.sample_type.to_string()),
            ("source", f.source.to_string()),
            ("created", output::timestamp(f.created_at)),
        ],
    )
}

fn purpose_str(p: &FilePurpose) -> String {
    match p {
        FilePurpose::Known(k) => k.to_string(),
        FilePurpose::Other(s) => s.clone(),
    }
}

/// A byte progress bar drawn on the process's stderr.
fn progress_bar(what: &str) -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
    let template = format!("{{spinner}} {what} [{{bar:30}}] {{bytes}}/{{total_bytes}} {{bytes_per_sec}} eta {{eta}}");
    if let Ok(style) = ProgressStyle::with_template(&template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}
