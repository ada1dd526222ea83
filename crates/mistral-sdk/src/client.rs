//! [`Client`] and its builder.

use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use crate::error::{Error, Result};
use crate::options::RequestOptions;
use crate::retry::RetryPolicy;

/// The default base URL.
pub const DEFAULT_BASE_URL: &str = "https://api.mistral.ai";

/// A Mistral API client. Cheap to clone (an `Arc`): create one and share it; all clones
/// use one connection pool.
///
/// ```no_run
/// # async fn demo() -> mistral_sdk::Result<()> {
/// use mistral_sdk::{ChatRequest, Client};
///
/// let client = Client::from_env()?; // MISTRAL_API_KEY, and MISTRAL_BASE_URL if set
/// let response = client
///     .chat()
///     .create(ChatRequest::new("mistral-small-latest").user("Hello!"))
///     .await?;
/// println!("{}", mistral_sdk::ChatResponseExt::text(&response));
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    pub(crate) inner: Arc<Inner>,
}

/// Cheap to clone too (a handle with options is a new `Inner` sharing everything else).
#[derive(Clone)]
pub(crate) struct Inner {
    pub(crate) http: reqwest::Client,
    pub(crate) base_url: Arc<str>,
    pub(crate) auth: Option<HeaderValue>,
    pub(crate) retry: RetryPolicy,
    pub(crate) request_timeout: Option<Duration>,
    pub(crate) stream_idle_timeout: Option<Duration>,
    /// Headers sent per request: only when the caller gave its own reqwest client.
    pub(crate) extra_headers: Arc<HeaderMap>,
    /// The URLs of the fixed-path endpoints, parsed once (parsing a URL per request costs
    /// more than the rest of the request building).
    pub(crate) endpoints: Arc<[(&'static str, reqwest::Url)]>,
    /// Overrides for the requests of this handle (see [`Client::with_options`]).
    pub(crate) options: Option<RequestOptions>,
}

/// The paths without a parameter (each once).
fn fixed_paths() -> impl Iterator<Item = &'static str> {
    let all = mistral_openapi::operations::ALL;
    all.iter()
        .enumerate()
        .filter(move |(i, op)| !op.path.contains('{') && !all[..*i].iter().any(|o| o.path == op.path))
        .map(|(_, op)| op.path)
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url)
            .field("api_key", &self.inner.auth.as_ref().map(|_| "<redacted>"))
            .field("retry", &self.inner.retry)
            .field("request_timeout", &self.inner.request_timeout)
            .field("stream_idle_timeout", &self.inner.stream_idle_timeout)
            .field("options", &self.inner.options)
            .finish()
    }
}

impl Client {
    /// A client for `https://api.mistral.ai` with this key and the default settings.
    pub fn new(api_key: impl Into<String>) -> Result<Client> {
        Client::builder().api_key(api_key).build()
    }

    /// A client from the environment: `MISTRAL_API_KEY` (required) and `MISTRAL_BASE_URL`
    /// (optional).
    pub fn from_env() -> Result<Client> {
        let key = std::env::var("MISTRAL_API_KEY")
            .ok()
            .filter(|k| !k.trim().is_empty())
            .ok_or_else(|| Error::Config("MISTRAL_API_KEY is not set".into()))?;
        let mut builder = Client::builder().api_key(key);
        if let Some(url) = std::env::var("MISTRAL_BASE_URL").ok().filter(|u| !u.trim().is_empty()) {
            builder = builder.base_url(url);
        }
        builder.build()
    }

    /// A builder for every setting.
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// This client (same connection pool) with these settings for every request it makes, over
    /// the ones it already has, field by field.
    ///
    /// ```
    /// use std::time::Duration;
    /// use mistral_sdk::{Client, RequestOptions};
    ///
    /// let client = Client::new("my-key").unwrap();
    /// let patient = client.with_options(RequestOptions::new().timeout(Duration::from_secs(900)));
    /// assert_eq!(patient.base_url(), client.base_url());
    /// ```
    pub fn with_options(&self, options: RequestOptions) -> Client {
        let options = match &self.inner.options {
            Some(current) => current.merged(&options),
            None => options,
        };
        Client { inner: Arc::new(Inner { options: Some(options), ..(*self.inner).clone() }) }
    }

    /// The effective time limit of a request.
    pub(crate) fn request_timeout(&self) -> Option<Duration> {
        self.inner.options.as_ref().and_then(|o| o.timeout).or(self.inner.request_timeout)
    }

    /// The base URL requests go to (without a trailing `/`).
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }
}

/// Settings of a [`Client`]. Nothing fails until [`ClientBuilder::build`].
///
/// ```
/// use std::time::Duration;
///
/// let client = mistral_sdk::Client::builder()
///     .api_key("my-key")
///     .base_url("http://127.0.0.1:8080")
///     .request_timeout(Duration::from_secs(30))
///     .stream_idle_timeout(Duration::from_secs(10))
///     .max_retries(4)
///     .default_header("x-team", "search")
///     .build()
///     .unwrap();
/// assert_eq!(client.base_url(), "http://127.0.0.1:8080");
/// assert!(!format!("{client:?}").contains("my-key"));
/// ```
#[derive(Default)]
pub struct ClientBuilder {
    api_key: Option<String>,
    base_url: Option<String>,
    connect_timeout: Option<Option<Duration>>,
    request_timeout: Option<Option<Duration>>,
    stream_idle_timeout: Option<Option<Duration>>,
    retry: Option<RetryPolicy>,
    user_agent: Option<String>,
    headers: Vec<(String, String)>,
    http: Option<reqwest::Client>,
}

impl std::fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// The API key, sent as `Authorization: Bearer <key>` (default: none is sent).
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = Some(key.into());
        self
    }

    /// Where to send requests (default `https://api.mistral.ai`). A trailing `/` or `/v1` is
    /// dropped: the paths carry `/v1`.
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// Time allowed to connect (default 10 s; `None` for no limit). Ignored with
    /// [`ClientBuilder::http_client`], whose own setting applies.
    pub fn connect_timeout(mut self, d: impl Into<Option<Duration>>) -> Self {
        self.connect_timeout = Some(d.into());
        self
    }

    /// Time allowed for a whole request, or for a stream's response headers (default 10
    /// minutes; `None` for no limit).
    pub fn request_timeout(mut self, d: impl Into<Option<Duration>>) -> Self {
        self.request_timeout = Some(d.into());
        self
    }

    /// Time allowed between two events of a stream (default 2 minutes; `None` for no limit).
    pub fn stream_idle_timeout(mut self, d: impl Into<Option<Duration>>) -> Self {
        self.stream_idle_timeout = Some(d.into());
        self
    }

    /// Retries after a failed attempt (default 2; 0 turns retries off).
    pub fn max_retries(mut self, n: u32) -> Self {
        self.retry = Some(self.retry.unwrap_or_default().max_retries(n));
        self
    }

    /// The whole retry policy.
    pub fn retry_policy(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// The `User-Agent` (default `mistral-sdk/<version>`).
    pub fn user_agent(mut self, ua: impl Into<String>) -> Self {
        self.user_agent = Some(ua.into());
        self
    }

    /// A header sent with every request.
    pub fn default_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    /// Use this `reqwest::Client` (its pool, proxy, TLS and connect settings) instead of a
    /// new one. User agent and default headers are then sent per request.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// Checks the settings and builds the client.
    pub fn build(self) -> Result<Client> {
        let base_url = normalize_base_url(self.base_url.as_deref().unwrap_or(DEFAULT_BASE_URL))?;
        let auth = match self.api_key {
            Some(key) if key.trim().is_empty() => return Err(Error::Config("the API key is empty".into())),
            Some(key) => {
                let mut value = HeaderValue::from_str(&format!("Bearer {}", key.trim()))
                    .map_err(|_| Error::Config("the API key has characters a header cannot carry".into()))?;
                value.set_sensitive(true);
                if base_url.starts_with("http://") && !is_loopback(&base_url) {
                    tracing::warn!(base_url = %base_url, "the API key will be sent over plain HTTP");
                }
                Some(value)
            }
            None => None,
        };
        let mut headers = HeaderMap::new();
        for (name, value) in &self.headers {
            let name = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| Error::Config(format!("invalid header name {name:?}")))?;
            let value =
                HeaderValue::from_str(value).map_err(|_| Error::Config(format!("invalid value for header {name}")))?;
            headers.append(name, value);
        }
        let user_agent =
            self.user_agent.unwrap_or_else(|| concat!("mistral-sdk/", env!("CARGO_PKG_VERSION")).to_string());
        let user_agent = HeaderValue::from_str(&user_agent).map_err(|_| Error::Config("invalid user agent".into()))?;
        headers.insert(reqwest::header::USER_AGENT, user_agent);

        let http = match self.http {
            Some(http) => http,
            None => {
                // reqwest (built without a provider of its own) uses the process's default.
                #[cfg(feature = "rustls")]
                let _ = rustls::crypto::ring::default_provider().install_default();
                let mut b = reqwest::Client::builder().default_headers(std::mem::take(&mut headers));
                if let Some(d) = self.connect_timeout.unwrap_or(Some(Duration::from_secs(10))) {
                    b = b.connect_timeout(d);
                }
                b.build().map_err(|e| Error::Config(format!("cannot build the HTTP client: {e}")))?
            }
        };
        let endpoints = fixed_paths()
            .map(|path| {
                reqwest::Url::parse(&format!("{base_url}{path}"))
                    .map(|url| (path, url))
                    .map_err(|e| Error::Config(format!("invalid base URL {base_url:?}: {e}")))
            })
            .collect::<Result<Arc<[_]>>>()?;
        Ok(Client {
            inner: Arc::new(Inner {
                options: None,
                endpoints,
                http,
                base_url: base_url.into(),
                auth,
                retry: self.retry.unwrap_or_default(),
                request_timeout: self.request_timeout.unwrap_or(Some(Duration::from_secs(600))),
                stream_idle_timeout: self.stream_idle_timeout.unwrap_or(Some(Duration::from_secs(120))),
                extra_headers: Arc::new(headers),
            }),
        })
    }
}

fn normalize_base_url(url: &str) -> Result<String> {
    let parsed =
        reqwest::Url::parse(url.trim()).map_err(|e| Error::Config(format!("invalid base URL {url:?}: {e}")))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host().is_none() {
        return Err(Error::Config(format!("the base URL must be http(s)://host, got {url:?}")));
    }
    let mut s = parsed.as_str().trim_end_matches('/').to_string();
    if let Some(stripped) = s.strip_suffix("/v1") {
        s = stripped.to_string();
    }
    Ok(s)
}

fn is_loopback(url: &str) -> bool {
    let Some(host) = reqwest::Url::parse(url).ok().and_then(|u| u.host_str().map(str::to_string)) else {
        return false;
    };
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host == "localhost" || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}
