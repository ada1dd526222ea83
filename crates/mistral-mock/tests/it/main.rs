//! Integration tests: a real `MockServer` on a random port, driven with reqwest.
//!
//! Every JSON response that goes through [`Mock::call`] is validated against the spec
//! (`mistral-spec`'s response validators), and every streamed chunk against `CompletionChunk`.

mod agents;
mod api;
mod audio;
mod batch;
mod chat_2026;
mod classifiers;
mod cli;
mod conversations;
mod conversations_tools;
mod errors;
mod faults;
mod files;
mod fim;
mod fine_tuning;
mod libraries;
mod load;
mod models;
mod ocr;
mod script;
mod server;

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Mutex, OnceLock};
use std::time::Duration;

use mistral_mock::{MockServer, MockServerBuilder};
use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::Value;

/// Fails the test instead of hanging.
pub async fn within<F: Future>(secs: u64, f: F) -> F::Output {
    match tokio::time::timeout(Duration::from_secs(secs), f).await {
        Ok(v) => v,
        Err(_) => panic!("test did not finish within {secs}s"),
    }
}

/// A response, read whole.
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Reply {
    pub fn content_type(&self) -> &str {
        self.headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("")
    }
}

/// A compiled validator, built once per key for the whole test run (compiling is slow).
fn cached(key: String, build: impl FnOnce() -> mistral_spec::Validator) -> &'static mistral_spec::Validator {
    static CACHE: OnceLock<Mutex<HashMap<String, &'static mistral_spec::Validator>>> = OnceLock::new();
    let mut cache = CACHE.get_or_init(Default::default).lock().unwrap_or_else(|e| e.into_inner());
    cache.entry(key).or_insert_with(|| Box::leak(Box::new(build())))
}

/// Validates `body` as the spec's response of `op` with `status`; statuses the operation does
/// not declare (400, 405, 413...) are validated against the `ApiError` schema.
pub fn assert_conforms(op: &str, status: StatusCode, body: &Value) {
    let spec = mistral_spec::Spec::embedded().expect("spec");
    let code = status.as_str();
    let declared = spec.response_media_types(op, code).iter().any(|m| m == "application/json");
    let validator = if declared || status.is_success() {
        cached(format!("{op} {code}"), || {
            spec.response_validator(op, code, "application/json").expect("response validator")
        })
    } else {
        cached("ApiError".into(), || spec.component_validator("ApiError").expect("ApiError validator"))
    };
    if let Err(violations) = validator.validate(body) {
        panic!("{op} {status} does not conform: {violations:?}\n{body:#}");
    }
}

/// Validates one named event (`event: <name>` with its data) against the spec's
/// `text/event-stream` schema of `op`.
pub fn assert_event_conforms(op: &str, name: &str, data: &Value) {
    let spec = mistral_spec::Spec::embedded().expect("spec");
    let validator = cached(format!("{op} stream"), || {
        spec.response_validator(op, "200", "text/event-stream").expect("event validator")
    });
    if let Err(violations) = validator.validate(&mistral_spec::sse::envelope(Some(name), data.clone())) {
        panic!("{op} event {name} does not conform: {violations:?}\n{data:#}");
    }
}

/// The named events of a stream (`event: <name>\ndata: <json>`), in order, each validated.
pub fn named_events(op: &str, body: &str) -> Vec<(String, Value)> {
    assert!(body.ends_with("\n\n"), "stream must end with a blank line: {body:?}");
    body.trim_end_matches("\n\n")
        .split("\n\n")
        .map(|event| {
            let (head, data) = event.split_once('\n').unwrap_or_else(|| panic!("not a named event: {event:?}"));
            let name = head.strip_prefix("event: ").unwrap_or_else(|| panic!("no event name: {event:?}"));
            let data: Value = serde_json::from_str(data.strip_prefix("data: ").expect("data")).expect("JSON data");
            assert_event_conforms(op, name, &data);
            (name.to_string(), data)
        })
        .collect()
}

/// Standard, padded base64.
pub fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = (u32::from(chunk[0]) << 16)
            | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8)
            | u32::from(*chunk.get(2).unwrap_or(&0));
        for i in 0..4 {
            out.push(if i <= chunk.len() { char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]) } else { '=' });
        }
    }
    out
}

/// Decodes standard, padded base64.
pub fn unbase64(text: &str) -> Vec<u8> {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let values: Vec<u32> =
        text.bytes().filter_map(|c| ALPHABET.iter().position(|a| *a == c).map(|p| p as u32)).collect();
    let mut out = Vec::new();
    for group in values.chunks(4) {
        let n = group.iter().enumerate().fold(0u32, |acc, (i, v)| acc | v << (18 - 6 * i));
        out.extend_from_slice(&n.to_be_bytes()[1..group.len()]);
    }
    out
}

/// Validates one streamed chunk against the spec's `text/event-stream` schema of `op`.
pub fn assert_chunk_conforms(op: &str, chunk: &Value) {
    let spec = mistral_spec::Spec::embedded().expect("spec");
    let validator = cached(format!("{op} stream"), || {
        spec.response_validator(op, "200", "text/event-stream").expect("chunk validator")
    });
    // The spec's event schema is the whole event: `{data: <chunk>}`.
    if let Err(violations) = validator.validate(&mistral_spec::sse::envelope(None, chunk.clone())) {
        panic!("{op} chunk does not conform: {violations:?}\n{chunk:#}");
    }
}

/// A running mock and a client for it.
pub struct Mock {
    pub server: MockServer,
    pub http: reqwest::Client,
    pub key: String,
}

impl Mock {
    /// A server whose jobs run fast (speed 2000: a 10-step job takes ~55 ms).
    pub async fn start() -> Mock {
        Mock::with(MockServer::builder().speed(2000.0)).await
    }

    pub async fn with(builder: MockServerBuilder) -> Mock {
        let server = builder.start().await.expect("server starts");
        let key = server.api_key().to_string();
        Mock { server, http: reqwest::Client::new(), key }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.server.base_url())
    }

    pub fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.http.request(method, self.url(path)).bearer_auth(&self.key)
    }

    /// Sends, reads the body as JSON (Null when it is not JSON) and validates it.
    pub async fn call(&self, op: &str, request: reqwest::RequestBuilder) -> Reply {
        let reply = read(request).await;
        if reply.content_type().starts_with("application/json") {
            assert_conforms(op, reply.status, &reply.body);
        }
        reply
    }

    pub async fn post(&self, op: &str, path: &str, body: Value) -> Reply {
        self.call(op, self.request(Method::POST, path).json(&body)).await
    }

    pub async fn get(&self, op: &str, path: &str) -> Reply {
        self.call(op, self.request(Method::GET, path)).await
    }

    pub async fn delete(&self, op: &str, path: &str) -> Reply {
        self.call(op, self.request(Method::DELETE, path)).await
    }

    /// Uploads `bytes` as `filename` (multipart, purpose fine-tune).
    pub async fn upload(&self, filename: &str, bytes: Vec<u8>) -> Reply {
        let part = reqwest::multipart::Part::bytes(bytes).file_name(filename.to_string());
        let form = reqwest::multipart::Form::new().text("purpose", "fine-tune").part("file", part);
        self.call("files_api_routes_upload_file", self.request(Method::POST, "/v1/files").multipart(form)).await
    }

    /// Uploads a small valid training file and gives its id.
    pub async fn upload_training(&self, lines: usize) -> String {
        let reply = self.upload("train.jsonl", training_file(lines)).await;
        assert_eq!(reply.status, 200, "{}", reply.text);
        reply.body["id"].as_str().expect("file id").to_string()
    }

    /// Posts with `stream: true`; gives the status, headers and the raw body.
    pub async fn stream(&self, path: &str, body: Value) -> (StatusCode, HeaderMap, String) {
        let response = self.request(Method::POST, path).json(&body).send().await.expect("sent");
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.expect("whole stream");
        (status, headers, text)
    }
}

/// Sends and reads a whole reply.
pub async fn read(request: reqwest::RequestBuilder) -> Reply {
    let response = request.send().await.expect("request sent");
    let status = response.status();
    let headers = response.headers().clone();
    let text = response.text().await.expect("body read");
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Reply { status, headers, body, text }
}

/// A JSONL training file of `lines` examples.
pub fn training_file(lines: usize) -> Vec<u8> {
    let mut out = String::new();
    for i in 0..lines {
        out.push_str(&format!(
            "{{\"messages\": [{{\"role\": \"user\", \"content\": \"What is {i} plus {i}?\"}}, {{\"role\": \"assistant\", \"content\": \"It is {}.\"}}]}}\n",
            i * 2
        ));
    }
    out.into_bytes()
}

/// Splits an SSE body into its `data:` payloads, checking the framing (`data: ...\n\n`).
pub fn sse_events(body: &str) -> Vec<String> {
    assert!(body.ends_with("\n\n"), "stream must end with a blank line: {body:?}");
    body.trim_end_matches("\n\n")
        .split("\n\n")
        .map(|event| {
            let data = event.strip_prefix("data: ").unwrap_or_else(|| panic!("not a data event: {event:?}"));
            assert!(!data.contains('\n'), "one line per event: {event:?}");
            data.to_string()
        })
        .collect()
}

/// The chunks of a completed stream (validated against the spec), checking it ends with
/// `[DONE]`.
pub fn stream_chunks(op: &str, body: &str) -> Vec<Value> {
    let events = sse_events(body);
    assert_eq!(events.last().map(String::as_str), Some("[DONE]"), "stream must end with [DONE]");
    events[..events.len() - 1]
        .iter()
        .map(|e| {
            let chunk: Value = serde_json::from_str(e).expect("chunk is JSON");
            assert_chunk_conforms(op, &chunk);
            chunk
        })
        .collect()
}

/// The streamed text: the concatenated `delta.content`s.
pub fn streamed_text(chunks: &[Value]) -> String {
    chunks.iter().filter_map(|c| c["choices"][0]["delta"]["content"].as_str()).collect()
}
