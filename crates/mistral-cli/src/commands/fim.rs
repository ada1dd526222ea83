//! `mistral fim`: fill in the middle of some code.

use std::io::Write;

use mistral_sdk::{ChatResponseExt, FimRequest};

use crate::cli::FimArgs;
use crate::output;
use crate::{Ctx, Failure};

pub(crate) async fn run(ctx: &mut Ctx<'_, '_>, args: &FimArgs) -> Result<(), Failure> {
    let mut request = FimRequest::new(&args.model, &args.prompt);
    if let Some(suffix) = &args.suffix {
        request = request.suffix(suffix);
    }
    if let Some(n) = args.max_tokens {
        request = request.max_tokens(n);
    }
    if let Some(response) = output::fetch(ctx.json, ctx.out, ctx.client.fim().create(request)).await? {
        write!(ctx.out, "{}", response.text())?;
        ctx.out.finish_line()?;
    }
    Ok(())
}
