//! Fault injection: the `x-mock-fault` header, and the same faults server-wide.
//!
//! See the crate docs for the table of faults. They are applied before routing and
//! authentication, so any path can be made to fail.

use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use futures::StreamExt;

use crate::api_error::ApiError;
use crate::app::App;

/// The request header that asks for faults, e.g. `x-mock-fault: 429;retry-after=1`.
pub const FAULT_HEADER: &str = "x-mock-fault";

/// The longest accepted `delay`.
const MAX_DELAY: Duration = Duration::from_secs(300);

/// How an injected error status is sent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum FaultBody {
    /// A JSON error body like the real API's (the default).
    #[default]
    Json,
    /// An HTML page, as a gateway sends.
    Html,
    /// No body at all.
    Empty,
}

/// A set of faults, parsed from the `x-mock-fault` syntax: items separated by `;`.
///
/// ```
/// use std::time::Duration;
/// let f: mistral_mock::Faults = "503;html;retry-after=2;delay=150ms".parse().unwrap();
/// assert_eq!(f.status, Some(503));
/// assert_eq!(f.body, mistral_mock::FaultBody::Html);
/// assert_eq!(f.retry_after, Some(2));
/// assert_eq!(f.delay, Some(Duration::from_millis(150)));
/// assert!("teapot".parse::<mistral_mock::Faults>().is_err());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Faults {
    /// Answer with this status (400..=599) instead of serving the request.
    pub status: Option<u16>,
    /// Seconds for a `Retry-After` header on the error.
    pub retry_after: Option<u64>,
    /// How the error body is sent.
    pub body: FaultBody,
    /// Wait this long before answering (before any header is sent).
    pub delay: Option<Duration>,
    /// Send this many body frames (SSE events) then abort the connection.
    pub drop_stream_after: Option<u64>,
    /// Close the connection without any response.
    pub reset: bool,
}

fn parse_duration(s: &str) -> Option<Duration> {
    let d = if let Some(ms) = s.strip_suffix("ms") {
        Duration::from_millis(ms.trim().parse().ok()?)
    } else if let Some(secs) = s.strip_suffix('s') {
        let secs: f64 = secs.trim().parse().ok()?;
        if !(secs.is_finite() && secs >= 0.0 && secs <= MAX_DELAY.as_secs_f64()) {
            return None;
        }
        Duration::from_secs_f64(secs)
    } else {
        return None;
    };
    (d <= MAX_DELAY).then_some(d)
}

impl FromStr for Faults {
    type Err = crate::Error;

    fn from_str(s: &str) -> Result<Faults, crate::Error> {
        let mut faults = Faults::default();
        let bad = |item: &str, why: &str| crate::Error::InvalidFault(format!("'{item}': {why}"));
        for item in s.split(';').map(str::trim).filter(|i| !i.is_empty()) {
            let (key, value) = match item.split_once('=') {
                Some((k, v)) => (k.trim().to_ascii_lowercase(), Some(v.trim())),
                None => (item.to_ascii_lowercase(), None),
            };
            match (key.as_str(), value) {
                (code, None) if code.chars().all(|c| c.is_ascii_digit()) => match code.parse::<u16>() {
                    Ok(n) if (400..=599).contains(&n) => faults.status = Some(n),
                    _ => return Err(bad(item, "a status must be in 400..=599")),
                },
                ("retry-after", Some(v)) => {
                    faults.retry_after = Some(v.parse().map_err(|_| bad(item, "expected whole seconds"))?);
                }
                ("html", None) => faults.body = FaultBody::Html,
                ("empty", None) => faults.body = FaultBody::Empty,
                ("json", None) => faults.body = FaultBody::Json,
                ("delay", Some(v)) => {
                    faults.delay =
                        Some(parse_duration(v).ok_or_else(|| bad(item, "expected e.g. 150ms or 2s (at most 300s)"))?);
                }
                ("drop-stream-after", Some(v)) => {
                    faults.drop_stream_after = Some(v.parse().map_err(|_| bad(item, "expected a number of events"))?);
                }
                ("reset", None) => faults.reset = true,
                _ => {
                    return Err(bad(
                        item,
                        "unknown fault (expected a status like 503, retry-after=N, html, empty, delay=2s|150ms, \
                         drop-stream-after=N or reset)",
                    ));
                }
            }
        }
        Ok(faults)
    }
}

/// Marks a response that the connection loop must turn into a closed connection.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ResetConnection;

/// The fault middleware.
pub(crate) async fn layer(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let n = app.requests.fetch_add(1, Ordering::Relaxed);
    if n < app.options.fail_first {
        return injected(&Faults::default(), 503);
    }
    let faults = match request.headers().get(FAULT_HEADER) {
        Some(value) => match value.to_str().map_err(|e| crate::Error::InvalidFault(e.to_string())).and_then(str::parse)
        {
            Ok(f) => f,
            Err(e) => return ApiError::bad_request(format!("Invalid {FAULT_HEADER} header: {e}")).into_response(),
        },
        None => app.options.faults.clone().unwrap_or_default(),
    };
    apply(&faults, request, next).await
}

/// Serves `request` with `faults` applied: a delay first, then a reset, an error status, or
/// the normal answer (cut after N frames with `drop_stream_after`).
pub(crate) async fn apply(faults: &Faults, request: Request, next: Next) -> Response {
    if let Some(delay) = faults.delay {
        tokio::time::sleep(delay).await;
    }
    if faults.reset {
        let mut response = Response::new(Body::empty());
        response.extensions_mut().insert(ResetConnection);
        return response;
    }
    if let Some(status) = faults.status {
        return injected(faults, status);
    }
    let response = next.run(request).await;
    match faults.drop_stream_after {
        Some(after) => drop_after(response, after),
        None => response,
    }
}

/// An injected error status, with its body and headers.
fn injected(faults: &Faults, status: u16) -> Response {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
    let reason = code.canonical_reason().unwrap_or("Error");
    let mut response = match faults.body {
        FaultBody::Empty => (code, Body::empty()).into_response(),
        FaultBody::Html => (
            code,
            [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
            format!(
                "<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n<center><h1>{status} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
            ),
        )
            .into_response(),
        FaultBody::Json => {
            let mut error = match status {
                401 => ApiError::unauthorized(),
                429 => ApiError::object(code, "Rate limit exceeded", "rate_limited", Some("1300")),
                500 => ApiError::object(code, "Internal server error", "internal_error", None),
                s if s >= 500 => ApiError::object(code, reason, "internal_error", None),
                _ => ApiError::object(code, format!("Injected fault: {reason}"), "invalid_request_error", None),
            };
            error.status = code;
            error.into_response()
        }
    };
    if let Some(secs) = faults.retry_after {
        response.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    response
}

/// Lets `after` body frames through, then fails the body so the connection is aborted.
fn drop_after(response: Response, after: u64) -> Response {
    let (mut parts, body) = response.into_parts();
    parts.headers.remove(header::CONTENT_LENGTH);
    let frames = body.into_data_stream();
    let stream = futures::stream::unfold((frames, 0u64, false), move |(mut frames, sent, done)| async move {
        if done {
            return None;
        }
        if sent >= after {
            // Give the connection a moment to flush what was sent before aborting it.
            tokio::time::sleep(Duration::from_millis(30)).await;
            let err = std::io::Error::new(std::io::ErrorKind::ConnectionAborted, "x-mock-fault: stream dropped");
            return Some((Err(err), (frames, sent, true)));
        }
        match frames.next().await {
            Some(Ok(bytes)) => Some((Ok(bytes), (frames, sent + 1, false))),
            Some(Err(e)) => Some((Err(std::io::Error::other(e)), (frames, sent, true))),
            None => None,
        }
    });
    Response::from_parts(parts, Body::from_stream(stream))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_item() {
        let f: Faults = "429; retry-after=1".parse().expect("parses");
        assert_eq!((f.status, f.retry_after), (Some(429), Some(1)));
        let f: Faults = "delay=2s;drop-stream-after=3".parse().expect("parses");
        assert_eq!((f.delay, f.drop_stream_after), (Some(Duration::from_secs(2)), Some(3)));
        let f: Faults = "reset".parse().expect("parses");
        assert!(f.reset);
        let f: Faults = "502;empty".parse().expect("parses");
        assert_eq!(f.body, FaultBody::Empty);
        assert_eq!("".parse::<Faults>().expect("empty is no fault"), Faults::default());
        for bad in [
            "200",
            "999",
            "delay=2",
            "delay=-1s",
            "delay=1000s",
            "delay=1e30s",
            "delay=NaNs",
            "retry-after=x",
            "explode",
        ] {
            assert!(bad.parse::<Faults>().is_err(), "{bad}");
        }
    }
}
