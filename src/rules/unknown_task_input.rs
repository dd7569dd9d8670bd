//! `unknown-task-input`: an input that is neither the name nor an alias of any input of the task.

use super::{Context, Rule};
use crate::catalog::TaskVersion;
use crate::diagnostic::{Diagnostic, Fix, Severity};
use crate::pipeline::Resolution;

pub static RULE: Rule = Rule {
    id: "unknown-task-input",
    severity: Severity::Warning,
    summary: "A task input is not an input of that task version, so Azure ignores it",
    category: super::Category::Correctness,
    default_enabled: true,
    check: super::Check::Document(check),
};

/// The name users write for an input: its first alias when it has one, else its name.
pub fn usual_name(input: &crate::catalog::Input) -> &str {
    input.aliases.first().map_or(&*input.name, |a| &**a)
}

/// The closest input name or alias to `key`, shown as written in the catalog.
fn suggestion<'t>(task: &'t TaskVersion, key: &str) -> Option<&'t str> {
    let candidates = task
        .inputs
        .iter()
        .flat_map(|i| i.aliases.iter().map(|a| &**a).chain([&*i.name]));
    crate::suggest::closest(key, candidates)
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for step in &ctx.model.task_steps {
        let Resolution::Builtin(task) = &step.resolution else {
            continue;
        };
        for entry in step.input_entries() {
            let Some(key) = entry.key.as_str() else {
                continue;
            };
            if task.input(key).is_some() {
                continue;
            }
            let reference = format!("{}@{}", task.name, task.major);
            let mut d = RULE
                .diag(
                    entry.key.span.clone(),
                    format!("`{key}` is not an input of `{reference}`"),
                )
                .note("Azure Pipelines ignores inputs a task doesn't know, so the task silently runs with its default");
            let step_kind = crate::pipeline::step_kind("task");
            if step_kind.is_some_and(|k| k.keys.iter().any(|s| s == key) && key != "inputs") {
                d = d.label("a step key, not an input").help(format!(
                    "`{key}` belongs to the step: move it out of `inputs:`, next to `task:`"
                ));
                if let Some(fix) =
                    super::shared::fixes::move_out_of_inputs(&ctx.source.text, step, entry)
                {
                    d = d.fix(fix);
                }
            } else if let Some(s) = suggestion(task, key) {
                d = d
                    .label(format!("did you mean `{s}`?"))
                    .help(format!("rename it to `{s}`"));
                if let Some(edit) =
                    super::shared::fixes::rename_key(&ctx.source.text, &entry.key, s)
                {
                    d = d.fix(Fix::unsafe_(format!("rename it to `{s}`"), vec![edit]));
                }
            } else {
                let mut names: Vec<&str> = task.inputs.iter().map(usual_name).collect();
                let more = names.len().saturating_sub(12);
                names.truncate(12);
                let mut list = names
                    .iter()
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ");
                if more > 0 {
                    list.push_str(&format!(" and {more} more"));
                }
                d = d.label("unknown input").help(format!(
                    "remove it, or use one of the inputs of `{reference}`: {list}"
                ));
            }
            out.push(d);
        }
    }
}
