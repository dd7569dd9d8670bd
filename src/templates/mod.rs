//! Template references and the include graph of a run.

mod graph;
pub use graph::*;
