//! The canned bodies the local server sends, shaped like the Mistral API's.

use std::fmt::Write as _;

/// Size of one write of the streamed body.
pub const SSE_WRITE: usize = 16 * 1024;
/// Inputs per embeddings response.
pub const EMBED_INPUTS: usize = 256;
/// Dimensions per embedding (`mistral-embed`).
pub const EMBED_DIM: usize = 1024;

/// Tokens the streamed answer is made of (some non-ASCII, as real text is).
const WORDS: &[&str] = &[
    " The",
    " best",
    " French",
    " cheese",
    " is",
    " a",
    " matter",
    " of",
    " taste",
    ",",
    " but",
    " Comté",
    " aged",
    " eighteen",
    " months",
    " and",
    " Roquefort",
    " are",
    " often",
    " named",
    ".",
    " Brie",
    " de",
    " Meaux",
    " crème",
    "\n",
];

fn json_str(s: &str) -> String {
    // Serializing a &str cannot fail.
    serde_json::to_string(s).unwrap_or_default()
}

/// One `data:` event of a streamed chat completion, as the API sends it (~210 bytes).
fn chunk_event(out: &mut String, i: usize, n: usize) {
    let id = "a1f5c0e2b7d94c3e8f6a2b1c0d9e8f7a";
    let (delta, finish, usage) = if i == 0 {
        (r#"{"role":"assistant","content":""}"#.to_string(), "null", String::new())
    } else if i + 1 == n {
        (
            format!(r#"{{"content":{}}}"#, json_str(WORDS[i % WORDS.len()])),
            r#""stop""#,
            format!(r#","usage":{{"prompt_tokens":12,"total_tokens":{},"completion_tokens":{}}}"#, n + 12, n),
        )
    } else {
        (format!(r#"{{"content":{}}}"#, json_str(WORDS[i % WORDS.len()])), "null", String::new())
    };
    let _ = write!(
        out,
        "data: {{\"id\":\"{id}\",\"object\":\"chat.completion.chunk\",\"created\":1733011200,\"model\":\"mistral-small-latest\",\"choices\":[{{\"index\":0,\"delta\":{delta},\"finish_reason\":{finish},\"logprobs\":null}}]{usage}}}\n\n"
    );
}

/// A whole `text/event-stream` body: `n` chunk events (the first with the role, the last
/// with `finish_reason` and usage), then `data: [DONE]`.
pub fn sse_body(n: usize) -> Vec<u8> {
    let mut out = String::with_capacity(n * 224 + 16);
    for i in 0..n {
        chunk_event(&mut out, i, n);
    }
    out.push_str("data: [DONE]\n\n");
    out.into_bytes()
}

/// The first event of a held-open stream, and the one it repeats now and then (never
/// finishing).
pub fn hold_events() -> (Vec<u8>, Vec<u8>) {
    let (mut first, mut next) = (String::new(), String::new());
    chunk_event(&mut first, 0, usize::MAX);
    chunk_event(&mut next, 7, usize::MAX);
    (first.into_bytes(), next.into_bytes())
}

/// A non-streamed chat completion of about 1 KB.
pub fn chat_body() -> Vec<u8> {
    let mut content = String::new();
    let mut i = 0;
    while content.len() < 740 {
        content.push_str(WORDS[i % WORDS.len()]);
        i += 1;
    }
    format!(
        r#"{{"id":"a1f5c0e2b7d94c3e8f6a2b1c0d9e8f7a","object":"chat.completion","created":1733011200,"model":"mistral-small-latest","choices":[{{"index":0,"message":{{"role":"assistant","content":{},"tool_calls":null,"prefix":false}},"finish_reason":"stop","logprobs":null}}],"usage":{{"prompt_tokens":12,"total_tokens":{},"completion_tokens":{}}}}}"#,
        json_str(&content),
        12 + i,
        i
    )
    .into_bytes()
}

/// An embeddings response: `inputs` vectors of `dim` floats, values as `mistral-embed`
/// sends them (short binary fractions printed in full, e.g. `-0.0165863037109375`).
pub fn embeddings_body(inputs: usize, dim: usize) -> Vec<u8> {
    let mut out = String::with_capacity(inputs * dim * 20 + 256);
    out.push_str(r#"{"id":"c0ffee5e1f2a4b3c9d8e7f6a5b4c3d2e","object":"list","data":["#);
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for i in 0..inputs {
        if i > 0 {
            out.push(',');
        }
        out.push_str(r#"{"object":"embedding","embedding":["#);
        for j in 0..dim {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let v = ((x >> 40) % 8192) as f64 / 65536.0 - 0.0625;
            if j > 0 {
                out.push(',');
            }
            let _ = write!(out, "{v}");
        }
        let _ = write!(out, r#"],"index":{i}}}"#);
    }
    let _ = write!(
        out,
        r#"],"model":"mistral-embed","usage":{{"prompt_tokens":{},"total_tokens":{},"completion_tokens":0}}}}"#,
        inputs * 8,
        inputs * 8
    );
    out.into_bytes()
}
