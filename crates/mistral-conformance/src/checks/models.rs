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

impl Ctx {
    /// `models.list` and `models.no_key`.
    pub(crate) async fn models(&mut self, ops: &Ops) {
        let def = self.def(LIST, Group::Models, &ops.list_models, "all models");
        self.plain(def, &[], Payload::None, |_| Ok(())).await;
        let def = self.def(NO_KEY, Group::Models, &ops.list_models, "no API key: 401");
        self.no_key(def, &[], Payload::None).await;
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
