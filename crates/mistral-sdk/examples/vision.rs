//! Images (and a document) in a message: `cargo run -p mistral-sdk --example vision [IMAGE]`.
//!
//! With a path, that image file is sent (PNG, JPEG, GIF or WebP, inline as a data URL); without
//! one, a tiny PNG made here. An image URL goes along, for the server to fetch.

mod common;

use mistral_sdk::types::KnownImageDetail;
use mistral_sdk::{ChatRequest, ChatResponseExt, Part};

/// A 1x1 PNG, for when no image is given.
const PIXEL: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00, 0x00, 0x00, 0x0d, 0x49,
    0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xdf, 0xc0, 0xf0, 0x1f, 0x00, 0x06, 0x80, 0x02, 0x7f, 0x10, 0x4c, 0x1b,
    0xe1, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let target = common::connect().await?;
    let local = match std::env::args().nth(1) {
        Some(path) => Part::image_path(path)?,
        None => Part::image_data(PIXEL)?,
    };
    let request = ChatRequest::new("mistral-small-latest").user_parts([
        Part::text("Describe the first image in one sentence, then say what the second one shows."),
        local,
        Part::image_url("https://docs.mistral.ai/img/eiffel-tower-paris.jpg").detail(KnownImageDetail::Low),
    ]);
    let response = target.client.chat().create(request).await?;
    println!("{}", response.text());
    println!("prompt tokens (images included): {}", response.usage.prompt_tokens);
    Ok(())
}
