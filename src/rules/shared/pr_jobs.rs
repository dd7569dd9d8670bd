//! Entry pipelines that run for pull requests, and their jobs: what the rules about pull-request
//! builds (`credential-before-untrusted-code`, `fork-secrets-guard`, `self-hosted-pr-pool`,
//! `require-extends`) share.

use crate::pipeline::walk::{for_each_entry, for_each_item, Item};
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
    root.as_map()?;
    if ctx.templates.included() {
        return None;
    }
    let mut pipeline = false;
    for_each_entry(root, 0, &mut |e| {
        if e.key.as_str().is_some_and(|k| PIPELINE_KEYS.contains(&k)) {
            pipeline = true;
        }
    });
    pipeline.then_some(root)
}

/// Whether an entry pipeline runs for pull requests, as written: `Some(None)` when it has no `pr:`
/// key (Azure then builds pull requests of GitHub and Bitbucket repositories; for Azure Repos a
/// branch policy decides), `Some(Some(entry))` for a `pr:` that is not `none`; `None` for
/// `pr: none`/`false`, an empty list, or a value computed by an expression.
pub fn pr_trigger(root: &Node) -> Option<Option<&Entry>> {
    let mut found = None;
    for_each_entry(root, 0, &mut |e| {
        if found.is_none() && e.key.as_str() == Some("pr") {
            found = Some(e);
        }
    });
    let Some(e) = found else {
        return Some(None);
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
        _ => "it has no `pr:` key: Azure builds the pull requests of a GitHub or Bitbucket repository, and a branch policy can build those of Azure Repos",
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

fn mappings(list: &Node) -> Vec<&Node> {
    let mut out = Vec::new();
    if list.as_seq().is_none() {
        return out;
    }
    for_each_item(list, false, &mut |item| {
        if let Item::Node(n, _) = item {
            if n.as_map().is_some() {
                out.push(n);
            }
        }
    });
    out
}

fn jobs_of<'a>(list: &'a Node, stage: Option<&'a Node>, out: &mut Vec<Job<'a>>) {
    for job in mappings(list) {
        let entry = get(job, "job").or_else(|| get(job, "deployment"));
        if let Some(entry) = entry {
            out.push(Job {
                node: job,
                entry: Some(entry),
                stage,
            });
        }
    }
}

/// The stages of a pipeline written in this file (`- stage:` items).
pub fn stages(root: &Node) -> Vec<&Node> {
    match get(root, "stages") {
        Some(s) => mappings(&s.value)
            .into_iter()
            .filter(|n| get(n, "stage").is_some())
            .collect(),
        None => Vec::new(),
    }
}

/// The jobs written in this file: those of its stages, of its `jobs:`, or its root `steps:`.
pub fn jobs(root: &Node) -> Vec<Job<'_>> {
    let mut out = Vec::new();
    for stage in stages(root) {
        if let Some(j) = get(stage, "jobs") {
            jobs_of(&j.value, Some(stage), &mut out);
        }
    }
    if let Some(j) = get(root, "jobs") {
        jobs_of(&j.value, None, &mut out);
    }
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

/// The `condition:` of a job or stage mentions `System.PullRequest.IsFork`.
pub fn condition_checks_fork(node: &Node) -> bool {
    get(node, "condition")
        .and_then(|e| e.value.as_str())
        .is_some_and(mentions_is_fork)
}

/// The spans of the content of `${{ if }}`/`${{ elseif }}` blocks whose condition mentions
/// `System.PullRequest.IsFork`, anywhere in the document.
pub fn fork_blocks(root: &Node) -> Vec<Span> {
    fn go(n: &Node, depth: usize, out: &mut Vec<Span>) {
        if depth >= crate::yaml::MAX_DEPTH {
            return;
        }
        if let Some(entries) = n.as_map() {
            for e in entries {
                if let Some(k) = e.key.as_str() {
                    let d = crate::yaml::directive_of(k);
                    if matches!(d, Some("if") | Some("elseif")) && mentions_is_fork(k) {
                        out.push(e.value.span.clone());
                    }
                }
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
            ("trigger: none\nsteps: []\n", true),
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
        assert_eq!(fork_blocks(r).len(), 1);
    }
}
