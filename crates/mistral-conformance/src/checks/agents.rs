//! Agents: make one, read it back (by id, in both lists), update it (a new version), walk its
//! versions and aliases, ask it through `/v1/agents/completions`, delete it.

use mistral_openapi::operations as ops;
use serde_json::{Value, json};

use super::flow::{Step, field_is, lists};
use crate::Group;
use crate::check::Fail;
use crate::runner::*;

/// `agents.create`.
pub(crate) const CREATE: &str = "agents.create";
/// `agents.get`.
pub(crate) const GET: &str = "agents.get";
/// `agents.list`.
pub(crate) const LIST: &str = "agents.list";
/// `agents.list_pages`.
pub(crate) const LIST_PAGES: &str = "agents.list_pages";
/// `agents.update`.
pub(crate) const UPDATE: &str = "agents.update";
/// `agents.versions`.
pub(crate) const VERSIONS: &str = "agents.versions";
/// `agents.version`.
pub(crate) const VERSION: &str = "agents.version";
/// `agents.switch_version`.
pub(crate) const SWITCH_VERSION: &str = "agents.switch_version";
/// `agents.alias_set`.
pub(crate) const ALIAS_SET: &str = "agents.alias_set";
/// `agents.aliases`.
pub(crate) const ALIASES: &str = "agents.aliases";
/// `agents.alias_delete`.
pub(crate) const ALIAS_DELETE: &str = "agents.alias_delete";
/// `agents.complete`.
pub(crate) const COMPLETE: &str = "agents.complete";
/// `agents.delete`.
pub(crate) const DELETE: &str = "agents.delete";

/// Each check of the flow and its operation, in the order they run.
pub(crate) const STEPS: &[(&str, &ops::Operation)] = &[
    (CREATE, &ops::AGENTS_API_V1_AGENTS_CREATE),
    (GET, &ops::AGENTS_API_V1_AGENTS_GET),
    (LIST, &ops::AGENTS_API_V1_AGENTS_LIST),
    (LIST_PAGES, &ops::AGENTS_API_V1_AGENTS_LIST_PAGES),
    (UPDATE, &ops::AGENTS_API_V1_AGENTS_UPDATE),
    (VERSIONS, &ops::AGENTS_API_V1_AGENTS_LIST_VERSIONS),
    (VERSION, &ops::AGENTS_API_V1_AGENTS_GET_VERSION),
    (SWITCH_VERSION, &ops::AGENTS_API_V1_AGENTS_UPDATE_VERSION),
    (ALIAS_SET, &ops::AGENTS_API_V1_AGENTS_CREATE_OR_UPDATE_ALIAS),
    (ALIASES, &ops::AGENTS_API_V1_AGENTS_LIST_VERSION_ALIASES),
    (ALIAS_DELETE, &ops::AGENTS_API_V1_AGENTS_DELETE_ALIAS),
    (COMPLETE, &ops::AGENTS_COMPLETION_V1_AGENTS_COMPLETIONS_POST),
    (DELETE, &ops::AGENTS_API_V1_AGENTS_DELETE),
];

/// The model the agent runs.
pub(crate) const MODEL: &str = "mistral-small-latest";
/// The alias the flow makes.
const ALIAS: &str = "conformance";

impl Ctx {
    /// The agent flow; the agent made is deleted.
    pub(crate) async fn agents(&mut self) {
        let g = Group::Agents;
        let name = format!("conformance-{}", uuid::Uuid::new_v4().simple());
        let create = Step::new(CREATE, g, &ops::AGENTS_API_V1_AGENTS_CREATE, format!("{MODEL}, named {name}"))
            .json(json!({"model": MODEL, "name": name, "instructions": "Answer in one short sentence.",
                   "description": "made by mistral-conformance"}));
        let made = self
            .step(create, |v| {
                field_is(v, "name", &json!(name))?;
                field_is(v, "model", &json!(MODEL))
            })
            .await;
        let first_version = made.created.as_ref().and_then(|v| v.get("version")).and_then(Value::as_i64);
        let Some(id) = made.field("id") else {
            self.skip_steps(g, &STEPS[1..], "no agent was created");
            return;
        };
        let first = first_version.unwrap_or(0);

        let get = Step::new(GET, g, &ops::AGENTS_API_V1_AGENTS_GET, "the agent made: same id").param("agent_id", &id);
        self.step(get, |v| same_id(v, &id, "the agent")).await;
        let list = Step::new(LIST, g, &ops::AGENTS_API_V1_AGENTS_LIST, "filtered by its name: holds the agent")
            .param("name", &name);
        self.step(list, |v| lists(v, "", "id", &id, "the agent")).await;
        let pages = Step::new(LIST_PAGES, g, &ops::AGENTS_API_V1_AGENTS_LIST_PAGES, "filtered by its name: holds it")
            .param("name", &name);
        self.step(pages, |v| lists(v, "/data", "id", &id, "the agent")).await;

        let update = Step::new(UPDATE, g, &ops::AGENTS_API_V1_AGENTS_UPDATE, "a new description: a new version")
            .param("agent_id", &id)
            .json(json!({"description": "updated by mistral-conformance"}));
        let updated = self
            .step(update, |v| {
                field_is(v, "description", &json!("updated by mistral-conformance"))?;
                match v.get("version").and_then(Value::as_i64) {
                    Some(n) if n > first => Ok(()),
                    got => Err(Fail {
                        pointer: Some("/version".into()),
                        ..behaviour(format!("version {got:?} after an update, expected more than {first}"))
                    }),
                }
            })
            .await;
        let second = updated.created.as_ref().and_then(|v| v.get("version")).and_then(Value::as_i64);

        let versions =
            Step::new(VERSIONS, g, &ops::AGENTS_API_V1_AGENTS_LIST_VERSIONS, "both versions").param("agent_id", &id);
        self.step(versions, |v| {
            let count = v.as_array().map_or(0, Vec::len);
            if count >= 2 { Ok(()) } else { Err(behaviour(format!("{count} versions after one update, expected 2"))) }
        })
        .await;
        let version = Step::new(VERSION, g, &ops::AGENTS_API_V1_AGENTS_GET_VERSION, format!("version {first}"))
            .param("agent_id", &id)
            .param("version", first.to_string());
        self.step(version, |v| field_is(v, "version", &json!(first))).await;
        let switch = Step::new(SWITCH_VERSION, g, &ops::AGENTS_API_V1_AGENTS_UPDATE_VERSION, "back to the first")
            .param("agent_id", &id)
            .param("version", first.to_string());
        self.step(switch, |v| field_is(v, "version", &json!(first))).await;

        let aliased = second.unwrap_or(first);
        let alias_set = Step::new(ALIAS_SET, g, &ops::AGENTS_API_V1_AGENTS_CREATE_OR_UPDATE_ALIAS, "")
            .param("agent_id", &id)
            .param("alias", ALIAS)
            .param("version", aliased.to_string());
        let alias_set = Step { description: format!("{ALIAS:?} -> version {aliased}"), ..alias_set };
        self.step(alias_set, |v| {
            field_is(v, "alias", &json!(ALIAS))?;
            field_is(v, "version", &json!(aliased))
        })
        .await;
        let aliases = Step::new(ALIASES, g, &ops::AGENTS_API_V1_AGENTS_LIST_VERSION_ALIASES, "holds the alias made")
            .param("agent_id", &id);
        self.step(aliases, |v| lists(v, "", "alias", ALIAS, "the alias")).await;
        let alias_delete = Step::new(ALIAS_DELETE, g, &ops::AGENTS_API_V1_AGENTS_DELETE_ALIAS, "the alias made")
            .param("agent_id", &id)
            .param("alias", ALIAS);
        self.step(alias_delete, |_| Ok(())).await;

        let complete = Step::new(
            COMPLETE,
            g,
            &ops::AGENTS_COMPLETION_V1_AGENTS_COMPLETIONS_POST,
            "a question to the agent: a chat completion",
        )
        .json(json!({"agent_id": id, "messages": [{"role": "user", "content": "Say hello."}]}));
        self.step(complete, |v| match v.pointer("/choices/0/message") {
            Some(_) => Ok(()),
            None => Err(Fail { pointer: Some("/choices".into()), ..behaviour("no answer".into()) }),
        })
        .await;

        let delete = Step::new(DELETE, g, &ops::AGENTS_API_V1_AGENTS_DELETE, "the agent made").param("agent_id", &id);
        self.step(delete, |_| Ok(())).await;
    }
}
