//! `mistral ocr`, `mistral moderate`, `mistral classify`, in-process against the mock.

mod common;

use common::{cli, mock, within};
use mistral_openapi::operations as ops;
use serde_json::json;

/// A two-page PDF whose text the mock can read.
fn pdf() -> Vec<u8> {
    let pages = ["BT /F1 24 Tf 72 720 Td (Quarterly report) Tj ET", "BT /F1 12 Tf 72 760 Td (Revenue grew.) Tj ET"];
    let mut out = String::from("%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n");
    out.push_str("2 0 obj\n<< /Type /Pages /Kids [3 0 R 4 0 R] /Count 2 >>\nendobj\n");
    out.push_str("3 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 5 0 R >>\nendobj\n");
    out.push_str("4 0 obj\n<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 6 0 R >>\nendobj\n");
    for (n, content) in [(5, pages[0]), (6, pages[1])] {
        out.push_str(&format!("{n} 0 obj\n<< /Length {} >>\nstream\n{content}\nendstream\nendobj\n", content.len()));
    }
    out.push_str("trailer\n<< /Root 1 0 R >>\n%%EOF\n");
    out.into_bytes()
}

#[tokio::test]
async fn ocr_reads_a_local_pdf_into_markdown_pages() {
    within(20, async {
        let server = mock().await;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.pdf");
        std::fs::write(&path, pdf()).unwrap();
        let out = cli(&server, &["ocr", path.to_str().unwrap()]).await.ok().to_string();
        assert!(out.contains("Quarterly report") && out.contains("Revenue grew."), "{out}");
        assert!(out.find("Quarterly").unwrap() < out.find("Revenue").unwrap(), "pages in order: {out}");
        let sent = server.received_for(&ops::OCR_V1_OCR_POST);
        let body = sent[0].body.clone().unwrap();
        assert_eq!(body["model"], "mistral-ocr-latest");
        assert_eq!(body["document"]["type"], "document_url");
        assert!(body["document"]["document_url"].as_str().unwrap().starts_with("data:application/pdf;base64,JVBERi0"));

        // One page, to a file.
        let md = dir.path().join("page.md");
        let out = cli(&server, &["ocr", path.to_str().unwrap(), "--pages", "1", "-o", md.to_str().unwrap()]).await;
        assert_eq!(out.ok(), format!("wrote {} (1 page)\n", md.display()));
        let page = std::fs::read_to_string(&md).unwrap();
        assert!(page.contains("Revenue grew.") && !page.contains("Quarterly"), "{page}");
        let sent = server.received_for(&ops::OCR_V1_OCR_POST);
        assert_eq!(sent[1].body.as_ref().unwrap()["pages"], json!("1"));

        // A URL is the server's to fetch; an image URL is sent as one.
        cli(&server, &["ocr", "https://example.com/scan.PNG?x=1"]).await;
        let sent = server.received_for(&ops::OCR_V1_OCR_POST);
        assert_eq!(
            sent[2].body.as_ref().unwrap()["document"],
            json!({"type": "image_url", "image_url": "https://example.com/scan.PNG?x=1"})
        );
    })
    .await;
}

#[tokio::test]
async fn moderate_flags_what_is_harmful_and_classify_gives_labels() {
    within(20, async {
        let server = mock().await;
        let out = cli(&server, &["moderate", "I will kill you and burn your house", "What a lovely day for a picnic"])
            .await
            .ok()
            .to_string();
        let lines: Vec<&str> = out.lines().collect();
        assert!(lines[0].starts_with("TEXT") && lines[0].contains("FLAGGED"), "{out}");
        assert!(lines[1].contains(" yes ") && lines[1].contains("violence_and_threats"), "{out}");
        assert!(lines[2].contains(" no ") && lines[2].contains("(top: "), "{out}");
        let sent = server.received_for(&ops::MODERATIONS_V1_MODERATIONS_POST);
        assert_eq!(sent[0].body.as_ref().unwrap()["model"], "mistral-moderation-latest");

        let json = cli(&server, &["--json", "moderate", "hello"]).await.json();
        assert_eq!(json["results"].as_array().map(Vec::len), Some(1));

        let out = cli(&server, &["classify", "-m", "mistral-moderation-latest", "Buy cheap pills now"])
            .await
            .ok()
            .to_string();
        assert!(out.lines().nth(1).is_some_and(|l| l.contains(": ")), "a label per target: {out}");
        let sent = server.received_for(&ops::CLASSIFICATIONS_V1_CLASSIFICATIONS_POST);
        assert_eq!(sent[0].body.as_ref().unwrap()["input"], json!(["Buy cheap pills now"]));
    })
    .await;
}
