//! The checks, one module per API group (the operation table's groups): each adds its flow's
//! steps to the runner's context. Chat, FIM and embeddings share one flow ([`completions`]);
//! every operation without a flow of its own is checked from its examples ([`examples`]).

mod audio;
mod batch;
mod chat;
mod completions;
mod examples;
pub(crate) mod files;
mod fine_tuning;
mod models;
