//! `--format json`: one object, `{"version": 1, "files": N, "diagnostics": [...]}`; each
//! finding has a `fix`: `null`, or its message, applicability and edits.

use crate::diagnostic::Report;
use serde::Serialize;

#[derive(Serialize)]
struct Out<'a> {
    version: u32,
    files: usize,
    diagnostics: Vec<Item<'a>>,
}

#[derive(Serialize)]
struct Item<'a> {
    rule: &'a str,
    severity: &'a str,
    message: &'a str,
    path: &'a str,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    help: Option<&'a str>,
    note: Option<&'a str>,
    /// Include chain of a finding inside a template (`path:line`, outermost first).
    included_from: &'a [String],
    /// How to fix it in place, when azplint knows (`null` otherwise).
    fix: Option<FixOut<'a>>,
}

#[derive(Serialize)]
struct FixOut<'a> {
    message: &'a str,
    /// `safe` (`--fix`), `unsafe` (`--fix --unsafe-fixes`) or `display-only` (never applied).
    applicability: &'a str,
    edits: Vec<EditOut<'a>>,
}

/// One replacement: the text from `start` up to `end` (1-based line and character column, and
/// the byte offsets) becomes `content`.
#[derive(Serialize)]
struct EditOut<'a> {
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    start_offset: usize,
    end_offset: usize,
    content: &'a str,
}

pub fn render(report: &Report) -> String {
    let diagnostics = report
        .diagnostics()
        .map(|(src, d)| {
            let start = src.line_col(d.span.start);
            let end = src.line_col(d.span.end);
            Item {
                rule: d.rule,
                severity: d.severity.as_str(),
                message: &d.message,
                path: &src.display,
                line: start.line,
                column: start.column,
                end_line: end.line,
                end_column: end.column,
                help: d.help.as_deref(),
                note: d.note.as_deref(),
                included_from: &d.included_from,
                fix: d.fix.as_ref().map(|f| FixOut {
                    message: &f.message,
                    applicability: f.applicability.as_str(),
                    edits: f
                        .edits
                        .iter()
                        .map(|e| {
                            let s = src.line_col(e.range.start);
                            let t = src.line_col(e.range.end);
                            EditOut {
                                line: s.line,
                                column: s.column,
                                end_line: t.line,
                                end_column: t.column,
                                start_offset: e.range.start,
                                end_offset: e.range.end,
                                content: &e.text,
                            }
                        })
                        .collect(),
                }),
            }
        })
        .collect();
    let out = Out {
        version: 1,
        files: report.files.len(),
        diagnostics,
    };
    let mut s = serde_json::to_string_pretty(&out).unwrap_or_else(|_| "{}".to_string());
    s.push('\n');
    s
}
