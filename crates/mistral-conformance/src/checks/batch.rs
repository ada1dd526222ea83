//! Batch jobs: create one from the spec's example (inline requests), get it, find it in the
//! list, cancel it, delete it; no key on the list.

use serde_json::Value;

use crate::Group;
use crate::check::Fail;
use crate::http::Payload;
use crate::runner::*;
use crate::spec_data::{self, JSON};

/// `batch.create`.
pub(crate) const CREATE: &str = "batch.create";
/// `batch.get`.
pub(crate) const GET: &str = "batch.get";
/// `batch.list`.
pub(crate) const LIST: &str = "batch.list";
/// `batch.cancel`.
pub(crate) const CANCEL: &str = "batch.cancel";
/// `batch.no_key`.
pub(crate) const NO_KEY: &str = "batch.no_key";
/// `batch.delete`.
pub(crate) const DELETE: &str = "batch.delete";

/// Statuses a job may show once asked to stop (a fast server may have finished it already).
const STOPPING: &[&str] = &["CANCELLATION_REQUESTED", "CANCELLED", "SUCCESS", "FAILED", "TIMEOUT_EXCEEDED"];

impl Ctx {
    /// The batch flow; everything made is deleted.
    pub(crate) async fn batch(&mut self, ops: &Ops) {
        let op = &ops.create_batch;
        let def = self.def(CREATE, Group::Batch, op, "");
        let example = spec_data::request_examples(self.spec, op.id, JSON)
            .and_then(|e| e.into_iter().next().ok_or_else(|| Fail::spec("no batch example")));
        let id = match example {
            Err(f) => {
                self.record(def, f.into(), None);
                Err("no batch job was created: the spec has no example".to_string())
            }
            Ok((name, body)) => {
                let def = Def { description: format!("example {name:?}"), ..def };
                let answer = self.plain(def, &[], Payload::Json(body), |_| Ok(())).await;
                answer.field("id").ok_or_else(|| "no batch job was created".to_string())
            }
        };
        let get = self.def(GET, Group::Batch, &ops.get_batch, "the job created: same id");
        let list = self.def(LIST, Group::Batch, &ops.list_batches, "contains the job created");
        let cancel = self.def(CANCEL, Group::Batch, &ops.cancel_batch, "the job created: stopping or ended");
        match &id {
            Ok(id) => {
                self.plain(get, &[("job_id", id)], Payload::None, |v| same_id(v, id, "the job")).await;
                self.plain(list, &[], Payload::None, |v| listed(v, id, "the job")).await;
                self.plain(cancel, &[("job_id", id)], Payload::None, |v| {
                    same_id(v, id, "the job")?;
                    match v.get("status").and_then(Value::as_str) {
                        Some(s) if STOPPING.contains(&s) => Ok(()),
                        other => Err(Fail {
                            pointer: Some("/status".into()),
                            ..behaviour(format!("status {other:?} after a cancel, expected one of {STOPPING:?}"))
                        }),
                    }
                })
                .await;
            }
            Err(reason) => {
                for def in [get, list, cancel] {
                    self.skip(def, reason.clone());
                }
            }
        }
        let def = self.def(NO_KEY, Group::Batch, &ops.list_batches, "no API key: 401");
        self.no_key(def, &[], Payload::None).await;
        let def = self.def(DELETE, Group::Batch, &ops.delete_batch, "the job created: deleted");
        match &id {
            Ok(id) => {
                self.plain(def, &[("job_id", id)], Payload::None, |v| {
                    same_id(v, id, "the job")?;
                    deleted(v)
                })
                .await;
            }
            Err(reason) => self.skip(def, reason.clone()),
        }
    }
}
