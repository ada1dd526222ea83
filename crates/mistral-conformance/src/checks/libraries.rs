//! Libraries: make one, read and rename it, upload a text document, wait until it is
//! processed, read it every way (metadata, text, signed URLs), rename and reprocess it, share
//! the library and take the access back, delete the document and the library.

use std::time::Duration;

use bytes::Bytes;
use mistral_openapi::operations as ops;
use serde_json::{Value, json};
use tokio::time::Instant;

use super::flow::{Step, field_is, lists};
use crate::Group;
use crate::check::Fail;
use crate::http::Payload;
use crate::report::Outcome;
use crate::runner::*;

/// `libraries.create`.
pub(crate) const CREATE: &str = "libraries.create";
/// `libraries.get`.
pub(crate) const GET: &str = "libraries.get";
/// `libraries.list`.
pub(crate) const LIST: &str = "libraries.list";
/// `libraries.update`.
pub(crate) const UPDATE: &str = "libraries.update";
/// `libraries.replace`.
pub(crate) const REPLACE: &str = "libraries.replace";
/// `libraries.documents.upload`.
pub(crate) const DOC_UPLOAD: &str = "libraries.documents.upload";
/// `libraries.documents.status`.
pub(crate) const DOC_STATUS: &str = "libraries.documents.status";
/// `libraries.documents.list`.
pub(crate) const DOC_LIST: &str = "libraries.documents.list";
/// `libraries.documents.get`.
pub(crate) const DOC_GET: &str = "libraries.documents.get";
/// `libraries.documents.update`.
pub(crate) const DOC_UPDATE: &str = "libraries.documents.update";
/// `libraries.documents.replace`.
pub(crate) const DOC_REPLACE: &str = "libraries.documents.replace";
/// `libraries.documents.text`.
pub(crate) const DOC_TEXT: &str = "libraries.documents.text";
/// `libraries.documents.signed_url`.
pub(crate) const DOC_SIGNED_URL: &str = "libraries.documents.signed_url";
/// `libraries.documents.extracted_text_url`.
pub(crate) const DOC_TEXT_URL: &str = "libraries.documents.extracted_text_url";
/// `libraries.documents.reprocess`.
pub(crate) const DOC_REPROCESS: &str = "libraries.documents.reprocess";
/// `libraries.documents.delete`.
pub(crate) const DOC_DELETE: &str = "libraries.documents.delete";
/// `libraries.accesses.set`.
pub(crate) const ACCESS_SET: &str = "libraries.accesses.set";
/// `libraries.accesses.list`.
pub(crate) const ACCESS_LIST: &str = "libraries.accesses.list";
/// `libraries.accesses.delete`.
pub(crate) const ACCESS_DELETE: &str = "libraries.accesses.delete";
/// `libraries.delete`.
pub(crate) const DELETE: &str = "libraries.delete";

/// Each check of the flow and its operation, in the order they run.
pub(crate) const STEPS: &[(&str, &ops::Operation)] = &[
    (CREATE, &ops::LIBRARIES_CREATE_V1),
    (GET, &ops::LIBRARIES_GET_V1),
    (LIST, &ops::LIBRARIES_LIST_V1),
    (UPDATE, &ops::LIBRARIES_PATCH_V1),
    (REPLACE, &ops::LIBRARIES_UPDATE_V1),
    (DOC_UPLOAD, &ops::LIBRARIES_DOCUMENTS_UPLOAD_V1),
    (DOC_STATUS, &ops::LIBRARIES_DOCUMENTS_GET_STATUS_V1),
    (DOC_LIST, &ops::LIBRARIES_DOCUMENTS_LIST_V1),
    (DOC_GET, &ops::LIBRARIES_DOCUMENTS_GET_V1),
    (DOC_UPDATE, &ops::LIBRARIES_DOCUMENTS_PATCH_V1),
    (DOC_REPLACE, &ops::LIBRARIES_DOCUMENTS_UPDATE_V1),
    (DOC_TEXT, &ops::LIBRARIES_DOCUMENTS_GET_TEXT_CONTENT_V1),
    (DOC_SIGNED_URL, &ops::LIBRARIES_DOCUMENTS_GET_SIGNED_URL_V1),
    (DOC_TEXT_URL, &ops::LIBRARIES_DOCUMENTS_GET_EXTRACTED_TEXT_SIGNED_URL_V1),
    (DOC_REPROCESS, &ops::LIBRARIES_DOCUMENTS_REPROCESS_V1),
    (DOC_DELETE, &ops::LIBRARIES_DOCUMENTS_DELETE_V1),
    (ACCESS_SET, &ops::LIBRARIES_SHARE_CREATE_V1),
    (ACCESS_LIST, &ops::LIBRARIES_SHARE_LIST_V1),
    (ACCESS_DELETE, &ops::LIBRARIES_SHARE_DELETE_V1),
    (DELETE, &ops::LIBRARIES_DELETE_V1),
];

/// The document uploaded, and a word of it the text must hold.
const DOCUMENT: &str = "Comte is a French cheese made from unpasteurised cow's milk in the Jura.\n";
const WORD: &str = "Jura";
/// Process statuses that are still moving.
const PROCESSING: &[&str] = &["todo", "in_progress", "waiting_for_capacity"];

/// A signed URL: a JSON string starting with `http`.
fn a_url(body: &Value) -> Result<(), Fail> {
    match body.as_str() {
        Some(url) if url.starts_with("http") => Ok(()),
        other => Err(behaviour(format!("{other:?} is not a URL"))),
    }
}

impl Ctx {
    /// The library flow; the document and the library made are deleted.
    pub(crate) async fn libraries(&mut self) {
        let g = Group::Libraries;
        let name = format!("conformance-{}", uuid::Uuid::new_v4().simple());
        let create = Step::new(CREATE, g, &ops::LIBRARIES_CREATE_V1, format!("named {name}"))
            .json(json!({"name": name, "description": "made by mistral-conformance"}));
        let made = self.step(create, |v| field_is(v, "name", &json!(name))).await;
        let Some(id) = made.field("id") else {
            self.skip_steps(g, &STEPS[1..], "no library was created");
            return;
        };
        let lib = |step: Step| step.param("library_id", &id);

        self.step(lib(Step::new(GET, g, &ops::LIBRARIES_GET_V1, "the library: same id")), |v| {
            same_id(v, &id, "the library")
        })
        .await;
        let list = Step::new(LIST, g, &ops::LIBRARIES_LIST_V1, "searched by its name: holds it").param("search", &name);
        self.step(list, |v| lists(v, "/data", "id", &id, "the library")).await;
        let update = lib(Step::new(UPDATE, g, &ops::LIBRARIES_PATCH_V1, "a new description"))
            .json(json!({"description": "updated by mistral-conformance"}));
        self.step(update, |v| field_is(v, "description", &json!("updated by mistral-conformance"))).await;
        let renamed = format!("{name}-renamed");
        let replace = lib(Step::new(REPLACE, g, &ops::LIBRARIES_UPDATE_V1, "a new name (deprecated PUT)"))
            .json(json!({"name": renamed}));
        self.step(replace, |v| field_is(v, "name", &json!(renamed))).await;

        let upload = lib(Step::new(DOC_UPLOAD, g, &ops::LIBRARIES_DOCUMENTS_UPLOAD_V1, "a text file")).payload(
            Payload::Upload {
                filename: "comte.txt".into(),
                bytes: Bytes::from_static(DOCUMENT.as_bytes()),
                purpose: None,
            },
        );
        let uploaded = self.step(upload, |v| field_is(v, "name", &json!("comte.txt"))).await;
        match uploaded.field("id") {
            Some(doc) => self.documents(&id, &doc).await,
            None => {
                self.skip_steps(g, &STEPS[6..16], "no document was uploaded");
            }
        }

        let who = uuid::Uuid::new_v4().to_string();
        let access = json!({"share_with_uuid": who, "share_with_type": "User"});
        let mut set = access.clone();
        set["level"] = json!("Viewer");
        let share = lib(Step::new(ACCESS_SET, g, &ops::LIBRARIES_SHARE_CREATE_V1, "a user as viewer")).json(set);
        self.step(share, |v| field_is(v, "share_with_uuid", &json!(who))).await;
        let shares = lib(Step::new(ACCESS_LIST, g, &ops::LIBRARIES_SHARE_LIST_V1, "holds the access given"));
        self.step(shares, |v| lists(v, "/data", "share_with_uuid", &who, "the user")).await;
        let unshare =
            lib(Step::new(ACCESS_DELETE, g, &ops::LIBRARIES_SHARE_DELETE_V1, "the access given (a JSON body)"))
                .json(access);
        self.step(unshare, |_| Ok(())).await;

        self.step(lib(Step::new(DELETE, g, &ops::LIBRARIES_DELETE_V1, "the library")), |_| Ok(())).await;
    }

    async fn documents(&mut self, library: &str, doc: &str) {
        let g = Group::Libraries;
        let d = |step: Step| step.param("library_id", library).param("document_id", doc);
        self.processed(d(Step::new(
            DOC_STATUS,
            g,
            &ops::LIBRARIES_DOCUMENTS_GET_STATUS_V1,
            "polled until processed: done",
        )))
        .await;
        let list = Step::new(DOC_LIST, g, &ops::LIBRARIES_DOCUMENTS_LIST_V1, "holds the document")
            .param("library_id", library);
        self.step(list, |v| lists(v, "/data", "id", doc, "the document")).await;
        self.step(d(Step::new(DOC_GET, g, &ops::LIBRARIES_DOCUMENTS_GET_V1, "same id")), |v| {
            same_id(v, doc, "the document")
        })
        .await;
        let update = d(Step::new(DOC_UPDATE, g, &ops::LIBRARIES_DOCUMENTS_PATCH_V1, "a new name"))
            .json(json!({"name": "comte-renamed.txt"}));
        self.step(update, |v| field_is(v, "name", &json!("comte-renamed.txt"))).await;
        let replace = d(Step::new(DOC_REPLACE, g, &ops::LIBRARIES_DOCUMENTS_UPDATE_V1, "a new name (deprecated PUT)"))
            .json(json!({"name": "comte.txt"}));
        self.step(replace, |v| field_is(v, "name", &json!("comte.txt"))).await;
        let text = d(Step::new(DOC_TEXT, g, &ops::LIBRARIES_DOCUMENTS_GET_TEXT_CONTENT_V1, "holds the file's words"));
        self.step(text, |v| match v.get("text").and_then(Value::as_str) {
            Some(text) if text.contains(WORD) => Ok(()),
            other => Err(Fail { pointer: Some("/text".into()), ..behaviour(format!("{other:?} lacks {WORD:?}")) }),
        })
        .await;
        let url = d(Step::new(DOC_SIGNED_URL, g, &ops::LIBRARIES_DOCUMENTS_GET_SIGNED_URL_V1, "a URL"));
        self.step(url, a_url).await;
        let url = d(Step::new(DOC_TEXT_URL, g, &ops::LIBRARIES_DOCUMENTS_GET_EXTRACTED_TEXT_SIGNED_URL_V1, "a URL"));
        self.step(url, a_url).await;
        let reprocess = d(Step::new(DOC_REPROCESS, g, &ops::LIBRARIES_DOCUMENTS_REPROCESS_V1, "accepted"));
        self.step(reprocess, |_| Ok(())).await;
        self.step(d(Step::new(DOC_DELETE, g, &ops::LIBRARIES_DOCUMENTS_DELETE_V1, "the document")), |_| Ok(())).await;
    }

    /// Asks the status until the document is no longer being processed (or the run's timeout);
    /// the last answer is the check: `done`.
    async fn processed(&mut self, step: Step) {
        let op = match crate::spec_data::op(self.spec, step.op) {
            Ok(op) => op,
            Err(e) => return self.notes.push(e.to_string()),
        };
        let started = Instant::now();
        let deadline = started + self.timeout;
        let answer = loop {
            let answer = self.exchange_step(&op, step.op, &step.params, &step.payload).await;
            let status = answer.field("process_status");
            let moving = status.as_deref().is_some_and(|s| PROCESSING.contains(&s));
            if answer.fail.is_some() || !moving || Instant::now() + Duration::from_millis(500) > deadline {
                break answer.then(|v| field_is(v, "process_status", &json!("done")));
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        };
        let def = Def { name: step.name.to_string(), group: step.group, op: &op, description: step.description };
        let outcome = answer.fail.map_or(Outcome::Pass, Outcome::from);
        self.record(def, outcome, Some(started));
    }
}
