//! `POST /v1/fim/completions`: [`Fim`] and the [`FimRequest`] builder.

use std::borrow::Cow;

use mistral_openapi::operations as ops;

use crate::error::{Error, Result};
use crate::extra::Extra;
use crate::meta::WithMeta;
use crate::pending::{Pending, group};
use crate::request::IntoRequest;
use crate::stream::CompletionStream;
use crate::transport::{Call, check_sampling};
use crate::types::{FimCompletionRequest, FimCompletionResponse, Stop};

group!(
    /// Fill-in-the-middle code completions (Codestral).
    Fim,
    fim
);

impl<'c> Fim<'c> {
    /// Creates a completion (`createFIMCompletion`).
    ///
    /// ```no_run
    /// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
    /// use mistral_sdk::{ChatResponseExt, FimRequest};
    ///
    /// let request = FimRequest::new("codestral-latest", "def fib(n):").suffix("print(fib(10))");
    /// let response = client.fim().create(request).await?;
    /// println!("{}", response.text());
    /// # Ok(()) }
    /// ```
    pub fn create<'r>(&self, request: impl IntoRequest<'r, FimRequest>) -> Pending<'c, FimCompletionResponse> {
        self.pending(call(request.into_request(), false))
    }

    /// [`Fim::create`], with the response's status, headers and raw body.
    pub async fn create_with_meta<'r>(
        &self,
        request: impl IntoRequest<'r, FimRequest>,
    ) -> Result<WithMeta<FimCompletionResponse>> {
        self.create(request).with_meta().await
    }

    /// Streams a completion; see [`CompletionStream`].
    pub async fn stream<'r>(&self, request: impl IntoRequest<'r, FimRequest>) -> Result<CompletionStream> {
        self.client.stream(call(request.into_request(), true)?).await
    }
}

/// The call of a FIM request; a borrowed one is copied only when its stream flag says
/// otherwise than the method called.
fn call(mut request: Cow<'_, FimRequest>, stream: bool) -> Result<Call> {
    if request.inner.stream.unwrap_or(false) != stream {
        request.to_mut().inner.stream = stream.then_some(true);
    }
    request.validate()?;
    Call::completion(&ops::CREATE_FIM_COMPLETION, &*request, stream)
}

/// A FIM request. Only what you set is sent; a field this release does not name goes in with
/// [`FimRequest::extra`].
///
/// ```
/// use mistral_sdk::FimRequest;
///
/// let request = FimRequest::new("codestral-latest", "fn add(a: i32, b: i32) -> i32 {").suffix("}").max_tokens(32);
/// assert_eq!(
///     serde_json::to_value(&request).unwrap(),
///     serde_json::json!({"model": "codestral-latest", "prompt": "fn add(a: i32, b: i32) -> i32 {", "suffix": "}", "max_tokens": 32})
/// );
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct FimRequest {
    inner: FimCompletionRequest,
    extra: Extra,
}

/// The wire request, with the [`extra`](FimRequest::extra) fields merged in.
impl serde::Serialize for FimRequest {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        self.extra.serialize(&self.inner, serializer)
    }
}

impl IntoRequest<'static, FimRequest> for FimCompletionRequest {
    fn into_request(self) -> Cow<'static, FimRequest> {
        Cow::Owned(self.into())
    }
}

impl From<FimCompletionRequest> for FimRequest {
    fn from(inner: FimCompletionRequest) -> Self {
        FimRequest { inner, extra: Extra::default() }
    }
}

impl FimRequest {
    /// A request to `model` completing after `prompt`.
    pub fn new(model: impl Into<String>, prompt: impl Into<String>) -> FimRequest {
        FimCompletionRequest {
            model: model.into(),
            prompt: prompt.into(),
            suffix: None,
            max_tokens: None,
            metadata: None,
            min_tokens: None,
            prompt_cache_key: None,
            random_seed: None,
            stop: None,
            stream: None,
            temperature: None,
            top_p: None,
        }
        .into()
    }

    /// The code after the gap.
    pub fn suffix(mut self, suffix: impl Into<String>) -> Self {
        self.inner.suffix = Some(suffix.into());
        self
    }

    /// Sampling temperature, 0..=1.5.
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

    /// The fewest tokens to generate.
    pub fn min_tokens(mut self, n: u64) -> Self {
        self.inner.min_tokens = Some(n);
        self
    }

    /// A seed for deterministic sampling.
    pub fn random_seed(mut self, seed: u64) -> Self {
        self.inner.random_seed = Some(seed);
        self
    }

    /// Stop at any of these strings.
    pub fn stop(mut self, stop: impl IntoIterator<Item = impl Into<String>>) -> Self {
        self.inner.stop = Some(Stop::Array(stop.into_iter().map(Into::into).collect()));
        self
    }

    /// Adds metadata entries (your own tags for the request).
    pub fn metadata(
        mut self,
        entries: impl IntoIterator<Item = (impl Into<String>, impl Into<serde_json::Value>)>,
    ) -> Self {
        let map = self.inner.metadata.get_or_insert_with(serde_json::Map::new);
        map.extend(entries.into_iter().map(|(k, v)| (k.into(), v.into())));
        self
    }

    /// A key grouping requests that share a prompt prefix, for the server's prompt cache.
    pub fn prompt_cache_key(mut self, key: impl Into<String>) -> Self {
        self.inner.prompt_cache_key = Some(key.into());
        self
    }

    /// Sets a body field this release does not name (or overrides one it does), merged into
    /// the JSON body over a same-named field.
    ///
    /// ```
    /// use mistral_sdk::FimRequest;
    ///
    /// let request = FimRequest::new("codestral-latest", "def f(").prompt_cache_key("repo-1").extra("new_knob", true);
    /// let wire = serde_json::to_value(&request).unwrap();
    /// assert_eq!((wire["prompt_cache_key"].as_str(), wire["new_knob"].as_bool()), (Some("repo-1"), Some(true)));
    /// ```
    pub fn extra(mut self, name: impl Into<String>, value: impl Into<serde_json::Value>) -> Self {
        self.extra.insert(name, value);
        self
    }

    /// The wire request (without the [`extra`](Self::extra) fields).
    pub fn as_wire(&self) -> &FimCompletionRequest {
        &self.inner
    }

    /// Checks what the server would refuse.
    pub fn validate(&self) -> Result<()> {
        let mut problems = Vec::new();
        if self.inner.model.trim().is_empty() {
            problems.push("the model is empty".to_string());
        }
        check_sampling(&mut problems, self.inner.temperature, self.inner.top_p);
        if let (Some(min), Some(max)) = (self.inner.min_tokens, self.inner.max_tokens)
            && min > max
        {
            problems.push(format!("min_tokens ({min}) is above max_tokens ({max})"));
        }
        if problems.is_empty() { Ok(()) } else { Err(Error::InvalidRequest(problems.join("; "))) }
    }
}
