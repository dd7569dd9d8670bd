//! The keywords of `data/schema.json` that azplint's validator reads. `cargo run -p xtask --
//! gen-schema` keeps only these when it compacts Microsoft's schema, and `build.rs` refuses a
//! `data/schema.json` with any other (its static tables have a place for these only).

/// The keywords, as they are spelt in the schema.
pub const KEYWORDS: &[&str] = &[
    "$ref",
    "type",
    "properties",
    "additionalProperties",
    "required",
    "anyOf",
    "items",
    "enum",
    "ignoreCase",
    "pattern",
    "firstProperty",
    "minProperties",
    "patternProperties",
    "deprecationMessage",
];
