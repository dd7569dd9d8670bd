//! `spn-secret-exposure`: with `addSpnToEnvironment`, a script that prints the service principal's
//! key or `idToken`, traces its commands, or sets them as pipeline variables that aren't secret.

use super::shared::spn_scripts::{find_uses, spn_steps};
use super::{Context, Rule};
use crate::diagnostic::{Diagnostic, Severity};

pub static RULE: Rule = Rule {
    id: "spn-secret-exposure",
    severity: Severity::Warning,
    summary: "A script prints, traces or exports the service principal key or `idToken` in clear",
    category: super::Category::Wif,
    default_enabled: true,
    check: super::Check::Document(check),
};

/// The credentials that must not reach a log.
const SECRETS: &[&str] = &["servicePrincipalKey", "idToken"];

/// Commands that write to the log.
const PRINTERS: &[&str] = &[
    "echo",
    "printf",
    "write-host",
    "write-output",
    "write-verbose",
    "write-information",
    "print",
    "console.log",
];

/// A command on this line prints to the log (not to a file).
fn prints(line: &str) -> bool {
    let l = line.to_ascii_lowercase();
    if l.contains("##vso[") {
        return false; // a logging command, judged below
    }
    let redirected = l.contains(" > ")
        || l.contains(" >> ")
        || l.contains(">/")
        || l.contains("out-file")
        || l.contains("set-content")
        || l.contains("| tee");
    let starts = l.split(['|', ';', '&']).any(|part| {
        PRINTERS.iter().any(|p| {
            part.trim_start().starts_with(p)
                && part.trim_start()[p.len()..].starts_with([' ', '(', '"', '\''])
        })
    });
    starts && !redirected
}

/// Commands that make the shell echo every command, with variables expanded.
fn traces(line: &str) -> bool {
    let l = line.trim().to_ascii_lowercase();
    l == "set -x"
        || l.starts_with("set -x ")
        || l.starts_with("set -ex")
        || l.starts_with("set -euxo")
        || l.contains("set -o xtrace")
        || l.starts_with("set-psdebug -trace 1")
        || l.starts_with("set-psdebug -trace 2")
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for s in spn_steps(ctx) {
        let reference = s.step.reference().trim();
        for script in &s.scripts {
            let uses: Vec<(&str, std::ops::Range<usize>)> = SECRETS
                .iter()
                .flat_map(|name| {
                    find_uses(&script.text, name)
                        .into_iter()
                        .map(move |r| (*name, r))
                })
                .collect();
            if uses.is_empty() {
                continue;
            }
            let mut reported = false;
            for (name, r) in &uses {
                let line = script.line_text(r.start);
                let lower = line.to_ascii_lowercase();
                let (what, help) = if lower.contains("##vso[task.setvariable")
                    && !lower.contains("issecret=true")
                {
                    (
                        format!("{} of `{reference}` sets `{name}` as a pipeline variable that is not secret", script.name()),
                        "add `issecret=true` to the `task.setvariable` command so that Azure masks the value",
                    )
                } else if prints(line) {
                    (
                        format!("{} of `{reference}` prints `{name}` to the log", script.name()),
                        "don't print the credential; print only what identifies it (e.g. `servicePrincipalId`)",
                    )
                } else {
                    continue;
                };
                let mut d = RULE.diag(script.span(r), what)
                        .label(format!("`{name}` in clear"))
                        .with_label(s.flag.key.span.clone(), "exposes the credentials to the script")
                        .help(help)
                        .note("a pipeline variable set without `issecret=true` is not masked, and masking of printed values only hides the exact registered value (not an encoded or partial copy): the credential can land in the log for anyone who can read the run");
                if let Some(close) = setvariable_close(ctx, script, r.start) {
                    d = d.fix(super::shared::fixes::mark_secret(
                        &ctx.source.text,
                        close.0,
                        &close.1,
                    ));
                }
                out.push(d);
                reported = true;
            }
            if reported {
                continue;
            }
            // Tracing echoes every command with its variables expanded.
            let mut offset = 0;
            for line in script.text.split_inclusive('\n') {
                if traces(line) {
                    let start = offset + (line.len() - line.trim_start().len());
                    let end = offset + line.trim_end().len();
                    out.push(
                        RULE.diag(script.span(&(start..end)), format!("{} of `{reference}` traces its commands while it reads the credentials", script.name()))
                            .label("every command is printed with its variables expanded")
                            .with_label(s.flag.key.span.clone(), "exposes the credentials to the script")
                            .help("turn tracing off around the lines that use the credentials (`set +x` / `Set-PSDebug -Off`)")
                            .note("a traced command line shows the key or token as the shell expanded it; masking only hides exact registered values"),
                    );
                    break;
                }
                offset += line.len();
            }
        }
    }
}

/// For an inline script, where the `]` of the `task.setvariable` command on the line of byte `at`
/// of the script is in the file, with the command's properties; `None` when the command is
/// already secret or the script is a file.
fn setvariable_close(
    ctx: &Context,
    script: &crate::rules::shared::spn_scripts::Script,
    at: usize,
) -> Option<(usize, String)> {
    use crate::rules::shared::spn_scripts::Origin;
    let Origin::Inline { base } = script.origin else {
        return None;
    };
    let line_start = script.text[..at.min(script.text.len())]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let line = script.line_text(at);
    let lower = line.to_ascii_lowercase();
    let open = lower.find("##vso[task.setvariable")?;
    let close = open + lower[open..].find(']')?;
    let props = &line[open + "##vso[".len()..close];
    if props.to_ascii_lowercase().contains("issecret=true") {
        return None;
    }
    let file_at = base + line_start + close;
    // The script's text is the file's text at `base` (an inline value): check before editing.
    (ctx.source.text.get(file_at..file_at + 1) == Some("]")).then(|| (file_at, props.to_string()))
}

#[cfg(test)]
mod tests {
    use super::{prints, traces};

    #[test]
    fn printing_and_tracing() {
        assert!(prints("echo \"$servicePrincipalKey\""));
        assert!(prints("  Write-Host $env:idToken"));
        assert!(!prints(
            "echo \"$idToken\" > \"$(Agent.TempDirectory)/token\""
        ));
        assert!(!prints("az login --federated-token $idToken"));
        assert!(traces("set -x"));
        assert!(traces("set -euxo pipefail"));
        assert!(traces("Set-PSDebug -Trace 1"));
        assert!(!traces("set -e"));
    }
}
