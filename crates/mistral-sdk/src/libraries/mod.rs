//! `/v1/libraries`: [`Libraries`] (document stores for retrieval), their [`Documents`] and who
//! may access them ([`Accesses`]).

mod documents;

pub use documents::{DocumentFilter, Documents};

use mistral_openapi::operations as ops;

use crate::error::Error;
use crate::pending::{Pending, group};
use crate::transport::Call;
use crate::types::{
    CreateLibraryRequest, Library, ListLibrariesResponse, ListSharingResponse, Sharing, SharingDelete, SharingRequest,
    UpdateLibraryRequest,
};

group!(
    /// Libraries: document stores agents search (`document_library` tool), their documents
    /// and who may access them.
    Libraries,
    libraries
);

impl<'c> Libraries<'c> {
    /// Creates a library (`libraries_create_v1`).
    ///
    /// ```no_run
    /// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
    /// use mistral_sdk::{FileUpload, NewLibrary};
    ///
    /// let library = client.libraries().create(NewLibrary::new("handbook").description("The team's rules")).await?;
    /// let documents = client.libraries().documents(&library.id);
    /// let document = documents.upload(FileUpload::from_path("handbook.pdf")).await?;
    /// let status = documents.wait_processed(&document.id, Default::default()).await?;
    /// println!("{}", status.process_status);
    /// # Ok(()) }
    /// ```
    pub fn create(&self, library: impl Into<NewLibrary>) -> Pending<'c, Library> {
        let request = library.into().inner;
        let call = if request.name.trim().is_empty() {
            Err(Error::InvalidRequest("the library's name is empty".into()))
        } else {
            Call::new(&ops::LIBRARIES_CREATE_V1).json(&request)
        };
        self.pending(call)
    }

    /// The libraries you can access (`libraries_list_v1`), one page; `search` matches names.
    ///
    /// ```no_run
    /// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
    /// for library in client.libraries().list(Some("handbook"), Some(20), None).await?.data {
    ///     println!("{} {} ({} documents)", library.id, library.name, library.nb_documents);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list(
        &self,
        search: Option<&str>,
        page_size: Option<u64>,
        page_token: Option<&str>,
    ) -> Pending<'c, ListLibrariesResponse> {
        let call = Call::new(&ops::LIBRARIES_LIST_V1)
            .query("search", search)
            .query("page_size", page_size)
            .query("page_token", page_token);
        self.pending(Ok(call))
    }

    /// One library (`libraries_get_v1`).
    ///
    /// ```no_run
    /// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
    /// let library = client.libraries().get("0b8f3d2e-6a1c-4f7e-9d5b-2c4a6e8f0a1b").await?;
    /// println!("{}: {} bytes", library.name, library.total_size);
    /// # Ok(()) }
    /// ```
    pub fn get(&self, library_id: impl std::fmt::Display) -> Pending<'c, Library> {
        let id = library_id.to_string();
        self.pending(Ok(Call::with_path(&ops::LIBRARIES_GET_V1, &[&id])))
    }

    /// Changes a library's name or description (`libraries_patch_v1`): only what is set.
    ///
    /// ```no_run
    /// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
    /// use mistral_sdk::types::UpdateLibraryRequest;
    ///
    /// let rename = UpdateLibraryRequest { name: Some("rules".into()), ..Default::default() };
    /// let library = client.libraries().update("0b8f3d2e-6a1c-4f7e-9d5b-2c4a6e8f0a1b", rename).await?;
    /// assert_eq!(library.name, "rules");
    /// # Ok(()) }
    /// ```
    pub fn update(&self, library_id: impl std::fmt::Display, update: UpdateLibraryRequest) -> Pending<'c, Library> {
        let id = library_id.to_string();
        self.pending(Call::with_path(&ops::LIBRARIES_PATCH_V1, &[&id]).json(&update))
    }

    /// Deletes a library and its documents (`libraries_delete_v1`); gives the library as it
    /// was when the server says so.
    ///
    /// ```no_run
    /// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
    /// client.libraries().delete("0b8f3d2e-6a1c-4f7e-9d5b-2c4a6e8f0a1b").await?;
    /// # Ok(()) }
    /// ```
    pub fn delete(&self, library_id: impl std::fmt::Display) -> Pending<'c, Option<Library>> {
        let id = library_id.to_string();
        self.pending(Ok(Call::with_path(&ops::LIBRARIES_DELETE_V1, &[&id])))
    }

    /// The documents of a library.
    pub fn documents(&self, library_id: impl std::fmt::Display) -> Documents<'c> {
        Documents::new(self.client.clone(), library_id.to_string())
    }

    /// Who may access a library.
    pub fn accesses(&self, library_id: impl std::fmt::Display) -> Accesses<'c> {
        Accesses { client: self.client.clone(), library_id: library_id.to_string() }
    }
}

/// Who may access one library ([`Libraries::accesses`]): users, workspaces, organizations.
#[derive(Debug, Clone)]
pub struct Accesses<'c> {
    client: std::borrow::Cow<'c, crate::client::Client>,
    library_id: String,
}

impl<'c> Accesses<'c> {
    /// Every access to the library (`libraries_share_list_v1`).
    ///
    /// ```no_run
    /// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
    /// let accesses = client.libraries().accesses("0b8f3d2e-6a1c-4f7e-9d5b-2c4a6e8f0a1b");
    /// for access in accesses.list().await?.data {
    ///     println!("{} {}: {}", access.share_with_type, access.share_with_uuid.unwrap_or_default(), access.role);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn list(&self) -> Pending<'c, ListSharingResponse> {
        Pending::new(&self.client, Ok(Call::with_path(&ops::LIBRARIES_SHARE_LIST_V1, &[&self.library_id])))
    }

    /// Gives (or changes) an access level (`libraries_share_create_v1`).
    ///
    /// ```no_run
    /// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
    /// use mistral_sdk::types::{EntityType, KnownEntityType, KnownShareEnum, ShareEnum, SharingRequest};
    ///
    /// let accesses = client.libraries().accesses("0b8f3d2e-6a1c-4f7e-9d5b-2c4a6e8f0a1b");
    /// let access = accesses
    ///     .set(SharingRequest {
    ///         level: ShareEnum::Known(KnownShareEnum::Viewer),
    ///         org_id: None,
    ///         share_with_type: EntityType::Known(KnownEntityType::User),
    ///         share_with_uuid: "7c2f8a61-3b4d-4e5f-9a0b-1c2d3e4f5a6b".parse().expect("a UUID"),
    ///     })
    ///     .await?;
    /// println!("{}", access.role);
    /// # Ok(()) }
    /// ```
    pub fn set(&self, access: SharingRequest) -> Pending<'c, Sharing> {
        Pending::new(&self.client, Call::with_path(&ops::LIBRARIES_SHARE_CREATE_V1, &[&self.library_id]).json(&access))
    }

    /// Takes an access away (`libraries_share_delete_v1`); gives it as it was when the server
    /// says so.
    ///
    /// ```no_run
    /// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
    /// use mistral_sdk::types::{EntityType, KnownEntityType, SharingDelete};
    ///
    /// let accesses = client.libraries().accesses("0b8f3d2e-6a1c-4f7e-9d5b-2c4a6e8f0a1b");
    /// accesses
    ///     .delete(SharingDelete {
    ///         org_id: None,
    ///         share_with_type: EntityType::Known(KnownEntityType::User),
    ///         share_with_uuid: "7c2f8a61-3b4d-4e5f-9a0b-1c2d3e4f5a6b".parse().expect("a UUID"),
    ///     })
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn delete(&self, access: SharingDelete) -> Pending<'c, Option<Sharing>> {
        Pending::new(&self.client, Call::with_path(&ops::LIBRARIES_SHARE_DELETE_V1, &[&self.library_id]).json(&access))
    }
}

/// A library to create: its name, and optionally a description and a chunk size. Any
/// [`CreateLibraryRequest`] or name converts into one.
///
/// ```
/// use mistral_sdk::NewLibrary;
///
/// let library = NewLibrary::new("handbook").description("The team's rules").chunk_size(512);
/// assert_eq!(
///     serde_json::to_value(library.request()).unwrap(),
///     serde_json::json!({"name": "handbook", "description": "The team's rules", "chunk_size": 512})
/// );
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct NewLibrary {
    inner: CreateLibraryRequest,
}

impl NewLibrary {
    /// A library named `name`.
    pub fn new(name: impl Into<String>) -> NewLibrary {
        NewLibrary {
            inner: CreateLibraryRequest { chunk_size: None, description: None, name: name.into(), owner_type: None },
        }
    }

    /// What it holds.
    pub fn description(mut self, description: impl Into<String>) -> Self {
        self.inner.description = Some(description.into());
        self
    }

    /// The size of the chunks its documents are cut into for search.
    pub fn chunk_size(mut self, size: i64) -> Self {
        self.inner.chunk_size = Some(size);
        self
    }

    /// The wire request as it stands.
    pub fn request(&self) -> &CreateLibraryRequest {
        &self.inner
    }
}

impl From<CreateLibraryRequest> for NewLibrary {
    fn from(inner: CreateLibraryRequest) -> Self {
        NewLibrary { inner }
    }
}

impl From<&str> for NewLibrary {
    fn from(name: &str) -> Self {
        NewLibrary::new(name)
    }
}

impl From<String> for NewLibrary {
    fn from(name: String) -> Self {
        NewLibrary::new(name)
    }
}
