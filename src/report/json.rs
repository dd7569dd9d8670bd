//! `--format json`: one object, `{"version": 1, "files": N, "diagnostics": [...]}`.

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
