//! `mistral batch create|list|get|cancel|watch|results|run`: batch jobs over JSONL files of
//! requests (`{"custom_id": ..., "body": {...}}` a line).

use std::io::Write;
use std::path::{Path, PathBuf};

use futures::StreamExt;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use mistral_sdk::types::{ApiEndpoint, BatchJob, BatchJobStatus, KnownApiEndpoint, KnownBatchJobStatus};
use mistral_sdk::{BatchFilter, BatchJobExt, BatchRequest, FileUpload, JobStatusExt};
use tokio::io::AsyncWriteExt;

use crate::cli::{BatchCommand, BatchCreateArgs, Poll};
use crate::output::{self, Table, or_dash};
use crate::{Ctx, Failure};

pub(crate) async fn run(ctx: &mut Ctx<'_, '_>, command: &BatchCommand) -> Result<(), Failure> {
    match command {
        BatchCommand::Create(args) => {
            let job = create(ctx, args).await?;
            if !ctx.json {
                writeln!(
                    ctx.out,
                    "created batch job {} ({}, {} requests)",
                    job.id,
                    job.status.as_str(),
                    job.total_requests
                )?;
            }
        }
        BatchCommand::List { status, model } => {
            let mut filter = BatchFilter::new();
            if let Some(s) = status {
                let status = s
                    .parse::<KnownBatchJobStatus>()
                    .map_or_else(|_| BatchJobStatus::Other(s.clone()), BatchJobStatus::Known);
                filter = filter.status(status);
            }
            if let Some(m) = model {
                filter = filter.model(m);
            }
            let Some(page) = output::fetch(ctx.json, ctx.out, ctx.client.batch().jobs().list(filter)).await? else {
                return Ok(());
            };
            if page.data.is_empty() {
                writeln!(ctx.out, "no batch jobs")?;
                return Ok(());
            }
            let mut table =
                Table::new(&["ID", "STATUS", "ENDPOINT", "MODEL", "DONE", "FAILED", "CREATED"]).right(&[4, 5]);
            for job in &page.data {
                table.row(vec![
                    job.id.clone(),
                    job.status.as_str(),
                    job.endpoint.clone(),
                    or_dash(job.model.as_deref()),
                    format!("{}/{}", job.completed_requests, job.total_requests),
                    job.failed_requests.to_string(),
                    output::timestamp(job.created_at),
                ]);
            }
            table.write(ctx.out)?;
        }
        BatchCommand::Get { id } => {
            if let Some(job) = output::fetch(ctx.json, ctx.out, ctx.client.batch().jobs().get(id)).await? {
                describe(ctx.out, &job)?;
            }
        }
        BatchCommand::Cancel { id } => {
            if let Some(job) = output::fetch(ctx.json, ctx.out, ctx.client.batch().jobs().cancel(id)).await? {
                writeln!(ctx.out, "cancellation requested for batch job {} (status {})", job.id, job.status.as_str())?;
            }
        }
        BatchCommand::Watch { id, poll } => {
            watch(ctx, id, *poll).await?;
        }
        BatchCommand::Results { id, output } => {
            let job = ctx.client.batch().jobs().get(id).await?;
            results(ctx, &job, output.as_deref()).await?;
        }
        BatchCommand::Run { create: args, poll, output } => {
            let job = create(ctx, args).await?;
            if !ctx.json {
                writeln!(ctx.out, "created batch job {} ({} requests)", job.id, job.total_requests)?;
            }
            let job = watch(ctx, &job.id, *poll).await?;
            results(ctx, &job, output.as_deref()).await?;
        }
    }
    Ok(())
}

/// Uploads the file (purpose batch) and creates the job on it.
async fn create(ctx: &mut Ctx<'_, '_>, args: &BatchCreateArgs) -> Result<BatchJob, Failure> {
    // Checked before anything is uploaded.
    let metadata: Vec<(String, String)> = args
        .metadata
        .iter()
        .map(|kv| {
            kv.split_once('=')
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .ok_or_else(|| Failure::Message(format!("--metadata {kv:?} is not KEY=VALUE")))
        })
        .collect::<Result<_, _>>()?;
    let file = ctx.client.files().upload(FileUpload::from_path(&args.file).purpose("batch")).await?;
    let endpoint = args
        .endpoint
        .parse::<KnownApiEndpoint>()
        .map_or_else(|_| ApiEndpoint::Other(args.endpoint.clone()), ApiEndpoint::Known);
    let mut request = BatchRequest::new(endpoint).input_file(file.id);
    if let Some(model) = &args.model {
        request = request.model(model);
    }
    if let Some(hours) = args.timeout_hours {
        request = request.timeout_hours(hours);
    }
    if !metadata.is_empty() {
        request = request.metadata(metadata);
    }
    let created = ctx.client.batch().jobs().create(request).with_meta().await?;
    if ctx.json {
        ctx.out.write_all(&created.raw)?;
        ctx.out.finish_line()?;
    }
    Ok(created.data)
}

/// Follows the job until it ends: a progress bar on a terminal, else a line per change
/// (JSON lines with `--json`). Fails unless it succeeded.
async fn watch(ctx: &mut Ctx<'_, '_>, id: &str, poll: Poll) -> Result<BatchJob, Failure> {
    let options = poll.options();
    let bar = (ctx.options.progress_bar && !ctx.json).then(progress_bar);
    let mut updates = std::pin::pin!(ctx.client.batch().jobs().watch(id, options));
    let mut last = None;
    while let Some(job) = updates.next().await {
        let job = job?;
        let p = job.progress();
        match &bar {
            Some(bar) => {
                bar.set_length(p.total);
                bar.set_position(p.completed);
                bar.set_message(format!("{} ({} failed)", p.status, p.failed));
            }
            None if ctx.json => output::json_line(ctx.out, &job)?,
            None => {
                let at = chrono::Utc::now().format("%H:%M:%S");
                writeln!(ctx.out, "{at}  {:<12}  {}/{} done, {} failed", p.status, p.completed, p.total, p.failed)?;
                ctx.out.flush()?;
            }
        }
        last = Some(job);
    }
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let job = last.ok_or_else(|| Failure::Message(format!("no update for batch job {id}")))?;
    let p = job.progress();
    if p.status != "SUCCESS" {
        return Err(Failure::Message(format!("batch job {} ended with status {}", job.id, p.status)));
    }
    if !ctx.json {
        writeln!(ctx.out, "batch job {} succeeded: {} requests, {} failed", job.id, p.total, p.failed)?;
    }
    Ok(job)
}

/// The output file to stdout, or both files into `dir`.
async fn results(ctx: &mut Ctx<'_, '_>, job: &BatchJob, dir: Option<&Path>) -> Result<(), Failure> {
    let Some(dir) = dir else {
        let Some(output) = job.output_file else {
            return Err(Failure::Message(format!("batch job {} has no output file (yet)", job.id)));
        };
        let mut download = ctx.client.files().download(output).await?;
        while let Some(chunk) = download.next().await {
            ctx.out.write_all(&chunk?)?;
        }
        return Ok(ctx.out.flush()?);
    };
    let io = |path: &Path, e: std::io::Error| Failure::Message(format!("cannot write {}: {e}", path.display()));
    tokio::fs::create_dir_all(dir).await.map_err(|e| io(dir, e))?;
    for (file, suffix) in [(job.output_file, "output"), (job.error_file, "errors")] {
        let Some(file) = file else { continue };
        let path: PathBuf = dir.join(format!("{}.{suffix}.jsonl", job.id));
        let mut out = tokio::fs::File::create(&path).await.map_err(|e| io(&path, e))?;
        let mut download = ctx.client.files().download(file).await?;
        let mut bytes = 0u64;
        while let Some(chunk) = download.next().await {
            let chunk = chunk?;
            out.write_all(&chunk).await.map_err(|e| io(&path, e))?;
            bytes += chunk.len() as u64;
        }
        out.flush().await.map_err(|e| io(&path, e))?;
        if !ctx.json {
            writeln!(ctx.out, "wrote {} ({})", path.display(), output::bytes(bytes))?;
        }
    }
    Ok(())
}

fn describe(out: &mut dyn Write, job: &BatchJob) -> std::io::Result<()> {
    let p = job.progress();
    output::key_values(
        out,
        &[
            ("id", job.id.clone()),
            ("status", p.status.clone()),
            ("endpoint", job.endpoint.clone()),
            ("model", or_dash(job.model.as_deref())),
            (
                "requests",
                format!("{} done of {} ({} succeeded, {} failed)", p.completed, p.total, p.succeeded, p.failed),
            ),
            ("input files", job.input_files.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")),
            ("output file", or_dash(job.output_file)),
            ("error file", or_dash(job.error_file)),
            ("created", output::timestamp(job.created_at)),
            ("completed", job.completed_at.map_or_else(|| "-".into(), output::timestamp)),
        ],
    )
}

/// Completed requests of the job, drawn on the process's stderr.
fn progress_bar() -> ProgressBar {
    let bar = ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr());
    if let Ok(style) = ProgressStyle::with_template("{spinner} [{bar:30}] {pos}/{len} requests {msg} eta {eta}") {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}
