//! `mistral_spec::diff` on the fixture pairs of `tests/fixtures/` and on the workspace spec.

use std::path::Path;

use mistral_spec::diff::{Change, ChangeKind, Report, diff};
use serde_json::{Value, json};

fn load(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    mistral_spec::Spec::parse(&text).unwrap().raw().clone()
}

fn workspace_spec() -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../openapi.yaml");
    let text = std::fs::read_to_string(path).unwrap();
    mistral_spec::Spec::parse(&text).unwrap().raw().clone()
}

/// Every change as `(kind, location, breaking)`, sorted.
fn triples(report: &Report) -> Vec<(String, String, bool)> {
    let mut all: Vec<_> =
        report.changes().map(|c| (c.kind.as_str().to_string(), c.location.clone(), c.breaking)).collect();
    all.sort();
    all
}

fn expect(list: &[(&str, &str, bool)]) -> Vec<(String, String, bool)> {
    let mut all: Vec<_> = list.iter().map(|(k, l, b)| (k.to_string(), l.to_string(), *b)).collect();
    all.sort();
    all
}

/// The only change of `kind` at `location`.
fn find<'a>(report: &'a Report, kind: &str, location: &str) -> &'a Change {
    let found: Vec<&Change> = report.changes().filter(|c| c.kind.as_str() == kind && c.location == location).collect();
    assert_eq!(found.len(), 1, "{kind} at {location}: {found:#?}");
    found[0]
}

fn assert_summary_matches(report: &Report) {
    assert_eq!(report.summary.changes, report.changes().count());
    assert_eq!(report.summary.breaking, report.changes().filter(|c| c.breaking).count());
    assert_eq!(report.has_breaking(), report.summary.breaking > 0);
}

#[test]
fn operations_fixture_reports_every_operation_change() {
    let report = diff(&load("ops_old.yaml"), &load("ops_new.yaml"));
    assert_eq!(
        triples(&report),
        expect(&[
            ("operation_added", "PUT /things/{id}", false),
            ("operation_removed", "DELETE /things/{id}", true),
            ("request_body_added", "POST /ping", true),
            ("request_body_removed", "POST /pong", true),
            // GET /things
            ("parameter_removed", "GET /things", true),
            ("parameter_added", "GET /things", false),
            ("parameter_added", "GET /things", true),
            ("parameter_required_changed", "GET /things", true),
            ("parameter_required_changed", "GET /things", true),
            ("parameter_type_changed", "GET /things", true),
            ("enum_value_added", "GET /things parameters.query.sort", false),
            ("response_status_removed", "GET /things", false),
            ("response_status_added", "GET /things", false),
            ("response_media_type_removed", "GET /things", true),
            // POST /things
            ("operation_id_changed", "POST /things", true),
            ("parameter_required_changed", "POST /things", true),
            ("request_body_required_changed", "POST /things", true),
            ("request_media_type_removed", "POST /things", true),
            ("request_media_type_added", "POST /things", false),
            ("response_status_removed", "POST /things", true),
            ("response_status_added", "POST /things", false),
            ("property_added", "POST /things responses.422.application/json.detail", false),
        ])
    );
    assert_eq!(report.summary.changes, 22);
    assert_eq!(report.summary.breaking, 14);
    assert!(report.has_breaking());
    assert_summary_matches(&report);

    // Grouping: added / removed carry the operationId, changed groups are in path order.
    assert_eq!(report.operations.added.len(), 1);
    assert_eq!(report.operations.added[0].operation_id.as_deref(), Some("replaceThing"));
    assert_eq!(report.operations.added[0].detail, "operation added (operationId replaceThing)");
    assert_eq!(report.operations.removed[0].operation_id.as_deref(), Some("deleteThing"));
    assert_eq!(report.operations.removed[0].detail, "operation removed (operationId deleteThing)");
    let keys: Vec<&str> = report.operations.changed.iter().map(|g| g.key.as_str()).collect();
    assert_eq!(keys, ["POST /ping", "POST /pong", "GET /things", "POST /things"]);
    assert!(report.schemas.added.is_empty() && report.schemas.removed.is_empty());
    assert!(report.schemas.changed.is_empty());

    // Details name what changed.
    let details = |key: &str| -> Vec<String> {
        let group = report.operations.changed.iter().find(|g| g.key == key).unwrap();
        group.changes.iter().map(|c| format!("{}: {}", c.kind, c.detail)).collect()
    };
    let mut get_things = details("GET /things");
    get_things.sort();
    assert_eq!(
        get_things,
        [
            "enum_value_added: enum value \"random\" added",
            "parameter_added: optional query parameter `filter` added",
            "parameter_added: required header parameter `X-Tenant` added",
            "parameter_removed: query parameter `page` removed",
            "parameter_required_changed: header parameter `X-Trace` is now required",
            "parameter_required_changed: query parameter `limit` is now required",
            "parameter_type_changed: query parameter `limit`: integer -> string",
            "response_media_type_removed: response 200 media type text/csv removed",
            "response_status_added: response 429 added",
            "response_status_removed: response 404 removed",
        ]
    );
    let post_things = report.operations.changed.iter().find(|g| g.key == "POST /things").unwrap();
    assert!(post_things.changes.iter().all(|c| c.operation_id.as_deref() == Some("makeThing")));
    let renamed = find(&report, "operation_id_changed", "POST /things");
    assert_eq!(renamed.detail, "operationId createThing -> makeThing");
    assert_eq!(
        find(&report, "request_media_type_removed", "POST /things").detail,
        "request media type application/x-www-form-urlencoded removed"
    );
    assert_eq!(find(&report, "request_body_added", "POST /ping").detail, "required request body added");
}

#[test]
fn schemas_fixture_applies_usage_to_breaking_rules() {
    let report = diff(&load("schemas_old.json"), &load("schemas_new.json"));
    assert_eq!(
        triples(&report),
        expect(&[
            ("schema_added", "schemas.Account", false),
            ("schema_removed", "schemas.Legacy", true),
            // JobIn: request body only.
            ("property_removed", "schemas.JobIn.validation_files", true),
            ("property_added", "schemas.JobIn.model", true),
            ("property_added", "schemas.JobIn.suffix", false),
            ("required_added", "schemas.JobIn.training_files", true),
            ("enum_value_added", "schemas.JobIn.kind", false),
            ("nullable_changed", "schemas.JobIn.seed", true),
            ("type_changed", "schemas.JobIn.hyperparameters.learning_rate", true),
            ("type_changed", "schemas.JobIn.tags[]", true),
            // JobOut: response only.
            ("required_removed", "schemas.JobOut.id", true),
            ("nullable_changed", "schemas.JobOut.finished_at", true),
            ("property_added", "schemas.JobOut.events[].level", false),
            ("type_changed", "schemas.JobOut.owner", true),
            // JobStatus: reached from a response through JobOut.
            ("enum_value_removed", "schemas.JobStatus", true),
            ("enum_value_added", "schemas.JobStatus", true),
            // Priority: in both a request and a response.
            ("enum_value_added", "schemas.Priority", true),
            // Orphan: used by no operation, so treated as both.
            ("property_added", "schemas.Orphan.b", true),
            // Payload: request only; variants matched by title.
            ("type_changed", "schemas.Payload.oneOf[Image].url", true),
            ("variant_added", "schemas.Payload.oneOf[Audio]", false),
            // Node: recursive, response only.
            ("property_added", "schemas.Node.label", false),
        ])
    );
    assert_eq!(report.summary.changes, 21);
    assert_eq!(report.summary.breaking, 15);
    assert_summary_matches(&report);
    assert!(report.operations.changes().next().is_none());

    let names: Vec<&str> = report.schemas.changed.iter().map(|g| g.key.as_str()).collect();
    assert_eq!(names, ["JobIn", "JobOut", "JobStatus", "Node", "Orphan", "Payload", "Priority"]);
    assert_eq!(
        find(&report, "type_changed", "schemas.JobOut.owner").detail,
        "$ref User (object) -> $ref Account (object)"
    );
    assert_eq!(find(&report, "type_changed", "schemas.JobIn.tags[]").detail, "string -> integer");
    assert_eq!(find(&report, "type_changed", "schemas.Payload.oneOf[Image].url").detail, "string -> string(uri)");
    assert_eq!(find(&report, "enum_value_removed", "schemas.JobStatus").detail, "enum value \"FAILED\" removed");
    assert_eq!(find(&report, "enum_value_added", "schemas.JobStatus").detail, "enum value \"CANCELLED\" added");
    assert_eq!(find(&report, "nullable_changed", "schemas.JobIn.seed").detail, "is no longer nullable");
    assert_eq!(find(&report, "nullable_changed", "schemas.JobOut.finished_at").detail, "became nullable");
    assert_eq!(find(&report, "property_added", "schemas.JobIn.model").detail, "required property added");
    assert_eq!(find(&report, "property_added", "schemas.JobIn.suffix").detail, "optional property added");
    assert_eq!(find(&report, "required_added", "schemas.JobIn.training_files").detail, "became required");
    assert_eq!(find(&report, "required_removed", "schemas.JobOut.id").detail, "is no longer required");
    assert_eq!(
        find(&report, "variant_added", "schemas.Payload.oneOf[Audio]").detail,
        "oneOf variant Audio (object) added"
    );
}

#[test]
fn openapi_31_nullability_matches_30() {
    let v30 = load("nullable_30.yaml");
    let v31 = load("nullable_31.yaml");
    assert_eq!(v31["openapi"], "3.1.0");
    let report = diff(&v30, &v31);
    // `nullable: true` and `type: [x, "null"]`, `allOf: [$ref], nullable` and
    // `anyOf: [$ref, {type: null}]`, ... agree: only the deliberate changes show.
    assert_eq!(
        triples(&report),
        expect(&[
            ("nullable_changed", "schemas.MsgIn.temperature", true),
            ("nullable_changed", "schemas.MsgIn.stop", false),
            ("nullable_changed", "schemas.Msg.role", true),
            ("nullable_changed", "schemas.Msg.name", false),
        ])
    );
    assert_eq!(report.summary.breaking, 2);

    // The other way round, request and response rules flip.
    let back = diff(&v31, &v30);
    assert_eq!(
        triples(&back),
        expect(&[
            ("nullable_changed", "schemas.MsgIn.temperature", false),
            ("nullable_changed", "schemas.MsgIn.stop", true),
            ("nullable_changed", "schemas.Msg.role", false),
            ("nullable_changed", "schemas.Msg.name", true),
        ])
    );
    assert!(diff(&v31, &v31).is_empty());
}

#[test]
fn identical_documents_have_no_changes() {
    for name in ["ops_old.yaml", "schemas_new.json", "nullable_31.yaml"] {
        let doc = load(name);
        let report = diff(&doc, &doc);
        assert!(report.is_empty(), "{name}: {report:#?}");
        assert!(!report.has_breaking());
        assert_eq!(report.render_text(), "no changes\n");
    }
}

#[test]
fn the_workspace_spec_against_itself_has_no_changes() {
    let spec = workspace_spec();
    let report = diff(&spec, &spec);
    assert!(report.is_empty(), "{}", report.render_text());
    assert_eq!(report.summary, mistral_spec::diff::Summary::default());
    assert!(!report.has_breaking());
    assert_eq!(report.render_text(), "no changes\n");
    assert_eq!(
        serde_json::to_value(&report).unwrap(),
        json!({
            "summary": {"changes": 0, "breaking": 0},
            "operations": {"added": [], "removed": [], "changed": []},
            "schemas": {"added": [], "removed": [], "changed": []},
        })
    );
}

#[test]
fn the_workspace_spec_usage_decides_enum_growth() {
    let old = workspace_spec();
    let grow = |pointer: &str, value: &str| {
        let mut new = old.clone();
        new.pointer_mut(pointer).unwrap().as_array_mut().unwrap().push(json!(value));
        triples(&diff(&old, &new))
    };
    // Only in responses (ChatCompletionChoice.finish_reason, through FinishReason's anyOf).
    assert_eq!(
        grow("/components/schemas/KnownFinishReason/enum", "content_filter"),
        expect(&[("enum_value_added", "schemas.KnownFinishReason", true)])
    );
    // Only in requests (EmbeddingRequest.output_dtype, through EmbeddingDtype's anyOf).
    assert_eq!(
        grow("/components/schemas/KnownEmbeddingDtype/enum", "int4"),
        expect(&[("enum_value_added", "schemas.KnownEmbeddingDtype", false)])
    );
    // In a query parameter (a request) and in JobOut (a response).
    assert_eq!(
        grow("/components/schemas/KnownJobStatus/enum", "PAUSED"),
        expect(&[("enum_value_added", "schemas.KnownJobStatus", true)])
    );
}

#[test]
fn the_workspace_spec_nested_inline_paths() {
    let old = workspace_spec();
    let mut new = old.clone();
    // An inline property of ChatCompletionRequest.messages[] is a $ref (Messages); its
    // variants are inline objects matched by title.
    let assistant =
        new.pointer_mut("/components/schemas/Messages/oneOf/2/properties").unwrap().as_object_mut().unwrap();
    assistant.remove("prefix");
    let report = diff(&old, &new);
    assert_eq!(triples(&report), expect(&[("property_removed", "schemas.Messages.oneOf[Assistant].prefix", true)]));
    let mut new = old.clone();
    *new.pointer_mut("/components/schemas/ChatCompletionRequest/properties/messages/items").unwrap() =
        json!({"$ref": "#/components/schemas/AssistantMessage"});
    let report = diff(&old, &new);
    assert_eq!(triples(&report), expect(&[("type_changed", "schemas.ChatCompletionRequest.messages[]", true)]));
    assert_eq!(report.changes().next().unwrap().detail, "$ref Messages (oneOf) -> $ref AssistantMessage (object)");
}

#[test]
fn json_output_shape() {
    let old = json!({
        "openapi": "3.0.3",
        "paths": {
            "/a": {"get": {"operationId": "getA", "responses": {"200": {"description": "ok"}}}},
            "/b": {"get": {"operationId": "getB", "responses": {"200": {"description": "ok",
                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/B"}}}}}}},
        },
        "components": {"schemas": {"B": {"type": "object", "properties": {"x": {"type": "string"}}}}},
    });
    let mut new = old.clone();
    new["paths"].as_object_mut().unwrap().remove("/a");
    new["paths"]["/b"]["get"]["parameters"] = json!([{"name": "q", "in": "query", "schema": {"type": "string"}}]);
    new["components"]["schemas"]["B"]["properties"]["y"] = json!({"type": "integer"});
    let report = diff(&old, &new);
    assert_eq!(
        serde_json::to_value(&report).unwrap(),
        json!({
            "summary": {"changes": 3, "breaking": 1},
            "operations": {
                "added": [],
                "removed": [{
                    "kind": "operation_removed",
                    "location": "GET /a",
                    "detail": "operation removed (operationId getA)",
                    "breaking": true,
                    "operation_id": "getA",
                }],
                "changed": [{
                    "key": "GET /b",
                    "changes": [{
                        "kind": "parameter_added",
                        "location": "GET /b",
                        "detail": "optional query parameter `q` added",
                        "breaking": false,
                        "operation_id": "getB",
                    }],
                }],
            },
            "schemas": {
                "added": [],
                "removed": [],
                "changed": [{
                    "key": "B",
                    "changes": [{
                        "kind": "property_added",
                        "location": "schemas.B.y",
                        "detail": "optional property added",
                        "breaking": false,
                    }],
                }],
            },
        })
    );
    assert_eq!(serde_json::to_value(ChangeKind::RequestMediaTypeRemoved).unwrap(), "request_media_type_removed");

    assert_eq!(
        report.render_text(),
        "3 changes, 1 breaking\n\
         \n\
         Operations removed (1):\n\
         \x20 BREAKING  GET /a (getA)\n\
         \n\
         Operations changed (1):\n\
         \x20 GET /b (getB)\n\
         \x20             GET /b: optional query parameter `q` added [parameter_added]\n\
         \n\
         Schemas changed (1):\n\
         \x20 B\n\
         \x20             schemas.B.y: optional property added [property_added]\n"
    );
}

#[test]
fn render_text_marks_breaking_lines() {
    let report = diff(&load("schemas_old.json"), &load("schemas_new.json"));
    let text = report.render_text();
    assert!(text.starts_with("21 changes, 15 breaking\n"), "{text}");
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines.contains(&"Schemas added (1):"), "{text}");
    assert!(lines.contains(&"            schemas.Account"), "{text}");
    assert!(lines.contains(&"  BREAKING  schemas.Legacy"), "{text}");
    assert!(
        lines.contains(&"    BREAKING  schemas.JobStatus: enum value \"FAILED\" removed [enum_value_removed]"),
        "{text}"
    );
    assert!(lines.contains(&"              schemas.JobIn.kind: enum value \"dpo\" added [enum_value_added]"), "{text}");
    assert_eq!(lines.iter().filter(|l| l.contains("BREAKING")).count(), 15, "{text}");
}

#[test]
fn malformed_documents_do_not_panic() {
    let odd = [
        json!(null),
        json!([1, 2]),
        json!({"paths": []}),
        json!({"paths": {"/x": {"get": "not an operation", "post": {"parameters": [{"$ref": "#/nowhere"}, 3],
            "requestBody": {"$ref": "#/components/requestBodies/Missing"}, "responses": [1]}}}}),
        json!({"components": {"schemas": {"A": {"properties": {"p": {"items": 3}}, "required": "p"}, "B": 7}}}),
        json!({"components": {"schemas": {"A": {"properties": {"p": {"items": {"type": 3}}}, "required": [1]},
            "B": {"oneOf": "x", "enum": 4}}}}),
    ];
    for a in &odd {
        for b in &odd {
            let report = diff(a, b);
            assert_summary_matches(&report);
            let _ = report.render_text();
        }
    }
}
