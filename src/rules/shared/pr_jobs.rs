//! Entry pipelines that run for pull requests, and their jobs: what the rules about pull-request
//! builds (`credential-before-untrusted-code`, `fork-secrets-guard`, `self-hosted-pr-pool`,
//! `require-extends`) share.

use crate::pipeline::walk::for_each_entry;
use crate::pipeline::Step;
use crate::rules::Context;
use crate::yaml::{is_expression, Entry, Node, Span};

/// Keys that only a pipeline (never a template) has at its root.
const PIPELINE_KEYS: &[&str] = &[
    "trigger",
    "pr",
    "schedules",
    "resources",
    "name",
    "pool",
    "lockBehavior",
    "appendCommitMessageToRunName",
];

/// The document is an entry pipeline: no file of the run includes it, and its root has a key only
/// a pipeline has (`trigger`, `pr`, `pool`, `resources`, ...). A file with `steps:`, `jobs:` or
/// `stages:` alone may be a template whose caller is not in the run: it is not counted.
pub fn entry_root<'a>(ctx: &Context<'a>) -> Option<&'a Node> {
    let root = ctx.doc.root.as_ref()?;
    if ctx.templates.included() {
        return None;
    }
    has_pipeline_key(root).then_some(root)
}

/// The mapping has a key at its root that only a pipeline has (`trigger`, `pr`, `pool`, ...),
/// directive blocks lifted in.
pub fn has_pipeline_key(root: &Node) -> bool {
    let mut pipeline = false;
    for_each_entry(root, 0, &mut |e| {
        if e.key.as_str().is_some_and(|k| PIPELINE_KEYS.contains(&k)) {
            pipeline = true;
        }
    });
    pipeline
}

/// Whether an entry pipeline runs for pull requests, as written: `Some(None)` when it has no `pr:`
/// key and a `trigger:` that is not `none` (Azure then builds pull requests of GitHub and Bitbucket
/// repositories; for Azure Repos a branch policy decides), `Some(Some(entry))` for a `pr:` that is
/// not `none`; `None` for `pr: none`/`false`, an empty list, a value computed by an expression, or
/// no `pr:` without a `trigger:` or with `trigger: none`.
pub fn pr_trigger(root: &Node) -> Option<Option<&Entry>> {
    let mut found = None;
    for_each_entry(root, 0, &mut |e| {
        if found.is_none() && e.key.as_str() == Some("pr") {
            found = Some(e);
        }
    });
    let Some(e) = found else {
        // No `pr:`: pull requests are built when the pipeline is a CI pipeline, with a `trigger:`
        // that is not `none`. Without `trigger:` (often manual pipelines with runtime parameters)
        // or with `trigger: none` (scheduled, manual or resource-triggered pipelines), their
        // pull-request builds are as a rule turned off in the pipeline's settings: not counted.
        let mut ci = false;
        for_each_entry(root, 0, &mut |t| {
            if t.key.as_str() == Some("trigger") {
                let off = |n: &Node| {
                    n.as_str().is_some_and(|v| {
                        let v = v.trim();
                        v.eq_ignore_ascii_case("none")
                            || v.eq_ignore_ascii_case("false")
                            || is_expression(v)
                    })
                };
                // `trigger: [none]` (a list of one branch named `none`) means none as well.
                let list_of_none = t
                    .value
                    .as_seq()
                    .is_some_and(|items| items.len() == 1 && off(&items[0]));
                ci = !t.value.is_null() && !off(&t.value) && !list_of_none;
            }
        });
        return ci.then_some(None);
    };
    if let Some(s) = e.value.as_str() {
        let s = s.trim();
        if e.value.is_null()
            || s.eq_ignore_ascii_case("none")
            || s.eq_ignore_ascii_case("false")
            || is_expression(s)
        {
            return None;
        }
    }
    if e.value.as_seq().is_some_and(|s| s.is_empty()) {
        return None;
    }
    Some(Some(e))
}

/// The entry pipeline of this document when it runs for pull requests.
pub fn pr_entry<'a>(ctx: &Context<'a>) -> Option<&'a Node> {
    let root = entry_root(ctx)?;
    pr_trigger(root)?;
    Some(root)
}

/// How a rule says that the pipeline runs for pull requests.
pub fn pr_reason(root: &Node) -> &'static str {
    match pr_trigger(root) {
        Some(Some(_)) => "its `pr:` trigger is not `none`",
        _ => "it has a CI `trigger:` and no `pr:` key: Azure builds the pull requests of a GitHub or Bitbucket repository, and a branch policy can build those of Azure Repos",
    }
}

/// A job of an entry pipeline: a `job:`/`deployment:` item, or the pipeline itself when it has
/// `steps:` at its root.
pub struct Job<'a> {
    /// The job's mapping (the root for a pipeline with steps at its root).
    pub node: &'a Node,
    /// The `job:`/`deployment:` entry; `None` for steps at the root.
    pub entry: Option<&'a Entry>,
    /// The stage holding the job.
    pub stage: Option<&'a Node>,
}

impl<'a> Job<'a> {
    /// `job `build`` or `the pipeline's steps`.
    pub fn shown(&self) -> String {
        match self.entry {
            Some(e) => format!(
                "{} `{}`",
                e.key.as_str().unwrap_or("job"),
                e.value.as_str().unwrap_or("").trim()
            ),
            None => "the pipeline's job".to_string(),
        }
    }

    /// The steps of the job written in this file, in document order.
    pub fn steps<'m>(&self, steps: &'m [Step<'a>]) -> Vec<&'m Step<'a>> {
        let mut out: Vec<&Step> = steps
            .iter()
            .filter(|s| within(&s.node.span, &self.node.span))
            .collect();
        out.sort_by_key(|s| s.node.span.start);
        out
    }
}

pub fn within(inner: &Span, outer: &Span) -> bool {
    outer.start <= inner.start && inner.end <= outer.end
}

/// The value of a plain key of a mapping, looking through its `${{ if }}` blocks.
pub fn get<'a>(map: &'a Node, key: &str) -> Option<&'a Entry> {
    let mut found = None;
    for_each_entry(map, 0, &mut |e| {
        if found.is_none() && e.key.as_str() == Some(key) {
            found = Some(e);
        }
    });
    found
}

/// The stages written in this file: `stage:` mappings wherever they are (under `stages:`, or in
/// what `extends: parameters:` hands to a template).
pub fn stages(root: &Node) -> Vec<&Node> {
    fn go<'a>(n: &'a Node, depth: usize, out: &mut Vec<&'a Node>) {
        if depth >= crate::yaml::MAX_DEPTH {
            return;
        }
        if let Some(entries) = n.as_map() {
            if get(n, "stage").is_some_and(|e| e.value.as_str().is_some() && !e.value.is_null()) {
                out.push(n);
                return;
            }
            for e in entries {
                go(&e.value, depth + 1, out);
            }
        } else if let Some(items) = n.as_seq() {
            for i in items {
                go(i, depth + 1, out);
            }
        }
    }
    let mut out = Vec::new();
    go(root, 0, &mut out);
    out
}

/// The jobs written in this file: `job:`/`deployment:` mappings wherever they are (under
/// `stages:`, `jobs:`, or in what `extends: parameters:` hands to a template), with the stage
/// around each, and the pipeline itself when it has `steps:` at its root.
pub fn jobs(root: &Node) -> Vec<Job<'_>> {
    fn go<'a>(n: &'a Node, depth: usize, stage: Option<&'a Node>, out: &mut Vec<Job<'a>>) {
        if depth >= crate::yaml::MAX_DEPTH {
            return;
        }
        if let Some(entries) = n.as_map() {
            let named = |key: &str| {
                get(n, key).filter(|e| e.value.as_str().is_some() && !e.value.is_null())
            };
            let mut stage = stage;
            if named("stage").is_some() {
                stage = Some(n);
            }
            if let Some(entry) = named("job").or_else(|| named("deployment")) {
                out.push(Job {
                    node: n,
                    entry: Some(entry),
                    stage,
                });
                return;
            }
            for e in entries {
                go(&e.value, depth + 1, stage, out);
            }
        } else if let Some(items) = n.as_seq() {
            for i in items {
                go(i, depth + 1, stage, out);
            }
        }
    }
    let mut out = Vec::new();
    go(root, 0, None, &mut out);
    if get(root, "steps").is_some() {
        out.push(Job {
            node: root,
            entry: None,
            stage: None,
        });
    }
    out
}

/// The text mentions `System.PullRequest.IsFork` (in any case, as a macro, an expression's
/// `variables['System.PullRequest.IsFork']` or `variables.System.PullRequest.IsFork`).
pub fn mentions_is_fork(text: &str) -> bool {
    text.to_ascii_lowercase()
        .contains("system.pullrequest.isfork")
}

/// The text looks at why, for what or how the run was started: `Build.Reason`,
/// `Build.SourceBranch` (a pull-request build's is `refs/pull/<n>/merge`), `System.PullRequest.*`,
/// or a runtime parameter (`parameters.x`: a pull-request build takes its default, which the
/// person who queues a manual run changes). A job, stage or step under such a condition may not
/// run in pull-request builds at all: azplint doesn't judge it.
pub fn mentions_run_reason(text: &str) -> bool {
    let t = text.to_ascii_lowercase();
    t.contains("build.reason")
        || t.contains("build.sourcebranch")
        || t.contains("system.pullrequest")
        || t.contains("parameters.")
}

/// The `condition:` of a job or stage satisfies `test`.
pub fn condition_mentions(node: &Node, test: fn(&str) -> bool) -> bool {
    get(node, "condition")
        .and_then(|e| e.value.as_str())
        .is_some_and(test)
}

/// The job, or its stage, has a condition that satisfies `test`.
pub fn job_condition_mentions(job: &Job, test: fn(&str) -> bool) -> bool {
    condition_mentions(job.node, test) || job.stage.is_some_and(|s| condition_mentions(s, test))
}

/// The spans of the content of `${{ if }}`/`${{ elseif }}` blocks whose condition satisfies
/// `test`, anywhere in the document.
pub fn blocks_mentioning(root: &Node, test: fn(&str) -> bool) -> Vec<Span> {
    fn go(n: &Node, depth: usize, test: fn(&str) -> bool, out: &mut Vec<Span>) {
        if depth >= crate::yaml::MAX_DEPTH {
            return;
        }
        if let Some(entries) = n.as_map() {
            for e in entries {
                if let Some(k) = e.key.as_str() {
                    let d = crate::yaml::directive_of(k);
                    if matches!(d, Some("if") | Some("elseif")) && test(k) {
                        out.push(e.value.span.clone());
                    }
                }
                go(&e.value, depth + 1, test, out);
            }
        } else if let Some(items) = n.as_seq() {
            for i in items {
                go(i, depth + 1, test, out);
            }
        }
    }
    let mut out = Vec::new();
    go(root, 0, test, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root(text: &str) -> crate::yaml::Document {
        crate::yaml::parse(text).unwrap().remove(0)
    }

    #[test]
    fn pr_triggers() {
        for (text, pr) in [
            ("pr: none\nsteps: []\n", false),
            ("pr: 'None'\nsteps: []\n", false),
            ("pr: []\nsteps: []\n", false),
            ("pr: ${{ parameters.pr }}\nsteps: []\n", false),
            ("pr:\n- main\nsteps: []\n", true),
            ("pr:\n  branches:\n    include: [main]\nsteps: []\n", true),
            ("trigger: none\nsteps: []\n", false),
            ("trigger: none\npr:\n- main\nsteps: []\n", true),
            ("pool: x\nsteps: []\n", false),
            ("trigger:\n- none\nsteps: []\n", false),
            ("trigger:\n- main\nsteps: []\n", true),
        ] {
            let d = root(text);
            assert_eq!(pr_trigger(d.root.as_ref().unwrap()).is_some(), pr, "{text}");
        }
    }

    #[test]
    fn finds_jobs_and_fork_blocks() {
        let d = root("stages:\n- stage: a\n  jobs:\n  - job: b\n    steps: []\n  - deployment: c\n  - template: t.yml\njobs:\n- job: d\n  ${{ if eq(variables['System.PullRequest.IsFork'], 'False') }}:\n    variables:\n    - group: g\n");
        let r = d.root.as_ref().unwrap();
        let names: Vec<String> = jobs(r).iter().map(|j| j.shown()).collect();
        assert_eq!(names, ["job `b`", "deployment `c`", "job `d`"]);
        assert_eq!(blocks_mentioning(r, mentions_is_fork).len(), 1);
        assert_eq!(blocks_mentioning(r, mentions_run_reason).len(), 1);
    }
}
