//! Tells, operation by operation, where a Mistral-compatible server departs from the
//! workspace's `openapi.yaml`.
//!
//! A [`Runner`] sends the operations of the table (`mistral_openapi::operations`) valid
//! requests built from the spec's own examples, then checks the status (200), the `Content-Type` (the media type the spec
//! declares) and the body against the operation's response schema, with the spec's JSON
//! Schemas (`mistral-spec`). Streamed chat and FIM completions are checked event by event
//! (framing, every event a valid `{data: CompletionChunk}`, `usage` on some chunk, `data: [DONE]` at
//! the end). Negative checks send requests without a key (401 due) and with an unknown or a
//! missing field (422 due), and check those error bodies too. Files and fine-tuning run as
//! one flow that cleans up after itself: upload, retrieve, list, create a job, get, list,
//! cancel, delete the file (and the fine-tuned model, if the job made one).
//!
//! ```no_run
//! # async fn demo() -> Result<(), mistral_conformance::Error> {
//! use mistral_conformance::{Group, Runner};
//!
//! let report = Runner::new("http://127.0.0.1:8080", "my-key")
//!     .only([Group::Chat, Group::Embeddings])
//!     .run()
//!     .await?;
//! print!("{}", report.render_table());
//! std::process::exit(if report.passed() { 0 } else { 1 });
//! # }
//! ```
//!
//! # The checks
//!
//! In the order they run (`--only` keeps the groups named; the flows' setup steps still run
//! when a selected check needs them):
//!
//! | group | checks |
//! |---|---|
//! | `chat` | `chat.create` (example `Regular`), `chat.create.function_calling`, `chat.create.json_mode`, `chat.create.tool_result` (the other non-streamed examples), `chat.stream` (example `Streamed`), `chat.no_key` (401), `chat.unknown_field` (422), `chat.missing_field` (422, without `messages`), `chat.structured_output` (a `json_schema` response format: the answer parses and fits the schema), `chat.multimodal` (text and a data-URL image in one message), `chat.reasoning_stream` (`magistral-small-latest` streamed: thinking chunks, then text; skipped on a server without that model) |
//! | `fim` | `fim.create`, `fim.stream` (the example with `stream: true`), `fim.no_key`, `fim.unknown_field`, `fim.missing_field` (without `prompt`) |
//! | `embeddings` | `embeddings.create` (also: one vector per input), `embeddings.no_key`, `embeddings.unknown_field`, `embeddings.missing_field` (without `input`) |
//! | `audio` | `audio.voices.create` (the spec's example), `audio.voices.get` (same id), `audio.voices.update` (renamed), `audio.voices.sample` (bytes), `audio.voices.delete`, `audio.transcriptions.stream` (a short WAV with `stream=true`: every named event valid against the spec's event schema, a done event last), `audio.speech.stream` (the same for speech's audio deltas); speech and transcription from their examples |
//! | `batch` | `batch.create` (the spec's example: inline requests), `batch.get` (same id), `batch.list` (contains it), `batch.cancel` (stopping or ended), `batch.no_key`, `batch.delete` |
//! | `models` | `models.list`, `models.retrieve` (the first model listed: same id), `models.no_key`; after the fine-tuning flow `models.update`, `models.archive`, `models.unarchive` (on the model the job made, else a made-up `ft:` id: 404) |
//! | `files` | `files.upload` (multipart, a small JSONL of `{"messages": [user, assistant]}` lines from the spec's example), `files.retrieve` (same id), `files.list` (contains it), `files.download` (as many bytes as its metadata says), `files.signed_url` (a URL), `files.no_key` |
//! | `fine_tuning` | `fine_tuning.create` (example `Job` on the uploaded file), `fine_tuning.get` (same id), `fine_tuning.list` (contains it), `fine_tuning.cancel` (status `CANCELLATION_REQUESTED` or `CANCELLED`), `fine_tuning.no_key` |
//! | `files` | `files.delete` (same id, `deleted: true`), run after the jobs |
//! | `models` | `models.delete`: see below |
//! | `agents` | `agents.create` (`mistral-small-latest`, a unique name: echoed), `agents.get` (same id), `agents.list` and `agents.list_pages` (filtered by its name: hold it), `agents.update` (a new description: a higher version), `agents.versions` (both), `agents.version` (the first), `agents.switch_version` (back to the first), `agents.alias_set` (`conformance` on the new version), `agents.aliases` (holds it), `agents.alias_delete`, `agents.complete` (`/v1/agents/completions`: an answer), `agents.delete` |
//! | `conversations` | `conversations.start` (a model, one question: outputs), `conversations.start_stream` (`store: false`: every named event valid against the spec's event schema, a done event last), `conversations.append`, `conversations.append_stream`, `conversations.history` (six entries), `conversations.messages`, `conversations.restart` (from the first entry; the new conversation deleted), `conversations.restart_stream` (`store: false`), `conversations.get`, `conversations.list` (holds it), `conversations.delete` |
//! | `libraries` | `libraries.create`, `libraries.get`, `libraries.list` (searched by name: holds it), `libraries.update` (description), `libraries.replace` (deprecated PUT: name), `libraries.documents.upload` (a text file), `libraries.documents.status` (polled until processed: `done`), `libraries.documents.list`, `.get`, `.update`, `.replace`, `.text` (holds the file's words), `.signed_url` and `.extracted_text_url` (URLs), `.reprocess`, `.delete`, `libraries.accesses.set` (a user as viewer), `libraries.accesses.list` (holds it), `libraries.accesses.delete` (its JSON body), `libraries.delete` |
//! | every group | `<group>.<operationId>` for each other operation: its spec example, which must get the operation's success answer in its schema (a declared 404, for the example's made-up id, is a skip). [`Examples`] picks which: by default the harmless ones (reads and stateless calls), since creations are not cleaned up |
//!
//! `models.delete` never deletes a model the run did not make. If the fine-tuning job made a
//! model (`fine_tuned_model` in its answers, e.g. a job that finished before it was
//! cancelled), that model is deleted and the check expects 200 with `deleted: true`.
//! Otherwise the check deletes an `ft:` model id that does not exist and expects 404 with a
//! body matching the spec's error schema.
//!
//! A check whose prerequisite could not be had (no file id from the upload, no job id from
//! the create) is [`Outcome::Skip`] with the reason. A prerequisite that answered with some
//! departure but still gave its id (a file uploaded with a wrongly typed field, say) fails
//! its own check and lets the later ones run, so that what the run created is still cleaned
//! up. Clean-up steps of groups that were not selected are not reported as checks; if they
//! fail, [`Report::notes`] says so.
//!
//! Every request is bounded by [`Runner::timeout`]; no server behaviour (garbage bodies,
//! wrong content types, resets, endless streams) panics the runner: each ends as a failure
//! with a message.

#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod check;
mod checks;
mod http;
mod report;
mod runner;
mod spec_data;
mod stream;

pub use report::{Aspect, CheckResult, Outcome, Report, Summary};
pub use runner::{DEFAULT_TIMEOUT, Examples, MAX_TIMEOUT, PLACEHOLDER_API_KEY, Runner};

/// What can stop a run before any check.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// `--only` named a group that does not exist.
    #[error("{}", mistral_openapi::operations::UnknownGroup(.0.clone()))]
    UnknownGroup(String),
    /// The base URL cannot be used.
    #[error("invalid base URL {url:?}: {reason}")]
    InvalidBaseUrl {
        /// As given.
        url: String,
        /// Why.
        reason: String,
    },
    /// The embedded spec cannot be read.
    #[error("cannot read the spec: {0}")]
    Spec(#[from] mistral_spec::Error),
    /// The HTTP client cannot be built (e.g. TLS setup).
    #[error("cannot build the HTTP client: {0}")]
    Client(#[source] reqwest::Error),
}

/// A group of checks, as `--only` names them: the API groups of the operation table (the
/// spec's tags), e.g. `chat`, `fine_tuning` (also spelled `fine-tuning`).
pub use mistral_openapi::operations::Group;

/// The group named `s`, case-insensitively (`-` for `_`; `jobs` is `fine_tuning`).
///
/// ```
/// use mistral_conformance::{Group, parse_group};
/// assert_eq!(parse_group("Fine-Tuning").unwrap(), Group::FineTuning);
/// assert_eq!(parse_group("jobs").unwrap(), Group::FineTuning);
/// assert!(parse_group("chats").is_err());
/// ```
pub fn parse_group(s: &str) -> Result<Group, Error> {
    if s.trim().eq_ignore_ascii_case("jobs") {
        return Ok(Group::FineTuning);
    }
    s.parse().map_err(|_| Error::UnknownGroup(s.to_string()))
}

#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
