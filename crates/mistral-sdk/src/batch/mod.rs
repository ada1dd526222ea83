//! `/v1/batch/jobs`: [`Batch`], [`BatchJobs`] (list, pages, create, get, cancel, delete,
//! watch), the [`BatchRequest`] builder and [`BatchFilter`]; the high-level [`BatchRunner`]
//! is in `runner`, the result lines in `results`.

mod request;
mod results;
mod runner;
mod source;

pub use request::{BatchFilter, BatchRequest};
pub use results::{BatchLineError, BatchResult, BatchResults};
pub use runner::{BatchProgress, BatchRunner, Batchable};
pub use source::BatchSource;

use std::borrow::Cow;

use futures::Stream;
use mistral_openapi::operations as ops;

use crate::client::Client;
use crate::ext::JobStatusExt;
use crate::pending::{Pending, group};
use crate::transport::Call;
use crate::types::{BatchJob, BatchJobStatus, DeleteBatchJobResponse, KnownBatchJobStatus, ListBatchJobsResponse};
use crate::watch::WatchOptions;

group!(
    /// Batch inference: jobs over many requests at a lower price ([`Batch::jobs`]), and a
    /// runner that writes, uploads, watches and reads a whole batch of typed requests
    /// ([`Batch::runner`]).
    Batch,
    batch
);

impl<'c> Batch<'c> {
    /// The batch job operations.
    pub fn jobs(&self) -> BatchJobs<'c> {
        BatchJobs { client: self.client.clone() }
    }

    /// A [`BatchRunner`] for requests of type `T` (chat, FIM, embeddings, moderation,
    /// classification, OCR), with this handle's options.
    pub fn runner<T: Batchable>(&self) -> BatchRunner<T> {
        BatchRunner::new(&self.client)
    }
}

/// Batch jobs. Get it from [`Batch::jobs`].
#[derive(Debug, Clone)]
pub struct BatchJobs<'c> {
    client: Cow<'c, Client>,
}

impl<'c> BatchJobs<'c> {
    /// One page of jobs (`jobs_api_routes_batch_get_batch_jobs`); only the filters you set are
    /// sent.
    ///
    /// ```no_run
    /// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
    /// use mistral_sdk::BatchFilter;
    /// use mistral_sdk::types::KnownBatchJobStatus;
    ///
    /// let page = client.batch().jobs().list(BatchFilter::new().status(KnownBatchJobStatus::Running)).await?;
    /// println!("{} running", page.total);
    /// for job in page.data {
    ///     println!("{} {}/{}", job.id, job.completed_requests, job.total_requests);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list(&self, filter: BatchFilter) -> Pending<'c, ListBatchJobsResponse> {
        Pending::new(&self.client, Ok(filter.apply(Call::new(&ops::JOBS_API_ROUTES_BATCH_GET_BATCH_JOBS))))
    }

    /// Every page of the jobs `filter` selects, from its `page` (default 0) on, until a page
    /// comes back short or `total` jobs were seen. Pages are fetched as the stream is polled.
    ///
    /// ```no_run
    /// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
    /// use futures::TryStreamExt;
    /// use mistral_sdk::BatchFilter;
    ///
    /// let pages: Vec<_> = client.batch().jobs().pages(BatchFilter::new().page_size(50)).try_collect().await?;
    /// let jobs = pages.iter().map(|p| p.data.len()).sum::<usize>();
    /// # let _ = jobs;
    /// # Ok(()) }
    /// ```
    pub fn pages(&self, filter: BatchFilter) -> impl Stream<Item = crate::Result<ListBatchJobsResponse>> + Send + 'c {
        let size = filter.page_size.unwrap_or(DEFAULT_PAGE_SIZE);
        let first = filter.page.unwrap_or(0);
        let call = move |page, size| {
            filter.clone().page(page).page_size(size).apply(Call::new(&ops::JOBS_API_ROUTES_BATCH_GET_BATCH_JOBS))
        };
        crate::paging::pages(self.client.clone(), first, size, call, |out: &ListBatchJobsResponse| {
            (out.data.len(), u64::try_from(out.total).ok())
        })
    }

    /// Creates a job (`jobs_api_routes_batch_create_batch_job`) over uploaded input files or
    /// inline requests.
    ///
    /// ```no_run
    /// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
    /// use mistral_sdk::{BatchRequest, ChatRequest};
    /// use mistral_sdk::types::KnownApiEndpoint;
    ///
    /// let job = BatchRequest::new(KnownApiEndpoint::V1ChatCompletions)
    ///     .model("mistral-small-latest")
    ///     .request("q1", ChatRequest::new("mistral-small-latest").user("Best French cheese?"))
    ///     .request("q2", ChatRequest::new("mistral-small-latest").user("Best French wine?"))
    ///     .metadata([("team", "search")])
    ///     .timeout_hours(24);
    /// let job = client.batch().jobs().create(job).await?;
    /// println!("{} is {:?}", job.id, job.status);
    /// # Ok(()) }
    /// ```
    pub fn create(&self, request: impl Into<BatchRequest>) -> Pending<'c, BatchJob> {
        let call =
            request.into().build().and_then(|job| Call::new(&ops::JOBS_API_ROUTES_BATCH_CREATE_BATCH_JOB).json(&job));
        Pending::new(&self.client, call)
    }

    /// A job: status, counters, output and error files (`jobs_api_routes_batch_get_batch_job`).
    ///
    /// ```no_run
    /// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
    /// let job = client.batch().jobs().get("b6f7c2a0-1111-4e5f-9a0b-1c2d3e4f5a6b").await?;
    /// println!("{}: {}/{} done", job.id, job.completed_requests, job.total_requests);
    /// # Ok(()) }
    /// ```
    pub fn get(&self, job_id: impl std::fmt::Display) -> Pending<'c, BatchJob> {
        Pending::new(&self.client, Ok(get_call(&job_id.to_string(), false)))
    }

    /// A job with its results inline in `outputs` (`?inline=true`), for jobs of inline
    /// requests.
    pub fn get_inline(&self, job_id: impl std::fmt::Display) -> Pending<'c, BatchJob> {
        Pending::new(&self.client, Ok(get_call(&job_id.to_string(), true)))
    }

    /// Asks a job to stop (`jobs_api_routes_batch_cancel_batch_job`): it goes through
    /// `CANCELLATION_REQUESTED` to `CANCELLED`.
    ///
    /// ```no_run
    /// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
    /// let job = client.batch().jobs().cancel("b6f7c2a0-1111-4e5f-9a0b-1c2d3e4f5a6b").await?;
    /// println!("{:?}", job.status);
    /// # Ok(()) }
    /// ```
    pub fn cancel(&self, job_id: impl std::fmt::Display) -> Pending<'c, BatchJob> {
        let id = job_id.to_string();
        Pending::new(&self.client, Ok(Call::with_path(&ops::JOBS_API_ROUTES_BATCH_CANCEL_BATCH_JOB, &[&id])))
    }

    /// Deletes a job (`jobs_api_routes_batch_delete_batch_job`).
    ///
    /// ```no_run
    /// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
    /// let gone = client.batch().jobs().delete("b6f7c2a0-1111-4e5f-9a0b-1c2d3e4f5a6b").await?;
    /// assert_eq!(gone.deleted, Some(true));
    /// # Ok(()) }
    /// ```
    pub fn delete(&self, job_id: impl std::fmt::Display) -> Pending<'c, DeleteBatchJobResponse> {
        let id = job_id.to_string();
        Pending::new(&self.client, Ok(Call::with_path(&ops::JOBS_API_ROUTES_BATCH_DELETE_BATCH_JOB, &[&id])))
    }

    /// Polls a job until it ends, yielding a snapshot each time its status or counters change
    /// and ending after a terminal status (see [`BatchJobExt::is_done`]). Polls start after
    /// [`WatchOptions::initial_interval`] and slow down by half each time nothing changed, up
    /// to [`WatchOptions::max_interval`]; the stream ends with the first error.
    ///
    /// ```no_run
    /// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
    /// use futures::StreamExt;
    /// use mistral_sdk::{BatchJobExt, WatchOptions};
    ///
    /// let mut watch = std::pin::pin!(client.batch().jobs().watch("7c2f8a61-3b4d-4e5f-9a0b-1c2d3e4f5a6b", WatchOptions::default()));
    /// while let Some(job) = watch.next().await {
    ///     let progress = job?.progress();
    ///     println!("{}: {}/{} done, {} failed", progress.status, progress.completed, progress.total, progress.failed);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn watch(
        &self,
        job_id: impl std::fmt::Display,
        options: WatchOptions,
    ) -> impl Stream<Item = crate::Result<BatchJob>> + Send + 'static {
        let client = self.client.clone().into_owned();
        let id = job_id.to_string();
        let fetch = move || {
            let (client, id) = (client.clone(), id.clone());
            async move { client.json(get_call(&id, false)).await }
        };
        crate::watch::poll(fetch, options)
    }
}

fn get_call(id: &str, inline: bool) -> Call {
    Call::with_path(&ops::JOBS_API_ROUTES_BATCH_GET_BATCH_JOB, &[id]).query("inline", inline.then_some(true))
}

const DEFAULT_PAGE_SIZE: u64 = 100;

impl crate::watch::Watched for BatchJob {
    type Key = (String, i64, i64, i64, i64);

    fn key(&self) -> Self::Key {
        (
            self.status.as_str(),
            self.total_requests,
            self.completed_requests,
            self.succeeded_requests,
            self.failed_requests,
        )
    }

    fn is_final(&self) -> bool {
        self.is_done()
    }
}

impl JobStatusExt for BatchJobStatus {
    fn as_str(&self) -> String {
        match self {
            BatchJobStatus::Known(k) => k.to_string(),
            BatchJobStatus::Other(s) => s.clone(),
        }
    }
}

/// Reading a batch job: whether it ended, and how far it is.
///
/// ```
/// use mistral_sdk::BatchJobExt;
/// use mistral_sdk::types::BatchJob;
///
/// let job: BatchJob = serde_json::from_value(serde_json::json!({
///     "id": "b1", "input_files": [], "endpoint": "/v1/embeddings", "errors": [], "status": "RUNNING",
///     "created_at": 1, "total_requests": 4, "completed_requests": 3, "succeeded_requests": 2, "failed_requests": 1
/// })).unwrap();
/// assert!(!job.is_done());
/// let progress = job.progress();
/// assert_eq!((progress.completed, progress.failed, progress.total), (3, 1, 4));
/// assert_eq!(progress.fraction(), 0.75);
/// ```
pub trait BatchJobExt {
    /// Whether the job ended: `SUCCESS`, `FAILED`, `TIMEOUT_EXCEEDED` or `CANCELLED`.
    fn is_done(&self) -> bool;
    /// Its status and counters.
    fn progress(&self) -> BatchProgress;
}

impl BatchJobExt for BatchJob {
    fn is_done(&self) -> bool {
        matches!(
            self.status,
            BatchJobStatus::Known(
                KnownBatchJobStatus::Success
                    | KnownBatchJobStatus::Failed
                    | KnownBatchJobStatus::TimeoutExceeded
                    | KnownBatchJobStatus::Cancelled
            )
        )
    }

    fn progress(&self) -> BatchProgress {
        let count = |n: i64| u64::try_from(n).unwrap_or(0);
        BatchProgress {
            job_id: self.id.clone(),
            status: self.status.as_str(),
            total: count(self.total_requests),
            completed: count(self.completed_requests),
            succeeded: count(self.succeeded_requests),
            failed: count(self.failed_requests),
        }
    }
}
