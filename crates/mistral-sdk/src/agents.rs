//! `/v1/agents`: [`Agents`]: saved agents (create, list, get, update, delete), their versions
//! and aliases, and completions against an agent ([`AgentRequest`]).

use futures::Stream;
use serde_json::{Map, Value};

use mistral_openapi::operations as ops;

use crate::chat::ChatRequest;
use crate::error::{Error, Result};
use crate::pending::{Pending, group};
use crate::stream::CompletionStream;
use crate::tool::Tool;
use crate::transport::Call;
use crate::types::{
    Agent, AgentAliasResponse, AgentListPage, ChatCompletionResponse, CompletionArgs, CreateAgentRequest, MetadataDict,
    UpdateAgentRequest,
};

group!(
    /// Agents: saved models with instructions and tools, their versions and aliases, and
    /// completions against them.
    Agents,
    agents
);

impl<'c> Agents<'c> {
    /// Creates an agent (`agents_api_v1_agents_create`).
    ///
    /// ```no_run
    /// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
    /// use mistral_sdk::{NewAgent, Tool};
    ///
    /// let agent = client
    ///     .agents()
    ///     .create(
    ///         NewAgent::new("mistral-medium-latest", "librarian")
    ///             .instructions("Answer from the library only.")
    ///             .tools([Tool::document_library(["lib-1"])]),
    ///     )
    ///     .await?;
    /// println!("{} v{}", agent.id, agent.version);
    /// # Ok(()) }
    /// ```
    pub fn create(&self, agent: impl Into<NewAgent>) -> Pending<'c, Agent> {
        let agent = agent.into();
        self.pending(agent.into_wire().and_then(|body| Call::new(&ops::AGENTS_API_V1_AGENTS_CREATE).json(&body)))
    }

    /// One page of agents (`agents_api_v1_agents_list_pages`, cursor-paged); the next page is
    /// asked for with [`AgentFilter::page_token`] set to the answer's `next_page_token`.
    pub fn list(&self, filter: AgentFilter) -> Pending<'c, AgentListPage> {
        self.pending(Ok(filter.apply(Call::new(&ops::AGENTS_API_V1_AGENTS_LIST_PAGES))))
    }

    /// Every page of agents that `filter` selects, following `next_page_token` until the last
    /// page. Pages are fetched as the stream is polled.
    ///
    /// ```no_run
    /// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
    /// use futures::TryStreamExt;
    /// use mistral_sdk::AgentFilter;
    ///
    /// let pages: Vec<_> = client.agents().pages(AgentFilter::new().page_size(50)).try_collect().await?;
    /// let names: Vec<&str> = pages.iter().flat_map(|p| &p.data).map(|a| a.name.as_str()).collect();
    /// # let _ = names;
    /// # Ok(()) }
    /// ```
    pub fn pages(&self, filter: AgentFilter) -> impl Stream<Item = Result<AgentListPage>> + Send + 'c {
        let client = self.client.clone();
        futures::stream::try_unfold(Some(filter), move |filter| {
            let client = client.clone();
            async move {
                let Some(filter) = filter else { return Ok(None) };
                let page: AgentListPage =
                    client.json(filter.clone().apply(Call::new(&ops::AGENTS_API_V1_AGENTS_LIST_PAGES))).await?;
                let next = match &page.next_page_token {
                    Some(token) if !token.is_empty() && filter.page_token.as_deref() != Some(token.as_str()) => {
                        Some(filter.page_token(token.clone()))
                    }
                    _ => None,
                };
                Ok(Some((page, next)))
            }
        })
    }

    /// One page of agents by number (`agents_api_v1_agents_list`, deprecated by the API in
    /// favour of [`Agents::list`]).
    pub fn list_numbered(&self, page: Option<u64>, page_size: Option<u64>) -> Pending<'c, Vec<Agent>> {
        let call = Call::new(&ops::AGENTS_API_V1_AGENTS_LIST).query("page", page).query("page_size", page_size);
        self.pending(Ok(call))
    }

    /// One agent, its current version (`agents_api_v1_agents_get`).
    ///
    /// ```no_run
    /// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
    /// let agent = client.agents().get("ag_123").await?;
    /// println!("{} v{}", agent.name, agent.version);
    /// # Ok(()) }
    /// ```
    pub fn get(&self, agent_id: impl std::fmt::Display) -> Pending<'c, Agent> {
        let id = agent_id.to_string();
        self.pending(Ok(Call::with_path(&ops::AGENTS_API_V1_AGENTS_GET, &[&id])))
    }

    /// Updates an agent (`agents_api_v1_agents_update`): only the fields set are sent; an
    /// update makes a new version.
    ///
    /// ```no_run
    /// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
    /// use mistral_sdk::types::UpdateAgentRequest;
    ///
    /// let update = UpdateAgentRequest { instructions: Some("Be brief.".into()), ..Default::default() };
    /// let agent = client.agents().update("ag_123", update).await?;
    /// println!("now v{}", agent.version);
    /// # Ok(()) }
    /// ```
    pub fn update(&self, agent_id: impl std::fmt::Display, update: UpdateAgentRequest) -> Pending<'c, Agent> {
        let id = agent_id.to_string();
        self.pending(Call::with_path(&ops::AGENTS_API_V1_AGENTS_UPDATE, &[&id]).json(&update))
    }

    /// Deletes an agent (`agents_api_v1_agents_delete`).
    ///
    /// ```no_run
    /// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
    /// client.agents().delete("ag_123").await?;
    /// # Ok(()) }
    /// ```
    pub fn delete(&self, agent_id: impl std::fmt::Display) -> Pending<'c, ()> {
        let id = agent_id.to_string();
        self.pending(Ok(Call::with_path(&ops::AGENTS_API_V1_AGENTS_DELETE, &[&id])))
    }

    /// Every version of an agent (`agents_api_v1_agents_list_versions`), one page.
    ///
    /// ```no_run
    /// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
    /// for agent in client.agents().versions("ag_123", None, Some(50)).await? {
    ///     println!("version {}: {:?}", agent.version, agent.instructions);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn versions(
        &self,
        agent_id: impl std::fmt::Display,
        page: Option<u64>,
        page_size: Option<u64>,
    ) -> Pending<'c, Vec<Agent>> {
        let id = agent_id.to_string();
        let call = Call::with_path(&ops::AGENTS_API_V1_AGENTS_LIST_VERSIONS, &[&id])
            .query("page", page)
            .query("page_size", page_size);
        self.pending(Ok(call))
    }

    /// One version of an agent (`agents_api_v1_agents_get_version`): a number, or an alias.
    ///
    /// ```no_run
    /// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
    /// let production = client.agents().version("ag_123", "production").await?;
    /// let first = client.agents().version("ag_123", 0).await?;
    /// println!("{} / {}", production.version, first.version);
    /// # Ok(()) }
    /// ```
    pub fn version(&self, agent_id: impl std::fmt::Display, version: impl std::fmt::Display) -> Pending<'c, Agent> {
        let (id, version) = (agent_id.to_string(), version.to_string());
        self.pending(Ok(Call::with_path(&ops::AGENTS_API_V1_AGENTS_GET_VERSION, &[&id, &version])))
    }

    /// Makes `version` the agent's current version (`agents_api_v1_agents_update_version`).
    ///
    /// ```no_run
    /// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
    /// let agent = client.agents().switch_version("ag_123", 0).await?;
    /// assert_eq!(agent.version, 0);
    /// # Ok(()) }
    /// ```
    pub fn switch_version(&self, agent_id: impl std::fmt::Display, version: i64) -> Pending<'c, Agent> {
        let id = agent_id.to_string();
        self.pending(Ok(
            Call::with_path(&ops::AGENTS_API_V1_AGENTS_UPDATE_VERSION, &[&id]).query("version", Some(version))
        ))
    }

    /// The agent's version aliases (`agents_api_v1_agents_list_version_aliases`).
    ///
    /// ```no_run
    /// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
    /// for alias in client.agents().aliases("ag_123").await? {
    ///     println!("{} -> {}", alias.alias, alias.version);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn aliases(&self, agent_id: impl std::fmt::Display) -> Pending<'c, Vec<AgentAliasResponse>> {
        let id = agent_id.to_string();
        self.pending(Ok(Call::with_path(&ops::AGENTS_API_V1_AGENTS_LIST_VERSION_ALIASES, &[&id])))
    }

    /// Points `alias` at `version`, creating the alias if needed
    /// (`agents_api_v1_agents_create_or_update_alias`).
    ///
    /// ```no_run
    /// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
    /// let alias = client.agents().set_alias("ag_123", "production", 2).await?;
    /// println!("{} -> {}", alias.alias, alias.version);
    /// # Ok(()) }
    /// ```
    pub fn set_alias(
        &self,
        agent_id: impl std::fmt::Display,
        alias: impl Into<String>,
        version: i64,
    ) -> Pending<'c, AgentAliasResponse> {
        let id = agent_id.to_string();
        let call = Call::with_path(&ops::AGENTS_API_V1_AGENTS_CREATE_OR_UPDATE_ALIAS, &[&id])
            .query("alias", Some(alias.into()))
            .query("version", Some(version));
        self.pending(Ok(call))
    }

    /// Deletes an alias (`agents_api_v1_agents_delete_alias`).
    ///
    /// ```no_run
    /// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
    /// client.agents().delete_alias("ag_123", "production").await?;
    /// # Ok(()) }
    /// ```
    pub fn delete_alias(&self, agent_id: impl std::fmt::Display, alias: impl Into<String>) -> Pending<'c, ()> {
        let id = agent_id.to_string();
        let call = Call::with_path(&ops::AGENTS_API_V1_AGENTS_DELETE_ALIAS, &[&id]).query("alias", Some(alias.into()));
        self.pending(Ok(call))
    }

    /// A chat completion by an agent (`agents_completion_v1_agents_completions_post`): the
    /// agent's model, instructions and tools answer the messages.
    ///
    /// ```no_run
    /// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
    /// use mistral_sdk::{AgentRequest, ChatResponseExt};
    ///
    /// let response = client.agents().complete(AgentRequest::new("ag_123").user("Hello!")).await?;
    /// println!("{}", response.text());
    /// # Ok(()) }
    /// ```
    pub fn complete(&self, request: AgentRequest) -> Pending<'c, ChatCompletionResponse> {
        self.pending(request.call(false))
    }

    /// [`Agents::complete`] as a stream of chunks (the same wire as a chat stream); an error
    /// status is returned here, before the stream starts.
    ///
    /// ```no_run
    /// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
    /// use futures::StreamExt;
    /// use mistral_sdk::AgentRequest;
    ///
    /// let stream = client.agents().stream(AgentRequest::new("ag_123").user("Hi")).await?;
    /// let mut text = std::pin::pin!(stream.text());
    /// while let Some(delta) = text.next().await {
    ///     print!("{}", delta?);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn stream(&self, request: AgentRequest) -> Result<CompletionStream> {
        self.client.stream(request.call(true)?).await
    }
}

/// Which agents [`Agents::list`] and [`Agents::pages`] give; every filter is optional.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AgentFilter {
    page_size: Option<u64>,
    page_token: Option<String>,
    deployment_chat: Option<bool>,
    sources: Vec<String>,
    name: Option<String>,
    search: Option<String>,
    id: Option<String>,
    metadata: Option<String>,
}

impl AgentFilter {
    /// No filter: every agent, pages as the server cuts them.
    pub fn new() -> AgentFilter {
        AgentFilter::default()
    }

    /// Agents per page.
    pub fn page_size(mut self, size: u64) -> Self {
        self.page_size = Some(size);
        self
    }

    /// The page after the one that gave this `next_page_token`.
    pub fn page_token(mut self, token: impl Into<String>) -> Self {
        self.page_token = Some(token.into());
        self
    }

    /// Only agents deployed to (or not to) Le Chat.
    pub fn deployment_chat(mut self, on: bool) -> Self {
        self.deployment_chat = Some(on);
        self
    }

    /// Only agents from these sources (`api`, `playground`...).
    pub fn sources(mut self, sources: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.sources.extend(sources.into_iter().map(Into::into));
        self
    }

    /// Only agents of this name.
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// Only agents whose name or description contains this text.
    pub fn search(mut self, text: impl Into<String>) -> Self {
        self.search = Some(text.into());
        self
    }

    /// Only the agent of this id.
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.id = Some(id.into());
        self
    }

    /// Only agents whose metadata matches (a JSON object, as the API takes it).
    pub fn metadata(mut self, metadata: &Value) -> Self {
        self.metadata = Some(metadata.to_string());
        self
    }

    fn apply(self, call: Call) -> Call {
        let mut call = call
            .query("page_size", self.page_size)
            .query("deployment_chat", self.deployment_chat)
            .query("name", self.name)
            .query("search", self.search)
            .query("id", self.id)
            .query("metadata", self.metadata)
            .query("page_token", self.page_token);
        for source in self.sources {
            call = call.query("sources", Some(source));
        }
        call
    }
}

/// A new agent: a model and a name, plus what to set. Problems (a bad tool) surface as
/// [`Error::InvalidRequest`] when sent.
#[derive(Debug, Clone, PartialEq)]
pub struct NewAgent {
    inner: CreateAgentRequest,
    problems: Vec<String>,
}

impl From<CreateAgentRequest> for NewAgent {
    fn from(inner: CreateAgentRequest) -> Self {
        NewAgent { inner, problems: Vec::new() }
    }
}

impl NewAgent {
    /// An agent of `model` named `name`, without instructions or tools.
    pub fn new(model: impl Into<String>, name: impl Into<String>) -> NewAgent {
        NewAgent {
            inner: CreateAgentRequest {
                completion_args: None,
                description: None,
                guardrails: None,
                handoffs: None,
                instructions: None,
                metadata: None,
                model: model.into(),
                name: name.into(),
                tools: Vec::new(),
                version_message: None,
            },
            problems: Vec::new(),
        }
    }

    /// Its instructions (the system prompt).
    pub fn instructions(mut self, instructions: impl Into<String>) -> Self {
        self.inner.instructions = Some(instructions.into());
        self
    }

    /// Its description.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.inner.description = Some(description.into());
        self
    }

    /// Tools it may use (functions or built-in tools).
    pub fn tools(mut self, tools: impl IntoIterator<Item = Tool>) -> Self {
        for tool in tools {
            match tool.to_wire() {
                Ok(t) => self.inner.tools.push(t),
                Err(problem) => self.problems.push(problem),
            }
        }
        self
    }

    /// Agents it may hand a conversation off to, by id.
    pub fn handoffs(mut self, agent_ids: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.inner.handoffs.get_or_insert_with(Vec::new).extend(agent_ids.into_iter().map(Into::into));
        self
    }

    /// Sampling settings of its completions.
    pub fn completion_args(mut self, args: CompletionArgs) -> Self {
        self.inner.completion_args = Some(args);
        self
    }

    /// Metadata kept with it (a JSON object).
    pub fn metadata(mut self, metadata: Map<String, Value>) -> Self {
        self.inner.metadata = Some(MetadataDict(metadata));
        self
    }

    /// A note about this version.
    pub fn version_message(mut self, message: impl Into<String>) -> Self {
        let message: String = message.into();
        match message.parse() {
            Ok(m) => self.inner.version_message = Some(m),
            Err(e) => self.problems.push(format!("version message: {e}")),
        }
        self
    }

    fn into_wire(self) -> Result<CreateAgentRequest> {
        let mut problems = self.problems;
        if self.inner.model.trim().is_empty() {
            problems.push("the model is empty".into());
        }
        if self.inner.name.trim().is_empty() {
            problems.push("the name is empty".into());
        }
        if problems.is_empty() { Ok(self.inner) } else { Err(Error::InvalidRequest(problems.join("; "))) }
    }
}

/// A completion request to an agent: its id and the messages, built like a [`ChatRequest`]
/// (whose model, temperature, top_p, safe_prompt and logprobs are not sent: the agent's
/// settings hold).
///
/// ```
/// use mistral_sdk::AgentRequest;
///
/// let request = AgentRequest::new("ag_123").user("Hi").with_chat(|chat| chat.max_tokens(64));
/// assert_eq!(
///     serde_json::to_value(&request).unwrap(),
///     serde_json::json!({"agent_id": "ag_123", "messages": [{"role": "user", "content": "Hi"}], "max_tokens": 64})
/// );
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct AgentRequest {
    agent_id: String,
    chat: ChatRequest,
}

/// Chat fields the agents operation does not take.
const NOT_FOR_AGENTS: [&str; 6] = ["model", "temperature", "top_p", "safe_prompt", "logprobs", "top_logprobs"];

impl serde::Serialize for AgentRequest {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        let mut body = serde_json::to_value(&self.chat).map_err(serde::ser::Error::custom)?;
        if let Value::Object(fields) = &mut body {
            for name in NOT_FOR_AGENTS {
                fields.remove(name);
            }
            fields.insert("agent_id".into(), Value::String(self.agent_id.clone()));
        }
        body.serialize(serializer)
    }
}

impl AgentRequest {
    /// A request to the agent `agent_id`, without messages yet.
    pub fn new(agent_id: impl Into<String>) -> AgentRequest {
        AgentRequest { agent_id: agent_id.into(), chat: ChatRequest::new("agent") }
    }

    /// A request to `agent_id` with the messages and settings of `chat`.
    pub fn from_chat(agent_id: impl Into<String>, chat: ChatRequest) -> AgentRequest {
        AgentRequest { agent_id: agent_id.into(), chat }
    }

    /// Adds a user message.
    pub fn user(self, text: impl Into<String>) -> Self {
        self.with_chat(|chat| chat.user(text))
    }

    /// Adds a system message.
    pub fn system(self, text: impl Into<String>) -> Self {
        self.with_chat(|chat| chat.system(text))
    }

    /// Changes the request with any [`ChatRequest`] method (messages, tools, max_tokens,
    /// response format...).
    pub fn with_chat(mut self, f: impl FnOnce(ChatRequest) -> ChatRequest) -> Self {
        self.chat = f(self.chat);
        self
    }

    fn call(mut self, stream: bool) -> Result<Call> {
        if self.agent_id.trim().is_empty() {
            return Err(Error::InvalidRequest("the agent id is empty".into()));
        }
        self.chat = self.chat.for_agent(stream)?;
        Call::completion(&ops::AGENTS_COMPLETION_V1_AGENTS_COMPLETIONS_POST, &self, stream)
    }
}
