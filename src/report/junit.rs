//! `--format junit`: JUnit XML for test-result viewers (Azure Pipelines' Publish Test Results
//! task with `testResultsFormat: JUnit`, GitLab, Jenkins).
//!
//! One `<testcase>` per linted file (`classname="azplint"`, `name` the path), so clean files show
//! as passed tests. Each finding that fails the run (`--fail-on`) is a `<failure>` of its file:
//! `message` is `line:col: severity[rule-id]: message`, the body adds help, note and include chain.
//! Azure's JUnit reader takes only the first `<failure>` of a test case (message and body) and
//! attaches `<system-out>` to a failed result, so every finding of the file, failing or not, is
//! also listed in `<system-out>`, one per line in the `short` shape.
//!
//! Text is XML-escaped (`&`, `<`, `>`, `"`; attributes are double-quoted); line breaks and tabs
//! are character references (`&#10;`, `&#13;`, `&#9;`), so that every line of the document starts
//! with markup and a line break in a value survives in attributes; characters XML 1.0 can't hold
//! (other C0 controls, U+FFFE, U+FFFF) become U+FFFD; the second `#` of `##vso[` and `##[` is
//! written `&#35;` (see [`super`]).

use crate::diagnostic::Report;
use crate::diagnostic::{Diagnostic, Severity};
use crate::source::Source;

fn xml_char(c: char, out: &mut String) {
    match c {
        '&' => out.push_str("&amp;"),
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        '"' => out.push_str("&quot;"),
        '\n' => out.push_str("&#10;"),
        '\r' => out.push_str("&#13;"),
        '\t' => out.push_str("&#9;"),
        c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => out.push('\u{FFFD}'),
        c => out.push(c),
    }
}

/// Text for an XML attribute value or element content.
pub fn escape(s: &str) -> String {
    super::escape_with(s, "&#35;", xml_char)
}

fn headline(src: &Source, d: &Diagnostic) -> String {
    let (start, _) = super::range(src, d);
    format!(
        "{}:{}: {}[{}]: {}",
        start.line, start.column, d.severity, d.rule, d.message
    )
}

/// `fail_on`: the least severity that fails the run (`None`: nothing fails).
pub fn render(report: &Report, fail_on: Option<Severity>) -> String {
    let failing: Vec<bool> = report
        .files
        .iter()
        .map(|f| {
            f.diagnostics
                .iter()
                .any(|d| super::fails(d.severity, fail_on))
        })
        .collect();
    let tests = report.files.len();
    let failures = failing.iter().filter(|&&f| f).count();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<testsuites name=\"azplint\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\">\n"
    ));
    out.push_str(&format!(
        "  <testsuite name=\"azplint\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\" time=\"0\">\n"
    ));
    for file in &report.files {
        let src = &file.source;
        out.push_str(&format!(
            "    <testcase classname=\"azplint\" name=\"{}\" time=\"0\"",
            escape(&src.display)
        ));
        if file.diagnostics.is_empty() {
            out.push_str("/>\n");
            continue;
        }
        out.push_str(">\n");
        for d in &file.diagnostics {
            if !super::fails(d.severity, fail_on) {
                continue;
            }
            let (start, _) = super::range(src, d);
            let body = format!(
                "{}:{}:{}\n{}",
                src.display,
                start.line,
                start.column,
                super::full_text(d)
            );
            out.push_str(&format!(
                "      <failure message=\"{}\" type=\"{}\">{}</failure>\n",
                escape(&headline(src, d)),
                escape(d.rule),
                escape(&body)
            ));
        }
        let all: Vec<String> = file
            .diagnostics
            .iter()
            .map(|d| super::short::line(src, d))
            .collect();
        out.push_str(&format!(
            "      <system-out>{}</system-out>\n",
            escape(&all.join("\n"))
        ));
        out.push_str("    </testcase>\n");
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(
            escape("<a href=\"x\">&'\n\u{1}##[x"),
            "&lt;a href=&quot;x&quot;&gt;&amp;'&#10;\u{FFFD}#&#35;[x"
        );
    }
}
