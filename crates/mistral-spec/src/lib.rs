//! `openapi.yaml` as data: operations, JSON Schema validators for any schema in it, and a
//! lint of the spec itself.
//!
//! OpenAPI 3.0 schemas are not quite JSON Schema: [`Spec`] rewrites `nullable: true` into
//! `anyOf [null, ...]` once, then compiles validators (Draft 4, the dialect OpenAPI 3.0
//! extends) that resolve `$ref`s inside the spec. The mock server validates requests with
//! them, the conformance runner responses, and `cargo xtask check` the spec's own examples.
//!
//! ```
//! let spec = mistral_spec::Spec::embedded().unwrap();
//! let validator = spec.component_validator("EmbeddingRequest").unwrap();
//! let ok = serde_json::json!({"model": "mistral-embed", "input": ["Hello"]});
//! assert!(validator.validate(&ok).is_ok());
//! let bad = serde_json::json!({"model": "mistral-embed", "inputs": ["Hello"]});
//! assert!(validator.validate(&bad).is_err());
//! ```

#![warn(missing_docs)]
#![forbid(unsafe_code)]

pub mod diff;
mod lint;
pub mod sse;
mod validate;

pub use lint::LintIssue;
pub use validate::{Validator, Violation};

use std::sync::OnceLock;

use serde_json::Value;

/// The spec the workspace is generated from, as it was when this crate was built.
pub const EMBEDDED_YAML: &str = include_str!("../openapi.yaml");

/// HTTP methods an OpenAPI path item may hold, in the order operations are listed.
pub const METHODS: &[&str] = &["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// What can go wrong reading a spec or building a validator.
#[derive(Debug, Clone, thiserror::Error)]
pub enum Error {
    /// Not YAML or JSON.
    #[error("cannot parse the spec: {0}")]
    Parse(String),
    /// A name or pointer that the spec does not have.
    #[error("not in the spec: {0}")]
    Missing(String),
    /// The schema there is not a valid JSON Schema.
    #[error("invalid schema at {pointer}: {message}")]
    Schema {
        /// Where.
        pointer: String,
        /// Why.
        message: String,
    },
}

/// Result alias of this crate.
pub type Result<T> = std::result::Result<T, Error>;

/// An OpenAPI 3.0 document, with its schemas ready for validation.
#[derive(Debug, Clone)]
pub struct Spec {
    raw: Value,
    json_schema: Value,
}

/// One operation of the spec.
#[derive(Debug, Clone, PartialEq)]
pub struct Operation<'a> {
    /// `operationId`.
    pub id: &'a str,
    /// Lower-case HTTP method.
    pub method: &'a str,
    /// Path template, e.g. `/v1/files/{file_id}`.
    pub path: &'a str,
    /// The operation object.
    pub raw: &'a Value,
}

impl Operation<'_> {
    /// JSON pointer (URI fragment form, `#/...`) of the operation object.
    pub fn pointer(&self) -> String {
        format!("#/paths/{}/{}", escape(self.path), self.method)
    }

    /// The first tag, e.g. `chat`.
    pub fn tag(&self) -> Option<&str> {
        self.raw.pointer("/tags/0").and_then(Value::as_str)
    }
}

/// The JSON Schema type name of a value (`"integer"` for whole numbers).
///
/// ```
/// assert_eq!(mistral_spec::json_type(&serde_json::json!(3)), "integer");
/// assert_eq!(mistral_spec::json_type(&serde_json::json!(3.5)), "number");
/// ```
pub fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Escapes one JSON pointer token (`~` -> `~0`, `/` -> `~1`).
pub fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

/// The token [`escape`] was given back (`~1` -> `/`, then `~0` -> `~`).
pub(crate) fn unescape(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}

impl Spec {
    /// The workspace's `openapi.yaml`, parsed once.
    pub fn embedded() -> Result<&'static Spec> {
        static SPEC: OnceLock<Result<Spec>> = OnceLock::new();
        SPEC.get_or_init(|| Spec::parse(EMBEDDED_YAML)).as_ref().map_err(Clone::clone)
    }

    /// Parses a YAML or JSON OpenAPI document.
    pub fn parse(text: &str) -> Result<Spec> {
        let raw: Value = serde_norway::from_str(text).map_err(|e| Error::Parse(e.to_string()))?;
        Ok(Spec::from_value(raw))
    }

    /// Wraps an already parsed document.
    pub fn from_value(raw: Value) -> Spec {
        let mut json_schema = raw.clone();
        validate::openapi_to_json_schema(&mut json_schema);
        Spec { raw, json_schema }
    }

    /// The document as written.
    pub fn raw(&self) -> &Value {
        &self.raw
    }

    /// Every operation, in path order then method order.
    pub fn operations(&self) -> Vec<Operation<'_>> {
        let mut out = Vec::new();
        let Some(paths) = self.raw.get("paths").and_then(Value::as_object) else {
            return out;
        };
        for (path, item) in paths {
            for method in METHODS {
                if let Some(op) = item.get(*method) {
                    let id = op.get("operationId").and_then(Value::as_str).unwrap_or("");
                    out.push(Operation { id, method, path, raw: op });
                }
            }
        }
        out
    }

    /// The operation with this `operationId`.
    pub fn operation(&self, id: &str) -> Option<Operation<'_>> {
        self.operations().into_iter().find(|op| op.id == id)
    }

    /// Follows `$ref`s (within this document) until a non-reference value.
    pub fn resolve<'a>(&'a self, mut value: &'a Value) -> Option<&'a Value> {
        for _ in 0..32 {
            match value.get("$ref").and_then(Value::as_str) {
                Some(r) => value = self.raw.pointer(r.strip_prefix('#')?)?,
                None => return Some(value),
            }
        }
        None
    }

    /// A validator for the schema at a JSON pointer (`#/...`) of the document.
    pub fn validator_at(&self, pointer: &str) -> Result<Validator> {
        validate::build(&self.json_schema, pointer)
    }

    /// A validator for `components/schemas/{name}`.
    pub fn component_validator(&self, name: &str) -> Result<Validator> {
        let pointer = format!("#/components/schemas/{}", escape(name));
        if self.raw.pointer(&pointer[1..]).is_none() {
            return Err(Error::Missing(pointer));
        }
        self.validator_at(&pointer)
    }

    /// A validator for an operation's request body in `media_type`.
    pub fn request_validator(&self, operation_id: &str, media_type: &str) -> Result<Validator> {
        let op = self.operation(operation_id).ok_or_else(|| Error::Missing(operation_id.into()))?;
        let pointer = format!("{}/requestBody/content/{}/schema", op.pointer(), escape(media_type));
        self.validator_at(&self.follow(&pointer)?)
    }

    /// A validator for an operation's response body with `status` (e.g. `"200"`, `"422"`; a
    /// status without its own entry falls back to its range, `5XX`) in `media_type`.
    pub fn response_validator(&self, operation_id: &str, status: &str, media_type: &str) -> Result<Validator> {
        let op = self.operation(operation_id).ok_or_else(|| Error::Missing(operation_id.into()))?;
        let responses = op.raw.get("responses").ok_or_else(|| Error::Missing(format!("{operation_id} responses")))?;
        let range = format!("{}XX", status.chars().next().unwrap_or('?'));
        let key = [status, range.as_str(), "default"]
            .into_iter()
            .find(|k| responses.get(*k).is_some())
            .ok_or_else(|| Error::Missing(format!("{operation_id} response {status}")))?;
        let response = self.follow(&format!("{}/responses/{}", op.pointer(), escape(key)))?;
        self.validator_at(&self.follow(&format!("{response}/content/{}/schema", escape(media_type)))?)
    }

    /// The media types an operation's response with `status` declares.
    pub fn response_media_types(&self, operation_id: &str, status: &str) -> Vec<String> {
        let Some(op) = self.operation(operation_id) else {
            return Vec::new();
        };
        op.raw
            .pointer(&format!("/responses/{status}"))
            .and_then(|r| self.resolve(r))
            .and_then(|r| r.get("content"))
            .and_then(Value::as_object)
            .map(|c| c.keys().cloned().collect())
            .unwrap_or_default()
    }

    /// Checks the spec: OpenAPI 3.0.x, unique operationIds, `$ref`s that resolve, and
    /// examples for every operation that validate against their schemas.
    pub fn lint(&self) -> Vec<LintIssue> {
        lint::lint(self)
    }

    /// Resolves a pointer whose target may itself be a `$ref`, giving the final pointer.
    fn follow(&self, pointer: &str) -> Result<String> {
        let mut pointer = pointer.to_string();
        for _ in 0..32 {
            let value =
                self.raw.pointer(pointer.trim_start_matches('#')).ok_or_else(|| Error::Missing(pointer.clone()))?;
            match value.get("$ref").and_then(Value::as_str) {
                Some(r) if value.as_object().is_some_and(|o| o.len() == 1) => pointer = r.to_string(),
                _ => return Ok(pointer),
            }
        }
        Err(Error::Missing(format!("{pointer}: $ref loop")))
    }
}

#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
