//! A batch's results: the lines of its output and error files (or its inline `outputs`),
//! decoded one by one as they download.

use std::borrow::Cow;
use std::collections::{HashMap, VecDeque};
use std::marker::PhantomData;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures::future::BoxFuture;
use futures::{Stream, StreamExt, ready};
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
    source: Source,
    answer: PhantomData<fn() -> R>,
}

/// Where the lines come from.
enum Source {
    /// The job's inline outputs.
    Inline(std::vec::IntoIter<serde_json::Map<String, Value>>),
    Files(Box<FileLines>),
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
            return Ok(BatchResults { job, source: Source::Inline(outputs.into_iter()), answer: PhantomData });
        }
        let files: VecDeque<String> =
            [job.output_file, job.error_file].into_iter().flatten().map(|id| id.to_string()).collect();
        if files.is_empty() && (!job.is_done() || job.progress().status != "SUCCESS") {
            return Err(Error::BatchFailed { job: Box::new(job) });
        }
        let lines = FileLines { client, files, opening: None, reader: None, done: false };
        Ok(BatchResults { job, source: Source::Files(Box::new(lines)), answer: PhantomData })
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
        match &mut self.source {
            Source::Inline(outputs) => {
                Poll::Ready(outputs.next().map(|o| Ok(decode_line(&Value::Object(o).to_string()))))
            }
            // Each line is decoded where it lies in the download's buffer.
            Source::Files(lines) => lines.poll_line(cx).map(|line| match line {
                Ok(Some(text)) => Some(Ok(decode_line(&text))),
                Ok(None) => None,
                Err(e) => Some(Err(e)),
            }),
        }
    }
}

/// The non-empty lines of each file in turn, downloaded as they are read. A hand-written
/// state machine: a future per line (what `stream::unfold` makes) moved its whole state
/// for each of a million lines.
struct FileLines {
    client: Client,
    files: VecDeque<String>,
    opening: Option<BoxFuture<'static, Result<Download>>>,
    reader: Option<LineReader>,
    /// After the last file, or an error.
    done: bool,
}

impl FileLines {
    fn poll_line(&mut self, cx: &mut Context<'_>) -> Poll<Result<Option<Cow<'_, str>>>> {
        loop {
            if self.done {
                return Poll::Ready(Ok(None));
            }
            if let Some(opening) = &mut self.opening {
                let opened = ready!(opening.as_mut().poll(cx));
                self.opening = None;
                match opened {
                    Ok(download) => self.reader = Some(LineReader::new(download)),
                    Err(e) => {
                        self.done = true;
                        return Poll::Ready(Err(e));
                    }
                }
            }
            if let Some(reader) = &mut self.reader {
                match ready!(reader.poll_fill(cx)) {
                    Ok(true) => break,
                    Ok(false) => self.reader = None, // this file is read: the next one
                    Err(e) => {
                        self.done = true;
                        return Poll::Ready(Err(e));
                    }
                }
            }
            match self.files.pop_front() {
                Some(id) => {
                    let client = self.client.clone();
                    self.opening = Some(Box::pin(async move { client.files().download(&id).await }));
                }
                None => self.done = true,
            }
        }
        // `poll_fill` said a line is ready.
        Poll::Ready(Ok(self.reader.as_mut().map(LineReader::take_line)))
    }
}

/// The longest result line read (an OCR answer with images can be large).
const MAX_LINE: usize = 256 * 1024 * 1024;

/// Splits a download into lines, holding at most one line and one chunk.
struct LineReader {
    download: Download,
    buf: Vec<u8>,
    start: usize,
    /// The next non-empty line, once found: `buf[line]`.
    line: std::ops::Range<usize>,
    ended: bool,
}

impl LineReader {
    fn new(download: Download) -> LineReader {
        LineReader { download, buf: Vec::new(), start: 0, line: 0..0, ended: false }
    }

    /// Reads until a non-empty line is ready (`true`; take it with `take_line`) or the
    /// download ended (`false`).
    fn poll_fill(&mut self, cx: &mut Context<'_>) -> Poll<Result<bool>> {
        loop {
            if let Some(end) = memchr::memchr(b'\n', &self.buf[self.start..]) {
                let line = self.start..self.start + end;
                self.start += end + 1;
                if !self.buf[line.clone()].trim_ascii().is_empty() {
                    self.line = line;
                    return Poll::Ready(Ok(true));
                }
                continue;
            }
            if self.ended {
                let rest = self.start..self.buf.len();
                self.start = self.buf.len();
                if self.buf[rest.clone()].trim_ascii().is_empty() {
                    return Poll::Ready(Ok(false));
                }
                self.line = rest;
                return Poll::Ready(Ok(true));
            }
            if self.buf.len() - self.start > MAX_LINE {
                return Poll::Ready(Err(Error::stream(format!("a result line is longer than {MAX_LINE} bytes"))));
            }
            // Keep only the unread part before reading more.
            self.buf.drain(..self.start);
            self.start = 0;
            match ready!(Pin::new(&mut self.download).poll_next(cx)) {
                Some(Ok(chunk)) => self.buf.extend_from_slice(&chunk),
                Some(Err(e)) => return Poll::Ready(Err(e)),
                None => self.ended = true,
            }
        }
    }

    /// The line `poll_fill` found, trimmed; not valid UTF-8, it is read lossily.
    fn take_line(&mut self) -> Cow<'_, str> {
        let line = &self.buf[std::mem::take(&mut self.line)];
        match std::str::from_utf8(line) {
            Ok(text) => Cow::Borrowed(text.trim()),
            Err(_) => Cow::Owned(String::from_utf8_lossy(line).trim().to_string()),
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

    /// The lines of a file served in these chunks (an `Err` breaks the download there).
    async fn lines_of(chunks: Vec<std::result::Result<&'static [u8], &'static str>>) -> Vec<Result<String>> {
        let stream = futures::stream::iter(
            chunks.into_iter().map(|c| c.map(bytes::Bytes::from_static).map_err(std::io::Error::other)),
        );
        let response = reqwest::Response::from(http::Response::new(reqwest::Body::wrap_stream(stream)));
        let mut reader = LineReader::new(Download::new(response, None));
        let mut out = Vec::new();
        loop {
            match std::future::poll_fn(|cx| reader.poll_fill(cx)).await {
                Ok(true) => out.push(Ok(reader.take_line().into_owned())),
                Ok(false) => return out,
                Err(e) => {
                    out.push(Err(e));
                    return out;
                }
            }
        }
    }

    #[tokio::test]
    async fn lines_split_across_chunks_blank_lines_and_a_last_line_without_newline() {
        let lines = lines_of(vec![Ok(b"{\"a\":1}\n\n  \r\n{\"b\""), Ok(b":2}\r"), Ok(b"\n{\"c\":"), Ok(b"3}  ")]).await;
        let lines: Vec<String> = lines.into_iter().map(Result::unwrap).collect();
        assert_eq!(lines, [r#"{"a":1}"#, r#"{"b":2}"#, r#"{"c":3}"#]);
        assert!(lines_of(vec![Ok(b"\n \n")]).await.is_empty());
        assert!(lines_of(vec![]).await.is_empty());
    }

    #[tokio::test]
    async fn invalid_utf8_is_read_lossily_and_a_broken_download_ends_with_its_error() {
        let lines = lines_of(vec![Ok(b"{\"a\":\"\xff\"}\n{\"b\":"), Err("reset"), Ok(b"2}\n")]).await;
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert_eq!(lines[0].as_ref().unwrap(), "{\"a\":\"\u{fffd}\"}");
        assert!(lines[1].is_err());
    }
}
