//! `invalid-template-parameter-value`: a literal that doesn't fit the declared type or `values:`.

use super::{shared::template_params::calls, Context, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::pipeline::params::{is_number, type_mismatch};
use crate::yaml::is_expression;

pub static RULE: Rule = Rule {
    id: "invalid-template-parameter-value",
    severity: Severity::Error,
    summary: "A template parameter value doesn't fit its declared type or allowed values",
    category: super::Category::Correctness,
    default_enabled: true,
    check: super::Check::Document(check),
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for call in calls(ctx) {
        for e in &call.passed {
            let Some(key) = e.key.as_str() else { continue };
            let Some(p) = call.declared.get(key) else {
                continue;
            };
            let line = call.template_source.line_col(p.node.span.start).line;
            let declared_at = format!("{}:{line}", call.template_source.display);
            if let Some(why) = type_mismatch(p.ty, &e.value) {
                out.push(
                    RULE.diag(e.value.span.clone(), format!("parameter `{}` of `{}` is a `{}`, but {why}", p.name, call.template, p.ty))
                        .label(format!("not a `{}`", p.ty))
                        .help(format!("pass a `{}` value", p.ty))
                        .note(format!("declared at {declared_at}; Azure Pipelines rejects the pipeline when a parameter value doesn't fit its type")),
                );
                continue;
            }
            let (Some(values), Some(v)) = (p.values, e.value.as_str()) else {
                continue;
            };
            if e.value.is_null() || is_expression(v) {
                continue;
            }
            let allowed: Vec<&str> = values.iter().filter_map(|n| n.as_str()).collect();
            if allowed.len() != values.len() || allowed.iter().any(|a| is_expression(a)) {
                continue; // values built from expressions
            }
            let same = |a: &str| {
                a.trim().eq_ignore_ascii_case(v.trim())
                    || (is_number(a)
                        && is_number(v)
                        && a.trim().parse::<f64>().ok() == v.trim().parse::<f64>().ok())
            };
            if allowed.iter().any(|a| same(a)) {
                continue;
            }
            let list = allowed
                .iter()
                .map(|a| format!("`{a}`"))
                .collect::<Vec<_>>()
                .join(", ");
            let mut d = RULE
                .diag(e.value.span.clone(), format!("`{}` is not an allowed value of parameter `{}` of `{}`", v.trim(), p.name, call.template))
                .note(format!("declared at {declared_at} with `values:` {list}; Azure Pipelines rejects any other value"));
            d = match crate::suggest::closest(v.trim(), allowed.iter().copied()) {
                Some(s) => d
                    .label(format!("did you mean `{s}`?"))
                    .help(format!("use `{s}`")),
                None => d
                    .label("not in `values:`")
                    .help(format!("use one of {list}")),
            };
            out.push(d);
        }
    }
}

/// The finding for a value a template gets in the compiled pipeline (computed by an expression,
/// a loop or a caller's parameter) that is not of its parameter's type or not in its `values:`.
pub fn compiled(span: crate::yaml::Span, message: String) -> Diagnostic {
    RULE.diag(span, message)
        .label("the value the template gets once the pipeline is compiled")
        .help("pass a value of the parameter's type (and one of its `values:`); `azplint expand` shows what each template gets")
}
