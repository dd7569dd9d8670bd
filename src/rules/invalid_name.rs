//! `invalid-name`: a stage or job name the server rejects.

use super::{Context, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::pipeline::names::{scopes, valid_name};

pub static RULE: Rule = Rule {
    id: "invalid-name",
    severity: Severity::Error,
    summary: "A stage or job name has characters the server does not accept",
    category: super::Category::Correctness,
    default_enabled: true,
    check: super::Check::Document(check),
};

/// The name with every character the server rejects replaced by `_`.
fn fixed(name: &str) -> String {
    let mut s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        s.insert(0, '_');
    }
    s
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let Some(root) = &ctx.doc.root else { return };
    for scope in scopes(root) {
        for item in &scope.items {
            if item.dynamic || item.name.is_empty() || valid_name(item.name) {
                continue;
            }
            out.push(
                RULE.diag(
                    item.entry.value.span.clone(),
                    format!("{} name `{}` is not valid", scope.kind, item.name),
                )
                .label("only letters, digits and `_`, not starting with a digit")
                .help(format!("rename it, e.g. `{}`; put free text in `displayName:`", fixed(item.name)))
                .note("Azure Pipelines rejects the pipeline: stage and job names may contain only letters, digits and underscores, and may not start with a digit"),
            );
        }
    }
}
