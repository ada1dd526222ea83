//! Libraries with state of their own (`stateful_beta`): created, listed, edited, deleted with
//! their documents; documents uploaded (text, markdown, PDF), processed on the simulated clock,
//! read back as text and through signed URLs, listed with search, filters, sorting and pages,
//! edited, reprocessed, deleted; sharing granted, changed, listed, revoked.

use std::time::Duration;

use mistral_mock::MockServer;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::{Mock, within};

const LIST: &str = "libraries_list_v1";
const CREATE: &str = "libraries_create_v1";
const GET: &str = "libraries_get_v1";
const PUT: &str = "libraries_update_v1";
const PATCH: &str = "libraries_patch_v1";
const DELETE: &str = "libraries_delete_v1";
const DOCS: &str = "libraries_documents_list_v1";
const UPLOAD: &str = "libraries_documents_upload_v1";
const DOC: &str = "libraries_documents_get_v1";
const DOC_PATCH: &str = "libraries_documents_patch_v1";
const DOC_PUT: &str = "libraries_documents_update_v1";
const DOC_DELETE: &str = "libraries_documents_delete_v1";
const STATUS: &str = "libraries_documents_get_status_v1";
const TEXT: &str = "libraries_documents_get_text_content_v1";
const SIGNED: &str = "libraries_documents_get_signed_url_v1";
const SIGNED_TEXT: &str = "libraries_documents_get_extracted_text_signed_url_v1";
const REPROCESS: &str = "libraries_documents_reprocess_v1";
const SHARES: &str = "libraries_share_list_v1";
const SHARE: &str = "libraries_share_create_v1";
const UNSHARE: &str = "libraries_share_delete_v1";

const NOTES: &str = "Comté ripens for months in Jura cellars.\n\nBrie is a soft cheese.\n";
const GUIDE: &str = "# Guide\n\nServe **Comté** with walnuts.\n";

/// A slow clock (a hundredth of a simulated second a second): documents are processed only
/// when the test moves the clock on.
async fn mock() -> Mock {
    Mock::with(MockServer::builder().stateful_beta(true).speed(0.01)).await
}

/// A two-page PDF whose content streams show text (as the OCR tests' one).
fn pdf() -> Vec<u8> {
    let pages = [
        "BT /F1 24 Tf 72 720 Td (Quarterly report) Tj 0 -40 Td (Revenue grew by 12% in Q3.) Tj ET",
        "BT /F1 12 Tf 72 760 Td [(Costs) -300 (fell) -300 (too.)] TJ 0 -20 Td <53656520 6e6f7465732e> Tj ET",
    ];
    let mut out = String::from("%PDF-1.4\n");
    out.push_str("1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n");
    out.push_str("2 0 obj\n<< /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 >>\nendobj\n");
    out.push_str("3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 5 0 R >>\nendobj\n");
    out.push_str("4 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 6 0 R >>\nendobj\n");
    for (n, content) in [(5, pages[0]), (6, pages[1])] {
        out.push_str(&format!("{n} 0 obj\n<< /Length {} >>\nstream\n{content}\nendstream\nendobj\n", content.len()));
    }
    out.push_str("trailer\n<< /Root 1 0 R >>\n%%EOF\n");
    out.into_bytes()
}

async fn create(m: &Mock, body: Value) -> String {
    let r = m.post(CREATE, "/v1/libraries", body).await;
    assert_eq!(r.status, 201, "{}", r.text);
    r.body["id"].as_str().expect("library id").to_string()
}

async fn upload(m: &Mock, library: &str, name: &str, mime: Option<&str>, bytes: Vec<u8>) -> crate::Reply {
    let mut part = reqwest::multipart::Part::bytes(bytes).file_name(name.to_string());
    if let Some(mime) = mime {
        part = part.mime_str(mime).expect("mime");
    }
    let form = reqwest::multipart::Form::new().part("file", part);
    let path = format!("/v1/libraries/{library}/documents");
    m.call(UPLOAD, m.request(Method::POST, &path).multipart(form)).await
}

async fn upload_ok(m: &Mock, library: &str, name: &str, mime: Option<&str>, bytes: Vec<u8>) -> Value {
    let r = upload(m, library, name, mime, bytes).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body
}

async fn send(m: &Mock, op: &str, method: Method, path: &str, body: Value) -> crate::Reply {
    m.call(op, m.request(method, path).json(&body)).await
}

fn status_words(v: &Value) -> (&str, &str) {
    (v["process_status"].as_str().unwrap_or("?"), v["processing_status"].as_str().unwrap_or("?"))
}

fn names(list: &Value) -> Vec<&str> {
    list["data"].as_array().expect("data").iter().map(|d| d["name"].as_str().unwrap_or("?")).collect()
}

#[tokio::test]
async fn documents_are_processed_on_the_clock_and_read_back() {
    within(30, async {
        let m = &mock().await;
        let r = m.post(CREATE, "/v1/libraries", json!({"name": "Cheeses", "description": "Notes on cheese"})).await;
        assert_eq!(r.status, 201, "{}", r.text);
        assert!(r.headers.get("x-mock-answer").is_none());
        let lib = r.body["id"].as_str().unwrap().to_string();
        assert!(uuid_like(&lib), "{lib}");
        assert_eq!(
            (&r.body["name"], &r.body["description"], &r.body["nb_documents"], &r.body["total_size"]),
            (&json!("Cheeses"), &json!("Notes on cheese"), &json!(0), &json!(0))
        );
        assert_eq!((&r.body["chunk_size"], &r.body["owner_type"]), (&Value::Null, &json!("Workspace")));
        assert_eq!(r.body["created_at"], r.body["updated_at"]);

        let notes = upload_ok(m, &lib, "notes.txt", Some("text/plain"), NOTES.into()).await;
        assert_eq!(status_words(&notes), ("in_progress", "Running"));
        assert_eq!(
            (&notes["name"], &notes["mime_type"], &notes["extension"], &notes["size"]),
            (&json!("notes.txt"), &json!("text/plain"), &json!("txt"), &json!(NOTES.len()))
        );
        assert_eq!((&notes["library_id"], &notes["last_processed_at"]), (&json!(lib), &Value::Null));
        assert_eq!((&notes["number_of_pages"], &notes["tokens_processing_total"]), (&Value::Null, &json!(0)));
        let notes = notes["id"].as_str().unwrap().to_string();
        // No declared type: from the extension.
        let guide = upload_ok(m, &lib, "guide.md", None, GUIDE.into()).await;
        assert_eq!(guide["mime_type"], "text/markdown");
        let guide = guide["id"].as_str().unwrap().to_string();
        let report = upload_ok(m, &lib, "report.pdf", Some("application/pdf"), pdf()).await;
        assert_eq!((&report["mime_type"], &report["number_of_pages"]), (&json!("application/pdf"), &json!(2)));
        let report = report["id"].as_str().unwrap().to_string();
        let doc = |id: &str| format!("/v1/libraries/{lib}/documents/{id}");

        let library = m.get(GET, &format!("/v1/libraries/{lib}")).await;
        assert_eq!(library.body["nb_documents"], 3);
        assert_eq!(library.body["total_size"], json!(NOTES.len() + GUIDE.len() + pdf().len()));

        // Still processing: no text yet.
        let s = m.get(STATUS, &format!("{}/status", doc(&notes))).await;
        assert_eq!(s.status, 200, "{}", s.text);
        assert_eq!(
            s.body,
            json!({"document_id": notes, "process_status": "in_progress", "processing_status": "Running"})
        );
        let early = m.get(TEXT, &format!("{}/text_content", doc(&notes))).await;
        assert_eq!(early.status, 400, "{}", early.text);
        assert!(early.body["message"].as_str().unwrap().contains("still being processed"), "{}", early.text);

        m.server.advance(Duration::from_secs(2));
        let s = m.get(STATUS, &format!("{}/status", doc(&notes))).await;
        assert_eq!(status_words(&s.body), ("done", "Completed"));
        let got = m.get(DOC, &doc(&notes)).await;
        assert_eq!(status_words(&got.body), ("done", "Completed"));
        assert!(got.body["last_processed_at"].is_string(), "{}", got.text);
        assert!(got.body["tokens_processing_total"].as_i64().unwrap() > 0, "{}", got.text);

        let text = |id: String, query: &'static str| {
            let path = format!("{}/text_content{query}", doc(&id));
            async move { m.get(TEXT, &path).await }
        };
        assert_eq!(text(notes.clone(), "").await.body, json!({"text": NOTES.trim_end()}));
        assert_eq!(text(guide.clone(), "").await.body, json!({"text": GUIDE.trim_end()}));
        let whole = "Quarterly report\nRevenue grew by 12% in Q3.\n\nCosts fell too.\nSee notes.";
        assert_eq!(text(report.clone(), "").await.body, json!({"text": whole}));
        assert_eq!(
            text(report.clone(), "?page_start=1&page_end=2").await.body,
            json!({"text": "Costs fell too.\nSee notes."})
        );
        assert_eq!(
            text(report.clone(), "?page_end=1").await.body,
            json!({"text": "Quarterly report\nRevenue grew by 12% in Q3."})
        );

        // Signed URLs work without a key, and only with their signature.
        let url = m.get(SIGNED, &format!("{}/signed-url", doc(&report))).await;
        assert_eq!(url.status, 200, "{}", url.text);
        let url = url.body.as_str().expect("a URL").to_string();
        let fetched = m.http.get(&url).send().await.expect("sent");
        assert_eq!(fetched.status(), 200);
        assert_eq!(fetched.headers()["content-type"], "application/pdf");
        assert_eq!(fetched.bytes().await.expect("bytes").to_vec(), pdf());
        let forged = m.http.get(url.replace("signature=", "signature=0")).send().await.expect("sent");
        assert_eq!(forged.status(), 403);
        let url = m.get(SIGNED_TEXT, &format!("{}/extracted-text-signed-url", doc(&guide))).await;
        let url = url.body.as_str().expect("a URL").to_string();
        let fetched = m.http.get(&url).send().await.expect("sent");
        assert_eq!(fetched.status(), 200);
        assert_eq!(fetched.text().await.expect("text"), GUIDE.trim_end());

        // Reprocessing starts over.
        let r = m.call(REPROCESS, m.request(Method::POST, &format!("{}/reprocess", doc(&notes)))).await;
        assert_eq!(r.status, 204, "{}", r.text);
        let s = m.get(STATUS, &format!("{}/status", doc(&notes))).await;
        assert_eq!(status_words(&s.body), ("in_progress", "Running"));
        assert_eq!(text(notes.clone(), "").await.status, 400);
        m.server.advance(Duration::from_secs(2));
        let s = m.get(STATUS, &format!("{}/status", doc(&notes))).await;
        assert_eq!(status_words(&s.body), ("done", "Completed"));

        // A document deleted leaves the counts.
        let r = m.delete(DOC_DELETE, &doc(&guide)).await;
        assert_eq!(r.status, 204, "{}", r.text);
        assert_eq!(m.get(DOC, &doc(&guide)).await.status, 404);
        let library = m.get(GET, &format!("/v1/libraries/{lib}")).await;
        assert_eq!(library.body["nb_documents"], 2);
        assert_eq!(library.body["total_size"], json!(NOTES.len() + pdf().len()));

        // The library deleted: answered as it was, gone with its documents.
        let r = m.delete(DELETE, &format!("/v1/libraries/{lib}")).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!((&r.body["id"], &r.body["nb_documents"]), (&json!(lib), &json!(2)));
        assert_eq!(m.get(GET, &format!("/v1/libraries/{lib}")).await.status, 404);
        assert_eq!(m.get(DOCS, &format!("/v1/libraries/{lib}/documents")).await.status, 404);
        assert_eq!(m.get(DOC, &doc(&notes)).await.status, 404);
        assert_eq!(m.http.get(&url).send().await.expect("sent").status(), 404);
    })
    .await;
}

fn uuid_like(s: &str) -> bool {
    s.len() == 36 && s.chars().filter(|c| *c == '-').count() == 4
}

#[tokio::test]
async fn documents_are_listed_searched_filtered_sorted_and_paged() {
    within(30, async {
        let m = &mock().await;
        let lib = create(m, json!({"name": "Docs"})).await;
        let mut ids = Vec::new();
        for (name, body) in [("b-notes.txt", "bb"), ("a-guide.md", "a"), ("c-report.txt", "cccc")] {
            ids.push(upload_ok(m, &lib, name, None, body.into()).await["id"].as_str().unwrap().to_string());
        }
        let list = |query: &str| {
            let path = format!("/v1/libraries/{lib}/documents{query}");
            async move { m.get(DOCS, &path).await }
        };
        let all = list("").await;
        assert_eq!(all.status, 200, "{}", all.text);
        // Newest first by default.
        assert_eq!(names(&all.body), ["c-report.txt", "a-guide.md", "b-notes.txt"]);
        assert_eq!(
            all.body["pagination"],
            json!({"total_items": 3, "total_pages": 1, "current_page": 0, "page_size": 100, "has_more": false})
        );
        assert_eq!(names(&list("?search=GUIDE").await.body), ["a-guide.md"]);
        assert_eq!(
            names(&list("?sort_by=name&sort_order=asc").await.body),
            ["a-guide.md", "b-notes.txt", "c-report.txt"]
        );
        assert_eq!(names(&list("?sort_by=size").await.body), ["c-report.txt", "b-notes.txt", "a-guide.md"]);
        let page = list("?sort_order=asc&page_size=2&page=1").await;
        assert_eq!(names(&page.body), ["c-report.txt"]);
        assert_eq!(
            page.body["pagination"],
            json!({"total_items": 3, "total_pages": 2, "current_page": 1, "page_size": 2, "has_more": false})
        );
        let first = list("?sort_order=asc&page_size=2").await;
        assert_eq!(first.body["pagination"]["has_more"], true);

        // Attributes set by PATCH (and the deprecated PUT) filter the list.
        let path = format!("/v1/libraries/{lib}/documents/{}", ids[0]);
        let r = send(
            m,
            DOC_PATCH,
            Method::PATCH,
            &path,
            json!({"name": "notes.txt", "attributes": {"team": "dairy", "year": 2024}}),
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(
            (&r.body["name"], &r.body["attributes"]),
            (&json!("notes.txt"), &json!({"team": "dairy", "year": 2024}))
        );
        let path = format!("/v1/libraries/{lib}/documents/{}", ids[2]);
        let r = send(m, DOC_PUT, Method::PUT, &path, json!({"attributes": {"team": "bakery"}})).await;
        assert_eq!((r.status, &r.body["name"]), (StatusCode::OK, &json!("c-report.txt")));
        let filter = |f: &str| format!("?filters_attributes={}", urlencode(f));
        assert_eq!(names(&list(&filter(r#"{"team": "dairy"}"#)).await.body), ["notes.txt"]);
        assert_eq!(names(&list(&filter(r#"{"team": ["dairy", "bakery"]}"#)).await.body), ["c-report.txt", "notes.txt"]);
        assert!(names(&list(&filter(r#"{"team": "dairy", "year": 2023}"#)).await.body).is_empty());

        // Bad parameters are 422s.
        for query in [
            "?page_size=0",
            "?page_size=101",
            "?page=-1",
            "?sort_order=up",
            "?sort_by=colour",
            "?filters_attributes=%7B",
        ] {
            let r = list(query).await;
            assert_eq!(r.status, 422, "{query}: {}", r.text);
        }
    })
    .await;
}

fn urlencode(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() { char::from(b).to_string() } else { format!("%{b:02X}") }).collect()
}

#[tokio::test]
async fn libraries_are_listed_and_edited() {
    within(20, async {
        let m = mock().await;
        let cheese = create(&m, json!({"name": "Cheeses", "chunk_size": 1024, "owner_type": "User"})).await;
        let bread = create(&m, json!({"name": "Breads", "description": "Sourdough notes"})).await;
        let all = m.get(LIST, "/v1/libraries").await;
        assert_eq!(all.status, 200, "{}", all.text);
        assert_eq!(names(&all.body), ["Cheeses", "Breads"]);
        assert_eq!(
            (&all.body["data"][0]["chunk_size"], &all.body["data"][0]["owner_type"]),
            (&json!(1024), &json!("User"))
        );
        assert_eq!(names(&m.get(LIST, "/v1/libraries?search=sourdough").await.body), ["Breads"]);
        assert_eq!(names(&m.get(LIST, "/v1/libraries?filter_owned_by_me=true").await.body).len(), 2);
        let page = m.get(LIST, "/v1/libraries?page_size=1").await;
        assert_eq!((names(&page.body), &page.body["next_page_token"]), (vec!["Cheeses"], &json!("p1")));
        let next = m.get(LIST, "/v1/libraries?page_size=1&page_token=p1").await;
        assert_eq!((names(&next.body), &next.body["next_page_token"]), (vec!["Breads"], &Value::Null));

        let path = format!("/v1/libraries/{cheese}");
        let r = send(&m, PATCH, Method::PATCH, &path, json!({"description": "Hard and soft"})).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!((&r.body["name"], &r.body["description"]), (&json!("Cheeses"), &json!("Hard and soft")));
        let r = send(&m, PUT, Method::PUT, &path, json!({"name": "Fromages", "description": null})).await;
        assert_eq!((&r.body["name"], &r.body["description"]), (&json!("Fromages"), &Value::Null));
        assert_eq!(m.get(GET, &path).await.body["name"], "Fromages");
        let r = m.delete(DELETE, &format!("/v1/libraries/{bread}")).await;
        assert_eq!(r.body["name"], "Breads");
        assert_eq!(names(&m.get(LIST, "/v1/libraries").await.body), ["Fromages"]);
    })
    .await;
}

#[tokio::test]
async fn sharing_is_granted_changed_listed_and_revoked() {
    within(20, async {
        let m = mock().await;
        let lib = create(&m, json!({"name": "Shared"})).await;
        let path = format!("/v1/libraries/{lib}/share");
        let user = "7c2f8a61-3b4d-4e5f-9a0b-1c2d3e4f5a6b";
        let team = "0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e";
        let r = send(
            &m,
            SHARE,
            Method::PUT,
            &path,
            json!({"share_with_uuid": user, "share_with_type": "User", "level": "Viewer"}),
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(
            (&r.body["library_id"], &r.body["role"], &r.body["share_with_type"], &r.body["share_with_uuid"]),
            (&json!(lib), &json!("Viewer"), &json!("User"), &json!(user))
        );
        assert_eq!(r.body["user_id"], json!(user));
        let r = send(
            &m,
            SHARE,
            Method::PUT,
            &path,
            json!({"share_with_uuid": user, "share_with_type": "User", "level": "Editor"}),
        )
        .await;
        assert_eq!(r.body["role"], "Editor");
        let r = send(
            &m,
            SHARE,
            Method::PUT,
            &path,
            json!({"share_with_uuid": team, "share_with_type": "Workspace", "level": "Viewer"}),
        )
        .await;
        assert_eq!(r.body["user_id"], Value::Null);

        let list = m.get(SHARES, &path).await;
        assert_eq!(list.status, 200, "{}", list.text);
        let got: Vec<(&str, &str)> = list.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| (s["share_with_type"].as_str().unwrap(), s["role"].as_str().unwrap()))
            .collect();
        assert_eq!(got, [("User", "Editor"), ("Workspace", "Viewer")]);
        let library = m.get(GET, &format!("/v1/libraries/{lib}")).await;
        assert_eq!(
            (&library.body["explicit_user_members_count"], &library.body["explicit_workspace_members_count"]),
            (&json!(1), &json!(1))
        );

        let r =
            send(&m, UNSHARE, Method::DELETE, &path, json!({"share_with_uuid": user, "share_with_type": "User"})).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!((&r.body["share_with_uuid"], &r.body["role"]), (&json!(user), &json!("Editor")));
        assert_eq!(m.get(SHARES, &path).await.body["data"].as_array().unwrap().len(), 1);
        let again =
            send(&m, UNSHARE, Method::DELETE, &path, json!({"share_with_uuid": user, "share_with_type": "User"})).await;
        assert_eq!(again.status, 404, "{}", again.text);
        let bad =
            send(&m, SHARE, Method::PUT, &path, json!({"share_with_uuid": user, "share_with_type": "User"})).await;
        assert_eq!(bad.status, 422, "{}", bad.text);
    })
    .await;
}

#[tokio::test]
async fn unknown_ids_bad_requests_and_unreadable_documents_are_refused() {
    within(20, async {
        let m = Mock::with(MockServer::builder().stateful_beta(true).speed(0.01).upload_limit(4096)).await;
        let missing = "00000000-0000-4000-8000-000000000000";
        let r = m.get(GET, &format!("/v1/libraries/{missing}")).await;
        assert_eq!(r.status, 404, "{}", r.text);
        assert_eq!(
            (&r.body["object"], &r.body["code"], &r.body["message"]),
            (&json!("error"), &json!("404"), &json!(format!("Library {missing} not found")))
        );
        assert_eq!(m.get(GET, "/v1/libraries/not-a-uuid").await.status, 422);
        assert_eq!(m.get(SHARES, &format!("/v1/libraries/{missing}/share")).await.status, 404);
        assert_eq!(upload(&m, missing, "a.txt", None, b"a".to_vec()).await.status, 404);
        assert_eq!(m.post(CREATE, "/v1/libraries", json!({"description": "no name"})).await.status, 422);

        let lib = create(&m, json!({"name": "L"})).await;
        assert_eq!(m.get(DOC, &format!("/v1/libraries/{lib}/documents/{missing}")).await.status, 404);
        let r = m
            .call(REPROCESS, m.request(Method::POST, &format!("/v1/libraries/{lib}/documents/{missing}/reprocess")))
            .await;
        assert_eq!(r.status, 404);
        // A form without a file, an upload over the limit.
        let form = reqwest::multipart::Form::new().text("purpose", "none");
        let r =
            m.call(UPLOAD, m.request(Method::POST, &format!("/v1/libraries/{lib}/documents")).multipart(form)).await;
        assert_eq!(r.status, 422, "{}", r.text);
        assert_eq!(upload(&m, &lib, "big.txt", None, vec![b'a'; 5000]).await.status, 413);

        // A document of another library is not found through this one.
        let other = create(&m, json!({"name": "Other"})).await;
        let doc = upload_ok(&m, &other, "a.txt", None, b"alpha".to_vec()).await["id"].as_str().unwrap().to_string();
        assert_eq!(m.get(DOC, &format!("/v1/libraries/{lib}/documents/{doc}")).await.status, 404);

        // An image: processing fails, and it has no text.
        let png = upload_ok(&m, &lib, "logo.png", None, b"\x89PNG\r\n\x1a\nrest".to_vec()).await;
        assert_eq!(png["mime_type"], "image/png");
        let png = png["id"].as_str().unwrap().to_string();
        m.server.advance(Duration::from_secs(2));
        let s = m.get(STATUS, &format!("/v1/libraries/{lib}/documents/{png}/status")).await;
        assert_eq!(status_words(&s.body), ("error", "Failed"));
        let t = m.get(TEXT, &format!("/v1/libraries/{lib}/documents/{png}/text_content")).await;
        assert_eq!(t.status, 400, "{}", t.text);
        assert_eq!(
            m.get(SIGNED_TEXT, &format!("/v1/libraries/{lib}/documents/{png}/extracted-text-signed-url")).await.status,
            400
        );
        let r = m.get(SIGNED, &format!("/v1/libraries/{lib}/documents/{png}/signed-url")).await;
        assert_eq!(r.status, 200, "{}", r.text);
        // Signed URLs need no key, but without their signature the bytes are refused.
        assert_eq!(
            m.http.get(m.url(&format!("/__mock/documents/{png}/content"))).send().await.expect("sent").status(),
            403
        );
    })
    .await;
}

#[tokio::test]
async fn without_stateful_beta_libraries_answer_from_the_examples() {
    within(20, async {
        let m = Mock::with(MockServer::builder().stateful_beta(false)).await;
        let r = m.post(CREATE, "/v1/libraries", json!({"name": "x"})).await;
        assert_eq!(r.headers["x-mock-answer"], "example");
        assert_eq!(r.body["name"], "example");
    })
    .await;
}

#[tokio::test]
async fn a_data_dir_keeps_libraries_documents_and_their_bytes() {
    within(20, async {
        let dir = tempfile::tempdir().expect("temp dir");
        let builder = || MockServer::builder().stateful_beta(true).speed(0.01).data_dir(dir.path());
        let m = Mock::with(builder()).await;
        let lib = create(&m, json!({"name": "Kept"})).await;
        let doc = upload_ok(&m, &lib, "notes.txt", None, NOTES.into()).await["id"].as_str().unwrap().to_string();
        let path = format!("/v1/libraries/{lib}/documents/{doc}");
        m.server.advance(Duration::from_secs(2));
        // A change is saved with the state as it is now (processed).
        let r = send(&m, DOC_PATCH, Method::PATCH, &path, json!({"attributes": {"kept": true}})).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let library = m.get(GET, &format!("/v1/libraries/{lib}")).await;
        m.server.shutdown().await;

        let m = Mock::with(builder()).await;
        assert_eq!(m.get(GET, &format!("/v1/libraries/{lib}")).await.body, library.body);
        assert_eq!(m.get(DOC, &path).await.body, r.body);
        assert_eq!(m.get(TEXT, &format!("{path}/text_content")).await.body, json!({"text": NOTES.trim_end()}));
        let url = m.get(SIGNED, &format!("{path}/signed-url")).await.body.as_str().expect("a URL").to_string();
        let bytes = m.http.get(&url).send().await.expect("sent").bytes().await.expect("bytes");
        assert_eq!(bytes.as_ref(), NOTES.as_bytes());
        // Deleting the library removes the bytes from the data directory.
        assert!(dir.path().join("files").join(&doc).exists());
        assert_eq!(m.delete(DELETE, &format!("/v1/libraries/{lib}")).await.status, 200);
        assert!(!dir.path().join("files").join(&doc).exists());
    })
    .await;
}
