//! The 2026 core commands, in-process against the mock: model cards and their management,
//! file downloads and URLs, `--json` as the server's bytes, shell completions.

mod common;

use common::{MockServer, cli, mock, within};
use mistral_mock::Reply;
use mistral_openapi::operations as ops;
use serde_json::json;

const FT: &str = "ft:open-mistral-7b:587a6b29:20240514:7e773925";

#[tokio::test]
async fn models_get_shows_the_card_and_json_is_the_servers_bytes() {
    within(20, async {
        let server = mock().await;
        let card = r#"{"id":"mistral-small-latest","object":"model","created":1711430400,"owned_by":"mistralai","type":"base","max_context_length":131072,"capabilities":{"completion_chat":true,"vision":true,"ocr":false},"a_field_from_2027":[1,2]}"#;
        let value: serde_json::Value = serde_json::from_str(card).unwrap();
        server.on(&ops::RETRIEVE_MODEL_V1_MODELS_MODEL_ID_GET).respond(Reply::json(200, value.clone()));

        let out = cli(&server, &["models", "get", "mistral-small-latest"]).await.ok().to_string();
        let lines: Vec<&str> = out.lines().collect();
        assert!(lines.iter().any(|l| l.starts_with("id") && l.ends_with("mistral-small-latest")), "{out}");
        assert!(lines.iter().any(|l| l.starts_with("context length") && l.ends_with("131072")), "{out}");
        assert!(lines.iter().any(|l| l.starts_with("capabilities") && l.ends_with("completion_chat, vision")), "{out}");

        // --json: what the server sent, the field no spec knows yet included.
        let json = cli(&server, &["--json", "models", "get", "mistral-small-latest"]).await.json();
        assert_eq!(json, value);
        let sent = server.received_for(&ops::RETRIEVE_MODEL_V1_MODELS_MODEL_ID_GET);
        assert_eq!(sent.iter().map(|r| r.path.as_str()).collect::<Vec<_>>(), ["/v1/models/mistral-small-latest"; 2]);
    })
    .await;
}

#[tokio::test]
async fn models_update_archive_unarchive_send_what_the_api_expects() {
    within(20, async {
        let server = mock().await;
        server.on(&ops::JOBS_API_ROUTES_FINE_TUNING_UPDATE_FINE_TUNED_MODEL).respond(Reply::json(
            200,
            json!({"id": FT, "object": "model", "created": 1716963433, "owned_by": "org", "root": "open-mistral-7b",
                   "archived": false, "name": "support bot", "job": "2f4b9a6e-8c1d-4e3f-9a7b-5c6d7e8f9a0b",
                   "capabilities": {"completion_chat": true}, "model_type": "completion"}),
        ));
        server
            .on(&ops::JOBS_API_ROUTES_FINE_TUNING_ARCHIVE_FINE_TUNED_MODEL)
            .respond(Reply::json(200, json!({"id": FT, "object": "model", "archived": true})));
        server
            .on(&ops::JOBS_API_ROUTES_FINE_TUNING_UNARCHIVE_FINE_TUNED_MODEL)
            .respond(Reply::json(200, json!({"id": FT, "object": "model", "archived": false})));

        assert_eq!(
            cli(&server, &["models", "update", FT, "--name", "support bot"]).await.ok(),
            format!("updated model {FT}\n")
        );
        assert_eq!(cli(&server, &["models", "archive", FT]).await.ok(), format!("archived model {FT}\n"));
        assert_eq!(cli(&server, &["models", "unarchive", FT]).await.ok(), format!("unarchived model {FT}\n"));
        let nothing = cli(&server, &["models", "update", FT]).await;
        assert_eq!(
            (nothing.code, nothing.stderr.as_str()),
            (1, "error: nothing to change: give --name and/or --description\n")
        );

        let sent = server.received();
        let wire: Vec<(&str, &str)> = sent.iter().map(|r| (r.method.as_str(), r.path.as_str())).collect();
        let path = format!("/v1/fine_tuning/models/{FT}");
        let archive = format!("{path}/archive");
        assert_eq!(wire, [("PATCH", path.as_str()), ("POST", archive.as_str()), ("DELETE", archive.as_str())]);
        assert_eq!(sent[0].body, Some(json!({"name": "support bot"})));
    })
    .await;
}

async fn upload(server: &MockServer, dir: &std::path::Path, bytes: &[u8]) -> String {
    let path = dir.join("notes.jsonl");
    std::fs::write(&path, bytes).unwrap();
    let json = cli(server, &["--json", "files", "upload", path.to_str().unwrap(), "--purpose", "batch"]).await.json();
    json["id"].as_str().expect("an id").to_string()
}

#[tokio::test]
async fn files_download_to_a_path_or_stdout_and_url() {
    within(20, async {
        let server = mock().await;
        let dir = tempfile::tempdir().unwrap();
        let content = b"{\"custom_id\": \"1\", \"body\": {}}\n".repeat(1000);
        let id = upload(&server, dir.path(), &content).await;
        server.on(&ops::FILES_API_ROUTES_DOWNLOAD_FILE).respond(Reply::fault("delay=1ms".parse().unwrap()));

        let target = dir.path().join("copy.jsonl");
        let out = cli(&server, &["files", "download", &id, "-o", target.to_str().unwrap()]).await.ok().to_string();
        assert!(out.starts_with(&format!("downloaded {id} to ")), "{out}");
        assert_eq!(std::fs::read(&target).unwrap(), content);
        let stdout = cli(&server, &["files", "download", &id]).await.ok().to_string();
        assert_eq!(stdout.as_bytes(), content.as_slice());
        let sent = server.received_for(&ops::FILES_API_ROUTES_DOWNLOAD_FILE);
        assert_eq!(sent.len(), 2);
        assert_eq!(sent[0].path, format!("/v1/files/{id}/content"));

        let url = "http://files.example/notes?sig=abc";
        server.on(&ops::FILES_API_ROUTES_GET_SIGNED_URL).respond(Reply::json(200, json!({"url": url})));
        assert_eq!(cli(&server, &["files", "url", &id, "--expiry", "48"]).await.ok(), format!("{url}\n"));
        let sent = server.received_for(&ops::FILES_API_ROUTES_GET_SIGNED_URL);
        assert_eq!(sent[0].query.as_deref(), Some("expiry=48"));

        let missing = cli(&server, &["files", "download", "00000000-0000-0000-0000-000000000000"]).await;
        assert_eq!(missing.code, 1);
        assert!(missing.stderr.starts_with("error: API error 404"), "{}", missing.stderr);
    })
    .await;
}

#[tokio::test]
async fn files_list_filters_and_walks_every_page() {
    within(20, async {
        let server = mock().await;
        let dir = tempfile::tempdir().unwrap();
        upload(&server, dir.path(), b"{\"custom_id\": \"1\", \"body\": {}}\n").await;
        let out = cli(&server, &["files", "list", "--purpose", "batch", "--search", "notes"]).await.ok().to_string();
        assert!(out.contains("notes.jsonl"), "{out}");
        let sent = server.received_for(&ops::FILES_API_ROUTES_LIST_FILES);
        assert_eq!(sent[0].query.as_deref(), Some("page=0&page_size=100&purpose=batch&search=notes"));
    })
    .await;
}

#[tokio::test]
async fn completions_for_each_shell() {
    within(20, async {
        let server = mock().await;
        let bash = cli(&server, &["completions", "bash"]).await.ok().to_string();
        assert!(bash.contains("_mistral()") && bash.contains("complete -F _mistral"), "{bash}");
        for shell in ["zsh", "fish", "elvish", "powershell"] {
            let script = cli(&server, &["completions", shell]).await.ok().to_string();
            assert!(script.contains("mistral") && script.contains("conformance"), "{shell}: {script}");
        }
        assert_eq!(cli(&server, &["completions", "tcsh"]).await.code, 2);
    })
    .await;
}
