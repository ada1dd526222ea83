//! JSON mode, parsed into a Rust type: `cargo run -p mistral-sdk --example json_mode`.

mod common;

use mistral_sdk::{ChatRequest, ChatResponseExt};

#[derive(serde::Deserialize, Debug)]
struct Cheese {
    name: String,
    region: String,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let target = common::connect().await?;
    let request = ChatRequest::new("mistral-small-latest")
        .user(r#"The best French cheese, as JSON: {"name": ..., "region": ...}"#)
        .json_mode();
    let cheese: Cheese = target.client.chat().create(request).await?.json()?;
    println!("{} comes from {}", cheese.name, cheese.region);
    Ok(())
}
