//! `missing-required-input`: a required input (shown by its `visibleRule`) that the step doesn't give.

use super::{Context, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::pipeline::inputs::{is_visible, Truth, Value};
use crate::pipeline::Resolution;

pub static RULE: Rule = Rule {
    id: "missing-required-input",
    severity: Severity::Error,
    summary: "A required task input is missing or empty",
    category: super::Category::Correctness,
    default_enabled: true,
    check: super::Check::Document(check),
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for step in &ctx.model.task_steps {
        let Resolution::Builtin(task) = &step.resolution else {
            continue;
        };
        if step.inputs_are_open() {
            continue; // inputs come from an expression: can't know what is given
        }
        let reference = format!("{}@{}", task.name, task.major);
        for input in task.inputs.iter() {
            if !input.required
                || input
                    .default
                    .as_deref()
                    .is_some_and(|d| !d.trim().is_empty())
            {
                continue;
            }
            let name = super::unknown_task_input::usual_name(input);
            let (span, message, label) = match step.value_of(input) {
                Value::Unknown => continue,
                Value::Literal(v) if !v.trim().is_empty() => continue,
                Value::Literal(_) => {
                    let entry = step
                        .input_entry(input)
                        .expect("a literal value has an entry");
                    (
                        entry.key.span.clone(),
                        format!("required input `{name}` of `{reference}` is empty"),
                        "empty value".to_string(),
                    )
                }
                Value::Default(_) => {
                    let at = step
                        .step
                        .entry("inputs")
                        .map_or(step.task.value.span.clone(), |e| e.key.span.clone());
                    (
                        at,
                        format!("`{reference}` is missing its required input `{name}`"),
                        format!("`{name}` is required here"),
                    )
                }
            };
            let span = if span.is_empty() {
                step.task.value.span.clone()
            } else {
                span
            };
            if is_visible(step, task, input) != Truth::True {
                continue;
            }
            let given = step.input_entry(input).is_some();
            let mut help = if given {
                format!("give `{name}` a value")
            } else {
                format!("add `{name}:` under `inputs:`")
            };
            if !input.options.is_empty() && input.options.len() <= 8 {
                help.push_str(&format!(
                    " (one of {})",
                    input
                        .options
                        .iter()
                        .map(|o| format!("`{o}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
            let mut d = RULE.diag(span, message).label(label).help(help);
            let why = format!(
                "the step fails when it starts, with `Input required: {}`",
                input.name
            );
            d = match &input.visible_rule {
                Some(rule) => d.note(format!(
                    "it is required because `{rule}` holds for this step (counting defaults); {why}"
                )),
                None => d.note(why),
            };
            out.push(d);
        }
    }
}
