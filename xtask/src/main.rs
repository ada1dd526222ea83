#![forbid(unsafe_code)]

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Workspace tasks: regenerate the client from openapi.yaml, check for drift, diff specs.
#[derive(Parser)]
#[command(name = "cargo xtask")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Regenerate the checked-in client and httpmock helpers from openapi.yaml.
    Generate,
    /// Lint openapi.yaml and fail with a diff when generated code is out of date.
    Check,
    /// Fail when a dependency declares a newer rust-version than the workspace.
    Msrv,
    /// Compare openapi.yaml with another OpenAPI document (3.0 or 3.1, YAML or JSON).
    DiffSpec {
        /// The other document (the newer one).
        other: PathBuf,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
        /// Exit 1 when any change is breaking.
        #[arg(long)]
        fail_on_breaking: bool,
        /// Only openapi.yaml's operations, each difference explained by spec-differences.yaml
        /// or listed; exit 1 when one is unexplained or a rule explains nothing.
        #[arg(long)]
        ours: bool,
    },
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    let root = xtask::workspace_root();
    match cli.command {
        Command::Generate => {
            for path in xtask::generate(&root)? {
                println!("wrote {}", path.display());
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Check => {
            let problems = xtask::check(&root)?;
            if problems.is_empty() {
                println!("openapi.yaml is clean and the generated code is up to date");
                return Ok(ExitCode::SUCCESS);
            }
            for p in &problems {
                eprintln!("{p}");
            }
            eprintln!("{} problem(s)", problems.len());
            Ok(ExitCode::FAILURE)
        }
        Command::Msrv => {
            let output = std::process::Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
                .args(["metadata", "--format-version", "1"])
                .current_dir(&root)
                .output()?;
            anyhow::ensure!(
                output.status.success(),
                "cargo metadata failed: {}",
                String::from_utf8_lossy(&output.stderr)
            );
            let problems = xtask::msrv_problems(&serde_json::from_slice(&output.stdout)?)?;
            for p in &problems {
                eprintln!("{p}");
            }
            if problems.is_empty() {
                println!("no dependency needs a newer Rust than the workspace's rust-version");
            }
            Ok(if problems.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
        }
        Command::DiffSpec { other, json, ours: true, .. } => {
            let report = xtask::diff_spec_ours(&root, &other)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                print!("{}", report.render_text());
            }
            Ok(if report.is_clean() { ExitCode::SUCCESS } else { ExitCode::FAILURE })
        }
        Command::DiffSpec { other, json, fail_on_breaking, ours: false } => {
            let report = xtask::diff_spec(&root, &other)?;
            if json {
                println!("{}", serde_json::to_string_pretty(&report)?);
            } else {
                print!("{}", report.render_text());
            }
            if fail_on_breaking && report.has_breaking() {
                return Ok(ExitCode::FAILURE);
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
