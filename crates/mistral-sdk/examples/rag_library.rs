//! Retrieval over your own documents: a library, a document uploaded and processed, an agent
//! with the `document_library` tool answering from it, then everything deleted:
//! `cargo run -p mistral-sdk --example rag_library`.

mod common;

use mistral_sdk::types::ConversationResponseOutputsItem;
use mistral_sdk::{ConversationStart, FileUpload, NewAgent, NewLibrary, Tool, WatchOptions};

const HANDBOOK: &str = "\
Holidays. Everyone gets 25 days of paid holiday a year, plus the public holidays of their country.

Expenses. Travel is booked through the office; meals on the road are paid back up to 40 euros a day.

Equipment. A laptop is renewed every three years; ask the IT desk for a new one.
";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let target = common::connect().await?;
    let client = &target.client;

    let library = client.libraries().create(NewLibrary::new("handbook").description("The team's rules")).await?;
    let documents = client.libraries().documents(library.id);
    let document = documents.upload(FileUpload::from_bytes("handbook.txt", HANDBOOK)).await?;
    let status = documents.wait_processed(document.id, WatchOptions::default()).await?;
    println!("{} uploaded to library {}: {}", document.name, library.id, status.process_status);
    let text = documents.text_content(document.id, None, None).await?;
    println!("{} characters of text", text.text.len());

    let agent = client
        .agents()
        .create(
            NewAgent::new("mistral-medium-latest", "handbook helper")
                .instructions("Answer from the handbook only.")
                .tools([Tool::document_library([library.id])]),
        )
        .await?;
    let question = "How many days of paid holiday do we get?";
    let answer = client.conversations().start(ConversationStart::with_agent(&agent.id, question)).await?;
    println!("> {question}");
    for output in &answer.outputs {
        match output {
            ConversationResponseOutputsItem::ToolExecution(run) => {
                println!("[{} ran]", serde_json::to_value(&run.name)?)
            }
            ConversationResponseOutputsItem::MessageOutput(message) => {
                println!("{}", serde_json::to_value(&message.content)?.as_str().unwrap_or_default())
            }
            _ => {}
        }
    }

    client.conversations().delete(&answer.conversation_id).await?;
    client.agents().delete(&agent.id).await?;
    documents.delete(document.id).await?;
    client.libraries().delete(library.id).await?;
    println!("cleaned up");
    Ok(())
}
