//! Every example in `openapi.yaml` (request and response bodies, error bodies, the data lines
//! of the streamed examples, parameters) decodes into the generated Rust type for its schema and
//! re-encodes to the same JSON. Then forward compatibility: what newer servers send (unknown
//! fields, new enum values, content as chunks, explicit `null`s) decodes too.

mod support;

use std::collections::BTreeSet;
use std::num::NonZeroU64;

use mistral_openapi::types;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use support::{
    decode, encode, escape, request_example, response_example, round_trip, round_trip_exact, shared_response_example,
    spec, without_nulls,
};

// ---- every example, found by walking the spec ----

/// Where an example is and what it is an example of.
#[derive(Debug)]
enum Subject {
    /// A request or response body: the schema's name (`$ref`'d component, or a description of
    /// an inline schema) and the media type.
    Body { request: bool, schema: String, media_type: String },
    /// A parameter's value.
    Parameter { schema: Value },
}

#[derive(Debug)]
struct Example {
    /// JSON pointer of the example (`.../examples/{name}` or `.../example`).
    pointer: String,
    subject: Subject,
    value: Value,
}

/// The name of a media type's schema: the component a `$ref` names, or for inline schemas
/// `oneOf:A|B` or `inline`.
fn schema_name(schema: &Value) -> String {
    let component = |s: &Value| {
        s.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix("#/components/schemas/")).map(str::to_string)
    };
    if let Some(name) = component(schema) {
        return name;
    }
    if schema.get("type").and_then(Value::as_str) == Some("array")
        && let Some(item) = component(&schema["items"])
    {
        return format!("array:{item}");
    }
    if let Some(members) = schema.get("oneOf").and_then(Value::as_array) {
        let names: Option<Vec<String>> = members.iter().map(component).collect();
        if let Some(names) = names {
            return format!("oneOf:{}", names.join("|"));
        }
    }
    match (schema.get("type").and_then(Value::as_str), schema.get("format").and_then(Value::as_str)) {
        (Some("string"), Some("binary")) => "binary".to_string(),
        (Some("string"), None) => "string".to_string(),
        _ => "inline".to_string(),
    }
}

fn content_examples(out: &mut Vec<Example>, pointer: &str, holder: &Value, request: bool) {
    let Some(content) = holder.get("content").and_then(Value::as_object) else {
        return;
    };
    for (media_type, media) in content {
        let media_pointer = format!("{pointer}/content/{}", escape(media_type));
        let schema = schema_name(&media["schema"]);
        let mut push = |pointer: String, value: &Value| {
            out.push(Example {
                pointer,
                subject: Subject::Body { request, schema: schema.clone(), media_type: media_type.clone() },
                value: value.clone(),
            })
        };
        if let Some(value) = media.get("example") {
            push(format!("{media_pointer}/example"), value);
        }
        for (name, example) in media.get("examples").and_then(Value::as_object).into_iter().flatten() {
            assert!(example.get("$ref").is_none(), "examples are inline");
            push(format!("{media_pointer}/examples/{}", escape(name)), &example["value"]);
        }
    }
}

fn parameter_example(out: &mut Vec<Example>, pointer: &str, parameter: &Value) {
    if let Some(value) = parameter.get("example") {
        out.push(Example {
            pointer: format!("{pointer}/example"),
            subject: Subject::Parameter { schema: parameter["schema"].clone() },
            value: value.clone(),
        });
    }
    assert!(parameter.get("examples").is_none(), "parameters use `example`");
}

/// Every example of the spec: those inline in operations, then those of shared parameters and
/// responses (visited once, where they are written, not at each `$ref`).
fn all_examples() -> Vec<Example> {
    let mut out = Vec::new();
    for op in spec().operations() {
        let base = op.pointer();
        for (i, p) in op.raw["parameters"].as_array().into_iter().flatten().enumerate() {
            if p.get("$ref").is_none() {
                parameter_example(&mut out, &format!("{base}/parameters/{i}"), p);
            }
        }
        if let Some(body) = op.raw.get("requestBody") {
            content_examples(&mut out, &format!("{base}/requestBody"), body, true);
        }
        for (status, response) in op.raw["responses"].as_object().unwrap() {
            if response.get("$ref").is_none() {
                let pointer = format!("{base}/responses/{}", escape(status));
                content_examples(&mut out, &pointer, response, false);
            }
        }
    }
    let components = &spec().raw()["components"];
    for (name, p) in components["parameters"].as_object().into_iter().flatten() {
        parameter_example(&mut out, &format!("#/components/parameters/{}", escape(name)), p);
    }
    for (name, r) in components["responses"].as_object().into_iter().flatten() {
        let pointer = format!("#/components/responses/{}", escape(name));
        content_examples(&mut out, &pointer, r, false);
    }
    out
}

/// The pointer of every `example` and of every entry of every `examples` map anywhere in the
/// document, found without any knowledge of OpenAPI.
fn every_example_pointer(value: &Value, pointer: &str, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let child_pointer = format!("{pointer}/{}", escape(key));
                match (key.as_str(), child) {
                    ("example", _) => {
                        out.insert(child_pointer);
                    }
                    ("examples", Value::Object(examples)) => {
                        for name in examples.keys() {
                            out.insert(format!("{child_pointer}/{}", escape(name)));
                        }
                    }
                    _ => every_example_pointer(child, &child_pointer, out),
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                every_example_pointer(item, &format!("{pointer}/{i}"), out);
            }
        }
        _ => {}
    }
}

/// Decodes `value` as the generated type of the body schema `schema` and checks it re-encodes:
/// exactly for a request, but for `null` members for a response (see `without_nulls`).
/// Something done with the generated type of a schema.
trait WithType {
    fn with<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(&mut self);
}

/// Calls `f` with the generated type of the schema named `schema` (see [`schema_name`]);
/// false when no type is mapped.
fn with_type(schema: &str, f: &mut impl WithType) -> bool {
    macro_rules! by_schema {
        ($($name:literal => $ty:ty,)*) => {
            match schema {
                $($name => f.with::<$ty>(),)*
                _ => return false,
            }
        };
    }
    by_schema! {
        "Agent" => types::Agent,
        "AgentAliasResponse" => types::AgentAliasResponse,
        "AgentListPage" => types::AgentListPage,
        "AgentsCompletionRequest" => types::AgentsCompletionRequest,
        "ArchiveModelResponse" => types::ArchiveModelResponse,
        "BatchJob" => types::BatchJob,
        "ChatClassificationRequest" => types::ChatClassificationRequest,
        "ChatCompletionRequest" => types::ChatCompletionRequest,
        "ChatCompletionResponse" => types::ChatCompletionResponse,
        "ChatModerationRequest" => types::ChatModerationRequest,
        "ClassificationRequest" => types::ClassificationRequest,
        "ClassificationResponse" => types::ClassificationResponse,
        "CompletionEvent" => types::CompletionEvent,
        "Conversation" => types::Conversation,
        "ConversationAppendRequest" => types::ConversationAppendRequest,
        "ConversationEvents" => types::ConversationEvents,
        "ConversationHistory" => types::ConversationHistory,
        "ConversationMessages" => types::ConversationMessages,
        "ConversationRequest" => types::ConversationRequest,
        "ConversationResponse" => types::ConversationResponse,
        "ConversationRestartRequest" => types::ConversationRestartRequest,
        "CreateAgentRequest" => types::CreateAgentRequest,
        "CreateBatchJobRequest" => types::CreateBatchJobRequest,
        "CreateFineTuningJobResponse" => types::CreateFineTuningJobResponse,
        "CreateLibraryRequest" => types::CreateLibraryRequest,
        "DeleteBatchJobResponse" => types::DeleteBatchJobResponse,
        "DeleteFileOut" => types::DeleteFileOut,
        "DeleteModelOut" => types::DeleteModelOut,
        "DetailedJobOut" => types::DetailedJobOut,
        "Document" => types::Document,
        "DocumentTextContent" => types::DocumentTextContent,
        "EmbeddingRequest" => types::EmbeddingRequest,
        "EmbeddingResponse" => types::EmbeddingResponse,
        "FIMCompletionRequest" => types::FimCompletionRequest,
        "FIMCompletionResponse" => types::FimCompletionResponse,
        "FineTunedModel" => types::FineTunedModel,
        "GetSignedUrlResponse" => types::GetSignedUrlResponse,
        "JobIn" => types::JobIn,
        "JobsOut" => types::JobsOut,
        "Library" => types::Library,
        "ListBatchJobsResponse" => types::ListBatchJobsResponse,
        "ListDocumentsResponse" => types::ListDocumentsResponse,
        "ListFilesOut" => types::ListFilesOut,
        "ListLibrariesResponse" => types::ListLibrariesResponse,
        "ListSharingResponse" => types::ListSharingResponse,
        "Model" => types::Model,
        "ModelList" => types::ModelList,
        "ModerationResponse" => types::ModerationResponse,
        "OCRRequest" => types::OcrRequest,
        "OCRResponse" => types::OcrResponse,
        "ProcessingStatus" => types::ProcessingStatus,
        "RetrieveFileOut" => types::RetrieveFileOut,
        "Sharing" => types::Sharing,
        "SharingDelete" => types::SharingDelete,
        "SharingRequest" => types::SharingRequest,
        "SpeechRequest" => types::SpeechRequest,
        "SpeechResponse" => types::SpeechResponse,
        "SpeechStreamEvents" => types::SpeechStreamEvents,
        "TranscriptionResponse" => types::TranscriptionResponse,
        "TranscriptionStreamEvents" => types::TranscriptionStreamEvents,
        "UnarchiveModelResponse" => types::UnarchiveModelResponse,
        "UpdateAgentRequest" => types::UpdateAgentRequest,
        "UpdateDocumentRequest" => types::UpdateDocumentRequest,
        "UpdateLibraryRequest" => types::UpdateLibraryRequest,
        "UpdateModelRequest" => types::UpdateModelRequest,
        "UploadFileOut" => types::UploadFileOut,
        "VoiceCreateRequest" => types::VoiceCreateRequest,
        "VoiceListResponse" => types::VoiceListResponse,
        "VoiceResponse" => types::VoiceResponse,
        "VoiceUpdateRequest" => types::VoiceUpdateRequest,
        "array:Agent" => Vec<types::Agent>,
        "array:AgentAliasResponse" => Vec<types::AgentAliasResponse>,
        "array:Conversation" => Vec<types::Conversation>,
        "ApiError" => types::ApiError,
        // ValidationFailed (422): the generated client reads every error body as ApiError.
        "oneOf:HTTPValidationError|WrappedValidationError" => types::ApiError,
        // Plain-text bodies (a document's text, a signed URL as a string).
        "string" => String,
    }
    true
}

fn round_trip_body(schema: &str, request: bool, value: &Value, what: &str) {
    struct RoundTrip<'a>(bool, &'a Value, &'a str);
    impl WithType for RoundTrip<'_> {
        fn with<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(&mut self) {
            if self.0 {
                round_trip_exact::<T>(self.1, self.2);
            } else {
                round_trip::<T>(self.1, self.2);
            }
        }
    }
    assert!(
        with_type(schema, &mut RoundTrip(request, value, what)),
        "{what}: no generated type mapped for schema {schema}"
    );
}

/// Decodes a parameter's example as the type the generated builder takes for a parameter of
/// its schema.
fn round_trip_parameter(schema: &Value, value: &Value, what: &str) {
    let schema = support::spec().resolve(schema).unwrap_or(schema);
    let get = |key: &str| schema.get(key).and_then(Value::as_str);
    match (get("type"), get("format")) {
        (Some("string"), Some("uuid")) => drop(round_trip_exact::<uuid::Uuid>(value, what)),
        (Some("string"), Some("date-time")) => drop(round_trip_exact::<chrono::DateTime<chrono::Utc>>(value, what)),
        (Some("string"), None) if schema.get("enum").is_some() => {
            drop(round_trip_exact::<types::JobStatus>(value, what))
        }
        (Some("string"), None) => drop(round_trip_exact::<String>(value, what)),
        (Some("integer"), _) => match schema.get("minimum").and_then(Value::as_i64) {
            Some(1) => drop(round_trip_exact::<NonZeroU64>(value, what)),
            Some(0) => drop(round_trip_exact::<u64>(value, what)),
            _ => drop(round_trip_exact::<i64>(value, what)),
        },
        (Some("boolean"), _) => drop(round_trip_exact::<bool>(value, what)),
        other => panic!("{what}: no Rust type mapped for a parameter of type {other:?}"),
    }
}

/// The multipart upload has no generated type (mistral-sdk builds the form). Its example's
/// parts still hold data of generated types: `purpose` is a `KnownFilePurpose`, and `file` is
/// JSONL training data whose lines' `messages` are chat `Messages`.
fn round_trip_form(schema: &str, value: &Value, what: &str) {
    match schema {
        "UploadFileForm" => round_trip_upload_form(value, what),
        // The other fields of the form as the generated payload type reads them.
        "AudioTranscriptionRequest" | "LibraryDocumentUploadForm" => {
            assert!(value["file"].is_string(), "{what}: a file part");
            if schema == "AudioTranscriptionRequest" {
                let mut fields = value.clone();
                fields.as_object_mut().unwrap().remove("file");
                let _: types::AudioTranscriptionRequest = decode(&fields, what);
            }
        }
        other => panic!("{what}: no form mapped for {other}"),
    }
}

fn round_trip_upload_form(value: &Value, what: &str) {
    round_trip_exact::<types::KnownFilePurpose>(&value["purpose"], what);
    let file = value["file"].as_str().expect("the file part is text");
    let mut lines = 0;
    for line in file.lines() {
        let line: Value = serde_json::from_str(line).expect("a JSONL line");
        round_trip_exact::<Vec<types::Messages>>(&line["messages"], what);
        lines += 1;
    }
    assert!(lines > 0, "{what}: the file has lines");
}

#[test]
fn every_example_decodes_into_its_generated_type_and_re_encodes() {
    let examples = all_examples();
    let mut expected = BTreeSet::new();
    every_example_pointer(spec().raw(), "#", &mut expected);
    let visited: BTreeSet<String> = examples.iter().map(|e| e.pointer.clone()).collect();
    assert_eq!(visited.len(), examples.len(), "each example visited once");
    assert_eq!(visited, expected, "the walk reaches every example of the document");

    let (mut bodies, mut events, mut parameters, mut forms) = (0, 0, 0, 0);
    for example in &examples {
        let what = example.pointer.as_str();
        match &example.subject {
            Subject::Parameter { schema } => {
                round_trip_parameter(schema, &example.value, what);
                parameters += 1;
            }
            Subject::Body { request, schema, media_type } => match media_type.as_str() {
                "application/json" => {
                    round_trip_body(schema, *request, &example.value, what);
                    bodies += 1;
                }
                "text/event-stream" => {
                    for event in sse_events(&example.value) {
                        round_trip_body(schema, false, &event, what);
                        events += 1;
                    }
                }
                "multipart/form-data" => {
                    round_trip_form(schema, &example.value, what);
                    forms += 1;
                }
                "application/octet-stream" | "audio/wav" => {
                    assert_eq!(schema, "binary", "{what}");
                    assert!(example.value.is_string(), "{what}: bytes, written as a string");
                }
                other => panic!("{what}: unexpected media type {other}"),
            },
        }
    }
    // Not vacuous: what the spec holds as this is written (116 bodies, the events of 7
    // streams, 30 parameters, 3 upload forms).
    assert!(bodies >= 116, "{bodies} bodies");
    assert!(events >= 10, "{events} events");
    assert!(parameters >= 25, "{parameters} parameters");
    assert_eq!(forms, 3);
}

// ---- the examples, one by one, into the exact variants ----

#[test]
fn chat_request_examples_decode_as_chat_completion_request() {
    let op = "createChatCompletion";
    let text = |s: &str| types::MessageContent::String(s.to_string());

    let regular: types::ChatCompletionRequest = round_trip_exact(&request_example(op, "Regular"), "Regular");
    assert_eq!(regular.model, "mistral-small-latest");
    assert_eq!(
        regular.messages,
        [
            types::Messages::System {
                content: types::SystemMessageContent::String("You are a terse assistant.".into())
            },
            types::Messages::User { content: Some(text("What is the best French cheese?")) },
        ]
    );
    assert_eq!((regular.temperature, regular.max_tokens), (Some(0.2), Some(64)));
    assert_eq!((regular.stream, regular.tools), (None, None));

    let json_mode: types::ChatCompletionRequest = round_trip_exact(&request_example(op, "JSON mode"), "JSON mode");
    assert_eq!(json_mode.response_format.map(|f| f.type_), Some(types::KnownResponseFormats::JsonObject.into()));

    let tools: types::ChatCompletionRequest =
        round_trip_exact(&request_example(op, "Function calling"), "Function calling");
    assert_eq!(tools.tool_choice, Some(types::ToolChoice::ToolChoiceEnum(types::KnownToolChoiceEnum::Any.into())));
    let types::Tool::Function(tool) = &tools.tools.as_ref().unwrap()[0] else {
        panic!("a function tool, not {:?}", tools.tools);
    };
    assert_eq!(tool.type_, types::ToolTypes::Function);
    assert_eq!(&*tool.function.name, "get_weather");
    assert_eq!(
        Value::Object(tool.function.parameters.clone()),
        json!({"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]})
    );

    let result: types::ChatCompletionRequest = round_trip_exact(&request_example(op, "Tool result"), "Tool result");
    match &result.messages[1] {
        types::Messages::Assistant { content, prefix, tool_calls } => {
            assert_eq!((content, prefix), (&Some(text("")), &None));
            let call = &tool_calls.as_ref().unwrap()[0];
            assert_eq!(call.id.as_deref(), Some("D681PevKs"));
            assert_eq!(call.function.arguments, types::FunctionArguments::String(r#"{"city": "Paris"}"#.into()));
        }
        other => panic!("an assistant message, not {other:?}"),
    }
    assert_eq!(
        result.messages[2],
        types::Messages::Tool {
            content: Some(text(r#"{"temperature_c": 18, "sky": "cloudy"}"#)),
            name: Some("get_weather".to_string()),
            tool_call_id: Some("D681PevKs".to_string()),
        }
    );

    let streamed: types::ChatCompletionRequest = round_trip_exact(&request_example(op, "Streamed"), "Streamed");
    assert_eq!(streamed.stream, Some(true));
}

#[test]
fn chat_response_examples_decode_as_chat_completion_response() {
    let op = "createChatCompletion";
    for (name, finish) in [
        ("Regular", types::KnownFinishReason::Stop),
        ("JSON mode", types::KnownFinishReason::Stop),
        ("Function calling", types::KnownFinishReason::ToolCalls),
    ] {
        let response: types::ChatCompletionResponse = round_trip(&response_example(op, "200", name), name);
        assert_eq!(response.object, "chat.completion");
        assert_eq!(response.choices[0].finish_reason, finish.into(), "{name}");
        assert_eq!(response.choices[0].message.role.as_deref(), Some("assistant"));
    }
}

/// The chunks of a streamed example, and the text they add up to.
fn stream(op: &str) -> (Vec<types::CompletionChunk>, String) {
    let examples = support::response_examples(op, "200", "text/event-stream");
    assert_eq!(examples.len(), 1, "{op}: one stream example");
    let chunks: Vec<types::CompletionChunk> =
        sse_events(&examples[0].1).iter().map(|event| round_trip(&event["data"], op)).collect();
    let text = chunks
        .iter()
        .flat_map(|c| &c.choices)
        .filter_map(|choice| match &choice.delta.content {
            Some(types::MessageContent::String(s)) => Some(s.as_str()),
            Some(other) => panic!("text deltas, not {other:?}"),
            None => None,
        })
        .collect();
    (chunks, text)
}

#[test]
fn stream_examples_data_lines_decode_as_completion_chunks() {
    let (chat, text) = stream("createChatCompletion");
    assert_eq!(chat.len(), 3);
    assert_eq!(text, "Hello!");
    assert_eq!(chat[0].choices[0].delta.role.as_deref(), Some("assistant"));
    assert_eq!(chat[0].object.as_deref(), Some("chat.completion.chunk"));
    // "finish_reason": null reads as None.
    assert_eq!(chat[0].choices[0].finish_reason, None);
    assert_eq!(chat[1].choices[0].finish_reason, None);
    assert_eq!(chat[2].choices[0].finish_reason, Some(types::KnownFinishReason::Stop.into()));
    assert_eq!((chat[0].usage.is_some(), chat[1].usage.is_some()), (false, false));
    let usage = chat[2].usage.as_ref().unwrap();
    assert_eq!((usage.prompt_tokens, usage.completion_tokens, usage.total_tokens), (7, Some(2), 9));

    let (fim, text) = stream("createFIMCompletion");
    assert_eq!(fim.len(), 2);
    assert_eq!(text, "\n    return n");
    assert_eq!(fim[1].choices[0].finish_reason, Some(types::KnownFinishReason::Stop.into()));
    assert_eq!(fim[1].usage.as_ref().map(|u| u.total_tokens), Some(15));
}

#[test]
fn create_job_examples_decode_as_job_and_dry_run() {
    let op = "jobs_api_routes_fine_tuning_create_fine_tuning_job";
    let request: types::JobIn = round_trip_exact(&request_example(op, "Job"), "JobIn");
    assert_eq!(request.model, types::KnownFineTuneableModel::OpenMistral7b.into());
    assert_eq!(request.hyperparameters.training_steps, NonZeroU64::new(10));
    assert_eq!(request.hyperparameters.learning_rate, Some(0.0001));
    assert_eq!(request.suffix.as_deref().map(|s| s.as_str()), Some("my-great-model"));

    match round_trip(&response_example(op, "200", "Job"), "Job") {
        types::CreateFineTuningJobResponse::Job(job) => {
            assert_eq!(job.status, types::KnownJobStatus::Queued.into());
            assert_eq!(job.validation_files, Some(vec![]));
            assert_eq!(job.fine_tuned_model, None);
            assert_eq!(job.integrations, Some(vec![]));
        }
        other => panic!("Job, not {other:?}"),
    }
    match round_trip(&response_example(op, "200", "Dry run"), "Dry run") {
        types::CreateFineTuningJobResponse::DryRun(estimate) => {
            assert_eq!(
                estimate,
                types::JobMetadata {
                    object: Some("job.metadata".to_string()),
                    training_steps: Some(10),
                    train_tokens_per_step: Some(131072),
                    data_tokens: Some(305375),
                    train_tokens: Some(1310720),
                    epochs: Some(4.2922),
                    expected_duration_seconds: Some(220),
                    cost: Some(10.0),
                    cost_currency: Some("EUR".to_string()),
                }
            );
        }
        other => panic!("DryRun, not {other:?}"),
    }
}

#[test]
fn job_examples_decode_as_detailed_jobs() {
    let get = "jobs_api_routes_fine_tuning_get_fine_tuning_job";
    let job: types::DetailedJobOut = round_trip(&response_example(get, "200", "Job"), "Job");
    assert_eq!(job.status, types::KnownJobStatus::Success.into());
    assert_eq!(job.fine_tuned_model.as_deref(), Some("ft:open-mistral-7b:587a6b29:20240514:7e773925"));
    let events = job.events.unwrap();
    assert_eq!(events[0].name, "status-updated");
    assert_eq!(events[0].data.clone().map(Value::Object), Some(json!({"status": "RUNNING"})));
    let checkpoint = &job.checkpoints.unwrap()[0];
    assert_eq!(checkpoint.step_number, 10);
    assert_eq!(
        checkpoint.metrics,
        types::MetricOut { train_loss: Some(0.816), valid_loss: None, valid_mean_token_accuracy: None }
    );

    let cancel = "jobs_api_routes_fine_tuning_cancel_fine_tuning_job";
    let job: types::DetailedJobOut = round_trip(&response_example(cancel, "200", "Cancelling"), "Cancelling");
    assert_eq!(job.status, types::KnownJobStatus::CancellationRequested.into());
    assert_eq!(job.hyperparameters.learning_rate, None);
    assert_eq!((job.events, job.checkpoints), (Some(vec![]), Some(vec![])));
}

#[test]
fn error_examples_decode_as_their_api_error_variants() {
    let example = shared_response_example;
    match round_trip(&example("ValidationFailed", "Wrapped"), "Wrapped") {
        types::ApiError::WrappedValidationError(e) => {
            assert_eq!(e.message.detail[0].type_, "extra_forbidden")
        }
        other => panic!("Wrapped: {other:?}"),
    }
    match round_trip(&example("ValidationFailed", "Plain"), "Plain") {
        types::ApiError::HttpValidationError(e) => assert_eq!(e.detail[0].msg, "Field required"),
        other => panic!("Plain: {other:?}"),
    }
    // The two members of ValidationFailed's oneOf, as their own types too.
    round_trip::<types::WrappedValidationError>(&example("ValidationFailed", "Wrapped"), "W");
    round_trip::<types::HttpValidationError>(&example("ValidationFailed", "Plain"), "P");
    match round_trip(&example("Unauthorized", "Gateway"), "Unauthorized") {
        types::ApiError::Error(e) => assert_eq!(e.message, "Unauthorized"),
        other => panic!("Unauthorized/Gateway: {other:?}"),
    }
    match round_trip(&example("Unauthorized", "Detail"), "Detail") {
        types::ApiError::DetailError(e) => assert_eq!(e.detail, "Unauthorized"),
        other => panic!("Unauthorized/Detail: {other:?}"),
    }
    for (response, name, message) in [
        ("RateLimited", "Gateway", "Requests rate limit exceeded"),
        ("RateLimited", "Error", "Rate limit exceeded"),
        ("NotFound", "NotFound", "No file with id 497f6eca-6276-4993-bfeb-53cbbbba6f09"),
        ("ServerError", "Error", "Internal server error"),
    ] {
        match round_trip(&example(response, name), name) {
            types::ApiError::Error(e) => assert_eq!(e.message, message),
            other => panic!("{response}/{name}: {other:?}"),
        }
    }
    // ErrorResponse has no example in the spec: an error object wrapped in `error`.
    let wrapped = json!({"error": {"message": "Unauthorized", "type": "invalid_request_error"}});
    match round_trip(&wrapped, "ErrorResponse") {
        types::ApiError::ErrorResponse(e) => assert_eq!(e.error.message, "Unauthorized"),
        other => panic!("ErrorResponse: {other:?}"),
    }
}

#[test]
fn parameter_examples_decode_as_the_builders_types() {
    let jobs = "jobs_api_routes_fine_tuning_get_fine_tuning_jobs";
    let status: types::JobStatus = round_trip_exact(&support::parameter_example(jobs, "status"), "status");
    assert_eq!(status, types::KnownJobStatus::Running.into());
    let after: chrono::DateTime<chrono::Utc> =
        round_trip_exact(&support::parameter_example(jobs, "created_after"), "after");
    assert_eq!(after.timestamp(), 1714521600);
    let id: uuid::Uuid = decode(&support::parameter_example("files_api_routes_retrieve_file", "file_id"), "file_id");
    assert_eq!(id.to_string(), "497f6eca-6276-4993-bfeb-53cbbbba6f09");
}

// ---- forward compatibility ----

/// `value` with an unknown member added to every object, but inside free-form maps (an
/// event's `data`, which keeps what it is given).
fn with_unknown_fields(value: &Value, pointer: &str) -> Value {
    let free_form = |p: &str| {
        let parts: Vec<&str> = p.split('/').collect();
        parts.len() >= 3 && parts[parts.len() - 3] == "events" && parts[parts.len() - 1] == "data"
    };
    match value {
        Value::Object(map) if !free_form(pointer) => {
            let mut out: serde_json::Map<String, Value> =
                map.iter().map(|(k, v)| (k.clone(), with_unknown_fields(v, &format!("{pointer}/{k}")))).collect();
            out.insert("added_by_a_newer_server".to_string(), json!({"nested": [1, "two", null], "flag": true}));
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(
            items.iter().enumerate().map(|(i, v)| with_unknown_fields(v, &format!("{pointer}/{i}"))).collect(),
        ),
        other => other.clone(),
    }
}

/// The responses whose examples get unknown fields added everywhere: the seed's. (The 2026
/// schemas hold free-form maps, metadata and JSON schemas, where an added member is data;
/// this walk does not know them apart yet.)
const UNKNOWN_FIELDS_CHECKED: &[&str] = &[
    "ChatCompletionResponse",
    "FIMCompletionResponse",
    "CompletionEvent",
    "EmbeddingResponse",
    "ModelList",
    "DeleteModelOut",
    "UploadFileOut",
    "ListFilesOut",
    "RetrieveFileOut",
    "DeleteFileOut",
    "JobsOut",
    "CreateFineTuningJobResponse",
    "DetailedJobOut",
    "ApiError",
    "oneOf:HTTPValidationError|WrappedValidationError",
];

#[test]
fn responses_with_unknown_fields_decode_and_drop_them() {
    struct Check<'a> {
        newer: &'a Value,
        payload: &'a Value,
        what: &'a str,
    }
    impl WithType for Check<'_> {
        fn with<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(&mut self) {
            // Same value as without them: decoded, re-encoded, compared with the original.
            let newer: T = decode(self.newer, self.what);
            let original: T = decode(self.payload, self.what);
            assert_eq!(newer, original, "{}", self.what);
            assert_eq!(without_nulls(&encode(&newer)), without_nulls(self.payload), "{}", self.what);
        }
    }
    let mut checked = 0;
    for example in all_examples() {
        let Subject::Body { request: false, schema, media_type } = &example.subject else {
            continue;
        };
        if !UNKNOWN_FIELDS_CHECKED.contains(&schema.as_str()) {
            continue;
        }
        let payloads = match media_type.as_str() {
            "text/event-stream" => sse_events(&example.value),
            _ => vec![example.value.clone()],
        };
        for payload in payloads {
            let newer = with_unknown_fields(&payload, "");
            let what = format!("{} with unknown fields", example.pointer);
            assert!(with_type(schema, &mut Check { newer: &newer, payload: &payload, what: &what }), "{what}");
            checked += 1;
        }
    }
    assert!(checked >= 29, "{checked} responses");
}

#[test]
fn a_new_finish_reason_decodes_as_other() {
    let mut response = response_example("createChatCompletion", "200", "Regular");
    response["choices"][0]["finish_reason"] = json!("content_filter");
    let decoded: types::ChatCompletionResponse = round_trip(&response, "content_filter");
    assert_eq!(decoded.choices[0].finish_reason, types::FinishReason::Other("content_filter".to_string()));

    let mut fim = response_example("createFIMCompletion", "200", "Regular");
    fim["choices"][0]["finish_reason"] = json!("content_filter");
    let decoded: types::FimCompletionResponse = round_trip(&fim, "FIM content_filter");
    assert_eq!(decoded.choices[0].finish_reason, types::FinishReason::Other("content_filter".to_string()));

    let mut chunk = json!({
        "id": "cmpl-1", "object": "chat.completion.chunk", "created": 1702256327,
        "model": "mistral-small-latest",
        "choices": [{"index": 0, "delta": {"content": ""}, "finish_reason": "content_filter"}]
    });
    let decoded: types::CompletionChunk = round_trip(&chunk, "chunk content_filter");
    assert_eq!(decoded.choices[0].finish_reason, Some(types::FinishReason::Other("content_filter".to_string())));
    // A known value stays Known (untagged: Known is tried first).
    chunk["choices"][0]["finish_reason"] = json!("length");
    let decoded: types::CompletionChunk = round_trip(&chunk, "chunk length");
    assert_eq!(decoded.choices[0].finish_reason, Some(types::KnownFinishReason::Length.into()));
}

#[test]
fn a_new_job_status_decodes_as_other() {
    let other = || types::JobStatus::Other("VALIDATING".to_string());
    let list = "jobs_api_routes_fine_tuning_get_fine_tuning_jobs";
    let mut jobs = response_example(list, "200", "Jobs");
    jobs["data"][0]["status"] = json!("VALIDATING");
    let decoded: types::JobsOut = round_trip(&jobs, "JobsOut VALIDATING");
    assert_eq!(decoded.data.unwrap()[0].status, other());

    let get = "jobs_api_routes_fine_tuning_get_fine_tuning_job";
    let mut job = response_example(get, "200", "Job");
    job["status"] = json!("VALIDATING");
    let decoded: types::DetailedJobOut = round_trip(&job, "DetailedJobOut VALIDATING");
    assert_eq!(decoded.status, other());

    let create = "jobs_api_routes_fine_tuning_create_fine_tuning_job";
    let mut created = response_example(create, "200", "Job");
    created["status"] = json!("VALIDATING");
    match round_trip(&created, "created VALIDATING") {
        types::CreateFineTuningJobResponse::Job(job) => assert_eq!(job.status, other()),
        other => panic!("Job, not {other:?}"),
    }
}

#[test]
fn a_new_file_purpose_decodes_as_other() {
    for purpose in ["evaluation", "distillation"] {
        let other = types::FilePurpose::Other(purpose.to_string());
        let mut list = response_example("files_api_routes_list_files", "200", "Files");
        list["data"][0]["purpose"] = json!(purpose);
        let decoded: types::ListFilesOut = round_trip(&list, purpose);
        assert_eq!(decoded.data[0].purpose, other);

        let mut file = response_example("files_api_routes_retrieve_file", "200", "File");
        file["purpose"] = json!(purpose);
        let decoded: types::RetrieveFileOut = round_trip(&file, purpose);
        assert_eq!(decoded.purpose, other);
    }
    // And the fields newer servers add to files.
    let mut file = response_example("files_api_routes_retrieve_file", "200", "File");
    file["sample_type"] = json!("instruct");
    file["num_lines"] = json!(2);
    file["source"] = json!("upload");
    let decoded: types::RetrieveFileOut = round_trip(&file, "newer file");
    assert_eq!(decoded.num_lines, Some(2));
}

#[test]
fn a_new_fine_tuneable_model_decodes_as_other() {
    let model = "ministral-3b-latest";
    let other = || types::FineTuneableModel::Other(model.to_string());
    let create = "jobs_api_routes_fine_tuning_create_fine_tuning_job";

    // As a request: a model the enum does not know yet can still be asked for.
    let mut request = request_example(create, "Job");
    request["model"] = json!(model);
    let decoded: types::JobIn = round_trip_exact(&request, "JobIn ministral");
    assert_eq!(decoded.model, other());

    let mut created = response_example(create, "200", "Job");
    created["model"] = json!(model);
    match round_trip(&created, "created ministral") {
        types::CreateFineTuningJobResponse::Job(job) => assert_eq!(job.model, other()),
        other => panic!("Job, not {other:?}"),
    }
    let list = "jobs_api_routes_fine_tuning_get_fine_tuning_jobs";
    let mut jobs = response_example(list, "200", "Jobs");
    jobs["data"][0]["model"] = json!(model);
    jobs["total"] = json!(1);
    let decoded: types::JobsOut = round_trip(&jobs, "JobsOut ministral");
    assert_eq!(decoded.data.unwrap()[0].model, other());
    assert_eq!(decoded.total, Some(1));
}

/// The events of a stream example, as `{event?, data}` envelopes (see `mistral_spec::sse`).
fn sse_events(example: &Value) -> Vec<Value> {
    mistral_spec::sse::example_events(example, false).unwrap_or_else(|e| panic!("a stream example: {e}"))
}

fn text_chunk(text: &str) -> types::ContentChunk {
    types::ContentChunk::Text(types::TextChunk { text: text.into(), type_: types::TextChunkType::Text })
}

#[test]
fn message_content_as_an_array_of_chunks_decodes() {
    let chunks = json!([
        {"type": "text", "text": "Comté"},
        {"type": "text", "text": ", for its depth."}
    ]);
    let expected = types::MessageContent::Array(vec![text_chunk("Comté"), text_chunk(", for its depth.")]);

    let mut response = response_example("createChatCompletion", "200", "Regular");
    response["choices"][0]["message"]["content"] = chunks.clone();
    let decoded: types::ChatCompletionResponse = round_trip(&response, "chunked content");
    assert_eq!(decoded.choices[0].message.content, Some(expected.clone()));

    let chunk = json!({
        "id": "cmpl-1", "model": "mistral-small-latest",
        "choices": [{"index": 0, "delta": {"content": chunks}}]
    });
    let decoded: types::CompletionChunk = round_trip(&chunk, "chunked delta");
    assert_eq!(decoded.choices[0].delta.content, Some(expected));

    // In a request, with an image among the chunks.
    let mut request = request_example("createChatCompletion", "Regular");
    request["messages"][1]["content"] = json!([
        {"type": "text", "text": "What cheese is this?"},
        {"type": "image_url", "image_url": "data:image/png;base64,iVBORw0KGgo="}
    ]);
    let decoded: types::ChatCompletionRequest = round_trip_exact(&request, "chunked request");
    assert_eq!(
        decoded.messages[1],
        types::Messages::User {
            content: Some(types::MessageContent::Array(vec![
                text_chunk("What cheese is this?"),
                types::ContentChunk::ImageUrl(types::ImageUrlChunk {
                    image_url: types::ImageUrlValue::String("data:image/png;base64,iVBORw0KGgo=".into()),
                    type_: types::ImageUrlChunkType::ImageUrl,
                }),
            ]))
        }
    );
}

#[test]
fn null_tool_calls_and_content_decode_as_none() {
    let mut response = response_example("createChatCompletion", "200", "Regular");
    response["choices"][0]["message"]["tool_calls"] = Value::Null;
    response["choices"][0]["message"]["prefix"] = Value::Null;
    let decoded: types::ChatCompletionResponse = round_trip(&response, "tool_calls null");
    assert_eq!(decoded.choices[0].message.tool_calls, None);
    assert_eq!(decoded.choices[0].message.prefix, None);

    // A tool call with no text: `content: null`.
    let mut calling = response_example("createChatCompletion", "200", "Function calling");
    calling["choices"][0]["message"]["content"] = Value::Null;
    let decoded: types::ChatCompletionResponse = round_trip(&calling, "content null");
    assert_eq!(decoded.choices[0].message.content, None);
    assert_eq!(decoded.choices[0].message.tool_calls.as_ref().unwrap().len(), 1);

    // Streamed deltas as Mistral sends them: every optional field spelled out as null, and a
    // tool call delta with an `index`.
    let chunk = json!({
        "id": "cmpl-1", "object": "chat.completion.chunk", "created": 1702256327,
        "model": "mistral-large-latest", "usage": null,
        "choices": [{
            "index": 0, "finish_reason": null,
            "delta": {"role": null, "content": null, "tool_calls": null}
        }, {
            "index": 1, "finish_reason": "tool_calls",
            "delta": {"content": "", "tool_calls": [{
                "id": "D681PevKs", "type": null, "index": 0,
                "function": {"name": "get_weather", "arguments": "{\"city\": \"Paris\"}"}
            }]}
        }]
    });
    let decoded: types::CompletionChunk = round_trip(&chunk, "null deltas");
    assert_eq!(decoded.usage, None);
    assert_eq!(decoded.choices[0].delta, types::DeltaMessage::default());
    let call = &decoded.choices[1].delta.tool_calls.as_ref().unwrap()[0];
    assert_eq!((call.index, &call.type_), (Some(0), &None));

    // And in a request: an assistant message with null tool_calls.
    let mut request = request_example("createChatCompletion", "Tool result");
    request["messages"][1]["tool_calls"] = Value::Null;
    request["messages"][1]["content"] = json!("It is 18°C and cloudy.");
    let decoded: types::ChatCompletionRequest = decode(&request, "request tool_calls null");
    assert_eq!(
        decoded.messages[1],
        types::Messages::Assistant {
            content: Some(types::MessageContent::String("It is 18°C and cloudy.".to_string())),
            prefix: None,
            tool_calls: None,
        }
    );
    // Sent without the null: the generated types do not write absent optionals.
    assert_eq!(encode(&decoded), without_nulls(&request));
}
