//! The beta groups' commands (`agents`, `chat --agent`, `conversations`, `libraries`),
//! in-process against the mock with state of its own (`stateful_beta`): the journal shows the
//! exact requests, and the output is checked as printed.

mod common;

use common::{MockServer, Run, cli, within};
use mistral_mock::Reply;
use mistral_openapi::operations as ops;
use serde_json::{Value, json};

async fn beta() -> MockServer {
    MockServer::builder().stateful_beta(true).start().await.expect("start the mock")
}

/// The requests received since the `from`th: `METHOD path[?query]`, with the JSON body.
fn wire(server: &MockServer, from: usize) -> Vec<(String, Option<Value>)> {
    server
        .received()
        .into_iter()
        .skip(from)
        .map(|r| {
            let query = r.query.map(|q| format!("?{q}")).unwrap_or_default();
            (format!("{} {}{query}", r.method, r.path), r.body)
        })
        .collect()
}

/// Just the request lines of [`wire`].
fn lines(server: &MockServer, from: usize) -> Vec<String> {
    wire(server, from).into_iter().map(|(line, _)| line).collect()
}

/// The id in `created agent <ID> (...)`.
fn created_id(run: &Run) -> String {
    let out = run.ok();
    out.strip_prefix("created agent ").and_then(|l| l.split(' ').next()).expect("an agent id").to_string()
}

/// `YYYY-MM-DD HH:MM:SS` of an RFC 3339 time in the server's JSON.
fn at(v: &Value) -> String {
    let t = chrono::DateTime::parse_from_rfc3339(v.as_str().expect("a time")).expect("RFC 3339");
    t.with_timezone(&chrono::Utc).format("%Y-%m-%d %H:%M:%S").to_string()
}

#[tokio::test]
async fn agents_create_list_get_update_versions_aliases_delete() {
    within(60, async {
        let server = beta().await;
        let m = "mistral-small-latest";

        // Two agents, the second with tools and a handoff to the first.
        let sommelier = created_id(
            &cli(&server, &["agents", "create", "-m", m, "--name", "Sommelier", "--instructions", "Pair wines."]).await,
        );
        let n = server.received().len();
        let run = cli(
            &server,
            &[
                "agents",
                "create",
                "--model",
                m,
                "--name",
                "Cheesemonger",
                "--description",
                "Knows cheese",
                "--instructions",
                "Talk about cheese.",
                "--tool",
                "web_search",
                "--library",
                "lib-1",
                "--handoff",
                &sommelier,
            ],
        )
        .await;
        let id = created_id(&run);
        assert_eq!(run.stdout, format!("created agent {id} (Cheesemonger, version 0)\n"));
        assert_eq!(
            wire(&server, n),
            [(
                "POST /v1/agents".to_string(),
                Some(json!({
                    "model": m, "name": "Cheesemonger", "description": "Knows cheese",
                    "instructions": "Talk about cheese.",
                    "tools": [{"type": "web_search"}, {"type": "document_library", "library_ids": ["lib-1"]}],
                    "handoffs": [sommelier],
                }))
            )]
        );

        // list: every page, as a table.
        let n = server.received().len();
        let listed = cli(&server, &["--json", "agents", "list"]).await.json();
        let agents = listed["data"].as_array().expect("a list").clone();
        assert_eq!(agents.iter().map(|a| a["id"].as_str().unwrap()).collect::<Vec<_>>(), [&sommelier, &id]);
        let out = cli(&server, &["agents", "list", "--search", "cheese"]).await.ok().to_string();
        let updated = at(&agents[1]["updated_at"]);
        let id_w = id.len().max(2);
        assert_eq!(
            out,
            format!(
                "{:id_w$}  NAME          MODEL                 VERSION  TOOLS                                UPDATED\n\
                 {id}  Cheesemonger  {m}        0  web_search, document_library(lib-1)  {updated}\n",
                "ID"
            )
        );
        assert_eq!(
            lines(&server, n),
            ["GET /v1/agents/pages?page_size=100", "GET /v1/agents/pages?page_size=100&search=cheese"]
        );

        // get: the card.
        let out = cli(&server, &["agents", "get", &id]).await.ok().to_string();
        let created = at(&agents[1]["created_at"]);
        assert_eq!(
            out,
            format!(
                "id:              {id}\n\
                 name:            Cheesemonger\n\
                 version:         0 (of 0)\n\
                 model:           {m}\n\
                 description:     Knows cheese\n\
                 instructions:    Talk about cheese.\n\
                 tools:           web_search, document_library(lib-1)\n\
                 handoffs:        {sommelier}\n\
                 version message: -\n\
                 created:         {created}\n\
                 updated:         {updated}\n"
            )
        );

        // update: only what is given, as a new version.
        let n = server.received().len();
        let run =
            cli(&server, &["agents", "update", &id, "--instructions", "Be brief.", "--version-message", "shorter"])
                .await;
        assert_eq!(run.ok(), format!("updated agent {id}: now version 1\n"));
        assert_eq!(
            wire(&server, n),
            [(
                format!("PATCH /v1/agents/{id}"),
                Some(json!({"instructions": "Be brief.", "version_message": "shorter"}))
            )]
        );
        let nothing = cli(&server, &["agents", "update", &id]).await;
        assert_eq!(nothing.code, 1);
        assert!(nothing.stderr.starts_with("error: nothing to change: give --model"), "{}", nothing.stderr);

        // versions: newest first, the current one marked; an old version by number.
        let n = server.received().len();
        let out = cli(&server, &["agents", "versions", &id]).await.ok().to_string();
        let rows: Vec<Vec<&str>> =
            out.lines().map(|l| l.split("  ").map(str::trim).filter(|c| !c.is_empty()).collect()).collect();
        assert_eq!(rows[0], ["CURRENT", "VERSION", "MODEL", "NAME", "MESSAGE", "CREATED"]);
        assert_eq!(rows[1][..5], ["*", "1", m, "Cheesemonger", "shorter"]);
        assert_eq!(rows[2][..4], ["0", m, "Cheesemonger", "-"]);
        assert_eq!(rows.len(), 3);
        assert_eq!(
            lines(&server, n),
            [format!("GET /v1/agents/{id}/versions?page=0&page_size=100"), format!("GET /v1/agents/{id}")]
        );
        let old = cli(&server, &["agents", "get", &id, "--version", "0"]).await.ok().to_string();
        assert!(
            old.contains("instructions:    Talk about cheese.\n") && old.contains("version:         0 (of 0, 1)\n"),
            "{old}"
        );

        // aliases: set, list, resolve, delete.
        let n = server.received().len();
        assert_eq!(
            cli(&server, &["agents", "alias", &id, "set", "stable", "0"]).await.ok(),
            format!("alias stable of agent {id} names version 0\n")
        );
        let listed = cli(&server, &["agents", "alias", &id, "list"]).await.ok().to_string();
        let mut listed = listed.lines();
        assert_eq!(listed.next(), Some("ALIAS   VERSION  UPDATED"));
        assert!(listed.next().is_some_and(|l| l.starts_with("stable        0  ")));
        let by_alias = cli(&server, &["agents", "get", &id, "--version", "stable"]).await.ok().to_string();
        assert!(by_alias.contains("version:         0 (of 0, 1)\n"), "{by_alias}");
        assert_eq!(
            cli(&server, &["agents", "alias", &id, "delete", "stable"]).await.ok(),
            format!("deleted alias stable of agent {id}\n")
        );
        assert_eq!(cli(&server, &["agents", "alias", &id, "list"]).await.ok(), "no aliases\n");
        assert_eq!(
            lines(&server, n),
            [
                format!("PUT /v1/agents/{id}/aliases?alias=stable&version=0"),
                format!("GET /v1/agents/{id}/aliases"),
                format!("GET /v1/agents/{id}/versions/stable"),
                format!("DELETE /v1/agents/{id}/aliases?alias=stable"),
                format!("GET /v1/agents/{id}/aliases"),
            ]
        );

        // versions --switch: back to version 0.
        let n = server.received().len();
        assert_eq!(
            cli(&server, &["agents", "versions", &id, "--switch", "0"]).await.ok(),
            format!("agent {id} is now at version 0\n")
        );
        assert_eq!(lines(&server, n), [format!("PATCH /v1/agents/{id}/version?version=0")]);
        let now = cli(&server, &["--json", "agents", "get", &id]).await.json();
        assert_eq!((now["version"].clone(), now["instructions"].clone()), (json!(0), json!("Talk about cheese.")));

        // delete, then it is gone.
        let n = server.received().len();
        assert_eq!(cli(&server, &["agents", "delete", &id]).await.ok(), format!("deleted agent {id}\n"));
        let gone = cli(&server, &["agents", "get", &id]).await;
        assert_eq!(gone.code, 1);
        assert!(gone.stderr.starts_with("error: API error 404"), "{}", gone.stderr);
        assert_eq!(lines(&server, n), [format!("DELETE /v1/agents/{id}"), format!("GET /v1/agents/{id}")]);
    })
    .await;
}

#[tokio::test]
async fn agents_get_json_is_the_servers_bytes() {
    within(20, async {
        let server = beta().await;
        let agent = json!({
            "object": "agent", "id": "ag_1", "name": "Cheesemonger", "model": "mistral-small-latest",
            "version": 2, "versions": [0, 1, 2], "created_at": "2026-01-02T03:04:05Z",
            "updated_at": "2026-01-02T03:04:05Z", "deployment_chat": false, "source": "api", "tools": [],
            "a_field_from_2027": {"x": 1},
        });
        server.on(&ops::AGENTS_API_V1_AGENTS_GET).respond(Reply::json(200, agent.clone()));
        assert_eq!(cli(&server, &["--json", "agents", "get", "ag_1"]).await.json(), agent);
    })
    .await;
}

/// The id in the last stderr line `conversation <ID> (go on with: ...)`.
fn conversation_id(run: &Run) -> String {
    let line = run.stderr.lines().last().unwrap_or_default();
    line.strip_prefix("conversation ").and_then(|l| l.split(' ').next()).expect("a conversation id").to_string()
}

#[tokio::test]
async fn chat_with_an_agent_then_continue_and_the_conversations_commands() {
    within(60, async {
        let server = beta().await;
        let m = "mistral-small-latest";
        let agent = created_id(&cli(&server, &["agents", "create", "-m", m, "--name", "Cheesemonger"]).await);

        // A new conversation, streamed.
        let n = server.received().len();
        let first = cli(&server, &["chat", "--agent", &agent, "Best cheese?"]).await;
        let id = conversation_id(&first);
        assert_eq!(first.stderr, format!("conversation {id} (go on with: mistral chat --continue {id})\n"));
        assert_eq!(
            wire(&server, n),
            [(
                "POST /v1/conversations".to_string(),
                Some(json!({"agent_id": agent, "inputs": "Best cheese?", "stream": true}))
            )]
        );

        // Go on with it: an append, streamed.
        let n = server.received().len();
        let second = cli(&server, &["chat", "--continue", &id, "And a wine?"]).await;
        assert!(!second.ok().is_empty());
        assert_eq!(second.stderr, first.stderr);
        assert_eq!(
            wire(&server, n),
            [(format!("POST /v1/conversations/{id}"), Some(json!({"inputs": "And a wine?", "stream": true})))]
        );

        // The history: what was said, one entry a line; the answers are what chat printed.
        let history = cli(&server, &["--json", "conversations", "history", &id]).await.json();
        let entries = history["entries"].as_array().expect("entries").clone();
        let answers: Vec<&str> = entries.iter().filter_map(|e| e["content"].as_str()).collect();
        assert_eq!(answers.len(), 4, "{history}");
        assert_eq!((answers[0], answers[2]), ("Best cheese?", "And a wine?"));
        assert_eq!(first.stdout, format!("{}\n", answers[1]));
        assert_eq!(second.stdout, format!("{}\n", answers[3]));
        let out = cli(&server, &["conversations", "history", &id]).await.ok().to_string();
        let expected = format!(
            "TYPE            ROLE       TEXT\n\
             message.input   user       Best cheese?\n\
             message.output  assistant  {}\n\
             message.input   user       And a wine?\n\
             message.output  assistant  {}\n",
            answers[1].split_whitespace().collect::<Vec<_>>().join(" "),
            answers[3].split_whitespace().collect::<Vec<_>>().join(" "),
        );
        assert_eq!(out, expected);

        // list and get.
        let json = cli(&server, &["--json", "conversations", "get", &id]).await.json();
        assert_eq!((json["id"].as_str(), json["agent_id"].as_str()), (Some(id.as_str()), Some(agent.as_str())));
        let (created, updated) = (at(&json["created_at"]), at(&json["updated_at"]));
        let out = cli(&server, &["conversations", "list"]).await.ok().to_string();
        let with = format!("agent {agent}");
        assert_eq!(
            out,
            format!(
                "{:id_w$}  {:with_w$}  NAME  UPDATED\n{id}  {with}  -     {updated}\n",
                "ID",
                "WITH",
                id_w = id.len(),
                with_w = with.len()
            )
        );
        assert_eq!(
            cli(&server, &["conversations", "get", &id]).await.ok(),
            format!(
                "id:          {id}\nwith:        agent {agent}\nname:        -\ndescription: -\n\
                 created:     {created}\nupdated:     {updated}\n"
            )
        );

        // delete: gone.
        let n = server.received().len();
        assert_eq!(cli(&server, &["conversations", "delete", &id]).await.ok(), format!("deleted conversation {id}\n"));
        assert_eq!(cli(&server, &["conversations", "list"]).await.ok(), "no conversations\n");
        let gone = cli(&server, &["chat", "--continue", &id, "Still there?"]).await;
        assert_eq!(gone.code, 1);
        assert!(gone.stderr.starts_with("error: API error 404"), "{}", gone.stderr);
        assert_eq!(
            lines(&server, n),
            [
                format!("DELETE /v1/conversations/{id}"),
                "GET /v1/conversations?page=0&page_size=100".to_string(),
                format!("POST /v1/conversations/{id}"),
            ]
        );

        // What a model would take and an agent does not.
        let bad = cli(&server, &["chat", "--agent", &agent, "--temperature", "0.2", "Hi"]).await;
        assert_eq!(bad.code, 2, "{bad:?}");
    })
    .await;
}

/// A run with a tool, a handoff, a function call and an event of a kind no release knows.
fn scripted_run() -> Vec<Value> {
    vec![
        json!({"type": "conversation.response.started", "conversation_id": "conv_1"}),
        json!({"type": "tool.execution.started", "id": "t1", "name": "web_search", "arguments": "{\"query\":\"comte\"}"}),
        json!({"type": "tool.execution.done", "id": "t1", "name": "web_search"}),
        json!({"type": "agent.handoff.started", "id": "h1", "previous_agent_id": "ag_1", "previous_agent_name": "Cheesemonger"}),
        json!({"type": "agent.handoff.done", "id": "h1", "next_agent_id": "ag_2", "next_agent_name": "Sommelier"}),
        json!({"type": "message.output.delta", "id": "m1", "content": "Comté, "}),
        json!({"type": "message.output.delta", "id": "m1", "content": "with a Savagnin."}),
        json!({"type": "function.call.delta", "id": "f1", "tool_call_id": "call_1", "name": "order", "arguments": "{\"qty\":"}),
        json!({"type": "function.call.delta", "id": "f1", "tool_call_id": "call_1", "name": "order", "arguments": "2}"}),
        json!({"type": "conversation.response.sparkles", "shiny": true}),
        json!({"type": "conversation.response.done", "usage": {"total_tokens": 42}}),
    ]
}

#[tokio::test]
async fn chat_agent_shows_tools_handoffs_and_function_calls_on_stderr_dimmed() {
    within(20, async {
        let server = beta().await;
        server.on(&ops::AGENTS_API_V1_CONVERSATIONS_START).respond(Reply::events(scripted_run()));
        let args =
            ["mistral", "--base-url", &server.base_url(), "--api-key", common::KEY, "chat", "--agent", "ag_1", "Hi"];
        let color = mistral_cli::Options { progress_bar: false, color: true };
        let run = common::raw_with(&args, color, std::future::pending()).await;
        assert_eq!(run.ok(), "Comté, with a Savagnin.\n");
        let dim = |s: &str| format!("\x1b[2m{s}\x1b[0m\n");
        assert_eq!(
            run.stderr,
            [
                dim("[tool web_search {\"query\":\"comte\"}]"),
                dim("[tool web_search done]"),
                dim("[handoff from Cheesemonger (ag_1)]"),
                dim("[handoff to Sommelier (ag_2)]"),
                dim("[function call order({\"qty\":2}) id call_1: not run here]"),
                dim("conversation conv_1 (go on with: mistral chat --continue conv_1)"),
            ]
            .concat()
        );

        // Without colours, plain lines; with --json, one event a line (the unknown one too).
        let plain = cli(&server, &["chat", "--agent", "ag_1", "Hi"]).await;
        assert!(plain.stderr.starts_with("[tool web_search {\"query\":\"comte\"}]\n[tool web_search done]\n"));
        let json = cli(&server, &["--json", "chat", "--agent", "ag_1", "Hi"]).await;
        let events: Vec<Value> = json.ok().lines().map(|l| serde_json::from_str(l).expect("a JSON line")).collect();
        let kinds: Vec<&str> = events.iter().filter_map(|e| e["type"].as_str()).collect();
        assert_eq!(kinds, scripted_run().iter().filter_map(|e| e["type"].as_str()).collect::<Vec<_>>());
        assert_eq!(events[9], json!({"type": "conversation.response.sparkles", "shiny": true}));
    })
    .await;
}

#[tokio::test]
async fn chat_agent_fails_when_the_run_fails_and_still_names_the_conversation() {
    within(20, async {
        let server = beta().await;
        server.on(&ops::AGENTS_API_V1_CONVERSATIONS_APPEND).respond(Reply::events([
            json!({"type": "conversation.response.started", "conversation_id": "conv_9"}),
            json!({"type": "message.output.delta", "id": "m1", "content": "Let me"}),
            json!({"type": "conversation.response.error", "code": 3000, "message": "the model is overloaded"}),
        ]));
        let run = cli(&server, &["chat", "--continue", "conv_9", "Hi"]).await;
        assert_eq!((run.code, run.stdout.as_str()), (1, "Let me\n"));
        assert_eq!(
            run.stderr,
            "conversation conv_9 (go on with: mistral chat --continue conv_9)\n\
             error: the conversation failed: the model is overloaded (code 3000)\n"
        );
    })
    .await;
}

#[tokio::test]
async fn conversations_get_json_is_the_servers_bytes() {
    within(20, async {
        let server = beta().await;
        let conversation = json!({
            "object": "conversation", "id": "conv_1", "agent_id": "ag_1", "created_at": "2026-01-02T03:04:05Z",
            "updated_at": "2026-01-02T03:04:05Z", "a_field_from_2027": [1],
        });
        server.on(&ops::AGENTS_API_V1_CONVERSATIONS_GET).respond(Reply::json(200, conversation.clone()));
        assert_eq!(cli(&server, &["--json", "conversations", "get", "conv_1"]).await.json(), conversation);
        assert_eq!(lines(&server, 0), ["GET /v1/conversations/conv_1"]);
    })
    .await;
}

/// A mock whose documents are processed in `2 / speed` simulated-clock seconds.
async fn libraries_mock(speed: f64) -> MockServer {
    MockServer::builder().stateful_beta(true).speed(speed).start().await.expect("start the mock")
}

/// The id in `created library <ID> (...)`.
fn created_library(run: &Run) -> String {
    let out = run.ok();
    out.strip_prefix("created library ").and_then(|l| l.split(' ').next()).expect("a library id").to_string()
}

/// The id in `uploaded <NAME> as <ID> (...)`.
fn uploaded_id(run: &Run) -> String {
    let out = run.ok();
    out.split(" as ").nth(1).and_then(|l| l.split(' ').next()).expect("a document id").to_string()
}

const NOTES: &str = "Comté is aged in the Jura.\nBeaufort comes from Savoie.";

#[tokio::test]
async fn libraries_and_documents_from_upload_to_delete() {
    within(60, async {
        // Slow simulated time: a document stays in processing until the clock is advanced.
        let server = libraries_mock(0.001).await;
        let dir = tempfile::tempdir().unwrap();
        let notes = dir.path().join("notes.txt");
        std::fs::write(&notes, NOTES).unwrap();

        let run =
            cli(&server, &["libraries", "create", "handbook", "--description", "Cheese", "--chunk-size", "512"]).await;
        let lib = created_library(&run);
        assert_eq!(run.stdout, format!("created library {lib} (handbook)\n"));
        assert_eq!(
            wire(&server, 0),
            [(
                "POST /v1/libraries".to_string(),
                Some(json!({"name": "handbook", "description": "Cheese", "chunk_size": 512}))
            )]
        );

        // Upload: the file as the multipart `file` part.
        let n = server.received().len();
        let run = cli(&server, &["libraries", "docs", "upload", &lib, notes.to_str().unwrap()]).await;
        let doc = uploaded_id(&run);
        assert_eq!(run.stdout, format!("uploaded notes.txt as {doc} ({} B)\n", NOTES.len()));
        let sent = server.received().into_iter().skip(n).collect::<Vec<_>>();
        assert_eq!(sent.len(), 1);
        assert_eq!((sent[0].method.as_str(), sent[0].path.clone()), ("POST", format!("/v1/libraries/{lib}/documents")));
        let parts: Vec<(&str, Option<&str>, Option<&str>)> =
            sent[0].parts.iter().map(|p| (p.name.as_str(), p.filename.as_deref(), p.text.as_deref())).collect();
        assert_eq!(parts, [("file", Some("notes.txt"), Some(NOTES))]);

        // Status while processing, the text not there yet; then processed, the text.
        assert_eq!(cli(&server, &["libraries", "docs", "status", &lib, &doc]).await.ok(), "in_progress (Running)\n");
        let early = cli(&server, &["libraries", "docs", "text", &lib, &doc]).await;
        assert_eq!(early.code, 1);
        assert!(
            early.stderr.starts_with("error: API error 400") && early.stderr.contains("still being processed"),
            "{}",
            early.stderr
        );
        server.advance(std::time::Duration::from_secs(3));
        assert_eq!(cli(&server, &["libraries", "docs", "status", &lib, &doc]).await.ok(), "done (Completed)\n");
        let status = cli(&server, &["--json", "libraries", "docs", "status", &lib, &doc]).await.json();
        assert_eq!(status, json!({"document_id": doc, "process_status": "done", "processing_status": "Completed"}));
        assert_eq!(cli(&server, &["libraries", "docs", "text", &lib, &doc]).await.ok(), format!("{NOTES}\n"));

        // Lists and the library's card.
        let docs = cli(&server, &["--json", "libraries", "docs", "list", &lib]).await.json();
        let created = at(&docs["data"][0]["created_at"]);
        let out = cli(&server, &["libraries", "docs", "list", &lib, "--search", "notes"]).await.ok().to_string();
        let id_w = doc.len();
        assert_eq!(
            out,
            format!(
                "{:id_w$}  NAME       SIZE  STATUS  CREATED\n{doc}  notes.txt  {:>4}  done    {created}\n",
                "ID",
                format!("{} B", NOTES.len())
            )
        );
        let library = cli(&server, &["--json", "libraries", "get", &lib]).await.json();
        let updated = at(&library["updated_at"]);
        let out = cli(&server, &["libraries", "list", "--search", "hand"]).await.ok().to_string();
        assert_eq!(
            out,
            format!(
                "{:id_w$}  NAME      DOCUMENTS  SIZE  UPDATED\n{lib}  handbook          1  {} B  {updated}\n",
                "ID",
                NOTES.len()
            )
        );
        let out = cli(&server, &["libraries", "get", &lib]).await.ok().to_string();
        assert_eq!(
            out,
            format!(
                "id:          {lib}\nname:        handbook\ndescription: Cheese\ndocuments:   1\nsize:        {} B\n\
                 chunk size:  512\nowner type:  Workspace\ncreated:     {}\nupdated:     {updated}\n",
                NOTES.len(),
                at(&library["created_at"])
            )
        );

        // Delete the document, then the library.
        let n = server.received().len();
        assert_eq!(
            cli(&server, &["libraries", "docs", "delete", &lib, &doc]).await.ok(),
            format!("deleted document {doc} from library {lib}\n")
        );
        assert_eq!(cli(&server, &["libraries", "docs", "list", &lib]).await.ok(), "no documents\n");
        assert_eq!(cli(&server, &["libraries", "delete", &lib]).await.ok(), format!("deleted library {lib}\n"));
        assert_eq!(cli(&server, &["libraries", "list"]).await.ok(), "no libraries\n");
        assert_eq!(
            lines(&server, n),
            [
                format!("DELETE /v1/libraries/{lib}/documents/{doc}"),
                format!("GET /v1/libraries/{lib}/documents?page_size=100&page=0"),
                format!("DELETE /v1/libraries/{lib}"),
                "GET /v1/libraries?page_size=100".to_string(),
            ]
        );
    })
    .await;
}

#[tokio::test]
async fn docs_upload_wait_until_processed_or_failed() {
    within(60, async {
        // Fast simulated time: processing takes 10 ms.
        let server = libraries_mock(200.0).await;
        let dir = tempfile::tempdir().unwrap();
        let notes = dir.path().join("notes.md");
        std::fs::write(&notes, NOTES).unwrap();
        let lib = created_library(&cli(&server, &["libraries", "create", "handbook"]).await);

        let n = server.received().len();
        let args = ["libraries", "docs", "upload", &lib, notes.to_str().unwrap(), "--wait", "--interval-ms", "5"];
        let run = cli(&server, &args).await;
        let doc = uploaded_id(&run);
        assert_eq!(
            run.stdout,
            format!("uploaded notes.md as {doc} ({} B)\nprocessed {doc}: done (Completed)\n", NOTES.len())
        );
        let sent = lines(&server, n);
        assert_eq!(sent[0], format!("POST /v1/libraries/{lib}/documents"));
        assert!(sent.len() >= 2, "{sent:?}");
        assert!(sent[1..].iter().all(|l| *l == format!("GET /v1/libraries/{lib}/documents/{doc}/status")), "{sent:?}");

        // On a terminal: the byte progress bar, then a spinner, both on the real stderr; the
        // same output.
        let args = [
            "mistral",
            "--base-url",
            &server.base_url(),
            "--api-key",
            common::KEY,
            "libraries",
            "docs",
            "upload",
            &lib,
            notes.to_str().unwrap(),
            "--wait",
            "--interval-ms",
            "5",
        ];
        let tty = mistral_cli::Options { progress_bar: true, color: false };
        let run = common::raw_with(&args, tty, std::future::pending()).await;
        let doc = uploaded_id(&run);
        assert_eq!(
            run.stdout,
            format!("uploaded notes.md as {doc} ({} B)\nprocessed {doc}: done (Completed)\n", NOTES.len())
        );
        assert_eq!(run.stderr, "");

        // --json: the document as the server sent it, then the last status, one a line.
        let json = cli(
            &server,
            &["--json", "libraries", "docs", "upload", &lib, notes.to_str().unwrap(), "--wait", "--interval-ms", "5"],
        )
        .await;
        let out: Vec<Value> = json.ok().lines().map(|l| serde_json::from_str(l).expect("JSON lines")).collect();
        assert_eq!(out.len(), 2, "{out:?}");
        assert_eq!(
            (out[0]["name"].as_str(), out[0]["process_status"].as_str()),
            (Some("notes.md"), Some("in_progress"))
        );
        assert_eq!(
            out[1],
            json!({"document_id": out[0]["id"], "process_status": "done", "processing_status": "Completed"})
        );

        // A document the server cannot read: its processing fails, and so does the command.
        let blob = dir.path().join("blob.bin");
        std::fs::write(&blob, [0u8, 159, 146, 150]).unwrap();
        let run = cli(
            &server,
            &["libraries", "docs", "upload", &lib, blob.to_str().unwrap(), "--wait", "--interval-ms", "5"],
        )
        .await;
        assert_eq!(run.code, 1);
        let failed = uploaded_id(&Run { code: 0, stdout: run.stdout.clone(), stderr: String::new() });
        assert_eq!(run.stderr, format!("error: the processing of document {failed} failed: error (Failed)\n"));
    })
    .await;
}

#[tokio::test]
async fn libraries_get_json_is_the_servers_bytes() {
    within(20, async {
        let server = beta().await;
        let id = "0b4e4b3e-6c49-4f8f-9f3a-3a5d7d4b1c2e";
        let library = json!({
            "id": id, "name": "handbook", "created_at": "2026-01-02T03:04:05Z", "updated_at": "2026-01-02T03:04:05Z",
            "owner_type": "Workspace", "total_size": 0, "nb_documents": 0, "a_field_from_2027": true,
        });
        server.on(&ops::LIBRARIES_GET_V1).respond(Reply::json(200, library.clone()));
        assert_eq!(cli(&server, &["--json", "libraries", "get", id]).await.json(), library);
        assert_eq!(lines(&server, 0), [format!("GET /v1/libraries/{id}")]);
    })
    .await;
}

#[tokio::test]
async fn chat_agent_hands_off_and_runs_a_tool_on_the_stateful_mock() {
    within(60, async {
        let server = beta().await;
        let m = "mistral-small-latest";
        let sommelier = created_id(
            &cli(&server, &["agents", "create", "-m", m, "--name", "Sommelier", "--tool", "web_search"]).await,
        );
        let monger = created_id(
            &cli(&server, &["agents", "create", "-m", m, "--name", "Cheesemonger", "--handoff", &sommelier]).await,
        );
        let run = cli(&server, &["chat", "--agent", &monger, "Sommelier, which wine with Comté?"]).await;
        let id = conversation_id(&run);
        assert_eq!(
            run.stderr,
            format!(
                "[handoff from Cheesemonger ({monger})]\n[handoff to Sommelier ({sommelier})]\n\
                 [tool web_search {{\"query\":\"Sommelier wine Comté\"}}]\n[tool web_search done]\n\
                 conversation {id} (go on with: mistral chat --continue {id})\n"
            )
        );
        let answer = run.stdout.trim_end();
        assert!(answer.starts_with("I searched the web for \"Sommelier wine Comté\"."), "{answer}");
        assert_eq!(
            cli(&server, &["conversations", "history", &id]).await.ok(),
            format!(
                "TYPE            ROLE       TEXT\n\
                 message.input   user       Sommelier, which wine with Comté?\n\
                 agent.handoff   -          Cheesemonger -> Sommelier\n\
                 tool.execution  -          web_search {{\"query\":\"Sommelier wine Comté\"}}\n\
                 message.output  assistant  {answer}\n"
            )
        );
    })
    .await;
}
