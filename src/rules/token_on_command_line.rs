//! `token-on-command-line`: `$(System.AccessToken)` (or a variable set from it) written into a
//! script's text or arguments instead of being mapped in `env:`.

use super::shared::taint::{definitions, in_comment, macros, sinks};
use super::{Context, Rule};
use crate::diagnostic::Diagnostic;
use crate::diagnostic::Severity;

pub static RULE: Rule = Rule {
    id: "token-on-command-line",
    severity: Severity::Warning,
    summary: "`$(System.AccessToken)` is written into a script or its arguments instead of `env:`",
    category: super::Category::Security,
    default_enabled: true,
    check: super::Check::Document(check),
};

const TOKEN: &str = "System.AccessToken";

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    // Variables of the file that hold the token: `token: $(System.AccessToken)`.
    let mut holders: Vec<String> = Vec::new();
    if let Some(root) = &ctx.doc.root {
        for (name, value) in definitions(root) {
            if value.trim().eq_ignore_ascii_case("$(System.AccessToken)") {
                holders.push(name.to_ascii_lowercase());
            }
        }
    }
    for code in [true, false] {
        for sink in sinks(ctx, code) {
            let (text, base) = sink.text(ctx);
            for (start, name) in macros(text) {
                let via = if name.eq_ignore_ascii_case(TOKEN) {
                    None
                } else if holders.contains(&name.to_ascii_lowercase()) {
                    Some(name)
                } else {
                    continue;
                };
                if in_comment(text, start) {
                    continue;
                }
                let end = start + name.len() + 3;
                let pwsh = sink.shell == "pwsh";
                let read = if pwsh {
                    "`$env:SYSTEM_ACCESSTOKEN`"
                } else {
                    "`\"$SYSTEM_ACCESSTOKEN\"` (`%SYSTEM_ACCESSTOKEN%` in cmd, `$env:SYSTEM_ACCESSTOKEN` in PowerShell)"
                };
                let what = match via {
                    None => format!("`$(System.AccessToken)` is written into {}", sink.what),
                    Some(v) => format!(
                        "`$({v})`, which holds `$(System.AccessToken)`, is written into {}",
                        sink.what
                    ),
                };
                out.push(
                    RULE.diag(base + start..base + end, what)
                        .label("the job's access token, pasted into the text")
                        .help(format!(
                            "map it in the step's `env:` (`SYSTEM_ACCESSTOKEN: $(System.AccessToken)`) and read {read}"
                        ))
                        .note("the agent writes the expanded script to a file on the agent and runs the command line with the token in it, where other processes on the machine can read it; a secret variable is not in a step's environment unless `env:` maps it"),
                );
            }
        }
    }
}
