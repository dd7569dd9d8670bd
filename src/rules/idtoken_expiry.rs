//! `idtoken-expiry`: a script that reads the `idToken` exposed by `addSpnToEnvironment: true`.
//! The token is valid for 10 minutes; after that Azure answers AADSTS700024. Handing it on (a
//! pipeline variable, `ARM_OIDC_TOKEN`, a file) carries the expiry to whatever reads it later.

use super::spn_scripts::{find_uses, spn_steps};
use super::{Context, Rule};
use crate::diagnostic::{Diagnostic, Severity};

pub static RULE: Rule = Rule {
    id: "idtoken-expiry",
    severity: Severity::Warning,
    summary:
        "A script uses the `idToken` from `addSpnToEnvironment`, which expires after 10 minutes",
    check,
};

/// How a line hands the token on, if it does.
fn export_kind(line: &str) -> Option<&'static str> {
    let l = line.to_ascii_lowercase();
    if l.contains("##vso[task.setvariable") {
        Some("exports it as a pipeline variable, which later steps read after it has expired")
    } else if l.contains("arm_oidc_token") {
        Some("hands it to Terraform as `ARM_OIDC_TOKEN`, which fails once a plan or apply outlasts it")
    } else if l.contains("out-file") || l.contains("set-content") || l.contains('>') {
        Some("writes it to a file, which later readers use after it has expired")
    } else {
        None
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for s in spn_steps(ctx) {
        let reference = s.step.reference().trim();
        for script in &s.scripts {
            let uses = find_uses(&script.text, "idToken");
            let Some(first) = uses.first() else { continue };
            let export = uses
                .iter()
                .find_map(|u| export_kind(script.line_text(u.start)));
            let what = match export {
                Some(how) => format!("{} of `{reference}` reads `idToken` and {how}", script.name()),
                None => format!("{} of `{reference}` reads `idToken`, which expires 10 minutes after the step starts", script.name()),
            };
            let label = match &script.origin {
                super::spn_scripts::Origin::Inline { .. } => "`idToken` used here".to_string(),
                super::spn_scripts::Origin::File { shown, .. } => format!(
                    "`{shown}` uses `idToken` at line {}",
                    script.line(first.start)
                ),
            };
            let mut d = RULE.diag(script.span(first), what).label(label).with_label(
                s.flag.key.span.clone(),
                "exposes the short-lived `idToken` to the script",
            );
            if matches!(script.origin, super::spn_scripts::Origin::Inline { .. }) {
                for u in &uses[1..] {
                    d = d.with_label(script.span(u), "used again here");
                }
            }
            let mut help = "use `idToken` right after the step starts (for example `az login --federated-token` first thing), or request a fresh token from `$(System.OidcRequestUri)` with `$(System.AccessToken)` when you need it; on AzureCLI@2 `keepAzSessionActive: true` keeps the Azure CLI session signed in".to_string();
            if script.text.to_ascii_lowercase().contains("terraform")
                || script.text.contains("ARM_OIDC_TOKEN")
            {
                help = "for Terraform, don't copy the token: set `ARM_USE_OIDC=true`, `ARM_OIDC_REQUEST_URL` (or `SYSTEM_OIDCREQUESTURI`) with `ARM_OIDC_REQUEST_TOKEN` (or `SYSTEM_ACCESSTOKEN`) and `ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID`, and the azurerm provider fetches fresh tokens itself".to_string();
            }
            out.push(d.help(help).note(
                "the federated `idToken` is valid for 10 minutes; whatever uses it later fails with `AADSTS700024: Client assertion is not within its valid time range`",
            ));
        }
    }
}
