//! `yaml-syntax`: the file is not valid YAML. Emitted by the parsing stage.

use super::Rule;
use crate::diagnostic::{Diagnostic, Severity};
use crate::yaml::ParseError;

pub static RULE: Rule = Rule {
    id: "yaml-syntax",
    severity: Severity::Error,
    summary: "The file is not valid YAML, so Azure Pipelines can't load it",
    category: super::Category::Correctness,
    default_enabled: true,
    check: super::Check::Stage(super::Stage::Parse),
};

pub fn diagnostic(err: &ParseError, text: &str) -> Diagnostic {
    let at = crate::source::floor_char_boundary(text, err.offset);
    // The character at the offset (a whole character, however many bytes).
    let end = at + text[at..].chars().next().map_or(0, char::len_utf8);
    let message = format!("invalid YAML: {}", err.message);
    let help =
        "fix the YAML syntax at this position (check indentation, unclosed quotes and brackets)";
    RULE.diag(at..end, message)
        .label("the parser stopped here")
        .help(help)
        .note("Azure Pipelines rejects a file that does not parse, before any job runs")
}
