//! The `mistral` binary: see the `mistral_cli` library for everything it does.

#![forbid(unsafe_code)]

use std::io::IsTerminal;
use std::process::ExitCode;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let options = mistral_cli::Options {
        progress_bar: std::io::stderr().is_terminal(),
        // https://no-color.org: any non-empty NO_COLOR turns colours off.
        color: std::io::stdout().is_terminal()
            && std::io::stderr().is_terminal()
            && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty()),
    };
    let code = mistral_cli::run_with(
        std::env::args_os(),
        &mut std::io::stdout(),
        &mut std::io::stderr(),
        options,
        mistral_cli::ctrl_c(),
    )
    .await;
    ExitCode::from(code)
}
