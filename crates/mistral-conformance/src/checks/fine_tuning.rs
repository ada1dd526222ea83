//! Fine-tuning jobs: create, get, list, cancel, no key.

use serde_json::{Value, json};

use crate::Group;
use crate::check::Fail;
use crate::http::Payload;
use crate::runner::*;
use crate::spec_data::{self, JSON};

/// `fine_tuning.create`.
pub(crate) const CREATE: &str = "fine_tuning.create";
/// `fine_tuning.get`.
pub(crate) const GET: &str = "fine_tuning.get";
/// `fine_tuning.list`.
pub(crate) const LIST: &str = "fine_tuning.list";
/// `fine_tuning.cancel`.
pub(crate) const CANCEL: &str = "fine_tuning.cancel";
/// `fine_tuning.no_key`.
pub(crate) const NO_KEY: &str = "fine_tuning.no_key";

impl Ctx {
    /// The fine-tuning flow; gives the fine-tuned model the job made, if any.
    pub(crate) async fn jobs(&mut self, ops: &Ops, file: &Result<String, SkipReason>) -> Option<String> {
        let create = self.def(CREATE, Group::FineTuning, &ops.create_job, "");
        let job = match file {
            Err(reason) => {
                self.skip(create, reason.clone());
                Err(format!("no job was created: {reason}"))
            }
            Ok(file_id) => self.create_job(create, file_id).await,
        };
        let mut model = None;
        let get = self.def(GET, Group::FineTuning, &ops.get_job, "the created job: same id");
        let list = self.def(LIST, Group::FineTuning, &ops.list_jobs, "contains the created job");
        let cancel = self.def(
            CANCEL,
            Group::FineTuning,
            &ops.cancel_job,
            "the created job: CANCELLATION_REQUESTED or CANCELLED",
        );
        match &job {
            Ok((id, made)) => {
                model = made.clone();
                let answer = self.plain(get, &[("job_id", id)], Payload::None, |v| same_id(v, id, "the job")).await;
                model = model.or(answer.field("fine_tuned_model"));
                self.plain(list, &[], Payload::None, |v| listed(v, id, "the created job")).await;
                let answer = self
                    .plain(cancel, &[("job_id", id)], Payload::None, |v| {
                        same_id(v, id, "the job")?;
                        cancelling(v)
                    })
                    .await;
                model = model.or(answer.field("fine_tuned_model"));
            }
            Err(reason) => {
                for def in [get, list, cancel] {
                    self.skip(def, reason.clone());
                }
            }
        }
        let def = self.def(NO_KEY, Group::FineTuning, &ops.list_jobs, "no API key: 401");
        self.no_key(def, &[], Payload::None).await;
        model
    }

    /// `fine_tuning.create` from the spec's example on the uploaded file: the job id and the
    /// fine-tuned model if it already has one, or why there is no job.
    pub(crate) async fn create_job(
        &mut self,
        def: Def<'_>,
        file_id: &str,
    ) -> Result<(String, Option<String>), SkipReason> {
        let op = def.op;
        let example = spec_data::request_examples(self.spec, op.id, JSON).and_then(|examples| {
            let (name, body) = examples.into_iter().next().ok_or_else(|| Fail::spec("no job example"))?;
            spec_data::valid_request(self.spec, op.id, &body)?;
            Ok((name, body))
        });
        let (name, mut body) = match example {
            Ok(e) => e,
            Err(f) => {
                let reason = format!("no job was created: {}", f.message);
                self.record(def, f.into(), None);
                return Err(reason);
            }
        };
        if let Some(object) = body.as_object_mut() {
            object.insert("training_files".into(), json!([file_id]));
        }
        let steps = body.pointer("/hyperparameters/training_steps").map_or_else(|| "-".into(), Value::to_string);
        let description = format!("example {name:?} on the uploaded file, training_steps {steps}");
        let spec = self.spec;
        let answer = self.plain(Def { description, ..def }, &[], Payload::Json(body), |v| a_job(spec, v)).await;
        match answer.field("id") {
            Some(id) => Ok((id, answer.field("fine_tuned_model"))),
            None => {
                let why = answer.fail.map(|f| f.message).unwrap_or_else(|| "the answer has no id".into());
                Err(format!("fine_tuning.create gave no job id: {why}"))
            }
        }
    }
}
