//! The operation table: one constant per operation of `openapi.yaml`, for the hand-written
//! crates to take ids, paths and traits of operations from.

use std::fmt::Write;

use serde_json::Value;

use crate::{Error, Result};

const METHODS: &[&str] = &["get", "put", "post", "delete", "patch"];

/// RFC 9110 idempotent methods: safe to send again after a failure.
const IDEMPOTENT: &[&str] = &["get", "put", "delete"];

/// One row of the table, read from the spec.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Row {
    /// `operationId`.
    pub id: String,
    /// Lower-case method.
    pub method: String,
    /// Path template.
    pub path: String,
    /// The first tag.
    pub group: String,
    /// Whether the 200 response may be `text/event-stream`.
    pub streaming: bool,
    /// `none`, `json` or `multipart`.
    pub body: &'static str,
    /// Idempotent method, or `x-idempotent: true`.
    pub retry_safe: bool,
    /// `deprecated: true`.
    pub deprecated: bool,
    /// `x-beta: true`.
    pub beta: bool,
    /// `summary`.
    pub summary: String,
}

/// Every operation of the spec, in document order.
pub fn rows(spec: &Value) -> Result<Vec<Row>> {
    let paths = spec.get("paths").and_then(Value::as_object).ok_or_else(|| Error::Spec("no paths".into()))?;
    let mut rows = Vec::new();
    for (path, item) in paths {
        for method in METHODS {
            let Some(op) = item.get(*method) else {
                continue;
            };
            let id = op
                .get("operationId")
                .and_then(Value::as_str)
                .ok_or_else(|| Error::Spec(format!("{method} {path} has no operationId")))?;
            let group = op
                .pointer("/tags/0")
                .and_then(Value::as_str)
                .ok_or_else(|| Error::Spec(format!("{id} has no tag (its group)")))?;
            let content = op.pointer("/requestBody/content");
            let body = match content {
                None => "none",
                Some(c) if c.get("multipart/form-data").is_some() => "multipart",
                Some(_) => "json",
            };
            let flag = |key: &str| op.get(key).and_then(Value::as_bool).unwrap_or(false);
            rows.push(Row {
                id: id.to_string(),
                method: method.to_string(),
                path: path.clone(),
                group: group.to_string(),
                streaming: op.pointer("/responses/200/content/text~1event-stream").is_some(),
                body,
                retry_safe: IDEMPOTENT.contains(method) || flag("x-idempotent"),
                deprecated: flag("deprecated"),
                beta: flag("x-beta"),
                summary: op.get("summary").and_then(Value::as_str).unwrap_or("").to_string(),
            });
        }
    }
    Ok(rows)
}

/// `SCREAMING_SNAKE_CASE` of an operationId (`createChatCompletion` -> `CREATE_CHAT_COMPLETION`,
/// `delete_model_v1_models__model_id__delete` -> `DELETE_MODEL_V1_MODELS_MODEL_ID_DELETE`).
pub fn const_name(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    let mut out = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if c == '_' || c == '-' {
            if !out.is_empty() && !out.ends_with('_') {
                out.push('_');
            }
            continue;
        }
        let prev = i.checked_sub(1).map(|j| chars[j]);
        let next = chars.get(i + 1);
        let boundary = c.is_ascii_uppercase()
            && (prev.is_some_and(|p| p.is_ascii_lowercase() || p.is_ascii_digit())
                || (prev.is_some_and(|p| p.is_ascii_uppercase()) && next.is_some_and(|n| n.is_ascii_lowercase())));
        if boundary && !out.ends_with('_') {
            out.push('_');
        }
        out.push(c.to_ascii_uppercase());
    }
    out.trim_end_matches('_').to_string()
}

fn camel(group: &str) -> String {
    group
        .split(['_', '-'])
        .map(|w| {
            let mut c = w.chars();
            c.next().map(|f| f.to_ascii_uppercase().to_string() + c.as_str()).unwrap_or_default()
        })
        .collect()
}

/// The table as Rust source: a `Group` enum of the spec's tags, one `Operation` constant per
/// operation and `ALL`. The types it uses (`Operation`, `Method`, `Body`, `Retry`) are
/// `mistral_openapi::operations`'.
pub fn render(spec: &Value) -> Result<String> {
    let rows = rows(spec)?;
    let mut groups: Vec<String> = Vec::new();
    for tag in spec.get("tags").and_then(Value::as_array).into_iter().flatten() {
        if let Some(name) = tag.get("name").and_then(Value::as_str) {
            groups.push(name.to_string());
        }
    }
    for row in &rows {
        if !groups.contains(&row.group) {
            return Err(Error::Spec(format!("{}: tag {} is not declared in `tags`", row.id, row.group)));
        }
    }
    let mut out = String::new();
    out.push_str("/// The API groups (the spec's tags): one module per group in every crate.\n");
    out.push_str(
        "#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]\n\
         #[serde(rename_all = \"snake_case\")]\npub enum Group {\n",
    );
    for g in &groups {
        let _ = writeln!(out, "    /// `{g}`.\n    {},", camel(g));
    }
    out.push_str(
        "}\n\nimpl Group {\n    /// Every group, in the spec's order.\n    pub const ALL: &'static [Group] = &[",
    );
    for g in &groups {
        let _ = write!(out, "Group::{}, ", camel(g));
    }
    out.push_str("];\n\n    /// The tag, e.g. `fine_tuning`.\n    pub const fn as_str(self) -> &'static str {\n        match self {\n");
    for g in &groups {
        let _ = writeln!(out, "            Group::{} => {g:?},", camel(g));
    }
    out.push_str("        }\n    }\n}\n\n");
    for r in &rows {
        let method = camel(&r.method);
        let body = camel(r.body);
        let retry = if r.retry_safe { "Safe" } else { "Unsafe" };
        let _ = writeln!(
            out,
            "/// `{}`: `{} {}`{}\npub const {}: Operation = Operation {{ id: {:?}, method: Method::{method}, path: {:?}, \
             group: Group::{}, streaming: {}, body: Body::{body}, retry: Retry::{retry}, deprecated: {}, beta: {} }};\n",
            r.id,
            r.method.to_uppercase(),
            r.path,
            if r.summary.is_empty() { String::new() } else { format!(": {}", r.summary.trim_end_matches('.')) },
            const_name(&r.id),
            r.id,
            r.path,
            camel(&r.group),
            r.streaming,
            r.deprecated,
            r.beta,
        );
    }
    out.push_str("/// Every operation, in the spec's order.\npub const ALL: &[Operation] = &[\n");
    for r in &rows {
        let _ = writeln!(out, "    {},", const_name(&r.id));
    }
    out.push_str("];\n");
    let file = syn::parse_file(&out)?;
    Ok(prettyplease::unparse(&file))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn const_names() {
        assert_eq!(const_name("createChatCompletion"), "CREATE_CHAT_COMPLETION");
        assert_eq!(const_name("createFIMCompletion"), "CREATE_FIM_COMPLETION");
        assert_eq!(const_name("delete_model_v1_models__model_id__delete"), "DELETE_MODEL_V1_MODELS_MODEL_ID_DELETE");
        assert_eq!(const_name("libraries_documents_get_v1"), "LIBRARIES_DOCUMENTS_GET_V1");
    }
}
