//! `unknown-task-version`: a built-in task with a major version that does not exist.

use super::{Context, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::pipeline::{NameKind, Resolution};

pub static RULE: Rule = Rule {
    id: "unknown-task-version",
    severity: Severity::Error,
    summary: "A built-in task is referenced with a major version that does not exist",
    category: super::Category::Correctness,
    default_enabled: true,
    check: super::Check::Document(check),
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let cat = crate::catalog::catalog();
    for step in &ctx.model.task_steps {
        let Resolution::UnknownMajor { parsed, majors } = &step.resolution else {
            continue;
        };
        let list = majors
            .iter()
            .map(|m| format!("@{m}"))
            .collect::<Vec<_>>()
            .join(", ");
        // For a GUID, name the tasks behind it (one GUID can serve several names).
        let mut names: Vec<&str> = majors
            .iter()
            .filter_map(|&m| {
                cat.by_name(parsed.name, m)
                    .or_else(|| cat.by_id(parsed.name, m))
            })
            .map(|t| &*t.name)
            .collect();
        let mut seen = std::collections::HashSet::new();
        names.retain(|n| seen.insert(*n));
        let shown = match parsed.kind {
            NameKind::Guid => format!("{} ({})", parsed.name, names.join(", ")),
            _ => names.first().copied().unwrap_or(parsed.name).to_string(),
        };
        let mut d = RULE
            .diag(
                step.task.value.span.clone(),
                format!("task `{shown}` has no major version {}", parsed.major),
            )
            .label(format!("versions that exist: {list}"));
        if let Some(rec) = cat.recommended_major(parsed.name) {
            let name = cat
                .by_name(parsed.name, rec)
                .or_else(|| cat.by_id(parsed.name, rec))
                .map_or(parsed.name, |t| &*t.name);
            d = d.help(format!("use `{name}@{rec}`, the current major version"));
            if let Some(fix) = cat
                .by_name(parsed.name, rec)
                .or_else(|| cat.by_id(parsed.name, rec))
                .and_then(|t| super::shared::fixes::retarget_task(&ctx.source.text, step, t))
            {
                d = d.fix(fix);
            }
        }
        d = d.note(
            "Azure Pipelines fails the run before it starts when it can't find the task version",
        );
        out.push(d);
    }
}
