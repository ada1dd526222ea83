//! Fine-tuning: dry runs, the job lifecycle, fine-tuned models, cancel, filters, persistence.

use std::time::{Duration, Instant};

use mistral_mock::MockServer;
use reqwest::Method;
use serde_json::{Value, json};

use crate::{Mock, within};

const CREATE: &str = "jobs_api_routes_fine_tuning_create_fine_tuning_job";
const LIST: &str = "jobs_api_routes_fine_tuning_get_fine_tuning_jobs";
const GET: &str = "jobs_api_routes_fine_tuning_get_fine_tuning_job";
const CANCEL: &str = "jobs_api_routes_fine_tuning_cancel_fine_tuning_job";
const DELETE_MODEL: &str = "delete_model_v1_models__model_id__delete";

fn job_in(file: &str, steps: u64) -> Value {
    json!({"model": "open-mistral-7b", "training_files": [file], "hyperparameters": {"training_steps": steps, "learning_rate": 0.0001}})
}

/// Polls the job until `status` (or fails after `secs`).
async fn wait_for(m: &Mock, id: &str, status: &str, secs: u64) -> Value {
    let deadline = Instant::now() + Duration::from_secs(secs);
    loop {
        let r = m.get(GET, &format!("/v1/fine_tuning/jobs/{id}")).await;
        assert_eq!(r.status, 200);
        if r.body["status"] == status {
            return r.body;
        }
        assert!(Instant::now() < deadline, "job {id} stuck in {}", r.body["status"]);
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

fn statuses(job: &Value) -> Vec<String> {
    job["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| {
            assert_eq!(e["name"], "status-updated");
            e["data"]["status"].as_str().expect("status").to_string()
        })
        .collect()
}

#[tokio::test]
async fn dry_run_estimates_from_the_data() {
    within(20, async {
        let m = Mock::start().await;
        let file = m.upload_training(4).await;
        let r = m.post(CREATE, "/v1/fine_tuning/jobs?dry_run=true", job_in(&file, 10)).await;
        assert_eq!(r.status, 200);
        // Each line: "What is i plus i?" (6 tokens) + "It is 2i." (4 tokens).
        let data_tokens = 4 * 10;
        assert_eq!(
            r.body,
            json!({
            "object": "job.metadata",
            "training_steps": 10, "train_tokens_per_step": 131072, "data_tokens": data_tokens,
            "train_tokens": 1310720, "epochs": 32768.0, "expected_duration_seconds": 110,
            "cost": 1.31, "cost_currency": "EUR"})
        );
        let jobs = m.get(LIST, "/v1/fine_tuning/jobs").await;
        assert_eq!(jobs.body["data"], json!([]), "a dry run creates no job");
    })
    .await;
}

#[tokio::test]
async fn a_job_runs_to_success_and_its_model_is_usable_then_deletable() {
    within(20, async {
        let m = Mock::start().await;
        let file = m.upload_training(3).await;
        let created = m.post(CREATE, "/v1/fine_tuning/jobs", job_in(&file, 10)).await;
        assert_eq!(created.status, 200);
        let job = &created.body;
        assert_eq!(job["status"], "QUEUED");
        assert_eq!(job["object"], "job");
        assert_eq!(job["job_type"], "FT");
        assert_eq!(job["model"], "open-mistral-7b");
        assert_eq!(job["training_files"], json!([file]));
        assert_eq!(job["hyperparameters"], json!({"training_steps": 10, "learning_rate": 0.0001}));
        assert!(job.get("fine_tuned_model").is_none_or(Value::is_null));
        let id = job["id"].as_str().expect("id");
        let done = wait_for(&m, id, "SUCCESS", 10).await;
        assert_eq!(statuses(&done), ["QUEUED", "RUNNING", "SUCCESS"]);
        let checkpoints = done["checkpoints"].as_array().expect("checkpoints");
        assert_eq!(checkpoints.len(), 10);
        let losses: Vec<f64> = checkpoints.iter().map(|c| c["metrics"]["train_loss"].as_f64().expect("loss")).collect();
        assert!(losses.windows(2).all(|w| w[1] < w[0]), "{losses:?}");
        assert_eq!(checkpoints.last().map(|c| &c["step_number"]), Some(&json!(10)));
        assert_eq!(done["trained_tokens"], 1310720);
        let model = done["fine_tuned_model"].as_str().expect("fine-tuned model").to_string();
        let parts: Vec<&str> = model.split(':').collect();
        assert_eq!(parts.len(), 5, "{model}");
        assert_eq!(&parts[..2], ["ft", "open-mistral-7b"]);
        assert!(parts[2].len() == 8 && parts[2].chars().all(|c| c.is_ascii_hexdigit()));
        assert!(parts[3].len() == 8 && parts[3].chars().all(|c| c.is_ascii_digit()));
        assert_eq!(parts[4], &id[..8]);

        let models = m.get("listModels", "/v1/models").await;
        let listed = models.body["data"]
            .as_array()
            .expect("data")
            .iter()
            .find(|d| d["id"] == model.as_str())
            .cloned()
            .expect("listed");
        assert_eq!(listed["owned_by"], parts[2]);
        let chat = json!({"model": model, "messages": [{"role": "user", "content": "Hello there, how are you?"}]});
        let r = m.post("createChatCompletion", "/v1/chat/completions", chat.clone()).await;
        assert_eq!(r.status, 200);
        assert_eq!(r.body["model"], model.as_str());

        let del = m.delete(DELETE_MODEL, &format!("/v1/models/{model}")).await;
        assert_eq!(del.status, 200);
        assert_eq!(del.body, json!({"id": model, "object": "model", "deleted": true}));
        let models = m.get("listModels", "/v1/models").await;
        assert!(!models.text.contains(&model));
        assert_eq!(m.post("createChatCompletion", "/v1/chat/completions", chat).await.status, 400);
        assert_eq!(m.delete(DELETE_MODEL, &format!("/v1/models/{model}")).await.status, 404);
        let r = m.call(CANCEL, m.request(Method::POST, &format!("/v1/fine_tuning/jobs/{id}/cancel"))).await;
        assert_eq!(r.status, 400, "a finished job cannot be cancelled");
    })
    .await;
}

#[tokio::test]
async fn default_speed_finishes_ten_steps_in_about_two_seconds() {
    within(20, async {
        let m = Mock::with(MockServer::builder()).await;
        let file = m.upload_training(1).await;
        let start = Instant::now();
        let created = m.post(CREATE, "/v1/fine_tuning/jobs", job_in(&file, 10)).await;
        let id = created.body["id"].as_str().expect("id");
        let running = wait_for(&m, id, "RUNNING", 5).await;
        assert!(running["checkpoints"].as_array().is_some_and(|c| c.len() < 10));
        wait_for(&m, id, "SUCCESS", 10).await;
        let took = start.elapsed();
        assert!(took >= Duration::from_millis(2000) && took < Duration::from_secs(4), "{took:?}");
    })
    .await;
}

#[tokio::test]
async fn cancel_requests_then_cancels() {
    within(20, async {
        let m = Mock::with(MockServer::builder().speed(20.0)).await;
        let file = m.upload_training(1).await;
        let created = m.post(CREATE, "/v1/fine_tuning/jobs", job_in(&file, 10)).await;
        let id = created.body["id"].as_str().expect("id");
        let r = m.call(CANCEL, m.request(Method::POST, &format!("/v1/fine_tuning/jobs/{id}/cancel"))).await;
        assert_eq!(r.status, 200);
        assert_eq!(r.body["status"], "CANCELLATION_REQUESTED");
        let again = m.call(CANCEL, m.request(Method::POST, &format!("/v1/fine_tuning/jobs/{id}/cancel"))).await;
        assert_eq!(again.body["status"], "CANCELLATION_REQUESTED");
        let done = wait_for(&m, id, "CANCELLED", 5).await;
        assert_eq!(statuses(&done), ["QUEUED", "CANCELLATION_REQUESTED", "CANCELLED"]);
        assert!(done.get("fine_tuned_model").is_none_or(Value::is_null));
        tokio::time::sleep(Duration::from_millis(600)).await;
        assert_eq!(
            m.get(GET, &format!("/v1/fine_tuning/jobs/{id}")).await.body["status"],
            "CANCELLED",
            "stays cancelled"
        );
        let unknown = m
            .call(CANCEL, m.request(Method::POST, "/v1/fine_tuning/jobs/2f4b9a6e-8c1d-4e3f-9a7b-5c6d7e8f9a0b/cancel"))
            .await;
        assert_eq!(unknown.status, 404);
    })
    .await;
}

#[tokio::test]
async fn creation_checks_files_model_and_steps() {
    within(20, async {
        let m = Mock::start().await;
        let missing = "497f6eca-6276-4993-bfeb-53cbbbba6f09";
        let r = m.post(CREATE, "/v1/fine_tuning/jobs", job_in(missing, 10)).await;
        assert_eq!(r.status, 422);
        assert_eq!(r.body["message"]["detail"][0]["loc"], json!(["body", "training_files", 0]));
        assert!(r.body["message"]["detail"][0]["msg"].as_str().is_some_and(|s| s.contains(missing)));
        let file = m.upload_training(1).await;
        let mut body = job_in(&file, 10);
        body["model"] = json!("mistral-large-latest");
        body["validation_files"] = json!([missing]);
        let r = m.post(CREATE, "/v1/fine_tuning/jobs", body).await;
        let locs: Vec<&Value> =
            r.body["message"]["detail"].as_array().expect("details").iter().map(|d| &d["loc"]).collect();
        assert_eq!(locs, [&json!(["body", "model"]), &json!(["body", "validation_files", 0])]);
        let r = m
            .post(
                CREATE,
                "/v1/fine_tuning/jobs",
                json!({"model": "open-mistral-7b", "training_files": [file], "hyperparameters": {}}),
            )
            .await;
        assert_eq!(r.body["message"]["detail"][0]["loc"], json!(["body", "hyperparameters", "training_steps"]));
        let r = m.post(CREATE, "/v1/fine_tuning/jobs?dry_run=perhaps", job_in(&file, 1)).await;
        assert_eq!(r.body["message"]["detail"][0]["loc"], json!(["query", "dry_run"]));
    })
    .await;
}

#[tokio::test]
async fn listing_filters_and_pages() {
    within(20, async {
        let m = Mock::with(MockServer::builder().speed(0.001)).await;
        let file = m.upload_training(1).await;
        let mut ids = Vec::new();
        for (model, suffix) in [("open-mistral-7b", "alpha"), ("mistral-small-latest", "beta"), ("open-mistral-7b", "beta")] {
            let body = json!({"model": model, "training_files": [file], "hyperparameters": {"training_steps": 1}, "suffix": suffix,
                "integrations": [{"type": "wandb", "project": format!("p-{suffix}"), "api_key": "a".repeat(40)}]});
            let r = m.post(CREATE, "/v1/fine_tuning/jobs", body).await;
            assert_eq!(r.status, 200, "{}", r.text);
            ids.push(r.body["id"].as_str().expect("id").to_string());
        }
        let other_key = m.http.post(m.url("/v1/fine_tuning/jobs")).bearer_auth("someone-else").json(&job_in(&file, 1));
        let theirs = m.call(CREATE, other_key).await;
        assert_eq!(theirs.status, 200);
        let list = |q: &'static str| {
            let m = &m;
            async move {
                let r = m.get(LIST, &format!("/v1/fine_tuning/jobs{q}")).await;
                assert_eq!(r.status, 200, "{q}: {}", r.text);
                let ids: Vec<String> = r.body["data"].as_array().expect("data").iter().map(|j| j["id"].as_str().expect("id").to_string()).collect();
                (ids, r.body["total"].as_i64())
            }
        };
        let (all, total) = list("").await;
        assert_eq!((all.len(), total), (4, Some(4)));
        assert_eq!(&all[1..], [ids[2].clone(), ids[1].clone(), ids[0].clone()], "newest first");
        assert_eq!(list("?created_by_me=true").await.0, [ids[2].clone(), ids[1].clone(), ids[0].clone()]);
        assert_eq!(list("?model=mistral-small-latest").await.0, [ids[1].clone()]);
        assert_eq!(list("?suffix=beta").await.0, [ids[2].clone(), ids[1].clone()]);
        assert_eq!(list("?wandb_project=p-alpha").await.0, [ids[0].clone()]);
        assert_eq!(list("?status=QUEUED").await.0.len(), 4);
        assert!(list("?status=SUCCESS").await.0.is_empty());
        assert!(list("?created_after=2999-01-01T00:00:00Z").await.0.is_empty());
        assert_eq!(list("?created_after=2000-01-01T00:00:00Z").await.0.len(), 4);
        let (page, total) = list("?page=1&page_size=3").await;
        assert_eq!((page, total), (vec![ids[0].clone()], Some(4)));
        let job = m.get(GET, &format!("/v1/fine_tuning/jobs/{}", ids[0])).await;
        // Every field, as the live server sends it: `name: null` where none was given.
        assert_eq!(job.body["integrations"], json!([{"type": "wandb", "project": "p-alpha", "name": null}]));
        assert_eq!(job.body["suffix"], "alpha");
    })
    .await;
}

#[tokio::test]
async fn a_data_dir_keeps_files_jobs_and_deletions_across_restarts() {
    within(20, async {
        let dir = tempfile::tempdir().expect("tempdir");
        let builder = || MockServer::builder().speed(2000.0).data_dir(dir.path());
        let m = Mock::with(builder()).await;
        let file = m.upload_training(2).await;
        let deleted = m.upload_training(1).await;
        m.delete("files_api_routes_delete_file", &format!("/v1/files/{deleted}")).await;
        let job = m.post(CREATE, "/v1/fine_tuning/jobs", job_in(&file, 2)).await;
        let id = job.body["id"].as_str().expect("id").to_string();
        let done = wait_for(&m, &id, "SUCCESS", 10).await;
        let model = done["fine_tuned_model"].as_str().expect("model").to_string();
        m.server.shutdown().await;

        let m = Mock::with(builder()).await;
        let files = m.get("files_api_routes_list_files", "/v1/files").await;
        let ids: Vec<&str> =
            files.body["data"].as_array().expect("data").iter().filter_map(|f| f["id"].as_str()).collect();
        assert_eq!(ids, [file.as_str()]);
        let again = m.get(GET, &format!("/v1/fine_tuning/jobs/{id}")).await;
        assert_eq!(again.body, done, "the job reads the same after a restart");
        assert!(m.get("listModels", "/v1/models").await.text.contains(&model));
        assert_eq!(m.delete(DELETE_MODEL, &format!("/v1/models/{model}")).await.status, 200);
        m.server.shutdown().await;

        let m = Mock::with(builder()).await;
        assert!(!m.get("listModels", "/v1/models").await.text.contains(&model), "the deletion persisted");
        let dry = m.post(CREATE, "/v1/fine_tuning/jobs?dry_run=true", job_in(&file, 1)).await;
        assert_eq!(dry.body["data_tokens"], 20, "token counts persisted");
    })
    .await;
}

#[tokio::test]
async fn the_clock_moves_on_when_told_in_rust_and_over_http() {
    within(20, async {
        // One simulated second per real second: the job would take minutes.
        let mut options = mistral_mock::Options::default();
        options.speed = 1.0;
        options.admin = true;
        let dir = tempfile::tempdir().unwrap();
        options.record = Some(dir.path().to_path_buf());
        let m = Mock::with(mistral_mock::MockServer::builder().options(options)).await;
        let file = m.upload_training(3).await;
        let id =
            m.post(CREATE, "/v1/fine_tuning/jobs", job_in(&file, 2)).await.body["id"].as_str().unwrap().to_string();
        let status = |r: &crate::Reply| r.body["status"].as_str().unwrap_or_default().to_string();
        assert_eq!(status(&m.get(GET, &format!("/v1/fine_tuning/jobs/{id}")).await), "QUEUED");
        // Queued 10 s, then 10 s per step: 15 s in, it runs; 40 s in, it is done.
        m.server.advance(Duration::from_secs(15));
        assert_eq!(status(&m.get(GET, &format!("/v1/fine_tuning/jobs/{id}")).await), "RUNNING");
        let moved = m.http.post(m.url("/__mock/clock")).json(&json!({"advance_seconds": 25})).send().await.unwrap();
        assert_eq!(moved.status().as_u16(), 204);
        let done = m.get(GET, &format!("/v1/fine_tuning/jobs/{id}")).await;
        assert_eq!(status(&done), "SUCCESS");
        assert!(done.body["fine_tuned_model"].as_str().is_some_and(|f| f.starts_with("ft:open-mistral-7b:")));
        let bad = m.http.post(m.url("/__mock/clock")).json(&json!({"advance_seconds": -1})).send().await.unwrap();
        assert_eq!(bad.status().as_u16(), 400);

        // Every API request was recorded, one JSON line each (admin calls are not).
        let recorded = std::fs::read_to_string(dir.path().join("requests.jsonl")).unwrap();
        let lines: Vec<Value> = recorded.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        let ops: Vec<&str> = lines.iter().filter_map(|l| l["operation"].as_str()).collect();
        assert_eq!(ops, ["files_api_routes_upload_file", CREATE, GET, GET, GET], "{recorded}");
        assert!(!recorded.contains(&m.key), "the key is never recorded");
    })
    .await;
}

#[tokio::test]
async fn retired_mode_answers_410_gone_on_every_job_route_as_the_live_api() {
    within(20, async {
        let mut options = mistral_mock::Options::default();
        options.fine_tuning = mistral_mock::FineTuningMode::Retired;
        let m = Mock::with(MockServer::builder().options(options)).await;
        let id = "00000000-0000-0000-0000-000000000000";
        let answers = [
            m.get(LIST, "/v1/fine_tuning/jobs").await,
            m.post(CREATE, "/v1/fine_tuning/jobs", job_in(id, 10)).await,
            m.get(GET, &format!("/v1/fine_tuning/jobs/{id}")).await,
            m.call(CANCEL, m.request(Method::POST, &format!("/v1/fine_tuning/jobs/{id}/cancel"))).await,
        ];
        for r in answers {
            assert_eq!(r.status, 410, "{}", r.text);
            assert_eq!(
                r.body,
                json!({"object": "error", "message": "This endpoint has been retired.",
                       "type": "invalid_request_error", "param": null, "code": "410"})
            );
        }
        // Still behind authentication, and the rest of the API is untouched.
        let anonymous = m.http.get(m.url("/v1/fine_tuning/jobs")).send().await.unwrap();
        assert_eq!(anonymous.status(), 401);
        assert_eq!(m.get("listModels", "/v1/models").await.status, 200);
    })
    .await;
}
