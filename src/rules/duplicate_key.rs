//! `duplicate-key`: the same plain key twice in one mapping, which Azure Pipelines rejects.
//!
//! Keys holding a template expression (`${{ if }}`, `${{ else }}`, `${{ insert }}`, `${{ each }}`,
//! `prefix-${{ parameters.x }}`) may repeat: Azure only knows them once it expands the template.
//! A key repeated between a mapping and one of its `${{ if }}` blocks is not reported either: it
//! only clashes when the condition holds.

use super::{Context, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::pipeline::walk::{At, Flow, Visitor};
use crate::yaml::{Entry, Node};
use std::collections::HashMap;

pub static RULE: Rule = Rule {
    id: "duplicate-key",
    severity: Severity::Error,
    summary: "A mapping has the same key twice",
    category: super::Category::Correctness,
    default_enabled: true,
    check: super::Check::Walk(start),
};

fn start<'c>(_: &'c Context<'c>, out: &'c mut Vec<Diagnostic>) -> Box<dyn Visitor<'c> + 'c> {
    Box::new(Keys { out })
}

/// A key Azure compares literally: a scalar without a `${{ }}` template expression in it.
fn literal_key(e: &Entry) -> Option<&str> {
    e.key.as_str().filter(|k| !crate::text::contains(k, "${{"))
}

/// Mappings up to this many entries are checked pair by pair.
const SMALL: usize = 24;

/// Each mapping on its own, as written (a key repeated in one of its `${{ if }}` blocks is
/// another mapping's).
struct Keys<'o> {
    out: &'o mut Vec<Diagnostic>,
}

impl<'a> Visitor<'a> for Keys<'_> {
    fn enter_map(&mut self, map: &'a Node, _: &At<'a>) -> Flow {
        let entries = map.as_map().unwrap_or_default();
        // Azure's reader compares keys without regard to case. Most mappings have a few keys:
        // comparing each with the ones before costs less than lower-casing them into a table.
        if entries.len() <= SMALL {
            let mut first: Vec<(&str, &Entry)> = Vec::with_capacity(entries.len());
            for e in entries {
                if let Some(key) = literal_key(e) {
                    match first.iter().find(|(k, _)| k.eq_ignore_ascii_case(key)) {
                        Some((_, earlier)) => self.out.push(diagnostic(key, earlier, e)),
                        None => first.push((key, e)),
                    }
                }
            }
            return Flow::Continue;
        }
        let mut first: HashMap<String, &Entry> = HashMap::with_capacity(entries.len());
        for e in entries {
            if let Some(key) = literal_key(e) {
                match first.get(&key.to_ascii_lowercase()) {
                    Some(earlier) => self.out.push(diagnostic(key, earlier, e)),
                    None => {
                        first.insert(key.to_ascii_lowercase(), e);
                    }
                }
            }
        }
        Flow::Continue
    }
}

fn diagnostic(key: &str, first: &Entry, later: &Entry) -> Diagnostic {
    RULE.diag(
        later.key.span.clone(),
        format!("key `{key}` is defined twice in the same mapping"),
    )
    .label("defined again here")
    .with_label(first.key.span.clone(), "first defined here")
    .help(format!(
        "keep one `{key}` entry and remove the other (merge their values if both are needed)"
    ))
    .note(format!(
        "Azure Pipelines rejects the file before any job runs: `'{key}' is already defined`; \
         many other YAML tools silently keep the last value, so an editor may show no problem"
    ))
}

#[cfg(test)]
mod tests {
    use crate::rules::NoFiles;
    use crate::source::Source;

    fn lines(text: &str) -> Vec<usize> {
        let source = Source::new("t.yml", None, text.to_string());
        crate::lint_source(&source, &NoFiles)
            .into_iter()
            .filter(|d| d.rule == "duplicate-key")
            .map(|d| text[..d.span.start].matches('\n').count() + 1)
            .collect()
    }

    #[test]
    fn reports_the_later_key_with_the_first_as_label() {
        let t = "steps:\n- script: a\n  displayName: x\n  displayName: y\n";
        assert_eq!(lines(t), vec![4]);
        let source = Source::new("t.yml", None, t.to_string());
        let d = crate::lint_source(&source, &NoFiles);
        let d = d.iter().find(|d| d.rule == "duplicate-key").unwrap();
        assert_eq!(d.labels[0].span.start, t.find("displayName: x").unwrap());
    }

    #[test]
    fn three_times_gives_two_findings() {
        assert_eq!(lines("a: 1\na: 2\na: 3\n"), vec![2, 3]);
    }

    #[test]
    fn quoted_and_plain_spellings_are_the_same_key() {
        assert_eq!(
            lines("variables:\n  a: 1\n  'a': 2\n  \"a\": 3\n"),
            vec![3, 4]
        );
    }

    #[test]
    fn case_is_ignored_but_nesting_makes_different_keys() {
        assert_eq!(lines("variables:\n  a: 1\n  A: 2\nb:\n  a: 1\n"), vec![3]);
    }

    #[test]
    fn expression_keys_repeat_freely() {
        let t = "variables:\n  ${{ if eq(1, 1) }}:\n    a: 1\n  ${{ else }}:\n    a: 2\n  \
                 ${{ if eq(1, 1) }}:\n    b: 1\n  ${{ else }}:\n    b: 2\n  \
                 ${{ insert }}: ${{ parameters.x }}\n  ${{ insert }}: ${{ parameters.y }}\n  \
                 x-${{ parameters.n }}: 1\n  x-${{ parameters.n }}: 2\n";
        assert!(lines(t).is_empty());
    }

    #[test]
    fn a_key_in_an_if_block_and_its_parent_is_not_reported() {
        assert!(lines("variables:\n  a: 1\n  ${{ if eq(1, 1) }}:\n    a: 2\n").is_empty());
    }

    #[test]
    fn duplicates_inside_an_if_block_are_reported() {
        assert_eq!(
            lines("variables:\n  ${{ if true }}:\n    a: 1\n    a: 2\n"),
            vec![4]
        );
    }

    #[test]
    fn flow_mappings_and_sequences_of_mappings() {
        assert_eq!(lines("x: {a: 1, a: 2}\ny:\n- b: 1\n  b: 2\n"), vec![1, 4]);
    }

    #[test]
    fn non_scalar_keys_are_skipped() {
        assert!(lines("? [a]\n: 1\n? [a]\n: 2\n").is_empty());
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let mut t = String::new();
        for i in 0..190 {
            t.push_str(&format!("{}k:\n", " ".repeat(i)));
        }
        t.push_str(&format!(
            "{}a: 1\n{}a: 2\n",
            " ".repeat(190),
            " ".repeat(190)
        ));
        assert_eq!(lines(&t), vec![192]);
    }
}
