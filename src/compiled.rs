//! Findings on the compiled pipeline. An entry pipeline whose stages or jobs come from templates,
//! loops or template expressions is compiled with its default parameters (as `azplint expand`
//! does, from the trees the run already parsed), and the checks the server makes once it has
//! compiled it — unique names, dependencies that name a sibling, no cycle — are reported at the
//! source text the offending value came from, under the rules that make the same checks file by
//! file (`duplicate-name`, `unknown-dependency`, `dependency-cycle`). When the compilation fails
//! because a template gets a parameter it doesn't declare, misses one without a default, or gets
//! a value that is not of its type or not in its `values:` — values that only compiling shows,
//! computed by expressions and loops — that is reported under `unknown-template-parameter`,
//! `missing-template-parameter` or `invalid-template-parameter-value`.
//!
//! Said less where azplint can't know: a pipeline that doesn't compile offline for another
//! reason (a parameter of the pipeline without a default, a template it can't read, an
//! expression error) gets nothing here (the lint rules say why); when the compiler kept a directive or a value as written because it needs
//! something only the server knows (a predefined or queue-time variable), the compiled tree is
//! not judged either.

use crate::compile::expand::{FailKind, Preloaded};
use crate::compile::validate::{Kind, NOT_READ};
use crate::diagnostic::Diagnostic;
use crate::pipeline::names::scopes;
use crate::rules;
use crate::workspace::Workspace;
use crate::yaml::{Node, NodeKind};
use std::collections::HashMap;
use std::path::PathBuf;

/// The files of the run that are entry pipelines worth compiling: included by no file of the run
/// (nor handed to a template azplint can't read), with a key only a pipeline has, and stages or
/// jobs that only the compiled form shows (a `template:` in their list, a directive, a `${{ }}`
/// in a name or a `dependsOn`, or an `extends:`). Other pipelines are judged in full by the
/// rules file by file.
/// A pipeline that `extends` a template of a repository with no local checkout is left out: that
/// template decides what the pipeline is.
pub fn entries(ws: &Workspace, repositories: &HashMap<String, PathBuf>) -> Vec<usize> {
    (0..ws.files.len())
        .filter(|&i| {
            ws.callers[i].is_empty()
                && !ws.handed[i]
                && ws.files[i]
                    .document()
                    .and_then(|d| d.root.as_ref())
                    .is_some_and(|root| {
                        root.as_map().is_some()
                            && rules::shared::pr_jobs::has_pipeline_key(root)
                            && shaped_by_templates(root)
                            && !extends_unread(root, repositories)
                    })
        })
        .collect()
}

/// `extends: template: x.yml@alias` with `alias` not mapped to a checkout (nor `self`), or a
/// template path only the server knows.
fn extends_unread(root: &Node, repositories: &HashMap<String, PathBuf>) -> bool {
    let Some(t) = root
        .get("extends")
        .and_then(|e| e.get("template"))
        .and_then(|t| t.as_str())
    else {
        return false;
    };
    if template_expression(t) {
        return true;
    }
    match t.trim().rsplit_once('@') {
        Some((_, alias)) if !alias.is_empty() && !alias.contains('/') => {
            !alias.eq_ignore_ascii_case("self")
                && !repositories.keys().any(|k| k.eq_ignore_ascii_case(alias))
        }
        _ => false,
    }
}

/// Every file of the run, for the compiler, by canonical path.
pub fn preloaded(ws: &Workspace) -> Preloaded<'_> {
    Preloaded {
        files: ws
            .files
            .iter()
            .filter_map(|f| {
                let docs = f.parsed.as_ref().ok()?;
                Some((
                    f.canonical.clone(),
                    (&f.source, docs.first().and_then(|d| d.root.as_ref())),
                ))
            })
            .collect(),
        located: Default::default(),
        dirs: Default::default(),
        parsed: Default::default(),
    }
}

/// The findings of the compiled pipeline of file `entry`, as `(file of the run, finding)`.
pub fn findings(
    ws: &Workspace,
    entry: usize,
    repositories: &HashMap<String, PathBuf>,
    preloaded: &Preloaded,
) -> Vec<(usize, Diagnostic)> {
    let file = &ws.files[entry];
    let Some(compiled) =
        crate::compile::for_check(&file.canonical, &file.root, repositories, preloaded)
    else {
        return Vec::new();
    };
    let failed = compiled
        .failure
        .as_ref()
        .is_some_and(|f| f.kind != FailKind::Other && f.origin.is_some());
    if compiled.problems.is_empty() && !failed {
        return Vec::new();
    }
    let index: HashMap<&PathBuf, usize> = ws
        .files
        .iter()
        .enumerate()
        .map(|(i, f)| (&f.canonical, i))
        .collect();
    let of = |o: &crate::compile::Origin| -> Option<usize> {
        compiled
            .paths
            .get(o.file)?
            .as_ref()
            .and_then(|p| index.get(p).copied())
    };
    // A decision azplint had to guess may have made or removed stages and jobs: then the
    // compiled pipeline is not judged. Guesses inside steps, pools and the like can't.
    let guessed = compiled.guesses.iter().any(|g| {
        let root = of(g)
            .and_then(|f| ws.files[f].document())
            .and_then(|d| d.root.as_ref());
        root.is_none_or(|r| {
            !keys_above(r, g.span.start)
                .iter()
                .any(|k| NOT_READ.iter().any(|n| n.eq_ignore_ascii_case(k)))
        })
    });
    if guessed {
        return Vec::new();
    }
    let defaults = file
        .document()
        .and_then(|d| d.root.as_ref())
        .and_then(|r| r.get("parameters"))
        .is_some_and(|p| matches!(&p.kind, NodeKind::Seq(items) if !items.is_empty()));
    let context = format!(
        "found in the compiled pipeline of `{}` (templates inlined, template expressions evaluated{}): `azplint expand {}` shows it; Azure Pipelines rejects the pipeline",
        file.source.display,
        if defaults {
            ", with the default values of its parameters: other values may not have this problem"
        } else {
            ""
        },
        file.source.display,
    );
    let mut out = Vec::new();
    if let Some(f) = compiled.failure.filter(|_| failed) {
        let origin = f.origin.unwrap_or_default();
        if let Some(at) = of(&origin) {
            let span = origin.span.clone();
            let d = match f.kind {
                FailKind::UnknownParameter => {
                    rules::unknown_template_parameter::compiled(span, f.message)
                }
                FailKind::MissingParameter => {
                    rules::missing_template_parameter::compiled(span, f.message)
                }
                _ => rules::invalid_template_parameter_value::compiled(span, f.message),
            };
            out.push((
                at,
                d.note(context.replace(
                    "Azure Pipelines rejects",
                    "Azure Pipelines fails to compile",
                )),
            ));
        }
    }
    for p in compiled.problems {
        let Some(at) = of(&p.origin) else { continue };
        let span = p.origin.span.clone();
        let mut d = match p.kind {
            Kind::DuplicateName => rules::duplicate_name::compiled(span, p.message),
            Kind::UnknownDependency => rules::unknown_dependency::compiled(span, p.message),
            Kind::DependencyCycle => rules::dependency_cycle::compiled(span, p.message),
        };
        let mut note = context.clone();
        if let Some(first) = &p.related {
            match of(first) {
                Some(f) if f == at && first.span == p.origin.span => {
                    note = format!(
                        "the template is used more than once and this text makes the name each time; {note}"
                    );
                }
                Some(f) if f == at => {
                    d = d.with_label(first.span.clone(), "first use");
                }
                Some(f) => {
                    let src = &ws.files[f].source;
                    note = format!(
                        "first used at {}:{}; {note}",
                        src.display,
                        src.line_col(first.span.start).line
                    );
                }
                None => {}
            }
        }
        out.push((at, d.note(note)));
    }
    out
}

/// The keys of the mappings that hold the text at `offset`, outermost first.
fn keys_above(root: &Node, offset: usize) -> Vec<&str> {
    let mut out = Vec::new();
    let mut node = root;
    'down: loop {
        match &node.kind {
            NodeKind::Map(entries) => {
                for e in entries {
                    if e.value.span.start <= offset
                        && offset < e.value.span.end.max(e.value.span.start + 1)
                    {
                        out.push(e.key.as_str().unwrap_or(""));
                        node = &e.value;
                        continue 'down;
                    }
                }
                return out;
            }
            NodeKind::Seq(items) => {
                match items
                    .iter()
                    .find(|i| i.span.start <= offset && offset < i.span.end)
                {
                    Some(i) => node = i,
                    None => return out,
                }
            }
            _ => return out,
        }
    }
}

/// The stages or jobs of this pipeline are shaped by what only compiling shows: an `extends:`, a
/// directive at the root, or a stage or job scope that the file alone doesn't show in full (a
/// template reference, a loop or a directive in the list, a name or a `dependsOn` built from an
/// expression).
fn shaped_by_templates(root: &Node) -> bool {
    root.get("extends").is_some()
        || root.as_map().is_some_and(|m| {
            m.iter()
                .any(|e| e.key.as_str().is_some_and(template_expression))
        })
        || scopes(root)
            .iter()
            .any(|s| !s.complete || s.items.iter().any(|i| i.conditional || i.computed_depends))
}

fn template_expression(s: &str) -> bool {
    s.contains("${{")
}
