//! `mistral files upload|list|get|delete`.

use std::io::Write;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use mistral_sdk::FileUpload;
use mistral_sdk::types::{FilePurpose, RetrieveFileOut};

use crate::cli::FilesCommand;
use crate::output::{self, Table};
use crate::{Ctx, Failure};

pub(crate) async fn run(ctx: &mut Ctx<'_, '_>, command: &FilesCommand) -> Result<(), Failure> {
    match command {
        FilesCommand::Upload { path, purpose } => {
            let mut upload = FileUpload::from_path(path).purpose(purpose);
            let bar = ctx.options.progress_bar.then(progress_bar);
            if let Some(bar) = &bar {
                let bar = bar.clone();
                upload = upload.on_progress(move |sent, total| {
                    if let Some(total) = total {
                        bar.set_length(total);
                    }
                    bar.set_position(sent);
                });
            }
            let result = ctx.client.files().upload(upload).await;
            if let Some(bar) = &bar {
                bar.finish_and_clear();
            }
            let file = result?;
            if ctx.json {
                return Ok(output::json(ctx.out, &file)?);
            }
            writeln!(
                ctx.out,
                "uploaded {} as {} ({})",
                file.filename,
                file.id,
                output::bytes(u64::try_from(file.bytes).unwrap_or_default())
            )?;
        }
        FilesCommand::List => {
            let files = ctx.client.files().list().await?;
            if ctx.json {
                return Ok(output::json(ctx.out, &files)?);
            }
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
            let file = ctx.client.files().retrieve(id).await?;
            if ctx.json {
                return Ok(output::json(ctx.out, &file)?);
            }
            describe(ctx.out, &file)?;
        }
        FilesCommand::Delete { id } => {
            let deleted = ctx.client.files().delete(id).await?;
            if ctx.json {
                return Ok(output::json(ctx.out, &deleted)?);
            }
            if !deleted.deleted {
                return Err(Failure::Message(format!("the server did not delete file {}", deleted.id)));
            }
            writeln!(ctx.out, "deleted file {}", deleted.id)?;
        }
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
fn progress_bar() -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
    if let Ok(style) =
        ProgressStyle::with_template("{spinner} uploading [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} eta {eta}")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}
