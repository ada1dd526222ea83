//! `/v1/conversations`: [`Conversations`]: stateful runs of a model or an agent (start,
//! append, restart; plain or as [`ConversationEvent`] streams), listing, history and messages.

mod events;
mod functions;

pub use events::{ConversationAccumulator, ConversationEvent, FunctionCallOutput};
pub use functions::{ConversationRun, Functions};

use mistral_openapi::operations as ops;

use crate::error::{Error, Result};
use crate::events::EventStream;
use crate::pending::{Pending, group};
use crate::tool::Tool;
use crate::transport::Call;
use crate::types::{
    Conversation, ConversationAppendRequest, ConversationHistory, ConversationHistoryEntriesItem, ConversationInputs,
    ConversationMessages, ConversationRequest, ConversationResponse, ConversationResponseOutputsItem,
    ConversationRestartRequest, InputEntries, MetadataDict,
};

group!(
    /// Conversations: runs of a model or an agent kept by the server, continued, restarted
    /// from an entry, streamed as typed events.
    Conversations,
    conversations
);

impl<'c> Conversations<'c> {
    /// Starts a conversation (`agents_api_v1_conversations_start`).
    ///
    /// ```no_run
    /// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
    /// use mistral_sdk::ConversationStart;
    ///
    /// let answer = client
    ///     .conversations()
    ///     .start(ConversationStart::with_agent("ag_123", "Who is the best French painter?"))
    ///     .await?;
    /// let next = client.conversations().append(&answer.conversation_id, "And sculptor?").await?;
    /// println!("{} outputs", next.outputs.len());
    /// # Ok(()) }
    /// ```
    pub fn start(&self, request: impl Into<ConversationStart>) -> Pending<'c, ConversationResponse> {
        self.pending(request.into().call(false))
    }

    /// [`Conversations::start`] as a stream of events; an error status is returned here, before
    /// the stream starts.
    ///
    /// ```no_run
    /// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
    /// use futures::StreamExt;
    /// use mistral_sdk::{ConversationAccumulator, ConversationStart};
    ///
    /// let mut events = client
    ///     .conversations()
    ///     .start_stream(ConversationStart::with_model("mistral-medium-latest", "Hello!"))
    ///     .await?;
    /// let mut all = ConversationAccumulator::new();
    /// while let Some(event) = events.next().await {
    ///     let event = event?;
    ///     if let Some(text) = event.text_delta() {
    ///         print!("{text}");
    ///     }
    ///     all.push(&event);
    /// }
    /// println!("\n{:?} tokens", all.usage().and_then(|u| u.total_tokens));
    /// # Ok(()) }
    /// ```
    pub async fn start_stream(&self, request: impl Into<ConversationStart>) -> Result<EventStream<ConversationEvent>> {
        self.client.events(request.into().call(true)?).await
    }

    /// Appends a user message to a conversation and runs it (`agents_api_v1_conversations_append`).
    ///
    /// ```no_run
    /// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
    /// let next = client.conversations().append("conv_123", "And in winter?").await?;
    /// println!("{} outputs", next.outputs.len());
    /// # Ok(()) }
    /// ```
    pub fn append(
        &self,
        conversation_id: impl std::fmt::Display,
        text: impl Into<String>,
    ) -> Pending<'c, ConversationResponse> {
        self.append_with(conversation_id, text_append(text))
    }

    /// Appends entries (messages, function results, tool confirmations...) with settings.
    pub fn append_with(
        &self,
        conversation_id: impl std::fmt::Display,
        request: ConversationAppendRequest,
    ) -> Pending<'c, ConversationResponse> {
        self.pending(append_call(&conversation_id.to_string(), request, false))
    }

    /// [`Conversations::append`] as a stream of events.
    pub async fn append_stream(
        &self,
        conversation_id: impl std::fmt::Display,
        text: impl Into<String>,
    ) -> Result<EventStream<ConversationEvent>> {
        self.append_stream_with(conversation_id, text_append(text)).await
    }

    /// [`Conversations::append_with`] as a stream of events.
    pub async fn append_stream_with(
        &self,
        conversation_id: impl std::fmt::Display,
        request: ConversationAppendRequest,
    ) -> Result<EventStream<ConversationEvent>> {
        self.client.events(append_call(&conversation_id.to_string(), request, true)?).await
    }

    /// Runs a conversation again from one of its entries, with a new user message
    /// (`agents_api_v1_conversations_restart`).
    ///
    /// ```no_run
    /// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
    /// let history = client.conversations().history("conv_123").await?;
    /// println!("{} entries", history.entries.len());
    /// let again = client.conversations().restart("conv_123", "msg_123", "Answer in French.").await?;
    /// println!("a new conversation: {}", again.conversation_id);
    /// # Ok(()) }
    /// ```
    pub fn restart(
        &self,
        conversation_id: impl std::fmt::Display,
        from_entry_id: impl Into<String>,
        text: impl Into<String>,
    ) -> Pending<'c, ConversationResponse> {
        self.restart_with(conversation_id, text_restart(from_entry_id, text))
    }

    /// Restarts with any inputs and settings.
    pub fn restart_with(
        &self,
        conversation_id: impl std::fmt::Display,
        request: ConversationRestartRequest,
    ) -> Pending<'c, ConversationResponse> {
        self.pending(restart_call(&conversation_id.to_string(), request, false))
    }

    /// [`Conversations::restart`] as a stream of events.
    pub async fn restart_stream(
        &self,
        conversation_id: impl std::fmt::Display,
        from_entry_id: impl Into<String>,
        text: impl Into<String>,
    ) -> Result<EventStream<ConversationEvent>> {
        self.restart_stream_with(conversation_id, text_restart(from_entry_id, text)).await
    }

    /// [`Conversations::restart_with`] as a stream of events.
    pub async fn restart_stream_with(
        &self,
        conversation_id: impl std::fmt::Display,
        request: ConversationRestartRequest,
    ) -> Result<EventStream<ConversationEvent>> {
        self.client.events(restart_call(&conversation_id.to_string(), request, true)?).await
    }

    /// Starts a conversation and answers the model's function calls with `functions` until it
    /// answers without one: each round's calls run concurrently and their results are appended
    /// in one request. With a model, `functions` are declared as the conversation's tools (those
    /// of the same name already there are kept); an agent must have them among its tools.
    /// More than `max_rounds` rounds of calls is [`Error::FunctionRounds`], which holds the run
    /// so far.
    ///
    /// ```no_run
    /// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
    /// use mistral_sdk::{ConversationStart, Functions};
    ///
    /// #[derive(serde::Deserialize, schemars::JsonSchema)]
    /// struct Weather {
    ///     city: String,
    /// }
    ///
    /// let functions = Functions::new().add("get_weather", "Current weather in a city", |w: Weather| async move {
    ///     Ok::<_, String>(format!("18 degrees and cloudy in {}", w.city))
    /// });
    /// let run = client
    ///     .conversations()
    ///     .run(ConversationStart::with_model("mistral-medium-latest", "Weather in Paris?"), &functions, 4)
    ///     .await?;
    /// println!("{} (after {} rounds of calls)", run.text(), run.rounds);
    /// # Ok(()) }
    /// ```
    pub async fn run(
        &self,
        start: impl Into<ConversationStart>,
        functions: &Functions,
        max_rounds: u32,
    ) -> Result<ConversationRun> {
        let mut start = start.into();
        if start.inner.model.is_some() {
            let declared: Vec<String> = start
                .inner
                .tools
                .iter()
                .flatten()
                .filter_map(|tool| match tool {
                    crate::types::Tool::Function(f) => Some(f.function.name.clone()),
                    _ => None,
                })
                .collect();
            let missing = functions.tools().into_iter().filter(|tool| !declared.iter().any(|d| d == tool.name()));
            start = start.tools(missing);
        }
        let response = self.start(start).await?;
        self.go_on(response, functions, max_rounds).await
    }

    /// [`Conversations::run`] on an existing conversation, from a new user message.
    pub async fn run_append(
        &self,
        conversation_id: impl std::fmt::Display,
        text: impl Into<String>,
        functions: &Functions,
        max_rounds: u32,
    ) -> Result<ConversationRun> {
        let response = self.append(conversation_id, text).await?;
        self.go_on(response, functions, max_rounds).await
    }

    async fn go_on(
        &self,
        mut response: ConversationResponse,
        functions: &Functions,
        max_rounds: u32,
    ) -> Result<ConversationRun> {
        let mut run = ConversationRun {
            conversation_id: response.conversation_id.clone(),
            outputs: Vec::new(),
            results: Vec::new(),
            usage: Vec::new(),
            rounds: 0,
        };
        loop {
            let calls: Vec<_> = response
                .outputs
                .iter()
                .filter_map(|output| match output {
                    ConversationResponseOutputsItem::FunctionCall(call) => Some(call.clone()),
                    _ => None,
                })
                .collect();
            run.usage.push(response.usage);
            run.outputs.extend(response.outputs);
            if calls.is_empty() {
                return Ok(run);
            }
            if run.rounds >= max_rounds {
                return Err(Error::FunctionRounds { run: Box::new(run) });
            }
            let results = futures::future::join_all(calls.iter().map(|call| functions.answer(call))).await;
            run.rounds += 1;
            let entries = results.iter().cloned().map(ConversationHistoryEntriesItem::FunctionResult).collect();
            run.results.extend(results);
            let append = ConversationAppendRequest {
                inputs: Some(ConversationInputs::InputEntries(InputEntries(entries))),
                ..Default::default()
            };
            response = self.append_with(&run.conversation_id, append).await?;
        }
    }

    /// One page of conversations (`agents_api_v1_conversations_list`), optionally those whose
    /// metadata matches `metadata` (a JSON object).
    ///
    /// ```no_run
    /// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
    /// for conversation in client.conversations().list(None, Some(20), None).await? {
    ///     println!("{conversation:?}");
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list(
        &self,
        page: Option<u64>,
        page_size: Option<u64>,
        metadata: Option<&serde_json::Value>,
    ) -> Pending<'c, Vec<Conversation>> {
        let call = Call::new(&ops::AGENTS_API_V1_CONVERSATIONS_LIST)
            .query("page", page)
            .query("page_size", page_size)
            .query("metadata", metadata);
        self.pending(Ok(call))
    }

    /// Every page of conversations from `first_page` on, `page_size` each, until a short
    /// page. Pages are fetched as the stream is polled.
    pub fn pages(
        &self,
        first_page: u64,
        page_size: u64,
    ) -> impl futures::Stream<Item = Result<Vec<Conversation>>> + Send + 'c {
        let call = |page, size| {
            Call::new(&ops::AGENTS_API_V1_CONVERSATIONS_LIST).query("page", Some(page)).query("page_size", Some(size))
        };
        crate::paging::pages(self.client.clone(), first_page, page_size, call, |out: &Vec<Conversation>| {
            (out.len(), None)
        })
    }

    /// One conversation (`agents_api_v1_conversations_get`).
    ///
    /// ```no_run
    /// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
    /// let conversation = client.conversations().get("conv_123").await?;
    /// println!("{conversation:?}");
    /// # Ok(()) }
    /// ```
    pub fn get(&self, conversation_id: impl std::fmt::Display) -> Pending<'c, Conversation> {
        let id = conversation_id.to_string();
        self.pending(Ok(Call::with_path(&ops::AGENTS_API_V1_CONVERSATIONS_GET, &[&id])))
    }

    /// Deletes a conversation (`agents_api_v1_conversations_delete`).
    ///
    /// ```no_run
    /// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
    /// client.conversations().delete("conv_123").await?;
    /// # Ok(()) }
    /// ```
    pub fn delete(&self, conversation_id: impl std::fmt::Display) -> Pending<'c, ()> {
        let id = conversation_id.to_string();
        self.pending(Ok(Call::with_path(&ops::AGENTS_API_V1_CONVERSATIONS_DELETE, &[&id])))
    }

    /// Every entry of a conversation: messages, tool runs, function calls, handoffs
    /// (`agents_api_v1_conversations_history`).
    ///
    /// ```no_run
    /// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
    /// let history = client.conversations().history("conv_123").await?;
    /// for entry in &history.entries {
    ///     println!("{entry:?}");
    /// }
    /// # Ok(()) }
    /// ```
    pub fn history(&self, conversation_id: impl std::fmt::Display) -> Pending<'c, ConversationHistory> {
        let id = conversation_id.to_string();
        self.pending(Ok(Call::with_path(&ops::AGENTS_API_V1_CONVERSATIONS_HISTORY, &[&id])))
    }

    /// The messages of a conversation (`agents_api_v1_conversations_messages`).
    ///
    /// ```no_run
    /// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
    /// let messages = client.conversations().messages("conv_123").await?;
    /// println!("{} messages", messages.messages.len());
    /// # Ok(()) }
    /// ```
    pub fn messages(&self, conversation_id: impl std::fmt::Display) -> Pending<'c, ConversationMessages> {
        let id = conversation_id.to_string();
        self.pending(Ok(Call::with_path(&ops::AGENTS_API_V1_CONVERSATIONS_MESSAGES, &[&id])))
    }
}

fn text_append(text: impl Into<String>) -> ConversationAppendRequest {
    ConversationAppendRequest { inputs: Some(ConversationInputs::String(text.into())), ..Default::default() }
}

fn text_restart(from_entry_id: impl Into<String>, text: impl Into<String>) -> ConversationRestartRequest {
    ConversationRestartRequest {
        agent_version: None,
        completion_args: None,
        from_entry_id: from_entry_id.into(),
        guardrails: None,
        handoff_execution: None,
        inputs: Some(ConversationInputs::String(text.into())),
        metadata: None,
        store: None,
        stream: None,
    }
}

fn append_call(id: &str, mut request: ConversationAppendRequest, stream: bool) -> Result<Call> {
    request.stream = stream.then_some(true);
    let mut call = Call::with_path(&ops::AGENTS_API_V1_CONVERSATIONS_APPEND, &[id]).json(&request)?;
    call.stream = stream;
    Ok(call)
}

fn restart_call(id: &str, mut request: ConversationRestartRequest, stream: bool) -> Result<Call> {
    if request.from_entry_id.trim().is_empty() {
        return Err(Error::InvalidRequest("the entry to restart from is empty".into()));
    }
    request.stream = stream.then_some(true);
    let mut call = Call::with_path(&ops::AGENTS_API_V1_CONVERSATIONS_RESTART, &[id]).json(&request)?;
    call.stream = stream;
    Ok(call)
}

/// A new conversation, with a model or with an agent: its first inputs and settings.
/// Problems (both or neither of a model and an agent, a bad tool) surface as
/// [`Error::InvalidRequest`] when sent.
///
/// ```
/// use mistral_sdk::ConversationStart;
///
/// let start = ConversationStart::with_model("mistral-medium-latest", "Hi").instructions("Be brief.").store(false);
/// assert_eq!(
///     serde_json::to_value(start.request()).unwrap(),
///     serde_json::json!({"model": "mistral-medium-latest", "inputs": "Hi", "instructions": "Be brief.", "store": false})
/// );
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ConversationStart {
    inner: ConversationRequest,
    problems: Vec<String>,
}

impl From<ConversationRequest> for ConversationStart {
    fn from(inner: ConversationRequest) -> Self {
        ConversationStart { inner, problems: Vec::new() }
    }
}

impl ConversationStart {
    fn with_inputs(inputs: ConversationInputs) -> ConversationStart {
        ConversationStart {
            inner: ConversationRequest {
                agent_id: None,
                agent_version: None,
                completion_args: None,
                description: None,
                guardrails: None,
                handoff_execution: None,
                inputs,
                instructions: None,
                metadata: None,
                model: None,
                name: None,
                store: None,
                stream: None,
                tools: None,
            },
            problems: Vec::new(),
        }
    }

    /// A conversation with `model`, starting with a user message.
    pub fn with_model(model: impl Into<String>, text: impl Into<String>) -> ConversationStart {
        let mut start = ConversationStart::with_inputs(ConversationInputs::String(text.into()));
        start.inner.model = Some(model.into());
        start
    }

    /// A conversation with the agent `agent_id`, starting with a user message.
    pub fn with_agent(agent_id: impl Into<String>, text: impl Into<String>) -> ConversationStart {
        let mut start = ConversationStart::with_inputs(ConversationInputs::String(text.into()));
        start.inner.agent_id = Some(agent_id.into());
        start
    }

    /// Other first inputs (entries: messages, function results...).
    pub fn inputs(mut self, inputs: impl Into<ConversationInputs>) -> Self {
        self.inner.inputs = inputs.into();
        self
    }

    /// Instructions (with a model).
    pub fn instructions(mut self, instructions: impl Into<String>) -> Self {
        self.inner.instructions = Some(instructions.into());
        self
    }

    /// Tools the model may use (with a model).
    pub fn tools(mut self, tools: impl IntoIterator<Item = Tool>) -> Self {
        for tool in tools {
            match tool.to_wire() {
                Ok(t) => self.inner.tools.get_or_insert_with(Vec::new).push(t),
                Err(problem) => self.problems.push(problem),
            }
        }
        self
    }

    /// Whether the server keeps the conversation (default: it does).
    pub fn store(mut self, on: bool) -> Self {
        self.inner.store = Some(on);
        self
    }

    /// The conversation's name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.inner.name = Some(name.into());
        self
    }

    /// The conversation's description.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.inner.description = Some(description.into());
        self
    }

    /// Metadata kept with the conversation (a JSON object).
    pub fn metadata(mut self, metadata: serde_json::Map<String, serde_json::Value>) -> Self {
        self.inner.metadata = Some(MetadataDict(metadata));
        self
    }

    /// The wire request as it stands.
    pub fn request(&self) -> &ConversationRequest {
        &self.inner
    }

    fn call(mut self, stream: bool) -> Result<Call> {
        let mut problems = self.problems;
        match (&self.inner.model, &self.inner.agent_id) {
            (Some(_), Some(_)) => problems.push("a conversation has a model or an agent, not both".into()),
            (None, None) => problems.push("a conversation needs a model or an agent".into()),
            _ => {}
        }
        if !problems.is_empty() {
            return Err(Error::InvalidRequest(problems.join("; ")));
        }
        self.inner.stream = stream.then_some(true);
        let mut call = Call::new(&ops::AGENTS_API_V1_CONVERSATIONS_START).json(&self.inner)?;
        call.stream = stream;
        Ok(call)
    }
}
