//! `script-injection`: text someone else chose (a branch name, a commit message) expanded into the
//! code of a script by a `$(var)` macro or a template expression.

use super::shared::taint::{env_name, help, origin, sinks, Control, Env, Sink, Via};
use super::{Context, Rule};
use crate::diagnostic::{Diagnostic, Fix, Severity};

pub static RULE: Rule = Rule {
    id: "script-injection",
    severity: Severity::Warning,
    summary: "A branch name, commit message or other outside text is expanded into a script's code",
    category: super::Category::Security,
    default_enabled: true,
    check: super::Check::Document(check),
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    report(ctx, out, &RULE, true);
}

/// Shared with `argument-injection`: report every tainted reference in the file's sinks.
pub(super) fn report(ctx: &Context, out: &mut Vec<Diagnostic>, rule: &'static Rule, code: bool) {
    let mut env = Env::of(ctx);
    for sink in sinks(ctx, code) {
        let (text, base) = sink.text(ctx);
        let verbatim = std::cell::OnceCell::new();
        for hit in env.hits(text, code) {
            let shown = &text[hit.range.clone()];
            let mut d = rule
                .diag(
                    base + hit.range.start..base + hit.range.end,
                    if code {
                        format!("`{shown}` is expanded into the code of {}", sink.what)
                    } else {
                        format!("`{shown}` is expanded into the command line of {}", sink.what)
                    },
                )
                .label(format!(
                    "{} text, pasted in before the shell parses it",
                    match hit.taint.source.control {
                        Control::Arbitrary => "outside",
                        Control::Structured => "constrained outside",
                    }
                ))
                .help(help(&hit.taint, &sink.shell))
                .note(format!(
                    "{}; the agent replaces macros and template expressions in the text before it runs, so quotes, `;`, `$(...)` or a backtick in that text become code",
                    origin(&hit.taint)
                ));
            if hit.taint.source.control == Control::Structured {
                d.severity = Severity::Note;
            }
            let range = base + hit.range.start..base + hit.range.end;
            if code {
                let verbatim =
                    *verbatim.get_or_init(|| super::shared::fixes::takes_text_verbatim(text));
                if let Some(fix) = fix(ctx, &sink, range, shown, &hit.taint.via, verbatim) {
                    d = d.fix(fix);
                }
            } else {
                d = d.fix(Fix::display_only(
                    "read the value from the environment in the script instead of passing it as an argument (a task's argument input is not read by a shell: the script must change)",
                ));
            }
            out.push(d);
        }
    }
}

/// The environment form of a tainted reference in a bash or PowerShell script: a predefined or
/// user variable (which the agent puts in every step's environment) is read from there; a
/// template parameter is mapped in the step's `env:` first.
fn fix(
    ctx: &Context,
    sink: &Sink,
    range: std::ops::Range<usize>,
    shown: &str,
    via: &Via,
    verbatim: bool,
) -> Option<Fix> {
    let is_macro = shown.starts_with("$(") && shown.ends_with(')');
    let (var, mapping) = match via {
        Via::Direct | Via::Variable(_) if !is_macro => return None,
        Via::Direct => (env_name(&shown[2..shown.len() - 1]), None),
        Via::Variable(name) => (env_name(name), None),
        Via::Parameter { name, .. } => {
            // Only a plain reference: `${{ parameters.x }}`.
            let inner = shown.strip_prefix("${{")?.strip_suffix("}}")?.trim();
            let p = inner.strip_prefix("parameters.")?;
            if !p.eq_ignore_ascii_case(name) {
                return None;
            }
            (env_name(name), Some(shown))
        }
    };
    super::shared::fixes::read_from_environment(
        &ctx.source.text,
        sink.step,
        &sink.shell,
        range,
        &var,
        mapping,
        verbatim,
    )
}
