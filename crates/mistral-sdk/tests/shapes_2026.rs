//! Answers in the API's 2026 shapes, and in tomorrow's (kinds this release does not know),
//! decode: reasoning content, content chunks, model cards, files, stream deltas.

mod support;

use futures::StreamExt;
use httpmock::Method::{GET, POST};
use httpmock::MockServer;
use mistral_sdk::types::{ContentChunk, MessageContent, Model};
use mistral_sdk::{ChatRequest, ChatResponseExt, ModelExt};
use serde_json::json;
use support::{ScriptServer, chunk, client, end, head};

fn completion(content: serde_json::Value) -> serde_json::Value {
    json!({
        "id": "cmpl-1", "object": "chat.completion", "created": 1_764_547_200, "model": "magistral-small-latest",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": content, "tool_calls": null},
                     "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 20, "total_tokens": 30,
                  "completion_tokens_details": {"reasoning_tokens": 12}, "prompt_tokens_details": {"cached_tokens": 0}}
    })
}

#[tokio::test]
async fn a_reasoning_answer_keeps_its_thinking_apart_and_unknown_chunks_as_raw_json() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/chat/completions");
            then.status(200).json_body(completion(json!([
                {"type": "thinking", "thinking": [{"type": "text", "text": "Comté ages longest."}]},
                {"type": "text", "text": "Comté."},
                {"type": "hologram", "frames": [1, 2, 3]}
            ])));
        })
        .await;
    let response =
        client(&server.base_url()).chat().create(ChatRequest::new("magistral-small-latest").user("Best cheese?")).await;
    let response = response.unwrap();
    mock.assert_async().await;
    // The answer without the reasoning.
    assert_eq!(response.text(), "Comté.");
    let Some(MessageContent::Array(chunks)) = &response.choices[0].message.content else {
        panic!("chunks, not {:?}", response.choices[0].message.content);
    };
    assert!(matches!(&chunks[0], ContentChunk::Thinking(t) if t.thinking.len() == 1), "{:?}", chunks[0]);
    assert!(matches!(&chunks[1], ContentChunk::Text(t) if t.text == "Comté."), "{:?}", chunks[1]);
    // Tomorrow's chunk kind: kept whole, never an error.
    match &chunks[2] {
        ContentChunk::Other(raw) => {
            assert_eq!(serde_json::Value::Object(raw.clone()), json!({"type": "hologram", "frames": [1, 2, 3]}))
        }
        other => panic!("Other, not {other:?}"),
    }
    assert_eq!(response.usage.completion_tokens, Some(20));
}

#[tokio::test]
async fn model_cards_of_every_kind_decode() {
    let server = MockServer::start_async().await;
    let caps = json!({"completion_chat": true, "function_calling": true, "completion_fim": false,
                      "fine_tuning": false, "vision": false, "classification": false});
    server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/models");
            then.status(200).json_body(json!({"object": "list", "data": [
                {"id": "mistral-small-latest", "object": "model", "created": 1, "owned_by": "mistralai",
                 "capabilities": caps, "type": "base", "name": null, "description": null, "aliases": [],
                 "max_context_length": 131072, "deprecation": null, "default_model_temperature": 0.3},
                {"id": "ft:open-mistral-7b:a:20260101:b", "object": "model", "created": 2, "owned_by": "a",
                 "capabilities": caps, "type": "fine-tuned", "job": "2f4b9a6e-8c1d-4e3f-9a7b-5c6d7e8f9a0b",
                 "root": "open-mistral-7b", "archived": false},
                {"id": "router-1", "object": "model", "created": 3, "type": "router", "routes": ["a", "b"]}
            ]}));
        })
        .await;
    let models = client(&server.base_url()).models().list().await.unwrap();
    let kinds: Vec<(&str, &str)> = models.data.iter().map(|m| (m.id(), m.kind())).collect();
    assert_eq!(
        kinds,
        [("mistral-small-latest", "base"), ("ft:open-mistral-7b:a:20260101:b", "fine-tuned"), ("router-1", "router")]
    );
    assert!(matches!(&models.data[0], Model::Base(card) if card.max_context_length == Some(131072)));
    assert!(matches!(&models.data[1], Model::FineTuned(card) if card.root == "open-mistral-7b"));
    assert!(matches!(&models.data[2], Model::Other(raw) if raw["routes"] == json!(["a", "b"])));
}

#[tokio::test]
async fn thinking_deltas_stream_apart_from_the_answer() {
    let body = [
        r#"data: {"id":"c","model":"m","choices":[{"index":0,"delta":{"role":"assistant","content":[{"type":"thinking","thinking":[{"type":"text","text":"hmm"}]}]},"finish_reason":null}]}"#,
        // A server that leaves out `finish_reason: null` is read the same.
        r#"data: {"id":"c","model":"m","choices":[{"index":0,"delta":{"content":"Com"}}]}"#,
        r#"data: {"id":"c","model":"m","choices":[{"index":0,"delta":{"content":[{"type":"text","text":"té."}]},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":4,"total_tokens":7}}"#,
        "data: [DONE]",
    ]
    .map(|e| format!("{e}\n\n"))
    .concat();
    let server = ScriptServer::start(vec![vec![head(200, "text/event-stream"), chunk(body.as_bytes()), end()]]).await;
    let stream = client(&server.base_url).chat().stream(ChatRequest::new("m").user("Best cheese?")).await.unwrap();
    let texts: Vec<String> = stream.text().map(|t| t.unwrap()).collect().await;
    assert_eq!(texts.concat(), "Comté.");
}

#[tokio::test]
async fn a_tool_call_of_a_new_kind_decodes() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/chat/completions");
            let mut body = completion(json!(""));
            body["choices"][0]["message"]["tool_calls"] = json!([
                {"id": "D681PevKs", "type": "function", "index": 0, "function": {"name": "get_weather", "arguments": {"city": "Lyon"}}},
                {"id": "X1", "type": "mcp_call", "index": 1, "function": {"name": "lookup", "arguments": "{}"}}
            ]);
            body["choices"][0]["finish_reason"] = json!("tool_calls");
            then.status(200).json_body(body);
        })
        .await;
    let response = client(&server.base_url()).chat().create(ChatRequest::new("m").user("Weather?")).await.unwrap();
    let calls = response.tool_calls();
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[0].type_, Some(mistral_sdk::types::ToolTypes::Function.into()));
    assert_eq!(calls[1].type_, Some(mistral_sdk::types::ToolCallType::Other("mcp_call".into())));
    #[derive(serde::Deserialize)]
    struct Weather {
        city: String,
    }
    // Arguments sent as an object read like a string's.
    assert_eq!(mistral_sdk::ToolCallExt::arguments::<Weather>(&calls[0]).unwrap().city, "Lyon");
}
