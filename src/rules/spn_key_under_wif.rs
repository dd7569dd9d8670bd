//! `spn-key-under-wif`: an `AzureCLI` script that reads `servicePrincipalKey`, which is not set
//! when the service connection uses workload identity federation.

use super::shared::connections::connection_of;
use super::shared::spn_scripts::{spn_steps, Origin};
use super::{Context, Rule};
use crate::config::Scheme;
use crate::diagnostic::{Diagnostic, Severity};
use crate::pipeline::variables::ValueName;
use crate::pipeline::Resolution;

pub static RULE: Rule = Rule {
    id: "spn-key-under-wif",
    severity: Severity::Warning,
    summary: "A script reads `servicePrincipalKey`, which is empty with a workload identity federation connection",
    category: super::Category::Wif,
    default_enabled: true,
    check: super::Check::Document(check),
};

const KEY: &str = "servicePrincipalKey";

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for s in spn_steps(ctx) {
        let Resolution::Builtin(task) = &s.step.resolution else {
            continue;
        };
        if !task.name.eq_ignore_ascii_case("AzureCLI") {
            continue;
        }
        // The first read of the key (none when a script also reads `idToken`).
        let Some((script, range)) = s.key_read() else {
            continue;
        };
        // The connection, resolved, and what the configuration or the endpoints file says of it.
        let entry = task.arm_inputs().find_map(|i| s.step.input_entry(i));
        let named = entry.and_then(|e| e.value.as_str().map(|v| connection_of(ctx, v)));
        let known = named.as_ref().and_then(ValueName::name).and_then(|n| {
            ctx.config
                .and_then(|c| c.scheme_of(n))
                .map(|(scheme, from)| (n.to_string(), scheme, from.shown()))
        });
        let severity = match &known {
            Some((_, scheme, _)) if *scheme != Scheme::WorkloadIdentityFederation => continue,
            Some(_) => Severity::Error,
            None => RULE.severity,
        };
        let reference = s.step.reference().trim();
        let message = match &known {
            Some((n, _, _)) => format!(
                "{} of `{reference}` reads `{KEY}`, which is not set with `{n}`, a workload identity federation service connection",
                script.name()
            ),
            None => format!(
                "{} of `{reference}` reads `{KEY}`, which is not set when the service connection uses workload identity federation",
                script.name()
            ),
        };
        let label = match &script.origin {
            Origin::Inline { .. } => "empty under workload identity federation".to_string(),
            Origin::File { .. } => format!(
                "the script reads `{KEY}` at its line {}, empty under workload identity federation",
                script.line(range.start)
            ),
        };
        let mut d = Diagnostic::new(RULE.id, severity, script.span(&range), message).label(label);
        if let Some(e) = entry {
            let label = match (&known, &named) {
                (Some((n, _, from)), Some(ValueName::Resolved { via, .. })) => {
                    format!("`{n}` (from {via}) is declared WorkloadIdentityFederation in {from}")
                }
                (Some((n, _, from)), _) => {
                    format!("`{n}` is declared WorkloadIdentityFederation in {from}")
                }
                (None, Some(ValueName::Resolved { name, via })) => {
                    format!("`{name}` (from {via}): azplint doesn't know its scheme")
                }
                (None, Some(ValueName::Unknown(why))) => {
                    format!("can't tell which connection: {why}")
                }
                (None, _) => "azplint doesn't know this connection's scheme".to_string(),
            };
            d = d.with_label(e.value.span.clone(), label);
        }
        d = d.help(
            "under workload identity federation sign in with `az login --service-principal -u \"$servicePrincipalId\" --tenant \"$tenantId\" --federated-token \"$idToken\"` first thing in the script (`$env:idToken` in PowerShell), or drop the sign-in and use the Azure CLI session the task already opened",
        );
        d = d.note(match known {
            Some(_) => "`addSpnToEnvironment` sets `idToken` instead of the key for these connections: a sign-in with `-p \"$servicePrincipalKey\"` passes an empty secret and fails on every run",
            None => "with a secret-based connection this works; with workload identity federation the key is not set and the sign-in fails; declare the connection's scheme under `serviceConnections:` in .azplint.yml, or import the project's connections with `--endpoints FILE`, to make this an error or silence it",
        });
        out.push(d);
    }
}
