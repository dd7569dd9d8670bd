//! `extension-task`: a task that is not built in (a Marketplace extension or a private task).

use super::{Context, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::pipeline::{NameKind, Resolution};

pub static RULE: Rule = Rule {
    id: "extension-task",
    severity: Severity::Note,
    summary: "A task comes from an extension or a private collection, so azplint can't check it",
    category: super::Category::Correctness,
    default_enabled: true,
    check: super::Check::Document(check),
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for step in &ctx.model.task_steps {
        let Resolution::NotBuiltin(parsed) = &step.resolution else {
            continue;
        };
        if super::unknown_task::typo_of(parsed).is_some() {
            continue; // reported by unknown-task
        }
        let what = match parsed.kind {
            NameKind::Extension => "a Marketplace extension task",
            NameKind::Guid => "a task GUID that is not built in",
            NameKind::Name => "not a built-in task",
        };
        out.push(
            RULE.diag(
                step.task.value.span.clone(),
                format!("`{}` is {what}; its inputs and workload identity support are not checked", step.reference().trim()),
            )
            .label("not in the built-in task catalog")
            .help("make sure the extension is installed in the organization; azplint checks built-in tasks only")
            .note("extension tasks may not support workload identity federation service connections"),
        );
    }
}
