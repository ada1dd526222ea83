//! Steps of a resource flow on any operation of the table (the beta groups' flows are made of
//! them): the request as given, judged at the spec's first success status, then a check of
//! the body; a step whose resource was not made is a skip with the reason.

use mistral_openapi::operations::Operation;
use serde_json::Value;
use tokio::time::Instant;

use crate::Group;
use crate::check::{self, Expect, Fail};
use crate::http::{self, Payload};
use crate::report::Outcome;
use crate::runner::*;
use crate::spec_data::{self, EVENT_STREAM, JSON};

/// One request of a flow.
pub(crate) struct Step {
    /// The check's name (`agents.create`).
    pub(crate) name: &'static str,
    pub(crate) group: Group,
    pub(crate) op: &'static Operation,
    pub(crate) description: String,
    /// Path parameters by name; the others go to the query string.
    pub(crate) params: Vec<(&'static str, String)>,
    pub(crate) payload: Payload,
    /// Ask for `text/event-stream` and judge the named events one by one.
    pub(crate) stream: bool,
}

impl Step {
    pub(crate) fn new(
        name: &'static str,
        group: Group,
        op: &'static Operation,
        description: impl Into<String>,
    ) -> Step {
        Step {
            name,
            group,
            op,
            description: description.into(),
            params: Vec::new(),
            payload: Payload::None,
            stream: false,
        }
    }

    /// A path or query parameter.
    pub(crate) fn param(mut self, name: &'static str, value: impl Into<String>) -> Step {
        self.params.push((name, value.into()));
        self
    }

    pub(crate) fn json(mut self, body: Value) -> Step {
        self.payload = Payload::Json(body);
        self
    }

    pub(crate) fn payload(mut self, payload: Payload) -> Step {
        self.payload = payload;
        self
    }

    pub(crate) fn stream(mut self) -> Step {
        self.stream = true;
        self
    }
}

impl Ctx {
    /// Runs `step` and records it; `then` checks a JSON success body. Gives the answer (its
    /// body when it was a JSON success) for the next steps.
    pub(crate) async fn step(&mut self, step: Step, then: impl FnOnce(&Value) -> Result<(), Fail>) -> Answer {
        let op = match spec_data::op(self.spec, step.op) {
            Ok(op) => op,
            Err(e) => {
                self.notes.push(format!("{}: {e}", step.op.id));
                return Answer::failed(Fail::spec(e));
            }
        };
        let def = Def { name: step.name.to_string(), group: step.group, op: &op, description: step.description };
        let started = Instant::now();
        let answer = if step.stream {
            let outcome = self.named_events(&op, &step.params, &step.payload).await;
            Answer { fail: outcome.err(), created: None }
        } else {
            self.exchange_step(&op, step.op, &step.params, &step.payload).await.then(then)
        };
        self.record(def, answer.outcome(), Some(started));
        answer
    }

    /// Records `step` as skipped: what it needed was not made.
    pub(crate) fn skip_step(&mut self, step: Step, reason: &str) {
        match spec_data::op(self.spec, step.op) {
            Ok(op) => {
                let def =
                    Def { name: step.name.to_string(), group: step.group, op: &op, description: step.description };
                self.record(def, Outcome::Skip { reason: reason.to_string() }, None);
            }
            Err(e) => self.notes.push(format!("{}: {e}", step.op.id)),
        }
    }

    /// Records each of `steps` (check name and operation) as skipped.
    pub(crate) fn skip_steps(&mut self, group: Group, steps: &[(&'static str, &'static Operation)], reason: &str) {
        for (name, op) in steps {
            self.skip_step(Step::new(name, group, op, ""), reason);
        }
    }

    fn flow_request(
        &self,
        op: &spec_data::Op,
        table_op: &'static Operation,
        params: &[(&'static str, String)],
        payload: &Payload,
    ) -> reqwest::RequestBuilder {
        let in_path: Vec<&str> = table_op.path_params().collect();
        let path: Vec<(&str, &str)> =
            params.iter().filter(|(n, _)| in_path.contains(n)).map(|(n, v)| (*n, v.as_str())).collect();
        let query: Vec<(&str, &str)> =
            params.iter().filter(|(n, _)| !in_path.contains(n)).map(|(n, v)| (*n, v.as_str())).collect();
        let request = self.request(op, &path, payload, true);
        if query.is_empty() { request } else { request.query(&query) }
    }

    pub(crate) async fn exchange_step(
        &self,
        op: &spec_data::Op,
        table_op: &'static Operation,
        params: &[(&'static str, String)],
        payload: &Payload,
    ) -> Answer {
        let status = spec_data::success_status(self.spec, op.id);
        let request = self.flow_request(op, table_op, params, payload);
        let reply = match http::exchange(request, self.timeout).await {
            Ok(reply) => reply,
            Err(f) => return Answer::failed(f),
        };
        // A success the spec also allows (a delete answering 200 or 204) is judged as that one.
        let status = if reply.status != status && spec_data::declares_exact(self.spec, op.id, reply.status) {
            reply.status
        } else {
            status
        };
        let media_types = self.spec.response_media_types(op.id, &status.to_string());
        let Some(media_type) = media_types.first() else {
            let fail = (reply.status != status).then(|| {
                check::wrong_status(
                    reply.status,
                    &Expect { operation_id: op.id, status, media_type: "", why: "" },
                    &reply.body,
                )
            });
            return Answer { fail, created: None };
        };
        let expect = Expect { operation_id: op.id, status, media_type, why: "" };
        if *media_type != JSON {
            let fail = check::status(reply.status, &expect, &reply.body)
                .and_then(|()| check::content_type(reply.content_type.as_deref(), &expect))
                .err();
            return Answer { fail, created: None };
        }
        let judged = check::judge(self.spec, &reply, &expect);
        let created = if (200..300).contains(&reply.status) { judged.json } else { None };
        Answer { fail: judged.fail, created }
    }

    /// Opens a named-event stream and judges it event by event.
    async fn named_events(
        &self,
        op: &spec_data::Op,
        params: &[(&'static str, String)],
        payload: &Payload,
    ) -> Result<(), Fail> {
        let table_op = mistral_openapi::operations::ALL
            .iter()
            .find(|o| o.id == op.id)
            .ok_or_else(|| Fail::spec(format!("no operation {}", op.id)))?;
        let media_type = spec_data::declared(self.spec, op.id, 200, EVENT_STREAM)?;
        let expect = Expect { operation_id: op.id, status: 200, media_type, why: "" };
        let deadline = Instant::now() + self.timeout;
        let request =
            self.flow_request(op, table_op, params, payload).header(reqwest::header::ACCEPT, "text/event-stream");
        let response = http::open(request, deadline).await?;
        crate::stream::judge(self.spec, response, &expect, deadline, crate::stream::Framing::Named).await.map(|_| ())
    }
}

/// A JSON array (or an object's `data`/`items`/named list) holds an item whose `key` is `id`.
pub(crate) fn lists(body: &Value, list: &str, key: &str, id: &str, what: &str) -> Result<(), Fail> {
    let items = if list.is_empty() { body.as_array() } else { body.pointer(list).and_then(Value::as_array) };
    let items = items.map(Vec::as_slice).unwrap_or_default();
    if items.iter().any(|item| item.get(key).and_then(Value::as_str) == Some(id)) {
        Ok(())
    } else {
        Err(Fail {
            pointer: Some(if list.is_empty() { "/".to_string() } else { list.to_string() }),
            ..behaviour(format!("{what} {id} is not among the {} listed", items.len()))
        })
    }
}

/// `body[key]` is `expected`.
pub(crate) fn field_is(body: &Value, key: &str, expected: &Value) -> Result<(), Fail> {
    match body.get(key) {
        Some(got) if got == expected => Ok(()),
        got => Err(Fail {
            pointer: Some(format!("/{key}")),
            ..behaviour(format!(
                "{key} is {}, expected {expected}",
                got.map_or_else(|| "missing".to_string(), Value::to_string)
            ))
        }),
    }
}
