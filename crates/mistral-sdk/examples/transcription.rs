//! Speech to text and back: `cargo run -p mistral-sdk --example transcription` (or `-- FILE`
//! to transcribe your own recording).

mod common;

use futures::StreamExt;
use mistral_sdk::types::KnownTimestampGranularity;
use mistral_sdk::{SpeechRequest, TranscriptionEvent, TranscriptionRequest, VoiceFilter};

/// A second of silence as a 16-bit mono WAV at 8 kHz.
fn silence() -> Vec<u8> {
    let data = vec![0u8; 16_000];
    let mut wav = Vec::with_capacity(44 + data.len());
    wav.extend_from_slice(b"RIFF");
    wav.extend_from_slice(&(36 + data.len() as u32).to_le_bytes());
    wav.extend_from_slice(b"WAVEfmt ");
    for field in [16u32.to_le_bytes(), [1, 0, 1, 0], 8000u32.to_le_bytes(), 16000u32.to_le_bytes(), [2, 0, 16, 0]] {
        wav.extend_from_slice(&field);
    }
    wav.extend_from_slice(b"data");
    wav.extend_from_slice(&(data.len() as u32).to_le_bytes());
    wav.extend_from_slice(&data);
    wav
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let target = common::connect().await?;
    let audio = target.client.audio();
    let request = || match std::env::args().nth(1) {
        Some(path) => TranscriptionRequest::from_path("voxtral-mini-latest", path),
        None => TranscriptionRequest::from_bytes("voxtral-mini-latest", "silence.wav", silence()),
    };

    let transcript = audio.transcribe(request().timestamp_granularities([KnownTimestampGranularity::Segment])).await?;
    let language = transcript.language.as_ref().map_or("?", |l| l.as_str());
    println!("transcript ({language}): {:?}", transcript.text);
    for segment in &transcript.segments {
        println!("  [{:.1}s - {:.1}s] {}", segment.start, segment.end, segment.text);
    }

    print!("streamed: ");
    let mut events = audio.transcribe_stream(request()).await?;
    while let Some(event) = events.next().await {
        match event? {
            TranscriptionEvent::Language(language) => print!("[{language}] "),
            TranscriptionEvent::TextDelta(text) => print!("{text}"),
            TranscriptionEvent::Done(done) => println!("\n  ({} tokens)", done.usage.total_tokens),
            _ => {}
        }
    }

    let mut speech = Vec::new();
    let usage = audio.speech_to(SpeechRequest::new("Bonjour, et bienvenue !"), &mut speech).await?;
    println!("speech: {} bytes of audio, usage {:?}", speech.len(), usage.map(|u| u.total_tokens));

    let voices = audio.voices().list(VoiceFilter::new().limit(5)).await?;
    for voice in &voices.items {
        println!("voice {} {} {:?}", voice.id, voice.name, voice.languages);
    }
    Ok(())
}
