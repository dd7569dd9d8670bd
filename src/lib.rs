//! azplint: a fast, offline linter for Azure Pipelines YAML.
//!
//! Data flows one way: paths -> [`discover`] -> [`source::Source`] -> [`yaml`] tree ->
//! [`pipeline::Model`] -> [`rules`] -> [`diagnostic::Diagnostic`] -> [`report`].

pub mod catalog;
pub mod diagnostic;
pub mod discover;
pub mod pipeline;
pub mod report;
pub mod rules;
pub mod source;
pub mod structure;
pub mod suggest;
pub mod yaml;

use diagnostic::{Diagnostic, Severity};
use rayon::prelude::*;
use rules::{Context, RepoFiles};
use source::Source;
use std::path::{Path, PathBuf};

/// Files larger than this are not linted (no pipeline comes close).
pub const MAX_FILE_BYTES: u64 = 10 * 1024 * 1024;

/// One linted file and what was found in it.
#[derive(Debug)]
pub struct FileResult {
    pub source: Source,
    pub diagnostics: Vec<Diagnostic>,
}

#[derive(Debug, Default)]
pub struct Report {
    /// Files linted, in path order; only files with diagnostics need be looked at.
    pub files: Vec<FileResult>,
}

impl Report {
    pub fn count(&self, severity: Severity) -> usize {
        self.diagnostics()
            .filter(|(_, d)| d.severity == severity)
            .count()
    }

    pub fn diagnostics(&self) -> impl Iterator<Item = (&Source, &Diagnostic)> {
        self.files
            .iter()
            .flat_map(|f| f.diagnostics.iter().map(move |d| (&f.source, d)))
    }
}

#[derive(Debug, Default, Clone)]
pub struct Options {
    pub paths: Vec<PathBuf>,
    pub filters: discover::Filters,
}

/// Lint the files under `options.paths`.
pub fn lint(options: &Options) -> Result<Report, String> {
    let (candidates, walk_errors) = discover::discover(&options.paths, &options.filters)?;
    let mut files: Vec<FileResult> = candidates.par_iter().filter_map(lint_candidate).collect();
    for e in walk_errors {
        let d = rules::unreadable_file::diagnostic(
            format!("can't read `{}`: {}", e.display, e.message),
            "check that the path exists and that you may read it",
        );
        files.push(FileResult {
            source: Source::new(e.display, None, String::new()),
            diagnostics: vec![d],
        });
    }
    files.sort_by(|a, b| a.source.display.cmp(&b.source.display));
    files.dedup_by(|a, b| a.source.display == b.source.display && a.diagnostics == b.diagnostics);
    Ok(Report { files })
}

fn unreadable(c: &discover::Candidate, message: String, help: &str) -> FileResult {
    FileResult {
        source: Source::new(c.display.clone(), Some(c.fs_path.clone()), String::new()),
        diagnostics: vec![rules::unreadable_file::diagnostic(message, help)],
    }
}

/// Read, sniff, parse and check one file. `None` when it is not a pipeline (and not explicit).
fn lint_candidate(c: &discover::Candidate) -> Option<FileResult> {
    let meta = match std::fs::metadata(&c.fs_path) {
        Ok(m) => m,
        Err(e) => {
            return Some(unreadable(
                c,
                format!("can't read `{}`: {e}", c.display),
                "check that the file exists and that you may read it",
            ))
        }
    };
    if !meta.is_file() {
        return Some(unreadable(
            c,
            format!("`{}` is not a regular file", c.display),
            "pass a pipeline file or a directory",
        ));
    }
    if meta.len() > MAX_FILE_BYTES {
        if !c.explicit {
            return None;
        }
        return Some(unreadable(
            c,
            format!(
                "`{}` is {} bytes, more than the {} bytes azplint reads",
                c.display,
                meta.len(),
                MAX_FILE_BYTES
            ),
            "no pipeline is this large; exclude the file with --exclude",
        ));
    }
    let bytes = match std::fs::read(&c.fs_path) {
        Ok(b) => b,
        Err(e) => {
            return Some(unreadable(
                c,
                format!("can't read `{}`: {e}", c.display),
                "check that you may read the file",
            ))
        }
    };
    let file = RepoDir {
        root: c.root.clone(),
    };
    match String::from_utf8(bytes) {
        Ok(text) => {
            if text.contains('\0') {
                if !c.explicit {
                    return None;
                }
                return Some(unreadable(
                    c,
                    format!("`{}` is a binary file", c.display),
                    "pass YAML pipeline files only",
                ));
            }
            let source = Source::new(c.display.clone(), Some(c.fs_path.clone()), text);
            if !c.explicit && !discover::looks_like_pipeline(&source.text) {
                return None;
            }
            let diagnostics = lint_source(&source, &file);
            Some(FileResult {
                source,
                diagnostics,
            })
        }
        Err(e) => {
            if !c.explicit && !discover::looks_like_pipeline(&String::from_utf8_lossy(e.as_bytes()))
            {
                return None;
            }
            let at = e.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(e.as_bytes()).into_owned();
            let source = Source::new(c.display.clone(), Some(c.fs_path.clone()), text);
            // Find the first replacement character, where the invalid bytes were.
            let pos = source
                .text
                .find('\u{fffd}')
                .unwrap_or(at.min(source.text.len()));
            let end = pos + source.text[pos..].chars().next().map_or(0, char::len_utf8);
            let d = rules::unreadable_file::diagnostic(
                format!(
                    "`{}` is not valid UTF-8 (invalid bytes at byte {at})",
                    c.display
                ),
                "save the file as UTF-8; Azure Pipelines reads pipeline files as UTF-8",
            );
            let d = diagnostic::Diagnostic {
                span: pos..end,
                label: "invalid UTF-8 here".into(),
                ..d
            };
            Some(FileResult {
                source,
                diagnostics: vec![d],
            })
        }
    }
}

/// Parse and check one source. Diagnostics come back sorted by position.
pub fn lint_source(source: &Source, files: &dyn RepoFiles) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    match yaml::parse(&source.text) {
        Err(e) => out.push(rules::yaml_syntax::diagnostic(&e, source.text.len())),
        Ok(docs) => {
            let empty = yaml::Document::default();
            let doc = docs.first().unwrap_or(&empty);
            let model = pipeline::Model::build(doc.root.as_ref());
            let ctx = Context {
                source,
                doc,
                model: &model,
                files,
            };
            rules::check_all(&ctx, &mut out);
        }
    }
    out.sort_by(|a, b| (a.span.start, a.span.end, a.rule).cmp(&(b.span.start, b.span.end, b.rule)));
    out
}

/// Files of one repository, for `scriptPath` inputs.
pub struct RepoDir {
    pub root: PathBuf,
}

impl RepoFiles for RepoDir {
    fn read(&self, from: &Source, path: &str) -> Option<(String, String)> {
        let (rel, rooted) = match discover::strip_repo_macro(path) {
            Some(rest) => (rest, true),
            None if yaml::is_expression(path) => return None,
            None => (path, false),
        };
        let rel = rel.replace('\\', "/");
        if rel.is_empty() || Path::new(&rel).is_absolute() {
            return None;
        }
        let root = self.root.canonicalize().ok()?;
        let mut tries = vec![root.join(&rel)];
        if !rooted {
            if let Some(dir) = from.fs_path.as_ref().and_then(|p| p.parent()) {
                tries.push(dir.join(&rel));
            }
        }
        for t in tries {
            let Ok(real) = t.canonicalize() else { continue };
            if !real.starts_with(&root) || !real.is_file() {
                continue;
            }
            if real.metadata().map_or(true, |m| m.len() > MAX_FILE_BYTES) {
                continue;
            }
            if let Ok(text) = std::fs::read_to_string(&real) {
                return Some((rel.trim_start_matches("./").to_string(), text));
            }
        }
        None
    }
}
