//! `wif-unsupported-task`: a task version that can't use a workload identity federation connection.

use super::shared::connections::connection_of;
use super::{Context, Rule};
use crate::catalog::{Input, WifSupport};
use crate::diagnostic::{Diagnostic, Severity};
use crate::pipeline::inputs::{is_visible, Truth};
use crate::pipeline::variables::ValueName;
use crate::pipeline::Resolution;

pub static RULE: Rule = Rule {
    id: "wif-unsupported-task",
    severity: Severity::Warning,
    summary: "A task version can't use a workload identity federation (WIF) service connection",
    category: super::Category::Wif,
    default_enabled: true,
    check: super::Check::Document(check),
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for step in &ctx.model.task_steps {
        let Resolution::Builtin(task) = &step.resolution else {
            continue;
        };
        let Some(fact) = crate::catalog::wif_fact(ctx.tasks, &task.name, task.major) else {
            continue;
        };
        if fact.support != WifSupport::No {
            continue;
        }
        // The connection inputs: Azure Resource Manager ones when the task has any, else any
        // service connection input. Label the one the step sets, under whatever alias it used.
        let arm: Vec<&Input> = task.arm_inputs().collect();
        let candidates: Vec<&Input> = if arm.is_empty() {
            task.inputs.iter().filter(|i| i.is_connection()).collect()
        } else {
            arm
        };
        // An input hidden by its `visibleRule` is not used by the task, even when it is set.
        let given = candidates
            .iter()
            .filter(|i| is_visible(step, task, i) != Truth::False)
            .find_map(|i| step.input_entry(i).map(|e| (*i, e)));
        // A step that sets none of the connection inputs takes its connection some other way (a
        // kubeconfig, a Docker registry connection) unless one of them is required and shown.
        let always_needed = candidates
            .iter()
            .any(|i| i.required && is_visible(step, task, i) == Truth::True);
        if given.is_none() && !candidates.is_empty() && !always_needed {
            continue;
        }
        let reference = format!("{}@{}", task.name, task.major);
        // Which connection, and what `.azplint.yml` says of it.
        let named = given.and_then(|(_, e)| e.value.as_str().map(|v| connection_of(ctx, v)));
        let declared = named.as_ref().and_then(ValueName::name).and_then(|n| {
            ctx.config
                .and_then(|c| c.scheme_of(n))
                .map(|(scheme, from)| (n.to_string(), scheme, from.shown()))
        });
        let severity = match &declared {
            Some((_, scheme, _)) if scheme.is_secret_based() => continue, // keeps working
            Some(_) => Severity::Error,
            None => RULE.severity,
        };
        let mut d = Diagnostic::new(
            RULE.id,
            severity,
            step.task.value.span.clone(),
            match &declared {
                Some((n, _, _)) => format!("`{reference}` fails with `{n}`, a workload identity federation service connection"),
                None => format!("`{reference}` can't authenticate with a workload identity federation service connection"),
            },
        );
        match given {
            Some((input, entry)) => {
                d = d.label("this task version does not support workload identity federation");
                let conn = entry.value.as_str().unwrap_or("").trim();
                let used = entry.key.as_str().unwrap_or(&input.name);
                let label = match (&declared, &named) {
                    (Some((n, _, from)), Some(ValueName::Resolved { via, .. })) => {
                        format!("`{n}` (from {via}) is declared WorkloadIdentityFederation in {from}")
                    }
                    (Some((n, _, from)), _) => format!("`{n}` is declared WorkloadIdentityFederation in {from}"),
                    (None, _) if conn.is_empty() => format!("service connection (`{used}`)"),
                    (None, Some(ValueName::Resolved { name, via })) => {
                        format!("fails here if `{name}` (from {via}) uses workload identity federation")
                    }
                    (None, Some(ValueName::Unknown(why))) => format!("fails here if this connection uses workload identity federation; can't tell which: {why}"),
                    (None, _) => format!("fails here if `{conn}` uses workload identity federation"),
                };
                d = d.with_label(entry.value.span.clone(), label);
            }
            None => d = d.label("this task version does not support workload identity federation"),
        }
        let help = match &fact.replacement {
            Some(r) => format!("use `{r}`, which supports workload identity federation"),
            None => format!(
                "no version of {} supports workload identity federation: do the work in `AzureCLI@2` or `AzurePowerShell@5`, or keep a secret-based service connection for this step",
                task.name
            ),
        };
        if let Some(fix) = fact
            .replacement
            .as_deref()
            .and_then(|r| {
                let (name, major) = r.rsplit_once('@')?;
                crate::catalog::catalog().by_name(name, major.parse().ok()?)
            })
            .and_then(|t| super::shared::fixes::retarget_task(&ctx.source.text, step, t))
        {
            d = d.fix(fix);
        }
        d = d.help(match &fact.note {
            Some(n) if fact.replacement.is_some() => format!("{help} ({n})"),
            _ => help,
        });
        d = d.note(match declared {
            Some(_) => "the step fails with `Identity not found`, `Could not fetch access token for Azure` or `unsupported protocol scheme`",
            None => "with a WIF connection the step fails with `Identity not found`, `Could not fetch access token for Azure` or `unsupported protocol scheme`; a secret-based connection still works; declare the connection's scheme under `serviceConnections:` in .azplint.yml, or import the project's connections with `--endpoints FILE`, to make this an error or silence it",
        });
        out.push(d);
    }
}
