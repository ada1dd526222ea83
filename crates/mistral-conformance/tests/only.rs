//! `only`: just the checks of the groups named, with the setup and clean-up they need.

mod support;

use httpmock::Method::DELETE;
use mistral_conformance::{Examples, Group, Outcome, Report, Runner};
use mistral_mock::MockServer;
use support::{FILE_ID, FT_MODEL, KEY, conforming, within};

/// A mock whose jobs run slowly enough that none finishes (and makes a model) before the
/// runner cancels it.
async fn mock() -> MockServer {
    MockServer::builder().speed(1.0).start().await.unwrap()
}

fn names(report: &Report) -> Vec<&str> {
    report.checks.iter().map(|c| c.name.as_str()).collect()
}

fn all_pass(report: &Report) {
    assert!(report.checks.iter().all(|c| c.outcome == Outcome::Pass), "{}", report.render_table());
    assert!(report.notes.is_empty(), "{:?}", report.notes);
}

async fn files_left(server: &MockServer) -> serde_json::Value {
    reqwest::Client::new()
        .get(format!("{}/v1/files", server.base_url()))
        .bearer_auth(KEY)
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap()["data"]
        .clone()
}

#[tokio::test]
async fn only_files() {
    within(60, async {
        let server = mock().await;
        let report =
            Runner::new(server.base_url(), KEY).examples(Examples::None).only([Group::Files]).run().await.unwrap();
        assert_eq!(
            names(&report),
            [
                "files.upload",
                "files.retrieve",
                "files.list",
                "files.download",
                "files.signed_url",
                "files.no_key",
                "files.delete"
            ]
        );
        assert_eq!(report.groups, [Group::Files]);
        all_pass(&report);
        assert_eq!(files_left(&server).await, serde_json::json!([]));
    })
    .await;
}

#[tokio::test]
async fn only_fine_tuning_uploads_and_deletes_its_file_without_reporting_it() {
    within(60, async {
        let server = mock().await;
        let report =
            Runner::new(server.base_url(), KEY).examples(Examples::None).only([Group::FineTuning]).run().await.unwrap();
        assert_eq!(
            names(&report),
            ["fine_tuning.create", "fine_tuning.get", "fine_tuning.list", "fine_tuning.cancel", "fine_tuning.no_key"]
        );
        all_pass(&report);
        assert_eq!(files_left(&server).await, serde_json::json!([]), "the training file was deleted");
    })
    .await;
}

#[tokio::test]
async fn only_models_and_only_completions() {
    within(60, async {
        let server = mock().await;
        let report =
            Runner::new(server.base_url(), KEY).examples(Examples::None).only([Group::Models]).run().await.unwrap();
        assert_eq!(
            names(&report),
            [
                "models.list",
                "models.retrieve",
                "models.no_key",
                "models.update",
                "models.archive",
                "models.unarchive",
                "models.delete"
            ]
        );
        all_pass(&report);

        let groups = "fim,chat".split(',').map(|g| g.parse::<Group>().unwrap());
        let report = Runner::new(server.base_url(), KEY).examples(Examples::None).only(groups).run().await.unwrap();
        assert_eq!(report.checks.len(), 16);
        assert!(report.checks[..11].iter().all(|c| c.group == Group::Chat && c.name.starts_with("chat.")));
        assert!(report.checks[11..].iter().all(|c| c.group == Group::Fim && c.name.starts_with("fim.")));
        all_pass(&report);

        // None named: all of them.
        let runner = Runner::new(server.base_url(), KEY).examples(Examples::None).only([]);
        assert_eq!(runner.groups(), Group::ALL);
    })
    .await;
}

#[tokio::test]
async fn clean_up_of_unselected_groups_is_quiet_unless_it_fails() {
    within(60, async {
        // The examples' job made a fine-tuned model: with fine-tuning alone, it and the
        // training file are still deleted, outside any check.
        let server = httpmock::MockServer::start_async().await;
        let delete_model = server
            .mock_async(|when, then| {
                when.method(DELETE).path(format!("/v1/models/{FT_MODEL}"));
                then.status(500).body("boom");
            })
            .await;
        let delete_file = server
            .mock_async(|when, then| {
                when.method(DELETE).path(format!("/v1/files/{FILE_ID}"));
                then.status(200).body("{}");
            })
            .await;
        conforming(&server).await;
        let report =
            Runner::new(server.base_url(), KEY).examples(Examples::None).only([Group::FineTuning]).run().await.unwrap();
        assert_eq!(
            names(&report),
            ["fine_tuning.create", "fine_tuning.get", "fine_tuning.list", "fine_tuning.cancel", "fine_tuning.no_key"]
        );
        assert!(report.passed(), "{}", report.render_table());
        assert_eq!(delete_file.calls_async().await, 1);
        assert_eq!(delete_model.calls_async().await, 1);
        assert_eq!(report.notes, [format!("could not delete the fine-tuned model {FT_MODEL}: status 500: boom")]);
        assert!(report.render_table().contains("note: could not delete the fine-tuned model"));
    })
    .await;
}
