//! Judging one answer: status, `Content-Type`, then the body against the spec's schema.

use mistral_spec::{Spec, Violation};
use serde_json::Value;

use crate::http::{Reply, essence, snippet};
use crate::report::{Aspect, Outcome};

/// The first departure a check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Fail {
    pub aspect: Aspect,
    pub pointer: Option<String>,
    pub message: String,
}

impl Fail {
    pub(crate) fn new(aspect: Aspect, message: impl Into<String>) -> Fail {
        Fail { aspect, pointer: None, message: message.into() }
    }

    pub(crate) fn transport(message: impl Into<String>) -> Fail {
        Fail::new(Aspect::Transport, message)
    }

    pub(crate) fn spec(error: impl std::fmt::Display) -> Fail {
        Fail::new(Aspect::Spec, error.to_string())
    }

    /// The first of `violations` (with how many more there are), prefixed by `context`.
    pub(crate) fn schema(violations: &[Violation], context: &str) -> Fail {
        let Some(first) = violations.first() else {
            return Fail::new(Aspect::Body, format!("{context}does not fit the schema"));
        };
        let more = match violations.len() - 1 {
            0 => String::new(),
            1 => " (and 1 more violation)".to_string(),
            n => format!(" (and {n} more violations)"),
        };
        Fail {
            aspect: Aspect::Body,
            pointer: Some(first.pointer.clone()),
            message: format!("{context}{}{more}", first.message),
        }
    }
}

impl From<Fail> for Outcome {
    fn from(f: Fail) -> Outcome {
        Outcome::Fail { aspect: f.aspect, pointer: f.pointer, message: f.message }
    }
}

/// What an answer must be.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Expect<'a> {
    pub operation_id: &'a str,
    pub status: u16,
    pub media_type: &'a str,
    /// Said after the status when it is wrong, e.g. ` (the request had no API key)`.
    pub why: &'a str,
}

/// An answer as judged: the first failure, if any, and the body as JSON when it is JSON
/// (even if it does not fit the schema, so that later steps can still use ids in it).
#[derive(Debug)]
pub(crate) struct Judged {
    pub fail: Option<Fail>,
    pub json: Option<Value>,
}

/// Checks the status first: a wrong one is a failure with the start of the body.
pub(crate) fn status(status: u16, expect: &Expect<'_>, body: &[u8]) -> Result<(), Fail> {
    if status == expect.status { Ok(()) } else { Err(wrong_status(status, expect, body)) }
}

/// The failure for a status that is not the one due.
pub(crate) fn wrong_status(status: u16, expect: &Expect<'_>, body: &[u8]) -> Fail {
    Fail::new(
        Aspect::Status,
        format!("status {status}, expected {}{}; body: {}", expect.status, expect.why, snippet(body)),
    )
}

/// Checks the `Content-Type` media type (parameters such as `charset` are allowed).
pub(crate) fn content_type(content_type: Option<&str>, expect: &Expect<'_>) -> Result<(), Fail> {
    match content_type {
        None => Err(Fail::new(Aspect::ContentType, format!("no Content-Type, expected {}", expect.media_type))),
        Some(ct) if essence(ct) == expect.media_type => Ok(()),
        Some(ct) => Err(Fail::new(
            Aspect::ContentType,
            format!("Content-Type {:?}, expected {}", crate::report::clean(ct), expect.media_type),
        )),
    }
}

/// Validates `value` against the response schema for `expect`.
pub(crate) fn schema(spec: &Spec, expect: &Expect<'_>, value: &Value, context: &str) -> Result<(), Fail> {
    let validator = spec
        .response_validator(expect.operation_id, &expect.status.to_string(), expect.media_type)
        .map_err(Fail::spec)?;
    validator.validate(value).map_err(|violations| Fail::schema(&violations, context))
}

/// Judges a whole answer: status, `Content-Type`, JSON, schema.
pub(crate) fn judge(spec: &Spec, reply: &Reply, expect: &Expect<'_>) -> Judged {
    let json: Option<Value> = serde_json::from_slice(&reply.body).ok();
    let fail = status(reply.status, expect, &reply.body)
        .and_then(|()| content_type(reply.content_type.as_deref(), expect))
        .and_then(|()| match &json {
            None => Err(Fail::new(
                Aspect::Body,
                format!("the body is not JSON: {}", parse_error(&reply.body).unwrap_or_default()),
            )),
            Some(value) => schema(spec, expect, value, ""),
        })
        .err();
    Judged { fail, json }
}

/// Why `body` is not JSON, with the start of it.
fn parse_error(body: &[u8]) -> Option<String> {
    serde_json::from_slice::<Value>(body).err().map(|e| format!("{e}; body: {}", snippet(body)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expect() -> Expect<'static> {
        Expect { operation_id: "listModels", status: 200, media_type: "application/json", why: "" }
    }

    fn reply(status: u16, ct: Option<&str>, body: &str) -> Reply {
        Reply { status, content_type: ct.map(str::to_string), body: bytes::Bytes::from(body.to_string()) }
    }

    #[test]
    fn judges_in_order() {
        let spec = Spec::embedded().unwrap();
        let ok = reply(200, Some("application/json; charset=utf-8"), r#"{"object":"list","data":[]}"#);
        assert_eq!(judge(spec, &ok, &expect()).fail, None);

        let wrong_status = reply(500, Some("text/html"), "<html>oops</html>");
        let fail = judge(spec, &wrong_status, &expect()).fail.unwrap();
        assert_eq!(fail.aspect, Aspect::Status);
        assert_eq!(fail.message, "status 500, expected 200; body: <html>oops</html>");

        let wrong_type = reply(200, Some("text/plain"), r#"{"object":"list","data":[]}"#);
        let judged = judge(spec, &wrong_type, &expect());
        assert_eq!(judged.fail.unwrap().message, "Content-Type \"text/plain\", expected application/json");
        assert!(judged.json.is_some(), "the JSON is kept for later steps");

        let garbage = reply(200, Some("application/json"), "not json");
        let fail = judge(spec, &garbage, &expect()).fail.unwrap();
        assert_eq!(fail.aspect, Aspect::Body);
        assert!(fail.message.starts_with("the body is not JSON: expected ident"), "{}", fail.message);

        let missing = reply(200, Some("application/json"), r#"{"object":"list","data":[{"id":"m","type":"base"}]}"#);
        let fail = judge(spec, &missing, &expect()).fail.unwrap();
        // A base card without capabilities: reported as the base card it claims to be.
        assert_eq!(fail.pointer.as_deref(), Some("/data/0"));
        assert_eq!(fail.message, "\"capabilities\" is a required property");
    }
}
