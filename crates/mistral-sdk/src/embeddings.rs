//! `POST /v1/embeddings`: [`Embeddings`].

use mistral_openapi::operations as ops;

use crate::pending::{Pending, group};
use crate::error::{Error, Result};
use crate::meta::WithMeta;
use crate::transport::Call;
use crate::types::{EmbeddingInput, EmbeddingRequest, EmbeddingResponse};

group!(
    /// Vector embeddings of text.
    Embeddings,
    embeddings
);

impl<'c> Embeddings<'c> {
    /// Embeds each input (`createEmbedding`); the vectors come back in input order.
    ///
    /// ```no_run
    /// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
    /// let response = client.embeddings().create("mistral-embed", ["Hello", "world"]).await?;
    /// assert_eq!(response.data.len(), 2);
    /// # Ok(()) }
    /// ```
    pub fn create(
        &self,
        model: impl Into<String>,
        inputs: impl IntoIterator<Item = impl Into<String>>,
    ) -> Pending<'c, EmbeddingResponse> {
        self.create_request(&request(model, inputs))
    }

    /// Sends a full [`EmbeddingRequest`].
    pub fn create_request(&self, request: &EmbeddingRequest) -> Pending<'c, EmbeddingResponse> {
        self.pending(call(request))
    }

    /// [`Embeddings::create_request`], with the response's status, headers and raw body.
    pub async fn create_with_meta(&self, request: &EmbeddingRequest) -> Result<WithMeta<EmbeddingResponse>> {
        self.create_request(request).with_meta().await
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
