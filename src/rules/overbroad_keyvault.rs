//! `overbroad-keyvault`: an `AzureKeyVault` task that downloads every secret of the vault
//! (`SecretsFilter` missing or `*`), not only those the job needs.

use super::{Context, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::pipeline::Resolution;

pub static RULE: Rule = Rule {
    id: "overbroad-keyvault",
    severity: Severity::Note,
    summary: "An `AzureKeyVault` task downloads every secret of the vault (`SecretsFilter` missing or `*`)",
    category: super::Category::Security,
    default_enabled: true,
    check: super::Check::Document(check),
};

fn is_true(v: Option<&str>) -> bool {
    v.is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for step in &ctx.model.task_steps {
        let Resolution::Builtin(task) = &step.resolution else {
            continue;
        };
        if !task.name.eq_ignore_ascii_case("AzureKeyVault") || !(1..=2).contains(&task.major) {
            continue;
        }
        // Without inputs the step can't run (`missing-required-input`); inputs spliced from an
        // expression may carry a filter azplint can't see.
        if step.inputs.is_empty()
            || step
                .inputs
                .iter()
                .any(|i| i.as_map().is_none() || crate::pipeline::walk::lifted_entries(i).open)
        {
            continue;
        }
        let filter = task
            .input("SecretsFilter")
            .and_then(|i| step.input_entry(i))
            .or_else(|| step.input_by_key("SecretsFilter"));
        let span = match filter {
            Some(e) => {
                let Some(v) = e.value.as_str() else { continue };
                if crate::yaml::is_expression(v) || v.contains("${{") {
                    continue;
                }
                let all = v.split(',').any(|s| s.trim() == "*");
                if !all {
                    continue;
                }
                e.key.span.start..e.value.span.end
            }
            None => step.task.key.span.start..step.task.value.span.end,
        };
        let prejob = task
            .input("RunAsPreJob")
            .and_then(|i| step.input_entry(i))
            .or_else(|| step.input_by_key("RunAsPreJob"))
            .is_some_and(|e| is_true(e.value.as_str()));
        let reference = step.reference().trim();
        let mut message = format!("`{reference}` downloads every secret of the vault");
        if prejob {
            message.push_str(
                ", before the job starts (`RunAsPreJob: true`), so every step of the job gets them",
            );
        }
        out.push(
            RULE.diag(span, message)
                .label(if filter.is_some() { "`*` selects every secret" } else { "no `SecretsFilter`: the default is `*`" })
                .help("set `SecretsFilter` to the comma-separated names of the secrets this job uses")
                .note("each downloaded secret becomes a pipeline variable that every later step can read and map into a script; fetching only what is needed limits what one compromised or careless step can leak"),
        );
    }
}
