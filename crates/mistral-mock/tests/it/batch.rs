//! Batch jobs: requests run through the mock's own routes on the simulated clock, counts,
//! result files, error lines, cancel, timeout, list filters.

use std::time::Duration;

use mistral_mock::MockServer;
use reqwest::Method;
use serde_json::{Value, json};

use crate::{Mock, within};

const CREATE: &str = "jobs_api_routes_batch_create_batch_job";
const LIST: &str = "jobs_api_routes_batch_get_batch_jobs";
const GET: &str = "jobs_api_routes_batch_get_batch_job";
const CANCEL: &str = "jobs_api_routes_batch_cancel_batch_job";
const DELETE: &str = "jobs_api_routes_batch_delete_batch_job";
const CHAT: &str = "createChatCompletion";
const FIM: &str = "createFIMCompletion";
const EMBED: &str = "createEmbedding";
const DOWNLOAD: &str = "files_api_routes_download_file";
const RETRIEVE: &str = "files_api_routes_retrieve_file";

/// A server on a slow clock (1 simulated second a second): only `advance` moves jobs on.
async fn slow() -> Mock {
    Mock::with(MockServer::builder().speed(1.0)).await
}

/// Uploads `lines` as a batch input file; gives its id.
async fn upload_batch(m: &Mock, lines: &[Value]) -> String {
    let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    let part = reqwest::multipart::Part::bytes(text.into_bytes()).file_name("input.jsonl");
    let form = reqwest::multipart::Form::new().text("purpose", "batch").part("file", part);
    let r = m.call("files_api_routes_upload_file", m.request(Method::POST, "/v1/files").multipart(form)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["id"].as_str().expect("file id").to_string()
}

async fn get(m: &Mock, id: &str) -> Value {
    let r = m.get(GET, &format!("/v1/batch/jobs/{id}")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body
}

/// The lines of a stored file.
async fn lines_of(m: &Mock, file: &str) -> Vec<Value> {
    let r = m.get(DOWNLOAD, &format!("/v1/files/{file}/content")).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.text.lines().map(|l| serde_json::from_str(l).expect("a JSON line")).collect()
}

/// A completion without what differs between two calls (its id and time).
fn comparable(mut body: Value) -> Value {
    if let Some(map) = body.as_object_mut() {
        map.remove("id");
        map.remove("created");
    }
    body
}

async fn cancel(m: &Mock, id: &str) -> crate::Reply {
    m.call(CANCEL, m.request(Method::POST, &format!("/v1/batch/jobs/{id}/cancel"))).await
}

fn counts(job: &Value) -> [i64; 4] {
    ["total_requests", "completed_requests", "succeeded_requests", "failed_requests"]
        .map(|k| job[k].as_i64().unwrap_or(-1))
}

#[tokio::test]
async fn a_batch_of_chat_lines_answers_as_the_sync_calls() {
    within(30, async {
        let m = slow().await;
        let bodies = [
            json!({"messages": [{"role": "user", "content": "What is the best French cheese?"}], "max_tokens": 40}),
            json!({"messages": [{"role": "user", "content": "What is the best French wine?"}]}),
            json!({"messages": [{"role": "user", "content": "Name a Paris museum."}], "temperature": 0.2}),
        ];
        let lines: Vec<Value> =
            bodies.iter().enumerate().map(|(i, b)| json!({"custom_id": format!("q{i}"), "body": b})).collect();
        let file = upload_batch(&m, &lines).await;
        let created = m
            .post(
                CREATE,
                "/v1/batch/jobs",
                json!({"input_files": [file], "endpoint": "/v1/chat/completions", "model": "mistral-small-latest",
                       "metadata": {"run": "nightly"}}),
            )
            .await;
        assert_eq!(created.status, 200, "{}", created.text);
        let job = &created.body;
        let id = job["id"].as_str().expect("id");
        assert_eq!((job["status"].as_str(), job["object"].as_str()), (Some("QUEUED"), Some("batch")));
        assert_eq!(counts(job), [3, 0, 0, 0]);
        assert_eq!(job["input_files"], json!([file]));
        assert_eq!(job["metadata"], json!({"run": "nightly"}));
        assert_eq!(
            (&job["output_file"], &job["error_file"], &job["started_at"]),
            (&Value::Null, &Value::Null, &Value::Null)
        );

        m.server.advance(Duration::from_secs(60));
        let job = get(&m, id).await;
        assert_eq!(job["status"], "SUCCESS");
        assert_eq!(counts(&job), [3, 3, 3, 0]);
        assert_eq!(job["errors"], json!([]));
        assert_eq!(job["error_file"], Value::Null);
        assert!(job["started_at"].is_i64() && job["completed_at"].is_i64(), "{job}");
        let output = job["output_file"].as_str().expect("an output file").to_string();

        let results = lines_of(&m, &output).await;
        assert_eq!(results.len(), 3);
        for (i, (line, body)) in results.iter().zip(&bodies).enumerate() {
            assert_eq!(line["custom_id"], format!("q{i}"));
            assert_eq!(line["error"], Value::Null);
            assert_eq!(line["response"]["status_code"], 200);
            assert!(line["id"].as_str().is_some_and(|s| s.starts_with("batch-")), "{line}");
            let mut sync = body.clone();
            sync["model"] = json!("mistral-small-latest");
            let direct = m.post(CHAT, "/v1/chat/completions", sync).await;
            assert_eq!(direct.status, 200);
            assert_eq!(comparable(line["response"]["body"].clone()), comparable(direct.body), "line {i}");
        }
        let meta = m.get(RETRIEVE, &format!("/v1/files/{output}")).await.body;
        assert_eq!(
            (&meta["purpose"], &meta["sample_type"], &meta["source"], &meta["num_lines"]),
            (&json!("batch"), &json!("batch_result"), &json!("mistral"), &json!(3))
        );
        let inline = m.get(GET, &format!("/v1/batch/jobs/{id}?inline=true")).await.body;
        assert_eq!(inline["outputs"].as_array().map(Vec::len), Some(3));
        assert_eq!(inline["outputs"][2]["custom_id"], "q2");
    })
    .await;
}

#[tokio::test]
async fn requests_run_one_after_another_on_the_clock() {
    within(20, async {
        let m = slow().await;
        let requests: Vec<Value> =
            (0..3).map(|i| json!({"custom_id": i.to_string(), "body": {"input": [format!("text {i}")]}})).collect();
        let job = m
            .post(
                CREATE,
                "/v1/batch/jobs",
                json!({"requests": requests, "endpoint": "/v1/embeddings", "model": "mistral-embed"}),
            )
            .await
            .body;
        let id = job["id"].as_str().expect("id");
        // Queued 10 simulated seconds, then a request every 10.
        let mut seen = Vec::new();
        for _ in 0..4 {
            m.server.advance(Duration::from_secs(10));
            let job = get(&m, id).await;
            seen.push((job["status"].as_str().unwrap_or_default().to_string(), counts(&job)[1]));
        }
        let seen: Vec<(&str, i64)> = seen.iter().map(|(s, n)| (s.as_str(), *n)).collect();
        assert_eq!(seen, [("RUNNING", 0), ("RUNNING", 1), ("RUNNING", 2), ("SUCCESS", 3)]);
        let job = get(&m, id).await;
        let results = lines_of(&m, job["output_file"].as_str().expect("output")).await;
        let direct = m.post(EMBED, "/v1/embeddings", json!({"model": "mistral-embed", "input": ["text 1"]})).await;
        assert_eq!(results[1]["response"]["body"]["data"], direct.body["data"]);
    })
    .await;
}

#[tokio::test]
async fn invalid_lines_get_the_sync_errors_in_the_error_file() {
    within(20, async {
        let m = slow().await;
        let good = json!({"model": "codestral-latest", "prompt": "def add(a, b):", "max_tokens": 8});
        let unknown_field = json!({"model": "codestral-latest", "prompt": "x", "bogus": 1});
        let unknown_model = json!({"model": "no-such-model", "prompt": "x"});
        let requests = json!([
            {"custom_id": "good", "body": good},
            {"custom_id": "extra", "body": unknown_field},
            {"custom_id": "model", "body": unknown_model},
        ]);
        let job =
            m.post(CREATE, "/v1/batch/jobs", json!({"requests": requests, "endpoint": "/v1/fim/completions"})).await;
        assert_eq!(job.status, 200, "{}", job.text);
        let id = job.body["id"].as_str().expect("id");
        m.server.advance(Duration::from_secs(3600));
        let job = get(&m, id).await;
        assert_eq!(job["status"], "SUCCESS");
        assert_eq!(counts(&job), [3, 3, 1, 2]);
        assert_eq!(
            job["errors"],
            json!([{"message": "body.bogus: Extra inputs are not permitted", "count": 1},
                   {"message": "Invalid model: no-such-model", "count": 1}])
        );
        let errors = lines_of(&m, job["error_file"].as_str().expect("an error file")).await;
        let direct_extra = m.post(FIM, "/v1/fim/completions", unknown_field).await;
        let direct_model = m.post(FIM, "/v1/fim/completions", unknown_model).await;
        assert_eq!((direct_extra.status.as_u16(), direct_model.status.as_u16()), (422, 400));
        assert_eq!(errors.len(), 2);
        assert_eq!(errors[0]["custom_id"], "extra");
        assert_eq!(errors[0]["response"], json!({"status_code": 422, "body": direct_extra.body}));
        assert_eq!(errors[0]["error"], json!({"message": "body.bogus: Extra inputs are not permitted", "code": 422}));
        assert_eq!(errors[1]["response"], json!({"status_code": 400, "body": direct_model.body}));
        assert_eq!(errors[1]["error"], json!({"message": "Invalid model: no-such-model", "code": 1500}));
        let outputs = lines_of(&m, job["output_file"].as_str().expect("an output file")).await;
        assert_eq!(outputs.len(), 1);
        assert_eq!(outputs[0]["custom_id"], "good");
        let meta = m.get(RETRIEVE, &format!("/v1/files/{}", job["error_file"].as_str().unwrap_or_default())).await;
        assert_eq!(meta.body["sample_type"], "batch_error");

        // Every request failed: the job failed.
        let requests = json!([{"custom_id": "a", "body": {"prompt": "x"}}]);
        let job =
            m.post(CREATE, "/v1/batch/jobs", json!({"requests": requests, "endpoint": "/v1/fim/completions"})).await;
        m.server.advance(Duration::from_secs(3600));
        let job = get(&m, job.body["id"].as_str().expect("id")).await;
        assert_eq!((job["status"].as_str(), counts(&job)), (Some("FAILED"), [1, 1, 0, 1]));
        assert_eq!(job["errors"], json!([{"message": "body.model: Field required", "count": 1}]));
        assert_eq!(job["output_file"], Value::Null);
    })
    .await;
}

#[tokio::test]
async fn cancel_stops_the_requests_not_yet_run() {
    within(20, async {
        let m = slow().await;
        let requests: Vec<Value> =
            (0..5).map(|i| json!({"custom_id": i.to_string(), "body": {"input": "x"}})).collect();
        let job = m
            .post(
                CREATE,
                "/v1/batch/jobs",
                json!({"requests": requests, "endpoint": "/v1/embeddings", "model": "mistral-embed"}),
            )
            .await
            .body;
        let id = job["id"].as_str().expect("id").to_string();
        m.server.advance(Duration::from_secs(25));
        let cancelled = cancel(&m, &id).await;
        assert_eq!(cancelled.status, 200);
        assert_eq!(cancelled.body["status"], "CANCELLATION_REQUESTED");
        assert_eq!(counts(&cancelled.body), [5, 1, 1, 0]);
        m.server.advance(Duration::from_secs(600));
        let job = get(&m, &id).await;
        assert_eq!((job["status"].as_str(), counts(&job)), (Some("CANCELLED"), [5, 1, 1, 0]));
        let results = lines_of(&m, job["output_file"].as_str().expect("output")).await;
        assert_eq!(results.iter().map(|l| l["custom_id"].clone()).collect::<Vec<_>>(), [json!("0")]);
        // Again: nothing changes.
        let again = cancel(&m, &id).await;
        assert_eq!((again.status.as_u16(), again.body["status"].as_str()), (200, Some("CANCELLED")));

        // A job that ended cannot be cancelled.
        let job = m
            .post(
                CREATE,
                "/v1/batch/jobs",
                json!({"requests": [{"body": {"input": "y"}}], "endpoint": "/v1/embeddings", "model": "mistral-embed"}),
            )
            .await
            .body;
        m.server.advance(Duration::from_secs(60));
        let late = cancel(&m, job["id"].as_str().expect("id")).await;
        assert_eq!(late.status, 400);
        assert!(late.body["message"].as_str().is_some_and(|s| s.contains("already ended (SUCCESS)")), "{}", late.text);
    })
    .await;
}

#[tokio::test]
async fn a_job_past_its_timeout_stops() {
    within(60, async {
        let m = slow().await;
        // 400 requests of 10 simulated seconds each do not fit in one hour.
        let requests: Vec<Value> = (0..400)
            .map(|i| json!({"custom_id": i.to_string(), "body": {"model": "codestral-latest", "prompt": "x", "max_tokens": 1}}))
            .collect();
        let job = m
            .post(CREATE, "/v1/batch/jobs", json!({"requests": requests, "endpoint": "/v1/fim/completions", "timeout_hours": 1}))
            .await;
        assert_eq!(job.status, 200, "{}", job.text);
        m.server.advance(Duration::from_secs(7200));
        let job = get(&m, job.body["id"].as_str().expect("id")).await;
        assert_eq!(job["status"], "TIMEOUT_EXCEEDED");
        // Queued 10 s, then 359 requests done within the hour.
        assert_eq!(counts(&job), [400, 359, 359, 0]);
        assert_eq!(job["completed_at"].as_i64(), job["created_at"].as_i64().map(|c| c + 3600));
        assert_eq!(lines_of(&m, job["output_file"].as_str().expect("output")).await.len(), 359);
    })
    .await;
}

#[tokio::test]
async fn jobs_are_listed_filtered_paged_and_deleted() {
    within(20, async {
        let server = slow().await;
        let m = &server;
        let make = move |model: &'static str, tag: &'static str| {
            let body = json!({"requests": [{"body": {"input": "x"}}], "endpoint": "/v1/embeddings", "model": model,
                              "metadata": {"tag": tag}});
            async move { m.post(CREATE, "/v1/batch/jobs", body).await.body["id"].as_str().expect("id").to_string() }
        };
        let a = make("mistral-embed", "a").await;
        let b = make("codestral-embed", "b").await;
        let c = make("mistral-embed", "c").await;
        m.server.advance(Duration::from_secs(60));
        let ids = |r: &crate::Reply| -> Vec<String> {
            r.body["data"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|j| j["id"].as_str().map(str::to_string))
                .collect()
        };
        let all = m.get(LIST, "/v1/batch/jobs").await;
        assert_eq!((ids(&all), all.body["total"].as_i64()), (vec![c.clone(), b.clone(), a.clone()], Some(3)));
        assert_eq!(ids(&m.get(LIST, "/v1/batch/jobs?order_by=created").await), [a.clone(), b.clone(), c.clone()]);
        assert_eq!(ids(&m.get(LIST, "/v1/batch/jobs?model=mistral-embed").await), [c.clone(), a.clone()]);
        assert_eq!(ids(&m.get(LIST, "/v1/batch/jobs?tag=b").await), std::slice::from_ref(&b), "exploded metadata");
        let json_filter = m.get(LIST, "/v1/batch/jobs?metadata=%7B%22tag%22%3A%22c%22%7D").await;
        assert_eq!(ids(&json_filter), std::slice::from_ref(&c));
        let page = m.get(LIST, "/v1/batch/jobs?page=1&page_size=2").await;
        assert_eq!((ids(&page), page.body["total"].as_i64()), (vec![a.clone()], Some(3)));
        assert_eq!(ids(&m.get(LIST, "/v1/batch/jobs?status=RUNNING&status=QUEUED").await), Vec::<String>::new());
        assert_eq!(ids(&m.get(LIST, "/v1/batch/jobs?status=SUCCESS").await).len(), 3);
        assert_eq!(ids(&m.get(LIST, "/v1/batch/jobs?created_by_me=true").await).len(), 3);
        assert_eq!(m.get(LIST, "/v1/batch/jobs?status=DONE").await.status, 422);
        assert_eq!(m.get(LIST, "/v1/batch/jobs?order_by=name").await.status, 422);

        let deleted = m.delete(DELETE, &format!("/v1/batch/jobs/{b}")).await;
        assert_eq!(deleted.body, json!({"id": b, "object": "batch", "deleted": true}));
        assert_eq!(m.get(GET, &format!("/v1/batch/jobs/{b}")).await.status, 404);
        assert_eq!(m.delete(DELETE, &format!("/v1/batch/jobs/{b}")).await.status, 404);
        assert_eq!(m.get(GET, "/v1/batch/jobs/not-a-uuid").await.status, 422);
        assert_eq!(m.get(LIST, "/v1/batch/jobs").await.body["total"], 2);
    })
    .await;
}

#[tokio::test]
async fn creation_is_refused_with_the_reason() {
    within(20, async {
        let m = slow().await;
        let missing = "7c2f8a61-3b4d-4e5f-9a0b-1c2d3e4f5a6b";
        let r = m.post(CREATE, "/v1/batch/jobs", json!({"input_files": [missing], "endpoint": "/v1/embeddings"})).await;
        assert_eq!(r.status, 422);
        assert_eq!(r.body["message"]["detail"][0]["loc"], json!(["body", "input_files", 0]));
        let training = m.upload_training(1).await;
        let r =
            m.post(CREATE, "/v1/batch/jobs", json!({"input_files": [training], "endpoint": "/v1/embeddings"})).await;
        assert_eq!(r.status, 422);
        assert!(r.text.contains("purpose batch"), "{}", r.text);
        let r = m.post(CREATE, "/v1/batch/jobs", json!({"endpoint": "/v1/embeddings"})).await;
        assert_eq!(r.status, 400);
        let one = json!([{"body": {"input": "x"}}]);
        let r = m.post(CREATE, "/v1/batch/jobs", json!({"requests": one, "endpoint": "/v1/files"})).await;
        assert_eq!(r.status, 422);
        assert_eq!(r.body["message"]["detail"][0]["type"], "enum");
        let r = m
            .post(CREATE, "/v1/batch/jobs", json!({"requests": one, "endpoint": "/v1/embeddings", "model": "nope"}))
            .await;
        assert_eq!((r.status.as_u16(), r.body["type"].as_str()), (400, Some("invalid_model")));
        let r = m
            .post(
                CREATE,
                "/v1/batch/jobs",
                json!({"requests": one, "endpoint": "/v1/embeddings", "model": "mistral-small-latest"}),
            )
            .await;
        assert_eq!(r.status, 400, "a chat model cannot embed");
        let r = m
            .post(CREATE, "/v1/batch/jobs", json!({"requests": one, "endpoint": "/v1/embeddings", "timeout_hours": 0}))
            .await;
        assert_eq!(r.status, 422);
    })
    .await;
}

#[tokio::test]
async fn ocr_and_moderation_lines_answer_as_the_sync_calls() {
    within(20, async {
        let m = slow().await;
        let document = json!({"type": "document_url", "document_url": "https://example.com/handbook.pdf"});
        let ocr = json!({"custom_id": "doc", "body": {"document": document}});
        let job = m
            .post(
                CREATE,
                "/v1/batch/jobs",
                json!({"requests": [ocr], "endpoint": "/v1/ocr", "model": "mistral-ocr-latest"}),
            )
            .await;
        assert_eq!(job.status, 200, "{}", job.text);
        let texts = ["I will kill you.", "Nice weather."];
        let requests: Vec<Value> = texts.iter().map(|t| json!({"body": {"input": t}})).collect();
        let moderation = m
            .post(
                CREATE,
                "/v1/batch/jobs",
                json!({"requests": requests, "endpoint": "/v1/moderations", "model": "mistral-moderation-latest"}),
            )
            .await;
        m.server.advance(Duration::from_secs(60));
        let job = get(&m, job.body["id"].as_str().expect("id")).await;
        let line = &lines_of(&m, job["output_file"].as_str().expect("output")).await[0];
        let direct =
            m.post("ocr_v1_ocr_post", "/v1/ocr", json!({"model": "mistral-ocr-latest", "document": document})).await;
        assert_eq!((&line["custom_id"], &line["response"]["body"]), (&json!("doc"), &direct.body));
        let job = get(&m, moderation.body["id"].as_str().expect("id")).await;
        let lines = lines_of(&m, job["output_file"].as_str().expect("output")).await;
        let direct = m
            .post(
                "moderations_v1_moderations_post",
                "/v1/moderations",
                json!({"model": "mistral-moderation-latest", "input": texts[0]}),
            )
            .await;
        assert_eq!(lines[0]["custom_id"], Value::Null);
        assert_eq!(lines[0]["response"]["body"]["results"], direct.body["results"]);
        assert_eq!(lines[0]["response"]["body"]["results"][0]["categories"]["violence_and_threats"], true);
    })
    .await;
}

#[tokio::test]
async fn transcription_lines_are_sent_as_forms() {
    within(20, async {
        let m = slow().await;
        let wav = mistral_mock::audio::wav_from_text("Batch me.");
        let url = format!("data:audio/wav;base64,{}", crate::base64(&wav));
        let requests = json!([
            {"custom_id": "url", "body": {"file_url": url, "timestamp_granularities": ["segment"]}},
            {"custom_id": "inline", "body": {"file": crate::base64(&wav), "language": "en"}},
        ]);
        let job = m
            .post(
                CREATE,
                "/v1/batch/jobs",
                json!({"requests": requests, "endpoint": "/v1/audio/transcriptions", "model": "voxtral-mini-latest"}),
            )
            .await;
        assert_eq!(job.status, 200, "{}", job.text);
        m.server.advance(Duration::from_secs(60));
        let job = get(&m, job.body["id"].as_str().expect("id")).await;
        assert_eq!(counts(&job), [2, 2, 2, 0], "{job}");
        let lines = lines_of(&m, job["output_file"].as_str().expect("output")).await;
        assert_eq!(lines[0]["response"]["body"]["text"], "Batch me.");
        assert_eq!(lines[0]["response"]["body"]["segments"][0]["end"], 0.563);
        assert_eq!(lines[1]["response"]["body"]["text"], "Batch me.");
    })
    .await;
}

#[tokio::test]
async fn a_data_dir_keeps_batch_jobs_their_files_and_voices() {
    within(20, async {
        let dir = tempfile::tempdir().expect("temp dir");
        let builder = || MockServer::builder().speed(1.0).data_dir(dir.path());
        let m = Mock::with(builder()).await;
        let requests = json!([{"custom_id": "a", "body": {"input": "kept"}}]);
        let job = m
            .post(
                CREATE,
                "/v1/batch/jobs",
                json!({"requests": requests, "endpoint": "/v1/embeddings", "model": "mistral-embed"}),
            )
            .await;
        let id = job.body["id"].as_str().expect("id").to_string();
        let sample = mistral_mock::audio::wav_from_text("kept");
        let voice = m
            .post(
                "create_voice_v1_audio_voices_post",
                "/v1/audio/voices",
                json!({"name": "Kept", "sample_audio": crate::base64(&sample)}),
            )
            .await;
        let voice_id = voice.body["id"].as_str().expect("voice id").to_string();
        m.server.advance(Duration::from_secs(60));
        let done = get(&m, &id).await;
        assert_eq!(done["status"], "SUCCESS");
        let output = done["output_file"].as_str().expect("output").to_string();
        let lines = lines_of(&m, &output).await;
        m.server.shutdown().await;

        let m = Mock::with(builder()).await;
        assert_eq!(get(&m, &id).await, done);
        assert_eq!(lines_of(&m, &output).await, lines);
        let again = m.get("get_voice_v1_audio_voices__voice_id__get", &format!("/v1/audio/voices/{voice_id}")).await;
        assert_eq!(again.body, voice.body);
        let path = format!("/v1/audio/voices/{voice_id}/sample");
        let bytes = m.request(Method::GET, &path).send().await.expect("sent").bytes().await.expect("bytes");
        assert_eq!(bytes.as_ref(), sample.as_slice());
    })
    .await;
}

#[tokio::test]
async fn a_fast_job_never_shows_success_before_every_request_ran() {
    within(30, async {
        // Fast simulated time (a request every 10 ms): by the time a snapshot is taken, more
        // requests may be due than the catch-up ran; the snapshot must be of the time the
        // catch-up ran to.
        let m = Mock::with(MockServer::builder().speed(1000.0)).await;
        let lines: Vec<Value> = (0..3)
            .map(|i| json!({"custom_id": format!("q{i}"), "body": {"messages": [{"role": "user", "content": format!("Question {i}?")}]}}))
            .collect();
        for _ in 0..10 {
            let file = upload_batch(&m, &lines).await;
            let body = json!({"input_files": [file], "endpoint": "/v1/chat/completions", "model": "mistral-small-latest"});
            let created = m.post(CREATE, "/v1/batch/jobs", body).await;
            let id = created.body["id"].as_str().unwrap().to_string();
            loop {
                let job = get(&m, &id).await;
                if job["status"] == "SUCCESS" {
                    assert_eq!(counts(&job)[1..], [3, 3, 0], "{job}");
                    let output = job["output_file"].as_str().expect("the output file of a finished job");
                    assert_eq!(lines_of(&m, output).await.len(), 3);
                    break;
                }
                assert!(counts(&job)[1] < 3 || job["status"] == "RUNNING", "{job}");
                tokio::time::sleep(Duration::from_millis(1)).await;
            }
        }
    })
    .await;
}
