//! Structured outputs: the text of a JSON answer, as the live models write it.
//!
//! `response_format: {type: json_schema}` gets a deterministic instance of the schema, every
//! property filled (from the prompt where it says `key=value`); both JSON modes write keys in
//! the schema's `required` order, then the others, separated the way the live models separate
//! them (`{"a": 1, "b": [true, false]}`).

use serde_json::{Map, Value};

use crate::arguments::{self, Context};

/// The answer to a `json_schema` request: an instance of `schema`, as text.
pub(crate) fn answer(schema: &Map<String, Value>, ctx: &Context) -> String {
    let root = Value::Object(schema.clone());
    let ctx = ctx.clone().with_every_property();
    let value = arguments::generate(&root, &ctx);
    to_text(&value, &root, &root)
}

/// The answer to a `json_object` request, as text.
pub(crate) fn object(ctx: &Context) -> String {
    to_text(&arguments::json_object(ctx), &Value::Null, &Value::Null)
}

/// Follows local `$ref`s (and a single `allOf`) to the schema that describes a value.
fn resolve<'a>(schema: &'a Value, root: &'a Value) -> &'a Value {
    let mut current = schema;
    for _ in 0..16 {
        if let Some(target) = current.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix('#')) {
            match root.pointer(target) {
                Some(next) => current = next,
                None => break,
            }
        } else if let Some([only]) = current.get("allOf").and_then(Value::as_array).map(Vec::as_slice) {
            current = only;
        } else {
            break;
        }
    }
    current
}

/// `value` as JSON text, objects' keys in `schema`'s order: `required` first, then its other
/// properties, then any other key.
pub(crate) fn to_text(value: &Value, schema: &Value, root: &Value) -> String {
    let mut out = String::new();
    write(&mut out, value, schema, root, 0);
    out
}

fn write(out: &mut String, value: &Value, schema: &Value, root: &Value, depth: usize) {
    let schema = if depth > 32 { &Value::Null } else { resolve(schema, root) };
    match value {
        Value::Object(map) => {
            let mut keys: Vec<&String> = Vec::new();
            let required = schema.get("required").and_then(Value::as_array).into_iter().flatten();
            let declared = schema.get("properties").and_then(Value::as_object).into_iter().flat_map(|p| p.keys());
            for key in required.filter_map(Value::as_str).filter_map(|k| map.get_key_value(k).map(|(k, _)| k)) {
                if !keys.contains(&key) {
                    keys.push(key);
                }
            }
            for key in declared.chain(map.keys()) {
                if map.contains_key(key) && !keys.contains(&key) {
                    keys.push(key);
                }
            }
            out.push('{');
            for (i, key) in keys.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(&Value::from(key.as_str()).to_string());
                out.push_str(": ");
                let property = schema.pointer(&format!("/properties/{}", mistral_spec::escape(key)));
                let value = map.get(key.as_str()).unwrap_or(&Value::Null);
                write(out, value, property.unwrap_or(&Value::Null), root, depth + 1);
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write(out, item, schema.get("items").unwrap_or(&Value::Null), root, depth + 1);
            }
            out.push(']');
        }
        scalar => out.push_str(&scalar.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_recorded_release_plan_comes_out_as_the_live_model_wrote_it() {
        // The schema and prompt of the recorded exchange `json_schema_structured_output_roundtrip`.
        let schema = json!({"$defs": {"StructuredChecks": {"additionalProperties": false,
            "properties": {"compile": {"type": "boolean"}, "replay": {"type": "boolean"}},
            "required": ["compile", "replay"], "type": "object"}},
            "additionalProperties": false,
            "properties": {"checks": {"$ref": "#/$defs/StructuredChecks"}, "lane": {"type": "string"}, "risk": {"type": "string"}},
            "required": ["lane", "checks", "risk"], "title": "StructuredReleasePlan", "type": "object"});
        let ctx = Context::new("Return lane=canary, risk=low, checks.compile=true, and checks.replay=true.", 1);
        let Value::Object(schema) = schema else { panic!("an object") };
        assert_eq!(
            answer(&schema, &ctx),
            r#"{"lane": "canary", "checks": {"compile": true, "replay": true}, "risk": "low"}"#
        );
    }
}
