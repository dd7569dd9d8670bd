//! "Did you mean" suggestions: the closest candidate by edit distance, ignoring case.

/// Optimal-string-alignment distance (Levenshtein plus adjacent transpositions), ASCII case ignored.
pub fn distance(a: &str, b: &str) -> usize {
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
        let d = distance(word, c);
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
