//! `invalid-value`: a value of the wrong shape (a list where a mapping belongs, ...), outside an
//! allowed list, or a malformed boolean or number.

use super::{Context, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::structure::validate::Problem;

pub static RULE: Rule = Rule {
    id: "invalid-value",
    severity: Severity::Error,
    summary: "A value has the wrong shape, or is outside the allowed values",
    category: super::Category::Correctness,
    default_enabled: true,
    check: super::Check::Document(check),
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for p in ctx.structure() {
        let Problem::InvalidValue {
            span,
            message,
            help,
        } = p
        else {
            continue;
        };
        let mut d = RULE
            .diag(span.clone(), message.clone())
            .label("invalid value")
            .help(help.clone())
            .note("Azure Pipelines rejects the pipeline before it runs");
        if ctx.templates.handed(span.start) {
            // A template azplint can't read receives this value first and may rewrite it.
            d.severity = Severity::Warning;
            d.note = Some("this content is handed to a template azplint can't read, which may rewrite the value before the server sees it; if it passes it through, Azure Pipelines rejects the pipeline".into());
        }
        out.push(d);
    }
}
