//! `duplicate-name`: two stages (or two jobs of one stage) with the same name.

use super::{Context, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::pipeline::names::scopes;

pub static RULE: Rule = Rule {
    id: "duplicate-name",
    severity: Severity::Error,
    summary: "Two stages, or two jobs in one scope, have the same name",
    category: super::Category::Correctness,
    default_enabled: true,
    check: super::Check::Document(check),
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let Some(root) = &ctx.doc.root else { return };
    for scope in scopes(root) {
        // Items in `${{ if }}`/`${{ else }}` branches may exclude each other: compare only the
        // ones that are always there.
        let fixed: Vec<_> = scope
            .items
            .iter()
            .filter(|i| !i.conditional && !i.dynamic)
            .collect();
        for (i, later) in fixed.iter().enumerate() {
            let Some(first) = fixed[..i]
                .iter()
                .find(|f| f.name.eq_ignore_ascii_case(later.name))
            else {
                continue;
            };
            out.push(
                RULE.diag(
                    later.entry.value.span.clone(),
                    format!("{} name `{}` is used twice", scope.kind, later.name),
                )
                .label("second use")
                .with_label(first.entry.value.span.clone(), "first use")
                .help(format!("give each {} its own name", scope.kind))
                .note(format!(
                    "{} names must be unique in their scope (names compare without regard to case); Azure Pipelines rejects the pipeline",
                    scope.kind
                )),
            );
        }
    }
}

/// The finding for a name used twice in the compiled pipeline (stages or jobs produced by
/// templates or loops), at the text the second name came from.
pub fn compiled(span: crate::yaml::Span, message: String) -> Diagnostic {
    RULE.diag(span, message)
        .label("this name is used again once the pipeline is compiled")
        .help("give each one its own name: pass a distinct name or prefix to each template use, or put the loop's item in the name")
}
