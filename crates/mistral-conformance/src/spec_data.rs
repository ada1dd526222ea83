//! What the checks take from the spec: operations, request examples, required fields,
//! declared media types.

use mistral_spec::{Spec, escape};
use serde_json::Value;

use crate::check::Fail;

/// `application/json`.
pub(crate) const JSON: &str = "application/json";
/// `text/event-stream`.
pub(crate) const EVENT_STREAM: &str = "text/event-stream";

/// An operation's method and path template.
#[derive(Debug, Clone)]
pub(crate) struct Op {
    pub id: &'static str,
    pub method: reqwest::Method,
    pub path: String,
}

impl Op {
    /// `POST /v1/chat/completions`.
    pub(crate) fn request_line(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

/// The operation with this id.
pub(crate) fn op(spec: &Spec, id: &'static str) -> Result<Op, mistral_spec::Error> {
    let found = spec.operation(id).ok_or_else(|| mistral_spec::Error::Missing(format!("operation {id}")))?;
    let method = reqwest::Method::from_bytes(found.method.to_ascii_uppercase().as_bytes())
        .map_err(|e| mistral_spec::Error::Missing(format!("{id}: method {}: {e}", found.method)))?;
    Ok(Op { id, method, path: found.path.to_string() })
}

/// The named examples of an operation's request body in `media_type`, sorted by name with
/// `Regular` (the plain use) first.
pub(crate) fn request_examples(spec: &Spec, id: &str, media_type: &str) -> Result<Vec<(String, Value)>, Fail> {
    let op = spec.operation(id).ok_or_else(|| Fail::spec(format!("no operation {id}")))?;
    let pointer = format!("/requestBody/content/{}/examples", escape(media_type));
    let examples = op
        .raw
        .pointer(&pointer)
        .and_then(Value::as_object)
        .ok_or_else(|| Fail::spec(format!("{id} has no {media_type} request examples")))?;
    let mut out: Vec<(String, Value)> = examples
        .iter()
        .filter_map(|(name, example)| {
            let value = spec.resolve(example)?.get("value")?;
            Some((name.clone(), value.clone()))
        })
        .collect();
    out.sort_by(|a, b| (a.0 != "Regular", &a.0).cmp(&(b.0 != "Regular", &b.0)));
    if out.is_empty() {
        return Err(Fail::spec(format!("{id} has no {media_type} request example with a value")));
    }
    Ok(out)
}

/// The `required` properties of an operation's JSON request body schema.
pub(crate) fn required_fields(spec: &Spec, id: &str) -> Vec<String> {
    spec.operation(id)
        .and_then(|op| op.raw.pointer(&format!("/requestBody/content/{}/schema", escape(JSON))))
        .and_then(|schema| spec.resolve(schema))
        .and_then(|schema| schema.get("required"))
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).map(str::to_string).collect())
        .unwrap_or_default()
}

/// Checks that the spec declares `media_type` for the operation's `status` answer.
pub(crate) fn declared(spec: &Spec, id: &str, status: u16, media_type: &'static str) -> Result<&'static str, Fail> {
    if spec.response_media_types(id, &status.to_string()).iter().any(|m| m == media_type) {
        Ok(media_type)
    } else {
        Err(Fail::spec(format!("{id} declares no {media_type} answer with status {status}")))
    }
}

/// Checks a request body against the operation's request schema: a runner or spec bug, not
/// the server's, when it does not fit.
pub(crate) fn valid_request(spec: &Spec, id: &str, body: &Value) -> Result<(), Fail> {
    let validator = spec.request_validator(id, JSON).map_err(Fail::spec)?;
    validator.validate(body).map_err(|v| {
        let first = v.first().map(ToString::to_string).unwrap_or_default();
        Fail::spec(format!("the request built from the spec's example does not fit its schema: {first}"))
    })
}

/// Whether the operation's request schema rejects `body`.
pub(crate) fn rejects(spec: &Spec, id: &str, body: &Value) -> Result<bool, Fail> {
    Ok(!spec.request_validator(id, JSON).map_err(Fail::spec)?.is_valid(body))
}

/// `template` with each `{name}` replaced by its percent-encoded value.
pub(crate) fn fill(template: &str, params: &[(&str, &str)]) -> String {
    let mut path = template.to_string();
    for (name, value) in params {
        path = path.replace(&format!("{{{name}}}"), &encode_segment(value));
    }
    path
}

/// Percent-encodes what a path segment may not hold as is.
fn encode_segment(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~!$&'()*+,;=:@".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `JSON mode` -> `json_mode`.
pub(crate) fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    out.trim_end_matches('_').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn examples_regular_first() {
        let spec = Spec::embedded().unwrap();
        let names: Vec<String> =
            request_examples(spec, "createChatCompletion", JSON).unwrap().into_iter().map(|(n, _)| n).collect();
        assert_eq!(names, ["Regular", "Function calling", "JSON mode", "Streamed", "Tool result"]);
        assert_eq!(required_fields(spec, "createEmbedding"), ["input", "model"]);
        assert!(declared(spec, "createFIMCompletion", 200, EVENT_STREAM).is_ok());
        assert!(declared(spec, "createEmbedding", 200, EVENT_STREAM).is_err());
    }

    #[test]
    fn paths_and_slugs() {
        assert_eq!(fill("/v1/models/{model_id}", &[("model_id", "ft:a/b c")]), "/v1/models/ft:a%2Fb%20c");
        assert_eq!(slug("JSON mode"), "json_mode");
        assert_eq!(slug("Function calling!"), "function_calling");
    }
}
