//! The command line, as `clap` derive definitions.

use chrono::{DateTime, Utc};
use clap::{Args, Parser, Subcommand};

/// `mistral`: talk to the Mistral AI API from the shell.
#[derive(Debug, Parser)]
#[command(
    name = "mistral",
    version,
    about = "Talk to the Mistral AI API: chat, FIM, embeddings, models, files, batch, OCR, moderation, audio, agents, conversations, libraries",
    propagate_version = true
)]
pub struct Cli {
    /// Global settings (connection, output format).
    #[command(flatten)]
    pub global: Global,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

const GLOBAL: &str = "Global options";

/// Flags accepted by every command.
#[derive(Debug, Args)]
pub struct Global {
    /// Base URL of the API.
    #[arg(
        long,
        global = true,
        help_heading = GLOBAL,
        env = "MISTRAL_BASE_URL",
        value_name = "URL",
        default_value = mistral_sdk::DEFAULT_BASE_URL
    )]
    pub base_url: String,

    /// API key (sent as a bearer token; never printed).
    #[arg(long, global = true, help_heading = GLOBAL, env = "MISTRAL_API_KEY", hide_env_values = true, value_name = "KEY")]
    pub api_key: Option<String>,

    /// Machine output: the API's JSON, one document per command (JSON lines for streams).
    #[arg(long, global = true, help_heading = GLOBAL)]
    pub json: bool,

    /// Time allowed for a request, and between two events of a stream.
    #[arg(long, global = true, help_heading = GLOBAL, value_name = "SECONDS", value_parser = parse_seconds)]
    pub timeout: Option<f64>,

    /// Retries after a failed attempt (429, 5xx, connection errors).
    #[arg(long, global = true, help_heading = GLOBAL, value_name = "N")]
    pub max_retries: Option<u32>,
}

/// The command groups.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Chat with a model (streamed to stdout by default).
    Chat(ChatArgs),
    /// Fill in the middle: complete code between a prompt and a suffix.
    Fim(FimArgs),
    /// Embed texts as vectors.
    #[command(alias = "embed")]
    Embeddings(EmbeddingsArgs),
    /// List, show, rename, archive or delete models.
    #[command(subcommand)]
    Models(ModelsCommand),
    /// Upload, list, inspect or delete files.
    #[command(subcommand)]
    Files(FilesCommand),
    /// Fine-tuning jobs.
    #[command(subcommand, alias = "jobs")]
    FineTuning(FineTuningCommand),
    /// Batch jobs: many requests from a JSONL file, run by the API at a lower price.
    #[command(subcommand)]
    Batch(BatchCommand),
    /// Read a document or an image (a local file or a URL) into markdown.
    Ocr(OcrArgs),
    /// Moderate texts: the categories each is flagged for.
    Moderate(ModerateArgs),
    /// Classify texts with a classifier model: each target's best label.
    Classify(ClassifyArgs),
    /// Transcribe an audio file or URL.
    Transcribe(TranscribeArgs),
    /// Say a text: speech written to an audio file.
    Speak(SpeakArgs),
    /// Voices for speech: list, show, create from a sample, delete, download a sample.
    #[command(subcommand)]
    Voices(VoicesCommand),
    /// Agents (beta): saved models with instructions and tools, their versions and aliases.
    #[command(subcommand)]
    Agents(AgentsCommand),
    /// Conversations (beta) kept by the server: list, show, history, delete (talk in one with
    /// `mistral chat --agent` / `--continue`).
    #[command(subcommand)]
    Conversations(ConversationsCommand),
    /// Document libraries (beta) that agents search: create, list, show, delete, and their
    /// documents (`mistral libraries docs ...`).
    #[command(subcommand)]
    Libraries(LibrariesCommand),
    /// Run a mock of the API in the foreground (until Ctrl-C).
    // The mock's `--api-key` is `--accept-key` here: `--api-key` is the key this CLI sends.
    #[cfg(feature = "mock")]
    #[command(mut_arg("api_keys", |a| a.long("accept-key").visible_alias(None)))]
    Mock(MockArgs),
    /// Check, operation by operation, where a server departs from the API spec (exit code 1
    /// unless every check passes). It uploads a small file and starts and cancels a
    /// fine-tuning job, then deletes what it made.
    #[cfg(feature = "conformance")]
    Conformance(ConformanceArgs),
    /// Print the shell completion script for SHELL (e.g. `mistral completions bash >
    /// ~/.local/share/bash-completion/completions/mistral`).
    Completions {
        /// bash, zsh, fish, elvish or powershell.
        shell: clap_complete::Shell,
    },
}

/// `mistral chat`.
#[derive(Debug, Args)]
pub struct ChatArgs {
    /// The model.
    #[arg(short, long, default_value = "mistral-small-latest")]
    pub model: String,
    /// A system message sent before the prompt.
    #[arg(long, value_name = "TEXT")]
    pub system: Option<String>,
    /// Ask for a JSON object as the answer.
    #[arg(long, conflicts_with = "schema")]
    pub json_mode: bool,
    /// Structured output: the answer is JSON valid against this JSON Schema file.
    #[arg(long, value_name = "FILE.json")]
    pub schema: Option<std::path::PathBuf>,
    /// An image to ask about: a local file (sent inline) or an http(s)/data URL (repeatable).
    #[arg(long, value_name = "PATH|URL")]
    pub image: Vec<String>,
    /// A document to ask about: an http(s) URL or an uploaded file's id (repeatable).
    #[arg(long, value_name = "URL|FILE_ID")]
    pub document: Vec<String>,
    /// Ask the model to reason first (prompt mode `reasoning`; magistral models always do).
    #[arg(long)]
    pub reasoning: bool,
    /// How hard to think: none, minimal, low, medium, high.
    #[arg(long, value_name = "LEVEL")]
    pub reasoning_effort: Option<String>,
    /// Leave the model's reasoning out (by default it goes to stderr, dimmed on a terminal
    /// unless NO_COLOR is set).
    #[arg(long)]
    pub no_thinking: bool,
    /// Sampling temperature, 0 to 1.
    #[arg(long, value_name = "T")]
    pub temperature: Option<f64>,
    /// The most tokens to generate.
    #[arg(long, value_name = "N")]
    pub max_tokens: Option<u64>,
    /// Wait for the whole answer instead of streaming it.
    #[arg(long)]
    pub no_stream: bool,
    /// Talk to this agent in a new conversation kept by the server (beta): its tool runs,
    /// handoffs and function calls go to stderr, then the conversation's id.
    #[arg(long, value_name = "AGENT_ID", conflicts_with_all = NOT_FOR_AGENTS)]
    pub agent: Option<String>,
    /// Go on with this conversation (the id `--agent` printed).
    #[arg(long = "continue", value_name = "CONVERSATION_ID", conflicts_with_all = NOT_FOR_AGENTS)]
    pub continue_: Option<String>,
    /// What to say (read from stdin when left out).
    pub prompt: Option<String>,
}

/// What `mistral chat` takes for a model that a conversation with an agent does not: the
/// agent's own settings hold.
const NOT_FOR_AGENTS: [&str; 10] = [
    "system",
    "json_mode",
    "schema",
    "image",
    "document",
    "reasoning",
    "reasoning_effort",
    "temperature",
    "max_tokens",
    "no_stream",
];

/// `mistral conversations ...`.
#[derive(Debug, Subcommand)]
pub enum ConversationsCommand {
    /// List the conversations, newest first (every page).
    List,
    /// Show one conversation: its model or agent, name, times.
    Get {
        /// The conversation id.
        id: String,
    },
    /// Every entry of a conversation, one a line: type, role, text.
    History {
        /// The conversation id.
        id: String,
    },
    /// Delete a conversation.
    Delete {
        /// The conversation id.
        id: String,
    },
}

/// `mistral agents ...`.
#[derive(Debug, Subcommand)]
pub enum AgentsCommand {
    /// Create an agent (its version 0).
    Create {
        /// The model it runs on.
        #[arg(short, long)]
        model: String,
        /// Its name.
        #[arg(long)]
        name: String,
        /// What it is for.
        #[arg(long)]
        description: Option<String>,
        /// Its instructions (the system prompt).
        #[arg(long, value_name = "TEXT")]
        instructions: Option<String>,
        /// Its tools.
        #[command(flatten)]
        tools: AgentTools,
        /// An agent it may hand the conversation off to (repeatable).
        #[arg(long = "handoff", value_name = "AGENT_ID")]
        handoffs: Vec<String>,
    },
    /// List the agents (every page).
    List {
        /// Only agents whose name or description contains this.
        #[arg(long)]
        search: Option<String>,
    },
    /// Show an agent: its current version, or another one.
    // `--version` here is the agent's; the program's version is `mistral --version`.
    #[command(disable_version_flag = true)]
    Get {
        /// The agent id.
        id: String,
        /// A version number or alias instead of the current version.
        #[arg(long, value_name = "N|ALIAS")]
        version: Option<String>,
    },
    /// Change an agent: only what is given changes, as a new version made current.
    Update {
        /// The agent id.
        id: String,
        /// The model it runs on.
        #[arg(short, long)]
        model: Option<String>,
        /// Its name.
        #[arg(long)]
        name: Option<String>,
        /// What it is for.
        #[arg(long)]
        description: Option<String>,
        /// Its instructions (the system prompt).
        #[arg(long, value_name = "TEXT")]
        instructions: Option<String>,
        /// Its tools (replacing the current ones when any is given).
        #[command(flatten)]
        tools: AgentTools,
        /// The agents it may hand off to (replacing the current ones; repeatable).
        #[arg(long = "handoff", value_name = "AGENT_ID")]
        handoffs: Vec<String>,
        /// A note about the new version.
        #[arg(long, value_name = "TEXT")]
        version_message: Option<String>,
    },
    /// Delete an agent.
    Delete {
        /// The agent id.
        id: String,
    },
    /// List an agent's versions, or switch its current version.
    Versions {
        /// The agent id.
        id: String,
        /// Make this version the current one.
        #[arg(long, value_name = "N")]
        switch: Option<i64>,
    },
    /// An agent's aliases: names for its versions.
    Alias {
        /// The agent id.
        id: String,
        /// What to do with the aliases.
        #[command(subcommand)]
        command: AliasCommand,
    },
}

/// The tools of `mistral agents create|update`.
#[derive(Debug, Clone, Args)]
pub struct AgentTools {
    /// A built-in tool: web_search, web_search_premium, code_interpreter, image_generation
    /// (repeatable).
    #[arg(long = "tool", value_name = "NAME", value_parser = ["web_search", "web_search_premium", "code_interpreter", "image_generation"])]
    pub tools: Vec<String>,
    /// A document library to search (the `document_library` tool; repeatable).
    #[arg(long = "library", value_name = "LIBRARY_ID")]
    pub libraries: Vec<String>,
}

/// `mistral agents alias ID ...`.
#[derive(Debug, Subcommand)]
pub enum AliasCommand {
    /// List the aliases.
    List,
    /// Point an alias at a version (creating it if needed).
    Set {
        /// The alias (lowercase letters, digits, `-` and `_`).
        name: String,
        /// The version it names.
        #[arg(value_name = "VERSION")]
        to_version: i64,
    },
    /// Delete an alias.
    Delete {
        /// The alias.
        name: String,
    },
}

/// `mistral libraries ...`.
#[derive(Debug, Subcommand)]
pub enum LibrariesCommand {
    /// Create an empty library.
    Create {
        /// Its name.
        name: String,
        /// What it holds.
        #[arg(long)]
        description: Option<String>,
        /// The size of the chunks its documents are cut into for search.
        #[arg(long, value_name = "N")]
        chunk_size: Option<i64>,
    },
    /// List the libraries (every page).
    List {
        /// Only libraries whose name contains this.
        #[arg(long)]
        search: Option<String>,
    },
    /// Show one library: its documents' count and size.
    Get {
        /// The library id.
        id: String,
    },
    /// Delete a library and its documents.
    Delete {
        /// The library id.
        id: String,
    },
    /// The documents of a library.
    #[command(subcommand, alias = "documents")]
    Docs(DocsCommand),
}

/// `mistral libraries docs ...`.
#[derive(Debug, Subcommand)]
pub enum DocsCommand {
    /// Upload a document (a progress bar on a terminal); with --wait, until it is processed
    /// (exit code 1 if its processing fails).
    Upload {
        /// The library id.
        library: String,
        /// The file to upload.
        path: std::path::PathBuf,
        /// Wait until the document is processed.
        #[arg(long)]
        wait: bool,
        /// How to poll while waiting.
        #[command(flatten)]
        poll: Poll,
    },
    /// List a library's documents, newest first (every page).
    List {
        /// The library id.
        library: String,
        /// Only documents whose name contains this.
        #[arg(long)]
        search: Option<String>,
    },
    /// Print where a document's processing is.
    Status {
        /// The library id.
        library: String,
        /// The document id.
        document: String,
    },
    /// Print a document's extracted text.
    Text {
        /// The library id.
        library: String,
        /// The document id.
        document: String,
    },
    /// Delete a document.
    Delete {
        /// The library id.
        library: String,
        /// The document id.
        document: String,
    },
}

/// `mistral fim`.
#[derive(Debug, Args)]
pub struct FimArgs {
    /// The model.
    #[arg(short, long, default_value = "codestral-latest")]
    pub model: String,
    /// The code before the gap.
    #[arg(long, value_name = "CODE")]
    pub prompt: String,
    /// The code after the gap.
    #[arg(long, value_name = "CODE")]
    pub suffix: Option<String>,
    /// The most tokens to generate.
    #[arg(long, value_name = "N")]
    pub max_tokens: Option<u64>,
}

/// `mistral embed`.
#[derive(Debug, Args)]
pub struct EmbeddingsArgs {
    /// The model.
    #[arg(short, long, default_value = "mistral-embed")]
    pub model: String,
    /// The texts to embed.
    #[arg(required = true, value_name = "TEXT")]
    pub texts: Vec<String>,
}

/// `mistral models ...`.
#[derive(Debug, Subcommand)]
pub enum ModelsCommand {
    /// List the models the key can use.
    List,
    /// Show one model's card: type, capabilities, context length.
    Get {
        /// The model id.
        id: String,
    },
    /// Rename or re-describe a fine-tuned model.
    Update {
        /// The fine-tuned model id.
        id: String,
        /// Its new name.
        #[arg(long)]
        name: Option<String>,
        /// Its new description.
        #[arg(long)]
        description: Option<String>,
    },
    /// Archive a fine-tuned model.
    Archive {
        /// The fine-tuned model id.
        id: String,
    },
    /// Bring an archived fine-tuned model back.
    Unarchive {
        /// The fine-tuned model id.
        id: String,
    },
    /// Delete a fine-tuned model.
    Delete {
        /// The model id.
        id: String,
    },
}

/// `mistral files ...`.
#[derive(Debug, Subcommand)]
pub enum FilesCommand {
    /// Upload a file (JSONL training data, batch input, a document...).
    Upload {
        /// The file to upload.
        path: std::path::PathBuf,
        /// What the file is for (fine-tune, batch, ocr, audio...).
        #[arg(long, default_value = "fine-tune")]
        purpose: String,
    },
    /// List the uploaded files (every page).
    List {
        /// Only files with this purpose.
        #[arg(long)]
        purpose: Option<String>,
        /// Only files whose name contains this.
        #[arg(long)]
        search: Option<String>,
    },
    /// Download a file's content (to stdout, or to a file with a progress bar).
    Download {
        /// The file id.
        id: String,
        /// Where to write it (`-` or nothing: stdout).
        #[arg(short, long, value_name = "PATH")]
        output: Option<std::path::PathBuf>,
    },
    /// Print a temporary download URL for a file.
    Url {
        /// The file id.
        id: String,
        /// How many hours the URL stays valid.
        #[arg(long, value_name = "HOURS")]
        expiry: Option<u64>,
    },
    /// Show one file.
    Get {
        /// The file id.
        id: String,
    },
    /// Delete a file.
    Delete {
        /// The file id.
        id: String,
    },
}

/// `mistral ocr`.
#[derive(Debug, Args)]
pub struct OcrArgs {
    /// A local PDF, image or office document (sent inline), or an http(s) URL.
    pub document: String,
    /// The OCR model.
    #[arg(short, long, default_value = "mistral-ocr-latest")]
    pub model: String,
    /// Only these pages, from 0 (e.g. `0-3` or `0,2,5`).
    #[arg(long, value_name = "PAGES")]
    pub pages: Option<String>,
    /// Save the extracted images into DIR (named as the markdown links them).
    #[arg(long, value_name = "DIR")]
    pub images: Option<std::path::PathBuf>,
    /// Write the markdown to this file instead of stdout.
    #[arg(short, long, value_name = "PATH")]
    pub output: Option<std::path::PathBuf>,
}

/// `mistral moderate`.
#[derive(Debug, Args)]
pub struct ModerateArgs {
    /// The moderation model.
    #[arg(short, long, default_value = "mistral-moderation-latest")]
    pub model: String,
    /// Scores from this up are listed for a flagged text.
    #[arg(long, default_value_t = 0.5)]
    pub threshold: f64,
    /// The texts to moderate.
    #[arg(required = true, value_name = "TEXT")]
    pub texts: Vec<String>,
}

/// `mistral classify`.
#[derive(Debug, Args)]
pub struct ClassifyArgs {
    /// The classifier model (a fine-tuned classifier, or a moderation model).
    #[arg(short, long)]
    pub model: String,
    /// The texts to classify.
    #[arg(required = true, value_name = "TEXT")]
    pub texts: Vec<String>,
}

/// `mistral transcribe`.
#[derive(Debug, Args)]
pub struct TranscribeArgs {
    /// A local audio file (streamed up), or an http(s) URL the server fetches.
    pub audio: String,
    /// The transcription model.
    #[arg(short, long, default_value = "voxtral-mini-latest")]
    pub model: String,
    /// The language spoken (two letters), if known.
    #[arg(long)]
    pub language: Option<String>,
    /// Print the text as it is transcribed.
    #[arg(long)]
    pub stream: bool,
    /// Timed segments (`[mm:ss.mmm --> mm:ss.mmm] text`) instead of plain text.
    #[arg(long)]
    pub timestamps: bool,
}

/// `mistral speak`.
#[derive(Debug, Args)]
pub struct SpeakArgs {
    /// What to say.
    pub text: String,
    /// Where to write the audio.
    #[arg(short, long, value_name = "PATH")]
    pub output: std::path::PathBuf,
    /// The speech model (the server's default otherwise).
    #[arg(short, long)]
    pub model: Option<String>,
    /// The voice's id (see `mistral voices list`).
    #[arg(long, value_name = "ID")]
    pub voice: Option<String>,
}

/// `mistral voices ...`.
#[derive(Debug, Subcommand)]
pub enum VoicesCommand {
    /// List the voices.
    List,
    /// Show one voice.
    Get {
        /// The voice id.
        id: String,
    },
    /// Create a custom voice from an audio sample.
    Create {
        /// The voice's name.
        name: String,
        /// An audio sample of the voice.
        sample: std::path::PathBuf,
        /// A language it speaks (repeatable).
        #[arg(long = "language", value_name = "LANG")]
        languages: Vec<String>,
    },
    /// Delete a custom voice.
    Delete {
        /// The voice id.
        id: String,
    },
    /// Download a voice's sample.
    Sample {
        /// The voice id.
        id: String,
        /// Where to write it.
        #[arg(short, long, value_name = "PATH")]
        output: std::path::PathBuf,
    },
}

/// `mistral batch ...`.
#[derive(Debug, Subcommand)]
pub enum BatchCommand {
    /// Upload a JSONL file of requests and start a batch job on it.
    Create(BatchCreateArgs),
    /// List batch jobs.
    List {
        /// Only jobs in this status (QUEUED, RUNNING, SUCCESS, ...).
        #[arg(long)]
        status: Option<String>,
        /// Only jobs of this model.
        #[arg(long)]
        model: Option<String>,
    },
    /// Show one job: status, counts, files.
    Get {
        /// The job id.
        id: String,
    },
    /// Ask a job to stop.
    Cancel {
        /// The job id.
        id: String,
    },
    /// Follow a job until it ends (a progress bar on a terminal; exit code 1 unless it
    /// succeeds).
    Watch {
        /// The job id.
        id: String,
        /// How to poll.
        #[command(flatten)]
        poll: Poll,
    },
    /// The job's results: the output file to stdout, or output and error files into DIR.
    Results {
        /// The job id.
        id: String,
        /// Write `<ID>.output.jsonl` and `<ID>.errors.jsonl` here.
        #[arg(short, long, value_name = "DIR")]
        output: Option<std::path::PathBuf>,
    },
    /// Everything: upload, create, watch, then the results.
    Run {
        /// The job to create.
        #[command(flatten)]
        create: BatchCreateArgs,
        /// How to poll.
        #[command(flatten)]
        poll: Poll,
        /// Write `<ID>.output.jsonl` and `<ID>.errors.jsonl` here (else the output to stdout).
        #[arg(short, long, value_name = "DIR")]
        output: Option<std::path::PathBuf>,
    },
}

/// `mistral batch create`.
#[derive(Debug, Args)]
pub struct BatchCreateArgs {
    /// The JSONL file: one `{"custom_id": ..., "body": {...}}` a line.
    pub file: std::path::PathBuf,
    /// The API route each line goes to.
    #[arg(long, default_value = mistral_openapi::operations::CREATE_CHAT_COMPLETION.path)]
    pub endpoint: String,
    /// The model for every line (else each body names its own).
    #[arg(short, long)]
    pub model: Option<String>,
    /// KEY=VALUE kept with the job (repeatable).
    #[arg(long, value_name = "KEY=VALUE")]
    pub metadata: Vec<String>,
    /// Stop the job after this many hours.
    #[arg(long, value_name = "HOURS")]
    pub timeout_hours: Option<u64>,
}

/// `mistral jobs ...`.
#[derive(Debug, Subcommand)]
pub enum FineTuningCommand {
    /// Create a fine-tuning job (or estimate one with --dry-run).
    Create(JobCreateArgs),
    /// List fine-tuning jobs.
    List(JobListArgs),
    /// Show a job with its checkpoints and events.
    Get {
        /// The job id.
        id: String,
    },
    /// Ask a job to stop.
    Cancel {
        /// The job id.
        id: String,
    },
    /// Follow a job until it ends (exit code 1 unless it succeeds).
    Watch {
        /// The job id.
        id: String,
        /// How to poll.
        #[command(flatten)]
        poll: Poll,
    },
}

/// How `watch` commands poll.
#[derive(Debug, Clone, Copy, Args)]
pub struct Poll {
    /// How often to poll at first, in milliseconds (slower while nothing changes).
    #[arg(long, value_name = "MS", default_value_t = 1000, value_parser = clap::value_parser!(u64).range(1..))]
    pub interval_ms: u64,
}

impl Poll {
    /// The SDK's watch settings: from the interval, slowing to ten times it (at most 30 s).
    pub fn options(self) -> mistral_sdk::WatchOptions {
        let initial = std::time::Duration::from_millis(self.interval_ms);
        mistral_sdk::WatchOptions {
            initial_interval: initial,
            max_interval: initial.saturating_mul(10).min(std::time::Duration::from_secs(30)).max(initial),
        }
    }
}

/// `mistral jobs create`.
#[derive(Debug, Args)]
pub struct JobCreateArgs {
    /// The base model to fine-tune.
    #[arg(long)]
    pub model: String,
    /// An uploaded file to train on (repeatable).
    #[arg(long = "training-file", value_name = "ID", required = true)]
    pub training_files: Vec<uuid::Uuid>,
    /// An uploaded file to validate on (repeatable).
    #[arg(long = "validation-file", value_name = "ID")]
    pub validation_files: Vec<uuid::Uuid>,
    /// Optimisation steps.
    #[arg(long, value_name = "N")]
    pub training_steps: u64,
    /// Learning rate.
    #[arg(long, value_name = "LR")]
    pub learning_rate: Option<f64>,
    /// Added to the fine-tuned model's name (at most 18 characters).
    #[arg(long)]
    pub suffix: Option<String>,
    /// Only estimate the job's cost and duration; start nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// `mistral jobs list`.
#[derive(Debug, Args)]
pub struct JobListArgs {
    /// The page, from 0.
    #[arg(long, value_name = "N")]
    pub page: Option<u64>,
    /// Jobs per page.
    #[arg(long, value_name = "N")]
    pub page_size: Option<u64>,
    /// Only jobs of this base model.
    #[arg(long)]
    pub model: Option<String>,
    /// Only jobs in this status (QUEUED, RUNNING, SUCCESS, ...).
    #[arg(long)]
    pub status: Option<String>,
    /// Only jobs created after this time (RFC 3339, e.g. 2024-05-14T10:00:00Z).
    #[arg(long, value_name = "RFC3339", value_parser = parse_rfc3339)]
    pub created_after: Option<DateTime<Utc>>,
    /// Only my jobs.
    #[arg(long)]
    pub created_by_me: bool,
    /// Only jobs with this model suffix.
    #[arg(long)]
    pub suffix: Option<String>,
}

/// `mistral mock`: the mock's own flags (`mistral-mock --help`), `--accept-key` an alias of
/// `--api-key`.
#[cfg(feature = "mock")]
pub type MockArgs = mistral_mock::cli::MockArgs;

/// `mistral conformance`.
#[cfg(feature = "conformance")]
#[derive(Debug, Args)]
pub struct ConformanceArgs {
    /// Only these groups of checks (comma-separated), the API groups: chat, fim, embeddings,
    /// models, files, fine_tuning, batch, ocr, classifiers, audio, agents, conversations, libraries.
    #[arg(long, value_name = "GROUPS", value_delimiter = ',', value_parser = parse_group)]
    pub only: Vec<mistral_conformance::Group>,
    /// Which operations without a dedicated flow are checked from their spec example:
    /// `harmless` (reads and stateless calls, safe on a real account), `all` (creations and
    /// deletions too, nothing cleaned up: for test servers) or `none`.
    #[arg(long, value_enum, default_value_t = ExamplesArg::Harmless)]
    pub examples: ExamplesArg,
}

/// `--examples`.
#[cfg(feature = "conformance")]
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExamplesArg {
    /// Only the dedicated flows.
    None,
    /// Reads and stateless calls.
    Harmless,
    /// Every operation.
    All,
}

#[cfg(feature = "conformance")]
impl From<ExamplesArg> for mistral_conformance::Examples {
    fn from(arg: ExamplesArg) -> Self {
        match arg {
            ExamplesArg::None => mistral_conformance::Examples::None,
            ExamplesArg::Harmless => mistral_conformance::Examples::Harmless,
            ExamplesArg::All => mistral_conformance::Examples::All,
        }
    }
}

#[cfg(feature = "conformance")]
fn parse_group(s: &str) -> Result<mistral_conformance::Group, String> {
    mistral_conformance::parse_group(s).map_err(|e| e.to_string())
}

fn parse_seconds(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 && v < 1e9 => Ok(v),
        Ok(_) => Err("must be a positive number of seconds".into()),
        Err(e) => Err(e.to_string()),
    }
}

fn parse_rfc3339(s: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("{e} (expected RFC 3339, e.g. 2024-05-14T10:00:00Z)"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn definitions_are_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn seconds_and_times() {
        assert_eq!(parse_seconds("1.5"), Ok(1.5));
        assert!(parse_seconds("0").is_err());
        assert!(parse_seconds("nan").is_err());
        assert!(parse_rfc3339("2024-05-14T10:00:00+02:00").is_ok());
        assert!(parse_rfc3339("yesterday").is_err());
    }
}
