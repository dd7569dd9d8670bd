//! `unknown-dependency`: `dependsOn` names a stage or job that does not exist in the same scope.

use super::{Context, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::pipeline::names::scopes;

pub static RULE: Rule = Rule {
    id: "unknown-dependency",
    severity: Severity::Error,
    summary: "`dependsOn` names a stage or job that does not exist in its scope",
    category: super::Category::Correctness,
    default_enabled: true,
    check: super::Check::Document(check),
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    // A template's stages and jobs join the caller's: its dependencies may name the caller's.
    if ctx.templates.included()
        || ctx.doc.root.as_ref().is_some_and(|r| {
            r.get("parameters").is_some()
                && r.get("trigger").is_none()
                && r.get("pr").is_none()
                && r.get("extends").is_none()
                && r.get("resources").is_none()
        })
    {
        return;
    }
    let Some(root) = &ctx.doc.root else { return };
    for scope in scopes(root) {
        if !scope.complete {
            continue; // names azplint can't see
        }
        let names: Vec<&str> = scope.items.iter().map(|i| i.name).collect();
        for item in &scope.items {
            for (dep, span) in &item.depends {
                if names.iter().any(|n| n.eq_ignore_ascii_case(dep)) {
                    continue;
                }
                let mut d = RULE
                    .diag(span.clone(), format!("{} `{}` depends on `{dep}`, which is not a {} here", scope.kind, item.name, scope.kind))
                    .note(format!("Azure Pipelines rejects the pipeline: a dependency must name a {} in the same scope", scope.kind));
                d = match crate::suggest::closest(dep, names.iter().copied()) {
                    Some(s) => d
                        .label(format!("did you mean `{s}`?"))
                        .help(format!("use `{s}`")),
                    None => {
                        let list = names
                            .iter()
                            .filter(|n| !n.eq_ignore_ascii_case(item.name))
                            .map(|n| format!("`{n}`"))
                            .collect::<Vec<_>>()
                            .join(", ");
                        d.label(format!("no {} named `{dep}`", scope.kind)).help(
                            if list.is_empty() {
                                "remove it".to_string()
                            } else {
                                format!("depend on one of {list}")
                            },
                        )
                    }
                };
                out.push(d);
            }
        }
    }
}

/// The finding for a `dependsOn` of the compiled pipeline (stages and jobs produced by templates
/// or loops) that names no sibling.
pub fn compiled(span: crate::yaml::Span, message: String) -> Diagnostic {
    RULE.diag(span, message)
        .label("no stage or job of this name once the pipeline is compiled")
        .help("depend on a name the compiled pipeline has (`azplint expand` shows them), or add the stage or job it names")
}
