//! `--format sarif`: one SARIF 2.1.0 log, for GitHub code scanning (`github/codeql-action/
//! upload-sarif`) and the SARIF viewers of Azure DevOps and editors.
//!
//! - `tool.driver.rules` lists every rule of the registry: id, PascalCase name (required by
//!   GitHub Advanced Security for Azure DevOps), short and full description (GitHub code scanning
//!   requires the full one), default level, help text naming its page, and `helpUri` when [`super::DOCS_BASE`] is an absolute URI (the
//!   schema types `helpUri` as `"format": "uri"`, an absolute URI), and `properties`: `tags` (the
//!   rule's category) and, for security rules, the `security-severity` score GitHub code scanning
//!   ranks alerts by (8.5 for an error, 7.0 for a warning, 4.0 for a note).
//! - `columnKind` is `unicodeCodePoints`: our columns count characters, not UTF-16 code units
//!   (the SARIF default).
//! - A result has the finding's level (`error`, `warning`, `note`), its message with help, note
//!   and include chain, one location with start and end line and column (end just past the
//!   flagged text, as SARIF's `endColumn` is), the primary label as the location's message, the
//!   other labels and the include chain (`template:` references, outermost first) as
//!   `relatedLocations`.
//! - `artifactLocation.uri` is the path as written, made a relative URI reference (`/`, no leading
//!   `./`, percent-encoded) with `uriBaseId: "%SRCROOT%"`; code scanning takes relative paths from
//!   the repository root, which is where azplint runs in CI. Absolute paths become `file://` URIs.
//! - `partialFingerprints["azplint/v1"]` is a hash of the rule, the path and the flagged text, with
//!   `:n` for the n-th such finding in the file, so code scanning keeps one alert per finding when
//!   lines move and two identical findings stay two alerts.
//!
//! The raw JSON never holds `##vso[` or `##[` (see [`super::defang_json`]).

use crate::diagnostic::Report;
use crate::diagnostic::{Diagnostic, Severity};
use crate::rules::RULES;
use crate::source::Source;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";
const SRCROOT: &str = "%SRCROOT%";

#[derive(Serialize)]
struct Log {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: Vec<Run>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Run {
    tool: Tool,
    column_kind: &'static str,
    results: Vec<SarifResult>,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    full_name: String,
    /// The package's `repository` (or `homepage`) when Cargo.toml has one: an absolute URI.
    #[serde(skip_serializing_if = "Option::is_none")]
    information_uri: Option<&'static str>,
    version: &'static str,
    semantic_version: &'static str,
    rules: Vec<Descriptor>,
}

#[derive(Serialize)]
struct Text {
    text: String,
}

#[derive(Serialize)]
struct Help {
    text: String,
    markdown: String,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
    /// `false` for a rule that is off by default (SARIF's default is `true`, left out).
    #[serde(skip_serializing_if = "is_true")]
    enabled: bool,
}

fn is_true(b: &bool) -> bool {
    *b
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Descriptor {
    id: &'static str,
    /// PascalCase of the id: GitHub Advanced Security for Azure DevOps requires a name.
    name: String,
    short_description: Text,
    /// GitHub code scanning requires a full description.
    full_description: Text,
    #[serde(skip_serializing_if = "Option::is_none")]
    help_uri: Option<String>,
    help: Help,
    default_configuration: Configuration,
    properties: RuleProperties,
}

/// What GitHub code scanning reads beside a rule: its category as a tag and, for security rules,
/// a `security-severity` score (0.0 to 10.0) by which alerts are ranked.
#[derive(Serialize)]
struct RuleProperties {
    tags: Vec<&'static str>,
    #[serde(rename = "security-severity", skip_serializing_if = "Option::is_none")]
    security_severity: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    rule_index: Option<usize>,
    level: &'static str,
    message: Text,
    locations: Vec<Location>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_locations: Vec<Location>,
    partial_fingerprints: BTreeMap<&'static str, String>,
    /// The finding's fix, when it has edits (safe or unsafe; the description says which).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    fixes: Vec<SarifFix>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifFix {
    description: Text,
    artifact_changes: Vec<ArtifactChange>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactChange {
    artifact_location: ArtifactLocation,
    replacements: Vec<Replacement>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Replacement {
    deleted_region: Region,
    inserted_content: Text,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Location {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<usize>,
    physical_location: PhysicalLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    message: Option<Text>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ArtifactLocation {
    uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    uri_base_id: Option<&'static str>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    start_column: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_column: Option<usize>,
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

/// A path as written, as a URI reference: `file://` for an absolute path, else a relative
/// reference against `%SRCROOT%`. Everything but unreserved characters and `/` is
/// percent-encoded (a `:` in a first segment would otherwise read as a scheme).
fn artifact(display: &str) -> ArtifactLocation {
    let path = super::repo_path(display);
    let encode = |p: &str| {
        let mut out = String::with_capacity(p.len());
        for b in p.bytes() {
            if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'/') {
                out.push(b as char);
            } else {
                out.push_str(&format!("%{b:02X}"));
            }
        }
        out
    };
    let bytes = path.as_bytes();
    let windows_drive =
        bytes.len() >= 3 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':' && bytes[2] == b'/';
    if path.starts_with('/') {
        ArtifactLocation {
            uri: format!("file://{}", encode(&path)),
            uri_base_id: None,
        }
    } else if windows_drive {
        ArtifactLocation {
            uri: format!("file:///{}:{}", &path[..1], encode(&path[2..])),
            uri_base_id: None,
        }
    } else {
        ArtifactLocation {
            uri: encode(&path),
            uri_base_id: Some(SRCROOT),
        }
    }
}

fn region(src: &Source, span: &std::ops::Range<usize>) -> Option<Region> {
    if src.text.is_empty() {
        return None;
    }
    let start = src.line_col(span.start);
    let end = src.line_col(span.end.max(span.start));
    Some(Region {
        start_line: start.line,
        start_column: Some(start.column),
        end_line: Some(end.line),
        end_column: Some(end.column),
    })
}

/// FNV-1a, 64 bits: stable across Rust versions and platforms, unlike `DefaultHasher`.
fn fnv1a(parts: &[&str]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for b in part.bytes().chain(std::iter::once(0)) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    h
}

fn descriptor(rule: &crate::rules::Rule, docs_base: &str) -> Descriptor {
    let doc = format!("{docs_base}{}.md", rule.id);
    Descriptor {
        id: rule.id,
        name: rule
            .id
            .split('-')
            .map(|w| {
                let mut c = w.chars();
                c.next()
                    .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                    .unwrap_or_default()
            })
            .collect(),
        short_description: Text {
            text: rule.summary.to_string(),
        },
        full_description: Text {
            text: format!("{}.", rule.summary.trim_end_matches('.')),
        },
        help_uri: super::is_absolute_uri(docs_base).then(|| doc.clone()),
        help: Help {
            text: format!("{} (see {doc})", rule.summary),
            markdown: format!("{} (see [{}]({doc}))", rule.summary, rule.id),
        },
        default_configuration: Configuration {
            level: level(rule.severity),
            enabled: rule.default_enabled,
        },
        properties: RuleProperties {
            tags: vec![rule.category.as_str()],
            security_severity: (rule.category == crate::rules::Category::Security)
                .then(|| security_severity(rule.severity)),
        },
    }
}

/// GitHub's bands: 9.0 and up critical, 7.0 high, 4.0 medium, below that low.
fn security_severity(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "8.5",
        Severity::Warning => "7.0",
        Severity::Note => "4.0",
    }
}

fn result(src: &Source, d: &Diagnostic, fingerprint: String) -> SarifResult {
    let artifact_of = |display: &str| artifact(display);
    let mut related = Vec::new();
    for l in &d.labels {
        related.push(Location {
            id: Some(related.len() + 1),
            physical_location: PhysicalLocation {
                artifact_location: artifact_of(&src.display),
                region: region(src, &l.span),
            },
            message: Some(Text {
                text: l.message.clone(),
            }),
        });
    }
    let n = d.included_from.len();
    for (i, entry) in d.included_from.iter().enumerate() {
        // `path:line`, as the library records the chain.
        let (path, line) = match entry.rsplit_once(':') {
            Some((p, l)) if l.parse::<usize>().is_ok() => (p, l.parse().ok()),
            _ => (entry.as_str(), None),
        };
        related.push(Location {
            id: Some(related.len() + 1),
            physical_location: PhysicalLocation {
                artifact_location: artifact_of(path),
                region: line.map(|start_line| Region {
                    start_line,
                    start_column: None,
                    end_line: None,
                    end_column: None,
                }),
            },
            message: Some(Text {
                text: format!(
                    "included from here ({} of {n} in the include chain, outermost first)",
                    i + 1
                ),
            }),
        });
    }
    SarifResult {
        rule_id: d.rule,
        rule_index: RULES.iter().position(|r| r.id == d.rule),
        level: level(d.severity),
        message: Text {
            text: super::full_text(d),
        },
        locations: vec![Location {
            id: None,
            physical_location: PhysicalLocation {
                artifact_location: artifact_of(&src.display),
                region: region(src, &d.span),
            },
            message: (!d.label.is_empty()).then(|| Text {
                text: d.label.clone(),
            }),
        }],
        related_locations: related,
        partial_fingerprints: BTreeMap::from([("azplint/v1", fingerprint)]),
        fixes: fixes(src, d),
    }
}

/// The fix of a finding as a SARIF fix: replacements by line and column (characters, as every
/// region here).
fn fixes(src: &Source, d: &Diagnostic) -> Vec<SarifFix> {
    let Some(fix) = d.fix.as_ref().filter(|f| !f.edits.is_empty()) else {
        return Vec::new();
    };
    let replacements = fix
        .edits
        .iter()
        .map(|e| {
            let start = src.line_col(e.range.start);
            let end = src.line_col(e.range.end.max(e.range.start));
            Replacement {
                deleted_region: Region {
                    start_line: start.line,
                    start_column: Some(start.column),
                    end_line: Some(end.line),
                    end_column: Some(end.column),
                },
                inserted_content: Text {
                    text: e.text.clone(),
                },
            }
        })
        .collect();
    vec![SarifFix {
        description: Text {
            text: format!("{} ({} fix)", fix.message, fix.applicability.as_str()),
        },
        artifact_changes: vec![ArtifactChange {
            artifact_location: artifact(&src.display),
            replacements,
        }],
    }]
}

pub fn render(report: &Report) -> String {
    let mut seen: HashMap<u64, usize> = HashMap::new();
    let results = report
        .diagnostics()
        .map(|(src, d)| {
            let flagged = src.text.get(d.span.clone()).unwrap_or("");
            let hash = fnv1a(&[d.rule, &super::repo_path(&src.display), flagged]);
            let n = seen.entry(hash).or_insert(0);
            *n += 1;
            result(src, d, format!("{hash:016x}:{n}"))
        })
        .collect();
    let log = Log {
        schema: SCHEMA,
        version: "2.1.0",
        runs: vec![Run {
            tool: Tool {
                driver: Driver {
                    name: "azplint",
                    full_name: format!("azplint {}", env!("CARGO_PKG_VERSION")),
                    information_uri: [env!("CARGO_PKG_REPOSITORY"), env!("CARGO_PKG_HOMEPAGE")]
                        .into_iter()
                        .find(|u| super::is_absolute_uri(u)),
                    version: env!("CARGO_PKG_VERSION"),
                    semantic_version: env!("CARGO_PKG_VERSION"),
                    rules: RULES
                        .iter()
                        .map(|r| descriptor(r, super::DOCS_BASE))
                        .collect(),
                },
            },
            column_kind: "unicodeCodePoints",
            results,
        }],
    };
    let mut s = serde_json::to_string_pretty(&log).unwrap_or_else(|_| "{}".to_string());
    s.push('\n');
    super::defang_json(&s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris() {
        let a = artifact("./a b/::x%#.yml");
        assert_eq!(a.uri, "a%20b/%3A%3Ax%25%23.yml");
        assert_eq!(a.uri_base_id, Some(SRCROOT));
        assert_eq!(artifact("/tmp/x y.yml").uri, "file:///tmp/x%20y.yml");
        assert_eq!(artifact(r"C:\p\x.yml").uri, "file:///C:/p/x.yml");
    }

    #[test]
    fn help_uri_only_when_absolute() {
        let rule = RULES[0];
        assert_eq!(descriptor(rule, "").name, "UnreadableFile");
        assert!(descriptor(rule, "docs/rules/").help_uri.is_none());
        assert_eq!(
            descriptor(rule, "https://example.com/docs/")
                .help_uri
                .as_deref(),
            Some(format!("https://example.com/docs/{}.md", rule.id).as_str())
        );
    }

    #[test]
    fn fingerprint_is_stable() {
        assert_eq!(fnv1a(&[]), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(&["a"]), fnv1a(&["a"]));
        assert_ne!(fnv1a(&["ab", "c"]), fnv1a(&["a", "bc"]));
    }
}
