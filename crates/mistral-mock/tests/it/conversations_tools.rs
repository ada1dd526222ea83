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

/// Validates `body` as the 200 answer of `op`.
fn conforms(op: &str, body: &Value) {
    let spec = mistral_spec::Spec::embedded().expect("spec");
    let validator = crate::cached(format!("{op} 200"), || {
        spec.response_validator(op, "200", "application/json").expect("response validator")
    });
    if let Err(violations) = validator.validate(body) {
        panic!("{op} does not conform: {violations:?}\n{body:#}");
    }
}

/// Posts and checks the answer against the spec.
async fn post(m: &Mock, op: &str, path: &str, body: Value) -> Reply {
    let reply = crate::read(m.request(Method::POST, path).json(&body)).await;
    if reply.status == 200 {
        conforms(op, &reply.body);
    } else {
        crate::assert_conforms(op, reply.status, &reply.body);
    }
    reply
}

/// The named events of a stream, each checked against the spec and named after its `type`.
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
            if let Err(violations) = validator.validate(&mistral_spec::sse::envelope(Some(name), data.clone())) {
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

#[tokio::test]
async fn built_in_tools_run_as_tool_executions_before_the_message() {
    within(30, async {
        let m = mock().await;
        let tools = json!([{"type": "web_search"}, {"type": "code_interpreter"}]);
        let expected =
            chat(&m, json!({"model": MODEL, "tools": tools, "messages": [{"role": "user", "content": QUESTION}]}))
                .await;
        let text = expected["content"].as_str().unwrap();
        assert!(text.starts_with("I searched the web for \"weather Paris\"."), "{text}");
        let r = post(&m, START, "/v1/conversations", json!({"inputs": QUESTION, "model": MODEL, "tools": tools})).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let outputs = r.body["outputs"].as_array().unwrap();
        let kinds: Vec<&str> = outputs.iter().map(|o| o["type"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["tool.execution", "tool.execution", "message.output"]);
        for (output, name) in outputs.iter().zip(["web_search", "code_interpreter"]) {
            let id = output["id"].as_str().unwrap();
            assert!(id.starts_with("tex_"), "{id}");
            assert_eq!(
                output,
                &json!({"object": "entry", "type": "tool.execution", "created_at": output["created_at"],
                    "completed_at": output["completed_at"], "id": id, "model": MODEL, "name": name,
                    "arguments": "{\"query\":\"weather Paris\"}", "info": {}})
            );
        }
        assert_eq!(outputs[2]["content"], json!(text));
        assert_eq!(r.body["usage"]["connectors"], json!({"web_search": 1, "code_interpreter": 1}));

        // Streamed: each execution started and done, then the message.
        let body = json!({"inputs": QUESTION, "model": MODEL, "tools": tools, "stream": true});
        let (status, _, raw) = m.stream("/v1/conversations", body).await;
        assert_eq!(status, 200, "{raw}");
        let events = read_events(START, &raw);
        let kinds = types(&events);
        assert_eq!(
            kinds[..5],
            [
                "conversation.response.started",
                "tool.execution.started",
                "tool.execution.done",
                "tool.execution.started",
                "tool.execution.done"
            ]
        );
        assert!(kinds[5..kinds.len() - 1].iter().all(|k| *k == "message.output.delta"), "{kinds:?}");
        assert_eq!(kinds.last(), Some(&"conversation.response.done"));
        assert_eq!(
            (&events[1]["name"], &events[1]["arguments"], &events[1]["output_index"], &events[1]["model"]),
            (&json!("web_search"), &json!("{\"query\":\"weather Paris\"}"), &json!(0), &json!(MODEL))
        );
        assert_eq!((&events[2]["id"], &events[2]["info"]), (&events[1]["id"], &json!({})));
        assert_eq!((&events[4]["name"], &events[4]["output_index"]), (&json!("code_interpreter"), &json!(1)));
        let streamed: String = events.iter().filter_map(|e| e["content"].as_str()).collect();
        assert_eq!(streamed, text);
        assert_eq!(events[5]["output_index"], json!(2));

        // Answering a function result runs no built-in tool.
        let mut both = tools.as_array().unwrap().clone();
        both.push(weather_tool());
        let r = post(&m, START, "/v1/conversations", json!({"inputs": QUESTION, "model": MODEL, "tools": both})).await;
        let call = &r.body["outputs"][0];
        assert_eq!((r.body["outputs"].as_array().unwrap().len(), &call["type"]), (1, &json!("function.call")));
        let id = r.body["conversation_id"].as_str().unwrap();
        let result =
            json!({"inputs": [{"type": "function.result", "tool_call_id": call["tool_call_id"], "result": RESULT}]});
        let r = post(&m, APPEND, &format!("/v1/conversations/{id}"), result).await;
        let kinds: Vec<&Value> = r.body["outputs"].as_array().unwrap().iter().map(|o| &o["type"]).collect();
        assert_eq!(kinds, [&json!("message.output")]);
    })
    .await;
}

async fn agent(m: &Mock, body: Value) -> String {
    let r = m.post("agents_api_v1_agents_create", "/v1/agents", body).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn an_agent_hands_off_to_the_agent_the_message_names() {
    within(30, async {
        let m = mock().await;
        let chef =
            agent(&m, json!({"model": "mistral-large-latest", "name": "Chef", "instructions": "You cook."})).await;
        let host = agent(&m, json!({"model": MODEL, "name": "Concierge", "handoffs": [chef]})).await;
        let asked = "Please ask the chef for a soup recipe.";
        let r = post(&m, START, "/v1/conversations", json!({"inputs": asked, "agent_id": host})).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let outputs = r.body["outputs"].as_array().unwrap();
        assert_eq!(outputs.len(), 2, "{outputs:?}");
        let handoff = &outputs[0];
        assert!(handoff["id"].as_str().unwrap().starts_with("ho_"));
        assert_eq!(
            handoff,
            &json!({"object": "entry", "type": "agent.handoff", "created_at": handoff["created_at"],
                "completed_at": handoff["completed_at"], "id": handoff["id"],
                "previous_agent_id": host, "previous_agent_name": "Concierge",
                "next_agent_id": chef, "next_agent_name": "Chef"})
        );
        let first = chat(
            &m,
            json!({"model": "mistral-large-latest",
                "messages": [{"role": "system", "content": "You cook."}, {"role": "user", "content": asked}]}),
        )
        .await;
        assert_eq!(
            (&outputs[1]["type"], &outputs[1]["agent_id"], &outputs[1]["content"]),
            (&json!("message.output"), &json!(chef), &first["content"])
        );
        assert_eq!(outputs[1].get("model"), None);

        // The conversation stays with its own agent: a message naming no one is its to answer.
        let id = r.body["conversation_id"].as_str().unwrap().to_string();
        let r = post(&m, APPEND, &format!("/v1/conversations/{id}"), json!({"inputs": "And a dessert?"})).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let second = chat(
            &m,
            json!({"model": MODEL, "messages": [{"role": "user", "content": asked},
                {"role": "assistant", "content": first["content"]}, {"role": "user", "content": "And a dessert?"}]}),
        )
        .await;
        let outputs = r.body["outputs"].as_array().unwrap();
        assert_eq!(outputs.len(), 1);
        assert_eq!((&outputs[0]["agent_id"], &outputs[0]["content"]), (&json!(host), &second["content"]));
        // Whole words, any case: "chefs" does not name the agent "Chef", "CHEF" does.
        let r = post(&m, APPEND, &format!("/v1/conversations/{id}"), json!({"inputs": "Two chefs?"})).await;
        assert_eq!(r.body["outputs"].as_array().unwrap().len(), 1);
        let r = post(&m, APPEND, &format!("/v1/conversations/{id}"), json!({"inputs": "CHEF, help"})).await;
        assert_eq!(r.body["outputs"][0]["type"], json!("agent.handoff"));

        // Streamed: the handoff's started and done events, then the next agent's message.
        let body = json!({"inputs": asked, "agent_id": host, "stream": true});
        let (status, _, raw) = m.stream("/v1/conversations", body).await;
        assert_eq!(status, 200, "{raw}");
        let events = read_events(START, &raw);
        let kinds = types(&events);
        assert_eq!(kinds[..3], ["conversation.response.started", "agent.handoff.started", "agent.handoff.done"]);
        assert!(kinds[3..kinds.len() - 1].iter().all(|k| *k == "message.output.delta"), "{kinds:?}");
        assert_eq!(
            (&events[1]["previous_agent_id"], &events[1]["previous_agent_name"], &events[1]["output_index"]),
            (&json!(host), &json!("Concierge"), &json!(0))
        );
        assert_eq!(
            (&events[2]["next_agent_id"], &events[2]["next_agent_name"], &events[2]["id"]),
            (&json!(chef), &json!("Chef"), &events[1]["id"])
        );
        assert_eq!((&events[3]["agent_id"], &events[3]["output_index"]), (&json!(chef), &json!(1)));
        let streamed: String = events.iter().filter_map(|e| e["content"].as_str()).collect();
        assert_eq!(json!(streamed), first["content"]);
    })
    .await;
}

#[tokio::test]
async fn the_document_library_tool_quotes_the_best_chunk_of_the_processed_documents() {
    within(30, async {
        // A slow clock: documents are processed only when the test moves it on.
        let m = Mock::with(MockServer::builder().stateful_beta(true).speed(0.01)).await;
        let r = m.post("libraries_create_v1", "/v1/libraries", json!({"name": "Cheeses"})).await;
        assert_eq!(r.status, 201, "{}", r.text);
        let lib = r.body["id"].as_str().unwrap().to_string();
        let notes = "Comté ripens for months in Jura cellars.\n\nBrie is a soft cheese.\n";
        let part = reqwest::multipart::Part::bytes(notes.as_bytes().to_vec())
            .file_name("notes.txt")
            .mime_str("text/plain")
            .unwrap();
        let form = reqwest::multipart::Form::new().part("file", part);
        let path = format!("/v1/libraries/{lib}/documents");
        let doc = m.call("libraries_documents_upload_v1", m.request(Method::POST, &path).multipart(form)).await;
        assert_eq!(doc.status, 200, "{}", doc.text);
        let document_id = doc.body["id"].as_str().unwrap().to_string();

        let asked = "How long does Comté ripen?";
        let tools = json!([{"type": "document_library", "library_ids": [lib]}]);
        let prose = chat(&m, json!({"model": MODEL, "messages": [{"role": "user", "content": asked}]})).await;
        let prose = prose["content"].as_str().unwrap();
        let start = json!({"inputs": asked, "model": MODEL, "tools": tools});
        let arguments = json!({"query": "long Comté ripen", "library_ids": [lib]}).to_string();

        // Not processed yet: nothing found.
        let r = post(&m, START, "/v1/conversations", start.clone()).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let outputs = r.body["outputs"].as_array().unwrap();
        assert_eq!(
            (&outputs[0]["name"], &outputs[0]["arguments"], &outputs[0]["info"]),
            (&json!("document_library"), &json!(arguments), &json!({"hits": []}))
        );
        let nothing = format!("I found nothing about \"long Comté ripen\" in the document library. {prose}");
        assert_eq!(outputs[1]["content"], json!(nothing));

        m.server.advance(std::time::Duration::from_secs(2));
        let r = post(&m, START, "/v1/conversations", start).await;
        let outputs = r.body["outputs"].as_array().unwrap();
        let kinds: Vec<&Value> = outputs.iter().map(|o| &o["type"]).collect();
        assert_eq!(kinds, [&json!("tool.execution"), &json!("message.output")]);
        // It holds two of the query's three keywords ("long" is not in it).
        let chunk = "Comté ripens for months in Jura cellars.";
        assert_eq!(
            outputs[0]["info"],
            json!({"hits": [{"library_id": lib, "document_id": document_id, "document_name": "notes.txt",
                "chunk": chunk, "score": 2.0 / 3.0}]})
        );
        let quoted = format!("According to notes.txt: \"{chunk}\" {prose}");
        assert_eq!(outputs[1]["content"], json!(quoted));
        assert_eq!(r.body["usage"]["connectors"], json!({"document_library": 1}));

        // Streamed: the hits come with the execution's done event.
        let body = json!({"inputs": asked, "model": MODEL, "tools": tools, "stream": true});
        let (status, _, raw) = m.stream("/v1/conversations", body).await;
        assert_eq!(status, 200, "{raw}");
        let events = read_events(START, &raw);
        assert_eq!(
            types(&events)[..3],
            ["conversation.response.started", "tool.execution.started", "tool.execution.done"]
        );
        assert_eq!(events[2]["info"], outputs[0]["info"]);
        let streamed: String = events.iter().filter_map(|e| e["content"].as_str()).collect();
        assert_eq!(streamed, quoted);
    })
    .await;
}

#[tokio::test]
async fn a_handed_off_agent_gets_the_results_of_its_function_calls() {
    within(30, async {
        let m = mock().await;
        let meteo = agent(&m, json!({"model": MODEL, "name": "Meteo", "tools": [weather_tool()]})).await;
        let host = agent(&m, json!({"model": MODEL, "name": "Concierge", "handoffs": [meteo]})).await;
        let asked = "Meteo, what is the weather in Paris?";
        let user = json!({"role": "user", "content": asked});
        let expected = chat(&m, json!({"model": MODEL, "tools": [weather_tool()], "messages": [user]})).await;
        let call = &expected["tool_calls"][0];
        let r = post(&m, START, "/v1/conversations", json!({"inputs": asked, "agent_id": host})).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let outputs = r.body["outputs"].as_array().unwrap();
        let kinds: Vec<&Value> = outputs.iter().map(|o| &o["type"]).collect();
        assert_eq!(kinds, [&json!("agent.handoff"), &json!("function.call")]);
        assert_eq!(
            (&outputs[1]["agent_id"], &outputs[1]["tool_call_id"], &outputs[1]["arguments"]),
            (&json!(meteo), &call["id"], &call["function"]["arguments"])
        );

        let id = r.body["conversation_id"].as_str().unwrap();
        let result = json!({"inputs": [{"type": "function.result", "tool_call_id": call["id"], "result": RESULT}]});
        let r = post(&m, APPEND, &format!("/v1/conversations/{id}"), result).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let messages = json!([user, {"role": "assistant", "content": "", "tool_calls": [{"id": call["id"],
            "type": "function", "function": {"name": "get_weather", "arguments": call["function"]["arguments"]}}]},
            {"role": "tool", "tool_call_id": call["id"], "name": "get_weather", "content": RESULT}]);
        let answer = chat(&m, json!({"model": MODEL, "tools": [weather_tool()], "messages": messages})).await;
        let outputs = r.body["outputs"].as_array().unwrap();
        assert_eq!(outputs.len(), 1);
        assert_eq!((&outputs[0]["agent_id"], &outputs[0]["content"]), (&json!(meteo), &answer["content"]));
    })
    .await;
}
