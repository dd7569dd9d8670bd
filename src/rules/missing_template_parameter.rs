//! `missing-template-parameter`: a parameter declared without a default that the caller doesn't pass.

use super::{shared::template_params::calls, Context, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::pipeline::params::Declared;

pub static RULE: Rule = Rule {
    id: "missing-template-parameter",
    severity: Severity::Error,
    summary: "A template parameter without a default is not passed",
    category: super::Category::Correctness,
    default_enabled: true,
    check: super::Check::Document(check),
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for call in calls(ctx) {
        if call.open {
            continue;
        }
        let Declared::Typed(params) = &call.declared else {
            continue;
        };
        for p in params {
            if p.default.is_some() {
                continue;
            }
            if call.passed.iter().any(|e| {
                e.key
                    .as_str()
                    .is_some_and(|k| k.eq_ignore_ascii_case(p.name))
            }) {
                continue;
            }
            let at = call
                .reference
                .node
                .entry("parameters")
                .map_or(call.reference.entry.key.span.clone(), |e| {
                    e.key.span.clone()
                });
            let line = call.template_source.line_col(p.node.span.start).line;
            out.push(
                RULE.diag(at, format!("template `{}` needs parameter `{}`, which is not passed", call.template, p.name))
                    .label(format!("`{}` missing", p.name))
                    .help(format!("pass `{}:` under `parameters:`, or give it a `default:` in the template", p.name))
                    .note(format!(
                        "declared without a default at {}:{line} (type `{}`); Azure Pipelines rejects the pipeline when a required parameter is missing",
                        call.template_source.display, p.ty
                    )),
            );
        }
    }
}

/// The finding for a template that, in the compiled pipeline, gets no value for a parameter
/// without a default.
pub fn compiled(span: crate::yaml::Span, message: String) -> Diagnostic {
    RULE.diag(span, message)
        .label("no value for it once the pipeline is compiled")
        .help("pass the parameter here, or give it a `default:` in the template")
}
