//! `addspn-unused`: `addSpnToEnvironment: true` on a step whose scripts never read the credentials.

use super::shared::spn_scripts::{
    find_uses, runs_consumer, runs_other_programs, spn_steps, SPN_VARIABLES,
};
use super::{Context, Rule};
use crate::diagnostic::{Diagnostic, Severity};

pub static RULE: Rule = Rule {
    id: "addspn-unused",
    severity: Severity::Note,
    summary: "`addSpnToEnvironment: true` exposes credentials that the script never uses",
    category: super::Category::Wif,
    default_enabled: true,
    check: super::Check::Document(check),
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for s in spn_steps(ctx) {
        // Only when every script that runs could be read, and runs no other program that could
        // read the credentials from its environment, nor a tool known to read them itself
        // (data/spn-consumers.json: `pmc --auth-type wif`, `azd auth login --federated-...`).
        if !s.complete
            || s.scripts
                .iter()
                .any(|sc| runs_other_programs(&sc.text) || runs_consumer(&sc.text).is_some())
        {
            continue;
        }
        let used = s.scripts.iter().any(|script| {
            SPN_VARIABLES
                .iter()
                .any(|v| !find_uses(&script.text, v).is_empty())
        });
        if used {
            continue;
        }
        out.push(
            RULE.diag(
                s.flag.key.span.clone(),
                format!("`{}` exposes the service principal's credentials, but its script never reads them", s.step.reference().trim()),
            )
            .label("not needed")
            .help("remove `addSpnToEnvironment: true`; the Azure CLI is signed in for the script either way")
            .note("least privilege: `servicePrincipalId`, `servicePrincipalKey`/`idToken` and `tenantId` in the environment can leak through any tool the script runs"),
        );
    }
}
