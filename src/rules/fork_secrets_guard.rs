//! `fork-secrets-guard`: a pipeline that builds pull requests gives a job secrets (a variable
//! group, an `AzureKeyVault` task) or service connections, and nothing in the job's or its
//! stage's `condition:` (or an enclosing `${{ if }}`) looks at `System.PullRequest.IsFork`.

use super::shared::pr_jobs::{
    blocks_mentioning, get, job_condition_mentions, jobs, mentions_run_reason, pr_entry, pr_reason,
    within, Job,
};
use super::{Context, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::pipeline::walk::{for_each_item, Item};
use crate::pipeline::Resolution;
use crate::yaml::{Node, Span};

pub static RULE: Rule = Rule {
    id: "fork-secrets-guard",
    severity: Severity::Warning,
    summary: "A pull-request build gives a job secrets or service connections without checking `System.PullRequest.IsFork`",
    category: super::Category::Security,
    default_enabled: false,
    check: super::Check::Document(check),
};

/// The `- group: name` items of a `variables:` list.
fn groups(map: &Node, out: &mut Vec<(Span, String)>) {
    let Some(vars) = get(map, "variables") else {
        return;
    };
    if vars.value.as_seq().is_none() {
        return;
    }
    for_each_item(&vars.value, false, &mut |item| {
        if let Item::Node(n, _) = item {
            if let Some(g) = n.entry("group") {
                let name = g.value.as_str().unwrap_or("").trim();
                out.push((
                    g.key.span.start..g.value.span.end,
                    format!("the variable group `{name}`"),
                ));
            }
        }
    });
}

/// Secrets and connections the job gets: variable groups of the job, its stage and the pipeline,
/// and its `AzureKeyVault` and service connection task steps.
fn uses(ctx: &Context, root: &Node, job: &Job) -> Vec<(Span, String)> {
    let mut out = Vec::new();
    groups(job.node, &mut out);
    if let Some(stage) = job.stage {
        groups(stage, &mut out);
    }
    if job.entry.is_some() {
        groups(root, &mut out);
    }
    for step in &ctx.model.task_steps {
        if !within(&step.step.span, &job.node.span) {
            continue;
        }
        let Resolution::Builtin(task) = &step.resolution else {
            continue;
        };
        if task.name.eq_ignore_ascii_case("AzureKeyVault") {
            out.push((
                step.task.key.span.start..step.task.value.span.end,
                "an `AzureKeyVault` task".to_string(),
            ));
            continue;
        }
        let connection = task
            .inputs
            .iter()
            .filter(|i| i.is_connection())
            .find_map(|i| {
                step.input_entry(i)
                    .filter(|e| e.value.as_str().is_some_and(|v| !v.trim().is_empty()))
            });
        if let Some(e) = connection {
            let name = e.value.as_str().unwrap_or("").trim();
            out.push((
                e.key.span.start..e.value.span.end,
                format!("the service connection `{name}`"),
            ));
        }
    }
    out
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let Some(root) = pr_entry(ctx) else { return };
    let why = pr_reason(root);
    // `IsFork` is the guard; a condition on why the run started (`Build.Reason`,
    // `Build.SourceBranch`, `System.PullRequest.*`) may keep the job out of pull-request builds.
    let guarded = blocks_mentioning(root, mentions_run_reason);
    for job in jobs(root) {
        // (`System.PullRequest.IsFork` is one of the `System.PullRequest` variables.)
        if job_condition_mentions(&job, mentions_run_reason)
            || job
                .entry
                .is_some_and(|e| guarded.iter().any(|g| within(&e.key.span, g)))
        {
            continue;
        }
        let mut found: Vec<(Span, String)> = uses(ctx, root, &job)
            .into_iter()
            .filter(|(s, _)| !guarded.iter().any(|g| within(s, g)))
            .collect();
        if found.is_empty() {
            continue;
        }
        found.sort_by_key(|(s, _)| s.start);
        let (first_span, first) = found[0].clone();
        let at = match job.entry {
            Some(e) => e.key.span.start..e.value.span.end,
            None => first_span.clone(),
        };
        let mut d = RULE
            .diag(
                at,
                format!(
                    "{} gets {first} in pull-request builds, and its condition does not check `System.PullRequest.IsFork`",
                    job.shown()
                ),
            )
            .label(match job.entry {
                Some(_) => "runs for pull requests, forks included".to_string(),
                None => format!("{first} is given to a job that runs for pull requests, forks included"),
            });
        if job.entry.is_some() {
            d = d.with_label(first_span, format!("{first} is given to the job"));
        }
        for (s, what) in found.iter().skip(1).take(2) {
            d = d.with_label(s.clone(), format!("{what} too"));
        }
        out.push(
            d.help(
                "add `condition: and(succeeded(), ne(variables['System.PullRequest.IsFork'], 'True'))` to the job \
                 (or its stage), or wrap what needs secrets in `${{ if ne(variables['System.PullRequest.IsFork'], 'True') }}:`",
            )
            .note(format!(
                "this pipeline builds pull requests ({why}); Azure Pipelines keeps secrets from builds of forks unless \
                 \"Make secrets available to builds of forks\" is on; with it on, the code of anyone's fork runs \
                 with these secrets and connections"
            )),
        );
    }
}
