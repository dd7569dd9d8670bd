//! The compacted pipeline schema (`data/schema.json`, generated from Microsoft's YAML schema).

use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// One schema node: the subset of JSON Schema the pipeline schema uses.
#[derive(Debug, Deserialize, Default)]
pub struct Def {
    #[serde(rename = "$ref")]
    pub reference: Option<String>,
    /// `string`, `array` or `object`. (A property literally named `type` lives in `properties`.)
    #[serde(rename = "type", default, deserialize_with = "type_name")]
    pub ty: Option<String>,
    pub properties: Option<BTreeMap<String, Def>>,
    #[serde(rename = "additionalProperties")]
    pub additional: Option<bool>,
    #[serde(default)]
    pub required: Vec<String>,
    #[serde(rename = "anyOf")]
    pub any_of: Option<Vec<Def>>,
    pub items: Option<Box<Def>>,
    #[serde(rename = "enum")]
    pub allowed: Option<Vec<String>>,
    #[serde(rename = "ignoreCase")]
    pub ignore_case: Option<String>,
    pub pattern: Option<String>,
    #[serde(rename = "firstProperty", default)]
    pub first_property: Vec<String>,
    #[serde(rename = "patternProperties")]
    pub pattern_properties: Option<BTreeMap<String, Def>>,
    #[serde(rename = "deprecationMessage")]
    pub deprecation: Option<String>,
    /// Its alternatives through `$ref`s and nested `anyOf`s, worked out on first use (see
    /// `validate::flatten`).
    #[serde(skip)]
    pub alternatives: OnceLock<Vec<&'static Def>>,
}

fn type_name<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::String(s) => Some(s),
        _ => None,
    })
}

const SCHEMA_JSON: &str = include_str!("../../data/schema.json");

mod index {
    include!(concat!(env!("OUT_DIR"), "/schema_index.rs"));
}
use index::DEFINITIONS;

/// Each definition, decoded on first use (`build.rs` indexes where each one's JSON is).
static DECODED: [OnceLock<Def>; DEFINITIONS.len()] = [const { OnceLock::new() }; DEFINITIONS.len()];

/// The definition at `i` of the index, decoded on first use.
fn decoded(i: usize) -> &'static Def {
    DECODED[i].get_or_init(|| {
        let (name, range) = &DEFINITIONS[i];
        serde_json::from_str::<Def>(&SCHEMA_JSON[range.clone()]).unwrap_or_else(|e| {
            panic!("data/schema.json is invalid at `{name}` ({e}); regenerate it with `cargo run -p xtask -- gen-catalog`")
        })
    })
}

/// A definition by name.
pub fn def(name: &str) -> Option<&'static Def> {
    DEFINITIONS
        .binary_search_by(|(n, _)| (*n).cmp(name))
        .ok()
        .map(decoded)
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

    #[test]
    fn every_definition_decodes() {
        assert!(DEFINITIONS.windows(2).all(|w| w[0].0 < w[1].0));
        for (name, _) in &DEFINITIONS {
            assert!(def(name).is_some(), "{name}");
        }
    }

    #[test]
    fn loads_and_matches() {
        assert!(def("pipeline").is_some());
        assert!(def("job").unwrap().any_of.is_some());
        assert_eq!(pattern_matches("^true$", "TRUE", true), Some(true));
        assert_eq!(pattern_matches("^none$", "None", false), Some(false));
        assert_eq!(
            pattern_matches("^\\s*[0-9]+\\s*$", " 60 ", false),
            Some(true)
        );
        assert_eq!(pattern_matches("^(a|b)$", "a", false), None);
    }
}
