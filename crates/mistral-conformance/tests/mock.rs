//! Against `mistral-mock`, which follows the spec: every check passes.

use std::time::Duration;

use mistral_conformance::{Examples, Group, Outcome, Runner};
use mistral_mock::MockServer;

/// The checks of the dedicated flows, in the order they run (the operations' example checks
/// follow).
const ALL_CHECKS: [&str; 96] = [
    "chat.create",
    "chat.create.function_calling",
    "chat.create.json_mode",
    "chat.create.tool_result",
    "chat.stream",
    "chat.no_key",
    "chat.unknown_field",
    "chat.missing_field",
    "chat.structured_output",
    "chat.multimodal",
    "chat.reasoning_stream",
    "fim.create",
    "fim.stream",
    "fim.no_key",
    "fim.unknown_field",
    "fim.missing_field",
    "embeddings.create",
    "embeddings.no_key",
    "embeddings.unknown_field",
    "embeddings.missing_field",
    "models.list",
    "models.retrieve",
    "models.no_key",
    "files.upload",
    "files.retrieve",
    "files.list",
    "files.download",
    "files.signed_url",
    "files.no_key",
    "fine_tuning.create",
    "fine_tuning.get",
    "fine_tuning.list",
    "fine_tuning.cancel",
    "fine_tuning.no_key",
    "files.delete",
    "models.update",
    "models.archive",
    "models.unarchive",
    "models.delete",
    "batch.create",
    "batch.get",
    "batch.list",
    "batch.cancel",
    "batch.no_key",
    "batch.delete",
    "audio.voices.create",
    "audio.voices.get",
    "audio.voices.update",
    "audio.voices.sample",
    "audio.voices.delete",
    "audio.transcriptions.stream",
    "audio.speech.stream",
    "agents.create",
    "agents.get",
    "agents.list",
    "agents.list_pages",
    "agents.update",
    "agents.versions",
    "agents.version",
    "agents.switch_version",
    "agents.alias_set",
    "agents.aliases",
    "agents.alias_delete",
    "agents.complete",
    "agents.delete",
    "conversations.start",
    "conversations.start_stream",
    "conversations.append",
    "conversations.append_stream",
    "conversations.history",
    "conversations.messages",
    "conversations.restart",
    "conversations.restart_stream",
    "conversations.get",
    "conversations.list",
    "conversations.delete",
    "libraries.create",
    "libraries.get",
    "libraries.list",
    "libraries.update",
    "libraries.replace",
    "libraries.documents.upload",
    "libraries.documents.status",
    "libraries.documents.list",
    "libraries.documents.get",
    "libraries.documents.update",
    "libraries.documents.replace",
    "libraries.documents.text",
    "libraries.documents.signed_url",
    "libraries.documents.extracted_text_url",
    "libraries.documents.reprocess",
    "libraries.documents.delete",
    "libraries.accesses.set",
    "libraries.accesses.list",
    "libraries.accesses.delete",
    "libraries.delete",
];

/// Simulated seconds per real second: slow enough that the job cannot finish (and make a
/// model) before the runner cancels it, however loaded the machine.
const SPEED: f64 = 1.0;

async fn within<T>(secs: u64, fut: impl Future<Output = T>) -> T {
    tokio::time::timeout(Duration::from_secs(secs), fut).await.expect("the test timed out")
}

#[tokio::test]
async fn every_check_passes_against_the_mock() {
    within(60, async {
        let server = MockServer::builder().api_key("conformance-key").speed(SPEED).start().await.unwrap();
        let report = Runner::new(server.base_url(), "conformance-key").examples(Examples::All).run().await.unwrap();
        let names: Vec<&str> = report.checks.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names[..96], ALL_CHECKS, "{}", report.render_table());
        // Then one check per other operation of the table, `<group>.<operationId>`.
        // (The audio stream checks are extras on operations that keep their examples.)
        let flows: std::collections::BTreeSet<&str> = report.checks[..96]
            .iter()
            .filter(|c| !c.name.ends_with(".stream") || c.group != Group::Audio)
            .map(|c| c.operation_id.as_str())
            .collect();
        let examples: Vec<String> = mistral_openapi::operations::ALL
            .iter()
            .filter(|op| !flows.contains(op.id))
            .map(|op| format!("{}.{}", op.group, op.id))
            .collect();
        assert_eq!(names[96..], examples, "{}", report.render_table());
        // Every operation of the table is covered.
        let covered: std::collections::BTreeSet<&str> = report.checks.iter().map(|c| c.operation_id.as_str()).collect();
        let table: std::collections::BTreeSet<&str> = mistral_openapi::operations::ALL.iter().map(|o| o.id).collect();
        assert_eq!(covered, table);
        for check in &report.checks {
            assert_eq!(check.outcome, Outcome::Pass, "{}\n{}", check.name, report.render_table());
        }
        assert!(report.passed());
        assert_eq!(report.summary().passed, report.checks.len());
        assert!(report.notes.is_empty(), "{:?}", report.notes);
        let delete = report.check("models.delete").unwrap();
        assert!(delete.description.contains("does not exist): 404"), "{}", delete.description);

        // It cleaned up: the uploaded file is gone, the job is cancelled.
        let client = reqwest::Client::new();
        let files: serde_json::Value = client
            .get(format!("{}/v1/files", server.base_url()))
            .bearer_auth("conformance-key")
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(files["data"], serde_json::json!([]), "the uploaded file was deleted");
        let jobs: serde_json::Value = client
            .get(format!("{}/v1/fine_tuning/jobs", server.base_url()))
            .bearer_auth("conformance-key")
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let status = jobs["data"][0]["status"].as_str().unwrap();
        assert!(["CANCELLATION_REQUESTED", "CANCELLED"].contains(&status), "{status}");
    })
    .await;
}

#[tokio::test]
async fn the_table_and_the_json_say_the_same() {
    within(60, async {
        let server = MockServer::builder().speed(SPEED).start().await.unwrap();
        let report = Runner::new(server.base_url(), "").only([Group::Embeddings]).run().await.unwrap();
        assert!(report.passed(), "{}", report.render_table());
        assert_eq!(report.notes.len(), 1, "the placeholder key is noted");
        let table = report.render_table();
        let lines: Vec<&str> = table.lines().collect();
        assert!(lines[0].starts_with("CHECK "), "{table}");
        assert!(
            lines[1].starts_with("embeddings.create ") && lines[1].contains("POST /v1/embeddings  pass"),
            "{table}"
        );
        assert!(lines[5].starts_with("note: no API key given"), "{table}");
        assert_eq!(lines.last().copied(), Some("4 checks: 4 passed, 0 failed, 0 skipped"));
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(json["passed"], true);
        assert_eq!(json["groups"], serde_json::json!(["embeddings"]));
        assert_eq!(json["summary"]["total"], 4);
        assert_eq!(json["checks"][0]["name"], "embeddings.create");
        assert_eq!(json["checks"][0]["operation_id"], "createEmbedding");
        assert_eq!(json["checks"][0]["result"], "pass");
    })
    .await;
}
