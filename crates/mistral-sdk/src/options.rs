//! [`RequestOptions`]: per-request settings that override the client's.

use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

use crate::error::{Error, Result};

/// Settings for some requests only: a timeout, a number of retries, extra headers. Attach
/// them to a whole client ([`Client::with_options`](crate::Client::with_options)), to a
/// group (`client.chat().with_options(..)`) or to one call (`.options(..)` on what any
/// operation returns); the nearest wins, field by field, and headers add up.
///
/// ```no_run
/// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
/// use std::time::Duration;
/// use mistral_sdk::{ChatRequest, RequestOptions};
///
/// let urgent = RequestOptions::new().timeout(Duration::from_secs(5)).max_retries(0).header("x-team", "search");
/// let response = client.chat().with_options(urgent).create(ChatRequest::new("mistral-small-latest").user("Hi")).await?;
/// // Or for one call, with the response's status, headers and raw body:
/// let models = client.models().list().options(RequestOptions::new().max_retries(5)).with_meta().await?;
/// println!("{:?} {}", models.meta.request_id(), models.raw.len());
/// # Ok(()) }
/// ```
#[derive(Clone, Default, PartialEq)]
pub struct RequestOptions {
    pub(crate) timeout: Option<Duration>,
    pub(crate) max_retries: Option<u32>,
    pub(crate) headers: HeaderMap,
    /// Headers that could not be built, reported when the request is sent.
    problems: Vec<String>,
}

impl std::fmt::Debug for RequestOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Header values marked sensitive (credentials) print as `Sensitive`.
        f.debug_struct("RequestOptions")
            .field("timeout", &self.timeout)
            .field("max_retries", &self.max_retries)
            .field("headers", &self.headers)
            .finish()
    }
}

impl RequestOptions {
    /// No overrides.
    pub fn new() -> RequestOptions {
        RequestOptions::default()
    }

    /// The whole request's time limit (for a stream: until its response starts), instead of
    /// the client's [`request_timeout`](crate::ClientBuilder::request_timeout).
    pub fn timeout(mut self, limit: Duration) -> Self {
        self.timeout = Some(limit);
        self
    }

    /// How many times a failed attempt is retried, instead of the client's policy (its delays
    /// stay). What is retried at all depends on the operation: see [`RetryPolicy`](crate::RetryPolicy).
    pub fn max_retries(mut self, n: u32) -> Self {
        self.max_retries = Some(n);
        self
    }

    /// Sends this header too (replacing a client default of the same name). A name or value
    /// a header cannot carry makes the request fail with [`Error::InvalidRequest`].
    pub fn header(mut self, name: impl AsRef<str>, value: impl AsRef<str>) -> Self {
        let (name, value) = (name.as_ref(), value.as_ref());
        match (HeaderName::from_bytes(name.as_bytes()), HeaderValue::from_str(value)) {
            (Ok(name), Ok(mut value)) => {
                let secret = name == reqwest::header::AUTHORIZATION || name.as_str().contains("key");
                value.set_sensitive(secret);
                self.headers.append(name, value);
            }
            (Err(_), _) => self.problems.push(format!("invalid header name {name:?}")),
            (_, Err(_)) => self.problems.push(format!("invalid value for header {name}")),
        }
        self
    }

    /// `self`, with what `nearer` sets taking precedence.
    pub(crate) fn merged(&self, nearer: &RequestOptions) -> RequestOptions {
        let mut headers = self.headers.clone();
        for name in nearer.headers.keys() {
            headers.remove(name);
        }
        for (name, value) in &nearer.headers {
            headers.append(name.clone(), value.clone());
        }
        let mut problems = self.problems.clone();
        problems.extend(nearer.problems.iter().cloned());
        RequestOptions {
            timeout: nearer.timeout.or(self.timeout),
            max_retries: nearer.max_retries.or(self.max_retries),
            headers,
            problems,
        }
    }

    /// Fails with the first header that could not be built.
    pub(crate) fn check(&self) -> Result<()> {
        match self.problems.first() {
            Some(problem) => Err(Error::InvalidRequest(problem.clone())),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearer_options_win_field_by_field_and_headers_add_up() {
        let client = RequestOptions::new().timeout(Duration::from_secs(60)).header("x-a", "1").header("x-b", "1");
        let call = RequestOptions::new().max_retries(0).header("x-b", "2");
        let merged = client.merged(&call);
        assert_eq!(merged.timeout, Some(Duration::from_secs(60)));
        assert_eq!(merged.max_retries, Some(0));
        assert_eq!(merged.headers["x-a"], "1");
        assert_eq!(merged.headers.get_all("x-b").iter().collect::<Vec<_>>(), ["2"]);
        assert!(merged.check().is_ok());
    }

    #[test]
    fn bad_headers_fail_when_sent_and_secrets_stay_out_of_debug() {
        let bad = RequestOptions::new().header("bad name", "x");
        assert!(matches!(bad.check(), Err(Error::InvalidRequest(m)) if m.contains("bad name")));
        let bad = RequestOptions::new().header("x-ok", "line\nbreak");
        assert!(bad.check().is_err());
        let secret = RequestOptions::new().header("authorization", "Bearer sk-secret").header("x-api-key", "sk-2");
        let debug = format!("{secret:?}");
        assert!(!debug.contains("sk-secret") && !debug.contains("sk-2"), "{debug}");
    }
}
