//! `/v1/fine_tuning/jobs`: [`Jobs`], the [`JobRequest`] builder, [`JobFilter`] and
//! [`Jobs::watch`].

use std::num::NonZeroU64;

use chrono::{DateTime, Utc};
use futures::Stream;

use mistral_openapi::operations as ops;

use std::borrow::Cow;

use crate::client::Client;
use crate::error::{Error, Result};
use crate::ext::JobStatusExt;
use crate::pending::{Pending, group};
use crate::transport::Call;
use crate::types::{
    DetailedJobOut, FineTuneableModel, JobIn, JobInSuffix, JobMetadata, JobOut, JobStatus, JobsOut,
    KnownFineTuneableModel, KnownJobStatus, TrainingParameters,
};
use crate::watch::WatchOptions;

group!(
    /// Fine-tuning: the job routes of the seed era, which the API has since retired (they
    /// answer 410 Gone, [`ApiErrorKind::Gone`](crate::ApiErrorKind::Gone)). Fine-tuned models
    /// are managed through [`Client::models`].
    FineTuning,
    fine_tuning
);

/// Fine-tuning jobs. Get it from [`FineTuning::jobs`].
#[derive(Debug, Clone)]
pub struct Jobs<'c> {
    client: Cow<'c, Client>,
}

impl<'c> FineTuning<'c> {
    /// Fine-tuning jobs.
    pub fn jobs(&self) -> Jobs<'c> {
        Jobs { client: self.client.clone() }
    }
}

impl<'c> Jobs<'c> {
    /// Lists jobs (`jobs_api_routes_fine_tuning_get_fine_tuning_jobs`); only the filters you
    /// set are sent.
    ///
    /// ```no_run
    /// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
    /// use mistral_sdk::{JobFilter, types::KnownJobStatus};
    ///
    /// let page = client.fine_tuning().jobs().list(JobFilter::new().status(KnownJobStatus::Running)).await?;
    /// for job in page.data.unwrap_or_default() {
    ///     println!("{} {:?}", job.id, job.status);
    /// }
    /// # Ok(()) }
    /// ```
    #[deprecated(
        note = "the API retired the fine-tuning job routes (they answer 410 Gone); kept for servers of the seed era"
    )]
    pub fn list(&self, filter: JobFilter) -> Pending<'c, JobsOut> {
        let call = Call::new(&ops::JOBS_API_ROUTES_FINE_TUNING_GET_FINE_TUNING_JOBS)
            .query("page", filter.page)
            .query("page_size", filter.page_size)
            .query("model", filter.model)
            .query("status", filter.status)
            .query("created_after", filter.created_after.map(|t| t.to_rfc3339()))
            .query("created_by_me", filter.created_by_me)
            .query("wandb_project", filter.wandb_project)
            .query("wandb_name", filter.wandb_name)
            .query("suffix", filter.suffix);
        Pending::new(&self.client, Ok(call))
    }

    /// Creates and starts a job (`jobs_api_routes_fine_tuning_create_fine_tuning_job`).
    ///
    /// ```no_run
    /// # async fn demo(client: mistral_sdk::Client, file_id: uuid::Uuid) -> mistral_sdk::Result<()> {
    /// use mistral_sdk::JobRequest;
    ///
    /// let job = JobRequest::new("open-mistral-7b", [file_id]).training_steps(10).learning_rate(1e-4).suffix("my-bot");
    /// let estimate = client.fine_tuning().jobs().dry_run(job.clone()).await?;
    /// println!("about {:?} s", estimate.expected_duration_seconds);
    /// let job = client.fine_tuning().jobs().create(job).await?;
    /// println!("started {}", job.id);
    /// # Ok(()) }
    /// ```
    #[deprecated(
        note = "the API retired the fine-tuning job routes (they answer 410 Gone); kept for servers of the seed era"
    )]
    pub fn create(&self, job: impl Into<JobRequest>) -> Pending<'c, JobOut> {
        Pending::new(&self.client, create_call(job.into(), false))
    }

    /// Estimates a job without starting it (`dry_run=true`).
    #[deprecated(
        note = "the API retired the fine-tuning job routes (they answer 410 Gone); kept for servers of the seed era"
    )]
    pub fn dry_run(&self, job: impl Into<JobRequest>) -> Pending<'c, JobMetadata> {
        Pending::new(&self.client, create_call(job.into(), true))
    }

    /// A job with its events and checkpoints (`jobs_api_routes_fine_tuning_get_fine_tuning_job`).
    #[deprecated(
        note = "the API retired the fine-tuning job routes (they answer 410 Gone); kept for servers of the seed era"
    )]
    pub fn get(&self, job_id: impl std::fmt::Display) -> Pending<'c, DetailedJobOut> {
        let id = job_id.to_string();
        Pending::new(&self.client, Ok(Call::with_path(&ops::JOBS_API_ROUTES_FINE_TUNING_GET_FINE_TUNING_JOB, &[&id])))
    }

    /// Asks a job to stop (`jobs_api_routes_fine_tuning_cancel_fine_tuning_job`).
    #[deprecated(
        note = "the API retired the fine-tuning job routes (they answer 410 Gone); kept for servers of the seed era"
    )]
    pub fn cancel(&self, job_id: impl std::fmt::Display) -> Pending<'c, DetailedJobOut> {
        let id = job_id.to_string();
        Pending::new(
            &self.client,
            Ok(Call::with_path(&ops::JOBS_API_ROUTES_FINE_TUNING_CANCEL_FINE_TUNING_JOB, &[&id])),
        )
    }

    /// Polls a job until it ends, yielding a snapshot each time it changes (status, events,
    /// checkpoints) and ending after a terminal status (see [`is_terminal`]). Polls start
    /// after [`WatchOptions::initial_interval`] and slow down by half each time nothing
    /// changed, up to [`WatchOptions::max_interval`].
    ///
    /// ```no_run
    /// # async fn demo(client: mistral_sdk::Client, job_id: uuid::Uuid) -> mistral_sdk::Result<()> {
    /// use futures::StreamExt;
    /// use mistral_sdk::WatchOptions;
    ///
    /// let mut watch = std::pin::pin!(client.fine_tuning().jobs().watch(job_id, WatchOptions::default()));
    /// while let Some(job) = watch.next().await {
    ///     let job = job?;
    ///     println!("{:?}, {} checkpoints", job.status, job.checkpoints.as_ref().map_or(0, Vec::len));
    /// }
    /// # Ok(()) }
    /// ```
    #[deprecated(
        note = "the API retired the fine-tuning job routes (they answer 410 Gone); kept for servers of the seed era"
    )]
    pub fn watch(
        &self,
        job_id: impl std::fmt::Display,
        options: WatchOptions,
    ) -> impl Stream<Item = Result<DetailedJobOut>> + Send + 'static {
        let client = self.client.clone().into_owned();
        let id = job_id.to_string();
        #[allow(deprecated)]
        let fetch = move || {
            let (client, id) = (client.clone(), id.clone());
            async move { client.fine_tuning().jobs().get(&id).await }
        };
        crate::watch::poll(fetch, options)
    }
}

impl crate::watch::Watched for DetailedJobOut {
    type Key = (String, i64, usize, usize);

    fn key(&self) -> Self::Key {
        (
            self.status.as_str(),
            self.modified_at,
            self.events.as_ref().map_or(0, Vec::len),
            self.checkpoints.as_ref().map_or(0, Vec::len),
        )
    }

    fn is_final(&self) -> bool {
        is_terminal(&self.status)
    }
}

fn create_call(job: JobRequest, dry_run: bool) -> Result<Call> {
    let extra = job.extra.clone();
    let job = job.build()?;
    Call::new(&ops::JOBS_API_ROUTES_FINE_TUNING_CREATE_FINE_TUNING_JOB)
        .query("dry_run", dry_run.then_some(true))
        .json(&crate::extra::Merged(&job, &extra))
}

/// Whether a job's status is final: `SUCCESS`, `FAILED`, `CANCELLED`, or a newer server's
/// `FAILED_VALIDATION`.
pub fn is_terminal(status: &JobStatus) -> bool {
    matches!(status, JobStatus::Known(KnownJobStatus::Success | KnownJobStatus::Failed | KnownJobStatus::Cancelled))
        || matches!(status, JobStatus::Other(s) if s == "FAILED_VALIDATION")
}

/// Filters for [`Jobs::list`]; unset filters are not sent.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct JobFilter {
    page: Option<u64>,
    page_size: Option<u64>,
    model: Option<String>,
    status: Option<String>,
    created_after: Option<DateTime<Utc>>,
    created_by_me: Option<bool>,
    wandb_project: Option<String>,
    wandb_name: Option<String>,
    suffix: Option<String>,
}

impl JobFilter {
    /// No filter.
    pub fn new() -> JobFilter {
        JobFilter::default()
    }
    /// The page, from 0.
    pub fn page(mut self, page: u64) -> Self {
        self.page = Some(page);
        self
    }
    /// Jobs per page.
    pub fn page_size(mut self, size: u64) -> Self {
        self.page_size = Some(size);
        self
    }
    /// Only jobs of this base model.
    pub fn model(mut self, model: impl Into<String>) -> Self {
        self.model = Some(model.into());
        self
    }
    /// Only jobs in this status.
    pub fn status(mut self, status: impl Into<JobStatus>) -> Self {
        self.status = Some(status.into().as_str());
        self
    }
    /// Only jobs created after this time.
    pub fn created_after(mut self, at: DateTime<Utc>) -> Self {
        self.created_after = Some(at);
        self
    }
    /// Only the caller's jobs.
    pub fn created_by_me(mut self, yes: bool) -> Self {
        self.created_by_me = Some(yes);
        self
    }
    /// Only jobs reporting to this Weights & Biases project.
    pub fn wandb_project(mut self, project: impl Into<String>) -> Self {
        self.wandb_project = Some(project.into());
        self
    }
    /// Only jobs with this Weights & Biases run name.
    pub fn wandb_name(mut self, name: impl Into<String>) -> Self {
        self.wandb_name = Some(name.into());
        self
    }
    /// Only jobs with this model suffix.
    pub fn suffix(mut self, suffix: impl Into<String>) -> Self {
        self.suffix = Some(suffix.into());
        self
    }
}

/// A job to create. Checked when sent: at least one training file, `training_steps` >= 1,
/// learning rate in 1e-8..=1, suffix of at most 18 characters.
///
/// ```
/// use mistral_sdk::JobRequest;
///
/// let id = uuid::Uuid::nil();
/// let job = JobRequest::new("open-mistral-7b", [id]).training_steps(10);
/// assert_eq!(
///     serde_json::to_value(job.build().unwrap()).unwrap(),
///     serde_json::json!({"model": "open-mistral-7b", "training_files": [id], "hyperparameters": {"training_steps": 10}})
/// );
/// assert!(JobRequest::new("open-mistral-7b", [id]).suffix("this suffix is too long").build().is_err());
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct JobRequest {
    model: String,
    training_files: Vec<uuid::Uuid>,
    validation_files: Vec<uuid::Uuid>,
    training_steps: Option<u64>,
    learning_rate: Option<f64>,
    suffix: Option<String>,
    extra: crate::extra::Extra,
}

impl JobRequest {
    /// Fine-tune `model` on these uploaded files.
    pub fn new(model: impl Into<String>, training_files: impl IntoIterator<Item = uuid::Uuid>) -> JobRequest {
        JobRequest {
            model: model.into(),
            training_files: training_files.into_iter().collect(),
            validation_files: Vec::new(),
            training_steps: None,
            learning_rate: None,
            suffix: None,
            extra: Default::default(),
        }
    }
    /// Files to validate on.
    pub fn validation_files(mut self, files: impl IntoIterator<Item = uuid::Uuid>) -> Self {
        self.validation_files = files.into_iter().collect();
        self
    }
    /// Optimisation steps.
    pub fn training_steps(mut self, steps: u64) -> Self {
        self.training_steps = Some(steps);
        self
    }
    /// Learning rate (server default 1e-4).
    pub fn learning_rate(mut self, rate: f64) -> Self {
        self.learning_rate = Some(rate);
        self
    }
    /// Added to the fine-tuned model's name.
    pub fn suffix(mut self, suffix: impl Into<String>) -> Self {
        self.suffix = Some(suffix.into());
        self
    }

    /// The wire request, or what is wrong with it.
    /// Sends this body field too (a field this release does not name yet), over a typed one of
    /// the same name.
    pub fn extra(mut self, name: impl Into<String>, value: impl Into<serde_json::Value>) -> Self {
        self.extra.insert(name, value);
        self
    }

    /// The wire request (without the [`extra`](Self::extra) fields).
    pub fn build(self) -> Result<JobIn> {
        let mut problems = Vec::new();
        if self.training_files.is_empty() {
            problems.push("a job needs at least one training file".to_string());
        }
        let training_steps = match self.training_steps {
            Some(n) => NonZeroU64::new(n).or_else(|| {
                problems.push("training_steps must be at least 1".into());
                None
            }),
            None => None,
        };
        if let Some(lr) = self.learning_rate
            && !(1e-8..=1.0).contains(&lr)
        {
            problems.push(format!("learning_rate must be in 1e-8..=1, is {lr}"));
        }
        let suffix = match self.suffix {
            Some(s) => JobInSuffix::try_from(s.as_str())
                .map_err(|_| problems.push(format!("suffix {s:?} is longer than 18 characters")))
                .ok(),
            None => None,
        };
        if !problems.is_empty() {
            return Err(Error::InvalidRequest(problems.join("; ")));
        }
        let model = match KnownFineTuneableModel::try_from(self.model.as_str()) {
            Ok(known) => FineTuneableModel::Known(known),
            Err(_) => FineTuneableModel::Other(self.model),
        };
        Ok(JobIn {
            model,
            training_files: self.training_files,
            validation_files: (!self.validation_files.is_empty()).then_some(self.validation_files),
            hyperparameters: TrainingParameters { training_steps, learning_rate: self.learning_rate },
            suffix,
            integrations: None,
        })
    }
}
