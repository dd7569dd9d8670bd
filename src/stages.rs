//! Findings made by the stages before the rules: files that could not be loaded or parsed, problems
//! of the include graph, and repositories whose templates can't be read. Each belongs to a rule of
//! the registry (a stage rule), so levels, suppressions and `explain` treat them like the others.

use crate::diagnostic::Diagnostic;
use crate::rules;
use crate::templates::{self, Edge, Target};
use crate::workspace::LoadProblem;
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
/// `(file, finding)`.
pub fn graph_findings(
    edges: &[Vec<Edge>],
    order: &[usize],
    name: &dyn Fn(usize) -> String,
) -> Vec<(usize, Diagnostic)> {
    let mut out = Vec::new();
    for (file, edge, problem) in templates::graph_problems(edges, order) {
        let e = &edges[file][edge];
        out.push((
            file,
            rules::template_cycle::diagnostic(name, e.span.clone(), &problem),
        ));
    }
    let mut noted = std::collections::HashSet::new();
    for &f in order {
        for e in &edges[f] {
            if let Target::Remote { alias } = &e.target {
                if noted.insert(alias.to_ascii_lowercase()) {
                    out.push((f, rules::remote_template::diagnostic(e.span.clone(), alias)));
                }
            }
        }
    }
    out
}
