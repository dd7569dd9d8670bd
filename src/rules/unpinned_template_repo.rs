//! `unpinned-template-repo`: templates taken from a repository resource that follows a branch
//! (no `ref`, `refs/heads/...`, or a bare branch name), so what the pipeline runs changes whenever
//! someone pushes to that branch.

use super::{Context, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::pipeline::walk::{for_each_item, Item};
use crate::yaml::{is_expression, Entry, Node};

pub static RULE: Rule = Rule {
    id: "unpinned-template-repo",
    severity: Severity::Warning,
    summary:
        "Templates come from a repository resource that follows a branch, not a tag or a commit",
    category: super::Category::Security,
    default_enabled: true,
    check: super::Check::Document(check),
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let Some(root) = &ctx.doc.root else { return };
    let Some(repositories) = root.get("resources").and_then(|r| r.get("repositories")) else {
        return;
    };
    let mut resources: Vec<&Node> = Vec::new();
    for_each_item(repositories, false, &mut |item| {
        if let Item::Node(n, _) = item {
            resources.push(n);
        }
    });
    for resource in resources {
        let Some(alias_entry) = resource.entry("repository") else {
            continue;
        };
        let Some(alias) = alias_entry.value.as_str().map(str::trim) else {
            continue;
        };
        if alias.is_empty() || is_expression(alias) {
            continue;
        }
        // The first template reference of this file that takes a template from the alias.
        let Some(used) = ctx.model.template_refs.iter().find(|t| {
            t.path()
                .trim()
                .rsplit_once('@')
                .is_some_and(|(_, a)| a.trim() == alias)
        }) else {
            continue;
        };
        // Repositories and refs the team accepts (`options: unpinned-template-repo: allow:`).
        let allow = ctx.config.map(|c| &c.config.options.unpinned_template_repo);
        let name = resource
            .entry("name")
            .and_then(|e| e.value.as_str())
            .unwrap_or("");
        if allow.is_some_and(|a| a.allows(alias) || (!name.trim().is_empty() && a.allows(name))) {
            continue;
        }
        let r = resource.entry("ref");
        let (at, what) = match r.and_then(|e| e.value.as_str().map(|v| (e, v.trim()))) {
            None if r.is_some() => continue,
            None => (
                alias_entry.key.span.start..alias_entry.value.span.end,
                "has no `ref`, so it follows the repository's default branch".to_string(),
            ),
            Some((e, v)) => match pinned(v) {
                Pin::Pinned | Pin::Unknown => continue,
                Pin::Branch(b) if allow.is_some_and(|a| a.allows(v) || a.allows(b)) => continue,
                Pin::Branch(b) => (e.value.span.clone(), format!("follows the branch `{b}`")),
            },
        };
        out.push(diagnostic(alias, what, at, used.entry));
    }
}

enum Pin<'a> {
    /// A tag or a commit.
    Pinned,
    /// Computed: azplint can't tell.
    Unknown,
    Branch(&'a str),
}

fn pinned(v: &str) -> Pin<'_> {
    if v.is_empty() || is_expression(v) {
        return Pin::Unknown;
    }
    if v.starts_with("refs/tags/") {
        return Pin::Pinned;
    }
    if (7..=40).contains(&v.len()) && v.chars().all(|c| c.is_ascii_hexdigit()) {
        return Pin::Pinned;
    }
    match v.strip_prefix("refs/heads/") {
        Some(b) => Pin::Branch(b),
        // `refs/pull/...` and other refs: not a branch azplint can name.
        None if v.starts_with("refs/") => Pin::Unknown,
        None => Pin::Branch(v),
    }
}

fn diagnostic(alias: &str, what: String, at: crate::yaml::Span, used: &Entry) -> Diagnostic {
    RULE.diag(
        at,
        format!("repository `{alias}` provides templates but {what}"),
    )
    .label("not pinned to a tag or a commit")
    .with_label(used.value.span.clone(), "a template is taken from it here")
    .help(format!(
        "pin `{alias}` with `ref: refs/tags/<tag>` or a commit SHA, and move the pin on purpose when the templates change"
    ))
    .note(
        "templates are expanded into the pipeline before it runs: whoever can push to that branch decides \
         what the next run of this pipeline does, with its secrets and service connections",
    )
}
