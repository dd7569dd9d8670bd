//! `unused-suppression`: an `# azplint: ignore[...]` comment that suppresses nothing. Emitted by the
//! filter stage, which applies suppressions.

use super::Rule;
use crate::diagnostic::Severity;

pub static RULE: Rule = Rule {
    id: "unused-suppression",
    severity: Severity::Note,
    summary: "An `# azplint: ignore[...]` comment suppresses nothing",
    category: super::Category::Correctness,
    default_enabled: true,
    check: super::Check::Stage(super::Stage::Filter),
};
