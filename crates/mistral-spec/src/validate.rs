//! OpenAPI 3.0 schema -> JSON Schema, and validators built from it.

use serde_json::{Map, Value, json};

use crate::{Error, Result};

/// A compiled schema.
pub struct Validator {
    inner: jsonschema::Validator,
}

impl std::fmt::Debug for Validator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Validator")
    }
}

/// One way an instance departs from its schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// JSON pointer of the offending value in the instance (`""` for the root).
    pub pointer: String,
    /// What the schema wanted.
    pub message: String,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let at = if self.pointer.is_empty() { "/" } else { &self.pointer };
        write!(f, "at {at}: {}", self.message)
    }
}

impl Validator {
    /// A validator for a standalone JSON Schema (its `$schema` draft, 2020-12 when it names
    /// none): what a structured-output request asks the answer to fit.
    ///
    /// ```
    /// let schema = serde_json::json!({"type": "object", "required": ["city"]});
    /// let v = mistral_spec::Validator::json_schema(&schema).unwrap();
    /// assert!(v.is_valid(&serde_json::json!({"city": "Lyon"})) && !v.is_valid(&serde_json::json!({})));
    /// ```
    pub fn json_schema(schema: &Value) -> Result<Validator> {
        let inner = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .build(schema)
            .map_err(|e| Error::Schema { pointer: "(a JSON Schema)".into(), message: e.to_string() })?;
        Ok(Validator { inner })
    }

    /// `Ok` when `instance` fits, else every violation found (at least one).
    pub fn validate(&self, instance: &Value) -> std::result::Result<(), Vec<Violation>> {
        let mut violations = Vec::new();
        for e in self.inner.iter_errors(instance) {
            drill(&e, &mut violations);
        }
        if violations.is_empty() { Ok(()) } else { Err(violations) }
    }

    /// Whether `instance` fits.
    pub fn is_valid(&self, instance: &Value) -> bool {
        self.inner.is_valid(instance)
    }
}

/// A union's failure reported as the failures of the one member the instance is meant to be:
/// the only member that does not refuse its kind outright (a wrong discriminator value, a
/// `not` of the known kinds, a wrong type, `null` against a nullable). With no single such
/// member, the union's own message.
fn drill(e: &jsonschema::ValidationError<'_>, out: &mut Vec<Violation>) {
    use jsonschema::error::ValidationErrorKind as Kind;
    let here = e.instance_path().to_string();
    if let Kind::AnyOf { context } | Kind::OneOfNotValid { context } = e.kind() {
        let refuses_kind = |b: &jsonschema::ValidationError<'_>| {
            let at = b.instance_path().to_string();
            match b.kind() {
                Kind::Type { .. } | Kind::Not { .. } => at == here,
                Kind::Enum { .. } | Kind::Constant { .. } => {
                    at.rsplit_once('/').is_some_and(|(parent, _)| parent == here)
                }
                _ => false,
            }
        };
        let mut meant = context.iter().filter(|branch| !branch.iter().any(refuses_kind));
        if let (Some(branch), None) = (meant.next(), meant.next())
            && !branch.is_empty()
        {
            branch.iter().for_each(|b| drill(b, out));
            return;
        }
    }
    out.push(Violation { pointer: here, message: e.to_string() });
}

pub(crate) fn build(doc: &Value, pointer: &str) -> Result<Validator> {
    let Value::Object(map) = doc else {
        return Err(Error::Missing("the spec is not an object".into()));
    };
    // The compiler walks its whole root for each validator, so the root holds only what a
    // schema can reach: `components` (where `$ref`s point) and, for a schema written in place
    // under `paths`, its own path item. Should a reference lead elsewhere, the whole document.
    match compile(reachable(map, pointer), pointer) {
        Err(_) => compile(map.clone(), pointer),
        built => built,
    }
}

/// `components`, and the path item `pointer` is in, if it is under `paths`.
fn reachable(map: &Map<String, Value>, pointer: &str) -> Map<String, Value> {
    let mut root = Map::new();
    if let Some(components) = map.get("components") {
        root.insert("components".into(), components.clone());
    }
    if let Some(rest) = pointer.strip_prefix("#/paths/") {
        let key = crate::unescape(rest.split('/').next().unwrap_or_default());
        if let Some(item) = map.get("paths").and_then(|paths| paths.get(&key)) {
            root.insert("paths".into(), json!({ key: item.clone() }));
        }
    }
    root
}

/// A validator of the schema at `pointer` of `root` (the spec as JSON Schema, Draft 4: a
/// `$ref` makes its siblings ignored, so the root is the schema it points to).
fn compile(mut root: Map<String, Value>, pointer: &str) -> Result<Validator> {
    root.insert("$ref".into(), Value::String(uri_fragment(pointer)));
    let inner = jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .should_validate_formats(true)
        .should_ignore_unknown_formats(true)
        .with_format("uuid", is_uuid)
        .build(&Value::Object(root))
        .map_err(|e| Error::Schema { pointer: pointer.to_string(), message: e.to_string() })?;
    Ok(Validator { inner })
}

/// Percent-encodes what a URI fragment may not hold (`{`, `}`, spaces in example names...).
fn uri_fragment(pointer: &str) -> String {
    let mut out = String::with_capacity(pointer.len());
    for c in pointer.chars() {
        if c.is_ascii_alphanumeric() || "#/-._~!$&'()*+,;=:@%".contains(c) {
            out.push(c);
        } else {
            let mut buf = [0u8; 4];
            for b in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        }
    }
    out
}

fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// Rewrites OpenAPI-only keywords in place: `nullable: true` becomes `anyOf [{type: null}, ...]`.
/// Example values are data, not schemas, and are left alone.
pub(crate) fn openapi_to_json_schema(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                if key != "example" && key != "examples" {
                    openapi_to_json_schema(child);
                }
            }
            if map.remove("nullable") == Some(Value::Bool(true)) {
                let rest = std::mem::take(map);
                map.insert("anyOf".into(), json!([{"type": "null"}, Value::Object(rest)]));
            }
        }
        Value::Array(items) => items.iter_mut().for_each(openapi_to_json_schema),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nullable_becomes_any_of_null() {
        let mut v = json!({"type": "string", "nullable": true, "example": {"nullable": true}});
        openapi_to_json_schema(&mut v);
        assert_eq!(v, json!({"anyOf": [{"type": "null"}, {"type": "string", "example": {"nullable": true}}]}));
    }

    #[test]
    fn uuid_format() {
        assert!(is_uuid("497f6eca-6276-4993-bfeb-53cbbbba6f09"));
        assert!(!is_uuid("497f6eca-6276-4993-bfeb-53cbbbba6f0"));
        assert!(!is_uuid("497f6eca+6276-4993-bfeb-53cbbbba6f09"));
    }
}
