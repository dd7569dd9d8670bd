//! `require-extends`: an entry pipeline that does not extend the template `.azplint.yml` requires
//! (`options: { require-extends: { template: security/base.yml@templates } }`). Without that
//! option the rule reports nothing.

use super::shared::pr_jobs::{entry_root, get};
use super::{Context, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::pipeline::walk::for_each_entry;
use crate::templates::Target;
use crate::yaml::{is_expression, Entry, Node};

pub static RULE: Rule = Rule {
    id: "require-extends",
    severity: Severity::Warning,
    summary: "An entry pipeline does not extend the template that `.azplint.yml` requires",
    category: super::Category::Security,
    default_enabled: false,
    check: super::Check::Document(check),
};

/// A template reference without a leading `/` and with the alias trimmed, for comparison.
fn normal(reference: &str) -> String {
    let r = reference.trim();
    let (path, alias) = match r.rsplit_once('@') {
        Some((p, a)) => (p.trim(), Some(a.trim())),
        None => (r, None),
    };
    let path = path.trim_start_matches('/').to_ascii_lowercase();
    match alias {
        Some(a) if !a.eq_ignore_ascii_case("self") => format!("{path}@{}", a.to_ascii_lowercase()),
        _ => path,
    }
}

/// `reference` (written in the pipeline whose root is `root`, or in a template of its chain: the
/// aliases are the pipeline's) names the `required` template: the same path, and the same alias or
/// an alias of the repository the required alias names (`name: org/templates` answers to
/// `@templates` and `@org/templates`).
fn same(root: &Node, reference: &str, required: &str) -> bool {
    let want = normal(required);
    if normal(reference) == want {
        return true;
    }
    let Some((path, alias)) = reference.trim().rsplit_once('@') else {
        return false;
    };
    let Some(name) = repository_name(root, alias.trim()) else {
        return false;
    };
    let last = name.rsplit('/').next().unwrap_or(name);
    [name, last]
        .iter()
        .any(|n| normal(&format!("{path}@{n}")) == want)
}

/// The `name:` of the repository resource with this alias.
fn repository_name<'a>(root: &'a Node, alias: &str) -> Option<&'a str> {
    let repositories = root.get("resources")?.get("repositories")?;
    let mut found = None;
    crate::pipeline::walk::for_each_item(repositories, false, &mut |item| {
        if let crate::pipeline::walk::Item::Node(n, _) = item {
            let is = n
                .get("repository")
                .and_then(|r| r.as_str())
                .is_some_and(|r| r.trim().eq_ignore_ascii_case(alias));
            if is && found.is_none() {
                found = n.get("name").and_then(|v| v.as_str()).map(str::trim);
            }
        }
    });
    found
}

/// The `template:` entries of a document's `extends:`, through its `${{ if }}`/`${{ else }}`
/// blocks (a template may extend one template or another).
fn extends_templates(root: &Node) -> Vec<&Entry> {
    let mut out = Vec::new();
    if let Some(e) = get(root, "extends") {
        for_each_entry(&e.value, 0, &mut |t| {
            if t.key.as_str() == Some("template") {
                out.push(t);
            }
        });
    }
    out
}

/// Whether the `template:` entry `t` (of this file when `file` is `None`, else of that file of
/// the run) is the required template, or a template of the run that extends it, following the
/// chain up to [`MAX_CHAIN`] files. A computed reference, or a local file azplint can't read, is
/// given the benefit of the doubt; another repository's template that is not the required one is
/// not.
fn satisfies(
    ctx: &Context,
    root: &Node,
    file: Option<usize>,
    t: &Entry,
    required: &str,
    depth: usize,
) -> bool {
    let Some(path) = t.value.as_str() else {
        return true;
    };
    if is_expression(path) || same(root, path, required) {
        return true;
    }
    if depth >= MAX_CHAIN {
        return false;
    }
    let start = t.value.span.start;
    let target = match file {
        None => ctx.templates.target(start),
        Some(f) => ctx.templates.target_in(f, start),
    };
    let next = match target {
        Some(Target::File(next)) => next,
        // Another repository's template, not mapped with `--repository`: not the required one by
        // its name; whether it extends it in turn, the note says azplint can't see.
        Some(Target::Remote { .. }) => return false,
        // A file azplint can't read (missing, outside the repository, computed): it may extend
        // the required template; say nothing.
        _ => return true,
    };
    let Some(next_root) = ctx
        .templates
        .template(*next)
        .and_then(|(_, d)| d.root.as_ref())
    else {
        return false;
    };
    extends_templates(next_root)
        .iter()
        .any(|t| satisfies(ctx, root, Some(*next), t, required, depth + 1))
}

/// How many templates deep a chain of `extends:` is followed.
const MAX_CHAIN: usize = 20;

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let Some(required) = ctx
        .config
        .and_then(|c| c.config.options.require_extends.template.as_deref())
        .map(str::trim)
        .filter(|t| !t.is_empty())
    else {
        return;
    };
    let Some(root) = entry_root(ctx) else { return };
    let help = format!(
        "make the pipeline `extends: {{ template: {required} }}` and pass its stages, jobs or steps as that template's parameters"
    );
    let note = "the required template is where the organization's checks run (scans, approvals, the steps every \
                build must have); a pipeline that does not extend it runs without them. Azure can enforce this \
                with a \"Required template\" check on protected resources";
    let templates = extends_templates(root);
    if templates.is_empty() {
        // Point at the pipeline's work: its stages, jobs or steps.
        let at = ["stages", "jobs", "steps", "extends"]
            .iter()
            .find_map(|k| get(root, k))
            .map(|e| e.key.span.clone());
        let Some(at) = at else { return };
        let d = RULE
            .diag(
                at,
                format!("the pipeline does not extend the required template `{required}`"),
            )
            .label("runs without the required template");
        out.push(d.help(help).note(note));
        return;
    }
    if templates
        .iter()
        .any(|t| satisfies(ctx, root, None, t, required, 0))
    {
        return;
    }
    let t = templates[0];
    let path = t.value.as_str().unwrap_or("").trim();
    let label = match ctx.templates.target(t.value.span.start) {
        Some(Target::Remote { .. }) => {
            "another repository's template; if it extends the required one in turn, map its alias with `--repository` so that azplint follows it"
        }
        _ => "another template, which does not extend it either",
    };
    let d = RULE
        .diag(
            t.value.span.clone(),
            format!("the pipeline extends `{path}`, not the required template `{required}`"),
        )
        .label(label);
    out.push(d.help(help).note(note));
}

#[cfg(test)]
mod tests {
    #[test]
    fn references_compare_without_case_slash_or_self() {
        use super::normal;
        assert_eq!(
            normal("/security/Base.yml@Templates"),
            normal("security/base.yml@templates")
        );
        assert_eq!(normal("base.yml@self"), normal("base.yml"));
        assert_ne!(normal("base.yml@templates"), normal("base.yml"));
    }
}
