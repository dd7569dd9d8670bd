//! The schema check: a document against Microsoft's YAML schema for pipelines, read the way the
//! server reads it (directive blocks lifted by the one walk of `crate::pipeline::walk`).

pub mod schema;
pub mod validate;
