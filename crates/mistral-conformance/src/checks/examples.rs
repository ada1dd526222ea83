//! One check per operation that has no flow of its own, from the operation's spec examples.

use mistral_openapi::operations::{self as ops, Operation};
use tokio::time::Instant;

use crate::check::{self, Expect};
use crate::http::{self};
use crate::report::Outcome;
use crate::runner::*;
use crate::spec_data::{self, JSON, Op};

impl Ctx {
    /// One check per operation without a dedicated one, from its spec examples: the answer
    /// must be the operation's success, in its schema. A declared 404 that fits its schema (the
    /// example's id is made up) is a skip: the check needs a real resource.
    pub(crate) async fn examples(&mut self, ops: &Ops) {
        let dedicated = ops.dedicated();
        for table_op in ops::ALL {
            if !self.selected(table_op.group)
                || !self.examples.includes(table_op)
                || dedicated.iter().any(|d| d.id == table_op.id)
                || super::in_step_flows(table_op.id)
            {
                continue;
            }
            let op = match spec_data::op(self.spec, table_op) {
                Ok(op) => op,
                Err(e) => {
                    self.notes.push(format!("{}: {e}", table_op.id));
                    continue;
                }
            };
            let name = format!("{}.{}", table_op.group, table_op.id);
            let def = Def { name, group: table_op.group, op: &op, description: "the spec's example".into() };
            let started = Instant::now();
            let outcome = self.example_outcome(table_op, &op).await;
            self.record(def, outcome, Some(started));
        }
    }

    pub(crate) async fn example_outcome(&self, table_op: &'static Operation, op: &Op) -> Outcome {
        let request = match spec_data::example_request(self.spec, table_op) {
            Ok(r) => r,
            Err(f) => return f.into(),
        };
        let params: Vec<(&str, &str)> = request.params.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        let success = spec_data::success_status(self.spec, table_op.id);
        let reply = match http::exchange(self.request(op, &params, &request.payload, true), self.timeout).await {
            Ok(reply) => reply,
            Err(f) => return f.into(),
        };
        // The example's ids are made up: a server without that resource rightly answers 404.
        let declared_error = reply.status == 404 && spec_data::declares_status(self.spec, table_op.id, 404);
        let status = if declared_error { reply.status } else { success };
        let media_types = self.spec.response_media_types(table_op.id, &status.to_string());
        let got = reply.content_type.as_deref().map(http::essence);
        let media_type = match got {
            Some(m) if media_types.contains(&m) => media_types.iter().find(|d| **d == m),
            _ => media_types.first(),
        };
        let Some(media_type) = media_type else {
            // A bodiless success (204).
            return if reply.status == status {
                Outcome::Pass
            } else {
                check::wrong_status(
                    reply.status,
                    &Expect { operation_id: table_op.id, status, media_type: "", why: "" },
                    &reply.body,
                )
                .into()
            };
        };
        let expect = Expect { operation_id: table_op.id, status, media_type, why: "" };
        let judged = if media_type == JSON {
            check::judge(self.spec, &reply, &expect).fail
        } else {
            check::status(reply.status, &expect, &reply.body)
                .and_then(|()| check::content_type(reply.content_type.as_deref(), &expect))
                .err()
        };
        match (judged, declared_error) {
            (Some(fail), _) => fail.into(),
            (None, false) => Outcome::Pass,
            (None, true) => {
                Outcome::Skip { reason: "the server has no resource with the example's id (404)".to_string() }
            }
        }
    }
}
