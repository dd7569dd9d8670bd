//! `yaml-syntax`: the file is not valid YAML. Emitted by the parsing stage.

use super::Rule;
use crate::diagnostic::{Diagnostic, Severity};
use crate::yaml::ParseError;

pub static RULE: Rule = Rule {
    id: "yaml-syntax",
    severity: Severity::Error,
    summary: "The file is not valid YAML, so Azure Pipelines can't load it",
    check: super::nothing,
};

pub fn diagnostic(err: &ParseError, text_len: usize) -> Diagnostic {
    let at = err.offset.min(text_len);
    let end = (at + 1).min(text_len).max(at);
    let message = format!("invalid YAML: {}", err.message);
    let help =
        "fix the YAML syntax at this position (check indentation, unclosed quotes and brackets)";
    RULE.diag(at..end, message)
        .label("the parser stopped here")
        .help(help)
        .note("Azure Pipelines rejects a file that does not parse, before any job runs")
}
