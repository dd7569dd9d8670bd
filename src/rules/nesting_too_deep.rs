//! `nesting-too-deep`: YAML nested deeper than azplint reads. Emitted by the parsing stage.

use super::Rule;
use crate::diagnostic::{Diagnostic, Severity};
use crate::yaml::{ParseError, MAX_DEPTH};

pub static RULE: Rule = Rule {
    id: "nesting-too-deep",
    severity: Severity::Warning,
    summary: "The YAML is nested deeper than any pipeline needs, so azplint stops reading it",
    category: super::Category::Correctness,
    default_enabled: true,
    check: super::Check::Stage(super::Stage::Parse),
};

pub fn diagnostic(err: &ParseError, text: &str) -> Diagnostic {
    let at = crate::source::floor_char_boundary(text, err.offset);
    // The character at the offset (a whole character, however many bytes).
    let end = at + text[at..].chars().next().map_or(0, char::len_utf8);
    RULE.diag(at..end, format!("YAML is nested more than {MAX_DEPTH} levels deep here"))
        .label("nesting limit reached")
        .help("flatten the structure; real pipelines stay far below this depth")
        .note("azplint bounds nesting so that no input can exhaust its stack; the rest of the file is not checked")
}
