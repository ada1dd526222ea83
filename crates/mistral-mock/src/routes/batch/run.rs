//! Running batch jobs: each request that is due on the simulated clock goes through the
//! mock's own route for the job's endpoint (so a batch line gets what the sync call gets), its
//! result is kept on the job, and an ended job's results are written as files.
//!
//! Work is done when something reads the state ([`catch_up`], called by the batch and file
//! routes): the requests due since the last read run then, in order, and no others.

use std::sync::Arc;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{Method, header};
use bytes::Bytes;
use mistral_openapi::operations::{self as ops, Operation};
use mistral_openapi::types::KnownSampleType;
use serde_json::Value;
use uuid::Uuid;

use crate::api_error::ApiError;
use crate::app::{App, dispatch, now_ms};
use crate::auth::Caller;
use crate::batch::{BatchLine, LineResult};
use crate::routes::files;
use crate::store::StoredFile;

/// The largest body of one request's answer that is kept (an OCR with images can be large).
const ANSWER_LIMIT: usize = 64 * 1024 * 1024;

/// The operation a batch endpoint (`/v1/chat/completions`) stands for: the table's `POST` at
/// that path, if it has no path parameters.
pub(crate) fn endpoint_operation(endpoint: &str) -> Option<&'static Operation> {
    ops::ALL
        .iter()
        .find(|op| op.method == ops::Method::Post && op.path == endpoint && op.path_params().next().is_none())
}

/// One request to run.
struct Work {
    job: Uuid,
    index: usize,
    operation: &'static Operation,
    model: Option<String>,
    owner: String,
    line: BatchLine,
}

/// Runs every request that is due, then writes the files of the jobs that ended; gives the
/// time it caught up to, which is the time a snapshot must be taken at (later, more requests
/// would be due than have run). Holds the runner lock, so that concurrent readers do not run a
/// request twice.
pub(crate) async fn catch_up(app: &Arc<App>) -> Result<i64, ApiError> {
    let _running = app.batch_runner.lock().await;
    let now = now_ms();
    let work: Vec<Work> = app.with_store(|s| {
        s.batches
            .iter()
            .filter(|b| !b.finished)
            .flat_map(|b| {
                let due = b.state(now).due;
                let operation = ops::by_id(&b.operation);
                (b.results.len()..due).filter_map(move |index| {
                    Some(Work {
                        job: b.id,
                        index,
                        operation: operation?,
                        model: b.model.clone(),
                        owner: b.owner.clone(),
                        line: b.lines.get(index)?.clone(),
                    })
                })
            })
            .collect()
    });
    let mut changed = !work.is_empty();
    for w in work {
        let result = run(app, w.operation, w.model.as_deref(), &w.owner, &w.line).await;
        app.with_store(|s| {
            if let Some(b) = s.batch_mut(w.job)
                && b.results.len() == w.index
            {
                b.results.push(result);
            }
        });
    }
    changed |= finish(app, now).await?;
    if changed {
        app.save().await?;
    }
    Ok(now)
}

/// Writes the output and error files of the jobs that have ended; whether any did.
async fn finish(app: &Arc<App>, now: i64) -> Result<bool, ApiError> {
    let ended: Vec<(Uuid, Vec<Value>, Vec<Value>)> = app.with_store(|s| {
        s.batches
            .iter()
            .filter(|b| !b.finished)
            .filter_map(|b| {
                let state = b.state(now);
                (state.is_final() && b.results.len() >= state.due)
                    .then(|| (b.id, b.result_lines(&state, true), b.result_lines(&state, false)))
            })
            .collect()
    });
    let any = !ended.is_empty();
    for (id, outputs, errors) in ended {
        let output = write(app, id, "output", KnownSampleType::BatchResult, &outputs).await?;
        let error = write(app, id, "error", KnownSampleType::BatchError, &errors).await?;
        app.with_store(|s| {
            let Some(b) = s.batch_mut(id) else { return };
            b.finished = true;
            b.output_file = output.as_ref().map(|f| f.meta.id);
            b.error_file = error.as_ref().map(|f| f.meta.id);
            s.files.extend(output.into_iter().chain(error));
        });
    }
    Ok(any)
}

/// A results file (`batch_<job>_output.jsonl`), when there are lines to write.
async fn write(
    app: &App,
    job: Uuid,
    kind: &str,
    sample_type: KnownSampleType,
    lines: &[Value],
) -> Result<Option<StoredFile>, ApiError> {
    if lines.is_empty() {
        return Ok(None);
    }
    let mut bytes = Vec::new();
    for line in lines {
        bytes.extend_from_slice(line.to_string().as_bytes());
        bytes.push(b'\n');
    }
    let name = format!("batch_{job}_{kind}.jsonl");
    files::generated(app, name, sample_type, Bytes::from(bytes)).await.map(Some)
}

/// Runs one request through the route of `operation`, with the job's model.
async fn run(
    app: &Arc<App>,
    operation: &'static Operation,
    model: Option<&str>,
    owner: &str,
    line: &BatchLine,
) -> LineResult {
    let mut body = line.body.clone();
    if let (Some(model), Some(map)) = (model, body.as_object_mut()) {
        map.insert("model".into(), Value::from(model));
    }
    if body.get("stream").and_then(Value::as_bool) == Some(true) {
        let error = ApiError::bad_request("Streaming is not available in batch requests: remove \"stream\"");
        return LineResult { status: error.status.as_u16(), body: error.body };
    }
    let (content_type, bytes) = match operation.body {
        ops::Body::Multipart => multipart(&body),
        _ => ("application/json".to_string(), body.to_string().into_bytes()),
    };
    let request = Request::builder()
        .method(Method::POST)
        .uri(operation.path)
        .header(header::CONTENT_TYPE, content_type)
        .header(header::CONTENT_LENGTH, bytes.len())
        .extension(Caller { owner: owner.to_string() })
        .body(Body::from(bytes));
    let request = match request {
        Ok(r) => r,
        Err(e) => return failure(ApiError::internal(format!("cannot build the request: {e}"))),
    };
    let response = dispatch(app, operation, request).await;
    let status = response.status().as_u16();
    match axum::body::to_bytes(response.into_body(), ANSWER_LIMIT).await {
        Ok(bytes) => LineResult {
            status,
            body: serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned())),
        },
        Err(e) => failure(ApiError::internal(format!("cannot read the answer: {e}"))),
    }
}

fn failure(error: ApiError) -> LineResult {
    LineResult { status: error.status.as_u16(), body: error.body }
}

/// A JSON body as `multipart/form-data` (for a multipart endpoint such as transcriptions):
/// strings, numbers and booleans as text fields, arrays as repeated fields, objects as JSON;
/// `file` (base64) as a file part.
fn multipart(body: &Value) -> (String, Vec<u8>) {
    let boundary = format!("mock-batch-{:016x}", crate::text::hash64(body.to_string().as_bytes()));
    let mut out = Vec::new();
    let mut field = |name: &str, filename: Option<&str>, data: &[u8]| {
        out.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"").as_bytes());
        if let Some(filename) = filename {
            out.extend_from_slice(format!("; filename=\"{filename}\"").as_bytes());
        }
        out.extend_from_slice(b"\r\n\r\n");
        out.extend_from_slice(data);
        out.extend_from_slice(b"\r\n");
    };
    let text = |v: &Value| v.as_str().map_or_else(|| v.to_string(), str::to_string);
    for (name, value) in body.as_object().into_iter().flatten() {
        let name = name.replace(['"', '\r', '\n'], "_");
        match value {
            Value::Null => {}
            Value::String(data) if name == "file" => {
                field(&name, Some("audio"), &crate::base64::decode(data.as_bytes()));
            }
            Value::Array(items) => items.iter().for_each(|item| field(&name, None, text(item).as_bytes())),
            other => field(&name, None, text(other).as_bytes()),
        }
    }
    out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn endpoints_are_the_tables_posts() {
        let chat = endpoint_operation(ops::CREATE_CHAT_COMPLETION.path).map(|o| o.id);
        assert_eq!(chat, Some(ops::CREATE_CHAT_COMPLETION.id));
        assert!(endpoint_operation(ops::FILES_API_ROUTES_RETRIEVE_FILE.path).is_none());
        assert!(endpoint_operation("/v1/nowhere").is_none());
        let (ct, body) = multipart(&json!({"model": "m", "timestamp_granularities": ["segment", "word"]}));
        let text = String::from_utf8_lossy(&body);
        assert!(ct.starts_with("multipart/form-data; boundary="));
        assert_eq!(text.matches("name=\"timestamp_granularities\"").count(), 2, "{text}");
    }
}
