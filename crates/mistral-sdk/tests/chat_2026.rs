//! Chat and FIM as used in 2026: the exact wire body of every builder option (multimodal
//! parts, structured outputs, reasoning, built-in tools, the newer fields, `extra`), every
//! content chunk kind decoded, and typed answers read back.

mod support;

use std::io::Write;
use std::num::NonZeroU64;

use httpmock::Method::POST;
use httpmock::MockServer;
use mistral_sdk::types::{
    ContentChunk, GuardrailConfig, ImageUrlValue, KnownImageDetail, KnownReasoningEffort, KnownRequestedServiceTier,
    KnownToolChoiceEnum, MessageContent, MistralPromptMode, ThinkingChunk, ToolConfiguration,
};
use mistral_sdk::{ChatRequest, ChatResponseExt, Error, FimRequest, Part, Tool, ToolCallExt};
use serde_json::{Value, json};
use support::client;

const FILE_ID: &str = "497f6eca-6276-4993-bfeb-53cbbbba6f09";
/// The smallest PNG header (8-byte signature + IHDR start): enough for the magic bytes.
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

fn completion(message: Value) -> Value {
    json!({
        "id": "cmpl-1", "object": "chat.completion", "created": 1_764_547_200, "model": "mistral-small-latest",
        "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 10, "completion_tokens": 20, "total_tokens": 30}
    })
}

/// Sends `request` to a server expecting exactly `body`, answering `answer`.
async fn round_trip(request: ChatRequest, body: Value, answer: Value) -> mistral_sdk::types::ChatCompletionResponse {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/chat/completions").json_body(body);
            then.status(200).json_body(answer);
        })
        .await;
    let response = client(&server.base_url()).chat().create(request).await;
    mock.assert_async().await;
    response.unwrap()
}

fn hello() -> Value {
    completion(json!({"role": "assistant", "content": "Hello"}))
}

/// The spec's schema of `createChatCompletion` requests, read once.
fn validator() -> &'static mistral_spec::Validator {
    static VALIDATOR: std::sync::LazyLock<mistral_spec::Validator> = std::sync::LazyLock::new(|| {
        let spec = mistral_spec::Spec::embedded().unwrap();
        spec.request_validator("createChatCompletion", "application/json").unwrap()
    });
    &VALIDATOR
}

/// The request must fit the spec's schema of `createChatCompletion`.
fn fits_the_spec(request: &impl serde::Serialize) {
    let wire = serde_json::to_value(request).unwrap();
    assert!(validator().validate(&wire).is_ok(), "{wire} {:?}", validator().validate(&wire));
}

#[tokio::test]
async fn every_newer_chat_field_goes_on_the_wire_exactly() {
    let guardrail: GuardrailConfig = serde_json::from_value(json!({
        "block_on_error": true, "moderation_llm_v1": {"model_name": "mistral-moderation-latest", "action": "block"}
    }))
    .unwrap();
    let request = ChatRequest::new("mistral-small-latest")
        .user("Write a haiku")
        .stop(["\n\n", "END"])
        .presence_penalty(0.5)
        .frequency_penalty(-0.25)
        .n(NonZeroU64::new(2).unwrap())
        .prediction("An old silent pond")
        .guardrails([guardrail])
        .metadata([("user", json!("u-42"))])
        .metadata([("attempt", json!(2))])
        .prompt_cache_key("haiku-v1")
        .service_tier(KnownRequestedServiceTier::StandardOnly)
        .prompt_mode(MistralPromptMode::Reasoning)
        .reasoning_effort(KnownReasoningEffort::Xhigh)
        .parallel_tool_calls(false)
        .temperature(1.5)
        .top_p(1.0);
    fits_the_spec(&request);
    let body = json!({
        "model": "mistral-small-latest",
        "messages": [{"role": "user", "content": "Write a haiku"}],
        "stop": ["\n\n", "END"], "presence_penalty": 0.5, "frequency_penalty": -0.25, "n": 2,
        "prediction": {"type": "content", "content": "An old silent pond"},
        "guardrails": [{"block_on_error": true, "moderation_llm_v1": {"model_name": "mistral-moderation-latest", "action": "block"}}],
        "metadata": {"user": "u-42", "attempt": 2}, "prompt_cache_key": "haiku-v1", "service_tier": "standard_only",
        "prompt_mode": "reasoning", "reasoning_effort": "xhigh", "parallel_tool_calls": false,
        "temperature": 1.5, "top_p": 1.0
    });
    round_trip(request, body, hello()).await;
}

#[tokio::test]
async fn multimodal_parts_are_the_specs_chunks() {
    let dir = tempfile::tempdir().unwrap();
    let png_path = dir.path().join("chart.bin"); // the magic bytes win over the extension
    std::fs::write(&png_path, PNG).unwrap();
    let jpg_path = dir.path().join("photo.JPG"); // no magic bytes: the extension tells
    std::fs::File::create(&jpg_path).unwrap().write_all(b"not really").unwrap();
    let png_b64 = "iVBORw0KGgoAAAANSUhEUg==";

    let request = ChatRequest::new("mistral-medium-latest").user_parts([
        Part::text("Compare these."),
        Part::image_url("https://example.com/a.png"),
        Part::image_url("https://example.com/b.png").detail(KnownImageDetail::Low),
        Part::image_bytes(PNG, "image/png"),
        Part::image_data(b"GIF89a\x01\x00").unwrap(),
        Part::image_path(&png_path).unwrap(),
        Part::image_path(&jpg_path).unwrap(),
        Part::document_url("https://example.com/c.pdf").document_name("contract.pdf"),
        Part::document_file_id(FILE_ID),
        Part::audio("https://example.com/d.mp3"),
        Part::audio_bytes(b"ID3"),
        Part::reference([1, 2]),
        "A last word.".into(),
    ]);
    fits_the_spec(&request);
    let body = json!({
        "model": "mistral-medium-latest",
        "messages": [{"role": "user", "content": [
            {"type": "text", "text": "Compare these."},
            {"type": "image_url", "image_url": "https://example.com/a.png"},
            {"type": "image_url", "image_url": {"url": "https://example.com/b.png", "detail": "low"}},
            {"type": "image_url", "image_url": format!("data:image/png;base64,{png_b64}")},
            {"type": "image_url", "image_url": "data:image/gif;base64,R0lGODlhAQA="},
            {"type": "image_url", "image_url": format!("data:image/png;base64,{png_b64}")},
            {"type": "image_url", "image_url": "data:image/jpeg;base64,bm90IHJlYWxseQ=="},
            {"type": "document_url", "document_url": "https://example.com/c.pdf", "document_name": "contract.pdf"},
            {"type": "file", "file_id": FILE_ID},
            {"type": "input_audio", "input_audio": "https://example.com/d.mp3"},
            {"type": "input_audio", "input_audio": "SUQz"},
            {"type": "reference", "reference_ids": [1, 2]},
            {"type": "text", "text": "A last word."}
        ]}]
    });
    round_trip(request, body, hello()).await;
}

#[tokio::test]
async fn parts_that_cannot_be_sent_fail_before_sending() {
    let dir = tempfile::tempdir().unwrap();
    let bmp = dir.path().join("old.bmp");
    std::fs::write(&bmp, b"BM\0\0").unwrap();
    let err = Part::image_path(&bmp).unwrap_err();
    assert!(matches!(&err, Error::InvalidRequest(m) if m.contains("not a PNG, JPEG, GIF or WebP")), "{err}");
    assert!(matches!(Part::image_path(dir.path().join("missing.png")), Err(Error::Io { .. })));
    assert!(matches!(Part::image_data(b"%PDF-1.7"), Err(Error::InvalidRequest(_))));

    // A bad part is parked and refused at send time, without a request.
    let server = MockServer::start_async().await;
    let any = server.mock_async(|when, then| {
        when.any_request();
        then.status(200).json_body(hello());
    });
    let any = any.await;
    let request = ChatRequest::new("m")
        .user_parts([Part::text("x").detail(KnownImageDetail::High), Part::document_file_id("not-a-uuid")]);
    let err = client(&server.base_url()).chat().create(request).await.unwrap_err();
    let message = err.to_string();
    assert!(message.contains("part 0: detail does not apply to a text part"), "{message}");
    assert!(message.contains("part 1: file id \"not-a-uuid\" is not a UUID"), "{message}");
    any.assert_calls_async(0).await;
}

#[derive(schemars::JsonSchema, serde::Deserialize, Debug, PartialEq)]
struct ReleasePlan {
    lane: String,
    checks: Checks,
    risk: Risk,
}

#[derive(schemars::JsonSchema, serde::Deserialize, Debug, PartialEq)]
struct Checks {
    compile: bool,
    replay: bool,
}

#[derive(schemars::JsonSchema, serde::Deserialize, Debug, PartialEq)]
#[serde(rename_all = "lowercase")]
enum Risk {
    Low,
    High,
}

#[tokio::test]
async fn json_schema_sends_the_types_schema_and_parsed_reads_it_back() {
    let request = ChatRequest::new("mistral-small-latest").user("Plan the release").json_schema::<ReleasePlan>();
    fits_the_spec(&request);
    let wire = serde_json::to_value(&request).unwrap();
    let format = &wire["response_format"];
    assert_eq!(
        (format["type"].as_str(), format["json_schema"]["name"].as_str()),
        (Some("json_schema"), Some("ReleasePlan"))
    );
    assert_eq!(format["json_schema"]["strict"], true);
    let schema = &format["json_schema"]["schema"];
    // Draft 2020-12, nested types under $defs (what the live API was seen taking).
    assert_eq!(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
    assert_eq!(schema["properties"]["checks"]["$ref"], "#/$defs/Checks");
    assert_eq!(schema["$defs"]["Checks"]["required"], json!(["compile", "replay"]));
    assert_eq!(schema["$defs"]["Risk"]["enum"], json!(["low", "high"]));
    assert_eq!(schema["required"], json!(["lane", "checks", "risk"]));

    let answer = completion(json!({"role": "assistant",
        "content": "{\"lane\": \"canary\", \"checks\": {\"compile\": true, \"replay\": false}, \"risk\": \"low\"}"}));
    let response = round_trip(request, wire, answer).await;
    let plan: ReleasePlan = response.parsed().unwrap();
    assert_eq!(
        plan,
        ReleasePlan { lane: "canary".into(), checks: Checks { compile: true, replay: false }, risk: Risk::Low }
    );

    // A code fence around the JSON is looked into.
    let fenced: mistral_sdk::types::ChatCompletionResponse = serde_json::from_value(completion(json!({
        "role": "assistant", "content": "```json\n{\"compile\": false, \"replay\": true}\n```"
    })))
    .unwrap();
    assert_eq!(fenced.parsed::<Checks>().unwrap(), Checks { compile: false, replay: true });
}

#[test]
fn parsed_fails_with_the_answer_in_the_error() {
    for content in ["Sorry, I cannot plan that.", "{\"lane\": \"canary\", \"risk\": \"medium\"}"] {
        let response: mistral_sdk::types::ChatCompletionResponse =
            serde_json::from_value(completion(json!({"role": "assistant", "content": content}))).unwrap();
        let err = response.parsed::<ReleasePlan>().unwrap_err();
        match &err {
            Error::InvalidOutput { content: kept, .. } => assert_eq!(kept, content),
            other => panic!("InvalidOutput, not {other:?}"),
        }
        // The message shows the answer.
        assert!(err.to_string().contains(&format!("{content:?}")), "{err}");
    }
    // json() (JSON mode) keeps its behaviour.
    let response: mistral_sdk::types::ChatCompletionResponse =
        serde_json::from_value(completion(json!({"role": "assistant", "content": "not json"}))).unwrap();
    assert!(matches!(response.json::<Value>(), Err(Error::Decode { .. })));
}

#[tokio::test]
async fn built_in_tools_strict_functions_and_every_tool_choice() {
    #[derive(schemars::JsonSchema)]
    #[allow(dead_code)]
    struct Lookup {
        city: String,
    }
    let config: ToolConfiguration = serde_json::from_value(json!({"exclude": ["news"]})).unwrap();
    let auth = serde_json::from_value(json!({"type": "api-key", "value": "k"})).unwrap();
    let tools = [
        Tool::function::<Lookup>("lookup", "Find a city").strict(true),
        Tool::web_search(),
        Tool::web_search_premium().configuration(config),
        Tool::code_interpreter(),
        Tool::image_generation(),
        Tool::document_library(["lib-1", "lib-2"]),
        Tool::connector("github").authorization(auth),
    ];
    assert_eq!(
        tools.iter().map(Tool::name).collect::<Vec<_>>(),
        [
            "lookup",
            "web_search",
            "web_search_premium",
            "code_interpreter",
            "image_generation",
            "document_library",
            "connector"
        ]
    );
    let tools_json = json!([
        {"type": "function", "function": {"name": "lookup", "description": "Find a city", "strict": true,
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}},
        {"type": "web_search"},
        {"type": "web_search_premium", "tool_configuration": {"exclude": ["news"]}},
        {"type": "code_interpreter"},
        {"type": "image_generation"},
        {"type": "document_library", "library_ids": ["lib-1", "lib-2"]},
        {"type": "connector", "connector_id": "github", "authorization": {"type": "api-key", "value": "k"}}
    ]);
    let base = ChatRequest::new("mistral-medium-latest").user("Search").tools(tools);
    for (choice, wire) in [
        (base.clone().tool_choice(KnownToolChoiceEnum::Auto), json!("auto")),
        (base.clone().tool_choice(KnownToolChoiceEnum::None), json!("none")),
        (base.clone().tool_choice(KnownToolChoiceEnum::Any), json!("any")),
        (base.clone().tool_choice(KnownToolChoiceEnum::Required), json!("required")),
        (base.clone().tool_choice_function("lookup"), json!({"type": "function", "function": {"name": "lookup"}})),
    ] {
        fits_the_spec(&choice);
        let body = json!({"model": "mistral-medium-latest", "messages": [{"role": "user", "content": "Search"}],
            "tools": tools_json, "tool_choice": wire});
        round_trip(choice, body, hello()).await;
    }
    // A library tool without a library is refused before sending.
    let err = ChatRequest::new("m").user("x").tools([Tool::document_library(Vec::<String>::new())]).validate();
    assert!(matches!(err, Err(Error::InvalidRequest(m)) if m.contains("at least one library id")));
}

#[test]
fn tool_call_arguments_read_from_a_string_or_an_object() {
    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Args {
        city: String,
        days: u8,
    }
    for arguments in [json!("{\"city\": \"Lyon\", \"days\": 3}"), json!({"city": "Lyon", "days": 3})] {
        let response: mistral_sdk::types::ChatCompletionResponse = serde_json::from_value(completion(json!({
            "role": "assistant", "content": null,
            "tool_calls": [{"id": "c1", "type": "function", "index": 0, "function": {"name": "f", "arguments": arguments}}]
        })))
        .unwrap();
        let call = &response.tool_calls()[0];
        assert_eq!(call.arguments::<Args>().unwrap(), Args { city: "Lyon".into(), days: 3 });
        assert_eq!(serde_json::from_str::<Value>(&call.arguments_text()).unwrap(), json!({"city": "Lyon", "days": 3}));
    }
}

#[tokio::test]
async fn a_reasoning_answer_gives_text_and_thinking_apart() {
    let answer = completion(json!({"role": "assistant", "content": [
        {"type": "thinking", "thinking": [{"type": "text", "text": "Count: s-t-r-a-w: one r. "},
                                          {"type": "tool_reference", "tool": "web_search", "title": "Dictionary"},
                                          {"type": "text", "text": "b-e-r-r-y: two."}], "signature": "sig", "closed": true},
        {"type": "text", "text": "Three."}
    ]}));
    let request =
        ChatRequest::new("magistral-small-latest").user("r in strawberry?").prompt_mode(MistralPromptMode::Reasoning);
    let body = json!({"model": "magistral-small-latest", "messages": [{"role": "user", "content": "r in strawberry?"}], "prompt_mode": "reasoning"});
    let response = round_trip(request, body, answer).await;
    assert_eq!(response.text(), "Three.");
    assert_eq!(response.thinking(), "Count: s-t-r-a-w: one r. b-e-r-r-y: two.");
    // A plain answer has no thinking.
    let plain: mistral_sdk::types::ChatCompletionResponse = serde_json::from_value(hello()).unwrap();
    assert_eq!((plain.text().as_str(), plain.thinking().as_str()), ("Hello", ""));
}

#[test]
fn every_content_chunk_kind_decodes_and_unknown_ones_stay_raw() {
    let content: MessageContent = serde_json::from_value(json!([
        {"type": "text", "text": "t"},
        {"type": "image_url", "image_url": "https://example.com/a.png"},
        {"type": "image_url", "image_url": {"url": "https://example.com/b.png", "detail": "high"}},
        {"type": "document_url", "document_url": "https://example.com/c.pdf", "document_name": "c.pdf"},
        {"type": "reference", "reference_ids": [1, "doc-2"]},
        {"type": "file", "file_id": FILE_ID},
        {"type": "thinking", "thinking": [{"type": "text", "text": "hm"}, {"type": "hunch", "x": 1}]},
        {"type": "input_audio", "input_audio": "SUQz"},
        {"type": "tool_file", "tool": "image_generation", "file_id": "f-1", "file_name": "cat.png"}
    ]))
    .unwrap();
    let MessageContent::Array(chunks) = content else { panic!("chunks") };
    assert!(matches!(&chunks[0], ContentChunk::Text(t) if t.text == "t"));
    assert!(
        matches!(&chunks[1], ContentChunk::ImageUrl(i) if matches!(&i.image_url, ImageUrlValue::String(u) if u.ends_with("a.png")))
    );
    assert!(
        matches!(&chunks[2], ContentChunk::ImageUrl(i) if matches!(&i.image_url, ImageUrlValue::ImageUrl(u) if u.detail.is_some()))
    );
    assert!(matches!(&chunks[3], ContentChunk::DocumentUrl(d) if d.document_name.as_deref() == Some("c.pdf")));
    assert!(matches!(&chunks[4], ContentChunk::Reference(r) if r.reference_ids.len() == 2));
    assert!(matches!(&chunks[5], ContentChunk::File(f) if f.file_id.to_string() == FILE_ID));
    assert!(
        matches!(&chunks[6], ContentChunk::Thinking(t) if matches!(&t.thinking[1], ThinkingChunk::Other(raw) if raw["type"] == "hunch"))
    );
    assert!(matches!(&chunks[7], ContentChunk::InputAudio(_)));
    // A kind this release does not know (the agents' tool files): kept whole.
    assert!(matches!(&chunks[8], ContentChunk::Other(raw) if raw["file_name"] == "cat.png"));
    assert_eq!(mistral_sdk::content_text(Some(&MessageContent::Array(chunks.clone()))).as_deref(), Some("t"));
    assert_eq!(mistral_sdk::content_thinking(Some(&MessageContent::Array(chunks))).as_deref(), Some("hm"));
}

#[tokio::test]
async fn several_choices_stay_apart() {
    let answer = json!({
        "id": "c", "object": "chat.completion", "created": 1, "model": "m",
        "choices": [
            {"index": 1, "message": {"role": "assistant", "content": "Whisper"}, "finish_reason": "stop"},
            {"index": 0, "message": {"role": "assistant", "content": "Aardvark"}, "finish_reason": "length"}
        ],
        "usage": {"prompt_tokens": 5, "completion_tokens": 4, "total_tokens": 9}
    });
    let request = ChatRequest::new("m").user("A word?").n(NonZeroU64::new(2).unwrap());
    let body = json!({"model": "m", "messages": [{"role": "user", "content": "A word?"}], "n": 2});
    let response = round_trip(request, body, answer).await;
    assert_eq!(response.texts(), ["Aardvark", "Whisper"]);
}

#[tokio::test]
async fn extra_fields_merge_over_the_typed_body() {
    let request = ChatRequest::new("mistral-small-latest")
        .user("Hi")
        .temperature(0.2)
        .extra("temperature", 0.9) // overrides the typed field
        .extra("safety_level", json!({"mode": "strict"}))
        .extra("beta_flag", true);
    let body = json!({"model": "mistral-small-latest", "messages": [{"role": "user", "content": "Hi"}],
        "temperature": 0.9, "safety_level": {"mode": "strict"}, "beta_flag": true});
    round_trip(request.clone(), body, hello()).await;
    // The typed request is still what the builder set.
    assert_eq!(request.as_wire().temperature, Some(0.2));

    // Without extras, the body is the typed request serialized directly, byte for byte.
    let plain = ChatRequest::new("mistral-small-latest").user("Hi").temperature(0.2);
    assert_eq!(serde_json::to_string(&plain).unwrap(), serde_json::to_string(plain.as_wire()).unwrap());

    // Streaming sets `stream` on the typed body; extras still merge.
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/chat/completions").json_body(json!({
                "model": "m", "messages": [{"role": "user", "content": "Hi"}], "stream": true, "x": 1}));
            then.status(200).header("content-type", "text/event-stream").body(
                "data: {\"id\":\"c\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"A\"},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n",
            );
        })
        .await;
    let request = ChatRequest::new("m").user("Hi").extra("x", 1);
    let response = client(&server.base_url()).chat().stream(request).await.unwrap().collect_response().await.unwrap();
    mock.assert_async().await;
    assert_eq!(response.text(), "A");
}

#[tokio::test]
async fn fim_newer_fields_and_extra() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/fim/completions").json_body(json!({
                "model": "codestral-latest", "prompt": "def fib(n):", "suffix": "print(fib(9))",
                "stop": ["\n\n"], "metadata": {"repo": "demo"}, "prompt_cache_key": "fib", "temperature": 1.2,
                "new_knob": [1, 2]
            }));
            then.status(200).json_body(completion(json!({"role": "assistant", "content": "    return n"})));
        })
        .await;
    let request = FimRequest::new("codestral-latest", "def fib(n):")
        .suffix("print(fib(9))")
        .stop(["\n\n"])
        .metadata([("repo", "demo")])
        .prompt_cache_key("fib")
        .temperature(1.2)
        .extra("new_knob", json!([1, 2]));
    // Borrowed (twice, the extra field kept), then by value: the same body each time.
    let c = client(&server.base_url());
    for _ in 0..2 {
        assert_eq!(c.fim().create(&request).await.unwrap().text(), "    return n");
    }
    let response = c.fim().create(request).await.unwrap();
    mock.assert_calls_async(3).await;
    assert_eq!(response.text(), "    return n");
}

#[test]
fn client_checks_follow_the_specs_ranges() {
    let ok = |r: ChatRequest| r.validate().map_err(|e| e.to_string());
    let base = || ChatRequest::new("m").user("x");
    // What the spec (and the live server) accepts is never refused.
    for r in [
        base().temperature(0.0),
        base().temperature(1.5),
        base().top_p(1.0),
        base().top_p(0.01),
        base().presence_penalty(-2.0).frequency_penalty(2.0),
        base().max_tokens(0),
    ] {
        assert_eq!(ok(r.clone()), Ok(()));
        fits_the_spec(&r);
    }
    for (r, says) in [
        (base().temperature(1.6), "temperature must be in 0..=1.5"),
        (base().temperature(-0.1), "temperature"),
        (base().top_p(0.0), "top_p must be in (0, 1]"),
        (base().top_p(1.01), "top_p"),
        (base().presence_penalty(2.5), "presence_penalty must be in -2..=2"),
        (base().frequency_penalty(-2.01), "frequency_penalty must be in -2..=2"),
        (base().presence_penalty(f64::NAN), "presence_penalty"),
    ] {
        let err = ok(r).unwrap_err();
        assert!(err.contains(says), "{err} should say {says}");
    }
    // FIM takes the same ranges as chat.
    assert!(FimRequest::new("codestral-latest", "x").temperature(1.5).validate().is_ok());
    assert!(FimRequest::new("codestral-latest", "x").temperature(1.51).validate().is_err());
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 400, ..Default::default() })]

    /// The client refuses exactly what the spec refuses: never a value the server takes.
    #[test]
    fn client_checks_agree_with_the_spec(
        temperature in proptest::option::of(-0.5..2.0f64),
        top_p in proptest::option::of(proptest::prop_oneof![-0.2..1.2f64, proptest::strategy::Just(0.0), proptest::strategy::Just(1.0)]),
        presence in proptest::option::of(-3.0..3.0f64),
        frequency in proptest::option::of(proptest::prop_oneof![-3.0..3.0f64, proptest::strategy::Just(-2.0), proptest::strategy::Just(2.0)]),
        n in proptest::option::of(1u64..8),
        max_tokens in proptest::option::of(0u64..100),
    ) {
        let mut r = ChatRequest::new("m").user("x");
        if let Some(t) = temperature { r = r.temperature(t); }
        if let Some(p) = top_p { r = r.top_p(p); }
        if let Some(p) = presence { r = r.presence_penalty(p); }
        if let Some(f) = frequency { r = r.frequency_penalty(f); }
        if let Some(n) = n.and_then(NonZeroU64::new) { r = r.n(n); }
        if let Some(m) = max_tokens { r = r.max_tokens(m); }
        let wire = serde_json::to_value(&r).unwrap();
        proptest::prop_assert_eq!(r.validate().is_ok(), validator().validate(&wire).is_ok(), "{}", wire);
    }
}

#[tokio::test]
async fn a_borrowed_request_is_sent_as_is_and_its_stream_flag_follows_the_method() {
    let server = MockServer::start_async().await;
    let plain = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v1/chat/completions")
                .header("accept", "application/json")
                .json_body(json!({"model": "m", "messages": [{"role": "user", "content": "Hi"}]}));
            then.status(200).json_body(hello());
        })
        .await;
    let streamed = server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/chat/completions").header("accept", "text/event-stream").json_body(
                json!({"model": "m", "messages": [{"role": "user", "content": "Hi"}], "stream": true}),
            );
            then.status(200)
                .header("content-type", "text/event-stream")
                .body("data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Yo\"},\"finish_reason\":\"stop\"}]}\n\ndata: [DONE]\n\n");
        })
        .await;
    let client = client(&server.base_url());
    let request = ChatRequest::new("m").user("Hi");
    for _ in 0..2 {
        assert_eq!(client.chat().create(&request).await.unwrap().text(), "Hello");
    }
    plain.assert_calls_async(2).await;
    // A borrowed request built for streaming, sent with `create`: the flag is dropped.
    let flagged: ChatRequest =
        mistral_sdk::types::ChatCompletionRequest { stream: Some(true), ..request.as_wire().clone() }.into();
    assert_eq!(client.chat().create(&flagged).await.unwrap().text(), "Hello");
    plain.assert_calls_async(3).await;
    // And the same borrowed request streamed: the flag is set on the wire.
    let stream = client.chat().stream(&request).await.unwrap();
    let text: Vec<String> =
        futures::StreamExt::collect::<Vec<_>>(stream.text()).await.into_iter().map(Result::unwrap).collect();
    assert_eq!(text.concat(), "Yo");
    streamed.assert_async().await;
    // The borrowed request is unchanged.
    assert_eq!(request.as_wire().stream, None);
    // A bad borrowed request fails before sending, like an owned one.
    let empty = ChatRequest::new("m");
    assert!(matches!(client.chat().create(&empty).await, Err(Error::InvalidRequest(_))));
}
