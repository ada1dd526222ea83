//! Streams as 2026 servers send them: thinking deltas apart from the answer, tool calls in
//! OpenAI-style fragments (index only, no id or name), several choices interleaved by index.

mod support;

use futures::StreamExt;
use mistral_sdk::types::{ContentChunk, FinishReason, KnownFinishReason, MessageContent, ThinkingChunk};
use mistral_sdk::{ChatRequest, ChatResponseExt, ChoiceDelta, CompletionStream, Delta, ToolCallExt};
use serde_json::{Value, json};
use support::{ScriptServer, chunk, client, end, head};

fn event(choices: Value) -> String {
    format!(
        "data: {}\n\n",
        json!({"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "m", "choices": choices})
    )
}

fn delta(index: i64, delta: Value, finish: Option<&str>) -> Value {
    json!({"index": index, "delta": delta, "finish_reason": finish})
}

async fn stream_of(events: &[String]) -> (ScriptServer, CompletionStream) {
    let body = format!("{}data: [DONE]\n\n", events.concat());
    // Cut into small pieces: events arrive split across reads.
    let mut script = vec![head(200, "text/event-stream")];
    script.extend(body.as_bytes().chunks(23).map(chunk));
    script.push(end());
    let server = ScriptServer::start(vec![script]).await;
    let stream = client(&server.base_url).chat().stream(ChatRequest::new("m").user("x")).await.unwrap();
    (server, stream)
}

fn thinking(text: &str) -> Value {
    json!([{"type": "thinking", "thinking": [{"type": "text", "text": text}]}])
}

fn reasoning_events() -> Vec<String> {
    vec![
        event(json!([delta(0, json!({"role": "assistant", "content": ""}), None)])),
        event(json!([delta(0, json!({"content": thinking("Straw has one r, ")}), None)])),
        event(json!([delta(0, json!({"content": thinking("berry two.")}), None)])),
        event(json!([delta(
            0,
            json!({"content": [{"type": "thinking", "thinking": [], "signature": "s1", "closed": true}]}),
            None
        )])),
        event(json!([delta(0, json!({"content": "Three"}), None)])),
        event(json!([delta(0, json!({"content": [{"type": "text", "text": "."}]}), Some("stop"))])),
    ]
}

#[tokio::test]
async fn thinking_deltas_come_apart_from_the_text() {
    let (_server, stream) = stream_of(&reasoning_events()).await;
    let deltas: Vec<ChoiceDelta> = stream.deltas().map(Result::unwrap).collect().await;
    let delta = |index, delta| ChoiceDelta { index, delta };
    assert_eq!(
        deltas,
        [
            delta(0, Delta::Thinking("Straw has one r, ".into())),
            delta(0, Delta::Thinking("berry two.".into())),
            delta(0, Delta::Text("Three".into())),
            delta(0, Delta::Text(".".into())),
            delta(0, Delta::Finish(FinishReason::Known(KnownFinishReason::Stop))),
        ]
    );
}

#[tokio::test]
async fn the_accumulator_keeps_thinking_apart_from_the_text() {
    let (_server, stream) = stream_of(&reasoning_events()).await;
    let response = stream.collect_response().await.unwrap();
    assert_eq!(response.text(), "Three.");
    assert_eq!(response.thinking(), "Straw has one r, berry two.");
    // The folded message is what a non-streamed reasoning answer is: [thinking, text].
    let Some(MessageContent::Array(chunks)) = &response.choices[0].message.content else {
        panic!("chunks, not {:?}", response.choices[0].message.content)
    };
    assert_eq!(chunks.len(), 2, "{chunks:?}");
    let ContentChunk::Thinking(think) = &chunks[0] else { panic!("thinking first: {chunks:?}") };
    assert_eq!((think.signature.as_deref(), think.closed), (Some("s1"), Some(true)));
    assert!(matches!(&think.thinking[..], [ThinkingChunk::Text(t)] if t.text == "Straw has one r, berry two."));
    assert!(matches!(&chunks[1], ContentChunk::Text(t) if t.text == "Three."));
    // The text-only helper skips the thinking.
    let (_server, stream) = stream_of(&reasoning_events()).await;
    let text: Vec<String> = stream.text().map(Result::unwrap).collect().await;
    assert_eq!(text.concat(), "Three.");
}

#[tokio::test]
async fn tool_call_fragments_with_only_an_index_are_merged() {
    let events = [
        event(json!([delta(0, json!({"role": "assistant", "content": ""}), None)])),
        // The first fragment of each call has its id and name...
        event(json!([delta(
            0,
            json!({"tool_calls": [
            {"index": 0, "id": "call_a", "type": "function", "function": {"name": "get_weather", "arguments": ""}}]}),
            None
        )])),
        // ...the next ones only the index and more arguments: no id, no name, or no function
        // name at all (as some OpenAI-style servers send them).
        event(json!([delta(0, json!({"tool_calls": [{"index": 0, "function": {"arguments": "{\"city\": "}}]}), None)])),
        event(json!([delta(
            0,
            json!({"tool_calls": [
            {"index": 1, "id": "call_b", "type": "function", "function": {"name": "get_time", "arguments": "{\"tz\""}}]}),
            None
        )])),
        event(json!([delta(
            0,
            json!({"tool_calls": [{"index": 0, "function": {"name": null, "arguments": "\"Paris\"}"}}]}),
            None
        )])),
        event(json!([delta(
            0,
            json!({"tool_calls": [{"index": 1, "function": {"name": "", "arguments": ": \"CET\"}"}}]}),
            None
        )])),
        event(json!([delta(0, json!({"tool_calls": [{"index": 1, "type": "function"}]}), Some("tool_calls"))])),
    ];
    let (_server, stream) = stream_of(&events).await;
    let response = stream.collect_response().await.unwrap();
    let calls = response.tool_calls();
    assert_eq!(calls.len(), 2, "{calls:?}");
    assert_eq!(
        (calls[0].id.as_deref(), calls[0].function.name.as_str(), &*calls[0].arguments_text()),
        (Some("call_a"), "get_weather", "{\"city\": \"Paris\"}")
    );
    assert_eq!(
        (calls[1].id.as_deref(), calls[1].function.name.as_str(), &*calls[1].arguments_text()),
        (Some("call_b"), "get_time", "{\"tz\": \"CET\"}")
    );
    #[derive(serde::Deserialize)]
    struct City {
        city: String,
    }
    assert_eq!(calls[0].arguments::<City>().unwrap().city, "Paris");

    // The same fragments, delta by delta.
    let (_server, stream) = stream_of(&events).await;
    let deltas: Vec<Delta> = stream.deltas().map(|d| d.unwrap().delta).collect().await;
    assert_eq!(
        deltas[0],
        Delta::ToolCall {
            index: Some(0),
            id: Some("call_a".into()),
            name: Some("get_weather".into()),
            arguments: String::new()
        }
    );
    assert_eq!(deltas[1], Delta::ToolCall { index: Some(0), id: None, name: None, arguments: "{\"city\": ".into() });
    assert_eq!(deltas.len(), 7, "{deltas:?}");
}

#[tokio::test]
async fn calls_sharing_an_index_but_not_an_id_stay_apart() {
    // Whole calls, each with its own id, both at index 0 (one per chunk).
    let call = |id: &str, name: &str| {
        event(json!([delta(
            0,
            json!({"tool_calls": [
            {"index": 0, "id": id, "type": "function", "function": {"name": name, "arguments": {"x": 1}}}]}),
            None
        )]))
    };
    let events = [call("a", "f"), call("b", "g"), event(json!([delta(0, json!({}), Some("tool_calls"))]))];
    let (_server, stream) = stream_of(&events).await;
    let response = stream.collect_response().await.unwrap();
    let names: Vec<&str> = response.tool_calls().iter().map(|c| c.function.name.as_str()).collect();
    assert_eq!(names, ["f", "g"]);
}

fn two_choices() -> Vec<String> {
    vec![
        event(json!([delta(0, json!({"role": "assistant", "content": ""}), None)])),
        event(json!([delta(1, json!({"role": "assistant", "content": ""}), None)])),
        event(json!([delta(1, json!({"content": "Wh"}), None)])),
        event(json!([delta(0, json!({"content": "A"}), None)])),
        event(json!([delta(1, json!({"content": "isper"}), None)])),
        event(json!([delta(0, json!({"content": "ard"}), None)])),
        event(json!([delta(1, json!({"content": ""}), Some("stop"))])),
        event(json!([delta(0, json!({"content": "vark"}), Some("length"))])),
    ]
}

#[tokio::test]
async fn two_choices_interleaved_by_index_fold_apart() {
    let (_server, stream) = stream_of(&two_choices()).await;
    let response = stream.collect_response().await.unwrap();
    assert_eq!(response.choices.len(), 2);
    assert_eq!(response.texts(), ["Aardvark", "Whisper"]);
    assert_eq!(response.choices[0].finish_reason, FinishReason::Known(KnownFinishReason::Length));
    assert_eq!(response.choices[1].finish_reason, FinishReason::Known(KnownFinishReason::Stop));

    // Deltas say which choice they belong to; text() follows the first choice only.
    let (_server, stream) = stream_of(&two_choices()).await;
    let mut per_choice = [String::new(), String::new()];
    let mut deltas = std::pin::pin!(stream.deltas());
    while let Some(d) = deltas.next().await {
        let d = d.unwrap();
        if let Delta::Text(t) = d.delta {
            per_choice[d.index as usize].push_str(&t);
        }
    }
    assert_eq!(per_choice, ["Aardvark", "Whisper"]);
    let (_server, stream) = stream_of(&two_choices()).await;
    let first: Vec<String> = stream.text().map(Result::unwrap).collect().await;
    assert_eq!(first.concat(), "Aardvark");
}

#[tokio::test]
async fn other_chunks_in_deltas_are_given_as_sent() {
    let events = [event(json!([delta(
        0,
        json!({"content": [
            {"type": "reference", "reference_ids": [3]},
            {"type": "tool_file", "tool": "image_generation", "file_id": "f-1"},
            {"type": "text", "text": "See the picture."}
        ]}),
        Some("stop")
    )]))];
    let (_server, stream) = stream_of(&events).await;
    let deltas: Vec<Delta> = stream.deltas().map(|d| d.unwrap().delta).collect().await;
    assert!(matches!(&deltas[0], Delta::Chunk(ContentChunk::Reference(r)) if r.reference_ids.len() == 1));
    assert!(matches!(&deltas[1], Delta::Chunk(ContentChunk::Other(raw)) if raw["file_id"] == "f-1"));
    assert_eq!(deltas[2], Delta::Text("See the picture.".into()));
    // Folded, they stay in order around the text.
    let (_server, stream) = stream_of(&events).await;
    let response = stream.collect_response().await.unwrap();
    let Some(MessageContent::Array(chunks)) = &response.choices[0].message.content else { panic!() };
    assert_eq!(chunks.len(), 3);
    assert_eq!(response.text(), "See the picture.");
}
