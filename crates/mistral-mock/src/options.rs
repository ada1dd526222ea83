//! What a mock server can be configured with.

use std::path::PathBuf;
use std::time::Duration;

use crate::faults::Faults;

/// Settings of a mock server, for [`serve`](crate::serve) or through
/// [`MockServerBuilder`](crate::MockServerBuilder).
///
/// ```
/// let mut options = mistral_mock::Options::default();
/// options.api_keys.push("test-key".into());
/// options.speed = 1000.0; // jobs finish ~20x faster than by default
/// assert_eq!(options.body_limit, 8 * 1024 * 1024);
/// ```
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct Options {
    /// Accepted bearer keys. Empty: any non-empty key is accepted.
    pub api_keys: Vec<String>,
    /// Simulated seconds per real second for fine-tuning and batch jobs (default 50: a 10-step
    /// job, 110 simulated seconds, finishes in about 2.2 s, and so does a batch of 10 requests).
    pub speed: f64,
    /// Where files, jobs and voices persist across restarts; `None` keeps everything in memory.
    pub data_dir: Option<PathBuf>,
    /// The largest JSON request body, in bytes (default 8 MiB); larger ones get 413.
    pub body_limit: usize,
    /// The largest file upload, in bytes (default 512 MiB, as the real API).
    pub upload_limit: usize,
    /// Answer the first this many requests with 503 (default 0).
    pub fail_first: u64,
    /// Faults applied to every request that carries no `x-mock-fault` header.
    pub faults: Option<Faults>,
    /// Pause between streamed chunks (default none).
    pub token_delay: Duration,
    /// How long a shutdown waits for open connections before closing them (default 2 s).
    pub shutdown_grace: Duration,
    /// Serve the admin API (`/__mock/rules`, `/__mock/requests`): scripted answers and the
    /// journal over HTTP, for tests in other languages (default off).
    pub admin: bool,
    /// Append every request received (as the journal has it) to `requests.jsonl` in this
    /// directory, for debugging (default none).
    pub record: Option<PathBuf>,
    /// Whether the fine-tuning job routes train simulated jobs (the default, as clients of the
    /// seed era expect) or answer 410 Gone, as the live API has since it retired them.
    pub fine_tuning: FineTuningMode,
    /// Whether the beta groups keep state of their own rather than answer from the spec's
    /// examples: agents (create, versions, aliases, completions through the chat engine with
    /// the agent's model and instructions) and conversations (with a model or an agent, their
    /// entries, answers and named-event streams from the chat engine), libraries (documents
    /// processed on the simulated clock, searched by the `document_library` tool). On by
    /// default; off, they answer every request with the spec's examples (ids made up), as a
    /// plain contract stub would.
    pub stateful_beta: bool,
}

/// How the mock serves the fine-tuning job routes (see [`Options::fine_tuning`]).
///
/// ```
/// let mut options = mistral_mock::Options::default();
/// options.fine_tuning = mistral_mock::FineTuningMode::Retired; // 410 Gone, as today
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum FineTuningMode {
    /// Jobs are created, train on the simulated clock and yield models.
    #[default]
    Simulated,
    /// Every fine-tuning job route answers 410 with the API's error body.
    Retired,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            api_keys: Vec::new(),
            speed: 50.0,
            data_dir: None,
            body_limit: 8 * 1024 * 1024,
            upload_limit: 512 * 1024 * 1024,
            fail_first: 0,
            faults: None,
            token_delay: Duration::ZERO,
            shutdown_grace: Duration::from_secs(2),
            admin: false,
            record: None,
            fine_tuning: FineTuningMode::Simulated,
            stateful_beta: true,
        }
    }
}

impl Options {
    /// Checks values that have a valid range.
    pub(crate) fn check(&self) -> Result<(), crate::Error> {
        if !(self.speed.is_finite() && self.speed > 0.0) {
            return Err(crate::Error::InvalidOption(format!("speed must be a positive number, not {}", self.speed)));
        }
        if self.api_keys.iter().any(String::is_empty) {
            return Err(crate::Error::InvalidOption("an API key cannot be empty".into()));
        }
        Ok(())
    }
}
