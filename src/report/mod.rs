//! Reporters: one file per output format. Every format serializes the same diagnostics.

pub mod human;
pub mod json;

use crate::diagnostic::Severity;
use crate::Report;

/// "2 errors, 5 warnings in 31 files".
pub fn summary(report: &Report) -> String {
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let files = plural(report.files.len(), "file");
    let mut parts = Vec::new();
    for (sev, word) in [
        (Severity::Error, "error"),
        (Severity::Warning, "warning"),
        (Severity::Note, "note"),
    ] {
        let n = report.count(sev);
        if n > 0 || sev != Severity::Note {
            parts.push(plural(n, word));
        }
    }
    format!("{} in {files}", parts.join(", "))
}
