//! `self-hosted-pr-pool`: a pipeline that builds pull requests runs a job on a named agent pool
//! (self-hosted agents, scale set or managed pools), where the pull request's code runs on a
//! machine that later builds reuse, unless `.azplint.yml` allows that pool.

use super::shared::pr_jobs::{
    blocks_mentioning, condition_mentions, get, jobs, mentions_run_reason, pr_entry, pr_reason,
    stages, within,
};
use super::{Context, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::yaml::{is_expression, Node};

pub static RULE: Rule = Rule {
    id: "self-hosted-pr-pool",
    severity: Severity::Warning,
    summary: "A pull-request build runs on a named (self-hosted) agent pool, not a Microsoft-hosted image",
    category: super::Category::Security,
    default_enabled: false,
    check: super::Check::Document(check),
};

/// Names Azure gives Microsoft-hosted pools, and `server` (agentless jobs: no agent at all).
fn hosted(name: &str) -> bool {
    let n = name.trim();
    n.eq_ignore_ascii_case("Azure Pipelines")
        || n.eq_ignore_ascii_case("server")
        || n.get(..6).is_some_and(|p| p.eq_ignore_ascii_case("Hosted"))
}

/// The named pool of a `pool:` value: `pool: Name` or `pool: { name: Name }`, as the span of the
/// name and the name. A computed name is not judged.
fn named(pool: &Node) -> Option<(crate::yaml::Span, &str)> {
    let (node, name) = match pool.as_str() {
        Some(s) if !pool.is_null() => (pool, s.trim()),
        Some(_) => return None,
        None => {
            // A pool chosen per expansion (`${{ if }}`/`${{ else }}` inside `pool:`): not judged.
            if pool
                .as_map()?
                .iter()
                .any(|e| e.key.as_str().is_some_and(crate::yaml::is_directive_key))
            {
                return None;
            }
            let e = get(pool, "name")?;
            (&e.value, e.value.as_str()?.trim())
        }
    };
    if name.is_empty() || is_expression(name) || hosted(name) {
        return None;
    }
    Some((node.span.clone(), name))
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let Some(root) = pr_entry(ctx) else { return };
    let why = pr_reason(root);
    let allowed = ctx.config.map(|c| &c.config.options.self_hosted_pr_pool);
    // Stages and jobs conditioned on why the run started (`Build.Reason`, `Build.SourceBranch`,
    // `System.PullRequest.*`) may not run in pull-request builds.
    let skipped = blocks_mentioning(root, mentions_run_reason);
    let runs = |n: &Node| {
        !condition_mentions(n, mentions_run_reason) && !skipped.iter().any(|b| within(&n.span, b))
    };
    let mut holders: Vec<(&Node, String)> = vec![(root, "the pipeline".to_string())];
    for stage in stages(root).into_iter().filter(|s| runs(s)) {
        let name = get(stage, "stage")
            .and_then(|e| e.value.as_str())
            .unwrap_or("")
            .trim();
        holders.push((stage, format!("stage `{name}`")));
    }
    for job in jobs(root) {
        if job.entry.is_some() && runs(job.node) && job.stage.is_none_or(runs) {
            holders.push((job.node, job.shown()));
        }
    }
    for (holder, shown) in holders {
        let Some(pool) = get(holder, "pool") else {
            continue;
        };
        let Some((at, name)) = named(&pool.value) else {
            continue;
        };
        if allowed.is_some_and(|a| a.allows(name)) {
            continue;
        }
        out.push(
            RULE.diag(
                at,
                format!("{shown} builds pull requests on the agent pool `{name}`, not on a Microsoft-hosted agent"),
            )
            .label("a named pool: self-hosted, scale set or managed agents")
            .help(format!(
                "run pull-request builds on a Microsoft-hosted image (`pool: {{ vmImage: ubuntu-latest }}`); if `{name}` \
                 gives each job a fresh machine, allow it under `options: {{ self-hosted-pr-pool: {{ allow: [\"{name}\"] }} }}` in .azplint.yml"
            ))
            .note(format!(
                "this pipeline builds pull requests ({why}); the code of a pull request runs on the agent, and on a \
                 self-hosted agent that is reused it can leave behind files, tools or processes that later builds \
                 (with secrets and service connections) pick up, and reach the network the agent sits in"
            )),
        );
    }
}
