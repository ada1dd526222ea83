//! Error bodies (401/404/405/413/422/400) and bad input, with the server still serving after.

use reqwest::Method;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::{Mock, read, within};

const CHAT: &str = "createChatCompletion";

fn chat() -> Value {
    json!({"model": "mistral-small-latest", "messages": [{"role": "user", "content": "Hi"}]})
}

fn assert_unauthorized(r: &crate::Reply) {
    assert_eq!(r.status, 401);
    assert_eq!(r.content_type(), "application/json");
    let body = r.body.as_object().expect("object");
    assert_eq!(body.len(), 2, "{body:?}");
    assert_eq!(body["message"], "Unauthorized");
    let id = body["request_id"].as_str().expect("request_id");
    assert!(id.len() == 32 && id.chars().all(|c| c.is_ascii_hexdigit()), "{id}");
}

#[tokio::test]
async fn missing_or_unknown_keys_get_401() {
    within(20, async {
        let open = Mock::start().await;
        let r = open.call("listModels", open.http.get(open.url("/v1/models"))).await;
        assert_unauthorized(&r);
        let r =
            open.call("listModels", open.http.get(open.url("/v1/models")).header("authorization", "Basic abc")).await;
        assert_unauthorized(&r);
        let r = open.call("listModels", open.http.get(open.url("/v1/models")).bearer_auth("")).await;
        assert_unauthorized(&r);
        let r = open.call("listModels", open.http.get(open.url("/v1/models")).bearer_auth("anything")).await;
        assert_eq!(r.status, 200);

        let locked = Mock::with(mistral_mock::MockServer::builder().api_key("sk-right")).await;
        let r = locked
            .call(CHAT, locked.http.post(locked.url("/v1/chat/completions")).bearer_auth("sk-wrong").json(&chat()))
            .await;
        // An unknown key gets the live server's other 401.
        assert_eq!((r.status.as_u16(), &r.body), (401, &json!({"detail": "Invalid API Key"})));
        let r = locked.post(CHAT, "/v1/chat/completions", chat()).await;
        assert_eq!(r.status, 200);
    })
    .await;
}

#[tokio::test]
async fn unknown_paths_and_methods() {
    within(20, async {
        let m = Mock::start().await;
        let r = m.get("listModels", "/v1/nope").await;
        assert_eq!(r.status, 404);
        assert_eq!(r.body, json!({"object": "error", "message": "Not found: GET /v1/nope", "type": "invalid_request_error", "param": null, "code": "404"}));
        let r = m.post(CHAT, "/chat/completions", chat()).await;
        assert_eq!(r.status, 404);
        assert!(r.body["message"].as_str().is_some_and(|s| s.contains("/v1/chat/completions")), "{}", r.text);
        let r = m.call(CHAT, m.request(Method::PUT, "/v1/chat/completions")).await;
        assert_eq!(r.status, 405);
        assert_eq!(r.body["code"], "405");
        let r = m.get("jobs_api_routes_fine_tuning_get_fine_tuning_job", "/v1/fine_tuning/jobs/not-a-uuid").await;
        assert_eq!(r.status, 422);
        assert_eq!(r.body["message"]["detail"][0]["loc"], json!(["path", "job_id"]));
        assert_eq!(r.body["message"]["detail"][0]["type"], "uuid_parsing");
        let r = m.get("jobs_api_routes_fine_tuning_get_fine_tuning_job", "/v1/fine_tuning/jobs/2f4b9a6e-8c1d-4e3f-9a7b-5c6d7e8f9a0b").await;
        assert_eq!(r.status, 404);
        let r = m.delete("delete_model_v1_models__model_id__delete", "/v1/models/ft:open-mistral-7b:587a6b29:20240514:7e773925").await;
        assert_eq!(r.status, 404);
        let r = m.delete("delete_model_v1_models__model_id__delete", "/v1/models/mistral-small-latest").await;
        assert_eq!(r.status, 400);
        assert_eq!(r.body, json!({"object": "error", "message": "Cannot delete base model mistral-small-latest",
            "type": "invalid_request_error", "param": null, "code": null, "raw_status_code": 400}));
    })
    .await;
}

#[tokio::test]
async fn schema_violations_get_422_with_the_real_body() {
    within(20, async {
        let m = Mock::start().await;
        let mut body = chat();
        body["foo"] = json!(1);
        let r = m.post(CHAT, "/v1/chat/completions", body).await;
        assert_eq!(r.status, 422);
        assert_eq!(r.body, json!({"object": "error", "message": {"detail": [
            {"type": "extra_forbidden", "loc": ["body", "foo"], "msg": "Extra inputs are not permitted", "input": 1}]},
            "type": "invalid_request_error", "param": null, "code": null}));

        let r = m.post(CHAT, "/v1/chat/completions", json!({"messages": [{"role": "user", "content": "Hi"}]})).await;
        assert_eq!(r.status, 422);
        let d = &r.body["message"]["detail"][0];
        assert_eq!((&d["type"], &d["loc"], &d["msg"]), (&json!("missing"), &json!(["body", "model"]), &json!("Field required")));

        let r = m.post(CHAT, "/v1/chat/completions", json!({"model": 7, "messages": [{"role": "user", "content": "Hi"}], "temperature": 1.6, "max_tokens": "ten"})).await;
        assert_eq!(r.status, 422);
        let details = r.body["message"]["detail"].as_array().expect("details");
        let find = |loc: Value| details.iter().find(|d| d["loc"] == loc).cloned().unwrap_or(Value::Null);
        assert_eq!(find(json!(["body", "model"]))["type"], "string_type");
        assert_eq!(find(json!(["body", "temperature"]))["msg"], "Input should be less than or equal to 1.5");
        assert_eq!(find(json!(["body", "max_tokens"]))["type"], "int_type");

        let r = m.post(CHAT, "/v1/chat/completions", json!({"model": "m", "messages": [{"role": "robot", "content": "x"}]})).await;
        assert_eq!(r.body["message"]["detail"][0]["type"], "union_tag_invalid");
        let r = m.post("createEmbedding", "/v1/embeddings", json!({"model": "mistral-embed", "input": [1, 2]})).await;
        assert_eq!(r.status, 422);
        assert_eq!(r.body["message"]["detail"][0]["loc"], json!(["body", "input", 0]));
        let r = m.get("jobs_api_routes_fine_tuning_get_fine_tuning_jobs", "/v1/fine_tuning/jobs?page=-1&created_by_me=maybe").await;
        assert_eq!(r.status, 422);
        assert_eq!(r.body["message"]["detail"].as_array().map(Vec::len), Some(2));
    })
    .await;
}

#[tokio::test]
async fn models_are_checked_like_the_real_api() {
    within(20, async {
        let m = Mock::start().await;
        let mut body = chat();
        body["model"] = json!("gpt-4");
        let r = m.post(CHAT, "/v1/chat/completions", body).await;
        assert_eq!(r.status, 400);
        assert_eq!(r.body, json!({"object": "error", "message": "Invalid model: gpt-4", "type": "invalid_model", "param": null, "code": "1500", "raw_status_code": 400}));
        let mut body = chat();
        body["model"] = json!("mistral-embed");
        assert_eq!(m.post(CHAT, "/v1/chat/completions", body).await.status, 400);
        let body = json!({"model": "mistral-small-latest", "messages": [{"role": "user", "content": "x"}, {"role": "assistant", "content": "y"}]});
        let r = m.post(CHAT, "/v1/chat/completions", body).await;
        assert_eq!(r.status, 400);
        assert!(r.body["message"].as_str().is_some_and(|s| s.starts_with("Expected last role User or Tool")));
    })
    .await;
}

#[tokio::test]
async fn bodies_over_the_limit_get_413() {
    within(20, async {
        let m = Mock::with(mistral_mock::MockServer::builder().body_limit(1024).upload_limit(4096)).await;
        let big = "x".repeat(2000);
        let body = json!({"model": "mistral-small-latest", "messages": [{"role": "user", "content": big}]});
        let r = m.post(CHAT, "/v1/chat/completions", body.clone()).await;
        assert_eq!(r.status, 413);
        assert_eq!(
            r.body,
            json!({"object": "error", "message": "Request body too large: the limit is 1024 bytes",
            "type": "invalid_request_error", "param": null, "code": "413"})
        );
        // Without Content-Length (chunked), the limit holds while reading.
        let bytes = serde_json::to_vec(&body).expect("json");
        let stream =
            futures::stream::iter(bytes.chunks(256).map(|c| Ok::<_, std::io::Error>(c.to_vec())).collect::<Vec<_>>());
        let r = m
            .call(CHAT, m.request(Method::POST, "/v1/chat/completions").body(reqwest::Body::wrap_stream(stream)))
            .await;
        assert_eq!(r.status, 413);
        let r = m.upload("big.jsonl", crate::training_file(200)).await;
        assert_eq!(r.status, 413);
        assert_eq!(r.body["code"], "413");
        assert_eq!(m.post(CHAT, "/v1/chat/completions", chat()).await.status, 200);
    })
    .await;
}

#[tokio::test]
async fn garbage_is_answered_clearly_and_the_server_keeps_serving() {
    within(20, async {
        let m = Mock::start().await;
        let send = |bytes: Vec<u8>| {
            m.call(
                CHAT,
                m.request(Method::POST, "/v1/chat/completions").header("content-type", "application/json").body(bytes),
            )
        };
        let r = send(b"{\"model\": \"mistral-small-latest\", \"messages\": [".to_vec()).await;
        assert_eq!(r.status, 422);
        let d = &r.body["message"]["detail"][0];
        assert_eq!(d["type"], "json_invalid");
        assert!(d["msg"].as_str().is_some_and(|s| s.starts_with("JSON decode error")));
        let garbage: Vec<u8> = (0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
        assert_eq!(send(garbage).await.status, 422);
        let mut invalid_utf8 =
            b"{\"model\": \"mistral-small-latest\", \"messages\": [{\"role\": \"user\", \"content\": \"".to_vec();
        invalid_utf8.extend([0xff, 0xfe, 0xc3]);
        invalid_utf8.extend(b"\"}]}");
        assert_eq!(send(invalid_utf8).await.status, 422);
        let r = send(Vec::new()).await;
        assert_eq!(r.status, 422);
        assert_eq!(
            r.body["message"]["detail"][0],
            json!({"type": "missing", "loc": ["body"], "msg": "Field required"})
        );
        assert_eq!(send(b"[1, 2, 3]".to_vec()).await.status, 422);
        assert_eq!(send(b"null".to_vec()).await.status, 422);
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert_eq!(send(deep.into_bytes()).await.status, 422);
        let huge = json!({"model": "mistral-embed", "input": vec!["word "; 1_200_000]});
        let r = m.post("createEmbedding", "/v1/embeddings", huge).await;
        assert_eq!(r.status, 413);

        // Inputs that ask for unbounded work are capped or refused.
        let r = m.post("createEmbedding", "/v1/embeddings", json!({"model": "mistral-embed", "input": vec!["a"; 513]})).await;
        assert_eq!(r.status, 400);
        assert_eq!(r.body["message"], "Too many inputs in request, split into more batches.");
        assert_eq!((&r.body["type"], &r.body["code"]), (&json!("invalid_request_prompt"), &json!("3210")));
        let r = m.post("createFIMCompletion", "/v1/fim/completions", json!({"model": "codestral-latest", "prompt": "def f(x):", "min_tokens": u64::MAX / 2})).await;
        assert_eq!(r.status, 200);
        assert!(r.body["usage"]["completion_tokens"].as_u64().is_some_and(|n| (8192..9000).contains(&n)));
        let tool = json!({"type": "function", "function": {"name": "f", "parameters": {"type": "object", "required": ["s"],
            "properties": {"s": {"type": "string", "minLength": 1_000_000_000_000u64}}}}});
        let r = m.post(CHAT, "/v1/chat/completions", json!({"model": "mistral-small-latest", "tools": [tool], "messages": [{"role": "user", "content": "go"}]})).await;
        assert_eq!(r.status, 200);
        assert!(r.text.len() < 20_000);
        let r = read(m.request(Method::GET, "/v1/models").header(mistral_mock::FAULT_HEADER, "delay=1e30s")).await;
        assert_eq!(r.status, 400);

        // Not HTTP at all, straight on the socket: the connection is closed.
        let mut socket = tokio::net::TcpStream::connect(m.server.addr()).await.expect("connect");
        socket.write_all(b"\x00\x01\x02 garbage \xff\r\n\r\n").await.expect("write");
        let mut buf = Vec::new();
        let _ = socket.read_to_end(&mut buf).await;
        assert!(buf.is_empty() || buf.starts_with(b"HTTP/1.1 400"), "{:?}", String::from_utf8_lossy(&buf));

        let r = read(m.request(Method::GET, "/v1/models")).await;
        assert_eq!(r.status, 200, "still serving");
    })
    .await;
}
