//! `mistral chat`: one prompt, the answer streamed (or not) to stdout.

use std::io::Write;

use futures::StreamExt;
use mistral_sdk::{ChatRequest, ChatResponseExt};

use crate::cli::ChatArgs;
use crate::output;
use crate::{Ctx, Failure};

pub(crate) async fn run(ctx: &mut Ctx<'_, '_>, args: &ChatArgs) -> Result<(), Failure> {
    let mut request = ChatRequest::new(&args.model);
    if let Some(system) = &args.system {
        request = request.system(system);
    }
    let prompt = match &args.prompt {
        Some(prompt) => prompt.clone(),
        None => read_stdin()?,
    };
    request = request.user(prompt);
    if args.json_mode {
        request = request.json_mode();
    }
    if let Some(t) = args.temperature {
        request = request.temperature(t);
    }
    if let Some(n) = args.max_tokens {
        request = request.max_tokens(n);
    }

    if args.no_stream {
        if let Some(response) = output::fetch(ctx.json, ctx.out, ctx.client.chat().create(request)).await? {
            write!(ctx.out, "{}", response.text())?;
            ctx.out.finish_line()?;
        }
        return Ok(());
    }

    let stream = ctx.client.chat().stream(request).await?;
    if ctx.json {
        let mut stream = std::pin::pin!(stream);
        while let Some(chunk) = stream.next().await {
            output::json_line(ctx.out, &chunk?)?;
        }
    } else {
        let mut text = std::pin::pin!(stream.text());
        while let Some(delta) = text.next().await {
            let delta = delta?;
            ctx.out.write_all(delta.as_bytes())?;
            ctx.out.flush()?;
        }
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
