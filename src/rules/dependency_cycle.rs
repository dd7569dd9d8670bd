//! `dependency-cycle`: stages or jobs that depend on each other in a cycle.

use super::{Context, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::pipeline::names::scopes;

pub static RULE: Rule = Rule {
    id: "dependency-cycle",
    severity: Severity::Error,
    summary: "Stages or jobs depend on each other in a cycle",
    category: super::Category::Correctness,
    default_enabled: true,
    check: super::Check::Document(check),
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let Some(root) = &ctx.doc.root else { return };
    for scope in scopes(root) {
        // Items of `${{ if }}`/`${{ else }}` branches may never exist together: left out.
        let items: Vec<_> = scope
            .items
            .iter()
            .filter(|i| !i.dynamic && !i.conditional)
            .collect();
        let index = |name: &str| items.iter().position(|i| i.name.eq_ignore_ascii_case(name));
        let edges: Vec<Vec<(usize, usize)>> = items
            .iter()
            .map(|i| {
                i.depends
                    .iter()
                    .enumerate()
                    .filter_map(|(k, (d, _))| index(d).map(|t| (t, k)))
                    .collect()
            })
            .collect();
        // Iterative DFS; report each back edge once, at the `dependsOn` entry that closes the cycle.
        let mut color = vec![0u8; items.len()];
        for start in 0..items.len() {
            if color[start] != 0 {
                continue;
            }
            let mut stack = vec![(start, 0usize)];
            color[start] = 1;
            while let Some(&(node, next)) = stack.last() {
                if next < edges[node].len() {
                    stack.last_mut().expect("non-empty").1 += 1;
                    let (t, k) = edges[node][next];
                    match color[t] {
                        0 => {
                            color[t] = 1;
                            stack.push((t, 0));
                        }
                        1 => {
                            let mut chain: Vec<&str> = stack
                                .iter()
                                .map(|(f, _)| items[*f].name)
                                .skip_while(|n| !n.eq_ignore_ascii_case(items[t].name))
                                .collect();
                            chain.push(items[t].name);
                            let span = items[node].depends[k].1.clone();
                            if t == node {
                                out.push(
                                    RULE.diag(span, format!("{} `{}` depends on itself", scope.kind, items[node].name))
                                        .label("self-dependency")
                                        .help("remove it from its own `dependsOn`")
                                        .note("Azure Pipelines rejects the pipeline: a dependency cycle can never start"),
                                );
                                continue;
                            }
                            out.push(
                                RULE.diag(
                                    span,
                                    format!(
                                        "{} `{}` depends on `{}`, which depends on it in turn",
                                        scope.kind, items[node].name, items[t].name
                                    ),
                                )
                                .label("closes a cycle")
                                .help("remove one of the dependencies of the cycle")
                                .note(format!(
                                    "the cycle: {}; Azure Pipelines rejects the pipeline",
                                    chain.join(" → ")
                                )),
                            );
                        }
                        _ => {}
                    }
                } else {
                    color[node] = 2;
                    stack.pop();
                }
            }
        }
    }
}

/// The finding for a cycle of `dependsOn` in the compiled pipeline (stages and jobs produced by
/// templates or loops), at the dependency that closes it.
pub fn compiled(span: crate::yaml::Span, message: String) -> Diagnostic {
    RULE.diag(span, message)
        .label("closes a cycle once the pipeline is compiled")
        .help("remove one of the dependencies of the cycle")
}
