//! Agents: CRUD, cursor pages, versions, aliases, and completions (plain and streamed), wire
//! requests checked with httpmock.

mod support;

use futures::{StreamExt, TryStreamExt};
use httpmock::Method::{DELETE, GET, PATCH, POST, PUT};
use httpmock::MockServer;
use mistral_sdk::types::UpdateAgentRequest;
use mistral_sdk::{AgentFilter, AgentRequest, ChatResponseExt, Error, NewAgent, Tool};
use serde_json::{Value, json};

fn agent(id: &str, version: i64) -> Value {
    json!({
        "id": id, "name": "librarian", "model": "mistral-medium-latest", "version": version,
        "versions": [0, 1], "tools": [], "source": "api", "deployment_chat": false,
        "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-02T00:00:00Z", "object": "agent"
    })
}

fn alias(name: &str, version: i64) -> Value {
    json!({"alias": name, "version": version, "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"})
}

#[tokio::test]
async fn create_sends_only_what_is_set() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/agents").json_body(json!({
                "model": "mistral-medium-latest", "name": "librarian",
                "instructions": "Answer from the library.",
                "tools": [{"type": "document_library", "library_ids": ["lib-1"]}],
                "handoffs": ["ag_2"]
            }));
            then.status(200).json_body(agent("ag_1", 0));
        })
        .await;
    let client = support::client(&server.base_url());
    let created = client
        .agents()
        .create(
            NewAgent::new("mistral-medium-latest", "librarian")
                .instructions("Answer from the library.")
                .tools([Tool::document_library(["lib-1"])])
                .handoffs(["ag_2"]),
        )
        .await
        .unwrap();
    mock.assert_async().await;
    assert_eq!(created.id, "ag_1");
    assert_eq!(created.versions, vec![0, 1]);

    let err = client.agents().create(NewAgent::new("", " ")).await.unwrap_err();
    assert!(matches!(err, Error::InvalidRequest(ref m) if m.contains("model") && m.contains("name")), "{err}");
}

#[tokio::test]
async fn get_update_delete() {
    let server = MockServer::start_async().await;
    let get = server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/agents/ag_1");
            then.status(200).json_body(agent("ag_1", 1));
        })
        .await;
    let update = server
        .mock_async(|when, then| {
            when.method(PATCH).path("/v1/agents/ag_1").json_body(json!({"instructions": "Be brief."}));
            then.status(200).json_body(agent("ag_1", 2));
        })
        .await;
    let delete = server
        .mock_async(|when, then| {
            when.method(DELETE).path("/v1/agents/ag_1");
            then.status(204);
        })
        .await;
    let client = support::client(&server.base_url());
    assert_eq!(client.agents().get("ag_1").await.unwrap().version, 1);
    let changed = UpdateAgentRequest { instructions: Some("Be brief.".into()), ..Default::default() };
    assert_eq!(client.agents().update("ag_1", changed).await.unwrap().version, 2);
    client.agents().delete("ag_1").await.unwrap();
    get.assert_async().await;
    update.assert_async().await;
    delete.assert_async().await;
}

#[tokio::test]
async fn list_filters_and_pages_follow_the_cursor() {
    let server = MockServer::start_async().await;
    let first = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v1/agents/pages")
                .query_param("page_size", "2")
                .query_param("search", "lib")
                .query_param("deployment_chat", "false")
                .query_param("sources", "api")
                .query_param_missing("page_token");
            then.status(200).json_body(json!({"data": [agent("ag_1", 0), agent("ag_2", 0)], "next_page_token": "t2"}));
        })
        .await;
    let second = server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/agents/pages").query_param("page_token", "t2");
            then.status(200).json_body(json!({"data": [agent("ag_3", 0)], "next_page_token": null}));
        })
        .await;
    let numbered = server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/agents").query_param("page", "1").query_param("page_size", "5");
            then.status(200).json_body(json!([agent("ag_9", 0)]));
        })
        .await;
    let client = support::client(&server.base_url());
    let filter = AgentFilter::new().page_size(2).search("lib").deployment_chat(false).sources(["api"]);
    let page = client.agents().list(filter.clone()).await.unwrap();
    assert_eq!(page.next_page_token.as_deref(), Some("t2"));
    let pages: Vec<_> = client.agents().pages(filter).try_collect().await.unwrap();
    let ids: Vec<_> = pages.iter().flat_map(|p| &p.data).map(|a| a.id.as_str()).collect();
    assert_eq!(ids, ["ag_1", "ag_2", "ag_3"]);
    first.assert_calls_async(2).await;
    second.assert_async().await;
    let old = client.agents().list_numbered(Some(1), Some(5)).await.unwrap();
    assert_eq!(old[0].id, "ag_9");
    numbered.assert_async().await;
}

#[tokio::test]
async fn versions_and_aliases() {
    let server = MockServer::start_async().await;
    let versions = server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/agents/ag_1/versions").query_param("page_size", "10");
            then.status(200).json_body(json!([agent("ag_1", 0), agent("ag_1", 1)]));
        })
        .await;
    let version = server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/agents/ag_1/versions/prod");
            then.status(200).json_body(agent("ag_1", 1));
        })
        .await;
    let switch = server
        .mock_async(|when, then| {
            when.method(PATCH).path("/v1/agents/ag_1/version").query_param("version", "0");
            then.status(200).json_body(agent("ag_1", 0));
        })
        .await;
    let aliases = server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/agents/ag_1/aliases");
            then.status(200).json_body(json!([alias("prod", 1)]));
        })
        .await;
    let set = server
        .mock_async(|when, then| {
            when.method(PUT).path("/v1/agents/ag_1/aliases").query_param("alias", "prod").query_param("version", "1");
            then.status(200).json_body(alias("prod", 1));
        })
        .await;
    let delete = server
        .mock_async(|when, then| {
            when.method(DELETE).path("/v1/agents/ag_1/aliases").query_param("alias", "prod");
            then.status(204);
        })
        .await;
    let client = support::client(&server.base_url());
    let agents = client.agents();
    assert_eq!(agents.versions("ag_1", None, Some(10)).await.unwrap().len(), 2);
    assert_eq!(agents.version("ag_1", "prod").await.unwrap().version, 1);
    assert_eq!(agents.switch_version("ag_1", 0).await.unwrap().version, 0);
    assert_eq!(agents.aliases("ag_1").await.unwrap()[0].alias, "prod");
    assert_eq!(agents.set_alias("ag_1", "prod", 1).await.unwrap().version, 1);
    agents.delete_alias("ag_1", "prod").await.unwrap();
    for mock in [versions, version, switch, aliases, set, delete] {
        mock.assert_async().await;
    }
}

fn completion(text: &str) -> Value {
    json!({
        "id": "c1", "object": "chat.completion", "model": "mistral-medium-latest", "created": 1,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5}
    })
}

#[tokio::test]
async fn complete_sends_the_agent_id_not_the_model() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/agents/completions").json_body(json!({
                "agent_id": "ag_1",
                "messages": [{"role": "user", "content": "Hi"}],
                "max_tokens": 16
            }));
            then.status(200).json_body(completion("Hello"));
        })
        .await;
    let client = support::client(&server.base_url());
    let request = AgentRequest::new("ag_1").user("Hi").with_chat(|chat| chat.max_tokens(16).temperature(0.3));
    let response = client.agents().complete(request).await.unwrap();
    assert_eq!(response.text(), "Hello");
    mock.assert_async().await;

    let err = client.agents().complete(AgentRequest::new("ag_1")).await.unwrap_err();
    assert!(matches!(err, Error::InvalidRequest(_)), "{err}");
    let err = client.agents().complete(AgentRequest::new("").user("Hi")).await.unwrap_err();
    assert!(matches!(err, Error::InvalidRequest(ref m) if m.contains("agent id")), "{err}");
}

#[tokio::test]
async fn stream_is_a_completion_stream() {
    let server = MockServer::start_async().await;
    let chunk = |text: &str| {
        json!({"id": "c1", "object": "chat.completion.chunk", "created": 1, "model": "m",
               "choices": [{"index": 0, "delta": {"content": text}, "finish_reason": null}]})
    };
    let body = format!("data: {}\n\ndata: {}\n\ndata: [DONE]\n\n", chunk("Hel"), chunk("lo"));
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v1/agents/completions")
                .header("accept", "text/event-stream")
                .json_body_includes(r#"{"agent_id": "ag_1", "stream": true}"#);
            then.status(200).header("content-type", "text/event-stream").body(body);
        })
        .await;
    let client = support::client(&server.base_url());
    let stream = client.agents().stream(AgentRequest::new("ag_1").user("Hi")).await.unwrap();
    let text: Vec<String> = stream.text().collect::<Vec<_>>().await.into_iter().map(Result::unwrap).collect();
    assert_eq!(text.concat(), "Hello");
    mock.assert_async().await;
}
