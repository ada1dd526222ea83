//! `mistral mock`: the mock API server in the foreground.

use std::io::Write;

use crate::Failure;
use crate::cli::MockArgs;
use crate::output::Out;

pub(crate) async fn run(
    args: &MockArgs,
    out: &mut Out<'_>,
    _stderr: &mut dyn Write,
) -> Result<(), Failure> {
    let _ = out;
    Err(Failure::Message(format!(
        "the mock server is not available in this build (asked for {})",
        args.addr
    )))
}
