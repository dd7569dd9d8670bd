//! `deprecated-task`: the task version is deprecated.

use super::{Context, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::pipeline::Resolution;

pub static RULE: Rule = Rule {
    id: "deprecated-task",
    severity: Severity::Warning,
    summary: "A task version is deprecated and may be removed",
    category: super::Category::Correctness,
    default_enabled: true,
    check: super::Check::Document(check),
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let cat = crate::catalog::catalog();
    for step in &ctx.model.task_steps {
        let Resolution::Builtin(task) = &step.resolution else {
            continue;
        };
        if !task.deprecated {
            continue;
        }
        let mut message = format!("`{}@{}` is deprecated", task.name, task.major);
        if let Some(date) = &task.removal_date {
            message.push_str(&format!(" and is removed from Azure Pipelines on {date}"));
        }
        let rec = cat
            .recommended_major(&task.name)
            .filter(|&m| m != task.major)
            .filter(|&m| cat.by_name(&task.name, m).is_some_and(|t| !t.deprecated));
        let help = match rec {
            Some(m) => format!("move to `{}@{m}`; check its inputs, which can differ between major versions", task.name),
            None => "replace this task with a maintained one, or with a script step that does the same work".to_string(),
        };
        let mut d = RULE
            .diag(step.task.value.span.clone(), message)
            .label("deprecated task version")
            .help(help);
        // Only forward: a deprecated major whose catalog recommends an older one is left to a
        // person.
        if let Some(fix) = rec
            .filter(|&m| m > task.major)
            .and_then(|m| cat.by_name(&task.name, m))
            .and_then(|t| super::shared::fixes::retarget_task(&ctx.source.text, step, t))
        {
            d = d.fix(fix);
        }
        if let Some(msg) = task
            .deprecation_message
            .as_deref()
            .filter(|m| !m.trim().is_empty())
        {
            d = d.note(format!("the task says: {}", msg.trim()));
        }
        out.push(d);
    }
}
