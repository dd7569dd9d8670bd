//! `task-reference-format`: a `task:` value that is not `Name@Major` or `Name@Major.Minor.Patch`.

use super::{Context, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::pipeline::{Malformed, Resolution};

pub static RULE: Rule = Rule {
    id: "task-reference-format",
    severity: Severity::Error,
    summary: "A task reference is not `Name@Major` or `Name@Major.Minor.Patch`",
    category: super::Category::Correctness,
    default_enabled: true,
    check: super::Check::Document(check),
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let cat = crate::catalog::catalog();
    for step in &ctx.model.task_steps {
        let Resolution::Malformed(m) = &step.resolution else {
            continue;
        };
        let span = step.task.value.span.clone();
        let written = step.reference();
        let d = match m {
            Malformed::Empty => RULE
                .diag(span, "the `task:` value is empty")
                .label("no task named here")
                .help("name the task and its major version, for example `task: Bash@3`"),
            Malformed::NoName => RULE
                .diag(
                    span,
                    format!("task reference `{written}` has no task name before `@`"),
                )
                .label("missing name")
                .help("write `Name@Major`, for example `task: Bash@3`"),
            Malformed::NoVersion { name } => {
                let help = match cat.recommended_major(name) {
                    Some(major) => format!("pin the major version: `task: {name}@{major}`"),
                    None => format!("add the task's major version: `task: {name}@<major>`"),
                };
                RULE.diag(span, format!("task reference `{written}` has no `@version`"))
                    .label("no version")
                    .help(help)
                    .note("Azure Pipelines needs the major version to pick the task; without it the run fails to start")
            }
            Malformed::BadVersion { name, version } => {
                let help = match cat.recommended_major(name) {
                    Some(major) => {
                        format!("use a major version, for example `task: {name}@{major}`")
                    }
                    None => {
                        format!("write the version as `N` or `N.N.N`, for example `task: {name}@1`")
                    }
                };
                RULE.diag(
                    span,
                    format!("task reference `{written}` has an invalid version `{version}`"),
                )
                .label("version must be `N` or `N.N.N`")
                .help(help)
            }
        };
        out.push(d);
    }
}
