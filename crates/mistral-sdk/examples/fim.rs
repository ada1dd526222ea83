//! Fill-in-the-middle code completion: `cargo run -p mistral-sdk --example fim`.

mod common;

use mistral_sdk::{ChatResponseExt, FimRequest};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let target = common::connect().await?;
    let (prompt, suffix) = ("fn is_even(n: u32) -> bool {", "}\n\nfn main() { println!(\"{}\", is_even(4)); }");
    let request = FimRequest::new("codestral-latest", prompt).suffix(suffix).max_tokens(64);
    let middle = target.client.fim().create(request).await?.text();
    println!("{prompt}{middle}{suffix}");
    Ok(())
}
