//! Every operation: the exact request on the wire and the decoded result.
#![allow(deprecated)] // the retired fine-tuning job routes, still served by seed-era servers and the mock

mod support;

use httpmock::Method::{DELETE, GET, POST};
use httpmock::MockServer;
use mistral_sdk::ModelExt;
use mistral_sdk::types::{
    CreateFineTuningJobResponse, FilePurpose, FineTuneableModel, JobStatus, KnownFilePurpose, KnownFineTuneableModel,
    KnownFinishReason, KnownJobStatus, KnownToolChoiceEnum,
};
use mistral_sdk::{
    ChatRequest, ChatResponseExt, FileUpload, FimRequest, FinishReasonExt, JobFilter, JobRequest, Tool, ToolCallExt,
};
use serde_json::json;
use support::{KEY, client};

const AUTH: &str = "Bearer test-key-5f1d";
const FILE_ID: &str = "497f6eca-6276-4993-bfeb-53cbbbba6f09";
const JOB_ID: &str = "2f4b9a6e-8c1d-4e3f-9a7b-5c6d7e8f9a0b";

fn chat_response(message: serde_json::Value, finish: &str) -> serde_json::Value {
    json!({
        "id": "cmpl-e5cc", "object": "chat.completion", "created": 1702256327, "model": "mistral-small-latest",
        "choices": [{"index": 0, "message": message, "finish_reason": finish}],
        "usage": {"prompt_tokens": 16, "completion_tokens": 8, "total_tokens": 24}
    })
}

fn job_json(status: &str) -> serde_json::Value {
    json!({
        "id": JOB_ID, "object": "job", "hyperparameters": {"training_steps": 10, "learning_rate": 0.0001},
        "model": "open-mistral-7b", "status": status, "job_type": "FT", "created_at": 1716963433,
        "modified_at": 1716963433, "training_files": [FILE_ID], "validation_files": [], "fine_tuned_model": null,
        "integrations": []
    })
}

#[tokio::test]
async fn chat_minimal_request_sends_only_model_and_messages() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v1/chat/completions")
                .header("authorization", AUTH)
                .header("accept", "application/json")
                .header("content-type", "application/json")
                .header_missing("api-version")
                .json_body(json!({"model": "mistral-small-latest", "messages": [{"role": "user", "content": "Hi"}]}));
            then.status(200)
                .header("content-type", "application/json")
                .json_body(chat_response(json!({"role": "assistant", "content": "Hello!"}), "stop"));
        })
        .await;
    let response =
        client(&server.base_url()).chat().create(ChatRequest::new("mistral-small-latest").user("Hi")).await.unwrap();
    mock.assert_async().await;
    assert_eq!(response.text(), "Hello!");
    assert_eq!(response.finish_reason().and_then(FinishReasonExt::known), Some(KnownFinishReason::Stop));
    assert_eq!(
        (response.usage.prompt_tokens, response.usage.completion_tokens, response.usage.total_tokens),
        (16, Some(8), 24)
    );
}

#[tokio::test]
async fn chat_full_request_json_mode_and_prefix() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/chat/completions").json_body(json!({
                "model": "mistral-small-latest",
                "messages": [
                    {"role": "system", "content": "Answer in JSON."},
                    {"role": "user", "content": "Best cheese?"},
                    {"role": "assistant", "content": "{\"name\":", "prefix": true}
                ],
                "temperature": 0.2, "top_p": 0.9, "max_tokens": 64, "random_seed": 7, "safe_prompt": true,
                "response_format": {"type": "json_object"}
            }));
            then.status(200)
                .json_body(chat_response(json!({"role": "assistant", "content": "{\"name\": \"Comté\"}"}), "stop"));
        })
        .await;
    let request = ChatRequest::new("mistral-small-latest")
        .system("Answer in JSON.")
        .user("Best cheese?")
        .assistant_prefix("{\"name\":")
        .temperature(0.2)
        .top_p(0.9)
        .max_tokens(64)
        .random_seed(7)
        .safe_prompt(true)
        .json_mode();
    let response = client(&server.base_url()).chat().create(request).await.unwrap();
    mock.assert_async().await;
    #[derive(serde::Deserialize)]
    struct Cheese {
        name: String,
    }
    assert_eq!(response.json::<Cheese>().unwrap().name, "Comté");
}

#[derive(schemars::JsonSchema, serde::Deserialize, Debug, PartialEq)]
struct WeatherArgs {
    /// The city.
    city: String,
}

#[tokio::test]
async fn chat_function_calling_round_trip() {
    let server = MockServer::start_async().await;
    let tool_json = json!({"type": "function", "function": {
        "name": "get_weather", "description": "Current weather",
        "parameters": {"type": "object", "properties": {"city": {"type": "string", "description": "The city."}}, "required": ["city"]}
    }});
    let call = json!({"id": "D681PevKs", "type": "function", "function": {"name": "get_weather", "arguments": "{\"city\": \"Paris\"}"}});
    let first = server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/chat/completions").json_body(json!({
                "model": "mistral-large-latest",
                "messages": [{"role": "user", "content": "Weather in Paris?"}],
                "tools": [tool_json], "tool_choice": "any"
            }));
            then.status(200).json_body(chat_response(
                json!({"role": "assistant", "content": "", "tool_calls": [call]}),
                "tool_calls",
            ));
        })
        .await;
    let second = server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/chat/completions").json_body(json!({
                "model": "mistral-large-latest",
                "messages": [
                    {"role": "user", "content": "Weather in Paris?"},
                    {"role": "assistant", "content": "", "tool_calls": [call]},
                    {"role": "tool", "name": "get_weather", "tool_call_id": "D681PevKs", "content": "18C"}
                ],
                "tools": [tool_json], "tool_choice": "any"
            }));
            then.status(200).json_body(chat_response(json!({"role": "assistant", "content": "It is 18C."}), "stop"));
        })
        .await;
    let c = client(&server.base_url());
    let request = ChatRequest::new("mistral-large-latest")
        .user("Weather in Paris?")
        .tools([Tool::function::<WeatherArgs>("get_weather", "Current weather")])
        .tool_choice(KnownToolChoiceEnum::Any);
    let response = c.chat().create(request.clone()).await.unwrap();
    let calls = response.tool_calls();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].arguments::<WeatherArgs>().unwrap(), WeatherArgs { city: "Paris".into() });
    let follow_up = request.assistant_message(&response.choices[0].message).tool_result(
        calls[0].id.clone().unwrap(),
        "get_weather",
        "18C",
    );
    let answer = c.chat().create(follow_up).await.unwrap();
    first.assert_async().await;
    second.assert_async().await;
    assert_eq!(answer.text(), "It is 18C.");
}

#[tokio::test]
async fn chat_stream_sends_accept_event_stream_and_stream_true() {
    let server = MockServer::start_async().await;
    let body = format!(
        "{}{}data: [DONE]\n\n",
        support::chat_chunk("Hel", None, false),
        support::chat_chunk("lo", Some("stop"), true)
    );
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v1/chat/completions")
                .header("accept", "text/event-stream")
                .header("authorization", AUTH)
                .json_body(json!({"model": "mistral-small-latest", "messages": [{"role": "user", "content": "Hi"}], "stream": true}));
            then.status(200).header("content-type", "text/event-stream").body(body);
        })
        .await;
    let stream =
        client(&server.base_url()).chat().stream(ChatRequest::new("mistral-small-latest").user("Hi")).await.unwrap();
    let response = stream.collect_response().await.unwrap();
    mock.assert_async().await;
    assert_eq!(response.text(), "Hello");
    assert_eq!(response.usage.total_tokens, 8);
}

#[tokio::test]
async fn fim_create_and_stream() {
    let server = MockServer::start_async().await;
    let plain = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v1/fim/completions")
                .header("accept", "application/json")
                .header("authorization", AUTH)
                .json_body(json!({"model": "codestral-latest", "prompt": "def f(n):", "suffix": "print(f(1))", "max_tokens": 16, "min_tokens": 1, "stop": ["\n\n"], "temperature": 0.0}));
            then.status(200).json_body(json!({
                "id": "fim-1", "object": "chat.completion", "created": 1, "model": "codestral-latest",
                "choices": [{"index": 0, "message": {"role": "assistant", "content": "\n    return n"}, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 5, "completion_tokens": 4, "total_tokens": 9}
            }));
        })
        .await;
    let streamed = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v1/fim/completions")
                .header("accept", "text/event-stream")
                .json_body(json!({"model": "codestral-latest", "prompt": "def f(n):", "stream": true}));
            then.status(200).header("content-type", "text/event-stream").body(format!(
                "{}{}data: [DONE]\n\n",
                support::chat_chunk("\n    return", None, false),
                support::chat_chunk(" n", Some("stop"), true)
            ));
        })
        .await;
    let c = client(&server.base_url());
    let request = FimRequest::new("codestral-latest", "def f(n):")
        .suffix("print(f(1))")
        .max_tokens(16)
        .min_tokens(1)
        .stop(["\n\n"])
        .temperature(0.0);
    assert_eq!(c.fim().create(request).await.unwrap().text(), "\n    return n");
    let text: Vec<String> = futures::StreamExt::collect::<Vec<_>>(
        c.fim().stream(FimRequest::new("codestral-latest", "def f(n):")).await.unwrap().text(),
    )
    .await
    .into_iter()
    .map(Result::unwrap)
    .collect();
    assert_eq!(text, ["\n    return", " n"]);
    plain.assert_async().await;
    streamed.assert_async().await;
}

#[tokio::test]
async fn embeddings_seed_example() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v1/embeddings")
                .header("authorization", AUTH)
                .header("content-type", "application/json")
                .json_body(json!({"model": "mistral-embed", "input": ["Hello", "world"]}));
            then.status(200).json_body(json!({
                "id": "embd-aad6fc62b17349b192ef09225058bc45", "object": "list",
                "data": [
                    {"object": "embedding", "embedding": [0.1, 0.2, 0.3], "index": 0},
                    {"object": "embedding", "embedding": [0.4, 0.5, 0.6], "index": 1}
                ],
                "model": "string", "usage": {"prompt_tokens": 9, "total_tokens": 9}
            }));
        })
        .await;
    let response = client(&server.base_url()).embeddings().create("mistral-embed", ["Hello", "world"]).await.unwrap();
    mock.assert_async().await;
    assert_eq!(response.data.len(), 2);
    assert_eq!(response.data[1].embedding, vec![0.4f32, 0.5, 0.6]);
    assert_eq!(response.data[1].index, Some(1));
    assert_eq!(response.usage.prompt_tokens, 9);
}

#[tokio::test]
async fn models_list_and_delete() {
    let server = MockServer::start_async().await;
    let list = server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/models").header("authorization", AUTH).header("accept", "application/json");
            then.status(200).header("x-ratelimit-remaining-req-minute", "59").header("x-request-id", "req-1").json_body(json!({
                "object": "list",
                "data": [{"id": "mistral-small-latest", "object": "model", "created": 1711430400, "owned_by": "mistralai", "capabilities": {"completion_chat": true}}]
            }));
        })
        .await;
    let delete = server
        .mock_async(|when, then| {
            when.method(DELETE)
                .path("/v1/models/ft:open-mistral-7b:587a6b29:20240514:7e773925")
                .header("authorization", AUTH);
            then.status(200).json_body(
                json!({"id": "ft:open-mistral-7b:587a6b29:20240514:7e773925", "object": "model", "deleted": true}),
            );
        })
        .await;
    let c = client(&server.base_url());
    let models = c.models().list_with_meta().await.unwrap();
    assert_eq!(models.data.data[0].id(), "mistral-small-latest");
    assert_eq!(models.meta.request_id(), Some("req-1"));
    assert_eq!(models.meta.rate_limits().collect::<Vec<_>>(), [("x-ratelimit-remaining-req-minute", "59")]);
    let deleted = c.models().delete("ft:open-mistral-7b:587a6b29:20240514:7e773925").await.unwrap();
    assert_eq!(deleted.deleted, Some(true));
    list.assert_async().await;
    delete.assert_async().await;
}

fn file_json() -> serde_json::Value {
    json!({"id": FILE_ID, "object": "file", "bytes": 13, "created_at": 1716963433, "filename": "train.jsonl", "purpose": "fine-tune",
        "sample_type": "instruct", "source": "upload"})
}

#[tokio::test]
async fn files_upload_multipart_parts() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v1/files")
                .header("authorization", AUTH)
                .header_prefix("content-type", "multipart/form-data; boundary=")
                .body_includes("Content-Disposition: form-data; name=\"purpose\"\r\n\r\nfine-tune\r\n")
                .body_includes("Content-Disposition: form-data; name=\"file\"; filename=\"train.jsonl\"\r\n")
                .body_includes("Content-Type: application/octet-stream\r\n\r\n{\"messages\":[]}\r\n");
            then.status(200).json_body(file_json());
        })
        .await;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("train.jsonl");
    std::fs::write(&path, "{\"messages\":[]}").unwrap();
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let log = seen.clone();
    let upload = FileUpload::from_path(&path)
        .purpose("fine-tune")
        .on_progress(move |sent, total| log.lock().unwrap().push((sent, total)));
    let file = client(&server.base_url()).files().upload(upload).await.unwrap();
    mock.assert_async().await;
    assert_eq!(file.id.to_string(), FILE_ID);
    assert_eq!(file.purpose, FilePurpose::Known(KnownFilePurpose::FineTune));
    assert_eq!(seen.lock().unwrap().last(), Some(&(15, Some(15))));
}

#[tokio::test]
async fn files_upload_from_bytes_and_reader() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/files").body_includes("filename=\"a.jsonl\"").body_excludes("name=\"purpose\"");
            then.status(200).json_body(file_json());
        })
        .await;
    let c = client(&server.base_url());
    c.files().upload(FileUpload::from_bytes("a.jsonl", "{}\n")).await.unwrap();
    c.files().upload(FileUpload::from_reader("a.jsonl", &b"{}\n"[..])).await.unwrap();
    mock.assert_calls_async(2).await;
}

#[tokio::test]
async fn files_list_retrieve_delete() {
    let server = MockServer::start_async().await;
    let list = server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/files").header("authorization", AUTH);
            then.status(200).json_body(json!({"object": "list", "data": [file_json()], "total": 1}));
        })
        .await;
    let get = server
        .mock_async(|when, then| {
            when.method(GET).path(format!("/v1/files/{FILE_ID}")).header("authorization", AUTH);
            let mut file = file_json();
            file["deleted"] = json!(false);
            then.status(200).json_body(file);
        })
        .await;
    let delete = server
        .mock_async(|when, then| {
            when.method(DELETE).path(format!("/v1/files/{FILE_ID}")).header("authorization", AUTH);
            then.status(200).json_body(json!({"id": FILE_ID, "object": "file", "deleted": true}));
        })
        .await;
    let c = client(&server.base_url());
    assert_eq!(c.files().list().await.unwrap().data[0].filename, "train.jsonl");
    assert_eq!(c.files().retrieve(FILE_ID).await.unwrap().bytes, 13);
    assert!(c.files().delete(FILE_ID).await.unwrap().deleted);
    list.assert_async().await;
    get.assert_async().await;
    delete.assert_async().await;
}

#[tokio::test]
async fn jobs_list_with_filters_sends_only_set_ones() {
    let server = MockServer::start_async().await;
    let filtered = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/v1/fine_tuning/jobs")
                .header("authorization", AUTH)
                .query_param("page", "1")
                .query_param("page_size", "5")
                .query_param("model", "open-mistral-7b")
                .query_param("status", "RUNNING")
                .query_param("created_after", "2024-05-01T00:00:00+00:00")
                .query_param("created_by_me", "true")
                .query_param("suffix", "bot")
                .query_param_missing("wandb_project");
            then.status(200).json_body(json!({"object": "list", "data": [job_json("RUNNING")], "total": 1}));
        })
        .await;
    let bare = server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/fine_tuning/jobs").query_param_missing("page").query_param_missing("status");
            then.status(200).json_body(json!({"object": "list", "data": []}));
        })
        .await;
    let c = client(&server.base_url());
    let filter = JobFilter::new()
        .page(1)
        .page_size(5)
        .model("open-mistral-7b")
        .status(KnownJobStatus::Running)
        .created_after("2024-05-01T00:00:00Z".parse().unwrap())
        .created_by_me(true)
        .suffix("bot");
    let page = c.fine_tuning().jobs().list(filter).await.unwrap();
    assert_eq!(page.data.unwrap()[0].status, JobStatus::Known(KnownJobStatus::Running));
    assert_eq!(c.fine_tuning().jobs().list(JobFilter::new()).await.unwrap().data, Some(vec![]));
    filtered.assert_async().await;
    bare.assert_async().await;
}

#[tokio::test]
async fn jobs_create_and_dry_run() {
    let server = MockServer::start_async().await;
    let body = json!({"model": "open-mistral-7b", "training_files": [FILE_ID], "hyperparameters": {"training_steps": 10, "learning_rate": 0.0001}, "suffix": "bot"});
    let create = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v1/fine_tuning/jobs")
                .query_param_missing("dry_run")
                .header("content-type", "application/json")
                .json_body(body.clone());
            then.status(200).json_body(job_json("QUEUED"));
        })
        .await;
    let dry = server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/fine_tuning/jobs").query_param("dry_run", "true").json_body(body.clone());
            then.status(200).json_body(json!({
                "training_steps": 10, "train_tokens_per_step": 131072, "data_tokens": 305375, "train_tokens": 1310720,
                "epochs": 4.2922, "expected_duration_seconds": 220, "cost": 10.0, "cost_currency": "EUR"
            }));
        })
        .await;
    let c = client(&server.base_url());
    let job = JobRequest::new("open-mistral-7b", [FILE_ID.parse().unwrap()])
        .training_steps(10)
        .learning_rate(1e-4)
        .suffix("bot");
    let created = c.fine_tuning().jobs().create(job.clone()).await.unwrap();
    assert_eq!(created.status, JobStatus::Known(KnownJobStatus::Queued));
    assert_eq!(created.model, FineTuneableModel::Known(KnownFineTuneableModel::OpenMistral7b));
    let estimate = c.fine_tuning().jobs().dry_run(job).await.unwrap();
    assert_eq!((estimate.expected_duration_seconds, estimate.cost_currency.as_deref()), (Some(220), Some("EUR")));
    create.assert_async().await;
    dry.assert_async().await;
    // The low-level union type still decodes both shapes.
    assert!(matches!(
        serde_json::from_value::<CreateFineTuningJobResponse>(job_json("QUEUED")).unwrap(),
        CreateFineTuningJobResponse::Job(_)
    ));
}

#[tokio::test]
async fn jobs_get_and_cancel() {
    let server = MockServer::start_async().await;
    let mut detailed = job_json("CANCELLATION_REQUESTED");
    detailed["events"] =
        json!([{"name": "status-updated", "data": {"status": "CANCELLATION_REQUESTED"}, "created_at": 1716963500}]);
    detailed["checkpoints"] = json!([]);
    let get = server
        .mock_async(|when, then| {
            when.method(GET).path(format!("/v1/fine_tuning/jobs/{JOB_ID}")).header("authorization", AUTH);
            then.status(200).json_body(detailed.clone());
        })
        .await;
    let cancel = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(format!("/v1/fine_tuning/jobs/{JOB_ID}/cancel"))
                .header("authorization", AUTH)
                .body("");
            then.status(200).json_body(detailed.clone());
        })
        .await;
    let c = client(&server.base_url());
    let job = c.fine_tuning().jobs().get(JOB_ID).await.unwrap();
    assert_eq!(job.events.as_ref().unwrap()[0].name, "status-updated");
    let cancelled = c.fine_tuning().jobs().cancel(JOB_ID).await.unwrap();
    assert_eq!(cancelled.status, JobStatus::Known(KnownJobStatus::CancellationRequested));
    get.assert_async().await;
    cancel.assert_async().await;
}

#[test]
fn key_is_never_in_debug() {
    let c = client("http://127.0.0.1:9");
    assert!(!format!("{c:?}").contains(KEY));
    assert!(!format!("{:?}", mistral_sdk::Client::builder().api_key(KEY)).contains(KEY));
}
