//! The fields of a [`ChatRequest`] besides its messages: sampling, output format, reasoning,
//! tools, and the 2026 request options.

use std::num::NonZeroU64;

use schemars::JsonSchema;
use serde_json::{Map, Value};

use super::ChatRequest;
use crate::tool::Tool;
use crate::types::{
    FunctionName, GuardrailConfig, JsonSchema as WireJsonSchema, KnownResponseFormats, KnownToolChoiceEnum,
    MistralPromptMode, NamedToolChoice, Prediction, PredictionType, ReasoningEffort, RequestedServiceTier,
    ResponseFormat, ResponseFormats, Stop, ToolChoice, ToolChoiceEnum, ToolTypes,
};

/// Sampling and length.
impl ChatRequest {
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

    /// Stop generating at any of these strings (one string: `.stop(["\n\n"])`).
    pub fn stop(mut self, stop: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.inner.stop = Some(Stop::Array(stop.into_iter().map(Into::into).collect()));
        self
    }

    /// Penalizes tokens that already appeared, to talk about new things: -2..=2 (server
    /// default 0).
    pub fn presence_penalty(mut self, penalty: f64) -> Self {
        self.inner.presence_penalty = Some(penalty);
        self
    }

    /// Penalizes tokens by how often they appeared, against repetition: -2..=2 (server
    /// default 0).
    pub fn frequency_penalty(mut self, penalty: f64) -> Self {
        self.inner.frequency_penalty = Some(penalty);
        self
    }

    /// How many answers (choices) to generate; each is billed. Every choice keeps its
    /// `index`, in responses and in streams (see [`StreamAccumulator`](crate::StreamAccumulator)).
    ///
    /// ```
    /// use std::num::NonZeroU64;
    /// use mistral_sdk::ChatRequest;
    ///
    /// let request = ChatRequest::new("mistral-small-latest").user("A word?").n(NonZeroU64::new(2).unwrap());
    /// assert_eq!(serde_json::to_value(&request).unwrap()["n"], 2);
    /// ```
    pub fn n(mut self, n: NonZeroU64) -> Self {
        self.inner.n = Some(n);
        self
    }

    /// Predicted output: text the answer will mostly repeat (e.g. the file being edited),
    /// which makes generating it faster.
    pub fn prediction(mut self, content: impl Into<String>) -> Self {
        self.inner.prediction =
            Some(Prediction { content: Some(content.into()), type_: Some(PredictionType::Content) });
        self
    }
}

/// Account-side options: moderation, tags, caching, capacity.
impl ChatRequest {
    /// Moderation guardrails applied to this request (replacing any set before).
    pub fn guardrails(mut self, guardrails: impl IntoIterator<Item = GuardrailConfig>) -> Self {
        self.inner.guardrails = Some(guardrails.into_iter().collect());
        self
    }

    /// Adds metadata entries (your own tags for the request).
    ///
    /// ```
    /// use mistral_sdk::ChatRequest;
    ///
    /// let request = ChatRequest::new("mistral-small-latest").user("Hi").metadata([("user", "u-42"), ("feature", "faq")]);
    /// assert_eq!(serde_json::to_value(&request).unwrap()["metadata"], serde_json::json!({"user": "u-42", "feature": "faq"}));
    /// ```
    pub fn metadata(mut self, entries: impl IntoIterator<Item = (impl Into<String>, impl Into<Value>)>) -> Self {
        let map = self.inner.metadata.get_or_insert_with(Map::new);
        map.extend(entries.into_iter().map(|(k, v)| (k.into(), v.into())));
        self
    }

    /// A key grouping requests that share a prompt prefix, for the server's prompt cache.
    pub fn prompt_cache_key(mut self, key: impl Into<String>) -> Self {
        self.inner.prompt_cache_key = Some(key.into());
        self
    }

    /// The service tier (`KnownRequestedServiceTier::Auto`, `StandardOnly`, or any other the
    /// server names).
    pub fn service_tier(mut self, tier: impl Into<RequestedServiceTier>) -> Self {
        self.inner.service_tier = Some(tier.into());
        self
    }
}

/// Reasoning.
impl ChatRequest {
    /// The system prompt mode: `MistralPromptMode::Reasoning` asks a model that can reason to
    /// think first (its thinking comes apart from the answer: see
    /// [`ChatResponseExt::thinking`](crate::ChatResponseExt::thinking)).
    pub fn prompt_mode(mut self, mode: MistralPromptMode) -> Self {
        self.inner.prompt_mode = Some(mode);
        self
    }

    /// How hard the model thinks (`KnownReasoningEffort::None` to `Xhigh`, or any other the
    /// server names).
    ///
    /// ```
    /// use mistral_sdk::ChatRequest;
    /// use mistral_sdk::types::{KnownReasoningEffort, MistralPromptMode};
    ///
    /// let request = ChatRequest::new("magistral-medium-latest")
    ///     .user("How many r in strawberry?")
    ///     .prompt_mode(MistralPromptMode::Reasoning)
    ///     .reasoning_effort(KnownReasoningEffort::High);
    /// let wire = serde_json::to_value(&request).unwrap();
    /// assert_eq!((wire["prompt_mode"].as_str(), wire["reasoning_effort"].as_str()), (Some("reasoning"), Some("high")));
    /// ```
    pub fn reasoning_effort(mut self, effort: impl Into<ReasoningEffort>) -> Self {
        self.inner.reasoning_effort = Some(effort.into());
        self
    }
}

/// The answer's format.
impl ChatRequest {
    /// JSON mode: the answer is one JSON object (`response_format: {type: json_object}`).
    pub fn json_mode(self) -> Self {
        self.response_format(ResponseFormats::Known(KnownResponseFormats::JsonObject))
    }

    /// Structured output: the answer is JSON fitting `T`'s JSON Schema (derive
    /// `schemars::JsonSchema`), with `strict: true`; the schema is named after the type. Read
    /// it back with [`ChatResponseExt::parsed`](crate::ChatResponseExt::parsed).
    ///
    /// ```
    /// use mistral_sdk::ChatRequest;
    ///
    /// #[derive(schemars::JsonSchema, serde::Deserialize)]
    /// struct Cheese {
    ///     name: String,
    ///     /// Months of ageing.
    ///     months: u32,
    /// }
    ///
    /// let request = ChatRequest::new("mistral-small-latest").user("The best cheese?").json_schema::<Cheese>();
    /// let format = &serde_json::to_value(&request).unwrap()["response_format"];
    /// assert_eq!(format["type"], "json_schema");
    /// assert_eq!(format["json_schema"]["name"], "Cheese");
    /// assert_eq!(format["json_schema"]["strict"], true);
    /// assert_eq!(format["json_schema"]["schema"]["properties"]["months"]["description"], "Months of ageing.");
    /// ```
    pub fn json_schema<T: JsonSchema>(self) -> Self {
        self.json_schema_with(crate::schema::json_schema_for::<T>())
    }

    /// Structured output with a schema given as the wire type (a hand-written schema, another
    /// name, `strict: false`...).
    pub fn json_schema_with(mut self, schema: WireJsonSchema) -> Self {
        self.inner.response_format = Some(crate::schema::response_format(schema));
        self
    }

    /// The answer's format type, without a schema (`text`, `json_object`).
    pub fn response_format(mut self, format: ResponseFormats) -> Self {
        self.inner.response_format = Some(ResponseFormat { type_: format, json_schema: None });
        self
    }
}

/// Tools.
impl ChatRequest {
    /// Adds tools the model may call: functions and built-in tools (see [`Tool`]).
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

    /// The model must call the function `name` (`{"type": "function", "function": {"name": ..}}`).
    pub fn tool_choice_function(self, name: impl Into<String>) -> Self {
        self.tool_choice_raw(ToolChoice::NamedToolChoice(NamedToolChoice {
            function: FunctionName { name: name.into() },
            type_: Some(ToolTypes::Function),
        }))
    }

    /// `tool_choice` as the wire type (for values this release does not name).
    pub fn tool_choice_raw(mut self, choice: ToolChoice) -> Self {
        self.inner.tool_choice = Some(choice);
        self
    }

    /// Whether the model may call several tools in one answer (server default: true).
    pub fn parallel_tool_calls(mut self, on: bool) -> Self {
        self.inner.parallel_tool_calls = Some(on);
        self
    }
}
