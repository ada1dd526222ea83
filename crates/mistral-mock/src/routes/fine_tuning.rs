//! `/v1/fine_tuning/jobs`: create (or dry-run), list with filters, get, cancel.

use std::sync::Arc;

use axum::Json;
use axum::body::Body;
use axum::extract::{Extension, Path, RawQuery, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use mistral_openapi::operations::{self, Operation};
use mistral_openapi::types::{JobIn, JobOut, JobsOut, KnownJobStatus, WandbIntegrationOut};
use serde_json::Value;
use uuid::Uuid;

use crate::api_error::{ApiError, Detail, loc};
use crate::app::{App, now_ms};
use crate::auth::Caller;
use crate::lifecycle::{self, JobRecord, status_name};
use crate::query::{query_bool, query_int, query_map, query_time};
use crate::routes::files::path_uuid;
use crate::routes::models::FINE_TUNEABLE;
use crate::validate::{parse_json, read_body};
use crate::wire;

/// The operation id of job creation in the spec.
pub(crate) const OPERATION: &Operation = &operations::JOBS_API_ROUTES_FINE_TUNING_CREATE_FINE_TUNING_JOB;

fn no_job(id: &str) -> ApiError {
    ApiError::not_found(format!("No fine-tuning job with id {id}"))
}

/// `ft:<base>:<owner>:<yyyymmdd>:<8 hex of the job id>`
fn fine_tuned_name(model: &str, owner: &str, created_ms: i64, id: Uuid) -> String {
    let date = chrono::DateTime::from_timestamp_millis(created_ms).unwrap_or_default().format("%Y%m%d");
    let hex = id.simple().to_string();
    format!("ft:{model}:{owner}:{date}:{}", &hex[..8])
}

/// `POST /v1/fine_tuning/jobs[?dry_run=true]`
pub(crate) async fn create(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let q = query_map(raw.as_deref());
    let mut details = Vec::new();
    let dry_run = query_bool(&q, "dry_run", &mut details).unwrap_or(false);
    if !details.is_empty() {
        return Err(ApiError::validation(details));
    }
    let bytes = read_body(body, &headers, app.options.body_limit).await?;
    let job: JobIn = app.validators.parse(OPERATION, parse_json(&bytes)?)?;
    let model = match serde_json::to_value(&job.model) {
        Ok(Value::String(m)) => m,
        _ => String::new(),
    };
    if !FINE_TUNEABLE.contains(&model.as_str()) {
        let allowed: Vec<String> = FINE_TUNEABLE.iter().map(|m| format!("'{m}'")).collect();
        details.push(
            Detail::new(
                "enum",
                loc("body", &[Value::from("model")]),
                format!("Input should be {}", allowed.join(" or ")),
            )
            .with_input(Value::from(model.as_str())),
        );
    }
    if job.hyperparameters.training_steps.is_none() {
        details.push(Detail::new(
            "missing",
            loc("body", &["hyperparameters".into(), "training_steps".into()]),
            "Field required",
        ));
    }
    let validation_files = job.validation_files.clone().unwrap_or_default();
    let data_tokens = app.with_store(|s| {
        let mut tokens = 0;
        for (field, ids) in [("training_files", &job.training_files), ("validation_files", &validation_files)] {
            for (i, id) in ids.iter().enumerate() {
                match s.file(*id) {
                    Some(f) if field == "training_files" => tokens += f.tokens,
                    Some(_) => {}
                    None => details.push(
                        Detail::new(
                            "value_error",
                            loc("body", &[field.into(), i.into()]),
                            format!("Value error, no file with id {id}"),
                        )
                        .with_input(Value::from(id.to_string())),
                    ),
                }
            }
        }
        tokens
    });
    if !details.is_empty() {
        return Err(ApiError::validation(details));
    }
    let steps = lifecycle::steps_of(&job.hyperparameters);
    if dry_run {
        let estimate = lifecycle::estimate(&model, steps, data_tokens);
        return Ok(Json(wire::with_nulls("JobMetadata", &estimate)).into_response());
    }
    let id = Uuid::new_v4();
    let created_ms = now_ms();
    let record = JobRecord {
        id,
        fine_tuned_model: fine_tuned_name(&model, &caller.owner, created_ms, id),
        model,
        training_files: job.training_files.clone(),
        validation_files,
        hyperparameters: job.hyperparameters.clone(),
        suffix: job.suffix.as_ref().map(|s| s.to_string()),
        integrations: job
            .integrations
            .iter()
            .flatten()
            .map(|i| WandbIntegrationOut {
                name: i.name.clone(),
                project: i.project.clone(),
                type_: Some("wandb".into()),
            })
            .collect(),
        owner: caller.owner,
        created_ms,
        speed: app.options.speed,
        cancel_ms: None,
        data_tokens,
    };
    let out: JobOut = record.to_out(created_ms);
    app.with_store(|s| s.jobs.push(record));
    app.save().await?;
    Ok(Json(wire::with_nulls("JobOut", &out)).into_response())
}

/// `GET /v1/fine_tuning/jobs`
pub(crate) async fn list(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    RawQuery(raw): RawQuery,
) -> Result<Json<serde_json::Value>, ApiError> {
    let q = query_map(raw.as_deref());
    let mut details = Vec::new();
    let page = query_int(&q, "page", 0, &mut details).unwrap_or(0);
    let page_size = query_int(&q, "page_size", 1, &mut details).unwrap_or(100);
    let created_after = query_time(&q, "created_after", &mut details);
    let by_me = query_bool(&q, "created_by_me", &mut details).unwrap_or(false);
    if !details.is_empty() {
        return Err(ApiError::validation(details));
    }
    let text = |name: &str| q.get(name).filter(|v| !v.is_empty() && v.as_str() != "null").cloned();
    let (model, status, suffix) = (text("model"), text("status"), text("suffix"));
    let (wandb_project, wandb_name) = (text("wandb_project"), text("wandb_name"));
    let now = now_ms();
    let matching: Vec<JobOut> = app.with_store(|s| {
        s.jobs
            .iter()
            .rev()
            .filter(|j| model.as_ref().is_none_or(|m| *m == j.model))
            .filter(|j| created_after.is_none_or(|t| j.created_ms.div_euclid(1000) > t))
            .filter(|j| !by_me || j.owner == caller.owner)
            .filter(|j| suffix.as_ref().is_none_or(|x| j.suffix.as_ref() == Some(x)))
            .filter(|j| wandb_project.as_ref().is_none_or(|p| j.integrations.iter().any(|i| i.project == *p)))
            .filter(|j| wandb_name.as_ref().is_none_or(|n| j.integrations.iter().any(|i| i.name.as_ref() == Some(n))))
            .map(|j| j.to_out(now))
            .filter(|j| {
                status.as_ref().is_none_or(|st| serde_json::to_value(&j.status).ok() == Some(Value::from(st.as_str())))
            })
            .collect()
    });
    let total = matching.len() as i64;
    let skip = usize::try_from(page.saturating_mul(page_size)).unwrap_or(usize::MAX);
    let data = matching.into_iter().skip(skip).take(usize::try_from(page_size).unwrap_or(usize::MAX)).collect();
    Ok(Json(wire::with_nulls("JobsOut", &JobsOut { data: Some(data), object: "list".into(), total: Some(total) })))
}

/// `GET /v1/fine_tuning/jobs/{job_id}`
pub(crate) async fn get(
    State(app): State<Arc<App>>,
    Path(job_id): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let id = path_uuid(&job_id, "job_id")?;
    app.with_store(|s| s.job(id).map(|j| Json(wire::with_nulls("DetailedJobOut", &j.to_detailed(now_ms())))))
        .ok_or_else(|| no_job(&job_id))
}

/// `POST /v1/fine_tuning/jobs/{job_id}/cancel`
pub(crate) async fn cancel(
    State(app): State<Arc<App>>,
    Path(job_id): Path<String>,
) -> Result<Json<serde_json::Value>, ApiError> {
    let id = path_uuid(&job_id, "job_id")?;
    let now = now_ms();
    let (out, changed) = app.with_store(|s| {
        let job = s.job_mut(id).ok_or_else(|| no_job(&job_id))?;
        match job.progress(now).status {
            KnownJobStatus::Queued | KnownJobStatus::Started | KnownJobStatus::Running => {
                job.cancel_ms = Some(now);
                Ok((job.to_detailed(now), true))
            }
            KnownJobStatus::CancellationRequested | KnownJobStatus::Cancelled => Ok((job.to_detailed(now), false)),
            done @ (KnownJobStatus::Success | KnownJobStatus::Failed) => Err(ApiError::bad_request(format!(
                "Job {job_id} has already finished ({}) and cannot be cancelled",
                status_name(done)
            ))),
            // A status this table does not know yet: left as it is.
            _ => Ok((job.to_detailed(now), false)),
        }
    })?;
    if changed {
        app.save().await?;
    }
    Ok(Json(wire::with_nulls("DetailedJobOut", &out)))
}
