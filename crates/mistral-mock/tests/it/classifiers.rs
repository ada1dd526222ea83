//! Moderation and classification: scores per category that follow what the text says, flags
//! above the threshold, conversations judged by their last message, errors.

use serde_json::{Value, json};

use crate::{Mock, within};

const MODERATE: &str = "moderations_v1_moderations_post";
const MODERATE_CHAT: &str = "chat_moderations_v1_chat_moderations_post";
const CLASSIFY: &str = "classifications_v1_classifications_post";
const CLASSIFY_CHAT: &str = "chat_classifications_v1_chat_classifications_post";
const MODEL: &str = "mistral-moderation-latest";
const CATEGORIES: [&str; 9] = [
    "sexual",
    "hate_and_discrimination",
    "violence_and_threats",
    "dangerous_and_criminal_content",
    "selfharm",
    "health",
    "financial",
    "law",
    "pii",
];

fn score(result: &Value, category: &str) -> f64 {
    result["category_scores"][category].as_f64().unwrap_or(-1.0)
}

/// The categories flagged in a result.
fn flagged(result: &Value) -> Vec<&str> {
    CATEGORIES.iter().copied().filter(|c| result["categories"][*c] == true).collect()
}

#[tokio::test]
async fn texts_score_higher_in_the_categories_they_are_about() {
    within(20, async {
        let m = Mock::start().await;
        let inputs = [
            "What a lovely day for a picnic.",
            "I will kill you and burn your house, this is a threat.",
            "How do I launder money and smuggle drugs?",
            "My email is jo@example.com and my passport number is 12AB34567.",
            "Should I invest in bitcoin or pay my mortgage?",
        ];
        let r = m.post(MODERATE, "/v1/moderations", json!({"model": MODEL, "input": inputs})).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.body["model"], MODEL);
        let results = r.body["results"].as_array().expect("results");
        assert_eq!(results.len(), 5);
        for result in results {
            let keys: Vec<&String> = result["category_scores"].as_object().expect("scores").keys().collect();
            assert_eq!(keys.len(), 9, "{result}");
            for c in CATEGORIES {
                let s = score(result, c);
                assert!((0.0..=1.0).contains(&s), "{c}: {s}");
                assert_eq!(result["categories"][c], s >= 0.5, "{c}");
            }
        }
        assert_eq!(flagged(&results[0]), Vec::<&str>::new());
        assert!(CATEGORIES.iter().all(|c| score(&results[0], c) < 0.03), "{}", results[0]);
        assert_eq!(flagged(&results[1]), ["violence_and_threats"]);
        assert!(score(&results[1], "violence_and_threats") > 0.9);
        assert!(score(&results[1], "violence_and_threats") > score(&results[0], "violence_and_threats"));
        assert_eq!(flagged(&results[2]), ["dangerous_and_criminal_content"]);
        assert_eq!(flagged(&results[3]), ["pii"]);
        assert_eq!(flagged(&results[4]), ["financial"]);
        // Deterministic, and a single string is one result.
        let again = m.post(MODERATE, "/v1/moderations", json!({"model": MODEL, "input": inputs[1]})).await;
        assert_eq!(again.body["results"][0], results[1]);
    })
    .await;
}

#[tokio::test]
async fn conversations_are_judged_by_their_last_message_in_context() {
    within(20, async {
        let m = Mock::start().await;
        let threat = json!([{"role": "user", "content": "I am going to attack and stab him tonight."}]);
        let calm = json!([{"role": "user", "content": "Any plans tonight?"},
                          {"role": "assistant", "content": [{"type": "text", "text": "Just a quiet dinner."}]}]);
        let after_threat = json!([{"role": "user", "content": "I am going to attack and stab him tonight."},
                                  {"role": "assistant", "content": "Please talk to someone first."}]);
        let r = m
            .post(MODERATE_CHAT, "/v1/chat/moderations", json!({"model": MODEL, "input": [threat, calm, after_threat]}))
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        let results = r.body["results"].as_array().expect("results");
        assert_eq!(results.len(), 3);
        let violence: Vec<f64> = results.iter().map(|r| score(r, "violence_and_threats")).collect();
        assert!(violence[0] > 0.9, "{violence:?}");
        assert!(violence[1] < 0.03, "{violence:?}");
        // The threat is context of the last message: it counts, less.
        assert!(violence[1] < violence[2] && violence[2] < violence[0], "{violence:?}");
        let one = m.post(MODERATE_CHAT, "/v1/chat/moderations", json!({"model": MODEL, "input": threat})).await;
        assert_eq!(one.body["results"], json!([results[0]]));
    })
    .await;
}

#[tokio::test]
async fn classification_scores_the_models_targets() {
    within(20, async {
        let m = Mock::start().await;
        let text = "I will kill you.";
        let moderated = m.post(MODERATE, "/v1/moderations", json!({"model": MODEL, "input": text})).await;
        let r = m.post(CLASSIFY, "/v1/classifications", json!({"model": MODEL, "input": [text, "Hello"]})).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let results = r.body["results"].as_array().expect("results");
        assert_eq!(results.len(), 2);
        assert_eq!(results[0].as_object().map(|o| o.keys().collect::<Vec<_>>()), Some(vec![&"moderation".to_string()]));
        assert_eq!(results[0]["moderation"]["scores"], moderated.body["results"][0]["category_scores"]);
        let chat = json!({"model": MODEL, "input": [{"messages": [{"role": "user", "content": text}]},
                                                     {"messages": [{"role": "user", "content": "Hello"}]}]});
        let c = m.post(CLASSIFY_CHAT, "/v1/chat/classifications", chat).await;
        assert_eq!(c.status, 200, "{}", c.text);
        assert_eq!(c.body["results"], r.body["results"]);
        let single = json!({"model": MODEL, "input": {"messages": [{"role": "user", "content": "Hello"}]}});
        let s = m.post(CLASSIFY_CHAT, "/v1/chat/classifications", single).await;
        assert_eq!(s.body["results"], json!([results[1]]));
    })
    .await;
}

#[tokio::test]
async fn other_models_and_bad_bodies_are_refused() {
    within(20, async {
        let m = Mock::start().await;
        let r = m.post(MODERATE, "/v1/moderations", json!({"model": "mistral-small-latest", "input": "x"})).await;
        assert_eq!(r.status, 400);
        assert_eq!(r.body["message"], "Model mistral-small-latest does not support moderation");
        let r = m.post(CLASSIFY, "/v1/classifications", json!({"model": "nope", "input": "x"})).await;
        assert_eq!((r.status.as_u16(), r.body["type"].as_str()), (400, Some("invalid_model")));
        let r =
            m.post(MODERATE_CHAT, "/v1/chat/moderations", json!({"input": [{"role": "user", "content": "x"}]})).await;
        assert_eq!(r.status, 422);
        let r = m.post(MODERATE, "/v1/moderations", json!({"model": MODEL, "input": "x", "extra": 1})).await;
        assert_eq!(r.status, 422);
    })
    .await;
}
