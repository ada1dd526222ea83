//! What the checks take from the spec: operations, request examples, required fields,
//! declared media types.

use bytes::Bytes;
use mistral_openapi::operations::{self, Operation};
use mistral_spec::{Spec, escape};
use serde_json::Value;

use crate::check::Fail;
use crate::http::Payload;

/// `application/json`.
pub(crate) const JSON: &str = "application/json";
/// `text/event-stream`.
pub(crate) const EVENT_STREAM: &str = "text/event-stream";

/// `multipart/form-data`.
pub(crate) const MULTIPART: &str = "multipart/form-data";

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

/// The operation of the table, as the spec has it.
pub(crate) fn op(spec: &Spec, table: &'static Operation) -> Result<Op, mistral_spec::Error> {
    let id = table.id;
    let found = spec.operation(id).ok_or_else(|| mistral_spec::Error::Missing(format!("operation {id}")))?;
    Ok(Op { id, method: table.method.to_http(), path: found.path.to_string() })
}

/// A request built from an operation's examples: path parameters, and the body.
pub(crate) struct ExampleRequest {
    pub params: Vec<(String, String)>,
    pub payload: Payload,
}

/// The request of `op` from the spec: each path parameter's example (a placeholder where there
/// is none) and the first JSON or multipart request example.
pub(crate) fn example_request(spec: &Spec, op: &'static Operation) -> Result<ExampleRequest, Fail> {
    let raw = spec.operation(op.id).ok_or_else(|| Fail::spec(format!("no operation {}", op.id)))?.raw;
    let params = op
        .path_params()
        .map(|name| {
            let value = raw
                .get("parameters")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
                .map(|p| spec.resolve(p).unwrap_or(p))
                .find(|p| p.get("name").and_then(Value::as_str) == Some(name))
                .and_then(|p| p.get("example"))
                .map(|e| e.as_str().map(str::to_string).unwrap_or_else(|| e.to_string()))
                .unwrap_or_else(|| format!("{name}-1"));
            (name.to_string(), value)
        })
        .collect();
    let payload = match op.body {
        operations::Body::None => Payload::None,
        operations::Body::Json => {
            let (_, body) =
                request_examples(spec, op.id, JSON)?.into_iter().next().ok_or_else(|| Fail::spec("no example"))?;
            valid_request(spec, op.id, &body)?;
            Payload::Json(body)
        }
        operations::Body::Multipart => {
            let (_, form) =
                request_examples(spec, op.id, MULTIPART)?.into_iter().next().ok_or_else(|| Fail::spec("no example"))?;
            let text = |v: &Value| v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string());
            let fields = form.as_object().into_iter().flatten();
            Payload::Form {
                fields: fields.clone().filter(|(k, _)| *k != "file").map(|(k, v)| (k.clone(), text(v))).collect(),
                file: form.get("file").map(|f| Bytes::from(text(f))),
            }
        }
    };
    Ok(ExampleRequest { params, payload })
}

/// The first success status the spec declares for the operation (200 when none).
pub(crate) fn success_status(spec: &Spec, id: &str) -> u16 {
    spec.operation(id)
        .and_then(|op| op.raw.get("responses"))
        .and_then(Value::as_object)
        .and_then(|r| r.keys().filter_map(|k| k.parse::<u16>().ok()).find(|s| (200..300).contains(s)))
        .unwrap_or(200)
}

/// Whether the operation declares `status` (or its `4XX`/`5XX` range).
pub(crate) fn declares_status(spec: &Spec, id: &str, status: u16) -> bool {
    let range = format!("{}XX", status / 100);
    spec.operation(id)
        .and_then(|op| op.raw.get("responses"))
        .and_then(Value::as_object)
        .is_some_and(|r| r.contains_key(&status.to_string()) || r.contains_key(&range))
}

/// Whether the operation declares the success status `status` itself (not as a range).
pub(crate) fn declares_exact(spec: &Spec, id: &str, status: u16) -> bool {
    (200..300).contains(&status)
        && spec
            .operation(id)
            .and_then(|op| op.raw.get("responses"))
            .and_then(Value::as_object)
            .is_some_and(|r| r.contains_key(&status.to_string()))
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
        path = path.replace(&format!("{{{name}}}"), &operations::encode_segment(value));
    }
    path
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
