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
        if let Some(fix) = ctx
            .doc
            .root
            .as_ref()
            .and_then(|root| entry_at(root, span.start))
            .and_then(|entry| rename(&ctx.source.text, key, entry))
        {
            d = d.fix(fix);
        }
        out.push(d);
    }
}

/// The entry whose key starts at byte `at`.
fn entry_at(node: &crate::yaml::Node, at: usize) -> Option<&crate::yaml::Entry> {
    use crate::yaml::NodeKind;
    if at < node.span.start || at > node.span.end {
        return None;
    }
    match &node.kind {
        NodeKind::Map(entries) => entries.iter().find_map(|e| {
            if e.key.span.start == at {
                Some(e)
            } else {
                entry_at(&e.value, at)
            }
        }),
        NodeKind::Seq(items) => items.iter().find_map(|i| entry_at(i, at)),
        _ => None,
    }
}

/// The rename of a legacy key whose shape maps one to one on the current one: `phases` to
/// `jobs`, `phase` to `job` (the other keys of a phase are keys of a job; `queue` and `server`
/// are reported on their own), `queue` to `pool` when it names a pool and its demands only
/// (`parallel` and `matrix` under `queue` belong under `strategy:` now, by hand).
fn rename(text: &str, key: &str, entry: &crate::yaml::Entry) -> Option<crate::diagnostic::Fix> {
    let new = match key {
        "phases" => "jobs",
        "phase" => "job",
        "queue" => {
            let simple = entry.value.as_str().is_some()
                || entry.value.as_map().is_some_and(|m| {
                    m.iter().all(|e| {
                        e.key
                            .as_str()
                            .is_some_and(|k| matches!(k, "name" | "demands"))
                    })
                });
            if !simple {
                return None;
            }
            "pool"
        }
        _ => return None,
    };
    let edit = super::shared::fixes::rename_key(text, &entry.key, new)?;
    Some(crate::diagnostic::Fix::unsafe_(
        format!("rename `{key}` to `{new}`"),
        vec![edit],
    ))
}
