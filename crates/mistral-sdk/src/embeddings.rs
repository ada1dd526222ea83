//! `POST /v1/embeddings`: [`Embeddings`].

use mistral_openapi::operations as ops;

use crate::client::Client;
use crate::error::{Error, Result};
use crate::meta::WithMeta;
use crate::transport::Call;
use crate::types::{EmbeddingInput, EmbeddingRequest, EmbeddingResponse};

/// Embeddings. Get it from [`Client::embeddings`].
#[derive(Debug, Clone, Copy)]
pub struct Embeddings<'c> {
    client: &'c Client,
}

impl Client {
    /// Vector embeddings of text.
    pub fn embeddings(&self) -> Embeddings<'_> {
        Embeddings { client: self }
    }
}

impl Embeddings<'_> {
    /// Embeds each input (`createEmbedding`); the vectors come back in input order.
    ///
    /// ```no_run
    /// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
    /// let response = client.embeddings().create("mistral-embed", ["Hello", "world"]).await?;
    /// assert_eq!(response.data.len(), 2);
    /// # Ok(()) }
    /// ```
    pub async fn create(
        &self,
        model: impl Into<String>,
        inputs: impl IntoIterator<Item = impl Into<String>>,
    ) -> Result<EmbeddingResponse> {
        self.create_request(&request(model, inputs)).await
    }

    /// Sends a full [`EmbeddingRequest`].
    pub async fn create_request(&self, request: &EmbeddingRequest) -> Result<EmbeddingResponse> {
        self.client.json(call(request)?).await
    }

    /// [`Embeddings::create_request`], with the response's status and headers.
    pub async fn create_with_meta(&self, request: &EmbeddingRequest) -> Result<WithMeta<EmbeddingResponse>> {
        self.client.json_with_meta(call(request)?).await
    }
}

fn request(model: impl Into<String>, inputs: impl IntoIterator<Item = impl Into<String>>) -> EmbeddingRequest {
    EmbeddingRequest {
        model: model.into(),
        input: EmbeddingInput::Array(inputs.into_iter().map(Into::into).collect()),
        encoding_format: None,
        metadata: None,
        output_dimension: None,
        output_dtype: None,
    }
}

fn call(request: &EmbeddingRequest) -> Result<Call> {
    if let EmbeddingInput::Array(items) = &request.input
        && items.is_empty()
    {
        return Err(Error::InvalidRequest("nothing to embed: the input is empty".into()));
    }
    Call::new(&ops::CREATE_EMBEDDING).json(request)
}
