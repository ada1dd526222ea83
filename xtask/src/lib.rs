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

/// The deliberate differences from the official document, relative to the workspace root.
pub const DIFFERENCES: &str = "spec-differences.yaml";

/// One rule of [`DIFFERENCES`]: the changes it explains, and why they are on purpose.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Deliberate {
    /// The change kind, e.g. `schema_removed`.
    pub kind: String,
    /// A regular expression the change's location matches in full.
    #[serde(default)]
    pub location: Option<String>,
    /// A regular expression the change's detail matches in full.
    #[serde(default)]
    pub detail: Option<String>,
    /// Why.
    pub why: String,
}

/// `cargo xtask diff-spec --ours`: the differences on the operations openapi.yaml has, each
/// explained by a rule of [`DIFFERENCES`] or not.
#[derive(Debug, Clone, serde::Serialize)]
pub struct OursReport {
    /// Every difference on openapi.yaml's operations and schemas.
    pub total: usize,
    /// How many changes each rule explains, with its reason, in file order.
    pub explained: Vec<(String, usize)>,
    /// The differences no rule explains.
    pub unexplained: Vec<mistral_spec::diff::Change>,
    /// Rules that explain nothing (stale).
    pub unused: Vec<String>,
}

impl OursReport {
    /// Whether every difference is explained and every rule used.
    pub fn is_clean(&self) -> bool {
        self.unexplained.is_empty() && self.unused.is_empty()
    }

    /// The report for people.
    pub fn render_text(&self) -> String {
        let mut out = format!(
            "{} differences on openapi.yaml's operations: {} explained by {DIFFERENCES}, {} unexplained\n",
            self.total,
            self.total - self.unexplained.len(),
            self.unexplained.len()
        );
        if !self.unexplained.is_empty() {
            out.push_str("\nUnexplained:\n");
            for c in &self.unexplained {
                out.push_str(&format!("  {}: {} [{}]\n", c.location, c.detail, c.kind.as_str()));
            }
        }
        if !self.unused.is_empty() {
            out.push_str(&format!("\nRules of {DIFFERENCES} that explain nothing (remove them):\n"));
            for why in &self.unused {
                out.push_str(&format!("  {why}\n"));
            }
        }
        out.push_str("\nOn purpose:\n");
        for (why, n) in &self.explained {
            out.push_str(&format!("  {n:>4}  {why}\n"));
        }
        out
    }
}

/// Reads [`DIFFERENCES`].
pub fn deliberate_differences(root: &Path) -> anyhow::Result<Vec<Deliberate>> {
    let path = root.join(DIFFERENCES);
    let text = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    serde_norway::from_str(&text).with_context(|| format!("parsing {}", path.display()))
}

/// Compares openapi.yaml with `other` on openapi.yaml's operations (what only `other` has is
/// left out) and sorts each difference into explained or not by [`DIFFERENCES`].
pub fn diff_spec_ours(root: &Path, other: &Path) -> anyhow::Result<OursReport> {
    let report = diff_spec(root, other)?;
    let rules = deliberate_differences(root)?;
    let full = |p: &Option<String>| -> anyhow::Result<Option<regex::Regex>> {
        p.as_ref()
            .map(|p| regex::Regex::new(&format!("^(?:{p})$")).with_context(|| format!("the pattern {p:?}")))
            .transpose()
    };
    let compiled: Vec<(Option<regex::Regex>, Option<regex::Regex>)> =
        rules.iter().map(|r| Ok((full(&r.location)?, full(&r.detail)?))).collect::<anyhow::Result<_>>()?;
    // Only in the other document: operations and schemas openapi.yaml does not cover.
    let changes: Vec<&mistral_spec::diff::Change> = report
        .operations
        .removed
        .iter()
        .chain(report.operations.changed.iter().flat_map(|g| &g.changes))
        .chain(&report.schemas.removed)
        .chain(report.schemas.changed.iter().flat_map(|g| &g.changes))
        .collect();
    let mut counts = vec![0usize; rules.len()];
    let mut unexplained = Vec::new();
    for change in &changes {
        let rule = rules.iter().zip(&compiled).position(|(rule, (location, detail))| {
            rule.kind == change.kind.as_str()
                && location.as_ref().is_none_or(|re| re.is_match(&change.location))
                && detail.as_ref().is_none_or(|re| re.is_match(&change.detail))
        });
        match rule {
            Some(i) => counts[i] += 1,
            None => unexplained.push((*change).clone()),
        }
    }
    let one_line = |why: &str| why.split_whitespace().collect::<Vec<_>>().join(" ");
    Ok(OursReport {
        total: changes.len(),
        explained: rules.iter().zip(&counts).filter(|(_, n)| **n > 0).map(|(r, n)| (one_line(&r.why), *n)).collect(),
        unexplained,
        unused: rules.iter().zip(&counts).filter(|(_, n)| **n == 0).map(|(r, _)| one_line(&r.why)).collect(),
    })
}

/// The dependencies (from `cargo metadata`'s JSON) that declare a `rust-version` newer than the
/// workspace's own (`workspace_msrv`, read off its members), one line each. Only this machine's
/// toolchain can be installed here, so the declared minimum is kept honest this way and by
/// clippy's `incompatible_msrv` lint (standard library items newer than `rust-version`).
pub fn msrv_problems(metadata: &serde_json::Value) -> anyhow::Result<Vec<String>> {
    let packages = metadata["packages"].as_array().map(Vec::as_slice).unwrap_or_default();
    let members: Vec<&str> =
        metadata["workspace_members"].as_array().into_iter().flatten().filter_map(|m| m.as_str()).collect();
    let ours = packages
        .iter()
        .filter(|p| p["id"].as_str().is_some_and(|id| members.contains(&id)))
        .filter_map(|p| p["rust_version"].as_str())
        .map(parse_rust_version)
        .collect::<anyhow::Result<Vec<_>>>()?
        .into_iter()
        .max()
        .ok_or_else(|| anyhow::anyhow!("no workspace member declares a rust-version"))?;
    let mut problems = Vec::new();
    for package in packages {
        let Some(declared) = package["rust_version"].as_str() else { continue };
        if parse_rust_version(declared)? > ours {
            problems.push(format!(
                "{} {} needs Rust {declared}, newer than the workspace's rust-version {}.{}.{}",
                package["name"].as_str().unwrap_or("?"),
                package["version"].as_str().unwrap_or("?"),
                ours.0,
                ours.1,
                ours.2
            ));
        }
    }
    Ok(problems)
}

/// `1.88` or `1.88.0` as (major, minor, patch).
fn parse_rust_version(text: &str) -> anyhow::Result<(u64, u64, u64)> {
    let mut parts = text.trim().split('.').map(str::parse::<u64>);
    let mut next = || parts.next().transpose().map_err(|e| anyhow::anyhow!("rust-version {text:?}: {e}"));
    Ok((next()?.unwrap_or(0), next()?.unwrap_or(0), next()?.unwrap_or(0)))
}

#[cfg(test)]
mod msrv_tests {
    use super::*;

    #[test]
    fn a_dependency_newer_than_the_workspace_is_reported() {
        let metadata = serde_json::json!({
            "workspace_members": ["ours 0.1.0"],
            "packages": [
                {"id": "ours 0.1.0", "name": "ours", "version": "0.1.0", "rust_version": "1.88"},
                {"id": "old 1.0.0", "name": "old", "version": "1.0.0", "rust_version": "1.70.0"},
                {"id": "same 1.0.0", "name": "same", "version": "1.0.0", "rust_version": "1.88.0"},
                {"id": "none 1.0.0", "name": "none", "version": "1.0.0", "rust_version": null},
                {"id": "new 2.0.0", "name": "new", "version": "2.0.0", "rust_version": "1.90"}
            ]
        });
        assert_eq!(
            msrv_problems(&metadata).unwrap(),
            ["new 2.0.0 needs Rust 1.90, newer than the workspace's rust-version 1.88.0"]
        );
        assert!(parse_rust_version("1.x").is_err());
    }
}
