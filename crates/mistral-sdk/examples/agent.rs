//! An agent with a Rust function as a tool: made, asked (its function calls answered by
//! `Conversations::run`), updated into a new version with an alias, then deleted:
//! `cargo run -p mistral-sdk --example agent`.

mod common;

use mistral_sdk::types::UpdateAgentRequest;
use mistral_sdk::{ConversationStart, Functions, NewAgent};

/// Where to look the weather up.
#[derive(schemars::JsonSchema, serde::Deserialize)]
struct City {
    /// The city, e.g. "Paris".
    city: String,
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let target = common::connect().await?;
    let client = &target.client;

    let functions = Functions::new().add("get_weather", "Current weather in a city", |c: City| async move {
        Ok::<_, String>(serde_json::json!({"city": c.city, "sky": "cloudy", "temperature_c": 18}))
    });
    let agent = client
        .agents()
        .create(
            NewAgent::new("mistral-medium-latest", "weather desk")
                .instructions("You answer questions about the weather in one sentence.")
                .tools(functions.tools()),
        )
        .await?;
    println!("agent {} (version {})", agent.id, agent.version);

    let run = client
        .conversations()
        .run(ConversationStart::with_agent(&agent.id, "What is the weather in Paris?"), &functions, 3)
        .await?;
    for call in run.function_calls() {
        println!("the agent called {}", call.name);
    }
    println!("> What is the weather in Paris?\n{}", run.text());

    let update = UpdateAgentRequest { instructions: Some("Answer in French.".into()), ..Default::default() };
    let updated = client.agents().update(&agent.id, update).await?;
    client.agents().set_alias(&agent.id, "production", updated.version).await?;
    let versions = client.agents().versions(&agent.id, None, None).await?;
    println!("{} versions; \"production\" is version {}", versions.len(), updated.version);

    client.conversations().delete(&run.conversation_id).await?;
    client.agents().delete(&agent.id).await?;
    println!("deleted the conversation and the agent");
    Ok(())
}
