//! Models: retrieve a card, and a fine-tuned model's update, archive and unarchive, with state.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use crate::{Mock, within};

const LIST: &str = "listModels";
const RETRIEVE: &str = "retrieve_model_v1_models__model_id__get";
const UPDATE: &str = "jobs_api_routes_fine_tuning_update_fine_tuned_model";
const ARCHIVE: &str = "jobs_api_routes_fine_tuning_archive_fine_tuned_model";
const UNARCHIVE: &str = "jobs_api_routes_fine_tuning_unarchive_fine_tuned_model";
const DELETE: &str = "delete_model_v1_models__model_id__delete";

/// Trains a model (the clock moved on, no waiting) and gives its id and job id.
async fn fine_tuned(m: &Mock) -> (String, String) {
    let file = m.upload_training(2).await;
    let job = m
        .post(
            "jobs_api_routes_fine_tuning_create_fine_tuning_job",
            "/v1/fine_tuning/jobs",
            json!({"model": "open-mistral-7b", "training_files": [file], "hyperparameters": {"training_steps": 2}}),
        )
        .await;
    let job_id = job.body["id"].as_str().expect("job id").to_string();
    m.server.advance(Duration::from_secs(3600));
    let done =
        m.get("jobs_api_routes_fine_tuning_get_fine_tuning_job", &format!("/v1/fine_tuning/jobs/{job_id}")).await;
    assert_eq!(done.body["status"], "SUCCESS");
    (done.body["fine_tuned_model"].as_str().expect("model").to_string(), job_id)
}

async fn card_in_list(m: &Mock, id: &str) -> Value {
    let list = m.get(LIST, "/v1/models").await;
    list.body["data"].as_array().expect("data").iter().find(|c| c["id"] == id).cloned().unwrap_or(Value::Null)
}

fn error(message: &str, code: Option<&str>) -> Value {
    let mut body =
        json!({"object": "error", "message": message, "type": "invalid_request_error", "param": null, "code": code});
    if code.is_none() {
        body["raw_status_code"] = json!(400);
    }
    body
}

#[tokio::test]
async fn retrieve_gives_the_card_of_the_list_or_404() {
    within(20, async {
        let m = Mock::start().await;
        for id in ["mistral-small-latest", "magistral-small-latest", "mistral-embed"] {
            let r = m.get(RETRIEVE, &format!("/v1/models/{id}")).await;
            assert_eq!(r.status, 200);
            assert_eq!(r.body, card_in_list(&m, id).await);
            assert_eq!(r.body["type"], "base");
        }
        let r = m.get(RETRIEVE, "/v1/models/no-such-model").await;
        assert_eq!(r.status, 404);
        assert_eq!(r.body, error("Model no-such-model not found", Some("404")));
    })
    .await;
}

#[tokio::test]
async fn fine_tuned_models_are_renamed_archived_and_unarchived() {
    within(30, async {
        let m = Mock::start().await;
        let (model, job) = fine_tuned(&m).await;
        let path = format!("/v1/models/{model}");
        let card = m.get(RETRIEVE, &path).await;
        assert_eq!(card.status, 200);
        assert_eq!(card.body, card_in_list(&m, &model).await);
        assert_eq!(
            (&card.body["type"], &card.body["name"], &card.body["description"], &card.body["archived"]),
            (&json!("fine-tuned"), &json!(model), &Value::Null, &json!(false))
        );
        assert_eq!((&card.body["job"], &card.body["root"]), (&json!(job), &json!("open-mistral-7b")));

        // Update: name and description set; the answer is the fine-tuning routes' model shape.
        let ft = format!("/v1/fine_tuning/models/{model}");
        let r = m
            .call(UPDATE, m.request(Method::PATCH, &ft).json(&json!({"name": "support-bot", "description": "Answers tickets."})))
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        let owner = card.body["owned_by"].as_str().expect("owner");
        let mut keys: Vec<&str> = r.body.as_object().expect("object").keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            [
                "aliases", "archived", "capabilities", "created", "description", "id", "job", "max_context_length",
                "model_type", "name", "object", "owned_by", "root", "root_version", "workspace_id"
            ]
        );
        assert_eq!(r.body["model_type"], "completion");
        assert_eq!((&r.body["id"], &r.body["name"], &r.body["description"]), (&json!(model), &json!("support-bot"), &json!("Answers tickets.")));
        assert_eq!((&r.body["owned_by"], &r.body["root"], &r.body["root_version"]), (&json!(owner), &json!("open-mistral-7b"), &json!("latest")));
        assert_eq!(r.body["capabilities"], json!({"completion_chat": true, "completion_fim": false, "function_calling": false, "fine_tuning": false, "classification": false}));
        assert_eq!(r.body["job"], json!(job));
        assert!(r.body["workspace_id"].as_str().is_some_and(|w| uuid::Uuid::parse_str(w).is_ok()));
        let card = m.get(RETRIEVE, &path).await;
        assert_eq!((&card.body["name"], &card.body["description"]), (&json!("support-bot"), &json!("Answers tickets.")));
        assert_eq!(card_in_list(&m, &model).await["name"], "support-bot");
        // A null clears, an absent field stays.
        let r = m.call(UPDATE, m.request(Method::PATCH, &ft).json(&json!({"description": null}))).await;
        assert_eq!((&r.body["name"], &r.body["description"]), (&json!("support-bot"), &Value::Null));
        // The body is checked against the spec.
        let r = m.call(UPDATE, m.request(Method::PATCH, &ft).json(&json!({"name": 5}))).await;
        assert_eq!(r.status, 422);
        assert_eq!(r.body["message"]["detail"][0]["loc"], json!(["body", "name"]));

        // Archive and unarchive.
        let archive = format!("{ft}/archive");
        let r = m.call(ARCHIVE, m.request(Method::POST, &archive)).await;
        assert_eq!((r.status.as_u16(), &r.body), (200, &json!({"id": model, "object": "model", "archived": true})));
        assert_eq!(m.get(RETRIEVE, &path).await.body["archived"], true);
        assert_eq!(card_in_list(&m, &model).await["archived"], true);
        // Still usable for chat.
        let chat = m
            .post("createChatCompletion", "/v1/chat/completions", json!({"model": model, "messages": [{"role": "user", "content": "Hi"}]}))
            .await;
        assert_eq!(chat.status, 200);
        let r = m.call(UNARCHIVE, m.request(Method::DELETE, &archive)).await;
        assert_eq!((r.status.as_u16(), &r.body), (200, &json!({"id": model, "object": "model", "archived": false})));
        assert_eq!(m.get(RETRIEVE, &path).await.body["archived"], false);

        // Deleted: gone everywhere.
        assert_eq!(m.delete(DELETE, &path).await.status, 200);
        assert_eq!(m.get(RETRIEVE, &path).await.status, 404);
        let r = m.call(ARCHIVE, m.request(Method::POST, &archive)).await;
        assert_eq!((r.status.as_u16(), &r.body), (404, &error(&format!("Model {model} not found"), Some("404"))));
    })
    .await;
}

#[tokio::test]
async fn base_and_unknown_models_cannot_be_updated_or_archived() {
    within(20, async {
        let m = Mock::start().await;
        let base = "/v1/fine_tuning/models/mistral-small-latest";
        let cases = [
            (UPDATE, m.request(Method::PATCH, base).json(&json!({"name": "x"})), "updated"),
            (ARCHIVE, m.request(Method::POST, &format!("{base}/archive")), "archived"),
            (UNARCHIVE, m.request(Method::DELETE, &format!("{base}/archive")), "unarchived"),
        ];
        for (op, request, verb) in cases {
            let r = m.call(op, request).await;
            assert_eq!(r.status, 400, "{op}");
            let message = format!("Model mistral-small-latest is a base model: only fine-tuned models can be {verb}");
            assert_eq!(r.body, error(&message, None));
        }
        let unknown = "/v1/fine_tuning/models/ft:open-mistral-7b:00000000:20260101:deadbeef";
        let cases = [
            (UPDATE, m.request(Method::PATCH, unknown).json(&json!({}))),
            (ARCHIVE, m.request(Method::POST, &format!("{unknown}/archive"))),
            (UNARCHIVE, m.request(Method::DELETE, &format!("{unknown}/archive"))),
        ];
        for (op, request) in cases {
            let r = m.call(op, request).await;
            assert_eq!(r.status, 404, "{op}");
            assert_eq!(r.body, error("Model ft:open-mistral-7b:00000000:20260101:deadbeef not found", Some("404")));
        }
        assert_eq!(m.get(RETRIEVE, "/v1/models/mistral-small-latest").await.body["type"], "base");
    })
    .await;
}
