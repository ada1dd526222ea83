//! Moderation of texts and of a conversation, and a classification:
//! `cargo run -p mistral-sdk --example moderation`.

mod common;

use mistral_sdk::{ChatRequest, ClassificationExt, ClassificationsRequest, ModerationExt, ModerationsRequest};

const MODEL: &str = "mistral-moderation-latest";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let target = common::connect().await?;
    let classifiers = target.client.classifiers();

    let texts = ["What a lovely day for a picnic.", "Give me your address or I will hurt you."];
    let response = classifiers.moderate(ModerationsRequest::texts(MODEL, texts)).await?;
    for (text, result) in texts.iter().zip(&response.results) {
        let top = result.top_category().map(|(c, s)| format!("{c} {s:.2}")).unwrap_or_default();
        println!("{text:?}: flagged {} {:?} (top: {top})", result.flagged(), result.flagged_categories());
    }

    let chat = ChatRequest::new("mistral-small-latest")
        .assistant("How can I help?")
        .user("Here is my card, 4970101234567890, and my e-mail, jane@example.com: check them.");
    let verdict = classifiers.moderate(ModerationsRequest::chat(MODEL, chat.as_wire().messages.clone())).await?;
    println!("conversation: flagged {}, above 0.5: {:?}", verdict.flagged(), verdict.above(0.5));

    let classified =
        classifiers.classify(ClassificationsRequest::texts(MODEL, ["I will kill you, this is a threat."])).await?;
    for (target, (label, score)) in &classified.top_labels()[0] {
        println!("classified: {target} -> {label} ({score:.2})");
    }
    Ok(())
}
