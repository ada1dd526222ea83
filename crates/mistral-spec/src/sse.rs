//! Server-sent events as the spec describes them: a `text/event-stream` schema is the schema of
//! one event, `{"event": name, "data": json}` (`event` only for named events).

use serde_json::Value;

/// One event as the spec's event schemas see it: `{"event": name, "data": data}`, `event` left
/// out for an unnamed event.
///
/// ```
/// let event = mistral_spec::sse::envelope(Some("done"), serde_json::json!({"x": 1}));
/// assert_eq!(event, serde_json::json!({"event": "done", "data": {"x": 1}}));
/// assert_eq!(mistral_spec::sse::envelope(None, 1.into()), serde_json::json!({"data": 1}));
/// ```
pub fn envelope(event: Option<&str>, data: Value) -> Value {
    let mut map = serde_json::Map::new();
    if let Some(event) = event {
        map.insert("event".into(), Value::String(event.to_string()));
    }
    map.insert("data".into(), data);
    Value::Object(map)
}

/// The events of an SSE example (a string) as the spec describes them, `{"event": name, "data": json}`
/// (`event` only when the example names it). With `need_done`, the stream must end with
/// `data: [DONE]`, which is not an event.
pub fn example_events(example: &Value, need_done: bool) -> Result<Vec<Value>, String> {
    let text = example.as_str().ok_or("an event-stream example must be a string")?;
    let mut out = Vec::new();
    let mut done = false;
    // WHATWG SSE ends lines with LF, CRLF or CR alike.
    let normalized = text.replace("\r\n", "\n").replace('\r', "\n");
    for block in normalized.split("\n\n").filter(|b| !b.trim().is_empty()) {
        let mut event = None;
        let mut data = Vec::new();
        for line in block.lines() {
            let (field, value) = line.split_once(':').unwrap_or((line, ""));
            let value = value.strip_prefix(' ').unwrap_or(value);
            match field {
                "event" => event = Some(value.to_string()),
                "data" => data.push(value),
                _ => {}
            }
        }
        let data = data.join("\n");
        if data == "[DONE]" {
            done = true;
            continue;
        }
        let data: Value = serde_json::from_str(&data).map_err(|e| format!("event is not JSON: {e}"))?;
        // Named streams name each event after its data's `type`; clients dispatch on either.
        if let (Some(name), Some(kind)) = (&event, data.get("type").and_then(Value::as_str))
            && name != kind
        {
            return Err(format!("event {name:?} carries data of type {kind:?}"));
        }
        out.push(envelope(event.as_deref(), data));
    }
    if need_done && !done {
        return Err("the stream does not end with data: [DONE]".into());
    }
    if !(text.ends_with("\n\n") || text.ends_with("\r\n\r\n") || text.ends_with("\r\r")) {
        // Without the blank line the last event is never dispatched (WHATWG SSE).
        return Err("the last event is not ended by a blank line (use `|+` in YAML)".into());
    }
    Ok(out)
}
