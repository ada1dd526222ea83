//! Structured output typed by a Rust type: `cargo run -p mistral-sdk --example structured_output`.
//!
//! The request carries `Cheese`'s JSON Schema (`response_format: json_schema`, strict); the
//! answer is parsed back into a `Cheese`. An answer that does not fit is an
//! `Error::InvalidOutput` that shows it.

mod common;

use mistral_sdk::{ChatRequest, ChatResponseExt, Error};

/// A cheese, as the model must describe it.
#[derive(schemars::JsonSchema, serde::Deserialize, Debug)]
struct Cheese {
    /// Its usual name.
    name: String,
    /// The French region it comes from.
    region: String,
    /// How long it ages, in months.
    months_aged: u32,
    /// The milk it is made from.
    milk: Milk,
    /// Wines to drink with it.
    pairings: Vec<String>,
}

#[derive(schemars::JsonSchema, serde::Deserialize, Debug)]
#[serde(rename_all = "lowercase")]
enum Milk {
    Cow,
    Goat,
    Sheep,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let target = common::connect().await?;
    let request = ChatRequest::new("mistral-small-latest")
        .system("You are a cheesemonger.")
        .user("Describe the best French cheese.")
        .json_schema::<Cheese>();
    let response = target.client.chat().create(request).await?;
    match response.parsed::<Cheese>() {
        Ok(cheese) => {
            println!("{} ({}), {:?} milk, aged {} months", cheese.name, cheese.region, cheese.milk, cheese.months_aged);
            println!("pairs with: {}", cheese.pairings.join(", "));
        }
        Err(Error::InvalidOutput { content, source }) => println!("the answer does not fit ({source}): {content}"),
        Err(e) => return Err(e.into()),
    }
    Ok(())
}
