//! `mistral ocr PATH|URL`: a document or an image read into markdown pages.

use std::io::Write;
use std::path::Path;

use mistral_sdk::{Document, OcrImageExt, OcrRequest, OcrResponseExt};

use crate::cli::OcrArgs;
use crate::output;
use crate::{Ctx, Failure};

const IMAGE_EXTENSIONS: &[&str] = &["png", "jpg", "jpeg", "gif", "webp", "avif"];

pub(crate) async fn run(ctx: &mut Ctx<'_, '_>, args: &OcrArgs) -> Result<(), Failure> {
    let mut request = OcrRequest::new(&args.model, document(&args.document));
    if let Some(pages) = &args.pages {
        request = request.pages_spec(pages);
    }
    if args.images.is_some() {
        request = request.include_image_base64(true);
    }
    if ctx.json && args.output.is_none() && args.images.is_none() {
        // The server's bytes, nothing to write elsewhere.
        output::fetch(true, ctx.out, ctx.client.ocr().process(request)).await?;
        return Ok(());
    }
    let response = ctx.client.ocr().process(request).await?;
    let markdown = response.markdown();
    match &args.output {
        Some(path) => {
            std::fs::write(path, &markdown).map_err(|e| write_error(path, e))?;
            if !ctx.json {
                let pages = response.pages.len();
                writeln!(ctx.out, "wrote {} ({pages} page{})", path.display(), if pages == 1 { "" } else { "s" })?;
            }
        }
        None => {
            ctx.out.write_all(markdown.as_bytes())?;
            ctx.out.finish_line()?;
        }
    }
    if let Some(dir) = &args.images {
        std::fs::create_dir_all(dir).map_err(|e| write_error(dir, e))?;
        for image in response.images() {
            let Some(bytes) = image.image_bytes() else { continue };
            // The id names the file in the markdown (`![img-0.jpeg](img-0.jpeg)`); keep only its
            // last path component so a server cannot write outside DIR.
            let name = Path::new(&image.id).file_name().map(|n| n.to_string_lossy().into_owned());
            let Some(name) = name.filter(|n| !n.is_empty() && n != "..") else { continue };
            let path = dir.join(name);
            std::fs::write(&path, bytes?).map_err(|e| write_error(&path, e))?;
        }
    }
    Ok(())
}

/// A URL as the server fetches it (an image URL when it names an image), or a local file
/// sent inline.
fn document(source: &str) -> Document {
    let is_url = ["http://", "https://", "data:"].iter().any(|p| source.starts_with(p));
    if !is_url {
        return Document::path(source);
    }
    let extension = source.rsplit('.').next().map(|e| e.split(['?', '#']).next().unwrap_or(e).to_lowercase());
    let image = source.starts_with("data:image/") || extension.is_some_and(|e| IMAGE_EXTENSIONS.contains(&e.as_str()));
    if image { Document::image_url(source) } else { Document::url(source) }
}

fn write_error(path: &Path, e: std::io::Error) -> Failure {
    Failure::Message(format!("cannot write {}: {e}", path.display()))
}
