//! [`BatchRequest`] (a job to create) and [`BatchFilter`] (which jobs to list).

use std::num::NonZeroU64;

use chrono::{DateTime, Utc};
use mistral_openapi::operations::Operation;
use serde::Serialize;
use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::transport::Call;
use crate::types::{
    ApiEndpoint, BatchJobStatus, BatchOrderBy, CreateBatchJobRequest, CreateBatchJobRequestMetadataValue,
    KnownApiEndpoint,
};

/// The most inline requests a job takes (the spec's `maxItems`).
pub(crate) const MAX_INLINE_REQUESTS: usize = 10_000;

/// A batch job to create: the endpoint every request goes to, and the requests, as uploaded
/// JSONL files ([`input_file`](Self::input_file)) or inline
/// ([`request`](Self::request), at most 10 000). Only what you set is sent. Mistakes (no
/// input, an input file id that is not a UUID, a timeout out of 1..=168 hours, a metadata
/// value empty or over 512 characters) surface as [`Error::InvalidRequest`] when sent.
///
/// ```
/// use mistral_sdk::{BatchRequest, EmbeddingsRequest};
/// use mistral_sdk::types::KnownApiEndpoint;
///
/// let job = BatchRequest::new(KnownApiEndpoint::V1Embeddings)
///     .model("mistral-embed")
///     .request("doc-1", EmbeddingsRequest::new("mistral-embed", ["first text"]))
///     .timeout_hours(12);
/// assert_eq!(
///     serde_json::to_value(job.build().unwrap()).unwrap(),
///     serde_json::json!({"endpoint": "/v1/embeddings", "model": "mistral-embed", "timeout_hours": 12,
///         "requests": [{"custom_id": "doc-1", "body": {"model": "mistral-embed", "input": ["first text"]}}]})
/// );
/// assert!(BatchRequest::new(KnownApiEndpoint::V1Embeddings).build().is_err()); // no input
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct BatchRequest {
    inner: CreateBatchJobRequest,
    problems: Vec<String>,
}

impl From<CreateBatchJobRequest> for BatchRequest {
    fn from(inner: CreateBatchJobRequest) -> Self {
        BatchRequest { inner, problems: Vec::new() }
    }
}

impl BatchRequest {
    /// A job whose requests go to `endpoint` (`KnownApiEndpoint::V1ChatCompletions`, ..., or
    /// `ApiEndpoint::Other(path)` for one this release does not name).
    pub fn new(endpoint: impl Into<ApiEndpoint>) -> BatchRequest {
        CreateBatchJobRequest {
            agent_id: None,
            endpoint: endpoint.into(),
            input_files: None,
            metadata: None,
            model: None,
            requests: None,
            timeout_hours: None,
        }
        .into()
    }

    /// A job whose requests go to `operation`'s path (e.g. `&operations::CREATE_EMBEDDING`).
    pub fn for_operation(operation: &'static Operation) -> BatchRequest {
        let endpoint = match KnownApiEndpoint::try_from(operation.path) {
            Ok(known) => ApiEndpoint::Known(known),
            Err(_) => ApiEndpoint::Other(operation.path.to_string()),
        };
        BatchRequest::new(endpoint)
    }

    /// Adds an uploaded JSONL file (purpose `batch`) of `{"custom_id": .., "body": {..}}` lines.
    pub fn input_file(mut self, file_id: impl std::fmt::Display) -> Self {
        let id = file_id.to_string();
        match uuid::Uuid::parse_str(&id) {
            Ok(id) => self.inner.input_files.get_or_insert_with(Vec::new).push(id),
            Err(_) => self.problems.push(format!("input file id {id:?} is not a UUID")),
        }
        self
    }

    /// Adds uploaded input files.
    pub fn input_files(self, file_ids: impl IntoIterator<Item = impl std::fmt::Display>) -> Self {
        file_ids.into_iter().fold(self, BatchRequest::input_file)
    }

    /// Adds an inline request: `body` is what the endpoint takes (a [`ChatRequest`](crate::ChatRequest),
    /// an [`EmbeddingsRequest`](crate::EmbeddingsRequest), a JSON object...), `custom_id` names
    /// its result.
    pub fn request(mut self, custom_id: impl Into<String>, body: impl Serialize) -> Self {
        let custom_id = custom_id.into();
        match serde_json::to_value(body) {
            Ok(Value::Object(body)) => self.push_request(custom_id, body),
            Ok(_) => self.problems.push(format!("request {custom_id:?}: the body is not a JSON object")),
            Err(e) => self.problems.push(format!("request {custom_id:?}: {e}")),
        }
        self
    }

    pub(crate) fn push_request(&mut self, custom_id: String, body: Map<String, Value>) {
        let request = crate::types::BatchRequest { body, custom_id: Some(custom_id) };
        self.inner.requests.get_or_insert_with(Vec::new).push(request);
    }

    /// The model every request uses (the requests' own `model` aside).
    pub fn model(mut self, model: impl Into<String>) -> Self {
        self.inner.model = Some(model.into());
        self
    }

    /// Runs the requests with this agent instead of a model.
    pub fn agent_id(mut self, agent_id: impl Into<String>) -> Self {
        self.inner.agent_id = Some(agent_id.into());
        self
    }

    /// Adds metadata entries (your own tags for the job; values of 1 to 512 characters).
    pub fn metadata(mut self, entries: impl IntoIterator<Item = (impl Into<String>, impl Into<String>)>) -> Self {
        for (key, value) in entries {
            let (key, value) = (key.into(), value.into());
            match CreateBatchJobRequestMetadataValue::try_from(value.as_str()) {
                Ok(v) => {
                    self.inner.metadata.get_or_insert_with(Default::default).insert(key, v);
                }
                Err(_) => self.problems.push(format!("metadata {key:?}: a value has 1 to 512 characters")),
            }
        }
        self
    }

    /// Stops the job after this many hours, 1..=168 (server default: 24).
    pub fn timeout_hours(mut self, hours: u64) -> Self {
        match NonZeroU64::new(hours).filter(|h| h.get() <= 168) {
            Some(h) => self.inner.timeout_hours = Some(h),
            None => self.problems.push(format!("timeout_hours must be in 1..=168, is {hours}")),
        }
        self
    }

    /// The wire request, or what is wrong with it.
    pub fn build(self) -> Result<CreateBatchJobRequest> {
        let mut problems = self.problems;
        let files = self.inner.input_files.as_ref().map_or(0, Vec::len);
        let requests = self.inner.requests.as_ref().map_or(0, Vec::len);
        if files == 0 && requests == 0 {
            problems.push("a batch job needs input files or inline requests".into());
        }
        if requests > MAX_INLINE_REQUESTS {
            problems
                .push(format!("at most {MAX_INLINE_REQUESTS} inline requests, not {requests}: upload them as a file"));
        }
        if problems.is_empty() { Ok(self.inner) } else { Err(Error::InvalidRequest(problems.join("; "))) }
    }
}

/// Which jobs [`BatchJobs::list`](crate::BatchJobs::list) and
/// [`BatchJobs::pages`](crate::BatchJobs::pages) select. Only what is set is sent.
///
/// ```
/// use mistral_sdk::BatchFilter;
/// use mistral_sdk::types::{KnownBatchJobStatus, KnownBatchOrderBy};
///
/// let filter = BatchFilter::new()
///     .status(KnownBatchJobStatus::Queued)
///     .status(KnownBatchJobStatus::Running)
///     .model("mistral-small-latest")
///     .order_by(KnownBatchOrderBy::Xcreated)
///     .page_size(20);
/// # let _ = filter;
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BatchFilter {
    pub(crate) page: Option<u64>,
    pub(crate) page_size: Option<u64>,
    model: Option<String>,
    agent_id: Option<String>,
    metadata: Option<Map<String, Value>>,
    created_after: Option<DateTime<Utc>>,
    created_by_me: Option<bool>,
    statuses: Vec<String>,
    order_by: Option<String>,
}

impl BatchFilter {
    /// Every job, the server's first page.
    pub fn new() -> BatchFilter {
        BatchFilter::default()
    }

    /// This page (from 0).
    pub fn page(mut self, page: u64) -> Self {
        self.page = Some(page);
        self
    }

    /// This many jobs per page.
    pub fn page_size(mut self, size: u64) -> Self {
        self.page_size = Some(size);
        self
    }

    /// Only jobs of this model.
    pub fn model(mut self, model: impl Into<String>) -> Self {
        self.model = Some(model.into());
        self
    }

    /// Only jobs of this agent.
    pub fn agent_id(mut self, agent_id: impl Into<String>) -> Self {
        self.agent_id = Some(agent_id.into());
        self
    }

    /// Only jobs with these metadata entries (sent as one JSON object).
    pub fn metadata(mut self, entries: impl IntoIterator<Item = (impl Into<String>, impl Into<Value>)>) -> Self {
        let map = self.metadata.get_or_insert_with(Map::new);
        map.extend(entries.into_iter().map(|(k, v)| (k.into(), v.into())));
        self
    }

    /// Only jobs created after this time.
    pub fn created_after(mut self, at: DateTime<Utc>) -> Self {
        self.created_after = Some(at);
        self
    }

    /// Only the caller's jobs (or, with `false`, everyone's).
    pub fn created_by_me(mut self, yes: bool) -> Self {
        self.created_by_me = Some(yes);
        self
    }

    /// Only jobs in this status (repeatable: any of them).
    pub fn status(mut self, status: impl Into<BatchJobStatus>) -> Self {
        self.statuses.push(crate::ext::JobStatusExt::as_str(&status.into()));
        self
    }

    /// The order: `KnownBatchOrderBy::Created` (oldest first) or `Xcreated` (`-created`,
    /// newest first).
    pub fn order_by(mut self, order: impl Into<BatchOrderBy>) -> Self {
        self.order_by = match order.into() {
            BatchOrderBy::Known(known) => Some(known.to_string()),
            BatchOrderBy::Other(other) => Some(other),
        };
        self
    }

    pub(crate) fn apply(&self, mut call: Call) -> Call {
        call = call
            .query("page", self.page)
            .query("page_size", self.page_size)
            .query("model", self.model.as_ref())
            .query("agent_id", self.agent_id.as_ref())
            .query("metadata", self.metadata.as_ref().map(|m| Value::Object(m.clone())))
            .query("created_after", self.created_after.map(|t| t.to_rfc3339()))
            .query("created_by_me", self.created_by_me)
            .query("order_by", self.order_by.as_ref());
        for status in &self.statuses {
            call = call.query("status", Some(status));
        }
        call
    }
}
