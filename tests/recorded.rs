//! The live API's own traffic, recorded in 2026 (`../shared/api/recorded/`, outside this
//! repository): every request the real server accepted fits openapi.yaml and decodes into the
//! generated request type, and every answer it sent fits openapi.yaml and decodes (streams
//! event by event, then folded by mistral-sdk's accumulator).

use std::path::{Path, PathBuf};

use mistral_openapi::types;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

fn recorded_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/api/recorded/mistral")
}

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            yaml_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "yaml") {
            out.push(path);
        }
    }
}

/// One recorded exchange.
struct Exchange {
    what: String,
    method: String,
    path: String,
    request: Option<String>,
    status: u16,
    content_type: String,
    response: String,
}

fn exchanges() -> Vec<Exchange> {
    let mut files = Vec::new();
    yaml_files(&recorded_dir(), &mut files);
    files.sort();
    let mut out = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for (i, doc) in serde_norway::Deserializer::from_str(&text).enumerate() {
            let doc = Value::deserialize(doc).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            if doc.is_null() {
                continue;
            }
            let header = |h: &Value, name: &str| {
                h.as_array()
                    .into_iter()
                    .flatten()
                    .find(|x| x["name"] == name)
                    .and_then(|x| x["value"].as_str())
                    .unwrap_or_default()
                    .to_string()
            };
            out.push(Exchange {
                what: format!("{} #{i}", file.strip_prefix(recorded_dir()).unwrap_or(&file).display()),
                method: doc["when"]["method"].as_str().unwrap().to_string(),
                path: doc["when"]["path"].as_str().unwrap().to_string(),
                request: doc["when"]["body"].as_str().map(str::to_string),
                status: u16::try_from(doc["then"]["status"].as_u64().unwrap()).unwrap(),
                content_type: header(&doc["then"]["header"], "content-type"),
                response: doc["then"]["body"].as_str().unwrap_or_default().to_string(),
            });
        }
    }
    out
}

fn decode<T: DeserializeOwned>(json: &Value, what: &str) -> T {
    serde_json::from_value(json.clone())
        .unwrap_or_else(|e| panic!("{what}: does not decode as {}: {e}\n{json:#}", std::any::type_name::<T>()))
}

fn fits(validator: &mistral_spec::Validator, value: &Value, what: &str) {
    if let Err(violations) = validator.validate(value) {
        panic!("{what}: does not fit openapi.yaml: {violations:?}");
    }
}

/// The data of each event of an SSE body, `[DONE]` left out.
fn events(body: &str) -> Vec<Value> {
    let mut decoder = mistral_sdk::sse::SseDecoder::new();
    decoder.feed(body.as_bytes());
    decoder.feed(b"\n\n");
    let mut out = Vec::new();
    while let Ok(Some(event)) = decoder.next_event() {
        if event.data != "[DONE]" && !event.data.is_empty() {
            out.push(serde_json::from_str(event.data).unwrap());
        }
    }
    out
}

#[test]
fn the_live_api_traffic_fits_the_spec_and_decodes() {
    if !recorded_dir().exists() {
        eprintln!("skipped: {} is not here", recorded_dir().display());
        return;
    }
    let spec = mistral_spec::Spec::embedded().unwrap();
    let all = exchanges();
    assert!(all.len() > 200, "{} exchanges", all.len());
    let (mut requests, mut answers, mut events_seen, mut errors) = (0, 0, 0, 0);
    for x in &all {
        let op = spec
            .operations()
            .into_iter()
            .find(|op| op.method.eq_ignore_ascii_case(&x.method) && op.path == x.path)
            .unwrap_or_else(|| panic!("{}: no operation {} {}", x.what, x.method, x.path));
        let what = format!("{} ({} {})", x.what, op.id, x.status);
        if let Some(body) = x.request.as_deref().filter(|_| x.status == 200) {
            let body: Value = serde_json::from_str(body).unwrap();
            fits(&spec.request_validator(op.id, "application/json").unwrap(), &body, &what);
            match op.id {
                "createChatCompletion" => drop(decode::<types::ChatCompletionRequest>(&body, &what)),
                "createEmbedding" => drop(decode::<types::EmbeddingRequest>(&body, &what)),
                other => panic!("{what}: no request type mapped for {other}"),
            }
            requests += 1;
        }
        if x.status != 200 {
            let body: Value = serde_json::from_str(&x.response).unwrap();
            let _: types::ApiError = decode(&body, &what);
            let error = mistral_sdk::ApiError::from_parts(x.status, &Default::default(), x.response.as_bytes());
            assert!(!error.message.is_empty(), "{what}: the server's message is kept");
            errors += 1;
            continue;
        }
        if x.content_type.starts_with("text/event-stream") {
            let validator = spec.response_validator(op.id, "200", "text/event-stream").unwrap();
            let mut acc = mistral_sdk::StreamAccumulator::new();
            let chunks = events(&x.response);
            assert!(!chunks.is_empty(), "{what}: events");
            for data in &chunks {
                fits(&validator, &mistral_spec::sse::envelope(None, data.clone()), &what);
                acc.push(&decode::<types::CompletionChunk>(data, &what));
                events_seen += 1;
            }
            let folded = acc.finish();
            assert!(!folded.choices.is_empty(), "{what}: the stream folds into choices");
        } else {
            let body: Value = serde_json::from_str(&x.response).unwrap();
            fits(&spec.response_validator(op.id, "200", "application/json").unwrap(), &body, &what);
            match op.id {
                "createChatCompletion" => drop(decode::<types::ChatCompletionResponse>(&body, &what)),
                "createEmbedding" => drop(decode::<types::EmbeddingResponse>(&body, &what)),
                "listModels" => drop(decode::<types::ModelList>(&body, &what)),
                other => panic!("{what}: no response type mapped for {other}"),
            }
        }
        answers += 1;
    }
    // As recorded: 196 accepted requests with a body, 199 answers, 10 errors.
    assert_eq!((requests, answers, errors), (196, 199, 10));
    assert!(events_seen > 300, "{events_seen} events");
}

#[tokio::test]
async fn the_mock_accepts_what_the_live_api_accepted() {
    if !recorded_dir().exists() {
        eprintln!("skipped: {} is not here", recorded_dir().display());
        return;
    }
    let mock = mistral_mock::MockServer::start().await.unwrap();
    let http = reqwest::Client::new();
    let mut refused = Vec::new();
    let mut shapes = Vec::new();
    let (mut accepted, mut different_choices, mut compared) = (0, 0, 0);
    for x in exchanges().iter().filter(|x| x.status == 200) {
        let mut request = http
            .request(
                reqwest::Method::from_bytes(x.method.as_bytes()).unwrap(),
                format!("{}{}", mock.base_url(), x.path),
            )
            .bearer_auth("recorded");
        if let Some(body) = &x.request {
            request = request.header("content-type", "application/json").body(body.clone());
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let text = response.text().await.unwrap();
        if status != 200 {
            refused.push(format!("{}: {status} {}", x.what, &text[..text.len().min(300)]));
            continue;
        }
        accepted += 1;
        // The same keys as the live answer, at every level (nulls included).
        let pairs: Vec<(Value, Value)> = if x.content_type.starts_with("text/event-stream") {
            let (ours, theirs) = (events(&text), events(&x.response));
            let first_and_last = |e: &[Value]| [e.first().cloned(), e.last().cloned()];
            first_and_last(&ours).into_iter().zip(first_and_last(&theirs)).filter_map(|(a, b)| Some((a?, b?))).collect()
        } else {
            vec![(serde_json::from_str(&text).unwrap(), serde_json::from_str(&x.response).unwrap())]
        };
        for (ours, theirs) in pairs {
            // The same kind of answer only: where the live model chose to call a tool and the
            // mock answers in text (or the other way round), the keys differ by design.
            let calls = |v: &Value| v.pointer("/choices/0/finish_reason") == Some(&Value::from("tool_calls"));
            if calls(&ours) != calls(&theirs) {
                different_choices += 1;
                continue;
            }
            compared += 1;
            let mut missing = Vec::new();
            keys_missing(&ours, &theirs, "", &mut missing);
            if !missing.is_empty() {
                shapes.push(format!("{}: the mock leaves out {}", x.what, missing.join(", ")));
            }
        }
    }
    eprintln!(
        "accepted {accepted}, refused {}, shapes {}, compared {compared}, other kinds {different_choices}",
        refused.len(),
        shapes.len()
    );
    // Not vacuous: most answers are of the live answer's kind and are compared.
    assert!(compared >= 240, "{compared} compared, {different_choices} of another kind");
    assert!(refused.is_empty(), "{} refused:\n{}", refused.len(), refused.join("\n"));
    assert!(shapes.is_empty(), "{} answers of another shape:\n{}", shapes.len(), shapes.join("\n"));
}

/// The keys of `theirs` that `ours` lacks, recursively (arrays by their first item).
fn keys_missing(ours: &Value, theirs: &Value, at: &str, out: &mut Vec<String>) {
    match (ours, theirs) {
        (Value::Object(a), Value::Object(b)) => {
            for (k, v) in b {
                match a.get(k) {
                    None => out.push(format!("{at}/{k}")),
                    Some(mine) => keys_missing(mine, v, &format!("{at}/{k}"), out),
                }
            }
        }
        (Value::Array(a), Value::Array(b)) => {
            if let (Some(x), Some(y)) = (a.first(), b.first()) {
                keys_missing(x, y, &format!("{at}/0"), out);
            }
        }
        _ => {}
    }
}

#[tokio::test]
async fn the_mock_refuses_what_the_live_api_refused_with_its_status_and_body() {
    if !recorded_dir().exists() {
        eprintln!("skipped: {} is not here", recorded_dir().display());
        return;
    }
    let mock = mistral_mock::MockServer::builder().api_key("recorded-key").start().await.unwrap();
    let http = reqwest::Client::new();
    let mut departures = Vec::new();
    let mut checked = 0;
    for x in exchanges().iter().filter(|x| x.status != 200) {
        // The 401s were sent with a key the server did not know.
        let key = if x.status == 401 { "a-key-it-does-not-know" } else { "recorded-key" };
        let mut request = http
            .request(
                reqwest::Method::from_bytes(x.method.as_bytes()).unwrap(),
                format!("{}{}", mock.base_url(), x.path),
            )
            .bearer_auth(key);
        if let Some(body) = &x.request {
            request = request.header("content-type", "application/json").body(body.clone());
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let ours: Value = serde_json::from_str(&response.text().await.unwrap()).unwrap_or(Value::Null);
        let theirs: Value = serde_json::from_str(&x.response).unwrap();
        let mut missing = Vec::new();
        keys_missing(&ours, &theirs, "", &mut missing);
        keys_missing(&theirs, &ours, "", &mut missing);
        let same_kind = ours.get("type") == theirs.get("type") && ours.get("code") == theirs.get("code");
        if status != x.status || !missing.is_empty() || !same_kind {
            departures.push(format!("{}: {status} {ours} (live: {} {theirs})", x.what, x.status));
        }
        checked += 1;
    }
    assert_eq!(checked, 10);
    assert!(departures.is_empty(), "{}", departures.join("\n"));
}
