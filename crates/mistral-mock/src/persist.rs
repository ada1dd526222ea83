//! The data directory: `state.json` (files' metadata, jobs, deleted models) and
//! `files/<id>` (uploaded bytes). Written after every change, atomically (temp file + rename).

use std::path::{Path, PathBuf};

use uuid::Uuid;

use crate::Error;
use crate::api_error::ApiError;
use crate::store::Store;

/// A data directory in use.
#[derive(Debug)]
pub(crate) struct Persist {
    dir: PathBuf,
    /// Serialises writers so that a later state is never overwritten by an earlier one.
    lock: tokio::sync::Mutex<()>,
}

fn dir_error(path: &Path, e: impl std::fmt::Display) -> Error {
    Error::DataDir { path: path.to_path_buf(), message: e.to_string() }
}

impl Persist {
    /// Opens (creating it if needed) `dir`, loading the state saved there.
    pub(crate) fn open(dir: &Path) -> Result<(Persist, Store), Error> {
        let files = dir.join("files");
        std::fs::create_dir_all(&files).map_err(|e| dir_error(&files, e))?;
        let state = dir.join("state.json");
        let store = match std::fs::read(&state) {
            Ok(bytes) => serde_json::from_slice(&bytes).map_err(|e| dir_error(&state, e))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Store::default(),
            Err(e) => return Err(dir_error(&state, e)),
        };
        Ok((Persist { dir: dir.to_path_buf(), lock: tokio::sync::Mutex::new(()) }, store))
    }

    fn file_path(&self, id: Uuid) -> PathBuf {
        self.dir.join("files").join(id.to_string())
    }

    /// Writes the state produced by `snapshot` (called while holding the writer lock).
    pub(crate) async fn save(&self, snapshot: impl FnOnce() -> serde_json::Result<Vec<u8>>) -> Result<(), ApiError> {
        let _guard = self.lock.lock().await;
        let bytes = snapshot().map_err(internal)?;
        let tmp = self.dir.join("state.json.tmp");
        tokio::fs::write(&tmp, bytes).await.map_err(internal)?;
        tokio::fs::rename(&tmp, self.dir.join("state.json")).await.map_err(internal)
    }

    /// Stores an uploaded file's bytes.
    pub(crate) async fn write_file(&self, id: Uuid, bytes: &[u8]) -> Result<(), ApiError> {
        tokio::fs::write(self.file_path(id), bytes).await.map_err(internal)
    }

    /// An uploaded file's bytes, if they are there.
    pub(crate) async fn read_file(&self, id: Uuid) -> Option<bytes::Bytes> {
        tokio::fs::read(self.file_path(id)).await.ok().map(bytes::Bytes::from)
    }

    /// Removes an uploaded file's bytes (absent is fine).
    pub(crate) async fn remove_file(&self, id: Uuid) {
        let _ = tokio::fs::remove_file(self.file_path(id)).await;
    }
}

fn internal(e: impl std::fmt::Display) -> ApiError {
    ApiError::object(
        axum::http::StatusCode::INTERNAL_SERVER_ERROR,
        format!("Internal server error: cannot write the data directory: {e}"),
        "internal_error",
        None,
    )
}
