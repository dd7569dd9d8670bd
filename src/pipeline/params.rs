//! Template parameter declarations: the typed list form (`- name: x`) and the legacy mapping form.

use crate::yaml::{is_expression, Node};

/// What a template declares under its top-level `parameters:`.
#[derive(Debug)]
pub enum Declared<'a> {
    /// No `parameters:` key, or one azplint can't read (built from an expression): accept anything.
    Unknown,
    /// `parameters: { x: default }`: Azure accepts undeclared parameters too.
    Legacy,
    /// `parameters: [ { name: x, type: t, default: d, values: [...] } ]`.
    Typed(Vec<Param<'a>>),
}

#[derive(Debug)]
pub struct Param<'a> {
    pub name: &'a str,
    /// The declaration (`- name: x ...`).
    pub node: &'a Node,
    /// Declared type, as written (`string` when absent, as on Azure).
    pub ty: &'a str,
    pub default: Option<&'a Node>,
    pub values: Option<&'a [Node]>,
}

/// Read the declarations of a template's root.
pub fn declared(root: Option<&Node>) -> Declared<'_> {
    let Some(params) = root.and_then(|r| r.get("parameters")) else {
        return Declared::Unknown;
    };
    match &params.kind {
        crate::yaml::NodeKind::Map(_) => Declared::Legacy,
        crate::yaml::NodeKind::Seq(items) => {
            let mut out = Vec::new();
            for item in items {
                let Some(name) = item.get("name").and_then(Node::as_str) else {
                    // A declaration built by an expression (or malformed): can't know the set.
                    return Declared::Unknown;
                };
                if is_expression(name)
                    || item.as_map().is_some_and(|m| {
                        m.iter().any(|e| e.key.as_str().is_some_and(is_expression))
                    })
                {
                    return Declared::Unknown;
                }
                out.push(Param {
                    name,
                    node: item,
                    ty: item.get("type").and_then(Node::as_str).unwrap_or("string"),
                    default: item.get("default"),
                    values: item.get("values").and_then(Node::as_seq),
                });
            }
            Declared::Typed(out)
        }
        _ => Declared::Unknown,
    }
}

impl<'a> Declared<'a> {
    /// The declaration of `name` (case-insensitive, as Azure matches parameter names).
    pub fn get(&self, name: &str) -> Option<&Param<'a>> {
        match self {
            Declared::Typed(params) => params.iter().find(|p| p.name.eq_ignore_ascii_case(name)),
            _ => None,
        }
    }
}

/// Why a literal value does not fit a declared type, if it doesn't.
pub fn type_mismatch(ty: &str, value: &Node) -> Option<String> {
    use crate::yaml::NodeKind;
    if let Some(s) = value.as_str() {
        if is_expression(s) {
            return None;
        }
    }
    let ty_l = ty.to_ascii_lowercase();
    let want_map = matches!(ty_l.as_str(), "step" | "job" | "deployment" | "stage");
    let want_seq = matches!(
        ty_l.as_str(),
        "steplist" | "joblist" | "deploymentlist" | "stagelist"
    );
    match (&value.kind, ty_l.as_str()) {
        (NodeKind::Alias(_), _) => None,
        (_, "object") => None,
        (NodeKind::Scalar(..), _) if value.is_null() => None,
        (NodeKind::Scalar(s, _), "boolean") => {
            const BOOLS: &[&str] = &["true", "false", "y", "yes", "on", "n", "no", "off"];
            (!BOOLS.iter().any(|b| b.eq_ignore_ascii_case(s.trim())))
                .then(|| format!("`{}` is not a boolean", s.trim()))
        }
        (NodeKind::Scalar(s, _), "number") => {
            (!is_number(s)).then(|| format!("`{}` is not a number", s.trim()))
        }
        (NodeKind::Scalar(..), "string") => None,
        (NodeKind::Scalar(..), _) if want_map || want_seq => {
            Some(format!("a scalar is not a {ty}"))
        }
        (NodeKind::Seq(_), _) if want_seq => None,
        (NodeKind::Map(_), _) if want_map => None,
        (NodeKind::Seq(_), _) if want_map => Some(format!(
            "a sequence is not a {ty}; a {ty} is a single mapping"
        )),
        (NodeKind::Map(_), _) if want_seq => Some(format!(
            "a mapping is not a {ty}; write it as a list item (`- ...`)"
        )),
        (NodeKind::Seq(_) | NodeKind::Map(_), "string" | "boolean" | "number") => {
            Some(format!("{} is not a {ty}", value.kind_name()))
        }
        _ => None,
    }
}

/// A finite decimal number (`inf` and `NaN` are not numbers in a pipeline).
pub fn is_number(s: &str) -> bool {
    let t = s.trim();
    t.bytes().any(|b| b.is_ascii_digit()) && t.parse::<f64>().is_ok_and(f64::is_finite)
}
