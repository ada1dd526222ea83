//! The beta groups' flows (agents, conversations, libraries) against `mistral-mock`: every
//! check passes, every operation of those groups is covered, and the run cleans up.

use std::time::Duration;

use mistral_conformance::{Group, Outcome, Runner};
use mistral_mock::MockServer;

#[tokio::test]
async fn the_beta_flows_pass_against_the_mock_and_clean_up() {
    let run = async {
        let server = MockServer::builder().api_key("conformance-key").start().await.unwrap();
        let report = Runner::new(server.base_url(), "conformance-key")
            .only([Group::Agents, Group::Conversations, Group::Libraries])
            .run()
            .await
            .unwrap();
        for check in &report.checks {
            assert_eq!(check.outcome, Outcome::Pass, "{}\n{}", check.name, report.render_table());
        }
        assert_eq!(report.checks.len(), 44, "{}", report.render_table());
        let covered: std::collections::BTreeSet<&str> = report.checks.iter().map(|c| c.operation_id.as_str()).collect();
        let table: std::collections::BTreeSet<&str> = mistral_openapi::operations::ALL
            .iter()
            .filter(|o| [Group::Agents, Group::Conversations, Group::Libraries].contains(&o.group))
            .map(|o| o.id)
            .collect();
        assert_eq!(covered, table);
        assert!(report.notes.is_empty(), "{:?}", report.notes);

        // What the run made is deleted.
        let left = |path: &'static str, pointer: &'static str| {
            let url = format!("{}{path}", server.base_url());
            async move {
                let list: serde_json::Value = reqwest::Client::new()
                    .get(url)
                    .bearer_auth("conformance-key")
                    .send()
                    .await
                    .unwrap()
                    .json()
                    .await
                    .unwrap();
                assert_eq!(list.pointer(pointer), Some(&serde_json::json!([])), "{path}: {list}");
            }
        };
        left("/v1/agents", "").await;
        left("/v1/conversations", "").await;
        left("/v1/libraries", "/data").await;
    };
    tokio::time::timeout(Duration::from_secs(60), run).await.expect("the run timed out");
}

/// (check, outcome) of the run.
fn outcomes(report: &mistral_conformance::Report) -> Vec<(&str, &Outcome)> {
    report.checks.iter().map(|c| (c.name.as_str(), &c.outcome)).collect()
}

#[tokio::test]
async fn departures_of_a_beta_server_are_reported_where_they_are() {
    use mistral_openapi::operations as ops;
    let run = async {
        let server = MockServer::builder().api_key("conformance-key").start().await.unwrap();
        // An agent answered under another id; an update that does not make a new version; a
        // conversation stream without its last event.
        server
            .on(&ops::AGENTS_API_V1_AGENTS_GET)
            .respond(mistral_mock::Reply::json(404, serde_json::json!({"message": "gone", "object": "error"})));
        server.on(&ops::AGENTS_API_V1_AGENTS_UPDATE).respond(mistral_mock::Reply::json(
            200,
            serde_json::json!({"id": "ag_1", "object": "agent", "model": "m", "name": "n", "version": 0,
                "versions": [0], "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z",
                "deployment_chat": false, "source": "api", "description": "updated by mistral-conformance"}),
        ));
        server
            .on(&ops::AGENTS_API_V1_CONVERSATIONS_START)
            .when(|r| r.body.as_ref().is_some_and(|b| b["stream"] == true))
            .respond(mistral_mock::Reply::events([serde_json::json!({"type": "conversation.response.started",
                "conversation_id": "conv_1", "created_at": "2026-01-01T00:00:00Z"})]));
        let report = Runner::new(server.base_url(), "conformance-key")
            .only([Group::Agents, Group::Conversations])
            .run()
            .await
            .unwrap();
        let table = report.render_table();
        let failed: Vec<&str> =
            outcomes(&report).into_iter().filter(|(_, o)| matches!(o, Outcome::Fail { .. })).map(|(n, _)| n).collect();
        // The versions listed follow from the update that made none.
        assert_eq!(failed, ["agents.get", "agents.update", "agents.versions", "conversations.start_stream"], "{table}");
        let update = report.check("agents.update").unwrap();
        let Outcome::Fail { message, .. } = &update.outcome else { unreachable!() };
        assert!(message.contains("version Some(0) after an update, expected more than 0"), "{message}");
        assert!(!report.passed());
    };
    tokio::time::timeout(Duration::from_secs(60), run).await.expect("the run timed out");
}
