//! The official Python clients drive the mock, step by step (`tests/clients/*.py`): the newest
//! `mistralai` (3.x) through 84 steps: every operation of the table it offers (all but the retired fine-tuning jobs), streams included, and the
//! seed-era `mistralai==0.4.2` through the seed's operations, fine-tuning flow included.
//!
//! `.ci/run` installs both into virtualenvs and names their interpreters in
//! `MISTRAL_PYTHON_NEWEST` and `MISTRAL_PYTHON_SEED`; without them the tests say so and pass.

use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use mistral_mock::MockServer;

async fn drive(python_var: &str, script: &str, steps: usize) {
    let Ok(python) = std::env::var(python_var) else {
        eprintln!("skipped: {python_var} is not set (.ci/run sets it to a virtualenv with the client)");
        return;
    };
    // Fast simulated time: a two-step job succeeds within a second.
    let server = MockServer::builder().speed(500.0).start().await.unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/clients").join(script);
    let child = tokio::process::Command::new(&python)
        .arg(&script)
        .env("MISTRAL_BASE_URL", server.base_url())
        .env("PYTHONWARNINGS", "ignore")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap_or_else(|e| panic!("{python}: {e}"));
    let output = tokio::time::timeout(Duration::from_secs(120), child.wait_with_output())
        .await
        .expect("the client finishes in time")
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let passed = stdout.lines().filter(|l| l.starts_with("ok ")).count();
    assert!(output.status.success(), "{script:?}: {}\n{stdout}\n{stderr}", output.status);
    assert_eq!(passed, steps, "{stdout}");
    assert!(stdout.ends_with("all passed\n"), "{stdout}");
}

#[tokio::test]
async fn the_newest_official_python_client_passes_every_step() {
    drive("MISTRAL_PYTHON_NEWEST", "newest.py", 84).await;
}

#[tokio::test]
async fn the_seed_era_official_python_client_passes_every_step() {
    drive("MISTRAL_PYTHON_SEED", "seed.py", 19).await;
}
