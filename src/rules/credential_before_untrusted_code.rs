//! `credential-before-untrusted-code`: in a pipeline that builds pull requests, a step leaves a
//! credential on the agent (`docker login`, `persistCredentials: true`, a script that stores
//! `$(System.AccessToken)`) before a later step of the same job runs the pull request's code.

use super::shared::pr_jobs::{
    blocks_mentioning, job_condition_mentions, jobs, mentions_run_reason, pr_entry, pr_reason,
    within,
};
use super::{Context, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::pipeline::walk::for_each_entry;
use crate::pipeline::Step;
use crate::yaml::{Node, Span};

pub static RULE: Rule = Rule {
    id: "credential-before-untrusted-code",
    severity: Severity::Warning,
    summary: "In a pull-request build, a credential is put on the agent before a step runs the pull request's code",
    category: super::Category::Security,
    default_enabled: false,
    check: super::Check::Document(check),
};

#[derive(Debug, PartialEq, serde::Deserialize)]
struct Runner {
    name: String,
    what: String,
}

#[derive(Debug, PartialEq, serde::Deserialize)]
struct File {
    #[serde(rename = "stepKinds")]
    step_kinds: Vec<String>,
    tasks: Vec<Runner>,
}

fn data() -> &'static File {
    static DATA: std::sync::OnceLock<File> = std::sync::OnceLock::new();
    DATA.get_or_init(load)
}

// `load()`: data/untrusted-code.json as code `build.rs` wrote (nothing to parse at run time).
include!(concat!(env!("OUT_DIR"), "/untrusted_code_data.rs"));

/// The task name of a step (`Docker` for `task: Docker@2`), when it is a task step.
fn task_name<'a>(step: &Step<'a>) -> Option<&'a str> {
    if step.kind.kind != "task" {
        return None;
    }
    let r = step.id.value.as_str()?.trim();
    Some(r.split('@').next().unwrap_or(r).trim())
}

/// Whether a step mapping (`script:`, `task: Npm@1`, ...) runs code of the repository, and how.
fn step_runs_code(node: &Node) -> Option<String> {
    let d = data();
    let entries = node.as_map()?;
    for e in entries {
        let Some(k) = e.key.as_str() else { continue };
        if d.step_kinds.iter().any(|s| s == k) {
            return Some(format!("a `{k}` step runs code of the pull request"));
        }
        if k == "task" {
            let r = e.value.as_str()?.trim();
            let name = r.split('@').next().unwrap_or(r).trim();
            let t = d.tasks.iter().find(|t| t.name.eq_ignore_ascii_case(name))?;
            return Some(format!("`{r}` {}", t.what));
        }
    }
    None
}

/// What a step does with the repository's code, when it runs it. A step template of the run is
/// read one level deep: its first step that runs code counts.
fn runs_code(ctx: &Context, step: &Step) -> Option<String> {
    if step.kind.kind != "template" {
        return step_runs_code(step.node);
    }
    let Some(crate::templates::Target::File(i)) = ctx.templates.target(step.id.value.span.start)
    else {
        return None;
    };
    let (_, doc) = ctx.templates.template(*i)?;
    let steps = doc.root.as_ref()?.get("steps")?;
    let mut found = None;
    crate::pipeline::walk::for_each_item(steps, false, &mut |item| {
        if let crate::pipeline::walk::Item::Node(n, _) = item {
            if found.is_none() {
                found = step_runs_code(n);
            }
        }
    });
    let path = step.id.value.as_str().unwrap_or("").trim();
    found.map(|f| format!("the template `{path}`: {f}"))
}

/// A plain entry of the step or of its `inputs:` (through `${{ if }}` blocks), by key ignoring case.
fn entry<'a>(map: &'a Node, key: &str) -> Option<&'a crate::yaml::Entry> {
    let mut found = None;
    for_each_entry(map, 0, &mut |e| {
        if found.is_none() && e.key.as_str().is_some_and(|k| k.eq_ignore_ascii_case(key)) {
            found = Some(e);
        }
    });
    found
}

fn literal_is(e: &crate::yaml::Entry, want: &str) -> bool {
    e.value
        .as_str()
        .is_some_and(|v| v.trim().eq_ignore_ascii_case(want))
}

/// Commands that store a token for later steps (in a file, the git configuration, a pipeline
/// variable), as opposed to using it for one command.
fn stores_token(script: &str) -> bool {
    script.lines().any(|line| {
        let l = line.to_ascii_lowercase();
        (l.contains("git config") && (l.contains("extraheader") || l.contains("credential")))
            || l.contains("docker login")
            || l.contains("helm registry login")
            || l.contains("npm config set")
            || l.contains(".npmrc")
            || l.contains("nuget sources add")
            || l.contains("nuget sources update")
            || l.contains("az devops login")
            || l.contains(".git-credentials")
            || l.contains(".netrc")
            || l.contains("##vso[task.setvariable")
    })
}

/// The text a step runs: a script step's value, or the scalar inputs of a task.
fn script_text(step: &Step) -> String {
    let mut text = String::new();
    if let Some(s) = step.id.value.as_str().filter(|_| step.kind.kind != "task") {
        text.push_str(s);
    }
    if let Some(inputs) = entry(step.node, "inputs") {
        for_each_entry(&inputs.value, 0, &mut |e| {
            if let Some(v) = e.value.as_str() {
                text.push('\n');
                text.push_str(v);
            }
        });
    }
    text
}

/// Where and how a step puts a credential on the agent for the rest of the job.
fn credential(step: &Step) -> Option<(Span, String, &'static str)> {
    if step.kind.kind == "checkout" {
        let e = entry(step.node, "persistCredentials").filter(|e| literal_is(e, "true"))?;
        return Some((
            e.key.span.start..e.value.span.end,
            "`persistCredentials: true` leaves the job's access token in `.git/config`".into(),
            "remove `persistCredentials: true`, or run the git commands that need the token in a job that runs no code of the pull request",
        ));
    }
    if task_name(step).is_some_and(|n| n.eq_ignore_ascii_case("Docker")) {
        let inputs = entry(step.node, "inputs")?;
        let e = entry(&inputs.value, "command").filter(|e| literal_is(e, "login"))?;
        return Some((
            e.key.span.start..e.value.span.end,
            "`docker login` stores the registry's credentials in the agent's Docker configuration".into(),
            "log in to the registry in a job that runs no code of the pull request (push from there), or in the same step that needs it (`buildAndPush` with `containerRegistry`)",
        ));
    }
    let env = entry(step.node, "env")?;
    let mut token = None;
    for_each_entry(&env.value, 0, &mut |e| {
        if token.is_none()
            && e.value
                .as_str()
                .is_some_and(|v| v.to_ascii_lowercase().contains("$(system.accesstoken)"))
        {
            token = Some(e);
        }
    });
    let token = token?;
    if !stores_token(&script_text(step)) {
        return None;
    }
    Some((
        token.key.span.start..token.value.span.end,
        "the script stores `$(System.AccessToken)` where later steps can read it".into(),
        "use the token in the command that needs it (`git -c http.extraheader=...`) instead of storing it, or move the step to a job that runs no code of the pull request",
    ))
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let Some(root) = pr_entry(ctx) else { return };
    let why = pr_reason(root);
    // Jobs, steps and blocks conditioned on why the run started (`Build.Reason`,
    // `Build.SourceBranch`, `System.PullRequest.*`) may not run in pull-request builds.
    let skipped = blocks_mentioning(root, mentions_run_reason);
    for job in jobs(root) {
        if job_condition_mentions(&job, mentions_run_reason)
            || skipped.iter().any(|b| within(&job.node.span, b))
        {
            continue;
        }
        let steps = job.steps(&ctx.model.steps);
        for (i, step) in steps.iter().enumerate() {
            if skipped.iter().any(|b| within(&step.node.span, b))
                || super::shared::pr_jobs::condition_mentions(step.node, mentions_run_reason)
            {
                continue;
            }
            let Some((at, what, help)) = credential(step) else {
                continue;
            };
            let Some((later, runs)) = steps[i + 1..]
                .iter()
                .find_map(|s| runs_code(ctx, s).map(|r| (s, r)))
            else {
                continue;
            };
            out.push(
                RULE.diag(
                    at,
                    format!(
                        "in {}, {what}, and a later step runs the pull request's code",
                        job.shown()
                    ),
                )
                .label("the credential is put on the agent here")
                .with_label(
                    later.id.key.span.start..later.id.value.span.end,
                    format!("{runs} while the credential is on the agent"),
                )
                .help(help)
                .note(format!(
                    "this pipeline builds pull requests ({why}); the code of a pull request (build scripts, tests, \
                     package install hooks, the pipeline's own scripts) is chosen by its author and can read what \
                     earlier steps of the job left on the agent"
                )),
            );
        }
    }
}

#[cfg(test)]
mod data_tests {
    #[test]
    fn the_built_data_is_the_json() {
        let file: super::File =
            serde_json::from_str(include_str!("../../data/untrusted-code.json")).unwrap();
        assert_eq!(&file, super::data());
    }
}
