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
        (format!(r#"{{"content":{}}}"#, json_str(WORDS[i % WORDS.len()])), r#""stop""#, usage(n))
    } else {
        (format!(r#"{{"content":{}}}"#, json_str(WORDS[i % WORDS.len()])), "null", String::new())
    };
    write_chunk(out, id, "mistral-small-latest", &delta, finish, &usage);
}

/// One `data:` line of a chat completion chunk, and the blank line after it.
fn write_chunk(out: &mut String, id: &str, model: &str, delta: &str, finish: &str, usage: &str) {
    let _ = write!(
        out,
        "data: {{\"id\":\"{id}\",\"object\":\"chat.completion.chunk\",\"created\":1733011200,\"model\":\"{model}\",\"choices\":[{{\"index\":0,\"delta\":{delta},\"finish_reason\":{finish},\"logprobs\":null}}]{usage}}}\n\n"
    );
}

/// The `usage` member of a stream's last chunk, after `n` chunks.
fn usage(n: usize) -> String {
    format!(r#","usage":{{"prompt_tokens":12,"total_tokens":{},"completion_tokens":{}}}"#, n + 12, n)
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

/// The embeddings' values, vector by vector: short binary fractions (exact in `f32`), as
/// `mistral-embed` sends them (e.g. `-0.0165863037109375`), the same in every body.
fn values(inputs: usize, dim: usize) -> impl Iterator<Item = Vec<f64>> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..inputs).map(move |_| {
        (0..dim)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                ((x >> 40) % 8192) as f64 / 65536.0 - 0.0625
            })
            .collect()
    })
}

/// An embeddings response whose vectors `embedding` writes (as JSON numbers or base64).
fn embeddings_with(inputs: usize, dim: usize, per_vector: usize, embedding: impl Fn(&mut String, &[f64])) -> Vec<u8> {
    let mut out = String::with_capacity(inputs * per_vector + 256);
    out.push_str(r#"{"id":"c0ffee5e1f2a4b3c9d8e7f6a5b4c3d2e","object":"list","data":["#);
    for (i, vector) in values(inputs, dim).enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(r#"{"object":"embedding","embedding":"#);
        embedding(&mut out, &vector);
        let _ = write!(out, r#","index":{i}}}"#);
    }
    let _ = write!(
        out,
        r#"],"model":"mistral-embed","usage":{{"prompt_tokens":{},"total_tokens":{},"completion_tokens":0}}}}"#,
        inputs * 8,
        inputs * 8
    );
    out.into_bytes()
}

/// An embeddings response: `inputs` vectors of `dim` floats as JSON numbers.
pub fn embeddings_body(inputs: usize, dim: usize) -> Vec<u8> {
    embeddings_with(inputs, dim, dim * 20, |out, vector| {
        out.push('[');
        for (j, v) in vector.iter().enumerate() {
            if j > 0 {
                out.push(',');
            }
            let _ = write!(out, "{v}");
        }
        out.push(']');
    })
}

/// Model name that asks for the reasoning stream ([`think_sse_body`]).
pub const THINK_MODEL: &str = "bench-think";

/// One event of a reasoning model's stream: thinking chunks first, then the answer's text,
/// then function calls (each whole in one event, as the API sends them), the last one with
/// `finish_reason: tool_calls` and usage.
fn think_event(out: &mut String, i: usize, n: usize) {
    let id = "b2e6d1f3c8a04d5f9a7b3c2d1e0f9a8b";
    let word = json_str(WORDS[i % WORDS.len()]);
    let calls_from = n - n / 10;
    let (delta, finish, usage) = if i == 0 {
        (r#"{"role":"assistant","content":""}"#.to_string(), "null", String::new())
    } else if i < n / 2 {
        (
            format!(r#"{{"content":[{{"type":"thinking","thinking":[{{"type":"text","text":{word}}}]}}]}}"#),
            "null",
            String::new(),
        )
    } else if i < calls_from {
        (format!(r#"{{"content":[{{"type":"text","text":{word}}}]}}"#), "null", String::new())
    } else {
        let k = i - calls_from;
        let call = format!(
            r#"{{"content":"","tool_calls":[{{"id":"call{k:05}","type":"function","function":{{"name":"get_weather","arguments":"{{\"city\":\"Paris\",\"day\":{k}}}"}},"index":{k}}}]}}"#
        );
        if i + 1 == n { (call, r#""tool_calls""#, usage(n)) } else { (call, "null", String::new()) }
    };
    write_chunk(out, id, "magistral-medium-latest", &delta, finish, &usage);
}

/// A reasoning model's whole stream of `n` events (see [`think_event`]), then `data: [DONE]`.
pub fn think_sse_body(n: usize) -> Vec<u8> {
    let mut out = String::with_capacity(n * 300 + 16);
    for i in 0..n {
        think_event(&mut out, i, n);
    }
    out.push_str("data: [DONE]\n\n");
    out.into_bytes()
}

/// A streamed conversation run of `n` named events, in the API's order:
/// `conversation.response.started`, `message.output.delta`s, a few `function.call.delta`s,
/// then `conversation.response.done` with the usage.
pub fn conversation_sse_body(n: usize) -> Vec<u8> {
    let mut out = String::with_capacity(n * 330 + 64);
    let at = "2026-12-01T10:00:00.123456Z";
    let calls_from = n - n / 20;
    for i in 0..n {
        let (event, data) = if i == 0 {
            (
                "conversation.response.started",
                format!(
                    r#"{{"type":"conversation.response.started","created_at":"{at}","conversation_id":"conv_0193c7e2a1b24f6e8d9c0b1a2f3e4d5c"}}"#
                ),
            )
        } else if i + 1 == n {
            (
                "conversation.response.done",
                format!(
                    r#"{{"type":"conversation.response.done","created_at":"{at}","usage":{{"prompt_tokens":12,"completion_tokens":{n},"total_tokens":{},"connector_tokens":null,"connectors":null}}}}"#,
                    n + 12
                ),
            )
        } else if i < calls_from {
            (
                "message.output.delta",
                format!(
                    r#"{{"type":"message.output.delta","created_at":"{at}","output_index":0,"id":"msg_0193c7e2a1b24f6e8d9c0b1a2f3e4d5c","content_index":0,"model":"mistral-medium-2508","agent_id":null,"role":"assistant","content":{}}}"#,
                    json_str(WORDS[i % WORDS.len()])
                ),
            )
        } else {
            (
                "function.call.delta",
                format!(
                    r#"{{"type":"function.call.delta","created_at":"{at}","output_index":1,"id":"fc_0193c7e2a1b24f6e8d9c0b1a2f3e4d5c","model":"mistral-medium-2508","agent_id":null,"name":"get_weather","tool_call_id":"call_0193c7e2","arguments":{}}}"#,
                    json_str(if i == calls_from { "{\"city\":" } else { "\"Paris\"" })
                ),
            )
        };
        let _ = write!(out, "event: {event}\ndata: {data}\n\n");
    }
    out.into_bytes()
}

/// The embeddings response of [`embeddings_body`] with `encoding_format: base64`: each
/// vector as base64 of its little-endian `f32`s.
pub fn embeddings_base64_body(inputs: usize, dim: usize) -> Vec<u8> {
    use base64::Engine as _;
    embeddings_with(inputs, dim, dim * 6, |out, vector| {
        let bytes: Vec<u8> = vector.iter().flat_map(|&v| (v as f32).to_le_bytes()).collect();
        let _ = write!(out, r#""{}""#, base64::engine::general_purpose::STANDARD.encode(&bytes));
    })
}

/// A small chat completion, the body of each line of a batch's output file.
pub const BATCH_ANSWER: &str = r#"{"id":"a1f5c0e2b7d94c3e8f6a2b1c0d9e8f7a","object":"chat.completion","created":1733011200,"model":"mistral-small-latest","choices":[{"index":0,"message":{"role":"assistant","content":"Comté.","tool_calls":null,"prefix":false},"finish_reason":"stop","logprobs":null}],"usage":{"prompt_tokens":12,"total_tokens":16,"completion_tokens":4}}"#;

/// Line `i` of a batch's output file (the request whose custom id is `r{i}`).
pub fn batch_output_line(out: &mut Vec<u8>, i: u64) {
    let _ = std::io::Write::write_fmt(
        out,
        format_args!(
            "{{\"id\":\"batch-line-{i}\",\"custom_id\":\"r{i}\",\"response\":{{\"status_code\":200,\"body\":{BATCH_ANSWER}}},\"error\":null}}\n"
        ),
    );
}
