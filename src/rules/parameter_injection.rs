//! `parameter-injection`: a free-text runtime parameter of the pipeline spliced into a script's
//! code with `${{ parameters.x }}`.

use super::shared::taint::{env_form, env_name, sinks, value_references};
use super::{Context, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::pipeline::params::{declared, Declared};

pub static RULE: Rule = Rule {
    id: "parameter-injection",
    severity: Severity::Warning,
    summary:
        "A free-text runtime parameter is spliced into a script's code with `${{ parameters.x }}`",
    category: super::Category::Security,
    check: super::Check::Document(check),
};

/// Root keys only an entry pipeline has (a template can't; an `extends` template may itself have
/// `extends:`, `pool:` or `resources:`, so those don't tell).
const ENTRY_KEYS: &[&str] = &["trigger", "pr", "schedules", "name"];

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    if ctx.templates.included() {
        return;
    }
    let Some(root) = &ctx.doc.root else { return };
    if !ENTRY_KEYS.iter().any(|k| root.get(k).is_some()) {
        return;
    }
    let Declared::Typed(params) = declared(Some(root)) else {
        return;
    };
    let free: Vec<&str> = params
        .iter()
        .filter(|p| p.ty.trim().eq_ignore_ascii_case("string") && p.values.is_none())
        .map(|p| p.name)
        .collect();
    if free.is_empty() {
        return;
    }
    for sink in sinks(ctx, true) {
        let (text, base) = sink.text(ctx);
        for e in crate::expr::find_template_expressions(text) {
            if !e.closed || super::shared::taint::in_comment(text, e.range.start) {
                continue;
            }
            let Ok(parsed) = crate::expr::parse(&text[e.inner()]) else {
                continue;
            };
            let Some(name) = value_references(&parsed)
                .into_iter()
                .filter(|(r, _)| r.eq_ignore_ascii_case("parameters"))
                .find_map(|(_, n)| free.iter().find(|f| f.eq_ignore_ascii_case(&n)).copied())
            else {
                continue;
            };
            let shown = &text[e.range.clone()];
            let var = env_name(name);
            out.push(
                RULE.diag(
                    base + e.range.start..base + e.range.end,
                    format!("runtime parameter `{name}` is spliced into the code of {}", sink.what),
                )
                .label("free text from whoever queues the run")
                .help(format!(
                    "declare the accepted `values:` of `{name}`, or map it in the step's `env:` (`{var}: {shown}`) and {}",
                    env_form(&sink.shell, &var)
                ))
                .note("anyone who can queue this pipeline types the parameter's value, and the template expression pastes it into the script before the shell parses it: quotes, `;` or `$(...)` in it become code"),
            );
        }
    }
}
