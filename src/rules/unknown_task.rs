//! `unknown-task`: a task name that is not built in but is close to a built-in name (a typo).

use super::{Context, Rule};
use crate::diagnostic::{Diagnostic, Fix, Severity};
use crate::pipeline::{NameKind, ParsedRef, Resolution};

pub static RULE: Rule = Rule {
    id: "unknown-task",
    severity: Severity::Warning,
    summary: "A task name is not built in but is close to a built-in task name",
    category: super::Category::Correctness,
    default_enabled: true,
    check: super::Check::Document(check),
};

/// The built-in name `parsed` is probably a typo of: at most two edits away (one for names of 4-6
/// characters), and not the built-in name with a whole word added (`AWSShellScript` is an
/// extension task, not a misspelt `ShellScript`).
pub(super) fn typo_of(parsed: &ParsedRef) -> Option<&'static str> {
    if parsed.kind != NameKind::Name {
        return None;
    }
    // unknown-task and extension-task both ask, for the same names: remember the answers.
    static SEEN: std::sync::Mutex<Option<std::collections::HashMap<String, Option<&'static str>>>> =
        std::sync::Mutex::new(None);
    if let Some(hit) = SEEN
        .lock()
        .ok()
        .and_then(|m| m.as_ref()?.get(parsed.name).copied())
    {
        return hit;
    }
    let found = crate::suggest::closest_name(parsed.name, crate::catalog::catalog().names());
    if let Ok(mut m) = SEEN.lock() {
        m.get_or_insert_with(Default::default)
            .insert(parsed.name.to_string(), found);
    }
    found
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let cat = crate::catalog::catalog();
    for step in &ctx.model.task_steps {
        let Resolution::NotBuiltin(parsed) = &step.resolution else {
            continue;
        };
        let Some(suggestion) = typo_of(parsed) else {
            continue;
        };
        let major = if cat.by_name(suggestion, parsed.major).is_some() {
            parsed.major
        } else {
            cat.recommended_major(suggestion).unwrap_or(parsed.major)
        };
        let mut d = RULE.diag(
                step.task.value.span.clone(),
                format!("`{}` is not a built-in task", parsed.name),
            )
            .label(format!("did you mean `{suggestion}`?"))
            .help(format!("if you meant the built-in task, write `task: {suggestion}@{major}`"))
            .note("a task that no installed extension provides fails the run before it starts; if this is a private or extension task, ignore this warning");
        let new = format!("{suggestion}@{major}");
        if let Some(edit) = super::shared::fixes::task_reference(&ctx.source.text, step, &new) {
            d = d.fix(Fix::unsafe_(format!("use `{new}`"), vec![edit]));
        }
        out.push(d);
    }
}
