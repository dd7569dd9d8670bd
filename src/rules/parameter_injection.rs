//! `parameter-injection`: a free-text runtime parameter of the pipeline spliced into a script's
//! code with `${{ parameters.x }}`, in the pipeline itself or in a template it passes the
//! parameter to.

use super::shared::taint::{env_form, env_name, sinks, value_references};
use super::{Context, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::pipeline::params::{declared, Declared};
use crate::yaml::Node;

pub static RULE: Rule = Rule {
    id: "parameter-injection",
    severity: Severity::Warning,
    summary:
        "A free-text runtime parameter is spliced into a script's code with `${{ parameters.x }}`",
    category: super::Category::Security,
    default_enabled: true,
    check: super::Check::Document(check),
};

/// Root keys only an entry pipeline has (a template can't; an `extends` template may itself have
/// `extends:`, `pool:` or `resources:`, so those don't tell).
const ENTRY_KEYS: &[&str] = &["trigger", "pr", "schedules", "name"];

/// The free-text runtime parameters of an entry pipeline: type `string`, no `values:`.
fn free_parameters(root: &Node) -> Vec<&str> {
    if !ENTRY_KEYS.iter().any(|k| root.get(k).is_some()) {
        return Vec::new();
    }
    let Declared::Typed(params) = declared(Some(root)) else {
        return Vec::new();
    };
    params
        .iter()
        .filter(|p| p.ty.trim().eq_ignore_ascii_case("string") && p.values.is_none())
        .map(|p| p.name)
        .collect()
}

/// The parameters whose text reaches the value of the `${{ }}` expressions of `text`:
/// `(range of the expression, parameter name)`.
fn spliced(text: &str) -> Vec<(std::ops::Range<usize>, String)> {
    let mut out = Vec::new();
    for e in crate::expr::find_template_expressions(text) {
        if !e.closed || super::shared::taint::in_comment(text, e.range.start) {
            continue;
        }
        let Ok(parsed) = crate::expr::parse(&text[e.inner()]) else {
            continue;
        };
        for (root, name) in value_references(&parsed) {
            if root.eq_ignore_ascii_case("parameters") && !name.contains('.') {
                out.push((e.range.clone(), name));
            }
        }
    }
    out
}

/// Where a template's parameter `name` is given a free runtime parameter of an entry pipeline:
/// `(where, that parameter)` for the first such call.
fn passed_through(ctx: &Context, name: &str) -> Option<(String, String)> {
    for (at, file, included, text) in ctx.templates.caller_files(name) {
        let Some(text) = text else { continue };
        if included {
            continue;
        }
        let Some((_, doc)) = ctx.templates.template(file) else {
            continue;
        };
        let Some(root) = &doc.root else { continue };
        let free = free_parameters(root);
        for (_, p) in spliced(&text) {
            if let Some(f) = free.iter().find(|f| f.eq_ignore_ascii_case(&p)) {
                return Some((at, f.to_string()));
            }
        }
    }
    None
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let Some(root) = &ctx.doc.root else { return };
    let included = ctx.templates.included();
    let free = if included {
        Vec::new()
    } else {
        free_parameters(root)
    };
    if !included && free.is_empty() {
        return;
    }
    for sink in sinks(ctx, true) {
        let (text, base) = sink.text(ctx);
        let mut last = None;
        for (range, name) in spliced(text) {
            if last == Some(range.start) {
                continue;
            }
            let (what, label, param) = if included {
                match passed_through(ctx, &name) {
                    Some((at, p)) => (
                        format!(
                            "parameter `{name}`, given runtime parameter `{p}` of the pipeline at {at}, is spliced into the code of {}",
                            sink.what
                        ),
                        format!("free text from whoever queues the run (through `{p}`)"),
                        p,
                    ),
                    None => continue,
                }
            } else {
                match free.iter().find(|f| f.eq_ignore_ascii_case(&name)) {
                    Some(p) => (
                        format!(
                            "runtime parameter `{p}` is spliced into the code of {}",
                            sink.what
                        ),
                        "free text from whoever queues the run".to_string(),
                        p.to_string(),
                    ),
                    None => continue,
                }
            };
            last = Some(range.start);
            let shown = &text[range.clone()];
            let var = env_name(&name);
            out.push(
                RULE.diag(base + range.start..base + range.end, what)
                    .label(label)
                    .help(format!(
                        "declare the accepted `values:` of runtime parameter `{param}`, or map it in the step's `env:` (`{var}: {shown}`) and {}",
                        env_form(&sink.shell, &var)
                    ))
                    .note("anyone who can queue this pipeline types the parameter's value, and the template expression pastes it into the script before the shell parses it: quotes, `;` or `$(...)` in it become code"),
            );
        }
    }
}
