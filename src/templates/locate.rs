//! Where a `template:` reference points: the path as written, resolved against the including
//! file, the repository root and mapped repositories, before any file is read.

use crate::yaml::is_expression;
use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

/// Where a template reference points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A file in this run (index into the run's files).
    File(usize),
    /// No file at any of the paths tried (shown as the user would write them).
    NotFound { tried: Vec<String> },
    /// The path leaves the repository root. `known_root`: the root is a repository's (it holds
    /// `.git`, or is a checkout mapped with `--repository`), not just the directory linted.
    Outside { resolved: String, known_root: bool },
    /// Built with `${{ }}`: known only when Azure expands it.
    Dynamic,
    /// `path@alias` for a repository that is not mapped to a local checkout.
    Remote { alias: String },
    /// The file exists but could not be read or parsed as text.
    Unreadable,
}

/// A resolved location before loading: a canonical path, or why there is none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Located {
    Path(PathBuf),
    Other(Target),
}

/// Lexically normalize `a/./b/../c` (no filesystem access). `None` when `..` climbs above the start.
pub fn normalize(path: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    let mut depth = 0usize;
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if depth == 0 {
                    return None;
                }
                out.pop();
                depth -= 1;
            }
            Component::Normal(n) => {
                out.push(n);
                depth += 1;
            }
            Component::RootDir | Component::Prefix(_) => {
                out.push(c.as_os_str());
                depth = 0;
            }
        }
    }
    Some(out)
}

/// The canonical directories resolved so far in one run. A run resolves the paths of many
/// templates in a few directories: resolving each directory once, then only looking at the file
/// itself, spares the system calls of walking every component of every path.
#[derive(Debug, Default)]
pub struct Dirs {
    known: std::sync::Mutex<foldhash::HashMap<PathBuf, Option<PathBuf>>>,
    /// Used for one lookup: each directory is resolved with one `canonicalize`, as nothing
    /// resolved would be asked again.
    once: bool,
}

impl Dirs {
    /// `path.canonicalize()` and whether it is a file, or `None` where `canonicalize` fails.
    pub fn real(&self, path: &Path) -> Option<(PathBuf, bool)> {
        let whole = |p: &Path| {
            let real = p.canonicalize().ok()?;
            let file = real.is_file();
            Some((real, file))
        };
        let (Some(parent), Some(name)) = (path.parent(), path.file_name()) else {
            return whole(path);
        };
        if !parent.is_absolute() {
            return whole(path);
        }
        let dir = if self.once {
            parent.canonicalize().ok()?
        } else {
            self.dir(parent)?
        };
        let joined = dir.join(name);
        let meta = std::fs::symlink_metadata(&joined).ok()?;
        if meta.file_type().is_symlink() {
            return whole(&joined);
        }
        Some((joined, meta.is_file()))
    }

    /// `dir.canonicalize()` of an absolute path, from its parent's: one `lstat` for each
    /// directory not seen yet (`canonicalize` asks about every component of the path each time).
    /// `None` where `canonicalize` fails or gives something that is not a directory.
    fn dir(&self, dir: &Path) -> Option<PathBuf> {
        if let Some(known) = self.known.lock().ok().and_then(|m| m.get(dir).cloned()) {
            return known;
        }
        let found = match (dir.parent(), dir.components().next_back()) {
            (Some(parent), Some(Component::Normal(name))) => self.dir(parent).and_then(|real| {
                let joined = real.join(name);
                match std::fs::symlink_metadata(&joined) {
                    Ok(m) if m.file_type().is_symlink() => {
                        joined.canonicalize().ok().filter(|target| target.is_dir())
                    }
                    Ok(m) if m.is_dir() => Some(joined),
                    _ => None,
                }
            }),
            // The root, or a path ending in `.` or `..`.
            _ => dir.canonicalize().ok().filter(|real| real.is_dir()),
        };
        if let Ok(mut m) = self.known.lock() {
            m.insert(dir.to_path_buf(), found.clone());
        }
        found
    }
}

/// Resolve a `template:` value written in the file at `from` (a canonical path) of the repository
/// at `root` (canonical). `repositories` maps aliases to local checkouts.
pub fn locate(
    value: &str,
    from: &Path,
    root: &Path,
    repositories: &HashMap<String, PathBuf>,
) -> Located {
    let once = Dirs {
        once: true,
        ..Dirs::default()
    };
    locate_in(value, from, root, repositories, &once)
}

/// [`locate`], with the directories already resolved in this run.
pub fn locate_in(
    value: &str,
    from: &Path,
    root: &Path,
    repositories: &HashMap<String, PathBuf>,
    dirs: &Dirs,
) -> Located {
    let value = value.trim();
    if is_expression(value) {
        return Located::Other(Target::Dynamic);
    }
    let (path, alias) = match value.rsplit_once('@') {
        Some((p, a)) if !a.is_empty() && !a.contains('/') && !a.contains('\\') => (p, Some(a)),
        _ => (value, None),
    };
    let path = path.replace('\\', "/");
    let from_dir = from.parent().unwrap_or(root);
    let mapped = alias.is_some_and(|a| !a.eq_ignore_ascii_case("self"));
    let (base_root, candidates): (PathBuf, Vec<PathBuf>) = match alias {
        None => {
            if let Some(rooted) = path.strip_prefix('/') {
                (root.to_path_buf(), vec![root.join(rooted)])
            } else {
                (root.to_path_buf(), vec![from_dir.join(&path)])
            }
        }
        Some(a) if a.eq_ignore_ascii_case("self") => {
            if let Some(rooted) = path.strip_prefix('/') {
                (root.to_path_buf(), vec![root.join(rooted)])
            } else {
                // Both occur in real pipelines: relative to the file, then to the root.
                (
                    root.to_path_buf(),
                    vec![from_dir.join(&path), root.join(&path)],
                )
            }
        }
        Some(a) => match repositories.iter().find(|(k, _)| k.eq_ignore_ascii_case(a)) {
            Some((_, checkout)) => {
                let checkout = checkout.canonicalize().unwrap_or(checkout.clone());
                // In another repository, every path is relative to that repository's root.
                (
                    checkout.clone(),
                    vec![checkout.join(path.trim_start_matches('/'))],
                )
            }
            None => {
                return Located::Other(Target::Remote {
                    alias: a.to_string(),
                })
            }
        },
    };
    let mut tried = Vec::new();
    let mut outside = None;
    for c in &candidates {
        let Some(norm) = normalize(c) else {
            outside = Some(c.display().to_string());
            continue;
        };
        if !norm.starts_with(&base_root) {
            outside = Some(norm.display().to_string());
            continue;
        }
        if let Some((real, file)) = dirs.real(&norm) {
            if !real.starts_with(&base_root) {
                // A symlink out of the repository.
                outside = Some(real.display().to_string());
                continue;
            }
            if file {
                return Located::Path(real);
            }
        }
        tried.push(norm.clone());
    }
    match (tried.is_empty(), outside) {
        (true, Some(resolved)) => Located::Other(Target::Outside {
            resolved,
            known_root: mapped || base_root.join(".git").exists(),
        }),
        _ => Located::Other(Target::NotFound {
            tried: tried.iter().map(|p| display_for(p)).collect(),
        }),
    }
}

/// How to show a canonical path: relative to the working directory when it can be.
pub fn display_for(path: &Path) -> String {
    let cwd = std::env::current_dir().and_then(|c| c.canonicalize()).ok();
    display_from(path, cwd.as_deref())
}

/// [`display_for`] with the working directory's canonical path (`None`: it has none).
pub fn display_from(path: &Path, cwd: Option<&Path>) -> String {
    let Some(cwd) = cwd else {
        return path.display().to_string();
    };
    let mut up = String::new();
    for anc in cwd.ancestors() {
        if let Ok(rest) = path.strip_prefix(anc) {
            let rest = rest.to_string_lossy();
            return if up.is_empty() {
                rest.into_owned()
            } else {
                format!("{up}{rest}")
            };
        }
        up.push_str("../");
        if up.len() > 3 * 8 {
            break;
        }
    }
    path.display().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dirs_resolve_like_canonicalize() {
        let tmp = tempfile::tempdir().unwrap();
        let base = tmp.path().canonicalize().unwrap();
        std::fs::create_dir_all(base.join("a/b/c")).unwrap();
        std::fs::write(base.join("a/b/c/t.yml"), "steps: []\n").unwrap();
        std::fs::write(base.join("a/f.yml"), "steps: []\n").unwrap();
        #[cfg(unix)]
        {
            std::os::unix::fs::symlink(base.join("a/b"), base.join("link")).unwrap();
            std::os::unix::fs::symlink(base.join("a/f.yml"), base.join("a/b/lf.yml")).unwrap();
            std::os::unix::fs::symlink(base.join("nowhere"), base.join("dangling")).unwrap();
        }
        let dirs = Dirs::default();
        let once = Dirs {
            once: true,
            ..Dirs::default()
        };
        for rel in [
            "a/b/c/t.yml",
            "a/f.yml",
            "a/b/c",
            "a/missing.yml",
            "missing/t.yml",
            "a/f.yml/t.yml",
            "link/c/t.yml",
            "link/lf.yml",
            "link/c/missing.yml",
            "dangling/t.yml",
            "a/b/../f.yml",
            "link/../f.yml",
        ] {
            let p = base.join(rel);
            let want = p.canonicalize().ok().map(|r| {
                let file = r.is_file();
                (r, file)
            });
            // Twice: the second answer comes from what the first resolved.
            assert_eq!(dirs.real(&p), want, "{rel}");
            assert_eq!(dirs.real(&p), want, "{rel} (cached)");
            assert_eq!(once.real(&p), want, "{rel} (once)");
        }
    }

    #[test]
    fn normalizes_lexically() {
        assert_eq!(
            normalize(Path::new("/a/b/../c/./d")),
            Some(PathBuf::from("/a/c/d"))
        );
        assert_eq!(normalize(Path::new("a/../../b")), None);
    }
}
