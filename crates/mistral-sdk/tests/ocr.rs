//! OCR: the wire request for every kind of document and option, the typed response, the
//! annotations as Rust values, errors and retries.

mod support;

use httpmock::Method::POST;
use httpmock::MockServer;
use mistral_sdk::types::{KnownOcrRequestConfidenceScoresGranularity, KnownOcrRequestTableFormat};
use mistral_sdk::{ApiErrorKind, Document, Error, OcrImageExt, OcrRequest, OcrResponseExt};
use serde_json::{Value, json};

const FILE_ID: &str = "497f6eca-6276-4993-bfeb-53cbbbba6f09";
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";

/// An invoice, as the model reads it.
#[derive(schemars::JsonSchema, serde::Deserialize, Debug, PartialEq)]
struct Invoice {
    number: String,
    total: f64,
}

#[derive(schemars::JsonSchema, serde::Deserialize, Debug, PartialEq)]
struct Figure {
    caption: String,
}

fn response() -> Value {
    json!({
        "model": "mistral-ocr-latest",
        "pages": [
            {"index": 1, "markdown": "## Total\n\n42 EUR", "images": [], "dimensions": {"dpi": 200, "height": 2200, "width": 1700}},
            {"index": 0, "markdown": "# Invoice 7", "dimensions": {"dpi": 200, "height": 2200, "width": 1700},
             "images": [{"id": "img-0.jpeg", "top_left_x": 10, "top_left_y": 20, "bottom_right_x": 110, "bottom_right_y": 220,
                         "image_base64": "data:image/jpeg;base64,/9j/4A==", "image_annotation": "{\"caption\": \"A logo\"}"}],
             "tables": [{"id": "tbl-0.md", "content": "| a |", "format": "markdown"}],
             "header": "ACME", "a_field_of_2027": true}
        ],
        "document_annotation": "{\"number\": \"7\", \"total\": 42.0}",
        "usage_info": {"pages_processed": 2, "doc_size_bytes": 1234}
    })
}

#[tokio::test]
async fn every_option_on_the_wire_and_the_typed_response() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/ocr").header("content-type", "application/json").is_true(|req| {
                let body: Value = serde_json::from_slice(req.body().as_ref()).unwrap();
                let figure = &body["bbox_annotation_format"];
                let invoice = &body["document_annotation_format"];
                body["model"] == "mistral-ocr-latest"
                    && body["document"]
                        == json!({"type": "document_url", "document_url": "https://example.com/i.pdf", "document_name": "i.pdf"})
                    && body["pages"] == json!([0, 1])
                    && body["include_image_base64"] == true
                    && body["image_limit"] == 4
                    && body["image_min_size"] == 50
                    && figure["type"] == "json_schema"
                    && figure["json_schema"]["name"] == "Figure"
                    && figure["json_schema"]["strict"] == true
                    && invoice["json_schema"]["name"] == "Invoice"
                    && invoice["json_schema"]["description"] == "An invoice, as the model reads it."
                    && invoice["json_schema"]["schema"]["properties"]["total"]["type"] == "number"
                    && body["document_annotation_prompt"] == "Read the totals."
                    && body["table_format"] == "html"
                    && body["extract_header"] == true
                    && body["extract_footer"] == false
                    && body["include_blocks"] == true
                    && body["confidence_scores_granularity"] == "page"
                    && body["new_knob"] == 1
                    && body.as_object().unwrap().len() == 15
            });
            then.status(200).json_body(response());
        })
        .await;
    let request = OcrRequest::new("mistral-ocr-latest", Document::url("https://example.com/i.pdf").name("i.pdf"))
        .pages([0, 1])
        .include_image_base64(true)
        .image_limit(4)
        .image_min_size(50)
        .bbox_annotation::<Figure>()
        .document_annotation::<Invoice>()
        .document_annotation_prompt("Read the totals.")
        .table_format(KnownOcrRequestTableFormat::Html)
        .extract_header(true)
        .extract_footer(false)
        .include_blocks(true)
        .confidence_scores(KnownOcrRequestConfidenceScoresGranularity::Page)
        .extra("new_knob", 1);
    let response = support::client(&server.base_url()).ocr().process(request).await.unwrap();
    mock.assert_async().await;

    assert_eq!(response.markdown(), "# Invoice 7\n\n## Total\n\n42 EUR");
    let first = response.pages.iter().find(|p| p.index == 0).unwrap();
    let dims = first.dimensions.as_ref().unwrap();
    assert_eq!((dims.dpi, dims.width, dims.height), (200, 1700, 2200));
    assert_eq!(first.header.as_deref(), Some("ACME"));
    assert_eq!(first.tables[0].content, "| a |");
    assert_eq!(response.usage_info.pages_processed, 2);
    assert_eq!(response.document_annotation_as::<Invoice>().unwrap(), Invoice { number: "7".into(), total: 42.0 });
    let images = response.images();
    assert_eq!(
        (images[0].id.as_str(), images[0].top_left_x, images[0].bottom_right_y),
        ("img-0.jpeg", Some(10), Some(220))
    );
    assert_eq!(images[0].image_bytes().unwrap().unwrap(), b"\xff\xd8\xff\xe0");
    assert_eq!(images[0].annotation_as::<Figure>().unwrap().unwrap().caption, "A logo");
    let annotations = response.image_annotations_as::<Figure>();
    assert_eq!(annotations.len(), 1);
    assert_eq!(annotations[0].0, "img-0.jpeg");
    assert_eq!(annotations[0].1.as_ref().unwrap().caption, "A logo");
}

#[tokio::test]
async fn annotations_that_do_not_fit_keep_the_text() {
    let mut body = response();
    body["document_annotation"] = json!("{\"number\": 7}");
    let response: mistral_sdk::types::OcrResponse = serde_json::from_value(body).unwrap();
    match response.document_annotation_as::<Invoice>() {
        Err(Error::InvalidOutput { content, .. }) => assert_eq!(content, "{\"number\": 7}"),
        other => panic!("{other:?}"),
    }
    let mut body = serde_json::to_value(&response).unwrap();
    body["document_annotation"] = Value::Null;
    let response: mistral_sdk::types::OcrResponse = serde_json::from_value(body).unwrap();
    assert!(matches!(response.document_annotation_as::<Invoice>(), Err(Error::InvalidOutput { .. })));
}

#[tokio::test]
async fn local_files_go_inline_as_data_urls() {
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("scan.pdf");
    std::fs::write(&pdf, b"%PDF-1.7 hello").unwrap();
    let png = dir.path().join("receipt.bin"); // the type comes from the bytes
    std::fs::write(&png, PNG).unwrap();
    let docx = dir.path().join("letter.docx");
    std::fs::write(&docx, b"PK\x03\x04").unwrap();

    let server = MockServer::start_async().await;
    let pdf_mock = server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/ocr").json_body(json!({"model": "mistral-ocr-latest", "document": {
                "type": "document_url", "document_url": "data:application/pdf;base64,JVBERi0xLjcgaGVsbG8=", "document_name": "scan.pdf"}}));
            then.status(200).json_body(response());
        })
        .await;
    let png_mock = server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/ocr").json_body(json!({"model": "mistral-ocr-latest", "document": {
                "type": "image_url", "image_url": "data:image/png;base64,iVBORw0KGgoAAAANSUhEUg=="}}));
            then.status(200).json_body(response());
        })
        .await;
    let docx_mock = server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/ocr").json_body_includes(
                r#"{"document": {"type": "document_url", "document_url": "data:application/vnd.openxmlformats-officedocument.wordprocessingml.document;base64,UEsDBA=="}}"#,
            );
            then.status(200).json_body(response());
        })
        .await;
    let client = support::client(&server.base_url());
    let ocr = client.ocr();
    ocr.process(OcrRequest::new("mistral-ocr-latest", Document::path(&pdf).name("scan.pdf"))).await.unwrap();
    ocr.process(OcrRequest::new("mistral-ocr-latest", Document::path(&png))).await.unwrap();
    ocr.process(OcrRequest::new("mistral-ocr-latest", Document::path(&docx))).await.unwrap();
    // Read now, bytes, and typed bytes: the same wire documents.
    ocr.process(OcrRequest::new("mistral-ocr-latest", Document::data(PNG))).await.unwrap();
    ocr.process(OcrRequest::new("mistral-ocr-latest", Document::read(&png).unwrap())).await.unwrap();
    ocr.process(OcrRequest::new("mistral-ocr-latest", Document::bytes(PNG, "image/png"))).await.unwrap();
    pdf_mock.assert_calls_async(1).await;
    png_mock.assert_calls_async(4).await;
    docx_mock.assert_calls_async(1).await;

    let unknown = dir.path().join("notes.txt");
    std::fs::write(&unknown, b"plain text").unwrap();
    for document in [Document::path(&unknown), Document::data(b"plain"), Document::file_id("nope")] {
        match ocr.process(OcrRequest::new("mistral-ocr-latest", document)).await {
            Err(Error::InvalidRequest(_)) => {}
            other => panic!("{other:?}"),
        }
    }
    assert!(matches!(
        ocr.process(OcrRequest::new("mistral-ocr-latest", Document::path(dir.path().join("missing.pdf")))).await,
        Err(Error::Io { .. })
    ));
    assert!(matches!(
        ocr.process(OcrRequest::new("", Document::file_id(FILE_ID))).await,
        Err(Error::InvalidRequest(m)) if m.contains("model")
    ));
}

#[tokio::test]
async fn a_large_file_is_uploaded_first_then_read_by_id() {
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("book.pdf");
    std::fs::write(&pdf, b"%PDF-1.7 a long book").unwrap();
    let server = MockServer::start_async().await;
    let upload = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v1/files")
                .body_includes("name=\"purpose\"\r\n\r\nocr\r\n")
                .body_includes("filename=\"book.pdf\"")
                .body_includes("%PDF-1.7 a long book");
            then.status(200).json_body(json!({"id": FILE_ID, "object": "file", "bytes": 20, "created_at": 1,
                "filename": "book.pdf", "purpose": "ocr", "sample_type": "ocr_input", "source": "upload"}));
        })
        .await;
    let ocr = server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/ocr").json_body(json!({"model": "mistral-ocr-latest",
                "document": {"type": "file", "file_id": FILE_ID}}));
            then.status(200).json_body(response());
        })
        .await;
    let client = support::client(&server.base_url());
    client.ocr().process(OcrRequest::new("mistral-ocr-latest", Document::upload(&pdf))).await.unwrap();
    client.ocr().process(OcrRequest::new("mistral-ocr-latest", Document::file_id(FILE_ID))).await.unwrap();
    upload.assert_calls_async(1).await;
    ocr.assert_calls_async(2).await;
}

#[tokio::test]
async fn errors_and_retries() {
    let server = MockServer::start_async().await;
    let unavailable = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v1/ocr")
                .json_body_includes(r#"{"document": {"document_url": "https://example.com/a.pdf"}}"#);
            then.status(503).body("upstream busy");
        })
        .await;
    unavailable.up_to_n_times_async(1).await;
    let ok = server
        .mock_async(|when, then| {
            when.method(POST)
                .path("/v1/ocr")
                .json_body_includes(r#"{"document": {"document_url": "https://example.com/a.pdf"}}"#);
            then.status(200).json_body(response());
        })
        .await;
    let invalid = server
        .mock_async(|when, then| {
            when.method(POST).path("/v1/ocr").json_body_includes(r#"{"document": {"document_url": "https://example.com/b.pdf"}}"#);
            then.status(422).json_body(json!({"object": "error", "message": {"detail": [{"type": "missing",
                "loc": ["body", "document", "document_url"], "msg": "Field required"}]}, "type": "invalid_request_error",
                "param": null, "code": null}));
        })
        .await;
    let client = support::client(&server.base_url());
    let answer =
        client.ocr().process(OcrRequest::new("mistral-ocr-latest", Document::url("https://example.com/a.pdf"))).await;
    assert_eq!(answer.unwrap().pages.len(), 2, "OCR is safe to repeat: the 503 was retried");
    unavailable.assert_calls_async(1).await;
    ok.assert_calls_async(1).await;
    let e = client
        .ocr()
        .process(OcrRequest::new("mistral-ocr-latest", Document::url("https://example.com/b.pdf")))
        .await
        .unwrap_err();
    match &e.api().unwrap().kind {
        ApiErrorKind::Validation(fields) => assert_eq!(fields[0].loc, "body.document.document_url"),
        other => panic!("{other:?}"),
    }
    invalid.assert_calls_async(1).await;
}

#[test]
fn ocr_requests_run_in_batches_once_their_files_are_read() {
    use mistral_sdk::BatchRequest;
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("a.pdf");
    std::fs::write(&pdf, b"%PDF-1.7").unwrap();
    let read = OcrRequest::new("mistral-ocr-latest", Document::read(&pdf).unwrap());
    let job =
        BatchRequest::for_operation(&mistral_openapi::operations::OCR_V1_OCR_POST).request("a", read).build().unwrap();
    let body = &serde_json::to_value(job).unwrap()["requests"][0]["body"];
    assert_eq!(body["document"]["document_url"], "data:application/pdf;base64,JVBERi0xLjc=");
    // A file read only when sent cannot be written into a batch.
    let lazy = OcrRequest::new("mistral-ocr-latest", Document::path(&pdf));
    assert!(serde_json::to_value(&lazy).unwrap_err().to_string().contains("Document::read"));
}

/// Against the embedded mock, which checks the request against the spec and answers the
/// spec's example (it does not read documents yet).
#[tokio::test]
async fn process_against_the_mock() {
    let mock = mistral_mock::MockServer::start().await.unwrap();
    let client = mistral_sdk::Client::builder().api_key(mock.api_key()).base_url(mock.base_url()).build().unwrap();
    let request = OcrRequest::new("mistral-ocr-latest", Document::data(PNG))
        .pages([0])
        .include_image_base64(true)
        .bbox_annotation::<Figure>()
        .document_annotation::<Invoice>();
    let response = client.ocr().process(request).await.unwrap();
    assert!(!response.pages.is_empty());
    let sent = mock.received_for(&mistral_openapi::operations::OCR_V1_OCR_POST);
    let body = sent[0].body.as_ref().unwrap();
    assert_eq!(body["document"]["type"], "image_url");
    assert_eq!(body["document_annotation_format"]["json_schema"]["name"], "Invoice");
}
