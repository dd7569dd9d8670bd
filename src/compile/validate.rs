//! What the server checks once a pipeline is compiled, on the compiled tree: stage names unique in
//! the pipeline and job names unique in their stage, every `dependsOn` naming a stage (or a job of
//! the same stage), and no cycle of dependencies. These are the structure problems that loops and
//! templates create, which no single file shows.
//!
//! Said less where azplint can't know: a list that still holds a `template:` reference (a
//! template of a repository that isn't mapped) may define the missing name, so its names and the
//! dependencies on them are not judged; a pipeline that still `extends` a template it couldn't
//! read is that template's business; names and dependencies that are runtime expressions
//! (`$[ ]`, `$(var)`) or unevaluated `${{ }}` are skipped; stages and jobs without a name get one
//! from the server and are skipped.

use super::value::{Node, Origin, Value};

/// Keys whose content these checks never read: what is under them can't make, remove or rename
/// a stage or a job, nor change a dependency. (`variables` is not one of them: a compile-time
/// variable may decide a name or a condition.)
pub const NOT_READ: &[&str] = &[
    "steps",
    "pool",
    "strategy",
    "container",
    "services",
    "workspace",
    "environment",
    "templateContext",
    "inputs",
    "env",
    "uses",
    "condition",
    "displayName",
];

/// What kind of problem: the lint rule that reports it in `azplint check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    DuplicateName,
    UnknownDependency,
    DependencyCycle,
}

impl Kind {
    pub fn rule(self) -> &'static str {
        match self {
            Kind::DuplicateName => "duplicate-name",
            Kind::UnknownDependency => "unknown-dependency",
            Kind::DependencyCycle => "dependency-cycle",
        }
    }
}

/// A problem of the compiled pipeline: its kind, a message in the server's terms, where the
/// offending text came from and, for a duplicate, where the first use came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub kind: Kind,
    pub message: String,
    pub origin: Origin,
    pub related: Option<Origin>,
}

/// The first problem of the compiled pipeline, in document order.
pub fn check(root: &Node) -> Option<Problem> {
    problems(root).into_iter().next()
}

/// Every problem of the compiled pipeline, in document order: stages first, then the jobs of
/// each stage.
pub fn problems(root: &Node) -> Vec<Problem> {
    let mut out = Vec::new();
    let Some(map) = object(root) else { return out };
    if get(map, "extends").is_some() {
        return out; // a template azplint couldn't read decides what the pipeline is
    }
    if let Some(stages) = get(map, "stages").and_then(array) {
        let stages = items(stages, "stage");
        names_and_dependencies(&stages, "stage", &mut out);
        for stage in stages.iter().filter_map(|s| s.node) {
            if let Some(jobs) = object(stage).and_then(|m| get(m, "jobs")).and_then(array) {
                jobs_problems(jobs, &mut out);
            }
        }
        return out;
    }
    if let Some(jobs) = get(map, "jobs").and_then(array) {
        jobs_problems(jobs, &mut out);
    }
    out
}

fn jobs_problems(jobs: &[Node], out: &mut Vec<Problem>) {
    let mut found = items(jobs, "job");
    // A deployment job is a job by another key.
    for (item, n) in found.iter_mut().zip(jobs) {
        if item.name.is_none() {
            if let Some((name, origin)) = name_of(n, "deployment") {
                item.name = Some(name);
                item.origin = origin;
            }
        }
    }
    names_and_dependencies(&found, "job", out)
}

/// One stage or job of a list.
struct Item<'a> {
    node: Option<&'a Node>,
    name: Option<String>,
    /// Where the name is (else the item).
    origin: Origin,
    /// Its `dependsOn` names with where each is, or `None` when they can't be judged.
    depends: Option<Vec<(String, Origin)>>,
    /// A `template:` reference left in the list (a template azplint couldn't read).
    unread: bool,
}

fn items<'a>(list: &'a [Node], key: &str) -> Vec<Item<'a>> {
    list.iter()
        .map(|n| {
            let map = object(n);
            let unread = map.is_some_and(|m| get(m, "template").is_some());
            let (name, origin) = match name_of(n, key) {
                Some((name, origin)) => (Some(name), origin),
                None => (None, n.origin.clone()),
            };
            let depends = match map.and_then(|m| get_node(m, "dependsOn")) {
                None => Some(Vec::new()),
                Some(d) => dependencies(d),
            };
            Item {
                node: Some(n),
                name,
                origin,
                depends,
                unread,
            }
        })
        .collect()
}

/// The literal name under `key`, when it is one the server would take as written.
fn name_of(n: &Node, key: &str) -> Option<(String, Origin)> {
    let v = get_node(object(n)?, key)?;
    let Value::String(s) = &v.value else {
        return None;
    };
    let s = s.trim();
    (!s.is_empty() && !dynamic(s)).then(|| (s.to_string(), v.origin.clone()))
}

/// `dependsOn` as names: a string or a list of strings; `None` when any part is computed at run
/// time or left unevaluated.
fn dependencies(d: &Node) -> Option<Vec<(String, Origin)>> {
    let one = |n: &Node| -> Option<Option<(String, Origin)>> {
        match &n.value {
            Value::Null => Some(None),
            Value::String(s) if s.trim().is_empty() => Some(None),
            Value::String(s) if dynamic(s) => None,
            Value::String(s) => Some(Some((s.trim().to_string(), n.origin.clone()))),
            _ => None,
        }
    };
    match &d.value {
        Value::Array(list) => {
            let mut out = Vec::new();
            for n in list.iter() {
                out.extend(one(n)?);
            }
            Some(out)
        }
        _ => one(d).map(|o| o.into_iter().collect()),
    }
}

fn dynamic(s: &str) -> bool {
    s.contains("$(") || s.contains("$[") || s.contains("${{")
}

fn names_and_dependencies(list: &[Item], what: &str, out: &mut Vec<Problem>) {
    let unread = list.iter().any(|i| i.unread);
    // Unique names (case-insensitive, as the server compares them).
    if !unread {
        let mut seen: Vec<(String, &Origin)> = Vec::new();
        for item in list {
            let Some(name) = &item.name else { continue };
            let key = name.to_ascii_lowercase();
            if let Some((_, first)) = seen.iter().find(|(s, _)| *s == key) {
                out.push(Problem {
                    kind: Kind::DuplicateName,
                    message: format!(
                        "{what} name `{name}` is used more than once; {what} names must be unique{}",
                        if what == "job" { " within a stage" } else { "" }
                    ),
                    origin: item.origin.clone(),
                    related: Some((*first).clone()),
                });
                continue;
            }
            seen.push((key, &item.origin));
        }
    }
    // Every dependency names a sibling.
    let names: Vec<String> = list
        .iter()
        .filter_map(|i| i.name.as_ref().map(|n| n.to_ascii_lowercase()))
        .collect();
    if !unread && list.iter().all(|i| i.name.is_some()) {
        for item in list {
            for (dep, origin) in item.depends.iter().flatten() {
                if !names.contains(&dep.to_ascii_lowercase()) {
                    out.push(Problem {
                        kind: Kind::UnknownDependency,
                        message: format!(
                            "{what} `{}` depends on `{dep}`, which is not a {what} of the compiled pipeline{}",
                            item.name.as_deref().unwrap_or("?"),
                            if what == "job" { " in this stage" } else { "" }
                        ),
                        origin: origin.clone(),
                        related: None,
                    });
                }
            }
        }
    }
    out.extend(cycle(list, what));
}

/// A cycle of `dependsOn` among named items, reported at the dependency that closes it.
fn cycle(list: &[Item], what: &str) -> Option<Problem> {
    let index = |name: &str| {
        list.iter().position(|i| {
            i.name
                .as_deref()
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
        })
    };
    let edges: Vec<Vec<(usize, &Origin)>> = list
        .iter()
        .map(|i| {
            i.depends
                .iter()
                .flatten()
                .filter_map(|(d, o)| index(d).map(|j| (j, o)))
                .collect()
        })
        .collect();
    // Iterative depth-first search: 0 unvisited, 1 on the stack, 2 done.
    let mut state = vec![0u8; list.len()];
    for start in 0..list.len() {
        if state[start] != 0 {
            continue;
        }
        let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
        state[start] = 1;
        while let Some(&mut (node, ref mut next)) = stack.last_mut() {
            if let Some(&(to, origin)) = edges[node].get(*next) {
                *next += 1;
                match state[to] {
                    0 => {
                        state[to] = 1;
                        stack.push((to, 0));
                    }
                    1 => {
                        let from = list[node].name.as_deref().unwrap_or("?");
                        let target = list[to].name.as_deref().unwrap_or("?");
                        return Some(Problem {
                            kind: Kind::DependencyCycle,
                            message: format!(
                                "{what} `{from}` depends on `{target}`, which depends on `{from}` again: the dependencies form a cycle"
                            ),
                            origin: origin.clone(),
                            related: None,
                        });
                    }
                    _ => {}
                }
            } else {
                state[node] = 2;
                stack.pop();
            }
        }
    }
    None
}

fn object(n: &Node) -> Option<&[(super::Key, Node)]> {
    match &n.value {
        Value::Object(m) => Some(m),
        _ => None,
    }
}

fn array(n: &Node) -> Option<&[Node]> {
    match &n.value {
        Value::Array(a) => Some(a),
        _ => None,
    }
}

fn get_node<'a>(map: &'a [(super::Key, Node)], key: &str) -> Option<&'a Node> {
    map.iter()
        .find(|(k, _)| k.name.eq_ignore_ascii_case(key))
        .map(|(_, v)| v)
}

fn get<'a>(map: &'a [(super::Key, Node)], key: &str) -> Option<&'a Node> {
    get_node(map, key)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compile::Key;

    fn s(v: &str) -> Node {
        Node::new(Value::String(v.into()), Origin::default())
    }
    fn obj(entries: Vec<(&str, Node)>) -> Node {
        Node::new(
            Value::object(
                entries
                    .into_iter()
                    .map(|(k, v)| {
                        (
                            Key {
                                name: k.into(),
                                origin: Origin::default(),
                            },
                            v,
                        )
                    })
                    .collect(),
            ),
            Origin::default(),
        )
    }
    fn arr(items: Vec<Node>) -> Node {
        Node::new(Value::array(items), Origin::default())
    }

    #[test]
    fn duplicates_unknown_dependencies_and_cycles() {
        let jobs = |list: Vec<Node>| obj(vec![("jobs", arr(list))]);
        let dup = jobs(vec![obj(vec![("job", s("a"))]), obj(vec![("job", s("A"))])]);
        let p = check(&dup).unwrap();
        assert_eq!(p.kind.rule(), "duplicate-name");
        assert!(p.message.contains("`A` is used more than once"));
        let unknown = jobs(vec![obj(vec![("job", s("a")), ("dependsOn", s("b"))])]);
        assert!(check(&unknown).unwrap().message.contains("depends on `b`"));
        let cyc = jobs(vec![
            obj(vec![("job", s("a")), ("dependsOn", s("b"))]),
            obj(vec![("job", s("b")), ("dependsOn", arr(vec![s("a")]))]),
        ]);
        let p = check(&cyc).unwrap();
        assert_eq!(p.kind, Kind::DependencyCycle);
        assert!(p.message.contains("cycle"));
        let fine = jobs(vec![
            obj(vec![("job", s("a"))]),
            obj(vec![("deployment", s("b")), ("dependsOn", s("a"))]),
        ]);
        assert_eq!(check(&fine), None);
    }

    #[test]
    fn says_less_where_it_cant_know() {
        let jobs = |list: Vec<Node>| obj(vec![("jobs", arr(list))]);
        // A template of an unmapped repository may define `b`.
        let unread = jobs(vec![
            obj(vec![("job", s("a")), ("dependsOn", s("b"))]),
            obj(vec![("template", s("jobs.yml@tools"))]),
        ]);
        assert_eq!(check(&unread), None);
        let runtime = jobs(vec![obj(vec![("job", s("a")), ("dependsOn", s("$(x)"))])]);
        assert_eq!(check(&runtime), None);
        let extends = obj(vec![("extends", obj(vec![])), ("jobs", arr(vec![]))]);
        assert_eq!(check(&extends), None);
        // An unnamed job gets its name from the server: dependencies are not judged.
        let unnamed = jobs(vec![
            obj(vec![("steps", arr(vec![]))]),
            obj(vec![("job", s("a")), ("dependsOn", s("Job"))]),
        ]);
        assert_eq!(check(&unnamed), None);
    }
}
