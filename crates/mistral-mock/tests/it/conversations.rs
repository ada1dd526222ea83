//! Conversations with state of their own (`stateful_beta`): started with a model or an agent,
//! appended to, restarted from an entry, listed, got, deleted; entries kept; answers from the
//! chat engine, streamed as the API's named events.

use mistral_mock::MockServer;
use serde_json::{Value, json};

use crate::{Mock, named_events, within};

const START: &str = "agents_api_v1_conversations_start";
const APPEND: &str = "agents_api_v1_conversations_append";
const RESTART: &str = "agents_api_v1_conversations_restart";
const LIST: &str = "agents_api_v1_conversations_list";
const GET: &str = "agents_api_v1_conversations_get";
const DELETE: &str = "agents_api_v1_conversations_delete";
const HISTORY: &str = "agents_api_v1_conversations_history";
const MESSAGES: &str = "agents_api_v1_conversations_messages";
const CHAT: &str = "createChatCompletion";
const QUESTION: &str = "What is the capital of France?";

async fn mock() -> Mock {
    Mock::with(MockServer::builder().stateful_beta(true)).await
}

/// What chat answers to these messages with this model.
async fn chat(m: &Mock, model: &str, messages: Value) -> String {
    let r = m.post(CHAT, "/v1/chat/completions", json!({"model": model, "messages": messages})).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["choices"][0]["message"]["content"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn a_conversation_with_a_model_keeps_its_entries_and_answers_through_chat() {
    within(20, async {
        let m = mock().await;
        let body =
            json!({"inputs": QUESTION, "model": "mistral-small-latest", "instructions": "Be terse.", "name": "geo"});
        let r = m.post(START, "/v1/conversations", body).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let id = r.body["conversation_id"].as_str().unwrap().to_string();
        assert!(id.starts_with("conv_"), "{id}");
        assert_eq!(r.body["object"], json!("conversation.response"));
        let first = chat(
            &m,
            "mistral-small-latest",
            json!([{"role": "system", "content": "Be terse."}, {"role": "user", "content": QUESTION}]),
        )
        .await;
        let output = &r.body["outputs"][0];
        assert_eq!(
            (&output["type"], &output["role"], &output["content"]),
            (&json!("message.output"), &json!("assistant"), &json!(first))
        );
        assert_eq!(output["model"], json!("mistral-small-latest"));
        assert!(r.body["usage"]["total_tokens"].as_u64().unwrap() > 0);

        let r = m.post(APPEND, &format!("/v1/conversations/{id}"), json!({"inputs": "And of Spain?"})).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["conversation_id"], json!(id));
        let second = chat(
            &m,
            "mistral-small-latest",
            json!([{"role": "system", "content": "Be terse."}, {"role": "user", "content": QUESTION},
                   {"role": "assistant", "content": first}, {"role": "user", "content": "And of Spain?"}]),
        )
        .await;
        assert_eq!(r.body["outputs"][0]["content"], json!(second));

        let history = m.get(HISTORY, &format!("/v1/conversations/{id}/history")).await;
        let entries = history.body["entries"].as_array().unwrap();
        let kinds: Vec<(&str, &str)> =
            entries.iter().map(|e| (e["type"].as_str().unwrap(), e["content"].as_str().unwrap())).collect();
        assert_eq!(
            kinds,
            [
                ("message.input", QUESTION),
                ("message.output", first.as_str()),
                ("message.input", "And of Spain?"),
                ("message.output", second.as_str())
            ]
        );
        let messages = m.get(MESSAGES, &format!("/v1/conversations/{id}/messages")).await;
        assert_eq!(messages.body["messages"].as_array().unwrap().len(), 4);
        assert_eq!(messages.body["object"], json!("conversation.messages"));

        let got = m.get(GET, &format!("/v1/conversations/{id}")).await;
        assert_eq!(
            (&got.body["id"], &got.body["model"], &got.body["name"]),
            (&json!(id), &json!("mistral-small-latest"), &json!("geo"))
        );
        assert_eq!(got.body["instructions"], json!("Be terse."));

        // Restart from the first answer: a new conversation with the first two entries.
        let from = entries[1]["id"].as_str().unwrap();
        let r = m
            .post(
                RESTART,
                &format!("/v1/conversations/{id}/restart"),
                json!({"from_entry_id": from, "inputs": "And of Italy?"}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        let branch = r.body["conversation_id"].as_str().unwrap().to_string();
        assert_ne!(branch, id);
        let history = m.get(HISTORY, &format!("/v1/conversations/{branch}/history")).await;
        let contents: Vec<&Value> = history.body["entries"].as_array().unwrap().iter().map(|e| &e["content"]).collect();
        assert_eq!(contents[..3], [&json!(QUESTION), &json!(first), &json!("And of Italy?")]);
        assert_eq!(contents.len(), 4);
        let bad =
            m.post(RESTART, &format!("/v1/conversations/{id}/restart"), json!({"from_entry_id": "msg_none"})).await;
        assert_eq!(bad.status, 400, "{}", bad.text);

        // Newest first; deleted ones are gone.
        let all = m.get(LIST, "/v1/conversations").await;
        let ids: Vec<&str> = all.body.as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
        assert_eq!(ids, [branch.as_str(), id.as_str()]);
        let r = m.delete(DELETE, &format!("/v1/conversations/{id}")).await;
        assert_eq!((r.status.as_u16(), r.text.as_str()), (204, ""));
        assert_eq!(m.get(GET, &format!("/v1/conversations/{id}")).await.status, 404);
        assert_eq!(m.post(APPEND, &format!("/v1/conversations/{id}"), json!({"inputs": "Hi"})).await.status, 404);
        assert_eq!(m.get(LIST, "/v1/conversations").await.body.as_array().unwrap().len(), 1);

        let neither = m.post(START, "/v1/conversations", json!({"inputs": "Hi"})).await;
        assert_eq!(neither.status, 400, "{}", neither.text);
        let unstored = m
            .post(START, "/v1/conversations", json!({"inputs": "Hi", "model": "mistral-small-latest", "store": false}))
            .await;
        assert_eq!(unstored.status, 200);
        assert_eq!(m.get(LIST, "/v1/conversations").await.body.as_array().unwrap().len(), 1);
    })
    .await;
}

#[tokio::test]
async fn a_conversation_with_an_agent_answers_with_its_model_and_instructions() {
    within(20, async {
        let m = mock().await;
        let agent = m
            .post(
                "agents_api_v1_agents_create",
                "/v1/agents",
                json!({"model": "mistral-large-latest", "name": "a", "instructions": "Be brief."}),
            )
            .await;
        let agent_id = agent.body["id"].as_str().unwrap().to_string();
        let r = m.post(START, "/v1/conversations", json!({"inputs": QUESTION, "agent_id": agent_id})).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let expected = chat(
            &m,
            "mistral-large-latest",
            json!([{"role": "system", "content": "Be brief."}, {"role": "user", "content": QUESTION}]),
        )
        .await;
        assert_eq!(r.body["outputs"][0]["content"], json!(expected));
        assert_eq!(r.body["outputs"][0]["agent_id"], json!(agent_id));
        let id = r.body["conversation_id"].as_str().unwrap();
        let got = m.get(GET, &format!("/v1/conversations/{id}")).await;
        assert_eq!(got.body["agent_id"], json!(agent_id));
        assert_eq!(got.body.get("model"), None);
        let unknown = m.post(START, "/v1/conversations", json!({"inputs": "Hi", "agent_id": "ag_none"})).await;
        assert_eq!(unknown.status, 404, "{}", unknown.text);
    })
    .await;
}

#[tokio::test]
async fn a_streamed_answer_is_the_named_events_in_the_apis_order() {
    within(20, async {
        let m = mock().await;
        let body = json!({"inputs": QUESTION, "model": "mistral-small-latest", "stream": true});
        let (status, headers, raw) = m.stream("/v1/conversations", body).await;
        assert_eq!(status, 200, "{raw}");
        assert!(headers["content-type"].to_str().unwrap().starts_with("text/event-stream"));
        let events = named_events(START, &raw);
        for (name, data) in &events {
            assert_eq!(data["type"], json!(name));
        }
        let names: Vec<&str> = events.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names.first(), Some(&"conversation.response.started"));
        assert_eq!(names.last(), Some(&"conversation.response.done"));
        assert!(names[1..names.len() - 1].iter().all(|n| *n == "message.output.delta"), "{names:?}");
        assert!(names.len() > 3);
        let id = events[0].1["conversation_id"].as_str().unwrap().to_string();
        let text: String = events.iter().filter_map(|(_, d)| d["content"].as_str()).collect();
        let expected = chat(&m, "mistral-small-latest", json!([{"role": "user", "content": QUESTION}])).await;
        assert_eq!(text, expected);
        assert!(events.last().unwrap().1["usage"]["total_tokens"].as_u64().unwrap() > 0);
        // The streamed answer is kept like any other.
        let history = m.get(HISTORY, &format!("/v1/conversations/{id}/history")).await;
        assert_eq!(history.body["entries"][1]["content"], json!(expected));
        assert_eq!(history.body["entries"][1]["id"], events[1].1["id"]);

        let (status, _, raw) =
            m.stream(&format!("/v1/conversations/{id}"), json!({"inputs": "More?", "stream": true})).await;
        assert_eq!(status, 200, "{raw}");
        let events = named_events(APPEND, &raw);
        assert_eq!(events[0].1["conversation_id"], json!(id));
        assert_eq!(events.last().unwrap().0, "conversation.response.done");
    })
    .await;
}
