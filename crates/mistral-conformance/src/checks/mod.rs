//! The checks, one module per API group (the operation table's groups): each adds its flow's
//! steps to the runner's context. Chat, FIM and embeddings share one flow ([`completions`]);
//! every operation without a flow of its own is checked from its examples ([`examples`]).

mod agents;
mod audio;
mod batch;
mod chat;
mod completions;
mod conversations;
mod examples;
pub(crate) mod files;
mod fine_tuning;
mod flow;
mod libraries;
mod models;

/// Whether one of the flows made of [`flow::Step`]s (agents, conversations, libraries) checks
/// the operation `id`.
pub(crate) fn in_step_flows(id: &str) -> bool {
    [agents::STEPS, conversations::STEPS, libraries::STEPS]
        .iter()
        .flat_map(|steps| steps.iter())
        .any(|(_, op)| op.id == id)
}
