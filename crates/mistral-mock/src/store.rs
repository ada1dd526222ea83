//! The server's state: files, fine-tuning and batch jobs, deleted fine-tuned models, voices,
//! agents, conversations, document libraries.

use bytes::Bytes;
use mistral_openapi::types::{FileSchema, KnownJobStatus};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::batch::BatchRecord;
use crate::lifecycle::JobRecord;

/// An uploaded file.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct StoredFile {
    pub(crate) meta: FileSchema,
    /// Tokens of the examples (for dry runs).
    pub(crate) tokens: u64,
    /// Examples (lines) in the file.
    pub(crate) lines: u64,
    /// The bytes, when kept in memory (no data directory; else they are in its `files/`).
    #[serde(skip)]
    pub(crate) content: Option<Bytes>,
}

/// A fine-tuned model that exists now.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct FineTuned {
    pub(crate) id: String,
    pub(crate) created: i64,
    pub(crate) owner: String,
    /// The job that trained it.
    pub(crate) job: String,
    /// The base model it was trained from.
    pub(crate) root: String,
}

/// What was changed on a fine-tuned model's card (update, archive).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct ModelEdit {
    /// The model.
    pub(crate) id: String,
    /// The name given (`None`: the model's id).
    pub(crate) name: Option<String>,
    /// The description given.
    pub(crate) description: Option<String>,
    /// Archived (still listed and usable, flagged).
    pub(crate) archived: bool,
}

/// A custom voice (the presets are not stored).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct VoiceRecord {
    pub(crate) id: Uuid,
    /// 8 hex digits naming the key that made it (its `user_id`).
    pub(crate) owner: String,
    pub(crate) created_ms: i64,
    /// `name`, `slug`, `languages`, `gender`, `age`, `tags`, `color`, `description`,
    /// `retention_notice`, as the API sends them.
    pub(crate) fields: serde_json::Map<String, serde_json::Value>,
    /// The sample, base64.
    pub(crate) sample: String,
}

/// One version of an agent: what was given when it was made.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct AgentVersion {
    pub(crate) version: i64,
    pub(crate) created_ms: i64,
    /// `model`, `name`, `instructions`, `tools`, `completion_args`, `guardrails`,
    /// `description`, `handoffs`, `metadata`, `version_message`, as the API sends them.
    pub(crate) fields: serde_json::Map<String, serde_json::Value>,
}

/// A name for one version of an agent.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct AgentAlias {
    pub(crate) alias: String,
    pub(crate) version: i64,
    pub(crate) created_ms: i64,
    pub(crate) updated_ms: i64,
}

/// An agent: its versions (oldest first), the current one, its aliases.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct AgentRecord {
    pub(crate) id: String,
    pub(crate) created_ms: i64,
    /// The version answered when none is asked for.
    pub(crate) current: i64,
    pub(crate) deployment_chat: bool,
    pub(crate) versions: Vec<AgentVersion>,
    pub(crate) aliases: Vec<AgentAlias>,
}

/// A conversation: how it answers, and its entries in order.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct ConversationRecord {
    pub(crate) id: String,
    pub(crate) created_ms: i64,
    pub(crate) updated_ms: i64,
    /// `model` or `agent_id` (and `agent_version`), `instructions`, `tools`, `completion_args`,
    /// `guardrails`, `name`, `description`, `metadata`, as given when it started.
    pub(crate) settings: serde_json::Map<String, serde_json::Value>,
    /// The entries as the API sends them (`ConversationHistory`'s).
    pub(crate) entries: Vec<serde_json::Value>,
}

/// Who a library is shared with, and how.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct ShareRecord {
    /// `User`, `Workspace` (or another entity type the API may add).
    pub(crate) share_with_type: String,
    pub(crate) share_with_uuid: Uuid,
    /// `Viewer` or `Editor`.
    pub(crate) role: String,
    pub(crate) org_id: Uuid,
}

/// A document library; its counts are computed from its documents when it is sent.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct LibraryRecord {
    pub(crate) id: Uuid,
    /// 8 hex digits naming the key that made it.
    pub(crate) owner: String,
    pub(crate) created_ms: i64,
    pub(crate) updated_ms: i64,
    pub(crate) name: String,
    pub(crate) description: Option<String>,
    pub(crate) chunk_size: Option<i64>,
    /// `User` or `Workspace`.
    pub(crate) owner_type: String,
    /// In the order they were granted.
    pub(crate) shares: Vec<ShareRecord>,
}

/// A document of a library: what was uploaded, its text, and when its processing started.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct DocumentRecord {
    pub(crate) id: Uuid,
    pub(crate) library_id: Uuid,
    /// 8 hex digits naming the key that uploaded it.
    pub(crate) owner: String,
    pub(crate) name: String,
    pub(crate) mime_type: String,
    pub(crate) extension: Option<String>,
    pub(crate) size: i64,
    /// A digest of the bytes.
    pub(crate) hash: String,
    pub(crate) created_ms: i64,
    pub(crate) updated_ms: i64,
    /// When the latest processing started (moved back by the simulated clock's advances).
    pub(crate) processing_ms: i64,
    /// Simulated seconds per real second when it started (`Options::speed`).
    pub(crate) speed: f64,
    /// The text of each page (one page for text documents); `None`: no text could be read
    /// (processing ends in `error`).
    pub(crate) pages: Option<Vec<String>>,
    /// Whether it is a PDF (its `number_of_pages` is then known).
    pub(crate) paged: bool,
    pub(crate) attributes: Option<serde_json::Map<String, serde_json::Value>>,
    pub(crate) expires_at: Option<String>,
    /// The bytes, when kept in memory (no data directory; else they are in its `files/`).
    #[serde(skip)]
    pub(crate) content: Option<Bytes>,
}

/// Everything the server remembers; persisted as one JSON document.
#[derive(Debug, Default, Serialize, Deserialize)]
pub(crate) struct Store {
    /// In upload order.
    pub(crate) files: Vec<StoredFile>,
    /// In creation order.
    pub(crate) jobs: Vec<JobRecord>,
    /// Fine-tuned models that were deleted.
    pub(crate) deleted_models: Vec<String>,
    /// Changes to fine-tuned models' cards (absent from data directories of older versions).
    #[serde(default)]
    pub(crate) model_edits: Vec<ModelEdit>,
    /// Batch jobs, in creation order.
    #[serde(default)]
    pub(crate) batches: Vec<BatchRecord>,
    /// Custom voices, in creation order.
    #[serde(default)]
    pub(crate) voices: Vec<VoiceRecord>,
    /// Agents, in creation order.
    #[serde(default)]
    pub(crate) agents: Vec<AgentRecord>,
    /// Conversations, in creation order.
    #[serde(default)]
    pub(crate) conversations: Vec<ConversationRecord>,
    /// Document libraries, in creation order.
    #[serde(default)]
    pub(crate) libraries: Vec<LibraryRecord>,
    /// Documents of every library, in upload order.
    #[serde(default)]
    pub(crate) documents: Vec<DocumentRecord>,
}

impl Store {
    /// The file with this id.
    pub(crate) fn file(&self, id: Uuid) -> Option<&StoredFile> {
        self.files.iter().find(|f| f.meta.id == id)
    }

    /// Removes a file, giving it back.
    pub(crate) fn remove_file(&mut self, id: Uuid) -> Option<StoredFile> {
        let i = self.files.iter().position(|f| f.meta.id == id)?;
        Some(self.files.remove(i))
    }

    /// What was changed on this fine-tuned model (nothing: the defaults).
    pub(crate) fn model_edit(&self, id: &str) -> ModelEdit {
        self.model_edits
            .iter()
            .find(|e| e.id == id)
            .cloned()
            .unwrap_or_else(|| ModelEdit { id: id.into(), ..ModelEdit::default() })
    }

    /// Records a change to a fine-tuned model's card.
    pub(crate) fn edit_model(&mut self, id: &str, change: impl FnOnce(&mut ModelEdit)) -> ModelEdit {
        let i = match self.model_edits.iter().position(|e| e.id == id) {
            Some(i) => i,
            None => {
                self.model_edits.push(ModelEdit { id: id.into(), ..ModelEdit::default() });
                self.model_edits.len() - 1
            }
        };
        change(&mut self.model_edits[i]);
        self.model_edits[i].clone()
    }

    /// The job with this id.
    pub(crate) fn job(&self, id: Uuid) -> Option<&JobRecord> {
        self.jobs.iter().find(|j| j.id == id)
    }

    /// The job with this id, to change.
    pub(crate) fn job_mut(&mut self, id: Uuid) -> Option<&mut JobRecord> {
        self.jobs.iter_mut().find(|j| j.id == id)
    }

    /// The batch job with this id.
    pub(crate) fn batch(&self, id: Uuid) -> Option<&BatchRecord> {
        self.batches.iter().find(|b| b.id == id)
    }

    /// The batch job with this id, to change.
    pub(crate) fn batch_mut(&mut self, id: Uuid) -> Option<&mut BatchRecord> {
        self.batches.iter_mut().find(|b| b.id == id)
    }

    /// Fine-tuned models of succeeded jobs that were not deleted, oldest first.
    pub(crate) fn fine_tuned(&self, now_ms: i64) -> Vec<FineTuned> {
        self.jobs
            .iter()
            .filter(|j| !self.deleted_models.contains(&j.fine_tuned_model))
            .filter_map(|j| {
                let p = j.progress(now_ms);
                (p.status == KnownJobStatus::Success).then(|| FineTuned {
                    id: j.fine_tuned_model.clone(),
                    created: p.succeeded_ms.unwrap_or(j.created_ms).div_euclid(1000),
                    owner: j.owner.clone(),
                    job: j.id.to_string(),
                    root: j.model.clone(),
                })
            })
            .collect()
    }
}
