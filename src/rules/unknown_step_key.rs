//! `unknown-step-key`: a key that a step of that kind does not accept.

use super::{Context, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::pipeline::{for_each_entry, Resolution};
use crate::yaml::is_expression;

pub static RULE: Rule = Rule {
    id: "unknown-step-key",
    severity: Severity::Error,
    summary: "A step has a key that its kind of step does not accept",
    category: super::Category::Correctness,
    default_enabled: true,
    check: super::Check::Document(check),
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for step in &ctx.model.steps {
        let kind = step.kind;
        // The step's task, looked up only once a key is unknown (most steps have none).
        let task = || {
            ctx.model
                .task_steps
                .iter()
                .find(|t| std::ptr::eq(t.step, step.node))
                .and_then(|t| match &t.resolution {
                    Resolution::Builtin(task) => Some(*task),
                    _ => None,
                })
        };
        for_each_entry(step.node, 0, &mut |e| {
            let Some(key) = e.key.as_str() else { return };
            if is_expression(key) || kind.keys.iter().any(|k| k == key) {
                return;
            }
            let task = task();
            let what = if kind.kind == "template" {
                "a template reference".to_string()
            } else {
                format!("a `{}` step", kind.kind)
            };
            let mut d = RULE
                .diag(e.key.span.clone(), format!("`{key}` is not a valid key for {what}"))
                .note(format!("Azure Pipelines rejects the pipeline before it runs: `Unexpected value '{key}'`"));
            if let Some(input) = task.and_then(|t| t.input(key)) {
                let t = task.expect("checked above");
                d = d
                    .label(format!("an input of `{}@{}`", t.name, t.major))
                    .help(format!(
                        "move `{key}` under `inputs:`{}",
                        if input.name != key && !input.aliases.iter().any(|a| a == key) {
                            format!(" (as `{}`)", super::unknown_task_input::usual_name(input))
                        } else {
                            String::new()
                        }
                    ));
            } else if let Some(s) =
                crate::suggest::closest(key, kind.keys.iter().map(String::as_str))
            {
                d = d
                    .label(format!("did you mean `{s}`?"))
                    .help(format!("rename it to `{s}`"));
            } else {
                let keys = kind
                    .keys
                    .iter()
                    .map(|k| format!("`{k}`"))
                    .collect::<Vec<_>>()
                    .join(", ");
                d = d
                    .label("unknown key")
                    .help(format!("remove it; {what} accepts {keys}"));
            }
            out.push(d);
        });
    }
}
