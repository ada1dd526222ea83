//! `Conversations::run`: function calls answered by Rust functions, results appended on the
//! wire, concurrent calls of one round, errors sent to the model, the bound on rounds.

mod support;

use httpmock::Method::POST;
use httpmock::MockServer;
use mistral_sdk::types::ConversationResponseOutputsItem;
use mistral_sdk::{ConversationStart, Error, Functions};
use serde_json::{Value, json};

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct Weather {
    /// The city.
    city: String,
}

fn functions() -> Functions {
    Functions::new()
        .add("get_weather", "Current weather in a city", |w: Weather| async move {
            if w.city == "Atlantis" {
                return Err(format!("no station in {}", w.city));
            }
            Ok(json!({"city": w.city, "sky": "cloudy"}))
        })
        .add("get_time", "The time in a city", |w: Weather| async move {
            Ok::<_, std::convert::Infallible>(format!("12:00 in {}", w.city))
        })
}

fn call(id: &str, name: &str, arguments: &str) -> Value {
    json!({"object": "entry", "type": "function.call", "id": format!("fc_{id}"), "tool_call_id": id,
           "name": name, "arguments": arguments})
}

fn response(outputs: Vec<Value>) -> Value {
    json!({"object": "conversation.response", "conversation_id": "conv_1", "outputs": outputs,
           "usage": {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5}})
}

fn message(text: &str) -> Value {
    json!({"object": "entry", "type": "message.output", "id": "m1", "role": "assistant", "content": text})
}

fn result(id: &str, result: &str) -> Value {
    json!({"type": "function.result", "tool_call_id": id, "result": result})
}

#[tokio::test]
async fn calls_are_answered_and_the_results_appended() {
    let server = MockServer::start_async().await;
    let start = server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/conversations").json_body_includes(
                json!({"model": "mistral-medium-latest", "inputs": "Weather and time in Paris? And Atlantis?"})
                    .to_string(),
            );
            then.status(200).json_body(response(vec![
                call("c1", "get_weather", r#"{"city": "Paris"}"#),
                call("c2", "get_time", r#"{"city": "Paris"}"#),
                call("c3", "get_weather", r#"{"city": "Atlantis"}"#),
                call("c4", "get_stock", "{}"),
                call("c5", "get_time", r#"{"town": "Paris"}"#),
            ]));
        })
        .await;
    let append = server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/conversations/conv_1").json_body(json!({"inputs": [
                result("c1", r#"{"city":"Paris","sky":"cloudy"}"#),
                result("c2", "12:00 in Paris"),
                result("c3", r#"{"error":"no station in Atlantis"}"#),
                result("c4", r#"{"error":"no function named \"get_stock\""}"#),
                result("c5", r#"{"error":"the arguments do not fit: missing field `city`"}"#),
            ]}));
            then.status(200).json_body(response(vec![message("Cloudy, noon.")]));
        })
        .await;
    let client = support::client(&server.base_url());
    let start_request =
        ConversationStart::with_model("mistral-medium-latest", "Weather and time in Paris? And Atlantis?");
    let run = client.conversations().run(start_request, &functions(), 2).await.unwrap();
    start.assert_async().await;
    append.assert_async().await;
    assert_eq!(run.conversation_id, "conv_1");
    assert_eq!(run.rounds, 1);
    assert_eq!(run.text(), "Cloudy, noon.");
    assert_eq!(run.function_calls().count(), 5);
    assert_eq!(run.results.len(), 5);
    assert_eq!(run.usage.len(), 2);
    assert!(matches!(run.outputs.last(), Some(ConversationResponseOutputsItem::MessageOutput(_))));
}

#[tokio::test]
async fn the_functions_are_declared_as_tools_with_a_model() {
    let server = MockServer::start_async().await;
    let start = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v1/conversations")
                .json_body_includes(json!({"model": "mistral-medium-latest", "inputs": "Hi"}).to_string())
                .body_includes(r#"{"function":{"description":"Current weather in a city","name":"get_weather","#)
                .body_includes(r#"{"function":{"description":"The time in a city","name":"get_time","#)
                .body_includes(r#""required":["city"]"#)
                .body_includes(r#""type":"function""#);
            then.status(200).json_body(response(vec![message("Hi")]));
        })
        .await;
    let client = support::client(&server.base_url());
    let run = client
        .conversations()
        .run(ConversationStart::with_model("mistral-medium-latest", "Hi"), &functions(), 2)
        .await
        .unwrap();
    assert_eq!(run.rounds, 0);
    assert_eq!(run.text(), "Hi");
    start.assert_async().await;

    // With an agent the tools are the agent's: nothing is added.
    let agent = server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/conversations").json_body(json!({"agent_id": "ag_1", "inputs": "Hi"}));
            then.status(200).json_body(response(vec![message("Hey")]));
        })
        .await;
    client.conversations().run(ConversationStart::with_agent("ag_1", "Hi"), &functions(), 2).await.unwrap();
    agent.assert_async().await;
}

#[tokio::test]
async fn more_rounds_than_the_bound_is_an_error_holding_the_run() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/conversations");
            then.status(200).json_body(response(vec![call("c1", "get_time", r#"{"city": "Oslo"}"#)]));
        })
        .await;
    let appends = server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/conversations/conv_1");
            then.status(200).json_body(response(vec![call("c2", "get_time", r#"{"city": "Oslo"}"#)]));
        })
        .await;
    let client = support::client(&server.base_url());
    let err =
        client.conversations().run(ConversationStart::with_model("m", "Time?"), &functions(), 2).await.unwrap_err();
    let Error::FunctionRounds { run } = err else { panic!("{err}") };
    assert_eq!(run.rounds, 2);
    appends.assert_calls_async(2).await;
    assert_eq!(run.function_calls().count(), 3);
    assert_eq!(run.results.len(), 2);
    assert!(Error::FunctionRounds { run }.to_string().contains("after 2 rounds"));
}

#[tokio::test]
async fn run_append_continues_a_conversation() {
    let server = MockServer::start_async().await;
    let first = server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/conversations/conv_1").json_body(json!({"inputs": "Time in Rome?"}));
            then.status(200).json_body(response(vec![call("c1", "get_time", r#"{"city": "Rome"}"#)]));
        })
        .await;
    let second = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v1/conversations/conv_1")
                .json_body(json!({"inputs": [result("c1", "12:00 in Rome")]}));
            then.status(200).json_body(response(vec![message("Noon.")]));
        })
        .await;
    let client = support::client(&server.base_url());
    let run = client.conversations().run_append("conv_1", "Time in Rome?", &functions(), 1).await.unwrap();
    first.assert_async().await;
    second.assert_async().await;
    assert_eq!(run.text(), "Noon.");
    assert_eq!(run.rounds, 1);
}
