//! `/v1/models`: [`Models`].

use mistral_openapi::operations as ops;

use crate::client::Client;
use crate::error::Result;
use crate::meta::WithMeta;
use crate::transport::Call;
use crate::types::{DeleteModelOut, ModelList};

/// Models. Get it from [`Client::models`].
#[derive(Debug, Clone, Copy)]
pub struct Models<'c> {
    client: &'c Client,
}

impl Client {
    /// The models the key can use, and deletion of fine-tuned ones.
    pub fn models(&self) -> Models<'_> {
        Models { client: self }
    }
}

impl Models<'_> {
    /// Lists the models (`listModels`).
    ///
    /// ```no_run
    /// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
    /// use mistral_sdk::ModelExt;
    ///
    /// for model in client.models().list().await?.data {
    ///     println!("{} (owned by {})", model.id(), model.owned_by().unwrap_or("?"));
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn list(&self) -> Result<ModelList> {
        self.client.json(Call::new(&ops::LIST_MODELS)).await
    }

    /// [`Models::list`], with the response's status and headers.
    pub async fn list_with_meta(&self) -> Result<WithMeta<ModelList>> {
        self.client.json_with_meta(Call::new(&ops::LIST_MODELS)).await
    }

    /// Deletes a fine-tuned model (`delete_model_v1_models__model_id__delete`).
    ///
    /// ```no_run
    /// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
    /// let out = client.models().delete("ft:open-mistral-7b:587a6b29:20240514:7e773925").await?;
    /// assert_eq!(out.deleted, Some(true));
    /// # Ok(()) }
    /// ```
    pub async fn delete(&self, model_id: &str) -> Result<DeleteModelOut> {
        self.client.json(Call::with_path(&ops::DELETE_MODEL_V1_MODELS_MODEL_ID_DELETE, &[model_id])).await
    }
}
