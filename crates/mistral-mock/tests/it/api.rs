//! Happy paths of every operation, with exact status, headers and bodies.

use std::collections::BTreeSet;

use mistral_mock::MockServer;
use mistral_openapi::operations;
use reqwest::Method;
use serde_json::{Value, json};

use crate::{Mock, stream_chunks, streamed_text, within};

const CHAT: &str = "createChatCompletion";
const FIM: &str = "createFIMCompletion";
const EMBED: &str = "createEmbedding";

fn regular() -> Value {
    json!({
        "model": "mistral-small-latest",
        "messages": [
            {"role": "system", "content": "You are a terse assistant."},
            {"role": "user", "content": "What is the best French cheese?"}
        ],
        "temperature": 0.2
    })
}

fn weather_tool() -> Value {
    json!({"type": "function", "function": {
        "name": "get_weather", "description": "Current weather for a city.",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}})
}

#[tokio::test]
async fn chat_answers_deterministically_with_consistent_usage() {
    within(20, async {
        let m = Mock::start().await;
        let r = m.post(CHAT, "/v1/chat/completions", regular()).await;
        assert_eq!(r.status, 200);
        assert_eq!(r.content_type(), "application/json");
        let b = &r.body;
        assert_eq!(b["object"], "chat.completion");
        assert_eq!(b["model"], "mistral-small-latest");
        assert_eq!(b["id"].as_str().map(str::len), Some(32));
        assert!(b["created"].as_i64().is_some_and(|t| t > 1_700_000_000));
        assert_eq!(b["choices"].as_array().map(Vec::len), Some(1));
        let choice = &b["choices"][0];
        assert_eq!(choice["index"], 0);
        assert_eq!(choice["finish_reason"], "stop");
        assert_eq!(choice["message"]["role"], "assistant");
        let content = choice["message"]["content"].as_str().expect("content");
        assert!(content.contains("French") || content.contains("cheese"), "{content}");
        // "You are a terse assistant." = 6 tokens, "What is the best French cheese?" = 7.
        assert_eq!(b["usage"]["prompt_tokens"], 13);
        let completion = b["usage"]["completion_tokens"].as_u64().expect("completion tokens");
        assert!(completion > 3);
        assert_eq!(b["usage"]["total_tokens"].as_u64(), Some(13 + completion));

        let again = m.post(CHAT, "/v1/chat/completions", regular()).await;
        assert_eq!(again.body["choices"][0]["message"]["content"], content);
        assert_ne!(again.body["id"], b["id"]);
        let mut other = regular();
        other["messages"][1]["content"] = json!("How do volcanoes erupt?");
        let other = m.post(CHAT, "/v1/chat/completions", other).await;
        assert_ne!(other.body["choices"][0]["message"]["content"], content);
    })
    .await;
}

#[tokio::test]
async fn chat_respects_max_tokens() {
    within(20, async {
        let m = Mock::start().await;
        let mut body = regular();
        body["max_tokens"] = json!(4);
        let r = m.post(CHAT, "/v1/chat/completions", body).await;
        assert_eq!(r.status, 200);
        assert_eq!(r.body["choices"][0]["finish_reason"], "length");
        assert_eq!(r.body["usage"]["completion_tokens"], 4);
        let full = m.post(CHAT, "/v1/chat/completions", regular()).await;
        let full_text = full.body["choices"][0]["message"]["content"].as_str().expect("text").to_string();
        let cut = r.body["choices"][0]["message"]["content"].as_str().expect("text");
        assert!(full_text.starts_with(cut), "{cut:?} is not a prefix of {full_text:?}");
    })
    .await;
}

#[tokio::test]
async fn json_mode_returns_a_json_object() {
    within(20, async {
        let m = Mock::start().await;
        let body = json!({"model": "mistral-small-latest", "response_format": {"type": "json_object"},
            "messages": [{"role": "user", "content": "Name the best French cheese and its region as JSON: {\"name\": ..., \"region\": ...}"}]});
        let r = m.post(CHAT, "/v1/chat/completions", body).await;
        assert_eq!(r.status, 200);
        let content = r.body["choices"][0]["message"]["content"].as_str().expect("content");
        let object: Value = serde_json::from_str(content).expect("content is JSON");
        let keys: BTreeSet<&str> = object.as_object().expect("an object").keys().map(String::as_str).collect();
        assert_eq!(keys, BTreeSet::from(["name", "region"]));
        let plain = json!({"model": "mistral-small-latest", "response_format": {"type": "json_object"},
            "messages": [{"role": "user", "content": "Tell me about tides"}]});
        let r = m.post(CHAT, "/v1/chat/completions", plain).await;
        let content = r.body["choices"][0]["message"]["content"].as_str().expect("content");
        assert!(serde_json::from_str::<Value>(content).expect("JSON").is_object());
    })
    .await;
}

fn assert_args_fit(tool: &Value, call: &Value) -> Value {
    let args: Value = serde_json::from_str(call["function"]["arguments"].as_str().expect("arguments string"))
        .expect("JSON arguments");
    let schema = &tool["function"]["parameters"];
    let validator = jsonschema::validator_for(schema).expect("tool schema compiles");
    let errors: Vec<String> = validator.iter_errors(&args).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "arguments {args} do not fit {schema}: {errors:?}");
    args
}

#[tokio::test]
async fn tool_calls_have_arguments_valid_for_the_tool_schema() {
    within(20, async {
        let m = Mock::start().await;
        let tool = weather_tool();
        let body = json!({"model": "mistral-large-latest", "tools": [tool], "tool_choice": "any",
            "messages": [{"role": "user", "content": "What is the weather in Paris?"}]});
        let r = m.post(CHAT, "/v1/chat/completions", body.clone()).await;
        assert_eq!(r.status, 200);
        let choice = &r.body["choices"][0];
        assert_eq!(choice["finish_reason"], "tool_calls");
        let call = &choice["message"]["tool_calls"][0];
        let id = call["id"].as_str().expect("id");
        assert_eq!(id.len(), 9);
        assert!(id.chars().all(|c| c.is_ascii_alphanumeric()));
        assert_eq!(call["type"], "function");
        assert_eq!(call["function"]["name"], "get_weather");
        let args = assert_args_fit(&tool, call);
        assert_eq!(args, json!({"city": "Paris"}));
        let usage = &r.body["usage"];
        assert_eq!(usage["total_tokens"].as_u64(), Some(usage["prompt_tokens"].as_u64().unwrap_or(0) + usage["completion_tokens"].as_u64().unwrap_or(0)));

        // A richer schema, and a choice between tools under `auto`.
        let booking = json!({"type": "function", "function": {"name": "book_flight", "description": "Book a flight ticket.",
            "parameters": {"type": "object", "required": ["destination", "passengers", "class", "dates", "options"],
                "properties": {
                    "destination": {"type": "string", "minLength": 2},
                    "passengers": {"type": "integer", "minimum": 1, "maximum": 9},
                    "class": {"type": "string", "enum": ["economy", "business", "first"]},
                    "dates": {"type": "array", "items": {"type": "string", "format": "date"}, "minItems": 2, "maxItems": 2},
                    "options": {"$ref": "#/$defs/opts"},
                    "note": {"type": ["string", "null"]}},
                "$defs": {"opts": {"type": "object", "required": ["window"], "properties": {"window": {"type": "boolean"}}, "additionalProperties": false}},
                "additionalProperties": false}}});
        let body = json!({"model": "mistral-large-latest", "tools": [weather_tool(), booking], "tool_choice": "auto",
            "messages": [{"role": "user", "content": "Book a business flight to Lisbon for 2 passengers"}]});
        let r = m.post(CHAT, "/v1/chat/completions", body).await;
        let call = &r.body["choices"][0]["message"]["tool_calls"][0];
        assert_eq!(call["function"]["name"], "book_flight");
        let args = assert_args_fit(&booking, call);
        assert_eq!((&args["destination"], &args["passengers"], &args["class"]), (&json!("Lisbon"), &json!(2), &json!("business")));
    })
    .await;
}

#[tokio::test]
async fn tool_choice_none_and_tool_results_give_text() {
    within(20, async {
        let m = Mock::start().await;
        let body = json!({"model": "mistral-large-latest", "tools": [weather_tool()], "tool_choice": "none",
            "messages": [{"role": "user", "content": "What is the weather in Paris?"}]});
        let r = m.post(CHAT, "/v1/chat/completions", body).await;
        assert_eq!(r.body["choices"][0]["finish_reason"], "stop");
        assert!(r.body["choices"][0]["message"].get("tool_calls").is_none_or(Value::is_null));
        let body = json!({"model": "mistral-large-latest", "tools": [weather_tool()], "messages": [
            {"role": "user", "content": "What is the weather in Paris?"},
            {"role": "assistant", "content": "", "tool_calls": [{"id": "D681PevKs", "type": "function",
                "function": {"name": "get_weather", "arguments": "{\"city\": \"Paris\"}"}}]},
            {"role": "tool", "name": "get_weather", "tool_call_id": "D681PevKs", "content": "{\"temperature_c\": 18, \"sky\": \"cloudy\"}"}]});
        let r = m.post(CHAT, "/v1/chat/completions", body).await;
        assert_eq!(r.status, 200);
        assert_eq!(r.body["choices"][0]["finish_reason"], "stop");
        let text = r.body["choices"][0]["message"]["content"].as_str().expect("text");
        assert!(text.contains("18") && text.contains("cloudy") && text.contains("get_weather"), "{text}");
    })
    .await;
}

#[tokio::test]
async fn chat_streams_one_chunk_per_token() {
    within(20, async {
        let m = Mock::start().await;
        let mut body = regular();
        body["stream"] = json!(true);
        let (status, headers, raw) = m.stream("/v1/chat/completions", body).await;
        assert_eq!(status, 200);
        assert_eq!(headers.get("content-type").and_then(|v| v.to_str().ok()), Some("text/event-stream"));
        let chunks = stream_chunks(CHAT, &raw);
        let first = &chunks[0];
        assert_eq!(first["object"], "chat.completion.chunk");
        assert_eq!(first["choices"][0]["delta"]["role"], "assistant");
        let last = chunks.last().expect("chunks");
        assert_eq!(last["choices"][0]["finish_reason"], "stop");
        let usage = &last["usage"];
        let completion = usage["completion_tokens"].as_u64().expect("usage");
        assert_eq!(chunks.len() as u64, 1 + completion, "one chunk per token after the role chunk");
        assert!(
            chunks[..chunks.len() - 1].iter().all(|c| c["choices"][0].get("finish_reason").is_none_or(Value::is_null))
        );
        assert!(chunks.iter().all(|c| c["id"] == first["id"]));
        let plain = m.post(CHAT, "/v1/chat/completions", regular()).await;
        assert_eq!(streamed_text(&chunks), plain.body["choices"][0]["message"]["content"].as_str().expect("text"));
        assert_eq!(usage, &plain.body["usage"]);

        // A streamed tool call comes in fragments (see chat_2026 for their exact shape), then
        // an event that ends the choice.
        let body = json!({"model": "mistral-large-latest", "stream": true, "tools": [weather_tool()],
            "messages": [{"role": "user", "content": "Weather in Rome?"}]});
        let (_, _, raw) = m.stream("/v1/chat/completions", body).await;
        let chunks = stream_chunks(CHAT, &raw);
        let arguments: String = chunks
            .iter()
            .filter_map(|c| c["choices"][0]["delta"]["tool_calls"][0]["function"]["arguments"].as_str())
            .collect();
        assert_eq!(arguments, "{\"city\":\"Rome\"}");
        let last = chunks.last().expect("chunks");
        assert_eq!(last["choices"][0]["finish_reason"], "tool_calls");
        assert_eq!(last["choices"][0]["delta"], json!({"content": "", "tool_calls": null}));
    })
    .await;
}

#[tokio::test]
async fn fim_fills_the_middle_plain_and_streamed() {
    within(20, async {
        let m = Mock::start().await;
        let body = json!({"model": "codestral-latest", "prompt": "def fibonacci(n: int):", "suffix": "print(fibonacci(10))", "max_tokens": 64});
        let r = m.post(FIM, "/v1/fim/completions", body.clone()).await;
        assert_eq!(r.status, 200);
        assert_eq!(r.body["model"], "codestral-latest");
        assert_eq!(r.body["choices"][0]["finish_reason"], "stop");
        let code = r.body["choices"][0]["message"]["content"].as_str().expect("code").to_string();
        assert!(code.starts_with('\n') && code.contains("    return"), "{code:?}");
        let usage = &r.body["usage"];
        assert_eq!(usage["prompt_tokens"], 15);
        let mut streamed = body.clone();
        streamed["stream"] = json!(true);
        let (status, headers, raw) = m.stream("/v1/fim/completions", streamed).await;
        assert_eq!(status, 200);
        assert_eq!(headers.get("content-type").and_then(|v| v.to_str().ok()), Some("text/event-stream"));
        let chunks = stream_chunks(FIM, &raw);
        assert_eq!(streamed_text(&chunks), code);
        assert_eq!(chunks.last().map(|c| &c["usage"]), Some(usage));

        let cut = m.post(FIM, "/v1/fim/completions", json!({"model": "codestral-2405", "prompt": "def f(x):", "max_tokens": 3})).await;
        assert_eq!(cut.body["choices"][0]["finish_reason"], "length");
        assert_eq!(cut.body["usage"]["completion_tokens"], 3);
        let wrong = m.post(FIM, "/v1/fim/completions", json!({"model": "mistral-small-latest", "prompt": "x"})).await;
        assert_eq!(wrong.status, 400);
        assert_eq!(wrong.body["message"], "Model mistral-small-latest does not support fill-in-the-middle completions");
    })
    .await;
}

fn cosine(a: &Value, b: &Value) -> f64 {
    let (a, b) = (a.as_array().expect("vector"), b.as_array().expect("vector"));
    a.iter().zip(b).map(|(x, y)| x.as_f64().unwrap_or(0.0) * y.as_f64().unwrap_or(0.0)).sum()
}

#[tokio::test]
async fn embeddings_are_normalised_deterministic_and_meaningful() {
    within(20, async {
        let m = Mock::start().await;
        let texts = ["The cat sits on the mat", "A cat sat on the mat", "Interest rates rose again this quarter"];
        let r = m
            .post(
                EMBED,
                "/v1/embeddings",
                json!({"model": "mistral-embed", "input": texts, "encoding_format": "float"}),
            )
            .await;
        assert_eq!(r.status, 200);
        assert_eq!(r.body["object"], "list");
        assert_eq!(r.body["model"], "mistral-embed");
        let data = r.body["data"].as_array().expect("data");
        assert_eq!(data.len(), 3);
        for (i, d) in data.iter().enumerate() {
            assert_eq!(d["object"], "embedding");
            assert_eq!(d["index"], i);
            assert_eq!(d["embedding"].as_array().map(Vec::len), Some(1024));
            assert!((cosine(&d["embedding"], &d["embedding"]) - 1.0).abs() < 1e-3);
        }
        assert!(
            cosine(&data[0]["embedding"], &data[1]["embedding"])
                > cosine(&data[0]["embedding"], &data[2]["embedding"]) + 0.2
        );
        // As the live server: `completion_tokens: 0` and every detail null for embeddings.
        assert_eq!(
            r.body["usage"],
            json!({"prompt_tokens": 18, "completion_tokens": 0, "total_tokens": 18, "completion_tokens_details": null,
                   "prompt_audio_seconds": null, "prompt_token_details": null, "prompt_tokens_details": null,
                   "request_count": null, "service_tier": null})
        );
        let one = m.post(EMBED, "/v1/embeddings", json!({"model": "mistral-embed", "input": texts[0]})).await;
        assert_eq!(one.body["data"][0]["embedding"], data[0]["embedding"]);
        let wrong = m.post(EMBED, "/v1/embeddings", json!({"model": "mistral-small-latest", "input": "x"})).await;
        assert_eq!(wrong.status, 400);
    })
    .await;
}

#[tokio::test]
async fn models_are_listed() {
    within(20, async {
        let m = Mock::start().await;
        let r = m.get("listModels", "/v1/models").await;
        assert_eq!(r.status, 200);
        assert_eq!(r.body["object"], "list");
        let ids: BTreeSet<&str> =
            r.body["data"].as_array().expect("data").iter().filter_map(|d| d["id"].as_str()).collect();
        let want = [
            // The seed's.
            "mistral-small-latest",
            "mistral-large-latest",
            "open-mistral-7b",
            "mistral-embed",
            "codestral-latest",
            "codestral-2405",
            // The 2026 catalog's (the models the recorded live traffic uses among them).
            "mistral-medium-latest",
            "magistral-small-latest",
            "ministral-3b-latest",
            "ministral-8b-latest",
            "ministral-14b-latest",
            "devstral-latest",
            "codestral-embed",
            "voxtral-small-latest",
            "voxtral-mini-latest",
            "voxtral-mini-tts-latest",
            "mistral-ocr-latest",
            "mistral-moderation-latest",
        ];
        assert_eq!(ids, BTreeSet::from(want));
        let card = |id: &str| r.body["data"].as_array().unwrap().iter().find(|d| d["id"] == id).unwrap().clone();
        assert_eq!(card("magistral-small-latest")["capabilities"]["reasoning"], true);
        assert_eq!(card("voxtral-small-latest")["capabilities"]["audio"], true);
        assert_eq!(card("mistral-embed")["capabilities"]["completion_chat"], false);
        assert!(
            r.body["data"]
                .as_array()
                .expect("data")
                .iter()
                .all(|d| d["object"] == "model" && d["owned_by"] == "mistralai")
        );
    })
    .await;
}

#[tokio::test]
async fn files_upload_list_retrieve_delete() {
    within(20, async {
        let m = Mock::start().await;
        let bytes = crate::training_file(3);
        let size = bytes.len();
        let up = m.upload("train.jsonl", bytes).await;
        assert_eq!(up.status, 200);
        let id = up.body["id"].as_str().expect("id").to_string();
        assert_eq!(up.body["object"], "file");
        assert_eq!(up.body["bytes"], size);
        assert_eq!(up.body["filename"], "train.jsonl");
        assert_eq!(up.body["purpose"], "fine-tune");
        let second = m.upload_training(1).await;
        let list = m.get("files_api_routes_list_files", "/v1/files").await;
        assert_eq!(list.body["object"], "list");
        let ids: Vec<&str> =
            list.body["data"].as_array().expect("data").iter().filter_map(|f| f["id"].as_str()).collect();
        assert_eq!(ids, vec![second.as_str(), id.as_str()], "newest first");
        let got = m.get("files_api_routes_retrieve_file", &format!("/v1/files/{id}")).await;
        assert_eq!(got.status, 200);
        let mut retrieved = up.body.clone();
        retrieved["deleted"] = json!(false);
        assert_eq!(got.body, retrieved);
        let del = m.delete("files_api_routes_delete_file", &format!("/v1/files/{id}")).await;
        assert_eq!(del.status, 200);
        assert_eq!(del.body, json!({"id": id, "object": "file", "deleted": true}));
        let gone = m.get("files_api_routes_retrieve_file", &format!("/v1/files/{id}")).await;
        assert_eq!(gone.status, 404);
        assert_eq!(
            gone.body,
            json!({"object": "error", "message": format!("No file with id {id}"),
            "type": "invalid_request_error", "param": null, "code": "404"})
        );
        assert_eq!(m.delete("files_api_routes_delete_file", &format!("/v1/files/{id}")).await.status, 404);
    })
    .await;
}

#[tokio::test]
async fn bad_training_files_are_refused_clearly() {
    within(20, async {
        let m = Mock::start().await;
        let r = m.upload("bad.jsonl", b"{\"messages\": [{\"role\": \"user\", \"content\": \"hi\"}, {\"role\": \"assistant\", \"content\": \"yo\"}]}\n{\"prompt\": \"x\"}\n".to_vec()).await;
        assert_eq!(r.status, 422);
        let d = &r.body["message"]["detail"][0];
        assert_eq!(d["loc"], json!(["body", "file"]));
        assert_eq!(d["msg"], "Invalid fine-tuning file bad.jsonl: line 2: expected an object with a \"messages\" array");
        let r = m.upload("bin.jsonl", vec![0xff, 0x00, 0xfe]).await;
        assert_eq!(r.status, 422);
        assert!(r.body["message"]["detail"][0]["msg"].as_str().is_some_and(|s| s.contains("not valid UTF-8")));
        let form = reqwest::multipart::Form::new().text("purpose", "fine-tune");
        let r = m.call("files_api_routes_upload_file", m.request(Method::POST, "/v1/files").multipart(form)).await;
        assert_eq!(r.status, 422);
        assert_eq!(r.body["message"]["detail"][0], json!({"type": "missing", "loc": ["body", "file"], "msg": "Field required"}));
        let part = reqwest::multipart::Part::bytes(crate::training_file(1)).file_name("t.jsonl");
        let form = reqwest::multipart::Form::new().text("purpose", "training").part("file", part);
        let r = m.call("files_api_routes_upload_file", m.request(Method::POST, "/v1/files").multipart(form)).await;
        assert_eq!(r.status, 422);
        assert_eq!(r.body["message"]["detail"][0]["loc"], json!(["body", "purpose"]));
        let r = m.call("files_api_routes_upload_file", m.request(Method::POST, "/v1/files").json(&json!({}))).await;
        assert_eq!(r.status, 422);
    })
    .await;
}

/// The request of `op` built from the spec's examples: path parameters, then the first JSON or
/// multipart request example.
fn example_request(m: &Mock, spec: &mistral_spec::Spec, op: &operations::Operation) -> reqwest::RequestBuilder {
    let raw = spec.operation(op.id).expect("in the spec").raw;
    let params: Vec<String> = op
        .path_params()
        .map(|name| {
            raw["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| spec.resolve(p).unwrap_or(p))
                .find(|p| p["name"] == name)
                .and_then(|p| p.get("example"))
                .map(|e| e.as_str().map(str::to_string).unwrap_or_else(|| e.to_string()))
                .unwrap_or_else(|| format!("{name}-1"))
        })
        .collect();
    let params: Vec<&str> = params.iter().map(String::as_str).collect();
    let request = m.request(op.method.to_http(), &op.path_with(&params));
    let content = &raw["requestBody"]["content"];
    let example = |media: &str| {
        content[media].get("example").cloned().or_else(|| {
            content[media]["examples"].as_object().and_then(|e| e.values().next()).map(|e| e["value"].clone())
        })
    };
    match op.body {
        operations::Body::None => request,
        operations::Body::Json => request.json(&example("application/json").expect("a JSON request example")),
        operations::Body::Multipart => {
            let mut form = reqwest::multipart::Form::new();
            for (name, value) in example("multipart/form-data").expect("a form example").as_object().expect("fields") {
                let text = value.as_str().map(str::to_string).unwrap_or_else(|| value.to_string());
                form = if name == "file" {
                    form.part("file", reqwest::multipart::Part::text(text).file_name("example.bin"))
                } else {
                    form.text(name.clone(), text)
                };
            }
            request.multipart(form)
        }
    }
}

/// One pass over every operation, each response validated against the spec: those the mock
/// serves itself by hand, every other one from its spec examples (answered from the examples).
#[tokio::test]
async fn every_operation_conforms_to_the_spec() {
    within(20, async {
        // The beta groups from their examples here: their own state is judged by the
        // conformance runner's flows (mistral-conformance tests/beta.rs) and tests/it/{agents,
        // conversations,libraries}.rs.
        let m = Mock::with(MockServer::builder().speed(2000.0).stateful_beta(false)).await;
        let mut seen = BTreeSet::new();
        let mut ok = |op: &'static str, r: &crate::Reply| {
            assert!(r.status.is_success(), "{op}: {} {}", r.status, r.text);
            seen.insert(op);
        };
        ok(CHAT, &m.post(CHAT, "/v1/chat/completions", regular()).await);
        ok(FIM, &m.post(FIM, "/v1/fim/completions", json!({"model": "codestral-latest", "prompt": "def f(x):"})).await);
        ok(EMBED, &m.post(EMBED, "/v1/embeddings", json!({"model": "mistral-embed", "input": ["a"]})).await);
        ok("listModels", &m.get("listModels", "/v1/models").await);
        let up = m.upload("t.jsonl", crate::training_file(2)).await;
        ok("files_api_routes_upload_file", &up);
        let file = up.body["id"].as_str().expect("id").to_string();
        ok("files_api_routes_list_files", &m.get("files_api_routes_list_files", "/v1/files").await);
        ok(
            "files_api_routes_retrieve_file",
            &m.get("files_api_routes_retrieve_file", &format!("/v1/files/{file}")).await,
        );
        let create = "jobs_api_routes_fine_tuning_create_fine_tuning_job";
        let job_in =
            json!({"model": "open-mistral-7b", "training_files": [file], "hyperparameters": {"training_steps": 2}});
        ok(create, &m.post(create, "/v1/fine_tuning/jobs?dry_run=true", job_in.clone()).await);
        let job = m.post(create, "/v1/fine_tuning/jobs", job_in.clone()).await;
        ok(create, &job);
        let job_id = job.body["id"].as_str().expect("job id").to_string();
        ok(
            "jobs_api_routes_fine_tuning_get_fine_tuning_jobs",
            &m.get("jobs_api_routes_fine_tuning_get_fine_tuning_jobs", "/v1/fine_tuning/jobs").await,
        );
        let get = "jobs_api_routes_fine_tuning_get_fine_tuning_job";
        let ft = loop {
            let r = m.get(get, &format!("/v1/fine_tuning/jobs/{job_id}")).await;
            if r.body["status"] == "SUCCESS" {
                ok(get, &r);
                break r.body["fine_tuned_model"].as_str().expect("model").to_string();
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        };
        let mut long = job_in;
        long["hyperparameters"]["training_steps"] = json!(5000);
        let other = m.post(create, "/v1/fine_tuning/jobs", long).await;
        let cancel = "jobs_api_routes_fine_tuning_cancel_fine_tuning_job";
        let other_id = other.body["id"].as_str().expect("id");
        let c = m.call(cancel, m.request(Method::POST, &format!("/v1/fine_tuning/jobs/{other_id}/cancel"))).await;
        ok(cancel, &c);
        let retrieve = "retrieve_model_v1_models__model_id__get";
        ok(retrieve, &m.get(retrieve, &format!("/v1/models/{ft}")).await);
        let update = "jobs_api_routes_fine_tuning_update_fine_tuned_model";
        let renamed =
            m.request(Method::PATCH, &format!("/v1/fine_tuning/models/{ft}")).json(&json!({"name": "renamed"}));
        ok(update, &m.call(update, renamed).await);
        let archive = "jobs_api_routes_fine_tuning_archive_fine_tuned_model";
        let path = format!("/v1/fine_tuning/models/{ft}/archive");
        ok(archive, &m.call(archive, m.request(Method::POST, &path)).await);
        let unarchive = "jobs_api_routes_fine_tuning_unarchive_fine_tuned_model";
        ok(unarchive, &m.call(unarchive, m.request(Method::DELETE, &path)).await);
        let del = "delete_model_v1_models__model_id__delete";
        ok(del, &m.delete(del, &format!("/v1/models/{ft}")).await);
        let download = "files_api_routes_download_file";
        ok(download, &m.get(download, &format!("/v1/files/{file}/content")).await);
        let url = "files_api_routes_get_signed_url";
        ok(url, &m.get(url, &format!("/v1/files/{file}/url")).await);
        ok(
            "files_api_routes_delete_file",
            &m.delete("files_api_routes_delete_file", &format!("/v1/files/{file}")).await,
        );
        // Long enough (10 simulated seconds a request) to be cancelled while it runs.
        let requests = vec![json!({"body": {"input": "x"}}); 1000];
        let batch_in = json!({"requests": requests, "endpoint": "/v1/embeddings", "model": "mistral-embed"});
        let create = "jobs_api_routes_batch_create_batch_job";
        let batch = m.post(create, "/v1/batch/jobs", batch_in.clone()).await;
        ok(create, &batch);
        let batch_id = batch.body["id"].as_str().expect("batch id").to_string();
        let list = "jobs_api_routes_batch_get_batch_jobs";
        ok(list, &m.get(list, "/v1/batch/jobs?status=QUEUED&status=RUNNING").await);
        let cancel = "jobs_api_routes_batch_cancel_batch_job";
        ok(cancel, &m.call(cancel, m.request(Method::POST, &format!("/v1/batch/jobs/{batch_id}/cancel"))).await);
        let get = "jobs_api_routes_batch_get_batch_job";
        ok(get, &m.get(get, &format!("/v1/batch/jobs/{batch_id}?inline=true")).await);
        let del = "jobs_api_routes_batch_delete_batch_job";
        ok(del, &m.delete(del, &format!("/v1/batch/jobs/{batch_id}")).await);
        let ocr = "ocr_v1_ocr_post";
        let document = json!({"type": "document_url", "document_url": "https://example.com/a.pdf"});
        ok(ocr, &m.post(ocr, "/v1/ocr", json!({"model": "mistral-ocr-latest", "document": document})).await);
        let moderation = "mistral-moderation-latest";
        let user = json!([{"role": "user", "content": "Hello"}]);
        for (op, path, input) in [
            ("moderations_v1_moderations_post", "/v1/moderations", json!(["Hello"])),
            ("chat_moderations_v1_chat_moderations_post", "/v1/chat/moderations", user.clone()),
            ("classifications_v1_classifications_post", "/v1/classifications", json!("Hello")),
            (
                "chat_classifications_v1_chat_classifications_post",
                "/v1/chat/classifications",
                json!({"messages": user}),
            ),
        ] {
            ok(op, &m.post(op, path, json!({"model": moderation, "input": input})).await);
        }
        let transcribe = "audio_api_v1_transcriptions_post";
        let wav = reqwest::multipart::Part::bytes(mistral_mock::audio::wav_from_text("Hello.")).file_name("a.wav");
        let form = reqwest::multipart::Form::new().text("model", "voxtral-mini-latest").part("file", wav);
        let path = "/v1/audio/transcriptions";
        ok(transcribe, &m.call(transcribe, m.request(Method::POST, path).multipart(form)).await);
        let speech = "speech_v1_audio_speech_post";
        ok(speech, &m.post(speech, "/v1/audio/speech", json!({"input": "Hello."})).await);
        let voices = "list_voices_v1_audio_voices_get";
        ok(voices, &m.get(voices, "/v1/audio/voices").await);
        let create = "create_voice_v1_audio_voices_post";
        let voice = m.post(create, "/v1/audio/voices", json!({"name": "v", "sample_audio": "UklGRg=="})).await;
        ok(create, &voice);
        let path = format!("/v1/audio/voices/{}", voice.body["id"].as_str().expect("voice id"));
        let get = "get_voice_v1_audio_voices__voice_id__get";
        ok(get, &m.get(get, &path).await);
        let update = "update_voice_v1_audio_voices__voice_id__patch";
        ok(update, &m.call(update, m.request(Method::PATCH, &path).json(&json!({"name": "w"}))).await);
        let sample = "get_voice_sample_audio_v1_audio_voices__voice_id__sample_get";
        ok(sample, &m.get(sample, &format!("{path}/sample")).await);
        let delete = "delete_voice_v1_audio_voices__voice_id__delete";
        ok(delete, &m.delete(delete, &path).await);
        let spec = mistral_spec::Spec::embedded().expect("spec");
        for op in operations::ALL.iter().filter(|op| !mistral_mock::serves(op)) {
            let r = m.call(op.id, example_request(&m, spec, op)).await;
            assert_eq!(
                r.headers.get(mistral_mock::EXAMPLE_HEADER).map(|v| v.as_bytes()),
                Some(&b"example"[..]),
                "{}",
                op.id
            );
            ok(op.id, &r);
        }
        let all: BTreeSet<&str> = spec.operations().iter().map(|o| o.id).collect();
        assert_eq!(seen, all, "every operation of the spec was exercised");
        let table: BTreeSet<&str> = operations::ALL.iter().map(|o| o.id).collect();
        assert_eq!(table, all, "the operation table is the spec's");
    })
    .await;
}

#[tokio::test]
async fn embeddings_take_a_dimension_and_a_dtype() {
    within(20, async {
        let m = Mock::start().await;
        let ask = |extra: serde_json::Value| {
            let mut body = json!({"model": "mistral-embed", "input": ["Comté", "Brie"]});
            body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
            body
        };
        let short = m.post(EMBED, "/v1/embeddings", ask(json!({"output_dimension": 256}))).await;
        assert_eq!(short.status, 200, "{}", short.text);
        let v = &short.body["data"][0]["embedding"];
        assert_eq!(v.as_array().map(Vec::len), Some(256));
        assert!((cosine(v, v) - 1.0).abs() < 1e-3, "still a unit vector");

        let int8 = m.post(EMBED, "/v1/embeddings", ask(json!({"output_dimension": 256, "output_dtype": "int8"}))).await;
        assert_eq!(int8.status, 200, "{}", int8.text);
        let values = int8.body["data"][1]["embedding"].as_array().unwrap().clone();
        assert_eq!(values.len(), 256);
        assert!(values.iter().all(|x| x.as_i64().is_some_and(|x| (-128..=127).contains(&x))), "{values:?}");
        assert!(int8.text.contains("\"embedding\":[") && !int8.text.contains(".0,"), "integers on the wire");

        let bits = m.post(EMBED, "/v1/embeddings", ask(json!({"output_dtype": "ubinary"}))).await;
        assert_eq!(bits.body["data"][0]["embedding"].as_array().map(Vec::len), Some(128), "1024 signs, 8 a byte");

        let too_big = m.post(EMBED, "/v1/embeddings", ask(json!({"output_dimension": 4096}))).await;
        assert_eq!(too_big.status, 400);
    })
    .await;
}
