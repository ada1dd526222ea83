//! `mistral transcribe`, `mistral speak` and `mistral voices list|get|create|delete|sample`.

use std::io::Write;

use futures::StreamExt;
use mistral_sdk::types::{KnownTimestampGranularity, TranscriptionSegmentChunk};
use mistral_sdk::{SpeechRequest, TranscriptionEvent, TranscriptionRequest, VoiceFilter, VoiceRequest};

use crate::cli::{SpeakArgs, TranscribeArgs, VoicesCommand};
use crate::output::{self, Table, or_dash};
use crate::{Ctx, Failure};

/// The text of an audio file or URL: streamed as it comes with `--stream`, with timed
/// segments with `--timestamps`.
pub(crate) async fn transcribe(ctx: &mut Ctx<'_, '_>, args: &TranscribeArgs) -> Result<(), Failure> {
    let source = &args.audio;
    let mut request = if source.starts_with("http://") || source.starts_with("https://") {
        TranscriptionRequest::from_url(&args.model, source)
    } else {
        TranscriptionRequest::from_path(&args.model, source)
    };
    if let Some(language) = &args.language {
        request = request.language(language);
    }
    if args.timestamps {
        request = request.timestamp_granularities([KnownTimestampGranularity::Segment]);
    }
    if !args.stream {
        let Some(response) = output::fetch(ctx.json, ctx.out, ctx.client.audio().transcribe(request)).await? else {
            return Ok(());
        };
        if args.timestamps && !response.segments.is_empty() {
            segments(ctx.out, &response.segments)?;
        } else {
            write!(ctx.out, "{}", response.text)?;
            ctx.out.finish_line()?;
        }
        return Ok(());
    }
    let mut events = ctx.client.audio().transcribe_stream(request).await?;
    while let Some(event) = events.next().await {
        match event? {
            TranscriptionEvent::TextDelta(text) if !ctx.json && !args.timestamps => {
                ctx.out.write_all(text.as_bytes())?;
                ctx.out.flush()?;
            }
            TranscriptionEvent::Segment(s) if !ctx.json && args.timestamps => {
                writeln!(ctx.out, "[{} --> {}] {}", clock(s.start), clock(s.end), s.text.trim())?;
            }
            TranscriptionEvent::Done(done) if ctx.json => output::json_line(ctx.out, &done.text)?,
            _ => {}
        }
    }
    ctx.out.finish_line()?;
    Ok(())
}

/// Speech for a text, written to a file (streamed as it is made).
pub(crate) async fn speak(ctx: &mut Ctx<'_, '_>, args: &SpeakArgs) -> Result<(), Failure> {
    let mut request = SpeechRequest::new(&args.text);
    if let Some(model) = &args.model {
        request = request.model(model);
    }
    if let Some(voice) = &args.voice {
        request = request.voice_id(voice);
    }
    let io = |e: std::io::Error| Failure::Message(format!("cannot write {}: {e}", args.output.display()));
    let mut file = tokio::fs::File::create(&args.output).await.map_err(io)?;
    let usage = ctx.client.audio().speech_to(request, &mut file).await?;
    let bytes = tokio::fs::metadata(&args.output).await.map_err(io)?.len();
    if !ctx.json {
        writeln!(ctx.out, "wrote {} ({})", args.output.display(), output::bytes(bytes))?;
    } else if let Some(usage) = usage {
        output::json(ctx.out, &usage)?;
    }
    Ok(())
}

pub(crate) async fn voices(ctx: &mut Ctx<'_, '_>, command: &VoicesCommand) -> Result<(), Failure> {
    let voices = ctx.client.audio().voices();
    match command {
        VoicesCommand::List => {
            let Some(list) = output::fetch(ctx.json, ctx.out, voices.list(VoiceFilter::new())).await? else {
                return Ok(());
            };
            let mut table = Table::new(&["ID", "NAME", "LANGUAGES", "CREATED"]);
            for v in &list.items {
                table.row(vec![
                    v.id.to_string(),
                    v.name.clone(),
                    or_dash(Some(v.languages.join(", ")).filter(|l| !l.is_empty())),
                    v.created_at.to_rfc3339(),
                ]);
            }
            table.write(ctx.out)?;
        }
        VoicesCommand::Get { id } => {
            if let Some(v) = output::fetch(ctx.json, ctx.out, voices.get(id)).await? {
                output::key_values(
                    ctx.out,
                    &[
                        ("id", v.id.to_string()),
                        ("name", v.name.clone()),
                        ("languages", v.languages.join(", ")),
                        ("gender", or_dash(v.gender.as_deref())),
                        ("created", v.created_at.to_rfc3339()),
                    ],
                )?;
            }
        }
        VoicesCommand::Create { name, sample, languages } => {
            let mut voice = VoiceRequest::from_path(name, sample)?;
            if !languages.is_empty() {
                voice = voice.languages(languages.iter().cloned());
            }
            if let Some(v) = output::fetch(ctx.json, ctx.out, voices.create(voice)).await? {
                writeln!(ctx.out, "created voice {} ({})", v.id, v.name)?;
            }
        }
        VoicesCommand::Delete { id } => {
            if let Some(v) = output::fetch(ctx.json, ctx.out, voices.delete(id)).await? {
                writeln!(ctx.out, "deleted voice {}", v.id)?;
            }
        }
        VoicesCommand::Sample { id, output: path } => {
            let mut download = voices.sample(id).await?;
            let io = |e: std::io::Error| Failure::Message(format!("cannot write {}: {e}", path.display()));
            let mut file = std::fs::File::create(path).map_err(io)?;
            let mut bytes = 0u64;
            while let Some(chunk) = download.next().await {
                let chunk = chunk?;
                file.write_all(&chunk).map_err(io)?;
                bytes += chunk.len() as u64;
            }
            if !ctx.json {
                writeln!(ctx.out, "wrote {} ({})", path.display(), output::bytes(bytes))?;
            }
        }
    }
    Ok(())
}

fn segments(out: &mut dyn Write, segments: &[TranscriptionSegmentChunk]) -> std::io::Result<()> {
    for s in segments {
        let speaker = s.speaker_id.as_deref().map(|id| format!("{id}: ")).unwrap_or_default();
        writeln!(out, "[{} --> {}] {speaker}{}", clock(s.start), clock(s.end), s.text.trim())?;
    }
    Ok(())
}

/// `mm:ss.mmm` (hours when there are some).
fn clock(seconds: f64) -> String {
    let ms = (seconds.max(0.0) * 1000.0).round() as u64;
    let (h, m, s, ms) = (ms / 3_600_000, ms / 60_000 % 60, ms / 1000 % 60, ms % 1000);
    if h > 0 { format!("{h}:{m:02}:{s:02}.{ms:03}") } else { format!("{m:02}:{s:02}.{ms:03}") }
}

#[cfg(test)]
mod tests {
    #[test]
    fn clock_reads_like_subtitles() {
        assert_eq!(super::clock(0.0), "00:00.000");
        assert_eq!(super::clock(61.25), "01:01.250");
        assert_eq!(super::clock(3725.5), "1:02:05.500");
    }
}
