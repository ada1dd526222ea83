//! `/v1/libraries`: document libraries kept in the store (with `stateful_beta`). Documents are
//! uploaded as multipart forms and keep their bytes; their text is read at upload (text
//! documents as they are, PDFs through [`crate::pdf`]) and they are processed on the simulated
//! clock: `in_progress`/`Running` for [`PROCESSING_SECONDS`], then `done`/`Completed` (or
//! `error`/`Failed` when no text could be read). [`search`] finds the best chunks of processed
//! documents for the `document_library` tool.

use std::collections::HashMap;
use std::sync::Arc;

use axum::Json;
use axum::body::Body;
use axum::extract::{Extension, FromRequest, Multipart, Path, RawQuery, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::{Bytes, BytesMut};
use mistral_openapi::operations as ops;
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::api_error::{ApiError, Detail, loc};
use crate::app::{App, now_ms};
use crate::auth::Caller;
use crate::query::{query_bool, query_error, query_int_in, query_map};
use crate::routes::agents::time;
use crate::routes::files::path_uuid;
use crate::store::{DocumentRecord, LibraryRecord, ShareRecord};
use crate::text::{hash64, keywords, tokenize};
use crate::validate::read_request;

/// Simulated seconds a document takes to be processed (after an upload or a reprocess).
pub(crate) const PROCESSING_SECONDS: f64 = 2.0;

/// Words per chunk at most: longer paragraphs are cut into pieces this long.
const CHUNK_WORDS: usize = 100;

/// Hits [`search`] gives at most.
const MAX_HITS: usize = 5;

/// The route serving a document's bytes through a signed URL (outside `/v1`: no key needed).
pub(crate) const SIGNED_CONTENT: &str = "/__mock/documents/{document_id}/content";

/// The route serving a document's extracted text through a signed URL.
pub(crate) const SIGNED_TEXT: &str = "/__mock/documents/{document_id}/text";

/// Hours a signed URL works for.
const SIGNED_HOURS: i64 = 24;

/// The best-matching chunk of the processed documents of these libraries for `query`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LibraryHit {
    pub(crate) library_id: String,
    pub(crate) document_id: String,
    pub(crate) document_name: String,
    pub(crate) chunk: String,
    pub(crate) score: f64,
}

/// Where a document is in its processing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Running,
    Done,
    Failed,
}

impl Stage {
    /// `process_status` and `processing_status`, as the API words them.
    fn words(self) -> (&'static str, &'static str) {
        match self {
            Stage::Running => ("in_progress", "Running"),
            Stage::Done => ("done", "Completed"),
            Stage::Failed => ("error", "Failed"),
        }
    }
}

/// The document's stage at `now` (wall ms), and when its processing ended (if it has).
fn stage(doc: &DocumentRecord, now: i64) -> (Stage, Option<i64>) {
    let wall = (PROCESSING_SECONDS * 1000.0 / doc.speed.max(f64::MIN_POSITIVE)).min(1e15) as i64;
    let end = doc.processing_ms.saturating_add(wall);
    if now < end {
        (Stage::Running, None)
    } else if doc.pages.is_some() {
        (Stage::Done, Some(end))
    } else {
        (Stage::Failed, Some(end))
    }
}

/// The text of a document: its pages, a blank line between them.
fn full_text(pages: &[String]) -> String {
    pages.iter().map(|p| p.trim_end()).collect::<Vec<_>>().join("\n\n")
}

/// The chunks of a text: its paragraphs (split at blank lines), each cut into pieces of at most
/// [`CHUNK_WORDS`] words.
fn chunks(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for paragraph in text.split("\n\n").map(str::trim).filter(|p| !p.is_empty()) {
        let words: Vec<&str> = paragraph.split_whitespace().collect();
        if words.len() <= CHUNK_WORDS {
            out.push(paragraph.to_string());
        } else {
            out.extend(words.chunks(CHUNK_WORDS).map(|piece| piece.join(" ")));
        }
    }
    out
}

/// A word as compared by [`search`]: lower case, a plural `s` dropped.
fn normal(word: &str) -> String {
    let lower = word.to_lowercase();
    match lower.strip_suffix('s') {
        Some(stem) if stem.chars().count() >= 3 && !stem.ends_with('s') => stem.to_string(),
        _ => lower,
    }
}

/// The best chunks (at most 5, best first) of the processed documents of `library_ids` for
/// `query`: the score is the share of the query's keywords the chunk holds (0 to 1); chunks
/// holding none are left out; ties go to the chunk naming the keywords more often, then to
/// the earlier one (libraries in the order given, documents in upload order).
pub(crate) fn search(app: &App, library_ids: &[String], query: &str) -> Vec<LibraryHit> {
    let mut wanted: Vec<String> = keywords(query).iter().map(|k| normal(k)).collect();
    wanted.sort();
    wanted.dedup();
    if wanted.is_empty() {
        return Vec::new();
    }
    let now = now_ms();
    let docs: Vec<DocumentRecord> = app.with_store(|s| {
        library_ids
            .iter()
            .filter_map(|id| Uuid::try_parse(id).ok())
            .flat_map(|id| s.documents.iter().filter(move |d| d.library_id == id).cloned().collect::<Vec<_>>())
            .collect()
    });
    let mut scored: Vec<(f64, usize, LibraryHit)> = Vec::new();
    for doc in docs.iter().filter(|d| stage(d, now).0 == Stage::Done) {
        let Some(pages) = &doc.pages else { continue };
        for chunk in chunks(&full_text(pages)) {
            let words: Vec<String> =
                tokenize(&chunk).iter().map(|t| t.trim()).filter(|t| !t.is_empty()).map(normal).collect();
            let matched = wanted.iter().filter(|w| words.contains(w)).count();
            if matched == 0 {
                continue;
            }
            let occurrences = words.iter().filter(|w| wanted.contains(w)).count();
            let hit = LibraryHit {
                library_id: doc.library_id.to_string(),
                document_id: doc.id.to_string(),
                document_name: doc.name.clone(),
                chunk,
                score: matched as f64 / wanted.len() as f64,
            };
            scored.push((hit.score, occurrences, hit));
        }
    }
    // A stable sort keeps the earlier chunk first among equals.
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(b.1.cmp(&a.1)));
    scored.into_iter().take(MAX_HITS).map(|(_, _, hit)| hit).collect()
}

/// A UUID standing for an 8-hex-digit owner (`owner_id`, `uploaded_by_id`, `org_id`).
fn owner_uuid(owner: &str) -> Uuid {
    let high = u128::from(hash64(format!("owner:{owner}").as_bytes()));
    let low = u128::from(hash64(format!("{owner}:owner").as_bytes()));
    Uuid::from_u128((high << 64) | low)
}

fn no_library(id: &str) -> ApiError {
    ApiError::not_found(format!("Library {id} not found"))
}

fn no_document(id: &str) -> ApiError {
    ApiError::not_found(format!("Document {id} not found"))
}

/// The library with this id (422 when it is not a UUID, 404 when there is none).
fn find(app: &App, raw: &str) -> Result<LibraryRecord, ApiError> {
    let id = path_uuid(raw, "library_id")?;
    app.with_store(|s| s.libraries.iter().find(|l| l.id == id).cloned()).ok_or_else(|| no_library(raw))
}

/// The document `doc` of library `lib` (422s for ids that are not UUIDs, 404s when missing).
fn find_document(app: &App, lib: &str, doc: &str) -> Result<DocumentRecord, ApiError> {
    let library = find(app, lib)?;
    let id = path_uuid(doc, "document_id")?;
    app.with_store(|s| s.documents.iter().find(|d| d.id == id && d.library_id == library.id).cloned())
        .ok_or_else(|| no_document(doc))
}

/// The library as the API sends it (`Library`), with its counts.
fn library_json(app: &App, library: &LibraryRecord) -> Value {
    let (count, size) = app.with_store(|s| {
        let docs = s.documents.iter().filter(|d| d.library_id == library.id);
        docs.fold((0i64, 0i64), |(n, total), d| (n + 1, total.saturating_add(d.size)))
    });
    let members = |kind: &str| library.shares.iter().filter(|s| s.share_with_type == kind).count();
    let org_role = library.shares.iter().find(|s| s.share_with_type == "Org").map(|s| s.role.clone());
    json!({
        "id": library.id,
        "name": library.name,
        "created_at": time(library.created_ms),
        "updated_at": time(library.updated_ms),
        "owner_id": owner_uuid(&library.owner),
        "owner_type": library.owner_type,
        "total_size": size,
        "nb_documents": count,
        "chunk_size": library.chunk_size,
        "emoji": null,
        "description": library.description,
        "generated_description": null,
        "explicit_user_members_count": members("User"),
        "explicit_workspace_members_count": members("Workspace"),
        "org_sharing_role": org_role,
        "generated_name": null,
    })
}

/// The document as the API sends it (`Document`) at `now`.
fn document_json(doc: &DocumentRecord, now: i64) -> Value {
    let (stage, ended) = stage(doc, now);
    let (process, processing) = stage.words();
    let tokens = match (stage, &doc.pages) {
        (Stage::Done, Some(pages)) => Some(crate::text::count_tokens(&full_text(pages))),
        _ => None,
    };
    json!({
        "id": doc.id,
        "library_id": doc.library_id,
        "hash": doc.hash,
        "mime_type": doc.mime_type,
        "extension": doc.extension,
        "size": doc.size,
        "name": doc.name,
        "summary": null,
        "created_at": time(doc.created_ms),
        "last_processed_at": ended.map(time),
        "number_of_pages": match (&doc.pages, doc.paged) {
            (Some(pages), true) => Some(pages.len()),
            _ => None,
        },
        "process_status": process,
        "uploaded_by_id": owner_uuid(&doc.owner),
        "uploaded_by_type": "User",
        "tokens_processing_main_content": tokens,
        "tokens_processing_summary": null,
        "url": null,
        "attributes": doc.attributes,
        "expires_at": doc.expires_at,
        "processing_status": processing,
        "tokens_processing_total": tokens.unwrap_or(0),
    })
}

/// `POST /v1/libraries`: a new, empty library (201).
pub(crate) async fn create(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let request = read_request(&app, &ops::LIBRARIES_CREATE_V1, &headers, body).await?;
    let now = now_ms();
    let library = LibraryRecord {
        id: Uuid::new_v4(),
        owner: caller.owner,
        created_ms: now,
        updated_ms: now,
        name: request["name"].as_str().unwrap_or_default().to_string(),
        description: request["description"].as_str().map(str::to_string),
        chunk_size: request["chunk_size"].as_i64(),
        owner_type: request["owner_type"].as_str().unwrap_or("Workspace").to_string(),
        shares: Vec::new(),
    };
    let out = library_json(&app, &library);
    app.with_store(|s| s.libraries.push(library));
    app.save().await?;
    Ok((StatusCode::CREATED, Json(out)).into_response())
}

/// `GET /v1/libraries`: oldest first, filtered by `search` (name or description, any case)
/// and `filter_owned_by_me`, one page (`page` from 0, or `page_token` from a
/// `next_page_token`; `page_size` 1 to 100, default 100).
pub(crate) async fn list(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let q = query_map(raw.as_deref());
    let mut details = Vec::new();
    let size = query_int_in(&q, "page_size", (1, 100), &mut details).unwrap_or(100);
    let mut page = query_int_in(&q, "page", (0, i64::MAX), &mut details).unwrap_or(0);
    if let Some(token) = q.get("page_token").filter(|t| !t.is_empty() && t.as_str() != "null") {
        match token.strip_prefix("p").and_then(|n| n.parse::<i64>().ok()) {
            Some(n) => page = n,
            None => details.push(query_error("value_error", "page_token", "Value error, invalid page token", token)),
        }
    }
    let mine = query_bool(&q, "filter_owned_by_me", &mut details).unwrap_or(false);
    if !details.is_empty() {
        return Err(ApiError::validation(details));
    }
    let search = q.get("search").map(|s| s.to_lowercase()).filter(|s| !s.is_empty() && s != "null");
    let libraries = app.with_store(|s| s.libraries.clone());
    let matched: Vec<&LibraryRecord> = libraries
        .iter()
        .filter(|l| !mine || l.owner == caller.owner)
        .filter(|l| {
            search.as_deref().is_none_or(|needle| {
                l.name.to_lowercase().contains(needle)
                    || l.description.as_deref().is_some_and(|d| d.to_lowercase().contains(needle))
            })
        })
        .collect();
    let (data, pagination) = paginate(&matched, page, size);
    let next = pagination["has_more"].as_bool().unwrap_or(false).then(|| format!("p{}", page.saturating_add(1)));
    let data: Vec<Value> = data.iter().map(|l| library_json(&app, l)).collect();
    Ok(Json(json!({ "data": data, "pagination": pagination, "next_page_token": next })))
}

/// Page `page` (from 0) of `size` items, and its `PaginationInfo`.
fn paginate<T: Clone>(items: &[T], page: i64, size: i64) -> (Vec<T>, Value) {
    let total = items.len();
    let size_n = usize::try_from(size).unwrap_or(1).max(1);
    let skip = usize::try_from(page).unwrap_or(usize::MAX).saturating_mul(size_n);
    let data: Vec<T> = items.iter().skip(skip).take(size_n).cloned().collect();
    let pagination = json!({
        "total_items": total,
        "total_pages": total.div_ceil(size_n),
        "current_page": page,
        "page_size": size,
        "has_more": skip.saturating_add(size_n) < total,
    });
    (data, pagination)
}

/// `GET /v1/libraries/{library_id}`
pub(crate) async fn get(State(app): State<Arc<App>>, Path(library_id): Path<String>) -> Result<Json<Value>, ApiError> {
    let library = find(&app, &library_id)?;
    Ok(Json(library_json(&app, &library)))
}

/// Sets the `name` and `description` given (`description: null` clears it).
async fn edit_library(
    app: &App,
    op: &'static ops::Operation,
    library_id: &str,
    headers: &HeaderMap,
    body: Body,
) -> Result<Json<Value>, ApiError> {
    let id = find(app, library_id)?.id;
    let request = read_request(app, op, headers, body).await?;
    let now = now_ms();
    let library = app.with_store(|s| {
        let library = s.libraries.iter_mut().find(|l| l.id == id)?;
        if let Some(name) = request.get("name").and_then(Value::as_str) {
            library.name = name.to_string();
        }
        if let Some(description) = request.get("description") {
            library.description = description.as_str().map(str::to_string);
        }
        library.updated_ms = now;
        Some(library.clone())
    });
    let library = library.ok_or_else(|| no_library(library_id))?;
    app.save().await?;
    Ok(Json(library_json(app, &library)))
}

/// `PATCH /v1/libraries/{library_id}`
pub(crate) async fn patch(
    State(app): State<Arc<App>>,
    Path(library_id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Value>, ApiError> {
    edit_library(&app, &ops::LIBRARIES_PATCH_V1, &library_id, &headers, body).await
}

/// `PUT /v1/libraries/{library_id}` (deprecated): as `PATCH`.
pub(crate) async fn update(
    State(app): State<Arc<App>>,
    Path(library_id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Value>, ApiError> {
    edit_library(&app, &ops::LIBRARIES_UPDATE_V1, &library_id, &headers, body).await
}

/// `DELETE /v1/libraries/{library_id}`: the library as it was (with its counts), gone with
/// its documents.
pub(crate) async fn delete(
    State(app): State<Arc<App>>,
    Path(library_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let library = find(&app, &library_id)?;
    let out = library_json(&app, &library);
    let removed = app.with_store(|s| {
        s.libraries.retain(|l| l.id != library.id);
        let (gone, kept) = std::mem::take(&mut s.documents).into_iter().partition(|d| d.library_id == library.id);
        s.documents = kept;
        gone
    });
    forget_bytes(&app, &removed).await;
    app.save().await?;
    Ok(Json(out))
}

/// Removes the bytes of deleted documents from the data directory.
async fn forget_bytes(app: &App, removed: &[DocumentRecord]) {
    if let Some(persist) = &app.persist {
        for doc in removed {
            persist.remove_file(doc.id).await;
        }
    }
}

/// The text pages of an upload: text documents as they are (one page), PDFs page by page
/// (a page whose text cannot be read is empty); `None` for anything else, or a PDF without
/// any readable text.
fn extract(mime: &str, bytes: &[u8]) -> Option<(Vec<String>, bool)> {
    if bytes.starts_with(b"%PDF") || mime == "application/pdf" {
        let pages = crate::pdf::pages(bytes)?;
        if pages.iter().all(|p| p.text.is_none()) {
            return None;
        }
        return Some((pages.into_iter().map(|p| p.text.unwrap_or_default()).collect(), true));
    }
    let texty = mime.starts_with("text/")
        || matches!(mime, "application/json" | "application/jsonl" | "application/xml" | "application/x-yaml");
    if !texty {
        return None;
    }
    let text = std::str::from_utf8(bytes).ok()?;
    Some((vec![text.to_string()], false))
}

/// The media type of an upload: the part's own (unless generic), else from its extension.
fn mimetype(extension: Option<&str>, declared: Option<&str>) -> String {
    if let Some(declared) = declared.filter(|d| !d.is_empty() && *d != "application/octet-stream") {
        return declared.split(';').next().unwrap_or(declared).trim().to_string();
    }
    match extension.unwrap_or_default() {
        "pdf" => "application/pdf",
        "txt" | "text" => "text/plain",
        "md" | "markdown" => "text/markdown",
        "csv" => "text/csv",
        "html" | "htm" => "text/html",
        "json" => "application/json",
        "jsonl" => "application/jsonl",
        "xml" => "application/xml",
        "yaml" | "yml" => "application/x-yaml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "docx" => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "pptx" => "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        _ => "application/octet-stream",
    }
    .to_string()
}

/// The `file` part of an upload form: its name, declared type and bytes, read chunk by chunk
/// up to `limit` bytes.
async fn read_file_part(request: Request, limit: usize) -> Result<(String, Option<String>, Bytes), ApiError> {
    let missing = || ApiError::invalid(Detail::new("missing", loc("body", &[Value::from("file")]), "Field required"));
    let mut multipart = Multipart::from_request(request, &()).await.map_err(|e| {
        ApiError::invalid(Detail::new(
            "missing",
            loc("body", &[Value::from("file")]),
            format!("Field required: send multipart/form-data with a 'file' part ({})", e.body_text()),
        ))
    })?;
    loop {
        let mut field = match multipart.next_field().await {
            Ok(Some(field)) => field,
            Ok(None) => return Err(missing()),
            Err(e) => return Err(ApiError::multipart(&e, limit)),
        };
        if field.name() != Some("file") {
            continue;
        }
        let filename = field.file_name().filter(|n| !n.is_empty()).unwrap_or("document").to_string();
        let declared = field.content_type().map(str::to_string);
        let mut bytes = BytesMut::new();
        loop {
            match field.chunk().await {
                Ok(Some(chunk)) => {
                    if bytes.len().saturating_add(chunk.len()) > limit {
                        return Err(ApiError::too_large(limit));
                    }
                    bytes.extend_from_slice(&chunk);
                }
                Ok(None) => break,
                Err(e) => return Err(ApiError::multipart(&e, limit)),
            }
        }
        return Ok((filename, declared, bytes.freeze()));
    }
}

/// `POST /v1/libraries/{library_id}/documents`: the `file` part becomes a document, processed
/// for [`PROCESSING_SECONDS`] simulated seconds.
pub(crate) async fn upload(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    Path(library_id): Path<String>,
    request: Request,
) -> Result<Json<Value>, ApiError> {
    let library = find(&app, &library_id)?;
    let limit = app.options.upload_limit;
    let declared =
        request.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(ApiError::too_large(limit));
    }
    let (name, declared_type, bytes) = read_file_part(request, limit).await?;
    let extension = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase()).filter(|e| !e.is_empty());
    let mime_type = mimetype(extension.as_deref(), declared_type.as_deref());
    let (pages, paged) = match extract(&mime_type, &bytes) {
        Some((pages, paged)) => (Some(pages), paged),
        None => (None, false),
    };
    let now = now_ms();
    let doc = DocumentRecord {
        id: Uuid::new_v4(),
        library_id: library.id,
        owner: caller.owner,
        name,
        mime_type,
        extension,
        size: i64::try_from(bytes.len()).unwrap_or(i64::MAX),
        hash: format!("{:016x}", hash64(&bytes)),
        created_ms: now,
        updated_ms: now,
        processing_ms: now,
        speed: app.options.speed,
        pages,
        paged,
        attributes: None,
        expires_at: None,
        content: None,
    };
    let content = match &app.persist {
        Some(persist) => {
            persist.write_file(doc.id, &bytes).await?;
            None
        }
        None => Some(bytes),
    };
    let out = document_json(&doc, now);
    app.with_store(|s| {
        s.documents.push(DocumentRecord { content, ..doc });
        if let Some(l) = s.libraries.iter_mut().find(|l| l.id == library.id) {
            l.updated_ms = now;
        }
    });
    app.save().await?;
    Ok(Json(out))
}

/// A `sort_by` or `sort_order` value outside the list.
fn one_of(q: &HashMap<String, String>, name: &str, allowed: &[&str], details: &mut Vec<Detail>) -> Option<String> {
    let raw = q.get(name)?;
    if allowed.contains(&raw.as_str()) {
        return Some(raw.clone());
    }
    let quoted: Vec<String> = allowed.iter().map(|a| format!("'{a}'")).collect();
    details.push(query_error("enum", name, &format!("Input should be {}", quoted.join(" or ")), raw));
    None
}

/// Whether a document's attributes hold every `key: value` of `filters` (a list value: the
/// attribute is any of them, or a list holding them all).
fn attributes_match(doc: &DocumentRecord, filters: &Map<String, Value>) -> bool {
    filters.iter().all(|(key, want)| {
        let Some(got) = doc.attributes.as_ref().and_then(|a| a.get(key)) else { return false };
        match (want, got) {
            (Value::Array(any), Value::Array(all)) => any.iter().all(|w| all.contains(w)),
            (Value::Array(any), got) => any.contains(got),
            (want, Value::Array(all)) => all.contains(want),
            (want, got) => want == got,
        }
    })
}

/// `GET /v1/libraries/{library_id}/documents`: filtered by `search` (in the name, any case)
/// and `filters_attributes` (a JSON object of attribute values), sorted by `sort_by`
/// (`created_at`, `name`, `size`; default `created_at`) in `sort_order` (default `desc`),
/// one page (`page` from 0, `page_size` 1 to 100, default 100).
pub(crate) async fn list_documents(
    State(app): State<Arc<App>>,
    Path(library_id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let library = find(&app, &library_id)?;
    let q = query_map(raw.as_deref());
    let mut details = Vec::new();
    let size = query_int_in(&q, "page_size", (1, 100), &mut details).unwrap_or(100);
    let page = query_int_in(&q, "page", (0, i64::MAX), &mut details).unwrap_or(0);
    let sort_by = one_of(&q, "sort_by", &["created_at", "name", "size"], &mut details);
    let order = one_of(&q, "sort_order", &["asc", "desc"], &mut details);
    let filters: Map<String, Value> = match q.get("filters_attributes").filter(|f| !f.is_empty() && *f != "null") {
        Some(raw) => match serde_json::from_str(raw) {
            Ok(map) => map,
            Err(_) => {
                details.push(query_error("json_invalid", "filters_attributes", "Input should be a JSON object", raw));
                Map::new()
            }
        },
        None => Map::new(),
    };
    if !details.is_empty() {
        return Err(ApiError::validation(details));
    }
    let search = q.get("search").map(|s| s.to_lowercase()).filter(|s| !s.is_empty() && s != "null");
    let mut docs: Vec<DocumentRecord> = app.with_store(|s| {
        s.documents
            .iter()
            .filter(|d| d.library_id == library.id)
            .filter(|d| search.as_deref().is_none_or(|needle| d.name.to_lowercase().contains(needle)))
            .filter(|d| attributes_match(d, &filters))
            .cloned()
            .collect()
    });
    match sort_by.as_deref() {
        Some("name") => docs.sort_by(|a, b| a.name.cmp(&b.name)),
        Some("size") => docs.sort_by_key(|d| d.size),
        _ => docs.sort_by_key(|d| d.created_ms),
    }
    if order.as_deref() != Some("asc") {
        docs.reverse();
    }
    let (data, pagination) = paginate(&docs, page, size);
    let now = now_ms();
    let data: Vec<Value> = data.iter().map(|d| document_json(d, now)).collect();
    Ok(Json(json!({ "pagination": pagination, "data": data })))
}

/// `GET /v1/libraries/{library_id}/documents/{document_id}`
pub(crate) async fn get_document(
    State(app): State<Arc<App>>,
    Path((library_id, document_id)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let doc = find_document(&app, &library_id, &document_id)?;
    Ok(Json(document_json(&doc, now_ms())))
}

/// Sets the `name`, `attributes` and `expires_at` given (`null` clears the last two).
async fn edit_document(
    app: &App,
    op: &'static ops::Operation,
    (library_id, document_id): (&str, &str),
    headers: &HeaderMap,
    body: Body,
) -> Result<Json<Value>, ApiError> {
    let id = find_document(app, library_id, document_id)?.id;
    let request = read_request(app, op, headers, body).await?;
    let now = now_ms();
    let doc = app.with_store(|s| {
        let doc = s.documents.iter_mut().find(|d| d.id == id)?;
        if let Some(name) = request.get("name").and_then(Value::as_str) {
            doc.name = name.to_string();
        }
        if let Some(attributes) = request.get("attributes") {
            doc.attributes = attributes.as_object().cloned();
        }
        if let Some(expires) = request.get("expires_at") {
            doc.expires_at = expires.as_str().map(str::to_string);
        }
        doc.updated_ms = now;
        Some(doc.clone())
    });
    let doc = doc.ok_or_else(|| no_document(document_id))?;
    app.save().await?;
    Ok(Json(document_json(&doc, now)))
}

/// `PATCH /v1/libraries/{library_id}/documents/{document_id}`
pub(crate) async fn patch_document(
    State(app): State<Arc<App>>,
    Path((library_id, document_id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Value>, ApiError> {
    edit_document(&app, &ops::LIBRARIES_DOCUMENTS_PATCH_V1, (&library_id, &document_id), &headers, body).await
}

/// `PUT /v1/libraries/{library_id}/documents/{document_id}` (deprecated): as `PATCH`.
pub(crate) async fn update_document(
    State(app): State<Arc<App>>,
    Path((library_id, document_id)): Path<(String, String)>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Value>, ApiError> {
    edit_document(&app, &ops::LIBRARIES_DOCUMENTS_UPDATE_V1, (&library_id, &document_id), &headers, body).await
}

/// `DELETE /v1/libraries/{library_id}/documents/{document_id}`: 204.
pub(crate) async fn delete_document(
    State(app): State<Arc<App>>,
    Path((library_id, document_id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let doc = find_document(&app, &library_id, &document_id)?;
    let now = now_ms();
    app.with_store(|s| {
        s.documents.retain(|d| d.id != doc.id);
        if let Some(l) = s.libraries.iter_mut().find(|l| l.id == doc.library_id) {
            l.updated_ms = now;
        }
    });
    forget_bytes(&app, std::slice::from_ref(&doc)).await;
    app.save().await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `GET .../documents/{document_id}/status`
pub(crate) async fn status(
    State(app): State<Arc<App>>,
    Path((library_id, document_id)): Path<(String, String)>,
) -> Result<Json<Value>, ApiError> {
    let doc = find_document(&app, &library_id, &document_id)?;
    let (process, processing) = stage(&doc, now_ms()).0.words();
    Ok(Json(json!({ "document_id": doc.id, "process_status": process, "processing_status": processing })))
}

/// The extracted text of a processed document (400 while it is processed, or when no text
/// could be read from it).
fn text_pages(doc: &DocumentRecord) -> Result<&[String], ApiError> {
    match (stage(doc, now_ms()).0, &doc.pages) {
        (Stage::Done, Some(pages)) => Ok(pages),
        (Stage::Running, _) => Err(ApiError::bad_request(format!(
            "Document {} is still being processed: its text is not extracted yet",
            doc.id
        ))),
        _ => Err(ApiError::bad_request(format!(
            "No text could be extracted from document {} ({}): the mock reads text documents and PDFs",
            doc.id, doc.mime_type
        ))),
    }
}

/// `GET .../documents/{document_id}/text_content`: the extracted text; `page_start` and
/// `page_end` (from 0, end excluded) pick pages of a PDF.
pub(crate) async fn text_content(
    State(app): State<Arc<App>>,
    Path((library_id, document_id)): Path<(String, String)>,
    RawQuery(raw): RawQuery,
) -> Result<Json<Value>, ApiError> {
    let q = query_map(raw.as_deref());
    let mut details = Vec::new();
    let q: HashMap<String, String> = q.into_iter().filter(|(_, v)| !v.is_empty() && v != "null").collect();
    let start = query_int_in(&q, "page_start", (0, i64::MAX), &mut details);
    let end = query_int_in(&q, "page_end", (0, i64::MAX), &mut details);
    if !details.is_empty() {
        return Err(ApiError::validation(details));
    }
    let doc = find_document(&app, &library_id, &document_id)?;
    let pages = text_pages(&doc)?;
    let index = |n: Option<i64>, default: usize| n.map_or(default, |n| usize::try_from(n).unwrap_or(usize::MAX));
    let (from, to) = (index(start, 0).min(pages.len()), index(end, pages.len()).min(pages.len()));
    let picked = if from < to { &pages[from..to] } else { &[] };
    Ok(Json(json!({ "text": full_text(picked) })))
}

/// The signature of a signed URL of `what` (`content` or `text`) of document `id`, valid until
/// `expires` (Unix seconds).
fn sign(id: Uuid, what: &str, expires: i64) -> String {
    format!("{:016x}", hash64(format!("{id}:{what}:{expires}:mistral-mock document url").as_bytes()))
}

/// A URL of this server (the `Host` the request came to) serving `what` of `doc` without a key.
fn signed(headers: &HeaderMap, route: &str, what: &str, doc: Uuid) -> String {
    let expires = now_ms().div_euclid(1000) + SIGNED_HOURS * 3600;
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("127.0.0.1");
    let path = route.replace("{document_id}", &doc.to_string());
    format!("http://{host}{path}?expires={expires}&signature={}", sign(doc, what, expires))
}

/// `GET .../documents/{document_id}/signed-url`: a URL giving the uploaded bytes.
pub(crate) async fn signed_url(
    State(app): State<Arc<App>>,
    Path((library_id, document_id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let doc = find_document(&app, &library_id, &document_id)?;
    Ok(Json(json!(signed(&headers, SIGNED_CONTENT, "content", doc.id))))
}

/// `GET .../documents/{document_id}/extracted-text-signed-url`: a URL giving the extracted
/// text (once processed).
pub(crate) async fn extracted_text_signed_url(
    State(app): State<Arc<App>>,
    Path((library_id, document_id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<Json<Value>, ApiError> {
    let doc = find_document(&app, &library_id, &document_id)?;
    text_pages(&doc)?;
    Ok(Json(json!(signed(&headers, SIGNED_TEXT, "text", doc.id))))
}

/// The document a signed URL names, if its signature holds and has not expired (403 else).
fn signed_document(app: &App, raw_id: &str, what: &str, raw: Option<&str>) -> Result<DocumentRecord, ApiError> {
    let forbidden = || {
        ApiError::object(StatusCode::FORBIDDEN, "Invalid or expired signature", "invalid_request_error", Some("403"))
    };
    let q = query_map(raw);
    let id = Uuid::try_parse(raw_id).map_err(|_| forbidden())?;
    let expires = q.get("expires").and_then(|e| e.parse::<i64>().ok()).unwrap_or(i64::MIN);
    if q.get("signature") != Some(&sign(id, what, expires)) || expires < now_ms().div_euclid(1000) {
        return Err(forbidden());
    }
    app.with_store(|s| s.documents.iter().find(|d| d.id == id).cloned()).ok_or_else(|| no_document(raw_id))
}

/// `GET /__mock/documents/{document_id}/content?expires=..&signature=..`: the uploaded bytes.
pub(crate) async fn signed_content(
    State(app): State<Arc<App>>,
    Path(document_id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let doc = signed_document(&app, &document_id, "content", raw.as_deref())?;
    let bytes = match (doc.content, &app.persist) {
        (Some(bytes), _) => bytes,
        (None, Some(persist)) => persist.read_file(doc.id).await.ok_or_else(|| no_document(&document_id))?,
        (None, None) => return Err(no_document(&document_id)),
    };
    let mut response = (StatusCode::OK, bytes).into_response();
    if let Ok(value) = HeaderValue::from_str(&doc.mime_type) {
        response.headers_mut().insert(header::CONTENT_TYPE, value);
    }
    Ok(response)
}

/// `GET /__mock/documents/{document_id}/text?expires=..&signature=..`: the extracted text.
pub(crate) async fn signed_text(
    State(app): State<Arc<App>>,
    Path(document_id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response, ApiError> {
    let doc = signed_document(&app, &document_id, "text", raw.as_deref())?;
    let text = full_text(text_pages(&doc)?);
    Ok(([(header::CONTENT_TYPE, "text/plain; charset=utf-8")], text).into_response())
}

/// `POST .../documents/{document_id}/reprocess`: processing starts again (204).
pub(crate) async fn reprocess(
    State(app): State<Arc<App>>,
    Path((library_id, document_id)): Path<(String, String)>,
) -> Result<Response, ApiError> {
    let doc = find_document(&app, &library_id, &document_id)?;
    let now = now_ms();
    let speed = app.options.speed;
    app.with_store(|s| {
        if let Some(d) = s.documents.iter_mut().find(|d| d.id == doc.id) {
            d.processing_ms = now;
            d.speed = speed;
        }
    });
    app.save().await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// A share as the API sends it (`Sharing`).
fn share_json(library: &LibraryRecord, share: &ShareRecord) -> Value {
    json!({
        "library_id": library.id,
        "user_id": (share.share_with_type == "User").then_some(share.share_with_uuid),
        "org_id": share.org_id,
        "role": share.role,
        "share_with_type": share.share_with_type,
        "share_with_uuid": share.share_with_uuid,
    })
}

/// `GET /v1/libraries/{library_id}/share`: the shares, in the order they were granted.
pub(crate) async fn list_shares(
    State(app): State<Arc<App>>,
    Path(library_id): Path<String>,
) -> Result<Json<Value>, ApiError> {
    let library = find(&app, &library_id)?;
    let data: Vec<Value> = library.shares.iter().map(|s| share_json(&library, s)).collect();
    Ok(Json(json!({ "data": data })))
}

/// The `share_with_type` and `share_with_uuid` of a share request (checked by the schema).
fn share_target(request: &Value) -> Result<(String, Uuid), ApiError> {
    let kind = request["share_with_type"].as_str().unwrap_or_default().to_string();
    let raw = request["share_with_uuid"].as_str().unwrap_or_default();
    let id = Uuid::try_parse(raw).map_err(|e| {
        ApiError::invalid(
            Detail::new(
                "uuid_parsing",
                loc("body", &[Value::from("share_with_uuid")]),
                format!("Input should be a valid UUID, {e}"),
            )
            .with_input(Value::from(raw)),
        )
    })?;
    Ok((kind, id))
}

/// `PUT /v1/libraries/{library_id}/share`: grants `level` to the entity, or changes it.
pub(crate) async fn put_share(
    State(app): State<Arc<App>>,
    Extension(caller): Extension<Caller>,
    Path(library_id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Value>, ApiError> {
    let library = find(&app, &library_id)?;
    let request = read_request(&app, &ops::LIBRARIES_SHARE_CREATE_V1, &headers, body).await?;
    let (kind, target) = share_target(&request)?;
    let org_id = match request["org_id"].as_str() {
        Some(raw) => Uuid::try_parse(raw).unwrap_or_else(|_| owner_uuid(&caller.owner)),
        None => owner_uuid(&caller.owner),
    };
    let share = ShareRecord {
        share_with_type: kind,
        share_with_uuid: target,
        role: request["level"].as_str().unwrap_or("Viewer").to_string(),
        org_id,
    };
    let now = now_ms();
    let library = app.with_store(|s| {
        let l = s.libraries.iter_mut().find(|l| l.id == library.id)?;
        match l
            .shares
            .iter_mut()
            .find(|x| x.share_with_type == share.share_with_type && x.share_with_uuid == share.share_with_uuid)
        {
            Some(existing) => *existing = share.clone(),
            None => l.shares.push(share.clone()),
        }
        l.updated_ms = now;
        Some(l.clone())
    });
    let library = library.ok_or_else(|| no_library(&library_id))?;
    app.save().await?;
    Ok(Json(share_json(&library, &share)))
}

/// `DELETE /v1/libraries/{library_id}/share` with a `SharingDelete` body: the share revoked
/// (404 when there was none).
pub(crate) async fn delete_share(
    State(app): State<Arc<App>>,
    Path(library_id): Path<String>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Value>, ApiError> {
    let library = find(&app, &library_id)?;
    let request = read_request(&app, &ops::LIBRARIES_SHARE_DELETE_V1, &headers, body).await?;
    let (kind, target) = share_target(&request)?;
    let removed = app.with_store(|s| {
        let l = s.libraries.iter_mut().find(|l| l.id == library.id)?;
        let i = l.shares.iter().position(|x| x.share_with_type == kind && x.share_with_uuid == target)?;
        Some(l.shares.remove(i))
    });
    let share = removed
        .ok_or_else(|| ApiError::not_found(format!("Library {library_id} is not shared with {kind} {target}")))?;
    app.save().await?;
    Ok(Json(share_json(&library, &share)))
}

/// Moves the processing of every document on by `simulated` (see `MockServer::advance`).
pub(crate) fn advance(store: &mut crate::store::Store, simulated: std::time::Duration) {
    for doc in &mut store.documents {
        let shift = (simulated.as_secs_f64() / doc.speed.max(f64::MIN_POSITIVE) * 1000.0).min(1e15) as i64;
        doc.processing_ms = doc.processing_ms.saturating_sub(shift);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::Options;

    fn doc(app: &App, library: Uuid, name: &str, text: &str, processed: bool) -> Uuid {
        let id = Uuid::new_v4();
        let long_ago = now_ms() - 3_600_000;
        app.with_store(|s| {
            s.documents.push(DocumentRecord {
                id,
                library_id: library,
                owner: "00000000".into(),
                name: name.into(),
                mime_type: "text/plain".into(),
                extension: Some("txt".into()),
                size: text.len() as i64,
                hash: String::new(),
                created_ms: long_ago,
                updated_ms: long_ago,
                processing_ms: if processed { long_ago } else { now_ms() },
                speed: 1.0,
                pages: Some(vec![text.into()]),
                paged: false,
                attributes: None,
                expires_at: None,
                content: None,
            })
        });
        id
    }

    #[test]
    fn search_ranks_chunks_by_the_keywords_they_hold() {
        let app = App::new(Options::default()).expect("app");
        let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
        let cheese = doc(
            &app,
            a,
            "cheese.txt",
            "Comté is a cheese from the Jura mountains.\n\nIt ripens for months in cellars.\n\nBread is baked daily.",
            true,
        );
        let alps = doc(&app, b, "alps.md", "The Jura mountains border the Alps; cheese cellars dot them.", true);
        doc(&app, a, "draft.txt", "Jura cheese cellars mountains, not yet processed.", false);
        let ids = [a.to_string(), b.to_string()];

        let hits = search(&app, &ids, "Which cheese ripens in Jura cellars?");
        let got: Vec<(&str, &str, f64)> =
            hits.iter().map(|h| (h.document_name.as_str(), h.chunk.as_str(), h.score)).collect();
        assert_eq!(
            got,
            [
                ("alps.md", "The Jura mountains border the Alps; cheese cellars dot them.", 0.75),
                ("cheese.txt", "Comté is a cheese from the Jura mountains.", 0.5),
                ("cheese.txt", "It ripens for months in cellars.", 0.5),
            ]
        );
        assert_eq!((hits[0].library_id.as_str(), hits[0].document_id.as_str()), (ids[1].as_str(), &*alps.to_string()));
        assert_eq!(hits[1].document_id, cheese.to_string());
        // Only the libraries asked for; nothing for a query without keywords or matches.
        assert!(search(&app, &ids[..1], "Alps").is_empty());
        assert!(search(&app, &ids, "what is the").is_empty());
        assert!(search(&app, &["not-a-uuid".into()], "cheese").is_empty());
    }

    #[test]
    fn long_paragraphs_are_cut_into_pieces_and_at_most_five_hits_come_back() {
        let words: Vec<String> = (0..250).map(|i| format!("word{i} cheese")).collect();
        let pieces = chunks(&words.join(" "));
        assert_eq!(pieces.iter().map(|p| p.split_whitespace().count()).collect::<Vec<_>>(), [100, 100, 100, 100, 100]);
        let app = App::new(Options::default()).expect("app");
        let lib = Uuid::new_v4();
        doc(&app, lib, "long.txt", &words.join(" "), true);
        doc(&app, lib, "more.txt", "cheese\n\ncheese", true);
        assert_eq!(search(&app, &[lib.to_string()], "cheese").len(), 5);
    }
}
