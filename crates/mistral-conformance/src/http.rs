//! Sending one request and reading its answer, bounded in time and size, with every
//! transport problem turned into a [`Fail`].

use std::time::Duration;

use bytes::{Bytes, BytesMut};
use reqwest::header::CONTENT_TYPE;
use tokio::time::Instant;

use crate::check::Fail;

/// The largest response body read (a larger one is a failure, not a growing buffer).
pub(crate) const MAX_BODY_BYTES: usize = 16 * 1024 * 1024;

/// An answer whose head (and, for [`read`], whole body) arrived.
#[derive(Debug)]
pub(crate) struct Reply {
    /// The status code.
    pub status: u16,
    /// The `Content-Type` header, if any (lossily decoded).
    pub content_type: Option<String>,
    /// The body.
    pub body: Bytes,
}

/// What to send as the body.
#[derive(Debug, Clone)]
pub(crate) enum Payload {
    /// No body.
    None,
    /// A JSON document.
    Json(serde_json::Value),
    /// `multipart/form-data` with a `file` part (name and bytes) and an optional `purpose`.
    Upload { filename: String, bytes: Bytes, purpose: Option<String> },
    /// `multipart/form-data` with text fields and, when given, a `file` part.
    Form { fields: Vec<(String, String)>, file: Option<Bytes> },
}

/// Attaches `payload` to `request`.
pub(crate) fn with_payload(request: reqwest::RequestBuilder, payload: &Payload) -> reqwest::RequestBuilder {
    match payload {
        Payload::None => request,
        Payload::Json(value) => request.json(value),
        Payload::Upload { filename, bytes, purpose } => {
            let part = reqwest::multipart::Part::bytes(bytes.to_vec()).file_name(filename.clone());
            let mut form = reqwest::multipart::Form::new();
            if let Some(purpose) = purpose {
                form = form.text("purpose", purpose.clone());
            }
            request.multipart(form.part("file", part))
        }
        Payload::Form { fields, file } => {
            let mut form = reqwest::multipart::Form::new();
            for (name, value) in fields {
                form = form.text(name.clone(), value.clone());
            }
            if let Some(bytes) = file {
                form = form.part("file", reqwest::multipart::Part::bytes(bytes.to_vec()).file_name("example.bin"));
            }
            request.multipart(form)
        }
    }
}

/// Sends `request` and waits for the response head, until `deadline`.
pub(crate) async fn open(request: reqwest::RequestBuilder, deadline: Instant) -> Result<reqwest::Response, Fail> {
    match tokio::time::timeout_at(deadline, request.send()).await {
        Err(_) => Err(Fail::transport("no response before the timeout")),
        Ok(Err(e)) if e.is_timeout() => Err(Fail::transport("no response before the timeout (connecting)")),
        Ok(Err(e)) => Err(Fail::transport(format!("no response: {}", describe(&e)))),
        Ok(Ok(response)) => Ok(response),
    }
}

/// The `Content-Type` of a response, if it has one.
pub(crate) fn content_type(response: &reqwest::Response) -> Option<String> {
    response.headers().get(CONTENT_TYPE).map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
}

/// Reads the whole body of `response` (at most [`MAX_BODY_BYTES`]) until `deadline`.
pub(crate) async fn read(mut response: reqwest::Response, deadline: Instant) -> Result<Reply, Fail> {
    let status = response.status().as_u16();
    let content_type = content_type(&response);
    let mut body = BytesMut::new();
    loop {
        match tokio::time::timeout_at(deadline, response.chunk()).await {
            Err(_) => {
                return Err(Fail::transport(format!(
                    "status {status}, but the body did not end before the timeout ({} bytes read)",
                    body.len()
                )));
            }
            Ok(Err(e)) => {
                return Err(Fail::transport(format!(
                    "status {status}, but reading the body failed after {} bytes: {}",
                    body.len(),
                    describe(&e)
                )));
            }
            Ok(Ok(None)) => break,
            Ok(Ok(Some(chunk))) => {
                if body.len() + chunk.len() > MAX_BODY_BYTES {
                    return Err(Fail::transport(format!(
                        "status {status}, but the body is larger than {MAX_BODY_BYTES} bytes"
                    )));
                }
                body.extend_from_slice(&chunk);
            }
        }
    }
    Ok(Reply { status, content_type, body: body.freeze() })
}

/// Sends `request` and reads the whole answer, all before `timeout` has passed.
pub(crate) async fn exchange(request: reqwest::RequestBuilder, timeout: Duration) -> Result<Reply, Fail> {
    let deadline = Instant::now() + timeout;
    let response = open(request, deadline).await?;
    read(response, deadline).await
}

/// An error and its causes, deduplicated, on one line: `error sending request: client
/// error (Connect): tcp connect error: Connection refused (os error 111)`.
pub(crate) fn describe(error: &dyn std::error::Error) -> String {
    let mut parts: Vec<String> = vec![error.to_string()];
    let mut source = error.source();
    while let Some(s) = source {
        let text = s.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = s.source();
    }
    parts.join(": ")
}

/// The first bytes of a body, for a message: lossy UTF-8, control characters as spaces,
/// `(empty body)` when there is none.
pub(crate) fn snippet(body: &[u8]) -> String {
    const MAX: usize = 200;
    if body.is_empty() {
        return "(empty body)".into();
    }
    let head = body.get(..MAX).unwrap_or(body);
    let mut text: String =
        String::from_utf8_lossy(head).chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    if body.len() > MAX {
        text.push('…');
    }
    text
}

/// The media type of a `Content-Type` value, lower-cased, without parameters.
pub(crate) fn essence(content_type: &str) -> String {
    content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn snippets_and_essences() {
        assert_eq!(snippet(b""), "(empty body)");
        assert_eq!(snippet(b"a\nb"), "a b");
        assert_eq!(snippet(&[b'x'; 300]).chars().count(), 201);
        assert_eq!(essence("Application/JSON; charset=utf-8"), "application/json");
        assert_eq!(essence(""), "");
    }
}
