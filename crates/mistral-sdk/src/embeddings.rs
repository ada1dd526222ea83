//! `POST /v1/embeddings`: [`Embeddings`], the [`EmbeddingsRequest`] builder and
//! [`EmbeddingsResponse`] (vectors sent as floats or base64).

use mistral_openapi::operations as ops;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::extra::Extra;
use crate::meta::WithMeta;
use crate::pending::{Pending, group};
use crate::request::IntoRequest;
use crate::transport::Call;
use crate::types::{EmbeddingDtype, EmbeddingInput, EmbeddingRequest, EmbeddingResponse, EncodingFormat, UsageInfo};

group!(
    /// Vector embeddings of text.
    Embeddings,
    embeddings
);

impl<'c> Embeddings<'c> {
    /// Embeds each input (`createEmbedding`); the vectors come back in input order.
    ///
    /// ```no_run
    /// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
    /// let response = client.embeddings().create("mistral-embed", ["Hello", "world"]).await?;
    /// assert_eq!(response.data.len(), 2);
    /// # Ok(()) }
    /// ```
    pub fn create(
        &self,
        model: impl Into<String>,
        inputs: impl IntoIterator<Item = impl Into<String>>,
    ) -> Pending<'c, EmbeddingResponse> {
        self.create_request(&EmbeddingsRequest::new(model, inputs).inner)
    }

    /// Sends a full [`EmbeddingRequest`] (the wire type: float vectors only; see
    /// [`Embeddings::embed`] for base64).
    pub fn create_request(&self, request: &EmbeddingRequest) -> Pending<'c, EmbeddingResponse> {
        self.pending(check_inputs(&request.input).and_then(|()| Call::new(&ops::CREATE_EMBEDDING).json(request)))
    }

    /// [`Embeddings::create_request`], with the response's status, headers and raw body.
    pub async fn create_with_meta(&self, request: &EmbeddingRequest) -> Result<WithMeta<EmbeddingResponse>> {
        self.create_request(request).with_meta().await
    }

    /// Sends an [`EmbeddingsRequest`]: every option, vectors as floats or base64 (read them
    /// with [`EmbeddingsResponse::vectors`] either way).
    ///
    /// ```no_run
    /// # async fn demo(client: mistral_sdk::Client) -> mistral_sdk::Result<()> {
    /// use mistral_sdk::EmbeddingsRequest;
    /// use mistral_sdk::types::KnownEncodingFormat;
    ///
    /// let request = EmbeddingsRequest::new("mistral-embed", ["Hello", "world"])
    ///     .encoding_format(KnownEncodingFormat::Base64);
    /// let vectors: Vec<Vec<f32>> = client.embeddings().embed(request).await?.vectors()?;
    /// assert_eq!(vectors.len(), 2);
    /// # Ok(()) }
    /// ```
    pub fn embed<'r>(&self, request: impl IntoRequest<'r, EmbeddingsRequest>) -> Pending<'c, EmbeddingsResponse> {
        let request = request.into_request();
        self.pending(request.validate().and_then(|()| Call::new(&ops::CREATE_EMBEDDING).json(&*request)))
    }
}

fn check_inputs(input: &EmbeddingInput) -> Result<()> {
    match input {
        EmbeddingInput::Array(items) if items.is_empty() => {
            Err(Error::InvalidRequest("nothing to embed: the input is empty".into()))
        }
        _ => Ok(()),
    }
}

/// An embeddings request. Only what you set is sent; a field this release does not name goes
/// in with [`EmbeddingsRequest::extra`].
///
/// ```
/// use mistral_sdk::EmbeddingsRequest;
/// use mistral_sdk::types::{KnownEmbeddingDtype, KnownEncodingFormat};
///
/// let request = EmbeddingsRequest::new("codestral-embed", ["fn main() {}"])
///     .output_dimension(256)
///     .output_dtype(KnownEmbeddingDtype::Int8)
///     .encoding_format(KnownEncodingFormat::Base64);
/// assert_eq!(
///     serde_json::to_value(&request).unwrap(),
///     serde_json::json!({"model": "codestral-embed", "input": ["fn main() {}"], "output_dimension": 256,
///                        "output_dtype": "int8", "encoding_format": "base64"})
/// );
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct EmbeddingsRequest {
    inner: EmbeddingRequest,
    problems: Vec<String>,
    extra: Extra,
}

/// The wire request, with the [`extra`](EmbeddingsRequest::extra) fields merged in.
impl Serialize for EmbeddingsRequest {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        self.extra.serialize(&self.inner, serializer)
    }
}

impl IntoRequest<'static, EmbeddingsRequest> for EmbeddingRequest {
    fn into_request(self) -> std::borrow::Cow<'static, EmbeddingsRequest> {
        std::borrow::Cow::Owned(self.into())
    }
}

impl From<EmbeddingRequest> for EmbeddingsRequest {
    fn from(inner: EmbeddingRequest) -> Self {
        EmbeddingsRequest { inner, problems: Vec::new(), extra: Extra::default() }
    }
}

impl EmbeddingsRequest {
    /// A request to embed each of `inputs` with `model`.
    pub fn new(model: impl Into<String>, inputs: impl IntoIterator<Item = impl Into<String>>) -> EmbeddingsRequest {
        EmbeddingRequest {
            model: model.into(),
            input: EmbeddingInput::Array(inputs.into_iter().map(Into::into).collect()),
            encoding_format: None,
            metadata: None,
            output_dimension: None,
            output_dtype: None,
        }
        .into()
    }

    /// Vectors of this many dimensions (for models that offer several; more than 0).
    pub fn output_dimension(mut self, dimensions: u64) -> Self {
        match std::num::NonZeroU64::new(dimensions) {
            Some(d) => self.inner.output_dimension = Some(d),
            None => self.problems.push("output_dimension must be above 0".into()),
        }
        self
    }

    /// The type of the vectors' numbers: `float` (default), `int8`, `uint8`, `binary`,
    /// `ubinary` (`KnownEmbeddingDtype`), or any other the server names.
    pub fn output_dtype(mut self, dtype: impl Into<EmbeddingDtype>) -> Self {
        self.inner.output_dtype = Some(dtype.into());
        self
    }

    /// How vectors are sent: JSON numbers (`float`, the default) or `base64` (smaller).
    pub fn encoding_format(mut self, format: impl Into<EncodingFormat>) -> Self {
        self.inner.encoding_format = Some(format.into());
        self
    }

    /// Adds metadata entries (your own tags for the request).
    pub fn metadata(
        mut self,
        entries: impl IntoIterator<Item = (impl Into<String>, impl Into<serde_json::Value>)>,
    ) -> Self {
        let map = self.inner.metadata.get_or_insert_with(serde_json::Map::new);
        map.extend(entries.into_iter().map(|(k, v)| (k.into(), v.into())));
        self
    }

    /// Sets a body field this release does not name (or overrides one it does), merged into
    /// the JSON body over a same-named field.
    pub fn extra(mut self, name: impl Into<String>, value: impl Into<serde_json::Value>) -> Self {
        self.extra.insert(name, value);
        self
    }

    /// The wire request (without the [`extra`](Self::extra) fields).
    pub fn as_wire(&self) -> &EmbeddingRequest {
        &self.inner
    }

    /// Checks what the server would refuse: an empty model or input, a zero dimension.
    pub fn validate(&self) -> Result<()> {
        let mut problems = self.problems.clone();
        if self.inner.model.trim().is_empty() {
            problems.push("the model is empty".into());
        }
        if let Err(Error::InvalidRequest(p)) = check_inputs(&self.inner.input) {
            problems.push(p);
        }
        if problems.is_empty() { Ok(()) } else { Err(Error::InvalidRequest(problems.join("; "))) }
    }
}

/// The answer of [`Embeddings::embed`]: like the wire [`EmbeddingResponse`], with each
/// vector as the server sent it (numbers, or base64 with `encoding_format: base64`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct EmbeddingsResponse {
    /// The response's id.
    #[serde(default)]
    pub id: String,
    /// `list`.
    #[serde(default)]
    pub object: String,
    /// The model that embedded.
    #[serde(default)]
    pub model: String,
    /// Tokens read.
    pub usage: UsageInfo,
    /// One embedding per input.
    pub data: Vec<Embedding>,
}

/// One input's embedding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Embedding {
    /// The input's position.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index: Option<i64>,
    /// `embedding`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object: Option<String>,
    /// The vector.
    pub embedding: EmbeddingVector,
}

/// A vector as sent: JSON numbers, or base64 of its bytes.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum EmbeddingVector {
    /// JSON numbers (`encoding_format: float`, the default).
    Floats(Vec<f32>),
    /// Base64 of the vector's bytes (`encoding_format: base64`): little-endian `f32`s for
    /// the `float` dtype, one byte per number (or per 8 bits) for the others.
    Base64(String),
}

// By hand rather than `untagged`: serde's untagged enums buffer each value (a whole vector)
// before trying the variants; this reads it once, by its JSON kind.
impl<'de> Deserialize<'de> for EmbeddingVector {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        struct Visit;
        impl<'de> serde::de::Visitor<'de> for Visit {
            type Value = EmbeddingVector;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an array of numbers or a base64 string")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> std::result::Result<Self::Value, E> {
                Ok(EmbeddingVector::Base64(v.to_string()))
            }
            fn visit_string<E: serde::de::Error>(self, v: String) -> std::result::Result<Self::Value, E> {
                Ok(EmbeddingVector::Base64(v))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> std::result::Result<Self::Value, A::Error> {
                let mut v = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1 << 16));
                while let Some(x) = seq.next_element::<f32>()? {
                    v.push(x);
                }
                Ok(EmbeddingVector::Floats(v))
            }
        }
        deserializer.deserialize_any(Visit)
    }
}

impl EmbeddingVector {
    /// The vector as `f32`s: the numbers, or base64 decoded as little-endian `f32`s (for the
    /// `float` dtype; see [`EmbeddingVector::bytes`] for the others).
    pub fn to_f32(&self) -> Result<Vec<f32>> {
        match self {
            EmbeddingVector::Floats(v) => Ok(v.clone()),
            EmbeddingVector::Base64(text) => {
                let bytes = self.bytes()?;
                if bytes.len() % 4 != 0 {
                    return Err(bad_vector(text, "its bytes are not a whole number of f32s"));
                }
                Ok(bytes.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect())
            }
        }
    }

    /// The raw bytes of a base64 vector (for `int8`, `uint8`, `binary`, `ubinary` dtypes:
    /// read them as `i8`/`u8`/bits); the numbers as little-endian `f32` bytes otherwise.
    pub fn bytes(&self) -> Result<Vec<u8>> {
        match self {
            EmbeddingVector::Floats(v) => Ok(v.iter().flat_map(|x| x.to_le_bytes()).collect()),
            EmbeddingVector::Base64(text) => crate::base64::decode(text).map_err(|why| bad_vector(text, &why)),
        }
    }
}

fn bad_vector(text: &str, why: &str) -> Error {
    Error::decode(text.as_bytes(), <serde_json::Error as serde::de::Error>::custom(format!("embedding: {why}")))
}

impl EmbeddingsResponse {
    /// Every vector as `f32`s, in input order (by `index`), whether the server sent numbers
    /// or base64 (decoded as little-endian `f32`s).
    ///
    /// ```
    /// use mistral_sdk::EmbeddingsResponse;
    ///
    /// // [1.0, -2.0] as little-endian f32 bytes, base64-encoded.
    /// let response: EmbeddingsResponse = serde_json::from_str(r#"{"id":"e","object":"list","model":"mistral-embed",
    ///     "usage":{"prompt_tokens":2,"total_tokens":2},
    ///     "data":[{"index":1,"object":"embedding","embedding":[0.5,0.25]},
    ///             {"index":0,"object":"embedding","embedding":"AACAPwAAAMA="}]}"#).unwrap();
    /// assert_eq!(response.vectors().unwrap(), vec![vec![1.0, -2.0], vec![0.5, 0.25]]);
    /// ```
    pub fn vectors(&self) -> Result<Vec<Vec<f32>>> {
        let mut data: Vec<&Embedding> = self.data.iter().collect();
        data.sort_by_key(|e| e.index);
        data.into_iter().map(|e| e.embedding.to_f32()).collect()
    }
}

impl From<EmbeddingResponse> for EmbeddingsResponse {
    fn from(r: EmbeddingResponse) -> Self {
        EmbeddingsResponse {
            id: r.id,
            object: r.object,
            model: r.model,
            usage: r.usage,
            data: r
                .data
                .into_iter()
                .map(|d| Embedding {
                    index: d.index,
                    object: d.object,
                    embedding: EmbeddingVector::Floats(d.embedding),
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_vector_is_read_by_its_json_kind() {
        let v: EmbeddingVector = serde_json::from_str("[0.5, -2, 1e-3]").unwrap();
        assert_eq!(v, EmbeddingVector::Floats(vec![0.5, -2.0, 0.001]));
        let v: EmbeddingVector = serde_json::from_str(r#""AACAPwAAAMA=""#).unwrap();
        assert_eq!(v.to_f32().unwrap(), vec![1.0, -2.0]);
        // Escapes in the string (an owned string from serde_json), URL-safe alphabet.
        let v: EmbeddingVector = serde_json::from_str(r#""AACAPw\u0041AAMA=""#).unwrap();
        assert_eq!(v.to_f32().unwrap(), vec![1.0, -2.0]);
        assert_eq!(EmbeddingVector::Base64("_-8".into()).bytes().unwrap(), vec![0xff, 0xef]);
        for bad in [r#"{"a":1}"#, "3", "[\"x\"]", "null"] {
            let e = serde_json::from_str::<EmbeddingVector>(bad).unwrap_err().to_string();
            assert!(!e.is_empty(), "{bad}");
        }
        assert!(EmbeddingVector::Base64("AAA".into()).to_f32().is_err(), "2 bytes are no f32");
        assert!(EmbeddingVector::Base64("!!!!".into()).bytes().is_err());
    }
}
