//! Embeddings as used in 2026: the builder's wire body, and vectors sent as base64 decoded.

mod support;

use httpmock::Method::POST;
use httpmock::MockServer;
use mistral_sdk::types::{KnownEmbeddingDtype, KnownEncodingFormat};
use mistral_sdk::{EmbeddingVector, EmbeddingsRequest, Error};
use serde_json::json;
use support::client;

/// `values` as base64 of little-endian f32s, computed apart from the SDK's decoder.
fn base64_f32(values: &[f32]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
    let mut out = String::new();
    for group in bytes.chunks(3) {
        let mut b = [0u8; 3];
        b[..group.len()].copy_from_slice(group);
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for k in 0..4 {
            if k <= group.len() {
                out.push(ALPHABET[((n >> (18 - 6 * k)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn answer(data: serde_json::Value) -> serde_json::Value {
    json!({"id": "emb-1", "object": "list", "model": "mistral-embed", "data": data,
           "usage": {"prompt_tokens": 4, "total_tokens": 4, "completion_tokens": 0}})
}

#[tokio::test]
async fn every_option_goes_on_the_wire_and_base64_vectors_decode() {
    let first = [0.5f32, -1.25, 3.0e-8, f32::MAX];
    let second = [1.0f32, 0.0, -0.0, 42.0];
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/embeddings").json_body(json!({
                "model": "mistral-embed", "input": ["first", "second"], "output_dimension": 4,
                "output_dtype": "float", "encoding_format": "base64", "metadata": {"batch": 7}, "priority": "low"
            }));
            // Out of order, as a server may send them: vectors() goes by index.
            then.status(200).json_body(answer(json!([
                {"object": "embedding", "index": 1, "embedding": base64_f32(&second)},
                {"object": "embedding", "index": 0, "embedding": base64_f32(&first)}
            ])));
        })
        .await;
    let request = EmbeddingsRequest::new("mistral-embed", ["first", "second"])
        .output_dimension(4)
        .output_dtype(KnownEmbeddingDtype::Float)
        .encoding_format(KnownEncodingFormat::Base64)
        .metadata([("batch", 7)])
        .extra("priority", "low");
    let response = client(&server.base_url()).embeddings().embed(request).await.unwrap();
    mock.assert_async().await;
    assert!(matches!(response.data[0].embedding, EmbeddingVector::Base64(_)));
    assert_eq!(response.vectors().unwrap(), vec![first.to_vec(), second.to_vec()]);
    assert_eq!(response.usage.prompt_tokens, 4);
}

#[tokio::test]
async fn float_vectors_and_byte_dtypes_read_the_same_way() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/embeddings");
            then.status(200).json_body(answer(json!([{"object": "embedding", "index": 0, "embedding": [0.25, -0.5]}])));
        })
        .await;
    let c = client(&server.base_url());
    let response = c.embeddings().embed(EmbeddingsRequest::new("mistral-embed", ["x"])).await.unwrap();
    assert_eq!(response.vectors().unwrap(), vec![vec![0.25, -0.5]]);
    // The wire type's answer converts.
    let wire = c.embeddings().create("mistral-embed", ["x"]).await.unwrap();
    assert_eq!(mistral_sdk::EmbeddingsResponse::from(wire).vectors().unwrap(), vec![vec![0.25, -0.5]]);

    // int8 vectors in base64 are one byte per number.
    let int8 = EmbeddingVector::Base64("/wF/gA==".into());
    assert_eq!(int8.bytes().unwrap().iter().map(|b| *b as i8).collect::<Vec<_>>(), [-1, 1, 127, -128]);
    // ...which are not f32s: a clear error, not garbage.
    let odd = EmbeddingVector::Base64("/wF/".into());
    assert!(matches!(odd.to_f32(), Err(Error::Decode { .. })));
    assert!(matches!(EmbeddingVector::Base64("not base64!".into()).to_f32(), Err(Error::Decode { .. })));
}

#[tokio::test]
async fn what_the_server_would_refuse_is_refused_before_sending() {
    let server = MockServer::start_async().await;
    let any = server
        .mock_async(|when, then| {
            when.any_request();
            then.status(500);
        })
        .await;
    let c = client(&server.base_url());
    for request in [
        EmbeddingsRequest::new("mistral-embed", Vec::<String>::new()),
        EmbeddingsRequest::new("mistral-embed", ["x"]).output_dimension(0),
        EmbeddingsRequest::new(" ", ["x"]),
    ] {
        assert!(matches!(c.embeddings().embed(request).await, Err(Error::InvalidRequest(_))));
    }
    any.assert_calls_async(0).await;
    // What the spec takes fits it.
    let spec = mistral_spec::Spec::embedded().unwrap();
    let validator = spec.request_validator("createEmbedding", "application/json").unwrap();
    let request = EmbeddingsRequest::new("codestral-embed", ["x"])
        .output_dimension(256)
        .output_dtype(KnownEmbeddingDtype::Ubinary)
        .encoding_format(KnownEncodingFormat::Float)
        .metadata([("k", "v")]);
    let wire = serde_json::to_value(&request).unwrap();
    assert!(validator.validate(&wire).is_ok(), "{wire}");
}

#[tokio::test]
async fn a_borrowed_request_is_sent_as_is_and_stays_usable() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v1/embeddings")
                .json_body(json!({"model": "mistral-embed", "input": ["a", "b"], "encoding_format": "base64"}));
            then.status(200).json_body(answer(json!([
                {"object": "embedding", "index": 0, "embedding": base64_f32(&[1.5])},
                {"object": "embedding", "index": 1, "embedding": base64_f32(&[-2.0])}
            ])));
        })
        .await;
    let c = client(&server.base_url());
    let request = EmbeddingsRequest::new("mistral-embed", ["a", "b"]).encoding_format(KnownEncodingFormat::Base64);
    for _ in 0..2 {
        let vectors = c.embeddings().embed(&request).await.unwrap().vectors().unwrap();
        assert_eq!(vectors, [vec![1.5f32], vec![-2.0]]);
    }
    mock.assert_calls_async(2).await;
    // The wire type still converts, by value.
    let wire = request.as_wire().clone();
    assert_eq!(c.embeddings().embed(wire).await.unwrap().data.len(), 2);
    mock.assert_calls_async(3).await;
}
