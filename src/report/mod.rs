//! Reporters: one file per output format. Every format serializes the same diagnostics.
//!
//! Text from the linted files (task names, input values, paths) reaches every format, and the
//! output of a CI step is read by its runner, which acts on some lines as commands. No format may
//! let that text form a command, so each one escapes or breaks the markers the runners look for:
//!
//! - Azure Pipelines agent: `##vso[` anywhere in a line (`Command.TryParse` in
//!   microsoft/azure-pipelines-agent: `message.IndexOf("##vso[")`, then the first `]`), stdout
//!   and stderr alike; `##[group]`, `##[error]`, ... formatting commands.
//! - GitHub Actions runner: `::name props::data` at the start of a line after leading white space
//!   (`ActionCommand.TryParseV2`: `message.TrimStart()`, `StartsWith("::")`), and the older
//!   `##[name props]data` anywhere in a line (`ActionCommand.TryParse`: `IndexOf("##[")`), tried
//!   when the first does not match.
//!
//! [`escape_with`] breaks `##vso[` and `##[` in any text; [`defang_lines`] also keeps a line from
//! starting with `::`. Formats with a lossless escape use it (JSON `\u0023`, XML `&#35;`); plain
//! text gets a zero-width space between the two `#`, which reads the same.

pub mod azure;
pub mod github;
pub mod human;
pub mod json;
pub mod junit;
pub mod sarif;
pub mod short;

use crate::diagnostic::Report;
use crate::diagnostic::{Diagnostic, Severity};
use crate::source::{LineCol, Source};

/// Where the rule pages (`docs/rules/<id>.md`) are published, ending with `/`.
///
/// Only an absolute URI can be SARIF's `reportingDescriptor.helpUri` (the schema says
/// `"format": "uri"`, an absolute URI), so while this is relative to the repository root the
/// SARIF output names the page in the rule's `help` text instead. Set it to the published location
/// of `docs/rules/` (for example the repository's `.../blob/main/docs/rules/` URL) to get
/// `helpUri` in SARIF.
pub const DOCS_BASE: &str = "docs/rules/";

/// The documentation page of a rule.
pub fn rule_doc(id: &str) -> String {
    format!("{DOCS_BASE}{id}.md")
}

/// Whether `DOCS_BASE` (or any base) is an absolute URI, usable as SARIF `helpUri`.
pub(crate) fn is_absolute_uri(s: &str) -> bool {
    s.split_once("://").is_some_and(|(scheme, _)| {
        !scheme.is_empty()
            && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    })
}

/// Break between the two `#` of a CI marker in plain text: invisible, and no runner reads it.
pub const ZERO_WIDTH_SPACE: char = '\u{200B}';

/// Escape `text` one character at a time with `escape`, except that the second `#` of every
/// `##vso[` and `##[` is written as `second_hash` (which must not start with `#`), so that no
/// runner command marker survives. The markers are looked for in the unescaped text.
pub fn escape_with(
    text: &str,
    second_hash: &str,
    mut escape: impl FnMut(char, &mut String),
) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if rest.starts_with("##[") || rest.starts_with("##vso[") {
            escape('#', &mut out);
            out.push_str(second_hash);
            rest = &rest[2..];
            continue;
        }
        escape(c, &mut out);
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// [`escape_with`] with nothing else escaped: the text is copied in runs between the `#`s.
fn break_markers(text: &str, second_hash: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = memchr::memchr(b'#', rest.as_bytes()) {
        let tail = &rest[at..];
        if tail.starts_with("##[") || tail.starts_with("##vso[") {
            out.push_str(&rest[..=at]);
            out.push_str(second_hash);
            rest = &rest[at + 2..];
        } else {
            out.push_str(&rest[..=at]);
            rest = &rest[at + 1..];
        }
    }
    out.push_str(rest);
    out
}

/// Plain text with `##vso[` and `##[` broken by a zero-width space.
pub fn defang(text: &str) -> String {
    break_markers(text, "\u{200B}#")
}

/// Plain multi-line text (the human format): [`defang`], and a zero-width space before `::` at
/// the start of any line (after white space). Lines end at `\n` or `\r`: .NET's `ReadLine`, which
/// both runners use on a step's output, ends a line at either.
pub fn defang_lines(text: &str) -> String {
    let text = defang(text);
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive(['\n', '\r']) {
        let body = line.trim_start();
        if body.starts_with("::") {
            out.push_str(&line[..line.len() - body.len()]);
            out.push(ZERO_WIDTH_SPACE);
            out.push_str(body);
        } else {
            out.push_str(line);
        }
    }
    out
}

/// Serialized JSON with the second `#` of every `##vso[` and `##[` written as `\u0023`: the same
/// JSON value, but no runner marker in the raw text. (`#` only occurs inside JSON strings, and a
/// JSON string never holds a raw line break, so no line can start with `::` either.)
pub fn defang_json(json: &str) -> String {
    break_markers(json, "\\u0023")
}

/// Start and end (just past the flagged text) of a diagnostic, 1-based, columns in characters.
pub(crate) fn range(src: &Source, d: &Diagnostic) -> (LineCol, LineCol) {
    (src.line_col(d.span.start), src.line_col(d.span.end))
}

/// The diagnostic as several lines: message, `help:`, `note:` and the include chain. Formats
/// that carry one text per finding (GitHub, Azure, SARIF, JUnit) show this.
pub(crate) fn full_text(d: &Diagnostic) -> String {
    let mut s = d.message.clone();
    if let Some(help) = &d.help {
        s.push_str("\nhelp: ");
        s.push_str(help);
    }
    if let Some(note) = &d.note {
        s.push_str("\nnote: ");
        s.push_str(note);
    }
    if !d.included_from.is_empty() {
        s.push_str("\nincluded from ");
        s.push_str(&d.included_from.join(" → "));
    }
    s
}

/// A path as CI services expect it: forward slashes, without a leading `./`.
pub(crate) fn repo_path(display: &str) -> String {
    let mut p = display.replace('\\', "/");
    while let Some(rest) = p.strip_prefix("./") {
        p = rest.to_string();
    }
    p
}

/// Whether a finding of `severity` fails the run (`--fail-on`; `None` is `never`).
pub fn fails(severity: Severity, fail_on: Option<Severity>) -> bool {
    fail_on.is_some_and(|t| severity >= t)
}

/// "2 errors, 5 warnings in 31 files".
pub fn summary(report: &Report) -> String {
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let files = plural(report.files.len(), "file");
    let mut parts = Vec::new();
    for (sev, word) in [
        (Severity::Error, "error"),
        (Severity::Warning, "warning"),
        (Severity::Note, "note"),
    ] {
        let n = report.count(sev);
        if n > 0 || sev != Severity::Note {
            parts.push(plural(n, word));
        }
    }
    format!("{} in {files}", parts.join(", "))
}

/// How many findings `--fix` (and `--unsafe-fixes`) would fix, as a hint after the summary, or
/// `None` when none would.
pub fn fixable_hint(report: &Report, unsafe_fixes: bool) -> Option<String> {
    use crate::diagnostic::Applicability;
    let (mut safe, mut unsafe_) = (0, 0);
    for (_, d) in report.diagnostics() {
        match d
            .fix
            .as_ref()
            .filter(|f| !f.edits.is_empty())
            .map(|f| f.applicability)
        {
            Some(Applicability::Safe) => safe += 1,
            Some(Applicability::Unsafe) => unsafe_ += 1,
            _ => {}
        }
    }
    match (safe, unsafe_, unsafe_fixes) {
        (0, 0, _) => None,
        (s, u, true) => Some(format!(
            "[*] {} fixable with `--fix --unsafe-fixes`",
            s + u
        )),
        (s, 0, false) => Some(format!("[*] {s} fixable with `--fix`")),
        (0, u, false) => Some(format!(
            "{u} fix{} available with `--fix --unsafe-fixes` (see first with `--diff --unsafe-fixes`)",
            if u == 1 { "" } else { "es" }
        )),
        (s, u, false) => Some(format!(
            "[*] {s} fixable with `--fix` ({u} more with `--unsafe-fixes`)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_are_broken_and_nothing_else_changes() {
        let s = "a ##vso[task.setvariable variable=x]y ##[error]e ### # [ ##x";
        let d = defang(s);
        assert!(!d.contains("##vso[") && !d.contains("##["), "{d}");
        assert_eq!(d.replace('\u{200B}', ""), s);
        assert_eq!(defang("###[").replace('\u{200B}', ""), "###[");
        assert!(!defang("###[").contains("##["));
        assert_eq!(defang_json("\"##[x\""), "\"#\\u0023[x\"");
    }

    #[test]
    fn copying_in_runs_is_escaping_one_character_at_a_time() {
        for s in [
            "",
            "#",
            "##",
            "##[",
            "###[",
            "##vso[",
            "###vso[x##[",
            "é##[ü#",
            "a#b##c##vso",
            "##[##[",
            "x ##vso[task.complete]##[group]#",
        ] {
            for second in ["\\u0023", "\u{200B}#"] {
                assert_eq!(
                    break_markers(s, second),
                    escape_with(s, second, |c, out| out.push(c)),
                    "{s:?}"
                );
            }
        }
    }

    #[test]
    fn lines_never_start_with_double_colon() {
        let d = defang_lines("ok\n  ::set-output name=x::y\r::warning::z\nx::y\n");
        for line in d.split(['\n', '\r']) {
            assert!(!line.trim_start().starts_with("::"), "{line:?}");
        }
        assert_eq!(
            d.replace('\u{200B}', ""),
            "ok\n  ::set-output name=x::y\r::warning::z\nx::y\n"
        );
    }

    #[test]
    fn absolute_uris() {
        assert!(is_absolute_uri("https://example.com/docs/"));
        assert!(!is_absolute_uri(DOCS_BASE));
        assert!(!is_absolute_uri("://x"));
    }
}
