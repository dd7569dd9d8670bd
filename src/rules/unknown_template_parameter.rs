//! `unknown-template-parameter`: a parameter passed that the template (typed form) doesn't declare.

use super::{shared::template_params::calls, Context, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::pipeline::params::Declared;

pub static RULE: Rule = Rule {
    id: "unknown-template-parameter",
    severity: Severity::Error,
    summary: "A template is passed a parameter it does not declare",
    category: super::Category::Correctness,
    default_enabled: true,
    check: super::Check::Document(check),
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for call in calls(ctx) {
        let Declared::Typed(params) = &call.declared else {
            continue; // legacy mapping form or unknown: Azure accepts any parameter
        };
        for e in &call.passed {
            let Some(key) = e.key.as_str() else { continue };
            if call.declared.get(key).is_some() {
                continue;
            }
            let names: Vec<&str> = params.iter().map(|p| p.name).collect();
            let mut d = RULE
                .diag(
                    e.key.span.clone(),
                    format!("template `{}` has no parameter `{key}`", call.template),
                )
                .note(format!(
                    "Azure Pipelines rejects the pipeline: `Unexpected parameter '{key}'`"
                ));
            d = match crate::suggest::closest(key, names.iter().copied()) {
                Some(s) => {
                    let d = d
                        .label(format!("did you mean `{s}`?"))
                        .help(format!("rename it to `{s}`"));
                    // Only when the call doesn't pass that parameter already.
                    match super::shared::fixes::rename_key(&ctx.source.text, &e.key, s)
                        .filter(|_| !call.passed.iter().any(|p| p.key.as_str() == Some(s)))
                    {
                        Some(edit) => d.fix(crate::diagnostic::Fix::unsafe_(
                            format!("rename it to `{s}`"),
                            vec![edit],
                        )),
                        None => d,
                    }
                }
                None if names.is_empty() => d.label("not declared").help(format!(
                    "remove it: `{}` declares no parameters",
                    call.template
                )),
                None => {
                    let list = names
                        .iter()
                        .take(15)
                        .map(|n| format!("`{n}`"))
                        .collect::<Vec<_>>()
                        .join(", ");
                    d.label("not declared").help(format!(
                        "remove it, or declare it in `{}`; declared: {list}{}",
                        call.template,
                        if names.len() > 15 { ", ..." } else { "" }
                    ))
                }
            };
            out.push(d);
        }
    }
}

/// The finding for a parameter a template is passed in the compiled pipeline (by a loop, an
/// `insert` or a computed name) that it doesn't declare.
pub fn compiled(span: crate::yaml::Span, message: String) -> Diagnostic {
    RULE.diag(span, message)
        .label("passed once the pipeline is compiled")
        .help("pass only the parameters the template declares, or declare this one in the template")
}
