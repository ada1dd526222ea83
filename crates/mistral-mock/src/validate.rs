//! Request validation against the spec, answered the way the real API answers.
//!
//! Bodies are checked with `mistral-spec`'s JSON Schema validators. The raw violations speak
//! JSON Schema ("… is not valid under any of the schemas listed in the 'anyOf' keyword");
//! this module drills into the sub-schema that failed (through `nullable`, `allOf`, `$ref`,
//! and `oneOf` unions chosen by discriminator or JSON type) and turns each violation into a
//! pydantic-style detail (`missing`, `extra_forbidden`, `less_than_equal`...) with a `loc`
//! such as `["body", "messages", 0, "content"]`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use axum::body::Body;
use axum::http::{HeaderMap, header};
use bytes::Bytes;
use mistral_openapi::operations::{self, Operation};
use mistral_spec::{Spec, Validator, Violation};
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::api_error::{ApiError, Detail, loc};

/// Request validators, compiled on first use (every operation with a JSON body has one), and
/// a cache of sub-schema validators for drilling down.
pub(crate) struct Validators {
    spec: &'static Spec,
    request: Mutex<HashMap<&'static str, Arc<(Validator, String)>>>,
    cache: Mutex<HashMap<String, Arc<Validator>>>,
}

impl std::fmt::Debug for Validators {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let compiled = self.request.lock().unwrap_or_else(PoisonError::into_inner).len();
        f.debug_struct("Validators").field("compiled", &compiled).finish()
    }
}

impl Validators {
    /// Loads the embedded spec.
    pub(crate) fn new() -> Result<Validators, crate::Error> {
        let spec = Spec::embedded()?;
        Ok(Validators { spec, request: Mutex::new(HashMap::new()), cache: Mutex::new(HashMap::new()) })
    }

    /// The request validator of `op` and the pointer of its schema (`None` without a JSON body).
    fn request_validator(&self, op: &'static Operation) -> Result<Option<Arc<(Validator, String)>>, ApiError> {
        if op.body != operations::Body::Json {
            return Ok(None);
        }
        if let Some(v) = self.request.lock().unwrap_or_else(PoisonError::into_inner).get(op.id) {
            return Ok(Some(v.clone()));
        }
        let broken = |e: String| ApiError::internal(format!("the mock's spec has no usable schema for {}: {e}", op.id));
        let validator = self.spec.request_validator(op.id, "application/json").map_err(|e| broken(e.to_string()))?;
        let pointer = self
            .spec
            .operation(op.id)
            .and_then(|o| o.raw.pointer("/requestBody/content/application~1json/schema/$ref"))
            .and_then(Value::as_str)
            .ok_or_else(|| broken("the request schema is not a $ref".into()))?
            .to_string();
        let compiled = Arc::new((validator, pointer));
        self.request.lock().unwrap_or_else(PoisonError::into_inner).insert(op.id, compiled.clone());
        Ok(Some(compiled))
    }

    /// Checks `body` against the request schema of `op`; 422 with details when it does not fit.
    pub(crate) fn check(&self, op: &'static Operation, body: &Value) -> Result<(), ApiError> {
        let Some(compiled) = self.request_validator(op)? else {
            return Ok(());
        };
        let (validator, root) = &*compiled;
        match validator.validate(body) {
            Ok(()) => Ok(()),
            Err(violations) => {
                let mut details = Vec::new();
                for v in violations {
                    for d in self.refine(root, body, &v, 0) {
                        if !details.contains(&d) {
                            details.push(d);
                        }
                    }
                }
                Err(ApiError::validation(details))
            }
        }
    }

    /// Checks then deserialises into the generated type.
    pub(crate) fn parse<T: DeserializeOwned>(&self, op: &'static Operation, body: Value) -> Result<T, ApiError> {
        self.check(op, &body)?;
        serde_json::from_value(body)
            .map_err(|e| ApiError::invalid(Detail::new("value_error", loc("body", &[]), format!("Value error, {e}"))))
    }

    fn sub_validator(&self, pointer: &str) -> Option<Arc<Validator>> {
        let mut cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(v) = cache.get(pointer) {
            return Some(v.clone());
        }
        let v = Arc::new(self.spec.validator_at(pointer).ok()?);
        cache.insert(pointer.to_string(), v.clone());
        Some(v)
    }

    /// Turns one violation into details, drilling into unions.
    fn refine(&self, root: &str, body: &Value, v: &Violation, depth: usize) -> Vec<Detail> {
        let tokens = pointer_tokens(&v.pointer);
        let value = body.pointer(&v.pointer).cloned().unwrap_or(Value::Null);
        let union = v.message.contains("is not valid under any of the schemas listed");
        if !union || depth > 6 {
            return translate(&tokens, &v.message, &value);
        }
        let cursor = match self.walk(root, body, &tokens) {
            Ok(c) => c,
            Err(detail) => return vec![detail],
        };
        let Some(validator) = self.sub_validator(&cursor) else {
            return translate(&tokens, &v.message, &value);
        };
        match validator.validate(&value) {
            Ok(()) => translate(&tokens, &v.message, &value),
            Err(inner) => inner
                .iter()
                .flat_map(|iv| {
                    let nested =
                        Violation { pointer: format!("{}{}", v.pointer, iv.pointer), message: iv.message.clone() };
                    self.refine(root, body, &nested, depth + 1)
                })
                .collect(),
        }
    }

    /// The (converted-document) pointer of the schema governing `body` at `tokens`, with
    /// unions resolved for the value found there.
    fn walk(&self, root: &str, body: &Value, tokens: &[String]) -> Result<String, Detail> {
        let mut cur = self.normalize(Cursor::at(self.spec, root));
        let mut value = body;
        let mut path: Vec<Value> = Vec::new();
        for token in tokens {
            cur = self.select(cur, value, &path)?;
            let raw = cur.raw.unwrap_or(&Value::Null);
            if let Some(prop) = raw.pointer(&format!("/properties/{}", mistral_spec::escape(token))) {
                cur = Cursor {
                    raw: Some(prop),
                    conv: format!("{}/properties/{}", cur.conv, mistral_spec::escape(token)),
                    entered: false,
                };
                value = value.get(token.as_str()).unwrap_or(&Value::Null);
                path.push(Value::from(token.as_str()));
            } else if let (Some(items), Ok(i)) = (raw.get("items"), token.parse::<usize>()) {
                cur = Cursor { raw: Some(items), conv: format!("{}/items", cur.conv), entered: false };
                value = value.get(i).unwrap_or(&Value::Null);
                path.push(Value::from(i));
            } else {
                return Ok(cur.conv);
            }
            cur = self.normalize(cur);
        }
        Ok(self.select(cur, value, &path)?.conv)
    }

    /// Follows `$ref`, enters `nullable` (the converted `anyOf/1`) and single `allOf`s.
    fn normalize<'a>(&'a self, mut cur: Cursor<'a>) -> Cursor<'a> {
        for _ in 0..16 {
            let Some(raw) = cur.raw else { break };
            if let Some(r) = raw.get("$ref").and_then(Value::as_str) {
                cur = Cursor::at(self.spec, r);
            } else if raw.get("nullable") == Some(&Value::Bool(true)) && !cur.entered {
                cur.conv.push_str("/anyOf/1");
                cur.entered = true;
            } else if let Some([only]) = raw.get("allOf").and_then(Value::as_array).map(Vec::as_slice) {
                cur = Cursor { raw: Some(only), conv: format!("{}/allOf/0", cur.conv), entered: false };
            } else {
                break;
            }
        }
        cur
    }

    /// Picks the branch of a `oneOf`/`anyOf` that `value` was meant for.
    fn select<'a>(&'a self, cur: Cursor<'a>, value: &Value, path: &[Value]) -> Result<Cursor<'a>, Detail> {
        let Some(raw) = cur.raw else { return Ok(cur) };
        let (keyword, branches) = match (raw.get("oneOf"), raw.get("anyOf")) {
            (Some(Value::Array(b)), _) => ("oneOf", b),
            (_, Some(Value::Array(b))) => ("anyOf", b),
            _ => return Ok(cur),
        };
        let resolved: Vec<Cursor<'a>> = branches
            .iter()
            .enumerate()
            .map(|(i, b)| {
                self.normalize(Cursor { raw: Some(b), conv: format!("{}/{keyword}/{i}", cur.conv), entered: false })
            })
            .collect();
        let chosen = if let Some(tag) = discriminator(&resolved) {
            let expected: Vec<String> = resolved.iter().filter_map(|c| tag_value(c, &tag)).collect();
            let Some(got) = value.get(&tag) else {
                return Err(Detail::new(
                    "union_tag_not_found",
                    loc("body", path),
                    format!("Unable to extract tag using discriminator '{tag}'"),
                )
                .with_input(value.clone()));
            };
            let got_s = got.as_str().unwrap_or_default();
            match resolved.iter().position(|c| tag_value(c, &tag).as_deref() == Some(got_s)) {
                Some(i) => i,
                None => {
                    let list: Vec<String> = expected.iter().map(|t| format!("'{t}'")).collect();
                    return Err(Detail::new(
                        "union_tag_invalid",
                        loc("body", path),
                        format!(
                            "Input tag '{}' found using '{tag}' does not match any of the expected tags: {}",
                            got.as_str().map(str::to_string).unwrap_or_else(|| got.to_string()),
                            list.join(", ")
                        ),
                    )
                    .with_input(value.clone()));
                }
            }
        } else {
            resolved
                .iter()
                .position(|c| {
                    c.raw.and_then(|r| r.get("type")).and_then(Value::as_str) == Some(mistral_spec::json_type(value))
                })
                .or_else(|| {
                    resolved.iter().position(|c| {
                        mistral_spec::json_type(value) == "integer"
                            && c.raw.and_then(|r| r.get("type")).and_then(Value::as_str) == Some("number")
                    })
                })
                .unwrap_or(0)
        };
        match resolved.into_iter().nth(chosen) {
            Some(c) => self.select(c, value, path),
            None => Ok(cur),
        }
    }
}

/// A position in the spec: the raw schema there and its pointer in the converted document.
#[derive(Clone)]
struct Cursor<'a> {
    raw: Option<&'a Value>,
    conv: String,
    entered: bool,
}

impl<'a> Cursor<'a> {
    fn at(spec: &'a Spec, pointer: &str) -> Cursor<'a> {
        Cursor { raw: spec.raw().pointer(pointer.trim_start_matches('#')), conv: pointer.to_string(), entered: false }
    }
}

/// A property that every branch pins to one value with a one-item `enum` (e.g. `role`).
fn discriminator(branches: &[Cursor<'_>]) -> Option<String> {
    let first = branches.first()?.raw?.get("properties")?.as_object()?;
    first.keys().find(|name| branches.len() > 1 && branches.iter().all(|b| tag_value(b, name).is_some())).cloned()
}

fn tag_value(branch: &Cursor<'_>, tag: &str) -> Option<String> {
    let values = branch.raw?.pointer(&format!("/properties/{}/enum", mistral_spec::escape(tag)))?.as_array()?;
    match values.as_slice() {
        [Value::String(s)] => Some(s.clone()),
        _ => None,
    }
}

fn pointer_tokens(pointer: &str) -> Vec<String> {
    pointer.split('/').skip(1).map(|t| t.replace("~1", "/").replace("~0", "~")).collect()
}

fn loc_of(tokens: &[String]) -> Vec<Value> {
    let rest: Vec<Value> =
        tokens.iter().map(|t| t.parse::<u64>().map(Value::from).unwrap_or_else(|_| Value::from(t.as_str()))).collect();
    loc("body", &rest)
}

/// Text between the first pair of `open`/`close` after `from`.
fn between<'a>(s: &'a str, open: &str, close: &str) -> Option<&'a str> {
    let start = s.find(open)? + open.len();
    let end = s[start..].find(close)? + start;
    Some(&s[start..end])
}

/// One jsonschema message -> pydantic-style details.
fn translate(tokens: &[String], message: &str, value: &Value) -> Vec<Detail> {
    let here = loc_of(tokens);
    if message.starts_with("Additional properties are not allowed") {
        let names = between(message, "(", " was unexpected")
            .or_else(|| between(message, "(", " were unexpected"))
            .unwrap_or_default();
        return names
            .split(", ")
            .map(|n| n.trim_matches('\''))
            .filter(|n| !n.is_empty())
            .map(|n| {
                let mut l = here.clone();
                l.push(Value::from(n));
                let input = value.get(n).cloned().unwrap_or(Value::Null);
                Detail::new("extra_forbidden", l, "Extra inputs are not permitted").with_input(input)
            })
            .collect();
    }
    if message.ends_with("is a required property") {
        let name = between(message, "\"", "\"").unwrap_or_default();
        let mut l = here;
        l.push(Value::from(name));
        return vec![Detail::new("missing", l, "Field required").with_input(value.clone())];
    }
    let (kind, msg) = if let Some(t) = message.split(" is not of type ").nth(1) {
        match t.trim_matches('"') {
            "string" => ("string_type", "Input should be a valid string".to_string()),
            "integer" => ("int_type", "Input should be a valid integer".to_string()),
            "number" => ("float_type", "Input should be a valid number".to_string()),
            "boolean" => ("bool_type", "Input should be a valid boolean".to_string()),
            "array" => ("list_type", "Input should be a valid list".to_string()),
            "object" => {
                ("model_type", "Input should be a valid dictionary or object to extract fields from".to_string())
            }
            other => ("type_error", format!("Input should be of type {other}")),
        }
    } else if let Some(m) = message.split(" is less than the minimum of ").nth(1) {
        ("greater_than_equal", format!("Input should be greater than or equal to {m}"))
    } else if let Some(m) = message.split(" is greater than the maximum of ").nth(1) {
        ("less_than_equal", format!("Input should be less than or equal to {m}"))
    } else if let Some(m) = message.split(" is less than or equal to the minimum of ").nth(1) {
        ("greater_than", format!("Input should be greater than {m}"))
    } else if let Some(m) = message.split(" is greater than or equal to the maximum of ").nth(1) {
        ("less_than", format!("Input should be less than {m}"))
    } else if let Some(list) = message.split(" is not one of ").nth(1) {
        ("enum", format!("Input should be {}", list.replace('"', "'")))
    } else if message.contains(" has less than ") {
        let n = between(message, " has less than ", " item").unwrap_or("1");
        let len = value.as_array().map_or(0, Vec::len);
        ("too_short", format!("List should have at least {n} item after validation, not {len}"))
    } else if message.contains(" has more than ") {
        let n = between(message, " has more than ", " item").unwrap_or("0");
        ("too_long", format!("List should have at most {n} items after validation"))
    } else if let Some(n) = between(message, " is longer than ", " character") {
        ("string_too_long", format!("String should have at most {n} characters"))
    } else if let Some(n) = between(message, " is shorter than ", " character") {
        ("string_too_short", format!("String should have at least {n} characters"))
    } else if let Some(p) = message.split(" does not match ").nth(1) {
        ("string_pattern_mismatch", format!("String should match pattern '{}'", p.trim_matches('"')))
    } else if message.ends_with("is not a \"uuid\"") {
        ("uuid_parsing", "Input should be a valid UUID".to_string())
    } else if message.contains("non-unique elements") {
        ("value_error", "Value error, list items must be unique".to_string())
    } else {
        ("value_error", format!("Value error, {message}"))
    };
    vec![Detail::new(kind, here, msg).with_input(value.clone())]
}

/// Reads a whole body up to `limit` bytes: 413 beyond it.
pub(crate) async fn read_body(body: Body, headers: &HeaderMap, limit: usize) -> Result<Bytes, ApiError> {
    let declared =
        headers.get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(ApiError::too_large(limit));
    }
    match axum::body::to_bytes(body, limit).await {
        Ok(bytes) => Ok(bytes),
        Err(e) => {
            let inner = e.into_inner();
            if is_length_limit(inner.as_ref()) {
                Err(ApiError::too_large(limit))
            } else {
                Err(ApiError::bad_request(format!("Could not read the request body: {inner}")))
            }
        }
    }
}

fn is_length_limit(mut err: &(dyn std::error::Error + 'static)) -> bool {
    loop {
        if err.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        match err.source() {
            Some(next) => err = next,
            None => return false,
        }
    }
}

/// Parses a JSON body: 422 `missing` when empty, 422 `json_invalid` when it is not JSON.
pub(crate) fn parse_json(bytes: &[u8]) -> Result<Value, ApiError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::invalid(Detail::new("missing", loc("body", &[]), "Field required")));
    }
    serde_json::from_slice(bytes).map_err(|e| {
        let position = line_col_offset(bytes, e.line(), e.column());
        ApiError::invalid(Detail::new(
            "json_invalid",
            loc("body", &[Value::from(position)]),
            format!("JSON decode error: {e}"),
        ))
    })
}

/// A JSON body read (within the body limit), parsed and checked against the request schema
/// of `op`: what every handler of a JSON operation starts with.
pub(crate) async fn read_request(
    app: &crate::app::App,
    op: &'static Operation,
    headers: &HeaderMap,
    body: Body,
) -> Result<Value, ApiError> {
    let bytes = read_body(body, headers, app.options.body_limit).await?;
    let request = parse_json(&bytes)?;
    app.validators.check(op, &request)?;
    Ok(request)
}

fn line_col_offset(bytes: &[u8], line: usize, column: usize) -> usize {
    let mut offset = 0;
    for (i, l) in bytes.split(|b| *b == b'\n').enumerate() {
        if i + 1 == line {
            return offset + column.saturating_sub(1);
        }
        offset += l.len() + 1;
    }
    offset.min(bytes.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn details(op: &str, body: Value) -> Vec<Value> {
        let v = Validators::new().expect("validators");
        let op = operations::by_id(op).expect("an operation");
        let err = v.check(op, &body).expect_err("invalid");
        err.body["message"]["detail"].as_array().cloned().unwrap_or_default()
    }

    #[test]
    fn extra_and_missing_fields() {
        let d = details("createChatCompletion", json!({"messages": [{"role": "user", "content": "x"}], "foo": 1}));
        let kinds: Vec<(&str, &Value)> = d.iter().map(|d| (d["type"].as_str().unwrap_or(""), &d["loc"])).collect();
        assert!(kinds.contains(&("missing", &json!(["body", "model"]))), "{d:?}");
        assert!(kinds.contains(&("extra_forbidden", &json!(["body", "foo"]))), "{d:?}");
    }

    #[test]
    fn drills_into_nullable_and_unions() {
        let d = details(
            "createChatCompletion",
            json!({"model": "m", "messages": [{"role": "user"}, {"role": "bogus", "content": "x"}], "temperature": 2, "max_tokens": "9"}),
        );
        let find = |t: &str| d.iter().find(|d| d["type"] == t).cloned().unwrap_or(Value::Null);
        assert_eq!(find("missing")["loc"], json!(["body", "messages", 0, "content"]));
        assert_eq!(find("union_tag_invalid")["loc"], json!(["body", "messages", 1]));
        assert_eq!(find("less_than_equal")["loc"], json!(["body", "temperature"]));
        assert_eq!(find("int_type")["loc"], json!(["body", "max_tokens"]));
    }

    #[test]
    fn job_fields() {
        let d = details(
            "jobs_api_routes_fine_tuning_create_fine_tuning_job",
            json!({"model": "open-mistral-7b", "training_files": ["nope"], "hyperparameters": {"training_steps": 0}}),
        );
        let types: Vec<&str> = d.iter().filter_map(|d| d["type"].as_str()).collect();
        assert!(types.contains(&"uuid_parsing") && types.contains(&"greater_than_equal"), "{d:?}");
    }

    #[test]
    fn malformed_json_is_json_invalid() {
        let err = parse_json(b"{\"a\": ").expect_err("bad");
        assert_eq!(err.body["message"]["detail"][0]["type"], "json_invalid");
        let err = parse_json(b"").expect_err("empty");
        assert_eq!(err.body["message"]["detail"][0]["type"], "missing");
        assert!(parse_json(&[0xff, 0xfe, 0x00]).is_err());
    }
}
