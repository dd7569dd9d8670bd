//! What a service connection input names: a literal, or a `$(var)` / `${{ variables.x }}` /
//! `${{ parameters.x }}` that resolves to one literal in the file (or its variable templates).

use super::for_each_entry;
use super::walk::{At, Flow, Item, Visitor};
use crate::yaml::{is_expression, Entry, Node, NodeKind};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValueName {
    /// Written as is.
    Literal(String),
    /// Resolved through a variable or a parameter default; `via` says how.
    Resolved { name: String, via: String },
    /// Can't tell; says why.
    Unknown(String),
}

impl ValueName {
    pub fn name(&self) -> Option<&str> {
        match self {
            ValueName::Literal(n) | ValueName::Resolved { name: n, .. } => Some(n),
            ValueName::Unknown(_) => None,
        }
    }
}

/// The variable named by `$(x)`, `${{ variables.x }}` or `${{ variables['x'] }}`.
fn variable_reference(v: &str) -> Option<&str> {
    let v = v.trim();
    if let Some(inner) = v.strip_prefix("$(").and_then(|r| r.strip_suffix(')')) {
        return Some(inner.trim()).filter(|n| !n.contains(['(', ')', '$']));
    }
    let inner = v.strip_prefix("${{")?.strip_suffix("}}")?.trim();
    if let Some(n) = inner.strip_prefix("variables.") {
        return Some(n.trim());
    }
    inner
        .strip_prefix("variables[")
        .and_then(|r| r.strip_suffix(']'))
        .map(|r| r.trim().trim_matches(['\'', '"']))
}

/// The parameter named by `${{ parameters.x }}` or `${{ parameters['x'] }}`.
fn parameter_reference(v: &str) -> Option<&str> {
    let inner = v.trim().strip_prefix("${{")?.strip_suffix("}}")?.trim();
    if let Some(n) = inner.strip_prefix("parameters.") {
        return Some(n.trim()).filter(|n| {
            n.chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
        });
    }
    inner
        .strip_prefix("parameters[")
        .and_then(|r| r.strip_suffix(']'))
        .map(|r| r.trim().trim_matches(['\'', '"']))
}

/// Every literal value given to variable `name` in `variables:` sections of this tree (mapping
/// and list forms, at any scope), plus the roots of variable templates it references.
fn collect<'a>(
    node: &'a Node,
    name: &str,
    values: &mut Vec<&'a Node>,
    templates: &mut Vec<&'a Node>,
) {
    struct Sections<'n, 'a> {
        name: &'n str,
        values: &'n mut Vec<&'a Node>,
        templates: &'n mut Vec<&'a Node>,
    }
    impl<'a> Visitor<'a> for Sections<'_, 'a> {
        fn entry(&mut self, e: &'a Entry, _: &At<'a>) -> Flow {
            if e.key.as_str() == Some("variables") {
                variables_section(&e.value, self.name, self.values, self.templates);
            }
            Flow::Continue
        }
    }
    super::walk::walk(
        node,
        &mut Sections {
            name,
            values,
            templates,
        },
    );
}

fn variables_section<'a>(
    v: &'a Node,
    name: &str,
    values: &mut Vec<&'a Node>,
    templates: &mut Vec<&'a Node>,
) {
    match &v.kind {
        NodeKind::Map(_) => for_each_entry(v, 0, &mut |e| {
            if e.key.as_str().is_some_and(|k| k.eq_ignore_ascii_case(name)) {
                values.push(&e.value);
            }
        }),
        NodeKind::Seq(_) => super::walk::for_each_item(v, true, &mut |item| {
            let Item::Node(item, _) = item else { return };
            if item
                .get("name")
                .and_then(Node::as_str)
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
            {
                if let Some(val) = item.get("value") {
                    values.push(val);
                }
            }
            if let Some(t) = item.get("template") {
                templates.push(t);
            }
        }),
        _ => {}
    }
}

/// What the callers of a template pass for a parameter: `(path:line, literal value)` per call.
pub type Callers<'c> = dyn Fn(&str) -> Vec<(String, Option<String>)> + 'c;

/// What the connection value `value` (an input's value) names, in the document `root`.
/// `template_root` gives the root of a variable template by the span start of its `template:` value.
pub fn resolve_name<'a>(
    value: &str,
    root: &'a Node,
    template_root: &dyn Fn(usize) -> Option<&'a Node>,
    callers: &Callers,
) -> ValueName {
    let v = value.trim();
    if !is_expression(v) {
        return ValueName::Literal(v.to_string());
    }
    if let Some(var) = variable_reference(v) {
        let mut values = Vec::new();
        let mut templates = Vec::new();
        collect(root, var, &mut values, &mut templates);
        for t in templates {
            if let Some(troot) = template_root(t.span.start) {
                let mut more = Vec::new();
                collect(troot, var, &mut values, &mut more);
                if let Some(vars) = troot.get("variables") {
                    variables_section(vars, var, &mut values, &mut more);
                }
            }
        }
        let literals: Vec<&str> = values.iter().filter_map(|n| n.as_str()).collect();
        if values.is_empty() {
            return ValueName::Unknown(format!("variable `{var}` is not defined in this file (it may come from the pipeline settings, a variable group or a caller)"));
        }
        if literals.len() != values.len() || literals.iter().any(|l| is_expression(l)) {
            return ValueName::Unknown(format!("variable `{var}` is set from an expression"));
        }
        let first = literals[0].trim();
        if literals.iter().any(|l| l.trim() != first) {
            return ValueName::Unknown(format!(
                "variable `{var}` has different values in different scopes"
            ));
        }
        return ValueName::Resolved {
            name: first.to_string(),
            via: format!("variable `{var}`"),
        };
    }
    if let Some(param) = parameter_reference(v) {
        let default = match root.get("parameters").map(|p| &p.kind) {
            Some(NodeKind::Seq(items)) => items
                .iter()
                .find(|i| i.get("name").and_then(Node::as_str) == Some(param))
                .and_then(|i| i.get("default")),
            Some(NodeKind::Map(_)) => root.get("parameters").and_then(|p| p.get(param)),
            _ => None,
        };
        let default = default
            .and_then(Node::as_str)
            .filter(|d| !is_expression(d) && !d.trim().is_empty())
            .map(|d| d.trim().to_string());
        // When this file is a template of the run, its callers say what the parameter is.
        let calls = callers(param);
        if !calls.is_empty() {
            let mut names: Vec<(String, String)> = Vec::new();
            for (at, passed) in &calls {
                match passed.clone().or_else(|| default.clone()) {
                    Some(n) => names.push((n, at.clone())),
                    None => {
                        return ValueName::Unknown(format!("parameter `{param}` is not a literal where this template is included from {at}"))
                    }
                }
            }
            let first = names[0].0.clone();
            if names.iter().all(|(n, _)| n.eq_ignore_ascii_case(&first)) {
                let places = names
                    .iter()
                    .map(|(_, at)| at.as_str())
                    .collect::<Vec<_>>()
                    .join(", ");
                return ValueName::Resolved {
                    name: first,
                    via: format!("parameter `{param}` as passed from {places}"),
                };
            }
            let all = names
                .iter()
                .map(|(n, at)| format!("`{n}` ({at})"))
                .collect::<Vec<_>>()
                .join(", ");
            return ValueName::Unknown(format!(
                "callers pass different values for parameter `{param}`: {all}"
            ));
        }
        return match default {
            Some(d) => ValueName::Resolved {
                name: d,
                via: format!("the default of parameter `{param}` (callers may pass another)"),
            },
            None => ValueName::Unknown(format!("parameter `{param}` has no literal default")),
        };
    }
    ValueName::Unknown(format!("`{v}` is only known when the pipeline runs"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root(t: &str) -> Node {
        crate::yaml::parse(t).unwrap().remove(0).root.unwrap()
    }

    #[test]
    fn resolves_variables_and_parameters() {
        let r = root("parameters:\n- name: conn\n  default: from-param\nvariables:\n  svc: prod-wif\nstages:\n- stage: A\n  variables:\n  - name: other\n    value: x\n");
        let none = |_: usize| None;
        let nobody = |_: &str| Vec::new();
        assert_eq!(
            resolve_name("$(svc)", &r, &none, &nobody).name(),
            Some("prod-wif")
        );
        assert_eq!(
            resolve_name("${{ variables.svc }}", &r, &none, &nobody).name(),
            Some("prod-wif")
        );
        assert_eq!(
            resolve_name("$(other)", &r, &none, &nobody).name(),
            Some("x")
        );
        assert_eq!(
            resolve_name("${{ parameters.conn }}", &r, &none, &nobody).name(),
            Some("from-param")
        );
        assert!(matches!(
            resolve_name("$(missing)", &r, &none, &nobody),
            ValueName::Unknown(_)
        ));
        assert_eq!(
            resolve_name("literal", &r, &none, &nobody),
            ValueName::Literal("literal".into())
        );
    }

    #[test]
    fn callers_literals_win_over_the_default() {
        let r = root("parameters:\n- name: conn\n  default: dflt\nsteps: []\n");
        let one = |_: &str| vec![("a.yml:3".to_string(), Some("prod-wif".to_string()))];
        assert_eq!(
            resolve_name("${{ parameters.conn }}", &r, &|_| None, &one).name(),
            Some("prod-wif")
        );
        let two = |_: &str| {
            vec![
                ("a.yml:3".to_string(), Some("x".to_string())),
                ("b.yml:4".to_string(), None),
            ]
        };
        assert!(matches!(
            resolve_name("${{ parameters.conn }}", &r, &|_| None, &two),
            ValueName::Unknown(_)
        ));
    }

    #[test]
    fn conflicting_values_are_unknown() {
        let r = root("variables:\n  svc: a\njobs:\n- job: J\n  variables:\n    svc: b\n");
        assert!(matches!(
            resolve_name("$(svc)", &r, &|_| None, &|_| Vec::new()),
            ValueName::Unknown(_)
        ));
    }
}
