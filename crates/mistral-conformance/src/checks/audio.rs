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

impl Ctx {
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
