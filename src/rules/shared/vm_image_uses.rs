//! Where a pipeline names a Microsoft-hosted VM image: every `vmImage:` of a Microsoft-hosted pool
//! (no `name:`, or `Azure Pipelines`), the `image:` of a 1ES Pipeline Templates pool named `Azure
//! Pipelines`, and what such a `vmImage:` reads: the default of `${{ parameters.x }}`, a variable of
//! the file for `$(x)`, or the job's `strategy: matrix:` legs for `$(x)` (a leg counts when its
//! pool, maybe `name: $(Pool)` set per leg, is the hosted one). Pools named after anything else are
//! self-hosted, scale set or 1ES pools, whose images are not Microsoft's. Values built with `${{ }}`,
//! `$( )` or `$[ ]` are left out. A visitor on the one walk, which owns lifting and the depth limit.

use crate::pipeline::for_each_entry;
use crate::pipeline::walk::{walk, At, Flow, Visitor};
use crate::yaml::{is_expression, Entry, Node, NodeKind};

/// Where an image value was found.
pub enum Origin<'a> {
    /// A `vmImage:` key (or the `image:` of a 1ES Pipeline Templates pool named `Azure Pipelines`).
    VmImage,
    /// A variable that a `vmImage: $(variable)` reads.
    Variable(&'a str),
    /// The default of a template parameter that a `vmImage:` reads (`${{ parameters.x }}`).
    Default(&'a str),
    /// A matrix leg's variable that the job's `vmImage: $(variable)` reads.
    Matrix { leg: &'a str, variable: &'a str },
}

#[derive(Default)]
struct Found<'a> {
    values: Vec<(&'a Node, Origin<'a>)>,
    /// Parameters whose value a Microsoft-hosted `vmImage:` reads.
    parameter_uses: Vec<&'a str>,
    /// The document's own parameter declarations: name and default.
    declared: Vec<(&'a str, &'a Node)>,
    /// Variables whose value a Microsoft-hosted `vmImage: $(name)` reads.
    variable_uses: Vec<&'a str>,
    /// The document's variable definitions: name and value.
    variables: Vec<(&'a str, &'a Node)>,
}

/// The variable of a value that is exactly one macro, `$(name)`.
fn macro_name(value: &str) -> Option<&str> {
    let inner = value.trim().strip_prefix("$(")?.strip_suffix(')')?.trim();
    (!inner.is_empty() && !inner.contains(['$', '(', ')'])).then_some(inner)
}

/// The parameter of a value that is exactly `${{ parameters.name }}`.
fn parameter_name(value: &str) -> Option<&str> {
    let inner = value.trim().strip_prefix("${{")?.strip_suffix("}}")?.trim();
    let name = inner.strip_prefix("parameters.")?;
    (!name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .then_some(name)
}

/// A scalar, or each scalar of a sequence (an `object` parameter listing several images).
fn scalars<'a>(node: &'a Node, mut f: impl FnMut(&'a Node)) {
    match &node.kind {
        NodeKind::Scalar(..) => f(node),
        NodeKind::Seq(items) => items
            .iter()
            .filter(|i| matches!(i.kind, NodeKind::Scalar(..)))
            .for_each(f),
        _ => {}
    }
}

/// The first entry named `key` of a mapping, looking into its `${{ if }}` blocks too.
fn entry<'a>(map: &'a Node, key: &str) -> Option<&'a Node> {
    let mut found = None;
    for_each_entry(map, 0, &mut |e| {
        if found.is_none() && e.key.as_str() == Some(key) {
            found = Some(&e.value);
        }
    });
    found
}

/// Whether a pool with this `name:` is the Microsoft-hosted one: no name, or `Azure Pipelines`.
/// A name azplint can't read (an expression) is taken as a self-hosted pool, whose images are
/// not Microsoft's.
fn hosted_name(name: Option<&str>) -> bool {
    name.is_none_or(|n| n.trim().eq_ignore_ascii_case("Azure Pipelines"))
}

/// The visitor: every hosted `vmImage:` (or 1ES `image:`) with the pool that applies where it
/// stands, the variables and parameter declarations it may read, and matrix legs.
struct Uses<'a> {
    found: Found<'a>,
    /// The pool that applies at each open mapping: its own, or the inherited one.
    pools: Vec<Option<&'a Node>>,
}

/// The entries of the top-level `parameters:` mapping (legacy declarations: `name: default`).
fn legacy_declaration(at: &At) -> bool {
    at.depth == 1 && at.key == Some("parameters")
}

impl<'a> Visitor<'a> for Uses<'a> {
    fn enter_map(&mut self, map: &'a Node, at: &At<'a>) -> Flow {
        let inherited = self.pools.last().copied().flatten();
        // The pool that applies here and below: this mapping's own, or the inherited one (a legacy
        // parameter named `pool` is a declaration, not a pool).
        let own = map
            .get("pool")
            .filter(|p| p.as_map().is_some() && !legacy_declaration(at));
        let pool = own.or(inherited);
        self.pools.push(pool);
        if let Some(matrix) = map
            .get("strategy")
            .and_then(|s| s.get("matrix"))
            .filter(|m| m.as_map().is_some())
        {
            matrix_legs(matrix, pool, &mut self.found);
        }
        Flow::Continue
    }

    fn leave_map(&mut self, _: &'a Node, _: &At<'a>) {
        self.pools.pop();
    }

    fn entry(&mut self, e: &'a Entry, at: &At<'a>) -> Flow {
        if legacy_declaration(at) {
            // Walk the defaults, not the legacy declarations' keys themselves.
            return Flow::Continue;
        }
        match e.key.as_str() {
            Some(k @ ("vmImage" | "image")) => {
                let name = at
                    .holder
                    .and_then(|h| h.get("name"))
                    .map(|n| n.as_str().unwrap_or("${{ }}"));
                // 1ES Pipeline Templates select a hosted image with `image:` in a pool named
                // `Azure Pipelines`; elsewhere `image:` is a container image.
                let hosted = match k {
                    "vmImage" => hosted_name(name),
                    _ => name.is_some() && hosted_name(name),
                };
                if let (true, Some(value)) = (hosted, e.value.as_str()) {
                    match (parameter_name(value), macro_name(value)) {
                        (Some(p), _) => self.found.parameter_uses.push(p),
                        (_, Some(v)) => self.found.variable_uses.push(v),
                        _ => self.found.values.push((&e.value, Origin::VmImage)),
                    }
                }
                Flow::Continue
            }
            Some("variables") => {
                definitions(&e.value, &mut self.found);
                Flow::Continue
            }
            // Matrix legs hold variables; `matrix_legs` reads those a `vmImage` uses.
            Some("matrix") => Flow::Skip,
            Some("parameters") if at.depth == 0 => {
                declarations(&e.value, &mut self.found);
                Flow::Continue
            }
            _ => Flow::Continue,
        }
    }
}

/// The top-level `parameters:` of a template: typed (`- name:` with `default:`) or legacy
/// (`name: default`).
fn declarations<'a>(value: &'a Node, found: &mut Found<'a>) {
    match &value.kind {
        NodeKind::Seq(items) => {
            for item in items {
                if let (Some(name), Some(default)) =
                    (item.get("name").and_then(Node::as_str), item.get("default"))
                {
                    found.declared.push((name, default));
                }
            }
        }
        NodeKind::Map(entries) => {
            for e in entries {
                if let Some(name) = e.key.as_str() {
                    found.declared.push((name, &e.value));
                }
            }
        }
        _ => {}
    }
}

/// Variable definitions: `variables: { name: value }` or `variables: [ { name:, value: } ]`.
fn definitions<'a>(value: &'a Node, found: &mut Found<'a>) {
    match &value.kind {
        NodeKind::Map(_) => for_each_entry(value, 0, &mut |e| {
            if let Some(name) = e.key.as_str() {
                found.variables.push((name, &e.value));
            }
        }),
        NodeKind::Seq(items) => {
            for item in items {
                if let (Some(name), Some(value)) =
                    (item.get("name").and_then(Node::as_str), item.get("value"))
                {
                    found.variables.push((name, value));
                }
            }
        }
        _ => {}
    }
}

/// The legs of a job's `strategy: matrix:` whose variable feeds the pool's `vmImage: $(variable)`,
/// when the pool is the Microsoft-hosted one (directly, or through the leg's own pool variable).
fn matrix_legs<'a>(matrix: &'a Node, pool: Option<&'a Node>, found: &mut Found<'a>) {
    let Some(pool) = pool else { return };
    let name = entry(pool, "name").map(|n| n.as_str().unwrap_or("${{ }}"));
    // `vmImage: $(x)`, or the `image: $(x)` of a 1ES Pipeline Templates pool (which needs a name).
    let (variable, needs_name) = match (entry(pool, "vmImage"), entry(pool, "image")) {
        (Some(v), _) => (v, false),
        (None, Some(i)) => (i, true),
        (None, None) => return,
    };
    let Some(variable) = variable.as_str().and_then(macro_name) else {
        return;
    };
    for_each_entry(matrix, 0, &mut |leg| {
        let Some(leg_name) = leg.key.as_str() else {
            return;
        };
        let get = |var: &str| {
            let mut value = None;
            for_each_entry(&leg.value, 0, &mut |e| {
                if value.is_none() && e.key.as_str().is_some_and(|k| k.eq_ignore_ascii_case(var)) {
                    value = Some(e);
                }
            });
            value
        };
        // `name: $(Pool)` with `Pool:` set per leg.
        let leg_pool_name = match name.and_then(macro_name) {
            Some(pool_var) => Some(
                get(pool_var)
                    .and_then(|e| e.value.as_str())
                    .unwrap_or("$(unknown)"),
            ),
            None => name,
        };
        if !hosted_name(leg_pool_name) || (needs_name && leg_pool_name.is_none()) {
            return;
        }
        let Some(image) = get(variable) else { return };
        let Some(value) = image.value.as_str() else {
            return;
        };
        match parameter_name(value) {
            Some(p) => found.parameter_uses.push(p),
            None => found.values.push((
                &image.value,
                Origin::Matrix {
                    leg: leg_name,
                    variable: image.key.as_str().unwrap_or(variable),
                },
            )),
        }
    });
}

/// Every value of `root` that names a Microsoft-hosted image, with where it comes from: hosted
/// `vmImage:` values, and what such a `vmImage:` reads (a parameter's default, a variable of the
/// file, a matrix leg's variable). Each value node once, in document order of discovery.
pub fn hosted_image_values(root: &Node) -> Vec<(&Node, Origin<'_>)> {
    let mut uses = Uses {
        found: Found::default(),
        pools: Vec::new(),
    };
    walk(root, &mut uses);
    let mut found = uses.found;
    for (name, value) in std::mem::take(&mut found.variables) {
        if found
            .variable_uses
            .iter()
            .any(|u| u.eq_ignore_ascii_case(name))
        {
            found.values.push((value, Origin::Variable(name)));
        }
    }
    for (name, default) in std::mem::take(&mut found.declared) {
        if found
            .parameter_uses
            .iter()
            .any(|u| u.eq_ignore_ascii_case(name))
        {
            scalars(default, |n| found.values.push((n, Origin::Default(name))));
        }
    }
    let mut seen = std::collections::HashSet::new();
    found
        .values
        .into_iter()
        .filter(|(node, _)| {
            node.as_str().is_some_and(|v| !is_expression(v)) && seen.insert(node.span.start)
        })
        .collect()
}
