//! Structured comparison of two OpenAPI documents (3.0 or 3.1), given as plain JSON values.
//!
//! [`diff`] walks both documents and reports every change it understands as a [`Change`]:
//! a stable snake_case [`ChangeKind`], a `location`, a human `detail` and whether the change
//! is `breaking` for clients of the old document. Changes are grouped in a [`Report`]:
//! operations (keyed `METHOD /path`) added, removed and changed, then `components/schemas`
//! added, removed and changed.
//!
//! ```
//! use serde_json::json;
//! let old = json!({"openapi": "3.0.3", "paths": {}, "components": {"schemas": {
//!     "Job": {"type": "object", "properties": {"status": {"type": "string", "enum": ["QUEUED", "RUNNING"]}}}}}});
//! let new = json!({"openapi": "3.1.0", "paths": {}, "components": {"schemas": {
//!     "Job": {"type": "object", "properties": {"status": {"type": "string", "enum": ["QUEUED"]}}}}}});
//! let report = mistral_spec::diff::diff(&old, &new);
//! assert!(report.has_breaking());
//! let change = report.changes().next().unwrap();
//! assert_eq!(change.kind.as_str(), "enum_value_removed");
//! assert_eq!(change.location, "schemas.Job.status");
//! assert!(report.render_text().starts_with("1 change, 1 breaking"));
//! ```
//!
//! # What is compared
//!
//! * **Operations** (every method of every path, path-level parameters merged in): the
//!   `operationId`; parameters, keyed by `in` and `name` (after resolving `$ref`s), their
//!   `required` flag and schema; the request body, its `required` flag, media types and
//!   schemas; response status codes, their media types and schemas.
//!   Operations are matched by method and exact path template, so renaming a path
//!   parameter (`/files/{id}` to `/files/{file_id}`) shows as a removal and an addition.
//! * **Schemas** (`components/schemas`), and inline schemas of operations: the resolved kind
//!   of each node (a `$ref`'s target name, `type` with `format`, `oneOf`/`anyOf`/`allOf`),
//!   nullability, enum values, properties and `required`, array items (path suffix `[]`)
//!   and union variants (path suffix `.oneOf[i]`, or `.oneOf[Title]` when every variant has
//!   a distinct `title`). Inline objects are compared recursively with dotted paths such as
//!   `schemas.ChatCompletionRequest.messages[].content`; a `$ref` is compared by target
//!   name only, since the target is compared once under its own name, so recursive schemas
//!   terminate.
//! * Nullability is read the same way in both versions: 3.0 `nullable: true`, 3.1
//!   `type: [x, "null"]`, a `{type: "null"}` variant of a `oneOf`/`anyOf`, or `null` among
//!   the enum values. A single-variant `allOf`/`oneOf`/`anyOf` wrapper (the 3.0 idiom for a
//!   nullable `$ref`) is looked through.
//!
//! # Usage of a schema
//!
//! Whether a named schema is sent (request: parameters and request bodies), received
//! (response bodies and headers) or both is found by walking every operation and following
//! `$ref`s transitively, in both documents; the union is used. A schema no operation reaches
//! is treated as both (it is still a public type of a generated client). Inline schemas of an
//! operation take the side they are on.
//!
//! # Breaking rules
//!
//! A change is breaking when a client written against the old document may fail against the
//! new one (to compile, to send a request the server accepts, or to decode a response):
//!
//! | kind | breaking when |
//! |------|---------------|
//! | `operation_removed`, `parameter_removed`, `schema_removed`, `property_removed`, `request_media_type_removed`, `request_body_removed`, `enum_value_removed`, `variant_removed`, `type_changed`, `parameter_type_changed` | always |
//! | `operation_id_changed` | an existing `operationId` was renamed or dropped (generated method names change) |
//! | `parameter_added`, `request_body_added` | it is required |
//! | `parameter_required_changed`, `request_body_required_changed` | it became required |
//! | `property_added` | it is required and the schema is used in requests |
//! | `required_added` | the schema is used in requests |
//! | `required_removed` | the schema is used in responses (a value clients relied on may be missing) |
//! | `enum_value_added`, `variant_added` | the schema is used in responses (a closed client enum or union could fail to decode) |
//! | `nullable_changed` | it became non-nullable in a request schema, or nullable in a response schema |
//! | `response_status_removed`, `response_media_type_removed` | the status is a success (`2xx`/`2XX`) |
//! | `operation_added`, `schema_added`, `request_media_type_added`, `response_status_added`, `response_media_type_added` | never |

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde::Serialize;
use serde_json::Value;

use crate::{METHODS, json_type, unescape};

/// How deep inline schemas are compared; deeper nodes are not looked at.
const MAX_DEPTH: usize = 64;

/// How many `$ref`s are followed in a row before giving up (a reference loop).
const MAX_REFS: usize = 32;

/// What changed, as a stable snake_case name (see the module docs for when each is breaking).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// A new operation.
    OperationAdded,
    /// An operation is gone.
    OperationRemoved,
    /// The `operationId` of an operation changed.
    OperationIdChanged,
    /// A new parameter.
    ParameterAdded,
    /// A parameter is gone.
    ParameterRemoved,
    /// A parameter became required or optional.
    ParameterRequiredChanged,
    /// The type of a parameter's schema changed.
    ParameterTypeChanged,
    /// An operation now takes a request body.
    RequestBodyAdded,
    /// An operation no longer takes a request body.
    RequestBodyRemoved,
    /// The request body became required or optional.
    RequestBodyRequiredChanged,
    /// The request body accepts a new media type.
    RequestMediaTypeAdded,
    /// The request body no longer accepts a media type.
    RequestMediaTypeRemoved,
    /// A new response status code.
    ResponseStatusAdded,
    /// A response status code is gone.
    ResponseStatusRemoved,
    /// A response has a new media type.
    ResponseMediaTypeAdded,
    /// A response no longer has a media type.
    ResponseMediaTypeRemoved,
    /// A new schema in `components/schemas`.
    SchemaAdded,
    /// A schema of `components/schemas` is gone.
    SchemaRemoved,
    /// A new property of an object schema.
    PropertyAdded,
    /// A property of an object schema is gone.
    PropertyRemoved,
    /// A property became required.
    RequiredAdded,
    /// A property is no longer required.
    RequiredRemoved,
    /// An enum allows a new value.
    EnumValueAdded,
    /// An enum no longer allows a value.
    EnumValueRemoved,
    /// The type of a schema node changed (`type`, `format`, `$ref` target or kind of union).
    TypeChanged,
    /// A schema node became nullable or non-nullable.
    NullableChanged,
    /// A union (`oneOf`/`anyOf`/`allOf`) has a new variant.
    VariantAdded,
    /// A variant of a union is gone.
    VariantRemoved,
}

impl ChangeKind {
    /// The stable snake_case name, as serialized.
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::OperationAdded => "operation_added",
            ChangeKind::OperationRemoved => "operation_removed",
            ChangeKind::OperationIdChanged => "operation_id_changed",
            ChangeKind::ParameterAdded => "parameter_added",
            ChangeKind::ParameterRemoved => "parameter_removed",
            ChangeKind::ParameterRequiredChanged => "parameter_required_changed",
            ChangeKind::ParameterTypeChanged => "parameter_type_changed",
            ChangeKind::RequestBodyAdded => "request_body_added",
            ChangeKind::RequestBodyRemoved => "request_body_removed",
            ChangeKind::RequestBodyRequiredChanged => "request_body_required_changed",
            ChangeKind::RequestMediaTypeAdded => "request_media_type_added",
            ChangeKind::RequestMediaTypeRemoved => "request_media_type_removed",
            ChangeKind::ResponseStatusAdded => "response_status_added",
            ChangeKind::ResponseStatusRemoved => "response_status_removed",
            ChangeKind::ResponseMediaTypeAdded => "response_media_type_added",
            ChangeKind::ResponseMediaTypeRemoved => "response_media_type_removed",
            ChangeKind::SchemaAdded => "schema_added",
            ChangeKind::SchemaRemoved => "schema_removed",
            ChangeKind::PropertyAdded => "property_added",
            ChangeKind::PropertyRemoved => "property_removed",
            ChangeKind::RequiredAdded => "required_added",
            ChangeKind::RequiredRemoved => "required_removed",
            ChangeKind::EnumValueAdded => "enum_value_added",
            ChangeKind::EnumValueRemoved => "enum_value_removed",
            ChangeKind::TypeChanged => "type_changed",
            ChangeKind::NullableChanged => "nullable_changed",
            ChangeKind::VariantAdded => "variant_added",
            ChangeKind::VariantRemoved => "variant_removed",
        }
    }
}

impl std::fmt::Display for ChangeKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One change between the two documents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// What changed.
    pub kind: ChangeKind,
    /// Where: `METHOD /path` for an operation, `METHOD /path requestBody.<media type>...`,
    /// `METHOD /path responses.<status>.<media type>...` or `METHOD /path parameters.<in>.<name>`
    /// inside its inline schemas, `schemas.Name.property[].nested` for schemas.
    pub location: String,
    /// What happened, for people.
    pub detail: String,
    /// Whether clients of the old document may break (see the module docs).
    pub breaking: bool,
    /// The `operationId` of the operation concerned (the new one, else the old one), for
    /// changes of the operations section.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub operation_id: Option<String>,
}

/// The changes of one operation or one schema that exists in both documents.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Group {
    /// `METHOD /path` for an operation, the schema's name for a schema.
    pub key: String,
    /// Its changes, in document order.
    pub changes: Vec<Change>,
}

/// Things added, removed and changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Section {
    /// Things only in the new document.
    pub added: Vec<Change>,
    /// Things only in the old document.
    pub removed: Vec<Change>,
    /// Things in both, with their changes.
    pub changed: Vec<Group>,
}

impl Section {
    /// Every change of the section: added, removed, then changed.
    pub fn changes(&self) -> impl Iterator<Item = &Change> {
        self.added.iter().chain(&self.removed).chain(self.changed.iter().flat_map(|g| &g.changes))
    }
}

/// Counts of changes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// All changes.
    pub changes: usize,
    /// Breaking changes.
    pub breaking: usize,
}

/// The differences between two OpenAPI documents.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Report {
    /// How many changes, how many breaking.
    pub summary: Summary,
    /// Operations, keyed `METHOD /path`.
    pub operations: Section,
    /// `components/schemas`, keyed by name.
    pub schemas: Section,
}

impl Report {
    /// Every change: operations, then schemas.
    pub fn changes(&self) -> impl Iterator<Item = &Change> {
        self.operations.changes().chain(self.schemas.changes())
    }

    /// Whether the documents are alike in everything compared.
    pub fn is_empty(&self) -> bool {
        self.summary.changes == 0
    }

    /// Whether any change is breaking.
    pub fn has_breaking(&self) -> bool {
        self.summary.breaking > 0
    }

    /// A readable report: a summary line (`N changes, M breaking`, or `no changes`), then the
    /// changes grouped by section, breaking ones marked `BREAKING`.
    pub fn render_text(&self) -> String {
        if self.is_empty() {
            return "no changes\n".to_string();
        }
        let mut out = String::new();
        let s = self.summary;
        let _ = writeln!(out, "{} change{}, {} breaking", s.changes, if s.changes == 1 { "" } else { "s" }, s.breaking);
        render_section(&mut out, "Operations", &self.operations);
        render_section(&mut out, "Schemas", &self.schemas);
        out
    }

    fn from_sections(operations: Section, schemas: Section) -> Report {
        let mut summary = Summary::default();
        for c in operations.changes().chain(schemas.changes()) {
            summary.changes += 1;
            summary.breaking += usize::from(c.breaking);
        }
        Report { summary, operations, schemas }
    }
}

fn render_section(out: &mut String, title: &str, section: &Section) {
    let lists = [("added", &section.added), ("removed", &section.removed)];
    for (what, changes) in lists {
        if changes.is_empty() {
            continue;
        }
        let _ = writeln!(out, "\n{title} {what} ({}):", changes.len());
        for c in changes {
            let id = c.operation_id.as_deref().map(|id| format!(" ({id})")).unwrap_or_default();
            let _ = writeln!(out, "  {}{}{id}", mark(c), c.location);
        }
    }
    if section.changed.is_empty() {
        return;
    }
    let _ = writeln!(out, "\n{title} changed ({}):", section.changed.len());
    for group in &section.changed {
        let id = group
            .changes
            .first()
            .and_then(|c| c.operation_id.as_deref())
            .map(|id| format!(" ({id})"))
            .unwrap_or_default();
        let _ = writeln!(out, "  {}{id}", group.key);
        for c in &group.changes {
            let _ = writeln!(out, "    {}{}: {} [{}]", mark(c), c.location, c.detail, c.kind);
        }
    }
}

fn mark(change: &Change) -> &'static str {
    if change.breaking { "BREAKING  " } else { "          " }
}

/// Compares `old` with `new` (both OpenAPI 3.0 or 3.1 documents, as parsed JSON or YAML).
///
/// Never fails: parts of a document that are not shaped as OpenAPI expects are skipped.
pub fn diff(old: &Value, new: &Value) -> Report {
    let old_usage = usage(old);
    let new_usage = usage(new);
    let mut differ = Differ { old, new, usage: Usage::BOTH, out: Vec::new() };
    let operations = differ.operations();
    let schemas = differ.schemas(&old_usage, &new_usage);
    Report::from_sections(operations, schemas)
}

// ---------------------------------------------------------------------------------------------
// Usage: which schemas are sent, which received.

/// Where a schema is used.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Usage {
    request: bool,
    response: bool,
}

impl Usage {
    const REQUEST: Usage = Usage { request: true, response: false };
    const RESPONSE: Usage = Usage { request: false, response: true };
    const BOTH: Usage = Usage { request: true, response: true };

    fn union(self, other: Usage) -> Usage {
        Usage { request: self.request || other.request, response: self.response || other.response }
    }
}

const SCHEMA_PREFIX: &str = "#/components/schemas/";

/// The usage of every schema of `components/schemas` some operation reaches.
fn usage(doc: &Value) -> BTreeMap<String, Usage> {
    let mut found = BTreeMap::new();
    for op in operations(doc).values() {
        let mut request = Vec::new();
        for p in op.parameters.values() {
            request.push(p.value);
        }
        if let Some(body) = op.raw.get("requestBody") {
            request.push(body);
        }
        let mut response = Vec::new();
        if let Some(responses) = op.raw.get("responses") {
            response.push(responses);
        }
        mark_reachable(doc, &request, Usage::REQUEST, &mut found);
        mark_reachable(doc, &response, Usage::RESPONSE, &mut found);
    }
    found
}

/// Marks every schema reachable from `roots` (through `$ref`s, transitively) as used `how`.
fn mark_reachable(doc: &Value, roots: &[&Value], how: Usage, found: &mut BTreeMap<String, Usage>) {
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut work: Vec<&Value> = roots.to_vec();
    while let Some(value) = work.pop() {
        let mut refs = Vec::new();
        collect_refs(value, false, &mut refs);
        for r in refs {
            if !seen.insert(r.to_string()) {
                continue;
            }
            if let Some(name) = r.strip_prefix(SCHEMA_PREFIX) {
                let entry = found.entry(unescape(name)).or_default();
                *entry = entry.union(how);
            }
            if let Some(target) = pointer(doc, r) {
                work.push(target);
            }
        }
    }
}

/// Every `$ref` string inside `value`, examples excepted.
fn collect_refs<'a>(value: &'a Value, in_properties: bool, out: &mut Vec<&'a str>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                if key == "$ref" {
                    if let Some(r) = child.as_str() {
                        out.push(r);
                    }
                } else if in_properties || (key != "example" && key != "examples") {
                    collect_refs(child, key == "properties" && !in_properties, out);
                }
            }
        }
        Value::Array(items) => {
            for child in items {
                collect_refs(child, false, out);
            }
        }
        _ => {}
    }
}

// ---------------------------------------------------------------------------------------------
// Reading documents.

/// The value a local `$ref` (`#/...`) points at.
fn pointer<'a>(doc: &'a Value, reference: &str) -> Option<&'a Value> {
    doc.pointer(reference.strip_prefix('#')?)
}

/// Follows `$ref`s until a value without one (or gives the last value reached on a loop or a
/// dangling reference).
fn resolve<'a>(doc: &'a Value, mut value: &'a Value) -> &'a Value {
    for _ in 0..MAX_REFS {
        match value.get("$ref").and_then(Value::as_str).and_then(|r| pointer(doc, r)) {
            Some(target) => value = target,
            None => return value,
        }
    }
    value
}

/// A parameter, after `$ref` resolution.
struct Param<'a> {
    location: String,
    name: String,
    value: &'a Value,
}

impl Param<'_> {
    fn required(&self) -> bool {
        self.value.get("required").and_then(Value::as_bool).unwrap_or(false)
    }

    fn label(&self) -> String {
        format!("{} parameter `{}`", self.location, self.name)
    }
}

/// One operation of a document.
struct Op<'a> {
    key: String,
    id: Option<&'a str>,
    raw: &'a Value,
    /// Path-level parameters overridden by operation-level ones, keyed `(in, name)`.
    parameters: BTreeMap<(String, String), Param<'a>>,
}

/// The operations of a document, keyed `(path, method index)`.
fn operations(doc: &Value) -> BTreeMap<(String, usize), Op<'_>> {
    let mut out = BTreeMap::new();
    let Some(paths) = doc.get("paths").and_then(Value::as_object) else {
        return out;
    };
    for (path, item) in paths {
        let item = resolve(doc, item);
        for (index, method) in METHODS.iter().enumerate() {
            let Some(raw) = item.get(*method).filter(|op| op.is_object()) else {
                continue;
            };
            let mut parameters = BTreeMap::new();
            for list in [item.get("parameters"), raw.get("parameters")] {
                for p in list.and_then(Value::as_array).into_iter().flatten() {
                    let value = resolve(doc, p);
                    let field = |k: &str| value.get(k).and_then(Value::as_str).map(str::to_string);
                    if let (Some(location), Some(name)) = (field("in"), field("name")) {
                        let key = (location.clone(), name.clone());
                        parameters.insert(key, Param { location, name, value });
                    }
                }
            }
            out.insert(
                (path.clone(), index),
                Op {
                    key: format!("{} {path}", method.to_uppercase()),
                    id: raw.get("operationId").and_then(Value::as_str),
                    raw,
                    parameters,
                },
            );
        }
    }
    out
}

/// The entries of a JSON object, sorted by key (empty for anything else), so that reports do
/// not depend on whether `serde_json` keeps insertion order.
fn entries(value: Option<&Value>) -> BTreeMap<&str, &Value> {
    value.and_then(Value::as_object).map(|map| map.iter().map(|(k, v)| (k.as_str(), v)).collect()).unwrap_or_default()
}

fn is_success(status: &str) -> bool {
    status.starts_with('2')
}

// ---------------------------------------------------------------------------------------------
// Schemas, normalized across 3.0 and 3.1.

const UNIONS: [&str; 3] = ["oneOf", "anyOf", "allOf"];

/// Whether a schema only allows `null` (`{type: "null"}`, `{enum: [null]}`, `{const: null}`).
fn is_null_schema(schema: &Value) -> bool {
    let Some(map) = schema.as_object() else {
        return false;
    };
    match map.get("type") {
        Some(Value::String(t)) => t == "null",
        Some(Value::Array(types)) => !types.is_empty() && types.iter().all(|t| t == "null"),
        Some(_) => false,
        None => match (map.get("enum"), map.get("const")) {
            (Some(Value::Array(values)), _) => !values.is_empty() && values.iter().all(Value::is_null),
            (None, Some(Value::Null)) => true,
            _ => false,
        },
    }
}

/// The variants of a union keyword, `null` variants left out.
fn variants<'a>(schema: &'a Value, keyword: &str) -> Vec<&'a Value> {
    schema
        .get(keyword)
        .and_then(Value::as_array)
        .map(|all| all.iter().filter(|v| !is_null_schema(v)).collect())
        .unwrap_or_default()
}

/// Whether a schema holds anything besides a union keyword that makes it more than a wrapper.
fn has_structure(schema: &Value, except: &str) -> bool {
    const STRUCTURE: [&str; 8] =
        ["$ref", "type", "properties", "items", "enum", "const", "additionalProperties", "prefixItems"];
    STRUCTURE.iter().any(|k| schema.get(*k).is_some())
        || UNIONS.iter().any(|k| *k != except && schema.get(*k).is_some())
}

/// A schema node with nullability read off and single-variant wrappers looked through.
struct Node<'a> {
    schema: &'a Value,
    nullable: bool,
}

fn normalize(schema: &Value) -> Node<'_> {
    let mut node = schema;
    let mut nullable = false;
    for _ in 0..MAX_REFS {
        nullable |= node.get("nullable").and_then(Value::as_bool).unwrap_or(false);
        nullable |= match node.get("type") {
            Some(Value::Array(types)) => types.iter().any(|t| t == "null"),
            _ => false,
        };
        nullable |= node.get("enum").and_then(Value::as_array).is_some_and(|values| values.iter().any(Value::is_null));
        let mut unwrapped = None;
        for keyword in UNIONS {
            if let Some(all) = node.get(keyword).and_then(Value::as_array) {
                nullable |= all.iter().any(is_null_schema);
                let rest = variants(node, keyword);
                if rest.len() == 1 && !has_structure(node, keyword) {
                    unwrapped = rest.first().copied();
                }
            }
        }
        match unwrapped {
            Some(inner) => node = inner,
            None => break,
        }
    }
    Node { schema: node, nullable }
}

/// The name a `$ref` points at: the schema name for `#/components/schemas/...`, else the ref.
fn ref_name(reference: &str) -> String {
    match reference.strip_prefix(SCHEMA_PREFIX) {
        Some(name) => unescape(name),
        None => reference.to_string(),
    }
}

/// What kind of thing a normalized node is: `$ref Name`, `oneOf`/`anyOf`/`allOf`, or its
/// types (`null` left out, sorted, `|`-joined) with `(format)`; `any` when nothing says.
fn kind_of(schema: &Value) -> String {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        return format!("$ref {}", ref_name(r));
    }
    let unions: Vec<&str> = UNIONS.into_iter().filter(|k| schema.get(*k).and_then(Value::as_array).is_some()).collect();
    if !unions.is_empty() {
        return unions.join("+");
    }
    let mut types: BTreeSet<String> = match schema.get("type") {
        Some(Value::String(t)) => [t.clone()].into(),
        Some(Value::Array(all)) => all.iter().filter_map(Value::as_str).map(str::to_string).collect(),
        _ => BTreeSet::new(),
    };
    if types.len() > 1 {
        types.remove("null");
    }
    if types.is_empty() {
        let values: Vec<&Value> = match (schema.get("enum").and_then(Value::as_array), schema.get("const")) {
            (Some(values), _) => values.iter().filter(|v| !v.is_null()).collect(),
            (None, Some(value)) => vec![value],
            (None, None) => Vec::new(),
        };
        if schema.get("properties").is_some() || schema.get("additionalProperties").is_some() {
            types.insert("object".into());
        } else if schema.get("items").is_some() || schema.get("prefixItems").is_some() {
            types.insert("array".into());
        } else {
            types.extend(values.into_iter().map(|v| json_type(v).to_string()));
        }
    }
    let mut kind = if types.is_empty() { "any".to_string() } else { types.into_iter().collect::<Vec<_>>().join("|") };
    if let Some(format) = schema.get("format").and_then(Value::as_str) {
        let _ = write!(kind, "({format})");
    }
    kind
}

/// [`kind_of`], with what a `$ref` resolves to in `doc` appended (`$ref Name (object)`).
fn describe(doc: &Value, schema: &Value) -> String {
    let kind = kind_of(schema);
    if schema.get("$ref").is_none() {
        return kind;
    }
    let target = normalize(resolve(doc, schema));
    if target.schema.get("$ref").is_some() {
        return kind;
    }
    format!("{kind} ({})", kind_of(target.schema))
}

/// Enum values (and `const`), `null` left out.
fn enum_values(schema: &Value) -> Vec<&Value> {
    match (schema.get("enum").and_then(Value::as_array), schema.get("const")) {
        (Some(values), _) => values.iter().filter(|v| !v.is_null()).collect(),
        (None, Some(value)) if !value.is_null() => vec![value],
        _ => Vec::new(),
    }
}

fn required_set(schema: &Value) -> BTreeSet<&str> {
    schema
        .get("required")
        .and_then(Value::as_array)
        .map(|all| all.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// The variants of a union with their path labels: titles when every variant has a distinct
/// one, else indices.
fn labelled_variants<'a>(schema: &'a Value, keyword: &str) -> Vec<(String, &'a Value)> {
    let all = variants(schema, keyword);
    let titles: Vec<Option<&str>> = all.iter().map(|v| v.get("title").and_then(Value::as_str)).collect();
    let distinct: BTreeSet<&str> = titles.iter().flatten().copied().collect();
    let by_title = distinct.len() == all.len();
    all.into_iter()
        .zip(titles)
        .enumerate()
        .map(|(i, (v, title))| match title {
            Some(t) if by_title => (t.to_string(), v),
            _ => (i.to_string(), v),
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Comparing.

struct Differ<'a> {
    old: &'a Value,
    new: &'a Value,
    /// The usage of the schema being compared.
    usage: Usage,
    /// Changes found for the thing being compared.
    out: Vec<Change>,
}

impl<'a> Differ<'a> {
    fn push(&mut self, kind: ChangeKind, location: &str, detail: String, breaking: bool) {
        self.out.push(Change { kind, location: location.to_string(), detail, breaking, operation_id: None });
    }

    fn take(&mut self) -> Vec<Change> {
        std::mem::take(&mut self.out)
    }

    // ---- operations ----

    fn operations(&mut self) -> Section {
        let old_ops = operations(self.old);
        let new_ops = operations(self.new);
        let mut section = Section::default();
        let with_id = |mut c: Change, id: Option<&str>| {
            c.operation_id = id.map(str::to_string);
            c
        };
        for (k, op) in &new_ops {
            if !old_ops.contains_key(k) {
                let detail = format!("operation added{}", id_note(op.id));
                let change = new_change(ChangeKind::OperationAdded, &op.key, detail, false);
                section.added.push(with_id(change, op.id));
            }
        }
        for (k, op) in &old_ops {
            let Some(new_op) = new_ops.get(k) else {
                let detail = format!("operation removed{}", id_note(op.id));
                let change = new_change(ChangeKind::OperationRemoved, &op.key, detail, true);
                section.removed.push(with_id(change, op.id));
                continue;
            };
            self.operation(op, new_op);
            let id = new_op.id.or(op.id);
            let changes: Vec<Change> = self.take().into_iter().map(|c| with_id(c, id)).collect();
            if !changes.is_empty() {
                section.changed.push(Group { key: op.key.clone(), changes });
            }
        }
        section
    }

    fn operation(&mut self, old: &Op<'_>, new: &Op<'_>) {
        let key = &old.key;
        if old.id != new.id {
            let show = |id: Option<&str>| id.unwrap_or("(none)").to_string();
            let detail = format!("operationId {} -> {}", show(old.id), show(new.id));
            self.push(ChangeKind::OperationIdChanged, key, detail, old.id.is_some());
        }
        self.parameters(key, &old.parameters, &new.parameters);
        let old_body = old.raw.get("requestBody").map(|b| resolve(self.old, b));
        let new_body = new.raw.get("requestBody").map(|b| resolve(self.new, b));
        self.request_body(key, old_body, new_body);
        self.responses(key, &entries(old.raw.get("responses")), &entries(new.raw.get("responses")));
    }

    fn parameters(
        &mut self,
        key: &str,
        old: &BTreeMap<(String, String), Param<'_>>,
        new: &BTreeMap<(String, String), Param<'_>>,
    ) {
        for (k, p) in old {
            if !new.contains_key(k) {
                let detail = format!("{} removed", p.label());
                self.push(ChangeKind::ParameterRemoved, key, detail, true);
            }
        }
        for (k, p) in new {
            let Some(old_p) = old.get(k) else {
                let required = p.required();
                let detail = format!("{} {} added", if required { "required" } else { "optional" }, p.label());
                self.push(ChangeKind::ParameterAdded, key, detail, required);
                continue;
            };
            if old_p.required() != p.required() {
                let now = if p.required() { "required" } else { "optional" };
                let detail = format!("{} is now {now}", p.label());
                self.push(ChangeKind::ParameterRequiredChanged, key, detail, p.required());
            }
            let (Some(old_schema), Some(new_schema)) = (old_p.value.get("schema"), p.value.get("schema")) else {
                continue;
            };
            let (old_kind, new_kind) = (kind_of(normalize(old_schema).schema), kind_of(normalize(new_schema).schema));
            if old_kind != new_kind {
                let detail = format!(
                    "{}: {} -> {}",
                    p.label(),
                    describe(self.old, normalize(old_schema).schema),
                    describe(self.new, normalize(new_schema).schema)
                );
                self.push(ChangeKind::ParameterTypeChanged, key, detail, true);
                continue;
            }
            self.usage = Usage::REQUEST;
            let location = format!("{key} parameters.{}.{}", p.location, p.name);
            self.schema(old_schema, new_schema, &location, 0);
        }
    }

    fn request_body(&mut self, key: &str, old: Option<&Value>, new: Option<&Value>) {
        let required = |b: &Value| b.get("required").and_then(Value::as_bool).unwrap_or(false);
        let (old, new) = match (old, new) {
            (None, None) => return,
            (None, Some(body)) => {
                let req = required(body);
                let detail = format!("{} request body added", if req { "required" } else { "optional" });
                return self.push(ChangeKind::RequestBodyAdded, key, detail, req);
            }
            (Some(_), None) => {
                let detail = "request body removed".to_string();
                return self.push(ChangeKind::RequestBodyRemoved, key, detail, true);
            }
            (Some(old), Some(new)) => (old, new),
        };
        if required(old) != required(new) {
            let now = if required(new) { "required" } else { "optional" };
            let detail = format!("request body is now {now}");
            self.push(ChangeKind::RequestBodyRequiredChanged, key, detail, required(new));
        }
        let old_content = entries(old.get("content"));
        let new_content = entries(new.get("content"));
        for media in old_content.keys() {
            if !new_content.contains_key(media) {
                let detail = format!("request media type {media} removed");
                self.push(ChangeKind::RequestMediaTypeRemoved, key, detail, true);
            }
        }
        for (media, new_media) in new_content {
            let Some(old_media) = old_content.get(media) else {
                let detail = format!("request media type {media} added");
                self.push(ChangeKind::RequestMediaTypeAdded, key, detail, false);
                continue;
            };
            if let (Some(old_schema), Some(new_schema)) = (old_media.get("schema"), new_media.get("schema")) {
                self.usage = Usage::REQUEST;
                self.schema(old_schema, new_schema, &format!("{key} requestBody.{media}"), 0);
            }
        }
    }

    fn responses(&mut self, key: &str, old: &BTreeMap<&str, &Value>, new: &BTreeMap<&str, &Value>) {
        for status in old.keys() {
            if !new.contains_key(status) {
                let detail = format!("response {status} removed");
                self.push(ChangeKind::ResponseStatusRemoved, key, detail, is_success(status));
            }
        }
        for (status, new_response) in new {
            let Some(old_response) = old.get(status) else {
                let detail = format!("response {status} added");
                self.push(ChangeKind::ResponseStatusAdded, key, detail, false);
                continue;
            };
            let old_content = entries(resolve(self.old, old_response).get("content"));
            let new_content = entries(resolve(self.new, new_response).get("content"));
            for media in old_content.keys() {
                if !new_content.contains_key(media) {
                    let detail = format!("response {status} media type {media} removed");
                    self.push(ChangeKind::ResponseMediaTypeRemoved, key, detail, is_success(status));
                }
            }
            for (media, new_media) in new_content {
                let Some(old_media) = old_content.get(media) else {
                    let detail = format!("response {status} media type {media} added");
                    self.push(ChangeKind::ResponseMediaTypeAdded, key, detail, false);
                    continue;
                };
                if let (Some(old_schema), Some(new_schema)) = (old_media.get("schema"), new_media.get("schema")) {
                    self.usage = Usage::RESPONSE;
                    let location = format!("{key} responses.{status}.{media}");
                    self.schema(old_schema, new_schema, &location, 0);
                }
            }
        }
    }

    // ---- schemas ----

    fn schemas(&mut self, old_usage: &BTreeMap<String, Usage>, new_usage: &BTreeMap<String, Usage>) -> Section {
        let old_schemas = entries(self.old.pointer("/components/schemas"));
        let new_schemas = entries(self.new.pointer("/components/schemas"));
        let mut section = Section::default();
        for name in new_schemas.keys() {
            if !old_schemas.contains_key(name) {
                let location = format!("schemas.{name}");
                let change = new_change(ChangeKind::SchemaAdded, &location, "schema added".into(), false);
                section.added.push(change);
            }
        }
        for (name, old_schema) in old_schemas {
            let location = format!("schemas.{name}");
            let Some(new_schema) = new_schemas.get(name) else {
                let change = new_change(ChangeKind::SchemaRemoved, &location, "schema removed".into(), true);
                section.removed.push(change);
                continue;
            };
            let used = [old_usage.get(name), new_usage.get(name)]
                .into_iter()
                .flatten()
                .fold(Usage::default(), |a, b| a.union(*b));
            self.usage = if used == Usage::default() { Usage::BOTH } else { used };
            self.schema(old_schema, new_schema, &location, 0);
            let changes = self.take();
            if !changes.is_empty() {
                section.changed.push(Group { key: name.to_string(), changes });
            }
        }
        section
    }

    /// Compares two schema nodes at `location`, recursing into inline parts.
    fn schema(&mut self, old: &Value, new: &Value, location: &str, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        let (o, n) = (normalize(old), normalize(new));
        let usage = self.usage;
        if o.nullable != n.nullable {
            let (detail, breaking) = if n.nullable {
                ("became nullable".to_string(), usage.response)
            } else {
                ("is no longer nullable".to_string(), usage.request)
            };
            self.push(ChangeKind::NullableChanged, location, detail, breaking);
        }
        if kind_of(o.schema) != kind_of(n.schema) {
            let detail = format!("{} -> {}", describe(self.old, o.schema), describe(self.new, n.schema));
            return self.push(ChangeKind::TypeChanged, location, detail, true);
        }
        if o.schema.get("$ref").is_some() {
            // The target is compared under its own name.
            return;
        }
        self.enums(o.schema, n.schema, location);
        self.properties(o.schema, n.schema, location, depth);
        if let (Some(old_items), Some(new_items)) = (o.schema.get("items"), n.schema.get("items")) {
            self.schema(old_items, new_items, &format!("{location}[]"), depth + 1);
        }
        for keyword in UNIONS {
            self.union(o.schema, n.schema, keyword, location, depth);
        }
    }

    fn enums(&mut self, old: &Value, new: &Value, location: &str) {
        let old_values = enum_values(old);
        let new_values = enum_values(new);
        for v in &old_values {
            if !new_values.contains(v) {
                self.push(ChangeKind::EnumValueRemoved, location, format!("enum value {v} removed"), true);
            }
        }
        for v in &new_values {
            if !old_values.contains(v) {
                let detail = format!("enum value {v} added");
                self.push(ChangeKind::EnumValueAdded, location, detail, self.usage.response);
            }
        }
    }

    fn properties(&mut self, old: &Value, new: &Value, location: &str, depth: usize) {
        let old_props = entries(old.get("properties"));
        let new_props = entries(new.get("properties"));
        let (old_req, new_req) = (required_set(old), required_set(new));
        let usage = self.usage;
        for name in old_props.keys() {
            if !new_props.contains_key(name) {
                let detail = "property removed".to_string();
                self.push(ChangeKind::PropertyRemoved, &format!("{location}.{name}"), detail, true);
            }
        }
        for (name, new_prop) in &new_props {
            let at = format!("{location}.{name}");
            let Some(old_prop) = old_props.get(name) else {
                let required = new_req.contains(name);
                let detail = format!("{} property added", if required { "required" } else { "optional" });
                self.push(ChangeKind::PropertyAdded, &at, detail, required && usage.request);
                continue;
            };
            self.schema(old_prop, new_prop, &at, depth + 1);
        }
        // Required names of properties added or removed were reported with them.
        let added_or_removed = |name: &str| old_props.contains_key(name) != new_props.contains_key(name);
        for name in new_req.difference(&old_req) {
            if !added_or_removed(name) {
                let detail = "became required".to_string();
                self.push(ChangeKind::RequiredAdded, &format!("{location}.{name}"), detail, usage.request);
            }
        }
        for name in old_req.difference(&new_req) {
            if !added_or_removed(name) {
                let detail = "is no longer required".to_string();
                self.push(ChangeKind::RequiredRemoved, &format!("{location}.{name}"), detail, usage.response);
            }
        }
    }

    fn union(&mut self, old: &Value, new: &Value, keyword: &str, location: &str, depth: usize) {
        let old_variants = labelled_variants(old, keyword);
        let new_variants = labelled_variants(new, keyword);
        if old_variants.is_empty() && new_variants.is_empty() {
            return;
        }
        for (label, v) in &old_variants {
            if find_variant(&new_variants, label).is_none() {
                let detail = format!("{keyword} variant {label} ({}) removed", describe(self.old, v));
                let at = format!("{location}.{keyword}[{label}]");
                self.push(ChangeKind::VariantRemoved, &at, detail, true);
            }
        }
        for (label, new_v) in &new_variants {
            let at = format!("{location}.{keyword}[{label}]");
            match find_variant(&old_variants, label) {
                Some(old_v) => self.schema(old_v, new_v, &at, depth + 1),
                None => {
                    let detail = format!("{keyword} variant {label} ({}) added", describe(self.new, new_v));
                    self.push(ChangeKind::VariantAdded, &at, detail, self.usage.response);
                }
            }
        }
    }
}

/// The variant labelled `label`.
fn find_variant<'a>(all: &[(String, &'a Value)], label: &str) -> Option<&'a Value> {
    all.iter().find(|(l, _)| l == label).map(|(_, v)| *v)
}

fn new_change(kind: ChangeKind, location: &str, detail: String, breaking: bool) -> Change {
    Change { kind, location: location.to_string(), detail, breaking, operation_id: None }
}

fn id_note(id: Option<&str>) -> String {
    id.map(|id| format!(" (operationId {id})")).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn nullable_forms_agree() {
        let forms = [
            json!({"type": "string", "nullable": true}),
            json!({"type": ["string", "null"]}),
            json!({"oneOf": [{"type": "string"}, {"type": "null"}]}),
            json!({"anyOf": [{"type": "null"}, {"type": "string"}]}),
        ];
        for form in &forms {
            let node = normalize(form);
            assert!(node.nullable, "{form}");
            assert_eq!(kind_of(node.schema), "string", "{form}");
        }
        let wrapped = json!({"allOf": [{"$ref": "#/components/schemas/Usage"}], "nullable": true});
        let node = normalize(&wrapped);
        assert!(node.nullable);
        assert_eq!(kind_of(node.schema), "$ref Usage");
        assert!(!normalize(&json!({"type": "string"})).nullable);
    }

    #[test]
    fn kinds() {
        assert_eq!(kind_of(&json!({"type": "string", "format": "uuid"})), "string(uuid)");
        assert_eq!(kind_of(&json!({"type": ["integer", "string"]})), "integer|string");
        assert_eq!(kind_of(&json!({"properties": {}})), "object");
        assert_eq!(kind_of(&json!({"enum": ["a", "b"]})), "string");
        assert_eq!(kind_of(&json!({"oneOf": [{"type": "string"}, {"type": "integer"}]})), "oneOf");
        assert_eq!(kind_of(&json!({})), "any");
        assert_eq!(kind_of(&json!({"$ref": "#/components/schemas/a~1b"})), "$ref a/b");
    }

    #[test]
    fn reference_loops_end() {
        let doc = json!({
            "paths": {"/a": {"get": {"responses": {"200": {"content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/A"}}}}}}}},
            "components": {"schemas": {
                "A": {"$ref": "#/components/schemas/B"},
                "B": {"$ref": "#/components/schemas/A"},
            }},
        });
        let used = usage(&doc);
        assert_eq!(used.get("A"), Some(&Usage::RESPONSE));
        assert_eq!(used.get("B"), Some(&Usage::RESPONSE));
        let a = json!({"$ref": "#/components/schemas/A"});
        assert_eq!(describe(&doc, &a), "$ref A");
        assert!(diff(&doc, &doc).is_empty());
    }
}
