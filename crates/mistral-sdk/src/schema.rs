//! JSON Schemas of Rust types for the API's structured outputs: chat's `response_format`
//! ([`ChatRequest::json_schema`](crate::ChatRequest::json_schema)) and OCR's annotation
//! formats ([`OcrRequest::bbox_annotation`](crate::OcrRequest::bbox_annotation)).

use schemars::JsonSchema;
use serde_json::{Map, Value};

use crate::types::{JsonSchema as WireJsonSchema, KnownResponseFormats, ResponseFormat, ResponseFormats};

/// `T`'s JSON Schema as the wire type: named after the type, described by its doc comment,
/// `strict: true`.
pub(crate) fn json_schema_for<T: JsonSchema>() -> WireJsonSchema {
    // Draft 2020-12 with `$defs`: what the live API takes (recorded traffic).
    let schema = schemars::generate::SchemaSettings::draft2020_12().into_generator().into_root_schema_for::<T>();
    let schema = match schema.to_value() {
        Value::Object(map) => map,
        _ => Map::new(),
    };
    let description = schema.get("description").and_then(Value::as_str).map(str::to_string);
    WireJsonSchema { name: schema_name(&T::schema_name()), description, schema, strict: Some(true) }
}

/// A `json_schema` response format with this schema.
pub(crate) fn response_format(schema: WireJsonSchema) -> ResponseFormat {
    ResponseFormat { type_: ResponseFormats::Known(KnownResponseFormats::JsonSchema), json_schema: Some(schema) }
}

/// A type's schema name as a `json_schema` name: `[a-zA-Z0-9_-]`, at most 64 characters
/// (`Page<Item>` becomes `Page_for_Item`).
fn schema_name(name: &str) -> String {
    let mut out: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '_' || c == '-' { c } else { '_' })
        .take(64)
        .collect();
    if out.is_empty() {
        out.push_str("response");
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn schema_names_fit_the_pattern() {
        assert_eq!(super::schema_name("Page_for_Item"), "Page_for_Item");
        assert_eq!(super::schema_name("a b<c>"), "a_b_c_");
        assert_eq!(super::schema_name(""), "response");
        assert_eq!(super::schema_name(&"x".repeat(100)).len(), 64);
    }
}
