//! The simulated life of a fine-tuning job, computed lazily from timestamps.
//!
//! A job stores only when it was created, at what speed, and when (if ever) a cancel was asked
//! for; its status, events and checkpoints at any instant follow from those. In simulated
//! seconds: `QUEUED` for [`QUEUE_SECONDS`], then `RUNNING` for [`STEP_SECONDS`] per training
//! step, then `SUCCESS`. A cancel makes it `CANCELLATION_REQUESTED` at once and `CANCELLED`
//! [`CANCEL_SECONDS`] later. Simulated time runs `speed` times faster than wall time.

use std::num::NonZeroU64;

use mistral_openapi::types::{
    CheckpointOut, DetailedJobOut, EventOut, FineTuneableModel, JobMetadata, JobOut, JobStatus, KnownJobStatus,
    MetricOut, TrainingParameters, WandbIntegrationOut,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use uuid::Uuid;

/// Simulated seconds a job waits in the queue.
pub(crate) const QUEUE_SECONDS: f64 = 10.0;
/// Simulated seconds per training step.
pub(crate) const STEP_SECONDS: f64 = 10.0;
/// Simulated seconds between a cancel request and `CANCELLED`.
pub(crate) const CANCEL_SECONDS: f64 = 5.0;
/// Tokens trained per step (the real API's figure).
pub(crate) const TOKENS_PER_STEP: i64 = 131_072;
/// Steps when the request gives none.
const DEFAULT_STEPS: u64 = 10;

/// A job as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct JobRecord {
    pub(crate) id: Uuid,
    pub(crate) model: String,
    pub(crate) training_files: Vec<Uuid>,
    pub(crate) validation_files: Vec<Uuid>,
    pub(crate) hyperparameters: TrainingParameters,
    pub(crate) suffix: Option<String>,
    pub(crate) integrations: Vec<WandbIntegrationOut>,
    /// 8 hex digits naming the key that created it.
    pub(crate) owner: String,
    pub(crate) created_ms: i64,
    pub(crate) speed: f64,
    pub(crate) cancel_ms: Option<i64>,
    pub(crate) data_tokens: u64,
    pub(crate) fine_tuned_model: String,
}

/// A job's state at one instant.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Progress {
    pub(crate) status: KnownJobStatus,
    pub(crate) events: Vec<EventOut>,
    pub(crate) checkpoints: Vec<CheckpointOut>,
    pub(crate) steps_done: u64,
    pub(crate) modified_ms: i64,
    /// When it succeeded (ms), if it has.
    pub(crate) succeeded_ms: Option<i64>,
}

/// Status as written on the wire (`RUNNING`).
pub(crate) fn status_name(status: KnownJobStatus) -> String {
    serde_json::to_value(status).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default()
}

fn round(x: f64, digits: i32) -> f64 {
    let p = 10f64.powi(digits);
    (x * p).round() / p
}

/// Training steps asked for (10 when none).
pub(crate) fn steps_of(params: &TrainingParameters) -> u64 {
    params.training_steps.map(NonZeroU64::get).unwrap_or(DEFAULT_STEPS)
}

/// Simulated length of a job of `steps` steps, in seconds.
pub(crate) fn duration_seconds(steps: u64) -> f64 {
    QUEUE_SECONDS + steps as f64 * STEP_SECONDS
}

/// A dry run's estimate.
pub(crate) fn estimate(model: &str, steps: u64, data_tokens: u64) -> JobMetadata {
    let train_tokens = i64::try_from(steps).unwrap_or(i64::MAX).saturating_mul(TOKENS_PER_STEP);
    let price_per_million = match model {
        "open-mistral-7b" => 1.0,
        "mistral-small-latest" => 4.0,
        _ => 2.0,
    };
    JobMetadata {
        object: Some("job.metadata".into()),
        training_steps: i64::try_from(steps).ok(),
        train_tokens_per_step: Some(TOKENS_PER_STEP),
        data_tokens: i64::try_from(data_tokens).ok(),
        train_tokens: Some(train_tokens),
        epochs: Some(round(train_tokens as f64 / data_tokens.max(1) as f64, 4)),
        expected_duration_seconds: Some(duration_seconds(steps).round() as i64),
        cost: Some(round(train_tokens as f64 / 1e6 * price_per_million, 2)),
        cost_currency: Some("EUR".into()),
    }
}

/// Training loss after `step` of `steps`: falls from ~2.25 towards 0.35.
fn train_loss(step: u64, steps: u64) -> f64 {
    round(0.35 + 1.9 * (-3.0 * step as f64 / steps.max(1) as f64).exp(), 6)
}

fn event(status: KnownJobStatus, ms: i64) -> EventOut {
    let mut data = Map::new();
    data.insert("status".into(), Value::from(status_name(status)));
    EventOut { created_at: ms.div_euclid(1000), data: Some(data), name: "status-updated".into() }
}

impl JobRecord {
    fn wall_ms(&self, sim_seconds: f64) -> i64 {
        self.created_ms + (sim_seconds * 1000.0 / self.speed) as i64
    }

    fn sim_seconds(&self, wall_ms: i64) -> f64 {
        (wall_ms - self.created_ms) as f64 * self.speed / 1000.0
    }

    /// Training steps of this job.
    pub(crate) fn steps(&self) -> u64 {
        steps_of(&self.hyperparameters)
    }

    /// The job's state at `now_ms`.
    pub(crate) fn progress(&self, now_ms: i64) -> Progress {
        let steps = self.steps();
        let now = self.sim_seconds(now_ms);
        let end = duration_seconds(steps);
        let cancel = self.cancel_ms.map(|ms| (ms, self.sim_seconds(ms))).filter(|(_, s)| *s < end);
        let horizon = cancel.map_or(now, |(_, c)| now.min(c));
        let mut events = vec![event(KnownJobStatus::Queued, self.created_ms)];
        let mut last = (KnownJobStatus::Queued, self.created_ms);
        let mut push = |status, ms| {
            events.push(event(status, ms));
            last = (status, ms);
        };
        if horizon >= QUEUE_SECONDS {
            push(KnownJobStatus::Running, self.wall_ms(QUEUE_SECONDS));
        }
        let mut succeeded_ms = None;
        match cancel {
            None if now >= end => {
                let ms = self.wall_ms(end);
                push(KnownJobStatus::Success, ms);
                succeeded_ms = Some(ms);
            }
            Some((ms, c)) => {
                push(KnownJobStatus::CancellationRequested, ms);
                if now >= c + CANCEL_SECONDS {
                    push(KnownJobStatus::Cancelled, self.wall_ms(c + CANCEL_SECONDS));
                }
            }
            None => {}
        }
        let done = ((horizon - QUEUE_SECONDS) / STEP_SECONDS).floor();
        let steps_done = if done <= 0.0 { 0 } else { (done as u64).min(steps) };
        let interval = (steps / 10).max(1);
        let validated = !self.validation_files.is_empty();
        let checkpoints = (1..=steps_done)
            .filter(|k| k % interval == 0 || *k == steps)
            .map(|k| {
                let loss = train_loss(k, steps);
                let progress = k as f64 / steps.max(1) as f64;
                CheckpointOut {
                    created_at: self.wall_ms(QUEUE_SECONDS + k as f64 * STEP_SECONDS).div_euclid(1000),
                    metrics: MetricOut {
                        train_loss: Some(loss),
                        valid_loss: validated.then(|| round(loss * 1.07 + 0.02, 6)),
                        valid_mean_token_accuracy: validated
                            .then(|| round(0.55 + 0.4 * (1.0 - (-3.0 * progress).exp()), 6)),
                    },
                    step_number: i64::try_from(k).unwrap_or(i64::MAX),
                }
            })
            .collect();
        Progress { status: last.0, events, checkpoints, steps_done, modified_ms: last.1, succeeded_ms }
    }

    /// The job as `JobOut` at `now_ms`.
    pub(crate) fn to_out(&self, now_ms: i64) -> JobOut {
        let p = self.progress(now_ms);
        self.out(&p)
    }

    fn out(&self, p: &Progress) -> JobOut {
        JobOut {
            created_at: self.created_ms.div_euclid(1000),
            fine_tuned_model: (p.status == KnownJobStatus::Success).then(|| self.fine_tuned_model.clone()),
            hyperparameters: self.hyperparameters.clone(),
            id: self.id,
            integrations: Some(self.integrations.clone()),
            job_type: "FT".into(),
            model: serde_json::from_value(Value::from(self.model.as_str()))
                .unwrap_or_else(|_| FineTuneableModel::Other(self.model.clone())),
            modified_at: p.modified_ms.div_euclid(1000),
            object: Some("job".into()),
            status: JobStatus::Known(p.status),
            suffix: self.suffix.clone(),
            trained_tokens: i64::try_from(p.steps_done).ok().map(|s| s.saturating_mul(TOKENS_PER_STEP)),
            training_files: self.training_files.clone(),
            validation_files: Some(self.validation_files.clone()),
        }
    }

    /// The job with its events and checkpoints at `now_ms`.
    pub(crate) fn to_detailed(&self, now_ms: i64) -> DetailedJobOut {
        let p = self.progress(now_ms);
        let o = self.out(&p);
        DetailedJobOut {
            checkpoints: Some(p.checkpoints),
            created_at: o.created_at,
            events: Some(p.events),
            fine_tuned_model: o.fine_tuned_model,
            hyperparameters: o.hyperparameters,
            id: o.id,
            integrations: o.integrations,
            job_type: o.job_type,
            model: o.model,
            modified_at: o.modified_at,
            object: o.object,
            status: o.status,
            suffix: o.suffix,
            trained_tokens: o.trained_tokens,
            training_files: o.training_files,
            validation_files: o.validation_files,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(steps: u64) -> JobRecord {
        JobRecord {
            id: Uuid::nil(),
            model: "open-mistral-7b".into(),
            training_files: vec![],
            validation_files: vec![Uuid::nil()],
            hyperparameters: TrainingParameters { learning_rate: None, training_steps: NonZeroU64::new(steps) },
            suffix: None,
            integrations: vec![],
            owner: "00000000".into(),
            created_ms: 1_000_000,
            speed: 10.0,
            cancel_ms: None,
            data_tokens: 1000,
            fine_tuned_model: "ft:x".into(),
        }
    }

    #[test]
    fn runs_then_succeeds_with_falling_loss() {
        let j = job(10);
        assert_eq!(j.progress(1_000_000).status, KnownJobStatus::Queued);
        assert_eq!(j.progress(1_000_000 + 1_500).status, KnownJobStatus::Running);
        let done = j.progress(1_000_000 + 11_000);
        assert_eq!(done.status, KnownJobStatus::Success);
        assert_eq!(done.steps_done, 10);
        assert_eq!(done.events.len(), 3);
        let losses: Vec<f64> = done.checkpoints.iter().filter_map(|c| c.metrics.train_loss).collect();
        assert_eq!(losses.len(), 10);
        assert!(losses.windows(2).all(|w| w[1] < w[0]), "{losses:?}");
        assert_eq!(j.to_out(1_000_000 + 11_000).fine_tuned_model.as_deref(), Some("ft:x"));
    }

    #[test]
    fn cancel_goes_through_requested_to_cancelled() {
        let mut j = job(10);
        j.cancel_ms = Some(1_000_000 + 2_000);
        assert_eq!(j.progress(1_000_000 + 2_100).status, KnownJobStatus::CancellationRequested);
        let p = j.progress(1_000_000 + 60_000);
        assert_eq!(p.status, KnownJobStatus::Cancelled);
        assert_eq!(p.steps_done, 1);
        assert!(p.succeeded_ms.is_none());
    }

    #[test]
    fn estimate_counts_epochs() {
        let m = estimate("open-mistral-7b", 10, 131_072);
        assert_eq!(m.epochs, Some(10.0));
        assert_eq!(m.train_tokens, Some(1_310_720));
        assert_eq!(m.expected_duration_seconds, Some(110));
    }
}
