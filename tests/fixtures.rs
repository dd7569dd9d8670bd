//! Every rule fires on its failing fixtures at the annotated lines, and not on its passing ones.
//!
//! A fixture line that must be reported ends with `# expect: <rule-id>[, <rule-id>...]`.
//! Files named `pass*` must give no finding of their directory's rule.

mod common;

use common::{azplint, json, root};
use std::collections::BTreeSet;

fn fixture_dirs() -> Vec<String> {
    let mut dirs: Vec<String> = std::fs::read_dir(root().join("fixtures"))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    dirs.sort();
    dirs
}

fn yaml_files(rule: &str) -> Vec<String> {
    let mut files: Vec<String> = std::fs::read_dir(root().join("fixtures").join(rule))
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| (n.ends_with(".yml") || n.ends_with(".yaml")) && !n.starts_with('.'))
        .collect();
    files.sort();
    files
}

/// Lines annotated with `# expect: rule`.
fn expected_lines(text: &str, rule: &str) -> BTreeSet<u64> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| {
            l.split("# expect:")
                .nth(1)
                .is_some_and(|rest| rest.split(',').any(|r| r.trim() == rule))
        })
        .map(|(i, _)| i as u64 + 1)
        .collect()
}

#[test]
fn every_rule_has_fixtures_and_a_doc_page() {
    let dirs = fixture_dirs();
    for rule in azplint::rules::RULES {
        assert!(
            dirs.contains(&rule.id.to_string()),
            "no fixtures/{} directory",
            rule.id
        );
        let files = yaml_files(rule.id);
        assert!(
            files.iter().any(|f| f.starts_with("fail")),
            "fixtures/{} has no fail* file",
            rule.id
        );
        assert!(
            files.iter().any(|f| f.starts_with("pass")),
            "fixtures/{} has no pass* file",
            rule.id
        );
        let doc = root().join("rules/docs").join(format!("{}.md", rule.id));
        let text =
            std::fs::read_to_string(&doc).unwrap_or_else(|_| panic!("missing {}", doc.display()));
        for heading in [
            "## What it does",
            "## Why it matters",
            "## Example",
            "## How to fix",
            "## Configuration",
        ] {
            assert!(
                text.contains(heading),
                "{} lacks `{heading}`",
                doc.display()
            );
        }
    }
    for d in dirs {
        assert!(
            azplint::rules::by_id(&d).is_some(),
            "fixtures/{d} names no rule"
        );
    }
}

#[test]
fn rules_fire_at_annotated_lines_only() {
    for rule in fixture_dirs() {
        for file in yaml_files(&rule) {
            let rel = format!("fixtures/{rule}/{file}");
            let bytes = std::fs::read(root().join(&rel)).unwrap();
            let text = String::from_utf8_lossy(&bytes);
            let (_, v) = json(&[&rel]);
            let got: BTreeSet<u64> = v["diagnostics"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|d| d["rule"] == rule.as_str() && d["path"] == rel.as_str())
                .map(|d| d["line"].as_u64().unwrap())
                .collect();
            let want = expected_lines(&text, &rule);
            if file.starts_with("pass") {
                assert!(
                    want.is_empty(),
                    "{rel}: a pass file must not carry `# expect`"
                );
            } else {
                assert!(
                    !want.is_empty() || rule == "unreadable-file",
                    "{rel}: a fail file needs `# expect: {rule}` lines"
                );
            }
            if rule == "unreadable-file" && file.starts_with("fail") {
                assert!(!got.is_empty(), "{rel}: expected {rule}");
                continue;
            }
            assert_eq!(
                got, want,
                "{rel}: lines reported by {rule} (left) differ from the annotated ones (right)"
            );
        }
    }
}

#[test]
fn snapshots_of_what_the_user_sees() {
    for rule in fixture_dirs() {
        let dir = format!("fixtures/{rule}");
        let human = azplint(&["--color", "never", &dir]);
        insta::assert_snapshot!(
            format!("{rule}__human"),
            format!("{}\n--- stderr ---\n{}", human.stdout, human.stderr)
        );
        let (_, v) = json(&[&dir]);
        insta::assert_json_snapshot!(format!("{rule}__json"), v);
    }
}
