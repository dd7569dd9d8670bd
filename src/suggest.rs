//! "Did you mean" suggestions: the closest candidate by edit distance, ignoring case.

/// Optimal-string-alignment distance (Levenshtein plus adjacent transpositions), ASCII case ignored.
pub fn distance(a: &str, b: &str) -> usize {
    within(a, b, usize::MAX)
}

/// [`distance`] when it is at most `limit`; otherwise some number above `limit` (the rows stop as
/// soon as no later one can come back under it). Suggestions compare hundreds of names: ASCII
/// words are compared as bytes, on the stack.
fn within(a: &str, b: &str, limit: usize) -> usize {
    if a.is_ascii() && b.is_ascii() {
        osa(
            a.as_bytes(),
            b.as_bytes(),
            |x, y| x.eq_ignore_ascii_case(&y),
            limit,
        )
    } else {
        let a: Vec<char> = a.chars().map(|c| c.to_ascii_lowercase()).collect();
        let b: Vec<char> = b.chars().map(|c| c.to_ascii_lowercase()).collect();
        osa(&a, &b, |x, y| x == y, limit)
    }
}

/// The distance of [`distance`] over any items, three rows of the table at a time.
fn osa<T: Copy>(a: &[T], b: &[T], eq: impl Fn(T, T) -> bool, limit: usize) -> usize {
    let (n, m) = (a.len(), b.len());
    let w = m + 1;
    let mut stack = [0usize; 3 * 48];
    let mut heap = Vec::new();
    let rows: &mut [usize] = if 3 * w <= stack.len() {
        &mut stack[..3 * w]
    } else {
        heap.resize(3 * w, 0);
        &mut heap
    };
    for (j, cell) in rows[..w].iter_mut().enumerate() {
        *cell = j;
    }
    // The smallest value of the row before: when two rows in a row are all above `limit`, every
    // later one is too (each cell comes from the row above, or two rows above plus one).
    let mut last_min = 0;
    for i in 1..=n {
        let (cur, prev, prev2) = ((i % 3) * w, ((i - 1) % 3) * w, ((i + 1) % 3) * w);
        rows[cur] = i;
        let mut row_min = i;
        for j in 1..=m {
            let cost = usize::from(!eq(a[i - 1], b[j - 1]));
            let mut v = (rows[prev + j] + 1)
                .min(rows[cur + j - 1] + 1)
                .min(rows[prev + j - 1] + cost);
            if i > 1 && j > 1 && eq(a[i - 1], b[j - 2]) && eq(a[i - 2], b[j - 1]) {
                v = v.min(rows[prev2 + j - 2] + 1);
            }
            rows[cur + j] = v;
            row_min = row_min.min(v);
        }
        if row_min > limit && last_min > limit {
            return limit.saturating_add(1);
        }
        last_min = row_min;
    }
    rows[(n % 3) * w + m]
}

/// The largest distance still taken for a typo of a word of `len` characters.
fn allowed(len: usize) -> usize {
    match len {
        0..=3 => 0,
        4..=6 => 1,
        7..=12 => 2,
        _ => 3,
    }
}

/// The closest candidate within typo distance of `word`, if any (ties: the first one given).
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = allowed(word.chars().count());
    if limit == 0 {
        return None;
    }
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        // Lengths alone rule out most candidates cheaply.
        if c.len().abs_diff(word.len()) > limit {
            continue;
        }
        let d = within(word, c, limit);
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

/// The largest distance taken for a misspelt *name* of `len` characters: like [`closest`], but
/// never more than 2, since long names made of several words differ by a whole word more often
/// than by three slips.
fn allowed_for_name(len: usize) -> usize {
    allowed(len).min(2)
}

/// Whether `word` is `name` with a whole word added rather than a misspelling of it (ASCII case
/// ignored): `name` appears whole in `word`, and the extra characters (at least two) are only
/// before it, only after it, or both (a vendor prefix or a suffix: `AWSShellScript`,
/// `ShellScriptV2`), or form one camel-case word inserted between two of its words
/// (`AzureCustomKeyVault`).
pub fn adds_a_word(word: &str, name: &str) -> bool {
    let w: Vec<char> = word.chars().collect();
    let n: Vec<char> = name.chars().collect();
    if w.len() < n.len() + 2 {
        return false;
    }
    let extra = w.len() - n.len();
    let same = |a: &[char], b: &[char]| {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x.eq_ignore_ascii_case(y))
    };
    // Whole at some offset, with anything before and after it.
    if (0..=extra).any(|at| same(&w[at..at + n.len()], &n)) {
        return true;
    }
    // One run inserted inside: it must start a word and be followed by one.
    let starts_word = |c: char| c.is_ascii_uppercase() || c.is_ascii_digit();
    (1..n.len()).any(|at| {
        same(&w[..at], &n[..at])
            && same(&w[at + extra..], &n[at..])
            && starts_word(w[at])
            && starts_word(w[at + extra])
    })
}

/// The built-in name `word` is probably a misspelling of, for names such as task names: the
/// closest candidate within the distance [`closest`] allows but never more than two edits,
/// skipping candidates that `word` only extends by a whole word ([`adds_a_word`]), which are a
/// different name, not a typo (ties: the first one given). [`closest`] itself is unchanged for
/// keys, values and other words.
pub fn closest_name<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let limit = allowed_for_name(word.chars().count());
    if limit == 0 {
        return None;
    }
    let mut best: Option<(usize, &str)> = None;
    for c in candidates {
        if c.len().abs_diff(word.len()) > limit {
            continue;
        }
        let d = within(word, c, limit);
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) && !adds_a_word(word, c) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The whole table, as `distance` first computed it.
    fn full_table(a: &str, b: &str) -> usize {
        let a: Vec<char> = a.chars().map(|c| c.to_ascii_lowercase()).collect();
        let b: Vec<char> = b.chars().map(|c| c.to_ascii_lowercase()).collect();
        let (n, m) = (a.len(), b.len());
        let mut d = vec![vec![0usize; m + 1]; n + 1];
        for (i, row) in d.iter_mut().enumerate() {
            row[0] = i;
        }
        for (j, cell) in d[0].iter_mut().enumerate() {
            *cell = j;
        }
        for i in 1..=n {
            for j in 1..=m {
                let cost = usize::from(a[i - 1] != b[j - 1]);
                let mut v = (d[i - 1][j] + 1)
                    .min(d[i][j - 1] + 1)
                    .min(d[i - 1][j - 1] + cost);
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    v = v.min(d[i - 2][j - 2] + 1);
                }
                d[i][j] = v;
            }
        }
        d[n][m]
    }

    #[test]
    fn rows_agree_with_the_whole_table() {
        let words = [
            "",
            "a",
            "ab",
            "ba",
            "Bash",
            "bsah",
            "AzureCLI",
            "AzureCIL",
            "azurecli",
            "PowerShell",
            "PowerShelll",
            "PublishBuildArtifacts",
            "PublishBldArtifcts",
            "ShellScriptV2",
            "DotNetCoreCLI",
            "DotnetCoreCLl",
            "é",
            "éa",
            "aé",
            "Ünïcödé",
            "unicode",
            "AVeryLongTaskNameThatGoesOnAndOnForMoreThanFortyEightLetters",
            "AVeryLongTaskNameThatGoesOnAndOnForMoreThanFortyEightLeters",
        ];
        for a in words {
            for b in words {
                let full = full_table(a, b);
                assert_eq!(distance(a, b), full, "{a} {b}");
                for limit in 0..5 {
                    let w = within(a, b, limit);
                    if full <= limit {
                        assert_eq!(w, full, "{a} {b} {limit}");
                    } else {
                        assert!(w > limit, "{a} {b} {limit}");
                    }
                }
            }
        }
    }

    #[test]
    fn finds_typos_not_strangers() {
        let names = ["PublishBuildArtifacts", "AzureCLI", "Bash", "NuGetCommand"];
        assert_eq!(
            closest("PublishBuildArtifact", names),
            Some("PublishBuildArtifacts")
        );
        assert_eq!(closest("AzureCIL", names), Some("AzureCLI"));
        assert_eq!(closest("Bsah", names), Some("Bash"));
        assert_eq!(closest("MyCompanyDeploy", names), None);
        assert_eq!(closest("Foo", names), None);
    }

    #[test]
    fn names_with_a_word_added_are_not_typos() {
        let names = [
            "ShellScript",
            "PowerShell",
            "DotNetCoreCLI",
            "PublishBuildArtifacts",
            "AzureKeyVault",
            "Bash",
        ];
        // A vendor prefix or suffix, or a whole word inside.
        for word in [
            "AWSShellScript",
            "ShellScriptV2",
            "AzPowerShell",
            "CustomPowerShell",
            "DotNetCoreCLIV2",
            "AzureXyKeyVault",
        ] {
            assert_eq!(closest_name(word, names), None, "{word}");
        }
        // Real typos are still caught.
        assert_eq!(closest_name("PowerShel", names), Some("PowerShell"));
        assert_eq!(closest_name("DotNetCoreCIL", names), Some("DotNetCoreCLI"));
        assert_eq!(closest_name("DotnetCoreCLl", names), Some("DotNetCoreCLI"));
        assert_eq!(
            closest_name("PublishBuildArtifact", names),
            Some("PublishBuildArtifacts")
        );
        // One letter too many is a slip, not a word.
        assert_eq!(closest_name("PowerShelll", names), Some("PowerShell"));
        // Long names: at most two edits.
        assert_eq!(
            closest_name("PublishBuldArtifcts", names),
            Some("PublishBuildArtifacts")
        );
        assert_eq!(closest_name("PublishBldArtifcts", names), None);
        // `closest` itself keeps its limits.
        assert_eq!(
            closest("PublishBldArtifcts", names),
            Some("PublishBuildArtifacts")
        );
        assert_eq!(closest("ShellScriptV2", names), Some("ShellScript"));
    }

    #[test]
    fn adds_a_word_needs_the_whole_name() {
        assert!(adds_a_word("AWSShellScript", "ShellScript"));
        assert!(adds_a_word("awsshellscript", "ShellScript"));
        assert!(adds_a_word("MyShellScriptTask", "ShellScript"));
        assert!(adds_a_word("ShellXyScript", "ShellScript"));
        assert!(!adds_a_word("Shellxyscript", "ShellScript"));
        assert!(!adds_a_word("ShellScripts", "ShellScript"));
        assert!(!adds_a_word("ShellScrip", "ShellScript"));
        assert!(!adds_a_word("ShelScriptXY", "ShellScript"));
    }
}
