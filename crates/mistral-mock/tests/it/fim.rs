//! FIM options: `stop` (string or list, the earliest wins), `min_tokens` (a floor, stops
//! included), `max_tokens`, plain and streamed.

use serde_json::{Value, json};

use crate::{Mock, stream_chunks, streamed_text, within};

const FIM: &str = "createFIMCompletion";
const PATH: &str = "/v1/fim/completions";

async fn complete(m: &Mock, body: Value) -> (String, Value) {
    let r = m.post(FIM, PATH, body).await;
    assert_eq!(r.status, 200, "{}", r.text);
    let choice = &r.body["choices"][0];
    (choice["message"]["content"].as_str().expect("code").to_string(), r.body.clone())
}

fn fim(extra: Value) -> Value {
    let mut body = json!({"model": "codestral-latest", "prompt": "def area(radius):", "suffix": "print(area(2))"});
    for (k, v) in extra.as_object().expect("fields") {
        body[k] = v.clone();
    }
    body
}

#[tokio::test]
async fn stop_min_and_max_tokens_are_honoured() {
    within(20, async {
        let m = Mock::start().await;
        let (full, _) = complete(&m, fim(json!({}))).await;
        assert!(full.contains("result = radius") && full.contains("return result"), "{full:?}");

        // The earliest stop sequence ends the code, which does not include it.
        let (cut, body) = complete(&m, fim(json!({"stop": ["return", "result"]}))).await;
        let earliest = full.find("return").min(full.find("result")).expect("both are there");
        assert_eq!(cut, full[..earliest]);
        assert_eq!(body["choices"][0]["finish_reason"], "stop");
        let (one, _) = complete(&m, fim(json!({"stop": "return"}))).await;
        assert_eq!(one, full[..full.find("return").expect("return")]);

        // Streamed, the same text.
        let (status, _, raw) = m.stream(PATH, fim(json!({"stop": ["return"], "stream": true}))).await;
        assert_eq!(status, 200);
        let chunks = stream_chunks(FIM, &raw);
        assert_eq!(streamed_text(&chunks), one);
        assert_eq!(chunks.last().expect("last")["choices"][0]["finish_reason"], "stop");

        // max_tokens cuts with `length`.
        let (short, body) = complete(&m, fim(json!({"max_tokens": 5}))).await;
        assert_eq!(body["choices"][0]["finish_reason"], "length");
        assert_eq!(body["usage"]["completion_tokens"], 5);
        assert!(full.starts_with(&short));

        // min_tokens is a floor, a stop inside it does not end the code.
        let (long, body) = complete(&m, fim(json!({"min_tokens": 80}))).await;
        assert!(body["usage"]["completion_tokens"].as_u64().is_some_and(|n| n >= 80), "{}", body["usage"]);
        assert!(long.starts_with(&full) || long.len() > full.len(), "{long:?}");
        let (floored, body) = complete(&m, fim(json!({"min_tokens": 30, "stop": ["radius"]}))).await;
        assert!(body["usage"]["completion_tokens"].as_u64().is_some_and(|n| n >= 30), "{floored:?}");
        assert!(floored.contains("radius"), "the first `radius` is inside the floor: {floored:?}");

        // A null suffix is no suffix.
        let (no_suffix, _) = complete(&m, fim(json!({"suffix": null}))).await;
        assert!(no_suffix.contains("return result"), "{no_suffix:?}");
    })
    .await;
}
