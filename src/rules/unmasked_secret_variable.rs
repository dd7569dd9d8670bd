//! `unmasked-secret-variable`: a script sets a pipeline variable with `##vso[task.setvariable]` to a
//! token it fetched (an access token, `System.AccessToken`, an `idToken`, a Key Vault secret)
//! without `issecret=true`, so the value is not masked in later logs.

use super::{Context, Rule};
use crate::diagnostic::Diagnostic;
use crate::diagnostic::Severity;
use crate::pipeline::TaskStep;
use crate::yaml::Span;

pub static RULE: Rule = Rule {
    id: "unmasked-secret-variable",
    severity: Severity::Warning,
    summary: "A script sets a pipeline variable to a token or secret without `issecret=true`",
    category: super::Category::Security,
    default_enabled: true,
    check: super::Check::Document(check),
};

const ACCESS_TOKEN: &str = "`System.AccessToken`";

/// Where a value comes from a credential (lowercase text of the script): the source's name.
const SOURCES: &[(&str, &str)] = &[
    (
        "az account get-access-token",
        "`az account get-access-token`",
    ),
    ("get-azaccesstoken", "`Get-AzAccessToken`"),
    ("system.accesstoken", ACCESS_TOKEN),
    ("system_accesstoken", ACCESS_TOKEN),
    ("az keyvault secret show", "a Key Vault secret"),
    ("get-azkeyvaultsecret", "a Key Vault secret"),
];

/// Credentials `addSpnToEnvironment` exposes: with that flag, `spn-secret-exposure` reports them.
const SPN_SECRETS: &[&str] = &["idtoken", "serviceprincipalkey"];

/// The script step kinds whose value is the script.
const SCRIPT_STEPS: &[&str] = &["script", "bash", "powershell", "pwsh"];

/// Task inputs that hold an inline script (Bash, PowerShell, CmdLine, AzureCLI, AzurePowerShell).
const SCRIPT_INPUTS: &[&str] = &["script", "inlineScript", "Inline"];

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for step in &ctx.model.steps {
        if SCRIPT_STEPS.contains(&step.kind.kind.as_str()) && step.id.value.as_str().is_some() {
            scan(ctx, &step.id.value.span, false, out);
        }
    }
    for step in &ctx.model.task_steps {
        let spn = spn_flag(step);
        for key in SCRIPT_INPUTS {
            if let Some(e) = step.input_by_key(key) {
                if e.value.as_str().is_some() {
                    scan(ctx, &e.value.span, spn, out);
                }
            }
        }
    }
}

fn spn_flag(step: &TaskStep) -> bool {
    step.input_by_key("addSpnToEnvironment")
        .and_then(|e| e.value.as_str())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
}

/// The name of a variable a line assigns: `name=...`, `export name=...`, `$name = ...`,
/// `$env:name = ...`, `set name=...`.
fn assigned(line: &str) -> Option<(String, &str)> {
    let mut l = line.trim_start();
    for p in ["export ", "local ", "declare ", "readonly ", "set "] {
        if let Some(rest) = l.strip_prefix(p) {
            l = rest.trim_start();
        }
    }
    let l = l
        .strip_prefix("$env:")
        .or_else(|| l.strip_prefix('$'))
        .unwrap_or(l);
    let end = l
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(l.len());
    if end == 0 {
        return None;
    }
    let rest = l[end..].trim_start();
    let rest = rest.strip_prefix('=')?;
    if rest.starts_with('=') {
        return None; // a comparison
    }
    Some((l[..end].to_ascii_lowercase(), rest))
}

/// The variable names a text reads: `$name`, `${name}`, `$env:name`, `%name%`.
fn reads(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    let bytes = text.as_bytes();
    let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'$' || b == b'%' {
            let mut j = i + 1;
            if b == b'$' {
                if bytes.get(j) == Some(&b'{') {
                    j += 1;
                }
                if bytes.len() >= j + 4 && bytes[j..j + 4].eq_ignore_ascii_case(b"env:") {
                    j += 4;
                }
            }
            let start = j;
            while j < bytes.len() && ident(bytes[j]) {
                j += 1;
            }
            if j > start {
                names.push(text[start..j].to_ascii_lowercase());
            }
            i = j.max(i + 1);
        } else {
            i += 1;
        }
    }
    names
}

/// The credential a text takes its value from, if any: a source named in it, or a variable that
/// holds one.
fn source_of(lower: &str, tainted: &[(String, String)], spn: bool) -> Option<String> {
    // The token's expiry or id is not the token.
    if crate::text::contains(lower, "expires") || crate::text::contains(lower, "--query id") {
        return None;
    }
    if let Some((_, what)) = SOURCES
        .iter()
        .find(|(s, _)| crate::text::contains(lower, s))
    {
        return Some(what.to_string());
    }
    let names = reads(lower);
    if !spn {
        if let Some(n) = names.iter().find(|n| SPN_SECRETS.contains(&n.as_str())) {
            return Some(if n == "idtoken" {
                "`idToken`".to_string()
            } else {
                "`servicePrincipalKey`".to_string()
            });
        }
    }
    names
        .iter()
        .find_map(|n| tainted.iter().find(|(t, _)| t == n).map(|(_, w)| w.clone()))
}

fn scan(ctx: &Context, span: &Span, spn: bool, out: &mut Vec<Diagnostic>) {
    let Some(text) = ctx.source.text.get(span.clone()) else {
        return;
    };
    // Only a `task.setvariable` line is reported: a script without one has nothing to say.
    if !crate::text::contains_ignore_ascii_case(text, "##vso[task.setvariable") {
        return;
    }
    // Variables assigned from a credential, in script order, with where it came from.
    let mut tainted: Vec<(String, String)> = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let here = offset;
        offset += line.len();
        let lower = line.to_ascii_lowercase();
        if let Some(at) = crate::text::find(&lower, "##vso[task.setvariable") {
            let Some(close) = lower[at..].find(']') else {
                continue;
            };
            let props = &lower[at..at + close];
            if props.contains("issecret=true") {
                continue;
            }
            let value = &lower[at + close + 1..];
            let found = source_of(value, &tainted, spn);
            // `System.AccessToken` is a secret of the job: the agent masks it in this job's logs
            // whatever variable carries it. Only an output variable takes it where it isn't.
            let masked_here =
                found.as_deref() == Some(ACCESS_TOKEN) && !props.contains("isoutput=true");
            if let Some(what) = found.filter(|_| !masked_here) {
                let start = here + (line.len() - line.trim_start().len());
                let end = here + line.trim_end().len();
                let close_at = span.start + here + at + close;
                let fix = super::shared::fixes::mark_secret(
                    &ctx.source.text,
                    close_at,
                    &line[at + "##vso[".len()..at + close],
                );
                out.push(
                    RULE.diag(span.start + start..span.start + end, format!("a pipeline variable is set to {what} without `issecret=true`"))
                        .label("not masked")
                        .help("add `issecret=true` to the `task.setvariable` properties, or register the value first with `##vso[task.setsecret]<value>`")
                        .note("a variable set without `issecret=true` is an ordinary variable: every later step that prints it, traces it or passes it on a command line shows the credential in the log for anyone who can read the run")
                        .fix(fix),
                );
            }
            continue;
        }
        if let Some(at) = crate::text::find(&lower, "##vso[task.setsecret]") {
            // A registered secret is masked whatever variable carries it later.
            let masked = reads(&lower[at..]);
            tainted.retain(|(t, _)| !masked.contains(t));
            continue;
        }
        if let Some((name, rest)) = assigned(&lower) {
            // A copy carries the credential (`$b = $a`, `t="$a"`, `$t = $r.Token`); the output of a
            // command that merely uses one (`curl -u :$t`, `... | ConvertFrom-Json`) is not it.
            let r = rest.trim_start();
            let value_like = (r.starts_with('$') || r.starts_with('"') || r.starts_with('\''))
                && !r.contains('|');
            let copy = value_like && !r.starts_with("$(");
            let source = match source_of(rest, &[], spn) {
                // A command that authenticates with the job's token returns something else.
                Some(direct) if direct == ACCESS_TOKEN && !value_like => None,
                Some(direct) => Some(direct),
                None if copy => source_of(rest, &tainted, spn),
                None => None,
            };
            match source {
                Some(what) => tainted.push((name, what)),
                None => tainted.retain(|(t, _)| *t != name),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{assigned, reads};

    #[test]
    fn assignments_and_reads() {
        assert_eq!(assigned("$t = (az x)").unwrap().0, "t");
        assert_eq!(assigned("export TOKEN=$(az x)").unwrap().0, "token");
        assert_eq!(assigned("$env:T = 'x'").unwrap().0, "t");
        assert!(assigned("if ($a -eq 1)").is_none());
        assert!(assigned("[ $a == b ]").is_none());
        assert_eq!(reads("x ${tok} $env:b %c% $d"), vec!["tok", "b", "c", "d"]);
    }
}
