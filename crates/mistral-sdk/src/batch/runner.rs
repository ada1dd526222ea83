//! [`BatchRunner`]: typed requests in, typed results out, through an uploaded JSONL file, a
//! batch job and its output and error files; [`Batchable`]: the requests it runs.

use std::marker::PhantomData;
use std::sync::{Arc, Mutex, MutexGuard};

use bytes::Bytes;
use futures::StreamExt;
use futures::stream::BoxStream;
use mistral_openapi::operations::{self as ops, Operation};
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::request::MAX_INLINE_REQUESTS;
use super::source::Items;
use super::{BatchJobExt, BatchRequest, BatchResults, BatchSource};
use crate::client::Client;
use crate::error::{Error, Result};
use crate::files::FileUpload;
use crate::types::{BatchJob, ChatCompletionResponse, FimCompletionResponse};
use crate::watch::WatchOptions;
use crate::{ChatRequest, EmbeddingsRequest, EmbeddingsResponse, FimRequest};

/// A request that can run in a batch: its JSON body, the operation it goes to, and the type
/// of its answer.
pub trait Batchable: Serialize + Send + 'static {
    /// The answer of one request.
    type Response: DeserializeOwned + Send + 'static;
    /// The operation the request goes to (every request of a batch goes to the same one).
    fn operation(&self) -> &'static Operation;
    /// The model it names, used for the job when the runner sets none.
    fn model(&self) -> Option<&str>;
    /// What the server would refuse (see each request type's `validate`).
    fn check(&self) -> Result<()>;
}

impl Batchable for ChatRequest {
    type Response = ChatCompletionResponse;
    fn operation(&self) -> &'static Operation {
        &ops::CREATE_CHAT_COMPLETION
    }
    fn model(&self) -> Option<&str> {
        Some(&self.as_wire().model)
    }
    fn check(&self) -> Result<()> {
        self.validate()
    }
}

impl Batchable for FimRequest {
    type Response = FimCompletionResponse;
    fn operation(&self) -> &'static Operation {
        &ops::CREATE_FIM_COMPLETION
    }
    fn model(&self) -> Option<&str> {
        Some(&self.as_wire().model)
    }
    fn check(&self) -> Result<()> {
        self.validate()
    }
}

impl Batchable for EmbeddingsRequest {
    type Response = EmbeddingsResponse;
    fn operation(&self) -> &'static Operation {
        &ops::CREATE_EMBEDDING
    }
    fn model(&self) -> Option<&str> {
        Some(&self.as_wire().model)
    }
    fn check(&self) -> Result<()> {
        self.validate()
    }
}

/// How far a batch job is: its status and request counters.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct BatchProgress {
    /// The job.
    pub job_id: String,
    /// `QUEUED`, `RUNNING`, `SUCCESS`... as sent.
    pub status: String,
    /// Requests in the job (0 until the server counted them).
    pub total: u64,
    /// Requests done, successfully or not.
    pub completed: u64,
    /// Requests that succeeded.
    pub succeeded: u64,
    /// Requests that failed.
    pub failed: u64,
}

impl BatchProgress {
    /// `completed / total`, 0 while the total is unknown.
    pub fn fraction(&self) -> f64 {
        if self.total == 0 { 0.0 } else { self.completed as f64 / self.total as f64 }
    }
}

type OnProgress = Arc<dyn Fn(&BatchProgress) + Send + Sync>;

/// Runs a whole batch of typed requests: writes them as JSONL straight into the upload (line
/// by line as it is sent: memory stays bounded whatever the batch's size), uploads it
/// (purpose `batch`), creates the job, watches it (reporting progress), then reads the
/// output and error files as they download and yields one [`BatchResult`](crate::BatchResult)
/// per request, keyed by its custom id: the typed answer, or the error line. A run cut short
/// goes on from the job's id with [`BatchRunner::resume`].
///
/// ```no_run
/// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
/// use futures::StreamExt;
/// use mistral_sdk::{BatchSource, ChatRequest, ChatResponseExt};
///
/// let runner = client
///     .batch()
///     .runner::<ChatRequest>()
///     .metadata([("job", "nightly")])
///     .on_progress(|p| eprintln!("{}: {}/{} ({} failed)", p.status, p.completed, p.total, p.failed));
/// let questions = ["Best French cheese?", "Best French wine?"];
/// let source = BatchSource::replayable(move || {
///     questions.into_iter().enumerate().map(|(i, q)| (format!("q{i}"), ChatRequest::new("mistral-small-latest").user(q)))
/// });
/// let job = runner.submit(source).await?; // keep job.id to resume an interrupted run
/// let mut results = runner.resume(&job.id).await?;
/// while let Some(result) = results.next().await {
///     let result = result?;
///     match &result.result {
///         Ok(answer) => println!("{}: {}", result.custom_id, answer.text()),
///         Err(failure) => println!("{} failed: {failure}", result.custom_id),
///     }
/// }
/// # Ok(()) }
/// ```
pub struct BatchRunner<T> {
    client: Client,
    model: Option<String>,
    agent_id: Option<String>,
    metadata: Vec<(String, String)>,
    timeout_hours: Option<u64>,
    inline_up_to: usize,
    watch: WatchOptions,
    progress: Option<OnProgress>,
    upload_progress: Option<crate::upload::Progress>,
    file_name: String,
    requests: PhantomData<fn(T)>,
}

impl<T> std::fmt::Debug for BatchRunner<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BatchRunner")
            .field("model", &self.model)
            .field("agent_id", &self.agent_id)
            .field("metadata", &self.metadata)
            .field("timeout_hours", &self.timeout_hours)
            .field("inline_up_to", &self.inline_up_to)
            .field("watch", &self.watch)
            .field("file_name", &self.file_name)
            .finish_non_exhaustive()
    }
}

impl<T: Batchable> BatchRunner<T> {
    /// A runner using `client` (and its options).
    pub fn new(client: &Client) -> BatchRunner<T> {
        BatchRunner {
            client: client.clone(),
            model: None,
            agent_id: None,
            metadata: Vec::new(),
            timeout_hours: None,
            inline_up_to: 0,
            watch: WatchOptions::default(),
            progress: None,
            upload_progress: None,
            file_name: "batch.jsonl".into(),
            requests: PhantomData,
        }
    }

    /// The job's model (default: the first request's).
    pub fn model(mut self, model: impl Into<String>) -> Self {
        self.model = Some(model.into());
        self
    }

    /// Runs the requests with this agent.
    pub fn agent_id(mut self, agent_id: impl Into<String>) -> Self {
        self.agent_id = Some(agent_id.into());
        self
    }

    /// Adds metadata entries to the job.
    pub fn metadata(mut self, entries: impl IntoIterator<Item = (impl Into<String>, impl Into<String>)>) -> Self {
        self.metadata.extend(entries.into_iter().map(|(k, v)| (k.into(), v.into())));
        self
    }

    /// Stops the job after this many hours, 1..=168 (server default: 24).
    pub fn timeout_hours(mut self, hours: u64) -> Self {
        self.timeout_hours = Some(hours);
        self
    }

    /// Sends batches of at most `n` requests inline in the job (no file upload) instead
    /// (default 0: always upload; at most 10 000). The first `n + 1` requests are read to
    /// tell.
    pub fn inline_up_to(mut self, n: usize) -> Self {
        self.inline_up_to = n.min(MAX_INLINE_REQUESTS);
        self
    }

    /// How the job is polled (see [`WatchOptions`]).
    pub fn watch_options(mut self, options: WatchOptions) -> Self {
        self.watch = options;
        self
    }

    /// Called with each change of the job's status or counters while it runs.
    pub fn on_progress(mut self, report: impl Fn(&BatchProgress) + Send + Sync + 'static) -> Self {
        self.progress = Some(Arc::new(report));
        self
    }

    /// Called as the JSONL is uploaded, with the bytes sent so far (the total is not known in
    /// advance: `None`).
    pub fn on_upload_progress(mut self, report: impl Fn(u64, Option<u64>) + Send + Sync + 'static) -> Self {
        self.upload_progress = Some(Arc::new(report));
        self
    }

    /// The uploaded file's name (default `batch.jsonl`).
    pub fn file_name(mut self, name: impl Into<String>) -> Self {
        self.file_name = name.into();
        self
    }

    /// Submits, waits and reads the results: [`submit`](Self::submit) then
    /// [`resume`](Self::resume).
    pub async fn run(&self, source: impl Into<BatchSource<T>>) -> Result<BatchResults<T::Response>> {
        let job = self.submit(source).await?;
        self.resume(&job.id).await
    }

    /// Writes the requests into the upload as it is sent (a request the server would refuse
    /// stops it with [`Error::InvalidRequest`] naming its custom id), uploads it and creates
    /// the job; or, for at most [`inline_up_to`](Self::inline_up_to) requests, creates a job
    /// with them inline. Keep the job's id to [`resume`](Self::resume) later.
    pub async fn submit(&self, source: impl Into<BatchSource<T>>) -> Result<BatchJob> {
        let mut source = source.into();
        let Some(mut first) = source.items() else {
            return Err(Error::InvalidRequest("the batch's requests were already read".into()));
        };
        if self.inline_up_to > 0 {
            let mut head = Vec::new();
            while head.len() <= self.inline_up_to {
                match first.next().await {
                    Some(item) => head.push(item),
                    None => return self.create_inline(head).await,
                }
            }
            first = futures::stream::iter(head).chain(first).boxed();
        }
        let written = Arc::new(Mutex::new(Written::default()));
        let (state, replayable) = (written.clone(), source.is_replayable());
        let mut first = Some(first);
        let make = Box::new(move || {
            *lock(&state) = Written::default();
            let items = first
                .take()
                .or_else(|| source.items())
                .ok_or_else(|| Error::InvalidRequest("the batch's requests cannot be read again".into()))?;
            Ok(jsonl(items, state.clone()))
        });
        let mut upload = FileUpload::generated(self.file_name.clone(), replayable, make).purpose("batch");
        if let Some(report) = self.upload_progress.clone() {
            upload = upload.on_progress(move |sent, total| report(sent, total));
        }
        let uploaded = self.client.files().upload(upload).await;
        let written = std::mem::take(&mut *lock(&written));
        if let Some(problem) = written.problem {
            return Err(Error::InvalidRequest(problem));
        }
        let file = uploaded?;
        let Some(operation) = written.operation else {
            let _ = self.client.files().delete(file.id).await; // best effort: nothing to run
            return Err(Error::InvalidRequest("the batch has no requests".into()));
        };
        tracing::debug!(lines = written.lines, file = %file.id, "batch input uploaded");
        let request = self.job(operation, written.model).input_file(file.id);
        self.client.batch().jobs().create(request).await
    }

    async fn create_inline(&self, items: Vec<(String, T)>) -> Result<BatchJob> {
        let mut written = Written::default();
        let mut bodies = Vec::with_capacity(items.len());
        for (id, item) in &items {
            written.record(id, item).map_err(Error::InvalidRequest)?;
            match serde_json::to_value(item) {
                Ok(serde_json::Value::Object(body)) => bodies.push((id.clone(), body)),
                _ => return Err(Error::InvalidRequest(format!("request {id:?}: the body is not a JSON object"))),
            }
        }
        let Some(operation) = written.operation else {
            return Err(Error::InvalidRequest("the batch has no requests".into()));
        };
        let mut request = self.job(operation, written.model);
        for (id, body) in bodies {
            request.push_request(id, body);
        }
        self.client.batch().jobs().create(request).await
    }

    fn job(&self, operation: &'static Operation, first_model: Option<String>) -> BatchRequest {
        let mut job = BatchRequest::for_operation(operation).metadata(self.metadata.clone());
        if let Some(model) = self.model.clone().or(first_model) {
            job = job.model(model);
        }
        if let Some(agent) = &self.agent_id {
            job = job.agent_id(agent.clone());
        }
        if let Some(hours) = self.timeout_hours {
            job = job.timeout_hours(hours);
        }
        job
    }

    /// Watches the job until it ends (reporting progress), then reads its results: the output
    /// file's lines, then the error file's (or the job's inline `outputs`). A job that ended
    /// without any result (`FAILED`, `CANCELLED`... with neither file) is an
    /// [`Error::BatchFailed`]. Works on a job that already ended too.
    pub async fn resume(&self, job_id: impl std::fmt::Display) -> Result<BatchResults<T::Response>> {
        let jobs = self.client.batch().jobs();
        let mut watch = std::pin::pin!(jobs.watch(job_id, self.watch));
        let mut last = None;
        while let Some(job) = watch.next().await {
            let job = job?;
            if let Some(report) = &self.progress {
                report(&job.progress());
            }
            last = Some(job);
        }
        let mut job = last.ok_or_else(|| Error::stream("the job's watch ended without a snapshot"))?;
        // A job of inline requests gives its results inline, when asked.
        if job.outputs.is_none() && job.output_file.is_none() && job.error_file.is_none() && job.input_files.is_empty()
        {
            job = jobs.get_inline(&job.id).await?;
        }
        BatchResults::new(self.client.clone(), job)
    }
}

/// What the upload wrote so far (one attempt).
#[derive(Default)]
struct Written {
    operation: Option<&'static Operation>,
    model: Option<String>,
    lines: u64,
    /// Why the upload was stopped.
    problem: Option<String>,
}

impl Written {
    /// Checks one request and notes its operation and model.
    fn record<T: Batchable>(&mut self, id: &str, item: &T) -> std::result::Result<(), String> {
        item.check().map_err(|e| format!("request {id:?}: {e}"))?;
        let operation = item.operation();
        match self.operation {
            None => self.operation = Some(operation),
            Some(first) if first.id != operation.id => {
                return Err(format!(
                    "request {id:?} goes to {} but the batch's first request to {}: a batch has one endpoint",
                    operation.path, first.path
                ));
            }
            Some(_) => {}
        }
        if self.model.is_none() {
            self.model = item.model().map(str::to_string);
        }
        self.lines += 1;
        Ok(())
    }
}

fn lock(written: &Mutex<Written>) -> MutexGuard<'_, Written> {
    written.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Lines are sent in chunks of about this size: few syscalls, little memory.
const CHUNK: usize = 64 * 1024;

/// The requests as JSONL `{"custom_id": .., "body": ..}` lines, made as the upload reads them.
/// A request that cannot be sent stops the stream with an error, its reason kept in `written`.
fn jsonl<T: Batchable>(items: Items<T>, written: Arc<Mutex<Written>>) -> BoxStream<'static, std::io::Result<Bytes>> {
    #[derive(Serialize)]
    struct Line<'a, T> {
        custom_id: &'a str,
        body: &'a T,
    }
    futures::stream::unfold(Some(items), move |items| {
        let written = written.clone();
        async move {
            let mut items = items?;
            let mut buf = Vec::with_capacity(CHUNK + 1024);
            while buf.len() < CHUNK {
                let Some((id, item)) = items.next().await else {
                    return (!buf.is_empty()).then(|| (Ok(Bytes::from(buf)), None));
                };
                let line = lock(&written).record(&id, &item).and_then(|()| {
                    serde_json::to_writer(&mut buf, &Line { custom_id: &id, body: &item })
                        .map_err(|e| format!("request {id:?}: {e}"))
                });
                if let Err(problem) = line {
                    lock(&written).problem = Some(problem.clone());
                    return Some((Err(std::io::Error::other(problem)), None));
                }
                buf.push(b'\n');
            }
            Some((Ok(Bytes::from(buf)), Some(items)))
        }
    })
    .boxed()
}
