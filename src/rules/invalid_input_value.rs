//! `invalid-input-value`: a pickList/radio value outside the input's documented options, or a
//! boolean input that is not `true`/`false`.
//!
//! A warning, not an error: Azure DevOps does not check either before the run. The task's own code
//! reads the value, and may run anyway (`Go@0` passes `command: vet` to `go`; a boolean that is
//! not `true` counts as false).

use super::{Context, Rule};
use crate::diagnostic::{Diagnostic, Fix, Severity};
use crate::pipeline::inputs::{is_visible, Truth};
use crate::pipeline::Resolution;
use crate::yaml::is_expression;

pub static RULE: Rule = Rule {
    id: "invalid-input-value",
    severity: Severity::Warning,
    summary:
        "A task input has a value outside its documented options, or a boolean that is not true/false",
    category: super::Category::Correctness,
    default_enabled: true,
    check: super::Check::Document(check),
};

fn list(options: &[crate::catalog::Text]) -> String {
    let mut shown: Vec<String> = options.iter().take(10).map(|o| format!("`{o}`")).collect();
    if options.len() > 10 {
        shown.push(format!("and {} more", options.len() - 10));
    }
    shown.join(", ")
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for step in &ctx.model.task_steps {
        let Resolution::Builtin(task) = &step.resolution else {
            continue;
        };
        let reference = format!("{}@{}", task.name, task.major);
        for entry in step.input_entries() {
            let Some(key) = entry.key.as_str() else {
                continue;
            };
            let Some(input) = task.input(key) else {
                continue;
            };
            let Some(raw) = entry.value.as_str() else {
                continue;
            };
            if entry.value.is_null() || is_expression(raw) {
                continue;
            }
            // A hidden input (by its `visibleRule`) is not read by the task: its value is harmless.
            if is_visible(step, task, input) == Truth::False {
                continue;
            }
            let value = raw.trim();
            if value.is_empty() {
                continue; // an empty value is missing-required-input's concern
            }
            let kind: &str = &input.kind;
            if kind == "boolean" {
                if value.eq_ignore_ascii_case("true") || value.eq_ignore_ascii_case("false") {
                    continue;
                }
                let mut d = RULE.diag(
                        entry.value.span.clone(),
                        format!("`{key}` of `{reference}` is a boolean, but its value is `{value}`"),
                    )
                    .label("not `true` or `false`")
                    .help(format!("write `{key}: true` or `{key}: false`"))
                    .note("tasks read a boolean input as true only when it is `true` (in any case); anything else, `yes` and `on` included, counts as false");
                if let Some((meant, edit)) = boolean_meant(value).and_then(|m| {
                    super::shared::fixes::replace_scalar(&ctx.source.text, &entry.value, m)
                        .map(|e| (m, e))
                }) {
                    // The task reads `no` as false already: writing `false` keeps what it does.
                    d = d.fix(if meant == "false" {
                        Fix::safe(format!("write `{meant}`"), vec![edit])
                    } else {
                        Fix::unsafe_(
                            format!("write `{meant}` (the task reads `{value}` as false today)"),
                            vec![edit],
                        )
                    });
                }
                out.push(d);
                continue;
            }
            if !(kind == "picklist" || kind == "radio")
                || input.options.is_empty()
                || input.editable_options
            {
                continue;
            }
            let allowed = |v: &str| {
                input
                    .options
                    .iter()
                    .any(|o| o.trim().eq_ignore_ascii_case(v))
            };
            let bad: Vec<&str> = if input.multi_select {
                value
                    .split(',')
                    .map(str::trim)
                    .filter(|v| !v.is_empty() && !allowed(v))
                    .collect()
            } else if allowed(value) {
                Vec::new()
            } else {
                vec![value]
            };
            let Some(first) = bad.first() else { continue };
            let mut d = RULE
                .diag(
                    entry.value.span.clone(),
                    format!("`{first}` is not one of the documented values of `{key}` of `{reference}`; the task may reject it"),
                )
                .note("Azure DevOps does not check pick-list values before the run: the task reads the value itself, and may fail, fall back to another mode, or use it as it is");
            match crate::suggest::closest(first, input.options.iter().map(|o| o.trim())) {
                Some(s) => {
                    d = d
                        .label(format!("did you mean `{s}`?"))
                        .help(format!("use `{s}`; valid values: {}", list(&input.options)));
                    if !input.multi_select {
                        if let Some(edit) =
                            super::shared::fixes::replace_scalar(&ctx.source.text, &entry.value, s)
                        {
                            d = d.fix(Fix::unsafe_(format!("use `{s}`"), vec![edit]));
                        }
                    }
                }
                None => {
                    d = d
                        .label("not one of the options")
                        .help(format!("use one of {}", list(&input.options)))
                }
            }
            out.push(d);
        }
    }
}

/// The boolean a YAML 1.1 or shell habit means (`yes`, `on`, `1` for `true`; `no`, `off`, `0` for
/// `false`), or `None` when the value isn't one of them.
fn boolean_meant(value: &str) -> Option<&'static str> {
    match value.to_ascii_lowercase().as_str() {
        "yes" | "y" | "on" | "1" => Some("true"),
        "no" | "n" | "off" | "0" => Some("false"),
        _ => None,
    }
}
