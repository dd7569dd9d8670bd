//! `template-not-found`: a `template:` reference to a file that does not exist.

use super::{Context, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::templates::Target;

pub static RULE: Rule = Rule {
    id: "template-not-found",
    severity: Severity::Error,
    summary: "A template reference points to a file that does not exist",
    check,
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for r in &ctx.model.template_refs {
        let span = r.entry.value.span.clone();
        let Some(Target::NotFound { tried }) = ctx.templates.target(span.start) else {
            continue;
        };
        let path = r.path().trim();
        let tried_list = tried
            .iter()
            .map(|t| format!("`{t}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let mut d = RULE
            .diag(span, format!("template `{path}` does not exist"))
            .label(format!("tried {tried_list}"))
            .note("Azure Pipelines fails to compile the pipeline: a template it can't find stops the whole run");
        d = d.help(if path.starts_with('/') {
            "a path starting with `/` is relative to the repository root: check the path, or add the missing file".to_string()
        } else {
            "a relative path is relative to the file that includes it (write `/path` for the repository root): check the path, or add the missing file".to_string()
        });
        out.push(d);
    }
}
