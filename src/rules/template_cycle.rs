//! `template-cycle`: templates that include each other, or nesting past Azure's limits
//! (20 levels, 100 files). Emitted by the driver, which sees the whole include graph.

use super::Rule;
use crate::diagnostic::{Diagnostic, Severity};
use crate::templates::{GraphProblem, MAX_FILES, MAX_INCLUDE_DEPTH};

pub static RULE: Rule = Rule {
    id: "template-cycle",
    severity: Severity::Error,
    summary: "Templates include each other in a cycle, or nest deeper than Azure allows",
    category: super::Category::Correctness,
    default_enabled: true,
    check: super::Check::Stage(super::Stage::IncludeGraph),
};

/// The finding for a problem of the include graph; `name` gives the shown path of a file of the
/// graph.
pub fn diagnostic(
    name: &dyn Fn(usize) -> String,
    span: crate::yaml::Span,
    problem: &GraphProblem,
) -> Diagnostic {
    match problem {
        GraphProblem::Cycle { chain } => {
            let mut names: Vec<String> = chain.iter().map(|&i| name(i)).collect();
            if let Some(first) = names.first().cloned() {
                names.push(first);
            }
            RULE.diag(span, "this template reference closes a cycle of includes")
                .label("includes a template that includes this file again")
                .help("break the cycle: move the shared part into a template that includes neither")
                .note(format!("the cycle: {}; Azure Pipelines stops expanding and fails the run", names.join(" → ")))
        }
        GraphProblem::TooDeep { root } => RULE
            .diag(span, format!("templates nest more than {MAX_INCLUDE_DEPTH} levels deep below `{}`", name(*root)))
            .label(format!("level {}", MAX_INCLUDE_DEPTH + 1))
            .help("flatten the chain of templates")
            .note(format!("Azure Pipelines allows at most {MAX_INCLUDE_DEPTH} levels of nested templates")),
        GraphProblem::TooManyFiles { count } => RULE
            .diag(span, format!("this pipeline includes {count} template files, more than Azure's limit of {MAX_FILES}"))
            .label("first include")
            .help("merge small templates, or split the pipeline")
            .note(format!("Azure Pipelines allows at most {MAX_FILES} template files in one pipeline")),
    }
}
