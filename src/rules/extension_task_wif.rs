//! `extension-task-wif`: an extension (non-built-in) task given a service connection that
//! `.azplint.yml` or the imported endpoints file says is workload identity federation.

use super::{Context, Rule};
use crate::config::Scheme;
use crate::diagnostic::{Diagnostic, Severity};
use crate::pipeline::variables::ValueName;
use crate::pipeline::Resolution;

pub static RULE: Rule = Rule {
    id: "extension-task-wif",
    severity: Severity::Warning,
    summary: "An extension task is given a workload identity federation service connection it may not support",
    category: super::Category::Wif,
    default_enabled: true,
    check: super::Check::Document(check),
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let Some(config) = ctx.config else { return };
    if !config.any_scheme(Scheme::WorkloadIdentityFederation) {
        return;
    }
    for step in &ctx.model.task_steps {
        let Resolution::NotBuiltin(parsed) = &step.resolution else {
            continue;
        };
        for entry in step.input_entries() {
            let Some(value) = entry.value.as_str() else {
                continue;
            };
            let named = super::shared::connections::connection_of(ctx, value);
            let Some(name) = named.name() else { continue };
            let Some((Scheme::WorkloadIdentityFederation, from)) = config.scheme_of(name) else {
                continue;
            };
            let via = match &named {
                ValueName::Resolved { via, .. } => format!(" (from {via})"),
                _ => String::new(),
            };
            out.push(
                RULE.diag(
                    entry.value.span.clone(),
                    format!("extension task `{}@{}` is given `{name}`{via}, a workload identity federation service connection", parsed.name, parsed.major),
                )
                .label(format!("declared WorkloadIdentityFederation in {}", from.shown()))
                .with_label(step.task.value.span.clone(), "not a built-in task")
                .help("check that this extension's version supports workload identity federation; otherwise give it a secret-based connection, or do the work in `AzureCLI@2`/`AzurePowerShell@5`")
                .note("extension tasks that predate workload identity federation fail with `Identity not found`, `Could not fetch access token for Azure`, or say they only support service principal authorization"),
            );
        }
    }
}
