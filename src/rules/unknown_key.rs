//! `unknown-key`: a key that is not allowed where it stands (the server says "Unexpected value").

use super::{Context, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::structure::validate::Problem;

pub static RULE: Rule = Rule {
    id: "unknown-key",
    severity: Severity::Error,
    summary: "A key is not allowed where it stands",
    category: super::Category::Correctness,
    default_enabled: true,
    check: super::Check::Document(check),
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for p in ctx.structure() {
        let Problem::UnknownKey {
            span,
            key,
            place,
            allowed,
        } = p
        else {
            continue;
        };
        if ctx.templates.handed(span.start) {
            // A template azplint can't read receives this content and may read and strip keys the
            // server never sees; only a near-typo of a key valid here is worth a warning, since
            // such templates pass the keys they don't know through to the server.
            if let Some(s) = crate::suggest::closest(key, allowed.iter().map(String::as_str)) {
                let mut d = RULE
                    .diag(span.clone(), format!("`{key}` is probably a misspelling of `{s}`"))
                    .label(format!("did you mean `{s}`?"))
                    .help(format!("rename it to `{s}`"))
                    .note(format!("this content is handed to a template azplint can't read; such templates pass keys they don't use through to the server, which rejects `{key}` in {place}: `Unexpected value '{key}'`"));
                d.severity = Severity::Warning;
                out.push(d);
            }
            continue;
        }
        let mut d = RULE
            .diag(
                span.clone(),
                format!("`{key}` is not a valid key in {place}"),
            )
            .note(format!(
                "Azure Pipelines rejects the pipeline before it runs: `Unexpected value '{key}'`"
            ));
        d = match crate::suggest::closest(key, allowed.iter().map(String::as_str)) {
            Some(s) => d
                .label(format!("did you mean `{s}`?"))
                .help(format!("rename it to `{s}`")),
            None => {
                let list = allowed
                    .iter()
                    .map(|a| format!("`{a}`"))
                    .collect::<Vec<_>>()
                    .join(", ");
                d.label("unexpected key").help(if list.is_empty() {
                    "remove it".to_string()
                } else {
                    format!("remove it, or move it where it belongs; {place} accepts {list}")
                })
            }
        };
        out.push(d);
    }
}
