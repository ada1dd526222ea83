//! Libraries: CRUD, documents (multipart upload, filtered pages, reads, status polling, text,
//! signed URLs, reprocessing) and accesses, wire requests checked with httpmock.

mod support;

use std::time::Duration;

use futures::TryStreamExt;
use httpmock::Method::{DELETE, GET, PATCH, POST, PUT};
use httpmock::MockServer;
use mistral_sdk::types::{
    CreateLibraryRequest, SharingDelete, SharingRequest, UpdateDocumentRequest, UpdateLibraryRequest,
};
use mistral_sdk::{DocumentFilter, Error, FileUpload, WatchOptions};
use serde_json::{Value, json};

const LIB: &str = "0a1b2c3d-0000-4000-8000-000000000001";
const DOC: &str = "0a1b2c3d-0000-4000-8000-000000000002";
const USER: &str = "0a1b2c3d-0000-4000-8000-000000000003";

fn library(name: &str) -> Value {
    json!({"id": LIB, "name": name, "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z",
           "owner_type": "User", "total_size": 0, "nb_documents": 0, "chunk_size": null, "owner_id": null})
}

fn document(id: &str, status: &str) -> Value {
    json!({"id": id, "library_id": LIB, "name": "handbook.txt", "created_at": "2026-01-01T00:00:00Z",
           "process_status": status, "processing_status": status, "tokens_processing_total": 0,
           "uploaded_by_type": "User", "hash": null, "mime_type": null, "extension": null, "size": null,
           "uploaded_by_id": null})
}

fn status(s: &str) -> Value {
    json!({"document_id": DOC, "process_status": s, "processing_status": s})
}

fn listing(ids: &[&str], total: i64, page: i64, size: i64) -> Value {
    let data: Vec<Value> = ids.iter().map(|id| document(id, "done")).collect();
    json!({"data": data, "pagination": {"total_items": total, "total_pages": (total + size - 1) / size,
            "current_page": page, "page_size": size, "has_more": (page + 1) * size < total}})
}

#[tokio::test]
async fn library_crud() {
    let server = MockServer::start_async().await;
    let create = server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/libraries").json_body(json!({"name": "handbook", "description": "HR"}));
            then.status(201).json_body(library("handbook"));
        })
        .await;
    let list = server
        .mock_async(|when, then| {
            when.method(GET).path("/v1/libraries").query_param("search", "hand").query_param("page_size", "10");
            then.status(200).json_body(json!({"data": [library("handbook")], "next_page_token": null}));
        })
        .await;
    let get = server
        .mock_async(|when, then| {
            when.method(GET).path(format!("/v1/libraries/{LIB}"));
            then.status(200).json_body(library("handbook"));
        })
        .await;
    let update = server
        .mock_async(|when, then| {
            when.method(PATCH).path(format!("/v1/libraries/{LIB}")).json_body(json!({"name": "guide"}));
            then.status(200).json_body(library("guide"));
        })
        .await;
    let delete = server
        .mock_async(|when, then| {
            when.method(DELETE).path(format!("/v1/libraries/{LIB}"));
            then.status(204);
        })
        .await;
    let client = support::client(&server.base_url());
    let libraries = client.libraries();
    let request = CreateLibraryRequest {
        name: "handbook".into(),
        description: Some("HR".into()),
        chunk_size: None,
        owner_type: None,
    };
    assert_eq!(libraries.create(request).await.unwrap().name, "handbook");
    assert_eq!(libraries.list(Some("hand"), Some(10), None).await.unwrap().data.len(), 1);
    assert_eq!(libraries.get(LIB).await.unwrap().id.to_string(), LIB);
    let rename = UpdateLibraryRequest { name: Some("guide".into()), ..Default::default() };
    assert_eq!(libraries.update(LIB, rename).await.unwrap().name, "guide");
    assert_eq!(libraries.delete(LIB).await.unwrap(), None);
    for mock in [create, list, get, update, delete] {
        mock.assert_async().await;
    }
    let empty = CreateLibraryRequest { name: " ".into(), description: None, chunk_size: None, owner_type: None };
    assert!(matches!(libraries.create(empty).await, Err(Error::InvalidRequest(_))));
}

#[tokio::test]
async fn upload_is_a_multipart_form_with_the_file() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST)
                .path(format!("/v1/libraries/{LIB}/documents"))
                .header_includes("content-type", "multipart/form-data; boundary=")
                .body_includes("name=\"file\"; filename=\"handbook.txt\"")
                .body_includes("\r\n\r\nRule one: be kind.\r\n")
                .body_excludes("name=\"purpose\"");
            then.status(201).json_body(document(DOC, "todo"));
        })
        .await;
    let client = support::client(&server.base_url());
    let documents = client.libraries().documents(LIB);
    let from_bytes = documents.upload(FileUpload::from_bytes("handbook.txt", "Rule one: be kind.")).await.unwrap();
    assert_eq!(from_bytes.id.to_string(), DOC);
    let dir = std::env::temp_dir().join(format!("mistral-sdk-libraries-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("handbook.txt");
    std::fs::write(&path, "Rule one: be kind.").unwrap();
    documents.upload(FileUpload::from_path(&path)).await.unwrap();
    let reader = std::io::Cursor::new(b"Rule one: be kind.".to_vec());
    documents.upload(FileUpload::from_reader("handbook.txt", reader)).await.unwrap();
    mock.assert_calls_async(3).await;
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test]
async fn documents_list_with_filters_and_every_page() {
    let server = MockServer::start_async().await;
    let filtered = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(format!("/v1/libraries/{LIB}/documents"))
                .query_param("search", "hand")
                .query_param("filters_attributes", r#"{"team":"hr"}"#)
                .query_param("sort_by", "created_at")
                .query_param("sort_order", "desc");
            then.status(200).json_body(listing(&[DOC], 1, 0, 100));
        })
        .await;
    let page0 = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(format!("/v1/libraries/{LIB}/documents"))
                .query_param("page", "0")
                .query_param("page_size", "2");
            then.status(200).json_body(listing(&[DOC, DOC], 4, 0, 2));
        })
        .await;
    let page1 = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(format!("/v1/libraries/{LIB}/documents"))
                .query_param("page", "1")
                .query_param("page_size", "2");
            then.status(200).json_body(listing(&[DOC, DOC], 4, 1, 2));
        })
        .await;
    let client = support::client(&server.base_url());
    let documents = client.libraries().documents(LIB);
    let filter = DocumentFilter::new().search("hand").attributes(&json!({"team": "hr"})).sort("created_at", "desc");
    assert_eq!(documents.list(filter).await.unwrap().data.len(), 1);
    let pages: Vec<_> = documents.pages(DocumentFilter::new().page_size(2)).try_collect().await.unwrap();
    assert_eq!(pages.len(), 2, "the total ends the pages without a third request");
    filtered.assert_async().await;
    page0.assert_async().await;
    page1.assert_async().await;
}

#[tokio::test]
async fn document_reads_and_changes() {
    let server = MockServer::start_async().await;
    let base = format!("/v1/libraries/{LIB}/documents/{DOC}");
    let get = server
        .mock_async(|when, then| {
            when.method(GET).path(&base);
            then.status(200).json_body(document(DOC, "done"));
        })
        .await;
    let update = server
        .mock_async(|when, then| {
            when.method(PATCH).path(&base).json_body(json!({"name": "rules.txt"}));
            then.status(200).json_body(document(DOC, "done"));
        })
        .await;
    let delete = server
        .mock_async(|when, then| {
            when.method(DELETE).path(&base);
            then.status(204);
        })
        .await;
    let text = server
        .mock_async(|when, then| {
            when.method(GET)
                .path(format!("{base}/text_content"))
                .query_param("page_start", "1")
                .query_param("page_end", "2");
            then.status(200).json_body(json!({"text": "Rule one"}));
        })
        .await;
    let url = server
        .mock_async(|when, then| {
            when.method(GET).path(format!("{base}/signed-url"));
            then.status(200).json_body(json!("https://files.example/doc"));
        })
        .await;
    let text_url = server
        .mock_async(|when, then| {
            when.method(GET).path(format!("{base}/extracted-text-signed-url"));
            then.status(200).json_body(json!("https://files.example/text"));
        })
        .await;
    let reprocess = server
        .mock_async(|when, then| {
            when.method(POST).path(format!("{base}/reprocess"));
            then.status(204);
        })
        .await;
    let client = support::client(&server.base_url());
    let documents = client.libraries().documents(LIB);
    assert_eq!(documents.get(DOC).await.unwrap().name, "handbook.txt");
    let rename = UpdateDocumentRequest { name: Some("rules.txt".into()), ..Default::default() };
    documents.update(DOC, rename).await.unwrap();
    documents.delete(DOC).await.unwrap();
    assert_eq!(documents.text_content(DOC, Some(1), Some(2)).await.unwrap().text, "Rule one");
    assert_eq!(documents.signed_url(DOC).await.unwrap(), "https://files.example/doc");
    assert_eq!(documents.extracted_text_url(DOC).await.unwrap(), "https://files.example/text");
    documents.reprocess(DOC).await.unwrap();
    for mock in [get, update, delete, text, url, text_url, reprocess] {
        mock.assert_async().await;
    }
}

#[tokio::test]
async fn wait_processed_polls_until_the_processing_ended() {
    let server = MockServer::start_async().await;
    let path = format!("/v1/libraries/{LIB}/documents/{DOC}/status");
    let pending = server
        .mock_async(|when, then| {
            when.method(GET).path(&path);
            then.status(200).json_body(status("in_progress"));
        })
        .await;
    let client = support::client(&server.base_url());
    let options = WatchOptions { initial_interval: Duration::from_millis(10), max_interval: Duration::from_millis(20) };
    let waiting = {
        let client = client.clone();
        tokio::spawn(async move { client.libraries().documents(LIB).wait_processed(DOC, options).await })
    };
    tokio::time::sleep(Duration::from_millis(80)).await;
    assert!(pending.calls_async().await >= 2);
    pending.delete_async().await;
    let done = server
        .mock_async(|when, then| {
            when.method(GET).path(&path);
            then.status(200).json_body(status("done"));
        })
        .await;
    let last = waiting.await.unwrap().unwrap();
    assert_eq!(last.process_status.to_string(), "done");
    done.assert_async().await;
}

#[tokio::test]
async fn accesses_list_set_delete() {
    let server = MockServer::start_async().await;
    let sharing = json!({"library_id": LIB, "org_id": USER, "role": "Viewer", "share_with_type": "User", "share_with_uuid": USER});
    let list = server
        .mock_async(|when, then| {
            when.method(GET).path(format!("/v1/libraries/{LIB}/share"));
            then.status(200).json_body(json!({"data": [sharing.clone()]}));
        })
        .await;
    let set = server
        .mock_async(|when, then| {
            when.method(PUT)
                .path(format!("/v1/libraries/{LIB}/share"))
                .json_body(json!({"level": "Viewer", "share_with_uuid": USER, "share_with_type": "User"}));
            then.status(200).json_body(sharing.clone());
        })
        .await;
    let delete = server
        .mock_async(|when, then| {
            when.method(DELETE)
                .path(format!("/v1/libraries/{LIB}/share"))
                .json_body(json!({"share_with_uuid": USER, "share_with_type": "User"}));
            then.status(200).json_body(sharing.clone());
        })
        .await;
    let client = support::client(&server.base_url());
    let accesses = client.libraries().accesses(LIB);
    assert_eq!(accesses.list().await.unwrap().data.len(), 1);
    let give: SharingRequest =
        serde_json::from_value(json!({"level": "Viewer", "share_with_uuid": USER, "share_with_type": "User"})).unwrap();
    assert_eq!(accesses.set(give).await.unwrap().role, "Viewer");
    let take: SharingDelete =
        serde_json::from_value(json!({"share_with_uuid": USER, "share_with_type": "User"})).unwrap();
    assert!(accesses.delete(take).await.unwrap().is_some());
    for mock in [list, set, delete] {
        mock.assert_async().await;
    }
}
