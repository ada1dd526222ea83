//! The run: which checks, in which order, and what one step hands the next.

use std::collections::BTreeSet;
use std::time::Duration;

use mistral_spec::Spec;
use serde_json::{Value, json};
use tokio::time::Instant;

use crate::check::{self, Expect, Fail};
use crate::http::{self, Payload};
use crate::report::{Aspect, CheckResult, Outcome, Report};
use crate::spec_data::{self, JSON, Op};
use crate::{Error, Group};
use mistral_openapi::operations::{self as ops, Operation};

/// How long one request may take, answer included, unless [`Runner::timeout`] says otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

/// The longest [`Runner::timeout`] (a day): longer ones are cut to it.
pub const MAX_TIMEOUT: Duration = Duration::from_secs(24 * 60 * 60);

/// The bearer key sent when the runner was given an empty one: enough for a server that
/// accepts any key (as `mistral-mock` does by default), and reported in [`Report::notes`].
pub const PLACEHOLDER_API_KEY: &str = "mistral-conformance-placeholder-key";

/// The field the `*.unknown_field` checks add.
pub(crate) const UNKNOWN_FIELD: &str = "x_conformance_unknown_field";

/// Which operations without a dedicated flow get a check from their spec example.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Examples {
    /// None: only the dedicated flows.
    None,
    /// Those that change nothing on the server: reads (GET) and stateless calls (OCR,
    /// moderation, transcription...). The default: safe against a real account.
    #[default]
    Harmless,
    /// All of them, creations, updates and deletions included (nothing is cleaned up: for
    /// test servers such as `mistral-mock`).
    All,
}

impl Examples {
    pub(crate) fn includes(self, op: &Operation) -> bool {
        match self {
            Examples::None => false,
            Examples::Harmless => {
                op.method == ops::Method::Get || (op.method == ops::Method::Post && op.retry.is_safe())
            }
            Examples::All => true,
        }
    }
}

/// Runs the conformance checks against one server.
#[derive(Debug, Clone)]
pub struct Runner {
    base_url: String,
    api_key: String,
    groups: BTreeSet<Group>,
    timeout: Duration,
    examples: Examples,
}

impl Runner {
    /// A runner for the server at `base_url` (paths start with `/v1`, so no `/v1` here),
    /// sending `api_key` as a bearer token. An empty key sends [`PLACEHOLDER_API_KEY`].
    pub fn new(base_url: impl Into<String>, api_key: impl Into<String>) -> Runner {
        Runner {
            base_url: base_url.into(),
            api_key: api_key.into(),
            groups: Group::ALL.iter().copied().collect(),
            timeout: DEFAULT_TIMEOUT,
            examples: Examples::default(),
        }
    }

    /// Which operations without a dedicated flow are checked from their example (default
    /// [`Examples::Harmless`]).
    pub fn examples(mut self, examples: Examples) -> Runner {
        self.examples = examples;
        self
    }

    /// Only the checks of these groups (none given: all of them).
    pub fn only(mut self, groups: impl IntoIterator<Item = Group>) -> Runner {
        let groups: BTreeSet<Group> = groups.into_iter().collect();
        self.groups = if groups.is_empty() { Group::ALL.iter().copied().collect() } else { groups };
        self
    }

    /// The most one request may take, from sending it to the end of its answer (a whole
    /// stream, for streamed completions). Default [`DEFAULT_TIMEOUT`]; at most
    /// [`MAX_TIMEOUT`].
    pub fn timeout(mut self, timeout: Duration) -> Runner {
        self.timeout = timeout.min(MAX_TIMEOUT);
        self
    }

    /// The groups that will run, in order.
    pub fn groups(&self) -> Vec<Group> {
        self.groups.iter().copied().collect()
    }

    /// Runs the selected checks, in order, and reports every one. `Err` only when nothing
    /// could be checked at all (a base URL that is not an `http(s)` URL, an unusable HTTP
    /// client); whatever the server does ends up in the [`Report`].
    pub async fn run(&self) -> Result<Report, Error> {
        let spec = Spec::embedded()?;
        let ops = Ops::load(spec)?;
        let base = self.base_url.trim().trim_end_matches('/').to_string();
        let invalid = |reason: String| Error::InvalidBaseUrl { url: self.base_url.clone(), reason };
        let url = reqwest::Url::parse(&base).map_err(|e| invalid(e.to_string()))?;
        if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
            return Err(invalid("expected http://HOST[:PORT] or https://...".into()));
        }
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(self.timeout)
            .user_agent(concat!("mistral-conformance/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(Error::Client)?;
        let mut notes = Vec::new();
        let key = if self.api_key.trim().is_empty() {
            notes.push(format!(
                "no API key given: sent the placeholder key {PLACEHOLDER_API_KEY:?} (a server that checks keys answers 401)"
            ));
            PLACEHOLDER_API_KEY.to_string()
        } else {
            self.api_key.trim().to_string()
        };
        let mut ctx = Ctx {
            spec,
            client,
            base,
            key,
            timeout: self.timeout,
            groups: self.groups.clone(),
            examples: self.examples,
            checks: Vec::new(),
            notes,
        };
        ctx.run(&ops).await;
        Ok(Report { base_url: self.base_url.clone(), groups: self.groups(), checks: ctx.checks, notes: ctx.notes })
    }
}

/// The operations with flows of their own: the seed's 13, model management, file download and
/// URL, batch jobs, voices.
pub(crate) struct Ops {
    pub(crate) chat: Op,
    pub(crate) fim: Op,
    pub(crate) embed: Op,
    pub(crate) list_models: Op,
    pub(crate) retrieve_model: Op,
    pub(crate) update_model: Op,
    pub(crate) archive_model: Op,
    pub(crate) unarchive_model: Op,
    pub(crate) delete_model: Op,
    pub(crate) upload: Op,
    pub(crate) list_files: Op,
    pub(crate) retrieve_file: Op,
    pub(crate) download_file: Op,
    pub(crate) signed_url: Op,
    pub(crate) delete_file: Op,
    pub(crate) create_batch: Op,
    pub(crate) get_batch: Op,
    pub(crate) list_batches: Op,
    pub(crate) cancel_batch: Op,
    pub(crate) delete_batch: Op,
    pub(crate) create_voice: Op,
    pub(crate) get_voice: Op,
    pub(crate) update_voice: Op,
    pub(crate) voice_sample: Op,
    pub(crate) delete_voice: Op,
    pub(crate) transcribe: Op,
    pub(crate) speech: Op,
    pub(crate) list_jobs: Op,
    pub(crate) create_job: Op,
    pub(crate) get_job: Op,
    pub(crate) cancel_job: Op,
}

impl Ops {
    /// The operations with checks of their own (flows with state); every other operation of the
    /// table gets one check from its spec examples.
    pub(crate) fn dedicated(&self) -> [&Op; 29] {
        [
            &self.chat,
            &self.fim,
            &self.embed,
            &self.list_models,
            &self.retrieve_model,
            &self.update_model,
            &self.archive_model,
            &self.unarchive_model,
            &self.delete_model,
            &self.upload,
            &self.list_files,
            &self.retrieve_file,
            &self.download_file,
            &self.signed_url,
            &self.delete_file,
            &self.create_batch,
            &self.get_batch,
            &self.list_batches,
            &self.cancel_batch,
            &self.delete_batch,
            &self.create_voice,
            &self.get_voice,
            &self.update_voice,
            &self.voice_sample,
            &self.delete_voice,
            &self.list_jobs,
            &self.create_job,
            &self.get_job,
            &self.cancel_job,
        ]
    }

    pub(crate) fn load(spec: &Spec) -> Result<Ops, mistral_spec::Error> {
        let op = |o: &'static Operation| spec_data::op(spec, o);
        Ok(Ops {
            chat: op(&ops::CREATE_CHAT_COMPLETION)?,
            fim: op(&ops::CREATE_FIM_COMPLETION)?,
            embed: op(&ops::CREATE_EMBEDDING)?,
            list_models: op(&ops::LIST_MODELS)?,
            retrieve_model: op(&ops::RETRIEVE_MODEL_V1_MODELS_MODEL_ID_GET)?,
            update_model: op(&ops::JOBS_API_ROUTES_FINE_TUNING_UPDATE_FINE_TUNED_MODEL)?,
            archive_model: op(&ops::JOBS_API_ROUTES_FINE_TUNING_ARCHIVE_FINE_TUNED_MODEL)?,
            unarchive_model: op(&ops::JOBS_API_ROUTES_FINE_TUNING_UNARCHIVE_FINE_TUNED_MODEL)?,
            delete_model: op(&ops::DELETE_MODEL_V1_MODELS_MODEL_ID_DELETE)?,
            upload: op(&ops::FILES_API_ROUTES_UPLOAD_FILE)?,
            list_files: op(&ops::FILES_API_ROUTES_LIST_FILES)?,
            retrieve_file: op(&ops::FILES_API_ROUTES_RETRIEVE_FILE)?,
            download_file: op(&ops::FILES_API_ROUTES_DOWNLOAD_FILE)?,
            signed_url: op(&ops::FILES_API_ROUTES_GET_SIGNED_URL)?,
            create_batch: op(&ops::JOBS_API_ROUTES_BATCH_CREATE_BATCH_JOB)?,
            get_batch: op(&ops::JOBS_API_ROUTES_BATCH_GET_BATCH_JOB)?,
            list_batches: op(&ops::JOBS_API_ROUTES_BATCH_GET_BATCH_JOBS)?,
            cancel_batch: op(&ops::JOBS_API_ROUTES_BATCH_CANCEL_BATCH_JOB)?,
            delete_batch: op(&ops::JOBS_API_ROUTES_BATCH_DELETE_BATCH_JOB)?,
            create_voice: op(&ops::CREATE_VOICE_V1_AUDIO_VOICES_POST)?,
            get_voice: op(&ops::GET_VOICE_V1_AUDIO_VOICES_VOICE_ID_GET)?,
            update_voice: op(&ops::UPDATE_VOICE_V1_AUDIO_VOICES_VOICE_ID_PATCH)?,
            voice_sample: op(&ops::GET_VOICE_SAMPLE_AUDIO_V1_AUDIO_VOICES_VOICE_ID_SAMPLE_GET)?,
            delete_voice: op(&ops::DELETE_VOICE_V1_AUDIO_VOICES_VOICE_ID_DELETE)?,
            transcribe: op(&ops::AUDIO_API_V1_TRANSCRIPTIONS_POST)?,
            speech: op(&ops::SPEECH_V1_AUDIO_SPEECH_POST)?,
            delete_file: op(&ops::FILES_API_ROUTES_DELETE_FILE)?,
            list_jobs: op(&ops::JOBS_API_ROUTES_FINE_TUNING_GET_FINE_TUNING_JOBS)?,
            create_job: op(&ops::JOBS_API_ROUTES_FINE_TUNING_CREATE_FINE_TUNING_JOB)?,
            get_job: op(&ops::JOBS_API_ROUTES_FINE_TUNING_GET_FINE_TUNING_JOB)?,
            cancel_job: op(&ops::JOBS_API_ROUTES_FINE_TUNING_CANCEL_FINE_TUNING_JOB)?,
        })
    }
}

/// One check about to run.
pub(crate) struct Def<'a> {
    pub(crate) name: String,
    pub(crate) group: Group,
    pub(crate) op: &'a Op,
    pub(crate) description: String,
}

/// A JSON answer as checked: the first failure, and the body of a 2xx answer when it was
/// JSON (for the ids later steps need).
pub(crate) struct Answer {
    pub(crate) fail: Option<Fail>,
    pub(crate) created: Option<Value>,
}

impl Answer {
    pub(crate) fn failed(fail: Fail) -> Answer {
        Answer { fail: Some(fail), created: None }
    }

    /// A string field of the 2xx body.
    pub(crate) fn field(&self, name: &str) -> Option<String> {
        self.created.as_ref()?.get(name)?.as_str().filter(|s| !s.is_empty()).map(str::to_string)
    }

    /// When the answer fits, one more check on its body.
    pub(crate) fn then(mut self, f: impl FnOnce(&Value) -> Result<(), Fail>) -> Answer {
        if self.fail.is_none()
            && let Some(body) = &self.created
        {
            self.fail = f(body).err();
        }
        self
    }

    pub(crate) fn outcome(&self) -> Outcome {
        self.fail.clone().map_or(Outcome::Pass, Outcome::from)
    }
}

/// Why a check could not run.
pub(crate) type SkipReason = String;

pub(crate) struct Ctx {
    pub(crate) spec: &'static Spec,
    pub(crate) client: reqwest::Client,
    pub(crate) base: String,
    pub(crate) key: String,
    pub(crate) timeout: Duration,
    pub(crate) groups: BTreeSet<Group>,
    pub(crate) examples: Examples,
    pub(crate) checks: Vec<CheckResult>,
    pub(crate) notes: Vec<String>,
}

impl Ctx {
    pub(crate) fn selected(&self, group: Group) -> bool {
        self.groups.contains(&group)
    }

    pub(crate) async fn run(&mut self, ops: &Ops) {
        if self.selected(Group::Chat) {
            self.completions(Group::Chat, "chat", &ops.chat, true, |_, _| Ok(())).await;
            self.chat_2026(ops).await;
        }
        if self.selected(Group::Fim) {
            self.completions(Group::Fim, "fim", &ops.fim, true, |_, _| Ok(())).await;
        }
        if self.selected(Group::Embeddings) {
            self.completions(Group::Embeddings, "embeddings", &ops.embed, false, one_vector_per_input).await;
        }
        if self.selected(Group::Models) {
            self.models(ops).await;
        }

        let files = self.selected(Group::Files);
        let fine_tuning = self.selected(Group::FineTuning);
        let file = if files || fine_tuning { self.upload(ops, files).await } else { Err(String::new()) };
        if files {
            self.files(ops, &file).await;
        }
        let mut fine_tuned_model = None;
        if fine_tuning {
            fine_tuned_model = self.jobs(ops, &file).await;
        }
        match (&file, files) {
            (Ok(id), true) => self.delete_file(ops, id).await,
            (Ok(id), false) => {
                self.quietly(&format!("the training file {id}"), &ops.delete_file, &[("file_id", id)]).await
            }
            (Err(reason), true) => {
                let def = self.def(crate::checks::files::DELETE, Group::Files, &ops.delete_file, "the uploaded file");
                self.skip(def, reason.clone());
            }
            (Err(_), false) => {}
        }
        match (fine_tuned_model, self.selected(Group::Models)) {
            (model, true) => {
                self.manage_model(ops, model.as_deref()).await;
                self.delete_model(ops, model).await
            }
            (Some(model), false) => {
                self.quietly(&format!("the fine-tuned model {model}"), &ops.delete_model, &[("model_id", &model)]).await
            }
            (None, false) => {}
        }
        if self.selected(Group::Batch) {
            self.batch(ops).await;
        }
        if self.selected(Group::Audio) {
            self.voices(ops).await;
            self.transcription_stream(ops).await;
            self.speech_stream(ops).await;
        }
        if self.selected(Group::Agents) {
            self.agents().await;
        }
        if self.selected(Group::Conversations) {
            self.conversations().await;
        }
        if self.selected(Group::Libraries) {
            self.libraries().await;
        }
        self.examples(ops).await;
    }

    pub(crate) fn def<'a>(&self, name: &str, group: Group, op: &'a Op, description: impl Into<String>) -> Def<'a> {
        Def { name: name.to_string(), group, op, description: description.into() }
    }

    pub(crate) fn record(&mut self, def: Def<'_>, outcome: Outcome, started: Option<Instant>) {
        let duration_ms = started.map_or(0, |s| u64::try_from(s.elapsed().as_millis()).unwrap_or(u64::MAX));
        self.checks.push(CheckResult {
            name: def.name,
            group: def.group,
            operation_id: def.op.id.to_string(),
            request: def.op.request_line(),
            description: def.description,
            outcome,
            duration_ms,
        });
    }

    pub(crate) fn skip(&mut self, def: Def<'_>, reason: SkipReason) {
        self.record(def, Outcome::Skip { reason }, None);
    }

    pub(crate) fn request(
        &self,
        op: &Op,
        params: &[(&str, &str)],
        payload: &Payload,
        auth: bool,
    ) -> reqwest::RequestBuilder {
        let url = format!("{}{}", self.base, spec_data::fill(&op.path, params));
        let mut request = self.client.request(op.method.clone(), url);
        if auth {
            request = request.bearer_auth(&self.key);
        }
        http::with_payload(request, payload)
    }

    /// Sends a request and judges its JSON answer against the spec's `status` response.
    pub(crate) async fn call(
        &self,
        op: &Op,
        params: &[(&str, &str)],
        payload: &Payload,
        auth: bool,
        status: u16,
        why: &str,
    ) -> Answer {
        let media_type = match spec_data::declared(self.spec, op.id, status, JSON) {
            Ok(m) => m,
            Err(f) => return Answer::failed(f),
        };
        let expect = Expect { operation_id: op.id, status, media_type, why };
        match http::exchange(self.request(op, params, payload, auth), self.timeout).await {
            Err(f) => Answer::failed(f),
            Ok(reply) => {
                let judged = check::judge(self.spec, &reply, &expect);
                let created = if (200..300).contains(&reply.status) { judged.json } else { None };
                Answer { fail: judged.fail, created }
            }
        }
    }

    /// A 200 check with an extra check of the body; gives the answer for later steps.
    pub(crate) async fn plain(
        &mut self,
        def: Def<'_>,
        params: &[(&str, &str)],
        payload: Payload,
        then: impl FnOnce(&Value) -> Result<(), Fail>,
    ) -> Answer {
        let started = Instant::now();
        let answer = self.call(def.op, params, &payload, true, 200, "").await.then(then);
        self.record(def, answer.outcome(), Some(started));
        answer
    }

    /// A request without a key: 401 due, with a body matching the spec's 401 schema.
    pub(crate) async fn no_key(&mut self, def: Def<'_>, params: &[(&str, &str)], payload: Payload) {
        let started = Instant::now();
        let answer = self.call(def.op, params, &payload, false, 401, " (the request had no API key)").await;
        self.record(def, answer.outcome(), Some(started));
    }

    /// A request the spec's schema rejects: 422 due, with a body matching the 422 schema.
    pub(crate) async fn invalid(&mut self, def: Def<'_>, body: Value) {
        match spec_data::rejects(self.spec, def.op.id, &body) {
            Ok(true) => {}
            Ok(false) => {
                return self.skip(def, "the spec's schema accepts this request, so no 422 is due".into());
            }
            Err(f) => return self.record(def, f.into(), None),
        }
        let started = Instant::now();
        let why = " (the request does not fit the spec's schema)";
        let answer = self.call(def.op, &[], &Payload::Json(body), true, 422, why).await;
        self.record(def, answer.outcome(), Some(started));
    }

    /// Deletes something the run made, outside any check; a note when that fails.
    pub(crate) async fn quietly(&mut self, what: &str, op: &Op, params: &[(&str, &str)]) {
        match http::exchange(self.request(op, params, &Payload::None, true), self.timeout).await {
            Ok(reply) if (200..300).contains(&reply.status) => {}
            Ok(reply) => self.notes.push(format!(
                "could not delete {what}: status {}: {}",
                reply.status,
                http::snippet(&reply.body)
            )),
            Err(f) => self.notes.push(format!("could not delete {what}: {}", f.message)),
        }
    }
}

/// A few `{"messages": [user, assistant]}` lines: the spec's example line, and variants of
/// it with the user's words numbered.
pub(crate) fn training_jsonl(example_line: &str) -> String {
    let fallback = json!({"messages": [{"role": "user", "content": "Hi"}, {"role": "assistant", "content": "Hello!"}]});
    let line: Value = serde_json::from_str(example_line.trim()).unwrap_or(fallback);
    let mut out = String::new();
    for n in 1..=3 {
        let mut variant = line.clone();
        if n > 1
            && let Some(Value::String(text)) = variant.pointer_mut("/messages/0/content")
        {
            text.push_str(&format!(" ({n})"));
        }
        out.push_str(&variant.to_string());
        out.push('\n');
    }
    out
}

pub(crate) fn behaviour(message: String) -> Fail {
    Fail::new(Aspect::Behaviour, message)
}

/// The body's `id` is `id`.
pub(crate) fn same_id(body: &Value, id: &str, what: &str) -> Result<(), Fail> {
    match body.get("id").and_then(Value::as_str) {
        Some(got) if got == id => Ok(()),
        got => Err(Fail {
            pointer: Some("/id".into()),
            ..behaviour(format!("id {}, expected {id:?} ({what})", got.map_or("missing".into(), |g| format!("{g:?}"))))
        }),
    }
}

/// The list's `data` holds an item with this `id`.
pub(crate) fn listed(body: &Value, id: &str, what: &str) -> Result<(), Fail> {
    let items = body.get("data").and_then(Value::as_array).map(Vec::as_slice).unwrap_or_default();
    if items.iter().any(|item| item.get("id").and_then(Value::as_str) == Some(id)) {
        Ok(())
    } else {
        Err(Fail {
            pointer: Some("/data".into()),
            ..behaviour(format!("{what} {id} is not among the {} listed", items.len()))
        })
    }
}

/// `deleted: true`.
pub(crate) fn deleted(body: &Value) -> Result<(), Fail> {
    match body.get("deleted") {
        Some(Value::Bool(true)) => Ok(()),
        other => Err(Fail {
            pointer: Some("/deleted".into()),
            ..behaviour(format!("deleted is {}, expected true", other.map_or("missing".into(), Value::to_string)))
        }),
    }
}

/// A cancelled job's status.
pub(crate) fn cancelling(body: &Value) -> Result<(), Fail> {
    match body.get("status").and_then(Value::as_str) {
        Some("CANCELLATION_REQUESTED" | "CANCELLED") => Ok(()),
        other => Err(Fail {
            pointer: Some("/status".into()),
            ..behaviour(format!(
                "status {}, expected CANCELLATION_REQUESTED or CANCELLED after a cancel",
                other.map_or("missing".into(), |s| format!("{s:?}"))
            ))
        }),
    }
}

/// Without `dry_run`, a created job is a `JobOut` (the schema also allows a dry run's
/// estimate).
pub(crate) fn a_job(spec: &Spec, body: &Value) -> Result<(), Fail> {
    let validator = spec.component_validator("JobOut").map_err(Fail::spec)?;
    validator.validate(body).map_err(|violations| Fail {
        aspect: Aspect::Behaviour,
        ..Fail::schema(&violations, "without dry_run the answer must be a job (JobOut): ")
    })
}

/// Embeddings: one vector per input, as the spec says.
pub(crate) fn one_vector_per_input(request: &Value, answer: &Value) -> Result<(), Fail> {
    let inputs = match request.get("input") {
        Some(Value::Array(items)) => items.len(),
        _ => 1,
    };
    let vectors = answer.get("data").and_then(Value::as_array).map_or(0, Vec::len);
    if inputs == vectors {
        Ok(())
    } else {
        Err(Fail { pointer: Some("/data".into()), ..behaviour(format!("{vectors} embeddings for {inputs} inputs")) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn training_lines() {
        let spec = Spec::embedded().unwrap();
        let (_, example) =
            spec_data::request_examples(spec, "files_api_routes_upload_file", "multipart/form-data").unwrap().remove(0);
        let jsonl = training_jsonl(example["file"].as_str().unwrap());
        let lines: Vec<Value> = jsonl.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[0]["messages"][0]["content"], "Hi");
        assert_eq!(lines[2]["messages"][0]["content"], "Hi (3)");
        assert_eq!(lines[2]["messages"][1]["role"], "assistant");
        assert_eq!(training_jsonl("garbage").lines().count(), 3);
    }

    #[test]
    fn behaviour_checks() {
        assert!(same_id(&json!({"id": "a"}), "a", "x").is_ok());
        assert_eq!(
            same_id(&json!({"id": "b"}), "a", "the job").unwrap_err().message,
            "id \"b\", expected \"a\" (the job)"
        );
        assert!(listed(&json!({"data": [{"id": "a"}]}), "a", "x").is_ok());
        assert_eq!(listed(&json!({}), "a", "the file").unwrap_err().message, "the file a is not among the 0 listed");
        assert_eq!(deleted(&json!({"deleted": false})).unwrap_err().message, "deleted is false, expected true");
        assert!(cancelling(&json!({"status": "CANCELLED"})).is_ok());
        assert!(one_vector_per_input(&json!({"input": ["a", "b"]}), &json!({"data": [1]})).is_err());
        assert!(one_vector_per_input(&json!({"input": "a"}), &json!({"data": [1]})).is_ok());
    }
}
