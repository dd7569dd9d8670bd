//! The include graph of a run (one node per file, one edge per `template:` reference): cycles,
//! nesting depth and file count against Azure's limits, and the chain of includes from a root.

use super::Target;
use crate::yaml::Span;

/// Azure's limits on template expansion: levels of nested templates below a root file, and
/// template files in one pipeline.
pub const MAX_INCLUDE_DEPTH: usize = 20;
pub const MAX_FILES: usize = 100;

/// One reference in the include graph.
#[derive(Debug, Clone)]
pub struct Edge {
    /// Byte range of the `template:` value in the including file.
    pub span: Span,
    pub target: Target,
    /// The reference stands in content handed to a template azplint can't read (under
    /// `extends: parameters:` of a remote template): that template decides what becomes of it.
    pub handed: bool,
}

/// Cycles and nesting depth in the include graph. Returns (file, edge index, problem).
pub fn graph_problems(edges: &[Vec<Edge>], order: &[usize]) -> Vec<(usize, usize, GraphProblem)> {
    let n = edges.len();
    let mut out = Vec::new();
    // Walks start from the files nobody else includes, in `order` (path order), so the reference
    // reported for a cycle does not depend on the order files were found in.
    let included = included_by_others(edges);
    let starts: Vec<usize> = order
        .iter()
        .copied()
        .filter(|&f| !included[f])
        .chain(order.iter().copied())
        .chain(0..n)
        .collect();
    // Back edges by iterative DFS: each cycle is reported once, at the reference that closes it.
    let mut color = vec![0u8; n]; // 0 new, 1 on stack, 2 done
    for start in starts {
        if color[start] != 0 {
            continue;
        }
        let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
        color[start] = 1;
        while let Some((node, next)) = stack.last().copied() {
            if next < edges[node].len() {
                stack.last_mut().expect("non-empty").1 += 1;
                if let Target::File(t) = edges[node][next].target {
                    match color[t] {
                        0 => {
                            color[t] = 1;
                            stack.push((t, 0));
                        }
                        1 => {
                            let chain: Vec<usize> = stack
                                .iter()
                                .map(|(f, _)| *f)
                                .skip_while(|f| *f != t)
                                .collect();
                            out.push((node, next, GraphProblem::Cycle { chain }));
                        }
                        _ => {}
                    }
                }
            } else {
                color[node] = 2;
                stack.pop();
            }
        }
    }
    // Depth: the longest chain of includes below each file, ignoring the edges that close cycles.
    let cyclic: std::collections::HashSet<(usize, usize)> =
        out.iter().map(|(f, e, _)| (*f, *e)).collect();
    let mut height: Vec<Option<usize>> = vec![None; n];
    let mut order = Vec::with_capacity(n);
    let mut seen = vec![false; n];
    for start in 0..n {
        if seen[start] {
            continue;
        }
        let mut stack = vec![(start, false)];
        while let Some((node, done)) = stack.pop() {
            if done {
                order.push(node);
                continue;
            }
            if seen[node] {
                continue;
            }
            seen[node] = true;
            stack.push((node, true));
            for (i, e) in edges[node].iter().enumerate() {
                if let Target::File(t) = e.target {
                    if !cyclic.contains(&(node, i)) && !seen[t] {
                        stack.push((t, false));
                    }
                }
            }
        }
    }
    for &node in &order {
        let h = edges[node]
            .iter()
            .enumerate()
            .filter_map(|(i, e)| match e.target {
                Target::File(t) if !cyclic.contains(&(node, i)) => Some(height[t].unwrap_or(0) + 1),
                _ => None,
            })
            .max()
            .unwrap_or(0);
        height[node] = Some(h);
    }
    let included: std::collections::HashSet<usize> = edges
        .iter()
        .flatten()
        .filter_map(|e| match e.target {
            Target::File(t) => Some(t),
            _ => None,
        })
        .collect();
    for root in (0..n).filter(|r| !included.contains(r)) {
        let before = out.len();
        if height[root].unwrap_or(0) > MAX_INCLUDE_DEPTH {
            // Follow the deepest path to the reference at level MAX_INCLUDE_DEPTH + 1.
            let mut node = root;
            for level in 1..=MAX_INCLUDE_DEPTH + 1 {
                let Some((i, t)) =
                    edges[node]
                        .iter()
                        .enumerate()
                        .find_map(|(i, e)| match e.target {
                            Target::File(t)
                                if !cyclic.contains(&(node, i))
                                    && height[t].unwrap_or(0) + 1 == height[node].unwrap_or(0) =>
                            {
                                Some((i, t))
                            }
                            _ => None,
                        })
                else {
                    break;
                };
                if level == MAX_INCLUDE_DEPTH + 1 {
                    // A deep chain shared by two pipelines is reported once.
                    let seen = out[..before].iter().any(|(f, e, p)| {
                        *f == node && *e == i && matches!(p, GraphProblem::TooDeep { .. })
                    });
                    if !seen {
                        out.push((node, i, GraphProblem::TooDeep { root }));
                    }
                    break;
                }
                node = t;
            }
        }
        // Distinct files reachable from the root.
        let mut reach = std::collections::HashSet::new();
        let mut work = vec![root];
        while let Some(f) = work.pop() {
            for e in &edges[f] {
                if let Target::File(t) = e.target {
                    if reach.insert(t) {
                        work.push(t);
                    }
                }
            }
        }
        if reach.len() > MAX_FILES {
            if let Some(first) = edges[root]
                .iter()
                .position(|e| matches!(e.target, Target::File(_)))
            {
                out.push((
                    root,
                    first,
                    GraphProblem::TooManyFiles { count: reach.len() },
                ));
            }
        }
    }
    out
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GraphProblem {
    /// The reference closes a cycle through these files (in include order).
    Cycle { chain: Vec<usize> },
    /// Nesting deeper than [`MAX_INCLUDE_DEPTH`] below `root`.
    TooDeep { root: usize },
    /// More than [`MAX_FILES`] templates below this root.
    TooManyFiles { count: usize },
}

/// Which files another file includes (a file that includes only itself is still a root).
fn included_by_others(edges: &[Vec<Edge>]) -> Vec<bool> {
    let mut included = vec![false; edges.len()];
    for (f, es) in edges.iter().enumerate() {
        for e in es {
            if let Target::File(t) = e.target {
                if t != f {
                    included[t] = true;
                }
            }
        }
    }
    included
}

/// For each file, the chain of includes from a root file: `(including file, span of the reference)`,
/// outermost first. Empty for files that nobody includes.
pub fn include_chains(edges: &[Vec<Edge>], order: &[usize]) -> Vec<Vec<(usize, Span)>> {
    let n = edges.len();
    let included = included_by_others(edges);
    let mut parent: Vec<Option<(usize, Span)>> = vec![None; n];
    let mut seen = vec![false; n];
    let mut queue = std::collections::VecDeque::new();
    let seeds: Vec<usize> = order
        .iter()
        .copied()
        .filter(|&r| !included[r])
        .chain(order.iter().copied())
        .collect();
    for seed in seeds {
        // Roots first; then files reachable only through cycles start their own walk.
        if seen[seed] {
            continue;
        }
        seen[seed] = true;
        queue.push_back(seed);
        while let Some(f) = queue.pop_front() {
            for e in &edges[f] {
                if let Target::File(t) = e.target {
                    if !seen[t] {
                        seen[t] = true;
                        parent[t] = Some((f, e.span.clone()));
                        queue.push_back(t);
                    }
                }
            }
        }
    }
    (0..n)
        .map(|f| {
            let mut chain = Vec::new();
            let mut cur = f;
            while let Some((p, span)) = parent[cur].clone() {
                chain.push((p, span));
                cur = p;
                if chain.len() > n {
                    break;
                }
            }
            chain.reverse();
            chain
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edge(t: usize) -> Edge {
        Edge {
            span: 0..1,
            target: Target::File(t),
            handed: false,
        }
    }

    #[test]
    fn finds_cycles_once() {
        // 0 -> 1 -> 2 -> 1
        let edges = vec![vec![edge(1)], vec![edge(2)], vec![edge(1)]];
        let p = graph_problems(&edges, &(0..edges.len()).collect::<Vec<_>>());
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].0, 2);
        assert!(matches!(&p[0].2, GraphProblem::Cycle { chain } if chain == &vec![1, 2]));
    }

    #[test]
    fn finds_deep_chains() {
        let n = MAX_INCLUDE_DEPTH + 3;
        let edges: Vec<Vec<Edge>> = (0..n)
            .map(|i| if i + 1 < n { vec![edge(i + 1)] } else { vec![] })
            .collect();
        let p = graph_problems(&edges, &(0..edges.len()).collect::<Vec<_>>());
        assert_eq!(
            p,
            vec![(MAX_INCLUDE_DEPTH, 0, GraphProblem::TooDeep { root: 0 })]
        );
        let chains = include_chains(&edges, &(0..n).collect::<Vec<_>>());
        assert_eq!(
            chains[2].iter().map(|(f, _)| *f).collect::<Vec<_>>(),
            vec![0, 1]
        );
    }

    #[test]
    fn wide_includes_are_linear() {
        // One template included 10,000 times from one file.
        let mut edges = vec![(0..10_000).map(|_| edge(1)).collect::<Vec<_>>(), vec![]];
        edges.push(vec![]);
        assert!(graph_problems(&edges, &[0, 1, 2]).is_empty());
    }
}
