//! `/v1/models`: [`Models`].

use mistral_openapi::operations as ops;

use crate::error::Result;
use crate::meta::WithMeta;
use crate::pending::{Pending, group};
use crate::transport::Call;
use crate::types::{
    ArchiveModelResponse, DeleteModelOut, FineTunedModel, Model, ModelList, UnarchiveModelResponse, UpdateModelRequest,
};

group!(
    /// The models the key can use: list, retrieve, update, archive, delete.
    Models,
    models
);

impl<'c> Models<'c> {
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
    pub fn list(&self) -> Pending<'c, ModelList> {
        self.pending(Ok(Call::new(&ops::LIST_MODELS)))
    }

    /// [`Models::list`], with the response's status, headers and raw body.
    pub async fn list_with_meta(&self) -> Result<WithMeta<ModelList>> {
        self.list().with_meta().await
    }

    /// Deletes a fine-tuned model (`delete_model_v1_models__model_id__delete`).
    ///
    /// ```no_run
    /// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
    /// let out = client.models().delete("ft:open-mistral-7b:587a6b29:20240514:7e773925").await?;
    /// assert_eq!(out.deleted, Some(true));
    /// # Ok(()) }
    /// ```
    pub fn delete(&self, model_id: &str) -> Pending<'c, DeleteModelOut> {
        self.pending(Ok(Call::with_path(&ops::DELETE_MODEL_V1_MODELS_MODEL_ID_DELETE, &[model_id])))
    }

    /// One model's card (`retrieve_model_v1_models__model_id__get`): a base model or a
    /// fine-tuned one, with its capabilities.
    ///
    /// ```no_run
    /// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
    /// use mistral_sdk::ModelExt;
    ///
    /// let card = client.models().retrieve("mistral-small-latest").await?;
    /// println!("{} is a {} model", card.id(), card.kind());
    /// # Ok(()) }
    /// ```
    pub fn retrieve(&self, model_id: &str) -> Pending<'c, Model> {
        self.pending(Ok(Call::with_path(&ops::RETRIEVE_MODEL_V1_MODELS_MODEL_ID_GET, &[model_id])))
    }

    /// Renames or re-describes a fine-tuned model
    /// (`jobs_api_routes_fine_tuning_update_fine_tuned_model`); only what is `Some` is sent.
    ///
    /// ```no_run
    /// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
    /// let model = client.models().update("ft:open-mistral-7b:587a6b29:20240514:7e773925", Some("support bot"), None).await?;
    /// # let _ = model;
    /// # Ok(()) }
    /// ```
    pub fn update(&self, model_id: &str, name: Option<&str>, description: Option<&str>) -> Pending<'c, FineTunedModel> {
        let body = UpdateModelRequest { name: name.map(str::to_string), description: description.map(str::to_string) };
        self.pending(
            Call::with_path(&ops::JOBS_API_ROUTES_FINE_TUNING_UPDATE_FINE_TUNED_MODEL, &[model_id]).json(&body),
        )
    }

    /// Archives a fine-tuned model (`jobs_api_routes_fine_tuning_archive_fine_tuned_model`).
    ///
    /// ```no_run
    /// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
    /// let model = client.models().archive("ft:open-mistral-7b:587a6b29:20240514:7e773925").await?;
    /// assert_eq!(model.archived, Some(true));
    /// # Ok(()) }
    /// ```
    pub fn archive(&self, model_id: &str) -> Pending<'c, ArchiveModelResponse> {
        self.pending(Ok(Call::with_path(&ops::JOBS_API_ROUTES_FINE_TUNING_ARCHIVE_FINE_TUNED_MODEL, &[model_id])))
    }

    /// Brings an archived fine-tuned model back
    /// (`jobs_api_routes_fine_tuning_unarchive_fine_tuned_model`).
    ///
    /// ```no_run
    /// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
    /// let model = client.models().unarchive("ft:open-mistral-7b:587a6b29:20240514:7e773925").await?;
    /// assert_eq!(model.archived, Some(false));
    /// # Ok(()) }
    /// ```
    pub fn unarchive(&self, model_id: &str) -> Pending<'c, UnarchiveModelResponse> {
        self.pending(Ok(Call::with_path(&ops::JOBS_API_ROUTES_FINE_TUNING_UNARCHIVE_FINE_TUNED_MODEL, &[model_id])))
    }
}
