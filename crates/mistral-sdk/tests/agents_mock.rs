//! Agents and conversations end to end against the mock with state of its own
//! (`stateful_beta`): an agent is created, answers, holds a conversation (streamed and folded),
//! keeps its history, and is deleted.

use futures::StreamExt;
use mistral_mock::MockServer;
use mistral_sdk::{AgentRequest, ChatResponseExt, Client, ConversationAccumulator, ConversationStart, NewAgent};

async fn server() -> (MockServer, Client) {
    let server = MockServer::builder().stateful_beta(true).start().await.unwrap();
    let client = Client::builder().api_key("k").base_url(server.base_url()).build().unwrap();
    (server, client)
}

#[tokio::test]
async fn an_agent_answers_and_holds_a_streamed_conversation() {
    tokio::time::timeout(std::time::Duration::from_secs(30), async {
        let (server, client) = server().await;
        let agent = client
            .agents()
            .create(NewAgent::new("mistral-small-latest", "Cheesemonger").instructions("Talk about cheese."))
            .await
            .unwrap();
        assert_eq!(
            (agent.model.as_str(), agent.name.as_str(), agent.version),
            ("mistral-small-latest", "Cheesemonger", 0)
        );
        assert_eq!(client.agents().get(&agent.id).await.unwrap().id, agent.id);

        let answer = client.agents().complete(AgentRequest::new(&agent.id).user("Best cheese?")).await.unwrap();
        assert!(!answer.text().is_empty());
        let sent = server.received_for(&mistral_openapi::operations::AGENTS_COMPLETION_V1_AGENTS_COMPLETIONS_POST);
        assert_eq!(sent[0].body.as_ref().unwrap()["agent_id"], agent.id.as_str());

        // A streamed conversation with the agent, folded by the accumulator.
        let mut events =
            client.conversations().start_stream(ConversationStart::with_agent(&agent.id, "Hello")).await.unwrap();
        let mut folded = ConversationAccumulator::new();
        while let Some(event) = events.next().await {
            folded.push(&event.unwrap());
        }
        assert!(folded.is_done() && folded.usage().is_some(), "{folded:?}");
        assert!(!folded.text().is_empty());
        let conversation = folded.conversation_id().expect("the conversation's id").to_string();

        // It kept the exchange: the user's input and the agent's answer.
        let history = client.conversations().history(&conversation).await.unwrap();
        assert_eq!(history.conversation_id, conversation);
        assert!(history.entries.len() >= 2, "{history:?}");
        let appended = client.conversations().append(&conversation, "And a wine?").await.unwrap();
        assert_eq!(appended.conversation_id, conversation);
        assert!(client.conversations().history(&conversation).await.unwrap().entries.len() >= 4);

        client.conversations().delete(&conversation).await.unwrap();
        client.agents().delete(&agent.id).await.unwrap();
        let gone = client.agents().get(&agent.id).await.unwrap_err();
        assert_eq!(gone.status(), Some(404));
    })
    .await
    .expect("no hang");
}

#[derive(serde::Deserialize, schemars::JsonSchema)]
struct City {
    city: String,
}

#[tokio::test]
async fn a_function_tool_is_answered_by_rust_and_a_handoff_reaches_the_other_agent() {
    use mistral_sdk::Functions;
    use mistral_sdk::types::{ConversationHistoryEntriesItem, ConversationResponseOutputsItem};
    tokio::time::timeout(std::time::Duration::from_secs(30), async {
        let (_server, client) = server().await;
        let functions = Functions::new().add("get_weather", "Current weather in a city", |c: City| async move {
            Ok::<_, String>(serde_json::json!({"sky": "cloudy", "city": c.city}))
        });
        let forecaster = client
            .agents()
            .create(NewAgent::new("mistral-small-latest", "Forecaster").tools(functions.tools()))
            .await
            .unwrap();
        let run = client
            .conversations()
            .run(ConversationStart::with_agent(&forecaster.id, "What is the weather in Lyon?"), &functions, 2)
            .await
            .unwrap();
        assert_eq!(run.rounds, 1);
        let call = run.function_calls().next().unwrap();
        assert_eq!(call.name, "get_weather");
        assert_eq!(run.results[0].tool_call_id, call.tool_call_id);
        assert_eq!(run.results[0].result, r#"{"city":"Lyon","sky":"cloudy"}"#);
        assert!(run.text().starts_with("According to get_weather, city is Lyon and sky is cloudy."), "{}", run.text());
        let history = client.conversations().history(&run.conversation_id).await.unwrap();
        let kinds: Vec<&str> = history
            .entries
            .iter()
            .map(|e| match e {
                ConversationHistoryEntriesItem::MessageInput(_) => "input",
                ConversationHistoryEntriesItem::FunctionCall(_) => "call",
                ConversationHistoryEntriesItem::FunctionResult(_) => "result",
                ConversationHistoryEntriesItem::MessageOutput(_) => "output",
                _ => "other",
            })
            .collect();
        assert_eq!(kinds, ["input", "call", "result", "output"]);

        // The desk hands off to the forecaster when the message names it.
        let desk = client
            .agents()
            .create(NewAgent::new("mistral-small-latest", "Desk").handoffs([forecaster.id.clone()]))
            .await
            .unwrap();
        let answer = client
            .conversations()
            .start(ConversationStart::with_agent(&desk.id, "Ask the forecaster about the sky in Nice."))
            .await
            .unwrap();
        let ConversationResponseOutputsItem::AgentHandoff(handoff) = &answer.outputs[0] else {
            panic!("{:?}", answer.outputs)
        };
        assert_eq!(
            (handoff.previous_agent_id.as_str(), handoff.next_agent_id.as_str()),
            (desk.id.as_str(), forecaster.id.as_str())
        );
        assert!(answer.outputs.len() >= 2, "{:?}", answer.outputs);
        for agent in [&desk.id, &forecaster.id] {
            client.agents().delete(agent).await.unwrap();
        }
    })
    .await
    .unwrap();
}
