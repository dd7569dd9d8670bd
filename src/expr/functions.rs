//! The known expression functions and how many arguments each takes.

/// A known expression function with how many arguments it takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Function {
    /// The documented spelling.
    pub name: &'static str,
    pub min_args: usize,
    /// `usize::MAX` when unbounded.
    pub max_args: usize,
}

const N: usize = usize::MAX;

const fn f(name: &'static str, min_args: usize, max_args: usize) -> Function {
    Function {
        name,
        min_args,
        max_args,
    }
}

/// The documented Azure Pipelines expression functions, then the job status functions.
/// Where the documentation and the server disagree on argument counts, the looser bound is kept.
pub static FUNCTIONS: &[Function] = &[
    f("and", 2, N),
    f("or", 2, N),
    f("not", 1, 1),
    f("xor", 2, 2),
    f("eq", 2, 2),
    f("ne", 2, 2),
    f("gt", 2, 2),
    f("ge", 2, 2),
    f("lt", 2, 2),
    f("le", 2, 2),
    f("in", 1, N),
    f("notIn", 1, N),
    f("contains", 2, 2),
    f("containsValue", 2, 2),
    f("startsWith", 2, 2),
    f("endsWith", 2, 2),
    f("coalesce", 2, N),
    f("format", 1, N),
    f("join", 2, 2),
    f("split", 2, 2),
    f("replace", 2, 3),
    f("lower", 1, 1),
    f("upper", 1, 1),
    f("trim", 1, 1),
    f("length", 1, 1),
    f("convertToJson", 1, 1),
    f("counter", 1, 2),
    f("iif", 3, 3),
    f("always", 0, 0),
    f("canceled", 0, 0),
    f("failed", 0, N),
    f("succeeded", 0, N),
    f("succeededOrFailed", 0, N),
];

/// The known function named `name`, ignoring ASCII case as Azure does.
pub fn function(name: &str) -> Option<&'static Function> {
    FUNCTIONS.iter().find(|f| f.name.eq_ignore_ascii_case(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_functions_ignore_case() {
        assert_eq!(function("startswith").map(|f| f.name), Some("startsWith"));
        assert_eq!(function("NOTIN").map(|f| f.name), Some("notIn"));
        assert_eq!(function("Eq").map(|f| f.name), Some("eq"));
        assert!(function("succeededOrFailed").is_some());
        assert!(function("toJson").is_none());
        assert!(function("substring").is_none());
    }
}
