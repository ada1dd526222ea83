//! `mistral conformance`: where a server departs from the API spec, check by check.

use std::io::Write;
use std::time::Duration;

use mistral_conformance::Runner;

use crate::Failure;
use crate::cli::{ConformanceArgs, Global};
use crate::output::{self, Out};

/// Runs the checks and prints the table (or, with `--json`, the report); fails unless every
/// selected check passed.
pub(crate) async fn run(global: &Global, args: &ConformanceArgs, out: &mut Out<'_>) -> Result<(), Failure> {
    let mut runner = Runner::new(global.base_url.trim(), global.api_key.as_deref().unwrap_or_default())
        .only(args.only.iter().copied())
        .examples(args.examples.into());
    if let Some(secs) = global.timeout {
        let timeout =
            Duration::try_from_secs_f64(secs).map_err(|e| Failure::Message(format!("invalid --timeout: {e}")))?;
        runner = runner.timeout(timeout);
    }
    let report = runner.run().await.map_err(|e| Failure::Message(e.to_string()))?;
    if global.json {
        output::json(out, &report)?;
    } else {
        out.write_all(report.render_table().as_bytes())?;
    }
    if report.passed() {
        return Ok(());
    }
    let s = report.summary();
    Err(Failure::Message(format!(
        "{} of {} checks did not pass ({} failed, {} skipped)",
        s.failed + s.skipped,
        s.total,
        s.failed,
        s.skipped
    )))
}
