//! `mistral libraries create|list|get|delete` and `mistral libraries docs
//! upload|list|status|text|delete` (beta): document libraries that agents search.

use std::io::Write;
use std::time::Duration;

use futures::TryStreamExt;
use indicatif::{ProgressBar, ProgressDrawTarget};
use mistral_sdk::types::{Document, KnownProcessStatus, Library, ProcessStatus, ProcessingStatus};
use mistral_sdk::{DocumentFilter, FileUpload, NewLibrary};

use crate::cli::{DocsCommand, LibrariesCommand, Poll};
use crate::commands::files::with_progress;
use crate::output::{self, Table, or_dash};
use crate::{Ctx, Failure};

/// Libraries and documents asked for per page (the most the API gives at once).
const PAGE: u64 = 100;

pub(crate) async fn run(ctx: &mut Ctx<'_, '_>, command: &LibrariesCommand) -> Result<(), Failure> {
    match command {
        LibrariesCommand::Create { name, description, chunk_size } => {
            let mut library = NewLibrary::new(name);
            if let Some(d) = description {
                library = library.description(d);
            }
            if let Some(n) = chunk_size {
                library = library.chunk_size(*n);
            }
            if let Some(library) = output::fetch(ctx.json, ctx.out, ctx.client.libraries().create(library)).await? {
                writeln!(ctx.out, "created library {} ({})", library.id, library.name)?;
            }
        }
        LibrariesCommand::List { search } => {
            let all = every_library(ctx, search.as_deref()).await?;
            if ctx.json {
                // Several pages make one document of the API's shape.
                return Ok(output::json(ctx.out, &serde_json::json!({"data": all}))?);
            }
            if all.is_empty() {
                writeln!(ctx.out, "no libraries")?;
                return Ok(());
            }
            let mut table = Table::new(&["ID", "NAME", "DOCUMENTS", "SIZE", "UPDATED"]).right(&[2, 3]);
            for l in &all {
                table.row(vec![
                    l.id.to_string(),
                    l.name.clone(),
                    l.nb_documents.to_string(),
                    output::bytes(u64::try_from(l.total_size).unwrap_or_default()),
                    output::datetime(&l.updated_at),
                ]);
            }
            table.write(ctx.out)?;
        }
        LibrariesCommand::Get { id } => {
            if let Some(library) = output::fetch(ctx.json, ctx.out, ctx.client.libraries().get(id)).await? {
                describe(ctx.out, &library)?;
            }
        }
        LibrariesCommand::Delete { id } => {
            if output::fetch(ctx.json, ctx.out, ctx.client.libraries().delete(id)).await?.is_some() {
                writeln!(ctx.out, "deleted library {id}")?;
            }
        }
        LibrariesCommand::Docs(command) => docs(ctx, command).await?,
    }
    Ok(())
}

/// Every page of the libraries, following `next_page_token`.
async fn every_library(ctx: &Ctx<'_, '_>, search: Option<&str>) -> Result<Vec<Library>, Failure> {
    let mut all = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = ctx.client.libraries().list(search, Some(PAGE), token.as_deref()).await?;
        all.extend(page.data);
        // A token given back unchanged would loop forever.
        match page.next_page_token.filter(|t| !t.is_empty() && token.as_ref() != Some(t)) {
            Some(next) => token = Some(next),
            None => return Ok(all),
        }
    }
}

async fn docs(ctx: &mut Ctx<'_, '_>, command: &DocsCommand) -> Result<(), Failure> {
    match command {
        DocsCommand::Upload { library, path, wait, poll } => upload(ctx, library, path, *wait, *poll).await?,
        DocsCommand::List { library, search } => {
            let mut filter = DocumentFilter::new().page_size(PAGE);
            if let Some(s) = search {
                filter = filter.search(s);
            }
            let pages: Vec<_> = ctx.client.libraries().documents(library).pages(filter).try_collect().await?;
            let all: Vec<Document> = pages.into_iter().flat_map(|p| p.data).collect();
            if ctx.json {
                return Ok(output::json(ctx.out, &serde_json::json!({"data": all}))?);
            }
            if all.is_empty() {
                writeln!(ctx.out, "no documents")?;
                return Ok(());
            }
            let mut table = Table::new(&["ID", "NAME", "SIZE", "STATUS", "CREATED"]).right(&[2]);
            for d in &all {
                table.row(vec![
                    d.id.to_string(),
                    d.name.clone(),
                    d.size.map_or_else(|| "-".into(), |n| output::bytes(u64::try_from(n).unwrap_or_default())),
                    d.process_status.to_string(),
                    output::datetime(&d.created_at),
                ]);
            }
            table.write(ctx.out)?;
        }
        DocsCommand::Status { library, document } => {
            let pending = ctx.client.libraries().documents(library).status(document);
            if let Some(status) = output::fetch(ctx.json, ctx.out, pending).await? {
                writeln!(ctx.out, "{}", status_words(&status))?;
            }
        }
        DocsCommand::Text { library, document } => {
            let pending = ctx.client.libraries().documents(library).text_content(document, None, None);
            if let Some(text) = output::fetch(ctx.json, ctx.out, pending).await? {
                ctx.out.write_all(text.text.as_bytes())?;
                ctx.out.finish_line()?;
            }
        }
        DocsCommand::Delete { library, document } => {
            ctx.client.libraries().documents(library).delete(document).await?;
            if !ctx.json {
                writeln!(ctx.out, "deleted document {document} from library {library}")?;
            }
        }
    }
    Ok(())
}

/// Uploads the document (a byte progress bar on a terminal), then waits for its processing
/// if asked: a spinner on a terminal; fails if the processing failed.
async fn upload(
    ctx: &mut Ctx<'_, '_>,
    library: &str,
    path: &std::path::Path,
    wait: bool,
    poll: Poll,
) -> Result<(), Failure> {
    let documents = ctx.client.libraries().documents(library);
    let (upload, bar) = with_progress(ctx, FileUpload::from_path(path));
    let sent = documents.upload(upload).with_meta().await;
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let sent = sent?;
    let document = sent.data;
    if ctx.json {
        ctx.out.write_all(&sent.raw)?;
        ctx.out.finish_line()?;
    } else {
        let size = document.size.map_or_else(|| "-".into(), |n| output::bytes(u64::try_from(n).unwrap_or_default()));
        writeln!(ctx.out, "uploaded {} as {} ({size})", document.name, document.id)?;
        ctx.out.flush()?;
    }
    if !wait {
        return Ok(());
    }
    let spinner = (ctx.options.progress_bar && !ctx.json).then(|| {
        let spinner = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        spinner.set_message(format!("processing {}", document.name));
        spinner.enable_steady_tick(Duration::from_millis(120));
        spinner
    });
    let status = documents.wait_processed(document.id, poll.options()).await;
    if let Some(spinner) = &spinner {
        spinner.finish_and_clear();
    }
    let status = status?;
    if ctx.json {
        output::json_line(ctx.out, &status)?;
    }
    let failed = matches!(
        status.process_status,
        ProcessStatus::Known(KnownProcessStatus::Error | KnownProcessStatus::MissingContent)
    );
    if failed {
        return Err(Failure::Message(format!(
            "the processing of document {} failed: {}",
            document.id,
            status_words(&status)
        )));
    }
    if !ctx.json {
        writeln!(ctx.out, "processed {}: {}", document.id, status_words(&status))?;
    }
    Ok(())
}

/// `done (Completed)`: the status, and the server's own words for it.
fn status_words(status: &ProcessingStatus) -> String {
    if status.processing_status.is_empty() {
        status.process_status.to_string()
    } else {
        format!("{} ({})", status.process_status, status.processing_status)
    }
}

fn describe(out: &mut dyn Write, l: &Library) -> std::io::Result<()> {
    output::key_values(
        out,
        &[
            ("id", l.id.to_string()),
            ("name", l.name.clone()),
            ("description", or_dash(l.description.as_deref())),
            ("documents", l.nb_documents.to_string()),
            ("size", output::bytes(u64::try_from(l.total_size).unwrap_or_default())),
            ("chunk size", or_dash(l.chunk_size)),
            ("owner type", l.owner_type.clone()),
            ("created", output::datetime(&l.created_at)),
            ("updated", output::datetime(&l.updated_at)),
        ],
    )
}
