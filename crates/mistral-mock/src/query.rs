//! Query parameters, decoded and checked the way the live server checks them (422 details at
//! `["query", name]`).

use std::collections::HashMap;

use serde_json::Value;

use crate::api_error::{Detail, loc};

/// What the official Python client (3.x) sends for an optional JSON query parameter left
/// unset (`metadata` of the agent and conversation lists): its sentinel, serialized.
const UNSET_SENTINEL: &str = "~?~unset~?~sentinel~?~";

/// Query parameters, decoded; the last value of a repeated name wins. A parameter whose value
/// is the official client's unset sentinel is absent, as the client means it.
pub(crate) fn query_map(raw: Option<&str>) -> HashMap<String, String> {
    form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .into_owned()
        .filter(|(_, value)| value.trim_matches('"') != UNSET_SENTINEL)
        .collect()
}

/// A 422 detail about the query parameter `name`.
pub(crate) fn query_error(kind: &str, name: &str, msg: &str, input: &str) -> Detail {
    Detail::new(kind, loc("query", &[Value::from(name)]), msg).with_input(Value::from(input))
}

/// A boolean parameter, as pydantic reads one (`true`, `1`, `yes`...).
pub(crate) fn query_bool(q: &HashMap<String, String>, name: &str, details: &mut Vec<Detail>) -> Option<bool> {
    let raw = q.get(name)?;
    match raw.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" | "t" | "y" => Some(true),
        "false" | "0" | "no" | "off" | "f" | "n" => Some(false),
        _ => {
            details.push(query_error(
                "bool_parsing",
                name,
                "Input should be a valid boolean, unable to interpret input",
                raw,
            ));
            None
        }
    }
}

/// An integer parameter of at least `min`.
pub(crate) fn query_int(q: &HashMap<String, String>, name: &str, min: i64, details: &mut Vec<Detail>) -> Option<i64> {
    let raw = q.get(name)?;
    match raw.trim().parse::<i64>() {
        Ok(n) if n >= min => Some(n),
        Ok(_) => {
            details.push(query_error(
                "greater_than_equal",
                name,
                &format!("Input should be greater than or equal to {min}"),
                raw,
            ));
            None
        }
        Err(_) => {
            details.push(query_error(
                "int_parsing",
                name,
                "Input should be a valid integer, unable to parse string as an integer",
                raw,
            ));
            None
        }
    }
}

/// A date-time parameter (RFC 3339, or Unix seconds), as Unix seconds.
pub(crate) fn query_time(q: &HashMap<String, String>, name: &str, details: &mut Vec<Detail>) -> Option<i64> {
    let raw = q.get(name).filter(|r| !r.is_empty() && r.as_str() != "null")?;
    if let Ok(t) = chrono::DateTime::parse_from_rfc3339(raw) {
        return Some(t.timestamp());
    }
    if let Ok(secs) = raw.parse::<i64>() {
        return Some(secs);
    }
    details.push(query_error("datetime_parsing", name, "Input should be a valid datetime", raw));
    None
}

/// Every value given for `name`: repeated (`a=x&a=y`) or comma-separated (`a=x,y`), blanks
/// dropped.
pub(crate) fn query_list(raw: Option<&str>, name: &str) -> Vec<String> {
    form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .filter(|(k, _)| k == name)
        .flat_map(|(_, v)| v.split(',').map(|s| s.trim().to_string()).collect::<Vec<_>>())
        .filter(|v| !v.is_empty())
        .collect()
}

/// [`query_int`] with an upper bound too.
pub(crate) fn query_int_in(
    q: &HashMap<String, String>,
    name: &str,
    (min, max): (i64, i64),
    details: &mut Vec<Detail>,
) -> Option<i64> {
    let n = query_int(q, name, min, details)?;
    if n > max {
        let input = q.get(name).map(String::as_str).unwrap_or_default();
        details.push(query_error(
            "less_than_equal",
            name,
            &format!("Input should be less than or equal to {max}"),
            input,
        ));
        return None;
    }
    Some(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_official_clients_unset_sentinel_is_no_parameter() {
        let q = query_map(Some("page=1&metadata=%22~%3F~unset~%3F~sentinel~%3F~%22&name=a"));
        assert_eq!(q.len(), 2);
        assert_eq!(q.get("page").map(String::as_str), Some("1"));
        assert!(!q.contains_key("metadata"));
        assert_eq!(query_map(Some("metadata=%7B%7D")).get("metadata").map(String::as_str), Some("{}"));
    }
}
