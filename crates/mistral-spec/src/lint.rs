//! Checks of the spec itself, run by `cargo xtask check`.

use serde_json::Value;

use crate::{Spec, escape};

/// One problem found in the spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LintIssue {
    /// Where, as a JSON pointer into the document.
    pub pointer: String,
    /// What is wrong.
    pub message: String,
}

impl std::fmt::Display for LintIssue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.pointer, self.message)
    }
}

struct Lint<'a> {
    spec: &'a Spec,
    issues: Vec<LintIssue>,
}

impl Lint<'_> {
    fn issue(&mut self, pointer: impl Into<String>, message: impl Into<String>) {
        self.issues.push(LintIssue { pointer: pointer.into(), message: message.into() });
    }

    /// Follows a `$ref` at `pointer`, giving the pointer and value of the target.
    fn deref(&self, pointer: String, value: &Value) -> (String, Value) {
        match value.get("$ref").and_then(Value::as_str) {
            Some(r) => match self.spec.raw().pointer(r.trim_start_matches('#')) {
                Some(target) => self.deref(r.to_string(), &target.clone()),
                None => (pointer, value.clone()),
            },
            None => (pointer, value.clone()),
        }
    }

    fn check_example(&mut self, schema_pointer: &str, example_pointer: &str, media_type: &str, example: &Value) {
        let validator = match self.spec.validator_at(schema_pointer) {
            Ok(v) => v,
            Err(e) => return self.issue(schema_pointer, e.to_string()),
        };
        let instances: Vec<Value> = if media_type == "text/event-stream" {
            // Data-only streams (no `event` in the envelope) end with `data: [DONE]`.
            let named = self
                .spec
                .raw()
                .pointer(schema_pointer.trim_start_matches('#'))
                .and_then(|s| s.pointer("/properties/event"))
                .is_some();
            match crate::sse::example_events(example, !named) {
                Ok(events) => events,
                Err(msg) => return self.issue(example_pointer, msg),
            }
        } else {
            vec![example.clone()]
        };
        for instance in instances {
            if let Err(violations) = validator.validate(&instance) {
                for v in violations {
                    self.issue(example_pointer, format!("example does not fit its schema {v}"));
                }
            }
        }
    }

    /// Checks every example of a `content` map; returns how many there were per media type.
    fn check_content(&mut self, pointer: &str, content: &Value, require_examples: bool) {
        let Some(content) = content.as_object() else {
            return;
        };
        for (media_type, media) in content {
            let media_pointer = format!("{pointer}/content/{}", escape(media_type));
            let schema_pointer = format!("{media_pointer}/schema");
            let schema_pointer = match media.get("schema") {
                Some(schema) => self.deref(schema_pointer, schema).0,
                None => {
                    self.issue(&media_pointer, "no schema");
                    continue;
                }
            };
            let mut count = 0;
            if let Some(example) = media.get("example") {
                count += 1;
                self.check_example(&schema_pointer, &format!("{media_pointer}/example"), media_type, example);
            }
            if let Some(examples) = media.get("examples").and_then(Value::as_object) {
                for (name, example) in examples {
                    let example_pointer = format!("{media_pointer}/examples/{}", escape(name));
                    let (_, example) = self.deref(example_pointer.clone(), example);
                    match example.get("value") {
                        Some(value) => {
                            count += 1;
                            self.check_example(&schema_pointer, &example_pointer, media_type, value)
                        }
                        None => self.issue(&example_pointer, "example without a value"),
                    }
                }
            }
            if count == 0 && require_examples {
                self.issue(&media_pointer, "no example");
            }
        }
    }

    fn check_refs(&mut self, pointer: &str, value: &Value) {
        match value {
            Value::Object(map) => {
                if let Some(r) = map.get("$ref").and_then(Value::as_str) {
                    let ok = r.starts_with("#/") && self.spec.raw().pointer(&r[1..]).is_some();
                    if !ok {
                        self.issue(pointer, format!("$ref {r} does not resolve"));
                    }
                }
                if let Some(members) = map.get("oneOf").and_then(Value::as_array) {
                    self.check_one_of(pointer, members);
                }
                for (k, child) in map {
                    if k != "example" && k != "examples" {
                        self.check_refs(&format!("{pointer}/{}", escape(k)), child);
                    }
                }
            }
            Value::Array(items) => {
                for (i, child) in items.iter().enumerate() {
                    self.check_refs(&format!("{pointer}/{i}"), child);
                }
            }
            _ => {}
        }
    }
}

impl Lint<'_> {
    /// `oneOf` means exactly one member matches: two members of the same scalar or array type
    /// (two strings, an integer and a number, two arrays that an empty array fits) can both
    /// match, and the value is then refused. Such a union is a titled `anyOf`.
    fn check_one_of(&mut self, pointer: &str, members: &[Value]) {
        let kinds: Vec<std::collections::BTreeSet<String>> =
            members.iter().map(|m| scalar_kinds(self.spec, m, 0)).collect();
        for (i, a) in kinds.iter().enumerate() {
            for (j, b) in kinds.iter().enumerate().skip(i + 1) {
                if let Some(kind) = a.intersection(b).next() {
                    let message = format!(
                        "oneOf members {i} and {j} can both match a {kind}: the value would be refused; use a titled anyOf"
                    );
                    self.issue(pointer, message);
                    return;
                }
            }
        }
    }
}

/// The scalar and array types a schema can match (`integer` counted as `number`), through
/// `$ref`s, single-member `allOf`s and nested unions; objects are left out (their members
/// are told apart by their properties).
fn scalar_kinds(spec: &Spec, schema: &Value, depth: usize) -> std::collections::BTreeSet<String> {
    let mut kinds = std::collections::BTreeSet::new();
    if depth > 16 {
        return kinds;
    }
    let schema = spec.resolve(schema).unwrap_or(schema);
    match schema.get("type").and_then(Value::as_str) {
        Some("object") => {}
        Some("integer") => {
            kinds.insert("number".to_string());
        }
        Some(other) => {
            kinds.insert(other.to_string());
        }
        None => {
            for key in ["anyOf", "oneOf", "allOf"] {
                let members = schema.get(key).and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
                if key == "allOf" && members.len() != 1 {
                    continue;
                }
                for member in members {
                    kinds.extend(scalar_kinds(spec, member, depth + 1));
                }
            }
        }
    }
    kinds
}

pub(crate) fn lint(spec: &Spec) -> Vec<LintIssue> {
    let mut lint = Lint { spec, issues: Vec::new() };
    let version = spec.raw().get("openapi").and_then(Value::as_str).unwrap_or("");
    if !version.starts_with("3.0.") {
        lint.issue("#/openapi", format!("must be 3.0.x (progenitor rejects 3.1), is {version:?}"));
    }
    lint.check_refs("#", spec.raw());

    let mut seen = std::collections::BTreeSet::new();
    for op in spec.operations() {
        let pointer = op.pointer();
        if op.id.is_empty() {
            lint.issue(&pointer, "no operationId");
        } else if !seen.insert(op.id) {
            lint.issue(&pointer, format!("duplicate operationId {}", op.id));
        }
        if let Some(params) = op.raw.get("parameters").and_then(Value::as_array) {
            for (i, param) in params.iter().enumerate() {
                let (param_pointer, param) = lint.deref(format!("{pointer}/parameters/{i}"), param);
                let schema_pointer = format!("{param_pointer}/schema");
                let schema_pointer = match param.get("schema") {
                    Some(schema) => lint.deref(schema_pointer, schema).0,
                    None => continue,
                };
                match param.get("example") {
                    Some(example) => lint.check_example(&schema_pointer, &param_pointer, "", example),
                    None if param.get("required") == Some(&Value::Bool(true)) => {
                        lint.issue(&param_pointer, "required parameter without an example")
                    }
                    None => {}
                }
            }
        }
        if let Some(body) = op.raw.get("requestBody") {
            let (body_pointer, body) = lint.deref(format!("{pointer}/requestBody"), body);
            match body.get("content") {
                Some(content) => lint.check_content(&body_pointer, content, true),
                None => lint.issue(&body_pointer, "request body without content"),
            }
        }
        let Some(responses) = op.raw.get("responses").and_then(Value::as_object) else {
            lint.issue(&pointer, "no responses");
            continue;
        };
        if !responses.keys().any(|k| k.starts_with('2')) {
            lint.issue(&pointer, "no success response");
        }
        for (status, response) in responses {
            let (response_pointer, response) = lint.deref(format!("{pointer}/responses/{}", escape(status)), response);
            if let Some(content) = response.get("content") {
                lint.check_content(&response_pointer, content, status.starts_with('2'));
            }
        }
    }
    // Shared error responses are reached from many operations: report each problem once.
    lint.issues.sort_by(|a, b| (&a.pointer, &a.message).cmp(&(&b.pointer, &b.message)));
    lint.issues.dedup();
    lint.issues
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_workspace_spec_is_clean() {
        let spec = Spec::embedded().unwrap();
        let issues = spec.lint();
        assert!(issues.is_empty(), "{}", issues.iter().map(|i| format!("{i}\n")).collect::<String>());
    }

    #[test]
    fn finds_bad_examples_refs_and_versions() {
        let spec = Spec::parse(
            r##"
openapi: 3.1.0
paths:
  /x:
    post:
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/In'}
            example: {n: "not a number"}
      responses:
        '200':
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Missing'}
components:
  schemas:
    In: {type: object, required: [n], properties: {n: {type: integer}}}
"##,
        )
        .unwrap();
        let text: Vec<String> = spec.lint().iter().map(ToString::to_string).collect();
        let all = text.join("\n");
        assert!(all.contains("#/openapi: must be 3.0.x"), "{all}");
        assert!(all.contains("no operationId"), "{all}");
        assert!(all.contains("$ref #/components/schemas/Missing does not resolve"), "{all}");
        assert!(all.contains("example does not fit its schema at /n"), "{all}");
        assert!(all.contains("~1x/post/responses/200/content/application~1json: no example"), "{all}");
    }

    #[test]
    fn sse_examples_need_done() {
        assert!(crate::sse::example_events(&Value::String("data: {}\n\n".into()), true).is_err());
        assert!(crate::sse::example_events(&Value::String("data: {}\n\ndata: [DONE]\n".into()), true).is_err());
        let events = crate::sse::example_events(&Value::String("data: {}\n\ndata: [DONE]\n\n".into()), true).unwrap();
        assert_eq!(events, vec![serde_json::json!({"data": {}})]);
    }

    #[test]
    fn overlapping_one_of_members_are_reported() {
        let spec = Spec::from_value(serde_json::json!({
            "openapi": "3.0.3",
            "paths": {},
            "components": {"schemas": {
                "Strings": {"oneOf": [{"type": "string"}, {"type": "string", "format": "binary"}]},
                "Numbers": {"oneOf": [{"type": "integer"}, {"type": "number"}]},
                "Fine": {"oneOf": [{"type": "string"}, {"type": "integer"}, {"type": "object"}, {"type": "object"}]},
                "Open": {"anyOf": [{"title": "Known", "type": "string", "enum": ["a"]}, {"title": "Other", "type": "string"}]},
                "Nested": {"oneOf": [{"allOf": [{"$ref": "#/components/schemas/Open"}]}, {"type": "string"}]}
            }}
        }));
        let issues: Vec<String> = lint(&spec).iter().map(ToString::to_string).collect();
        let about = |name: &str| issues.iter().filter(|i| i.contains(&format!("/{name}"))).count();
        assert_eq!((about("Strings"), about("Numbers"), about("Fine")), (1, 1, 0), "{issues:#?}");
        // Through a reference to an open enum (its `Other` member is any string).
        assert_eq!((about("Open"), about("Nested")), (0, 1), "{issues:#?}");
    }

    #[test]
    fn named_sse_events_keep_their_name() {
        let text = Value::String("event: a.b\ndata: {\"x\":1}\n\n".into());
        assert_eq!(
            crate::sse::example_events(&text, false).unwrap(),
            vec![serde_json::json!({"event": "a.b", "data": {"x": 1}})]
        );
        assert!(crate::sse::example_events(&text, true).is_err());
        let mismatch = Value::String("event: a.b\ndata: {\"type\":\"a.c\"}\n\n".into());
        let why = crate::sse::example_events(&mismatch, false).unwrap_err();
        assert_eq!(why, r#"event "a.b" carries data of type "a.c""#);
    }
}
