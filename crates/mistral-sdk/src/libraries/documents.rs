//! The documents of one library: [`Documents`] (upload, list, read, update, delete, status,
//! processing wait, text, signed URLs, reprocessing) and [`DocumentFilter`].

use std::borrow::Cow;

use futures::{Stream, StreamExt};

use mistral_openapi::operations as ops;

use crate::client::Client;
use crate::error::{Error, Result};
use crate::files::FileUpload;
use crate::pending::Pending;
use crate::transport::Call;
use crate::types::{
    Document, DocumentTextContent, KnownProcessStatus, ListDocumentsResponse, ProcessStatus, ProcessingStatus,
    UpdateDocumentRequest,
};
use crate::watch::{WatchOptions, Watched, poll};

/// The documents of one library ([`Libraries::documents`](crate::Libraries::documents)).
#[derive(Debug, Clone)]
pub struct Documents<'c> {
    client: Cow<'c, Client>,
    library_id: String,
}

impl<'c> Documents<'c> {
    pub(crate) fn new(client: Cow<'c, Client>, library_id: String) -> Documents<'c> {
        Documents { client, library_id }
    }

    fn at(&self, op: &'static mistral_openapi::operations::Operation, document_id: &str) -> Call {
        Call::with_path(op, &[&self.library_id, document_id])
    }

    /// Uploads a document (`libraries_documents_upload_v1`) as a streamed multipart form: a
    /// file from a path is read as it is sent and again if the upload is retried (a reader is
    /// not retried). The upload's purpose, visibility and expiry, for files, are not for
    /// documents: leave them unset.
    ///
    /// ```no_run
    /// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
    /// use mistral_sdk::FileUpload;
    ///
    /// let documents = client.libraries().documents("0b8f3d2e-6a1c-4f7e-9d5b-2c4a6e8f0a1b");
    /// let document = documents.upload(FileUpload::from_path("handbook.pdf")).await?;
    /// println!("{} uploaded: {}", document.name, document.processing_status);
    /// # Ok(()) }
    /// ```
    pub fn upload(&self, upload: FileUpload) -> Pending<'c, Document> {
        let library_id = self.library_id.clone();
        Pending::later(&self.client, async move {
            let mut call = Call::with_path(&ops::LIBRARIES_DOCUMENTS_UPLOAD_V1, &[&library_id]);
            call.body = upload.into_body().await?;
            Ok(call)
        })
    }

    /// One page of the library's documents (`libraries_documents_list_v1`).
    ///
    /// ```no_run
    /// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
    /// use mistral_sdk::DocumentFilter;
    ///
    /// let documents = client.libraries().documents("0b8f3d2e-6a1c-4f7e-9d5b-2c4a6e8f0a1b");
    /// for document in documents.list(DocumentFilter::new().search("handbook")).await?.data {
    ///     println!("{} {}", document.id, document.name);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list(&self, filter: DocumentFilter) -> Pending<'c, ListDocumentsResponse> {
        let call = filter.apply(Call::with_path(&ops::LIBRARIES_DOCUMENTS_LIST_V1, &[&self.library_id]));
        Pending::new(&self.client, Ok(call))
    }

    /// Every page of the documents `filter` selects, from its `page` (default 0) on, until a
    /// short page (or the announced total). Pages are fetched as the stream is polled.
    pub fn pages(&self, filter: DocumentFilter) -> impl Stream<Item = Result<ListDocumentsResponse>> + Send + 'c {
        let size = filter.page_size.unwrap_or(DEFAULT_PAGE_SIZE);
        let first = filter.page.unwrap_or(0);
        let library_id = self.library_id.clone();
        let call = move |page, size| {
            let mut filter = filter.clone();
            (filter.page, filter.page_size) = (Some(page), Some(size));
            filter.apply(Call::with_path(&ops::LIBRARIES_DOCUMENTS_LIST_V1, &[&library_id]))
        };
        crate::paging::pages(self.client.clone(), first, size, call, |out: &ListDocumentsResponse| {
            (out.data.len(), u64::try_from(out.pagination.total_items).ok())
        })
    }

    /// One document (`libraries_documents_get_v1`).
    ///
    /// ```no_run
    /// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
    /// let documents = client.libraries().documents("0b8f3d2e-6a1c-4f7e-9d5b-2c4a6e8f0a1b");
    /// let document = documents.get("497f6eca-6276-4993-bfeb-53cbbbba6f09").await?;
    /// println!("{} ({:?} bytes)", document.name, document.size);
    /// # Ok(()) }
    /// ```
    pub fn get(&self, document_id: impl std::fmt::Display) -> Pending<'c, Document> {
        Pending::new(&self.client, Ok(self.at(&ops::LIBRARIES_DOCUMENTS_GET_V1, &document_id.to_string())))
    }

    /// Changes a document's name, attributes or expiry (`libraries_documents_patch_v1`).
    ///
    /// ```no_run
    /// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
    /// use mistral_sdk::types::UpdateDocumentRequest;
    ///
    /// let documents = client.libraries().documents("0b8f3d2e-6a1c-4f7e-9d5b-2c4a6e8f0a1b");
    /// let rename = UpdateDocumentRequest { name: Some("rules.pdf".into()), ..Default::default() };
    /// let document = documents.update("497f6eca-6276-4993-bfeb-53cbbbba6f09", rename).await?;
    /// assert_eq!(document.name, "rules.pdf");
    /// # Ok(()) }
    /// ```
    pub fn update(&self, document_id: impl std::fmt::Display, update: UpdateDocumentRequest) -> Pending<'c, Document> {
        let call = self.at(&ops::LIBRARIES_DOCUMENTS_PATCH_V1, &document_id.to_string()).json(&update);
        Pending::new(&self.client, call)
    }

    /// Deletes a document (`libraries_documents_delete_v1`).
    ///
    /// ```no_run
    /// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
    /// let documents = client.libraries().documents("0b8f3d2e-6a1c-4f7e-9d5b-2c4a6e8f0a1b");
    /// documents.delete("497f6eca-6276-4993-bfeb-53cbbbba6f09").await?;
    /// # Ok(()) }
    /// ```
    pub fn delete(&self, document_id: impl std::fmt::Display) -> Pending<'c, ()> {
        Pending::new(&self.client, Ok(self.at(&ops::LIBRARIES_DOCUMENTS_DELETE_V1, &document_id.to_string())))
    }

    /// Where the document's processing is (`libraries_documents_get_status_v1`).
    ///
    /// ```no_run
    /// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
    /// let documents = client.libraries().documents("0b8f3d2e-6a1c-4f7e-9d5b-2c4a6e8f0a1b");
    /// let status = documents.status("497f6eca-6276-4993-bfeb-53cbbbba6f09").await?;
    /// println!("{} ({})", status.process_status, status.processing_status);
    /// # Ok(()) }
    /// ```
    pub fn status(&self, document_id: impl std::fmt::Display) -> Pending<'c, ProcessingStatus> {
        Pending::new(&self.client, Ok(self.at(&ops::LIBRARIES_DOCUMENTS_GET_STATUS_V1, &document_id.to_string())))
    }

    /// Polls the document's status (as [`WatchOptions`] say) until its processing ended, and
    /// gives that last status: `done`, or `error`, `noop`, `missing_content`... (a status this
    /// release does not know ends the wait too).
    pub async fn wait_processed(
        &self,
        document_id: impl std::fmt::Display,
        options: WatchOptions,
    ) -> Result<ProcessingStatus> {
        let this =
            Documents { client: Cow::Owned(self.client.clone().into_owned()), library_id: self.library_id.clone() };
        let id = document_id.to_string();
        let snapshots = poll(move || this.status(id.clone()).into_future(), options);
        let mut snapshots = std::pin::pin!(snapshots);
        let mut last = None;
        while let Some(snapshot) = snapshots.next().await {
            last = Some(snapshot?);
        }
        last.ok_or_else(|| Error::stream("the status polling ended without a status"))
    }

    /// The document's extracted text (`libraries_documents_get_text_content_v1`), whole or
    /// from page `page_start` to `page_end`.
    ///
    /// ```no_run
    /// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
    /// let documents = client.libraries().documents("0b8f3d2e-6a1c-4f7e-9d5b-2c4a6e8f0a1b");
    /// let first_pages = documents.text_content("497f6eca-6276-4993-bfeb-53cbbbba6f09", Some(0), Some(2)).await?;
    /// println!("{}", first_pages.text);
    /// # Ok(()) }
    /// ```
    pub fn text_content(
        &self,
        document_id: impl std::fmt::Display,
        page_start: Option<u64>,
        page_end: Option<u64>,
    ) -> Pending<'c, DocumentTextContent> {
        let call = self
            .at(&ops::LIBRARIES_DOCUMENTS_GET_TEXT_CONTENT_V1, &document_id.to_string())
            .query("page_start", page_start)
            .query("page_end", page_end);
        Pending::new(&self.client, Ok(call))
    }

    /// A temporary URL of the document's file (`libraries_documents_get_signed_url_v1`).
    ///
    /// ```no_run
    /// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
    /// let documents = client.libraries().documents("0b8f3d2e-6a1c-4f7e-9d5b-2c4a6e8f0a1b");
    /// println!("{}", documents.signed_url("497f6eca-6276-4993-bfeb-53cbbbba6f09").await?);
    /// # Ok(()) }
    /// ```
    pub fn signed_url(&self, document_id: impl std::fmt::Display) -> Pending<'c, String> {
        Pending::new(&self.client, Ok(self.at(&ops::LIBRARIES_DOCUMENTS_GET_SIGNED_URL_V1, &document_id.to_string())))
    }

    /// A temporary URL of the document's extracted text
    /// (`libraries_documents_get_extracted_text_signed_url_v1`).
    ///
    /// ```no_run
    /// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
    /// let documents = client.libraries().documents("0b8f3d2e-6a1c-4f7e-9d5b-2c4a6e8f0a1b");
    /// println!("{}", documents.extracted_text_url("497f6eca-6276-4993-bfeb-53cbbbba6f09").await?);
    /// # Ok(()) }
    /// ```
    pub fn extracted_text_url(&self, document_id: impl std::fmt::Display) -> Pending<'c, String> {
        let op = &ops::LIBRARIES_DOCUMENTS_GET_EXTRACTED_TEXT_SIGNED_URL_V1;
        Pending::new(&self.client, Ok(self.at(op, &document_id.to_string())))
    }

    /// Processes the document again (`libraries_documents_reprocess_v1`).
    ///
    /// ```no_run
    /// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
    /// let documents = client.libraries().documents("0b8f3d2e-6a1c-4f7e-9d5b-2c4a6e8f0a1b");
    /// documents.reprocess("497f6eca-6276-4993-bfeb-53cbbbba6f09").await?;
    /// # Ok(()) }
    /// ```
    pub fn reprocess(&self, document_id: impl std::fmt::Display) -> Pending<'c, ()> {
        Pending::new(&self.client, Ok(self.at(&ops::LIBRARIES_DOCUMENTS_REPROCESS_V1, &document_id.to_string())))
    }
}

const DEFAULT_PAGE_SIZE: u64 = 100;

impl Watched for ProcessingStatus {
    type Key = String;

    fn key(&self) -> String {
        self.process_status.to_string()
    }

    fn is_final(&self) -> bool {
        !matches!(
            self.process_status,
            ProcessStatus::Known(
                KnownProcessStatus::Todo | KnownProcessStatus::InProgress | KnownProcessStatus::WaitingForCapacity
            )
        )
    }
}

/// Which documents [`Documents::list`] and [`Documents::pages`] give; every filter optional.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DocumentFilter {
    search: Option<String>,
    page: Option<u64>,
    page_size: Option<u64>,
    filters_attributes: Option<String>,
    sort_by: Option<String>,
    sort_order: Option<String>,
}

impl DocumentFilter {
    /// No filter.
    pub fn new() -> DocumentFilter {
        DocumentFilter::default()
    }

    /// Only documents whose name contains this text.
    pub fn search(mut self, text: impl Into<String>) -> Self {
        self.search = Some(text.into());
        self
    }

    /// The page, from 0 (default 0).
    pub fn page(mut self, page: u64) -> Self {
        self.page = Some(page);
        self
    }

    /// Documents per page (the server's default otherwise; 100 for [`Documents::pages`]).
    pub fn page_size(mut self, size: u64) -> Self {
        self.page_size = Some(size);
        self
    }

    /// Only documents whose attributes match this filter (a JSON value, as the API takes it).
    pub fn attributes(mut self, filter: &serde_json::Value) -> Self {
        self.filters_attributes = Some(filter.to_string());
        self
    }

    /// Sorted by this field (`created_at`, `name`...), `asc` or `desc`.
    pub fn sort(mut self, by: impl Into<String>, order: impl Into<String>) -> Self {
        self.sort_by = Some(by.into());
        self.sort_order = Some(order.into());
        self
    }

    fn apply(self, call: Call) -> Call {
        call.query("search", self.search)
            .query("page_size", self.page_size)
            .query("page", self.page)
            .query("filters_attributes", self.filters_attributes)
            .query("sort_by", self.sort_by)
            .query("sort_order", self.sort_order)
    }
}
