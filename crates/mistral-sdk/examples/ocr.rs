//! OCR of a small PDF, with a typed document annotation: `cargo run -p mistral-sdk --example ocr`
//! (or `-- FILE` for your own PDF or image).

mod common;

use mistral_sdk::{Document, OcrRequest, OcrResponseExt};

/// What the document says.
#[derive(schemars::JsonSchema, serde::Deserialize)]
struct Summary {
    /// The document's title.
    title: String,
    /// Its language, two letters.
    language: String,
}

/// A one-page PDF saying "Invoice 42: total 99.50 EUR".
const PDF: &str = "%PDF-1.4
1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj
2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 /MediaBox [0 0 612 792] >> endobj
3 0 obj << /Type /Page /Parent 2 0 R /Contents 4 0 R >> endobj
4 0 obj << /Length 55 >> stream
BT /F1 24 Tf 72 720 Td (Invoice 42: total 99.50 EUR) Tj ET
endstream endobj
trailer << /Root 1 0 R >>
%%EOF
";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let target = common::connect().await?;
    let document = match std::env::args().nth(1) {
        Some(path) => Document::path(path),
        None => Document::data(PDF.as_bytes()),
    };
    let request =
        OcrRequest::new("mistral-ocr-latest", document).include_image_base64(true).document_annotation::<Summary>();
    let response = target.client.ocr().process(request).await?;
    for page in &response.pages {
        let size = page.dimensions.as_ref().map(|d| format!("{}x{} px", d.width, d.height)).unwrap_or_default();
        println!("## page {} ({size}, {} images)\n{}", page.index, page.images.len(), page.markdown);
    }
    println!("{} page(s) read", response.usage_info.pages_processed);
    match response.document_annotation_as::<Summary>() {
        Ok(summary) => println!("annotation: {:?} (language {})", summary.title, summary.language),
        Err(e) => println!("no usable annotation: {e}"),
    }
    Ok(())
}
