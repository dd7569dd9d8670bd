//! `--format azure`: Azure Pipelines logging commands, one line per finding, which the agent
//! turns into issues of the step (shown on the run summary and in the log):
//!
//! ```text
//! ##vso[task.logissue type=warning;sourcepath=azure-pipelines.yml;linenumber=6;columnnumber=9;code=wif-unsupported-task]message%0Ahelp: ...
//! ```
//!
//! `task.logissue` takes `type=error` or `type=warning` only ("`type` = `error` or `warning`
//! (Required)", Microsoft's "Logging commands" page). A note is not an issue, and logging it as
//! a warning would mark the step "succeeded with issues" for findings that do not fail a run by
//! default, so notes are printed as plain log lines in the `short` shape
//! (`path:line:col: note[rule-id]: message`).
//!
//! Escaping, as the agent unescapes (`Command.TryParse` and its `Unescape` in
//! microsoft/azure-pipelines-agent; `escape` in azure-pipelines-task-lib's `taskcommand.ts`):
//! `%` → `%AZP25`, `;` → `%3B`, `\r` → `%0D`, `\n` → `%0A`, `]` → `%5D`, in properties (split at
//! `;`, ended by the first `]`) and in the message alike; the agent unescapes both. `%` goes first
//! and the agent decodes `%AZP25` last, so `%3B` written in a file survives as written. The agent
//! decodes `%AZP25` unless its `DECODE_PERCENTS` knob is false (the default is true in current
//! agents; older ones show `%AZP25` literally: a cosmetic loss, never a command).
//!
//! The agent takes the first `##vso[` of a line: ours, at its start. `##vso[` and `##[` in file
//! text are broken anyway (see [`super`]), which also keeps the GitHub runner from reading `##[`.

use crate::diagnostic::Report;
use crate::diagnostic::Severity;

fn escape_char(c: char, out: &mut String) {
    match c {
        '%' => out.push_str("%AZP25"),
        ';' => out.push_str("%3B"),
        '\r' => out.push_str("%0D"),
        '\n' => out.push_str("%0A"),
        ']' => out.push_str("%5D"),
        c => out.push(c),
    }
}

/// A property value or the message of a logging command.
pub fn escape(s: &str) -> String {
    super::escape_with(s, "\u{200B}#", escape_char)
}

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    for (src, d) in report.diagnostics() {
        let kind = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => {
                out.push_str(&super::short::line(src, d));
                out.push('\n');
                continue;
            }
        };
        let (start, _) = super::range(src, d);
        out.push_str(&format!(
            "##vso[task.logissue type={kind};sourcepath={};linenumber={};columnnumber={};code={}]{}\n",
            escape(&super::repo_path(&src.display)),
            start.line,
            start.column,
            escape(d.rule),
            escape(&super::full_text(d)),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(escape("a;b]c%d\r\n"), "a%3Bb%5Dc%AZP25d%0D%0A");
        assert_eq!(escape("%3B"), "%AZP253B");
        assert_eq!(escape("##vso[x]"), "#\u{200B}#vso[x%5D");
    }
}
