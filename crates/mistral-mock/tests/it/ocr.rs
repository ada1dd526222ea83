//! OCR: a PDF's text read back page by page, text documents, images, page selection,
//! annotations valid against their schemas, the page options, errors.

use reqwest::Method;
use serde_json::{Value, json};

use crate::{Mock, base64, within};

const OCR: &str = "ocr_v1_ocr_post";

/// A two-page PDF: text shown with `Tj`, `TJ` and a hex string, the second page in A4.
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

/// The first bytes of a PNG of this size (enough for its header to be read).
fn png(width: u32, height: u32) -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
    png.extend_from_slice(&width.to_be_bytes());
    png.extend_from_slice(&height.to_be_bytes());
    png.extend_from_slice(&[8, 6, 0, 0, 0]);
    png
}

async fn upload(m: &Mock, name: &str, bytes: Vec<u8>) -> String {
    let part = reqwest::multipart::Part::bytes(bytes).file_name(name.to_string());
    let form = reqwest::multipart::Form::new().text("purpose", "ocr").part("file", part);
    let r = m.call("files_api_routes_upload_file", m.request(Method::POST, "/v1/files").multipart(form)).await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.body["id"].as_str().expect("id").to_string()
}

async fn ocr(m: &Mock, body: Value) -> crate::Reply {
    m.post(OCR, "/v1/ocr", body).await
}

fn markdowns(r: &crate::Reply) -> Vec<String> {
    r.body["pages"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|p| p["markdown"].as_str().unwrap_or("?").to_string())
        .collect()
}

#[tokio::test]
async fn a_text_pdf_reads_back_page_by_page() {
    within(20, async {
        let m = Mock::start().await;
        let bytes = pdf();
        let size = bytes.len();
        let file = upload(&m, "report.pdf", bytes.clone()).await;
        let r = ocr(&m, json!({"model": "mistral-ocr-latest", "document": {"type": "file", "file_id": file}})).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(markdowns(&r), ["Quarterly report\nRevenue grew by 12% in Q3.", "Costs fell too.\nSee notes."]);
        let page = &r.body["pages"][0];
        assert_eq!(page["index"], 0);
        assert_eq!(page["dimensions"], json!({"dpi": 200, "width": 1700, "height": 2200}));
        assert_eq!(r.body["pages"][1]["dimensions"], json!({"dpi": 200, "width": 1653, "height": 2339}));
        assert_eq!((&page["images"], &page["tables"], &page["header"]), (&json!([]), &json!([]), &Value::Null));
        assert_eq!(r.body["usage_info"], json!({"pages_processed": 2, "doc_size_bytes": size}));
        assert_eq!((&r.body["model"], &r.body["document_annotation"]), (&json!("mistral-ocr-latest"), &Value::Null));

        // The same bytes as a data URL read the same.
        let url = format!("data:application/pdf;base64,{}", base64(&bytes));
        let same =
            ocr(&m, json!({"model": "mistral-ocr-latest", "document": {"type": "document_url", "document_url": url}}))
                .await;
        assert_eq!(same.body, r.body);

        // Only the pages asked for, with their own indexes.
        let one = ocr(
            &m,
            json!({"model": "mistral-ocr-latest", "pages": [1], "document": {"type": "file", "file_id": file}}),
        )
        .await;
        assert_eq!(
            (markdowns(&one), &one.body["pages"][0]["index"]),
            (vec!["Costs fell too.\nSee notes.".to_string()], &json!(1))
        );
        assert_eq!(one.body["usage_info"]["pages_processed"], 1);
        let ranged = ocr(
            &m,
            json!({"model": "mistral-ocr-latest", "pages": "0-5", "document": {"type": "file", "file_id": file}}),
        )
        .await;
        assert_eq!(ranged.body["usage_info"]["pages_processed"], 2);
    })
    .await;
}

#[tokio::test]
async fn text_documents_and_header_footer_blocks_confidence() {
    within(20, async {
        let m = Mock::start().await;
        let text = "Weekly notes\nThe build is green.\n\nDeploy on Friday: https://example.com/deploy.\nPage 1\x0cSecond page.";
        let url = format!("data:text/plain;base64,{}", base64(text.as_bytes()));
        let r = ocr(
            &m,
            json!({"model": "mistral-ocr-latest", "document": {"type": "document_url", "document_url": url},
                   "extract_header": true, "extract_footer": true, "include_blocks": true,
                   "confidence_scores_granularity": "word"}),
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.text);
        let page = &r.body["pages"][0];
        assert_eq!((&page["header"], &page["footer"]), (&json!("Weekly notes"), &json!("Page 1")));
        assert_eq!(page["markdown"], "The build is green.\n\nDeploy on Friday: https://example.com/deploy.");
        assert_eq!(page["hyperlinks"], json!(["https://example.com/deploy"]));
        assert_eq!(page["blocks"].as_array().map(Vec::len), Some(2));
        assert_eq!(page["blocks"][1]["content"], "Deploy on Friday: https://example.com/deploy.");
        let words = page["confidence_scores"]["word_confidence_scores"].as_array().expect("word scores");
        assert_eq!(words.len(), 8);
        assert_eq!((&words[1]["text"], &words[1]["start_index"]), (&json!("build"), &json!(4)));
        // A page of one line: it is the header.
        let second = &r.body["pages"][1];
        assert_eq!((&second["header"], &second["markdown"]), (&json!("Second page."), &json!("")));
    })
    .await;
}

#[tokio::test]
async fn images_are_a_page_of_their_size_with_annotations_that_fit_the_schemas() {
    within(20, async {
        let m = Mock::start().await;
        let bytes = png(320, 240);
        let url = format!("data:image/png;base64,{}", base64(&bytes));
        let bbox_schema = json!({"type": "object", "properties": {"kind": {"type": "string", "enum": ["chart", "photo"]},
            "summary": {"type": "string"}}, "required": ["kind", "summary"], "additionalProperties": false});
        let doc_schema = json!({"type": "object", "properties": {"language": {"type": "string"},
            "pages": {"type": "integer", "minimum": 1}, "topics": {"type": "array", "items": {"type": "string"}, "minItems": 1}},
            "required": ["language", "pages", "topics"]});
        let body = json!({
            "model": "mistral-ocr-latest", "document": {"type": "image_url", "image_url": url},
            "include_image_base64": true,
            "bbox_annotation_format": {"type": "json_schema", "json_schema": {"name": "figure", "schema": bbox_schema}},
            "document_annotation_format": {"type": "json_schema", "json_schema": {"name": "doc", "schema": doc_schema}},
            "document_annotation_prompt": "Say language=fr.",
        });
        let r = ocr(&m, body.clone()).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let page = &r.body["pages"][0];
        assert_eq!(page["dimensions"], json!({"dpi": 72, "width": 320, "height": 240}));
        let image = &page["images"][0];
        assert_eq!(image["id"], "img-0.png");
        assert_eq!((&image["bottom_right_x"], &image["bottom_right_y"]), (&json!(320), &json!(240)));
        assert_eq!(image["image_base64"], url);
        assert!(page["markdown"].as_str().is_some_and(|md| md.ends_with("![img-0.png](img-0.png)")), "{page}");
        for (text, schema) in [(&image["image_annotation"], &bbox_schema), (&r.body["document_annotation"], &doc_schema)] {
            let value: Value = serde_json::from_str(text.as_str().expect("an annotation")).expect("JSON text");
            let validator = jsonschema::validator_for(schema).expect("schema compiles");
            assert!(validator.is_valid(&value), "{value} does not fit {schema}");
        }
        let annotation: Value = serde_json::from_str(r.body["document_annotation"].as_str().unwrap_or("{}")).unwrap_or_default();
        assert_eq!(annotation["language"], "fr", "from the prompt");
        assert_eq!(ocr(&m, body).await.body, r.body, "deterministic");

        // Without base64, and with a minimum size the image does not reach.
        let small = ocr(&m, json!({"model": "mistral-ocr-latest", "document": {"type": "image_url", "image_url": {"url": url}},
                                   "image_min_size": 500})).await;
        assert_eq!(small.body["pages"][0]["images"], json!([]));
        let plain = ocr(&m, json!({"model": "mistral-ocr-latest", "document": {"type": "image_url", "image_url": url}})).await;
        assert_eq!(plain.body["pages"][0]["images"][0]["image_base64"], Value::Null);
    })
    .await;
}

#[tokio::test]
async fn remote_documents_get_plausible_pages_and_errors_are_the_apis() {
    within(20, async {
        let m = Mock::start().await;
        let remote = json!({"model": "mistral-ocr-latest",
                            "document": {"type": "document_url", "document_url": "https://example.com/annual-budget.pdf"}});
        let r = ocr(&m, remote.clone()).await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert!(!markdowns(&r).is_empty());
        assert!(markdowns(&r)[0].starts_with("# Annual budget (1)"), "{:?}", markdowns(&r));
        assert_eq!(r.body["usage_info"]["doc_size_bytes"], Value::Null);
        assert_eq!(ocr(&m, remote).await.body, r.body);

        let r = ocr(&m, json!({"model": "mistral-small-latest", "document": {"type": "document_url", "document_url": "https://x/a.pdf"}}))
            .await;
        assert_eq!(r.status, 400);
        let r = ocr(&m, json!({"model": "mistral-ocr-latest", "document": {"type": "file", "file_id": "7c2f8a61-3b4d-4e5f-9a0b-1c2d3e4f5a6b"}}))
            .await;
        assert_eq!(r.status, 404);
        let r = ocr(&m, json!({"model": "mistral-ocr-latest", "document": {"type": "document_url", "document_url": "https://x/a.pdf"},
                               "pages": "first"}))
            .await;
        assert_eq!(r.status, 422);
        assert_eq!(ocr(&m, json!({"document": {"type": "document_url", "document_url": "https://x"}})).await.status, 422);
    })
    .await;
}
