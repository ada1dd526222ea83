//! The library's error type.

use std::path::PathBuf;

/// What can go wrong starting or running a mock server.
///
/// ```
/// let err = mistral_mock::Error::InvalidFault("bogus".into());
/// assert!(err.to_string().contains("bogus"));
/// ```
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The listening socket could not be bound or read.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: String,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The data directory could not be created, read or written.
    #[error("data directory {path}: {message}")]
    DataDir {
        /// The directory or file involved.
        path: PathBuf,
        /// Why.
        message: String,
    },
    /// The embedded OpenAPI spec could not be loaded or compiled into validators.
    #[error("spec: {0}")]
    Spec(String),
    /// A fault specification (`x-mock-fault` syntax) that does not parse.
    #[error("invalid fault specification: {0}")]
    InvalidFault(String),
    /// An option out of range (e.g. a non-positive speed).
    #[error("invalid option: {0}")]
    InvalidOption(String),
}

impl From<mistral_spec::Error> for Error {
    fn from(e: mistral_spec::Error) -> Self {
        Error::Spec(e.to_string())
    }
}
