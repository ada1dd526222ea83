//! Streams over real sockets: splits anywhere, standards edge cases, cuts, stalls, errors.

mod support;

use std::time::Duration;

use futures::StreamExt;
use mistral_sdk::{ChatRequest, ChatResponseExt, Error, StreamAccumulator, ToolCallExt};
use support::{ScriptServer, Step, chat_chunk, chunk, client, end, head};

fn request() -> ChatRequest {
    ChatRequest::new("mistral-small-latest").user("Hi")
}

/// A stream body delivered in pieces of `size` bytes, each its own HTTP chunk.
fn split(body: &str, size: usize) -> Vec<Step> {
    let mut steps = vec![head(200, "text/event-stream")];
    steps.extend(body.as_bytes().chunks(size).map(chunk));
    steps.push(end());
    steps
}

async fn collect(server: &ScriptServer) -> Vec<Result<String, String>> {
    let stream = client(&server.base_url).chat().stream(request()).await.unwrap();
    stream
        .map(|c| match c {
            Ok(c) => Ok(mistral_sdk::content_text(c.choices[0].delta.content.as_ref()).unwrap_or_default()),
            Err(e) => Err(e.to_string()),
        })
        .collect()
        .await
}

#[tokio::test]
async fn any_split_gives_the_same_chunks() {
    let body = format!(
        "{}{}{}data: [DONE]\n\n",
        chat_chunk("Hé", None, false),
        chat_chunk("llo 🌍", None, false),
        chat_chunk("!", Some("stop"), true)
    );
    for size in [1, 2, 3, 5, 64, 4096] {
        let server = ScriptServer::start(vec![split(&body, size)]).await;
        let got = collect(&server).await;
        assert_eq!(got, [Ok("Hé".into()), Ok("llo 🌍".into()), Ok("!".into())], "size {size}");
    }
}

#[tokio::test]
async fn crlf_comments_fields_and_multiline_data() {
    let body = ": keep-alive\r\n\r\nretry: 3000\r\nid: 1\r\nevent: message\r\ndata: {\"id\":\"c\",\"model\":\"m\",\r\ndata: \"choices\":[{\"index\":0,\"delta\":{\"content\":\"A\"}}]}\r\n\r\n: ping\r\ndata: {\"id\":\"c\",\"model\":\"m\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"B\"},\"finish_reason\":\"stop\"}]}\r\n\r\ndata: [DONE]\r\n\r\n";
    let server = ScriptServer::start(vec![split(body, 7)]).await;
    assert_eq!(collect(&server).await, [Ok("A".into()), Ok("B".into())]);
}

#[tokio::test]
async fn done_ends_the_stream_even_if_more_follows() {
    let body = format!("{}data: [DONE]\n\n{}", chat_chunk("A", None, false), chat_chunk("ignored", None, false));
    let server = ScriptServer::start(vec![split(&body, 1000)]).await;
    assert_eq!(collect(&server).await, [Ok("A".into())]);
}

#[tokio::test]
async fn end_without_done_is_an_error_unless_finished() {
    let server = ScriptServer::start(vec![split(&chat_chunk("A", None, false), 1000)]).await;
    let got = collect(&server).await;
    assert_eq!(got[0], Ok("A".into()));
    assert_eq!(got[1], Err("stream failed: the stream ended before data: [DONE]".into()));
    assert_eq!(got.len(), 2);

    // A server that finished the message but skipped [DONE] loses nothing: accept it.
    let server = ScriptServer::start(vec![split(&chat_chunk("A", Some("stop"), true), 1000)]).await;
    assert_eq!(collect(&server).await, [Ok("A".into())]);
}

#[tokio::test]
async fn error_event_inside_the_stream() {
    let body = format!(
        "{}data: {{\"object\":\"error\",\"message\":\"Service overloaded\",\"type\":\"internal_error\",\"code\":\"3000\"}}\n\n",
        chat_chunk("A", None, false)
    );
    let server = ScriptServer::start(vec![split(&body, 1000)]).await;
    let got = collect(&server).await;
    assert_eq!(got, [Ok("A".into()), Err("stream failed: the server sent an error: Service overloaded".into())]);

    let body = format!("{}event: error\ndata: {{\"message\":\"boom\"}}\n\n", chat_chunk("A", None, false));
    let server = ScriptServer::start(vec![split(&body, 1000)]).await;
    assert_eq!(collect(&server).await[1], Err("stream failed: the server sent an error: boom".into()));
}

#[tokio::test]
async fn reset_mid_stream_delivers_what_came_then_errors() {
    let mut steps = vec![head(200, "text/event-stream"), chunk(chat_chunk("A", None, false).as_bytes())];
    steps.push(Step::Sleep(Duration::from_millis(50)));
    steps.push(Step::Reset);
    let server = ScriptServer::start(vec![steps]).await;
    let got = collect(&server).await;
    assert_eq!(got[0], Ok("A".into()));
    let err = got[1].as_ref().unwrap_err();
    assert!(err.starts_with("stream failed:"), "{err}");
    assert_eq!(got.len(), 2);
}

#[tokio::test]
async fn stalled_stream_hits_the_idle_timeout() {
    let steps = vec![
        head(200, "text/event-stream"),
        chunk(chat_chunk("A", None, false).as_bytes()),
        Step::Sleep(Duration::from_secs(30)),
    ];
    let server = ScriptServer::start(vec![steps]).await;
    let c = mistral_sdk::Client::builder()
        .api_key("k")
        .base_url(&server.base_url)
        .stream_idle_timeout(Duration::from_millis(200))
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let items: Vec<_> =
        tokio::time::timeout(Duration::from_secs(5), c.chat().stream(request()).await.unwrap().collect::<Vec<_>>())
            .await
            .expect("the idle timeout must end the stream");
    assert!(items[0].is_ok());
    assert!(matches!(items[1], Err(Error::Timeout { what: "stream idle", .. })), "{:?}", items[1]);
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[tokio::test]
async fn http_error_comes_before_the_stream_with_its_body() {
    let body =
        r#"{"object":"error","message":"Invalid model: nope","type":"invalid_model","param":null,"code":"1500"}"#;
    let steps = vec![head(400, "application/json"), chunk(body.as_bytes()), end()];
    let server = ScriptServer::start(vec![steps]).await;
    let err = client(&server.base_url).chat().stream(request()).await.unwrap_err();
    let api = err.api().unwrap();
    assert_eq!((api.status, api.message.as_str(), api.code.as_deref()), (400, "Invalid model: nope", Some("1500")));
}

#[tokio::test]
async fn tool_calls_assembled_across_chunks() {
    let c1 = r#"data: {"id":"c","model":"m","choices":[{"index":0,"delta":{"role":"assistant","tool_calls":[{"id":"call_1","index":0,"type":"function","function":{"name":"get_weather","arguments":"{\"city\": "}}]}}]}"#;
    let c2 = r#"data: {"id":"c","model":"m","choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"name":"","arguments":"\"Paris\"}"}}]}}]}"#;
    let c3 = r#"data: {"id":"c","model":"m","choices":[{"index":0,"delta":{"tool_calls":[{"id":"call_2","index":1,"function":{"name":"get_time","arguments":"{}"}}]},"finish_reason":"tool_calls"}],"usage":{"prompt_tokens":9,"completion_tokens":4,"total_tokens":13}}"#;
    let body = format!("{c1}\n\n{c2}\n\n{c3}\n\ndata: [DONE]\n\n");
    let server = ScriptServer::start(vec![split(&body, 11)]).await;
    let response = client(&server.base_url).chat().stream(request()).await.unwrap().collect_response().await.unwrap();
    let calls = response.tool_calls();
    assert_eq!(calls.len(), 2);
    assert_eq!(
        (calls[0].id.as_deref(), calls[0].function.name.as_str(), &*calls[0].arguments_text()),
        (Some("call_1"), "get_weather", "{\"city\": \"Paris\"}")
    );
    assert_eq!((calls[1].id.as_deref(), calls[1].function.name.as_str()), (Some("call_2"), "get_time"));
    assert_eq!(response.usage.total_tokens, 13);
    assert_eq!(mistral_sdk::FinishReasonExt::as_str(response.finish_reason().unwrap()), "tool_calls");
}

#[tokio::test]
async fn content_as_chunk_arrays_and_unknown_fields() {
    let body = "data: {\"id\":\"c\",\"model\":\"m\",\"new_field\":1,\"choices\":[{\"index\":0,\"delta\":{\"content\":[{\"type\":\"text\",\"text\":\"A\"},{\"type\":\"text\",\"text\":\"B\"}]},\"finish_reason\":\"content_filter\"}]}\n\ndata: [DONE]\n\n";
    let server = ScriptServer::start(vec![split(body, 1000)]).await;
    let response = client(&server.base_url).chat().stream(request()).await.unwrap().collect_response().await.unwrap();
    assert_eq!(response.text(), "AB");
    assert_eq!(mistral_sdk::FinishReasonExt::as_str(response.finish_reason().unwrap()), "content_filter");
}

#[tokio::test]
async fn dropping_a_stream_frees_the_client_for_more_requests() {
    let mut slow = vec![head(200, "text/event-stream"), chunk(chat_chunk("A", None, false).as_bytes())];
    slow.push(Step::Sleep(Duration::from_secs(30)));
    let fast = split(&format!("{}data: [DONE]\n\n", chat_chunk("B", Some("stop"), false)), 1000);
    let server = ScriptServer::start(vec![slow.clone(), slow, fast]).await;
    let c = client(&server.base_url);
    for _ in 0..2 {
        let mut stream = c.chat().stream(request()).await.unwrap();
        assert!(stream.next().await.unwrap().is_ok());
        drop(stream);
    }
    let got =
        tokio::time::timeout(Duration::from_secs(5), c.chat().stream(request()).await.unwrap().collect::<Vec<_>>())
            .await
            .unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(server.request_count(), 3);
}

#[test]
fn stream_is_send_and_static() {
    fn check<T: Send + 'static>() {}
    check::<mistral_sdk::CompletionStream>();
    check::<StreamAccumulator>();
}
