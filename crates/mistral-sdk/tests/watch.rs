//! `jobs().watch()`: snapshots on change, ends at a terminal status.
#![allow(deprecated)] // the retired fine-tuning job routes, still served by seed-era servers and the mock

mod support;

use std::time::Duration;

use futures::StreamExt;
use httpmock::Method::GET;
use httpmock::MockServer;
use mistral_sdk::WatchOptions;
use mistral_sdk::types::{JobStatus, KnownJobStatus};
use serde_json::json;

const JOB_ID: &str = "2f4b9a6e-8c1d-4e3f-9a7b-5c6d7e8f9a0b";

fn job(status: &str, modified: i64, checkpoints: usize) -> serde_json::Value {
    let cps: Vec<_> = (0..checkpoints)
        .map(|i| json!({"metrics": {"train_loss": 1.0 / (i as f64 + 1.0)}, "step_number": i + 1, "created_at": 1}))
        .collect();
    json!({"id": JOB_ID, "hyperparameters": {"training_steps": 10}, "model": "open-mistral-7b", "status": status,
        "job_type": "FT", "created_at": 1, "modified_at": modified, "training_files": [], "events": [], "checkpoints": cps})
}

#[tokio::test]
async fn yields_changes_and_ends_at_success() {
    let server = MockServer::start_async().await;
    let path = format!("/v1/fine_tuning/jobs/{JOB_ID}");
    // QUEUED twice (unchanged: one snapshot), RUNNING with a checkpoint, then SUCCESS.
    let script = [job("QUEUED", 1, 0), job("QUEUED", 1, 0), job("RUNNING", 2, 1), job("SUCCESS", 3, 2)];
    let mut mocks = Vec::new();
    for body in script {
        let m = server
            .mock_async(|when, then| {
                when.method(GET).path(path.as_str());
                then.status(200).json_body(body);
            })
            .await;
        m.up_to_n_times_async(1).await;
        mocks.push(m);
    }
    let client = support::client(&server.base_url());
    let options = WatchOptions { initial_interval: Duration::from_millis(10), max_interval: Duration::from_millis(20) };
    let snapshots: Vec<_> = tokio::time::timeout(
        Duration::from_secs(5),
        client.fine_tuning().jobs().watch(JOB_ID, options).collect::<Vec<_>>(),
    )
    .await
    .unwrap();
    let statuses: Vec<JobStatus> = snapshots.into_iter().map(|s| s.unwrap().status).collect();
    assert_eq!(
        statuses,
        [
            JobStatus::Known(KnownJobStatus::Queued),
            JobStatus::Known(KnownJobStatus::Running),
            JobStatus::Known(KnownJobStatus::Success)
        ]
    );
    for m in mocks {
        m.assert_calls_async(1).await;
    }
}

#[tokio::test]
async fn ends_with_the_error_when_polling_fails() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path(format!("/v1/fine_tuning/jobs/{JOB_ID}"));
            then.status(404).json_body(json!({"message": "No job"}));
        })
        .await;
    let client = support::client(&server.base_url());
    let items: Vec<_> = client.fine_tuning().jobs().watch(JOB_ID, WatchOptions::default()).collect().await;
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].as_ref().unwrap_err().status(), Some(404));
}
