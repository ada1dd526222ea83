//! Moderation and classification: the four operations' wire requests, typed categories and
//! scores (open to new ones), errors, retries, and the embedded mock.

mod support;

use httpmock::Method::POST;
use httpmock::MockServer;
use mistral_sdk::types::Messages;
use mistral_sdk::{
    ApiErrorKind, BatchSource, ChatRequest, ClassificationExt, ClassificationTargetExt, ClassificationsRequest, Error,
    ModerationCategory, ModerationExt, ModerationsRequest,
};
use serde_json::{Value, json};

fn moderation(results: Value) -> Value {
    json!({"id": "mod-1", "model": "mistral-moderation-latest", "results": results})
}

fn conversation() -> Vec<Messages> {
    ChatRequest::new("any")
        .system("Be kind.")
        .user("How do I pick a lock?")
        .assistant("Why?")
        .as_wire()
        .messages
        .clone()
}

#[tokio::test]
async fn moderation_of_texts_and_conversations_on_the_wire() {
    let server = MockServer::start_async().await;
    let cases = [
        ("/v1/moderations", json!({"model": "m", "input": "one text"})),
        ("/v1/moderations", json!({"model": "m", "input": ["a", "b"], "metadata": {"app": "forum"}})),
        (
            "/v1/chat/moderations",
            json!({"model": "m", "input": [{"role": "system", "content": "Be kind."},
                {"role": "user", "content": "How do I pick a lock?"}, {"role": "assistant", "content": "Why?"}]}),
        ),
        (
            "/v1/chat/moderations",
            json!({"model": "m", "input": [[{"role": "user", "content": "x"}], [{"role": "user", "content": "y"}]],
                   "new_knob": true}),
        ),
    ];
    let mut mocks = Vec::new();
    for (path, body) in cases {
        mocks.push(
            server
                .mock_async(|when, then| {
                    when.method(POST).path(path).header("content-type", "application/json").json_body(body);
                    then.status(200).json_body(moderation(
                        json!([{"categories": {"pii": false}, "category_scores": {"pii": 0.01}}]),
                    ));
                })
                .await,
        );
    }
    let client = support::client(&server.base_url());
    let classifiers = client.classifiers();
    let one =
        |text: &str| vec![Messages::User { content: Some(mistral_sdk::types::MessageContent::String(text.into())) }];
    let requests = [
        ModerationsRequest::text("m", "one text"),
        ModerationsRequest::texts("m", ["a", "b"]).metadata([("app", "forum")]),
        ModerationsRequest::chat("m", conversation()),
        ModerationsRequest::chats("m", [one("x"), one("y")]).extra("new_knob", true),
    ];
    for request in requests {
        let response = classifiers.moderate(request).await.unwrap();
        assert!(!response.flagged());
    }
    for mock in mocks {
        mock.assert_calls_async(1).await;
    }
}

#[tokio::test]
async fn classification_of_texts_and_conversations_on_the_wire() {
    let server = MockServer::start_async().await;
    let answer = json!({"id": "cls-1", "model": "ft:classifier:intents", "results": [
        {"intent": {"scores": {"refund": 0.2, "delivery": 0.7, "other": 0.1}}, "a_2027_target": {"scores": {"x": 1.0}}}
    ]});
    let text = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v1/classifications")
                .json_body(json!({"model": "c", "input": ["Where is my parcel?"]}));
            then.status(200).json_body(answer.clone());
        })
        .await;
    let chat = server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/chat/classifications").json_body(json!({"model": "c", "input": {"messages": [
                {"role": "system", "content": "Be kind."}, {"role": "user", "content": "How do I pick a lock?"},
                {"role": "assistant", "content": "Why?"}]}}));
            then.status(200).json_body(answer.clone());
        })
        .await;
    let chats = server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/chat/classifications").json_body(json!({"model": "c", "input": [
                {"messages": [{"role": "system", "content": "Be kind."}, {"role": "user", "content": "How do I pick a lock?"},
                    {"role": "assistant", "content": "Why?"}]},
                {"messages": [{"role": "system", "content": "Be kind."}, {"role": "user", "content": "How do I pick a lock?"},
                    {"role": "assistant", "content": "Why?"}]}]}));
            then.status(200).json_body(answer.clone());
        })
        .await;
    let client = support::client(&server.base_url());
    let response =
        client.classifiers().classify(ClassificationsRequest::texts("c", ["Where is my parcel?"])).await.unwrap();
    let top = &response.top_labels()[0];
    assert_eq!(top["intent"], ("delivery".to_string(), 0.7));
    assert_eq!(top["a_2027_target"].0, "x", "an unknown target is kept");
    let ranked = response.results[0]["intent"].ranked();
    assert_eq!(ranked, [("delivery", 0.7), ("refund", 0.2), ("other", 0.1)]);
    client.classifiers().classify(ClassificationsRequest::chat("c", conversation())).await.unwrap();
    client.classifiers().classify(ClassificationsRequest::chats("c", [conversation(), conversation()])).await.unwrap();
    for mock in [text, chat, chats] {
        mock.assert_calls_async(1).await;
    }
}

#[test]
fn categories_and_scores_are_typed_and_open() {
    let response: mistral_sdk::types::ModerationResponse = serde_json::from_value(moderation(json!([
        {"categories": {"sexual": false, "violence_and_threats": true, "selfharm": false, "jailbreaking": true},
         "category_scores": {"sexual": 0.001, "violence_and_threats": 0.93, "selfharm": 0.4, "jailbreaking": 0.55}},
        {"categories": {}, "category_scores": {"selfharm": 0.8}},
        {}
    ])))
    .unwrap();
    let first = &response.results[0];
    assert!(first.flagged());
    assert_eq!(
        first.flagged_categories(),
        [ModerationCategory::ViolenceAndThreats, ModerationCategory::Other("jailbreaking".into())]
    );
    assert_eq!(first.top_category(), Some((ModerationCategory::ViolenceAndThreats, 0.93)));
    assert_eq!(first.score(&ModerationCategory::Other("jailbreaking".into())), Some(0.55));
    assert_eq!(first.score(&ModerationCategory::Pii), None);
    assert_eq!(
        first.above(0.5),
        [(ModerationCategory::ViolenceAndThreats, 0.93), (ModerationCategory::Other("jailbreaking".into()), 0.55)]
    );
    assert!(!response.results[1].flagged(), "no flags sent: not flagged, whatever the scores");
    assert_eq!(response.results[1].above(0.5), [(ModerationCategory::Selfharm, 0.8)]);
    assert!(!response.results[2].flagged());
    assert_eq!(response.results[2].top_category(), None);
    // Over the whole response: any result, best scores.
    assert!(response.flagged());
    assert_eq!(response.score(&ModerationCategory::Selfharm), Some(0.8));
    assert_eq!(response.top_category(), Some((ModerationCategory::ViolenceAndThreats, 0.93)));
    assert_eq!(response.flagged_categories().len(), 2);
    for (category, name) in [
        (ModerationCategory::HateAndDiscrimination, "hate_and_discrimination"),
        (ModerationCategory::DangerousAndCriminalContent, "dangerous_and_criminal_content"),
        (ModerationCategory::Health, "health"),
        (ModerationCategory::Financial, "financial"),
        (ModerationCategory::Law, "law"),
    ] {
        assert_eq!(category.to_string(), name);
        assert_eq!(ModerationCategory::from_name(name), category);
    }
}

#[tokio::test]
async fn refused_requests_errors_and_retries() {
    let client = support::client("http://127.0.0.1:9");
    for request in [
        ModerationsRequest::texts("m", Vec::<String>::new()),
        ModerationsRequest::text("", "x"),
        ModerationsRequest::chat("m", conversation()).metadata([("a", 1)]),
        ModerationsRequest::chats("m", [Vec::new()]),
    ] {
        assert!(matches!(client.classifiers().moderate(request).await, Err(Error::InvalidRequest(_))));
    }

    let server = MockServer::start_async().await;
    let busy = server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/moderations").json_body_includes(r#"{"input": "retry me"}"#);
            then.status(503).json_body(json!({"message": "Service unavailable"}));
        })
        .await;
    busy.up_to_n_times_async(1).await;
    let ok = server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/moderations").json_body_includes(r#"{"input": "retry me"}"#);
            then.status(200).json_body(moderation(json!([{}])));
        })
        .await;
    let invalid = server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/classifications");
            then.status(400).json_body(json!({"object": "error", "message": "Invalid model: mistral-small-latest",
                "type": "invalid_model", "param": null, "code": "1500"}));
        })
        .await;
    let client = support::client(&server.base_url());
    client.classifiers().moderate(ModerationsRequest::text("m", "retry me")).await.unwrap();
    busy.assert_calls_async(1).await;
    ok.assert_calls_async(1).await;
    let e = client.classifiers().classify(ClassificationsRequest::text("mistral-small-latest", "x")).await.unwrap_err();
    let api = e.api().unwrap();
    assert_eq!(
        (api.status, api.kind.clone(), api.message.as_str(), api.code.as_deref()),
        (400, ApiErrorKind::Other, "Invalid model: mistral-small-latest", Some("1500"))
    );
    assert_eq!(api.attempts, 1, "a 400 is not retried");
    invalid.assert_calls_async(1).await;
}

#[tokio::test]
async fn against_the_mock() {
    let mock = mistral_mock::MockServer::builder().speed(100.0).start().await.unwrap();
    let client = mistral_sdk::Client::builder().api_key(mock.api_key()).base_url(mock.base_url()).build().unwrap();
    let model = "mistral-moderation-latest";
    let response = client
        .classifiers()
        .moderate(ModerationsRequest::texts(model, ["What a lovely day.", "I will kill you, this is a threat."]))
        .await
        .unwrap();
    assert_eq!(response.results.len(), 2);
    assert!(!response.results[0].flagged());
    assert!(response.results[1].flagged());
    assert_eq!(response.results[1].top_category().unwrap().0, ModerationCategory::ViolenceAndThreats);

    let chat = ChatRequest::new("any").user("Hello").user("I will kill you, this is a threat.");
    let verdict =
        client.classifiers().moderate(ModerationsRequest::chat(model, chat.as_wire().messages.clone())).await.unwrap();
    assert_eq!(verdict.flagged_categories(), [ModerationCategory::ViolenceAndThreats]);

    let classified =
        client.classifiers().classify(ClassificationsRequest::chats(model, [conversation()])).await.unwrap();
    assert!(classified.top_labels()[0].contains_key("moderation"));

    // In a batch too: the runner is generic over the request type.
    let runner = client.batch().runner::<ModerationsRequest>().watch_options(mistral_sdk::WatchOptions {
        initial_interval: std::time::Duration::from_millis(5),
        max_interval: std::time::Duration::from_millis(20),
    });
    let source = BatchSource::from(vec![
        ("calm", ModerationsRequest::text(model, "What a lovely day.")),
        ("threat", ModerationsRequest::text(model, "I will kill you, this is a threat.")),
    ]);
    let results = runner.run(source).await.unwrap().collect_map().await.unwrap();
    assert!(!results["calm"].as_ref().unwrap().flagged());
    assert!(results["threat"].as_ref().unwrap().flagged());
}
