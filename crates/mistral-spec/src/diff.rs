//! Structured comparison of two OpenAPI documents (placeholder until implemented).

use serde::Serialize;
use serde_json::Value;

/// A diff report.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Report {}

impl Report {
    /// Human-readable text.
    pub fn render_text(&self) -> String {
        String::new()
    }
    /// Whether any change is breaking.
    pub fn has_breaking(&self) -> bool {
        false
    }
}

/// Compares `old` with `new`.
pub fn diff(_old: &Value, _new: &Value) -> Report {
    Report {}
}
