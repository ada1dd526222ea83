//! Batch jobs: every operation's wire request and decoded answer, watch, and the runner end to
//! end (upload streamed, job, polling, output and error files, typed results, resume).

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::{StreamExt, TryStreamExt};
use httpmock::Method::{DELETE, GET, POST};
use httpmock::MockServer;
use mistral_sdk::types::{BatchJobStatus, KnownApiEndpoint, KnownBatchJobStatus, KnownBatchOrderBy};
use mistral_sdk::{
    ApiErrorKind, BatchFilter, BatchJobExt, BatchRequest, BatchSource, ChatRequest, ChatResponseExt, EmbeddingsRequest,
    Error, WatchOptions,
};
use serde_json::{Value, json};

const JOB_ID: &str = "7c2f8a61-3b4d-4e5f-9a0b-1c2d3e4f5a6b";
const FILE_ID: &str = "497f6eca-6276-4993-bfeb-53cbbbba6f09";
const OUT_ID: &str = "11111111-2222-4333-8444-555555555555";
const ERR_ID: &str = "66666666-7777-4888-9999-aaaaaaaaaaaa";

fn job(status: &str, completed: i64, failed: i64) -> Value {
    let mut job = json!({
        "id": JOB_ID, "object": "batch", "input_files": [FILE_ID], "endpoint": "/v1/chat/completions",
        "model": "mistral-small-latest", "errors": [], "status": status, "created_at": 1754049600,
        "total_requests": 3, "completed_requests": completed, "succeeded_requests": completed - failed,
        "failed_requests": failed
    });
    if status == "SUCCESS" {
        job["output_file"] = json!(OUT_ID);
        job["error_file"] = json!(ERR_ID);
        job["completed_at"] = json!(1754049700);
    }
    job
}

fn file_json(id: &str, name: &str) -> Value {
    json!({"id": id, "object": "file", "bytes": 10, "created_at": 1, "filename": name, "purpose": "batch",
           "sample_type": "batch_request", "source": "upload"})
}

fn fast() -> WatchOptions {
    WatchOptions { initial_interval: Duration::from_millis(5), max_interval: Duration::from_millis(20) }
}

#[tokio::test]
async fn list_sends_every_filter() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v1/batch/jobs")
                .query_param("page", "2")
                .query_param("page_size", "10")
                .query_param("model", "mistral-small-latest")
                .query_param("agent_id", "ag-1")
                .query_param("metadata", r#"{"team":"search"}"#)
                .query_param("created_after", "2026-08-01T00:00:00+00:00")
                .query_param("created_by_me", "true")
                .query_param("status", "QUEUED")
                .query_param("status", "RUNNING")
                .query_param("order_by", "-created");
            then.status(200).json_body(json!({"object": "list", "total": 1, "data": [job("RUNNING", 1, 0)]}));
        })
        .await;
    let filter = BatchFilter::new()
        .page(2)
        .page_size(10)
        .model("mistral-small-latest")
        .agent_id("ag-1")
        .metadata([("team", "search")])
        .created_after("2026-08-01T00:00:00Z".parse().unwrap())
        .created_by_me(true)
        .status(KnownBatchJobStatus::Queued)
        .status(KnownBatchJobStatus::Running)
        .order_by(KnownBatchOrderBy::Xcreated);
    let page = support::client(&server.base_url()).batch().jobs().list(filter).await.unwrap();
    mock.assert_async().await;
    assert_eq!(page.total, 1);
    assert_eq!(page.data[0].status, BatchJobStatus::Known(KnownBatchJobStatus::Running));
    assert_eq!(page.data[0].progress().completed, 1);
}

#[tokio::test]
async fn pages_stop_at_the_total() {
    let server = MockServer::start_async().await;
    let mut mocks = Vec::new();
    for page in 0..2 {
        let data: Vec<Value> = (0..2).map(|_| job("QUEUED", 0, 0)).collect();
        mocks.push(
            server
                .mock_async(|when, then| {
                    when.method(GET)
                        .path("/v1/batch/jobs")
                        .query_param("page", page.to_string())
                        .query_param("page_size", "2");
                    then.status(200).json_body(json!({"object": "list", "total": 4, "data": data}));
                })
                .await,
        );
    }
    let client = support::client(&server.base_url());
    let pages: Vec<_> = client.batch().jobs().pages(BatchFilter::new().page_size(2)).try_collect().await.unwrap();
    assert_eq!(pages.len(), 2, "no third request: the total is reached");
    for mock in mocks {
        mock.assert_calls_async(1).await;
    }
}

#[tokio::test]
async fn create_from_files_and_inline_requests() {
    let server = MockServer::start_async().await;
    let files = server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/batch/jobs").header("content-type", "application/json").json_body(json!({
                "input_files": [FILE_ID], "endpoint": "/v1/chat/completions", "model": "mistral-small-latest",
                "metadata": {"team": "search"}, "timeout_hours": 48
            }));
            then.status(200).json_body(job("QUEUED", 0, 0));
        })
        .await;
    let inline = server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/batch/jobs").json_body(json!({
                "endpoint": "/v1/embeddings",
                "requests": [
                    {"custom_id": "a", "body": {"model": "mistral-embed", "input": ["x"]}},
                    {"custom_id": "b", "body": {"model": "mistral-embed", "input": ["y"]}}
                ]
            }));
            then.status(200).json_body(job("QUEUED", 0, 0));
        })
        .await;
    let client = support::client(&server.base_url());
    let request = BatchRequest::new(KnownApiEndpoint::V1ChatCompletions)
        .input_file(FILE_ID)
        .model("mistral-small-latest")
        .metadata([("team", "search")])
        .timeout_hours(48);
    let created = client.batch().jobs().create(request).await.unwrap();
    assert_eq!(
        (created.id.as_str(), created.status.clone()),
        (JOB_ID, BatchJobStatus::Known(KnownBatchJobStatus::Queued))
    );
    let request = BatchRequest::for_operation(&mistral_openapi::operations::CREATE_EMBEDDING)
        .request("a", EmbeddingsRequest::new("mistral-embed", ["x"]))
        .request("b", EmbeddingsRequest::new("mistral-embed", ["y"]));
    client.batch().jobs().create(request).await.unwrap();
    files.assert_async().await;
    inline.assert_async().await;
}

#[tokio::test]
async fn invalid_creations_are_refused_before_sending() {
    let client = support::client("http://127.0.0.1:9");
    let jobs = client.batch().jobs();
    for (request, expected) in [
        (BatchRequest::new(KnownApiEndpoint::V1Ocr), "input files or inline requests"),
        (BatchRequest::new(KnownApiEndpoint::V1Ocr).input_file("not-a-uuid"), "not a UUID"),
        (BatchRequest::new(KnownApiEndpoint::V1Ocr).input_file(FILE_ID).timeout_hours(169), "1..=168"),
        (BatchRequest::new(KnownApiEndpoint::V1Ocr).input_file(FILE_ID).metadata([("k", "")]), "metadata"),
        (BatchRequest::new(KnownApiEndpoint::V1Ocr).request("x", json!([1])), "not a JSON object"),
    ] {
        match jobs.create(request).await {
            Err(Error::InvalidRequest(m)) => assert!(m.contains(expected), "{m}"),
            other => panic!("{other:?}"),
        }
    }
}

#[tokio::test]
async fn get_inline_cancel_delete_and_errors() {
    let server = MockServer::start_async().await;
    let path = format!("/v1/batch/jobs/{JOB_ID}");
    let get = server
        .mock_async(|when, then| {
            when.method(GET).path(path.as_str()).query_param_missing("inline");
            then.status(200).json_body(job("RUNNING", 2, 1));
        })
        .await;
    let inline = server
        .mock_async(|when, then| {
            when.method(GET).path(path.as_str()).query_param("inline", "true");
            let mut body = job("SUCCESS", 3, 0);
            body["outputs"] = json!([{"custom_id": "a", "response": {"status_code": 200, "body": {}}}]);
            then.status(200).json_body(body);
        })
        .await;
    let cancel = server
        .mock_async(|when, then| {
            when.method(POST).path(format!("{path}/cancel"));
            then.status(200).json_body(job("CANCELLATION_REQUESTED", 2, 1));
        })
        .await;
    let delete = server
        .mock_async(|when, then| {
            when.method(DELETE).path(path.as_str());
            then.status(200).json_body(json!({"id": JOB_ID, "object": "batch", "deleted": true}));
        })
        .await;
    let missing = server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/batch/jobs/00000000-0000-4000-8000-000000000000");
            then.status(404).json_body(json!({"object": "error", "message": "Batch job not found",
                "type": "invalid_request_error", "param": null, "code": "404"}));
        })
        .await;
    let client = support::client(&server.base_url());
    let jobs = client.batch().jobs();
    let running = jobs.get(JOB_ID).await.unwrap();
    assert!(!running.is_done());
    assert_eq!(running.progress().fraction(), 2.0 / 3.0);
    let done = jobs.get_inline(JOB_ID).await.unwrap();
    assert!(done.is_done());
    assert_eq!(done.outputs.unwrap().len(), 1);
    let cancelling = jobs.cancel(JOB_ID).await.unwrap();
    assert_eq!(cancelling.status, BatchJobStatus::Known(KnownBatchJobStatus::CancellationRequested));
    assert!(!cancelling.is_done());
    let deleted = jobs.delete(JOB_ID).await.unwrap();
    assert_eq!(deleted.deleted, Some(true));
    let e = jobs.get("00000000-0000-4000-8000-000000000000").await.unwrap_err();
    let api = e.api().unwrap();
    assert_eq!((api.kind.clone(), api.message.as_str()), (ApiErrorKind::NotFound, "Batch job not found"));
    for m in [get, inline, cancel, delete, missing] {
        m.assert_calls_async(1).await;
    }
}

/// Scripts `GET /v1/batch/jobs/{id}` to answer these bodies in turn (the last one repeats).
async fn script_job(server: &MockServer, bodies: Vec<Value>) -> Vec<httpmock::Mock<'_>> {
    let path = format!("/v1/batch/jobs/{JOB_ID}");
    let last = bodies.len() - 1;
    let mut mocks = Vec::new();
    for (i, body) in bodies.into_iter().enumerate() {
        let mock = server
            .mock_async(|when, then| {
                when.method(GET).path(path.as_str());
                then.status(200).json_body(body);
            })
            .await;
        if i < last {
            mock.up_to_n_times_async(1).await;
        }
        mocks.push(mock);
    }
    mocks
}

#[tokio::test]
async fn watch_yields_changes_and_ends_at_a_terminal_status() {
    let server = MockServer::start_async().await;
    script_job(&server, vec![job("QUEUED", 0, 0), job("QUEUED", 0, 0), job("RUNNING", 2, 1), job("SUCCESS", 3, 1)])
        .await;
    let client = support::client(&server.base_url());
    let snapshots: Vec<_> = tokio::time::timeout(
        Duration::from_secs(5),
        client.batch().jobs().watch(JOB_ID, fast()).map(|s| s.unwrap().progress()).collect::<Vec<_>>(),
    )
    .await
    .unwrap();
    let seen: Vec<_> = snapshots.iter().map(|p| (p.status.as_str(), p.completed, p.failed)).collect();
    assert_eq!(seen, [("QUEUED", 0, 0), ("RUNNING", 2, 1), ("SUCCESS", 3, 1)]);
}

const OUTPUT: &str = concat!(
    r#"{"id":"r1","custom_id":"q0","response":{"status_code":200,"body":{"id":"c","object":"chat.completion","created":1,"model":"mistral-small-latest","choices":[{"index":0,"message":{"role":"assistant","content":"Comté."},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}},"error":null}"#,
    "\n",
    r#"{"id":"r2","custom_id":"q1","response":{"status_code":200,"body":{"id":"c","object":"chat.completion","created":1,"model":"mistral-small-latest","choices":[{"index":0,"message":{"role":"assistant","content":"Bordeaux."},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}},"error":null}"#,
    "\n"
);
const ERRORS: &str = concat!(
    r#"{"id":"r3","custom_id":"q2","response":{"status_code":400,"body":{"object":"error","message":"Prompt contains forbidden content","type":"invalid_request_error","param":null,"code":"3051"}},"error":{"message":"Prompt contains forbidden content","code":3051}}"#,
    "\n"
);

fn questions() -> BatchSource<ChatRequest> {
    BatchSource::replayable(|| {
        ["Best cheese?", "Best wine?", "Forbidden?"]
            .into_iter()
            .enumerate()
            .map(|(i, q)| (format!("q{i}"), ChatRequest::new("mistral-small-latest").user(q)))
    })
}

const JSONL: &str = concat!(
    r#"{"custom_id":"q0","body":{"messages":[{"role":"user","content":"Best cheese?"}],"model":"mistral-small-latest"}}"#,
    "\n",
    r#"{"custom_id":"q1","body":{"messages":[{"role":"user","content":"Best wine?"}],"model":"mistral-small-latest"}}"#,
    "\n",
    r#"{"custom_id":"q2","body":{"messages":[{"role":"user","content":"Forbidden?"}],"model":"mistral-small-latest"}}"#,
    "\n"
);

async fn script_files(server: &MockServer) -> (httpmock::Mock<'_>, httpmock::Mock<'_>) {
    let output = server
        .mock_async(|when, then| {
            when.method(GET).path(format!("/v1/files/{OUT_ID}/content")).header("accept", "application/octet-stream");
            then.status(200).header("content-type", "application/octet-stream").body(OUTPUT);
        })
        .await;
    let errors = server
        .mock_async(|when, then| {
            when.method(GET).path(format!("/v1/files/{ERR_ID}/content"));
            // No newline at the end: the last line still counts.
            then.status(200).body(ERRORS.trim_end());
        })
        .await;
    (output, errors)
}

#[tokio::test]
async fn runner_end_to_end_with_a_failed_line() {
    let server = MockServer::start_async().await;
    let upload = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v1/files")
                .header_prefix("content-type", "multipart/form-data; boundary=")
                .header_missing("content-length") // streamed: its size is not known in advance
                .body_includes("name=\"purpose\"\r\n\r\nbatch\r\n")
                .body_includes("name=\"file\"; filename=\"questions.jsonl\"")
                .body_includes(format!("\r\n\r\n{JSONL}\r\n"));
            then.status(200).json_body(file_json(FILE_ID, "questions.jsonl"));
        })
        .await;
    let create = server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/batch/jobs").json_body(json!({
                "input_files": [FILE_ID], "endpoint": "/v1/chat/completions", "model": "mistral-small-latest",
                "metadata": {"run": "nightly"}
            }));
            then.status(200).json_body(job("QUEUED", 0, 0));
        })
        .await;
    script_job(&server, vec![job("QUEUED", 0, 0), job("RUNNING", 1, 0), job("SUCCESS", 3, 1)]).await;
    let (output, errors) = script_files(&server).await;

    let progress = Arc::new(Mutex::new(Vec::new()));
    let seen = progress.clone();
    let runner = support::client(&server.base_url())
        .batch()
        .runner::<ChatRequest>()
        .file_name("questions.jsonl")
        .metadata([("run", "nightly")])
        .watch_options(fast())
        .on_progress(move |p| seen.lock().unwrap().push((p.status.clone(), p.completed, p.failed, p.total)));
    let results = runner.run(questions()).await.unwrap();
    assert_eq!(results.job().output_file.map(|f| f.to_string()).as_deref(), Some(OUT_ID));
    let results: Vec<_> = results.try_collect().await.unwrap();
    upload.assert_calls_async(1).await;
    create.assert_calls_async(1).await;
    output.assert_calls_async(1).await;
    errors.assert_calls_async(1).await;

    assert_eq!(
        *progress.lock().unwrap(),
        [("QUEUED".into(), 0, 0, 3), ("RUNNING".into(), 1, 0, 3), ("SUCCESS".into(), 3, 1, 3)]
    );
    let ids: Vec<_> = results.iter().map(|r| r.custom_id.as_str()).collect();
    assert_eq!(ids, ["q0", "q1", "q2"]);
    assert_eq!(results[0].result.as_ref().unwrap().text(), "Comté.");
    assert_eq!(results[1].result.as_ref().unwrap().text(), "Bordeaux.");
    let failure = results[2].result.as_ref().unwrap_err();
    assert_eq!((failure.status, failure.message.as_str()), (Some(400), "Prompt contains forbidden content"));
    assert_eq!(failure.error.as_ref().unwrap()["code"], 3051);
    assert_eq!(failure.line, ERRORS.trim_end());
}

#[tokio::test]
async fn resume_reads_a_finished_job_into_a_map() {
    let server = MockServer::start_async().await;
    script_job(&server, vec![job("SUCCESS", 3, 1)]).await;
    script_files(&server).await;
    let runner = support::client(&server.base_url()).batch().runner::<ChatRequest>().watch_options(fast());
    let map = runner.resume(JOB_ID).await.unwrap().collect_map().await.unwrap();
    assert_eq!(map.len(), 3);
    assert_eq!(map["q1"].as_ref().unwrap().text(), "Bordeaux.");
    assert!(map["q2"].is_err());
}

#[tokio::test]
async fn small_batches_go_inline_and_results_come_inline() {
    let server = MockServer::start_async().await;
    let create = server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/batch/jobs").json_body(json!({
                "endpoint": "/v1/embeddings", "model": "mistral-embed",
                "requests": [{"custom_id": "a", "body": {"model": "mistral-embed", "input": ["x"]}}]
            }));
            let mut body = job("QUEUED", 0, 0);
            body["input_files"] = json!([]);
            then.status(200).json_body(body);
        })
        .await;
    let path = format!("/v1/batch/jobs/{JOB_ID}");
    server
        .mock_async(|when, then| {
            when.method(GET).path(path.as_str()).query_param_missing("inline");
            let mut body = job("SUCCESS", 1, 0);
            body["input_files"] = json!([]);
            body["output_file"] = Value::Null;
            body["error_file"] = Value::Null;
            then.status(200).json_body(body);
        })
        .await;
    let inline = server
        .mock_async(|when, then| {
            when.method(GET).path(path.as_str()).query_param("inline", "true");
            let mut body = job("SUCCESS", 1, 0);
            body["input_files"] = json!([]);
            body["outputs"] = json!([{"custom_id": "a", "response": {"status_code": 200, "body": {
                "id": "e", "object": "list", "model": "mistral-embed", "usage": {"prompt_tokens": 1, "total_tokens": 1},
                "data": [{"index": 0, "object": "embedding", "embedding": [0.5, 0.25]}]}}}]);
            then.status(200).json_body(body);
        })
        .await;
    let runner = support::client(&server.base_url())
        .batch()
        .runner::<EmbeddingsRequest>()
        .inline_up_to(10)
        .watch_options(fast());
    let source = BatchSource::iter([("a", EmbeddingsRequest::new("mistral-embed", ["x"]))]);
    let results: Vec<_> = runner.run(source).await.unwrap().try_collect().await.unwrap();
    create.assert_calls_async(1).await;
    inline.assert_calls_async(1).await;
    assert_eq!(results[0].result.as_ref().unwrap().vectors().unwrap(), vec![vec![0.5, 0.25]]);
}

#[tokio::test]
async fn a_job_that_failed_without_results_is_an_error() {
    let server = MockServer::start_async().await;
    let mut failed = job("FAILED", 0, 0);
    failed["errors"] = json!([{"message": "Invalid JSONL on line 2", "count": 1}]);
    script_job(&server, vec![failed]).await;
    let runner = support::client(&server.base_url()).batch().runner::<ChatRequest>().watch_options(fast());
    match runner.resume(JOB_ID).await {
        Err(Error::BatchFailed { job }) => {
            assert_eq!(job.errors[0].message, "Invalid JSONL on line 2");
            let message = Error::BatchFailed { job }.to_string();
            assert!(message.contains("ended FAILED") && message.contains("Invalid JSONL on line 2"), "{message}");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_request_the_server_would_refuse_stops_the_upload() {
    let server = MockServer::start_async().await;
    let upload = server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/files");
            then.status(200).json_body(file_json(FILE_ID, "batch.jsonl"));
        })
        .await;
    let runner = support::client(&server.base_url()).batch().runner::<ChatRequest>();
    let source = BatchSource::iter([
        ("ok", ChatRequest::new("mistral-small-latest").user("Hi")),
        ("empty", ChatRequest::new("mistral-small-latest")),
    ]);
    match runner.submit(source).await {
        Err(Error::InvalidRequest(m)) => assert!(m.contains("\"empty\"") && m.contains("at least one message"), "{m}"),
        other => panic!("{other:?}"),
    }
    assert!(upload.calls_async().await <= 1);
    // Nothing at all to run.
    let empty = BatchSource::<ChatRequest>::iter(Vec::<(String, ChatRequest)>::new());
    match runner.submit(empty).await {
        Err(Error::InvalidRequest(m)) => assert!(m.contains("no requests"), "{m}"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_replayable_upload_is_retried_and_a_one_shot_one_is_not() {
    let server = MockServer::start_async().await;
    let limited = server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/files");
            then.status(429).json_body(json!({"message": "Requests rate limit exceeded"}));
        })
        .await;
    limited.up_to_n_times_async(1).await;
    let upload = server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/files").body_includes(format!("\r\n\r\n{JSONL}\r\n"));
            then.status(200).json_body(file_json(FILE_ID, "batch.jsonl"));
        })
        .await;
    let create = server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/batch/jobs");
            then.status(200).json_body(job("QUEUED", 0, 0));
        })
        .await;
    let runner = support::client(&server.base_url()).batch().runner::<ChatRequest>();
    let job = runner.submit(questions()).await.unwrap();
    assert_eq!(job.id, JOB_ID);
    limited.assert_calls_async(1).await;
    upload.assert_calls_async(1).await; // the lines were written again, whole
    create.assert_calls_async(1).await;

    // Read once: the 429 is the answer.
    limited.delete_async().await;
    let always = server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/files").body_includes("one-shot");
            then.status(429).json_body(json!({"message": "Requests rate limit exceeded"}));
        })
        .await;
    let once = BatchSource::iter([("one-shot", ChatRequest::new("mistral-small-latest").user("Hi"))]);
    let e = runner.submit(once).await.unwrap_err();
    assert_eq!(e.status(), Some(429));
    always.assert_calls_async(1).await;
}

/// End to end against the embedded mock: it checks the JSONL upload as a batch file and the
/// job request against the spec; the job's answer is scripted (a rule of the mock) to point at
/// an output file of known content, a real file of the mock.
#[tokio::test]
async fn runner_against_the_mock() {
    use mistral_mock::Reply;
    use mistral_openapi::operations as ops;

    let mock = mistral_mock::MockServer::start().await.unwrap();
    let client = mistral_sdk::Client::builder().api_key(mock.api_key()).base_url(mock.base_url()).build().unwrap();
    let output = format!("{OUTPUT}{ERRORS}");
    let out =
        client.files().upload(mistral_sdk::FileUpload::from_bytes("out.jsonl", output).purpose("ocr")).await.unwrap();
    let mut done = job("SUCCESS", 3, 1);
    done["output_file"] = json!(out.id);
    done["error_file"] = Value::Null;
    mock.on(&ops::JOBS_API_ROUTES_BATCH_GET_BATCH_JOB).respond(Reply::json(200, done));

    let runner = client.batch().runner::<ChatRequest>().watch_options(fast());
    let results = runner.run(questions()).await.unwrap().collect_map().await.unwrap();
    assert_eq!(results["q0"].as_ref().unwrap().text(), "Comté.");
    assert_eq!(results["q2"].as_ref().unwrap_err().status, Some(400));

    let uploads = mock.received_for(&ops::FILES_API_ROUTES_UPLOAD_FILE);
    let batch_upload = uploads.last().unwrap();
    assert_eq!(batch_upload.part_text("purpose"), Some("batch"));
    assert_eq!(batch_upload.part_text("file"), Some(JSONL));
    let created = mock.received_for(&ops::JOBS_API_ROUTES_BATCH_CREATE_BATCH_JOB);
    let body = created[0].body.as_ref().unwrap();
    assert_eq!(body["endpoint"], "/v1/chat/completions");
    assert_eq!(body["model"], "mistral-small-latest");
    assert_eq!(body["input_files"].as_array().unwrap().len(), 1);
}

/// 200 000 requests go up as a stream of bounded chunks, never as one buffer: a raw server
/// reads the chunked upload and records each chunk's size.
#[tokio::test]
async fn the_upload_of_a_large_batch_is_streamed_in_bounded_chunks() {
    let server = support::raw::RawServer::start(|method, path| match (method, path) {
        ("POST", "/v1/files") => file_json(FILE_ID, "batch.jsonl"),
        ("POST", "/v1/batch/jobs") => job("QUEUED", 0, 0),
        _ => json!({"message": "unexpected"}),
    })
    .await;
    const N: usize = 200_000;
    let generated = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counter = generated.clone();
    let source = BatchSource::iter((0..N).map(move |i| {
        counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        (i.to_string(), ChatRequest::new("mistral-small-latest").user(format!("Question {i}")))
    }));
    let uploaded = Arc::new(Mutex::new((0u64, 0usize)));
    let seen = uploaded.clone();
    let runner =
        support::client(&server.base_url).batch().runner::<ChatRequest>().on_upload_progress(move |sent, total| {
            assert_eq!(total, None);
            let mut seen = seen.lock().unwrap();
            assert!(sent > seen.0);
            *seen = (sent, seen.1 + 1);
        });
    runner.submit(source).await.unwrap();
    assert_eq!(generated.load(std::sync::atomic::Ordering::Relaxed), N);
    let uploads = server.requests.lock().unwrap().clone();
    let upload = uploads.iter().find(|r| r.path == "/v1/files").unwrap();
    assert!(upload.chunked, "the upload's size is not known in advance: it is streamed");
    assert!(upload.bytes > 15_000_000, "{} bytes", upload.bytes);
    let largest = upload.chunks.iter().copied().max().unwrap();
    assert!(largest <= 64 * 1024 + 1024, "a chunk of {largest} bytes");
    assert!(upload.chunks.len() > 200, "{} chunks", upload.chunks.len());
    // Every request is one line (plus the few lines of the multipart headers).
    assert!((N..N + 16).contains(&upload.newlines), "{} lines", upload.newlines);
    let (sent, reports) = *uploaded.lock().unwrap();
    assert!(sent as usize > 15_000_000 && sent as usize <= upload.bytes, "{sent} bytes reported");
    assert!(reports > 200, "reported as it went: {reports} times");
}

/// The embedded mock runs the batch itself: each line through its own chat route, a line the
/// route refuses (an unknown field) in the error file.
#[tokio::test]
async fn runner_against_the_mock_running_the_job() {
    // 10 simulated seconds per request: 100 ms (faster, the mock ends jobs before their results are in).
    let mock = mistral_mock::MockServer::builder().speed(100.0).start().await.unwrap();
    let client = mistral_sdk::Client::builder().api_key(mock.api_key()).base_url(mock.base_url()).build().unwrap();
    let progress = Arc::new(Mutex::new(Vec::new()));
    let seen = progress.clone();
    let runner = client
        .batch()
        .runner::<ChatRequest>()
        .metadata([("test", "sdk")])
        .watch_options(fast())
        .on_progress(move |p| seen.lock().unwrap().push(p.clone()));
    let source = BatchSource::from(vec![
        ("cheese", ChatRequest::new("mistral-small-latest").user("Best French cheese?")),
        ("wine", ChatRequest::new("mistral-small-latest").user("Best French wine?")),
        ("bad", ChatRequest::new("mistral-small-latest").user("Hi").extra("not_a_field", 1)),
    ]);
    let results = tokio::time::timeout(Duration::from_secs(20), runner.run(source)).await.unwrap().unwrap();
    let job = results.job().clone();
    assert_eq!(job.status, BatchJobStatus::Known(KnownBatchJobStatus::Success));
    assert_eq!((job.total_requests, job.succeeded_requests, job.failed_requests), (3, 2, 1));
    let map = results.collect_map().await.unwrap();
    assert_eq!(map.len(), 3);
    for id in ["cheese", "wine"] {
        assert!(!map[id].as_ref().unwrap().text().is_empty(), "{id}");
    }
    let failure = map["bad"].as_ref().unwrap_err();
    assert_eq!(failure.status, Some(422));
    let last = progress.lock().unwrap().last().cloned().unwrap();
    assert_eq!((last.status.as_str(), last.completed, last.failed, last.total), ("SUCCESS", 3, 1, 3));
    // Resuming the ended job reads the same results again.
    let again = runner.resume(&job.id).await.unwrap().collect_map().await.unwrap();
    assert_eq!(again.len(), 3);
}

/// Small sets inline, against the mock: its results come back in the job's `outputs`.
#[tokio::test]
async fn inline_runner_against_the_mock() {
    let mock = mistral_mock::MockServer::builder().speed(100.0).start().await.unwrap();
    let client = mistral_sdk::Client::builder().api_key(mock.api_key()).base_url(mock.base_url()).build().unwrap();
    let runner = client.batch().runner::<EmbeddingsRequest>().inline_up_to(100).watch_options(fast());
    let source = BatchSource::iter(
        (0..3).map(|i| (format!("doc-{i}"), EmbeddingsRequest::new("mistral-embed", [format!("text {i}")]))),
    );
    let results = tokio::time::timeout(Duration::from_secs(20), runner.run(source)).await.unwrap().unwrap();
    let map = results.collect_map().await.unwrap();
    assert_eq!(map.len(), 3);
    assert_eq!(map["doc-1"].as_ref().unwrap().vectors().unwrap()[0].len(), 1024);
    assert!(mock.received_for(&mistral_openapi::operations::FILES_API_ROUTES_UPLOAD_FILE).is_empty());
}

/// The runner is generic over the request type: FIM and OCR lines through the mock too.
#[tokio::test]
async fn fim_and_ocr_batches_against_the_mock() {
    use mistral_sdk::{Document, FimRequest, OcrRequest, OcrResponseExt};
    let mock = mistral_mock::MockServer::builder().speed(100.0).start().await.unwrap();
    let client = mistral_sdk::Client::builder().api_key(mock.api_key()).base_url(mock.base_url()).build().unwrap();
    let fim = client.batch().runner::<FimRequest>().watch_options(fast());
    let source = BatchSource::from(vec![(
        "f",
        FimRequest::new("codestral-latest", "def add(a, b):").suffix("print(add(1, 2))"),
    )]);
    let results = fim.run(source).await.unwrap().collect_map().await.unwrap();
    assert!(!results["f"].as_ref().unwrap().text().is_empty());

    let ocr = client.batch().runner::<OcrRequest>().watch_options(fast());
    let page = Document::bytes(b"Page one\x0cPage two", "text/plain");
    let source = BatchSource::from(vec![("doc", OcrRequest::new("mistral-ocr-latest", page))]);
    let job = ocr.submit(source).await.unwrap();
    assert_eq!(job.endpoint, "/v1/ocr");
    let results = ocr.resume(&job.id).await.unwrap().collect_map().await.unwrap();
    let read = results["doc"].as_ref().unwrap();
    assert_eq!(read.pages.len(), 2, "{}", read.markdown());
}
