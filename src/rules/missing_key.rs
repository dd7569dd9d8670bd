//! `missing-key`: a key the server requires is absent (a deployment's `environment`, a step's kind).

use super::{Context, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::structure::validate::Problem;

pub static RULE: Rule = Rule {
    id: "missing-key",
    severity: Severity::Error,
    summary: "A key that the server requires is missing",
    category: super::Category::Correctness,
    default_enabled: true,
    check: super::Check::Document(check),
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for p in ctx.structure() {
        let Problem::MissingKey {
            span,
            keys,
            place,
            suggestion,
        } = p
        else {
            continue;
        };
        // A template azplint can't read receives this content and may add what is missing.
        if ctx.templates.handed(span.start) {
            continue;
        }
        let list = keys
            .iter()
            .map(|k| format!("`{k}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let (message, label) = if keys.len() == 1 {
            (
                format!("{place} needs `{}`", keys[0]),
                format!("`{}` missing", keys[0]),
            )
        } else {
            (
                format!("{place} needs one of {list}"),
                "no key says what this is".to_string(),
            )
        };
        let mut d = RULE
            .diag(span.clone(), message)
            .label(label)
            .note("Azure Pipelines rejects the pipeline before it runs");
        d = match suggestion {
            Some(s) => d.help(format!("did you mean `{s}`?")),
            None if keys.len() == 1 => d.help(format!("add `{}:`", keys[0])),
            None => d.help(format!("start it with one of {list}")),
        };
        out.push(d);
    }
}
