//! Agents with state of their own (`stateful_beta`): created, listed both ways, updated into
//! new versions, switched between versions, named by aliases, deleted; completions answered by
//! the chat engine with the agent's model and instructions, plain and streamed.

use mistral_mock::MockServer;
use reqwest::Method;
use serde_json::{Value, json};

use crate::{Mock, stream_chunks, streamed_text, within};

const CREATE: &str = "agents_api_v1_agents_create";
const LIST: &str = "agents_api_v1_agents_list";
const PAGES: &str = "agents_api_v1_agents_list_pages";
const GET: &str = "agents_api_v1_agents_get";
const UPDATE: &str = "agents_api_v1_agents_update";
const DELETE: &str = "agents_api_v1_agents_delete";
const SWITCH: &str = "agents_api_v1_agents_update_version";
const VERSIONS: &str = "agents_api_v1_agents_list_versions";
const VERSION: &str = "agents_api_v1_agents_get_version";
const ALIASES: &str = "agents_api_v1_agents_list_version_aliases";
const PUT_ALIAS: &str = "agents_api_v1_agents_create_or_update_alias";
const DELETE_ALIAS: &str = "agents_api_v1_agents_delete_alias";
const COMPLETE: &str = "agents_completion_v1_agents_completions_post";
const CHAT: &str = "createChatCompletion";

async fn mock() -> Mock {
    Mock::with(MockServer::builder().stateful_beta(true)).await
}

async fn create(m: &Mock, body: Value) -> String {
    let r = m.post(CREATE, "/v1/agents", body).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["id"].as_str().expect("agent id").to_string()
}

async fn patch(m: &Mock, op: &str, path: &str, body: Option<Value>) -> crate::Reply {
    let request = m.request(Method::PATCH, path);
    m.call(
        op,
        match body {
            Some(body) => request.json(&body),
            None => request,
        },
    )
    .await
}

#[tokio::test]
async fn an_agent_is_created_got_listed_and_deleted() {
    within(20, async {
        let m = mock().await;
        let r = m
            .post(
                CREATE,
                "/v1/agents",
                json!({"model": "mistral-small-latest", "name": "helper", "instructions": "Be brief."}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        let id = r.body["id"].as_str().unwrap().to_string();
        assert!(id.starts_with("ag_") && id.len() == 35, "{id}");
        assert_eq!(
            (&r.body["object"], &r.body["name"], &r.body["model"], &r.body["instructions"]),
            (&json!("agent"), &json!("helper"), &json!("mistral-small-latest"), &json!("Be brief."))
        );
        assert_eq!((&r.body["version"], &r.body["versions"]), (&json!(0), &json!([0])));
        assert_eq!((&r.body["tools"], &r.body["completion_args"]), (&json!([]), &json!({})));
        assert_eq!((&r.body["deployment_chat"], &r.body["source"]), (&json!(false), &json!("api")));
        assert!(r.headers.get("x-mock-answer").is_none());
        let other =
            create(&m, json!({"model": "mistral-large-latest", "name": "writer", "description": "Writes"})).await;

        let got = m.get(GET, &format!("/v1/agents/{id}")).await;
        assert_eq!(got.body, r.body);
        let all = m.get(LIST, "/v1/agents").await;
        let ids: Vec<&str> = all.body.as_array().unwrap().iter().map(|a| a["id"].as_str().unwrap()).collect();
        assert_eq!(ids, [id.as_str(), other.as_str()]);
        let named = m.get(LIST, "/v1/agents?name=writer").await;
        assert_eq!(named.body.as_array().unwrap().len(), 1);
        assert_eq!(named.body[0]["id"], json!(other));
        let searched = m.get(LIST, "/v1/agents?search=WRITES").await;
        assert_eq!(searched.body[0]["id"], json!(other));
        let second = m.get(LIST, "/v1/agents?page=1&page_size=1").await;
        assert_eq!(second.body.as_array().unwrap().len(), 1);
        assert_eq!(second.body[0]["id"], json!(other));

        // Token-paged: one at a time, then no token.
        let page = m.get(PAGES, "/v1/agents/pages?page_size=1").await;
        assert_eq!(page.status, 200, "{}", page.text);
        assert_eq!((&page.body["object"], &page.body["data"][0]["id"]), (&json!("list"), &json!(id)));
        let token = page.body["next_page_token"].as_str().unwrap().to_string();
        let page = m.get(PAGES, &format!("/v1/agents/pages?page_size=1&page_token={token}")).await;
        assert_eq!(page.body["data"][0]["id"], json!(other));
        assert_eq!(page.body["next_page_token"], Value::Null);
        let bad = m.get(PAGES, "/v1/agents/pages?page_token=nope").await;
        assert_eq!(bad.status, 422, "{}", bad.text);

        let gone = m.delete(DELETE, &format!("/v1/agents/{id}")).await;
        assert_eq!((gone.status.as_u16(), gone.text.as_str()), (204, ""));
        let missing = m.get(GET, &format!("/v1/agents/{id}")).await;
        assert_eq!(missing.status, 404, "{}", missing.text);
        assert_eq!(missing.body["message"], json!(format!("Agent {id} not found")));
        assert_eq!(m.delete(DELETE, &format!("/v1/agents/{id}")).await.status, 404);
        let all = m.get(LIST, "/v1/agents").await;
        assert_eq!(all.body.as_array().unwrap().len(), 1);

        let unknown = m.post(CREATE, "/v1/agents", json!({"model": "no-such-model", "name": "x"})).await;
        assert_eq!(unknown.status, 400, "{}", unknown.text);
    })
    .await;
}

#[tokio::test]
async fn each_update_is_a_new_version_that_can_be_switched_and_aliased() {
    within(20, async {
        let m = mock().await;
        let id = create(&m, json!({"model": "mistral-small-latest", "name": "helper", "instructions": "One."})).await;
        let path = format!("/v1/agents/{id}");
        let r = patch(&m, UPDATE, &path, Some(json!({"instructions": "Two.", "version_message": "second"}))).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!((&r.body["version"], &r.body["versions"]), (&json!(1), &json!([0, 1])));
        assert_eq!((&r.body["instructions"], &r.body["name"]), (&json!("Two."), &json!("helper")));
        assert_eq!(r.body["version_message"], json!("second"));
        let r = patch(&m, UPDATE, &path, Some(json!({"name": "renamed", "deployment_chat": true}))).await;
        assert_eq!(
            (&r.body["version"], &r.body["name"], &r.body["instructions"]),
            (&json!(2), &json!("renamed"), &json!("Two."))
        );
        assert_eq!((&r.body["deployment_chat"], r.body.get("version_message")), (&json!(true), None));

        // Versions, newest first; one by number.
        let all = m.get(VERSIONS, &format!("{path}/versions")).await;
        let numbers: Vec<&Value> = all.body.as_array().unwrap().iter().map(|a| &a["version"]).collect();
        assert_eq!(numbers, [&json!(2), &json!(1), &json!(0)]);
        let paged = m.get(VERSIONS, &format!("{path}/versions?page=1&page_size=2")).await;
        assert_eq!(paged.body[0]["version"], json!(0));
        let v0 = m.get(VERSION, &format!("{path}/versions/0")).await;
        assert_eq!(
            (&v0.body["version"], &v0.body["instructions"], &v0.body["name"]),
            (&json!(0), &json!("One."), &json!("helper"))
        );
        assert_eq!(m.get(VERSION, &format!("{path}/versions/7")).await.status, 404);

        // Switch back to version 0: get answers it, the versions stay.
        let r = patch(&m, SWITCH, &format!("{path}/version?version=0"), None).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!((&r.body["version"], &r.body["versions"]), (&json!(0), &json!([0, 1, 2])));
        assert_eq!(m.get(GET, &path).await.body["instructions"], json!("One."));
        assert_eq!(patch(&m, SWITCH, &format!("{path}/version?version=9"), None).await.status, 404);
        assert_eq!(patch(&m, SWITCH, &format!("{path}/version"), None).await.status, 422);

        // Aliases: made, moved, used by get and get_version, deleted.
        let put = |q: &str| m.call(PUT_ALIAS, m.request(Method::PUT, &format!("{path}/aliases?{q}")));
        let r = put("alias=production&version=1").await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!((&r.body["alias"], &r.body["version"]), (&json!("production"), &json!(1)));
        assert_eq!(r.body["created_at"], r.body["updated_at"]);
        let r = put("alias=production&version=2").await;
        assert_eq!(r.body["version"], json!(2));
        put("alias=staging&version=0").await;
        assert_eq!(put("alias=Bad!&version=0").await.status, 422);
        assert_eq!(put("alias=later&version=5").await.status, 404);
        let aliases = m.get(ALIASES, &format!("{path}/aliases")).await;
        assert_eq!(
            aliases.body.as_array().unwrap().iter().map(|a| (&a["alias"], &a["version"])).collect::<Vec<_>>(),
            [(&json!("production"), &json!(2)), (&json!("staging"), &json!(0))]
        );
        let by_alias = m.get(VERSION, &format!("{path}/versions/production")).await;
        assert_eq!((&by_alias.body["version"], &by_alias.body["name"]), (&json!(2), &json!("renamed")));
        let by_alias = m.get(GET, &format!("{path}?agent_version=production")).await;
        assert_eq!(by_alias.body["version"], json!(2));
        assert_eq!(m.get(GET, &format!("{path}?agent_version=1")).await.body["version"], json!(1));
        let del = |q: &str| m.call(DELETE_ALIAS, m.request(Method::DELETE, &format!("{path}/aliases?{q}")));
        let r = del("alias=production").await;
        assert_eq!((r.status.as_u16(), r.text.as_str()), (204, ""));
        assert_eq!(del("alias=production").await.status, 404);
        let aliases = m.get(ALIASES, &format!("{path}/aliases")).await;
        assert_eq!(aliases.body.as_array().unwrap().len(), 1);
        assert_eq!(m.get(ALIASES, "/v1/agents/ag_none/aliases").await.status, 404);
    })
    .await;
}

#[tokio::test]
async fn a_completion_is_the_chat_engines_answer_with_the_agents_model_and_instructions() {
    within(20, async {
        let m = mock().await;
        let id =
            create(&m, json!({"model": "mistral-large-latest", "name": "helper", "instructions": "Be terse."})).await;
        let messages = json!([{"role": "user", "content": "What is the capital of France?"}]);
        let r = m.post(COMPLETE, "/v1/agents/completions", json!({"agent_id": id, "messages": messages})).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["model"], json!("mistral-large-latest"));
        // The same as chat with the agent's model and its instructions first.
        let chat = m
            .post(
                CHAT,
                "/v1/chat/completions",
                json!({"model": "mistral-large-latest", "messages": [
                    {"role": "system", "content": "Be terse."},
                    {"role": "user", "content": "What is the capital of France?"},
                ]}),
            )
            .await;
        assert_eq!(r.body["choices"], chat.body["choices"]);
        assert_eq!(r.body["usage"], chat.body["usage"]);
        let text = r.body["choices"][0]["message"]["content"].as_str().unwrap().to_string();
        assert!(!text.is_empty());

        // Streamed: the same text, chunk by chunk.
        let body = json!({"agent_id": id, "messages": messages, "stream": true});
        let (status, headers, raw) = m.stream("/v1/agents/completions", body).await;
        assert_eq!(status, 200, "{raw}");
        assert!(headers["content-type"].to_str().unwrap().starts_with("text/event-stream"));
        let chunks = stream_chunks(COMPLETE, &raw);
        assert_eq!(streamed_text(&chunks), text);
        assert_eq!(chunks[0]["model"], json!("mistral-large-latest"));

        let unknown =
            m.post(COMPLETE, "/v1/agents/completions", json!({"agent_id": "ag_none", "messages": messages})).await;
        assert_eq!(unknown.status, 404, "{}", unknown.text);
        assert_eq!(unknown.body["message"], json!("Agent ag_none not found"));
    })
    .await;
}

#[tokio::test]
async fn without_the_option_agents_answer_from_the_examples() {
    within(20, async {
        let m = Mock::with(MockServer::builder().stateful_beta(false)).await;
        let r = m.post(CREATE, "/v1/agents", json!({"model": "mistral-small-latest", "name": "helper"})).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.headers["x-mock-answer"], "example");
    })
    .await;
}
