//! A reasoning model: its thinking apart from its answer, whole and streamed:
//! `cargo run -p mistral-sdk --example reasoning`.

mod common;

use std::io::Write;

use futures::StreamExt;
use mistral_sdk::types::{KnownReasoningEffort, MistralPromptMode};
use mistral_sdk::{ChatRequest, ChatResponseExt, Delta, FinishReasonExt};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let target = common::connect().await?;
    let request = ChatRequest::new("magistral-small-latest")
        .user("A bat and a ball cost 1.10 in total. The bat costs 1.00 more than the ball. What does the ball cost?")
        .prompt_mode(MistralPromptMode::Reasoning)
        .reasoning_effort(KnownReasoningEffort::Medium);

    // Whole: thinking and answer apart.
    let response = target.client.chat().create(request.clone()).await?;
    println!("# thinking\n{}\n# answer\n{}", response.thinking(), response.text());
    if let Some(details) = &response.usage.completion_tokens_details {
        println!("# reasoning tokens: {details:?}");
    }

    // Streamed: each delta says whether it is thinking or answer.
    println!("\n# streamed");
    let mut deltas = std::pin::pin!(target.client.chat().stream(request).await?.deltas());
    let mut thinking = false;
    while let Some(delta) = deltas.next().await {
        match delta?.delta {
            Delta::Thinking(text) => {
                if !thinking {
                    print!("[thinking] ");
                    thinking = true;
                }
                print!("{text}");
            }
            Delta::Text(text) => {
                if thinking {
                    print!("\n[answer] ");
                    thinking = false;
                }
                print!("{text}");
            }
            Delta::Finish(reason) => println!("\n[finished: {}]", reason.as_str()),
            _ => {}
        }
        std::io::stdout().flush()?;
    }
    Ok(())
}
