//! Values generated from a JSON Schema and a prompt: tool-call arguments and JSON-mode objects.
//!
//! Supported: `type` (or a list of types), `properties`/`required`, `items`, `minItems`,
//! `maxItems`, `enum`, `const`, `default`, `minimum`/`maximum` (and their exclusive forms),
//! `multipleOf`, `minLength`/`maxLength`, `format` (date, date-time, email, uri, uuid),
//! `anyOf`/`oneOf` (first non-null branch), `allOf` (merged) and local `$ref`s (`#/$defs/..`,
//! `#/definitions/..`). `pattern` is not honoured.
//! Values come from the prompt: `key=value` written in it fills `key` (`lane=canary`,
//! `checks.compile=true`), a `city` gets a capitalised name found in it (`Paris`), a `query`
//! its keywords, and so on.

use mistral_openapi::types::{Function, Tool};
use serde_json::{Map, Value, json};

use crate::text::{self, Rng, hash64};

/// Strings are never made longer than this, whatever `minLength` says.
const MAX_STRING: u64 = 10_000;

/// What the prompt offers to fill values with.
#[derive(Debug, Clone)]
pub(crate) struct Context {
    text: String,
    names: Vec<String>,
    keywords: Vec<String>,
    numbers: Vec<i64>,
    /// `key=value` pairs written in the prompt (the key's last dotted segment, lower-cased).
    assignments: Vec<(String, String)>,
    /// Objects get every property (structured outputs), not only the required and mentioned
    /// ones (tool arguments).
    every_property: bool,
    seed: u64,
}

impl Context {
    /// Reads `text` (usually the last user message).
    pub(crate) fn new(text: &str, seed: u64) -> Context {
        Context {
            text: text.to_string(),
            names: text::proper_nouns(text),
            keywords: text::keywords(text),
            numbers: text::numbers(text),
            assignments: assignments(text),
            every_property: false,
            seed,
        }
    }

    /// The same, filling every property of objects.
    pub(crate) fn with_every_property(mut self) -> Context {
        self.every_property = true;
        self
    }

    /// The value the prompt assigns to `key` (`key=value`), if any.
    fn assigned(&self, key: &str) -> Option<&str> {
        let key = key.to_lowercase();
        self.assignments.iter().find(|(k, _)| !key.is_empty() && *k == key).map(|(_, v)| v.as_str())
    }

    fn mentions(&self, word: &str) -> bool {
        let lower = self.text.to_lowercase();
        word.split(['_', '-', ' ']).filter(|w| w.len() >= 3).any(|w| lower.contains(&w.to_lowercase()))
    }
}

/// `key=value` pairs in `text`: the key's last dotted segment (lower-cased) and the value
/// (quoted, or up to the next space, comma or semicolon; a final `.` dropped).
fn assignments(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(eq) = rest.find('=') {
        let before = &rest[..eq];
        let key: String = before
            .chars()
            .rev()
            .take_while(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '-'))
            .collect::<Vec<_>>()
            .into_iter()
            .rev()
            .collect();
        let after = &rest[eq + 1..];
        let (value, used) = match after.strip_prefix('"') {
            Some(quoted) => match quoted.find('"') {
                Some(end) => (quoted[..end].to_string(), end + 2),
                None => (quoted.to_string(), after.len()),
            },
            None => {
                let end =
                    after.find(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | ')')).unwrap_or(after.len());
                (after[..end].trim_end_matches('.').to_string(), end)
            }
        };
        let last = key.rsplit('.').next().unwrap_or_default().to_lowercase();
        if !last.is_empty() && !value.is_empty() {
            out.push((last, value));
        }
        rest = &after[used.min(after.len())..];
    }
    out
}

/// The function whose name and description share most words with the prompt (the first on
/// ties). Built-in tools (web search, code interpreter...) are not called by the mock.
pub(crate) fn choose_tool<'a>(tools: &'a [Tool], ctx: &Context) -> Option<&'a Function> {
    let score = |tool: &Function| {
        let mut words: Vec<String> = tool.name.split(['_', '-']).map(str::to_lowercase).collect();
        words.extend(text::keywords(tool.description.as_deref().unwrap_or_default()).iter().map(|w| w.to_lowercase()));
        let prompt: Vec<String> = ctx.keywords.iter().map(|w| w.to_lowercase()).collect();
        words
            .iter()
            .filter(|w| prompt.iter().any(|p| p == *w || p.trim_end_matches('s') == w.trim_end_matches('s')))
            .count()
    };
    let mut best: Option<(&Function, usize)> = None;
    for tool in tools.iter().filter_map(|t| match t {
        Tool::Function(f) => Some(&f.function),
        _ => None,
    }) {
        let s = score(tool);
        if best.is_none_or(|(_, b)| s > b) {
            best = Some((tool, s));
        }
    }
    best.map(|(t, _)| t)
}

/// A value valid against `schema`, filled from the prompt.
pub(crate) fn generate(schema: &Value, ctx: &Context) -> Value {
    let mut rng = Rng::new(ctx.seed);
    gen_value(schema, schema, ctx, "", 0, &mut rng)
}

/// A JSON object for JSON mode: the keys the prompt shows (`{"name": ..., "region": ...}`),
/// else `answer` and `topic`.
pub(crate) fn json_object(ctx: &Context) -> Value {
    let mut keys = quoted_keys(&ctx.text);
    if keys.is_empty() {
        keys = vec!["answer".to_string(), "topic".to_string()];
    }
    let mut rng = Rng::new(ctx.seed);
    let mut map = Map::new();
    for key in keys {
        let value = gen_value(&guess_schema(&key), &Value::Null, ctx, &key, 0, &mut rng);
        map.insert(key, value);
    }
    Value::Object(map)
}

/// `"key":` patterns in the prompt.
fn quoted_keys(text: &str) -> Vec<String> {
    let mut keys: Vec<String> = Vec::new();
    let parts: Vec<&str> = text.split('"').collect();
    for (i, part) in parts.iter().enumerate() {
        let after = parts.get(i + 1).map(|s| s.trim_start());
        let is_key = i % 2 == 1 && after.is_some_and(|a| a.starts_with(':')) && !part.is_empty() && part.len() <= 40;
        if is_key && !keys.iter().any(|k| k == part) {
            keys.push((*part).to_string());
        }
    }
    keys
}

/// A schema guessed from a key's name.
fn guess_schema(key: &str) -> Value {
    let k = key.to_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| k.contains(w));
    if k.starts_with("is_") || k.starts_with("has_") {
        json!({"type": "boolean"})
    } else if has(&["count", "age", "year", "number", "quantity", "rank"]) {
        json!({"type": "integer", "minimum": 1})
    } else if has(&["price", "score", "rating", "amount", "temperature", "percent", "confidence"]) {
        json!({"type": "number", "minimum": 0})
    } else if has(&["tags", "items", "list", "ingredients", "steps", "examples", "keywords"]) {
        json!({"type": "array", "items": {"type": "string"}, "minItems": 2})
    } else {
        json!({"type": "string"})
    }
}

/// Follows a local `$ref` (`#/...`) inside `root`.
fn resolve<'a>(schema: &'a Value, root: &'a Value) -> &'a Value {
    let mut current = schema;
    for _ in 0..16 {
        match current.get("$ref").and_then(Value::as_str) {
            Some(r) => match r.strip_prefix('#').and_then(|p| root.pointer(p)) {
                Some(target) => current = target,
                None => return current,
            },
            None => return current,
        }
    }
    current
}

/// `allOf` branches merged: properties and required lists united, other keywords from the first.
fn merge_all_of(schema: &Value, root: &Value) -> Value {
    let mut merged = schema.clone();
    let Some(obj) = merged.as_object_mut() else { return merged };
    let branches = obj.remove("allOf").and_then(|v| v.as_array().cloned()).unwrap_or_default();
    for branch in branches {
        let branch = resolve(&branch, root).clone();
        let Value::Object(b) = branch else { continue };
        for (key, value) in b {
            match (key.as_str(), obj.get_mut(&key)) {
                ("properties", Some(Value::Object(props))) => {
                    if let Value::Object(more) = value {
                        props.extend(more);
                    }
                }
                ("required", Some(Value::Array(req))) => {
                    if let Value::Array(more) = value {
                        req.extend(more);
                    }
                }
                (_, None) => {
                    obj.insert(key, value);
                }
                _ => {}
            }
        }
    }
    merged
}

fn type_of(schema: &Value) -> &str {
    match schema.get("type") {
        Some(Value::String(t)) => t,
        Some(Value::Array(types)) => types.iter().filter_map(Value::as_str).find(|t| *t != "null").unwrap_or("null"),
        _ if schema.get("properties").is_some() => "object",
        _ if schema.get("items").is_some() => "array",
        _ => "string",
    }
}

fn gen_value(schema: &Value, root: &Value, ctx: &Context, hint: &str, depth: usize, rng: &mut Rng) -> Value {
    if depth > 8 {
        return Value::Null;
    }
    let schema = resolve(schema, root);
    if let Some(c) = schema.get("const") {
        return c.clone();
    }
    let assigned = ctx.assigned(hint);
    if let Some(Value::Array(options)) = schema.get("enum") {
        // A written value picks its option (`risk=low`, `level=3`).
        let given = options
            .iter()
            .find(|o| assigned.is_some_and(|a| o.as_str().map_or_else(|| o.to_string(), str::to_string) == a));
        let mentioned = options.iter().find(|o| o.as_str().is_some_and(|s| ctx.mentions(s)));
        return given.or(mentioned).or(options.first()).cloned().unwrap_or(Value::Null);
    }
    if schema.get("allOf").is_some() {
        return gen_value(&merge_all_of(schema, root), root, ctx, hint, depth + 1, rng);
    }
    for keyword in ["anyOf", "oneOf"] {
        if let Some(Value::Array(branches)) = schema.get(keyword) {
            let branch = branches.iter().find(|b| type_of(resolve(b, root)) != "null").or(branches.first());
            return branch.map_or(Value::Null, |b| gen_value(b, root, ctx, hint, depth + 1, rng));
        }
    }
    if let Some(d) = schema.get("default").filter(|d| !d.is_null() && depth > 0 && !ctx.mentions(hint)) {
        return d.clone();
    }
    let kind = type_of(schema);
    if let Some(value) = assigned.and_then(|a| from_assignment(a, kind, schema)) {
        return value;
    }
    match kind {
        "object" => gen_object(schema, root, ctx, depth, rng),
        "array" => {
            let min = schema.get("minItems").and_then(Value::as_u64).unwrap_or(0).min(MAX_ITEMS);
            let max = schema.get("maxItems").and_then(Value::as_u64).unwrap_or(u64::MAX);
            // One item unless the schema asks for more (or allows none).
            let n = 1.max(min).min(max).max(min);
            let items = schema.get("items").cloned().unwrap_or(json!({"type": "string"}));
            let singular = hint.trim_end_matches('s');
            let unique = schema.get("uniqueItems") == Some(&Value::Bool(true));
            let mut out: Vec<Value> = Vec::new();
            for i in 0..n {
                let mut v = gen_value(&items, root, ctx, singular, depth + 1, rng);
                if let (true, Value::String(s)) = (unique && out.contains(&v), &mut v) {
                    s.push_str(&format!(" {}", i + 1));
                }
                out.push(v);
            }
            Value::Array(out)
        }
        "integer" => Value::from(gen_number(schema, ctx, rng, true) as i64),
        "number" => json!(gen_number(schema, ctx, rng, false)),
        "boolean" => Value::Bool(true),
        "null" => Value::Null,
        _ => Value::String(gen_string(schema, ctx, hint, rng)),
    }
}

/// Arrays are never made longer than this, whatever `minItems` says.
const MAX_ITEMS: u64 = 1_000;

/// A scalar of type `kind` from a value written in the prompt, when it parses as one and fits
/// the schema's bounds.
fn from_assignment(raw: &str, kind: &str, schema: &Value) -> Option<Value> {
    let fits = |x: f64| {
        schema.get("minimum").and_then(Value::as_f64).is_none_or(|m| x >= m)
            && schema.get("maximum").and_then(Value::as_f64).is_none_or(|m| x <= m)
    };
    match kind {
        "boolean" => match raw.to_lowercase().as_str() {
            "true" | "yes" => Some(Value::Bool(true)),
            "false" | "no" => Some(Value::Bool(false)),
            _ => None,
        },
        "integer" => raw.parse::<i64>().ok().filter(|n| fits(*n as f64)).map(Value::from),
        "number" => raw.parse::<f64>().ok().filter(|n| n.is_finite() && fits(*n)).map(|n| json!(n)),
        "string" => {
            let len = raw.chars().count() as u64;
            let ok = schema.get("minLength").and_then(Value::as_u64).is_none_or(|m| len >= m)
                && schema.get("maxLength").and_then(Value::as_u64).is_none_or(|m| len <= m)
                && schema.get("format").is_none();
            ok.then(|| Value::from(raw))
        }
        _ => None,
    }
}

fn gen_object(schema: &Value, root: &Value, ctx: &Context, depth: usize, rng: &mut Rng) -> Value {
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut map = Map::new();
    if let Some(Value::Object(props)) = schema.get("properties") {
        let none_required = required.is_empty();
        for (name, prop) in props {
            let include = ctx.every_property
                || required.contains(&name.as_str())
                || ctx.mentions(name)
                || (none_required && map.is_empty());
            if include {
                map.insert(name.clone(), gen_value(prop, root, ctx, name, depth + 1, rng));
            }
        }
    }
    for name in required {
        if !map.contains_key(name) {
            map.insert(name.to_string(), gen_value(&json!({}), root, ctx, name, depth + 1, rng));
        }
    }
    Value::Object(map)
}

fn gen_number(schema: &Value, ctx: &Context, rng: &mut Rng, integer: bool) -> f64 {
    let bound = |k: &str| schema.get(k).and_then(Value::as_f64);
    let step = if integer { 1.0 } else { 0.5 };
    let mut lo = bound("minimum").unwrap_or(f64::MIN);
    let mut hi = bound("maximum").unwrap_or(f64::MAX);
    if let Some(x) = bound("exclusiveMinimum") {
        lo = lo.max(x + step);
    }
    if let Some(x) = bound("exclusiveMaximum") {
        hi = hi.min(x - step);
    }
    // Draft 4 style booleans.
    if schema.get("exclusiveMinimum") == Some(&Value::Bool(true)) {
        lo += step;
    }
    if schema.get("exclusiveMaximum") == Some(&Value::Bool(true)) {
        hi -= step;
    }
    let multiple = schema.get("multipleOf").and_then(Value::as_f64).filter(|m| *m > 0.0);
    let fits = |x: f64| x >= lo && x <= hi && multiple.is_none_or(|m| (x / m).fract() == 0.0);
    if let Some(n) = ctx.numbers.iter().map(|n| *n as f64).find(|n| fits(*n)) {
        return n;
    }
    let mut x = (1 + rng.below(10)) as f64;
    if !(x >= lo && x <= hi) {
        x = if lo > f64::MIN { lo } else { hi };
    }
    if integer {
        x = x.ceil();
    }
    if let Some(m) = multiple {
        // The nearest multiple inside the bounds: up from the lower, else down.
        let up = (x / m).ceil() * m;
        x = if up <= hi { up } else { (x / m).floor() * m };
    }
    x
}

fn gen_string(schema: &Value, ctx: &Context, hint: &str, rng: &mut Rng) -> String {
    let today = chrono::Utc::now();
    let h = hint.to_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| h.contains(w));
    let phrase = || match ctx.keywords.len() {
        0 => ctx.text.trim().to_string(),
        n => ctx.keywords[..n.min(4)].join(" "),
    };
    let name_or = |fallback: &str| ctx.names.first().cloned().unwrap_or_else(|| fallback.to_string());
    let mut s = match schema.get("format").and_then(Value::as_str) {
        Some("date") => today.format("%Y-%m-%d").to_string(),
        Some("date-time") => today.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        Some("time") => today.format("%H:%M:%S").to_string(),
        Some("email") => "user@example.com".to_string(),
        Some("uri" | "url") => format!("https://example.com/{}", phrase().replace(' ', "-").to_lowercase()),
        Some("uuid") => uuid::Uuid::from_u64_pair(hash64(ctx.text.as_bytes()), rng.next_u64()).to_string(),
        _ if has(&["city", "location", "place", "town", "destination", "origin", "capital", "address"]) => {
            name_or("Paris")
        }
        _ if has(&["country", "region", "state", "area"]) => name_or("France"),
        _ if has(&["date", "day"]) => today.format("%Y-%m-%d").to_string(),
        _ if has(&["unit"]) => "celsius".to_string(),
        _ if has(&["lang"]) => "en".to_string(),
        _ if has(&["answer", "summary", "description", "explanation", "reason", "content", "message", "text"]) => {
            text::prose(&ctx.text, ctx.seed, true)
        }
        _ if has(&["query", "search", "keyword", "topic", "subject", "term", "prompt", "question", "title"]) => {
            phrase()
        }
        _ if has(&["name"]) => match ctx.keywords.len() {
            0 => name_or("example"),
            n => ctx.keywords[..n.min(2)].join(" "),
        },
        _ if h.ends_with("id") => format!("{:08x}", hash64(ctx.text.as_bytes()) >> 32),
        _ => ctx
            .keywords
            .get(rng.below(ctx.keywords.len().max(1)))
            .cloned()
            .unwrap_or_else(|| if hint.is_empty() { "value".to_string() } else { hint.to_string() }),
    };
    let min = schema.get("minLength").and_then(Value::as_u64).unwrap_or(0).min(MAX_STRING) as usize;
    let max = schema.get("maxLength").and_then(Value::as_u64).map_or(usize::MAX, |m| m.min(MAX_STRING) as usize);
    let len = s.chars().count();
    if len < min {
        s.push_str(&"x".repeat(min - len));
    }
    if s.chars().count() > max {
        s = s.chars().take(max).collect();
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weather_tool_gets_the_city() {
        let ctx = Context::new("What is the weather in Paris?", 1);
        let schema = json!({"type": "object", "properties": {"city": {"type": "string"},
            "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]}, "days": {"type": "integer", "minimum": 1, "maximum": 7}},
            "required": ["city", "unit", "days"]});
        let v = generate(&schema, &ctx);
        assert_eq!(v["city"], "Paris");
        assert_eq!(v["unit"], "celsius");
        assert!(v["days"].as_i64().is_some_and(|d| (1..=7).contains(&d)), "{v}");
    }

    #[test]
    fn refs_all_of_arrays_and_enums_mentioned() {
        let ctx = Context::new("Convert 3 items to fahrenheit please", 2);
        let schema = json!({"type": "object", "$defs": {"u": {"enum": ["celsius", "fahrenheit"]}},
            "properties": {"unit": {"$ref": "#/$defs/u"}, "tags": {"type": "array", "items": {"type": "string"}, "minItems": 2, "uniqueItems": true},
            "n": {"allOf": [{"type": "integer"}, {"minimum": 2}]}, "opt": {"type": ["string", "null"]}},
            "required": ["unit", "tags", "n", "opt"]});
        let v = generate(&schema, &ctx);
        assert_eq!(v["unit"], "fahrenheit");
        assert_eq!(v["tags"].as_array().map(Vec::len), Some(2));
        assert_ne!(v["tags"][0], v["tags"][1]);
        assert_eq!(v["n"], 3);
        assert!(v["opt"].is_string());
    }

    #[test]
    fn json_mode_uses_the_keys_shown() {
        let ctx =
            Context::new(r#"Name the best French cheese and its region as JSON: {"name": ..., "region": ...}"#, 3);
        let v = json_object(&ctx);
        let keys: Vec<&String> = v.as_object().map(|m| m.keys().collect()).unwrap_or_default();
        assert_eq!(keys, vec!["name", "region"]);
        assert!(v["name"].is_string() && v["region"].is_string());
        assert!(json_object(&Context::new("hi", 1))["answer"].is_string());
    }
}
