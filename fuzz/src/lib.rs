//! What the fuzz targets feed to azplint: bytes read like a pipeline file, linted, then reported
//! in every output format.

use azplint::report;
use azplint::source::Source;
use azplint::{FileResult, Report};

/// Lint `data` as the binary lints a file's bytes, then render the findings in every format.
/// Files over the size limit are skipped (the binary reports `file-too-large` without reading
/// them); invalid UTF-8 is decoded lossily; `Source::new` drops a BOM. Returns the rule of each
/// finding. Must never panic.
pub fn lint_bytes(data: &[u8]) -> Vec<&'static str> {
    if data.len() as u64 > azplint::MAX_FILE_BYTES {
        return Vec::new();
    }
    let text = String::from_utf8_lossy(data).into_owned();
    let source = Source::new("fuzz.yml", None, text);
    let diagnostics = azplint::lint_source(&source, &azplint::rules::NoFiles);
    let rules = diagnostics.iter().map(|d| d.rule).collect();
    let report = Report {
        files: vec![FileResult {
            source,
            diagnostics,
        }],
    };
    let style = || report::human::Style {
        color: false,
        width: 100,
    };
    let _ = report::human::render(&report, style());
    let _ = report::short::render(&report);
    let _ = report::json::render(&report);
    let _ = report::sarif::render(&report);
    let _ = report::github::render(&report);
    let _ = report::azure::render(&report);
    let _ = report::junit::render(&report, None);
    let _ = report::summary(&report);
    rules
}
