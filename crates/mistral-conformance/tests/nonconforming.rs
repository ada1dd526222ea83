//! Against httpmock servers built from the spec's own examples, then broken on purpose: the
//! runner reports exactly the departures, where they are, and skips what depends on them.

mod support;

use httpmock::Method::{GET, POST};
use httpmock::MockServer;
use mistral_conformance::{Aspect, Examples, Group, Outcome, Report, Runner, Summary};
use serde_json::json;
use support::*;

/// (check, aspect, pointer, message) of every failed check.
fn failures(report: &Report) -> Vec<(String, Aspect, Option<String>, String)> {
    report
        .checks
        .iter()
        .filter_map(|c| match &c.outcome {
            Outcome::Fail { aspect, pointer, message } => {
                Some((c.name.clone(), *aspect, pointer.clone(), message.clone()))
            }
            _ => None,
        })
        .collect()
}

/// (check, reason) of every skipped check.
fn skips(report: &Report) -> Vec<(String, String)> {
    report
        .checks
        .iter()
        .filter_map(|c| match &c.outcome {
            Outcome::Skip { reason } => Some((c.name.clone(), reason.clone())),
            _ => None,
        })
        .collect()
}

/// The run of `groups`; none given: every group but the beta ones, whose flows (resources
/// with versions, entries, documents) the stand-in does not keep: `beta.rs` breaks the mock
/// for them instead.
async fn run(server: &MockServer, groups: &[Group]) -> Report {
    let beta = [Group::Agents, Group::Conversations, Group::Libraries];
    let stable = Group::ALL.iter().copied().filter(|g| !beta.contains(g));
    let groups: Vec<Group> = if groups.is_empty() { stable.collect() } else { groups.to_vec() };
    Runner::new(server.base_url(), KEY).examples(Examples::None).only(groups).run().await.expect("the run starts")
}

#[tokio::test]
async fn the_spec_examples_themselves_pass() {
    within(60, async {
        let server = MockServer::start_async().await;
        conforming(&server).await;
        let report = run(&server, &[]).await;
        assert!(report.passed(), "{}", report.render_table());
        assert_eq!(report.checks.len(), 52);
        // The job of the examples made a fine-tuned model: it is the one deleted.
        let delete = report.check("models.delete").unwrap();
        assert!(delete.description.contains(FT_MODEL), "{}", delete.description);
    })
    .await;
}

#[tokio::test]
async fn reports_exactly_the_departures_with_pointers() {
    within(60, async {
        let server = MockServer::start_async().await;
        // 1. A missing required field: the second (fine-tuned) model has no root.
        let mut models = ok(LIST_MODELS, "Models");
        models["data"][1].as_object_mut().unwrap().remove("root");
        server
            .mock_async(|when, then| {
                when.method(GET).path("/v1/models").header_exists("authorization");
                then.status(200).header("content-type", "application/json").json_body(models);
            })
            .await;
        // 2. A wrong type: bytes as a string.
        let mut file = ok(RETRIEVE_FILE, "File");
        file["bytes"] = json!("13000");
        server
            .mock_async(|when, then| {
                when.method(GET).path(format!("/v1/files/{FILE_ID}")).header_exists("authorization");
                then.status(200).header("content-type", "application/json").json_body(file);
            })
            .await;
        // 3. A wrong content type: embeddings as text/plain.
        let embeddings = ok(EMBED, "Response Example").to_string();
        server
            .mock_async(|when, then| {
                when.method(POST)
                    .path("/v1/embeddings")
                    .header_exists("authorization")
                    .body_includes("\"input\"")
                    .body_excludes("x_conformance_unknown_field");
                then.status(200).header("content-type", "text/plain").body(embeddings);
            })
            .await;
        // 4. A chat stream without data: [DONE].
        let stream = sse(CHAT).replace("data: [DONE]\n\n", "");
        server
            .mock_async(|when, then| {
                when.method(POST).path("/v1/chat/completions").header_exists("authorization").is_true(streams);
                then.status(200).header("content-type", "text/event-stream").body(stream);
            })
            .await;
        // 5. A 200 where a 401 is due: models listed without a key.
        let models = ok(LIST_MODELS, "Models");
        server
            .mock_async(|when, then| {
                when.method(GET).path("/v1/models").header_missing("authorization");
                then.status(200).header("content-type", "application/json").json_body(models);
            })
            .await;
        conforming(&server).await;

        let report = run(&server, &[]).await;
        let table = report.render_table();
        let mut found = failures(&report);
        let status_message = found.iter().find(|f| f.0 == "models.no_key").map(|f| f.3.clone()).unwrap_or_default();
        assert!(
            status_message.starts_with("status 200, expected 401 (the request had no API key); body: {\"data\":"),
            "{status_message}"
        );
        found.retain(|f| f.0 != "models.no_key");
        assert_eq!(
            found,
            vec![
                (
                    "chat.stream".to_string(),
                    Aspect::Stream,
                    None,
                    "the stream ended without data: [DONE] (3 events)".to_string()
                ),
                // The same broken stream answers the reasoning model too.
                (
                    "chat.reasoning_stream".to_string(),
                    Aspect::Stream,
                    None,
                    "the stream ended without data: [DONE] (3 events)".to_string()
                ),
                (
                    "embeddings.create".to_string(),
                    Aspect::ContentType,
                    None,
                    "Content-Type \"text/plain\", expected application/json".to_string()
                ),
                (
                    "models.list".to_string(),
                    Aspect::Body,
                    Some("/data/1".to_string()),
                    "\"root\" is a required property".to_string()
                ),
                (
                    "files.retrieve".to_string(),
                    Aspect::Body,
                    Some("/bytes".to_string()),
                    "\"13000\" is not of type \"integer\"".to_string()
                ),
            ],
            "{table}"
        );
        // Everything else is unaffected: nothing skipped, the file flow went on.
        assert_eq!(report.summary(), Summary { total: 52, passed: 46, failed: 6, skipped: 0 }, "{table}");
        assert!(!report.passed());
        // The table shows where and why.
        let line = table.lines().find(|l| l.starts_with("files.retrieve ")).unwrap();
        assert!(
            line.contains("fail    /bytes") && line.ends_with("body: \"13000\" is not of type \"integer\""),
            "{line}"
        );
        let line = table.lines().find(|l| l.starts_with("models.list ")).unwrap();
        assert!(line.contains("/data/1") && line.ends_with("body: \"root\" is a required property"), "{line}");
        // And the JSON the same.
        let json = serde_json::to_value(&report).unwrap();
        let retrieve = json["checks"].as_array().unwrap().iter().find(|c| c["name"] == "files.retrieve").unwrap();
        assert_eq!(retrieve["result"], "fail");
        assert_eq!(retrieve["aspect"], "body");
        assert_eq!(retrieve["pointer"], "/bytes");
        assert_eq!(retrieve["operation_id"], RETRIEVE_FILE);
        assert_eq!(json["summary"]["failed"], 6);
    })
    .await;
}

#[tokio::test]
async fn a_failed_upload_skips_what_needs_the_file() {
    within(60, async {
        let server = MockServer::start_async().await;
        let error = example(UPLOAD, "5XX", "application/json", "Error");
        server
            .mock_async(|when, then| {
                when.method(POST).path("/v1/files").header_exists("authorization");
                then.status(500).header("content-type", "application/json").json_body(error);
            })
            .await;
        conforming(&server).await;
        let report = run(&server, &[Group::Models, Group::Files, Group::FineTuning]).await;
        let table = report.render_table();
        let found = failures(&report);
        assert_eq!(found.len(), 1, "{table}");
        assert_eq!((found[0].0.as_str(), found[0].1), ("files.upload", Aspect::Status));
        assert!(found[0].3.starts_with("status 500, expected 200; body: {"), "{}", found[0].3);
        let reason = format!("files.upload gave no file id: {}", found[0].3);
        let expected: Vec<(String, String)> = [
            "files.retrieve",
            "files.list",
            "files.download",
            "files.signed_url",
            "fine_tuning.create",
            "fine_tuning.get",
            "fine_tuning.list",
            "fine_tuning.cancel",
            "files.delete",
        ]
        .iter()
        .map(|name| {
            let reason = if name.starts_with("fine_tuning.") && *name != "fine_tuning.create" {
                format!("no job was created: {reason}")
            } else {
                reason.clone()
            };
            (name.to_string(), reason)
        })
        .collect();
        assert_eq!(skips(&report), expected, "{table}");
        // Checks that do not need the file ran: the 401s, the models (delete: a model that
        // does not exist, 404, since no job made one).
        for name in ["models.list", "models.no_key", "files.no_key", "fine_tuning.no_key", "models.delete"] {
            assert_eq!(report.check(name).unwrap().outcome, Outcome::Pass, "{name}\n{table}");
        }
        assert!(report.check("models.delete").unwrap().description.contains("does not exist"));
        assert_eq!(report.summary(), Summary { total: 19, passed: 9, failed: 1, skipped: 9 });
    })
    .await;
}

#[tokio::test]
async fn a_job_without_an_id_skips_get_list_and_cancel_but_the_file_is_deleted() {
    within(60, async {
        let server = MockServer::start_async().await;
        server
            .mock_async(|when, then| {
                when.method(POST).path("/v1/fine_tuning/jobs").header_exists("authorization");
                // Fits CreateFineTuningJobResponse (as a dry run's estimate), not a job.
                then.status(200).header("content-type", "application/json").json_body(json!({"training_steps": 10}));
            })
            .await;
        conforming(&server).await;
        let report = run(&server, &[Group::Files, Group::FineTuning]).await;
        let table = report.render_table();
        let found = failures(&report);
        assert_eq!(found.len(), 1, "{table}");
        assert_eq!(
            found[0],
            (
                "fine_tuning.create".to_string(),
                Aspect::Behaviour,
                Some(String::new()),
                "without dry_run the answer must be a job (JobOut): \"id\" is a required property (and 7 more violations)"
                    .to_string()
            )
        );
        let reason = format!("fine_tuning.create gave no job id: {}", found[0].3);
        assert_eq!(
            skips(&report),
            vec![
                ("fine_tuning.get".to_string(), reason.clone()),
                ("fine_tuning.list".to_string(), reason.clone()),
                ("fine_tuning.cancel".to_string(), reason)
            ]
        );
        assert_eq!(report.check("files.delete").unwrap().outcome, Outcome::Pass, "{table}");
        assert_eq!(report.check("fine_tuning.no_key").unwrap().outcome, Outcome::Pass, "{table}");
    })
    .await;
}

#[tokio::test]
async fn a_departing_upload_that_gave_an_id_lets_the_flow_go_on() {
    within(60, async {
        let server = MockServer::start_async().await;
        let mut uploaded = ok(UPLOAD, "Uploaded");
        uploaded["created_at"] = json!("yesterday");
        server
            .mock_async(|when, then| {
                when.method(POST).path("/v1/files").header_exists("authorization");
                then.status(200).header("content-type", "application/json").json_body(uploaded);
            })
            .await;
        conforming(&server).await;
        let report = run(&server, &[Group::Files, Group::FineTuning]).await;
        let found = failures(&report);
        assert_eq!(
            found,
            vec![(
                "files.upload".to_string(),
                Aspect::Body,
                Some("/created_at".to_string()),
                "\"yesterday\" is not of type \"integer\"".to_string()
            )]
        );
        assert!(skips(&report).is_empty(), "{}", report.render_table());
        // The other file checks (download and URL included) and the job flow all pass.
        assert_eq!(report.summary().passed, 11);
    })
    .await;
}

#[tokio::test]
async fn stream_departures() {
    let chunk = |content: &str, usage: bool| {
        let mut c = json!({"id": "fim-1", "object": "chat.completion.chunk", "created": 1, "model": "codestral-latest",
            "choices": [{"index": 0, "delta": {"content": content}, "finish_reason": null}]});
        if usage {
            c["usage"] = json!({"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2});
        }
        format!("data: {c}\n\n")
    };
    let cases: Vec<(String, Aspect, Option<&str>, &str)> = vec![
        (
            format!("{}{}", chunk("a", false), chunk("b", true)),
            Aspect::Stream,
            None,
            "the stream ended without data: [DONE] (2 events)",
        ),
        (
            format!("{}data: [DONE]\n", chunk("a", true)),
            Aspect::Stream,
            None,
            "the stream ended without data: [DONE] (1 events); data: [DONE] came, but without the blank line that ends an event, so it is dropped",
        ),
        (format!("{}data: [DONE]\n\n", chunk("a", false)), Aspect::Stream, None, "none of the 1 chunks carried usage"),
        ("data: [DONE]\n\n".to_string(), Aspect::Stream, None, "no chunk before data: [DONE]"),
        (
            format!("{}data: [DONE]\n\n{}", chunk("a", true), chunk("late", false)),
            Aspect::Stream,
            None,
            "event 3 came after data: [DONE]: {\"choices\"",
        ),
        (
            "data: {not json\n\ndata: [DONE]\n\n".to_string(),
            Aspect::Stream,
            None,
            "event 1: data is not JSON (key must be a string at line 1 column 2): {not json",
        ),
        (
            "data: {\"id\": \"x\", \"model\": \"m\", \"choices\": [{\"delta\": {}}]}\n\ndata: [DONE]\n\n".to_string(),
            Aspect::Body,
            Some("/choices/0"),
            "event 1: \"index\" is a required property",
        ),
        (format!("{}data: [DONE]\r\n\r\n", chunk("a", true).replace("\n", "\r\n")), Aspect::Stream, None, ""),
    ];
    within(60, async {
        for (body, aspect, pointer, message) in cases {
            let server = MockServer::start_async().await;
            server
                .mock_async(|when, then| {
                    when.method(POST).path("/v1/fim/completions").header_exists("authorization").is_true(streams);
                    then.status(200).header("content-type", "text/event-stream; charset=utf-8").body(&body);
                })
                .await;
            conforming(&server).await;
            let report = run(&server, &[Group::Fim]).await;
            let stream = report.check("fim.stream").unwrap();
            if message.is_empty() {
                // CRLF framing is fine.
                assert_eq!(stream.outcome, Outcome::Pass, "{body:?}");
                continue;
            }
            match &stream.outcome {
                Outcome::Fail { aspect: a, pointer: p, message: m } => {
                    assert_eq!((*a, p.as_deref()), (aspect, pointer), "{body:?}: {m}");
                    assert!(m.starts_with(message), "{body:?}: {m}");
                }
                other => panic!("{body:?}: {other:?}"),
            }
            assert_eq!(report.failures().count(), 1, "{}", report.render_table());
        }
    })
    .await;
}
