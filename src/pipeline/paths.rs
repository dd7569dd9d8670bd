//! Paths written in pipelines: the agent's macros for the repository checkout.

/// `$(Build.SourcesDirectory)/x`, `$(System.DefaultWorkingDirectory)/x` and the like: the part after
/// the macro, which is relative to the repository root.
pub fn strip_repo_macro(path: &str) -> Option<&str> {
    const DIRS: &[&str] = &[
        "$(Build.SourcesDirectory)",
        "$(System.DefaultWorkingDirectory)",
        "$(Build.Repository.LocalPath)",
        "${{ variables['Build.SourcesDirectory'] }}",
    ];
    DIRS.iter().find_map(|d| {
        let rest = path.get(..d.len()).filter(|p| p.eq_ignore_ascii_case(d))?;
        let rest = &path[rest.len()..];
        Some(rest.trim_start_matches(['/', '\\']))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_repository_macros() {
        assert_eq!(
            strip_repo_macro("$(Build.SourcesDirectory)/scripts/a.sh"),
            Some("scripts/a.sh")
        );
        assert_eq!(
            strip_repo_macro("$(system.defaultworkingdirectory)\\a.ps1"),
            Some("a.ps1")
        );
        assert_eq!(strip_repo_macro("scripts/a.sh"), None);
    }
}
