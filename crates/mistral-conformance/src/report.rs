//! What a run found: [`Report`], one [`CheckResult`] per check, and its renderings.

use serde::Serialize;

use crate::Group;

/// The part of an exchange where a server departed from the spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Aspect {
    /// No (complete) answer: connection refused or reset, timeout, an unreadable or oversized
    /// body.
    Transport,
    /// The status code is not the one due.
    Status,
    /// The `Content-Type` is not the media type the spec declares.
    ContentType,
    /// The body is not JSON, or does not fit the response schema (then `pointer` says where).
    Body,
    /// The server-sent event stream is malformed: framing, `data:` that is not JSON, no
    /// `data: [DONE]` at the end, no chunk with `usage`.
    Stream,
    /// The body fits the schema but does not do what the spec says (an id that does not
    /// match the request, a created resource missing from its list, `deleted: false`...).
    Behaviour,
    /// The spec itself lacks what the check needs (an example, a schema): not the server's
    /// fault, but the check could not be made.
    Spec,
}

impl Aspect {
    /// The lower-case name used in the table and in JSON, e.g. `content-type`.
    pub fn name(self) -> &'static str {
        match self {
            Aspect::Transport => "transport",
            Aspect::Status => "status",
            Aspect::ContentType => "content-type",
            Aspect::Body => "body",
            Aspect::Stream => "stream",
            Aspect::Behaviour => "behaviour",
            Aspect::Spec => "spec",
        }
    }
}

impl std::fmt::Display for Aspect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// How one check ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "result", rename_all = "lowercase")]
pub enum Outcome {
    /// The server did what the spec says.
    Pass,
    /// The first departure found.
    Fail {
        /// Where in the exchange.
        aspect: Aspect,
        /// For a body that does not fit its schema: the JSON pointer of the first offending
        /// value in the body (in the chunk, for a stream; `""` is the whole body). `None` for
        /// failures that are not about a value in the body.
        pointer: Option<String>,
        /// What was wrong: what the schema (or the spec) wanted, and what came.
        message: String,
    },
    /// The check could not run, because a step it depends on failed.
    Skip {
        /// Which step, and why.
        reason: String,
    },
}

impl Outcome {
    /// `pass`, `fail` or `skip`.
    pub fn label(&self) -> &'static str {
        match self {
            Outcome::Pass => "pass",
            Outcome::Fail { .. } => "fail",
            Outcome::Skip { .. } => "skip",
        }
    }

    /// Whether it is [`Outcome::Pass`].
    pub fn is_pass(&self) -> bool {
        matches!(self, Outcome::Pass)
    }
}

/// One check: a request sent and what was expected of the answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckResult {
    /// Stable name, e.g. `chat.stream`, `files.upload`, `embeddings.unknown_field`.
    pub name: String,
    /// The group `--only` selects it by.
    pub group: Group,
    /// The spec's `operationId` of the request sent.
    pub operation_id: String,
    /// The request, as `METHOD /path/template` from the spec.
    pub request: String,
    /// What was sent and expected, in a few words (e.g. `example "JSON mode"`, `no API key,
    /// expects 401`).
    pub description: String,
    /// The result (flattened in JSON: `"result": "pass" | "fail" | "skip"` with its fields).
    #[serde(flatten)]
    pub outcome: Outcome,
    /// Time taken, in milliseconds (0 for a skipped check).
    pub duration_ms: u64,
}

/// Counts of a report's checks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    /// Checks run or skipped.
    pub total: usize,
    /// Checks that passed.
    pub passed: usize,
    /// Checks that failed.
    pub failed: usize,
    /// Checks skipped.
    pub skipped: usize,
}

/// Everything a run found, in the order the checks ran.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// The server checked.
    pub base_url: String,
    /// The groups selected.
    pub groups: Vec<Group>,
    /// One entry per check.
    pub checks: Vec<CheckResult>,
    /// Things worth knowing that are not checks: a placeholder key was sent, a resource the
    /// run created could not be deleted, ...
    pub notes: Vec<String>,
}

impl Report {
    /// Whether every check passed (a skipped check does not pass).
    pub fn passed(&self) -> bool {
        self.checks.iter().all(|c| c.outcome.is_pass())
    }

    /// The check with this name.
    pub fn check(&self, name: &str) -> Option<&CheckResult> {
        self.checks.iter().find(|c| c.name == name)
    }

    /// The checks that failed.
    pub fn failures(&self) -> impl Iterator<Item = &CheckResult> {
        self.checks.iter().filter(|c| matches!(c.outcome, Outcome::Fail { .. }))
    }

    /// Counts by outcome.
    pub fn summary(&self) -> Summary {
        let mut s = Summary { total: self.checks.len(), ..Summary::default() };
        for c in &self.checks {
            match c.outcome {
                Outcome::Pass => s.passed += 1,
                Outcome::Fail { .. } => s.failed += 1,
                Outcome::Skip { .. } => s.skipped += 1,
            }
        }
        s
    }

    /// A plain-text table: one line per check with its result and, for a failure, where (the
    /// JSON pointer of the first offending value, `(body)` for the whole body) and why; for
    /// a skip, why. Then the notes and a summary line.
    ///
    /// ```
    /// let report = mistral_conformance::Report {
    ///     base_url: "http://localhost:8080".into(),
    ///     groups: vec![],
    ///     checks: vec![],
    ///     notes: vec![],
    /// };
    /// assert!(report.render_table().ends_with("0 checks: 0 passed, 0 failed, 0 skipped\n"));
    /// ```
    pub fn render_table(&self) -> String {
        let headers = ["CHECK", "REQUEST", "RESULT", "AT", "DETAILS"];
        let rows: Vec<[String; 5]> = self
            .checks
            .iter()
            .map(|c| {
                let (at, details) = match &c.outcome {
                    Outcome::Pass => (String::new(), String::new()),
                    Outcome::Fail { aspect, pointer, message } => {
                        let at = match pointer.as_deref() {
                            Some("") => "(body)".to_string(),
                            Some(p) => p.to_string(),
                            None => String::new(),
                        };
                        (at, format!("{aspect}: {}", shorten(message, MAX_CELL)))
                    }
                    Outcome::Skip { reason } => (String::new(), shorten(reason, MAX_CELL)),
                };
                [clean(&c.name), clean(&c.request), c.outcome.label().to_string(), clean(&at), clean(&details)]
            })
            .collect();
        let mut widths = headers.map(|h| h.chars().count());
        for row in &rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.chars().count());
            }
        }
        let mut out = String::new();
        let header_row = headers.map(str::to_string);
        for row in std::iter::once(&header_row).chain(&rows) {
            let mut line = String::new();
            for (i, (cell, w)) in row.iter().zip(widths).enumerate() {
                if i > 0 {
                    line.push_str("  ");
                }
                line.push_str(cell);
                line.extend(std::iter::repeat_n(' ', w.saturating_sub(cell.chars().count())));
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
        for note in &self.notes {
            out.push_str("note: ");
            out.push_str(&clean(note));
            out.push('\n');
        }
        let s = self.summary();
        out.push_str(&format!("{} checks: {} passed, {} failed, {} skipped\n", s.total, s.passed, s.failed, s.skipped));
        out
    }
}

impl Serialize for Report {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct Doc<'a> {
            base_url: &'a str,
            groups: &'a [Group],
            passed: bool,
            summary: Summary,
            checks: &'a [CheckResult],
            notes: &'a [String],
        }
        Doc {
            base_url: &self.base_url,
            groups: &self.groups,
            passed: self.passed(),
            summary: self.summary(),
            checks: &self.checks,
            notes: &self.notes,
        }
        .serialize(serializer)
    }
}

/// The longest message shown in a table cell (JSON has it whole).
const MAX_CELL: usize = 240;

/// `s` cut to `max` characters, with `…` when cut.
pub(crate) fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// `s` with control characters (line breaks, terminal escapes) shown as spaces.
pub(crate) fn clean(s: &str) -> String {
    s.chars().map(|c| if c.is_control() { ' ' } else { c }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(name: &str, outcome: Outcome) -> CheckResult {
        CheckResult {
            name: name.into(),
            group: Group::Chat,
            operation_id: "createChatCompletion".into(),
            request: "POST /v1/chat/completions".into(),
            description: String::new(),
            outcome,
            duration_ms: 1,
        }
    }

    #[test]
    fn table_and_json() {
        let report = Report {
            base_url: "http://x".into(),
            groups: vec![Group::Chat],
            checks: vec![
                check("chat.create", Outcome::Pass),
                check(
                    "chat.stream",
                    Outcome::Fail {
                        aspect: Aspect::Body,
                        pointer: Some("/usage".into()),
                        message: "event 2: \"usage\"\nis wrong".into(),
                    },
                ),
                check("chat.no_key", Outcome::Skip { reason: "because".into() }),
            ],
            notes: vec!["a note".into()],
        };
        assert!(!report.passed());
        assert_eq!(report.summary(), Summary { total: 3, passed: 1, failed: 1, skipped: 1 });
        let table = report.render_table();
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines[0], "CHECK        REQUEST                    RESULT  AT      DETAILS");
        assert_eq!(lines[1], "chat.create  POST /v1/chat/completions  pass");
        assert_eq!(
            lines[2],
            "chat.stream  POST /v1/chat/completions  fail    /usage  body: event 2: \"usage\" is wrong"
        );
        assert_eq!(lines[3], "chat.no_key  POST /v1/chat/completions  skip            because");
        assert_eq!(lines[4], "note: a note");
        assert_eq!(lines[5], "3 checks: 1 passed, 1 failed, 1 skipped");
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(json["passed"], false);
        assert_eq!(json["summary"]["failed"], 1);
        assert_eq!(json["checks"][1]["result"], "fail");
        assert_eq!(json["checks"][1]["aspect"], "body");
        assert_eq!(json["checks"][1]["pointer"], "/usage");
        assert_eq!(json["checks"][2]["reason"], "because");
        assert_eq!(json["checks"][0]["group"], "chat");
    }

    #[test]
    fn shorten_cuts_on_characters() {
        assert_eq!(shorten("héllo", 5), "héllo");
        assert_eq!(shorten("héllo wörld", 5), "héll…");
    }
}
