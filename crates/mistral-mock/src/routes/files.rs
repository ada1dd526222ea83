//! `/v1/files`: multipart upload (fine-tuning, batch and OCR files), list with filters and
//! pages, retrieve, delete, download, and signed download URLs.

use std::sync::Arc;

use axum::Json;
use axum::body::Body;
use axum::extract::{Extension, FromRequest, Multipart, Path, RawQuery, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use mistral_openapi::operations as ops;
use mistral_openapi::types::{
    DeleteFileOut, FilePurpose, FileSchema, FileVisibility, KnownFilePurpose, KnownFileVisibility, KnownSampleType,
    KnownSource, SampleType, Source,
};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::api_error::{ApiError, Detail, loc};
use crate::app::{App, now_ms};
use crate::auth::Caller;
use crate::dataset;
use crate::query::{query_bool, query_int, query_int_in, query_list, query_map};
use crate::store::StoredFile;
use crate::text::hash64;

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

/// The parts of an upload form.
#[derive(Default)]
struct Form {
    /// File name, declared content type, bytes.
    file: Option<(String, Option<String>, Bytes)>,
    purpose: Option<String>,
    expiry: Option<String>,
    visibility: Option<String>,
}

async fn read_form(request: Request, limit: usize) -> Result<Form, ApiError> {
    let mut multipart = Multipart::from_request(request, &()).await.map_err(|e| {
        ApiError::invalid(Detail::new(
            "missing",
            loc("body", &[Value::from("file")]),
            format!("Field required: send multipart/form-data with a 'file' part ({})", e.body_text()),
        ))
    })?;
    let mut form = Form::default();
    loop {
        let field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => return Ok(form),
            Err(e) => return Err(ApiError::multipart(&e, limit)),
        };
        let name = field.name().unwrap_or_default().to_string();
        if name == "file" {
            let filename = field.file_name().filter(|n| !n.is_empty()).unwrap_or("file").to_string();
            let declared = field.content_type().map(str::to_string);
            let bytes = field.bytes().await.map_err(|e| ApiError::multipart(&e, limit))?;
            form.file = Some((filename, declared, bytes));
            continue;
        }
        let slot = match name.as_str() {
            "purpose" => &mut form.purpose,
            "expiry" => &mut form.expiry,
            "visibility" => &mut form.visibility,
            _ => continue,
        };
        *slot = Some(field.text().await.map_err(|e| ApiError::multipart(&e, limit))?);
    }
}

/// 422 `enum` for a form field: "Input should be 'a', 'b' or 'c'".
fn enum_error(field: &str, allowed: &[&str], input: &str) -> Detail {
    let quoted: Vec<String> = allowed.iter().map(|a| format!("'{a}'")).collect();
    let list = match quoted.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => String::new(),
    };
    Detail::new("enum", loc("body", &[Value::from(field)]), format!("Input should be {list}"))
        .with_input(Value::from(input))
}

/// What a file holds, as the checks of its purpose found it.
struct Inspected {
    sample_type: SampleType,
    lines: Option<u64>,
    tokens: u64,
}

/// Checks a batch input file: JSONL where every line is an object with a `body` object.
fn check_batch(bytes: &[u8]) -> Result<u64, String> {
    let text =
        std::str::from_utf8(bytes).map_err(|e| format!("the file is not valid UTF-8 (at byte {})", e.valid_up_to()))?;
    let mut lines = 0;
    for (i, line) in text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let value: Value = serde_json::from_str(line).map_err(|e| format!("line {} is not valid JSON: {e}", i + 1))?;
        if !value.get("body").is_some_and(Value::is_object) {
            return Err(format!("line {}: expected an object with a \"body\" object (the request)", i + 1));
        }
        lines += 1;
    }
    if lines == 0 {
        return Err("the file has no requests".into());
    }
    Ok(lines)
}

/// Checks the bytes for their purpose: fine-tuning examples, batch requests, or anything for
/// OCR (`sample_type` `ocr_input`, as the live server marks OCR uploads).
fn inspect(purpose: KnownFilePurpose, filename: &str, bytes: &[u8]) -> Result<Inspected, ApiError> {
    let invalid = |what: &str, why: String| {
        ApiError::invalid(Detail::new(
            "value_error",
            loc("body", &[Value::from("file")]),
            format!("Invalid {what} file {filename}: {why}"),
        ))
    };
    match purpose {
        KnownFilePurpose::FineTune => {
            let stats = dataset::check(bytes).map_err(|why| invalid("fine-tuning", why))?;
            Ok(Inspected {
                sample_type: SampleType::Known(KnownSampleType::Instruct),
                lines: Some(stats.lines),
                tokens: stats.tokens,
            })
        }
        KnownFilePurpose::Batch => {
            let lines = check_batch(bytes).map_err(|why| invalid("batch", why))?;
            Ok(Inspected {
                sample_type: SampleType::Known(KnownSampleType::BatchRequest),
                lines: Some(lines),
                tokens: 0,
            })
        }
        KnownFilePurpose::Ocr => {
            Ok(Inspected { sample_type: SampleType::Other("ocr_input".into()), lines: None, tokens: 0 })
        }
        // A purpose this table does not know yet: kept as sent, unchecked.
        _ => Ok(Inspected { sample_type: SampleType::Other("unknown".into()), lines: None, tokens: 0 }),
    }
}

/// The file's media type: the part's own (unless generic), else from its extension.
fn mimetype(filename: &str, declared: Option<&str>) -> String {
    if let Some(declared) = declared.filter(|d| !d.is_empty() && *d != "application/octet-stream") {
        return declared.to_string();
    }
    let extension = filename.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).unwrap_or_default();
    match extension.as_str() {
        "jsonl" => "application/jsonl",
        "json" => "application/json",
        "pdf" => "application/pdf",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        "txt" => "text/plain",
        "csv" => "text/csv",
        "md" => "text/markdown",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "pptx" => "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        _ => "application/octet-stream",
    }
    .to_string()
}

/// The form's purpose (default `fine-tune`), visibility (default `workspace`) and expiry
/// (hours), or the 422 details of what is wrong with them.
fn form_fields(form: &Form) -> Result<(KnownFilePurpose, KnownFileVisibility, Option<i64>), ApiError> {
    let mut details = Vec::new();
    let purpose = match form.purpose.as_deref() {
        None | Some("fine-tune") => KnownFilePurpose::FineTune,
        Some("batch") => KnownFilePurpose::Batch,
        Some("ocr") => KnownFilePurpose::Ocr,
        Some(other) => {
            details.push(enum_error("purpose", &["fine-tune", "batch", "ocr"], other));
            KnownFilePurpose::FineTune
        }
    };
    let visibility = match form.visibility.as_deref() {
        None | Some("workspace") => KnownFileVisibility::Workspace,
        Some("user") => KnownFileVisibility::User,
        Some(other) => {
            details.push(enum_error("visibility", &["workspace", "user"], other));
            KnownFileVisibility::Workspace
        }
    };
    let expiry = match form.expiry.as_deref().map(str::trim).filter(|e| !e.is_empty() && *e != "null") {
        None => None,
        Some(raw) => match raw.parse::<i64>() {
            Ok(hours) if hours >= 1 => Some(hours),
            Ok(_) => {
                let at = loc("body", &[Value::from("expiry")]);
                details.push(
                    Detail::new("greater_than_equal", at, "Input should be greater than or equal to 1")
                        .with_input(Value::from(raw)),
                );
                None
            }
            Err(_) => {
                let at = loc("body", &[Value::from("expiry")]);
                details.push(
                    Detail::new(
                        "int_parsing",
                        at,
                        "Input should be a valid integer, unable to parse string as an integer",
                    )
                    .with_input(Value::from(raw)),
                );
                None
            }
        },
    };
    if details.is_empty() { Ok((purpose, visibility, expiry)) } else { Err(ApiError::validation(details)) }
}

/// `POST /v1/files`
pub(crate) async fn upload(State(app): State<Arc<App>>, request: Request) -> Result<Json<Value>, ApiError> {
    let limit = app.options.upload_limit;
    let declared =
        request.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(ApiError::too_large(limit));
    }
    let form = read_form(request, limit).await?;
    let (purpose, visibility, expiry) = form_fields(&form)?;
    let Some((filename, declared_type, bytes)) = form.file else {
        return Err(ApiError::invalid(Detail::new("missing", loc("body", &[Value::from("file")]), "Field required")));
    };
    let found = inspect(purpose, &filename, &bytes)?;
    let created_at = now_ms().div_euclid(1000);
    let meta = FileSchema {
        bytes: i64::try_from(bytes.len()).unwrap_or(i64::MAX),
        created_at,
        expires_at: expiry.map(|hours| created_at.saturating_add(hours.saturating_mul(3600))),
        mimetype: Some(mimetype(&filename, declared_type.as_deref())),
        filename,
        id: Uuid::new_v4(),
        num_lines: found.lines.and_then(|n| i64::try_from(n).ok()),
        object: "file".into(),
        purpose: FilePurpose::Known(purpose),
        sample_type: found.sample_type,
        // A digest of the bytes, 16 hex digits as the live server's.
        signature: Some(format!("{:016x}", hash64(&bytes))),
        source: Source::Known(KnownSource::Upload),
        visibility: Some(FileVisibility::Known(visibility)),
    };
    let content = match &app.persist {
        Some(persist) => {
            persist.write_file(meta.id, &bytes).await?;
            None
        }
        None => Some(bytes),
    };
    let stored =
        StoredFile { meta: meta.clone(), tokens: found.tokens, lines: found.lines.unwrap_or_default(), content };
    app.with_store(|s| s.files.push(stored));
    app.save().await?;
    Ok(Json(file_json(&meta, None)))
}

/// A file the mock writes itself (a batch job's results), stored as an upload is (its bytes
/// in the data directory, if there is one) but not yet listed: the caller pushes it.
pub(crate) async fn generated(
    app: &App,
    filename: String,
    sample_type: KnownSampleType,
    bytes: Bytes,
) -> Result<StoredFile, ApiError> {
    let lines = bytes.split(|b| *b == b'\n').filter(|l| !l.is_empty()).count() as u64;
    let meta = FileSchema {
        bytes: i64::try_from(bytes.len()).unwrap_or(i64::MAX),
        created_at: now_seconds(),
        expires_at: None,
        mimetype: Some("application/jsonl".into()),
        filename,
        id: Uuid::new_v4(),
        num_lines: i64::try_from(lines).ok(),
        object: "file".into(),
        purpose: FilePurpose::Known(KnownFilePurpose::Batch),
        sample_type: SampleType::Known(sample_type),
        signature: Some(format!("{:016x}", hash64(&bytes))),
        source: Source::Known(KnownSource::Mistral),
        visibility: Some(FileVisibility::Known(KnownFileVisibility::Workspace)),
    };
    let content = match &app.persist {
        Some(persist) => {
            persist.write_file(meta.id, &bytes).await?;
            None
        }
        None => Some(bytes),
    };
    Ok(StoredFile { meta, tokens: 0, lines, content })
}

/// The metadata and bytes of the live file with this id, if there is one.
pub(crate) async fn file_bytes(app: &App, id: Uuid) -> Option<(FileSchema, Bytes)> {
    let now = now_seconds();
    let file = app.with_store(|s| s.file(id).filter(|f| live(f, now)).cloned())?;
    let bytes = match (file.content, &app.persist) {
        (Some(bytes), _) => bytes,
        (None, Some(persist)) => persist.read_file(id).await?,
        (None, None) => return None,
    };
    Some((file.meta, bytes))
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

fn now_seconds() -> i64 {
    now_ms().div_euclid(1000)
}

/// Whether the file has not expired (files uploaded with an `expiry` are gone after it).
fn live(file: &StoredFile, now: i64) -> bool {
    file.meta.expires_at.is_none_or(|at| at > now)
}

/// A field of the metadata as its wire string (`"fine-tune"`, `"instruct"`...).
fn wire(value: &impl serde::Serialize) -> String {
    match serde_json::to_value(value) {
        Ok(Value::String(s)) => s,
        _ => String::new(),
    }
}

/// `GET /v1/files`: newest first, filtered (`purpose`, `sample_type`, `source`, `mimetypes`
/// (`image/*` matches every image), `search` in the file name), one page (`page` from 0,
/// `page_size` default 100), with the `total` that matched (`null` with `include_total=false`).
pub(crate) async fn list(State(app): State<Arc<App>>, RawQuery(raw): RawQuery) -> Result<Json<Value>, ApiError> {
    let q = query_map(raw.as_deref());
    let mut details = Vec::new();
    let page = query_int(&q, "page", 0, &mut details).unwrap_or(0);
    let page_size = query_int(&q, "page_size", 1, &mut details).unwrap_or(100);
    let include_total = query_bool(&q, "include_total", &mut details).unwrap_or(true);
    if !details.is_empty() {
        return Err(ApiError::validation(details));
    }
    // Batch jobs that ended since the last look write their result files now.
    crate::routes::batch::run::catch_up(&app).await?;
    let list = |name: &str| query_list(raw.as_deref(), name);
    let (purposes, sample_types, sources, mimetypes) =
        (list("purpose"), list("sample_type"), list("source"), list("mimetypes"));
    let search = q.get("search").map(|s| s.to_lowercase()).filter(|s| !s.is_empty());
    let allows = |wanted: &[String], got: &str| wanted.is_empty() || wanted.iter().any(|w| w == got);
    let media = |got: Option<&str>| {
        let got = got.unwrap_or_default();
        mimetypes.is_empty()
            || mimetypes
                .iter()
                .any(|m| m == got || m.strip_suffix("/*").is_some_and(|kind| got.starts_with(&format!("{kind}/"))))
    };
    let now = now_seconds();
    let matched: Vec<Value> = app.with_store(|s| {
        s.files
            .iter()
            .rev()
            .filter(|f| live(f, now))
            .filter(|f| allows(&purposes, &wire(&f.meta.purpose)))
            .filter(|f| allows(&sample_types, &wire(&f.meta.sample_type)))
            .filter(|f| allows(&sources, &wire(&f.meta.source)))
            .filter(|f| media(f.meta.mimetype.as_deref()))
            .filter(|f| search.as_ref().is_none_or(|s| f.meta.filename.to_lowercase().contains(s)))
            .map(|f| file_json(&f.meta, None))
            .collect()
    });
    let total = matched.len();
    let skip = usize::try_from(page.saturating_mul(page_size)).unwrap_or(usize::MAX);
    let take = usize::try_from(page_size).unwrap_or(usize::MAX);
    let data: Vec<Value> = matched.into_iter().skip(skip).take(take).collect();
    Ok(Json(json!({"data": data, "object": "list", "total": if include_total { json!(total) } else { Value::Null }})))
}

fn no_file(id: &str) -> ApiError {
    ApiError::not_found(format!("No file with id {id}"))
}

/// The live file with this id (404 when there is none).
fn find(app: &App, raw: &str) -> Result<StoredFile, ApiError> {
    let id = path_uuid(raw, "file_id")?;
    let now = now_seconds();
    app.with_store(|s| s.file(id).filter(|f| live(f, now)).cloned()).ok_or_else(|| no_file(raw))
}

/// `GET /v1/files/{file_id}`
pub(crate) async fn retrieve(
    State(app): State<Arc<App>>,
    Path(file_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    crate::routes::batch::run::catch_up(&app).await?;
    Ok(Json(file_json(&find(&app, &file_id)?.meta, Some(false))))
}

/// `DELETE /v1/files/{file_id}`
pub(crate) async fn delete(
    State(app): State<Arc<App>>,
    Path(file_id): Path<String>,
) -> Result<Json<DeleteFileOut>, ApiError> {
    let id = find(&app, &file_id)?.meta.id;
    app.with_store(|s| s.remove_file(id)).ok_or_else(|| no_file(&file_id))?;
    if let Some(persist) = &app.persist {
        persist.remove_file(id).await;
    }
    app.save().await?;
    Ok(Json(DeleteFileOut { deleted: true, id, object: "file".into() }))
}

/// Bytes per body frame of a download.
const FRAME: usize = 64 * 1024;

/// The signature of a signed URL for file `id` valid until `expires` (Unix seconds).
fn sign(id: Uuid, expires: i64) -> String {
    format!("{:016x}", hash64(format!("{id}:{expires}:mistral-mock signed url").as_bytes()))
}

/// `GET /v1/files/{file_id}/content`: the stored bytes, streamed. With a bearer key, or
/// through a signed URL (`expires` and `signature`, see [`signed_url`]) without one.
pub(crate) async fn download(
    State(app): State<Arc<App>>,
    caller: Option<Extension<Caller>>,
    Path(file_id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let q = query_map(raw.as_deref());
    if let Some(signature) = q.get("signature") {
        let id = path_uuid(&file_id, "file_id")?;
        let expires = q.get("expires").and_then(|e| e.parse::<i64>().ok()).unwrap_or(i64::MIN);
        if *signature != sign(id, expires) || expires < now_seconds() {
            return Err(ApiError::object(
                StatusCode::FORBIDDEN,
                "Invalid or expired signature",
                "invalid_request_error",
                Some("403"),
            ));
        }
    } else if caller.is_none() {
        return Err(ApiError::unauthorized());
    }
    crate::routes::batch::run::catch_up(&app).await?;
    let file = find(&app, &file_id)?;
    let bytes = match (file.content, &app.persist) {
        (Some(bytes), _) => bytes,
        (None, Some(persist)) => persist.read_file(file.meta.id).await.ok_or_else(|| no_file(&file_id))?,
        (None, None) => return Err(no_file(&file_id)),
    };
    let frames: Vec<Result<Bytes, std::convert::Infallible>> =
        (0..bytes.len()).step_by(FRAME).map(|at| Ok(bytes.slice(at..(at + FRAME).min(bytes.len())))).collect();
    let disposition = format!("attachment; filename=\"{}\"", file.meta.filename.replace(['"', '\r', '\n'], "_"));
    let mut response = (StatusCode::OK, Body::from_stream(futures::stream::iter(frames))).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/octet-stream"));
    headers.insert(header::CONTENT_LENGTH, HeaderValue::from(bytes.len()));
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

/// `GET /v1/files/{file_id}/url`: a URL of this server's download route that works without a
/// key for `expiry` hours (1 to 168, default 24).
pub(crate) async fn signed_url(
    State(app): State<Arc<App>>,
    Path(file_id): Path<String>,
    RawQuery(raw): RawQuery,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let q = query_map(raw.as_deref());
    let mut details = Vec::new();
    let hours = query_int_in(&q, "expiry", (1, 168), &mut details).unwrap_or(24);
    if !details.is_empty() {
        return Err(ApiError::validation(details));
    }
    let file = find(&app, &file_id)?;
    let expires = now_seconds() + hours * 3600;
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("127.0.0.1");
    let path = ops::FILES_API_ROUTES_DOWNLOAD_FILE.path_with(&[&file.meta.id.to_string()]);
    let url = format!("http://{host}{path}?expires={expires}&signature={}", sign(file.meta.id, expires));
    Ok(Json(json!({"url": url})))
}
