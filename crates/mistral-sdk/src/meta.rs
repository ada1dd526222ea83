//! What a response said besides its body.

use reqwest::header::HeaderMap;

/// A decoded body with its response's [`ResponseMeta`] and the bytes it was decoded from
/// (the server's JSON as received, fields the spec does not have yet included).
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct WithMeta<T> {
    /// The decoded body.
    pub data: T,
    /// Status and headers.
    pub meta: ResponseMeta,
    /// The body as received.
    pub raw: bytes::Bytes,
}

/// Status, request id and headers of a response (rate limits, deprecation).
///
/// ```
/// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
/// let models = client.models().list_with_meta().await?;
/// println!("request {:?}", models.meta.request_id());
/// for (name, value) in models.meta.rate_limits() {
///     println!("{name}: {value}");
/// }
/// # Ok(()) }
/// ```
#[derive(Debug, Clone)]
pub struct ResponseMeta {
    /// HTTP status.
    pub status: u16,
    /// Every response header.
    pub headers: HeaderMap,
}

impl ResponseMeta {
    pub(crate) fn from_response(response: &reqwest::Response) -> ResponseMeta {
        ResponseMeta { status: response.status().as_u16(), headers: response.headers().clone() }
    }

    /// The request id (`x-request-id`, `mistral-correlation-id` or `x-kong-request-id`).
    pub fn request_id(&self) -> Option<&str> {
        request_id_header(&self.headers)
    }

    /// The rate-limit headers (`ratelimitbysize-*`, `x-ratelimit-*`), as sent.
    pub fn rate_limits(&self) -> impl Iterator<Item = (&str, &str)> {
        self.headers.iter().filter_map(|(name, value)| {
            let name = name.as_str();
            (name.starts_with("ratelimit") || name.starts_with("x-ratelimit"))
                .then(|| Some((name, value.to_str().ok()?)))
                .flatten()
        })
    }

    /// When the model is deprecated (`x-model-deprecation-timestamp`), if it is.
    pub fn deprecation(&self) -> Option<&str> {
        self.headers.get("x-model-deprecation-timestamp")?.to_str().ok()
    }
}

/// The request id a gateway put in the headers, if any.
pub(crate) fn request_id_header(headers: &HeaderMap) -> Option<&str> {
    ["x-request-id", "mistral-correlation-id", "x-kong-request-id"].iter().find_map(|h| headers.get(*h)?.to_str().ok())
}
