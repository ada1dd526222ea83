//! Fast checks: the canned bodies, the CLI, the bare SSE scan, one request of each kind
//! through the in-process server. No benchmark runs here.

use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use mistral_sdk::types::{ChatCompletionResponse, CompletionChunk, EmbeddingResponse};

use crate::bodies;
use crate::clients::{Clients, Contender, RawSse, SseKind, Which};
use crate::server::{Canned, FileKind, serve};
use crate::{Args, Settings};

fn events(body: &[u8]) -> Vec<&str> {
    let text = std::str::from_utf8(body).unwrap();
    text.split("\n\n").filter(|e| !e.is_empty()).map(|e| e.strip_prefix("data: ").unwrap()).collect()
}

#[test]
fn canned_bodies_decode_into_the_generated_types_and_async_openai_types() {
    let chat = bodies::chat_body();
    assert!((900..=1300).contains(&chat.len()), "chat body is {} bytes", chat.len());
    let r: ChatCompletionResponse = serde_json::from_slice(&chat).unwrap();
    assert_eq!(r.choices.len(), 1);
    let r: async_openai::types::chat::CreateChatCompletionResponse = serde_json::from_slice(&chat).unwrap();
    assert!(r.choices[0].message.content.as_ref().unwrap().len() > 700);

    let sse = bodies::sse_body(100);
    let events = events(&sse);
    assert_eq!(events.len(), 101);
    assert_eq!(*events.last().unwrap(), "[DONE]");
    let mut finished = 0;
    for data in &events[..100] {
        let chunk: CompletionChunk = serde_json::from_str(data).unwrap();
        finished += chunk.choices.iter().filter(|c| c.finish_reason.is_some()).count();
        let _: async_openai::types::chat::CreateChatCompletionStreamResponse = serde_json::from_str(data).unwrap();
    }
    assert_eq!(finished, 1);
    let average = (sse.len() - "data: [DONE]\n\n".len()) / 100;
    assert!((190..=235).contains(&average), "events average {average} bytes");

    let (first, next) = bodies::hold_events();
    for e in [first, next] {
        let e = String::from_utf8(e).unwrap();
        let _: CompletionChunk = serde_json::from_str(e.trim_end().strip_prefix("data: ").unwrap()).unwrap();
    }

    let embed = bodies::embeddings_body(4, 1024);
    let r: EmbeddingResponse = serde_json::from_slice(&embed).unwrap();
    assert_eq!((r.data.len(), r.data[3].embedding.len()), (4, 1024));
    let r: async_openai::types::embeddings::CreateEmbeddingResponse = serde_json::from_slice(&embed).unwrap();
    assert_eq!(r.data[0].embedding.len(), 1024);
}

#[test]
fn quick_argument_parsing() {
    let quick = Settings::from_args(&Args::try_parse_from(["mistral-bench", "--quick", "--json"]).unwrap());
    let full = Settings::from_args(&Args::try_parse_from(["mistral-bench"]).unwrap());
    assert!(quick.rounds >= 5 && full.rounds >= 5);
    assert!(quick.chat_seq_requests < full.chat_seq_requests);
    assert!(quick.chat_conc_requests < full.chat_conc_requests);
    assert_eq!((full.chunks, full.mem_streams, full.concurrency), (20_000, 1_000, 64));
    let args = Args::try_parse_from(["mistral-bench", "--quick", "--rounds", "9", "--only", "chat"]).unwrap();
    assert!(!args.json && args.quick);
    assert_eq!(Settings::from_args(&args).rounds, 9);
    assert!(crate::selected(&args.only, "chat_c64") && !crate::selected(&args.only, "stream"));
    assert!(Args::try_parse_from(["mistral-bench", "--bogus"]).is_err());
    let args = Args::try_parse_from(["mistral-bench", "--callgrind", "--profile", "chat_seq/mistral-sdk"]).unwrap();
    assert!(args.callgrind && args.profile.as_deref() == Some("chat_seq/mistral-sdk"));
}

#[test]
fn raw_scan_counts_every_event_whatever_the_split() {
    let body = bodies::sse_body(20);
    for size in [1, 2, 7, 64, 211, 4096] {
        let mut scan = RawSse::default();
        for piece in body.chunks(size) {
            scan.feed(piece).unwrap();
        }
        assert!(scan.done, "size {size}");
        assert_eq!(scan.count.events, 20, "size {size}");
        let mut sdk = mistral_sdk::sse::SseDecoder::new();
        let mut n = 0;
        for piece in body.chunks(size) {
            sdk.feed(piece);
            while let Some(e) = sdk.next_event().unwrap() {
                n += usize::from(e.data != "[DONE]");
            }
        }
        assert_eq!(n, 20);
    }
}

#[test]
fn every_contender_gets_the_same_answers_from_the_canned_server() {
    let rt = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
    rt.block_on(async {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let server = tokio::spawn(serve(listener, Arc::new(Canned::new(50, Duration::from_millis(20)))));
        let clients = Clients::new(&format!("http://{addr}")).unwrap();
        let expect = crate::expect(50).unwrap();
        for c in Contender::ALL {
            assert_eq!(clients.chat(c).await.unwrap(), expect.chat_content, "{c:?}");
        }
        let mut content = Vec::new();
        for c in Contender::STREAMING {
            let count = clients.stream_of(c, Which::Chat).await.unwrap();
            assert_eq!(count.events, 50, "{c:?}");
            content.push(count.content);
            let mut held = clients.open(c, Which::Hold).await.unwrap();
            assert_eq!(held.until(2).await.unwrap().events, 2, "{c:?}");
        }
        assert!(content.iter().all(|&n| n == content[0] && n > 0), "{content:?}");
        assert!(clients.open(Contender::Openapi, Which::Chat).await.is_err());
        assert_eq!(clients.embed(Contender::Sdk).await.unwrap(), expect.floats);
        for which in [Which::Think, Which::Conversation] {
            let raw = clients.stream_of(Contender::Raw, which).await.unwrap();
            let sdk = clients.stream_of(Contender::Sdk, which).await.unwrap();
            assert_eq!((raw, raw.events), (sdk, 50), "{which:?}");
            assert!(raw.content > 50, "{which:?}: {raw:?}");
        }
        for c in Contender::RAW_SDK {
            assert_eq!(clients.embed_base64(c).await.unwrap(), expect.floats, "{c:?}");
        }
        let mut jsonl = Vec::new();
        for c in Contender::RAW_SDK {
            assert_eq!(crate::io::upload(&clients, c, 3 << 20).await.unwrap().bytes, 3 << 20, "{c:?}");
            assert_eq!(crate::io::download(&clients, c, (3 << 20) + 5).await.unwrap().bytes, (3 << 20) + 5, "{c:?}");
            assert_eq!(crate::io::doc_upload(&clients, c, (3 << 20) + 7).await.unwrap().bytes, (3 << 20) + 7, "{c:?}");
            let moved = crate::io::batch(&clients, c, 2_000).await.unwrap();
            assert_eq!(moved.units, 2_000);
            jsonl.push(moved.bytes);
        }
        // The SDK uploads exactly the JSONL that serde_json writes.
        assert!(jsonl[0] > 2_000 * 50 && jsonl[0] == jsonl[1], "{jsonl:?}");
        server.abort();
    });
}

#[test]
fn new_canned_streams_decode_whatever_the_split() {
    let think = bodies::think_sse_body(40);
    let conversation = bodies::conversation_sse_body(40);
    for (kind, body) in [(SseKind::Chat, &think), (SseKind::Conversation, &conversation)] {
        for size in [1, 3, 64, 301, 8192] {
            let mut scan = RawSse::new(kind);
            for piece in body.chunks(size) {
                scan.feed(piece).unwrap();
            }
            assert!(scan.done, "{kind:?} size {size}");
            assert_eq!(scan.count.events, 40, "{kind:?} size {size}");
        }
    }
    // Every kind of reasoning chunk is there: thinking, text, whole function calls.
    let text = String::from_utf8(think).unwrap();
    assert!(text.contains(r#""type":"thinking""#) && text.contains(r#""type":"text""#));
    assert!(text.contains(r#""finish_reason":"tool_calls""#) && text.contains("get_weather"));
    let text = String::from_utf8(conversation).unwrap();
    for name in
        ["conversation.response.started", "message.output.delta", "function.call.delta", "conversation.response.done"]
    {
        assert!(text.contains(&format!("event: {name}\ndata: {{\"type\":\"{name}\"")), "{name}");
    }
    let b64: mistral_sdk::EmbeddingsResponse = serde_json::from_slice(&bodies::embeddings_base64_body(3, 8)).unwrap();
    let floats: EmbeddingResponse = serde_json::from_slice(&bodies::embeddings_body(3, 8)).unwrap();
    let vectors = b64.vectors().unwrap();
    // The same numbers as the JSON body (they are exact in f32).
    for (v, d) in vectors.iter().zip(&floats.data) {
        assert_eq!(v, &d.embedding);
    }
}

#[test]
fn file_ids_say_what_they_stand_for() {
    for kind in [FileKind::BatchInput(7), FileKind::BatchOutput(1 << 40), FileKind::Bytes(1 << 30)] {
        let id = kind.id();
        assert!(uuid::Uuid::parse_str(&id).is_ok(), "{id}");
        assert_eq!(FileKind::parse(&id), Some(kind));
    }
    assert_eq!(FileKind::parse("497f6eca-6276-4993-bfeb-53cbbbba6f09"), None);
}
