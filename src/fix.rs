//! Applying fixes to a file's text, byte-exact: what `check --fix` and the server's code actions
//! share. Nothing here reads or writes files.

use crate::diagnostic::{Applicability, Diagnostic, Fix};

/// Which fixes a run applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `--fix`: safe fixes only.
    Safe,
    /// `--fix --unsafe-fixes`: safe and unsafe ones.
    Unsafe,
}

impl Mode {
    /// Whether this mode applies a fix of that applicability (display-only fixes never are).
    pub fn applies(self, applicability: Applicability) -> bool {
        match applicability {
            Applicability::Safe => true,
            Applicability::Unsafe => self == Mode::Unsafe,
            Applicability::DisplayOnly => false,
        }
    }
}

/// The fix of a diagnostic, when `mode` applies it and it has something to change.
pub fn applicable(d: &Diagnostic, mode: Mode) -> Option<&Fix> {
    d.fix
        .as_ref()
        .filter(|f| mode.applies(f.applicability) && !f.edits.is_empty())
}

/// The outcome of one pass over one text.
#[derive(Debug, Default)]
pub struct Pass {
    pub text: String,
    /// Indices (into the fixes given) of the fixes applied.
    pub applied: Vec<usize>,
    /// Fixes left for a later pass: an edit overlaps one applied earlier in this pass.
    pub deferred: Vec<usize>,
    /// Fixes that can't apply to this text: an edit outside it or inside a character.
    pub invalid: Vec<usize>,
}

/// Apply `fixes` to `text` in the order given: a fix whose edits overlap an edit already taken
/// waits for the next pass (the first wins). Edits that only touch at one point (an insertion
/// at the end of another edit) are distinct unless both insert at the same place.
pub fn apply(text: &str, fixes: &[&Fix]) -> Pass {
    let mut pass = Pass::default();
    // Edits taken so far: (start, end), kept sorted.
    let mut taken: Vec<(usize, usize)> = Vec::new();
    let mut edits: Vec<(usize, usize, &str)> = Vec::new();
    for (i, fix) in fixes.iter().enumerate() {
        if fix
            .edits
            .iter()
            .any(|e| !valid(text, e.range.start, e.range.end))
            || overlaps_itself(fix)
        {
            pass.invalid.push(i);
            continue;
        }
        if fix.edits.iter().any(|e| {
            taken
                .iter()
                .any(|&t| overlaps((e.range.start, e.range.end), t))
        }) {
            pass.deferred.push(i);
            continue;
        }
        for e in &fix.edits {
            taken.push((e.range.start, e.range.end));
            edits.push((e.range.start, e.range.end, e.text.as_str()));
        }
        pass.applied.push(i);
    }
    edits.sort_by_key(|&(s, e, _)| (s, e));
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for (start, end, with) in edits {
        out.push_str(&text[at..start]);
        out.push_str(with);
        at = end;
    }
    out.push_str(&text[at..]);
    pass.text = out;
    pass
}

fn valid(text: &str, start: usize, end: usize) -> bool {
    start <= end && end <= text.len() && text.is_char_boundary(start) && text.is_char_boundary(end)
}

/// Two edits conflict when their ranges share a byte, or both insert at the same point, or one
/// inserts strictly inside the other's range.
fn overlaps(a: (usize, usize), b: (usize, usize)) -> bool {
    if a.0 == a.1 && b.0 == b.1 {
        return a.0 == b.0;
    }
    if a.0 == a.1 {
        return b.0 < a.0 && a.0 < b.1;
    }
    if b.0 == b.1 {
        return a.0 < b.0 && b.0 < a.1;
    }
    a.0 < b.1 && b.0 < a.1
}

fn overlaps_itself(fix: &Fix) -> bool {
    // `Fix::new` sorts the edits.
    fix.edits.windows(2).any(|w| {
        overlaps(
            (w[0].range.start, w[0].range.end),
            (w[1].range.start, w[1].range.end),
        )
    })
}

/// A unified diff of `before` and `after` for the file shown as `path` (3 lines of context), or
/// an empty string when they are equal.
pub fn unified_diff(path: &str, before: &str, after: &str) -> String {
    if before == after {
        return String::new();
    }
    similar::TextDiff::from_lines(before, after)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{path}"), &format!("b/{path}"))
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Edit;

    fn fix(edits: Vec<Edit>) -> Fix {
        Fix::safe("f", edits)
    }

    #[test]
    fn applies_in_byte_order_and_keeps_the_rest() {
        let text = "task: A@1\ninputs:\n  x: yes\n";
        let a = fix(vec![Edit::replace(8..9, "2")]);
        let b = fix(vec![Edit::replace(23..26, "true")]);
        let pass = apply(text, &[&b, &a]);
        assert_eq!(pass.text, "task: A@2\ninputs:\n  x: true\n");
        assert_eq!(pass.applied, vec![0, 1]);
    }

    #[test]
    fn the_first_of_overlapping_fixes_wins() {
        let text = "abcdef";
        let a = fix(vec![Edit::replace(1..3, "X")]);
        let b = fix(vec![Edit::replace(2..4, "Y")]);
        let c = fix(vec![Edit::insert(1, "Z")]);
        let d = fix(vec![Edit::insert(3, "W")]);
        let pass = apply(text, &[&a, &b, &c, &d]);
        // `c` inserts at the start of `a`'s range and `d` at its end: neither overlaps it.
        assert_eq!(pass.text, "aZXWdef");
        assert_eq!(pass.applied, vec![0, 2, 3]);
        assert_eq!(pass.deferred, vec![1]);
    }

    #[test]
    fn edits_outside_the_text_or_inside_a_character_are_refused() {
        let text = "é";
        let a = fix(vec![Edit::replace(1..2, "e")]);
        let b = fix(vec![Edit::replace(0..9, "e")]);
        let pass = apply(text, &[&a, &b]);
        assert_eq!(pass.text, "é");
        assert_eq!(pass.invalid, vec![0, 1]);
    }

    #[test]
    fn display_only_and_unsafe_fixes_by_mode() {
        assert!(Mode::Safe.applies(Applicability::Safe));
        assert!(!Mode::Safe.applies(Applicability::Unsafe));
        assert!(Mode::Unsafe.applies(Applicability::Unsafe));
        assert!(!Mode::Unsafe.applies(Applicability::DisplayOnly));
    }

    #[test]
    fn diff_of_equal_texts_is_empty() {
        assert_eq!(unified_diff("a.yml", "x\n", "x\n"), "");
        let d = unified_diff("a.yml", "x\ny\n", "x\nz\n");
        assert!(d.starts_with("--- a/a.yml\n+++ b/a.yml\n"), "{d}");
        assert!(d.contains("-y\n+z\n"), "{d}");
    }
}
