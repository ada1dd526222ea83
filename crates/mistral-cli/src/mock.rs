//! `mistral mock`: the mock API server (`mistral-mock`) in the foreground.

use std::io::Write;
use std::time::Duration;

use crate::Failure;
use crate::cli::MockArgs;
use crate::output::Out;

/// Binds, prints the base URL on stdout (one line) and serves until interrupted.
pub(crate) async fn run(args: &MockArgs, out: &mut Out<'_>, stderr: &mut dyn Write) -> Result<(), Failure> {
    let mut options = mistral_mock::Options::default();
    options.api_keys = args.accept_keys.clone();
    options.speed = args.speed;
    options.data_dir = args.data_dir.clone();
    options.token_delay = Duration::from_millis(args.token_delay_ms);
    options.admin = args.admin;
    options.record = args.record.clone();
    let listener = tokio::net::TcpListener::bind(args.addr)
        .await
        .map_err(|e| Failure::Message(format!("cannot listen on {}: {e}", args.addr)))?;
    let addr = listener.local_addr().map_err(|e| Failure::Message(format!("cannot listen on {}: {e}", args.addr)))?;
    writeln!(out, "http://{addr}")?;
    out.flush()?;
    let _ = writeln!(stderr, "mistral mock: serving the Mistral API on http://{addr} (Ctrl-C to stop)");
    let _ = stderr.flush();
    // The server stops when this future is dropped (on Ctrl-C).
    mistral_mock::serve(listener, options, std::future::pending())
        .await
        .map_err(|e| Failure::Message(format!("mock server: {e}")))
}
