//! Template references: where a `template:` path points ([`locate`]), and the include graph of a
//! run ([`graph`]). Both are re-exported here, so `crate::templates::X` names either.

pub mod graph;
pub mod locate;

pub use graph::{graph_problems, include_chains, Edge, GraphProblem, MAX_FILES, MAX_INCLUDE_DEPTH};
pub use locate::{display_for, display_from, locate, locate_in, normalize, Dirs, Located, Target};
