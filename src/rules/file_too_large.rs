//! `file-too-large`: a pipeline file larger than azplint reads. Emitted by the reading stage.

use super::Rule;
use crate::diagnostic::{Diagnostic, Severity};

pub static RULE: Rule = Rule {
    id: "file-too-large",
    severity: Severity::Warning,
    summary: "A pipeline file is larger than azplint reads (10 MiB)",
    category: super::Category::Correctness,
    default_enabled: true,
    check: super::Check::Stage(super::Stage::Load),
};

pub fn diagnostic(display: &str, len: u64) -> Diagnostic {
    RULE.diag(
        0..0,
        format!("`{display}` is {len} bytes, more than the {} bytes azplint reads", crate::source::MAX_FILE_BYTES),
    )
    .label("this file")
    .help("no pipeline is this large: check that the file is what you meant, or exclude it with --exclude")
    .note("azplint bounds what it reads so that no input can exhaust its memory; the file is not checked")
}

/// For standard input, which is read only up to the limit: its size beyond that is unknown.
pub fn diagnostic_over_limit(display: &str) -> Diagnostic {
    RULE.diag(
        0..0,
        format!("`{display}` is more than the {} bytes azplint reads", crate::source::MAX_FILE_BYTES),
    )
    .label("this input")
    .help("no pipeline is this large: check that the input is what you meant")
    .note("azplint bounds what it reads so that no input can exhaust its memory; the input is not checked")
}
