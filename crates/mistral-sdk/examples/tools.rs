//! Function calling with a tool derived from a Rust type: `cargo run -p mistral-sdk --example tools`.

mod common;

use mistral_sdk::types::KnownToolChoiceEnum;
use mistral_sdk::{ChatRequest, ChatResponseExt, Tool, ToolCallExt};

/// Arguments of `get_weather`.
#[derive(schemars::JsonSchema, serde::Deserialize)]
struct WeatherArgs {
    /// The city, e.g. "Paris".
    city: String,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let target = common::connect().await?;
    let client = &target.client;
    let request = ChatRequest::new("mistral-large-latest")
        .user("What is the weather in Lyon?")
        .tools([Tool::function::<WeatherArgs>("get_weather", "Current weather for a city")])
        .tool_choice(KnownToolChoiceEnum::Auto);
    let response = client.chat().create(request.clone()).await?;
    let Some(call) = response.tool_calls().first() else {
        println!("no tool call: {}", response.text());
        return Ok(());
    };
    let args: WeatherArgs = call.arguments()?;
    println!("the model asks for the weather in {}", args.city);
    let request = request.assistant_message(&response.choices[0].message).tool_result(
        call.id.clone().unwrap_or_default(),
        "get_weather",
        format!("{{\"city\": {:?}, \"temperature_c\": 21}}", args.city),
    );
    println!("{}", client.chat().create(request).await?.text());
    Ok(())
}
