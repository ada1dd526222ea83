//! The mock as a test double: scripted answers and the journal of requests.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use mistral_mock::{MockServer, Reply};
use mistral_openapi::operations as ops;
use serde_json::{Value, json};

use crate::within;

async fn chat(server: &MockServer, body: Value) -> (u16, Value, String) {
    let response = reqwest::Client::new()
        .post(format!("{}/v1/chat/completions", server.base_url()))
        .bearer_auth("secret-test-key")
        .header("x-app", "demo")
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let text = response.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null), text)
}

fn ask(text: &str) -> Value {
    json!({"model": "mistral-small-latest", "messages": [{"role": "user", "content": text}]})
}

#[tokio::test]
async fn scripted_answers_take_precedence_in_order_and_wear_out() {
    within(20, async {
        let server = MockServer::start().await.unwrap();
        server
            .on(&ops::CREATE_CHAT_COMPLETION)
            .when(|r| r.text().contains("weather"))
            .times(1)
            .respond(Reply::tool_call("get_weather", json!({"city": "Lyon"})));
        server.on(&ops::CREATE_CHAT_COMPLETION).when(|r| r.text().contains("cheese")).respond(Reply::text("Comté."));

        let (status, body, _) = chat(&server, ask("What is the weather?")).await;
        assert_eq!(status, 200);
        let call = &body["choices"][0]["message"]["tool_calls"][0];
        assert_eq!(
            (call["function"]["name"].as_str(), call["function"]["arguments"].as_str()),
            (Some("get_weather"), Some(r#"{"city":"Lyon"}"#))
        );
        assert_eq!(body["choices"][0]["finish_reason"], "tool_calls");
        assert_eq!(call["id"].as_str().map(str::len), Some(9));

        // Spent: the same question now gets the mock's own answer (text, not this tool call).
        let (_, body, _) = chat(&server, ask("What is the weather?")).await;
        assert_eq!(body["choices"][0]["finish_reason"], "stop");

        // Always, and streamed when the request asks for a stream.
        for _ in 0..2 {
            let (_, body, _) = chat(&server, ask("Best cheese?")).await;
            assert_eq!(body["choices"][0]["message"]["content"], "Comté.");
        }
        let mut streamed = ask("Best cheese?");
        streamed["stream"] = json!(true);
        let (status, _, text) = chat(&server, streamed).await;
        assert_eq!(status, 200);
        let deltas: String = text
            .split("\n\n")
            .filter_map(|e| e.strip_prefix("data: "))
            .filter(|d| *d != "[DONE]")
            .filter_map(|d| serde_json::from_str::<Value>(d).ok())
            .filter_map(|c| c["choices"][0]["delta"]["content"].as_str().map(str::to_string))
            .collect();
        assert_eq!(deltas, "Comté.");
        assert!(text.ends_with("data: [DONE]\n\n"));
    })
    .await;
}

#[tokio::test]
async fn the_third_request_gets_a_429_and_errors_have_the_api_shape() {
    within(20, async {
        let server = MockServer::start().await.unwrap();
        let seen = Arc::new(AtomicUsize::new(0));
        let counter = seen.clone();
        server
            .on_any()
            .when(move |_| counter.fetch_add(1, Ordering::SeqCst) == 2)
            .respond(Reply::json(429, json!({"object": "error", "message": "Rate limit exceeded", "type": "rate_limited", "param": null, "code": "1300"})));
        server.on(&ops::CREATE_EMBEDDING).respond(Reply::error(400, "Invalid model: nope"));
        let statuses = [chat(&server, ask("a")).await.0, chat(&server, ask("b")).await.0, chat(&server, ask("c")).await.0, chat(&server, ask("d")).await.0];
        assert_eq!(statuses, [200, 200, 429, 200]);
        let embed = reqwest::Client::new()
            .post(format!("{}/v1/embeddings", server.base_url()))
            .bearer_auth("k")
            .json(&json!({"model": "mistral-embed", "input": ["x"]}))
            .send()
            .await
            .unwrap();
        assert_eq!(embed.status().as_u16(), 400);
        let body: Value = embed.json().await.unwrap();
        assert_eq!(body, json!({"object": "error", "message": "Invalid model: nope", "type": "invalid_request_error", "param": null, "code": null, "raw_status_code": 400}));
    })
    .await;
}

#[tokio::test]
async fn the_journal_records_what_the_application_sent_without_the_key() {
    within(20, async {
        let server = MockServer::start().await.unwrap();
        chat(&server, ask("Hello there")).await;
        let models = reqwest::Client::new()
            .get(format!("{}/v1/models?x=1", server.base_url()))
            .bearer_auth("k")
            .send()
            .await
            .unwrap();
        assert_eq!(models.status().as_u16(), 200);
        reqwest::Client::new().get(format!("{}/v1/nowhere", server.base_url())).send().await.unwrap();

        let all = server.received();
        assert_eq!(all.len(), 3);
        let sent = server.received_for(&ops::CREATE_CHAT_COMPLETION);
        assert_eq!(sent.len(), 1);
        let r = &sent[0];
        assert_eq!(
            (r.method.as_str(), r.path.as_str(), r.operation),
            ("POST", "/v1/chat/completions", Some("createChatCompletion"))
        );
        assert_eq!(r.body, Some(ask("Hello there")));
        assert_eq!(r.text(), "Hello there");
        assert_eq!(r.model(), Some("mistral-small-latest"));
        assert_eq!(r.header("X-App"), Some("demo"));
        assert_eq!(r.header("authorization"), Some("[redacted]"));
        assert!(!format!("{all:?}").contains("secret-test-key"), "the key never reaches the journal");
        assert_eq!((all[1].operation, all[1].query.as_deref()), (Some("listModels"), Some("x=1")));
        assert_eq!(all[2].operation, None);

        server.reset();
        assert!(server.received().is_empty());
    })
    .await;
}

#[tokio::test]
async fn the_admin_api_scripts_and_reads_the_journal_over_http() {
    within(20, async {
        let mut options = mistral_mock::Options::default();
        options.admin = true;
        let server = MockServer::builder().options(options).start().await.unwrap();
        let http = reqwest::Client::new();
        let admin = |path: &str| format!("{}{path}", server.base_url());
        let rule = json!({"operation": "createChatCompletion", "text_contains": "weather", "times": 1,
                          "reply": {"tool_call": {"name": "get_weather", "arguments": {"city": "Lyon"}}}});
        let added = http.post(admin("/__mock/rules")).json(&rule).send().await.unwrap();
        assert_eq!(added.status().as_u16(), 201);
        let bad = http
            .post(admin("/__mock/rules"))
            .json(&json!({"operation": "nope", "reply": {"text": "x"}}))
            .send()
            .await
            .unwrap();
        assert_eq!(bad.status().as_u16(), 400);
        assert!(bad.text().await.unwrap().contains("no operation \\\"nope\\\""));

        let (_, body, _) = chat(&server, ask("What is the weather?")).await;
        assert_eq!(body["choices"][0]["message"]["tool_calls"][0]["function"]["name"], "get_weather");
        let journal: Value = http.get(admin("/__mock/requests")).send().await.unwrap().json().await.unwrap();
        assert_eq!(journal.as_array().map(Vec::len), Some(1), "admin calls are not journaled: {journal}");
        assert_eq!(journal[0]["operation"], "createChatCompletion");
        assert_eq!(journal[0]["body"]["messages"][0]["content"], "What is the weather?");
        assert!(!journal.to_string().contains("secret-test-key"));

        // A fault over HTTP too, in the x-mock-fault syntax.
        let fault = json!({"operation": "listModels", "times": 1, "reply": {"fault": "429;retry-after=1"}});
        assert_eq!(http.post(admin("/__mock/rules")).json(&fault).send().await.unwrap().status().as_u16(), 201);
        let limited = http.get(admin("/v1/models")).bearer_auth("k").send().await.unwrap();
        assert_eq!((limited.status().as_u16(), limited.headers()["retry-after"].to_str().unwrap()), (429, "1"));
        let bad = json!({"reply": {"fault": "teapot"}});
        assert_eq!(http.post(admin("/__mock/rules")).json(&bad).send().await.unwrap().status().as_u16(), 400);

        assert_eq!(http.delete(admin("/__mock/requests")).send().await.unwrap().status().as_u16(), 204);
        assert_eq!(http.delete(admin("/__mock/rules")).send().await.unwrap().status().as_u16(), 204);
        assert!(server.received().is_empty());

        // Off by default.
        let plain = MockServer::start().await.unwrap();
        let off = http.get(format!("{}/__mock/requests", plain.base_url())).send().await.unwrap();
        assert_eq!(off.status().as_u16(), 404);
    })
    .await;
}

#[tokio::test]
async fn a_rule_can_answer_with_a_fault() {
    within(20, async {
        let server = MockServer::start().await.unwrap();
        server.on(&ops::LIST_MODELS).times(1).respond(Reply::fault("503;retry-after=2".parse().unwrap()));
        server.on(&ops::CREATE_CHAT_COMPLETION).times(1).respond(Reply::fault("drop-stream-after=2".parse().unwrap()));
        let http = reqwest::Client::new();
        let models = |http: reqwest::Client| {
            let url = format!("{}/v1/models", server.base_url());
            async move { http.get(url).bearer_auth("k").send().await.unwrap() }
        };
        let first = models(http.clone()).await;
        assert_eq!(first.status().as_u16(), 503);
        assert_eq!(first.headers()["retry-after"], "2");
        assert_eq!(models(http.clone()).await.status().as_u16(), 200, "once only");

        // The mock's own stream, cut after two events: no [DONE].
        let mut body = ask("Tell me a story");
        body["stream"] = json!(true);
        let response = http
            .post(format!("{}/v1/chat/completions", server.base_url()))
            .bearer_auth("k")
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200);
        let text = response.text().await.unwrap_or_default();
        assert!(!text.contains("[DONE]"), "{text}");
        assert!(text.matches("data: ").count() <= 2, "{text}");
    })
    .await;
}

#[tokio::test]
async fn the_journal_keeps_the_parts_of_an_upload() {
    within(20, async {
        let server = MockServer::start().await.unwrap();
        let line = "{\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}, {\"role\": \"assistant\", \"content\": \"Hello\"}]}\n";
        let form = reqwest::multipart::Form::new().text("purpose", "fine-tune").part(
            "file",
            reqwest::multipart::Part::text(line).file_name("train.jsonl").mime_str("application/jsonl").unwrap(),
        );
        let r = reqwest::Client::new()
            .post(format!("{}/v1/files", server.base_url()))
            .bearer_auth("k")
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status().as_u16(), 200, "{}", r.text().await.unwrap());
        let sent = server.received_for(&ops::FILES_API_ROUTES_UPLOAD_FILE);
        assert_eq!(sent.len(), 1);
        let parts: Vec<(&str, Option<&str>, Option<&str>, usize)> = sent[0]
            .parts
            .iter()
            .map(|p| (p.name.as_str(), p.filename.as_deref(), p.content_type.as_deref(), p.bytes))
            .collect();
        assert_eq!(
            parts,
            [("purpose", None, None, 9), ("file", Some("train.jsonl"), Some("application/jsonl"), line.len())]
        );
        assert_eq!(sent[0].part_text("purpose"), Some("fine-tune"));
        assert_eq!(sent[0].part_text("file"), Some(line));
        assert_eq!(sent[0].body, None, "a form is not JSON");
    })
    .await;
}

#[tokio::test]
async fn a_scripted_stream_keeps_its_pace() {
    within(20, async {
        let server = MockServer::start().await.unwrap();
        server
            .on(&ops::CREATE_CHAT_COMPLETION)
            .pace(std::time::Duration::from_millis(40))
            .respond(Reply::text("one two three four"));
        let mut body = ask("count");
        body["stream"] = json!(true);
        let started = std::time::Instant::now();
        let (status, _, text) = chat(&server, body).await;
        assert_eq!(status, 200);
        // A role event, four words and the end: at least five pauses of 40 ms.
        assert!(started.elapsed() >= std::time::Duration::from_millis(200), "{:?}", started.elapsed());
        assert!(text.ends_with("data: [DONE]\n\n"));
    })
    .await;
}

/// The `data:` payloads and `event:` names of an SSE body, in order.
fn sse(text: &str) -> Vec<(Option<String>, String)> {
    text.split("\n\n")
        .filter(|e| !e.is_empty())
        .map(|e| {
            let name = e.lines().find_map(|l| l.strip_prefix("event: ")).map(str::to_string);
            let data = e.lines().filter_map(|l| l.strip_prefix("data: ")).collect::<Vec<_>>().join("\n");
            (name, data)
        })
        .collect()
}

#[tokio::test]
async fn structured_answers_and_streams_cut_where_the_test_says() {
    within(20, async {
        let server = MockServer::start().await.unwrap();
        let city = json!({"city": "Lyon", "population": 522_250});
        server
            .on(&ops::CREATE_CHAT_COMPLETION)
            .when(|r| r.text().contains("city"))
            .respond(Reply::structured(city.clone()));
        server
            .on(&ops::CREATE_CHAT_COMPLETION)
            .when(|r| r.text().contains("count"))
            .respond(Reply::chunks(["one", " two", "", " three"]));

        let (_, body, _) = chat(&server, ask("Which city?")).await;
        let content = body["choices"][0]["message"]["content"].as_str().unwrap();
        assert_eq!(serde_json::from_str::<Value>(content).unwrap(), city);

        // Not streamed: the pieces joined.
        let (_, body, _) = chat(&server, ask("count")).await;
        assert_eq!(body["choices"][0]["message"]["content"], "one two three");
        // Streamed: a role event, then one event per piece, the last with the finish reason.
        let mut streamed = ask("count");
        streamed["stream"] = json!(true);
        let (status, _, text) = chat(&server, streamed).await;
        assert_eq!(status, 200);
        let events = sse(&text);
        assert_eq!(events.last().map(|e| e.1.as_str()), Some("[DONE]"));
        let chunks: Vec<Value> =
            events[..events.len() - 1].iter().map(|e| serde_json::from_str(&e.1).unwrap()).collect();
        let deltas: Vec<&str> =
            chunks[1..].iter().map(|c| c["choices"][0]["delta"]["content"].as_str().unwrap()).collect();
        assert_eq!(deltas, ["one", " two", "", " three"]);
        assert_eq!(chunks[0]["choices"][0]["delta"]["role"], "assistant");
        assert_eq!(chunks.last().unwrap()["choices"][0]["finish_reason"], "stop");
        assert!(chunks[..chunks.len() - 1].iter().all(|c| c["choices"][0]["finish_reason"].is_null()));
    })
    .await;
}

#[tokio::test]
async fn scripted_events_are_named_by_their_type_over_the_library_and_http() {
    within(20, async {
        let mut options = mistral_mock::Options::default();
        options.admin = true;
        let server = MockServer::builder().options(options).start().await.unwrap();
        let started = json!({"type": "conversation.response.started", "conversation_id": "conv_1", "created_at": "2026-01-01T00:00:00Z"});
        let delta = json!({"type": "message.output.delta", "id": "m1", "content": "Hi", "created_at": "2026-01-01T00:00:00Z", "model": "mistral-small-latest", "output_index": 0, "content_index": 0, "role": "assistant"});
        let http = reqwest::Client::new();
        let rule = json!({"operation": ops::AGENTS_API_V1_CONVERSATIONS_START.id, "pace_ms": 30, "times": 1,
                          "reply": {"events": [started, delta]}});
        let added = http.post(format!("{}/__mock/rules", server.base_url())).json(&rule).send().await.unwrap();
        assert_eq!(added.status().as_u16(), 201, "{}", added.text().await.unwrap());
        let begun = std::time::Instant::now();
        let response = http
            .post(format!("{}{}", server.base_url(), ops::AGENTS_API_V1_CONVERSATIONS_START.path))
            .bearer_auth("k")
            .json(&json!({"inputs": "Hello", "model": "mistral-small-latest", "stream": true}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status().as_u16(), 200);
        assert_eq!(response.headers()["content-type"], "text/event-stream");
        let text = response.text().await.unwrap();
        assert!(begun.elapsed() >= std::time::Duration::from_millis(30), "paced");
        let events = sse(&text);
        let names: Vec<Option<&str>> = events.iter().map(|e| e.0.as_deref()).collect();
        assert_eq!(names, [Some("conversation.response.started"), Some("message.output.delta")], "no [DONE]: {text}");
        assert_eq!(serde_json::from_str::<Value>(&events[1].1).unwrap(), delta);

        // From Rust, a plain (unnamed) event list ends with [DONE] like chat's.
        server.on(&ops::CREATE_CHAT_COMPLETION).respond(Reply::events([json!({"id": "x", "choices": []})]));
        let mut body = ask("anything");
        body["stream"] = json!(true);
        let (_, _, text) = chat(&server, body).await;
        assert_eq!(sse(&text), [(None, r#"{"choices":[],"id":"x"}"#.to_string()), (None, "[DONE]".to_string())]);
    })
    .await;
}
