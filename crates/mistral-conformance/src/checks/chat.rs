//! What chat does in 2026 beyond the seed's flow: a structured-output answer that fits the
//! requested schema, an image in a message, a reasoning model's stream with its thoughts apart.

use serde_json::{Value, json};
use tokio::time::Instant;

use crate::Group;
use crate::check::Fail;
use crate::http::Payload;
use crate::report::{Aspect, Outcome};
use crate::runner::*;
use crate::spec_data::{self, JSON};

/// `chat.structured_output`.
pub(crate) const STRUCTURED_OUTPUT: &str = "chat.structured_output";
/// `chat.multimodal`.
pub(crate) const MULTIMODAL: &str = "chat.multimodal";
/// `chat.reasoning_stream`.
pub(crate) const REASONING_STREAM: &str = "chat.reasoning_stream";

/// The reasoning model the stream check asks (Mistral's; a server without it skips the check).
const REASONING_MODEL: &str = "magistral-small-latest";

/// A 1x1 PNG.
const PIXEL: &str = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4//8/AAX+Av4N70a4AAAAAElFTkSuQmCC";

impl Ctx {
    /// `chat.structured_output`, `chat.multimodal`, `chat.reasoning_stream`.
    pub(crate) async fn chat_2026(&mut self, ops: &Ops) {
        let op = &ops.chat;
        // The model of the spec's first chat example: one the server is meant to have.
        let model = spec_data::request_examples(self.spec, op.id, JSON)
            .ok()
            .and_then(|e| e.into_iter().next())
            .and_then(|(_, body)| body.get("model").and_then(Value::as_str).map(str::to_string))
            .unwrap_or_else(|| "mistral-small-latest".into());

        let schema = json!({
            "type": "object",
            "properties": {"city": {"type": "string"}, "country": {"type": "string"}},
            "required": ["city", "country"],
            "additionalProperties": false
        });
        let body = json!({
            "model": model,
            "messages": [{"role": "user", "content": "Name a French city and its country, as JSON."}],
            "response_format": {"type": "json_schema", "json_schema": {"name": "city", "schema": schema, "strict": true}}
        });
        let def =
            self.def(STRUCTURED_OUTPUT, Group::Chat, op, "json_schema response_format: the answer fits the schema");
        match mistral_spec::Validator::json_schema(&schema) {
            Ok(validator) => {
                self.plain(def, &[], Payload::Json(body), |answer| {
                    let text = answer_text(answer);
                    let value: Value = serde_json::from_str(&text).map_err(|e| {
                        content_fail(format!("the answer is not JSON ({e}): {}", crate::http::snippet(text.as_bytes())))
                    })?;
                    validator.validate(&value).map_err(|v| {
                        let why: Vec<String> = v.iter().map(ToString::to_string).collect();
                        content_fail(format!("the answer does not fit the requested schema: {}", why.join("; ")))
                    })
                })
                .await;
            }
            Err(e) => self.record(def, Fail::spec(e.to_string()).into(), None),
        }

        let body = json!({
            "model": model,
            "messages": [{"role": "user", "content": [
                {"type": "text", "text": "What colour is this pixel?"},
                {"type": "image_url", "image_url": PIXEL}
            ]}]
        });
        let def = self.def(MULTIMODAL, Group::Chat, op, "text and an image (data URL) in one message: an answer");
        self.plain(def, &[], Payload::Json(body), |answer| {
            if answer_text(answer).trim().is_empty() { Err(content_fail("the answer is empty".into())) } else { Ok(()) }
        })
        .await;

        let body = json!({
            "model": REASONING_MODEL,
            "messages": [{"role": "user", "content": "Is 17 a prime number?"}],
            "stream": true
        });
        let description = format!("{REASONING_MODEL}, streamed: thinking chunks, then the answer's text");
        let def = self.def(REASONING_STREAM, Group::Chat, op, description);
        let started = Instant::now();
        let outcome = match self.stream_answer(op, body).await {
            Ok(s) if s.thinking == 0 => behaviour("no chunk carried a thinking content chunk".into()).into(),
            Ok(s) if s.text_after_thinking == 0 => behaviour("no answer text came after the thinking".into()).into(),
            Ok(_) => Outcome::Pass,
            Err(f) if f.message.contains("Invalid model") => {
                Outcome::Skip { reason: format!("the server has no {REASONING_MODEL}") }
            }
            Err(f) => f.into(),
        };
        self.record(def, outcome, Some(started));
    }
}

/// The first choice's answer text: the string, or its `text` chunks joined.
fn answer_text(answer: &Value) -> String {
    match answer.pointer("/choices/0/message/content") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(items)) => items
            .iter()
            .filter(|c| c.get("type").and_then(Value::as_str) == Some("text"))
            .filter_map(|c| c.get("text").and_then(Value::as_str))
            .collect(),
        _ => String::new(),
    }
}

fn content_fail(message: String) -> Fail {
    Fail { pointer: Some("/choices/0/message/content".into()), ..Fail::new(Aspect::Behaviour, message) }
}
