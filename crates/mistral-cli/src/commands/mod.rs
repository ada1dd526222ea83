//! One module per API group (the operation table's groups): the commands of that group.

pub(crate) mod agents;
pub(crate) mod audio;
pub(crate) mod batch;
pub(crate) mod chat;
pub(crate) mod classifiers;
pub(crate) mod conversations;
pub(crate) mod embeddings;
pub(crate) mod files;
pub(crate) mod fim;
pub(crate) mod fine_tuning;
pub(crate) mod libraries;
pub(crate) mod models;
pub(crate) mod ocr;
