//! A conversation kept by the server: started as a stream (the text printed as it comes, the
//! events folded by `ConversationAccumulator`), continued, read back, restarted from its first
//! entry, deleted: `cargo run -p mistral-sdk --example conversation`.

mod common;

use futures::StreamExt;
use mistral_sdk::types::ConversationHistoryEntriesItem;
use mistral_sdk::{ConversationAccumulator, ConversationEvent, ConversationStart};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let target = common::connect().await?;
    let client = &target.client;

    println!("> Name three French cheeses.");
    let start = ConversationStart::with_model("mistral-medium-latest", "Name three French cheeses.")
        .instructions("You are terse.");
    let mut events = client.conversations().start_stream(start).await?;
    let mut run = ConversationAccumulator::new();
    while let Some(event) = events.next().await {
        let event = event?;
        match &event {
            ConversationEvent::ToolExecutionStarted(tool) => {
                eprintln!("[running {}]", serde_json::to_value(&tool.name)?)
            }
            other => {
                if let Some(text) = other.text_delta() {
                    print!("{text}");
                }
            }
        }
        run.push(&event);
    }
    println!();
    let id = run.conversation_id().ok_or("the stream gave no conversation id")?.to_string();

    let next = client.conversations().append(&id, "Which one is the oldest?").await?;
    println!("> Which one is the oldest?\n{} output(s), {:?} tokens", next.outputs.len(), next.usage.total_tokens);

    let history = client.conversations().history(&id).await?;
    println!("{} entries kept by the server", history.entries.len());
    let first = history.entries.iter().find_map(|entry| match entry {
        ConversationHistoryEntriesItem::MessageInput(input) => input.id.clone(),
        _ => None,
    });
    if let Some(first) = first {
        let again = client.conversations().restart(&id, first, "Name three Italian cheeses instead.").await?;
        println!("restarted as {}", again.conversation_id);
        client.conversations().delete(&again.conversation_id).await?;
    }
    client.conversations().delete(&id).await?;
    Ok(())
}
