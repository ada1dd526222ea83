//! Shared server state and the router.

use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, PoisonError};

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{Method, StatusCode, Uri};
use axum::middleware::from_fn_with_state;
use axum::routing::{delete, get, post};

use crate::api_error::ApiError;
use crate::options::Options;
use crate::persist::Persist;
use crate::store::Store;
use crate::validate::Validators;
use crate::{Error, auth, chat, embeddings, faults, files, fim, jobs, models};

/// Everything a request handler can reach.
#[derive(Debug)]
pub(crate) struct App {
    pub(crate) options: Options,
    pub(crate) validators: Validators,
    store: Mutex<Store>,
    pub(crate) persist: Option<Persist>,
    /// Requests seen, for `fail_first`.
    pub(crate) requests: AtomicU64,
}

/// Wall-clock time in milliseconds since the Unix epoch.
pub(crate) fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

impl App {
    /// Checks the options, compiles the validators and loads the data directory.
    pub(crate) fn new(options: Options) -> Result<Arc<App>, Error> {
        options.check()?;
        let validators = Validators::new()?;
        let (persist, store) = match &options.data_dir {
            Some(dir) => {
                let (p, s) = Persist::open(dir)?;
                (Some(p), s)
            }
            None => (None, Store::default()),
        };
        Ok(Arc::new(App { options, validators, store: Mutex::new(store), persist, requests: AtomicU64::new(0) }))
    }

    /// Runs `f` with the store locked (never across an `.await`).
    pub(crate) fn with_store<R>(&self, f: impl FnOnce(&mut Store) -> R) -> R {
        let mut guard = self.store.lock().unwrap_or_else(PoisonError::into_inner);
        f(&mut guard)
    }

    /// Writes the state to the data directory, if there is one.
    pub(crate) async fn save(&self) -> Result<(), ApiError> {
        match &self.persist {
            Some(p) => p.save(|| self.with_store(|s| serde_json::to_vec_pretty(s))).await,
            None => Ok(()),
        }
    }
}

async fn not_found(method: Method, uri: Uri) -> ApiError {
    let path = uri.path();
    let hint =
        if path.starts_with("/v1/") { String::new() } else { format!(" (the API lives under /v1, e.g. /v1{path})") };
    ApiError::not_found(format!("Not found: {method} {path}{hint}"))
}

async fn method_not_allowed(method: Method, uri: Uri) -> ApiError {
    ApiError::object(
        StatusCode::METHOD_NOT_ALLOWED,
        format!("Method Not Allowed: {method} {}", uri.path()),
        "invalid_request_error",
        Some("405"),
    )
}

/// All 13 operations, behind auth, with faults outermost.
pub(crate) fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/v1/chat/completions", post(chat::create))
        .route("/v1/fim/completions", post(fim::create))
        .route("/v1/embeddings", post(embeddings::create))
        .route("/v1/models", get(models::list))
        .route("/v1/models/{model_id}", delete(models::delete))
        .route("/v1/files", post(files::upload).get(files::list))
        .route("/v1/files/{file_id}", get(files::retrieve).delete(files::delete))
        .route("/v1/fine_tuning/jobs", get(jobs::list).post(jobs::create))
        .route("/v1/fine_tuning/jobs/{job_id}", get(jobs::get))
        .route("/v1/fine_tuning/jobs/{job_id}/cancel", post(jobs::cancel))
        .route_layer(from_fn_with_state(app.clone(), auth::layer))
        .method_not_allowed_fallback(method_not_allowed)
        .fallback(not_found)
        // Only multipart uploads read this limit; JSON bodies are limited by `body_limit`.
        .layer(DefaultBodyLimit::max(app.options.upload_limit))
        .layer(from_fn_with_state(app.clone(), faults::layer))
        .with_state(app)
}
