//! Audio voices: create one from the spec's example, get it, rename it, download its sample,
//! delete it. (Speech and transcription are checked from their examples.)

use serde_json::json;
use tokio::time::Instant;

use crate::Group;
use crate::check::Fail;
use crate::http::Payload;
use crate::report::Outcome;
use crate::runner::*;
use crate::spec_data::{self, JSON};

/// `audio.voices.create`.
pub(crate) const VOICE_CREATE: &str = "audio.voices.create";
/// `audio.voices.get`.
pub(crate) const VOICE_GET: &str = "audio.voices.get";
/// `audio.voices.update`.
pub(crate) const VOICE_UPDATE: &str = "audio.voices.update";
/// `audio.voices.sample`.
pub(crate) const VOICE_SAMPLE: &str = "audio.voices.sample";
/// `audio.voices.delete`.
pub(crate) const VOICE_DELETE: &str = "audio.voices.delete";
/// `audio.transcriptions.stream`.
pub(crate) const TRANSCRIPTION_STREAM: &str = "audio.transcriptions.stream";

/// `audio.speech.stream`.
pub(crate) const SPEECH_STREAM: &str = "audio.speech.stream";

/// The transcription model the stream check asks.
const TRANSCRIPTION_MODEL: &str = "voxtral-mini-latest";

impl Ctx {
    /// `audio.transcriptions.stream`: a short WAV transcribed with `stream=true`, judged event
    /// by event against the spec's named events, ending with a done event.
    pub(crate) async fn transcription_stream(&mut self, ops: &Ops) {
        let op = &ops.transcribe;
        let description = format!("{TRANSCRIPTION_MODEL}, a 0.1 s WAV, stream=true: named events, then done");
        let def = self.def(TRANSCRIPTION_STREAM, Group::Audio, op, description);
        let started = Instant::now();
        let fields =
            vec![("model".to_string(), TRANSCRIPTION_MODEL.to_string()), ("stream".to_string(), "true".to_string())];
        let payload = Payload::Form { fields, file: Some(silence_wav()) };
        let outcome = match self.named_stream(op, &payload).await {
            Ok(_) => Outcome::Pass,
            Err(f) if f.message.contains("Invalid model") => {
                Outcome::Skip { reason: format!("the server has no {TRANSCRIPTION_MODEL}") }
            }
            Err(f) => f.into(),
        };
        self.record(def, outcome, Some(started));
    }

    /// `audio.speech.stream`: a short text said with `stream: true`, judged event by event
    /// against the spec's named events, ending with a done event.
    pub(crate) async fn speech_stream(&mut self, ops: &Ops) {
        let op = &ops.speech;
        let def = self.def(SPEECH_STREAM, Group::Audio, op, "a short text, stream: true: audio deltas, then done");
        let started = Instant::now();
        let payload = Payload::Json(json!({"input": "Bonjour.", "stream": true}));
        let outcome = match self.named_stream(op, &payload).await {
            Ok(_) => Outcome::Pass,
            Err(f) => f.into(),
        };
        self.record(def, outcome, Some(started));
    }

    async fn named_stream(
        &self,
        op: &crate::spec_data::Op,
        payload: &Payload,
    ) -> Result<crate::stream::Streamed, Fail> {
        let media_type = spec_data::declared(self.spec, op.id, 200, crate::spec_data::EVENT_STREAM)?;
        let expect = crate::check::Expect { operation_id: op.id, status: 200, media_type, why: "" };
        let deadline = Instant::now() + self.timeout;
        let request = self.request(op, &[], payload, true).header(reqwest::header::ACCEPT, "text/event-stream");
        let response = crate::http::open(request, deadline).await?;
        crate::stream::judge(self.spec, response, &expect, deadline, crate::stream::Framing::Named).await
    }

    /// The voice flow; the voice made is deleted.
    pub(crate) async fn voices(&mut self, ops: &Ops) {
        let op = &ops.create_voice;
        let def = self.def(VOICE_CREATE, Group::Audio, op, "");
        let example = spec_data::request_examples(self.spec, op.id, JSON)
            .and_then(|e| e.into_iter().next().ok_or_else(|| Fail::spec("no voice example")));
        let id = match example {
            Err(f) => {
                self.record(def, f.into(), None);
                Err("no voice was created: the spec has no example".to_string())
            }
            Ok((name, body)) => {
                let def = Def { description: format!("example {name:?}"), ..def };
                let answer = self.plain(def, &[], Payload::Json(body), |_| Ok(())).await;
                answer.field("id").ok_or_else(|| "no voice was created".to_string())
            }
        };
        let get = self.def(VOICE_GET, Group::Audio, &ops.get_voice, "the voice created: same id");
        let update = self.def(VOICE_UPDATE, Group::Audio, &ops.update_voice, "the voice created, renamed");
        let sample = self.def(VOICE_SAMPLE, Group::Audio, &ops.voice_sample, "the voice created: its sample's bytes");
        let delete = self.def(VOICE_DELETE, Group::Audio, &ops.delete_voice, "the voice created");
        let Ok(id) = id else {
            let reason = id.err().unwrap_or_default();
            for def in [get, update, sample, delete] {
                self.skip(def, reason.clone());
            }
            return;
        };
        let id = id.as_str();
        self.plain(get, &[("voice_id", id)], Payload::None, |v| same_id(v, id, "the voice")).await;
        let renamed = json!({"name": "conformance voice"});
        self.plain(update, &[("voice_id", id)], Payload::Json(renamed), |v| {
            same_id(v, id, "the voice")?;
            match v.get("name").and_then(serde_json::Value::as_str) {
                Some("conformance voice") => Ok(()),
                other => Err(Fail {
                    pointer: Some("/name".into()),
                    ..behaviour(format!("name {other:?} after the update, expected \"conformance voice\""))
                }),
            }
        })
        .await;
        let started = Instant::now();
        let request = self.request(sample.op, &[("voice_id", id)], &Payload::None, true);
        let outcome = match crate::http::exchange(request, self.timeout).await {
            Err(f) => f.into(),
            Ok(reply) if reply.status != 200 => {
                behaviour(format!("status {}, expected 200: {}", reply.status, crate::http::snippet(&reply.body)))
                    .into()
            }
            Ok(reply) if reply.body.is_empty() => behaviour("the sample is empty".into()).into(),
            Ok(_) => Outcome::Pass,
        };
        self.record(sample, outcome, Some(started));
        self.plain(delete, &[("voice_id", id)], Payload::None, |v| same_id(v, id, "the voice")).await;
    }
}

/// 0.1 s of 16 kHz mono 16-bit silence, as a WAV file.
fn silence_wav() -> bytes::Bytes {
    let samples = 1600u32;
    let data = samples * 2;
    let mut wav = Vec::with_capacity(44 + data as usize);
    wav.extend_from_slice(b"RIFF");
    wav.extend_from_slice(&(36 + data).to_le_bytes());
    wav.extend_from_slice(b"WAVEfmt ");
    wav.extend_from_slice(&16u32.to_le_bytes());
    wav.extend_from_slice(&1u16.to_le_bytes()); // PCM
    wav.extend_from_slice(&1u16.to_le_bytes()); // mono
    wav.extend_from_slice(&16_000u32.to_le_bytes());
    wav.extend_from_slice(&32_000u32.to_le_bytes()); // bytes per second
    wav.extend_from_slice(&2u16.to_le_bytes()); // block align
    wav.extend_from_slice(&16u16.to_le_bytes()); // bits per sample
    wav.extend_from_slice(b"data");
    wav.extend_from_slice(&data.to_le_bytes());
    wav.resize(44 + data as usize, 0);
    bytes::Bytes::from(wav)
}
