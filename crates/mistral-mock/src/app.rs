//! Shared server state and the router.

use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, PoisonError};

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request};
use axum::http::{Method, StatusCode, Uri};
use axum::middleware::from_fn_with_state;
use axum::response::Response;
use axum::routing::{MethodFilter, MethodRouter, on};
use mistral_openapi::operations::{self as ops, Operation};
use tower::ServiceExt;

use crate::api_error::ApiError;
use crate::options::{FineTuningMode, Options};
use crate::persist::Persist;
use crate::routes::{
    agents, audio, batch, chat, classifiers, conversations, embeddings, files, fim, fine_tuning, libraries, models, ocr,
};
use crate::store::Store;
use crate::validate::Validators;
use crate::{Error, auth, examples, faults};

/// Everything a request handler can reach.
#[derive(Debug)]
pub(crate) struct App {
    pub(crate) options: Options,
    pub(crate) validators: Validators,
    store: Mutex<Store>,
    pub(crate) persist: Option<Persist>,
    /// Requests seen, for `fail_first`.
    pub(crate) requests: AtomicU64,
    /// The journal and the scripted answers.
    pub(crate) script: crate::script::Script,
    /// Held while batch requests run, so that each runs once.
    pub(crate) batch_runner: tokio::sync::Mutex<()>,
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
        Ok(Arc::new(App {
            options,
            validators,
            store: Mutex::new(store),
            persist,
            requests: AtomicU64::new(0),
            script: crate::script::Script::default(),
            batch_runner: tokio::sync::Mutex::new(()),
        }))
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

/// The operations the mock serves with state and behaviour of its own; every other operation
/// of the table answers from the spec's examples ([`examples::answer`]).
const SERVED: &[(&Operation, Route)] = &[
    (&ops::CREATE_CHAT_COMPLETION, |m| on(m, chat::create)),
    (&ops::CREATE_FIM_COMPLETION, |m| on(m, fim::create)),
    (&ops::CREATE_EMBEDDING, |m| on(m, embeddings::create)),
    (&ops::LIST_MODELS, |m| on(m, models::list)),
    (&ops::DELETE_MODEL_V1_MODELS_MODEL_ID_DELETE, |m| on(m, models::delete)),
    (&ops::RETRIEVE_MODEL_V1_MODELS_MODEL_ID_GET, |m| on(m, models::retrieve)),
    (&ops::JOBS_API_ROUTES_FINE_TUNING_UPDATE_FINE_TUNED_MODEL, |m| on(m, models::update)),
    (&ops::JOBS_API_ROUTES_FINE_TUNING_ARCHIVE_FINE_TUNED_MODEL, |m| on(m, models::archive)),
    (&ops::JOBS_API_ROUTES_FINE_TUNING_UNARCHIVE_FINE_TUNED_MODEL, |m| on(m, models::unarchive)),
    (&ops::FILES_API_ROUTES_UPLOAD_FILE, |m| on(m, files::upload)),
    (&ops::FILES_API_ROUTES_LIST_FILES, |m| on(m, files::list)),
    (&ops::FILES_API_ROUTES_RETRIEVE_FILE, |m| on(m, files::retrieve)),
    (&ops::FILES_API_ROUTES_DELETE_FILE, |m| on(m, files::delete)),
    (&ops::FILES_API_ROUTES_DOWNLOAD_FILE, |m| on(m, files::download)),
    (&ops::FILES_API_ROUTES_GET_SIGNED_URL, |m| on(m, files::signed_url)),
    (&ops::JOBS_API_ROUTES_FINE_TUNING_GET_FINE_TUNING_JOBS, |m| on(m, fine_tuning::list)),
    (&ops::JOBS_API_ROUTES_FINE_TUNING_CREATE_FINE_TUNING_JOB, |m| on(m, fine_tuning::create)),
    (&ops::JOBS_API_ROUTES_FINE_TUNING_GET_FINE_TUNING_JOB, |m| on(m, fine_tuning::get)),
    (&ops::JOBS_API_ROUTES_FINE_TUNING_CANCEL_FINE_TUNING_JOB, |m| on(m, fine_tuning::cancel)),
    (&ops::JOBS_API_ROUTES_BATCH_GET_BATCH_JOBS, |m| on(m, batch::list)),
    (&ops::JOBS_API_ROUTES_BATCH_CREATE_BATCH_JOB, |m| on(m, batch::create)),
    (&ops::JOBS_API_ROUTES_BATCH_GET_BATCH_JOB, |m| on(m, batch::get)),
    (&ops::JOBS_API_ROUTES_BATCH_CANCEL_BATCH_JOB, |m| on(m, batch::cancel)),
    (&ops::JOBS_API_ROUTES_BATCH_DELETE_BATCH_JOB, |m| on(m, batch::delete)),
    (&ops::OCR_V1_OCR_POST, |m| on(m, ocr::process)),
    (&ops::MODERATIONS_V1_MODERATIONS_POST, |m| on(m, classifiers::moderate)),
    (&ops::CHAT_MODERATIONS_V1_CHAT_MODERATIONS_POST, |m| on(m, classifiers::moderate_chat)),
    (&ops::CLASSIFICATIONS_V1_CLASSIFICATIONS_POST, |m| on(m, classifiers::classify)),
    (&ops::CHAT_CLASSIFICATIONS_V1_CHAT_CLASSIFICATIONS_POST, |m| on(m, classifiers::classify_chat)),
    (&ops::AUDIO_API_V1_TRANSCRIPTIONS_POST, |m| on(m, audio::transcriptions::create)),
    (&ops::SPEECH_V1_AUDIO_SPEECH_POST, |m| on(m, audio::speech::create)),
    (&ops::LIST_VOICES_V1_AUDIO_VOICES_GET, |m| on(m, audio::voices::list)),
    (&ops::CREATE_VOICE_V1_AUDIO_VOICES_POST, |m| on(m, audio::voices::create)),
    (&ops::GET_VOICE_V1_AUDIO_VOICES_VOICE_ID_GET, |m| on(m, audio::voices::get)),
    (&ops::UPDATE_VOICE_V1_AUDIO_VOICES_VOICE_ID_PATCH, |m| on(m, audio::voices::update)),
    (&ops::DELETE_VOICE_V1_AUDIO_VOICES_VOICE_ID_DELETE, |m| on(m, audio::voices::delete)),
    (&ops::GET_VOICE_SAMPLE_AUDIO_V1_AUDIO_VOICES_VOICE_ID_SAMPLE_GET, |m| on(m, audio::voices::sample)),
];

/// The agents, conversations and libraries operations, served with state of their own when
/// [`Options::stateful_beta`] is set (else from the spec's examples).
const BETA: &[(&Operation, Route)] = &[
    (&ops::AGENTS_API_V1_AGENTS_CREATE, |m| on(m, agents::create)),
    (&ops::AGENTS_API_V1_AGENTS_LIST, |m| on(m, agents::list)),
    (&ops::AGENTS_API_V1_AGENTS_LIST_PAGES, |m| on(m, agents::list_pages)),
    (&ops::AGENTS_API_V1_AGENTS_GET, |m| on(m, agents::get)),
    (&ops::AGENTS_API_V1_AGENTS_UPDATE, |m| on(m, agents::update)),
    (&ops::AGENTS_API_V1_AGENTS_DELETE, |m| on(m, agents::delete)),
    (&ops::AGENTS_API_V1_AGENTS_UPDATE_VERSION, |m| on(m, agents::update_version)),
    (&ops::AGENTS_API_V1_AGENTS_LIST_VERSIONS, |m| on(m, agents::list_versions)),
    (&ops::AGENTS_API_V1_AGENTS_GET_VERSION, |m| on(m, agents::get_version)),
    (&ops::AGENTS_API_V1_AGENTS_LIST_VERSION_ALIASES, |m| on(m, agents::list_aliases)),
    (&ops::AGENTS_API_V1_AGENTS_CREATE_OR_UPDATE_ALIAS, |m| on(m, agents::put_alias)),
    (&ops::AGENTS_API_V1_AGENTS_DELETE_ALIAS, |m| on(m, agents::delete_alias)),
    (&ops::AGENTS_COMPLETION_V1_AGENTS_COMPLETIONS_POST, |m| on(m, agents::complete)),
    (&ops::AGENTS_API_V1_CONVERSATIONS_START, |m| on(m, conversations::start)),
    (&ops::AGENTS_API_V1_CONVERSATIONS_APPEND, |m| on(m, conversations::append)),
    (&ops::AGENTS_API_V1_CONVERSATIONS_RESTART, |m| on(m, conversations::restart)),
    (&ops::AGENTS_API_V1_CONVERSATIONS_LIST, |m| on(m, conversations::list)),
    (&ops::AGENTS_API_V1_CONVERSATIONS_GET, |m| on(m, conversations::get)),
    (&ops::AGENTS_API_V1_CONVERSATIONS_DELETE, |m| on(m, conversations::delete)),
    (&ops::AGENTS_API_V1_CONVERSATIONS_HISTORY, |m| on(m, conversations::history)),
    (&ops::AGENTS_API_V1_CONVERSATIONS_MESSAGES, |m| on(m, conversations::messages)),
    (&ops::LIBRARIES_LIST_V1, |m| on(m, libraries::list)),
    (&ops::LIBRARIES_CREATE_V1, |m| on(m, libraries::create)),
    (&ops::LIBRARIES_GET_V1, |m| on(m, libraries::get)),
    (&ops::LIBRARIES_UPDATE_V1, |m| on(m, libraries::update)),
    (&ops::LIBRARIES_DELETE_V1, |m| on(m, libraries::delete)),
    (&ops::LIBRARIES_PATCH_V1, |m| on(m, libraries::patch)),
    (&ops::LIBRARIES_DOCUMENTS_LIST_V1, |m| on(m, libraries::list_documents)),
    (&ops::LIBRARIES_DOCUMENTS_UPLOAD_V1, |m| on(m, libraries::upload)),
    (&ops::LIBRARIES_DOCUMENTS_GET_V1, |m| on(m, libraries::get_document)),
    (&ops::LIBRARIES_DOCUMENTS_UPDATE_V1, |m| on(m, libraries::update_document)),
    (&ops::LIBRARIES_DOCUMENTS_DELETE_V1, |m| on(m, libraries::delete_document)),
    (&ops::LIBRARIES_DOCUMENTS_PATCH_V1, |m| on(m, libraries::patch_document)),
    (&ops::LIBRARIES_DOCUMENTS_GET_EXTRACTED_TEXT_SIGNED_URL_V1, |m| on(m, libraries::extracted_text_signed_url)),
    (&ops::LIBRARIES_DOCUMENTS_REPROCESS_V1, |m| on(m, libraries::reprocess)),
    (&ops::LIBRARIES_DOCUMENTS_GET_SIGNED_URL_V1, |m| on(m, libraries::signed_url)),
    (&ops::LIBRARIES_DOCUMENTS_GET_STATUS_V1, |m| on(m, libraries::status)),
    (&ops::LIBRARIES_DOCUMENTS_GET_TEXT_CONTENT_V1, |m| on(m, libraries::text_content)),
    (&ops::LIBRARIES_SHARE_LIST_V1, |m| on(m, libraries::list_shares)),
    (&ops::LIBRARIES_SHARE_CREATE_V1, |m| on(m, libraries::put_share)),
    (&ops::LIBRARIES_SHARE_DELETE_V1, |m| on(m, libraries::delete_share)),
];

type Route = fn(MethodFilter) -> MethodRouter<Arc<App>>;

/// The route of `op` alone: the mock's own handler, or the spec's example.
fn route_of(op: &'static Operation, options: &Options) -> MethodRouter<Arc<App>> {
    let method = filter(op.method);
    let beta = if options.stateful_beta { BETA } else { &[] };
    match SERVED.iter().chain(beta).find(|(served, _)| served.id == op.id) {
        Some((_, route)) => route(method),
        None => on(method, move |state, headers, body| examples::answer(op, state, headers, body)),
    }
}

/// Answers `request` as the route of `op` does, without faults, scripted rules or the journal
/// (what the mock does on its own behalf: a batch job's requests). `op` must have no path
/// parameters.
pub(crate) async fn dispatch(app: &Arc<App>, op: &'static Operation, request: Request) -> Response {
    match route_of(op, &app.options).with_state(app.clone()).oneshot(request).await {
        Ok(response) => response,
        Err(never) => match never {},
    }
}

fn filter(method: ops::Method) -> MethodFilter {
    match method {
        ops::Method::Get => MethodFilter::GET,
        ops::Method::Put => MethodFilter::PUT,
        ops::Method::Post => MethodFilter::POST,
        ops::Method::Delete => MethodFilter::DELETE,
        ops::Method::Patch => MethodFilter::PATCH,
    }
}

/// Whether the mock serves `op` itself (rather than from the spec's examples).
pub fn serves(op: &Operation) -> bool {
    SERVED.iter().any(|(served, _)| served.id == op.id)
}

/// Every operation of the table, behind auth, with faults outermost.
pub(crate) fn router(app: Arc<App>) -> Router {
    let mut paths: Vec<(&'static str, MethodRouter<Arc<App>>)> = Vec::new();
    for op in ops::ALL {
        let retired = op.group == ops::Group::FineTuning && app.options.fine_tuning == FineTuningMode::Retired;
        let route =
            if retired { on(filter(op.method), || async { ApiError::gone() }) } else { route_of(op, &app.options) };
        match paths.iter_mut().find(|(path, _)| *path == op.path) {
            Some((_, existing)) => *existing = std::mem::take(existing).merge(route),
            None => paths.push((op.path, route)),
        }
    }
    let mut router = Router::new();
    for (path, route) in paths {
        router = router.route(path, route);
    }
    let mut router = router.route_layer(from_fn_with_state(app.clone(), auth::layer));
    if app.options.stateful_beta {
        // Signed URLs of library documents carry their own proof instead of a key.
        router = router
            .route(libraries::SIGNED_CONTENT, axum::routing::get(libraries::signed_content))
            .route(libraries::SIGNED_TEXT, axum::routing::get(libraries::signed_text));
    }
    if app.options.admin {
        use crate::script::{self, ADMIN_CLOCK, ADMIN_REQUESTS, ADMIN_RULES};
        router = router
            .route(ADMIN_CLOCK, axum::routing::post(script::admin_clock))
            .route(ADMIN_RULES, axum::routing::post(script::admin_add_rule).delete(script::admin_clear_rules))
            .route(ADMIN_REQUESTS, axum::routing::get(script::admin_requests).delete(script::admin_clear_requests));
    }
    router
        .method_not_allowed_fallback(method_not_allowed)
        .fallback(not_found)
        // Only multipart uploads read this limit; JSON bodies are limited by `body_limit`.
        .layer(DefaultBodyLimit::max(app.options.upload_limit))
        .layer(from_fn_with_state(app.clone(), crate::script::layer))
        .layer(from_fn_with_state(app.clone(), faults::layer))
        .with_state(app)
}
