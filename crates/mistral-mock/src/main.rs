//! `mistral-mock`: a local, stateful mock of the Mistral AI v1 API.

#![forbid(unsafe_code)]

use clap::Parser;

/// A faithful, stateful mock of the Mistral AI v1 REST API.
#[derive(Debug, Parser)]
#[command(name = "mistral-mock", version, about)]
struct Cli {
    #[command(flatten)]
    mock: mistral_mock::cli::MockArgs,
}

#[tokio::main]
async fn main() {
    let cli = Cli::parse();
    if let Err(e) = mistral_mock::cli::run(cli.mock).await {
        eprintln!("mistral-mock: {e}");
        std::process::exit(1);
    }
}
