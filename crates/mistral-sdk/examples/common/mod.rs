//! Shared by the examples: a client for the real API when `MISTRAL_API_KEY` is set, else for
//! a mock server started in this process.
#![allow(dead_code)]

use mistral_mock::MockServer;
use mistral_sdk::Client;

/// The client, and the mock server keeping it alive (if one was started).
pub struct Target {
    pub client: Client,
    pub mock: Option<MockServer>,
}

impl Target {
    /// Whether requests go to the embedded mock.
    pub fn is_mock(&self) -> bool {
        self.mock.is_some()
    }
}

pub async fn connect() -> Result<Target, Box<dyn std::error::Error>> {
    if std::env::var("MISTRAL_API_KEY").is_ok_and(|k| !k.trim().is_empty()) {
        let client = Client::from_env()?;
        println!("# talking to {}", client.base_url());
        return Ok(Target { client, mock: None });
    }
    // Jobs finish in about a second of real time.
    let mock = MockServer::builder().speed(200.0).start().await?;
    let client = Client::builder().api_key(mock.api_key()).base_url(mock.base_url()).build()?;
    println!("# no MISTRAL_API_KEY: talking to the embedded mock at {}", mock.base_url());
    Ok(Target { client, mock: Some(mock) })
}
