//! Findings made by the stages before the rules: files that could not be loaded or parsed, problems
//! of the include graph, and repositories whose templates can't be read. Each belongs to a rule of
//! the registry (a stage rule), so levels, suppressions and `explain` treat them like the others.

use crate::diagnostic::{Diagnostic, FileResult};
use crate::discover::WalkError;
use crate::rules;
use crate::source::Source;
use crate::templates::{self, Edge, Target};
use crate::workspace::{LoadProblem, Unloaded};
use crate::yaml::ParseError;

/// The finding for a file the workspace could not load.
pub fn load_finding(display: &str, problem: &LoadProblem) -> Diagnostic {
    match problem {
        LoadProblem::Unreadable { message, help } => {
            rules::unreadable_file::diagnostic(message.clone(), help.clone())
        }
        LoadProblem::NotUtf8 { at, span } => rules::unreadable_file::diagnostic(
            format!("`{display}` is not valid UTF-8 (invalid bytes at byte {at})"),
            "save the file as UTF-8; Azure Pipelines reads pipeline files as UTF-8",
        )
        .at(span.clone(), "invalid UTF-8 here"),
        LoadProblem::TooLarge { len: Some(len) } => {
            rules::file_too_large::diagnostic(display, *len)
        }
        LoadProblem::TooLarge { len: None } => {
            rules::file_too_large::diagnostic_over_limit(display)
        }
    }
}

/// The finding for a file that is not YAML Azure can read (or nests deeper than azplint reads).
pub fn parse_finding(e: &ParseError, text: &str) -> Diagnostic {
    if e.too_deep {
        rules::nesting_too_deep::diagnostic(e, text)
    } else {
        rules::yaml_syntax::diagnostic(e, text)
    }
}

/// Problems of the include graph (cycles, nesting past Azure's limits) and one note per repository
/// alias whose templates can't be read, at its first reference in `order` (path order). Returns
/// `(file, alias, finding)`, with the lowercase alias on the notes (a run of several groups keeps
/// only the first note of each alias over all of them).
pub fn graph_findings(
    edges: &[Vec<Edge>],
    order: &[usize],
    name: &dyn Fn(usize) -> String,
) -> Vec<(usize, Option<String>, Diagnostic)> {
    let mut out = Vec::new();
    for (file, edge, problem) in templates::graph_problems(edges, order) {
        let e = &edges[file][edge];
        out.push((
            file,
            None,
            rules::template_cycle::diagnostic(name, e.span.clone(), &problem),
        ));
    }
    let mut noted = std::collections::HashSet::new();
    for &f in order {
        for e in &edges[f] {
            if let Target::Remote { alias } = &e.target {
                let lower = alias.to_ascii_lowercase();
                if noted.insert(lower.clone()) {
                    out.push((
                        f,
                        Some(lower),
                        rules::remote_template::diagnostic(e.span.clone(), alias),
                    ));
                }
            }
        }
    }
    out
}

/// The results of the files a run could not load: unreadable, not UTF-8 or too large files, and
/// paths that discovery could not read.
pub fn unloaded_files(unloaded: Vec<Unloaded>, walk_errors: Vec<WalkError>) -> Vec<FileResult> {
    let mut out: Vec<FileResult> = unloaded
        .into_iter()
        .map(|u| {
            let d = load_finding(&u.source.display, &u.problem);
            FileResult {
                source: u.source,
                diagnostics: vec![d],
            }
        })
        .collect();
    for e in walk_errors {
        let d = rules::unreadable_file::diagnostic(
            format!("can't read `{}`: {}", e.display, e.message),
            "check that the path exists and that you may read it",
        );
        out.push(FileResult {
            source: Source::new(e.display, None, String::new()),
            diagnostics: vec![d],
        });
    }
    out
}
