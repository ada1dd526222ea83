//! A chat completion: `cargo run -p mistral-sdk --example chat`.

mod common;

use mistral_sdk::{ChatRequest, ChatResponseExt};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let target = common::connect().await?;
    let request = ChatRequest::new("mistral-small-latest")
        .system("You are a concise assistant.")
        .user("Name three French cheeses.")
        .temperature(0.3)
        .max_tokens(100);
    let response = target.client.chat().create_with_meta(request).await?;
    println!("{}", response.data.text());
    println!("request id: {:?}, usage: {:?}", response.meta.request_id(), response.data.usage);
    Ok(())
}
