//! Files: upload, retrieve, list, no key, delete (the upload is also the fine-tuning flow's
//! training file).

use bytes::Bytes;
use serde_json::Value;
use tokio::time::Instant;

use crate::Group;
use crate::check::Fail;
use crate::http::Payload;
use crate::runner::*;
use crate::spec_data::{self};

/// `files.upload`.
pub(crate) const UPLOAD: &str = "files.upload";
/// `files.retrieve`.
pub(crate) const RETRIEVE: &str = "files.retrieve";
/// `files.list`.
pub(crate) const LIST: &str = "files.list";
/// `files.no_key`.
pub(crate) const NO_KEY: &str = "files.no_key";
/// `files.delete`.
pub(crate) const DELETE: &str = "files.delete";
/// `files.download`.
pub(crate) const DOWNLOAD: &str = "files.download";
/// `files.signed_url`.
pub(crate) const SIGNED_URL: &str = "files.signed_url";

impl Ctx {
    /// Uploads the training file (`files.upload` when `report`): its id, or why there is none.
    pub(crate) async fn upload(&mut self, ops: &Ops, report: bool) -> Result<String, SkipReason> {
        let op = &ops.upload;
        let def = self.def(UPLOAD, Group::Files, op, "");
        let example = spec_data::request_examples(self.spec, op.id, "multipart/form-data")
            .and_then(|e| e.into_iter().next().ok_or_else(|| Fail::spec("no upload example")));
        let (name, example) = match example {
            Ok(e) => e,
            Err(f) => {
                let reason = format!("no file was uploaded: {}", f.message);
                if report {
                    self.record(def, f.into(), None);
                }
                return Err(reason);
            }
        };
        let line = example.get("file").and_then(Value::as_str).unwrap_or_default();
        let purpose = example.get("purpose").and_then(Value::as_str).map(str::to_string);
        let jsonl = training_jsonl(line);
        let description = format!("example {name:?}: a {}-line JSONL, multipart", jsonl.lines().count());
        let payload = Payload::Upload {
            filename: format!("conformance-{}.jsonl", uuid::Uuid::new_v4().simple()),
            bytes: Bytes::from(jsonl),
            purpose,
        };
        let started = Instant::now();
        let answer = self.call(op, &[], &payload, true, 200, "").await;
        let id = answer.field("id");
        let why = answer.fail.as_ref().map(|f| f.message.clone()).unwrap_or_else(|| "it has no id".into());
        if report {
            self.record(Def { description, ..def }, answer.outcome(), Some(started));
        }
        match id {
            Some(id) => Ok(id),
            None if report => Err(format!("files.upload gave no file id: {why}")),
            None => Err(format!("uploading the training file gave no file id: {why}")),
        }
    }

    /// `files.retrieve`, `files.list`, `files.no_key`.
    pub(crate) async fn files(&mut self, ops: &Ops, file: &Result<String, SkipReason>) {
        let retrieve = self.def(RETRIEVE, Group::Files, &ops.retrieve_file, "the uploaded file: same id");
        let list = self.def(LIST, Group::Files, &ops.list_files, "contains the uploaded file");
        let download = self.def(DOWNLOAD, Group::Files, &ops.download_file, "the uploaded file: as many bytes");
        let url = self.def(SIGNED_URL, Group::Files, &ops.signed_url, "the uploaded file: a URL");
        match file {
            Ok(id) => {
                let same = |v: &Value| same_id(v, id, "the uploaded file");
                let got = self.plain(retrieve, &[("file_id", id)], Payload::None, same).await;
                let size = got.created.as_ref().and_then(|v| v.get("bytes")?.as_u64());
                self.plain(list, &[], Payload::None, |v| listed(v, id, "the uploaded file")).await;
                self.download(download, id, size).await;
                self.plain(url, &[("file_id", id)], Payload::None, |v| match v.get("url").and_then(Value::as_str) {
                    Some(u) if !u.is_empty() => Ok(()),
                    _ => Err(Fail { pointer: Some("/url".into()), ..behaviour("no url".into()) }),
                })
                .await;
            }
            Err(reason) => {
                for def in [retrieve, list, download, url] {
                    self.skip(def, reason.clone());
                }
            }
        }
        let def = self.def(NO_KEY, Group::Files, &ops.list_files, "no API key: 401");
        self.no_key(def, &[], Payload::None).await;
    }

    /// `files.download`: 200, and as many bytes as the file's metadata says it has.
    async fn download(&mut self, def: Def<'_>, id: &str, size: Option<u64>) {
        let started = Instant::now();
        let request = self.request(def.op, &[("file_id", id)], &Payload::None, true);
        let outcome = match crate::http::exchange(request, self.timeout).await {
            Err(f) => f.into(),
            Ok(reply) if reply.status != 200 => {
                behaviour(format!("status {}, expected 200: {}", reply.status, crate::http::snippet(&reply.body)))
                    .into()
            }
            Ok(reply) => match size {
                Some(size) if reply.body.len() as u64 != size => {
                    behaviour(format!("{} bytes, the file's metadata says {size}", reply.body.len())).into()
                }
                _ => crate::report::Outcome::Pass,
            },
        };
        self.record(def, outcome, Some(started));
    }

    /// `files.delete`.
    pub(crate) async fn delete_file(&mut self, ops: &Ops, id: &str) {
        let def = self.def(DELETE, Group::Files, &ops.delete_file, "the uploaded file: deleted");
        self.plain(def, &[("file_id", id)], Payload::None, |v| {
            same_id(v, id, "the uploaded file")?;
            deleted(v)
        })
        .await;
    }
}
