//! The contenders, each doing the same work against the same server.

use std::pin::Pin;

use anyhow::{Context, Result, anyhow, ensure};
use async_openai::config::OpenAIConfig;
use async_openai::types::chat::{
    ChatCompletionResponseStream, CreateChatCompletionRequest, CreateChatCompletionResponse,
};
use async_openai::types::embeddings::{CreateEmbeddingRequest, CreateEmbeddingResponse};
use base64::Engine as _;
use bytes::Bytes;
use futures::{Stream, StreamExt};
use mistral_openapi::operations as ops;
use mistral_sdk::types::{
    ChatCompletionRequest, ChatCompletionResponse, CompletionChunk, EmbeddingInput, EmbeddingRequest,
    EmbeddingResponse, FunctionCallEvent, MessageContent, MessageOutputEvent, MessageOutputEventContent,
    ResponseDoneEvent, ResponseStartedEvent,
};
use mistral_sdk::{
    ChatRequest, CompletionStream, ConversationEvent, ConversationStart, EmbeddingsRequest, EventStream,
};
use reqwest::Url;
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderValue};

use crate::bodies::{EMBED_INPUTS, THINK_MODEL};
use crate::server::HOLD_MODEL;

pub const MODEL: &str = "mistral-small-latest";
pub const EMBED_MODEL: &str = "mistral-embed";
pub const PROMPT: &str = "What is the best French cheese?";
const API_KEY: &str = "bench-key";

/// Who is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, clap::ValueEnum)]
pub enum Contender {
    /// reqwest + serde_json into the generated types; for SSE a memchr line scan and
    /// `serde_json::from_str` per event. The limit.
    #[value(name = "raw")]
    Raw,
    /// The generated progenitor client (`mistral-openapi`); no streaming.
    #[value(name = "mistral-openapi")]
    Openapi,
    /// The SDK under test.
    #[value(name = "mistral-sdk")]
    Sdk,
    /// async-openai pointed at the same server.
    #[value(name = "async-openai")]
    AsyncOpenai,
}

impl Contender {
    pub const ALL: [Contender; 4] = [Contender::Raw, Contender::Openapi, Contender::Sdk, Contender::AsyncOpenai];
    pub const STREAMING: [Contender; 3] = [Contender::Raw, Contender::Sdk, Contender::AsyncOpenai];
    /// Where only the limit and the SDK are measured (async-openai has no such operation).
    pub const RAW_SDK: [Contender; 2] = [Contender::Raw, Contender::Sdk];

    pub fn name(self) -> &'static str {
        match self {
            Contender::Raw => "raw",
            Contender::Openapi => "mistral-openapi",
            Contender::Sdk => "mistral-sdk",
            Contender::AsyncOpenai => "async-openai",
        }
    }
}

/// What a stream delivered: chunk events and bytes of content text.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StreamCount {
    pub events: u64,
    pub content: u64,
}

fn content_len(content: Option<&MessageContent>) -> u64 {
    match content {
        Some(MessageContent::String(s)) => s.len() as u64,
        Some(MessageContent::Array(parts)) => parts.len() as u64,
        None => 0,
    }
}

/// Which stream a [`RawSse`] reads.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SseKind {
    /// Chat completion chunks, ended by `data: [DONE]`.
    #[default]
    Chat,
    /// A conversation run's named events, ended by `conversation.response.done`.
    Conversation,
}

/// The bare SSE baseline: split lines with memchr, `serde_json::from_str` each `data:`
/// line into the generated type ([`CompletionChunk`], or for a conversation the type its
/// `event:` line names). Bytes are copied only for a line split across reads.
#[derive(Debug, Default)]
pub struct RawSse {
    pub kind: SseKind,
    carry: Vec<u8>,
    event: Vec<u8>,
    pub count: StreamCount,
    pub done: bool,
}

impl RawSse {
    pub fn new(kind: SseKind) -> RawSse {
        RawSse { kind, ..RawSse::default() }
    }

    pub fn feed(&mut self, mut bytes: &[u8]) -> Result<()> {
        if !self.carry.is_empty() {
            let Some(nl) = memchr::memchr(b'\n', bytes) else {
                self.carry.extend_from_slice(bytes);
                return Ok(());
            };
            self.carry.extend_from_slice(&bytes[..nl]);
            let mut line = std::mem::take(&mut self.carry);
            self.line(&line)?;
            line.clear();
            self.carry = line;
            bytes = &bytes[nl + 1..];
        }
        let mut start = 0;
        for nl in memchr::memchr_iter(b'\n', bytes) {
            self.line(&bytes[start..nl])?;
            start = nl + 1;
        }
        self.carry.extend_from_slice(&bytes[start..]);
        Ok(())
    }

    fn line(&mut self, line: &[u8]) -> Result<()> {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if let Some(name) = line.strip_prefix(b"event: ") {
            self.event.clear();
            self.event.extend_from_slice(name);
            return Ok(());
        }
        let Some(data) = line.strip_prefix(b"data: ") else {
            return Ok(());
        };
        if self.kind == SseKind::Chat && data == b"[DONE]" {
            self.done = true;
            return Ok(());
        }
        let text = std::str::from_utf8(data)?;
        self.count.content += match self.kind {
            SseKind::Chat => {
                let chunk: CompletionChunk = serde_json::from_str(text)?;
                chunk.choices.first().map_or(0, |c| delta_len(&c.delta))
            }
            SseKind::Conversation => match &self.event[..] {
                b"message.output.delta" => {
                    let event: MessageOutputEvent = serde_json::from_str(text)?;
                    output_len(&event.content)
                }
                b"function.call.delta" => serde_json::from_str::<FunctionCallEvent>(text)?.arguments.len() as u64,
                b"conversation.response.started" => {
                    serde_json::from_str::<ResponseStartedEvent>(text)?;
                    0
                }
                b"conversation.response.done" => {
                    serde_json::from_str::<ResponseDoneEvent>(text)?;
                    self.done = true;
                    0
                }
                other => return Err(anyhow!("unexpected event {:?}", String::from_utf8_lossy(other))),
            },
        };
        self.count.events += 1;
        Ok(())
    }
}

/// Content bytes of a chunk's delta: text, thinking and text parts, function arguments.
fn delta_len(delta: &mistral_sdk::types::DeltaMessage) -> u64 {
    content_len(delta.content.as_ref())
        + delta.tool_calls.as_ref().map_or(0, |calls| calls.iter().map(|c| arguments_len(&c.function.arguments)).sum())
}

fn arguments_len(arguments: &mistral_sdk::types::FunctionArguments) -> u64 {
    match arguments {
        mistral_sdk::types::FunctionArguments::String(s) => s.len() as u64,
        other => serde_json::to_string(other).map_or(0, |s| s.len() as u64),
    }
}

fn output_len(content: &MessageOutputEventContent) -> u64 {
    match content {
        MessageOutputEventContent::String(s) => s.len() as u64,
        MessageOutputEventContent::OutputContentChunks(_) => 1,
    }
}

type ByteStream = Pin<Box<dyn Stream<Item = reqwest::Result<Bytes>> + Send>>;

/// An open stream of any contender. Not boxed: each stream sits where a user's would.
#[allow(clippy::large_enum_variant)]
pub enum Opened {
    Raw { body: ByteStream, sse: RawSse, ended: bool },
    Sdk { stream: CompletionStream, count: StreamCount, ended: bool },
    SdkConversation { stream: EventStream<ConversationEvent>, count: StreamCount, ended: bool },
    AsyncOpenai { stream: ChatCompletionResponseStream, count: StreamCount, ended: bool },
}

impl Opened {
    /// Reads until at least `events` chunk events came, or the stream ended.
    pub async fn until(&mut self, events: u64) -> Result<StreamCount> {
        match self {
            Opened::Raw { body, sse, ended } => {
                while !*ended && sse.count.events < events {
                    match body.next().await {
                        Some(bytes) => {
                            sse.feed(&bytes?)?;
                            *ended = sse.done;
                        }
                        None => {
                            ensure!(sse.done, "the stream ended before data: [DONE]");
                            *ended = true;
                        }
                    }
                }
                Ok(sse.count)
            }
            Opened::Sdk { stream, count, ended } => {
                while !*ended && count.events < events {
                    match stream.next().await {
                        Some(chunk) => {
                            let chunk = chunk?;
                            count.events += 1;
                            count.content += chunk.choices.first().map_or(0, |c| delta_len(&c.delta));
                        }
                        None => *ended = true,
                    }
                }
                Ok(*count)
            }
            Opened::SdkConversation { stream, count, ended } => {
                while !*ended && count.events < events {
                    match stream.next().await {
                        Some(event) => {
                            count.events += 1;
                            count.content += match &event? {
                                ConversationEvent::MessageOutputDelta(e) => output_len(&e.content),
                                ConversationEvent::FunctionCallDelta(e) => e.arguments.len() as u64,
                                ConversationEvent::ResponseStarted(_) | ConversationEvent::ResponseDone(_) => 0,
                                other => return Err(anyhow!("unexpected event {other:?}")),
                            };
                        }
                        None => *ended = true,
                    }
                }
                Ok(*count)
            }
            Opened::AsyncOpenai { stream, count, ended } => {
                while !*ended && count.events < events {
                    match stream.next().await {
                        Some(chunk) => {
                            let chunk = chunk?;
                            count.events += 1;
                            count.content += chunk
                                .choices
                                .first()
                                .and_then(|c| c.delta.content.as_ref())
                                .map_or(0, |s| s.len() as u64);
                        }
                        None => *ended = true,
                    }
                }
                Ok(*count)
            }
        }
    }
}

struct ChatRequests {
    wire: ChatCompletionRequest,
    sdk: ChatRequest,
    async_openai: CreateChatCompletionRequest,
}

impl ChatRequests {
    fn new(model: &str) -> Result<ChatRequests> {
        let sdk = ChatRequest::new(model).user(PROMPT).max_tokens(64);
        let wire = sdk.as_wire().clone();
        // The same JSON, read into async-openai's request type.
        let async_openai = serde_json::from_slice(&serde_json::to_vec(&wire)?)
            .context("the chat request does not fit async-openai's type")?;
        Ok(ChatRequests { wire, sdk, async_openai })
    }
}

/// One client of each kind, all pointed at `base` (build them on the runtime that uses them).
pub struct Clients {
    raw: reqwest::Client,
    chat_url: Url,
    embed_url: Url,
    auth: HeaderValue,
    openapi: mistral_openapi::Client,
    sdk: mistral_sdk::Client,
    async_openai: async_openai::Client<OpenAIConfig>,
    chat: ChatRequests,
    hold: ChatRequests,
    think: ChatRequests,
    conversation_url: Url,
    conversation: ConversationStart,
    embed: EmbeddingRequest,
    embed_async_openai: CreateEmbeddingRequest,
    embed_base64: EmbeddingsRequest,
    /// The server's address, for the raw file routes.
    pub base: String,
}

/// Which stream [`Clients::open`] opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    /// The long chat completion stream.
    Chat,
    /// A chat stream the server holds open, one event now and then.
    Hold,
    /// A reasoning model's chat stream: thinking chunks, text, function calls.
    Think,
    /// A conversation run's named events.
    Conversation,
}

const JSON: HeaderValue = HeaderValue::from_static("application/json");
const EVENT_STREAM: HeaderValue = HeaderValue::from_static("text/event-stream");

impl Clients {
    pub fn new(base: &str) -> Result<Clients> {
        let mut auth = HeaderValue::from_str(&format!("Bearer {API_KEY}"))?;
        auth.set_sensitive(true);
        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, auth.clone());
        let openapi_http = reqwest::Client::builder().default_headers(headers).build()?;
        let sdk = mistral_sdk::Client::builder().api_key(API_KEY).base_url(base).build()?;
        let async_openai = async_openai::Client::with_config(
            OpenAIConfig::new().with_api_key(API_KEY).with_api_base(format!("{base}/v1")),
        );
        let embed = EmbeddingRequest {
            model: EMBED_MODEL.into(),
            input: EmbeddingInput::Array(
                (0..EMBED_INPUTS).map(|i| format!("Document {i}: a note on cheese.")).collect(),
            ),
            encoding_format: None,
            metadata: None,
            output_dimension: None,
            output_dtype: None,
        };
        let embed_async_openai = serde_json::from_slice(&serde_json::to_vec(&embed)?)
            .context("the embeddings request does not fit async-openai's type")?;
        Ok(Clients {
            raw: reqwest::Client::builder().build()?,
            chat_url: Url::parse(&format!("{base}{}", ops::CREATE_CHAT_COMPLETION.path))?,
            embed_url: Url::parse(&format!("{base}{}", ops::CREATE_EMBEDDING.path))?,
            auth,
            openapi: mistral_openapi::Client::new_with_client(base, openapi_http),
            sdk,
            async_openai,
            chat: ChatRequests::new(MODEL)?,
            hold: ChatRequests::new(HOLD_MODEL)?,
            think: ChatRequests::new(THINK_MODEL)?,
            conversation_url: Url::parse(&format!("{base}{}", ops::AGENTS_API_V1_CONVERSATIONS_START.path))?,
            conversation: ConversationStart::with_model(MODEL, PROMPT),
            embed_base64: EmbeddingsRequest::new(
                EMBED_MODEL,
                (0..EMBED_INPUTS).map(|i| format!("Document {i}: a note on cheese.")),
            )
            .encoding_format(mistral_sdk::types::KnownEncodingFormat::Base64),
            embed,
            embed_async_openai,
            base: base.to_string(),
        })
    }

    fn raw_post(&self, url: &Url, body: Vec<u8>, accept: HeaderValue) -> reqwest::RequestBuilder {
        self.raw
            .post(url.clone())
            .header(AUTHORIZATION, self.auth.clone())
            .header(CONTENT_TYPE, JSON)
            .header(ACCEPT, accept)
            .body(body)
    }

    /// One non-streamed chat completion; the answer's length.
    pub async fn chat(&self, contender: Contender) -> Result<u64> {
        Ok(match contender {
            Contender::Raw => {
                let body = serde_json::to_vec(&self.chat.wire)?;
                let response = self.raw_post(&self.chat_url, body, JSON).send().await?;
                ensure!(response.status().is_success(), "status {}", response.status());
                let bytes = response.bytes().await?;
                let r: ChatCompletionResponse = serde_json::from_slice(&bytes)?;
                r.choices.first().map_or(0, |c| content_len(c.message.content.as_ref()))
            }
            Contender::Openapi => {
                let r = self
                    .openapi
                    .create_chat_completion()
                    .body(self.chat.wire.clone())
                    .send()
                    .await
                    .map_err(|e| anyhow!("mistral-openapi: {e}"))?
                    .into_inner();
                r.choices.first().map_or(0, |c| content_len(c.message.content.as_ref()))
            }
            Contender::Sdk => {
                let r = self.sdk.chat().create(&self.chat.sdk).await?;
                r.choices.first().map_or(0, |c| content_len(c.message.content.as_ref()))
            }
            Contender::AsyncOpenai => {
                let r: CreateChatCompletionResponse =
                    self.async_openai.chat().create(self.chat.async_openai.clone()).await?;
                r.choices.first().and_then(|c| c.message.content.as_ref()).map_or(0, |s| s.len() as u64)
            }
        })
    }

    /// Opens a stream of the given kind.
    pub async fn open(&self, contender: Contender, which: Which) -> Result<Opened> {
        let requests = match which {
            Which::Chat => &self.chat,
            Which::Hold => &self.hold,
            Which::Think => &self.think,
            Which::Conversation => return self.open_conversation(contender).await,
        };
        Ok(match contender {
            Contender::Raw => {
                let mut wire = requests.wire.clone();
                wire.stream = Some(true);
                let response = self.raw_post(&self.chat_url, serde_json::to_vec(&wire)?, EVENT_STREAM).send().await?;
                ensure!(response.status().is_success(), "status {}", response.status());
                Opened::Raw { body: Box::pin(response.bytes_stream()), sse: RawSse::new(SseKind::Chat), ended: false }
            }
            Contender::Sdk => Opened::Sdk {
                stream: self.sdk.chat().stream(&requests.sdk).await?,
                count: StreamCount::default(),
                ended: false,
            },
            Contender::AsyncOpenai => Opened::AsyncOpenai {
                stream: self.async_openai.chat().create_stream(requests.async_openai.clone()).await?,
                count: StreamCount::default(),
                ended: false,
            },
            Contender::Openapi => return Err(anyhow!("mistral-openapi has no streaming")),
        })
    }

    async fn open_conversation(&self, contender: Contender) -> Result<Opened> {
        Ok(match contender {
            Contender::Raw => {
                let body = serde_json::to_vec(&serde_json::json!({"model": MODEL, "inputs": PROMPT, "stream": true}))?;
                let response = self.raw_post(&self.conversation_url, body, EVENT_STREAM).send().await?;
                ensure!(response.status().is_success(), "status {}", response.status());
                Opened::Raw {
                    body: Box::pin(response.bytes_stream()),
                    sse: RawSse::new(SseKind::Conversation),
                    ended: false,
                }
            }
            Contender::Sdk => Opened::SdkConversation {
                stream: self.sdk.conversations().start_stream(self.conversation.clone()).await?,
                count: StreamCount::default(),
                ended: false,
            },
            other => return Err(anyhow!("{} has no conversations", other.name())),
        })
    }

    /// One whole stream of the given kind.
    pub async fn stream_of(&self, contender: Contender, which: Which) -> Result<StreamCount> {
        self.open(contender, which).await?.until(u64::MAX).await
    }

    /// One embeddings request; the number of floats decoded.
    pub async fn embed(&self, contender: Contender) -> Result<u64> {
        let floats = |data: &[mistral_sdk::types::EmbeddingResponseData]| -> u64 {
            data.iter().map(|d| d.embedding.len() as u64).sum()
        };
        Ok(match contender {
            Contender::Raw => {
                let body = serde_json::to_vec(&self.embed)?;
                let response = self.raw_post(&self.embed_url, body, JSON).send().await?;
                ensure!(response.status().is_success(), "status {}", response.status());
                let bytes = response.bytes().await?;
                let r: EmbeddingResponse = serde_json::from_slice(&bytes)?;
                floats(&r.data)
            }
            Contender::Openapi => {
                let r = self
                    .openapi
                    .create_embedding()
                    .body(self.embed.clone())
                    .send()
                    .await
                    .map_err(|e| anyhow!("mistral-openapi: {e}"))?
                    .into_inner();
                floats(&r.data)
            }
            Contender::Sdk => floats(&self.sdk.embeddings().create_request(&self.embed).await?.data),
            Contender::AsyncOpenai => {
                let r: CreateEmbeddingResponse =
                    self.async_openai.embeddings().create(self.embed_async_openai.clone()).await?;
                r.data.iter().map(|d| d.embedding.len() as u64).sum()
            }
        })
    }

    /// One embeddings request with `encoding_format: base64`; the number of floats decoded.
    pub async fn embed_base64(&self, contender: Contender) -> Result<u64> {
        Ok(match contender {
            Contender::Raw => {
                #[derive(serde::Deserialize)]
                struct Response {
                    data: Vec<Data>,
                }
                #[derive(serde::Deserialize)]
                struct Data {
                    embedding: String,
                }
                let body = serde_json::to_vec(self.embed_base64.as_wire())?;
                let response = self.raw_post(&self.embed_url, body, JSON).send().await?;
                ensure!(response.status().is_success(), "status {}", response.status());
                let bytes = response.bytes().await?;
                let r: Response = serde_json::from_slice(&bytes)?;
                let mut floats = 0;
                for d in &r.data {
                    let raw = base64::engine::general_purpose::STANDARD.decode(&d.embedding)?;
                    let v: Vec<f32> =
                        raw.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect();
                    floats += v.len() as u64;
                }
                floats
            }
            Contender::Sdk => {
                // One vector decoded at a time, as the raw contender does.
                let r = self.sdk.embeddings().embed(&self.embed_base64).await?;
                let mut floats = 0;
                for d in &r.data {
                    floats += d.embedding.to_f32()?.len() as u64;
                }
                floats
            }
            other => return Err(anyhow!("{} is not measured with base64 embeddings", other.name())),
        })
    }

    pub fn sdk(&self) -> &mistral_sdk::Client {
        &self.sdk
    }

    pub fn raw(&self) -> &reqwest::Client {
        &self.raw
    }

    pub fn auth(&self) -> &HeaderValue {
        &self.auth
    }
}
