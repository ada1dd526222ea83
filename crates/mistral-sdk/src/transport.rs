//! The one path every request takes: auth, retries, timeouts, error mapping, tracing.

use std::time::{Duration, Instant};

use bytes::Bytes;
use futures::FutureExt;
use futures::future::Either;
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
}

/// How much of a success response an exchange reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Read {
    /// The head only: the body is read on by the caller (streams, downloads).
    Head,
    /// The whole body, under one deadline with the send (instead of reqwest's per-request
    /// timer and body wrapper); a body cut short is retried like a failed send.
    Body,
    /// The whole body, with the status and headers (`with_meta`).
    BodyAndMeta,
}

/// What an exchange got: the response to read on (streams, downloads), or the whole body.
pub(crate) enum Got {
    Open(Response),
    Read {
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
        Call { op, method: op.method.to_http(), path, query: Vec::new(), body: Body::None, stream: false, accept: None }
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
    /// The request of one attempt, built in place (no builder moved along per header). Its
    /// header map is reserved for seven: ours, reqwest's `user-agent` and hyper's `host`,
    /// `accept-encoding` and `content-length`; hyper's copy of the map keeps that size
    /// instead of growing (and rehashing) on the seventh.
    fn request(&self, call: &mut Call, read: Read) -> Result<reqwest::Request> {
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
        headers.reserve(7);
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
            && read == Read::Head
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
        match self.exchange(&mut { call }, Read::Head).await? {
            Got::Open(response) => Ok(response),
            Got::Cut(error) => Err(error),
            Got::Read { .. } => Err(Error::stream("a read body where a response was expected")),
        }
    }

    /// Sends and decodes a JSON success body.
    pub(crate) async fn json<T: DeserializeOwned>(&self, call: Call) -> Result<T> {
        decode(self.exchange(&mut { call }, Read::Body).await?)
    }

    /// Like [`Client::json`], keeping the response's status, headers and raw body.
    pub(crate) async fn json_with_meta<T: DeserializeOwned>(&self, call: Call) -> Result<WithMeta<T>> {
        match self.exchange(&mut { call }, Read::BodyAndMeta).await? {
            Got::Read { meta: Some(meta), body } => Ok(WithMeta { data: parse(&body)?, meta, raw: body }),
            got => Err(unexpected(got)),
        }
    }

    /// Every call's exchange with the server, in a `mistral.request` span. The span is
    /// entered around each poll (what the server and reqwest log nests in it) only when a
    /// subscriber wants it: without one, a call pays for no span bookkeeping.
    pub(crate) async fn exchange(&self, call: &mut Call, read: Read) -> Result<Got> {
        let span = tracing::debug_span!(
            "mistral.request",
            operation = call.op.id,
            method = %call.method,
            path = %call.path,
            attempt = tracing::field::Empty,
            status = tracing::field::Empty,
            latency_ms = tracing::field::Empty,
        );
        if span.is_disabled() {
            self.attempts(call, read, &span).await
        } else {
            self.attempts(call, read, &span).instrument(span.clone()).await
        }
    }

    /// The one loop every call runs: attempts, each within the request timeout, retried as the
    /// policy allows. One `async fn` on purpose: each nested future would be one more copy of
    /// the whole state per call.
    async fn attempts(&self, call: &mut Call, read: Read, span: &tracing::Span) -> Result<Got> {
        let traced = !span.is_disabled();
        let policy = &self.inner.retry;
        let max_retries = self.inner.options.as_ref().and_then(|o| o.max_retries).unwrap_or(policy.get_max_retries());
        // Ours for streams and read bodies (the head, or head and body, under one deadline);
        // reqwest's, set on the request, otherwise.
        let limit = if call.stream || read != Read::Head { self.request_timeout() } else { None };
        let mut attempt: u32 = 0;
        loop {
            attempt += 1;
            span.record("attempt", attempt);
            let started = traced.then(Instant::now);
            // Set once a success head arrived: a timeout after it is not retried either.
            let mut headed = false;
            // Built as the argument of what awaits it, the request inside: each value held
            // across an await is one more slot in the state of every call.
            let exchange = async {
                let request = self.request(call, read)?;
                let mut response = self.inner.http.execute(request).await.map_err(Error::transport)?;
                let status = response.status();
                span.record("status", status.as_u16());
                if !status.is_success() {
                    // Boxed: the error path's state would be a part of every call's.
                    return Err(Box::pin(api_error(response)).await);
                }
                warn_deprecation(span, response.headers());
                if read == Read::Head {
                    return Ok(Got::Open(response));
                }
                headed = true;
                Ok(match read_all(&mut response).await {
                    Ok(body) => {
                        let meta = (read == Read::BodyAndMeta).then(|| ResponseMeta::from_response(&response));
                        Got::Read { meta, body }
                    }
                    Err(e) => Got::Cut(Error::transport(e)),
                })
            };
            let within = match limit {
                Some(limit) => Either::Left(tokio::time::timeout(limit, exchange)),
                None => Either::Right(exchange.map(Ok)),
            };
            let outcome = match within.await {
                Ok(got) => got,
                Err(_) => {
                    let timeout = Error::Timeout { what: "request", source: None };
                    if headed { Ok(Got::Cut(timeout)) } else { Err(timeout) }
                }
            };
            if let Some(started) = started {
                span.record("latency_ms", started.elapsed().as_millis() as u64);
            }
            let error = match outcome {
                Ok(got) => {
                    tracing::debug!(parent: span, "response");
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
            tracing::info!(parent: span, error = %error, delay_ms = delay.as_millis() as u64, "retrying");
            tokio::time::sleep(delay).await;
        }
    }
}

/// The decoded answer of an exchange that read the body.
pub(crate) fn decode<T: DeserializeOwned>(got: Got) -> Result<T> {
    match got {
        Got::Read { body, .. } => parse(&body),
        got => Err(unexpected(got)),
    }
}

/// What an exchange gave when it should have read the body.
fn unexpected(got: Got) -> Error {
    match got {
        Got::Cut(error) => error,
        _ => Error::stream("the response body was not read"),
    }
}

/// An empty body reads as `null` (what `()` and `Option` take: 204 answers).
fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T> {
    let json = if body.is_empty() { b"null".as_slice() } else { body };
    serde_json::from_slice(json).map_err(|e| Error::decode(body, e))
}

/// The whole body: its one chunk as is (the usual case for an answer of a few KiB), or the
/// chunks kept and joined once at the end (one copy of the body, whatever its declared
/// length; a buffer grown as chunks arrive copies it again at each doubling). A smaller
/// future than `Response::bytes`, which every call's state would hold.
async fn read_all(response: &mut Response) -> reqwest::Result<Bytes> {
    let Some(first) = response.chunk().await? else {
        return Ok(Bytes::new());
    };
    let Some(second) = response.chunk().await? else {
        return Ok(first);
    };
    let mut chunks = vec![first, second];
    while let Some(chunk) = response.chunk().await? {
        chunks.push(chunk);
    }
    Ok(Bytes::from(chunks.concat()))
}

/// The error an error status stands for, read from its head and body.
async fn api_error(response: Response) -> Error {
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let body = read_error_body(response).await;
    ApiError::from_parts(status, &headers, &body).into()
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

fn warn_deprecation(span: &tracing::Span, headers: &HeaderMap) {
    if let Some(at) = headers.get(&DEPRECATION).and_then(|v| v.to_str().ok()) {
        tracing::warn!(parent: span, deprecation = at, "the model is deprecated");
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

#[cfg(test)]
mod tests {
    use super::*;

    fn response(chunks: &[&'static [u8]]) -> Response {
        let chunks: Vec<std::io::Result<Bytes>> = chunks.iter().map(|c| Ok(Bytes::from_static(c))).collect();
        let stream = futures::stream::iter(chunks);
        Response::from(http::Response::new(reqwest::Body::wrap_stream(stream)))
    }

    #[tokio::test]
    async fn a_body_is_read_whole_from_any_number_of_chunks() {
        let bodies: [&[&'static [u8]]; 4] = [&[], &[b"{}"], &[b"{\"a\":", b"1}"], &[b"[1", b",2", b",3", b"", b"]"]];
        for chunks in bodies {
            let body = read_all(&mut response(chunks)).await.unwrap();
            assert_eq!(body, chunks.concat());
        }
    }
}
