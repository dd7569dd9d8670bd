//! `remote-template`: templates from another repository that azplint can't read (one note per alias).

use super::Rule;
use crate::diagnostic::{Diagnostic, Severity};

pub static RULE: Rule = Rule {
    id: "remote-template",
    severity: Severity::Note,
    summary: "Templates from another repository are not checked unless its alias is mapped to a local checkout",
    category: super::Category::Correctness,
    default_enabled: true,
    check: super::Check::Stage(super::Stage::IncludeGraph),
};

/// Emitted by the driver once per alias, at its first reference in path order.
pub fn diagnostic(span: crate::yaml::Span, alias: &str) -> Diagnostic {
    RULE.diag(
        span,
        format!("templates from repository `{alias}` are not checked"),
    )
    .label(format!("`@{alias}` is another repository"))
    .help(format!(
        "map the alias to a local checkout to check them: `azplint --repository {alias}=PATH`"
    ))
    .note("this note appears once per alias; every reference to it is skipped")
}
