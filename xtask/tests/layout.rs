//! The workspace's layout rules, checked on its sources.

use std::path::{Path, PathBuf};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The string literals of a line of code (comments are skipped by the caller).
fn literals(line: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = line.chars();
    while let Some(c) = chars.next() {
        if c != '"' {
            continue;
        }
        let mut lit = String::new();
        let mut escaped = false;
        for c in chars.by_ref() {
            match (escaped, c) {
                (false, '\\') => escaped = true,
                (false, '"') => break,
                _ => {
                    escaped = false;
                    lit.push(c);
                }
            }
        }
        out.push(lit);
    }
    out
}

/// Hand-written library code (every crate's `src/`, unit tests aside) takes operation ids and
/// paths from `mistral_openapi::operations`; it never spells them. Tests may: an expected
/// wire path is an independent check.
#[test]
fn library_code_spells_no_operation_id_or_path() {
    let root = xtask::workspace_root();
    let spec = mistral_spec::Spec::parse(&std::fs::read_to_string(root.join(xtask::SPEC)).unwrap()).unwrap();
    let ops = spec.operations();
    assert!(ops.len() > 70, "the spec's operations are read");
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    for entry in std::fs::read_dir(root.join("crates")).unwrap().flatten() {
        rust_files(&entry.path().join("src"), &mut files);
    }
    rust_files(&root.join("xtask/src"), &mut files);
    assert!(files.len() > 50, "{} files", files.len());
    let mut found = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap();
        // Unit tests, at the end of a file, may spell what they check.
        let code = text.split("#[cfg(test)]").next().unwrap_or_default();
        for (n, line) in code.lines().enumerate() {
            if line.trim_start().starts_with("//") {
                continue;
            }
            for lit in literals(line) {
                let is_id = ops.iter().any(|op| op.id == lit);
                let is_path = lit.contains("/v1/") && lit.len() > "/v1/".len();
                if is_id || is_path {
                    found.push(format!("{}:{}: {lit:?}", file.strip_prefix(&root).unwrap_or(file).display(), n + 1));
                }
            }
        }
    }
    assert!(found.is_empty(), "operation ids or paths spelled in library code:\n{}", found.join("\n"));
}

#[test]
fn the_scanner_finds_literals() {
    assert_eq!(literals(r#"let a = "x\"y"; f("/v1/models")"#), ["x\"y", "/v1/models"]);
}
