//! Conversations: start/append/restart (plain and streamed), list, get, delete, history,
//! messages; every event type decoded, an unknown one kept; the accumulator.

mod support;

use futures::StreamExt;
use httpmock::Method::{DELETE, GET, POST};
use httpmock::MockServer;
use mistral_sdk::{ConversationAccumulator, ConversationEvent, ConversationStart, Error, StreamEvent};
use serde_json::{Value, json};

fn response(text: &str) -> Value {
    json!({
        "object": "conversation.response", "conversation_id": "conv_1",
        "outputs": [{"object": "entry", "type": "message.output", "id": "m1", "role": "assistant",
                     "content": text, "created_at": "2026-01-01T00:00:00Z", "completed_at": null}],
        "usage": {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5}
    })
}

fn sse(events: &[(&str, Value)]) -> String {
    events.iter().map(|(name, data)| format!("event: {name}\ndata: {data}\n\n")).collect()
}

/// One event of each kind the spec names, plus one it does not.
fn every_event() -> Vec<(&'static str, Value)> {
    vec![
        (
            "conversation.response.started",
            json!({"type": "conversation.response.started", "conversation_id": "conv_1"}),
        ),
        (
            "agent.handoff.started",
            json!({"type": "agent.handoff.started", "id": "h1", "previous_agent_id": "ag_1", "previous_agent_name": "a"}),
        ),
        (
            "agent.handoff.done",
            json!({"type": "agent.handoff.done", "id": "h1", "next_agent_id": "ag_2", "next_agent_name": "b"}),
        ),
        (
            "tool.execution.started",
            json!({"type": "tool.execution.started", "id": "t1", "name": "web_search", "arguments": "{\"q\""}),
        ),
        (
            "tool.execution.delta",
            json!({"type": "tool.execution.delta", "id": "t1", "name": "web_search", "arguments": ":\"x\"}"}),
        ),
        ("tool.execution.done", json!({"type": "tool.execution.done", "id": "t1", "name": "web_search"})),
        ("message.output.delta", json!({"type": "message.output.delta", "id": "m1", "content": "Hel"})),
        ("conversation.future.kind", json!({"type": "conversation.future.kind", "x": 1})),
        (
            "function.call.delta",
            json!({"type": "function.call.delta", "id": "f1", "name": "get_weather", "tool_call_id": "call_1", "arguments": "{\"city\":"}),
        ),
        (
            "message.output.delta",
            json!({"type": "message.output.delta", "id": "m1", "content": {"type": "text", "text": "lo"}}),
        ),
        (
            "function.call.delta",
            json!({"type": "function.call.delta", "id": "f1", "name": "", "tool_call_id": "", "arguments": "\"Paris\"}"}),
        ),
        (
            "conversation.response.done",
            json!({"type": "conversation.response.done", "usage": {"prompt_tokens": 4, "completion_tokens": 6, "total_tokens": 10}}),
        ),
    ]
}

#[tokio::test]
async fn start_with_a_model_or_an_agent() {
    let server = MockServer::start_async().await;
    let model = server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/conversations").json_body(json!({
                "model": "mistral-medium-latest", "inputs": "Hi", "instructions": "Be brief.", "store": true
            }));
            then.status(200).json_body(response("Hello"));
        })
        .await;
    let agent = server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/conversations").json_body(json!({"agent_id": "ag_1", "inputs": "Hi"}));
            then.status(200).json_body(response("Hey"));
        })
        .await;
    let client = support::client(&server.base_url());
    let start = ConversationStart::with_model("mistral-medium-latest", "Hi").instructions("Be brief.").store(true);
    let answer = client.conversations().start(start).await.unwrap();
    assert_eq!(answer.conversation_id, "conv_1");
    assert_eq!(answer.usage.total_tokens, Some(5));
    client.conversations().start(ConversationStart::with_agent("ag_1", "Hi")).await.unwrap();
    model.assert_async().await;
    agent.assert_async().await;

    let mut both = ConversationStart::with_agent("ag_1", "Hi").request().clone();
    both.model = Some("m".into());
    let err = client.conversations().start(both).await.unwrap_err();
    assert!(matches!(err, Error::InvalidRequest(ref m) if m.contains("not both")), "{err}");
}

#[tokio::test]
async fn append_restart_and_reads() {
    let server = MockServer::start_async().await;
    let append = server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/conversations/conv_1").json_body(json!({"inputs": "And then?"}));
            then.status(200).json_body(response("Then"));
        })
        .await;
    let restart = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v1/conversations/conv_1/restart")
                .json_body(json!({"from_entry_id": "m1", "inputs": "Again"}));
            then.status(200).json_body(response("Again"));
        })
        .await;
    let list = server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/conversations").query_param("page", "0").query_param("page_size", "5");
            then.status(200).json_body(json!([{"id": "conv_1", "model": "m", "object": "conversation",
                "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"}]));
        })
        .await;
    let delete = server
        .mock_async(|when, then| {
            when.method(DELETE).path("/v1/conversations/conv_1");
            then.status(204);
        })
        .await;
    let history = server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/conversations/conv_1/history");
            then.status(200)
                .json_body(json!({"conversation_id": "conv_1", "entries": [], "object": "conversation.history"}));
        })
        .await;
    let messages = server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/conversations/conv_1/messages");
            then.status(200)
                .json_body(json!({"conversation_id": "conv_1", "messages": [], "object": "conversation.messages"}));
        })
        .await;
    let client = support::client(&server.base_url());
    let conversations = client.conversations();
    conversations.append("conv_1", "And then?").await.unwrap();
    conversations.restart("conv_1", "m1", "Again").await.unwrap();
    assert_eq!(conversations.list(Some(0), Some(5), None).await.unwrap().len(), 1);
    conversations.delete("conv_1").await.unwrap();
    assert!(conversations.history("conv_1").await.unwrap().entries.is_empty());
    assert_eq!(conversations.messages("conv_1").await.unwrap().conversation_id, "conv_1");
    for mock in [append, restart, list, delete, history, messages] {
        mock.assert_async().await;
    }
    let err = conversations.restart("conv_1", "", "x").await.unwrap_err();
    assert!(matches!(err, Error::InvalidRequest(_)), "{err}");
}

#[tokio::test]
async fn every_event_type_is_decoded_and_an_unknown_one_kept() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v1/conversations")
                .header("accept", "text/event-stream")
                .json_body(json!({"model": "m", "inputs": "Hi", "stream": true}));
            then.status(200).header("content-type", "text/event-stream").body(sse(&every_event()));
        })
        .await;
    let client = support::client(&server.base_url());
    let stream = client.conversations().start_stream(ConversationStart::with_model("m", "Hi")).await.unwrap();
    let events: Vec<ConversationEvent> = stream.map(Result::unwrap).collect().await;
    mock.assert_async().await;
    assert_eq!(events.len(), 12);
    use ConversationEvent as E;
    assert!(matches!(&events[0], E::ResponseStarted(e) if e.conversation_id == "conv_1"));
    assert!(matches!(&events[1], E::AgentHandoffStarted(e) if e.previous_agent_id == "ag_1"));
    assert!(matches!(&events[2], E::AgentHandoffDone(e) if e.next_agent_id == "ag_2"));
    assert!(matches!(&events[3], E::ToolExecutionStarted(e) if e.id == "t1"));
    assert!(matches!(&events[4], E::ToolExecutionDelta(e) if e.arguments == ":\"x\"}"));
    assert!(matches!(&events[5], E::ToolExecutionDone(e) if e.id == "t1"));
    assert_eq!(events[6].text_delta().as_deref(), Some("Hel"));
    assert!(
        matches!(&events[7], E::Other { event, data } if event == "conversation.future.kind" && data["x"] == 1),
        "{:?}",
        events[7]
    );
    assert!(matches!(&events[8], E::FunctionCallDelta(e) if e.tool_call_id == "call_1"));
    assert_eq!(events[9].text_delta().as_deref(), Some("lo"));
    assert!(matches!(&events[11], E::ResponseDone(e) if e.usage.total_tokens == Some(10)));

    let mut all = ConversationAccumulator::new();
    events.iter().for_each(|e| all.push(e));
    assert_eq!(all.conversation_id(), Some("conv_1"));
    assert_eq!(all.text(), "Hello");
    assert_eq!(all.function_calls()[0].name, "get_weather");
    assert_eq!(all.function_calls()[0].tool_call_id, "call_1");
    let args: Value = all.function_calls()[0].arguments().unwrap();
    assert_eq!(args, json!({"city": "Paris"}));
    assert!(all.is_done());
}

#[tokio::test]
async fn events_named_only_by_their_type_and_an_error_event() {
    let server = MockServer::start_async().await;
    let body = format!(
        "data: {}\n\nevent: conversation.response.error\ndata: {}\n\n",
        json!({"type": "message.output.delta", "id": "m1", "content": "x"}),
        json!({"type": "conversation.response.error", "message": "tool failed", "code": 3000})
    );
    let mock = server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/conversations/conv_1").json_body(json!({"inputs": "Hi", "stream": true}));
            then.status(200).header("content-type", "text/event-stream").body(body);
        })
        .await;
    let client = support::client(&server.base_url());
    let events: Vec<_> = client.conversations().append_stream("conv_1", "Hi").await.unwrap().collect().await;
    mock.assert_async().await;
    assert_eq!(events.len(), 2);
    assert!(matches!(events[0], Ok(ConversationEvent::MessageOutputDelta(_))));
    let mut all = ConversationAccumulator::new();
    all.push(events[1].as_ref().unwrap());
    assert_eq!(all.error().map(|e| e.code), Some(3000));
    assert!(all.is_done());
}

#[tokio::test]
async fn restart_stream_sends_the_entry_and_a_cut_stream_is_an_error() {
    let server = MockServer::start_async().await;
    let body = sse(&every_event()[..3]);
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v1/conversations/conv_1/restart")
                .json_body(json!({"from_entry_id": "m1", "inputs": "Again", "stream": true}));
            then.status(200).header("content-type", "text/event-stream").body(body);
        })
        .await;
    let client = support::client(&server.base_url());
    let events: Vec<_> = client.conversations().restart_stream("conv_1", "m1", "Again").await.unwrap().collect().await;
    mock.assert_async().await;
    assert_eq!(events.len(), 4);
    assert!(matches!(events[3], Err(Error::Stream { .. })));
}

fn decode(name: &str, data: Value) -> ConversationEvent {
    ConversationEvent::decode(name, &data.to_string()).unwrap()
}

#[test]
fn accumulator_keeps_interleaved_messages_and_calls_apart() {
    let delta = |id: &str, text: &str| {
        decode("message.output.delta", json!({"type": "message.output.delta", "id": id, "content": text}))
    };
    let call = |id: &str, name: &str, args: &str| {
        decode(
            "function.call.delta",
            json!({"type": "function.call.delta", "id": id, "name": name, "tool_call_id": format!("call_{id}"), "arguments": args}),
        )
    };
    let mut all = ConversationAccumulator::new();
    for event in [
        delta("m1", "Bon"),
        call("a", "f", "{\"x\""),
        delta("m2", "Hel"),
        call("b", "g", "{}"),
        delta("m1", "jour"),
        call("a", "", ":1}"),
        delta("m2", "lo"),
    ] {
        all.push(&event);
    }
    assert_eq!(all.message("m1"), Some("Bonjour"));
    assert_eq!(all.message("m2"), Some("Hello"));
    assert_eq!(all.messages().len(), 2);
    let calls = all.function_calls();
    assert_eq!((calls[0].name.as_str(), calls[0].arguments.as_str()), ("f", "{\"x\":1}"));
    assert_eq!((calls[1].name.as_str(), calls[1].arguments.as_str()), ("g", "{}"));
    assert!(!all.is_done());
    assert!(all.usage().is_none());
}

#[test]
fn a_known_event_that_does_not_fit_is_an_error() {
    let err = ConversationEvent::decode("function.call.delta", r#"{"type":"function.call.delta"}"#).unwrap_err();
    assert!(matches!(err, Error::Decode { .. }), "{err}");
}

#[tokio::test]
async fn pages_until_a_short_page() {
    let server = MockServer::start_async().await;
    let conversation = |id: &str| {
        json!({"id": id, "model": "m", "object": "conversation",
               "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"})
    };
    let full = server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/conversations").query_param("page", "0").query_param("page_size", "2");
            then.status(200).json_body(json!([conversation("c1"), conversation("c2")]));
        })
        .await;
    let short = server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/conversations").query_param("page", "1").query_param("page_size", "2");
            then.status(200).json_body(json!([conversation("c3")]));
        })
        .await;
    let client = support::client(&server.base_url());
    let pages: Vec<_> = futures::TryStreamExt::try_collect(client.conversations().pages(0, 2)).await.unwrap();
    assert_eq!(pages.iter().map(Vec::len).collect::<Vec<_>>(), [2, 1]);
    full.assert_async().await;
    short.assert_async().await;
}
