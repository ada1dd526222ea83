//! The simulated life of a batch job, computed from timestamps (as fine-tuning jobs' is, see
//! `lifecycle`), and the results of the requests it has run.
//!
//! A job stores its requests, when it was created, at what speed, its timeout and when (if ever)
//! a cancel was asked for; which requests are due at an instant follows from those. In simulated
//! seconds: `QUEUED` for [`QUEUE_SECONDS`], then `RUNNING`, one request every [`LINE_SECONDS`]
//! in order, then `SUCCESS` (`FAILED` when every request failed). A job still running after
//! `timeout_hours` is `TIMEOUT_EXCEEDED`; a cancel makes it `CANCELLATION_REQUESTED` at once and
//! `CANCELLED` [`CANCEL_SECONDS`] later. The requests due before the end are run by the
//! mock's own handlers (see `routes::batch::run`) and their results kept here; the others never run.

use mistral_openapi::types::KnownBatchJobStatus;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use uuid::Uuid;

/// Simulated seconds a job waits in the queue.
pub(crate) const QUEUE_SECONDS: f64 = 10.0;
/// Simulated seconds per request.
pub(crate) const LINE_SECONDS: f64 = 10.0;
/// Simulated seconds between a cancel request and `CANCELLED`.
pub(crate) const CANCEL_SECONDS: f64 = 5.0;
/// Hours a job may run when the request gives no `timeout_hours`.
pub(crate) const DEFAULT_TIMEOUT_HOURS: u64 = 24;

/// One request of a batch: an input file's line or an inline request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct BatchLine {
    pub(crate) custom_id: Option<String>,
    pub(crate) body: Value,
}

/// What one request got: the status and body the sync call answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct LineResult {
    pub(crate) status: u16,
    pub(crate) body: Value,
}

impl LineResult {
    /// Whether the request succeeded (2xx).
    pub(crate) fn ok(&self) -> bool {
        (200..300).contains(&self.status)
    }

    /// The error's code: the body's (`"1500"`) as a number, else the status.
    pub(crate) fn code(&self) -> u64 {
        match self.body.get("code") {
            Some(Value::String(code)) => code.parse().unwrap_or(u64::from(self.status)),
            Some(Value::Number(code)) => code.as_u64().unwrap_or(u64::from(self.status)),
            _ => u64::from(self.status),
        }
    }

    /// The error's message, as one line: the body's `message` (a 422's details joined), else
    /// its `detail`, else the status.
    pub(crate) fn message(&self) -> String {
        let body = &self.body;
        match body.get("message") {
            Some(Value::String(m)) => m.clone(),
            Some(Value::Object(m)) => {
                let details: Vec<String> = m
                    .get("detail")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .map(|d| {
                        let at: Vec<String> = d
                            .get("loc")
                            .and_then(Value::as_array)
                            .into_iter()
                            .flatten()
                            .map(|l| l.as_str().map_or_else(|| l.to_string(), str::to_string))
                            .collect();
                        format!("{}: {}", at.join("."), d.get("msg").and_then(Value::as_str).unwrap_or_default())
                    })
                    .collect();
                details.join("; ")
            }
            _ => body
                .get("detail")
                .and_then(Value::as_str)
                .map_or_else(|| format!("Request failed with status {}", self.status), str::to_string),
        }
    }
}

/// A batch job as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct BatchRecord {
    pub(crate) id: Uuid,
    /// 8 hex digits naming the key that created it.
    pub(crate) owner: String,
    /// As given (`/v1/chat/completions`).
    pub(crate) endpoint: String,
    /// The operation of the table the endpoint is.
    pub(crate) operation: String,
    pub(crate) model: Option<String>,
    pub(crate) agent_id: Option<String>,
    pub(crate) metadata: Option<Map<String, Value>>,
    pub(crate) input_files: Vec<Uuid>,
    /// Every request, input files' lines first, then the inline ones.
    pub(crate) lines: Vec<BatchLine>,
    /// The results of the requests run so far, in order.
    pub(crate) results: Vec<LineResult>,
    pub(crate) created_ms: i64,
    pub(crate) speed: f64,
    pub(crate) cancel_ms: Option<i64>,
    pub(crate) timeout_hours: u64,
    pub(crate) output_file: Option<Uuid>,
    pub(crate) error_file: Option<Uuid>,
    /// Its output and error files are written: nothing changes any more.
    pub(crate) finished: bool,
}

/// A job's state at one instant.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct BatchState {
    pub(crate) status: KnownBatchJobStatus,
    /// Requests that have run (or should have, when results lag behind the clock).
    pub(crate) due: usize,
    pub(crate) started_ms: Option<i64>,
    pub(crate) completed_ms: Option<i64>,
}

impl BatchState {
    /// Whether the job has ended (nothing more will run).
    pub(crate) fn is_final(&self) -> bool {
        matches!(
            self.status,
            KnownBatchJobStatus::Success
                | KnownBatchJobStatus::Failed
                | KnownBatchJobStatus::TimeoutExceeded
                | KnownBatchJobStatus::Cancelled
        )
    }

    /// Whether the job may still run requests.
    pub(crate) fn is_active(&self) -> bool {
        matches!(self.status, KnownBatchJobStatus::Queued | KnownBatchJobStatus::Running)
    }
}

impl BatchRecord {
    fn wall_ms(&self, sim_seconds: f64) -> i64 {
        self.created_ms.saturating_add((sim_seconds * 1000.0 / self.speed) as i64)
    }

    fn sim_seconds(&self, wall_ms: i64) -> f64 {
        wall_ms.saturating_sub(self.created_ms) as f64 * self.speed / 1000.0
    }

    /// When the last request is done, in simulated seconds, if nothing stops the job.
    fn end_seconds(&self) -> f64 {
        QUEUE_SECONDS + self.lines.len() as f64 * LINE_SECONDS
    }

    /// The job's state at `now_ms`.
    pub(crate) fn state(&self, now_ms: i64) -> BatchState {
        let now = self.sim_seconds(now_ms);
        let end = self.end_seconds();
        let timeout = self.timeout_hours as f64 * 3600.0;
        // A cancel after the job ended changes nothing.
        let cancel = self.cancel_ms.map(|ms| self.sim_seconds(ms)).filter(|c| *c < end.min(timeout));
        let stop = cancel.unwrap_or(f64::INFINITY).min(end).min(timeout);
        let horizon = now.min(stop);
        let due = if horizon < QUEUE_SECONDS {
            0
        } else {
            (((horizon - QUEUE_SECONDS) / LINE_SECONDS).floor() as usize).min(self.lines.len())
        };
        let started_ms = (horizon >= QUEUE_SECONDS).then(|| self.wall_ms(QUEUE_SECONDS));
        let (status, completed) = match cancel {
            Some(c) if now >= c + CANCEL_SECONDS => (KnownBatchJobStatus::Cancelled, Some(c + CANCEL_SECONDS)),
            Some(c) if now >= c => (KnownBatchJobStatus::CancellationRequested, None),
            _ if timeout < end && now >= timeout => (KnownBatchJobStatus::TimeoutExceeded, Some(timeout)),
            _ if now >= end => {
                let run = &self.results[..due.min(self.results.len())];
                let all_failed = !run.is_empty() && run.iter().all(|r| !r.ok());
                let status = if all_failed { KnownBatchJobStatus::Failed } else { KnownBatchJobStatus::Success };
                (status, Some(end))
            }
            _ if now >= QUEUE_SECONDS => (KnownBatchJobStatus::Running, None),
            _ => (KnownBatchJobStatus::Queued, None),
        };
        BatchState { status, due, started_ms, completed_ms: completed.map(|s| self.wall_ms(s)) }
    }

    /// The results of the requests run by `state`.
    fn run<'a>(&'a self, state: &BatchState) -> &'a [LineResult] {
        &self.results[..state.due.min(self.results.len())]
    }

    /// The line of the result of request `index`, as the output and error files hold it.
    fn result_line(&self, index: usize, result: &LineResult) -> Value {
        let error = (!result.ok()).then(|| json!({"message": result.message(), "code": result.code()}));
        json!({
            "id": format!("batch-{}-{index}", &self.id.simple().to_string()[..8]),
            "custom_id": self.lines.get(index).and_then(|l| l.custom_id.clone()),
            "response": {"status_code": result.status, "body": result.body},
            "error": error,
        })
    }

    /// The result lines of the requests run by `state` that succeeded (`ok`) or failed.
    pub(crate) fn result_lines(&self, state: &BatchState, ok: bool) -> Vec<Value> {
        self.run(state).iter().enumerate().filter(|(_, r)| r.ok() == ok).map(|(i, r)| self.result_line(i, r)).collect()
    }

    /// The job as the API sends it (`BatchJob`) at `now_ms`; with `inline`, every result so far
    /// in `outputs`, in request order.
    pub(crate) fn to_json(&self, now_ms: i64, inline: bool) -> Value {
        let state = self.state(now_ms);
        let run = self.run(&state);
        let succeeded = run.iter().filter(|r| r.ok()).count();
        let mut errors: Vec<(String, u64)> = Vec::new();
        for failed in run.iter().filter(|r| !r.ok()) {
            let message = failed.message();
            match errors.iter_mut().find(|(m, _)| *m == message) {
                Some((_, count)) => *count += 1,
                None => errors.push((message, 1)),
            }
        }
        let outputs = inline.then(|| run.iter().enumerate().map(|(i, r)| self.result_line(i, r)).collect::<Vec<_>>());
        let seconds = |ms: i64| ms.div_euclid(1000);
        json!({
            "id": self.id,
            "object": "batch",
            "input_files": self.input_files,
            "metadata": self.metadata,
            "endpoint": self.endpoint,
            "model": self.model,
            "agent_id": self.agent_id,
            "output_file": self.output_file,
            "error_file": self.error_file,
            "errors": errors.iter().map(|(m, n)| json!({"message": m, "count": n})).collect::<Vec<_>>(),
            "outputs": outputs,
            "status": state.status.to_string(),
            "created_at": seconds(self.created_ms),
            "total_requests": self.lines.len(),
            "completed_requests": run.len(),
            "succeeded_requests": succeeded,
            "failed_requests": run.len() - succeeded,
            "started_at": state.started_ms.map(seconds),
            "completed_at": state.completed_ms.map(seconds),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(lines: usize) -> BatchRecord {
        BatchRecord {
            id: Uuid::nil(),
            owner: "00000000".into(),
            endpoint: mistral_openapi::operations::CREATE_EMBEDDING.path.into(),
            operation: "op".into(),
            model: None,
            agent_id: None,
            metadata: None,
            input_files: vec![],
            lines: vec![BatchLine { custom_id: Some("a".into()), body: json!({}) }; lines],
            results: vec![],
            created_ms: 1_000_000,
            speed: 10.0,
            cancel_ms: None,
            timeout_hours: 24,
            output_file: None,
            error_file: None,
            finished: false,
        }
    }

    #[test]
    fn queued_then_one_request_every_ten_seconds_then_success() {
        let j = job(3);
        assert_eq!(j.state(1_000_000).status, KnownBatchJobStatus::Queued);
        let s = j.state(1_000_000 + 1_000);
        assert_eq!((s.status, s.due), (KnownBatchJobStatus::Running, 0));
        assert_eq!(j.state(1_000_000 + 2_500).due, 1);
        let done = j.state(1_000_000 + 4_000);
        assert_eq!((done.status, done.due), (KnownBatchJobStatus::Success, 3));
        assert_eq!(done.completed_ms, Some(1_000_000 + 4_000));
    }

    #[test]
    fn every_request_failed_is_a_failed_job() {
        let mut j = job(2);
        j.results = vec![LineResult { status: 400, body: json!({"message": "bad"}) }; 2];
        assert_eq!(j.state(1_000_000 + 3_000).status, KnownBatchJobStatus::Failed);
        j.results[1] = LineResult { status: 200, body: json!({}) };
        assert_eq!(j.state(1_000_000 + 3_000).status, KnownBatchJobStatus::Success);
    }

    #[test]
    fn cancel_and_timeout_stop_the_requests() {
        let mut j = job(10);
        j.cancel_ms = Some(1_000_000 + 2_500);
        assert_eq!(j.state(1_000_000 + 2_600).status, KnownBatchJobStatus::CancellationRequested);
        let s = j.state(1_000_000 + 60_000);
        assert_eq!((s.status, s.due), (KnownBatchJobStatus::Cancelled, 1));
        let mut j = job(400);
        j.timeout_hours = 1;
        let s = j.state(1_000_000 + 500_000);
        assert_eq!((s.status, s.due), (KnownBatchJobStatus::TimeoutExceeded, 359));
    }

    #[test]
    fn messages_of_errors() {
        let r = LineResult {
            status: 422,
            body: json!({"message": {"detail": [{"loc": ["body", "model"], "msg": "Field required"}]}}),
        };
        assert_eq!(r.message(), "body.model: Field required");
    }
}
