//! Command-line flags, shared by the `mistral-mock` binary and any CLI that embeds the mock
//! (flatten [`MockArgs`] into a `mistral mock` subcommand and call [`run`]).

use std::path::PathBuf;
use std::time::Duration;

use tokio::net::TcpListener;

use crate::{Error, FineTuningMode, Options};

/// Flags of `mistral-mock`.
///
/// ```
/// use clap::Parser;
/// #[derive(Parser)]
/// struct Cli {
///     #[command(flatten)]
///     mock: mistral_mock::cli::MockArgs,
/// }
/// let cli = Cli::parse_from(["mock", "--addr", "127.0.0.1:0", "--api-key", "k", "--speed", "100"]);
/// let options = cli.mock.options().unwrap();
/// assert_eq!(options.api_keys, vec!["k".to_string()]);
/// assert_eq!(options.speed, 100.0);
/// ```
#[derive(Debug, Clone, clap::Args)]
pub struct MockArgs {
    /// Address to listen on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub addr: String,
    /// Accepted API key (repeatable). Without any, every non-empty bearer key is accepted.
    #[arg(long = "api-key", visible_alias = "accept-key", value_name = "KEY")]
    pub api_keys: Vec<String>,
    /// Persist uploaded files, jobs and voices in this directory across restarts.
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// Simulated seconds per real second for fine-tuning and batch jobs.
    #[arg(long, default_value_t = 50.0)]
    pub speed: f64,
    /// Faults for every request without an x-mock-fault header (same syntax, e.g. "delay=100ms").
    #[arg(long, value_name = "SPEC")]
    pub fault: Option<String>,
    /// Answer the first N requests with 503.
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub fail_first: u64,
    /// Largest JSON request body in bytes.
    #[arg(long, value_name = "BYTES")]
    pub body_limit: Option<usize>,
    /// Milliseconds between streamed chunks.
    #[arg(long, value_name = "MS", default_value_t = 0)]
    pub token_delay_ms: u64,
    /// Serve the admin API: `POST/DELETE /__mock/rules`, `GET/DELETE /__mock/requests`.
    #[arg(long)]
    pub admin: bool,
    /// Append every request received to DIR/requests.jsonl.
    #[arg(long, value_name = "DIR")]
    pub record: Option<PathBuf>,
    /// `simulated`: fine-tuning jobs train on the simulated clock; `retired`: their routes
    /// answer 410 Gone, as the live API does.
    #[arg(long, value_enum, default_value_t = FineTuningMode::Simulated)]
    pub fine_tuning: FineTuningMode,
    /// Serve the beta groups (agents, conversations, libraries) from the spec's examples
    /// instead of with state of their own.
    #[arg(long)]
    pub beta_examples: bool,
}

impl MockArgs {
    /// The [`Options`] these flags describe.
    pub fn options(&self) -> Result<Options, Error> {
        let defaults = Options::default();
        let options = Options {
            api_keys: self.api_keys.clone(),
            data_dir: self.data_dir.clone(),
            speed: self.speed,
            faults: self.fault.as_deref().map(str::parse).transpose()?,
            fail_first: self.fail_first,
            body_limit: self.body_limit.unwrap_or(defaults.body_limit),
            token_delay: Duration::from_millis(self.token_delay_ms),
            admin: self.admin,
            record: self.record.clone(),
            fine_tuning: self.fine_tuning,
            stateful_beta: !self.beta_examples,
            ..defaults
        };
        options.check()?;
        Ok(options)
    }
}

/// Binds `args.addr`, prints the base URL on stdout (one line, e.g. `http://127.0.0.1:8080`)
/// and serves until Ctrl-C.
///
/// ```no_run
/// # #[tokio::main]
/// # async fn main() -> Result<(), mistral_mock::Error> {
/// use clap::Parser;
/// #[derive(Parser)]
/// struct Cli {
///     #[command(flatten)]
///     mock: mistral_mock::cli::MockArgs,
/// }
/// mistral_mock::cli::run(Cli::parse().mock).await
/// # }
/// ```
pub async fn run(args: MockArgs) -> Result<(), Error> {
    let options = args.options()?;
    let listener =
        TcpListener::bind(&args.addr).await.map_err(|source| Error::Bind { addr: args.addr.clone(), source })?;
    let addr = listener.local_addr().map_err(|source| Error::Bind { addr: args.addr.clone(), source })?;
    println!("http://{addr}");
    eprintln!("mistral-mock: serving the Mistral v1 API on http://{addr} (Ctrl-C to stop)");
    crate::serve(listener, options, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await
}
