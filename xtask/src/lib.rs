//! The work behind `cargo xtask`: kept in a library so the commands are tested.

#![forbid(unsafe_code)]

use std::path::{Path, PathBuf};

use anyhow::Context;

/// A generated file checked into the repository, relative to the workspace root.
pub struct Generated {
    /// Where it is written.
    pub path: &'static str,
    /// What writes it.
    pub make: fn(&Path) -> mistral_codegen::Result<String>,
}

/// Every checked-in generated file.
pub const GENERATED: &[Generated] = &[
    Generated { path: "generated/mistral_openapi.rs", make: mistral_codegen::generate },
    Generated { path: "generated/operations.rs", make: mistral_codegen::generate_operations },
    Generated {
        path: "generated/httpmock.rs",
        make: |spec| mistral_codegen::generate_httpmock(spec, "mistral_openapi"),
    },
];

/// The spec, relative to the workspace root.
pub const SPEC: &str = "openapi.yaml";

/// The workspace root (the parent of `xtask/`).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("."))
}

/// `cargo xtask generate`: writes every generated file; returns the paths written.
pub fn generate(root: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let spec = root.join(SPEC);
    let mut written = Vec::new();
    for g in GENERATED {
        let code = (g.make)(&spec).with_context(|| format!("generating {}", g.path))?;
        let path = root.join(g.path);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        std::fs::write(&path, code).with_context(|| format!("writing {}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}

/// `cargo xtask check`: every problem found, as printable text (empty when all is well).
///
/// Lints the spec (see `mistral_spec::Spec::lint`) and compares each checked-in generated
/// file with what the spec generates now, giving a unified diff for each that drifted.
pub fn check(root: &Path) -> anyhow::Result<Vec<String>> {
    let spec_path = root.join(SPEC);
    let text = std::fs::read_to_string(&spec_path).with_context(|| format!("reading {}", spec_path.display()))?;
    let spec = mistral_spec::Spec::parse(&text)?;
    let mut problems: Vec<String> = spec.lint().iter().map(|i| format!("spec: {i}")).collect();
    for g in GENERATED {
        let fresh = match (g.make)(&spec_path) {
            Ok(code) => code,
            Err(e) => {
                problems.push(format!("{}: cannot generate: {e}", g.path));
                continue;
            }
        };
        let current = std::fs::read_to_string(root.join(g.path)).unwrap_or_default();
        if current != fresh {
            let diff = similar::TextDiff::from_lines(&current, &fresh)
                .unified_diff()
                .context_radius(3)
                .header(&format!("{} (checked in)", g.path), &format!("{} (from {SPEC})", g.path))
                .to_string();
            problems.push(format!("{} is out of date with {SPEC}: run `cargo xtask generate`\n{diff}", g.path));
        }
    }
    Ok(problems)
}

/// `cargo xtask diff-spec OTHER`: compares the workspace spec (old) with another document (new).
pub fn diff_spec(root: &Path, other: &Path) -> anyhow::Result<mistral_spec::diff::Report> {
    let read = |p: &Path| -> anyhow::Result<serde_json::Value> {
        let text = std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?;
        Ok(mistral_spec::Spec::parse(&text)?.raw().clone())
    };
    let old = read(&root.join(SPEC))?;
    let new = read(other)?;
    Ok(mistral_spec::diff::diff(&old, &new))
}
