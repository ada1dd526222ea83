//! A batch of chat requests from typed requests to typed results:
//! `cargo run -p mistral-sdk --example batch` (or `-- resume JOB_ID` to go on with a job).
//! Against a real server (MISTRAL_API_KEY set) the job is billed, and may take hours: stop the
//! example at any time and resume it with the job's id.

mod common;

use std::time::Duration;

use mistral_sdk::{BatchFilter, BatchSource, ChatRequest, ChatResponseExt, WatchOptions};

const QUESTIONS: [&str; 4] = [
    "What is the best French cheese?",
    "What is the best French wine?",
    "What is the best French bread?",
    "What is the best French dessert?",
];

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let target = common::connect().await?;
    let client = &target.client;
    let watch = if target.is_mock() {
        WatchOptions { initial_interval: Duration::from_millis(100), max_interval: Duration::from_millis(500) }
    } else {
        WatchOptions { initial_interval: Duration::from_secs(10), max_interval: Duration::from_secs(120) }
    };
    let runner = client
        .batch()
        .runner::<ChatRequest>()
        .metadata([("example", "batch")])
        .watch_options(watch)
        .on_progress(|p| println!("  {}: {}/{} done, {} failed", p.status, p.completed, p.total, p.failed));

    let job_id = match std::env::args().nth(1).as_deref() {
        Some("resume") => std::env::args().nth(2).ok_or("usage: batch resume JOB_ID")?,
        _ => {
            // The lines are written into the upload as it is sent, and again if it is retried.
            let source = BatchSource::replayable(|| {
                QUESTIONS.into_iter().enumerate().map(|(i, question)| {
                    let request = ChatRequest::new("mistral-small-latest").user(question).max_tokens(64);
                    // The last one asks for a field the API does not have: its line fails.
                    let request = if i == 3 { request.extra("not_a_field", true) } else { request };
                    (format!("q{i}"), request)
                })
            });
            let job = runner.submit(source).await?;
            println!("submitted job {} (resume with: --example batch -- resume {})", job.id, job.id);
            job.id
        }
    };

    let mut results = runner.resume(&job_id).await?;
    println!("job {} ended {:?}", results.job().id, results.job().status);
    while let Some(result) = futures::StreamExt::next(&mut results).await {
        let result = result?;
        match &result.result {
            Ok(answer) => println!("{}: {}", result.custom_id, answer.text().lines().next().unwrap_or_default()),
            Err(failure) => println!("{} failed ({:?}): {failure}", result.custom_id, failure.status),
        }
    }
    let recent = client.batch().jobs().list(BatchFilter::new().page_size(5)).await?;
    println!("{} batch job(s) on the account", recent.total);
    Ok(())
}
