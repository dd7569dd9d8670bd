//! `idtoken-expiry`: a script that reads the `idToken` exposed by `addSpnToEnvironment: true`.
//! The token is valid for 10 minutes; after that Azure answers AADSTS700024.

use super::{Context, Rule};
use crate::catalog::TaskVersion;
use crate::diagnostic::{Diagnostic, Severity};
use crate::pipeline::inputs::Value;
use crate::pipeline::{Resolution, TaskStep};
use crate::yaml::{is_expression, Entry};

pub static RULE: Rule = Rule {
    id: "idtoken-expiry",
    severity: Severity::Warning,
    summary:
        "A script uses the `idToken` from `addSpnToEnvironment`, which expires after 10 minutes",
    check,
};

/// Byte ranges in `script` where the `idToken` environment variable is read: `$idToken`,
/// `${idToken}`, `$env:idToken`, `${env:idToken}`, `%idToken%`, or the quoted name `"idToken"`
/// (environment lookups in other languages).
pub fn find_uses(script: &str) -> Vec<std::ops::Range<usize>> {
    let bytes = script.as_bytes();
    let lower = script.to_ascii_lowercase();
    let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut uses = Vec::new();
    let mut from = 0;
    while let Some(i) = lower[from..].find("idtoken") {
        let at = from + i;
        let end = at + "idtoken".len();
        from = end;
        let after = bytes.get(end).copied();
        if after.is_some_and(ident) {
            continue;
        }
        let before = &script[..at];
        let exact = &script[at..end] == "idToken";
        let start = if before.ends_with("${") && exact {
            Some(at - 2)
        } else if before.ends_with('$') && exact {
            Some(at - 1)
        } else if before.to_ascii_lowercase().ends_with("${env:") {
            Some(at - 6)
        } else if before.to_ascii_lowercase().ends_with("$env:") {
            Some(at - 5)
        } else if (before.ends_with('%') && after == Some(b'%'))
            || (exact && is_lookup(before, after))
        {
            Some(at - 1)
        } else {
            None
        };
        if let Some(start) = start {
            let mut stop = end;
            if matches!(after, Some(b'}' | b'%' | b'"' | b'\'')) {
                stop += 1;
            }
            uses.push(start..stop);
        }
    }
    uses
}

/// `'idToken'` or `"idToken"` as the argument of an environment lookup: `os.environ['idToken']`,
/// `getenv("idToken")`, `GetEnvironmentVariable('idToken')`.
fn is_lookup(before: &str, after: Option<u8>) -> bool {
    let Some(quote) = before.chars().last().filter(|c| *c == '"' || *c == '\'') else {
        return false;
    };
    if after != Some(quote as u8) {
        return false;
    }
    let lead = before[..before.len() - 1].trim_end();
    lead.ends_with('[') || lead.ends_with('(')
}

fn is_true(entry: &Entry) -> bool {
    entry
        .value
        .as_str()
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for step in &ctx.model.task_steps {
        let Resolution::Builtin(task) = &step.resolution else {
            continue;
        };
        if task.input("addSpnToEnvironment").is_none() {
            continue;
        }
        let Some(flag) = step.input_by_key("addSpnToEnvironment") else {
            continue;
        };
        if !is_true(flag) {
            continue;
        }
        check_step(ctx, step, task, flag, out);
    }
}

fn check_step(
    ctx: &Context,
    step: &TaskStep,
    task: &TaskVersion,
    flag: &Entry,
    out: &mut Vec<Diagnostic>,
) {
    let reference = step.reference().trim();
    let help = "use `idToken` right after the step starts (for example `az login --federated-token` first thing), or request a fresh token from `$(System.OidcRequestUri)` with `$(System.AccessToken)` when you need it; on AzureCLI@2 `keepAzSessionActive: true` keeps the Azure CLI session signed in";
    let note = "the federated `idToken` is valid for 10 minutes; a script that uses it later fails with `AADSTS700024: Client assertion is not within its valid time range`";

    // Which script runs: `scriptLocation` (with its default) when the task has it.
    let location = task.input("scriptLocation").map(|i| step.value_of(i));
    let (inline_runs, path_runs) = match location {
        Some(Value::Literal(l)) | Some(Value::Default(l)) => {
            let l = l.trim();
            (
                l.eq_ignore_ascii_case("inlineScript"),
                l.eq_ignore_ascii_case("scriptPath"),
            )
        }
        _ => (true, true),
    };

    // Inline script: label every use in the file itself.
    if let Some(inline) = step.input_by_key("inlineScript").filter(|_| inline_runs) {
        let raw_span = inline.value.span.clone();
        let raw = ctx.source.text.get(raw_span.clone()).unwrap_or("");
        let uses = find_uses(raw);
        if let Some(first) = uses.first() {
            let first_span = raw_span.start + first.start..raw_span.start + first.end;
            let mut d = RULE
                .diag(
                    first_span,
                    format!("the inline script of `{reference}` reads `idToken`, which expires 10 minutes after the step starts"),
                )
                .label("`idToken` used here")
                .with_label(flag.key.span.clone(), "exposes the short-lived `idToken` to the script");
            for u in &uses[1..] {
                d = d.with_label(
                    raw_span.start + u.start..raw_span.start + u.end,
                    "used again here",
                );
            }
            out.push(d.help(help).note(note));
        }
    }

    // Script file: read it through the repository, label the `scriptPath` value.
    if let Some(path_entry) = step.input_by_key("scriptPath").filter(|_| path_runs) {
        let Some(path) = path_entry
            .value
            .as_str()
            .map(str::trim)
            .filter(|p| !p.is_empty())
        else {
            return;
        };
        if is_expression(path) && !starts_with_known_dir(path) {
            return;
        }
        let Some((shown, text)) = ctx.files.read(ctx.source, path) else {
            return;
        };
        let uses = find_uses(&text);
        if let Some(first) = uses.first() {
            let line = text[..first.start].matches('\n').count() + 1;
            out.push(
                RULE.diag(
                    path_entry.value.span.clone(),
                    format!("the script `{shown}` run by `{reference}` reads `idToken` (line {line}), which expires 10 minutes after the step starts"),
                )
                .label(format!("`{shown}` uses `idToken` at line {line}"))
                .with_label(flag.key.span.clone(), "exposes the short-lived `idToken` to the script")
                .help(help)
                .note(note),
            );
        }
    }
}

/// `$(Build.SourcesDirectory)/x.sh` and friends point into the repository.
pub fn starts_with_known_dir(path: &str) -> bool {
    crate::discover::strip_repo_macro(path).is_some()
}

#[cfg(test)]
mod tests {
    use super::find_uses;

    #[test]
    fn finds_each_form() {
        let s = "echo $idToken; x=${idToken}; $env:idToken; ${env:IDTOKEN}; %idToken%; os.environ['idToken']; os.getenv( \"idToken\")";
        let found: Vec<&str> = find_uses(s).into_iter().map(|r| &s[r]).collect();
        assert_eq!(
            found,
            [
                "$idToken",
                "${idToken}",
                "$env:idToken",
                "${env:IDTOKEN}",
                "%idToken%",
                "'idToken'",
                "\"idToken\""
            ]
        );
    }

    #[test]
    fn ignores_other_names() {
        assert!(
            find_uses("echo $idTokenFile $myidToken idToken --id-token 'idToken' \"idToken\"")
                .is_empty()
        );
    }
}
