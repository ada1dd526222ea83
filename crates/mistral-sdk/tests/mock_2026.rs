//! The 2026 chat features end to end against mistral-mock: structured outputs, reasoning,
//! several choices, tool calls streamed in fragments, images, built-in tools, embeddings.

use futures::StreamExt;
use mistral_mock::MockServer;
use mistral_sdk::types::{KnownReasoningEffort, KnownToolChoiceEnum, MistralPromptMode};
use mistral_sdk::{
    ApiErrorKind, ChatRequest, ChatResponseExt, Client, Delta, EmbeddingsRequest, Part, Tool, ToolCallExt,
};
use std::num::NonZeroU64;

async fn setup() -> (MockServer, Client) {
    let mock = MockServer::start().await.unwrap();
    let client = Client::builder().api_key(mock.api_key()).base_url(mock.base_url()).build().unwrap();
    (mock, client)
}

#[derive(schemars::JsonSchema, serde::Deserialize, Debug)]
#[allow(dead_code)]
struct Cheese {
    name: String,
    region: String,
    months_aged: u32,
    pairings: Vec<String>,
    origin: Origin,
}

#[derive(schemars::JsonSchema, serde::Deserialize, Debug)]
#[allow(dead_code)]
struct Origin {
    milk: Milk,
    protected: bool,
}

#[derive(schemars::JsonSchema, serde::Deserialize, Debug)]
#[serde(rename_all = "lowercase")]
enum Milk {
    Cow,
    Goat,
    Sheep,
}

#[tokio::test]
async fn structured_output_parses_into_the_type() {
    let (_mock, client) = setup().await;
    let request = ChatRequest::new("mistral-small-latest").user("The best French cheese?").json_schema::<Cheese>();
    let response = client.chat().create(request.clone()).await.unwrap();
    let cheese: Cheese = response.parsed().unwrap();
    assert!(!cheese.name.is_empty(), "{cheese:?}");
    // Streamed, the folded answer parses the same.
    let folded = client.chat().stream(request).await.unwrap().collect_response().await.unwrap();
    assert!(folded.parsed::<Cheese>().is_ok(), "{}", folded.text());
    // Another type does not fit: the error holds the answer.
    #[derive(serde::Deserialize, Debug)]
    #[allow(dead_code)]
    struct Wine {
        grape: String,
    }
    let err = response.parsed::<Wine>().unwrap_err();
    assert!(matches!(&err, mistral_sdk::Error::InvalidOutput { content, .. } if content == &response.text()), "{err}");
}

#[tokio::test]
async fn reasoning_comes_apart_from_the_answer_streamed_or_not() {
    let (_mock, client) = setup().await;
    let request = ChatRequest::new("mistral-medium-latest")
        .user("Why does Comté age so long?")
        .prompt_mode(MistralPromptMode::Reasoning)
        .reasoning_effort(KnownReasoningEffort::Low);
    let response = client.chat().create(request.clone()).await.unwrap();
    let (text, thinking) = (response.text(), response.thinking());
    assert!(!text.is_empty() && !thinking.is_empty(), "{response:?}");
    assert!(!text.contains(&thinking));

    let mut deltas = std::pin::pin!(client.chat().stream(request.clone()).await.unwrap().deltas());
    let (mut streamed_text, mut streamed_thinking, mut order) = (String::new(), String::new(), Vec::new());
    while let Some(d) = deltas.next().await {
        match d.unwrap().delta {
            Delta::Thinking(t) => {
                streamed_thinking.push_str(&t);
                order.push('t');
            }
            Delta::Text(t) => {
                streamed_text.push_str(&t);
                order.push('a');
            }
            _ => {}
        }
    }
    assert_eq!((streamed_text.as_str(), streamed_thinking.as_str()), (text.as_str(), thinking.as_str()));
    // Thinking first, then the answer.
    assert!(order.windows(2).all(|w| w != ['a', 't']), "{order:?}");

    let folded = client.chat().stream(request).await.unwrap().collect_response().await.unwrap();
    assert_eq!((folded.text(), folded.thinking()), (text, thinking));
    // A model asked nothing answers without thinking.
    let plain = client.chat().create(ChatRequest::new("mistral-small-latest").user("Hi")).await.unwrap();
    assert_eq!(plain.thinking(), "");
}

#[tokio::test]
async fn several_choices_stay_apart_streamed_or_not() {
    let (_mock, client) = setup().await;
    let request = ChatRequest::new("mistral-small-latest").user("Say one word.").n(NonZeroU64::new(3).unwrap());
    let response = client.chat().create(request.clone()).await.unwrap();
    let texts = response.texts();
    assert_eq!(texts.len(), 3);
    assert!(texts[0] != texts[1] && texts[1] != texts[2] && texts[0] != texts[2], "{texts:?}");
    let folded = client.chat().stream(request).await.unwrap().collect_response().await.unwrap();
    assert_eq!(folded.texts(), texts);
}

#[tokio::test]
async fn tool_calls_streamed_in_fragments_fold_into_the_call() {
    #[derive(schemars::JsonSchema, serde::Deserialize, Debug, PartialEq)]
    struct Booking {
        city: String,
        nights: u32,
        breakfast: bool,
    }
    let (_mock, client) = setup().await;
    let request = ChatRequest::new("mistral-small-latest")
        .user("Book a hotel in Lyon for 3 nights with breakfast")
        .tools([Tool::function::<Booking>("book_hotel", "Books a hotel").strict(true)])
        .tool_choice(KnownToolChoiceEnum::Any)
        .parallel_tool_calls(false);
    let response = client.chat().create(request.clone()).await.unwrap();
    let whole: Booking = response.tool_calls()[0].arguments().unwrap();

    let mut fragments = 0;
    let mut deltas = std::pin::pin!(client.chat().stream(request.clone()).await.unwrap().deltas());
    while let Some(d) = deltas.next().await {
        if let Delta::ToolCall { .. } = d.unwrap().delta {
            fragments += 1;
        }
    }
    assert!(fragments > 1, "the mock streams calls in fragments ({fragments})");
    let folded = client.chat().stream(request).await.unwrap().collect_response().await.unwrap();
    let calls = folded.tool_calls();
    assert_eq!(calls.len(), 1);
    assert_eq!(
        (calls[0].id.as_ref(), calls[0].function.name.as_str()),
        (response.tool_calls()[0].id.as_ref(), "book_hotel")
    );
    assert_eq!(calls[0].arguments::<Booking>().unwrap(), whole);
}

#[tokio::test]
async fn images_go_to_models_that_see_and_built_in_tools_are_accepted() {
    let (_mock, client) = setup().await;
    // A 1x1 PNG.
    let png: &[u8] = &[
        0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00,
        0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4, 0x89,
    ];
    let parts = || [Part::text("What is in this picture?"), Part::image_data(png).unwrap()];
    let seen = client.chat().create(ChatRequest::new("mistral-small-latest").user_parts(parts())).await.unwrap();
    assert!(!seen.text().is_empty());
    let blind = client.chat().create(ChatRequest::new("open-mistral-7b").user_parts(parts())).await.unwrap_err();
    assert!(blind.status().is_some_and(|s| (400..500).contains(&s)), "{blind}");

    let request = ChatRequest::new("mistral-medium-latest").user("Search the web for Comté prices").tools([
        Tool::web_search(),
        Tool::code_interpreter(),
        Tool::document_library(["lib-1"]),
    ]);
    let answer = client.chat().create(request).await.unwrap();
    assert!(!answer.text().is_empty());
}

#[tokio::test]
async fn embeddings_through_the_builder() {
    let (_mock, client) = setup().await;
    let response =
        client.embeddings().embed(EmbeddingsRequest::new("mistral-embed", ["cheese", "fromage"])).await.unwrap();
    let vectors = response.vectors().unwrap();
    assert_eq!(vectors.len(), 2);
    assert!(vectors.iter().all(|v| v.len() == 1024));
    // An unknown model is the API's error, typed.
    let err = client.embeddings().embed(EmbeddingsRequest::new("no-such-embed", ["x"])).await.unwrap_err();
    assert!(err.api().is_some_and(|e| e.kind != ApiErrorKind::Server), "{err}");
}
