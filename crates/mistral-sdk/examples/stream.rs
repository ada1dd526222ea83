//! A streamed chat completion, printed as it arrives: `cargo run -p mistral-sdk --example stream`.

mod common;

use std::io::Write;

use futures::StreamExt;
use mistral_sdk::{ChatRequest, StreamAccumulator};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let target = common::connect().await?;
    let mut stream =
        target.client.chat().stream(ChatRequest::new("mistral-small-latest").user("Tell me about Comté.")).await?;
    let mut acc = StreamAccumulator::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk?;
        if let Some(text) = chunk.choices.first().and_then(|c| mistral_sdk::content_text(c.delta.content.as_ref())) {
            print!("{text}");
            std::io::stdout().flush()?;
        }
        acc.push(&chunk);
    }
    println!("\nusage: {:?}", acc.usage());
    Ok(())
}
