//! The one path every request takes: auth, retries, timeouts, error mapping, tracing.

use std::time::{Duration, Instant};

use bytes::Bytes;
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderMap, HeaderValue};
use reqwest::{Method, Response};
use serde::de::DeserializeOwned;
use tracing::Instrument;

use std::borrow::Cow;

use mistral_openapi::operations::Operation;

use crate::client::Client;
use crate::error::{ApiError, Error, Result};
use crate::meta::{ResponseMeta, WithMeta};

/// A request body that can be rebuilt for every attempt.
pub(crate) enum Body {
    None,
    Json(Bytes),
    /// Multipart forms are streams: a factory makes a fresh one per attempt. When the source
    /// cannot be replayed (`replayable: false`) no retry happens.
    Multipart {
        make: Box<dyn FnMut() -> Result<reqwest::multipart::Form> + Send>,
        replayable: bool,
    },
}

/// One API call.
pub(crate) struct Call {
    pub op: &'static Operation,
    pub method: Method,
    pub path: Cow<'static, str>,
    pub query: Vec<(&'static str, String)>,
    pub body: Body,
    pub stream: bool,
    /// The `Accept` header when not JSON or an event stream (downloads).
    pub accept: Option<HeaderValue>,
    /// The caller wants the whole body: each attempt reads it, under one deadline with the
    /// send (instead of reqwest's per-request timer and body wrapper), and a body cut short
    /// is retried like a failed send.
    pub read_body: bool,
    /// With `read_body`: keep the status and headers too (`with_meta`).
    pub keep_meta: bool,
}

/// What an attempt got: the response to read on (streams, downloads), or the whole body.
enum Got {
    Open(Response),
    Read {
        status: u16,
        meta: Option<ResponseMeta>,
        body: Bytes,
    },
    /// The body broke after a success head: not retried, the server may have acted.
    Cut(Error),
}

impl Call {
    /// A call of `op`, whose path has no parameter.
    pub(crate) fn new(op: &'static Operation) -> Call {
        Call::at(op, Cow::Borrowed(op.path))
    }

    /// A call of `op` with its path parameters, in order (percent-encoded here).
    pub(crate) fn with_path(op: &'static Operation, params: &[&str]) -> Call {
        Call::at(op, Cow::Owned(op.path_with(params)))
    }

    fn at(op: &'static Operation, path: Cow<'static, str>) -> Call {
        Call {
            op,
            method: op.method.to_http(),
            path,
            query: Vec::new(),
            body: Body::None,
            stream: false,
            accept: None,
            read_body: false,
            keep_meta: false,
        }
    }

    pub(crate) fn json<T: serde::Serialize + ?Sized>(mut self, body: &T) -> Result<Call> {
        let bytes = serde_json::to_vec(body)
            .map_err(|e| Error::InvalidRequest(format!("cannot serialize the request: {e}")))?;
        self.body = Body::Json(Bytes::from(bytes));
        Ok(self)
    }

    /// A chat/FIM completion: JSON body, `Accept: text/event-stream` when streaming.
    pub(crate) fn completion<T: serde::Serialize>(op: &'static Operation, body: &T, stream: bool) -> Result<Call> {
        let mut call = Call::new(op).json(body)?;
        call.stream = stream;
        Ok(call)
    }

    pub(crate) fn query(mut self, name: &'static str, value: Option<impl ToString>) -> Call {
        if let Some(v) = value {
            self.query.push((name, v.to_string()));
        }
        self
    }
}

/// Whether `error` may be retried for `op`: any retryable error when the operation is safe to
/// repeat; otherwise only what the server surely did not act on (429, a refused connection).
fn retry_allowed(op: &Operation, error: &Error) -> bool {
    if op.retry.is_safe() {
        return error.is_retryable();
    }
    match error {
        Error::Api(e) => e.status == 429,
        Error::Connection(e) => e.is_connect(),
        _ => false,
    }
}

const JSON: HeaderValue = HeaderValue::from_static("application/json");
const EVENT_STREAM: HeaderValue = HeaderValue::from_static("text/event-stream");

impl Client {
    /// The request of one attempt, built in place (no builder moved along per header; the
    /// header map sized once for what it will hold, the client's defaults included).
    fn request(&self, call: &mut Call) -> Result<reqwest::Request> {
        let inner = &self.inner;
        let url = match inner.endpoints.iter().find(|(path, _)| *path == call.path) {
            Some((_, url)) => url.clone(),
            None => reqwest::Url::parse(&format!("{}{}", inner.base_url, call.path))
                .map_err(|e| Error::InvalidRequest(format!("bad URL for {}: {e}", call.path)))?,
        };
        let mut request = reqwest::Request::new(call.method.clone(), url);
        if !call.query.is_empty() {
            request.url_mut().query_pairs_mut().extend_pairs(call.query.iter().map(|(k, v)| (*k, v.as_str())));
        }
        let headers = request.headers_mut();
        headers.reserve(8);
        replace_headers(headers, &inner.extra_headers);
        if let Some(options) = &inner.options {
            options.check()?;
            replace_headers(headers, &options.headers);
        }
        if let Some(auth) = &inner.auth {
            headers.insert(reqwest::header::AUTHORIZATION, auth.clone());
        }
        let accept = match &call.accept {
            Some(accept) => accept.clone(),
            None if call.stream => EVENT_STREAM,
            None => JSON,
        };
        headers.insert(ACCEPT, accept);
        if !call.stream
            && !call.read_body
            && let Some(t) = self.request_timeout()
        {
            *request.timeout_mut() = Some(t);
        }
        match &mut call.body {
            Body::None => {}
            Body::Json(bytes) => {
                request.headers_mut().insert(CONTENT_TYPE, JSON);
                *request.body_mut() = Some(bytes.clone().into());
            }
            Body::Multipart { make, .. } => {
                let form = make()?;
                request = reqwest::RequestBuilder::from_parts(inner.http.clone(), request)
                    .multipart(form)
                    .build()
                    .map_err(Error::transport)?;
            }
        }
        Ok(request)
    }

    /// Sends with retries until a success status; error statuses become [`Error::Api`].
    pub(crate) async fn send(&self, call: Call) -> Result<Response> {
        match self.send_call(call).await? {
            Got::Open(response) => Ok(response),
            Got::Cut(error) => Err(error),
            Got::Read { .. } => Err(Error::stream("a read body where a response was expected")),
        }
    }

    async fn send_call(&self, mut call: Call) -> Result<Got> {
        let span = tracing::debug_span!(
            "mistral.request",
            operation = call.op.id,
            method = %call.method,
            path = %call.path,
            attempt = tracing::field::Empty,
            status = tracing::field::Empty,
            latency_ms = tracing::field::Empty,
        );
        self.send_with_retries(&mut call).instrument(span).await
    }

    async fn send_with_retries(&self, call: &mut Call) -> Result<Got> {
        let policy = &self.inner.retry;
        let max_retries = self.inner.options.as_ref().and_then(|o| o.max_retries).unwrap_or(policy.get_max_retries());
        let mut attempt: u32 = 0;
        loop {
            attempt += 1;
            let span = tracing::Span::current();
            span.record("attempt", attempt);
            let started = Instant::now();
            let read = call.read_body.then_some(call.keep_meta);
            let outcome = self.attempt(self.request(call)?, call.stream, read).await;
            span.record("latency_ms", started.elapsed().as_millis() as u64);
            let error = match outcome {
                Ok(got) => {
                    match &got {
                        Got::Open(response) => {
                            span.record("status", response.status().as_u16());
                            warn_deprecation(response.headers());
                        }
                        Got::Read { status, .. } => {
                            span.record("status", status);
                        }
                        Got::Cut(_) => {}
                    }
                    tracing::debug!("response");
                    return Ok(got);
                }
                Err(e) => e,
            };
            let retries_left = attempt <= max_retries;
            let replayable = !matches!(call.body, Body::Multipart { replayable: false, .. });
            if !(retry_allowed(call.op, &error) && retries_left && replayable) {
                return Err(with_attempts(error, attempt));
            }
            let retry_after = error.api().and_then(|e| e.retry_after);
            let delay = policy.delay(attempt - 1, retry_after);
            tracing::info!(error = %error, delay_ms = delay.as_millis() as u64, "retrying");
            tokio::time::sleep(delay).await;
        }
    }

    /// One attempt: the response head, or with `read` (`Some(keep_meta)`) the whole body too,
    /// within the request timeout (ours for streams and read bodies, reqwest's otherwise).
    async fn attempt(&self, request: reqwest::Request, stream: bool, read: Option<bool>) -> Result<Got> {
        // Set once a success head arrived: a timeout after it is not retried either.
        let headed = std::sync::atomic::AtomicBool::new(false);
        let exchange = async {
            let response = self.inner.http.execute(request).await.map_err(Error::transport)?;
            let status = response.status();
            tracing::Span::current().record("status", status.as_u16());
            if !status.is_success() {
                let headers = response.headers().clone();
                let body = read_error_body(response).await;
                return Err(ApiError::from_parts(status.as_u16(), &headers, &body).into());
            }
            let Some(keep_meta) = read else {
                return Ok(Got::Open(response));
            };
            headed.store(true, std::sync::atomic::Ordering::Relaxed);
            warn_deprecation(response.headers());
            let meta = keep_meta.then(|| ResponseMeta::from_response(&response));
            Ok(match response.bytes().await {
                Ok(body) => Got::Read { status: status.as_u16(), meta, body },
                Err(e) => Got::Cut(Error::transport(e)),
            })
        };
        match (stream || read.is_some(), self.request_timeout()) {
            (true, Some(limit)) => match tokio::time::timeout(limit, exchange).await {
                Ok(got) => got,
                Err(_) => {
                    let timeout = Error::Timeout { what: "request", source: None };
                    if headed.load(std::sync::atomic::Ordering::Relaxed) { Ok(Got::Cut(timeout)) } else { Err(timeout) }
                }
            },
            _ => exchange.await,
        }
    }

    /// Sends and decodes a JSON success body.
    pub(crate) async fn json<T: DeserializeOwned>(&self, call: Call) -> Result<T> {
        let (_, body) = self.read(call, false).await?;
        parse(&body)
    }

    /// Like [`Client::json`], keeping the response's status, headers and raw body.
    pub(crate) async fn json_with_meta<T: DeserializeOwned>(&self, call: Call) -> Result<WithMeta<T>> {
        let (meta, raw) = self.read(call, true).await?;
        let meta = meta.ok_or_else(|| Error::stream("the response's status and headers were not kept"))?;
        Ok(WithMeta { data: parse(&raw)?, meta, raw })
    }

    /// The whole success body, with the status and headers when `keep_meta`.
    async fn read(&self, mut call: Call, keep_meta: bool) -> Result<(Option<ResponseMeta>, Bytes)> {
        call.read_body = true;
        call.keep_meta = keep_meta;
        match self.send_call(call).await? {
            Got::Read { meta, body, .. } => Ok((meta, body)),
            Got::Cut(error) => Err(error),
            Got::Open(response) => {
                let meta = keep_meta.then(|| ResponseMeta::from_response(&response));
                Ok((meta, response.bytes().await.map_err(Error::transport)?))
            }
        }
    }
}

/// An empty body reads as `null` (what `()` and `Option` take: 204 answers).
fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T> {
    let json = if body.is_empty() { b"null".as_slice() } else { body };
    serde_json::from_slice(json).map_err(|e| Error::decode(body, e))
}

/// Reads at most 64 KiB of an error body, and never fails: a broken body is an empty one.
async fn read_error_body(mut response: Response) -> Vec<u8> {
    const LIMIT: usize = 64 * 1024;
    let mut out = Vec::new();
    let read = async {
        while let Ok(Some(chunk)) = response.chunk().await {
            out.extend_from_slice(&chunk);
            if out.len() >= LIMIT {
                out.truncate(LIMIT);
                break;
            }
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(30), read).await;
    out
}

fn with_attempts(error: Error, attempts: u32) -> Error {
    match error {
        Error::Api(mut e) => {
            e.attempts = attempts;
            Error::Api(e)
        }
        other => other,
    }
}

const DEPRECATION: reqwest::header::HeaderName =
    reqwest::header::HeaderName::from_static("x-model-deprecation-timestamp");

fn warn_deprecation(headers: &HeaderMap) {
    if let Some(at) = headers.get(&DEPRECATION).and_then(|v| v.to_str().ok()) {
        tracing::warn!(deprecation = at, "the model is deprecated");
    }
}

/// Adds a problem for each sampling value outside the spec's ranges: temperature in 0..=1.5,
/// top_p in (0, 1] (what the server takes).
pub(crate) fn check_sampling(problems: &mut Vec<String>, temperature: Option<f64>, top_p: Option<f64>) {
    if let Some(t) = temperature
        && !(0.0..=1.5).contains(&t)
    {
        problems.push(format!("temperature must be in 0..=1.5, is {t}"));
    }
    if let Some(p) = top_p
        && !(p > 0.0 && p <= 1.0)
    {
        problems.push(format!("top_p must be in (0, 1], is {p}"));
    }
}

/// Sets every header of `from` in `to`, replacing values of the same name (what
/// `RequestBuilder::headers` does).
fn replace_headers(to: &mut HeaderMap, from: &HeaderMap) {
    for name in from.keys() {
        to.remove(name);
        for value in from.get_all(name) {
            to.append(name.clone(), value.clone());
        }
    }
}
