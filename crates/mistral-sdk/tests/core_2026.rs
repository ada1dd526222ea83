//! The 2026 core surface: per-call options and meta on every operation, models and files
//! operations, the retired fine-tuning routes. Exact requests on the wire, typed results.
#![allow(deprecated)] // the retired fine-tuning job routes

mod support;

use std::time::{Duration, Instant};

use futures::TryStreamExt;
use httpmock::Method::{DELETE, GET, PATCH, POST};
use httpmock::MockServer;
use mistral_sdk::types::Model;
use mistral_sdk::{ApiErrorKind, ChatRequest, Error, FileFilter, FileUpload, ModelExt, RequestOptions};
use serde_json::json;
use support::client;

const AUTH: &str = "Bearer test-key-5f1d";
const FILE_ID: &str = "497f6eca-6276-4993-bfeb-53cbbbba6f09";
const FT: &str = "ft:open-mistral-7b:587a6b29:20240514:7e773925";

fn file_json(name: &str) -> serde_json::Value {
    json!({"id": FILE_ID, "object": "file", "bytes": 13, "created_at": 1716963433, "filename": name,
        "purpose": "batch", "sample_type": "batch_request", "source": "upload"})
}

fn chat_json() -> serde_json::Value {
    json!({"id": "c1", "object": "chat.completion", "created": 1, "model": "mistral-small-latest",
        "choices": [{"index": 0, "message": {"role": "assistant", "content": "Hi"}, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}})
}

#[tokio::test]
async fn options_set_headers_per_group_and_per_call_nearest_winning() {
    let server = MockServer::start_async().await;
    let both = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v1/chat/completions")
                .header("authorization", AUTH)
                .header("x-team", "call")
                .header("x-group", "1");
            then.status(200).json_body(chat_json());
        })
        .await;
    let group = server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/chat/completions").header("x-team", "group").header("x-group", "1");
            then.status(200).json_body(chat_json());
        })
        .await;
    let c = client(&server.base_url());
    let chat = c.chat().with_options(RequestOptions::new().header("x-team", "group").header("x-group", "1"));
    chat.create(ChatRequest::new("mistral-small-latest").user("Hi")).await.unwrap();
    chat.create(ChatRequest::new("mistral-small-latest").user("Hi"))
        .options(RequestOptions::new().header("x-team", "call"))
        .await
        .unwrap();
    group.assert_async().await;
    both.assert_async().await;
}

#[tokio::test]
async fn a_call_timeout_overrides_the_clients_and_retries_can_be_turned_off() {
    let server = MockServer::start_async().await;
    let slow = server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/models");
            then.status(200).delay(Duration::from_millis(800)).json_body(json!({"object": "list", "data": []}));
        })
        .await;
    let c = client(&server.base_url());
    let started = Instant::now();
    let err = c.models().list().options(RequestOptions::new().timeout(Duration::from_millis(100)).max_retries(0)).await;
    assert!(matches!(err, Err(Error::Timeout { .. })), "{err:?}");
    assert!(started.elapsed() < Duration::from_millis(700), "{:?}", started.elapsed());
    slow.assert_calls_async(1).await;

    // The client's own retries (2 by default) without the override.
    let failing = server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/files");
            then.status(503).json_body(json!({"message": "busy"}));
        })
        .await;
    let err = c.files().list().await.unwrap_err();
    assert_eq!(err.api().map(|e| e.attempts), Some(3));
    let err = c.files().with_options(RequestOptions::new().max_retries(0)).list().await.unwrap_err();
    assert_eq!(err.api().map(|e| e.attempts), Some(1));
    failing.assert_calls_async(4).await;
}

#[tokio::test]
async fn a_bad_header_fails_before_sending() {
    let server = MockServer::start_async().await;
    let never = server
        .mock_async(|when, then| {
            when.any_request();
            then.status(200);
        })
        .await;
    let err = client(&server.base_url())
        .models()
        .list()
        .options(RequestOptions::new().header("x-ok", "line\nbreak"))
        .await
        .unwrap_err();
    assert!(matches!(&err, Error::InvalidRequest(m) if m.contains("x-ok")), "{err:?}");
    never.assert_calls_async(0).await;
}

#[tokio::test]
async fn every_operation_gives_meta_and_the_raw_body_with_fields_the_spec_lacks() {
    let server = MockServer::start_async().await;
    let mut file = file_json("batch.jsonl");
    file["deleted"] = json!(false);
    file["brand_new_field"] = json!({"kept": true});
    let body = file.to_string();
    server
        .mock_async(|when, then| {
            when.method(GET).path(format!("/v1/files/{FILE_ID}"));
            then.status(200).header("x-request-id", "req-9").header("content-type", "application/json").body(&body);
        })
        .await;
    let got = client(&server.base_url()).files().retrieve(FILE_ID).with_meta().await.unwrap();
    assert_eq!(got.data.filename, "batch.jsonl");
    assert_eq!((got.meta.status, got.meta.request_id()), (200, Some("req-9")));
    assert_eq!(got.raw, body.as_bytes());
    let raw: serde_json::Value = serde_json::from_slice(&got.raw).unwrap();
    assert_eq!(raw["brand_new_field"]["kept"], true);
}

#[tokio::test]
async fn models_retrieve_update_archive_unarchive() {
    let server = MockServer::start_async().await;
    let card = json!({"id": "mistral-small-latest", "object": "model", "created": 1711430400, "owned_by": "mistralai",
        "type": "base", "capabilities": {"completion_chat": true, "function_calling": true, "vision": true}});
    let retrieve = server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/models/mistral-small-latest").header("authorization", AUTH);
            then.status(200).json_body(card);
        })
        .await;
    let update = server
        .mock_async(|when, then| {
            when.method(PATCH)
                .path(format!("/v1/fine_tuning/models/{FT}"))
                .header("content-type", "application/json")
                .json_body(json!({"name": "support bot"}));
            then.status(200).json_body(json!({"id": FT, "object": "model", "created": 1716963433, "owned_by": "org",
                "root": "open-mistral-7b", "archived": false, "name": "support bot", "job": "2f4b9a6e-8c1d-4e3f-9a7b-5c6d7e8f9a0b",
                "capabilities": {"completion_chat": true}, "model_type": "completion"}));
        })
        .await;
    let archive = server
        .mock_async(|when, then| {
            when.method(POST).path(format!("/v1/fine_tuning/models/{FT}/archive"));
            then.status(200).json_body(json!({"id": FT, "object": "model", "archived": true}));
        })
        .await;
    let unarchive = server
        .mock_async(|when, then| {
            when.method(DELETE).path(format!("/v1/fine_tuning/models/{FT}/archive"));
            then.status(200).json_body(json!({"id": FT, "object": "model", "archived": false}));
        })
        .await;
    let c = client(&server.base_url());
    let model = c.models().retrieve("mistral-small-latest").await.unwrap();
    assert_eq!((model.id(), model.kind()), ("mistral-small-latest", "base"));
    match &model {
        Model::Base(base) => assert_eq!(base.capabilities.vision, Some(true)),
        other => panic!("{other:?}"),
    }
    let updated = c.models().update(FT, Some("support bot"), None).await.unwrap();
    assert!(format!("{updated:?}").contains("support bot"));
    assert_eq!(c.models().archive(FT).await.unwrap().archived, Some(true));
    assert_eq!(c.models().unarchive(FT).await.unwrap().archived, Some(false));
    for mock in [retrieve, update, archive, unarchive] {
        mock.assert_async().await;
    }
}

#[tokio::test]
async fn files_list_filters_go_out_as_query_parameters() {
    let server = MockServer::start_async().await;
    let filtered = server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/files").is_true(|req| {
                req.uri().query()
                    == Some("page=2&page_size=20&include_total=true&purpose=batch&search=train&source=upload&source=mistral&mimetypes=application%2Fjsonl")
            });
            then.status(200).json_body(json!({"object": "list", "data": [file_json("train.jsonl")], "total": 41}));
        })
        .await;
    let filter = FileFilter::new()
        .page(2)
        .page_size(20)
        .include_total()
        .purpose("batch")
        .search("train")
        .source("upload")
        .source("mistral")
        .mimetype("application/jsonl");
    let page = client(&server.base_url()).files().list_with(filter).await.unwrap();
    filtered.assert_async().await;
    assert_eq!((page.data.len(), page.total), (1, Some(41)));
}

#[tokio::test]
async fn files_pages_walks_every_page_until_a_short_one() {
    let server = MockServer::start_async().await;
    let mut mocks = Vec::new();
    for (page, count) in [(0, 2), (1, 2), (2, 1)] {
        let data: Vec<_> = (0..count).map(|i| file_json(&format!("p{page}-{i}.jsonl"))).collect();
        mocks.push(
            server
                .mock_async(move |when, then| {
                    when.method(GET)
                        .path("/v1/files")
                        .query_param("page", page.to_string())
                        .query_param("page_size", "2")
                        .query_param("purpose", "batch");
                    then.status(200).json_body(json!({"object": "list", "data": data}));
                })
                .await,
        );
    }
    let c = client(&server.base_url());
    let pages: Vec<_> = c.files().pages(FileFilter::new().purpose("batch").page_size(2)).try_collect().await.unwrap();
    let names: Vec<String> = pages.iter().flat_map(|p| p.data.iter().map(|f| f.filename.clone())).collect();
    assert_eq!(names, ["p0-0.jsonl", "p0-1.jsonl", "p1-0.jsonl", "p1-1.jsonl", "p2-0.jsonl"]);
    for mock in mocks {
        mock.assert_calls_async(1).await;
    }
}

#[tokio::test]
async fn files_download_streams_into_any_writer_and_signed_url_takes_an_expiry() {
    let server = MockServer::start_async().await;
    let content: Vec<u8> = (0..3_000_000u32).map(|i| (i % 251) as u8).collect();
    let body = content.clone();
    let download = server
        .mock_async(move |when, then| {
            when.method(GET)
                .path(format!("/v1/files/{FILE_ID}/content"))
                .header("authorization", AUTH)
                .header("accept", "application/octet-stream");
            then.status(200).header("content-type", "application/octet-stream").body(body);
        })
        .await;
    let url = server
        .mock_async(|when, then| {
            when.method(GET).path(format!("/v1/files/{FILE_ID}/url")).query_param("expiry", "48");
            then.status(200).json_body(json!({"url": "https://files.example/abc?sig=1"}));
        })
        .await;
    let c = client(&server.base_url());
    let mut out = Vec::new();
    let written = c.files().download_to(FILE_ID, &mut out).await.unwrap();
    assert_eq!(written, content.len() as u64);
    assert!(out == content, "the bytes arrive unchanged");

    let stream = c.files().download(FILE_ID).await.unwrap();
    assert_eq!(stream.content_length(), Some(content.len() as u64));
    let chunks: Vec<_> = stream.try_collect().await.unwrap();
    assert!(chunks.len() > 1, "delivered in chunks, not one buffer");
    assert_eq!(chunks.iter().map(|c| c.len()).sum::<usize>(), content.len());
    download.assert_calls_async(2).await;

    assert_eq!(c.files().signed_url(FILE_ID, Some(48)).await.unwrap().url, "https://files.example/abc?sig=1");
    url.assert_async().await;
}

#[tokio::test]
async fn a_download_that_is_not_found_is_a_typed_error() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path(format!("/v1/files/{FILE_ID}/content"));
            then.status(404).json_body(json!({"object": "error", "message": "No file", "type": "invalid_request_error", "param": null, "code": "404"}));
        })
        .await;
    let err = client(&server.base_url()).files().download_to(FILE_ID, &mut Vec::new()).await.unwrap_err();
    assert_eq!(err.api().map(|e| e.kind.clone()), Some(ApiErrorKind::NotFound));
}

#[tokio::test]
async fn upload_sends_visibility_and_expiry_parts() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v1/files")
                .body_includes("name=\"purpose\"\r\n\r\nbatch\r\n")
                .body_includes("name=\"visibility\"\r\n\r\nuser\r\n")
                .body_includes("name=\"expiry\"\r\n\r\n48\r\n")
                .body_includes("name=\"new_knob\"\r\n\r\non\r\n")
                .body_includes("filename=\"in.jsonl\"");
            then.status(200).json_body(file_json("in.jsonl"));
        })
        .await;
    let upload = FileUpload::from_bytes("in.jsonl", "{}\n")
        .purpose("batch")
        .visibility("user")
        .expiry_hours(48)
        .field("new_knob", "on");
    let file = client(&server.base_url()).files().upload(upload).with_meta().await.unwrap();
    assert_eq!(file.data.filename, "in.jsonl");
    mock.assert_async().await;
}

#[tokio::test]
async fn a_retired_route_is_gone_with_a_message_that_says_so() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/fine_tuning/jobs");
            then.status(410).json_body(json!({"detail": "Gone"}));
        })
        .await;
    let err = client(&server.base_url()).fine_tuning().jobs().list(Default::default()).await.unwrap_err();
    let api = err.api().expect("an API error");
    assert_eq!((api.status, &api.kind, api.attempts), (410, &ApiErrorKind::Gone, 1));
    assert_eq!(api.message, "Gone (the API retired this endpoint)");

    // Against the mock in its retired mode, the API's own body.
    let mut options = mistral_mock::Options::default();
    options.fine_tuning = mistral_mock::FineTuningMode::Retired;
    let mock = mistral_mock::MockServer::builder().options(options).start().await.unwrap();
    let c = mistral_sdk::Client::builder().api_key("k").base_url(mock.base_url()).build().unwrap();
    let err = c.fine_tuning().jobs().get(uuid::Uuid::nil()).await.unwrap_err();
    let api = err.api().expect("an API error");
    assert_eq!((api.kind.clone(), api.message.as_str()), (ApiErrorKind::Gone, "This endpoint has been retired."));
}

#[tokio::test]
async fn a_job_request_carries_extra_fields() {
    let server = MockServer::start_async().await;
    let file = uuid::Uuid::nil();
    let mock = server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/fine_tuning/jobs").query_param("dry_run", "true").json_body(json!({
                "model": "open-mistral-7b", "training_files": [file.to_string()],
                "hyperparameters": {"training_steps": 10}, "auto_start": false
            }));
            then.status(200).json_body(json!({"object": "job.metadata", "expected_duration_seconds": 10}));
        })
        .await;
    let job = mistral_sdk::JobRequest::new("open-mistral-7b", [file]).training_steps(10).extra("auto_start", false);
    client(&server.base_url()).fine_tuning().jobs().dry_run(job).await.unwrap();
    mock.assert_async().await;
}
