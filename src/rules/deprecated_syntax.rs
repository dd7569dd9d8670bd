//! `deprecated-syntax`: legacy keys such as `phases`, `phase` and `queue`.

use super::{Context, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::structure::validate::Problem;

pub static RULE: Rule = Rule {
    id: "deprecated-syntax",
    severity: Severity::Warning,
    summary: "A legacy key (`phases`, `phase`, `queue`, ...) that has a current replacement",
    category: super::Category::Correctness,
    default_enabled: true,
    check: super::Check::Document(check),
};

/// The current spelling of a legacy key.
fn replacement(key: &str) -> Option<&'static str> {
    Some(match key {
        "phases" => "jobs",
        "phase" => "job",
        "queue" => "pool",
        "server" => "pool: server",
        "upload" => "publish",
        _ => return None,
    })
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for p in ctx.structure() {
        let Problem::Deprecated { span, key, message } = p else {
            continue;
        };
        let mut d = RULE
            .diag(span.clone(), format!("`{key}` is deprecated"))
            .label("legacy syntax")
            .note(format!("the schema says: {message}"));
        d = match replacement(key) {
            Some(r) => d.help(format!("use `{r}` instead")),
            None => d.help("move to the current syntax described in the YAML schema reference"),
        };
        out.push(d);
    }
}
