//! `POST /v1/embeddings`: deterministic, L2-normalised 1024-dimension vectors.
//!
//! Each text is hashed into 1024 signed buckets: its lower-cased words (weight 1) and the
//! character trigrams of each word (weight 0.5). Texts that share words or word pieces get a
//! higher cosine similarity than unrelated texts, like real embeddings (only much cruder).

use std::sync::Arc;

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::HeaderMap;
use mistral_openapi::operations::{self, Operation};
use mistral_openapi::types::{EmbeddingInput, EmbeddingRequest, EmbeddingResponse, EmbeddingResponseData};

use crate::api_error::{ApiError, Detail, loc};
use crate::app::App;
use crate::routes::models::{self, Capability};
use crate::text::{count_tokens, hash64, tokenize};
use crate::validate::{parse_json, read_body};

/// The operation id of this endpoint in the spec.
pub(crate) const OPERATION: &Operation = &operations::CREATE_EMBEDDING;

/// The most texts one request may embed.
pub(crate) const MAX_INPUTS: usize = 256;

/// Dimensions of every vector.
pub(crate) const DIMENSIONS: usize = 1024;

/// The embedding of `text`: unit length, the same every time.
pub(crate) fn embed(text: &str) -> Vec<f32> {
    let mut v = vec![0f64; DIMENSIONS];
    let mut add = |feature: &str, weight: f64| {
        let h = hash64(feature.as_bytes());
        let bucket = (h % DIMENSIONS as u64) as usize;
        let sign = if (h >> 63) == 1 { -1.0 } else { 1.0 };
        v[bucket] += sign * weight;
    };
    let lower = text.to_lowercase();
    let mut any = false;
    for token in tokenize(&lower) {
        let word = token.trim();
        if word.is_empty() || !word.chars().any(char::is_alphanumeric) {
            continue;
        }
        any = true;
        add(&format!("w:{word}"), 1.0);
        let padded: Vec<char> = format!(" {word} ").chars().collect();
        for tri in padded.windows(3) {
            add(&format!("t:{}", tri.iter().collect::<String>()), 0.5);
        }
    }
    if !any {
        add(&format!("raw:{text}"), 1.0);
    }
    let norm = v.iter().map(|x| x * x).sum::<f64>().sqrt();
    let norm = if norm > 0.0 { norm } else { 1.0 };
    v.iter().map(|x| (x / norm) as f32).collect()
}

/// `POST /v1/embeddings`
pub(crate) async fn create(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<serde_json::Value>, ApiError> {
    let bytes = read_body(body, &headers, app.options.body_limit).await?;
    let request: EmbeddingRequest = app.validators.parse(OPERATION, parse_json(&bytes)?)?;
    models::check(&app, &request.model, Capability::Embed)?;
    let inputs = match request.input {
        EmbeddingInput::String(s) => vec![s],
        EmbeddingInput::Array(a) => a,
    };
    if inputs.len() > MAX_INPUTS {
        // As the live server: 257 inputs are refused.
        return Err(ApiError::object(
            axum::http::StatusCode::BAD_REQUEST,
            "Too many inputs in request, split into more batches.",
            "invalid_request_prompt",
            Some("3210"),
        ));
    }
    if inputs.is_empty() {
        return Err(ApiError::invalid(Detail::new(
            "too_short",
            loc("body", &["input".into()]),
            "List should have at least 1 item after validation, not 0",
        )));
    }
    let tokens: u64 = inputs.iter().map(|s| count_tokens(s)).sum();
    let data = inputs
        .iter()
        .enumerate()
        .map(|(i, text)| EmbeddingResponseData {
            embedding: embed(text),
            index: i64::try_from(i).ok(),
            object: Some("embedding".into()),
        })
        .collect();
    let mut body = serde_json::to_value(EmbeddingResponse {
        data,
        id: uuid::Uuid::new_v4().simple().to_string(),
        model: request.model,
        object: "list".into(),
        usage: crate::completion::usage(tokens, 0),
    })
    .unwrap_or(serde_json::Value::Null);
    body["usage"] = crate::completion::embedding_usage(tokens);
    Ok(Json(body))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cosine(a: &[f32], b: &[f32]) -> f32 {
        a.iter().zip(b).map(|(x, y)| x * y).sum()
    }

    #[test]
    fn unit_length_deterministic_and_meaningful() {
        let a = embed("The cat sat on the mat");
        assert_eq!(a.len(), DIMENSIONS);
        assert_eq!(a, embed("The cat sat on the mat"));
        let norm: f32 = a.iter().map(|x| x * x).sum::<f32>().sqrt();
        assert!((norm - 1.0).abs() < 1e-4);
        let near = embed("A cat sat on a mat");
        let far = embed("Quarterly revenue grew by twelve percent");
        assert!(cosine(&a, &near) > cosine(&a, &far) + 0.3, "{} vs {}", cosine(&a, &near), cosine(&a, &far));
        let empty = embed("");
        assert!((empty.iter().map(|x| x * x).sum::<f32>() - 1.0).abs() < 1e-4);
    }
}
