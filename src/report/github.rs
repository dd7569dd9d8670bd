//! `--format github`: GitHub Actions workflow commands, one line per finding, which the runner
//! turns into annotations on the files of a pull request:
//!
//! ```text
//! ::warning file=azure-pipelines.yml,line=6,col=9,endLine=6,endColumn=24,title=azplint%3A wif-unsupported-task::message%0Ahelp: ...
//! ```
//!
//! Errors are `::error`, warnings `::warning` and notes `::notice`. `col` and `endColumn` are only
//! given when the finding starts and ends on the same line (the Checks API behind annotations
//! takes columns on one line only); `endColumn` points just past the flagged text, as in the JSON
//! format. GitHub shows at most 10 error, 10 warning and 10 notice annotations per step and 50 per
//! job (actions/toolkit, "Problem Matchers", Limitations); the rest are only in the log.
//!
//! Escaping, as the runner unescapes (`ActionCommand.cs` in actions/runner, and `escapeData` /
//! `escapeProperty` in `@actions/core`'s `command.ts`):
//! - data (the message): `%` → `%25`, `\r` → `%0D`, `\n` → `%0A`;
//! - properties (`file`, `title`): the same, plus `:` → `%3A` and `,` → `%2C`, since properties
//!   are split at `,` and the property list ends at the first `::`.
//!
//! `%` is escaped first, so that text such as `%0A` in a file survives as written. A whole command
//! is one line and starts with our `::`, so the runner never looks further into it; `##vso[` and
//! `##[` are broken anyway (see [`super`]) so that the same output is inert on Azure Pipelines.

use crate::diagnostic::Report;
use crate::diagnostic::Severity;

fn escape_data(c: char, out: &mut String) {
    match c {
        '%' => out.push_str("%25"),
        '\r' => out.push_str("%0D"),
        '\n' => out.push_str("%0A"),
        c => out.push(c),
    }
}

fn escape_property(c: char, out: &mut String) {
    match c {
        ':' => out.push_str("%3A"),
        ',' => out.push_str("%2C"),
        c => escape_data(c, out),
    }
}

pub fn data(s: &str) -> String {
    super::escape_with(s, "\u{200B}#", escape_data)
}

pub fn property(s: &str) -> String {
    super::escape_with(s, "\u{200B}#", escape_property)
}

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    for (src, d) in report.diagnostics() {
        let command = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "notice",
        };
        let (start, end) = super::range(src, d);
        let mut props = format!(
            "file={},line={}",
            property(&super::repo_path(&src.display)),
            start.line
        );
        if start.line == end.line {
            props.push_str(&format!(",col={}", start.column));
        }
        props.push_str(&format!(",endLine={}", end.line));
        if start.line == end.line {
            props.push_str(&format!(",endColumn={}", end.column));
        }
        props.push_str(&format!(
            ",title={}",
            property(&format!("azplint: {}", d.rule))
        ));
        out.push_str(&format!(
            "::{command} {props}::{}\n",
            data(&super::full_text(d))
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(data("100%\r\n::x"), "100%25%0D%0A::x");
        assert_eq!(property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
        assert_eq!(property("%3A"), "%253A");
    }
}
