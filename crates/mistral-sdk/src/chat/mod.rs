//! `POST /v1/chat/completions`: [`Chat`] and the [`ChatRequest`] builder (messages here, the
//! other fields in `settings`, multimodal [`Part`]s in `part`).

mod part;
mod settings;

pub use part::Part;
pub(crate) use part::{data_url, image_extension, sniff_image};

use std::borrow::Cow;

use mistral_openapi::operations as ops;

use crate::error::{Error, Result};
use crate::extra::Extra;
use crate::meta::WithMeta;
use crate::pending::{Pending, group};
use crate::request::IntoRequest;
use crate::stream::CompletionStream;
use crate::transport::{Call, check_sampling};
use crate::types::{
    AssistantMessage, ChatCompletionRequest, ChatCompletionResponse, MessageContent, Messages, SystemMessageContent,
};

group!(
    /// Chat completions: plain, multimodal, structured, with tools, streamed.
    Chat,
    chat
);

impl<'c> Chat<'c> {
    /// Creates a completion (`createChatCompletion`).
    ///
    /// ```no_run
    /// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
    /// use mistral_sdk::{ChatRequest, ChatResponseExt};
    ///
    /// let request = ChatRequest::new("mistral-small-latest")
    ///     .system("You are terse.")
    ///     .user("Best French cheese?")
    ///     .temperature(0.2)
    ///     .max_tokens(64);
    /// let response = client.chat().create(request).await?;
    /// println!("{}", response.text());
    /// # Ok(()) }
    /// ```
    ///
    /// A borrowed request is sent as is, without a copy: build it once, send it many times.
    ///
    /// ```no_run
    /// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
    /// use mistral_sdk::ChatRequest;
    ///
    /// let request = ChatRequest::new("mistral-small-latest").user("A French cheese, one word.");
    /// for _ in 0..3 {
    ///     let response = client.chat().create(&request).await?;
    ///     # let _ = response;
    /// }
    /// # Ok(()) }
    /// ```
    pub fn create<'r>(&self, request: impl IntoRequest<'r, ChatRequest>) -> Pending<'c, ChatCompletionResponse> {
        self.pending(call(request.into_request(), false))
    }

    /// [`Chat::create`], with the response's status, headers and raw body.
    pub async fn create_with_meta<'r>(
        &self,
        request: impl IntoRequest<'r, ChatRequest>,
    ) -> Result<WithMeta<ChatCompletionResponse>> {
        self.create(request).with_meta().await
    }

    /// Streams a completion as server-sent events. An error status is returned here, before
    /// the stream starts; see [`CompletionStream`].
    ///
    /// ```no_run
    /// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
    /// use futures::StreamExt;
    /// use mistral_sdk::ChatRequest;
    ///
    /// let stream = client.chat().stream(ChatRequest::new("mistral-small-latest").user("Hi")).await?;
    /// let mut text = std::pin::pin!(stream.text());
    /// while let Some(delta) = text.next().await {
    ///     print!("{}", delta?);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn stream<'r>(&self, request: impl IntoRequest<'r, ChatRequest>) -> Result<CompletionStream> {
        self.client.stream(call(request.into_request(), true)?).await
    }
}

impl IntoRequest<'static, ChatRequest> for ChatCompletionRequest {
    fn into_request(self) -> Cow<'static, ChatRequest> {
        Cow::Owned(self.into())
    }
}

impl ChatRequest {
    /// Ready for an agent completion: the stream flag set, checked (the model, not sent, may
    /// be left empty).
    pub(crate) fn for_agent(mut self, stream: bool) -> Result<ChatRequest> {
        self.inner.stream = stream.then_some(true);
        if self.inner.model.trim().is_empty() {
            self.inner.model = "agent".into();
        }
        self.validate()?;
        Ok(self)
    }
}

/// The call of a chat request; a borrowed one is copied only when its stream flag says
/// otherwise than the method called (`"stream": false` and no flag mean the same).
fn call(mut request: Cow<'_, ChatRequest>, stream: bool) -> Result<Call> {
    if request.inner.stream.unwrap_or(false) != stream {
        request.to_mut().inner.stream = stream.then_some(true);
    }
    request.validate()?;
    Call::completion(&ops::CREATE_CHAT_COMPLETION, &*request, stream)
}

/// A chat request, built field by field. Only what you set is sent: a request with just a
/// model and messages is exactly `{"model":..,"messages":[..]}`. Mistakes (no messages, a
/// bad tool name, a value out of range) surface as [`Error::InvalidRequest`] when sent.
/// A field this release does not name goes in with [`ChatRequest::extra`].
///
/// ```
/// use mistral_sdk::{ChatRequest, Tool, types::KnownToolChoiceEnum};
///
/// let request = ChatRequest::new("mistral-large-latest")
///     .system("You are a weather bot.")
///     .user("Weather in Paris?")
///     .tools([Tool::with_schema("get_weather", "Current weather", serde_json::json!({
///         "type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]
///     }))])
///     .tool_choice(KnownToolChoiceEnum::Any);
/// assert!(request.validate().is_ok());
///
/// let minimal = ChatRequest::new("mistral-small-latest").user("Hi");
/// assert_eq!(
///     serde_json::to_string(&minimal).unwrap(),
///     r#"{"messages":[{"role":"user","content":"Hi"}],"model":"mistral-small-latest"}"#
/// );
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ChatRequest {
    inner: ChatCompletionRequest,
    problems: Vec<String>,
    extra: Extra,
}

/// The wire request, with the [`extra`](ChatRequest::extra) fields merged in.
impl serde::Serialize for ChatRequest {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        self.extra.serialize(&self.inner, serializer)
    }
}

impl From<ChatCompletionRequest> for ChatRequest {
    fn from(inner: ChatCompletionRequest) -> Self {
        ChatRequest { inner, problems: Vec::new(), extra: Extra::default() }
    }
}

impl From<ChatRequest> for ChatCompletionRequest {
    fn from(request: ChatRequest) -> Self {
        request.inner
    }
}

impl ChatRequest {
    /// A request to `model` with no messages yet.
    pub fn new(model: impl Into<String>) -> ChatRequest {
        ChatCompletionRequest {
            model: model.into(),
            messages: Vec::new(),
            frequency_penalty: None,
            guardrails: None,
            max_tokens: None,
            logprobs: None,
            top_logprobs: None,
            metadata: None,
            n: None,
            parallel_tool_calls: None,
            prediction: None,
            presence_penalty: None,
            prompt_cache_key: None,
            prompt_mode: None,
            random_seed: None,
            reasoning_effort: None,
            response_format: None,
            safe_prompt: None,
            service_tier: None,
            stop: None,
            stream: None,
            temperature: None,
            tool_choice: None,
            tools: None,
            top_p: None,
        }
        .into()
    }

    /// Appends a message.
    pub fn message(mut self, message: Messages) -> Self {
        self.inner.messages.push(message);
        self
    }

    /// Appends messages.
    pub fn messages(mut self, messages: impl IntoIterator<Item = Messages>) -> Self {
        self.inner.messages.extend(messages);
        self
    }

    /// Appends a system message.
    pub fn system(self, content: impl Into<String>) -> Self {
        self.message(Messages::System { content: SystemMessageContent::String(content.into()) })
    }

    /// Appends a user message.
    pub fn user(self, content: impl Into<String>) -> Self {
        self.message(Messages::User { content: Some(MessageContent::String(content.into())) })
    }

    /// Appends a user message made of parts: text, images, documents, audio, references (see
    /// [`Part`]).
    ///
    /// ```
    /// use mistral_sdk::{ChatRequest, Part};
    ///
    /// let request = ChatRequest::new("mistral-small-latest")
    ///     .user_parts([Part::text("Describe this image."), Part::image_url("https://example.com/a.png")]);
    /// assert_eq!(
    ///     serde_json::to_value(&request).unwrap()["messages"][0]["content"],
    ///     serde_json::json!([
    ///         {"type": "text", "text": "Describe this image."},
    ///         {"type": "image_url", "image_url": "https://example.com/a.png"}
    ///     ])
    /// );
    /// ```
    pub fn user_parts(mut self, parts: impl IntoIterator<Item = impl Into<Part>>) -> Self {
        let mut chunks = Vec::new();
        for (i, part) in parts.into_iter().enumerate() {
            match part.into().into_chunk() {
                Ok(chunk) => chunks.push(chunk),
                Err(problem) => self.problems.push(format!("part {i}: {problem}")),
            }
        }
        self.message(Messages::User { content: Some(MessageContent::Array(chunks)) })
    }

    /// Appends an assistant message (a previous answer).
    pub fn assistant(self, content: impl Into<String>) -> Self {
        self.message(Messages::Assistant {
            content: Some(MessageContent::String(content.into())),
            prefix: None,
            tool_calls: None,
        })
    }

    /// Appends an assistant message with `prefix: true`: the model's answer starts with this
    /// text (it must be the last message).
    pub fn assistant_prefix(self, content: impl Into<String>) -> Self {
        self.message(Messages::Assistant {
            content: Some(MessageContent::String(content.into())),
            prefix: Some(true),
            tool_calls: None,
        })
    }

    /// Appends the model's message from a response (e.g. with its tool calls), so the
    /// conversation can go on.
    pub fn assistant_message(self, message: &AssistantMessage) -> Self {
        self.message(Messages::Assistant {
            content: message.content.clone(),
            prefix: None,
            tool_calls: message.tool_calls.clone(),
        })
    }

    /// Appends a tool's result for the call with `tool_call_id` to function `name`.
    pub fn tool_result(
        self,
        tool_call_id: impl Into<String>,
        name: impl Into<String>,
        content: impl Into<String>,
    ) -> Self {
        self.message(Messages::Tool {
            content: Some(MessageContent::String(content.into())),
            name: Some(name.into()),
            tool_call_id: Some(tool_call_id.into()),
        })
    }

    /// Sets a body field this release does not name (or overrides one it does): merged into
    /// the JSON body as is, over a same-named field. Not checked by [`validate`](Self::validate).
    ///
    /// ```
    /// use mistral_sdk::ChatRequest;
    ///
    /// let request = ChatRequest::new("mistral-small-latest")
    ///     .user("Hi")
    ///     .max_tokens(10)
    ///     .extra("max_tokens", 20)
    ///     .extra("new_knob", serde_json::json!({"level": 2}));
    /// let wire = serde_json::to_value(&request).unwrap();
    /// assert_eq!(wire["max_tokens"], 20);
    /// assert_eq!(wire["new_knob"]["level"], 2);
    /// ```
    pub fn extra(mut self, name: impl Into<String>, value: impl Into<serde_json::Value>) -> Self {
        self.extra.insert(name, value);
        self
    }

    /// The wire request (without the [`extra`](Self::extra) fields).
    pub fn as_wire(&self) -> &ChatCompletionRequest {
        &self.inner
    }

    /// Checks what the server would refuse (the spec's ranges): no messages, a bad tool name
    /// or part, temperature out of 0..=1.5, top_p out of (0, 1], a penalty out of -2..=2,
    /// `prefix` on anything but a last assistant message.
    pub fn validate(&self) -> Result<()> {
        let mut problems = self.problems.clone();
        if self.inner.model.trim().is_empty() {
            problems.push("the model is empty".into());
        }
        if self.inner.messages.is_empty() {
            problems.push("a chat request needs at least one message".into());
        }
        check_sampling(&mut problems, self.inner.temperature, self.inner.top_p);
        for (name, value) in
            [("presence_penalty", self.inner.presence_penalty), ("frequency_penalty", self.inner.frequency_penalty)]
        {
            if let Some(v) = value
                && !(-2.0..=2.0).contains(&v)
            {
                problems.push(format!("{name} must be in -2..=2, is {v}"));
            }
        }
        let last = self.inner.messages.len().saturating_sub(1);
        for (i, m) in self.inner.messages.iter().enumerate() {
            if let Messages::Assistant { prefix: Some(true), .. } = m
                && i != last
            {
                problems.push(format!("message {i}: only the last message may be an assistant prefix"));
            }
        }
        if problems.is_empty() { Ok(()) } else { Err(Error::InvalidRequest(problems.join("; "))) }
    }
}
