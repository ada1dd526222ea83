//! Models: list, no key, and deleting the model a fine-tuning job made (or a made-up one).

use tokio::time::Instant;

use crate::Group;
use crate::http::Payload;
use crate::runner::*;

/// `models.list`.
pub(crate) const LIST: &str = "models.list";
/// `models.no_key`.
pub(crate) const NO_KEY: &str = "models.no_key";
/// `models.delete`.
pub(crate) const DELETE: &str = "models.delete";
/// `models.retrieve`.
pub(crate) const RETRIEVE: &str = "models.retrieve";
/// `models.update`.
pub(crate) const UPDATE: &str = "models.update";
/// `models.archive`.
pub(crate) const ARCHIVE: &str = "models.archive";
/// `models.unarchive`.
pub(crate) const UNARCHIVE: &str = "models.unarchive";

impl Ctx {
    /// `models.list`, `models.retrieve` (the first model listed) and `models.no_key`.
    pub(crate) async fn models(&mut self, ops: &Ops) {
        let def = self.def(LIST, Group::Models, &ops.list_models, "all models");
        let listed = self.plain(def, &[], Payload::None, |_| Ok(())).await;
        let first = listed.created.as_ref().and_then(|v| v.pointer("/data/0/id")?.as_str().map(str::to_string));
        let def = self.def(RETRIEVE, Group::Models, &ops.retrieve_model, "");
        match first {
            Some(id) => {
                let def = Def { description: format!("the first model listed ({id}): same id"), ..def };
                self.plain(def, &[("model_id", &id)], Payload::None, |v| same_id(v, &id, "the model listed")).await;
            }
            None => self.skip(def, "the model list gave no model to retrieve".into()),
        }
        let def = self.def(NO_KEY, Group::Models, &ops.list_models, "no API key: 401");
        self.no_key(def, &[], Payload::None).await;
    }

    /// `models.update`, `models.archive`, `models.unarchive`: on the model the job made, else
    /// on an `ft:` id that does not exist (404 each).
    pub(crate) async fn manage_model(&mut self, ops: &Ops, model: Option<&str>) {
        let steps: [(&str, &crate::spec_data::Op, Payload, Option<bool>); 3] = [
            (UPDATE, &ops.update_model, Payload::Json(serde_json::json!({"description": "conformance run"})), None),
            (ARCHIVE, &ops.archive_model, Payload::None, Some(true)),
            (UNARCHIVE, &ops.unarchive_model, Payload::None, Some(false)),
        ];
        let missing = format!("ft:open-mistral-7b:00000000:20240101:{:08x}", uuid::Uuid::new_v4().as_u128() as u32);
        for (name, op, payload, archived) in steps {
            match model {
                Some(model) => {
                    let def = self.def(name, Group::Models, op, format!("the fine-tuned model the job made ({model})"));
                    self.plain(def, &[("model_id", model)], payload, |v| {
                        same_id(v, model, "the fine-tuned model")?;
                        archived_is(v, archived)
                    })
                    .await;
                }
                None => {
                    let description = format!("no model made by this run: {missing} (does not exist): 404");
                    let def = self.def(name, Group::Models, op, description);
                    let started = Instant::now();
                    let answer =
                        self.call(op, &[("model_id", &missing)], &payload, true, 404, " (no such model)").await;
                    self.record(def, answer.outcome(), Some(started));
                }
            }
        }
    }

    /// `models.delete`: the model the job made, else an `ft:` id that does not exist (404).
    pub(crate) async fn delete_model(&mut self, ops: &Ops, model: Option<String>) {
        let op = &ops.delete_model;
        match model {
            Some(model) => {
                let description = format!("the fine-tuned model the job made ({model}): deleted");
                let def = self.def(DELETE, Group::Models, op, description);
                self.plain(def, &[("model_id", &model)], Payload::None, |v| {
                    same_id(v, &model, "the fine-tuned model")?;
                    deleted(v)
                })
                .await;
            }
            None => {
                let missing =
                    format!("ft:open-mistral-7b:00000000:20240101:{:08x}", uuid::Uuid::new_v4().as_u128() as u32);
                let description = format!("no model made by this run: {missing} (does not exist): 404");
                let def = self.def(DELETE, Group::Models, op, description);
                let started = Instant::now();
                let why = " (no such model)";
                let answer = self.call(op, &[("model_id", &missing)], &Payload::None, true, 404, why).await;
                self.record(def, answer.outcome(), Some(started));
            }
        }
    }
}

/// `archived` is `expected`, when something is expected.
fn archived_is(body: &serde_json::Value, expected: Option<bool>) -> Result<(), crate::check::Fail> {
    let Some(expected) = expected else { return Ok(()) };
    match body.get("archived").and_then(serde_json::Value::as_bool) {
        Some(got) if got == expected => Ok(()),
        got => Err(crate::check::Fail {
            pointer: Some("/archived".into()),
            ..behaviour(format!("archived is {got:?}, expected {expected}"))
        }),
    }
}
