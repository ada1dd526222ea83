//! The flow shared by chat, FIM and embeddings: each request example, a stream (chat and
//! FIM), no key, an unknown field, a missing field.

use serde_json::Value;
use tokio::time::Instant;

use crate::check::{Expect, Fail};
use crate::http::{self, Payload};
use crate::report::Outcome;
use crate::runner::*;
use crate::spec_data::{self, EVENT_STREAM, JSON, Op};
use crate::{Group, stream};

impl Ctx {
    /// Chat, FIM or embeddings: every non-streamed example, the stream, and the negative
    /// checks.
    pub(crate) async fn completions(
        &mut self,
        group: Group,
        prefix: &str,
        op: &Op,
        streams: bool,
        then: fn(&Value, &Value) -> Result<(), Fail>,
    ) {
        let examples = match spec_data::request_examples(self.spec, op.id, JSON) {
            Ok(e) => e,
            Err(f) => {
                let def = self.def(&format!("{prefix}.create"), group, op, "the spec's first example");
                return self.record(def, f.into(), None);
            }
        };
        let (streamed, plain): (Vec<_>, Vec<_>) =
            examples.into_iter().partition(|(_, body)| body.get("stream") == Some(&Value::Bool(true)));
        for (i, (example, body)) in plain.iter().enumerate() {
            let name = match i {
                0 => format!("{prefix}.create"),
                _ => format!("{prefix}.create.{}", spec_data::slug(example)),
            };
            let def = self.def(&name, group, op, format!("example {example:?}"));
            if let Err(f) = spec_data::valid_request(self.spec, op.id, body) {
                self.record(def, f.into(), None);
                continue;
            }
            self.plain(def, &[], Payload::Json(body.clone()), |answer| then(body, answer)).await;
        }
        if streams {
            let stream =
                streamed.first().map(|(name, body)| (format!("example {name:?}"), body.clone())).or_else(|| {
                    let (name, body) = plain.first()?;
                    let mut body = body.clone();
                    body.as_object_mut()?.insert("stream".into(), Value::Bool(true));
                    Some((format!("example {name:?} with \"stream\": true"), body))
                });
            let def = self.def(&format!("{prefix}.stream"), group, op, "");
            match stream {
                Some((description, body)) => self.stream(Def { description, ..def }, body).await,
                None => self.record(def, Fail::spec(format!("{} has no example to stream", op.id)).into(), None),
            }
        }
        let Some((example, primary)) = plain.first() else { return };
        let def = self.def(&format!("{prefix}.no_key"), group, op, format!("example {example:?}, no API key: 401"));
        self.no_key(def, &[], Payload::Json(primary.clone())).await;

        let mut unknown = primary.clone();
        if let Some(object) = unknown.as_object_mut() {
            object.insert(UNKNOWN_FIELD.into(), Value::Bool(true));
        }
        let description = format!("example {example:?} plus {UNKNOWN_FIELD:?}: 422");
        let def = self.def(&format!("{prefix}.unknown_field"), group, op, description);
        self.invalid(def, unknown).await;

        let required = spec_data::required_fields(self.spec, op.id);
        let field = required.iter().rev().find(|f| *f != "model").or(required.first());
        let def = self.def(&format!("{prefix}.missing_field"), group, op, "");
        match field {
            None => self.skip(def, "the request schema has no required field".into()),
            Some(field) => {
                let mut missing = primary.clone();
                if let Some(object) = missing.as_object_mut() {
                    object.remove(field);
                }
                let description = format!("example {example:?} without required {field:?}: 422");
                self.invalid(Def { description, ..def }, missing).await;
            }
        }
    }

    /// A streamed completion, judged event by event.
    pub(crate) async fn stream(&mut self, def: Def<'_>, body: Value) {
        let started = Instant::now();
        let outcome = match self.stream_answer(def.op, body).await {
            Ok(_) => Outcome::Pass,
            Err(f) => f.into(),
        };
        self.record(def, outcome, Some(started));
    }

    pub(crate) async fn stream_answer(&self, op: &Op, body: Value) -> Result<stream::Streamed, Fail> {
        spec_data::valid_request(self.spec, op.id, &body)?;
        let media_type = spec_data::declared(self.spec, op.id, 200, EVENT_STREAM)?;
        let expect = Expect { operation_id: op.id, status: 200, media_type, why: "" };
        let deadline = Instant::now() + self.timeout;
        let response = http::open(self.request(op, &[], &Payload::Json(body), true), deadline).await?;
        stream::judge(self.spec, response, &expect, deadline, stream::Framing::Chunks).await
    }
}
