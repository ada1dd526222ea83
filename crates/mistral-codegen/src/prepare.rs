//! The spec as progenitor sees it: `openapi.yaml` minus what progenitor 0.15 cannot take.

use serde_json::{Map, Value, json};

use crate::{Error, Result};

/// A part of the API that the generated client does not implement and `mistral-sdk` owns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SdkOwned {
    /// The operation.
    pub operation_id: String,
    /// The media type removed from the generator's view.
    pub media_type: &'static str,
    /// Why progenitor cannot generate it.
    pub why: &'static str,
}

/// Everything [`prepare`] hides from progenitor, and why: every operation with a multipart
/// request body (whole), and the `text/event-stream` answer of every streamed operation.
pub fn sdk_owned(spec: &Value) -> Vec<SdkOwned> {
    let mut out = Vec::new();
    for (_, item) in spec.get("paths").and_then(Value::as_object).into_iter().flatten() {
        for method in METHODS {
            let Some(op) = item.get(*method) else {
                continue;
            };
            let id = op.get("operationId").and_then(Value::as_str).unwrap_or_default().to_string();
            if op.pointer("/requestBody/content/multipart~1form-data").is_some() {
                out.push(SdkOwned { operation_id: id.clone(), media_type: MULTIPART, why: NO_MULTIPART });
            }
            if op.pointer("/responses/200/content/text~1event-stream").is_some() {
                out.push(SdkOwned { operation_id: id, media_type: EVENT_STREAM, why: NO_SSE });
            }
        }
    }
    out
}

const MULTIPART: &str = "multipart/form-data";
const EVENT_STREAM: &str = "text/event-stream";
const NO_MULTIPART: &str =
    "progenitor aborts on multipart request bodies (progenitor#402): the whole operation is left to mistral-sdk";
const NO_SSE: &str =
    "progenitor has no SSE support: the generated method returns the JSON response; streams are mistral-sdk's";

/// The schema every error response decodes into in the generated client: progenitor
/// panics when one operation's error responses have different schemas.
pub const ERROR_SCHEMA: &str = "ApiError";

const METHODS: &[&str] = &["get", "put", "post", "delete", "options", "head", "patch", "trace"];

/// Turns the project's spec into the document progenitor is given:
/// - operations and media types listed by [`sdk_owned`] are removed;
/// - every error response (4xx, 5xx) is given the one schema `ERROR_SCHEMA`;
/// - of several success responses, only the first with a body is kept;
/// - an `anyOf` whose members all have a `title` becomes a `oneOf`: the spec says `anyOf`
///   where members overlap (an open enum's `Known` values are also strings), which is right for
///   validation, while typify turns `anyOf` into a struct of optional parts; as `oneOf` it
///   becomes an untagged enum with variants named by the titles, tried in order (an `Other`
///   member's `not`, which keeps validators exact, is dropped).
pub fn prepare(spec: &Value) -> Result<openapiv3::OpenAPI> {
    let owned_parts = sdk_owned(spec);
    let mut spec = spec.clone();
    if let Some(schemas) = spec.pointer_mut("/components/schemas") {
        titled_any_of_to_one_of(schemas);
    }
    let paths = spec.get_mut("paths").and_then(Value::as_object_mut).ok_or_else(|| Error::Spec("no paths".into()))?;
    for item in paths.values_mut() {
        let Some(item) = item.as_object_mut() else {
            continue;
        };
        for method in METHODS {
            let Some(op) = item.get(*method) else {
                continue;
            };
            let id = op.get("operationId").and_then(Value::as_str).unwrap_or("");
            let owned: Vec<&SdkOwned> = owned_parts.iter().filter(|o| o.operation_id == id).collect();
            if owned.iter().any(|o| o.media_type == "multipart/form-data") {
                item.remove(*method);
                continue;
            }
            if let Some(op) = item.get_mut(*method).and_then(Value::as_object_mut) {
                prepare_operation(op, &owned);
            }
        }
    }
    serde_json::from_value(spec).map_err(|e| Error::Spec(e.to_string()))
}

/// Gives every query parameter whose type has no `Display` (a list, an object, an open enum)
/// the schema `{type: string}`. Only the httpmock helpers are generated from this view: a test
/// matches one value of a repeated parameter as the string on the wire.
pub fn query_params_as_strings(spec: &mut Value) {
    let schemas = spec.pointer("/components/schemas").cloned().unwrap_or(Value::Null);
    let Some(paths) = spec.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for item in paths.values_mut().filter_map(Value::as_object_mut) {
        for (_, op) in item.iter_mut().filter(|(m, _)| METHODS.contains(&m.as_str())) {
            let Some(params) = op.get_mut("parameters").and_then(Value::as_array_mut) else {
                continue;
            };
            for param in params.iter_mut().filter(|p| p.get("in").and_then(Value::as_str) == Some("query")) {
                if let Some(schema) = param.get_mut("schema")
                    && !has_display(schema, &schemas)
                {
                    *schema = json!({"type": "string"});
                }
            }
        }
    }
}

/// Whether typify's type for `schema` implements `Display`: scalars, closed enums, untagged
/// unions of scalars.
fn has_display(schema: &Value, schemas: &Value) -> bool {
    let target = match schema.get("$ref").or_else(|| schema.pointer("/allOf/0/$ref")).and_then(Value::as_str) {
        Some(reference) => {
            reference.strip_prefix("#/components/schemas/").and_then(|name| schemas.get(name)).unwrap_or(&Value::Null)
        }
        None => schema,
    };
    let scalar =
        matches!(target.get("type").and_then(Value::as_str), Some("string" | "integer" | "number" | "boolean"));
    let open_enum = target.get("anyOf").is_some();
    (scalar || target.get("oneOf").is_some()) && !open_enum
}

fn titled_any_of_to_one_of(value: &mut Value) {
    match value {
        Value::Object(map) => {
            let titled = map
                .get("anyOf")
                .and_then(Value::as_array)
                .is_some_and(|members| members.iter().all(|m| m.get("title").is_some()));
            if titled && let Some(mut members) = map.remove("anyOf") {
                // An `Other` member excludes the known kinds with `not` (for validators);
                // typify needs no such help, as the variants are tried in order.
                for member in members.as_array_mut().into_iter().flatten() {
                    if let Some(member) = member.as_object_mut() {
                        member.remove("not");
                    }
                }
                map.insert("oneOf".into(), members);
            }
            map.values_mut().for_each(titled_any_of_to_one_of);
        }
        Value::Array(items) => items.iter_mut().for_each(titled_any_of_to_one_of),
        _ => {}
    }
}

fn prepare_operation(op: &mut Map<String, Value>, owned: &[&SdkOwned]) {
    let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else {
        return;
    };
    // progenitor takes one success type per operation: where the spec allows a bodiless 2xx
    // beside one with a body (libraries delete: 200 or 204), the generated client keeps the body.
    let with_body =
        responses.iter().find(|(s, r)| s.starts_with('2') && r.get("content").is_some()).map(|(s, _)| s.clone());
    if let Some(keep) = with_body {
        responses.retain(|s, _| !s.starts_with('2') || *s == keep);
    }
    for (status, response) in responses.iter_mut() {
        if status.starts_with('4') || status.starts_with('5') {
            *response = json!({
                "description": "An error body (see the spec for the shapes by status).",
                "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{ERROR_SCHEMA}")}}}
            });
        } else if let Some(content) = response.get_mut("content").and_then(Value::as_object_mut) {
            for o in owned {
                content.remove(o.media_type);
            }
        }
    }
}
