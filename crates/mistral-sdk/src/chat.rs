//! `POST /v1/chat/completions`: [`Chat`] and the [`ChatRequest`] builder.

use mistral_openapi::operations as ops;

use crate::pending::{Pending, group};
use crate::error::{Error, Result};
use crate::meta::WithMeta;
use crate::stream::CompletionStream;
use crate::tool::Tool;
use crate::transport::{Call, check_sampling};
use crate::types::{
    AssistantMessage, ChatCompletionRequest, ChatCompletionResponse, FunctionName, KnownResponseFormats,
    KnownToolChoiceEnum, MessageContent, Messages, NamedToolChoice, ResponseFormat, ResponseFormats,
    SystemMessageContent, ToolChoice, ToolChoiceEnum,
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
    pub fn create(&self, request: impl Into<ChatRequest>) -> Pending<'c, ChatCompletionResponse> {
        self.pending(call(request.into(), false))
    }

    /// [`Chat::create`], with the response's status, headers and raw body.
    pub async fn create_with_meta(&self, request: impl Into<ChatRequest>) -> Result<WithMeta<ChatCompletionResponse>> {
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
    pub async fn stream(&self, request: impl Into<ChatRequest>) -> Result<CompletionStream> {
        self.client.stream(call(request.into(), true)?).await
    }
}

fn call(mut request: ChatRequest, stream: bool) -> Result<Call> {
    request.inner.stream = stream.then_some(true);
    request.validate()?;
    Call::completion(&ops::CREATE_CHAT_COMPLETION, &request.inner, stream)
}

/// A chat request, built field by field. Only what you set is sent: a request with just a
/// model and messages is exactly `{"model":..,"messages":[..]}`. Mistakes (no messages, a
/// bad tool name, a value out of range) surface as [`Error::InvalidRequest`] when sent.
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
}

impl serde::Serialize for ChatRequest {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        self.inner.serialize(serializer)
    }
}

impl From<ChatCompletionRequest> for ChatRequest {
    fn from(inner: ChatCompletionRequest) -> Self {
        ChatRequest { inner, problems: Vec::new() }
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

    /// Sampling temperature, 0..=1.5 (the server's default depends on the model: see its card's
    /// `default_model_temperature`).
    pub fn temperature(mut self, t: f64) -> Self {
        self.inner.temperature = Some(t);
        self
    }

    /// Nucleus sampling, in (0, 1].
    pub fn top_p(mut self, p: f64) -> Self {
        self.inner.top_p = Some(p);
        self
    }

    /// The most tokens to generate.
    pub fn max_tokens(mut self, n: u64) -> Self {
        self.inner.max_tokens = Some(n);
        self
    }

    /// A seed for deterministic sampling.
    pub fn random_seed(mut self, seed: u64) -> Self {
        self.inner.random_seed = Some(seed);
        self
    }

    /// Prepend Mistral's safety prompt.
    pub fn safe_prompt(mut self, on: bool) -> Self {
        self.inner.safe_prompt = Some(on);
        self
    }

    /// JSON mode: the answer is one JSON object (`response_format: {type: json_object}`).
    pub fn json_mode(self) -> Self {
        self.response_format(ResponseFormats::Known(KnownResponseFormats::JsonObject))
    }

    /// The answer's format.
    pub fn response_format(mut self, format: ResponseFormats) -> Self {
        self.inner.response_format = Some(ResponseFormat { type_: format, json_schema: None });
        self
    }

    /// Adds tools the model may call.
    pub fn tools(mut self, tools: impl IntoIterator<Item = Tool>) -> Self {
        for tool in tools {
            match tool.to_wire() {
                Ok(t) => self.inner.tools.get_or_insert_with(Vec::new).push(t),
                Err(problem) => self.problems.push(problem),
            }
        }
        self
    }

    /// Whether the model may (`Auto`), must (`Any`, `Required`) or must not (`None`) call tools.
    pub fn tool_choice(self, choice: KnownToolChoiceEnum) -> Self {
        self.tool_choice_raw(ToolChoice::ToolChoiceEnum(ToolChoiceEnum::Known(choice)))
    }

    /// The model must call the function `name`.
    pub fn tool_choice_function(self, name: impl Into<String>) -> Self {
        self.tool_choice_raw(ToolChoice::NamedToolChoice(NamedToolChoice {
            function: FunctionName { name: name.into() },
            type_: None,
        }))
    }

    /// `tool_choice` as the wire type (for values this release does not name).
    pub fn tool_choice_raw(mut self, choice: ToolChoice) -> Self {
        self.inner.tool_choice = Some(choice);
        self
    }

    /// The wire request.
    pub fn as_wire(&self) -> &ChatCompletionRequest {
        &self.inner
    }

    /// Checks what the server would refuse: no messages, a bad tool name, temperature out of
    /// 0..=1.5 or top_p out of 0..=1, `prefix` on anything but a last assistant message.
    pub fn validate(&self) -> Result<()> {
        let mut problems = self.problems.clone();
        if self.inner.model.trim().is_empty() {
            problems.push("the model is empty".into());
        }
        if self.inner.messages.is_empty() {
            problems.push("a chat request needs at least one message".into());
        }
        check_sampling(&mut problems, self.inner.temperature, self.inner.top_p);
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
