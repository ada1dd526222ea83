//! Libraries end to end against the mock: a document uploaded (retried after a 429 with the
//! whole file again), processed on the simulated clock, read back, and searched by an agent's
//! `document_library` tool in a conversation whose answer quotes the matching passage.

use std::time::Duration;

use mistral_mock::{MockServer, Reply};
use mistral_openapi::operations as ops;
use mistral_sdk::types::{ConversationResponseOutputsItem, MessageOutputEntryContent};
use mistral_sdk::{Client, ConversationStart, FileUpload, NewAgent, NewLibrary, Tool, WatchOptions};

const HANDBOOK: &str = "Holidays. Everyone gets 25 days of paid holiday a year.\n\n\
                        Expenses. Meals on the road are paid back up to 40 euros a day.\n";

#[tokio::test]
async fn an_agent_answers_from_a_processed_document() {
    tokio::time::timeout(Duration::from_secs(30), async {
        let server = MockServer::builder().speed(1.0).start().await.unwrap();
        let client =
            Client::builder().api_key(server.api_key()).base_url(server.base_url()).max_retries(2).build().unwrap();
        server.on(&ops::LIBRARIES_DOCUMENTS_UPLOAD_V1).times(1).respond(Reply::error(429, "slow down"));

        let library = client.libraries().create(NewLibrary::new("handbook")).await.unwrap();
        let documents = client.libraries().documents(library.id);
        let document = documents.upload(FileUpload::from_bytes("handbook.txt", HANDBOOK)).await.unwrap();
        let uploads = server.received_for(&ops::LIBRARIES_DOCUMENTS_UPLOAD_V1);
        assert_eq!(uploads.len(), 2, "refused once, then taken");
        for upload in &uploads {
            let file = upload.parts.iter().find(|p| p.name == "file").expect("a file part");
            assert_eq!((file.filename.as_deref(), file.text.as_deref()), (Some("handbook.txt"), Some(HANDBOOK)));
        }

        // Processing takes two simulated seconds: not done yet, then done once the clock moved.
        let status = documents.status(document.id).await.unwrap();
        assert_eq!(status.process_status.to_string(), "in_progress");
        server.advance(Duration::from_secs(3));
        let options =
            WatchOptions { initial_interval: Duration::from_millis(10), max_interval: Duration::from_millis(10) };
        let status = documents.wait_processed(document.id, options).await.unwrap();
        assert_eq!(status.process_status.to_string(), "done");
        // The extracted text, without the file's last newline.
        assert_eq!(documents.text_content(document.id, None, None).await.unwrap().text, HANDBOOK.trim_end());
        assert_eq!(client.libraries().get(library.id).await.unwrap().nb_documents, 1);

        let agent = client
            .agents()
            .create(
                NewAgent::new("mistral-medium-latest", "handbook helper").tools([Tool::document_library([library.id])]),
            )
            .await
            .unwrap();
        let start = ConversationStart::with_agent(&agent.id, "How many days of paid holiday do we get?");
        let answer = client.conversations().start(start).await.unwrap();
        let [
            ConversationResponseOutputsItem::ToolExecution(search),
            ConversationResponseOutputsItem::MessageOutput(message),
        ] = answer.outputs.as_slice()
        else {
            panic!("{:?}", answer.outputs)
        };
        assert_eq!(serde_json::to_value(&search.name).unwrap(), "document_library");
        let MessageOutputEntryContent::String(text) = &message.content else { panic!("{:?}", message.content) };
        assert!(
            text.starts_with("According to handbook.txt: \"Holidays. Everyone gets 25 days of paid holiday a year.\""),
            "{text}"
        );

        client.conversations().delete(&answer.conversation_id).await.unwrap();
        client.agents().delete(&agent.id).await.unwrap();
        documents.delete(document.id).await.unwrap();
        client.libraries().delete(library.id).await.unwrap();
        assert!(client.libraries().list(None, None, None).await.unwrap().data.is_empty());
    })
    .await
    .unwrap();
}
