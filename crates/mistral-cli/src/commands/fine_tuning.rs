//! `mistral jobs create|list|get|cancel|watch`.
#![allow(deprecated)] // the retired fine-tuning job routes, still served by seed-era servers and the mock

use std::io::Write;

use futures::StreamExt;
use mistral_sdk::types::{
    CheckpointOut, DetailedJobOut, FineTuneableModel, JobMetadata, JobOut, JobStatus, KnownJobStatus,
    TrainingParameters,
};
use mistral_sdk::{JobFilter, JobRequest};

use crate::cli::{FineTuningCommand, JobCreateArgs, JobListArgs, Poll};
use crate::output::{self, Table, or_dash};
use crate::{Ctx, Failure};

pub(crate) async fn run(ctx: &mut Ctx<'_, '_>, command: &FineTuningCommand) -> Result<(), Failure> {
    match command {
        FineTuningCommand::Create(args) => create(ctx, args).await,
        FineTuningCommand::List(args) => list(ctx, args).await,
        FineTuningCommand::Get { id } => {
            let Some(job) = output::fetch(ctx.json, ctx.out, ctx.client.fine_tuning().jobs().get(id)).await? else {
                return Ok(());
            };
            detailed(ctx.out, &job)?;
            Ok(())
        }
        FineTuningCommand::Cancel { id } => {
            let Some(job) = output::fetch(ctx.json, ctx.out, ctx.client.fine_tuning().jobs().cancel(id)).await? else {
                return Ok(());
            };
            writeln!(ctx.out, "cancellation requested for job {} (status {})", job.id, status_str(&job.status))?;
            Ok(())
        }
        FineTuningCommand::Watch { id, poll } => watch(ctx, id, *poll).await,
    }
}

async fn create(ctx: &mut Ctx<'_, '_>, args: &JobCreateArgs) -> Result<(), Failure> {
    let mut request = JobRequest::new(&args.model, args.training_files.iter().copied())
        .validation_files(args.validation_files.iter().copied())
        .training_steps(args.training_steps);
    if let Some(lr) = args.learning_rate {
        request = request.learning_rate(lr);
    }
    if let Some(suffix) = &args.suffix {
        request = request.suffix(suffix);
    }
    let jobs = ctx.client.fine_tuning().jobs();
    if args.dry_run {
        let Some(estimate) = output::fetch(ctx.json, ctx.out, jobs.dry_run(request)).await? else {
            return Ok(());
        };
        dry_run(ctx.out, &estimate)?;
    } else {
        let Some(job) = output::fetch(ctx.json, ctx.out, jobs.create(request)).await? else {
            return Ok(());
        };
        created(ctx.out, &job)?;
    }
    Ok(())
}

async fn list(ctx: &mut Ctx<'_, '_>, args: &JobListArgs) -> Result<(), Failure> {
    let mut filter = JobFilter::new();
    if let Some(page) = args.page {
        filter = filter.page(page);
    }
    if let Some(size) = args.page_size {
        filter = filter.page_size(size);
    }
    if let Some(model) = &args.model {
        filter = filter.model(model);
    }
    if let Some(status) = &args.status {
        filter = filter.status(parse_status(status));
    }
    if let Some(at) = args.created_after {
        filter = filter.created_after(at);
    }
    if args.created_by_me {
        filter = filter.created_by_me(true);
    }
    if let Some(suffix) = &args.suffix {
        filter = filter.suffix(suffix);
    }
    let Some(page) = output::fetch(ctx.json, ctx.out, ctx.client.fine_tuning().jobs().list(filter)).await? else {
        return Ok(());
    };
    let jobs = page.data.as_deref().unwrap_or_default();
    if jobs.is_empty() {
        writeln!(ctx.out, "no jobs")?;
        return Ok(());
    }
    let mut table = Table::new(&["ID", "MODEL", "STATUS", "STEPS", "FINE-TUNED MODEL", "CREATED"]).right(&[3]);
    for job in jobs {
        table.row(vec![
            job.id.to_string(),
            model_str(&job.model),
            status_str(&job.status),
            or_dash(job.hyperparameters.training_steps),
            or_dash(job.fine_tuned_model.as_deref()),
            output::timestamp(job.created_at),
        ]);
    }
    table.write(ctx.out)?;
    if let Some(total) = page.total
        && usize::try_from(total).is_ok_and(|t| t != jobs.len())
    {
        writeln!(ctx.out, "{} of {total} jobs", jobs.len())?;
    }
    Ok(())
}

async fn watch(ctx: &mut Ctx<'_, '_>, id: &str, poll: Poll) -> Result<(), Failure> {
    let options = poll.options();
    let mut updates = std::pin::pin!(ctx.client.fine_tuning().jobs().watch(id, options));
    let mut last = None;
    while let Some(job) = updates.next().await {
        let job = job?;
        if ctx.json {
            output::json_line(ctx.out, &job)?;
        } else {
            writeln!(ctx.out, "{}", progress_line(&job))?;
            ctx.out.flush()?;
        }
        last = Some(job);
    }
    let Some(job) = last else {
        return Err(Failure::Message(format!("no update for job {id}")));
    };
    if mistral_sdk::is_terminal(&job.status) && job.status != JobStatus::Known(KnownJobStatus::Success) {
        return Err(Failure::Message(format!("job {} ended with status {}", job.id, status_str(&job.status))));
    }
    if !ctx.json {
        writeln!(ctx.out, "job {} succeeded: fine-tuned model {}", job.id, or_dash(job.fine_tuned_model.as_deref()))?;
    }
    Ok(())
}

/// One line of `watch`: the time it was seen (UTC), status, step progress (latest
/// checkpoint / training steps) and the latest train loss.
fn progress_line(job: &DetailedJobOut) -> String {
    let latest = latest_checkpoint(job.checkpoints.as_deref().unwrap_or_default());
    let step = latest.map_or_else(|| "0".to_string(), |c| c.step_number.to_string());
    let total = or_dash(job.hyperparameters.training_steps);
    let loss = latest.and_then(|c| c.metrics.train_loss).map_or_else(|| "-".to_string(), |l| format!("{l:.4}"));
    format!(
        "{}  {:<10}  step {step}/{total}  train loss {loss}",
        chrono::Utc::now().format("%H:%M:%S"),
        status_str(&job.status)
    )
}

fn latest_checkpoint(checkpoints: &[CheckpointOut]) -> Option<&CheckpointOut> {
    checkpoints.iter().max_by_key(|c| (c.step_number, c.created_at))
}

fn created(out: &mut dyn Write, job: &JobOut) -> std::io::Result<()> {
    writeln!(out, "created job {}", job.id)?;
    output::key_values(
        out,
        &[
            ("status", status_str(&job.status)),
            ("model", model_str(&job.model)),
            ("training steps", steps(&job.hyperparameters)),
            ("learning rate", or_dash(job.hyperparameters.learning_rate)),
            ("suffix", or_dash(job.suffix.as_deref())),
        ],
    )
}

fn dry_run(out: &mut dyn Write, m: &JobMetadata) -> std::io::Result<()> {
    writeln!(out, "dry run: no job was created")?;
    let cost = match (m.cost, &m.cost_currency) {
        (Some(c), Some(cur)) => format!("{c} {cur}"),
        (Some(c), None) => c.to_string(),
        _ => "-".into(),
    };
    output::key_values(
        out,
        &[
            ("expected duration", or_dash(m.expected_duration_seconds.map(|s| format!("{s} s")))),
            ("cost", cost),
            ("training steps", or_dash(m.training_steps)),
            ("train tokens", or_dash(m.train_tokens)),
            ("tokens per step", or_dash(m.train_tokens_per_step)),
            ("data tokens", or_dash(m.data_tokens)),
            ("epochs", or_dash(m.epochs.map(|e| format!("{e:.2}")))),
        ],
    )
}

fn detailed(out: &mut dyn Write, job: &DetailedJobOut) -> std::io::Result<()> {
    let ids = |v: &[uuid::Uuid]| {
        if v.is_empty() { "-".to_string() } else { v.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ") }
    };
    output::key_values(
        out,
        &[
            ("id", job.id.to_string()),
            ("status", status_str(&job.status)),
            ("model", model_str(&job.model)),
            ("fine-tuned model", or_dash(job.fine_tuned_model.as_deref())),
            ("suffix", or_dash(job.suffix.as_deref())),
            ("training steps", steps(&job.hyperparameters)),
            ("learning rate", or_dash(job.hyperparameters.learning_rate)),
            ("trained tokens", or_dash(job.trained_tokens)),
            ("training files", ids(&job.training_files)),
            ("validation files", ids(job.validation_files.as_deref().unwrap_or_default())),
            ("created", output::timestamp(job.created_at)),
            ("modified", output::timestamp(job.modified_at)),
        ],
    )?;
    let checkpoints = job.checkpoints.as_deref().unwrap_or_default();
    if !checkpoints.is_empty() {
        writeln!(out, "\ncheckpoints:")?;
        let mut table = Table::new(&["STEP", "TRAIN LOSS", "VALID LOSS", "VALID ACC", "CREATED"]).right(&[0, 1, 2, 3]);
        for c in checkpoints {
            let num = |v: Option<f64>| v.map_or_else(|| "-".to_string(), |v| format!("{v:.4}"));
            table.row(vec![
                c.step_number.to_string(),
                num(c.metrics.train_loss),
                num(c.metrics.valid_loss),
                num(c.metrics.valid_mean_token_accuracy),
                output::timestamp(c.created_at),
            ]);
        }
        table.write(out)?;
    }
    let events = job.events.as_deref().unwrap_or_default();
    if !events.is_empty() {
        writeln!(out, "\nevents:")?;
        let mut table = Table::new(&["CREATED", "EVENT", "DATA"]);
        for e in events {
            let data = e
                .data
                .as_ref()
                .filter(|d| !d.is_empty())
                .map(|d| serde_json::Value::Object(d.clone()).to_string())
                .unwrap_or_default();
            table.row(vec![output::timestamp(e.created_at), e.name.clone(), data]);
        }
        table.write(out)?;
    }
    Ok(())
}

fn steps(h: &TrainingParameters) -> String {
    or_dash(h.training_steps)
}

fn parse_status(s: &str) -> JobStatus {
    let upper = s.trim().to_ascii_uppercase().replace('-', "_");
    match KnownJobStatus::try_from(upper.as_str()) {
        Ok(known) => JobStatus::Known(known),
        Err(_) => JobStatus::Other(upper),
    }
}

pub(crate) fn status_str(status: &JobStatus) -> String {
    match status {
        JobStatus::Known(k) => k.to_string(),
        JobStatus::Other(s) => s.clone(),
    }
}

fn model_str(model: &FineTuneableModel) -> String {
    match model {
        FineTuneableModel::Known(k) => k.to_string(),
        FineTuneableModel::Other(s) => s.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_parse_loosely() {
        assert_eq!(parse_status("running"), JobStatus::Known(KnownJobStatus::Running));
        assert_eq!(parse_status("cancellation-requested"), JobStatus::Known(KnownJobStatus::CancellationRequested));
        assert_eq!(parse_status("failed_validation"), JobStatus::Other("FAILED_VALIDATION".into()));
    }

    #[test]
    fn latest_checkpoint_is_the_highest_step() {
        let c = |step, loss| CheckpointOut {
            created_at: 0,
            metrics: mistral_sdk::types::MetricOut {
                train_loss: Some(loss),
                valid_loss: None,
                valid_mean_token_accuracy: None,
            },
            step_number: step,
        };
        let all = [c(20, 1.0), c(40, 0.5), c(10, 2.0)];
        assert_eq!(latest_checkpoint(&all).map(|c| c.step_number), Some(40));
    }
}
