//! The Rust client for the [Mistral AI API](https://docs.mistral.ai/api/).
//!
//! - Every operation of the v1 API, grouped as you think of them: [`Client::chat`],
//!   [`Client::fim`], [`Client::embeddings`], [`Client::models`], [`Client::files`],
//!   [`Client::fine_tuning`], [`Client::batch`], [`Client::ocr`], [`Client::classifiers`],
//!   [`Client::audio`], [`Client::agents`], [`Client::conversations`], [`Client::libraries`].
//! - Batches of typed requests run whole by a [`BatchRunner`]: JSONL written into the upload
//!   as it is sent, the job watched, results read as they download, keyed by custom id;
//!   documents read by OCR with typed annotations ([`OcrRequest`]); moderation with open,
//!   typed categories ([`ModerationExt`]); transcription and speech, plain or as typed
//!   event streams ([`EventStream`]).
//! - Request builders that send only what you set ([`ChatRequest`], [`FimRequest`],
//!   [`EmbeddingsRequest`], [`JobRequest`]), with an `extra(name, value)` escape hatch for
//!   fields this release does not name; images, documents and audio in messages ([`Part`]);
//!   structured outputs typed by Rust types ([`ChatRequest::json_schema`],
//!   [`ChatResponseExt::parsed`]); reasoning kept apart from the answer
//!   ([`ChatResponseExt::thinking`]); function calling with parameters derived from Rust
//!   types and the API's built-in tools ([`Tool`]).
//! - Streams as `futures::Stream`s ([`CompletionStream`]), decoded on your task with a
//!   standards-complete SSE parser ([`sse`]), plus text-only, choice-by-choice
//!   ([`CompletionStream::deltas`]) and fold-to-response ([`StreamAccumulator`]) helpers.
//! - One [`Error`] type with typed API errors ([`ApiError`], [`ApiErrorKind`]) whatever
//!   body shape the server sends; retries with backoff and `Retry-After` ([`RetryPolicy`]);
//!   timeouts for connect, request and stream idleness; `tracing` spans per request.
//! - The wire types are generated from the OpenAPI spec (crate `mistral-openapi`) and
//!   re-exported as [`types`]: what you send and receive is exactly the API's schema, open
//!   to fields and enum values that newer servers add.
//!
//! # Quick start
//!
//! ```no_run
//! use mistral_sdk::{ChatRequest, ChatResponseExt, Client};
//!
//! # async fn demo() -> mistral_sdk::Result<()> {
//! let client = Client::from_env()?; // MISTRAL_API_KEY (and MISTRAL_BASE_URL, if set)
//! let response = client
//!     .chat()
//!     .create(ChatRequest::new("mistral-small-latest").user("What is the best French cheese?"))
//!     .await?;
//! println!("{}", response.text());
//! # Ok(()) }
//! ```
//!
//! # Function calling
//!
//! ```no_run
//! use mistral_sdk::{ChatRequest, ChatResponseExt, Client, Tool, ToolCallExt, types::KnownToolChoiceEnum};
//!
//! #[derive(schemars::JsonSchema, serde::Deserialize)]
//! struct WeatherArgs {
//!     city: String,
//! }
//!
//! # async fn demo(client: Client) -> mistral_sdk::Result<()> {
//! let request = ChatRequest::new("mistral-large-latest")
//!     .user("What's the weather in Paris?")
//!     .tools([Tool::function::<WeatherArgs>("get_weather", "Current weather for a city")])
//!     .tool_choice(KnownToolChoiceEnum::Any);
//! let response = client.chat().create(request.clone()).await?;
//! let call = &response.tool_calls()[0];
//! let args: WeatherArgs = call.arguments()?;
//! let answer = client
//!     .chat()
//!     .create(
//!         request
//!             .assistant_message(&response.choices[0].message)
//!             .tool_result(call.id.clone().unwrap_or_default(), "get_weather", format!("18°C in {}", args.city)),
//!     )
//!     .await?;
//! println!("{}", answer.text());
//! # Ok(()) }
//! ```
//!
//! # Structured output
//!
//! ```no_run
//! use mistral_sdk::{ChatRequest, ChatResponseExt, Client};
//!
//! #[derive(schemars::JsonSchema, serde::Deserialize)]
//! struct Cheese {
//!     name: String,
//!     region: String,
//! }
//!
//! # async fn demo(client: Client) -> mistral_sdk::Result<()> {
//! let request = ChatRequest::new("mistral-small-latest").user("The best French cheese?").json_schema::<Cheese>();
//! let cheese: Cheese = client.chat().create(request).await?.parsed()?;
//! println!("{} from {}", cheese.name, cheese.region);
//! # Ok(()) }
//! ```
//!
//! # Images and documents
//!
//! ```no_run
//! use mistral_sdk::{ChatRequest, ChatResponseExt, Client, Part};
//!
//! # async fn demo(client: Client) -> mistral_sdk::Result<()> {
//! let request = ChatRequest::new("mistral-medium-latest")
//!     .user_parts([Part::text("What is on this receipt?"), Part::image_path("receipt.jpg")?]);
//! println!("{}", client.chat().create(request).await?.text());
//! # Ok(()) }
//! ```
//!
//! # Agents, conversations and libraries
//!
//! ```no_run
//! use futures::StreamExt;
//! use mistral_sdk::{Client, ConversationAccumulator, ConversationStart, FileUpload, NewAgent, Tool, WatchOptions};
//! use mistral_sdk::types::CreateLibraryRequest;
//!
//! # async fn demo(client: Client) -> mistral_sdk::Result<()> {
//! // A library of documents, processed for search.
//! let library = client
//!     .libraries()
//!     .create(CreateLibraryRequest { name: "handbook".into(), description: None, chunk_size: None, owner_type: None })
//!     .await?;
//! let documents = client.libraries().documents(&library.id);
//! let document = documents.upload(FileUpload::from_path("handbook.pdf")).await?;
//! documents.wait_processed(&document.id, WatchOptions::default()).await?;
//!
//! // An agent that searches it, and a streamed conversation with the agent.
//! let agent = client
//!     .agents()
//!     .create(NewAgent::new("mistral-medium-latest", "hr").tools([Tool::document_library([library.id.to_string()])]))
//!     .await?;
//! let mut events = client.conversations().start_stream(ConversationStart::with_agent(&agent.id, "How many days off?")).await?;
//! let mut run = ConversationAccumulator::new();
//! while let Some(event) = events.next().await {
//!     let event = event?;
//!     if let Some(text) = event.text_delta() {
//!         print!("{text}");
//!     }
//!     run.push(&event);
//! }
//! let next = client.conversations().append(run.conversation_id().unwrap_or_default(), "And in the first year?").await?;
//! # let _ = next;
//! # Ok(()) }
//! ```
//!
//! # Errors and retries
//!
//! Failed attempts are retried twice by default, with exponential backoff and full jitter,
//! honouring `Retry-After`. What is retried depends on the operation's retry class in the
//! operation table, so a retry never bills or creates twice:
//! - operations safe to repeat (reads, deletes, and the calls the spec marks idempotent:
//!   chat, FIM, embeddings, OCR, classifiers, audio) on 408, 409, 429, 5xx, connection
//!   errors and timeouts;
//! - every other operation (uploads, creations, job starts) only when the server surely did
//!   not act on it: a 429, or a connection that was refused.
//!
//! A stream is retried only until its response starts; an upload from a reader, which can be
//! read once, is not retried. [`RequestOptions`] changes the number of retries (or the timeout,
//! or headers) for one call, a group or a client. See [`RetryPolicy`] and [`ClientBuilder`].
//!
//! The API key is sent as a sensitive header and never appears in `Debug` output, errors or
//! logs.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod accumulate;
mod agents;
mod audio;
mod base64;
mod batch;
mod body;
mod chat;
mod classifiers;
mod client;
mod conversations;
mod delta;
mod embeddings;
mod error;
mod events;
mod ext;
mod extra;
mod files;
mod fim;
mod fine_tuning;
mod libraries;
mod meta;
mod models;
mod ocr;
mod options;
mod paging;
mod pending;
mod request;
mod retry;
mod schema;
pub mod sse;
mod stream;
mod tool;
mod transport;
mod upload;
mod watch;

pub use accumulate::StreamAccumulator;
pub use agents::{AgentFilter, AgentRequest, Agents, NewAgent};
pub use audio::{
    Audio, SpeechEvent, SpeechRequest, SpeechResponseExt, TranscriptionDone, TranscriptionEvent, TranscriptionRequest,
    TranscriptionSegment, VoiceFilter, VoiceRequest, VoiceUpdate, Voices,
};
pub use batch::{
    Batch, BatchFilter, BatchJobExt, BatchJobs, BatchLineError, BatchProgress, BatchRequest, BatchResult, BatchResults,
    BatchRunner, BatchSource, Batchable,
};
pub use chat::{Chat, ChatRequest, Part};
pub use classifiers::{
    ClassificationExt, ClassificationTargetExt, ClassificationsRequest, Classifiers, ModerationCategory, ModerationExt,
    ModerationsRequest,
};
pub use client::{Client, ClientBuilder, DEFAULT_BASE_URL};
pub use conversations::{
    ConversationAccumulator, ConversationEvent, ConversationRun, ConversationStart, Conversations, FunctionCallOutput,
    Functions,
};
pub use delta::{ChoiceDelta, Delta};
pub use embeddings::{Embedding, EmbeddingVector, Embeddings, EmbeddingsRequest, EmbeddingsResponse};
pub use error::{ApiError, ApiErrorKind, Error, FieldError, Result};
pub use events::{EventStream, StreamEvent};
pub use ext::{ChatResponseExt, FinishReasonExt, JobStatusExt, ModelExt, ToolCallExt, content_text, content_thinking};
pub use files::{Download, FileFilter, FileUpload, Files};
pub use fim::{Fim, FimRequest};
pub use fine_tuning::{FineTuning, JobFilter, JobRequest, Jobs, is_terminal};
pub use libraries::{Accesses, DocumentFilter, Documents, Libraries, NewLibrary};
pub use meta::{ResponseMeta, WithMeta};
pub use models::Models;
pub use ocr::{Document, Ocr, OcrImageExt, OcrRequest, OcrResponseExt};
pub use options::RequestOptions;
pub use pending::Pending;
pub use request::IntoRequest;
pub use retry::RetryPolicy;
pub use stream::CompletionStream;
pub use tool::Tool;
pub use watch::WatchOptions;

/// The API's wire types, generated from `openapi.yaml` (re-exported from `mistral-openapi`).
pub use mistral_openapi::types;

/// The `schemars` version [`Tool::function`] reads schemas from.
pub use schemars;

/// The `reqwest` version [`ClientBuilder::http_client`] takes and [`Error`]'s transport
/// sources are.
pub use reqwest;

/// The `chrono` version of the wire types' timestamps.
pub use chrono;

/// The `uuid` version of the wire types' ids (files, jobs, libraries...).
pub use uuid;

/// The `bytes` version of uploads and downloads.
pub use bytes;

/// The `futures` version of the streams this crate returns (`futures::StreamExt`).
pub use futures;

#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
