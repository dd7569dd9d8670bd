//! `token-on-command-line`: `$(System.AccessToken)` (or a variable set from it), or a variable the
//! same file makes secret (an `AzureKeyVault` task's named secrets, a `##vso[task.setvariable`
//! with `issecret=true`), written into a script's text or arguments instead of being mapped in
//! `env:`.

use super::shared::taint::{env_name, in_comment, macros, own_definitions, sinks};
use super::{Context, Rule};
use crate::diagnostic::Diagnostic;
use crate::diagnostic::Severity;
use crate::pipeline::Resolution;
use crate::yaml::Span;

/// A variable the file makes secret: its name, where, and how.
struct Secret {
    name: String,
    at: Span,
    how: &'static str,
}

/// Secret variables made by this file: the secrets an `AzureKeyVault` task names in
/// `SecretsFilter` (not `*`), and the variables a script sets with `issecret=true` (not
/// `isOutput=true`, which other jobs read under another name).
fn secrets(ctx: &Context) -> Vec<Secret> {
    let mut out = Vec::new();
    for step in &ctx.model.task_steps {
        let Resolution::Builtin(task) = &step.resolution else {
            continue;
        };
        if !task.name.eq_ignore_ascii_case("AzureKeyVault") {
            continue;
        }
        let Some(filter) = step.input_by_key("SecretsFilter") else {
            continue;
        };
        let Some(names) = filter.value.as_str() else {
            continue;
        };
        for n in names.split(',').map(str::trim) {
            if n.is_empty() || n == "*" || n.contains("$(") || n.contains("${{") {
                continue;
            }
            out.push(Secret {
                name: n.to_string(),
                at: filter.value.span.clone(),
                how: "a secret that this `AzureKeyVault` task downloads",
            });
        }
    }
    // This document's text only (a file may hold many documents).
    let Some(root) = &ctx.doc.root else {
        return out;
    };
    let Some(text) = ctx.source.text.get(root.span.clone()) else {
        return out;
    };
    let base = root.span.start;
    if !text.contains("##vso[") {
        return out;
    }
    let lower = text.to_ascii_lowercase();
    let mut from = 0;
    while let Some(p) = lower[from..].find("##vso[task.setvariable") {
        let start = from + p;
        from = start + 1;
        let Some(close) = lower[start..].find(']') else {
            break;
        };
        let command = &lower[start + "##vso[task.setvariable".len()..start + close];
        let mut name = None;
        let mut secret = false;
        let mut output = false;
        for part in command.split(';') {
            let (k, v) = part.trim().split_once('=').unwrap_or((part.trim(), ""));
            match k.trim() {
                "variable" => name = Some((v.trim(), start)),
                "issecret" => secret = v.trim() == "true",
                "isoutput" => output = v.trim() == "true",
                _ => {}
            }
        }
        let Some((n, _)) = name else { continue };
        if !secret || output || n.is_empty() || n.contains('$') {
            continue;
        }
        // The name as written (the command was read in lower case).
        let at = start + lower[start..start + close].find(n).unwrap_or(0);
        out.push(Secret {
            name: text[at..at + n.len()].to_string(),
            at: base + at..base + at + n.len(),
            how: "made secret here with `issecret=true`",
        });
    }
    out
}

pub static RULE: Rule = Rule {
    id: "token-on-command-line",
    severity: Severity::Warning,
    summary: "`$(System.AccessToken)` or a secret variable is written into a script or its arguments instead of `env:`",
    category: super::Category::Security,
    default_enabled: true,
    check: super::Check::Document(check),
};

const TOKEN: &str = "System.AccessToken";

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    // Variables of the file that hold the token: `token: $(System.AccessToken)`.
    let mut holders: Vec<String> = Vec::new();
    for (name, value) in own_definitions(ctx) {
        if value.trim().eq_ignore_ascii_case("$(System.AccessToken)") {
            holders.push(name.to_ascii_lowercase());
        }
    }
    let secrets = secrets(ctx);
    for code in [true, false] {
        for sink in sinks(ctx, code) {
            let (text, base) = sink.text(ctx);
            let verbatim = std::cell::OnceCell::new();
            // The fix of a macro at `start..end` of the script: read `var` from the environment,
            // mapped in `env:` (a secret is not in a step's environment otherwise).
            let env_fix = |start: usize, end: usize, var: &str| {
                if !code {
                    return None;
                }
                let verbatim =
                    *verbatim.get_or_init(|| super::shared::fixes::takes_text_verbatim(text));
                super::shared::fixes::read_from_environment(
                    &ctx.source.text,
                    sink.step,
                    &sink.shell,
                    base + start..base + end,
                    var,
                    Some(&text[start..end]),
                    verbatim,
                )
            };
            for (start, name) in macros(text) {
                if in_comment(text, start) {
                    continue;
                }
                if let Some(secret) = secrets.iter().find(|s| s.name.eq_ignore_ascii_case(name)) {
                    let end = start + name.len() + 3;
                    let var = env_name(name);
                    let read = if sink.shell == "pwsh" {
                        format!("`$env:{var}`")
                    } else {
                        format!("`\"${var}\"` (`%{var}%` in cmd, `$env:{var}` in PowerShell)")
                    };
                    let fix = env_fix(start, end, &var);
                    let mut d = RULE.diag(
                            base + start..base + end,
                            format!("the secret variable `$({name})` is written into {}", sink.what),
                        )
                        .label("the secret, pasted into the text")
                        .with_label(secret.at.clone(), secret.how)
                        .help(format!(
                            "map it in the step's `env:` (`{var}: $({name})`) and read {read}"
                        ))
                        .note("the agent writes the expanded script to a file on the agent and runs the command line with the secret in it, where other processes on the machine can read it; log masking does not cover what other processes see, and a secret variable is not in a step's environment unless `env:` maps it");
                    if let Some(fix) = fix {
                        d = d.fix(fix);
                    }
                    out.push(d);
                    continue;
                }
                let via = if name.eq_ignore_ascii_case(TOKEN) {
                    None
                } else if holders.contains(&name.to_ascii_lowercase()) {
                    Some(name)
                } else {
                    continue;
                };
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
                let fix = env_fix(
                    start,
                    end,
                    &via.map_or_else(|| "SYSTEM_ACCESSTOKEN".to_string(), env_name),
                );
                let mut d = RULE.diag(base + start..base + end, what)
                        .label("the job's access token, pasted into the text")
                        .help(format!(
                            "map it in the step's `env:` (`SYSTEM_ACCESSTOKEN: $(System.AccessToken)`) and read {read}"
                        ))
                        .note("the agent writes the expanded script to a file on the agent and runs the command line with the token in it, where other processes on the machine can read it; a secret variable is not in a step's environment unless `env:` maps it");
                if let Some(fix) = fix {
                    d = d.fix(fix);
                }
                out.push(d);
            }
        }
    }
}
