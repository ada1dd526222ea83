//! Conversations with tools (`stateful_beta`): function calls answered by the client's
//! function results, built-in tools run as `tool.execution` entries, handoffs between agents,
//! plain and streamed, every answer and event checked against the spec.

use mistral_mock::MockServer;
use reqwest::Method;
use serde_json::{Value, json};

use crate::{Mock, Reply, within};

const START: &str = "agents_api_v1_conversations_start";
const APPEND: &str = "agents_api_v1_conversations_append";
const HISTORY: &str = "agents_api_v1_conversations_history";
const CHAT: &str = "createChatCompletion";
const MODEL: &str = "mistral-small-latest";
const QUESTION: &str = "What is the weather in Paris?";
const RESULT: &str = "{\"temperature_c\": 18, \"sky\": \"cloudy\"}";

async fn mock() -> Mock {
    Mock::with(MockServer::builder().stateful_beta(true)).await
}

fn weather_tool() -> Value {
    json!({"type": "function", "function": {"name": "get_weather", "description": "The weather in a city",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}})
}

/// The spec's `ToolExecutionEntryName` is a `oneOf` of `BuiltInConnectors` (any string, through
/// its `Other` member) and `string`: every name matches both, so a strict validator refuses
/// every tool execution's `name`. That one overlap is let through; anything else fails.
fn only_name_overlap(violations: &[mistral_spec::Violation]) -> bool {
    violations.iter().all(|v| v.pointer.ends_with("/name") && v.message.contains("more than one of the schemas"))
}

/// Validates `body` as the 200 answer of `op`, but for the name overlap.
fn conforms(op: &str, body: &Value) {
    let spec = mistral_spec::Spec::embedded().expect("spec");
    let validator = crate::cached(format!("{op} 200"), || {
        spec.response_validator(op, "200", "application/json").expect("response validator")
    });
    if let Err(violations) = validator.validate(body)
        && !only_name_overlap(&violations)
    {
        panic!("{op} does not conform: {violations:?}\n{body:#}");
    }
}

/// Posts and checks the answer against the spec (but for the name overlap).
async fn post(m: &Mock, op: &str, path: &str, body: Value) -> Reply {
    let reply = crate::read(m.request(Method::POST, path).json(&body)).await;
    if reply.status == 200 {
        conforms(op, &reply.body);
    } else {
        crate::assert_conforms(op, reply.status, &reply.body);
    }
    reply
}

/// The named events of a stream, each checked against the spec (but for the name overlap)
/// and named after its `type`.
fn read_events(op: &str, raw: &str) -> Vec<Value> {
    assert!(raw.ends_with("\n\n"), "{raw:?}");
    let spec = mistral_spec::Spec::embedded().expect("spec");
    let validator = crate::cached(format!("{op} stream"), || {
        spec.response_validator(op, "200", "text/event-stream").expect("event validator")
    });
    raw.trim_end_matches("\n\n")
        .split("\n\n")
        .map(|event| {
            let (head, data) = event.split_once('\n').expect("a named event");
            let name = head.strip_prefix("event: ").expect("event name");
            let data: Value = serde_json::from_str(data.strip_prefix("data: ").expect("data")).expect("JSON");
            if let Err(violations) = validator.validate(&mistral_spec::sse::envelope(Some(name), data.clone()))
                && !only_name_overlap(&violations)
            {
                panic!("{op} event {name} does not conform: {violations:?}\n{data:#}");
            }
            assert_eq!(data["type"], json!(name));
            data
        })
        .collect()
}

fn types(events: &[Value]) -> Vec<&str> {
    events.iter().map(|e| e["type"].as_str().unwrap()).collect()
}

/// What chat answers to this request.
async fn chat(m: &Mock, request: Value) -> Value {
    let r = m.post(CHAT, "/v1/chat/completions", request).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["choices"][0]["message"].clone()
}

async fn history(m: &Mock, id: &str) -> Vec<Value> {
    let r = post_get(m, HISTORY, &format!("/v1/conversations/{id}/history")).await;
    r.body["entries"].as_array().unwrap().clone()
}

async fn post_get(m: &Mock, op: &str, path: &str) -> Reply {
    let reply = crate::read(m.request(Method::GET, path)).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    conforms(op, &reply.body);
    reply
}

/// The chat messages after the model called `get_weather` and got [`RESULT`].
fn after_result(call: &Value) -> Value {
    json!([{"role": "user", "content": QUESTION},
        {"role": "assistant", "content": "", "tool_calls": [{"id": call["id"], "type": "function",
            "function": {"name": "get_weather", "arguments": call["function"]["arguments"]}}]},
        {"role": "tool", "tool_call_id": call["id"], "name": "get_weather", "content": RESULT}])
}

#[tokio::test]
async fn a_function_call_is_answered_with_its_result() {
    within(30, async {
        let m = mock().await;
        let expected = chat(
            &m,
            json!({"model": MODEL, "tools": [weather_tool()], "messages": [{"role": "user", "content": QUESTION}]}),
        )
        .await;
        let call = &expected["tool_calls"][0];
        let r = post(
            &m,
            START,
            "/v1/conversations",
            json!({"inputs": QUESTION, "model": MODEL, "tools": [weather_tool()]}),
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.text);
        let id = r.body["conversation_id"].as_str().unwrap().to_string();
        let outputs = r.body["outputs"].as_array().unwrap();
        assert_eq!(outputs.len(), 1, "{outputs:?}");
        let fc = &outputs[0];
        let entry_id = fc["id"].as_str().unwrap();
        assert!(entry_id.starts_with("fc_"), "{entry_id}");
        assert_eq!(
            fc,
            &json!({"object": "entry", "type": "function.call", "created_at": fc["created_at"],
                "completed_at": fc["completed_at"], "id": entry_id, "model": MODEL, "tool_call_id": call["id"],
                "name": "get_weather", "arguments": call["function"]["arguments"]})
        );
        assert!(fc["arguments"].as_str().unwrap().contains("\"city\""), "{fc}");

        // A result for no pending call is refused, and changes nothing.
        let path = format!("/v1/conversations/{id}");
        let stray = json!({"inputs": [{"type": "function.result", "tool_call_id": "nope", "result": "x"}]});
        let bad = post(&m, APPEND, &path, stray).await;
        assert_eq!(bad.status, 400, "{}", bad.text);
        assert_eq!(
            bad.body["message"],
            json!("function.result for tool_call_id nope does not answer a pending function.call")
        );
        assert_eq!(history(&m, &id).await.len(), 2);

        let result = json!({"inputs": [{"type": "function.result", "tool_call_id": call["id"], "result": RESULT}]});
        let r = post(&m, APPEND, &path, result.clone()).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let answer = chat(&m, json!({"model": MODEL, "tools": [weather_tool()], "messages": after_result(call)})).await;
        let text = answer["content"].as_str().unwrap();
        assert!(text.starts_with("According to get_weather, sky is cloudy and temperature_c is 18."), "{text}");
        let outputs = r.body["outputs"].as_array().unwrap();
        assert_eq!(outputs.len(), 1);
        assert_eq!(
            (&outputs[0]["type"], &outputs[0]["content"], &outputs[0]["model"]),
            (&json!("message.output"), &json!(text), &json!(MODEL))
        );

        // The same call is answered once.
        let again = post(&m, APPEND, &path, result).await;
        assert_eq!(again.status, 400, "{}", again.text);

        let entries = history(&m, &id).await;
        let kinds: Vec<&str> = entries.iter().map(|e| e["type"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["message.input", "function.call", "function.result", "message.output"]);
        assert_eq!((&entries[2]["tool_call_id"], &entries[2]["result"]), (&call["id"], &json!(RESULT)));
        assert!(entries[2]["id"].as_str().unwrap().starts_with("fr_"));
    })
    .await;
}

#[tokio::test]
async fn a_streamed_function_call_comes_as_function_call_deltas() {
    within(30, async {
        let m = mock().await;
        let expected = chat(
            &m,
            json!({"model": MODEL, "tools": [weather_tool()], "messages": [{"role": "user", "content": QUESTION}]}),
        )
        .await;
        let call = &expected["tool_calls"][0];
        let body = json!({"inputs": QUESTION, "model": MODEL, "tools": [weather_tool()], "stream": true});
        let (status, _, raw) = m.stream("/v1/conversations", body).await;
        assert_eq!(status, 200, "{raw}");
        let events = read_events(START, &raw);
        let kinds = types(&events);
        assert_eq!(kinds.first(), Some(&"conversation.response.started"));
        assert_eq!(kinds.last(), Some(&"conversation.response.done"));
        let deltas = &events[1..events.len() - 1];
        assert!(deltas.len() > 1, "the arguments come in pieces: {kinds:?}");
        let id = events[0]["conversation_id"].as_str().unwrap().to_string();
        let entries = history(&m, &id).await;
        for delta in deltas {
            assert_eq!(
                (&delta["type"], &delta["id"], &delta["name"], &delta["tool_call_id"], &delta["output_index"]),
                (&json!("function.call.delta"), &entries[1]["id"], &json!("get_weather"), &call["id"], &json!(0))
            );
            assert_eq!(delta["model"], json!(MODEL));
        }
        let arguments: String = deltas.iter().map(|d| d["arguments"].as_str().unwrap()).collect();
        assert_eq!(json!(arguments), call["function"]["arguments"]);
        assert_eq!(entries[1]["arguments"], json!(arguments));

        let result = json!({"inputs": [{"type": "function.result", "tool_call_id": call["id"], "result": RESULT}],
            "stream": true});
        let (status, _, raw) = m.stream(&format!("/v1/conversations/{id}"), result).await;
        assert_eq!(status, 200, "{raw}");
        let events = read_events(APPEND, &raw);
        let kinds = types(&events);
        assert!(kinds[1..kinds.len() - 1].iter().all(|k| *k == "message.output.delta"), "{kinds:?}");
        let text: String = events.iter().filter_map(|e| e["content"].as_str()).collect();
        let answer = chat(&m, json!({"model": MODEL, "tools": [weather_tool()], "messages": after_result(call)})).await;
        assert_eq!(json!(text), answer["content"]);
        assert!(events[1..events.len() - 1].iter().all(|e| e["output_index"] == json!(0)));
    })
    .await;
}
