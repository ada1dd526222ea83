//! `/v1/batch/jobs`: create (from batch input files and inline requests), list with filters
//! and pages, get (results inline on request), cancel, delete. The jobs run on the simulated
//! clock (see `crate::batch`), their requests through the mock's own routes (see [`run`]).

pub(crate) mod run;

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::body::Body;
use axum::extract::{Extension, Path, RawQuery, State};
use axum::http::HeaderMap;
use mistral_openapi::operations::{self as ops, Group, Operation};
use mistral_openapi::types::{FilePurpose, KnownBatchJobStatus, KnownFilePurpose};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::api_error::{ApiError, Detail, loc};
use crate::app::{App, now_ms};
use crate::auth::Caller;
use crate::batch::{BatchLine, BatchRecord, DEFAULT_TIMEOUT_HOURS};
use crate::query::{query_bool, query_error, query_int, query_list, query_map, query_time};
use crate::routes::files::{file_bytes, path_uuid};
use crate::routes::models::{self, Capability};
use crate::validate::{parse_json, read_body};

/// The operation of job creation in the spec.
const OPERATION: &Operation = &ops::JOBS_API_ROUTES_BATCH_CREATE_BATCH_JOB;

fn no_job(id: &str) -> ApiError {
    ApiError::not_found(format!("No batch job with id {id}"))
}

/// The endpoints a batch may target, as the spec lists them (`KnownApiEndpoint`).
fn known_endpoints() -> Vec<String> {
    mistral_spec::Spec::embedded()
        .ok()
        .and_then(|spec| spec.raw().pointer("/components/schemas/KnownApiEndpoint/enum")?.as_array().cloned())
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect()
}

/// What a model must be able to do to serve the requests of `op`.
fn capability(op: &Operation) -> Option<Capability> {
    match op.group {
        Group::Chat => Some(Capability::Chat),
        Group::Fim => Some(Capability::Fim),
        Group::Embeddings => Some(Capability::Embed),
        Group::Classifiers => Some(Capability::Moderation),
        Group::Ocr => Some(Capability::Ocr),
        Group::Audio => Some(Capability::Transcription),
        _ => None,
    }
}

/// A 422 detail about the body field at `at`.
fn body_detail(kind: &str, at: &[Value], msg: impl Into<String>, input: Value) -> Detail {
    Detail::new(kind, loc("body", at), msg).with_input(input)
}

/// The requests of the input files, in order, or the 422 details of the files that cannot be
/// used (unknown, not for batch).
async fn file_lines(app: &App, ids: &[Uuid]) -> Result<Vec<BatchLine>, Vec<Detail>> {
    let mut lines = Vec::new();
    let mut details = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        let at = [Value::from("input_files"), Value::from(i)];
        let Some((meta, bytes)) = file_bytes(app, *id).await else {
            let msg = format!("Value error, no file with id {id}");
            details.push(body_detail("value_error", &at, msg, Value::from(id.to_string())));
            continue;
        };
        if meta.purpose != FilePurpose::Known(KnownFilePurpose::Batch) {
            let msg = format!("Value error, file {id} was not uploaded with purpose batch");
            details.push(body_detail("value_error", &at, msg, Value::from(id.to_string())));
            continue;
        }
        // Checked on upload: JSON objects with a `body`, one a line.
        for text in String::from_utf8_lossy(&bytes).lines().filter(|l| !l.trim().is_empty()) {
            let Ok(value) = serde_json::from_str::<Value>(text) else { continue };
            lines.push(BatchLine {
                custom_id: value.get("custom_id").filter(|c| !c.is_null()).map(|c| match c {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                }),
                body: value.get("body").cloned().unwrap_or_else(|| json!({})),
            });
        }
    }
    if details.is_empty() { Ok(lines) } else { Err(details) }
}

/// `POST /v1/batch/jobs`
pub(crate) async fn create(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Value>, ApiError> {
    let bytes = read_body(body, &headers, app.options.body_limit).await?;
    let request = parse_json(&bytes)?;
    app.validators.check(OPERATION, &request)?;
    let field = |name: &str| request.get(name).filter(|v| !v.is_null());
    let endpoint = field("endpoint").and_then(Value::as_str).unwrap_or_default().to_string();
    let known = known_endpoints();
    let Some(operation) = run::endpoint_operation(&endpoint).filter(|_| known.contains(&endpoint)) else {
        let quoted: Vec<String> = known.iter().map(|e| format!("'{e}'")).collect();
        let msg = format!("Input should be {}", quoted.join(", "));
        return Err(ApiError::invalid(body_detail("enum", &["endpoint".into()], msg, Value::from(endpoint))));
    };
    let model = field("model").and_then(Value::as_str).map(str::to_string);
    if let (Some(model), Some(capability)) = (&model, capability(operation)) {
        models::check(&app, model, capability)?;
    }
    let input_files: Vec<Uuid> = field("input_files")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().and_then(|s| Uuid::try_parse(s).ok()))
        .collect();
    let mut lines = file_lines(&app, &input_files).await.map_err(ApiError::validation)?;
    for r in field("requests").and_then(Value::as_array).into_iter().flatten() {
        let custom_id = r.get("custom_id").and_then(Value::as_str).map(str::to_string);
        lines.push(BatchLine { custom_id, body: r.get("body").cloned().unwrap_or_else(|| json!({})) });
    }
    if lines.is_empty() {
        return Err(ApiError::bad_request("The batch has no requests: give input_files or requests"));
    }
    let record = BatchRecord {
        id: Uuid::new_v4(),
        owner: caller.owner,
        endpoint,
        operation: operation.id.to_string(),
        model,
        agent_id: field("agent_id").and_then(Value::as_str).map(str::to_string),
        metadata: field("metadata").and_then(Value::as_object).cloned(),
        input_files,
        lines,
        results: Vec::new(),
        created_ms: now_ms(),
        speed: app.options.speed,
        cancel_ms: None,
        timeout_hours: field("timeout_hours").and_then(Value::as_u64).unwrap_or(DEFAULT_TIMEOUT_HOURS),
        output_file: None,
        error_file: None,
        finished: false,
    };
    let out = record.to_json(record.created_ms, false);
    app.with_store(|s| s.batches.push(record));
    app.save().await?;
    Ok(Json(out))
}

/// The query parameters of the list that are not metadata filters.
const LIST_PARAMETERS: &[&str] =
    &["page", "page_size", "model", "agent_id", "metadata", "created_after", "created_by_me", "status", "order_by"];

/// The metadata a listed job must have: a `metadata` JSON object, and (as clients explode an
/// object parameter) every other unknown parameter.
fn metadata_filter(raw: Option<&str>, details: &mut Vec<Detail>) -> Map<String, Value> {
    let mut wanted = Map::new();
    for (name, value) in form_urlencoded::parse(raw.unwrap_or_default().as_bytes()) {
        if name == "metadata" {
            match serde_json::from_str::<Value>(&value) {
                Ok(Value::Object(map)) => wanted.extend(map),
                Ok(Value::Null) => {}
                _ => details.push(query_error("dict_type", "metadata", "Input should be a valid dictionary", &value)),
            }
        } else if !LIST_PARAMETERS.contains(&name.as_ref()) {
            wanted.insert(name.into_owned(), Value::from(value.into_owned()));
        }
    }
    wanted
}

fn status_name(value: &str) -> Option<KnownBatchJobStatus> {
    serde_json::from_value(Value::from(value)).ok()
}

/// `GET /v1/batch/jobs`: newest first (`order_by=created`: oldest first), filtered by
/// `model`, `agent_id`, `metadata`, `created_after`, `created_by_me` and `status` (repeated
/// or comma-separated), one page (`page` from 0, `page_size` default 100), with the `total`.
pub(crate) async fn list(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let q = query_map(raw.as_deref());
    let mut details = Vec::new();
    let page = query_int(&q, "page", 0, &mut details).unwrap_or(0);
    let page_size = query_int(&q, "page_size", 1, &mut details).unwrap_or(100);
    let created_after = query_time(&q, "created_after", &mut details);
    let by_me = query_bool(&q, "created_by_me", &mut details).unwrap_or(false);
    let statuses: Vec<String> = query_list(raw.as_deref(), "status");
    for bad in statuses.iter().filter(|s| status_name(s).is_none()) {
        let msg = "Input should be 'QUEUED', 'RUNNING', 'SUCCESS', 'FAILED', 'TIMEOUT_EXCEEDED', 'CANCELLATION_REQUESTED' or 'CANCELLED'";
        details.push(query_error("enum", "status", msg, bad));
    }
    let oldest_first = match q.get("order_by").map(String::as_str) {
        None | Some("-created") => false,
        Some("created") => true,
        Some(other) => {
            details.push(query_error("enum", "order_by", "Input should be 'created' or '-created'", other));
            false
        }
    };
    let metadata = metadata_filter(raw.as_deref(), &mut details);
    if !details.is_empty() {
        return Err(ApiError::validation(details));
    }
    let now = run::catch_up(&app).await?;
    let text = |name: &str| q.get(name).filter(|v| !v.is_empty() && v.as_str() != "null").cloned();
    let (model, agent) = (text("model"), text("agent_id"));
    let mut matched: Vec<Value> = app.with_store(|s| {
        s.batches
            .iter()
            .rev()
            .filter(|b| model.as_ref().is_none_or(|m| b.model.as_ref() == Some(m)))
            .filter(|b| agent.as_ref().is_none_or(|a| b.agent_id.as_ref() == Some(a)))
            .filter(|b| created_after.is_none_or(|t| b.created_ms.div_euclid(1000) > t))
            .filter(|b| !by_me || b.owner == caller.owner)
            .filter(|b| metadata.iter().all(|(k, v)| b.metadata.as_ref().and_then(|m| m.get(k)) == Some(v)))
            .filter(|b| statuses.is_empty() || statuses.iter().any(|st| status_name(st) == Some(b.state(now).status)))
            .map(|b| b.to_json(now, false))
            .collect()
    });
    if oldest_first {
        matched.reverse();
    }
    let total = matched.len();
    let skip = usize::try_from(page.saturating_mul(page_size)).unwrap_or(usize::MAX);
    let data: Vec<Value> =
        matched.into_iter().skip(skip).take(usize::try_from(page_size).unwrap_or(usize::MAX)).collect();
    Ok(Json(json!({"data": data, "object": "list", "total": total})))
}

/// `GET /v1/batch/jobs/{job_id}[?inline=true]`
pub(crate) async fn get(
    State(app): State<Arc<App>>,
    Path(job_id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let id = path_uuid(&job_id, "job_id")?;
    let q: HashMap<String, String> = query_map(raw.as_deref());
    let mut details = Vec::new();
    let inline = query_bool(&q, "inline", &mut details).unwrap_or(false);
    if !details.is_empty() {
        return Err(ApiError::validation(details));
    }
    let now = run::catch_up(&app).await?;
    app.with_store(|s| s.batch(id).map(|b| Json(b.to_json(now, inline)))).ok_or_else(|| no_job(&job_id))
}

/// `POST /v1/batch/jobs/{job_id}/cancel`: a queued or running job stops (the requests not yet
/// run never run); cancelling a cancelled job changes nothing; an ended job is a 400.
pub(crate) async fn cancel(State(app): State<Arc<App>>, Path(job_id): Path<String>) -> Result<Json<Value>, ApiError> {
    let id = path_uuid(&job_id, "job_id")?;
    let now = run::catch_up(&app).await?;
    let out = app.with_store(|s| {
        let job = s.batch_mut(id).ok_or_else(|| no_job(&job_id))?;
        let state = job.state(now);
        if state.is_active() {
            job.cancel_ms = Some(now);
        } else if !matches!(state.status, KnownBatchJobStatus::CancellationRequested | KnownBatchJobStatus::Cancelled) {
            return Err(ApiError::bad_request(format!(
                "Batch job {job_id} has already ended ({}) and cannot be cancelled",
                state.status
            )));
        }
        Ok(job.to_json(now, false))
    })?;
    app.save().await?;
    Ok(Json(out))
}

/// `DELETE /v1/batch/jobs/{job_id}`: the job is gone (its output and error files stay).
pub(crate) async fn delete(State(app): State<Arc<App>>, Path(job_id): Path<String>) -> Result<Json<Value>, ApiError> {
    let id = path_uuid(&job_id, "job_id")?;
    run::catch_up(&app).await?;
    let removed = app.with_store(|s| {
        let i = s.batches.iter().position(|b| b.id == id)?;
        Some(s.batches.remove(i))
    });
    removed.ok_or_else(|| no_job(&job_id))?;
    app.save().await?;
    Ok(Json(json!({"id": id, "object": "batch", "deleted": true})))
}
