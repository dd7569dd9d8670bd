//! `unreadable-file`: a file that can't be read or isn't UTF-8 text. Emitted by the reading stage.

use super::Rule;
use crate::diagnostic::{Diagnostic, Severity};

pub static RULE: Rule = Rule {
    id: "unreadable-file",
    severity: Severity::Warning,
    summary: "A file could not be read, is not UTF-8, or is binary",
    category: super::Category::Correctness,
    default_enabled: true,
    check: super::Check::Stage(super::Stage::Load),
};

pub fn diagnostic(message: impl Into<String>, help: impl Into<String>) -> Diagnostic {
    RULE.diag(0..0, message).label("this file").help(help)
}
