//! `/v1/files`: multipart upload, list, retrieve and delete.

use std::sync::Arc;

use axum::Json;
use axum::extract::{FromRequest, Multipart, Path, Request, State};
use axum::http::{StatusCode, header};
use bytes::Bytes;
use mistral_openapi::types::{
    DeleteFileOut, FilePurpose, FileSchema, FileVisibility, KnownFilePurpose, KnownFileVisibility, KnownSampleType,
    KnownSource, SampleType, Source,
};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::api_error::{ApiError, Detail, loc};
use crate::app::{App, now_ms};
use crate::dataset;
use crate::store::StoredFile;

/// Parses a path id: 422 `uuid_parsing` at `["path", name]` when it is not a UUID.
pub(crate) fn path_uuid(raw: &str, name: &str) -> Result<Uuid, ApiError> {
    Uuid::try_parse(raw).map_err(|e| {
        ApiError::invalid(
            Detail::new(
                "uuid_parsing",
                loc("path", &[Value::from(name)]),
                format!("Input should be a valid UUID, {e}"),
            )
            .with_input(Value::from(raw)),
        )
    })
}

fn body_error(message: impl Into<String>) -> ApiError {
    ApiError::invalid(Detail::new("value_error", loc("body", &[]), message))
}

fn multipart_error(e: &axum::extract::multipart::MultipartError, limit: usize) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError::too_large(limit)
    } else {
        body_error(format!("There was an error parsing the body: {}", e.body_text()))
    }
}

/// `POST /v1/files`
pub(crate) async fn upload(State(app): State<Arc<App>>, request: Request) -> Result<Json<Value>, ApiError> {
    let limit = app.options.upload_limit;
    let declared =
        request.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(ApiError::too_large(limit));
    }
    let mut multipart = Multipart::from_request(request, &()).await.map_err(|e| {
        ApiError::invalid(Detail::new(
            "missing",
            loc("body", &[Value::from("file")]),
            format!("Field required: send multipart/form-data with a 'file' part ({})", e.body_text()),
        ))
    })?;
    let mut file: Option<(String, Bytes)> = None;
    let mut purpose: Option<String> = None;
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => break,
            Err(e) => return Err(multipart_error(&e, limit)),
        };
        match field.name() {
            Some("file") => {
                let name = field.file_name().filter(|n| !n.is_empty()).unwrap_or("file").to_string();
                let bytes = field.bytes().await.map_err(|e| multipart_error(&e, limit))?;
                file = Some((name, bytes));
            }
            Some("purpose") => purpose = Some(field.text().await.map_err(|e| multipart_error(&e, limit))?),
            _ => {}
        }
    }
    if let Some(p) = purpose.as_deref().filter(|p| *p != "fine-tune") {
        return Err(ApiError::invalid(
            Detail::new("enum", loc("body", &[Value::from("purpose")]), "Input should be 'fine-tune'")
                .with_input(Value::from(p)),
        ));
    }
    let Some((filename, bytes)) = file else {
        return Err(ApiError::invalid(Detail::new("missing", loc("body", &[Value::from("file")]), "Field required")));
    };
    let stats = dataset::check(&bytes).map_err(|why| {
        ApiError::invalid(Detail::new(
            "value_error",
            loc("body", &[Value::from("file")]),
            format!("Invalid fine-tuning file {filename}: {why}"),
        ))
    })?;
    let meta = FileSchema {
        bytes: i64::try_from(bytes.len()).unwrap_or(i64::MAX),
        created_at: now_ms().div_euclid(1000),
        expires_at: None,
        filename,
        id: Uuid::new_v4(),
        mimetype: Some("application/jsonl".into()),
        num_lines: i64::try_from(stats.lines).ok(),
        object: "file".into(),
        purpose: FilePurpose::Known(KnownFilePurpose::FineTune),
        sample_type: SampleType::Known(KnownSampleType::Instruct),
        signature: None,
        source: Source::Known(KnownSource::Upload),
        visibility: Some(FileVisibility::Known(KnownFileVisibility::Workspace)),
    };
    let content = match &app.persist {
        Some(persist) => {
            persist.write_file(meta.id, &bytes).await?;
            None
        }
        None => Some(bytes),
    };
    let stored = StoredFile { meta: meta.clone(), tokens: stats.tokens, lines: stats.lines, content };
    app.with_store(|s| s.files.push(stored));
    app.save().await?;
    Ok(Json(file_json(&meta, None)))
}

/// A file's metadata as the server sends it: every field, `null` where unset; `deleted` on
/// retrieve.
fn file_json(meta: &FileSchema, deleted: Option<bool>) -> Value {
    let mut v = serde_json::to_value(meta).unwrap_or_default();
    if let Some(map) = v.as_object_mut() {
        for key in ["num_lines", "mimetype", "signature", "expires_at", "visibility"] {
            map.entry(key).or_insert(Value::Null);
        }
        if let Some(deleted) = deleted {
            map.insert("deleted".into(), json!(deleted));
        }
    }
    v
}

/// `GET /v1/files`
pub(crate) async fn list(State(app): State<Arc<App>>) -> Json<Value> {
    let data: Vec<Value> = app.with_store(|s| s.files.iter().rev().map(|f| file_json(&f.meta, None)).collect());
    Json(json!({"data": data, "object": "list", "total": data.len()}))
}

fn no_file(id: &str) -> ApiError {
    ApiError::not_found(format!("No file with id {id}"))
}

/// `GET /v1/files/{file_id}`
pub(crate) async fn retrieve(
    State(app): State<Arc<App>>,
    Path(file_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let id = path_uuid(&file_id, "file_id")?;
    app.with_store(|s| s.file(id).map(|f| Json(file_json(&f.meta, Some(false))))).ok_or_else(|| no_file(&file_id))
}

/// `DELETE /v1/files/{file_id}`
pub(crate) async fn delete(
    State(app): State<Arc<App>>,
    Path(file_id): Path<String>,
) -> Result<Json<DeleteFileOut>, ApiError> {
    let id = path_uuid(&file_id, "file_id")?;
    app.with_store(|s| s.remove_file(id)).ok_or_else(|| no_file(&file_id))?;
    if let Some(persist) = &app.persist {
        persist.remove_file(id).await;
    }
    app.save().await?;
    Ok(Json(DeleteFileOut { deleted: true, id, object: "file".into() }))
}
