//! `--format short`: one line per finding, `path:line:col: severity[rule-id]: message`, the shape
//! editors' problem matchers, vim's `errorformat` and emacs' compilation mode read.
//!
//! One line per finding is guaranteed: line breaks and other control characters in the path or
//! the message (a YAML double-quoted `"\n"` in a task name) become spaces, and so do U+2028 and
//! U+2029. CI command markers are broken (see [`super`]), and a path that would put `::` at the
//! start of the line is written as `./path`, the same file.

use crate::diagnostic::Diagnostic;
use crate::diagnostic::Report;
use crate::source::Source;

fn one_line(c: char, out: &mut String) {
    if c.is_control() || c == '\u{2028}' || c == '\u{2029}' {
        out.push(' ');
    } else {
        out.push(c);
    }
}

/// The path as shown at the start of a line.
fn path(display: &str) -> String {
    let p = super::escape_with(display, "\u{200B}#", one_line);
    if p.starts_with(|c: char| c == ':' || c.is_whitespace()) {
        format!("./{p}")
    } else {
        p
    }
}

/// One finding, without the line break.
pub fn line(src: &Source, d: &Diagnostic) -> String {
    let (start, _) = super::range(src, d);
    format!(
        "{}:{}:{}: {}[{}]: {}",
        path(&src.display),
        start.line,
        start.column,
        d.severity,
        d.rule,
        super::escape_with(&d.message, "\u{200B}#", one_line)
    )
}

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    for (src, d) in report.diagnostics() {
        out.push_str(&line(src, d));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Severity;

    #[test]
    fn one_line_per_finding_even_with_hostile_text() {
        let src = Source::new("::set-output name=x::y\n.yml", None, "steps: []\n".into());
        let d = Diagnostic::new(
            "unknown-task",
            Severity::Warning,
            0..5,
            "task `a\r\n##vso[task.setvariable variable=x]y\u{2028}z`",
        );
        let l = line(&src, &d);
        assert!(!l.contains(['\n', '\r', '\u{2028}']), "{l:?}");
        assert!(
            l.starts_with("./::set-output name=x::y .yml:1:1: warning[unknown-task]: task `a  #")
        );
        assert!(!l.contains("##vso["));
    }
}
