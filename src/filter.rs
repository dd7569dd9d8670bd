//! What the user asked not to see: configured levels, per-file ignores, inline suppressions
//! (`# azplint: ignore[rule]`), and a baseline of known findings.

use crate::config::Loaded;
use crate::diagnostic::{Diagnostic, Severity};
use crate::source::Source;
use std::collections::{HashMap, HashSet};

/// One `# azplint: ignore[...]` or `# azplint: ignore-file[...]` comment.
#[derive(Debug, Clone)]
pub struct Suppression {
    /// Rules it names; empty for every rule.
    pub rules: Vec<String>,
    /// The line it applies to (1-based); `None` for the whole file.
    pub line: Option<usize>,
    /// Where the comment is (for `unused-suppression`).
    pub span: std::ops::Range<usize>,
    pub used: HashSet<String>,
}

const MARK: &str = "azplint:";

/// Find the suppression comments of a file, by lines (comments inside block scalars, such as a
/// script's own comments, count too).
pub fn suppressions(source: &Source) -> Vec<Suppression> {
    let mut out = Vec::new();
    // Most files have none: one search over the text spares reading it line by line.
    if !crate::text::contains(&source.text, MARK) {
        return out;
    }
    for line_no in 1..=source.line_count() {
        let line = source.line_text(line_no);
        let Some(hash) = line.find('#') else { continue };
        // Every `#` on the line may start a comment; take the one followed by the marker.
        let mut search = hash;
        while let Some(p) = line[search..].find('#') {
            let at = search + p;
            let rest = line[at + 1..].trim_start();
            if let Some(body) = rest.strip_prefix(MARK) {
                let body = body.trim_start();
                let (file, args) = if let Some(a) = body.strip_prefix("ignore-file") {
                    (true, a)
                } else if let Some(a) = body.strip_prefix("ignore") {
                    (false, a)
                } else {
                    search = at + 1;
                    continue;
                };
                let rules: Vec<String> = match args.trim_start().strip_prefix('[') {
                    Some(inner) => inner
                        .split(']')
                        .next()
                        .unwrap_or("")
                        .split(',')
                        .map(|r| r.trim().to_string())
                        .filter(|r| !r.is_empty())
                        .collect(),
                    None => Vec::new(),
                };
                let alone = line[..at].trim().is_empty();
                let start = source.line_range(line_no).start + at;
                // The comment ends at its `]` (more text may follow: another comment).
                let end = match line[at..].find(']') {
                    Some(close) if args.trim_start().starts_with('[') => start + close + 1,
                    _ => source.line_range(line_no).end,
                };
                out.push(Suppression {
                    rules,
                    line: if file {
                        None
                    } else if alone {
                        Some(line_no + 1)
                    } else {
                        Some(line_no)
                    },
                    span: start..end,
                    used: HashSet::new(),
                });
                break;
            }
            search = at + 1;
        }
    }
    out
}

fn matches(s: &Suppression, rule: &str) -> bool {
    s.rules.is_empty() || s.rules.iter().any(|r| r == rule)
}

/// Drop the findings suppressed inline; report suppressions that suppress nothing.
pub fn apply_suppressions(source: &Source, diagnostics: &mut Vec<Diagnostic>) {
    let unused = suppress(source, diagnostics);
    diagnostics.extend(unused);
}

/// Drop the findings that inline comments suppress; returns an `unused-suppression` finding for
/// each comment that suppressed nothing.
fn suppress(source: &Source, diagnostics: &mut Vec<Diagnostic>) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    let mut sups = suppressions(source);
    if sups.is_empty() {
        return found;
    }
    diagnostics.retain(|d| {
        let line = source.line_col(d.span.start).line;
        for s in sups.iter_mut() {
            if s.line.is_none_or(|l| l == line) && matches(s, d.rule) {
                s.used.insert(d.rule.to_string());
                return false;
            }
        }
        true
    });
    for s in &sups {
        let unknown: Vec<&String> = s
            .rules
            .iter()
            .filter(|r| crate::rules::by_id(r).is_none())
            .collect();
        let unused: Vec<&String> = s
            .rules
            .iter()
            .filter(|r| crate::rules::by_id(r).is_some() && !s.used.contains(*r))
            .collect();
        let fix = suppression_fix(source, s, &unused);
        let msg = if !unknown.is_empty() {
            let names = unknown
                .iter()
                .map(|r| format!("`{r}`"))
                .collect::<Vec<_>>()
                .join(", ");
            Some((
                format!("this suppression names unknown rules: {names}"),
                "check the rule ids with `azplint rules`".to_string(),
            ))
        } else if s.rules.is_empty() && s.used.is_empty() {
            Some((
                "this suppression suppresses nothing".to_string(),
                "remove it".to_string(),
            ))
        } else if !unused.is_empty() {
            let names = unused
                .iter()
                .map(|r| format!("`{r}`"))
                .collect::<Vec<_>>()
                .join(", ");
            Some((
                format!("this suppression of {names} suppresses nothing"),
                "remove the rule ids that no longer apply".to_string(),
            ))
        } else {
            None
        };
        if let Some((message, help)) = msg {
            let mut d = crate::rules::unused_suppression::RULE
                .diag(s.span.clone(), message)
                .label("unused")
                .help(help)
                .note("a stale suppression would hide the next real finding at this place");
            if unknown.is_empty() {
                d.fix = fix;
            }
            found.push(d);
        }
    }
    found
}

/// The fix of a suppression that suppresses nothing (`unused` names the rules it lists in vain):
/// remove the comment (its whole line when it stands alone), or the unused ids from its list.
/// Text after the comment's `]` is part of the comment and stays one (`# reason`).
fn suppression_fix(
    source: &Source,
    s: &Suppression,
    unused: &[&String],
) -> Option<crate::diagnostic::Fix> {
    use crate::diagnostic::{Edit, Fix};
    let line = source.line_col(s.span.start).line;
    let range = source.line_range(line);
    let before = &source.text[range.start..s.span.start];
    let after = &source.text[s.span.end..range.end];
    let all_unused = s.used.is_empty();
    if all_unused {
        let edit = if !after.trim().is_empty() {
            // `# azplint: ignore[x] because ...` -> `# because ...`
            Edit::replace(s.span.clone(), "#")
        } else if before.trim().is_empty() {
            // The comment is the whole line: remove the line with its line break.
            let end = source.text[range.end..]
                .find('\n')
                .map(|i| range.end + i + 1)
                .unwrap_or(range.end);
            Edit::delete(range.start..end)
        } else {
            // After a value: remove it with the blanks before it.
            let trimmed = before.trim_end().len();
            Edit::delete(range.start + trimmed..range.end)
        };
        return Some(Fix::safe("remove the suppression", vec![edit]));
    }
    // Some ids are used: keep them, drop the others.
    let text = &source.text[s.span.clone()];
    let open = text.find('[')?;
    let close = text.rfind(']')?;
    let kept: Vec<&str> = s
        .rules
        .iter()
        .filter(|r| !unused.contains(r))
        .map(String::as_str)
        .collect();
    if kept.is_empty() {
        return None;
    }
    let names = unused
        .iter()
        .map(|r| format!("`{r}`"))
        .collect::<Vec<_>>()
        .join(", ");
    Some(Fix::safe(
        format!("remove {names} from the suppression"),
        vec![Edit::replace(
            s.span.start + open + 1..s.span.start + close,
            kept.join(", "),
        )],
    ))
}

/// Everything the user asked not to see, in one pass: configured levels and per-file ignores,
/// inline suppressions (which report the unused ones, themselves subject to the configured
/// levels), then the baseline. Each finding meets the configuration once.
pub fn apply(
    config: Option<&Loaded>,
    baseline: Option<&Baseline>,
    source: &Source,
    diagnostics: &mut Vec<Diagnostic>,
) {
    if let Some(config) = config {
        apply_config(config, &source.display, diagnostics);
    }
    let mut unused = suppress(source, diagnostics);
    if let Some(config) = config {
        apply_config(config, &source.display, &mut unused);
    }
    diagnostics.extend(unused);
    if let Some(baseline) = baseline {
        apply_baseline(baseline, source, diagnostics);
    }
}

/// Configured levels (`off` drops a rule) and per-file ignores.
pub fn apply_config(config: &Loaded, path: &str, diagnostics: &mut Vec<Diagnostic>) {
    let ignored: Vec<&str> = config
        .config
        .per_file_ignores
        .iter()
        .filter(|(glob, _)| glob_matches(glob, path))
        .flat_map(|(_, ids)| ids.value.iter().map(|i| i.value.as_str()))
        .collect();
    diagnostics.retain_mut(|d| {
        // A category named in `.azplint.yml` stands for each of its rules.
        let category = crate::rules::by_id(d.rule).map(|r| r.category.as_str());
        if ignored.contains(&d.rule) || category.is_some_and(|c| ignored.contains(&c)) {
            return false;
        }
        match config.level(d.rule, category) {
            Some(level) => match level.severity() {
                None => false,
                Some(sev) => {
                    d.severity = sev;
                    true
                }
            },
            None => true,
        }
    });
}

fn glob_matches(glob: &str, path: &str) -> bool {
    let p = path.trim_start_matches("./");
    let direct = globset::Glob::new(glob)
        .map(|g| g.compile_matcher().is_match(p))
        .unwrap_or(false);
    direct
        || globset::Glob::new(&format!("**/{glob}"))
            .map(|g| g.compile_matcher().is_match(p))
            .unwrap_or(false)
}

/// Findings recorded with `--write-baseline`, hidden by `--baseline`.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct Baseline {
    pub version: u32,
    pub findings: Vec<BaselineEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub struct BaselineEntry {
    pub rule: String,
    pub path: String,
    /// Hash of the rule, the path and the flagged text (and which occurrence of that text it is),
    /// so that a finding survives lines moving above it.
    pub fingerprint: String,
}

/// 64-bit FNV-1a: stable across builds and platforms.
fn fnv(parts: &[&str]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for p in parts {
        for b in p.bytes().chain([0u8]) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

/// The baseline entries of one file's findings.
pub fn fingerprints(source: &Source, diagnostics: &[Diagnostic]) -> Vec<BaselineEntry> {
    let mut seen: HashMap<(String, String), usize> = HashMap::new();
    diagnostics
        .iter()
        .map(|d| {
            let text = source
                .text
                .get(d.span.clone())
                .unwrap_or("")
                .trim()
                .to_string();
            let n = seen.entry((d.rule.to_string(), text.clone())).or_insert(0);
            *n += 1;
            BaselineEntry {
                rule: d.rule.to_string(),
                path: source.display.clone(),
                fingerprint: fnv(&[d.rule, &source.display, &text, &n.to_string()]),
            }
        })
        .collect()
}

/// Hide the findings the baseline knows.
pub fn apply_baseline(baseline: &Baseline, source: &Source, diagnostics: &mut Vec<Diagnostic>) {
    let known: HashSet<&str> = baseline
        .findings
        .iter()
        .map(|e| e.fingerprint.as_str())
        .collect();
    let prints = fingerprints(source, diagnostics);
    let mut i = 0;
    diagnostics.retain(|_| {
        let keep = !known.contains(prints[i].fingerprint.as_str());
        i += 1;
        keep
    });
}

/// Severity ordering helper for `--fail-on`.
pub fn at_least(d: &Diagnostic, min: Severity) -> bool {
    d.severity >= min
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src(t: &str) -> Source {
        Source::new("a.yml", None, t.to_string())
    }

    #[test]
    fn finds_suppressions() {
        let s = src("steps:\n- task: X@1 # azplint: ignore[extension-task]\n# azplint: ignore[deprecated-task, unknown-task]\n- task: Y@1\n# azplint: ignore-file[yaml-anchor]\n");
        let sups = suppressions(&s);
        assert_eq!(sups.len(), 3);
        assert_eq!(sups[0].line, Some(2));
        assert_eq!(sups[0].rules, vec!["extension-task"]);
        assert_eq!(sups[1].line, Some(4));
        assert_eq!(sups[1].rules.len(), 2);
        assert_eq!(sups[2].line, None);
    }

    #[test]
    fn fingerprints_survive_moves() {
        let a = src("steps:\n- task: AzureFileCopy@5\n");
        let b = src("# a new comment\n\nsteps:\n- task: AzureFileCopy@5\n");
        let d = |s: &Source| {
            let at = s.text.find("AzureFileCopy@5").unwrap();
            vec![Diagnostic::new(
                "wif-unsupported-task",
                Severity::Warning,
                at..at + 15,
                "x",
            )]
        };
        assert_eq!(fingerprints(&a, &d(&a)), fingerprints(&b, &d(&b)));
    }
}
