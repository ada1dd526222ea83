//! A batch's results: the lines of its output and error files (or its inline `outputs`),
//! decoded one by one as they download.

use std::collections::{HashMap, VecDeque};
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures::stream::BoxStream;
use futures::{Stream, StreamExt};
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::BatchJobExt;
use crate::client::Client;
use crate::error::{Error, Result};
use crate::files::Download;
use crate::types::BatchJob;

/// One request's result, keyed by its custom id.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchResult<R> {
    /// The request's custom id (empty when the line had none).
    pub custom_id: String,
    /// The decoded answer, or why the request failed.
    pub result: std::result::Result<R, BatchLineError>,
}

/// A request of a batch that failed: the server's error line, or a success line whose body
/// did not decode.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
#[non_exhaustive]
pub struct BatchLineError {
    /// The HTTP status the request got, when the line says.
    pub status: Option<u16>,
    /// The server's message (or what did not decode).
    pub message: String,
    /// The line's `error`, or its response `body` when there is no `error`.
    pub error: Option<Value>,
    /// The whole line, as received.
    pub line: String,
}

/// One result line, as tolerant as can be: `{"id", "custom_id", "response": {"status_code",
/// "body"}, "error"}`.
#[derive(Deserialize)]
struct Line {
    #[serde(default)]
    custom_id: Option<String>,
    #[serde(default)]
    response: Option<LineResponse>,
    #[serde(default)]
    error: Option<Value>,
}

#[derive(Deserialize)]
struct LineResponse {
    #[serde(default)]
    status_code: Option<u16>,
    #[serde(default)]
    body: Option<Value>,
}

/// A successful line read straight into the typed answer (no `Value` in between).
#[derive(Deserialize)]
struct TypedLine<R> {
    #[serde(default)]
    custom_id: Option<String>,
    response: TypedResponse<R>,
    #[serde(default)]
    error: Option<Value>,
}

#[derive(Deserialize)]
struct TypedResponse<R> {
    #[serde(default)]
    status_code: Option<u16>,
    // A missing `Option` field reads as `None` (no `default`, which would ask `R: Default`).
    body: Option<R>,
}

/// Decodes one result line.
pub(crate) fn decode_line<R: DeserializeOwned>(text: &str) -> BatchResult<R> {
    // Most lines are successes: read them in one pass. Anything else (an error, a status,
    // a body that does not fit) goes the tolerant way below.
    if let Ok(TypedLine { custom_id, response: TypedResponse { status_code, body: Some(body) }, error }) =
        serde_json::from_str::<TypedLine<R>>(text)
        && error.as_ref().is_none_or(Value::is_null)
        && status_code.is_none_or(|s| (200..300).contains(&s))
    {
        return BatchResult { custom_id: custom_id.unwrap_or_default(), result: Ok(body) };
    }
    decode_tolerant(text)
}

fn decode_tolerant<R: DeserializeOwned>(text: &str) -> BatchResult<R> {
    let fail = |custom_id: String, status, message: String, error| BatchResult {
        custom_id,
        result: Err(BatchLineError { status, message, error, line: text.to_string() }),
    };
    let line: Line = match serde_json::from_str(text) {
        Ok(line) => line,
        Err(e) => return fail(String::new(), None, format!("the result line is not a JSON object: {e}"), None),
    };
    let custom_id = line.custom_id.unwrap_or_default();
    let (status, body) = match line.response {
        Some(r) => (r.status_code, r.body),
        None => (None, None),
    };
    let error = line.error.filter(|e| !e.is_null());
    let succeeded = error.is_none() && status.is_none_or(|s| (200..300).contains(&s));
    match (succeeded, body) {
        (true, Some(body)) => match serde_json::from_value(body.clone()) {
            Ok(answer) => BatchResult { custom_id, result: Ok(answer) },
            Err(e) => fail(custom_id, status, format!("cannot decode the response: {e}"), Some(body)),
        },
        (true, None) => fail(custom_id, status, "the result line has no response body".into(), None),
        (false, body) => {
            let details = error.or(body);
            let message = details.as_ref().and_then(message_of).unwrap_or_else(|| {
                status.map_or("the request failed".into(), |s| format!("the request failed with status {s}"))
            });
            fail(custom_id, status, message, details)
        }
    }
}

/// The message of an error value: a string, or an object's `message` (or `detail`), nested
/// in `error` or not.
fn message_of(value: &Value) -> Option<String> {
    match value {
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        Value::Object(map) => ["message", "detail", "error"].iter().find_map(|k| map.get(*k).and_then(message_of)),
        _ => None,
    }
}

/// A batch's results as they are read: a `Stream` of [`BatchResult`]s (the output file's
/// lines, then the error file's, or the job's inline `outputs`), each file downloaded and
/// decoded line by line as the stream is polled. A line that is not a result is a failed
/// result, not an error of the stream; a download that breaks ends the stream with its error.
pub struct BatchResults<R> {
    job: BatchJob,
    lines: BoxStream<'static, Result<String>>,
    answer: PhantomData<fn() -> R>,
}

impl<R> std::fmt::Debug for BatchResults<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("BatchResults").field("job", &self.job.id).field("status", &self.job.status).finish()
    }
}

impl<R: DeserializeOwned + Send + 'static> BatchResults<R> {
    /// The results of `job`, which ended; an [`Error::BatchFailed`] when it has none.
    pub(crate) fn new(client: Client, job: BatchJob) -> Result<BatchResults<R>> {
        if let Some(outputs) = job.outputs.clone() {
            let lines = futures::stream::iter(outputs.into_iter().map(|o| Ok(Value::Object(o).to_string()))).boxed();
            return Ok(BatchResults { job, lines, answer: PhantomData });
        }
        let files: VecDeque<String> =
            [job.output_file, job.error_file].into_iter().flatten().map(|id| id.to_string()).collect();
        if files.is_empty() && (!job.is_done() || job.progress().status != "SUCCESS") {
            return Err(Error::BatchFailed { job: Box::new(job) });
        }
        Ok(BatchResults { job, lines: file_lines(client, files), answer: PhantomData })
    }

    /// The job, as it ended.
    pub fn job(&self) -> &BatchJob {
        &self.job
    }

    /// Reads every result into a map from custom id to result (the last one wins for a
    /// repeated id).
    pub async fn collect_map(mut self) -> Result<HashMap<String, std::result::Result<R, BatchLineError>>> {
        let mut out = HashMap::new();
        while let Some(item) = self.next().await {
            let item = item?;
            out.insert(item.custom_id, item.result);
        }
        Ok(out)
    }
}

impl<R: DeserializeOwned> Stream for BatchResults<R> {
    type Item = Result<BatchResult<R>>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.lines.poll_next_unpin(cx).map(|line| line.map(|line| line.map(|text| decode_line(&text))))
    }
}

/// The non-empty lines of each file in turn, downloaded as they are read.
fn file_lines(client: Client, files: VecDeque<String>) -> BoxStream<'static, Result<String>> {
    let state = Some((files, None::<LineReader>));
    futures::stream::unfold(state, move |state| {
        let client = client.clone();
        async move {
            let (mut files, mut current) = state?;
            loop {
                if let Some(reader) = &mut current {
                    match reader.next_line().await {
                        Ok(Some(line)) => return Some((Ok(line), Some((files, current)))),
                        Ok(None) => {} // this file is read: the next one
                        Err(e) => return Some((Err(e), None)),
                    }
                }
                let id = files.pop_front()?;
                match client.files().download(&id).await {
                    Ok(download) => current = Some(LineReader::new(download)),
                    Err(e) => return Some((Err(e), None)),
                }
            }
        }
    })
    .boxed()
}

/// The longest result line read (an OCR answer with images can be large).
const MAX_LINE: usize = 256 * 1024 * 1024;

/// Splits a download into lines, holding at most one line and one chunk.
struct LineReader {
    download: Download,
    buf: Vec<u8>,
    start: usize,
    ended: bool,
}

impl LineReader {
    fn new(download: Download) -> LineReader {
        LineReader { download, buf: Vec::new(), start: 0, ended: false }
    }

    async fn next_line(&mut self) -> Result<Option<String>> {
        loop {
            if let Some(end) = memchr::memchr(b'\n', &self.buf[self.start..]) {
                let line = &self.buf[self.start..self.start + end];
                self.start += end + 1;
                let text = match std::str::from_utf8(line) {
                    Ok(text) => text.trim().to_string(),
                    Err(_) => String::from_utf8_lossy(line).trim().to_string(),
                };
                if !text.is_empty() {
                    return Ok(Some(text));
                }
                continue;
            }
            if self.ended {
                let rest = String::from_utf8_lossy(&self.buf[self.start..]).trim().to_string();
                self.start = self.buf.len();
                return Ok((!rest.is_empty()).then_some(rest));
            }
            if self.buf.len() - self.start > MAX_LINE {
                return Err(Error::stream(format!("a result line is longer than {MAX_LINE} bytes")));
            }
            // Keep only the unread part before reading more.
            self.buf.drain(..self.start);
            self.start = 0;
            match self.download.next().await {
                Some(chunk) => self.buf.extend_from_slice(&chunk?),
                None => self.ended = true,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn success_error_and_garbage_lines() {
        let ok: BatchResult<Value> =
            decode_line(r#"{"id":"r1","custom_id":"a","response":{"status_code":200,"body":{"x":1}},"error":null}"#);
        assert_eq!((ok.custom_id.as_str(), ok.result.unwrap()), ("a", serde_json::json!({"x": 1})));
        let failed: BatchResult<Value> = decode_line(
            r#"{"custom_id":"b","response":{"status_code":400,"body":{"object":"error","message":"Invalid model"}}}"#,
        );
        let e = failed.result.unwrap_err();
        assert_eq!((e.status, e.message.as_str()), (Some(400), "Invalid model"));
        let failed: BatchResult<Value> =
            decode_line(r#"{"custom_id":"c","error":{"message":"timeout","code":"3000"}}"#);
        assert_eq!(failed.result.unwrap_err().message, "timeout");
        let garbage: BatchResult<Value> = decode_line("not json");
        assert_eq!(garbage.custom_id, "");
        assert!(garbage.result.unwrap_err().message.contains("not a JSON object"));
        let wrong: BatchResult<Vec<u8>> = decode_line(r#"{"custom_id":"d","response":{"status_code":200,"body":{}}}"#);
        assert!(wrong.result.unwrap_err().message.starts_with("cannot decode the response"));
        let empty: BatchResult<Value> = decode_line(r#"{"custom_id":"e","response":{"status_code":200,"body":null}}"#);
        assert_eq!(empty.result.unwrap_err().message, "the result line has no response body");
        // An error next to a 200 is an error; unknown fields are fine.
        let both: BatchResult<Value> = decode_line(
            r#"{"custom_id":"f","response":{"status_code":200,"body":{}},"error":{"message":"late"},"new":1}"#,
        );
        assert_eq!(both.result.unwrap_err().message, "late");
        let typed: BatchResult<crate::types::ChatCompletionResponse> = decode_line(
            r#"{"custom_id":"g","new":true,"response":{"status_code":200,"body":{"id":"x","object":"chat.completion","created":1,"model":"m","choices":[{"index":0,"message":{"role":"assistant","content":"Hi"},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}}}"#,
        );
        assert_eq!((typed.custom_id.as_str(), typed.result.unwrap().choices.len()), ("g", 1));
    }
}
