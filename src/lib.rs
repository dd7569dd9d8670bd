//! azplint: a fast, offline linter for Azure Pipelines YAML.
//!
//! Data flows one way: paths -> [`discover`] -> [`source::Source`] -> [`yaml`] tree ->
//! [`pipeline::Model`] -> [`rules`] -> [`diagnostic::Diagnostic`] -> [`report`].

pub mod catalog;
pub mod config;
pub mod diagnostic;
pub mod discover;
pub mod docs;
pub mod expr;
pub mod filter;
pub mod pipeline;
pub mod report;
pub mod rules;
pub mod source;
pub mod structure;
pub mod suggest;
pub mod templates;
pub mod wif;
pub mod workspace;
pub mod yaml;

use diagnostic::Diagnostic;
pub use diagnostic::{FileResult, Report};
use rayon::prelude::*;
use rules::{Context, RepoFiles};
use source::Source;
use std::path::{Path, PathBuf};

/// Files larger than this are not linted (no pipeline comes close).
pub const MAX_FILE_BYTES: u64 = 10 * 1024 * 1024;

#[derive(Debug, Default, Clone)]
pub struct Options {
    pub paths: Vec<PathBuf>,
    pub filters: discover::Filters,
    /// Repository aliases mapped to local checkouts, for `template: x.yml@alias`.
    pub repositories: std::collections::HashMap<String, PathBuf>,
    /// `.azplint.yml`: levels, per-file ignores, service connections.
    pub config: Option<config::Loaded>,
    /// Findings to hide (`--baseline`).
    pub baseline: Option<filter::Baseline>,
    /// Sniff files named on the command line too (pre-commit passes every YAML file).
    pub pipelines_only: bool,
    /// Lint this text as if it were the file at this path (`--stdin-filename PATH -`).
    pub stdin: Option<(PathBuf, Vec<u8>)>,
}

/// Lint the files under `options.paths`, and every template they include.
pub fn lint(options: &Options) -> Result<Report, String> {
    let (mut candidates, walk_errors) = discover::discover(&options.paths, &options.filters)?;
    if options.pipelines_only {
        for c in &mut candidates {
            c.explicit = false;
        }
    }
    let ws =
        workspace::Workspace::build(&candidates, &options.repositories, options.stdin.as_ref());
    let tasks = options.config.as_ref().map(configured_tasks);
    let settings = Settings {
        config: options.config.as_ref(),
        tasks: tasks.as_ref(),
    };
    let mut per_file: Vec<Vec<Diagnostic>> = (0..ws.files.len())
        .into_par_iter()
        .map(|i| lint_file(&ws, i, settings))
        .collect();

    let mut order: Vec<usize> = (0..ws.files.len()).collect();
    order.sort_by(|&a, &b| ws.files[a].source.display.cmp(&ws.files[b].source.display));
    // Problems of the include graph: cycles, nesting past Azure's limits.
    for (file, edge, problem) in templates::graph_problems(&ws.edges, &order) {
        let e = &ws.edges[file][edge];
        let name = |i: usize| ws.files[i].source.display.clone();
        per_file[file].push(rules::template_cycle::diagnostic(
            &name,
            e.span.clone(),
            &problem,
        ));
    }
    // One note per repository alias whose templates can't be read, at its first reference.
    let mut noted = std::collections::HashSet::new();
    for &f in &order {
        for e in &ws.edges[f] {
            if let templates::Target::Remote { alias } = &e.target {
                if noted.insert(alias.to_ascii_lowercase()) {
                    per_file[f].push(rules::remote_template::diagnostic(e.span.clone(), alias));
                }
            }
        }
    }
    // Findings inside templates carry the chain of includes that reaches them.
    let chains = templates::include_chains(&ws.edges, &order);
    let mut files = Vec::with_capacity(ws.files.len());
    let shown: Vec<Vec<String>> = chains
        .iter()
        .map(|chain| {
            chain
                .iter()
                .map(|(f, span)| {
                    let src = &ws.files[*f].source;
                    format!("{}:{}", src.display, src.line_col(span.start).line)
                })
                .collect()
        })
        .collect();
    let workspace::Workspace {
        files: ws_files,
        unreadable,
        ..
    } = ws;
    for ((file, mut diagnostics), chain) in ws_files.into_iter().zip(per_file).zip(shown) {
        // What the user asked not to see: levels and per-file ignores, inline suppressions
        // (which report the unused ones), then the baseline.
        if let Some(config) = &options.config {
            filter::apply_config(config, &file.source.display, &mut diagnostics);
        }
        filter::apply_suppressions(&file.source, &mut diagnostics);
        if let Some(config) = &options.config {
            // `unused-suppression` follows the configured levels too.
            filter::apply_config(config, &file.source.display, &mut diagnostics);
        }
        if let Some(baseline) = &options.baseline {
            filter::apply_baseline(baseline, &file.source, &mut diagnostics);
        }
        if !chain.is_empty() {
            for d in &mut diagnostics {
                d.included_from = chain.clone();
            }
        }
        sort_diagnostics(&mut diagnostics);
        files.push(FileResult {
            source: file.source,
            diagnostics,
        });
    }
    files.extend(unreadable.into_iter().map(|u| {
        let d = load_finding(&u.source.display, &u.problem);
        FileResult {
            source: u.source,
            diagnostics: vec![d],
        }
    }));
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

/// What the configuration says that rules read: passed down, never global.
#[derive(Clone, Copy, Default)]
struct Settings<'a> {
    config: Option<&'a config::Loaded>,
    tasks: Option<&'a catalog::Configured>,
}

/// The tasks `.azplint.yml` describes (`tasks:`), as catalog entries checked like built-ins.
pub fn configured_tasks(config: &config::Loaded) -> catalog::Configured {
    use catalog::{Input, TaskVersion, WifFact};
    let mut out = catalog::Configured::default();
    for t in &config.config.tasks {
        let pipeline::TaskRef::Parsed(p) = pipeline::parse_task_ref(&t.task.value) else {
            continue; // rejected when the configuration was read
        };
        let inputs = t
            .inputs
            .iter()
            .map(|i| {
                Input::configured(
                    &i.name,
                    i.aliases.clone(),
                    i.required,
                    i.options.clone(),
                    i.service_connection,
                )
            })
            .collect();
        out.tasks
            .push(TaskVersion::configured(p.name, p.major, inputs));
        if let Some(w) = t.wif {
            out.wif.push(WifFact::configured(p.name, p.major, w));
        }
    }
    out
}

/// The finding for a file the workspace could not load.
fn load_finding(display: &str, problem: &workspace::LoadProblem) -> Diagnostic {
    use workspace::LoadProblem;
    match problem {
        LoadProblem::Unreadable { message, help } => {
            rules::unreadable_file::diagnostic(message.clone(), help.clone())
        }
        LoadProblem::NotUtf8 { at, span } => rules::unreadable_file::diagnostic(
            format!("`{display}` is not valid UTF-8 (invalid bytes at byte {at})"),
            "save the file as UTF-8; Azure Pipelines reads pipeline files as UTF-8",
        )
        .at(span.clone(), "invalid UTF-8 here"),
        LoadProblem::TooLarge { len: Some(len) } => {
            rules::file_too_large::diagnostic(display, *len)
        }
        LoadProblem::TooLarge { len: None } => {
            rules::file_too_large::diagnostic_over_limit(display)
        }
    }
}

/// Read `.azplint.yml` at `path` and check it, rule ids included.
pub fn load_config(path: &Path) -> Result<config::Loaded, config::ConfigError> {
    let loaded = config::Loaded::from_file(path)?;
    let known: Vec<&str> = rules::RULES.iter().map(|r| r.id).collect();
    loaded.check_rule_ids(&known)?;
    Ok(loaded)
}

/// Templates of the run as seen from one file.
struct FileView<'w> {
    ws: &'w workspace::Workspace,
    file: usize,
}

impl rules::Templates for FileView<'_> {
    fn target(&self, start: usize) -> Option<&templates::Target> {
        self.ws.edge(self.file, start).map(|e| &e.target)
    }
    fn template(&self, index: usize) -> Option<(&Source, &yaml::Document)> {
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
            let Some(root) = caller.document().and_then(|d| d.root.as_ref()) else {
                continue;
            };
            let model = pipeline::Model::build(Some(root), None);
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
                    pipeline::for_each_entry(params, 0, &mut |p| {
                        if p.key.as_str().is_some_and(|k| k.eq_ignore_ascii_case(name)) {
                            value = p
                                .value
                                .as_str()
                                .filter(|v| !yaml::is_expression(v))
                                .map(|v| v.trim().to_string());
                        }
                    });
                }
                let line = caller.source.line_col(e.span.start).line;
                out.push((format!("{}:{line}", caller.source.display), value));
            }
        }
        out
    }
}

/// Check one file of the workspace.
fn lint_file(ws: &workspace::Workspace, i: usize, settings: Settings) -> Vec<Diagnostic> {
    let file = &ws.files[i];
    let repo = RepoDir {
        root: file.root.clone(),
    };
    let view = FileView { ws, file: i };
    check_parsed(&file.source, &file.parsed, &repo, &view, settings)
}

fn sort_diagnostics(out: &mut [Diagnostic]) {
    out.sort_by(|a, b| (a.span.start, a.span.end, a.rule).cmp(&(b.span.start, b.span.end, b.rule)));
}

fn check_parsed(
    source: &Source,
    parsed: &Result<Vec<yaml::Document>, yaml::ParseError>,
    files: &dyn RepoFiles,
    templates: &dyn rules::Templates,
    settings: Settings,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    match parsed {
        Err(e) if e.too_deep => out.push(rules::nesting_too_deep::diagnostic(e, &source.text)),
        Err(e) => out.push(rules::yaml_syntax::diagnostic(e, &source.text)),
        Ok(docs) => {
            for doc in docs {
                let model = pipeline::Model::build(doc.root.as_ref(), settings.tasks);
                let ctx = Context {
                    source,
                    doc,
                    model: &model,
                    files,
                    templates,
                    config: settings.config,
                    tasks: settings.tasks,
                    structure: Default::default(),
                };
                rules::check_all(&ctx, &mut out);
            }
        }
    }
    sort_diagnostics(&mut out);
    out
}

/// Parse and check one source on its own (no templates are followed). Diagnostics come back
/// sorted by position.
pub fn lint_source(source: &Source, files: &dyn RepoFiles) -> Vec<Diagnostic> {
    check_parsed(
        source,
        &yaml::parse(&source.text),
        files,
        &rules::NoTemplates,
        Settings::default(),
    )
}

/// Files of one repository, for `scriptPath` inputs.
pub struct RepoDir {
    pub root: PathBuf,
}

impl RepoFiles for RepoDir {
    fn read(&self, from: &Source, path: &str) -> Option<(String, String)> {
        let (rel, rooted) = match pipeline::paths::strip_repo_macro(path) {
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
