//! `template-outside-repository`: a template path that leaves the repository root.
//!
//! An error when the root is a repository's (it holds `.git`, or is a mapped checkout): Azure
//! can't fetch the file and the pipeline doesn't compile. A warning when no `.git` was found and
//! the root is only the directory linted: the real repository may be larger.

use super::{Context, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::templates::Target;

pub static RULE: Rule = Rule {
    id: "template-outside-repository",
    severity: Severity::Error,
    summary: "A template path leaves the repository, so it is not read",
    category: super::Category::Correctness,
    default_enabled: true,
    check: super::Check::Document(check),
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for r in &ctx.model.template_refs {
        let span = r.entry.value.span.clone();
        let Some(Target::Outside { known_root, .. }) = ctx.templates.target(span.start) else {
            continue;
        };
        let mut d = RULE
            .diag(span, format!("template `{}` is outside the repository", r.path().trim()))
            .label("this path climbs above the repository root")
            .help("keep templates inside the repository, or take them from another repository with `path@alias` and a `resources.repositories` entry");
        d = if *known_root {
            d.note("Azure Pipelines reads templates only from repositories; azplint does not read files outside the repository either")
        } else {
            d.severity = Severity::Warning;
            d.note("no `.git` was found above the linted path, so the directory linted stands for the repository root; if the real repository is larger, the template may be inside it, but azplint does not read it")
        };
        out.push(d);
    }
}
