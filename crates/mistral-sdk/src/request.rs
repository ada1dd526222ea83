//! [`IntoRequest`]: a request builder given by value or borrowed.

use std::borrow::Cow;

/// What the calls that take a request builder accept ([`Chat::create`](crate::Chat::create)
/// and `stream`, [`Fim::create`](crate::Fim::create) and `stream`,
/// [`Embeddings::embed`](crate::Embeddings::embed)): the builder by value, borrowed (sent
/// without a copy: build it once, send it many times), or its wire type.
///
/// ```no_run
/// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
/// use mistral_sdk::{ChatRequest, EmbeddingsRequest};
///
/// let question = ChatRequest::new("mistral-small-latest").user("A French cheese, one word.");
/// let first = client.chat().create(&question).await?; // borrowed: not copied
/// let second = client.chat().create(question).await?; // by value
/// let vectors = EmbeddingsRequest::new("mistral-embed", ["Brie", "Comté"]);
/// let embedded = client.embeddings().embed(&vectors).await?;
/// # let _ = (first, second, embedded);
/// # Ok(()) }
/// ```
pub trait IntoRequest<'r, R: Clone> {
    /// The request, borrowed when it is.
    fn into_request(self) -> Cow<'r, R>;
}

impl<'r, R: Clone> IntoRequest<'r, R> for &'r R {
    fn into_request(self) -> Cow<'r, R> {
        Cow::Borrowed(self)
    }
}

impl<R: Clone + 'static> IntoRequest<'static, R> for R {
    fn into_request(self) -> Cow<'static, R> {
        Cow::Owned(self)
    }
}
