//! `mistral`, a command-line client for the Mistral AI API, built on `mistral-sdk`.
//!
//! The binary is a thin wrapper around [`run`] / [`run_with`], which parse the arguments,
//! run the command and return the process exit code, writing to the given `stdout` and
//! `stderr`: tests call them in-process and read what was printed.
//!
//! Exit codes: [`EXIT_OK`], [`EXIT_FAILURE`] (the command failed: one `error: ...` line on
//! stderr), [`EXIT_USAGE`] (bad arguments, from clap) and [`EXIT_INTERRUPTED`] (Ctrl-C).

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod cli;
mod commands;
#[cfg(feature = "conformance")]
mod conformance;
#[cfg(feature = "mock")]
mod mock;
pub mod output;

use std::ffi::OsString;
use std::future::Future;
use std::io::Write;
use std::time::Duration;

use clap::Parser;
use mistral_sdk::{ApiErrorKind, Client};

use crate::cli::{Cli, Command, Global};
use crate::commands::{
    agents, audio, batch, chat, classifiers, conversations, embeddings, files, fim, fine_tuning, libraries, models, ocr,
};
use crate::output::Out;

/// The command succeeded.
pub const EXIT_OK: u8 = 0;
/// The command failed (API, network, file or validation error).
pub const EXIT_FAILURE: u8 = 1;
/// The arguments were wrong.
pub const EXIT_USAGE: u8 = 2;
/// Stopped by Ctrl-C.
pub const EXIT_INTERRUPTED: u8 = 130;

/// How [`run_with`] interacts with the terminal.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Draw a progress bar on the process's real stderr during uploads (set it when stderr
    /// is a terminal).
    pub progress_bar: bool,
    /// Colour clap's help and usage errors and dim a model's reasoning (the binary sets it when
    /// stdout and stderr are terminals and `NO_COLOR` is not set).
    pub color: bool,
}

/// Runs the CLI with `args` (the program name first), printing to `stdout` and `stderr`,
/// and returns the exit code. Ctrl-C (SIGINT) interrupts the command; no progress bar is
/// drawn.
pub async fn run<I, T>(args: I, stdout: &mut impl Write, stderr: &mut impl Write) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    run_with(args, stdout, stderr, Options::default(), ctrl_c()).await
}

/// Resolves on Ctrl-C; never, if the signal handler cannot be installed.
pub async fn ctrl_c() {
    if tokio::signal::ctrl_c().await.is_err() {
        std::future::pending::<()>().await;
    }
}

/// [`run`], with terminal [`Options`] and the future that interrupts the command when it
/// resolves (as Ctrl-C does): a partial line on stdout is ended and the exit code is
/// [`EXIT_INTERRUPTED`].
pub async fn run_with<I, T>(
    args: I,
    stdout: &mut impl Write,
    stderr: &mut impl Write,
    options: Options,
    interrupt: impl Future<Output = ()>,
) -> u8
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_USAGE } else { EXIT_OK };
            let rendered = e.render();
            let text = if options.color { rendered.ansi().to_string() } else { rendered.to_string() };
            let target: &mut dyn Write = if e.use_stderr() { stderr } else { stdout };
            let _ = target.write_all(text.as_bytes());
            let _ = target.flush();
            return code;
        }
    };
    let mut out = Out::new(stdout);
    let has_key = cli.global.api_key.as_deref().is_some_and(|k| !k.trim().is_empty());
    let result = tokio::select! {
        result = dispatch(&cli, &mut out, stderr, options) => Some(result),
        () = interrupt => None,
    };
    let code = match result {
        // Ctrl-C is how the mock server is meant to stop.
        #[cfg(feature = "mock")]
        None if matches!(cli.command, Command::Mock(_)) => EXIT_OK,
        None => {
            let _ = out.finish_line();
            EXIT_INTERRUPTED
        }
        Some(Ok(())) => EXIT_OK,
        Some(Err(Failure::Io(e))) if e.kind() == std::io::ErrorKind::BrokenPipe => EXIT_OK,
        Some(Err(failure)) => {
            let _ = out.finish_line();
            let message = describe(&failure, has_key);
            let _ = writeln!(stderr, "error: {}", one_line(&message));
            EXIT_FAILURE
        }
    };
    let _ = out.flush();
    let _ = stderr.flush();
    code
}

/// Why a command failed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Failure {
    /// The SDK call failed.
    #[error(transparent)]
    Sdk(#[from] mistral_sdk::Error),
    /// Writing the output failed.
    #[error("cannot write the output: {0}")]
    Io(#[from] std::io::Error),
    /// Anything else, already worded for the user.
    #[error("{0}")]
    Message(String),
}

/// What a command gets: the client, the output and the settings.
pub(crate) struct Ctx<'a, 'w> {
    pub client: Client,
    pub json: bool,
    pub out: &'a mut Out<'w>,
    /// Side output (a model's reasoning), never mixed into `out`.
    pub err: &'a mut dyn Write,
    pub options: Options,
}

async fn dispatch(cli: &Cli, out: &mut Out<'_>, stderr: &mut dyn Write, options: Options) -> Result<(), Failure> {
    #[cfg(feature = "mock")]
    if let Command::Mock(args) = &cli.command {
        return mock::run(args, out, stderr).await;
    }
    #[cfg(feature = "conformance")]
    if let Command::Conformance(args) = &cli.command {
        return conformance::run(&cli.global, args, out).await;
    }
    if let Command::Completions { shell } = &cli.command {
        use clap::CommandFactory;
        clap_complete::generate(*shell, &mut Cli::command(), "mistral", out);
        return Ok(out.flush()?);
    }
    let client = build_client(&cli.global)?;
    let mut ctx = Ctx { client, json: cli.global.json, out, err: stderr, options };
    match &cli.command {
        Command::Chat(args) => chat::run(&mut ctx, args).await,
        Command::Fim(args) => fim::run(&mut ctx, args).await,
        Command::Embeddings(args) => embeddings::run(&mut ctx, args).await,
        Command::Models(cmd) => models::run(&mut ctx, cmd).await,
        Command::Files(cmd) => files::run(&mut ctx, cmd).await,
        Command::FineTuning(cmd) => fine_tuning::run(&mut ctx, cmd).await,
        Command::Batch(cmd) => batch::run(&mut ctx, cmd).await,
        Command::Ocr(args) => ocr::run(&mut ctx, args).await,
        Command::Moderate(args) => classifiers::moderate(&mut ctx, args).await,
        Command::Classify(args) => classifiers::classify(&mut ctx, args).await,
        Command::Transcribe(args) => audio::transcribe(&mut ctx, args).await,
        Command::Speak(args) => audio::speak(&mut ctx, args).await,
        Command::Voices(cmd) => audio::voices(&mut ctx, cmd).await,
        Command::Agents(cmd) => agents::run(&mut ctx, cmd).await,
        Command::Conversations(cmd) => conversations::run(&mut ctx, cmd).await,
        Command::Libraries(cmd) => libraries::run(&mut ctx, cmd).await,
        #[cfg(feature = "mock")]
        Command::Mock(_) => Ok(()),
        #[cfg(feature = "conformance")]
        Command::Conformance(_) => Ok(()),
        Command::Completions { .. } => Ok(()),
    }
}

fn build_client(global: &Global) -> Result<Client, Failure> {
    let mut builder = Client::builder()
        .base_url(global.base_url.trim())
        .user_agent(concat!("mistral-cli/", env!("CARGO_PKG_VERSION")));
    if let Some(key) = global.api_key.as_deref().filter(|k| !k.trim().is_empty()) {
        builder = builder.api_key(key);
    }
    if let Some(secs) = global.timeout {
        let d = Duration::try_from_secs_f64(secs).map_err(|e| Failure::Message(format!("invalid --timeout: {e}")))?;
        builder = builder.request_timeout(d).stream_idle_timeout(d);
    }
    if let Some(n) = global.max_retries {
        builder = builder.max_retries(n);
    }
    Ok(builder.build()?)
}

/// The error message for people: the SDK's, plus the root cause of a network failure and
/// a hint when a 401 came without a key.
fn describe(failure: &Failure, has_key: bool) -> String {
    let mut message = failure.to_string();
    if let Failure::Sdk(e) = failure {
        if matches!(e, mistral_sdk::Error::Connection(_)) {
            let mut root: Option<&dyn std::error::Error> = None;
            let mut source = std::error::Error::source(e);
            while let Some(s) = source {
                root = Some(s);
                source = s.source();
            }
            if let Some(root) = root.map(ToString::to_string)
                && !message.contains(&root)
            {
                message = format!("{message}: {root}");
            }
        }
        if !has_key && e.api().is_some_and(|a| a.kind == ApiErrorKind::Unauthorized) {
            message.push_str(" (no API key: set MISTRAL_API_KEY or pass --api-key)");
        }
    }
    message
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}
