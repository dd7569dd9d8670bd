//! `script-injection`: text someone else chose (a branch name, a commit message) expanded into the
//! code of a script by a `$(var)` macro or a template expression.

use super::shared::taint::{help, origin, sinks, Control, Env};
use super::{Context, Rule};
use crate::diagnostic::{Diagnostic, Severity};

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
            out.push(d);
        }
    }
}
