//! `mistral mock`: the mock API server (`mistral-mock`) in the foreground.

use std::io::Write;

use crate::Failure;
use crate::cli::MockArgs;
use crate::output::Out;

/// Binds, prints the base URL on stdout (one line) and serves until interrupted.
pub(crate) async fn run(args: &MockArgs, out: &mut Out<'_>, stderr: &mut dyn Write) -> Result<(), Failure> {
    let options = args.options().map_err(|e| Failure::Message(format!("mock server: {e}")))?;
    let listener = tokio::net::TcpListener::bind(&args.addr)
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
