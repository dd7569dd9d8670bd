//! The compacted pipeline schema (`data/schema.json`, generated from Microsoft's YAML schema),
//! turned into static data by `build.rs`: a run decodes nothing. The nodes hold no pointers (runs
//! of one static array and spans of one text), so they cost the loader nothing at start either;
//! read them through the methods of [`Def`].

use crate::catalog::Span;
use std::ops::Range;
use std::sync::OnceLock;

/// An absent run.
const NONE: Range<u32> = u32::MAX..u32::MAX;

/// One schema node: the subset of JSON Schema the pipeline schema uses.
#[derive(Debug)]
pub struct Def {
    reference: Span,
    /// The index in `NODES` of the definition `reference` names (`u32::MAX`: none).
    target: u32,
    ty: Span,
    property_keys: Range<u32>,
    properties: Range<u32>,
    additional: Option<bool>,
    required: Range<u32>,
    any_of: Range<u32>,
    items: Range<u32>,
    allowed: Range<u32>,
    ignore_case: Span,
    pattern: Span,
    first_property: Range<u32>,
    pattern_keys: Range<u32>,
    pattern_properties: Range<u32>,
    deprecation: Span,
    /// Its alternatives through `$ref`s and nested `anyOf`s, worked out on first use (see
    /// `validate::flatten`).
    pub alternatives: OnceLock<Vec<&'static Def>>,
}

mod data {
    use super::{Def, Span, NONE};
    use std::sync::OnceLock;
    include!(concat!(env!("OUT_DIR"), "/schema_data.rs"));

    pub fn text(s: Span) -> Option<&'static str> {
        s.get(TEXT)
    }
}
use data::{KEYS, NAMES, NODES};

fn text(s: Span) -> Option<&'static str> {
    data::text(s)
}

/// A run of `NODES`, `None` when absent.
fn nodes(r: &Range<u32>) -> Option<&'static [Def]> {
    (r.start != u32::MAX).then(|| &NODES[r.start as usize..r.end as usize])
}

/// A run of `KEYS` as strings, `None` when absent.
fn strs(r: &Range<u32>) -> Option<Strs> {
    (r.start != u32::MAX).then(|| Strs(&KEYS[r.start as usize..r.end as usize]))
}

/// A list of strings of the schema (`required`, `enum`, `firstProperty`).
#[derive(Debug, Clone, Copy)]
pub struct Strs(&'static [Span]);

impl Strs {
    pub fn iter(self) -> impl Iterator<Item = &'static str> + Clone {
        self.0.iter().map(|s| text(*s).unwrap_or_default())
    }

    pub fn is_empty(self) -> bool {
        self.0.is_empty()
    }

    pub fn first(self) -> Option<&'static str> {
        self.iter().next()
    }

    /// As owned strings.
    pub fn to_vec(self) -> Vec<String> {
        self.iter().map(str::to_string).collect()
    }
}

/// The properties of a node (`properties`, `patternProperties`): (name, node), sorted by name.
#[derive(Debug, Clone, Copy)]
pub struct Props {
    keys: &'static [Span],
    defs: &'static [Def],
}

impl Props {
    fn of(keys: &Range<u32>, defs: &Range<u32>) -> Option<Props> {
        Some(Props {
            keys: strs(keys)?.0,
            defs: nodes(defs)?,
        })
    }

    /// The node of a property.
    pub fn get(self, name: &str) -> Option<&'static Def> {
        self.keys
            .binary_search_by(|k| text(*k).unwrap_or_default().cmp(name))
            .ok()
            .map(|i| &self.defs[i])
    }

    pub fn contains_key(self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// The names, sorted.
    pub fn keys(self) -> impl Iterator<Item = &'static str> {
        Strs(self.keys).iter()
    }

    /// (name, node), sorted by name.
    pub fn iter(self) -> impl Iterator<Item = (&'static str, &'static Def)> {
        self.keys().zip(self.defs)
    }
}

impl Def {
    /// `$ref`.
    pub fn reference(&self) -> Option<&'static str> {
        text(self.reference)
    }

    /// The definition `$ref` names, if it exists.
    pub fn target(&self) -> Option<&'static Def> {
        NODES.get(self.target as usize)
    }

    /// `type`: `string`, `array` or `object`. (A property literally named `type` lives in
    /// `properties`.)
    pub fn ty(&self) -> Option<&'static str> {
        text(self.ty)
    }

    pub fn properties(&self) -> Option<Props> {
        Props::of(&self.property_keys, &self.properties)
    }

    /// `additionalProperties`.
    pub fn additional(&self) -> Option<bool> {
        self.additional
    }

    pub fn required(&self) -> Strs {
        strs(&self.required).unwrap_or(Strs(&[]))
    }

    /// `anyOf`.
    pub fn any_of(&self) -> Option<&'static [Def]> {
        nodes(&self.any_of)
    }

    pub fn items(&self) -> Option<&'static Def> {
        nodes(&self.items)?.first()
    }

    /// `enum`.
    pub fn allowed(&self) -> Option<Strs> {
        strs(&self.allowed)
    }

    /// `ignoreCase`.
    pub fn ignore_case(&self) -> Option<&'static str> {
        text(self.ignore_case)
    }

    pub fn pattern(&self) -> Option<&'static str> {
        text(self.pattern)
    }

    /// `firstProperty`.
    pub fn first_property(&self) -> Strs {
        strs(&self.first_property).unwrap_or(Strs(&[]))
    }

    /// `patternProperties`.
    pub fn pattern_properties(&self) -> Option<Props> {
        Props::of(&self.pattern_keys, &self.pattern_properties)
    }

    /// `deprecationMessage`.
    pub fn deprecation(&self) -> Option<&'static str> {
        text(self.deprecation)
    }
}

/// A definition by name.
pub fn def(name: &str) -> Option<&'static Def> {
    NAMES
        .binary_search_by(|n| text(*n).unwrap_or_default().cmp(name))
        .ok()
        .map(|i| &NODES[i])
}

/// Does `s` match one of the schema's patterns? `None` for a pattern this matcher doesn't know.
pub fn pattern_matches(pattern: &str, s: &str, ignore_case: bool) -> Option<bool> {
    let literal = pattern.strip_prefix('^').and_then(|p| p.strip_suffix('$'));
    if let Some(lit) = literal.filter(|l| l.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
    {
        return Some(if ignore_case {
            s.eq_ignore_ascii_case(lit)
        } else {
            s == lit
        });
    }
    match pattern {
        "^[-_A-Za-z0-9]*$" => Some(
            s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
        ),
        "^\\s*[0-9]+\\s*$" => {
            let t = s.trim();
            Some(!t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    /// A schema node as serde decodes it from the JSON, to check the static data against.
    #[derive(Debug, serde::Deserialize)]
    struct Decoded {
        #[serde(rename = "$ref")]
        reference: Option<String>,
        #[serde(rename = "type", default, deserialize_with = "type_name")]
        ty: Option<String>,
        properties: Option<BTreeMap<String, Decoded>>,
        #[serde(rename = "additionalProperties")]
        additional: Option<bool>,
        #[serde(default)]
        required: Vec<String>,
        #[serde(rename = "anyOf")]
        any_of: Option<Vec<Decoded>>,
        items: Option<Box<Decoded>>,
        #[serde(rename = "enum")]
        allowed: Option<Vec<String>>,
        #[serde(rename = "ignoreCase")]
        ignore_case: Option<String>,
        pattern: Option<String>,
        #[serde(rename = "firstProperty", default)]
        first_property: Vec<String>,
        #[serde(rename = "patternProperties")]
        pattern_properties: Option<BTreeMap<String, Decoded>>,
        #[serde(rename = "deprecationMessage")]
        deprecation: Option<String>,
    }

    fn type_name<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        use serde::Deserialize;
        Ok(match serde_json::Value::deserialize(d)? {
            serde_json::Value::String(s) => Some(s),
            _ => None,
        })
    }

    fn same_props(a: &Option<BTreeMap<String, Decoded>>, b: Option<Props>) {
        assert_eq!(a.is_some(), b.is_some());
        if let (Some(a), Some(b)) = (a, b) {
            assert_eq!(a.len(), b.keys().count());
            for ((ka, da), (kb, db)) in a.iter().zip(b.iter()) {
                assert_eq!(ka, kb);
                same(da, db);
            }
        }
    }

    fn same(a: &Decoded, b: &Def) {
        assert_eq!(a.reference.as_deref(), b.reference());
        // The resolved `$ref` is the definition of that name.
        assert_eq!(
            b.target().map(|t| t as *const Def),
            a.reference
                .as_deref()
                .and_then(def)
                .map(|t| t as *const Def)
        );
        assert_eq!(a.ty.as_deref(), b.ty());
        same_props(&a.properties, b.properties());
        assert_eq!(a.additional, b.additional());
        assert_eq!(a.required, b.required().to_vec());
        assert_eq!(a.any_of.is_some(), b.any_of().is_some());
        if let (Some(x), Some(y)) = (&a.any_of, b.any_of()) {
            assert_eq!(x.len(), y.len());
            x.iter().zip(y).for_each(|(x, y)| same(x, y));
        }
        assert_eq!(a.items.is_some(), b.items().is_some());
        if let (Some(x), Some(y)) = (&a.items, b.items()) {
            same(x, y);
        }
        assert_eq!(a.allowed, b.allowed().map(Strs::to_vec));
        assert_eq!(a.ignore_case.as_deref(), b.ignore_case());
        assert_eq!(a.pattern.as_deref(), b.pattern());
        assert_eq!(a.first_property, b.first_property().to_vec());
        same_props(&a.pattern_properties, b.pattern_properties());
        assert_eq!(a.deprecation.as_deref(), b.deprecation());
    }

    #[test]
    fn the_static_definitions_are_the_json() {
        #[derive(serde::Deserialize)]
        struct File {
            definitions: BTreeMap<String, Decoded>,
        }
        let file: File = serde_json::from_str(include_str!("../../data/schema.json")).unwrap();
        let names: Vec<&str> = NAMES.iter().map(|n| text(*n).unwrap()).collect();
        assert!(names.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(file.definitions.len(), names.len());
        for (i, ((name, decoded), n)) in file.definitions.iter().zip(names).enumerate() {
            assert_eq!(name, n);
            same(decoded, &NODES[i]);
            assert!(std::ptr::eq(def(name).unwrap(), &NODES[i]));
        }
        assert!(def("noSuchDefinition").is_none());
    }

    #[test]
    fn loads_and_matches() {
        assert!(def("pipeline").is_some());
        assert!(def("job").unwrap().any_of().is_some());
        assert_eq!(pattern_matches("^true$", "TRUE", true), Some(true));
        assert_eq!(pattern_matches("^none$", "None", false), Some(false));
        assert_eq!(
            pattern_matches("^\\s*[0-9]+\\s*$", " 60 ", false),
            Some(true)
        );
        assert_eq!(pattern_matches("^(a|b)$", "a", false), None);
    }
}
