//! Chat as it is used in 2026: images, documents and audio in user messages, structured
//! outputs, reasoning models, built-in tools, tool calls streamed in fragments, several
//! choices. Every answer goes through `Mock::call` (validated against the spec), every
//! streamed event through `stream_chunks` (validated against the event schema).

use mistral_mock::Reply;
use mistral_openapi::operations as ops;
use serde_json::{Value, json};

use crate::{Mock, Reply as Answer, stream_chunks, within};

const CHAT: &str = "createChatCompletion";
const PATH: &str = "/v1/chat/completions";

fn ask(model: &str, content: Value) -> Value {
    json!({"model": model, "messages": [{"role": "user", "content": content}]})
}

async fn chat(m: &Mock, body: Value) -> Answer {
    let r = m.post(CHAT, PATH, body).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r
}

async fn streamed(m: &Mock, mut body: Value) -> Vec<Value> {
    body["stream"] = json!(true);
    let (status, headers, raw) = m.stream(PATH, body).await;
    assert_eq!(status, 200, "{raw}");
    assert_eq!(headers["content-type"], "text/event-stream");
    stream_chunks(CHAT, &raw)
}

fn base64(bytes: &[u8]) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..4 {
            out.push(if i <= chunk.len() { char::from(A[(n >> (18 - 6 * i) & 63) as usize]) } else { '=' });
        }
    }
    out
}

/// A data URL of a PNG of this size (its signature and header are all the mock reads).
fn png(width: u32, height: u32) -> String {
    let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    bytes.extend_from_slice(&width.to_be_bytes());
    bytes.extend_from_slice(&height.to_be_bytes());
    bytes.extend_from_slice(&[8, 6, 0, 0, 0, 0, 0, 0, 0]);
    format!("data:image/png;base64,{}", base64(&bytes))
}

fn prompt_tokens(r: &Answer) -> u64 {
    r.body["usage"]["prompt_tokens"].as_u64().expect("prompt tokens")
}

#[tokio::test]
async fn images_and_documents_count_in_the_prompt_and_audio_in_seconds() {
    within(30, async {
        let m = Mock::start().await;
        let text = json!({"type": "text", "text": "What is in this?"});
        let base = prompt_tokens(&chat(&m, ask("mistral-small-latest", json!([text]))).await);
        // "What is in this?" = 5 tokens.
        assert_eq!(base, 5);
        let with = |part: Value| ask("mistral-small-latest", json!([text, part]));
        let cases = [
            // 1x1: one patch and one row break.
            (json!({"type": "image_url", "image_url": png(1, 1)}), 2),
            // 64x32: 4 columns by 2 rows of 16-pixel patches, plus 2 row breaks.
            (json!({"type": "image_url", "image_url": {"url": png(64, 32), "detail": "auto"}}), 10),
            // 2048x2048 scaled to 1024 (64x64 patches), 512 with detail low.
            (json!({"type": "image_url", "image_url": {"url": png(2048, 2048)}}), 64 * 64 + 64),
            (json!({"type": "image_url", "image_url": {"url": png(2048, 2048), "detail": "low"}}), 32 * 32 + 32),
            // A remote image counts as 768x768.
            (json!({"type": "image_url", "image_url": "https://example.com/tower.jpg"}), 48 * 48 + 48),
            // A text document counts its words; a remote one 500.
            (
                json!({"type": "document_url", "document_url": format!("data:text/plain;base64,{}", base64(b"Comte is aged for months.")), "document_name": "notes.txt"}),
                6,
            ),
            (json!({"type": "document_url", "document_url": "https://example.com/report.pdf"}), 500),
            (json!({"type": "document_url", "document_url": format!("data:application/pdf;base64,{}", base64(&[7u8; 2000]))}), 100),
        ];
        for (part, tokens) in cases {
            let r = chat(&m, with(part.clone())).await;
            assert_eq!(prompt_tokens(&r), base + tokens, "{part}");
            assert_eq!(
                r.body["usage"]["total_tokens"].as_u64(),
                Some(base + tokens + r.body["usage"]["completion_tokens"].as_u64().expect("completion"))
            );
            assert!(r.body["usage"].get("prompt_audio_seconds").is_none(), "{}", r.body["usage"]);
        }

        // Audio: 32.5 kB is 5 seconds, 75 tokens each, counted in the total only (as live).
        let audio = json!({"type": "input_audio", "input_audio": base64(&[1u8; 32_500])});
        let r = chat(&m, ask("voxtral-small-latest", json!([text, audio]))).await;
        let usage = &r.body["usage"];
        assert_eq!(usage["prompt_tokens"], base);
        assert_eq!(usage["prompt_audio_seconds"], 5);
        assert_eq!(usage["prompt_tokens_details"], json!({"cached_tokens": 0, "audio_tokens": 375}));
        let completion = usage["completion_tokens"].as_u64().expect("completion");
        assert_eq!(usage["total_tokens"].as_u64(), Some(base + completion + 375));

        // A model that cannot see or hear says so.
        let r = m.post(CHAT, PATH, ask("open-mistral-7b", json!([text, {"type": "image_url", "image_url": png(1, 1)}]))).await;
        assert_eq!(r.status, 400);
        assert_eq!(r.body["message"], "Model open-mistral-7b does not support image input");
        let r = m.post(CHAT, PATH, ask("mistral-small-latest", json!([text, audio]))).await;
        assert_eq!(r.status, 400);
        assert_eq!(r.body["message"], "Model mistral-small-latest does not support audio input");
    })
    .await;
}

fn release_plan() -> Value {
    json!({"type": "json_schema", "json_schema": {"name": "StructuredReleasePlan", "strict": true, "schema": {
        "$defs": {"StructuredChecks": {"additionalProperties": false,
            "properties": {"compile": {"type": "boolean"}, "replay": {"type": "boolean"}},
            "required": ["compile", "replay"], "type": "object"}},
        "$schema": "https://json-schema.org/draft/2020-12/schema", "additionalProperties": false,
        "properties": {"checks": {"$ref": "#/$defs/StructuredChecks"}, "lane": {"type": "string"}, "risk": {"type": "string"}},
        "required": ["lane", "checks", "risk"], "title": "StructuredReleasePlan", "type": "object"}}})
}

fn order_schema() -> Value {
    json!({
        "$defs": {
            "line": {"type": "object", "additionalProperties": false, "required": ["sku", "quantity", "price"],
                "properties": {"sku": {"type": "string", "minLength": 6, "maxLength": 12},
                    "quantity": {"type": "integer", "minimum": 2, "maximum": 9, "multipleOf": 3},
                    "price": {"type": "number", "exclusiveMinimum": 10, "maximum": 99.5}}},
            "status": {"enum": ["draft", "paid", "shipped"]}
        },
        "type": "object", "additionalProperties": false,
        "required": ["id", "status", "lines", "customer", "gift", "note", "kind"],
        "properties": {
            "id": {"type": "string", "format": "uuid"},
            "status": {"$ref": "#/$defs/status"},
            "lines": {"type": "array", "items": {"$ref": "#/$defs/line"}, "minItems": 3, "maxItems": 5},
            "customer": {"type": "object", "required": ["email"], "properties": {
                "email": {"type": "string", "format": "email"}, "since": {"type": "string", "format": "date"}}},
            "gift": {"type": "boolean"},
            "note": {"anyOf": [{"type": "string", "maxLength": 40}, {"type": "null"}]},
            "kind": {"oneOf": [{"const": "retail"}, {"type": "integer"}]},
            "tags": {"type": "array", "items": {"type": "string"}, "uniqueItems": true, "minItems": 2},
            "score": {"type": ["number", "null"], "minimum": -1, "maximum": 1}
        }
    })
}

fn assert_valid(schema: &Value, content: &str) -> Value {
    let value: Value = serde_json::from_str(content).unwrap_or_else(|e| panic!("{e}: {content}"));
    let validator = jsonschema::validator_for(schema).expect("schema compiles");
    let errors: Vec<String> =
        validator.iter_errors(&value).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "{content} does not fit: {errors:?}");
    value
}

#[tokio::test]
async fn structured_outputs_are_valid_instances_of_the_schema() {
    within(30, async {
        let m = Mock::start().await;
        // The recorded exchange: the live model's exact answer, keys in `required` order.
        let body = json!({"model": "mistral-small-latest", "response_format": release_plan(), "messages": [
            {"role": "system", "content": "Return only the requested structured object."},
            {"role": "user", "content": "Return lane=canary, risk=low, checks.compile=true, and checks.replay=true."}]});
        let r = chat(&m, body.clone()).await;
        let content = r.body["choices"][0]["message"]["content"].as_str().expect("text");
        assert_eq!(content, r#"{"lane": "canary", "checks": {"compile": true, "replay": true}, "risk": "low"}"#);
        assert_eq!(r.body["choices"][0]["finish_reason"], "stop");
        // Streamed, the pieces make the same text.
        let chunks = streamed(&m, body).await;
        assert_eq!(crate::streamed_text(&chunks), content);

        // Every keyword the generator knows, nested: valid, every property filled, deterministic.
        let schema = order_schema();
        let body = json!({"model": "mistral-small-latest", "response_format": {"type": "json_schema",
            "json_schema": {"name": "order", "schema": schema, "strict": true}},
            "messages": [{"role": "user", "content": "Draft an order for three lines."}]});
        let r = chat(&m, body.clone()).await;
        let content = r.body["choices"][0]["message"]["content"].as_str().expect("text").to_string();
        let order = assert_valid(&schema, &content);
        assert_eq!(order["lines"].as_array().map(Vec::len), Some(3));
        assert_eq!(order["status"], "draft");
        assert_eq!(order["kind"], "retail");
        assert!(order.get("tags").is_some() && order.get("score").is_some(), "every property: {order}");
        assert_eq!(chat(&m, body).await.body["choices"][0]["message"]["content"], content.as_str());

        // JSON mode: an object, written as the live models write it.
        let body = json!({"model": "mistral-small-latest", "response_format": {"type": "json_object"},
            "messages": [{"role": "user", "content": "As JSON: {\"name\": ..., \"count\": ...}"}]});
        let r = chat(&m, body).await;
        let content = r.body["choices"][0]["message"]["content"].as_str().expect("text");
        let value: Value = serde_json::from_str(content).expect("JSON");
        assert!(value["name"].is_string() && value["count"].is_i64(), "{value}");
        assert!(content.starts_with("{\"count\": "), "{content}");

        // A json_schema format without its schema is refused.
        let body = json!({"model": "mistral-small-latest", "response_format": {"type": "json_schema"},
            "messages": [{"role": "user", "content": "x"}]});
        let r = m.post(CHAT, PATH, body).await;
        assert_eq!(r.status, 400);
    })
    .await;
}

fn thinking_of(content: &Value) -> &str {
    assert_eq!(content[0]["type"], "thinking", "{content}");
    let parts = content[0]["thinking"].as_array().expect("thinking parts");
    assert_eq!(parts.len(), 1);
    assert_eq!(parts[0]["type"], "text");
    assert_eq!(content[0].as_object().map(|o| o.len()), Some(2), "only type and thinking: {content}");
    parts[0]["text"].as_str().expect("thought")
}

#[tokio::test]
async fn reasoning_models_think_first_in_chunks_plain_and_streamed() {
    within(30, async {
        let m = Mock::start().await;
        let question = "Why is the sky blue?";
        let r = chat(&m, ask("magistral-small-latest", json!(question))).await;
        let content = &r.body["choices"][0]["message"]["content"];
        let thought = thinking_of(content).to_string();
        assert!(thought.starts_with("The user asks about sky and blue."), "{thought}");
        assert_eq!(content.as_array().map(Vec::len), Some(2));
        assert_eq!(content[1]["type"], "text");
        let text = content[1]["text"].as_str().expect("answer").to_string();
        assert!(text.contains("sky") || text.contains("blue"), "{text}");
        let usage = &r.body["usage"];
        let reasoning = usage["completion_tokens_details"]["reasoning_tokens"].as_u64().expect("reasoning tokens");
        assert!(reasoning >= 10, "{usage}");
        assert!(usage["completion_tokens"].as_u64().expect("completion") > reasoning);

        // Streamed: thinking deltas, then text deltas, all as chunk arrays; the same texts.
        let chunks = streamed(&m, ask("magistral-small-latest", json!(question))).await;
        assert_eq!(chunks[0]["choices"][0]["delta"], json!({"role": "assistant", "content": ""}));
        let deltas: Vec<&Value> =
            chunks[1..].iter().map(|c| &c.pointer("/choices/0/delta/content").expect("content")[0]).collect();
        let kinds: Vec<&str> = deltas.iter().filter_map(|d| d["type"].as_str()).collect();
        let switch = kinds.iter().position(|k| *k == "text").expect("text deltas");
        assert!(
            switch > 0
                && kinds[..switch].iter().all(|k| *k == "thinking")
                && kinds[switch..].iter().all(|k| *k == "text")
        );
        let streamed_thought: String =
            deltas[..switch].iter().filter_map(|d| d["thinking"][0]["text"].as_str()).collect();
        let streamed_text: String = deltas[switch..].iter().filter_map(|d| d["text"].as_str()).collect();
        assert_eq!((streamed_thought, streamed_text), (thought, text));
        assert_eq!(chunks.last().expect("last")["usage"]["completion_tokens_details"]["reasoning_tokens"], reasoning);

        // Another model that can reason thinks when asked, not otherwise; effort sets how long.
        let plain = chat(&m, ask("mistral-small-latest", json!(question))).await;
        assert!(plain.body["choices"][0]["message"]["content"].is_string());
        assert!(plain.body["usage"].get("completion_tokens_details").is_none());
        let mut asked = ask("mistral-small-latest", json!(question));
        asked["prompt_mode"] = json!("reasoning");
        let r = chat(&m, asked).await;
        thinking_of(&r.body["choices"][0]["message"]["content"]);
        let thought_len = |effort: &str| {
            let mut body = ask("mistral-medium-latest", json!(question));
            body["reasoning_effort"] = json!(effort);
            body
        };
        let minimal = chat(&m, thought_len("minimal")).await;
        let high = chat(&m, thought_len("high")).await;
        let words = |r: &Answer| thinking_of(&r.body["choices"][0]["message"]["content"]).split_whitespace().count();
        assert!(words(&high) > words(&minimal), "{} vs {}", words(&high), words(&minimal));
        let none = chat(&m, {
            let mut b = ask("magistral-small-latest", json!(question));
            b["reasoning_effort"] = json!("none");
            b
        })
        .await;
        assert!(none.body["choices"][0]["message"]["content"].is_string());
        // A model that cannot reason ignores the request for it.
        let mut ignored = ask("open-mistral-7b", json!(question));
        ignored["prompt_mode"] = json!("reasoning");
        assert!(chat(&m, ignored).await.body["choices"][0]["message"]["content"].is_string());

        // max_tokens spends the thinking first.
        let mut short = ask("magistral-small-latest", json!(question));
        short["max_tokens"] = json!(4);
        let r = chat(&m, short).await;
        assert_eq!(r.body["choices"][0]["finish_reason"], "length");
        assert_eq!(r.body["usage"]["completion_tokens"], 4);
        assert_eq!(r.body["choices"][0]["message"]["content"][1], json!({"type": "text", "text": ""}));
    })
    .await;
}

#[tokio::test]
async fn built_in_tools_are_accepted_and_said_to_be_used() {
    within(30, async {
        let m = Mock::start().await;
        let tools = json!([
            {"type": "web_search"},
            {"type": "web_search_premium"},
            {"type": "code_interpreter"},
            {"type": "image_generation"},
            {"type": "document_library", "library_ids": ["lib-1", "lib-2"]},
            {"type": "connector", "connector_id": "github"}
        ]);
        let mut body = ask("mistral-medium-latest", json!("Latest news about Mars rovers?"));
        body["tools"] = tools.clone();
        let r = chat(&m, body.clone()).await;
        let content = r.body["choices"][0]["message"]["content"].as_str().expect("text");
        assert_eq!(r.body["choices"][0]["finish_reason"], "stop");
        assert!(r.body["choices"][0]["message"]["tool_calls"].is_null());
        for said in [
            "I searched the web for \"Latest news Mars rovers\".",
            "I searched the web and news sources for \"Latest news Mars rovers\".",
            "I ran code in the code interpreter to check Latest news Mars rovers.",
            "I generated an image of Latest news Mars rovers.",
            "I searched the document library (lib-1, lib-2) for \"Latest news Mars rovers\".",
            "I asked the github connector about \"Latest news Mars rovers\".",
        ] {
            assert!(content.contains(said), "{said:?} not in {content:?}");
        }
        // tool_choice none: no tool is used.
        body["tool_choice"] = json!("none");
        let r = chat(&m, body).await;
        assert!(!r.body["choices"][0]["message"]["content"].as_str().expect("text").contains("I searched"));
        // Beside a function, the function is called.
        let mut body = ask("mistral-medium-latest", json!("What is the weather in Lyon?"));
        body["tools"] = json!([{"type": "web_search"}, {"type": "function", "function": {"name": "get_weather",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}]);
        let r = chat(&m, body).await;
        assert_eq!(r.body["choices"][0]["message"]["tool_calls"][0]["function"]["arguments"], r#"{"city":"Lyon"}"#);
    })
    .await;
}

/// The tool-call fragments of a stream, checking their shape: the first with id, type, name
/// and the start of the arguments, the others with the index and more arguments only.
fn fragments(chunks: &[Value], index: u64) -> (String, String, String) {
    let parts: Vec<&Value> = chunks
        .iter()
        .filter(|c| c["choices"][0]["index"] == index)
        .filter_map(|c| c["choices"][0]["delta"]["tool_calls"].get(0))
        .collect();
    assert!(parts.len() >= 2, "in fragments: {parts:?}");
    let first = parts[0].as_object().expect("object");
    let keys: Vec<&str> = first.keys().map(String::as_str).collect();
    assert_eq!(keys, ["function", "id", "index", "type"]);
    assert_eq!(first["type"], "function");
    for later in &parts[1..] {
        assert_eq!(later["function"]["name"], "", "{later}");
        let keys: Vec<&str> = later.as_object().expect("object").keys().map(String::as_str).collect();
        assert_eq!(keys, ["function", "index"], "{later}");
        assert_eq!(later["index"], 0);
    }
    let arguments: String = parts.iter().filter_map(|p| p["function"]["arguments"].as_str()).collect();
    let id = first["id"].as_str().expect("id").to_string();
    (id, first["function"]["name"].as_str().expect("name").to_string(), arguments)
}

#[tokio::test]
async fn tool_calls_stream_in_fragments_mocked_and_scripted() {
    within(30, async {
        let m = Mock::start().await;
        let mut body = ask("mistral-small-latest", json!("Weather in Paris in celsius for 3 days?"));
        body["tools"] = json!([{"type": "function", "function": {"name": "get_weather", "description": "Weather forecast.",
            "parameters": {"type": "object", "required": ["city", "unit", "days"], "properties": {"city": {"type": "string"},
                "unit": {"enum": ["celsius", "fahrenheit"]}, "days": {"type": "integer"}}}}}]);
        let whole = chat(&m, body.clone()).await;
        let call = &whole.body["choices"][0]["message"]["tool_calls"][0];
        let chunks = streamed(&m, body).await;
        let (id, name, arguments) = fragments(&chunks, 0);
        assert_eq!((id.as_str(), name.as_str()), (call["id"].as_str().expect("id"), "get_weather"));
        assert_eq!(arguments, call["function"]["arguments"].as_str().expect("arguments"));
        assert_eq!(serde_json::from_str::<Value>(&arguments).expect("JSON"), json!({"city": "Paris", "unit": "celsius", "days": 3}));
        let last = chunks.last().expect("last");
        assert_eq!(last["choices"][0]["finish_reason"], "tool_calls");
        assert_eq!(last["choices"][0]["delta"], json!({"content": "", "tool_calls": null}));
        assert!(last["usage"]["completion_tokens"].as_u64().is_some_and(|n| n > 5));

        // A scripted tool call streams the same way.
        m.server
            .on(&ops::CREATE_CHAT_COMPLETION)
            .respond(Reply::tool_call("lookup", json!({"query": "best French cheese", "limit": 5})));
        let chunks = streamed(&m, ask("mistral-small-latest", json!("Look it up"))).await;
        let (_, name, arguments) = fragments(&chunks, 0);
        assert_eq!(name, "lookup");
        assert_eq!(serde_json::from_str::<Value>(&arguments).expect("JSON"), json!({"query": "best French cheese", "limit": 5}));
        assert_eq!(chunks.last().expect("last")["choices"][0]["finish_reason"], "tool_calls");
    })
    .await;
}

#[tokio::test]
async fn several_choices_are_distinct_and_stream_interleaved() {
    within(30, async {
        let m = Mock::start().await;
        let question = ask("mistral-small-latest", json!("Tell me about French cheese"));
        let one = chat(&m, question.clone()).await;
        let mut body = question;
        body["n"] = json!(3);
        let r = chat(&m, body.clone()).await;
        let choices = r.body["choices"].as_array().expect("choices");
        let indexes: Vec<u64> = choices.iter().filter_map(|c| c["index"].as_u64()).collect();
        assert_eq!(indexes, [0, 1, 2]);
        let texts: Vec<&str> = choices.iter().filter_map(|c| c["message"]["content"].as_str()).collect();
        assert_eq!(texts[0], one.body["choices"][0]["message"]["content"], "the first is the n=1 answer");
        assert!(texts[0] != texts[1] && texts[1] != texts[2] && texts[0] != texts[2], "{texts:?}");
        assert_eq!(chat(&m, body.clone()).await.body["choices"], r.body["choices"], "deterministic");

        let chunks = streamed(&m, body).await;
        let index = |c: &Value| c["choices"][0]["index"].as_u64().expect("index");
        let order: Vec<u64> = chunks.iter().map(index).collect();
        assert_eq!(order[..6], [0, 1, 2, 0, 1, 2], "role events, then interleaved by index");
        let mut tokens = 0;
        for (i, text) in texts.iter().enumerate() {
            let mine: Vec<&Value> = chunks.iter().filter(|c| index(c) == i as u64).collect();
            assert_eq!(mine[0]["choices"][0]["delta"]["role"], "assistant");
            let streamed: String = mine.iter().filter_map(|c| c["choices"][0]["delta"]["content"].as_str()).collect();
            assert_eq!(streamed, *text);
            assert_eq!(mine.last().expect("last")["choices"][0]["finish_reason"], "stop");
            assert!(mine[..mine.len() - 1].iter().all(|c| c["choices"][0]["finish_reason"].is_null()));
            tokens += mine.len() - 1;
        }
        let with_usage: Vec<&Value> = chunks.iter().filter(|c| c.get("usage").is_some()).collect();
        assert_eq!(with_usage.len(), 1);
        assert!(std::ptr::eq(with_usage[0], chunks.last().expect("last")));
        assert_eq!(with_usage[0]["usage"]["completion_tokens"], tokens, "one event per token, every choice counted");
        assert_eq!(with_usage[0]["usage"], r.body["usage"]);
    })
    .await;
}

#[tokio::test]
async fn chat_stop_sequences_cut_the_answer() {
    within(20, async {
        let m = Mock::start().await;
        let question = ask("mistral-small-latest", json!("Tell me about French cheese"));
        let full = chat(&m, question.clone()).await.body["choices"][0]["message"]["content"]
            .as_str()
            .expect("text")
            .to_string();
        let mut body = question;
        body["stop"] = json!(["cheese"]);
        let r = chat(&m, body).await;
        let cut = r.body["choices"][0]["message"]["content"].as_str().expect("text");
        assert_eq!(cut, &full[..full.find("cheese").expect("the topic is named")]);
        assert_eq!(r.body["choices"][0]["finish_reason"], "stop");
    })
    .await;
}
