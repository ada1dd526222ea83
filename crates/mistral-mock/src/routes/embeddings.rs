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
use mistral_openapi::types::{
    EmbeddingDtype, EmbeddingInput, EmbeddingRequest, EmbeddingResponse, EmbeddingResponseData, KnownEmbeddingDtype,
};

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
    let dimensions = match request.output_dimension.map(|d| d.get()) {
        None => DIMENSIONS,
        Some(d) if d <= DIMENSIONS as u64 => d as usize,
        Some(d) => {
            return Err(ApiError::bad_request(format!(
                "output_dimension {d} is too large for {}: at most {DIMENSIONS}",
                request.model
            )));
        }
    };
    let dtype = match &request.output_dtype {
        None => KnownEmbeddingDtype::Float,
        Some(EmbeddingDtype::Known(k)) => *k,
        Some(EmbeddingDtype::Other(other)) => {
            return Err(ApiError::bad_request(format!("output_dtype {other:?} is not one the API knows")));
        }
    };
    let tokens: u64 = inputs.iter().map(|s| count_tokens(s)).sum();
    let vectors: Vec<Vec<f32>> = inputs.iter().map(|text| shortened(embed(text), dimensions)).collect();
    let data = vectors
        .iter()
        .enumerate()
        .map(|(i, vector)| EmbeddingResponseData {
            embedding: vector.clone(),
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
    // Integers on the wire, as the API sends quantized vectors.
    for (i, vector) in vectors.iter().enumerate() {
        if let Some(values) = quantized(vector, dtype) {
            body["data"][i]["embedding"] = serde_json::Value::from(values);
        }
    }
    Ok(Json(body))
}

/// The first `dimensions` values, scaled back to unit length (how shortened embeddings are
/// meant to be read).
fn shortened(mut vector: Vec<f32>, dimensions: usize) -> Vec<f32> {
    if dimensions >= vector.len() {
        return vector;
    }
    vector.truncate(dimensions);
    let norm = vector.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        vector.iter_mut().for_each(|x| *x /= norm);
    }
    vector
}

/// A unit vector in `dtype`: int8/uint8 one value per dimension, binary/ubinary the signs
/// packed eight dimensions a byte (signed or not); `None` for float.
fn quantized(vector: &[f32], dtype: KnownEmbeddingDtype) -> Option<Vec<i64>> {
    // Values of a unit vector of ~1000 dimensions rarely leave ±0.2: scale so they use the range.
    let scale = |x: f32| (x * 8.0).clamp(-1.0, 1.0);
    Some(match dtype {
        KnownEmbeddingDtype::Float => return None,
        KnownEmbeddingDtype::Int8 => vector.iter().map(|x| (scale(*x) * 127.0).round() as i64).collect(),
        KnownEmbeddingDtype::Uint8 => vector.iter().map(|x| ((scale(*x) + 1.0) * 127.5).round() as i64).collect(),
        KnownEmbeddingDtype::Binary | KnownEmbeddingDtype::Ubinary => vector
            .chunks(8)
            .map(|bits| {
                let byte = bits.iter().enumerate().fold(0u8, |b, (i, x)| if *x > 0.0 { b | (0x80 >> i) } else { b });
                if dtype == KnownEmbeddingDtype::Binary { i64::from(byte as i8) } else { i64::from(byte) }
            })
            .collect(),
        // A type this table does not know yet: floats.
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cosine(a: &[f32], b: &[f32]) -> f32 {
        a.iter().zip(b).map(|(x, y)| x * y).sum()
    }

    #[test]
    fn shortened_vectors_stay_unit_and_quantized_ones_fit_their_type() {
        let v = shortened(embed("Comté is a French cheese"), 256);
        assert_eq!(v.len(), 256);
        assert!((v.iter().map(|x| x * x).sum::<f32>() - 1.0).abs() < 1e-4);
        let int8 = quantized(&v, KnownEmbeddingDtype::Int8).unwrap();
        assert!(int8.len() == 256 && int8.iter().all(|x| (-128..=127).contains(x)) && int8.iter().any(|x| *x != 0));
        let uint8 = quantized(&v, KnownEmbeddingDtype::Uint8).unwrap();
        assert!(uint8.iter().all(|x| (0..=255).contains(x)));
        let bits = quantized(&v, KnownEmbeddingDtype::Ubinary).unwrap();
        assert_eq!(bits.len(), 32);
        assert_eq!(bits[0] as u8 >> 7, u8::from(v[0] > 0.0), "the first bit is the first sign");
        let signed = quantized(&v, KnownEmbeddingDtype::Binary).unwrap();
        assert!(signed.iter().zip(&bits).all(|(s, u)| (*s as i8) as u8 == *u as u8));
        assert_eq!(quantized(&v, KnownEmbeddingDtype::Float), None);
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
