//! An httpmock server that answers every check as the spec says, with the spec's own
//! response examples; tests break it by adding mocks first (httpmock answers with the
//! first mock that matches, in creation order).

#![allow(dead_code)]

use std::future::Future;
use std::time::Duration;

use httpmock::Method::{DELETE, GET, PATCH, POST};
use httpmock::{HttpMockRequest, MockServer};
use mistral_spec::Spec;
use serde_json::{Value, json};

pub const CHAT: &str = "createChatCompletion";
pub const FIM: &str = "createFIMCompletion";
pub const EMBED: &str = "createEmbedding";
pub const LIST_MODELS: &str = "listModels";
pub const DELETE_MODEL: &str = "delete_model_v1_models__model_id__delete";
pub const UPDATE_MODEL: &str = "jobs_api_routes_fine_tuning_update_fine_tuned_model";
pub const ARCHIVE_MODEL: &str = "jobs_api_routes_fine_tuning_archive_fine_tuned_model";
pub const UNARCHIVE_MODEL: &str = "jobs_api_routes_fine_tuning_unarchive_fine_tuned_model";
pub const SIGNED_URL: &str = "files_api_routes_get_signed_url";
pub const CREATE_BATCH: &str = "jobs_api_routes_batch_create_batch_job";
pub const CREATE_VOICE: &str = "create_voice_v1_audio_voices_post";
pub const TRANSCRIBE: &str = "audio_api_v1_transcriptions_post";
pub const SPEECH: &str = "speech_v1_audio_speech_post";
pub const UPLOAD: &str = "files_api_routes_upload_file";
pub const LIST_FILES: &str = "files_api_routes_list_files";
pub const RETRIEVE_FILE: &str = "files_api_routes_retrieve_file";
pub const DELETE_FILE: &str = "files_api_routes_delete_file";
pub const LIST_JOBS: &str = "jobs_api_routes_fine_tuning_get_fine_tuning_jobs";
pub const CREATE_JOB: &str = "jobs_api_routes_fine_tuning_create_fine_tuning_job";
pub const GET_JOB: &str = "jobs_api_routes_fine_tuning_get_fine_tuning_job";
pub const CANCEL_JOB: &str = "jobs_api_routes_fine_tuning_cancel_fine_tuning_job";

/// The ids in the spec's examples.
pub const FILE_ID: &str = "497f6eca-6276-4993-bfeb-53cbbbba6f09";
pub const JOB_ID: &str = "2f4b9a6e-8c1d-4e3f-9a7b-5c6d7e8f9a0b";
pub const FT_MODEL: &str = "ft:open-mistral-7b:587a6b29:20240514:7e773925";

/// The key the tests send.
pub const KEY: &str = "test-key";

pub fn spec() -> &'static Spec {
    Spec::embedded().expect("the embedded spec parses")
}

/// The example `name` of operation `op`'s answer with `status` in `media`.
pub fn example(op: &str, status: &str, media: &str, name: &str) -> Value {
    let spec = spec();
    let op = spec.operation(op).unwrap_or_else(|| panic!("no operation {op}"));
    let response = spec.resolve(&op.raw["responses"][status]).expect("the response resolves");
    let example = spec.resolve(&response["content"][media]["examples"][name]).expect("the example resolves");
    assert!(!example["value"].is_null(), "no example {name} for {} {status} {media}", op.id);
    example["value"].clone()
}

/// A 200 JSON example.
pub fn ok(op: &str, name: &str) -> Value {
    example(op, "200", "application/json", name)
}

/// A streamed example, closed by a blank line (the YAML block scalar keeps one newline).
pub fn sse(op: &str) -> String {
    let text = example(op, "200", "text/event-stream", "Streamed").as_str().expect("SSE examples are text").to_string();
    format!("{}\n\n", text.trim_end())
}

/// Whether the JSON body has this top-level field.
pub fn has_field(req: &HttpMockRequest, field: &str) -> bool {
    serde_json::from_slice::<Value>(req.body_ref()).ok().is_some_and(|v| v.get(field).is_some())
}

/// Whether the JSON body asks for a stream.
pub fn streams(req: &HttpMockRequest) -> bool {
    serde_json::from_slice::<Value>(req.body_ref()).ok().is_some_and(|v| v["stream"] == Value::Bool(true))
}

/// A reasoning model's stream: a thinking chunk, then the answer's text, usage, `[DONE]`.
pub const REASONING_SSE: &str = concat!(
    r#"data: {"id":"r1","object":"chat.completion.chunk","created":1,"model":"magistral-small-latest","choices":[{"index":0,"delta":{"role":"assistant","content":[{"type":"thinking","thinking":[{"type":"text","text":"17 has no divisor."}]}]},"finish_reason":null}]}"#,
    "\n\n",
    r#"data: {"id":"r1","object":"chat.completion.chunk","created":1,"model":"magistral-small-latest","choices":[{"index":0,"delta":{"content":[{"type":"text","text":"Yes."}]},"finish_reason":"stop"}],"usage":{"prompt_tokens":9,"completion_tokens":6,"total_tokens":15}}"#,
    "\n\n",
    "data: [DONE]\n\n"
);

/// Answers every check as the spec says.
pub async fn conforming(server: &MockServer) {
    let unauthorized = example(LIST_MODELS, "401", "application/json", "Gateway");
    server
        .mock_async(|when, then| {
            when.header_missing("authorization");
            then.status(401).header("content-type", "application/json").json_body(unauthorized);
        })
        .await;
    let wrapped = example(CHAT, "422", "application/json", "Wrapped");
    server
        .mock_async(|when, then| {
            when.method(POST).body_includes("x_conformance_unknown_field");
            then.status(422).header("content-type", "application/json").json_body(wrapped);
        })
        .await;
    for (path, field) in
        [("/v1/chat/completions", "messages"), ("/v1/fim/completions", "prompt"), ("/v1/embeddings", "input")]
    {
        let plain = example(CHAT, "422", "application/json", "Plain");
        server
            .mock_async(move |when, then| {
                when.method(POST).path(path).is_false(move |req| has_field(req, field));
                then.status(422).header("content-type", "application/json").json_body(plain);
            })
            .await;
    }
    // Chat's 2026 checks: a structured answer that fits the requested schema, and a reasoning
    // model's stream, thoughts first.
    let structured = {
        let mut answer = ok(CHAT, "Regular");
        answer["choices"][0]["message"]["content"] = Value::from(r#"{"city": "Lyon", "country": "France"}"#);
        answer
    };
    server
        .mock_async(move |when, then| {
            when.method(POST).path("/v1/chat/completions").body_includes("json_schema");
            then.status(200).header("content-type", "application/json").json_body(structured);
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/chat/completions").body_includes("magistral").is_true(streams);
            then.status(200).header("content-type", "text/event-stream").body(REASONING_SSE);
        })
        .await;
    for (path, op) in [("/v1/chat/completions", CHAT), ("/v1/fim/completions", FIM)] {
        let body = sse(op);
        server
            .mock_async(move |when, then| {
                when.method(POST).path(path).is_true(streams);
                then.status(200).header("content-type", "text/event-stream").body(body);
            })
            .await;
        let answer = ok(op, "Regular");
        server
            .mock_async(move |when, then| {
                when.method(POST).path(path);
                then.status(200).header("content-type", "application/json").json_body(answer);
            })
            .await;
    }
    // The flows on model cards and file content answer about what the run made or listed.
    let listed = ok(LIST_MODELS, "Models")["data"][0].clone();
    let with_id = |op: &str, id: &str| {
        let mut v = ok(op, "Example");
        v["id"] = Value::from(id);
        v
    };
    let mut archived = with_id(ARCHIVE_MODEL, FT_MODEL);
    archived["archived"] = Value::Bool(true);
    let mut unarchived = with_id(UNARCHIVE_MODEL, FT_MODEL);
    unarchived["archived"] = Value::Bool(false);
    let size = ok(RETRIEVE_FILE, "File")["bytes"].as_u64().unwrap_or_default();
    server
        .mock_async(move |when, then| {
            when.method(GET).path(format!("/v1/files/{FILE_ID}/content"));
            then.status(200).header("content-type", "application/octet-stream").body(vec![b'x'; size as usize]);
        })
        .await;
    // The batch flow: the job the example creates, got, listed, cancelled, deleted.
    let job = ok(CREATE_BATCH, "Example");
    let job_id = job["id"].as_str().unwrap_or_default().to_string();
    let mut cancelled = job.clone();
    cancelled["status"] = Value::from("CANCELLATION_REQUESTED");
    let batches = json!({"object": "list", "data": [job.clone()], "total": 1});
    let batch_deleted = json!({"id": job_id, "object": "batch", "deleted": true});
    // A transcription asked as a stream: the spec's named events.
    let events = example(TRANSCRIBE, "200", "text/event-stream", "Example").as_str().unwrap_or_default().to_string();
    server
        .mock_async(move |when, then| {
            when.method(POST).path("/v1/audio/transcriptions").body_includes("name=\"stream\"\r\n\r\ntrue");
            then.status(200).header("content-type", "text/event-stream").body(events);
        })
        .await;
    // Speech asked as a stream: the spec's named events.
    let said = example(SPEECH, "200", "text/event-stream", "Example").as_str().unwrap_or_default().to_string();
    server
        .mock_async(move |when, then| {
            when.method(POST).path("/v1/audio/speech").is_true(streams);
            then.status(200).header("content-type", "text/event-stream").body(said);
        })
        .await;
    // The voice flow: the voice the example creates, got, renamed, its sample, deleted.
    let voice = ok(CREATE_VOICE, "Example");
    let voice_id = voice["id"].as_str().unwrap_or_default().to_string();
    let mut renamed = voice.clone();
    renamed["name"] = Value::from("conformance voice");
    server
        .mock_async(|when, then| {
            when.method(GET).path(format!("/v1/audio/voices/{voice_id}/sample"));
            then.status(200).header("content-type", "audio/wav").body(b"RIFF\x24\0\0\0WAVE");
        })
        .await;
    let routes: Vec<(httpmock::Method, String, Value)> = vec![
        (POST, "/v1/audio/voices".into(), voice.clone()),
        (GET, format!("/v1/audio/voices/{voice_id}"), voice.clone()),
        (PATCH, format!("/v1/audio/voices/{voice_id}"), renamed),
        (DELETE, format!("/v1/audio/voices/{voice_id}"), voice),
        (POST, "/v1/batch/jobs".into(), job.clone()),
        (GET, "/v1/batch/jobs".into(), batches),
        (GET, format!("/v1/batch/jobs/{job_id}"), job),
        (POST, format!("/v1/batch/jobs/{job_id}/cancel"), cancelled),
        (DELETE, format!("/v1/batch/jobs/{job_id}"), batch_deleted),
        (GET, format!("/v1/models/{}", listed["id"].as_str().unwrap_or_default()), listed.clone()),
        (PATCH, format!("/v1/fine_tuning/models/{FT_MODEL}"), with_id(UPDATE_MODEL, FT_MODEL)),
        (POST, format!("/v1/fine_tuning/models/{FT_MODEL}/archive"), archived),
        (DELETE, format!("/v1/fine_tuning/models/{FT_MODEL}/archive"), unarchived),
        (GET, format!("/v1/files/{FILE_ID}/url"), ok(SIGNED_URL, "Example")),
        (POST, "/v1/embeddings".into(), ok(EMBED, "Response Example")),
        (GET, "/v1/models".into(), ok(LIST_MODELS, "Models")),
        (DELETE, format!("/v1/models/{FT_MODEL}"), ok(DELETE_MODEL, "Deleted")),
        (POST, "/v1/files".into(), ok(UPLOAD, "Uploaded")),
        (GET, "/v1/files".into(), ok(LIST_FILES, "Files")),
        (GET, format!("/v1/files/{FILE_ID}"), ok(RETRIEVE_FILE, "File")),
        (DELETE, format!("/v1/files/{FILE_ID}"), ok(DELETE_FILE, "Deleted")),
        (POST, "/v1/fine_tuning/jobs".into(), ok(CREATE_JOB, "Job")),
        (GET, "/v1/fine_tuning/jobs".into(), ok(LIST_JOBS, "Jobs")),
        (GET, format!("/v1/fine_tuning/jobs/{JOB_ID}"), ok(GET_JOB, "Job")),
        (POST, format!("/v1/fine_tuning/jobs/{JOB_ID}/cancel"), ok(CANCEL_JOB, "Cancelling")),
    ];
    for (method, path, body) in routes {
        server
            .mock_async(move |when, then| {
                when.method(method).path(path);
                then.status(200).header("content-type", "application/json").json_body(body);
            })
            .await;
    }
    let not_found = example(DELETE_MODEL, "404", "application/json", "NotFound");
    server
        .mock_async(|when, then| {
            when.any_request();
            then.status(404).header("content-type", "application/json").json_body(not_found);
        })
        .await;
}

/// Fails the test if `fut` takes longer than `secs`.
pub async fn within<T>(secs: u64, fut: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(secs), fut).await.expect("the test timed out")
}
