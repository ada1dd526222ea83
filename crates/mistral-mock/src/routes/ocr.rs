//! `POST /v1/ocr`: a document (an uploaded file, a `data:` URL or a remote URL) read into
//! markdown pages, deterministically.
//!
//! What can be read is read: a PDF's text (see `crate::pdf`), a text document's text (a page
//! per form feed); an image is one page of its own size with the image on it. What cannot (a
//! remote URL, which the mock never fetches, a compressed PDF page, an office document) gets
//! plausible text derived from its name and bytes. Options shape the pages: `pages`,
//! `include_image_base64`, `image_limit`, `image_min_size`, `extract_header`/`extract_footer`,
//! `include_blocks`, `confidence_scores_granularity`, and the annotation formats, answered with
//! instances of their JSON schemas.

use std::sync::Arc;

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::HeaderMap;
use mistral_openapi::operations::{self as ops, Operation};
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::api_error::{ApiError, Detail, loc};
use crate::app::App;
use crate::arguments::Context;
use crate::routes::chat::input::image_size;
use crate::routes::files::file_bytes;
use crate::routes::models::{self, Capability};
use crate::text::{self, hash64, mix};
use crate::validate::{parse_json, read_body};

/// The operation of this endpoint in the spec.
const OPERATION: &Operation = &ops::OCR_V1_OCR_POST;

/// The model when the request names none (`model: null`).
const DEFAULT_MODEL: &str = "mistral-ocr-latest";

/// Pages are rendered at this resolution, as the live service reports it.
const DPI: u64 = 200;

/// A page as read, before the options shape it.
struct Read {
    markdown: String,
    /// Width and height in pixels, at `dpi`.
    size: (u64, u64),
    dpi: u64,
    images: Vec<Picture>,
}

/// An image found on a page.
struct Picture {
    id: String,
    /// Top-left and bottom-right corners, in pixels.
    bbox: (u64, u64, u64, u64),
    /// A `data:` URL of its bytes, when they are known.
    data_url: Option<String>,
}

/// The document as given: its bytes (with a media type and a name) or only a URL.
enum Source {
    Bytes { bytes: Vec<u8>, media: String, name: String },
    Remote { url: String, image: bool },
}

/// `POST /v1/ocr`
pub(crate) async fn process(
    State(app): State<Arc<App>>,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Value>, ApiError> {
    let bytes = read_body(body, &headers, app.options.body_limit).await?;
    let request = parse_json(&bytes)?;
    app.validators.check(OPERATION, &request)?;
    let model = request.get("model").and_then(Value::as_str).unwrap_or(DEFAULT_MODEL).to_string();
    models::check(&app, &model, Capability::Ocr)?;
    let source = source(&app, request.get("document").unwrap_or(&Value::Null)).await?;
    let (all, size) = match &source {
        Source::Bytes { bytes, media, name } => (read(bytes, media, name), Some(bytes.len())),
        Source::Remote { url, image } => (remote(url, *image), None),
    };
    let selected = select(&request, all.len())?;
    let options = Options::of(&request);
    let mut images_left = options.image_limit;
    let mut pages = Vec::new();
    for index in selected {
        let Some(page) = all.get(index) else { continue };
        pages.push(options.page(index, page, &mut images_left));
    }
    let full_text: Vec<&str> = all.iter().map(|p| p.markdown.as_str()).collect();
    let document_annotation = annotation(&request, "document_annotation_format", &full_text.join("\n\n"), 0);
    Ok(Json(json!({
        "pages": pages,
        "model": model,
        "document_annotation": document_annotation,
        "usage_info": {"pages_processed": pages.len(), "doc_size_bytes": size},
    })))
}

/// Where the document's bytes are: an uploaded file, a `data:` URL, or a remote URL.
async fn source(app: &App, document: &Value) -> Result<Source, ApiError> {
    let text = |key: &str| document.get(key).and_then(Value::as_str);
    let url = match document.get("type").and_then(Value::as_str) {
        Some("file") => {
            let raw = text("file_id").unwrap_or_default();
            let missing = || ApiError::not_found(format!("No file with id {raw}"));
            let id = Uuid::try_parse(raw).map_err(|_| missing())?;
            let (meta, bytes) = file_bytes(app, id).await.ok_or_else(missing)?;
            let media = meta.mimetype.unwrap_or_default();
            return Ok(Source::Bytes { bytes: bytes.to_vec(), media, name: meta.filename });
        }
        Some("document_url") => (text("document_url").unwrap_or_default(), false),
        Some("image_url") => {
            let image = document.get("image_url");
            let url = image.and_then(Value::as_str).or_else(|| image?.get("url")?.as_str());
            (url.unwrap_or_default(), true)
        }
        other => {
            let at = loc("body", &["document".into(), "type".into()]);
            let msg = "Input tag should be 'file', 'document_url' or 'image_url'";
            let input = other.map_or(Value::Null, Value::from);
            return Err(ApiError::invalid(Detail::new("union_tag_invalid", at, msg).with_input(input)));
        }
    };
    let (url, image) = url;
    match crate::base64::data_url_media(url) {
        Some(media) => {
            let name = text("document_name").unwrap_or("document").to_string();
            Ok(Source::Bytes { bytes: crate::base64::data_url_bytes(url), media: media.to_string(), name })
        }
        None => Ok(Source::Remote { url: url.to_string(), image }),
    }
}

/// The topic of a document, from its name or URL (`quarterly-report.pdf`: `quarterly report`).
fn topic(name: &str) -> String {
    let last = name.rsplit('/').find(|s| !s.is_empty()).unwrap_or(name);
    let stem = last.split(['?', '#']).next().unwrap_or(last);
    let stem = stem.rsplit_once('.').map_or(stem, |(s, _)| s);
    let words: Vec<String> = stem.split(['-', '_', ' ', '.']).filter(|w| w.len() >= 3).map(str::to_lowercase).collect();
    if words.is_empty() { "the document".to_string() } else { words.join(" ") }
}

/// A page of plausible text about `topic`: a heading and two paragraphs.
fn plausible(topic: &str, seed: u64, index: usize) -> String {
    let sentences = text::statements(topic, mix(seed ^ index as u64), 6);
    format!(
        "# {} ({})\n\n{}\n\n{}",
        text::capitalize(topic),
        index + 1,
        sentences[..3].join(" "),
        sentences[3..].join(" ")
    )
}

/// US Letter at [`DPI`].
const LETTER: (u64, u64) = (17 * DPI / 2, 11 * DPI);

/// The pages of a document's bytes.
fn read(bytes: &[u8], media: &str, name: &str) -> Vec<Read> {
    let seed = hash64(bytes);
    if let Some(pages) = crate::pdf::pages(bytes) {
        let pixels = |points: f64| (points * DPI as f64 / 72.0).round() as u64;
        return pages
            .iter()
            .enumerate()
            .map(|(i, p)| Read {
                markdown: p.text.clone().unwrap_or_else(|| plausible(&topic(name), seed, i)),
                size: (pixels(p.size.0), pixels(p.size.1)),
                dpi: DPI,
                images: Vec::new(),
            })
            .collect();
    }
    if let Some((width, height)) = image_size(bytes) {
        let extension = media.strip_prefix("image/").unwrap_or("png").replace("jpeg", "jpg");
        let id = format!("img-0.{extension}");
        let caption = text::statements(&topic(name), seed, 2).join(" ");
        let encoded = crate::base64::encode(bytes);
        let picture = Picture {
            id: id.clone(),
            bbox: (0, 0, width, height),
            data_url: Some(format!("data:{media};base64,{encoded}")),
        };
        return vec![Read {
            markdown: format!("{caption}\n\n![{id}]({id})"),
            size: (width, height),
            dpi: 72,
            images: vec![picture],
        }];
    }
    let textual = media.starts_with("text/") || media.contains("json") || media.contains("markdown");
    match std::str::from_utf8(bytes) {
        Ok(text) if textual || !text.contains('\0') => text
            .split('\u{c}')
            .map(|page| Read { markdown: page.trim_end().to_string(), size: LETTER, dpi: DPI, images: Vec::new() })
            .collect(),
        // An office document or anything else: a page per 50 kB of plausible text.
        _ => (0..(bytes.len() / 50_000).clamp(1, 20))
            .map(|i| Read { markdown: plausible(&topic(name), seed, i), size: LETTER, dpi: DPI, images: Vec::new() })
            .collect(),
    }
}

/// The pages of a document the mock cannot fetch: plausible, from its URL.
fn remote(url: &str, image: bool) -> Vec<Read> {
    let seed = hash64(url.as_bytes());
    if image {
        let caption = text::statements(&topic(url), seed, 2).join(" ");
        let picture = Picture { id: "img-0.jpeg".into(), bbox: (0, 0, 1024, 768), data_url: None };
        return vec![Read {
            markdown: format!("{caption}\n\n![img-0.jpeg](img-0.jpeg)"),
            size: (1024, 768),
            dpi: 72,
            images: vec![picture],
        }];
    }
    (0..1 + (seed % 3) as usize)
        .map(|i| Read { markdown: plausible(&topic(url), seed, i), size: LETTER, dpi: DPI, images: Vec::new() })
        .collect()
}

/// The pages asked for (`pages`: `[0, 2]` or `"0,2-3"`, from 0), in order, without repeats;
/// every page without `pages`. Pages past the end are left out.
fn select(request: &Value, count: usize) -> Result<Vec<usize>, ApiError> {
    let invalid = |raw: &str| {
        let at = loc("body", &["pages".into()]);
        ApiError::invalid(
            Detail::new("value_error", at, "Value error, pages must be page numbers from 0 or ranges such as 2-5")
                .with_input(Value::from(raw)),
        )
    };
    // Ranges marked on a difference array: linear in the request and the page count.
    let mut marks = vec![0i64; count + 1];
    let mut mark = |from: usize, to: usize| {
        if from < count && from <= to {
            marks[from] += 1;
            marks[to.min(count - 1) + 1] -= 1;
        }
    };
    match request.get("pages") {
        None | Some(Value::Null) => return Ok((0..count).collect()),
        Some(Value::Array(items)) => {
            for n in items.iter().filter_map(Value::as_u64) {
                let n = usize::try_from(n).unwrap_or(usize::MAX);
                mark(n, n);
            }
        }
        Some(Value::String(spec)) => {
            for part in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                let (from, to) = part.split_once('-').unwrap_or((part, part));
                let (Ok(from), Ok(to)) = (from.trim().parse::<usize>(), to.trim().parse::<usize>()) else {
                    return Err(invalid(spec));
                };
                mark(from, to);
            }
        }
        Some(other) => return Err(invalid(&other.to_string())),
    }
    let mut depth = 0;
    Ok((0..count)
        .filter(|i| {
            depth += marks[*i];
            depth > 0
        })
        .collect())
}

/// The options that shape each page.
struct Options<'a> {
    request: &'a Value,
    include_base64: bool,
    image_limit: Option<usize>,
    image_min_size: u64,
    header: bool,
    footer: bool,
    blocks: bool,
    confidence: Option<String>,
}

impl<'a> Options<'a> {
    fn of(request: &'a Value) -> Options<'a> {
        let flag = |key: &str| request.get(key).and_then(Value::as_bool).unwrap_or(false);
        let number = |key: &str| request.get(key).and_then(Value::as_u64);
        Options {
            request,
            include_base64: flag("include_image_base64"),
            image_limit: number("image_limit").map(|n| usize::try_from(n).unwrap_or(usize::MAX)),
            image_min_size: number("image_min_size").unwrap_or(0),
            header: flag("extract_header"),
            footer: flag("extract_footer"),
            blocks: flag("include_blocks"),
            confidence: request.get("confidence_scores_granularity").and_then(Value::as_str).map(str::to_string),
        }
    }

    /// Page `index` as the API sends it.
    fn page(&self, index: usize, read: &Read, images_left: &mut Option<usize>) -> Value {
        let mut lines: Vec<&str> = read.markdown.lines().collect();
        let header = self.header.then(|| take_line(&mut lines, true)).flatten();
        let footer = self.footer.then(|| take_line(&mut lines, false)).flatten();
        let markdown = lines.join("\n");
        let mut images = Vec::new();
        for picture in &read.images {
            let (x0, y0, x1, y1) = picture.bbox;
            if x1.saturating_sub(x0).min(y1.saturating_sub(y0)) < self.image_min_size
                || images_left.is_some_and(|n| n == 0)
            {
                continue;
            }
            if let Some(n) = images_left.as_mut() {
                *n -= 1;
            }
            let base64 = if self.include_base64 { picture.data_url.clone() } else { None };
            let context = format!("{markdown}\n{}", picture.id);
            images.push(json!({
                "id": picture.id, "top_left_x": x0, "top_left_y": y0, "bottom_right_x": x1, "bottom_right_y": y1,
                "image_base64": base64,
                "image_annotation": annotation(self.request, "bbox_annotation_format", &context, images.len() as u64 + 1),
            }));
        }
        let hyperlinks: Vec<&str> = markdown
            .split_whitespace()
            .map(|w| w.trim_matches(|c: char| matches!(c, '(' | ')' | '<' | '>' | ',' | '.')))
            .filter(|w| w.starts_with("http://") || w.starts_with("https://"))
            .collect();
        let (width, height) = read.size;
        let confidence = self.confidence.as_deref();
        json!({
            "index": index,
            "markdown": markdown,
            "images": images,
            "tables": [],
            "hyperlinks": hyperlinks,
            "header": header,
            "footer": footer,
            "dimensions": {"dpi": read.dpi, "height": height, "width": width},
            "confidence_scores": confidence.map(|granularity| page_confidence(&markdown, granularity == "word")),
            "blocks": self.blocks.then(|| blocks(&markdown, read.size, confidence == Some("block"))),
        })
    }
}

/// The first (or last) non-empty line, taken out of `lines`.
fn take_line(lines: &mut Vec<&str>, first: bool) -> Option<String> {
    let at = if first {
        lines.iter().position(|l| !l.trim().is_empty())?
    } else {
        lines.iter().rposition(|l| !l.trim().is_empty())?
    };
    Some(lines.remove(at).trim().to_string())
}

/// How sure the reader is of `word`: from 0.9 to 0.999, the same every time.
fn word_confidence(word: &str) -> f64 {
    (900.0 + (hash64(word.as_bytes()) % 100) as f64) / 1000.0
}

fn page_confidence(markdown: &str, words: bool) -> Value {
    let mut scores = Vec::new();
    let mut start = 0;
    for word in markdown.split_whitespace() {
        let at = markdown[start..].find(word).map_or(start, |i| start + i);
        scores.push(
            json!({"text": word, "confidence": word_confidence(word), "start_index": markdown[..at].chars().count()}),
        );
        start = at + word.len();
    }
    let values: Vec<f64> = markdown.split_whitespace().map(word_confidence).collect();
    let average = if values.is_empty() { 1.0 } else { values.iter().sum::<f64>() / values.len() as f64 };
    let minimum = values.iter().copied().fold(1.0, f64::min);
    let mut out = json!({
        "average_page_confidence_score": (average * 1000.0).round() / 1000.0,
        "minimum_page_confidence_score": minimum,
    });
    if words {
        out["word_confidence_scores"] = Value::Array(scores);
    }
    out
}

/// One block per paragraph, stacked down the page between margins (`#` lines are titles).
fn blocks(markdown: &str, (width, height): (u64, u64), scored: bool) -> Vec<Value> {
    let paragraphs: Vec<&str> = markdown.split("\n\n").map(str::trim).filter(|p| !p.is_empty()).collect();
    let margin = width / 10;
    let band = (height.saturating_sub(2 * margin)) / paragraphs.len().max(1) as u64;
    paragraphs
        .iter()
        .enumerate()
        .map(|(i, paragraph)| {
            let top = margin + band * i as u64;
            let kind = if paragraph.starts_with('#') { "title" } else { "text" };
            let scores = scored.then(|| {
                let values: Vec<f64> = paragraph.split_whitespace().map(word_confidence).collect();
                let average = values.iter().sum::<f64>() / values.len().max(1) as f64;
                json!({"average_content_confidence_score": (average * 1000.0).round() / 1000.0,
                       "minimum_content_confidence_score": values.iter().copied().fold(1.0, f64::min),
                       "block_type_confidence_score": 0.99})
            });
            json!({
                "type": kind, "content": paragraph, "confidence_scores": scores,
                "top_left_x": margin, "top_left_y": top,
                "bottom_right_x": width.saturating_sub(margin).max(margin), "bottom_right_y": top + band * 4 / 5,
            })
        })
        .collect()
}

/// The annotation asked for by the format at `key`: an instance of its JSON schema (as JSON
/// text), a JSON object for `json_object`, a sentence for `text`; `None` without a format.
fn annotation(request: &Value, key: &str, context: &str, salt: u64) -> Option<String> {
    let format = request.get(key).filter(|f| !f.is_null())?;
    let prompt = request.get("document_annotation_prompt").and_then(Value::as_str).unwrap_or_default();
    let text = format!("{prompt}\n{context}");
    let ctx = Context::new(&text, mix(hash64(text.as_bytes()) ^ salt));
    match format.get("type").and_then(Value::as_str) {
        Some("json_schema") => {
            let empty = Map::new();
            let schema = format.pointer("/json_schema/schema").and_then(Value::as_object).unwrap_or(&empty);
            Some(crate::structured::answer(schema, &ctx))
        }
        Some("json_object") => Some(crate::structured::object(&ctx)),
        _ => {
            let keys = text::keywords(context);
            let about = if keys.is_empty() {
                "nothing in particular".to_string()
            } else {
                keys[..keys.len().min(3)].join(", ")
            };
            Some(format!("A document about {about}."))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_selections() {
        let r = |pages: Value| select(&json!({"pages": pages}), 5);
        assert_eq!(r(json!("0, 2-3, 3")).ok(), Some(vec![0, 2, 3]));
        assert_eq!(r(json!([4, 1, 9])).ok(), Some(vec![1, 4]));
        assert_eq!(r(Value::Null).ok(), Some(vec![0, 1, 2, 3, 4]));
        assert_eq!(r(json!("3-1, 4-99999999999")).ok(), Some(vec![4]));
        assert!(r(json!("one")).is_err());
    }

    #[test]
    fn topics_from_names() {
        assert_eq!(topic("https://example.com/docs/quarterly-report.pdf?x=1"), "quarterly report");
        assert_eq!(topic("a.pdf"), "the document");
    }

    #[test]
    fn text_documents_split_at_form_feeds() {
        let pages = read(b"First page\n\x0cSecond page\n", "text/plain", "notes.txt");
        let texts: Vec<&str> = pages.iter().map(|p| p.markdown.as_str()).collect();
        assert_eq!(texts, ["First page", "Second page"]);
    }
}
