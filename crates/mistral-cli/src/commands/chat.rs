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
    request = request.user(&args.prompt);
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
        let response = ctx.client.chat().create(request).await?;
        if ctx.json {
            output::json(ctx.out, &response)?;
        } else {
            let text = response.text();
            write!(ctx.out, "{text}")?;
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
