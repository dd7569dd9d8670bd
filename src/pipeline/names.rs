//! Stages and jobs with their names and `dependsOn`, by scope (the stages of a pipeline, the jobs
//! of a stage or of a pipeline).

use super::walk::Item;
use crate::yaml::{is_expression, Entry, Node, Span};

#[derive(Debug)]
pub struct Scope<'a> {
    /// `stage` or `job`.
    pub kind: &'static str,
    pub items: Vec<NamedItem<'a>>,
    /// Every item of the scope is visible with a static name: no template references, no
    /// `${{ each }}`/`${{ insert }}` blocks, no names built from expressions.
    pub complete: bool,
}

#[derive(Debug)]
pub struct NamedItem<'a> {
    /// `stage:`, `job:` or `deployment:` entry (the name is its value).
    pub entry: &'a Entry,
    pub name: &'a str,
    /// The name is built from an expression.
    pub dynamic: bool,
    /// Inside a `${{ if }}`/`${{ else }}` block: present in some expansions only.
    pub conditional: bool,
    /// Static `dependsOn` names with their spans.
    pub depends: Vec<(&'a str, Span)>,
    /// Template expressions may decide its dependencies: a `dependsOn` name built from `${{ }}`
    /// (left out of `depends`), or a directive key in the item (`${{ if }}:` around its keys).
    pub computed_depends: bool,
}

/// Items of a list with `${{ if }}` blocks lifted in (marked conditional); `complete` turns false
/// for blocks and items azplint can't see through.
fn items<'a>(list: &'a Node, out: &mut Vec<(&'a Node, bool)>, complete: &mut bool) {
    if list.as_seq().is_none() {
        if !list.is_null() {
            *complete = false;
        }
        return;
    }
    super::walk::for_each_item(list, false, &mut |item| match item {
        Item::Node(n, conditional) if n.as_map().is_some() => out.push((n, conditional)),
        // `- ${{ parameters.jobs }}`, `${{ each }}` blocks, a scalar item.
        _ => *complete = false,
    });
}

fn depends_of(node: &Node) -> Vec<(&str, Span)> {
    let Some(dep) = node.get("dependsOn") else {
        return Vec::new();
    };
    let list: Vec<&Node> = match &dep.kind {
        crate::yaml::NodeKind::Seq(items) => items.iter().collect(),
        crate::yaml::NodeKind::Scalar(..) if !dep.is_null() => vec![dep],
        _ => Vec::new(),
    };
    list.into_iter()
        .filter_map(|n| n.as_str().map(|s| (s.trim(), n.span.clone())))
        .filter(|(s, _)| !s.is_empty() && !is_expression(s))
        .collect()
}

fn scope<'a>(list: &'a Node, kind: &'static str, keys: &[&str]) -> Scope<'a> {
    let mut raw = Vec::new();
    let mut complete = true;
    items(list, &mut raw, &mut complete);
    let mut out = Vec::new();
    for (node, conditional) in raw {
        let entry = node.as_map().and_then(|m| {
            m.iter()
                .find(|e| e.key.as_str().is_some_and(|k| keys.contains(&k)))
        });
        let Some(entry) = entry else {
            complete = false; // a template reference, or something else
            continue;
        };
        let Some(name) = entry.value.as_str().filter(|_| !entry.value.is_null()) else {
            complete = false;
            continue;
        };
        let dynamic = is_expression(name);
        if dynamic {
            complete = false;
        }
        out.push(NamedItem {
            entry,
            name: name.trim(),
            dynamic,
            conditional,
            depends: depends_of(node),
            computed_depends: node.get("dependsOn").is_some_and(|d| match &d.kind {
                crate::yaml::NodeKind::Seq(items) => items
                    .iter()
                    .any(|n| n.as_str().is_some_and(|s| s.contains("${{"))),
                _ => d.as_str().is_some_and(|s| s.contains("${{")),
            }) || node.as_map().is_some_and(|m| {
                m.iter()
                    .any(|e| e.key.as_str().is_some_and(|k| k.contains("${{")))
            }),
        });
    }
    Scope {
        kind,
        items: out,
        complete,
    }
}

/// The stage scope and every job scope of a document.
pub fn scopes(root: &Node) -> Vec<Scope<'_>> {
    let mut out = Vec::new();
    if let Some(stages) = root.get("stages") {
        let s = scope(stages, "stage", &["stage"]);
        // Each stage's `jobs:` (also inside its if-blocks) is a scope of its own.
        let mut raw = Vec::new();
        let mut ignore = true;
        items(stages, &mut raw, &mut ignore);
        for (stage, _) in raw {
            let mut jobs = None;
            crate::pipeline::for_each_entry(stage, 0, &mut |e| {
                if jobs.is_none() && e.key.as_str() == Some("jobs") {
                    jobs = Some(&e.value);
                }
            });
            if let Some(j) = jobs {
                out.push(scope(j, "job", &["job", "deployment"]));
            }
        }
        out.insert(0, s);
    }
    if let Some(jobs) = root.get("jobs") {
        out.push(scope(jobs, "job", &["job", "deployment"]));
    }
    out
}

/// The server's rule for stage and job names: ASCII letters, digits and `_`, not starting with a
/// digit.
pub fn valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(valid_name("Build_1"));
        assert!(valid_name("_x"));
        assert!(!valid_name("1st"));
        assert!(!valid_name("build-and-test"));
        assert!(!valid_name(""));
        assert!(!valid_name("Bühne"));
    }
}
