//! Searches for the short, fixed strings rules look for in scalars and scripts (`${{`, `&&`,
//! `##vso[`...). `str::find` with a string pattern sets up a two-way searcher for every call,
//! which costs more than the search itself in the short texts of a pipeline.

/// Needles longer than this go to `str::find` after this many false starts (a long needle's
/// first byte matching often), so that the time stays linear on any text.
const SHORT: usize = 32;
const FALSE_STARTS: usize = 16;
/// From this length on, a text is searched with `memchr::memmem`.
const LONG: usize = 512;

/// `hay.find(needle)`: the byte offset of the first occurrence.
pub fn find(hay: &str, needle: &str) -> Option<usize> {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    let mut misses = 0;
    let Some((&first, rest)) = n.split_first() else {
        return Some(0);
    };
    let last = h.len().checked_sub(n.len())?;
    // A long text (a whole file, a script): the vectorized substring search pays off there; a
    // needle's first byte is often a common letter, which the loop below would stop at again
    // and again.
    if h.len() >= LONG {
        return memchr::memmem::find(h, n);
    }
    let mut from = 0;
    while from <= last {
        // A match starts at a character boundary: `first` starts a character of `needle`.
        let rest_of = &h[from..=last];
        // Most texts are a few words: a plain loop beats memchr's set-up there.
        let at = from
            + if rest_of.len() < 64 {
                rest_of.iter().position(|&b| b == first)?
            } else {
                memchr::memchr(first, rest_of)?
            };
        if &h[at + 1..at + n.len()] == rest {
            return Some(at);
        }
        from = at + 1;
        misses += 1;
        if n.len() > SHORT && misses >= FALSE_STARTS {
            return hay[from..].find(needle).map(|i| from + i);
        }
    }
    None
}

/// `hay.to_ascii_lowercase().contains(needle)` for a lower-case `needle`, without the copy.
pub fn contains_ignore_ascii_case(hay: &str, needle: &str) -> bool {
    let (h, n) = (hay.as_bytes(), needle.as_bytes());
    let Some(&first) = n.first() else {
        return true;
    };
    let upper = first.to_ascii_uppercase();
    let fits = |at: usize| {
        h.get(at..at + n.len())
            .is_some_and(|w| w.eq_ignore_ascii_case(n))
    };
    if upper == first {
        memchr::memchr_iter(first, h).any(fits)
    } else {
        memchr::memchr2_iter(first, upper, h).any(fits)
    }
}

/// `hay.contains(needle)`.
pub fn contains(hay: &str, needle: &str) -> bool {
    find(hay, needle).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contains_ignoring_case_like_lowering() {
        for t in [
            "",
            "##VSO[Task.SetVariable x]",
            "a ##vso[task.setvariable",
            "##vso[task.set",
            "É##vSo[TASK.setvariable",
        ] {
            for n in ["##vso[task.setvariable", "task.setvariable", "é", ""] {
                assert_eq!(
                    contains_ignore_ascii_case(t, n),
                    t.to_ascii_lowercase().contains(n),
                    "{t:?} {n:?}"
                );
            }
        }
    }

    #[test]
    fn finds_like_str_find() {
        let texts = [
            "",
            "$",
            "${{",
            "a ${{ b }} ${{ c }}",
            "$$${{",
            "é${{ü",
            "&&||)",
            "x ##vso[task.setvariable variable=a]b",
            "aaaaaaaaab",
            &"${{ a".repeat(40),
            &format!(
                "{}${{{{ aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab }}}}",
                "${{ a".repeat(40)
            ),
        ];
        let needles = [
            "",
            "$",
            "${{",
            "{{",
            "&&",
            "ü",
            "##vso[task.setvariable",
            "aab",
            "a very long needle that is longer than thirty-two bytes",
            "${{ aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab }}",
        ];
        for t in texts {
            for n in needles {
                assert_eq!(find(t, n), t.find(n), "{t:?} {n:?}");
                assert_eq!(contains(t, n), t.contains(n), "{t:?} {n:?}");
            }
        }
    }
}
