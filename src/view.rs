//! What a rule sees beyond its own file: the templates of the run (through the include graph and
//! the models built once per file) and the repository's other files (`scriptPath`).

use crate::pipeline::paths::strip_repo_macro;
use crate::pipeline::{for_each_entry, Model};
use crate::rules::{RepoFiles, Templates};
use crate::source::Source;
use crate::templates::Target;
use crate::workspace::Workspace;
use crate::yaml::{is_expression, Document};
use std::path::{Path, PathBuf};

/// Templates of the run as seen from one file.
pub(crate) struct FileView<'w> {
    pub ws: &'w Workspace,
    /// The model of each document of each file, built once for the run.
    pub models: &'w [Vec<Model<'w>>],
    pub file: usize,
}

impl Templates for FileView<'_> {
    fn target(&self, start: usize) -> Option<&Target> {
        self.ws.edge(self.file, start).map(|e| &e.target)
    }
    fn target_in(&self, file: usize, start: usize) -> Option<&Target> {
        self.ws.edge(file, start).map(|e| &e.target)
    }
    fn template(&self, index: usize) -> Option<(&Source, &Document)> {
        let f = self.ws.files.get(index)?;
        Some((&f.source, f.document()?))
    }
    fn included(&self) -> bool {
        !self.ws.callers[self.file].is_empty()
    }
    fn handed(&self, pos: usize) -> bool {
        self.ws.is_handed(self.file, pos)
    }
    fn caller_arguments(&self, name: &str) -> Vec<(String, Option<String>)> {
        self.callers_pass(name, false)
            .into_iter()
            .map(|(at, _, text)| (at, text))
            .collect()
    }
    fn caller_texts(&self, name: &str) -> Vec<(String, Option<String>)> {
        self.callers_pass(name, true)
            .into_iter()
            .map(|(at, _, text)| (at, text))
            .collect()
    }
    fn caller_files(&self, name: &str) -> Vec<(String, usize, bool, Option<String>)> {
        self.callers_pass(name, true)
            .into_iter()
            .map(|(at, f, text)| (at, f, !self.ws.callers[f].is_empty(), text))
            .collect()
    }
}

impl FileView<'_> {
    /// Per call of this file, where it is and the scalar passed for parameter `name` (literals
    /// only, or any scalar text with `raw`), with the calling file's index.
    fn callers_pass(&self, name: &str, raw: bool) -> Vec<(String, usize, Option<String>)> {
        let mut out = Vec::new();
        let mut by_file: Vec<(usize, Vec<usize>)> = Vec::new();
        for &(f, i) in &self.ws.callers[self.file] {
            match by_file.iter_mut().find(|(g, _)| *g == f) {
                Some((_, list)) => list.push(i),
                None => by_file.push((f, vec![i])),
            }
        }
        for (f, edge_indices) in by_file {
            let caller = &self.ws.files[f];
            let Some(model) = self.models.get(f).and_then(|m| m.first()) else {
                continue;
            };
            for i in edge_indices {
                let e = &self.ws.edges[f][i];
                let Some(r) = model
                    .template_refs
                    .iter()
                    .find(|r| r.entry.value.span.start == e.span.start)
                else {
                    continue;
                };
                let mut value = None;
                if let Some(params) = r.parameters {
                    for_each_entry(params, 0, &mut |p| {
                        if p.key.as_str().is_some_and(|k| k.eq_ignore_ascii_case(name)) {
                            value = p
                                .value
                                .as_str()
                                .filter(|v| raw || !is_expression(v))
                                .map(|v| v.trim().to_string());
                        }
                    });
                }
                let line = caller.source.line_col(e.span.start).line;
                out.push((format!("{}:{line}", caller.source.display), f, value));
            }
        }
        out
    }
}

/// Files of one repository, for `scriptPath` inputs.
pub struct RepoDir {
    pub root: PathBuf,
}

impl RepoFiles for RepoDir {
    fn read(&self, from: &Source, path: &str) -> Option<(String, String)> {
        let (rel, rooted) = match strip_repo_macro(path) {
            Some(rest) => (rest, true),
            None if is_expression(path) => return None,
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
            if real
                .metadata()
                .map_or(true, |m| m.len() > crate::source::MAX_FILE_BYTES)
            {
                continue;
            }
            if let Ok(text) = std::fs::read_to_string(&real) {
                return Some((rel.trim_start_matches("./").to_string(), text));
            }
        }
        None
    }
}
