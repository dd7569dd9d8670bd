//! `duplicate-input`: the same input given twice, through its name and an alias (or two aliases,
//! or two spellings that differ in case).

use super::{Context, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::pipeline::Resolution;

pub static RULE: Rule = Rule {
    id: "duplicate-input",
    severity: Severity::Warning,
    summary: "A task input is given twice, through its name and an alias",
    category: super::Category::Correctness,
    default_enabled: true,
    check: super::Check::Document(check),
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for step in &ctx.model.task_steps {
        let Resolution::Builtin(task) = &step.resolution else {
            continue;
        };
        let mut groups = Vec::new();
        for inputs in &step.inputs {
            crate::pipeline::walk::for_each_block(inputs, &mut |g| groups.push(g));
        }
        for group in groups {
            for (i, later) in group.iter().enumerate() {
                let later_key = later.key.as_str().unwrap_or("");
                let Some(input) = task.input(later_key) else {
                    continue;
                };
                let first = group[..i].iter().find(|e| {
                    let k = e.key.as_str().unwrap_or("");
                    // The very same key twice is a duplicate YAML key, not an alias clash.
                    k != later_key
                        && task
                            .input(k)
                            .is_some_and(|other| std::ptr::eq(other, input))
                });
                let Some(first) = first else { continue };
                let first_key = first.key.as_str().unwrap_or("");
                out.push(
                    RULE.diag(
                        later.key.span.clone(),
                        format!(
                            "input `{}` of `{}@{}` is given twice, as `{first_key}` and `{later_key}`",
                            super::unknown_task_input::usual_name(input),
                            task.name,
                            task.major
                        ),
                    )
                    .label("given again here")
                    .with_label(first.key.span.clone(), "first given here")
                    .help(format!("keep one of `{first_key}` and `{later_key}`"))
                    .note("both names set the same input, and only one of the values is used"),
                );
            }
        }
    }
}
