//! `Authorization: Bearer <key>` checking.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use mistral_openapi::operations as ops;

use crate::api_error::ApiError;
use crate::app::App;
use crate::text::hash64;

/// Who is calling: derived from the API key, stored in request extensions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Caller {
    /// 8 hex digits standing for the key's organisation (`owned_by` of its fine-tuned models).
    pub(crate) owner: String,
}

/// The 8-hex-digit owner id of a key.
pub(crate) fn owner_of(key: &str) -> String {
    format!("{:08x}", hash64(key.as_bytes()) >> 32)
}

/// The bearer key of a request, if it has a non-empty one.
fn bearer(request: &Request) -> Option<&str> {
    let value = request.headers().get(header::AUTHORIZATION)?.to_str().ok()?.trim();
    let (scheme, key) = value.split_once(' ')?;
    let key = key.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !key.is_empty()).then_some(key)
}

/// A download through a signed URL: it carries its own proof (`signature`, checked by the
/// handler) instead of a key.
fn signed_download(request: &Request) -> bool {
    request.method() == axum::http::Method::GET
        && fits_template(ops::FILES_API_ROUTES_DOWNLOAD_FILE.path, request.uri().path())
        && request.uri().query().is_some_and(|q| form_urlencoded::parse(q.as_bytes()).any(|(k, _)| k == "signature"))
}

/// Whether `path` is an instance of the path `template` (`{name}` matches one segment).
fn fits_template(template: &str, path: &str) -> bool {
    let (mut want, mut got) = (template.split('/'), path.split('/'));
    loop {
        match (want.next(), got.next()) {
            (None, None) => return true,
            (Some(w), Some(g)) if w == g || (w.starts_with('{') && !g.is_empty()) => {}
            _ => return false,
        }
    }
}

/// The auth middleware: 401 for a missing key, another 401 body for an unknown one.
pub(crate) async fn layer(State(app): State<Arc<App>>, mut request: Request, next: Next) -> Response {
    if signed_download(&request) {
        return next.run(request).await;
    }
    let caller = match bearer(&request) {
        Some(key) if app.options.api_keys.is_empty() || app.options.api_keys.iter().any(|k| k == key) => {
            Caller { owner: owner_of(key) }
        }
        Some(_) => return ApiError::invalid_key().into_response(),
        None => return ApiError::unauthorized().into_response(),
    };
    request.extensions_mut().insert(caller);
    next.run(request).await
}
