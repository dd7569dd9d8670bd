//! `template-outside-repository`: a template path that leaves the repository root.

use super::{Context, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::templates::Target;

pub static RULE: Rule = Rule {
    id: "template-outside-repository",
    severity: Severity::Error,
    summary: "A template path leaves the repository, so it is not read",
    check,
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for r in &ctx.model.template_refs {
        let span = r.entry.value.span.clone();
        let Some(Target::Outside { .. }) = ctx.templates.target(span.start) else {
            continue;
        };
        out.push(
            RULE.diag(span, format!("template `{}` is outside the repository", r.path().trim()))
                .label("this path climbs above the repository root")
                .help("keep templates inside the repository, or take them from another repository with `path@alias` and a `resources.repositories` entry")
                .note("Azure Pipelines reads templates only from repositories; azplint does not read files outside the repository either"),
        );
    }
}
