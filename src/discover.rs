//! Which files are pipelines: walk the given paths, pick YAML files, sniff their top-level keys.

use globset::{Glob, GlobSet, GlobSetBuilder};
use std::path::{Path, PathBuf};

/// A file to lint.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub fs_path: PathBuf,
    /// The path as shown to the user.
    pub display: String,
    /// Named on the command line: always linted, whatever its content.
    pub explicit: bool,
    /// The repository root: the git root above the file, else the linted root.
    pub root: PathBuf,
    /// The file's canonical path, when the walk knows it without asking the file system again
    /// (`None`: the loader resolves it).
    pub canonical: Option<PathBuf>,
}

/// A path that could not be walked.
#[derive(Debug, Clone)]
pub struct WalkError {
    pub display: String,
    pub message: String,
}

#[derive(Debug, Default, Clone)]
pub struct Filters {
    pub include: Vec<String>,
    pub exclude: Vec<String>,
}

fn globset(patterns: &[String]) -> Result<Option<GlobSet>, String> {
    if patterns.is_empty() {
        return Ok(None);
    }
    let mut b = GlobSetBuilder::new();
    for p in patterns {
        b.add(Glob::new(p).map_err(|e| format!("invalid glob `{p}`: {e}"))?);
        // `dir/**` style patterns should also match when written without a leading `**/`.
        if !p.starts_with("**/") && !p.starts_with('/') {
            if let Ok(g) = Glob::new(&format!("**/{p}")) {
                b.add(g);
            }
        }
    }
    b.build().map(Some).map_err(|e| e.to_string())
}

/// The path shown to users: as the user wrote it, without a leading `./`.
pub fn display_path(p: &Path) -> String {
    let s = p.to_string_lossy();
    let mut s: &str = &s;
    while let Some(rest) = s.strip_prefix("./") {
        s = rest;
    }
    if s.is_empty() {
        ".".to_string()
    } else {
        s.to_string()
    }
}

/// The nearest ancestor of `start` (a directory) that holds `.git`.
pub fn git_root(start: &Path) -> Option<PathBuf> {
    let start = start.canonicalize().ok()?;
    start
        .ancestors()
        .find(|d| d.join(".git").exists())
        .map(Path::to_path_buf)
}

const SKIP_DIRS: &[&str] = &[".git", "node_modules", "target"];

fn is_yaml(p: &Path) -> bool {
    p.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("yml") || e.eq_ignore_ascii_case("yaml"))
}

/// Expand command-line paths into candidate files. Missing paths are the caller's to report.
pub fn discover(
    paths: &[PathBuf],
    filters: &Filters,
) -> Result<(Vec<Candidate>, Vec<WalkError>), String> {
    let include = globset(&filters.include)?;
    let exclude = globset(&filters.exclude)?;
    // Each path is walked on its own (in parallel when there are several); the files come out in
    // the order of the paths, as a walk of one after the other gives them.
    let walked = crate::map_items(paths, |arg| {
        walk_one(arg, include.as_ref(), exclude.as_ref())
    });
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for (f, e) in walked {
        files.extend(f);
        errors.extend(e);
    }
    Ok((files, errors))
}

/// The candidates under one command-line path, and what could not be walked there.
fn walk_one(
    arg: &Path,
    include: Option<&GlobSet>,
    exclude: Option<&GlobSet>,
) -> (Vec<Candidate>, Vec<WalkError>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    let meta = match std::fs::metadata(arg) {
        Ok(m) => m,
        Err(e) => {
            errors.push(WalkError {
                display: display_path(arg),
                message: e.to_string(),
            });
            return (files, errors);
        }
    };
    if !meta.is_dir() {
        let parent = arg
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let root = git_root(parent)
            .unwrap_or_else(|| parent.canonicalize().unwrap_or(parent.to_path_buf()));
        files.push(Candidate {
            fs_path: arg.to_path_buf(),
            display: display_path(arg),
            explicit: true,
            root,
            canonical: None,
        });
        return (files, errors);
    }
    let resolved = arg.canonicalize().ok();
    let canon = resolved.clone().unwrap_or(arg.to_path_buf());
    let root = git_root(arg).unwrap_or(canon.clone());
    let walker = ignore::WalkBuilder::new(arg)
        .hidden(false)
        .follow_links(false)
        .git_ignore(true)
        .git_global(false)
        .git_exclude(true)
        .ignore(false)
        .parents(true)
        .require_git(true)
        .filter_entry(|e| {
            !(e.depth() > 0
                && e.file_type().is_some_and(|t| t.is_dir())
                && e.file_name()
                    .to_str()
                    .is_some_and(|n| SKIP_DIRS.contains(&n)))
        })
        .build();
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let display = match &e {
                    ignore::Error::WithPath { path, .. } => display_path(path),
                    _ => display_path(arg),
                };
                errors.push(WalkError {
                    display,
                    message: e.to_string(),
                });
                continue;
            }
        };
        let path = entry.path();
        if !is_yaml(path) {
            continue;
        }
        let Some(ft) = entry.file_type() else {
            continue;
        };
        let rel = path.strip_prefix(arg).unwrap_or(path);
        let canonical = if ft.is_symlink() {
            // Only a link that stays inside the linted root, to a regular file, is followed.
            match path.canonicalize() {
                Ok(target) if target.starts_with(&canon) && target.is_file() => Some(target),
                _ => continue,
            }
        } else if !ft.is_file() {
            continue;
        } else {
            // The walk follows no link: below the root's real path, every directory on the way
            // is real, and so is the file (canonicalizing each file would ask the file system
            // about every component of its path again).
            match (&resolved, path.strip_prefix(arg)) {
                (Some(real), Ok(rel)) => Some(real.join(rel)),
                _ => None,
            }
        };
        if let Some(inc) = &include {
            if !inc.is_match(rel) && !inc.is_match(path) {
                continue;
            }
        }
        if let Some(exc) = &exclude {
            if exc.is_match(rel) || exc.is_match(path) {
                continue;
            }
        }
        files.push(Candidate {
            fs_path: path.to_path_buf(),
            display: display_path(path),
            explicit: false,
            root: root.clone(),
            canonical,
        });
    }
    (files, errors)
}

/// Top-level keys that only Azure Pipelines documents have.
const STRONG_KEYS: &[&str] = &[
    "stages",
    "jobs",
    "steps",
    "extends",
    "trigger",
    "pr",
    "schedules",
    "lockBehavior",
    "phases",
];
/// Top-level keys that pipelines and templates have, but other YAML may have too.
const WEAK_KEYS: &[&str] = &[
    "variables",
    "parameters",
    "resources",
    "pool",
    "name",
    "appendCommitMessageToRunName",
    "container",
    "workspace",
    "strategy",
    "timeoutInMinutes",
    "cancelTimeoutInMinutes",
    "condition",
    "continueOnError",
    "dependsOn",
    "displayName",
    "services",
    "demands",
    "template",
    "queue",
];
/// Keys that mark other kinds of YAML: GitHub workflows, Kubernetes, compose, and so on.
const FOREIGN_KEYS: &[&str] = &[
    "on",
    "apiVersion",
    "kind",
    "version",
    "runs-on",
    "image",
    "script",
    "before_script",
    "stage",
];

/// The top-level mapping keys of a YAML text, read line by line without parsing.
fn top_level_keys(text: &str) -> impl Iterator<Item = &str> {
    text.lines().filter_map(|line| {
        let first = line.chars().next()?;
        if first.is_whitespace() || matches!(first, '#' | '-' | '%' | '.' | '{' | '[' | '}' | ']') {
            return None;
        }
        // `key:` then a space or the end of the line.
        let colon = line.char_indices().find(|&(i, c)| {
            c == ':'
                && line[i + 1..]
                    .chars()
                    .next()
                    .is_none_or(|n| n.is_whitespace())
        })?;
        let key = line[..colon.0].trim();
        Some(key.trim_matches(|c| c == '"' || c == '\''))
    })
}

/// Whether the top-level `extends:` of a text holds a block mapping.
fn extends_is_mapping(text: &str) -> bool {
    let mut lines = text.lines().skip_while(|l| !l.starts_with("extends:"));
    let Some(first) = lines.next() else {
        return false;
    };
    let rest = first["extends:".len()..].trim();
    if !rest.is_empty() && !rest.starts_with('#') {
        return rest.starts_with('{') || rest.starts_with("${{");
    }
    lines
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))
        .is_some_and(|l| !l.starts_with('-'))
}

/// Whether a YAML text is an Azure Pipelines document: a pipeline, or a template of stages, jobs,
/// steps or variables.
pub fn looks_like_pipeline(text: &str) -> bool {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut strong = false;
    let mut weak = false;
    let mut other = 0usize;
    for key in top_level_keys(text) {
        if FOREIGN_KEYS.contains(&key) {
            return false;
        }
        // Azure's `extends:` is a mapping (template, parameters); other tools' configs (TypeSpec,
        // Spectral, ESLint) write `extends: ./base` or a list.
        if key == "extends" && !extends_is_mapping(text) {
            return false;
        }
        if STRONG_KEYS.contains(&key) || key.trim_start().starts_with("${{") {
            strong = true;
        } else if WEAK_KEYS.contains(&key) {
            weak = true;
        } else {
            other += 1;
        }
    }
    strong || (weak && other == 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_pipelines_and_templates() {
        assert!(looks_like_pipeline(
            "trigger: none\npool:\n  vmImage: x\nsteps:\n- script: x\n"
        ));
        assert!(looks_like_pipeline(
            "parameters:\n- name: a\nsteps:\n- bash: x\n"
        ));
        assert!(looks_like_pipeline("variables:\n  a: b\n"));
        assert!(looks_like_pipeline("${{ if true }}:\n  steps: []\n"));
        assert!(looks_like_pipeline("\u{feff}jobs:\n- job: A\n"));
    }

    #[test]
    fn skips_other_yaml() {
        assert!(!looks_like_pipeline(
            "on: push\njobs:\n  a:\n    runs-on: x\n"
        ));
        assert!(!looks_like_pipeline("apiVersion: v1\nkind: Pod\n"));
        assert!(!looks_like_pipeline("version: '3'\nservices:\n  db: {}\n"));
        assert!(!looks_like_pipeline("repos:\n- repo: x\n"));
        assert!(!looks_like_pipeline("replicaCount: 1\nresources: {}\n"));
        assert!(!looks_like_pipeline("extends: ./typespec-base.yaml\n"));
        assert!(!looks_like_pipeline("extends:\n  - spectral:oas\n"));
        assert!(looks_like_pipeline("extends:\n  template: x.yml\n"));
    }
}
