//! `mistral chat`: one prompt (with images and documents), the answer streamed (or not) to
//! stdout, the model's reasoning apart on stderr; with `--agent` / `--continue`, a conversation
//! with an agent (see `conversations`).

use std::io::Write;

use futures::StreamExt;
use mistral_sdk::types::{JsonSchema, KnownReasoningEffort, MistralPromptMode, ReasoningEffort};
use mistral_sdk::{ChatRequest, ChatResponseExt, Delta, Part};

use crate::cli::ChatArgs;
use crate::output;
use crate::{Ctx, Failure};

pub(crate) async fn run(ctx: &mut Ctx<'_, '_>, args: &ChatArgs) -> Result<(), Failure> {
    if args.agent.is_some() || args.continue_.is_some() {
        let prompt = match &args.prompt {
            Some(prompt) => prompt.clone(),
            None => read_stdin()?,
        };
        return super::conversations::chat(ctx, args, prompt).await;
    }
    let mut request = ChatRequest::new(&args.model);
    if let Some(system) = &args.system {
        request = request.system(system);
    }
    let prompt = match &args.prompt {
        Some(prompt) => prompt.clone(),
        None => read_stdin()?,
    };
    request = if args.image.is_empty() && args.document.is_empty() {
        request.user(prompt)
    } else {
        request.user_parts(parts(prompt, args)?)
    };
    if args.json_mode {
        request = request.json_mode();
    }
    if let Some(path) = &args.schema {
        request = request.json_schema_with(schema(path)?);
    }
    if args.reasoning {
        request = request.prompt_mode(MistralPromptMode::Reasoning);
    }
    if let Some(effort) = &args.reasoning_effort {
        // An effort this release does not know is sent as given (the enum is open).
        let effort = effort
            .parse::<KnownReasoningEffort>()
            .map_or_else(|_| ReasoningEffort::Other(effort.clone()), ReasoningEffort::Known);
        request = request.reasoning_effort(effort);
    }
    if let Some(t) = args.temperature {
        request = request.temperature(t);
    }
    if let Some(n) = args.max_tokens {
        request = request.max_tokens(n);
    }

    if args.no_stream {
        if let Some(response) = output::fetch(ctx.json, ctx.out, ctx.client.chat().create(request)).await? {
            let thinking = response.thinking();
            if !args.no_thinking && !thinking.is_empty() {
                let mut thoughts = Thoughts::new(ctx);
                thoughts.write(ctx, &thinking)?;
                thoughts.end(ctx)?;
            }
            write!(ctx.out, "{}", response.text())?;
            ctx.out.finish_line()?;
        }
        return Ok(());
    }

    let stream = ctx.client.chat().stream(request).await?;
    if ctx.json {
        // The server's own bytes, one event's data per line.
        let mut events = std::pin::pin!(stream.with_raw());
        while let Some(event) = events.next().await {
            let (_, data) = event?;
            writeln!(ctx.out, "{data}")?;
            ctx.out.flush()?;
        }
    } else {
        let mut deltas = std::pin::pin!(stream.deltas());
        let mut thoughts = Thoughts::new(ctx);
        while let Some(delta) = deltas.next().await {
            match delta?.delta {
                Delta::Thinking(text) if !args.no_thinking => thoughts.write(ctx, &text)?,
                Delta::Text(text) => {
                    thoughts.end(ctx)?;
                    ctx.out.write_all(text.as_bytes())?;
                    ctx.out.flush()?;
                }
                _ => {}
            }
        }
        thoughts.end(ctx)?;
        ctx.out.finish_line()?;
    }
    Ok(())
}

/// The prompt piped in (`echo hi | mistral chat`): all of stdin, trailing newline dropped.
fn read_stdin() -> Result<String, Failure> {
    use std::io::{IsTerminal, Read};
    let mut stdin = std::io::stdin();
    if stdin.is_terminal() {
        return Err(Failure::Message("no prompt: give one as an argument or pipe it on stdin".into()));
    }
    let mut prompt = String::new();
    stdin
        .read_to_string(&mut prompt)
        .map_err(|e| Failure::Message(format!("cannot read the prompt from stdin: {e}")))?;
    let prompt = prompt.trim_end_matches(['\n', '\r']).to_string();
    if prompt.trim().is_empty() {
        return Err(Failure::Message("no prompt: stdin was empty".into()));
    }
    Ok(prompt)
}

/// The model's reasoning, written to stderr as it comes: dimmed when colours are on, ended
/// by a newline before the answer starts.
struct Thoughts {
    dim: bool,
    open: bool,
}

impl Thoughts {
    fn new(ctx: &Ctx<'_, '_>) -> Thoughts {
        Thoughts { dim: ctx.options.color, open: false }
    }

    fn write(&mut self, ctx: &mut Ctx<'_, '_>, text: &str) -> std::io::Result<()> {
        if !self.open {
            self.open = true;
            if self.dim {
                ctx.err.write_all(b"\x1b[2m")?;
            }
        }
        ctx.err.write_all(text.as_bytes())?;
        ctx.err.flush()
    }

    fn end(&mut self, ctx: &mut Ctx<'_, '_>) -> std::io::Result<()> {
        if std::mem::take(&mut self.open) {
            if self.dim {
                ctx.err.write_all(b"\x1b[0m")?;
            }
            ctx.err.write_all(b"\n")?;
            ctx.err.flush()?;
        }
        Ok(())
    }
}

/// The prompt, then each image and document.
fn parts(prompt: String, args: &ChatArgs) -> Result<Vec<Part>, Failure> {
    let mut parts = vec![Part::text(prompt)];
    for image in &args.image {
        let is_url = ["http://", "https://", "data:"].iter().any(|p| image.starts_with(p));
        parts.push(if is_url { Part::image_url(image) } else { Part::image_path(image)? });
    }
    for document in &args.document {
        if document.starts_with("http://") || document.starts_with("https://") {
            parts.push(Part::document_url(document));
        } else {
            let id = uuid::Uuid::parse_str(document).map_err(|_| {
                Failure::Message(format!("--document {document:?} is neither an http(s) URL nor a file id"))
            })?;
            parts.push(Part::document_file_id(id));
        }
    }
    Ok(parts)
}

/// A JSON Schema file as a structured-output format, named after the file.
fn schema(path: &std::path::Path) -> Result<JsonSchema, Failure> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::Message(format!("cannot read the schema {}: {e}", path.display())))?;
    let schema: serde_json::Map<String, serde_json::Value> = serde_json::from_str(&text)
        .map_err(|e| Failure::Message(format!("{} is not a JSON object: {e}", path.display())))?;
    let stem = path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let name: String =
        stem.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' { c } else { '_' }).take(64).collect();
    Ok(JsonSchema {
        description: None,
        name: if name.is_empty() { "answer".into() } else { name },
        schema,
        strict: Some(true),
    })
}
