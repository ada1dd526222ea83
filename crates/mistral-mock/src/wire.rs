//! Answers keyed as the live server keys them: it sends every declared field, `null` where it
//! has no value, while the generated types leave `None` out. Filled from the spec's schema.

use serde::Serialize;
use serde_json::Value;

/// `value` as JSON with every missing nullable scalar property of the component schema `name`
/// (and of the objects inside it) set to `null`. Arrays are left as they are: the server sends
/// `[]`, and old clients refuse a `null` list. Unions are not entered.
pub(crate) fn with_nulls<T: Serialize>(name: &str, value: &T) -> Value {
    let mut json = serde_json::to_value(value).unwrap_or(Value::Null);
    if let Ok(spec) = mistral_spec::Spec::embedded()
        && let Some(schema) = spec.raw().pointer(&format!("/components/schemas/{name}"))
    {
        fill(spec, schema, &mut json, 0);
    }
    json
}

fn fill(spec: &mistral_spec::Spec, schema: &Value, value: &mut Value, depth: usize) {
    if depth > 8 {
        return;
    }
    let schema = spec.resolve(schema).unwrap_or(schema);
    for member in schema.get("allOf").and_then(Value::as_array).into_iter().flatten() {
        fill(spec, member, value, depth + 1);
    }
    match value {
        Value::Object(map) => {
            for (name, property) in schema.get("properties").and_then(Value::as_object).into_iter().flatten() {
                match map.get_mut(name) {
                    Some(child) => fill(spec, property, child, depth + 1),
                    None => {
                        let resolved = spec.resolve(property).unwrap_or(property);
                        let nullable = property.get("nullable") == Some(&Value::Bool(true));
                        let array = resolved.get("type").and_then(Value::as_str) == Some("array");
                        if nullable && !array {
                            map.insert(name.clone(), Value::Null);
                        }
                    }
                }
            }
        }
        Value::Array(items) => {
            if let Some(item) = schema.get("items") {
                items.iter_mut().for_each(|i| fill(spec, item, i, depth + 1));
            }
        }
        _ => {}
    }
}
