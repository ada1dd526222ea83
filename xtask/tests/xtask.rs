//! `cargo xtask generate / check / diff-spec`, run on temporary copies of the workspace.

use std::path::{Path, PathBuf};

use tempfile::TempDir;

/// A temporary workspace root holding a copy of the workspace's `openapi.yaml`.
fn temp_root() -> TempDir {
    let dir = tempfile::tempdir().unwrap();
    let spec = xtask::workspace_root().join(xtask::SPEC);
    std::fs::copy(&spec, dir.path().join(xtask::SPEC)).unwrap();
    dir
}

fn spec_text(root: &Path) -> String {
    std::fs::read_to_string(root.join(xtask::SPEC)).unwrap()
}

fn write_spec(root: &Path, text: &str) {
    std::fs::write(root.join(xtask::SPEC), text).unwrap();
}

fn fixture(name: &str) -> PathBuf {
    xtask::workspace_root().join("crates/mistral-spec/tests/fixtures").join(name)
}

/// Inserts `lines` as the first entries of the `properties` of schema `name`.
fn add_property(spec: &str, name: &str, lines: &str) -> String {
    let schema = format!("\n    {name}:\n");
    let start = spec.find(&schema).unwrap_or_else(|| panic!("no schema {name} in the spec"));
    let props = "\n      properties:\n";
    let at = start + spec[start..].find(props).unwrap_or_else(|| panic!("{name} has no properties")) + props.len();
    format!("{}{lines}{}", &spec[..at], &spec[at..])
}

#[test]
fn generate_then_check_is_clean() {
    let root = temp_root();
    let written = xtask::generate(root.path()).unwrap();
    let expected: Vec<PathBuf> = xtask::GENERATED.iter().map(|g| root.path().join(g.path)).collect();
    assert_eq!(written, expected);
    for path in &written {
        let code = std::fs::read_to_string(path).unwrap();
        assert!(code.starts_with(mistral_codegen::HEADER), "{}", path.display());
    }
    let problems = xtask::check(root.path()).unwrap();
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn check_without_generated_files_reports_each() {
    let root = temp_root();
    let problems = xtask::check(root.path()).unwrap();
    let heads: Vec<&str> = problems.iter().filter_map(|p| p.lines().next()).collect();
    assert_eq!(
        heads,
        [
            "generated/mistral_openapi.rs is out of date with openapi.yaml: run `cargo xtask generate`",
            "generated/operations.rs is out of date with openapi.yaml: run `cargo xtask generate`",
            "generated/httpmock.rs is out of date with openapi.yaml: run `cargo xtask generate`",
        ]
    );
}

#[test]
fn check_reports_drift_after_a_spec_edit() {
    let root = temp_root();
    xtask::generate(root.path()).unwrap();
    let edited = add_property(
        &spec_text(root.path()),
        "ModelList",
        "        total_count:\n          description: How many models there are.\n          type: integer\n",
    );
    write_spec(root.path(), &edited);

    let problems = xtask::check(root.path()).unwrap();
    assert_eq!(problems.len(), 1, "{problems:#?}");
    let problem = &problems[0];
    let mut lines = problem.lines();
    assert_eq!(
        lines.next(),
        Some("generated/mistral_openapi.rs is out of date with openapi.yaml: run `cargo xtask generate`")
    );
    assert_eq!(lines.next(), Some("--- generated/mistral_openapi.rs (checked in)"));
    assert_eq!(lines.next(), Some("+++ generated/mistral_openapi.rs (from openapi.yaml)"));
    assert!(lines.next().is_some_and(|l| l.starts_with("@@ ")), "{problem}");
    let added: Vec<&str> = problem.lines().filter(|l| l.starts_with('+') && !l.starts_with("+++")).collect();
    assert!(added.iter().any(|l| l.contains("pub total_count:")), "{problem}");
    assert!(added.iter().any(|l| l.contains("How many models there are.")), "{problem}");
    assert!(!problem.lines().any(|l| l.starts_with('-') && !l.starts_with("---")), "{problem}");

    // Regenerating fixes it.
    xtask::generate(root.path()).unwrap();
    assert!(xtask::check(root.path()).unwrap().is_empty());
}

#[test]
fn check_reports_a_broken_example() {
    let root = temp_root();
    xtask::generate(root.path()).unwrap();
    let spec = spec_text(root.path());
    let good = "created: 1711430400";
    assert_eq!(spec.matches(good).count(), 1, "the listModels example moved");
    write_spec(root.path(), &spec.replace(good, "created: yesterday"));

    let problems = xtask::check(root.path()).unwrap();
    assert_eq!(problems.len(), 1, "{problems:#?}");
    let prefix = "spec: #/paths/~1v1~1models/get/responses/200/content/application~1json/examples/Models: \
                  example does not fit its schema at /data/0/created: ";
    assert!(problems[0].starts_with(prefix), "{problems:#?}");
    // A model card is a union: the base card is reported as such (a known `type` never falls
    // back to `Other`).
    assert!(problems[0].contains("\"yesterday\""), "{problems:#?}");
}

#[test]
fn diff_spec_compares_the_root_spec_with_another() {
    let root = tempfile::tempdir().unwrap();
    std::fs::copy(fixture("ops_old.yaml"), root.path().join(xtask::SPEC)).unwrap();
    let report = xtask::diff_spec(root.path(), &fixture("ops_new.yaml")).unwrap();
    assert_eq!(report.summary.changes, 22);
    assert_eq!(report.summary.breaking, 14);
    assert!(report.has_breaking());
    let removed: Vec<(&str, &str, bool)> =
        report.operations.removed.iter().map(|c| (c.kind.as_str(), c.location.as_str(), c.breaking)).collect();
    assert_eq!(removed, [("operation_removed", "DELETE /things/{id}", true)]);
    assert!(report.render_text().starts_with("22 changes, 14 breaking\n"));

    // JSON documents work too, and the report serializes as the CLI prints it.
    std::fs::copy(fixture("schemas_old.json"), root.path().join(xtask::SPEC)).unwrap();
    let report = xtask::diff_spec(root.path(), &fixture("schemas_new.json")).unwrap();
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(json["summary"], serde_json::json!({"changes": 21, "breaking": 15}));
    assert_eq!(json["schemas"]["removed"][0]["kind"], "schema_removed");
    assert_eq!(json["schemas"]["removed"][0]["location"], "schemas.Legacy");

    // The same document: nothing.
    let same = xtask::diff_spec(root.path(), &root.path().join(xtask::SPEC)).unwrap();
    assert_eq!(same.render_text(), "no changes\n");
    assert!(!same.has_breaking());
}

#[test]
fn diff_spec_of_the_workspace_spec_with_itself() {
    let root = xtask::workspace_root();
    let report = xtask::diff_spec(&root, &root.join(xtask::SPEC)).unwrap();
    assert_eq!(report.summary.changes, 0);
    assert_eq!(report.render_text(), "no changes\n");
}

#[test]
fn diff_spec_names_an_unreadable_file() {
    let root = temp_root();
    let missing = root.path().join("nope.yaml");
    let err = xtask::diff_spec(root.path(), &missing).unwrap_err();
    assert_eq!(err.to_string(), format!("reading {}", missing.display()));
}

#[test]
fn diff_spec_ours_sorts_each_difference_by_the_rules() {
    let root = tempfile::tempdir().unwrap();
    std::fs::copy(fixture("ops_old.yaml"), root.path().join(xtask::SPEC)).unwrap();
    std::fs::write(
        root.path().join(xtask::DIFFERENCES),
        "- kind: operation_removed\n  location: 'DELETE /things/\\{id\\}'\n  why: Kept on purpose.\n\
         - kind: schema_removed\n  location: 'schemas\\.Nothing'\n  why: Matches nothing.\n",
    )
    .unwrap();
    let full = xtask::diff_spec(root.path(), &fixture("ops_new.yaml")).unwrap();
    let ours = xtask::diff_spec_ours(root.path(), &fixture("ops_new.yaml")).unwrap();
    // What only the other document has is left out.
    let changed: usize = full.operations.changed.iter().map(|g| g.changes.len()).sum();
    let schemas: usize = full.schemas.changed.iter().map(|g| g.changes.len()).sum();
    let expected = full.operations.removed.len() + changed + full.schemas.removed.len() + schemas;
    assert!(!full.operations.added.is_empty(), "the fixture adds operations");
    assert_eq!(ours.total, expected);
    assert_eq!(ours.explained, [("Kept on purpose.".to_string(), 1)]);
    assert_eq!(ours.unexplained.len(), expected - 1);
    assert!(ours.unexplained.iter().all(|c| c.location != "DELETE /things/{id}"));
    assert_eq!(ours.unused, ["Matches nothing."]);
    assert!(!ours.is_clean());
    let text = ours.render_text();
    assert!(text.starts_with(&format!("{expected} differences on openapi.yaml's operations: 1 explained")), "{text}");
    assert!(text.contains("Rules of spec-differences.yaml that explain nothing (remove them):\n  Matches nothing."));
}

/// The workspace's spec departs from the newest official document only where
/// spec-differences.yaml says why.
#[test]
fn the_workspace_spec_departs_from_the_newest_document_only_on_purpose() {
    let newest = xtask::workspace_root().join("../shared/api/ref/mistral-openapi-newest.yaml");
    if !newest.exists() {
        eprintln!("skipped: {} is not here", newest.display());
        return;
    }
    let ours = xtask::diff_spec_ours(&xtask::workspace_root(), &newest).unwrap();
    assert!(ours.is_clean(), "{}", ours.render_text());
    assert!(ours.total > 500, "{}", ours.total);
}
