//! A fine-tuning job from upload to a usable model: `cargo run -p mistral-sdk --example fine_tuning`.
//! Against a real server (MISTRAL_API_KEY set) this starts a paid job.
#![allow(deprecated)] // the retired fine-tuning job routes, still served by seed-era servers and the mock

mod common;

use std::time::Duration;

use futures::StreamExt;
use mistral_sdk::{ChatRequest, ChatResponseExt, FileUpload, JobFilter, JobRequest, JobStatusExt, WatchOptions};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let target = common::connect().await?;
    let client = &target.client;
    let line = "{\"messages\": [{\"role\": \"user\", \"content\": \"Ping\"}, {\"role\": \"assistant\", \"content\": \"Pong\"}]}\n";
    let file = client.files().upload(FileUpload::from_bytes("ping.jsonl", line.repeat(50))).await?;
    let job = JobRequest::new("open-mistral-7b", [file.id]).training_steps(5).suffix("ping");
    let estimate = client.fine_tuning().jobs().dry_run(job.clone()).await?;
    println!("estimate: {estimate:?}");
    let created = client.fine_tuning().jobs().create(job).await?;
    let options = WatchOptions { initial_interval: Duration::from_millis(200), max_interval: Duration::from_secs(15) };
    let mut watch = std::pin::pin!(client.fine_tuning().jobs().watch(created.id, options));
    let mut model = None;
    while let Some(job) = watch.next().await {
        let job = job?;
        println!("{} {}", job.id, job.status.as_str());
        model = job.fine_tuned_model;
    }
    let listed = client.fine_tuning().jobs().list(JobFilter::new().page_size(5)).await?;
    println!("{} job(s) listed", listed.data.map_or(0, |d| d.len()));
    if let Some(model) = model {
        println!("{model}: {}", client.chat().create(ChatRequest::new(&model).user("Ping")).await?.text());
        client.models().delete(&model).await?;
    }
    client.files().delete(file.id).await?;
    Ok(())
}
