//! azplint: a fast, offline linter for Azure Pipelines YAML.
//!
//! Data flows one way: paths -> [`discover`] -> [`source::Source`] -> [`yaml`] tree ->
//! [`pipeline::Model`] -> [`rules`] -> [`diagnostic::Diagnostic`] -> [`report`].

pub mod catalog;
pub mod compile;
mod compiled;
pub mod config;
pub mod diagnostic;
pub mod discover;
pub mod docs;
pub mod endpoints;
pub mod expr;
pub mod filter;
pub mod fix;
pub mod pipeline;
pub mod report;
pub mod rules;
pub mod source;
mod stages;
pub mod structure;
pub mod suggest;
pub mod templates;
mod text;
mod view;
pub mod wif;
pub mod workspace;
pub mod yaml;

use diagnostic::Diagnostic;
pub use diagnostic::{FileResult, Report};
use rayon::prelude::*;
use rules::{Context, RepoFiles};
use source::Source;
use std::path::{Path, PathBuf};
pub use view::RepoDir;

pub use source::MAX_FILE_BYTES;

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
    /// Texts that stand in for files on disk, by canonical path: an editor's open buffers, the
    /// passes of `check --fix`.
    pub buffers: std::collections::HashMap<PathBuf, String>,
}

/// A run before any file is read: the candidates split into groups that share no file, the
/// paths discovery could not read, and the configured tasks.
struct Plan {
    groups: Vec<Vec<discover::Candidate>>,
    walk_errors: Vec<discover::WalkError>,
    tasks: Option<catalog::Configured>,
}

fn plan(options: &Options) -> Result<Plan, String> {
    let (mut candidates, walk_errors) = discover::discover(&options.paths, &options.filters)?;
    if options.pipelines_only {
        for c in &mut candidates {
            c.explicit = false;
        }
    }
    Ok(Plan {
        groups: groups(candidates, options),
        walk_errors,
        tasks: options.config.as_ref().map(configured_tasks),
    })
}

/// Split the candidates into groups whose template closures can't meet, so that each group is
/// loaded, linted and dropped on its own: memory follows the largest group, not the run.
///
/// A template is only ever read from inside its repository root (or a checkout mapped with
/// `--repository`), so the files of disjoint roots form disjoint parts of the include graph:
/// one group per root. The whole run is one group when that can't be shown cheaply: mapped
/// repositories, standard input, nested roots, or a file named on the command line that lives
/// outside its root (a symbolic link).
fn groups(
    candidates: Vec<discover::Candidate>,
    options: &Options,
) -> Vec<Vec<discover::Candidate>> {
    // Roots in the order their first file was found, and the group of each root.
    let mut roots: Vec<&Path> = Vec::new();
    let mut group_of: std::collections::HashMap<&Path, usize> = std::collections::HashMap::new();
    let of: Vec<usize> = candidates
        .iter()
        .map(|c| {
            *group_of.entry(c.root.as_path()).or_insert_with(|| {
                roots.push(c.root.as_path());
                roots.len() - 1
            })
        })
        .collect();
    let single = roots.len() < 2
        || !options.repositories.is_empty()
        || options.stdin.is_some()
        || roots
            .iter()
            .any(|a| roots.iter().any(|b| a != b && b.starts_with(a)))
        || candidates.iter().any(|c| {
            c.explicit
                && !c
                    .fs_path
                    .canonicalize()
                    .is_ok_and(|real| real.starts_with(&c.root))
        });
    if single {
        return vec![candidates];
    }
    let mut out: Vec<Vec<discover::Candidate>> = vec![Vec::new(); roots.len()];
    for (c, g) in candidates.into_iter().zip(of) {
        out[g].push(c);
    }
    out
}

/// Map `f` over `items` in parallel, or on this thread when there is only one: a run of one file
/// (or one group) does not start the thread pool for it.
pub(crate) fn map_items<'a, T: Sync, R: Send>(
    items: &'a [T],
    f: impl Fn(&'a T) -> R + Sync + Send,
) -> Vec<R> {
    if items.len() < 2 {
        items.iter().map(f).collect()
    } else {
        items.par_iter().map(f).collect()
    }
}

/// `f` of every group, in the order of the groups. Groups run in parallel, the largest first
/// (by files found): each idle thread takes the largest group left, so that a big repository
/// does not start last and finish alone. One group runs on this thread.
fn each_group<R: Send>(
    groups: &[Vec<discover::Candidate>],
    f: impl Fn(usize) -> R + Sync + Send,
) -> Vec<R> {
    if groups.len() < 2 {
        return (0..groups.len()).map(f).collect();
    }
    let mut order: Vec<usize> = (0..groups.len()).collect();
    order.sort_by_key(|&g| std::cmp::Reverse(groups[g].len()));
    let slots: Vec<std::sync::Mutex<Option<R>>> =
        groups.iter().map(|_| std::sync::Mutex::new(None)).collect();
    rayon::scope_fifo(|s| {
        for &g in &order {
            let (f, slot) = (&f, &slots[g]);
            s.spawn_fifo(move |_| {
                let r = f(g);
                if let Ok(mut slot) = slot.lock() {
                    *slot = Some(r);
                }
            });
        }
    });
    slots
        .into_iter()
        .filter_map(|s| s.into_inner().ok().flatten())
        .collect()
}

/// Call `f` with the rule context of every document of the workspace (in parallel over files),
/// the model of each built once; returns per file what `f` returned for each of its documents,
/// and the finding of a file that did not parse.
fn each_document<T: Send>(
    ws: &workspace::Workspace,
    settings: Settings,
    f: &(dyn Fn(&Context) -> T + Sync),
) -> Vec<(Vec<T>, Option<Diagnostic>)> {
    // The model of every document, built once: for its own rules and for the files including it.
    let models: Vec<Vec<pipeline::Model>> = map_items(&ws.files, |f| match &f.parsed {
        Ok(docs) => docs
            .iter()
            .map(|d| pipeline::Model::build(d.root.as_ref(), settings.tasks))
            .collect(),
        Err(_) => Vec::new(),
    });
    let indices: Vec<usize> = (0..ws.files.len()).collect();
    map_items(&indices, |&i| {
        let file = &ws.files[i];
        let repo = view::RepoDir {
            root: file.root.clone(),
        };
        let templates = view::FileView {
            ws,
            models: &models,
            file: i,
        };
        match &file.parsed {
            Err(e) => (
                Vec::new(),
                Some(stages::parse_finding(e, &file.source.text)),
            ),
            Ok(docs) => (
                docs.iter()
                    .zip(&models[i])
                    .map(|(doc, model)| {
                        let ctx = Context {
                            source: &file.source,
                            doc,
                            model,
                            files: &repo,
                            templates: &templates,
                            config: settings.config,
                            tasks: settings.tasks,
                            structure: Default::default(),
                            taint: Default::default(),
                        };
                        f(&ctx)
                    })
                    .collect(),
                None,
            ),
        }
    })
}

/// Load one group of candidates (standard input goes with the first group: a run with standard
/// input is one group) and every template they reach.
fn load_group(
    options: &Options,
    groups: &[Vec<discover::Candidate>],
    g: usize,
) -> workspace::Workspace {
    let stdin = if g == 0 { options.stdin.as_ref() } else { None };
    workspace::Workspace::build(&groups[g], &options.repositories, stdin, &options.buffers)
}

/// The service connections the pipelines under `options.paths` use (their templates included),
/// with what converting each to workload identity federation breaks. Also returns the findings
/// of files that could not be read or parsed (their connections are missing from the inventory).
pub fn connections(
    options: &Options,
) -> Result<(wif::connections::Inventory, Vec<FileResult>), String> {
    let plan = plan(options)?;
    let settings = Settings {
        config: options.config.as_ref(),
        tasks: plan.tasks.as_ref(),
    };
    let indices: Vec<usize> = (0..plan.groups.len()).collect();
    let per_group = map_items(&indices, |&g| {
        let ws = load_group(options, &plan.groups, g);
        let mut found = Vec::new();
        let mut problems = Vec::new();
        for (i, (docs, parse)) in
            each_document(&ws, settings, &|ctx| wif::connections::uses_in(ctx))
                .into_iter()
                .enumerate()
        {
            found.extend(docs.into_iter().flatten());
            if let Some(d) = parse {
                problems.push((i, d));
            }
        }
        let mut files: Vec<Option<workspace::File>> = ws.files.into_iter().map(Some).collect();
        let unreadable: Vec<FileResult> = problems
            .into_iter()
            .filter_map(|(i, d)| {
                Some(FileResult {
                    source: files.get_mut(i)?.take()?.source,
                    diagnostics: vec![d],
                })
            })
            .collect();
        (found, unreadable, ws.unreadable)
    });
    let mut found = Vec::new();
    let mut unreadable = Vec::new();
    let mut unloaded = Vec::new();
    for (f, u, l) in per_group {
        found.extend(f);
        unreadable.extend(u);
        unloaded.extend(l);
    }
    let config = options.config.as_ref();
    let scheme_of = |name: &str| {
        config
            .and_then(|c| c.scheme_of(name))
            .map(|(scheme, from)| (scheme.as_str().to_string(), from.as_str()))
    };
    let inventory = wif::connections::inventory(found, &scheme_of);
    unreadable.extend(stages::unloaded_files(unloaded, plan.walk_errors));
    Ok((inventory, unreadable))
}

/// A file's findings before the filter, held back because one of them is a note on a remote
/// repository alias, of which the run keeps only the first in path order across all groups.
struct Pending {
    source: Source,
    /// In the order the filter would have seen them; `Some(alias)` on a remote-alias note.
    diagnostics: Vec<(Option<String>, Diagnostic)>,
    chain: Vec<String>,
}

/// What linting one group gives: the results of its files, those held back (see [`Pending`]),
/// and the files it could not load.
struct GroupResult {
    files: Vec<FileResult>,
    pending: Vec<Pending>,
    unloaded: Vec<workspace::Unloaded>,
}

/// Filter a file's findings, attach its include chain, sort them; keep the file's text only when
/// a finding needs it (reporters show the lines of findings, and only the name of other files).
fn finish_file(
    options: &Options,
    source: Source,
    mut diagnostics: Vec<Diagnostic>,
    chain: &[String],
) -> FileResult {
    filter::apply(
        options.config.as_ref(),
        options.baseline.as_ref(),
        &source,
        &mut diagnostics,
    );
    if !chain.is_empty() {
        for d in &mut diagnostics {
            d.included_from = chain.to_vec();
        }
    }
    sort_diagnostics(&mut diagnostics);
    let source = if diagnostics.is_empty() {
        Source::new(source.display, source.fs_path, String::new())
    } else {
        source
    };
    FileResult {
        source,
        diagnostics,
    }
}

fn lint_group(options: &Options, settings: Settings, ws: workspace::Workspace) -> GroupResult {
    let rules = || {
        each_document(&ws, settings, &|ctx| {
            let mut out = Vec::new();
            rules::check_all(ctx, &mut out);
            out
        })
    };
    // The checks of the compiled pipeline run beside the rules (each keeps the other's idle
    // core busy); a run without pipelines to compile starts no thread for them.
    let entries = compiled::entries(&ws, &options.repositories);
    let compile = || {
        let preloaded = compiled::preloaded(&ws);
        map_items(&entries, |&e| {
            compiled::findings(&ws, e, &options.repositories, &preloaded)
        })
    };
    let (checked, found) = if entries.is_empty() {
        (rules(), Vec::new())
    } else {
        rayon::join(rules, compile)
    };
    let mut per_file: Vec<Vec<(Option<String>, Diagnostic)>> = checked
        .into_iter()
        .map(|(docs, parse)| {
            let mut out: Vec<Diagnostic> = docs.into_iter().flatten().chain(parse).collect();
            sort_diagnostics(&mut out);
            out.into_iter().map(|d| (None, d)).collect()
        })
        .collect();

    let mut order: Vec<usize> = (0..ws.files.len()).collect();
    order.sort_by(|&a, &b| ws.files[a].source.display.cmp(&ws.files[b].source.display));
    let name = |i: usize| ws.files[i].source.display.clone();
    for (file, alias, d) in stages::graph_findings(&ws.edges, &order, &name) {
        per_file[file].push((alias, d));
    }
    // What the compiled pipeline shows that the rules file by file didn't already say.
    for (file, d) in found.into_iter().flatten() {
        let text = &ws.files[file].source;
        let line = text.line_col(d.span.start).line;
        let said = per_file[file]
            .iter()
            .any(|(_, o)| o.rule == d.rule && text.line_col(o.span.start).line == line);
        if !said {
            per_file[file].push((None, d));
        }
    }
    // Findings inside templates carry the chain of includes that reaches them.
    let chains = templates::include_chains(&ws.edges, &order);
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
    drop(chains);
    let workspace::Workspace {
        files: ws_files,
        unreadable,
        ..
    } = ws;
    let mut files = Vec::with_capacity(ws_files.len());
    let mut pending = Vec::new();
    for ((file, diagnostics), chain) in ws_files.into_iter().zip(per_file).zip(shown) {
        // The trees go now; only the text of files with findings stays.
        let source = file.source;
        if diagnostics.iter().any(|(alias, _)| alias.is_some()) {
            pending.push(Pending {
                source,
                diagnostics,
                chain,
            });
        } else {
            let diagnostics = diagnostics.into_iter().map(|(_, d)| d).collect();
            files.push(finish_file(options, source, diagnostics, &chain));
        }
    }
    GroupResult {
        files,
        pending,
        unloaded: unreadable,
    }
}

/// Lint the files under `options.paths`, and every template they include.
pub fn lint(options: &Options) -> Result<Report, String> {
    let plan = plan(options)?;
    let settings = Settings {
        config: options.config.as_ref(),
        tasks: plan.tasks.as_ref(),
    };
    let results = each_group(&plan.groups, |g| {
        lint_group(options, settings, load_group(options, &plan.groups, g))
    });
    let mut files = Vec::new();
    let mut pending = Vec::new();
    let mut unloaded = Vec::new();
    for r in results {
        files.extend(r.files);
        pending.extend(r.pending);
        unloaded.extend(r.unloaded);
    }
    // One note per repository alias whose templates can't be read, at its first reference in
    // path order over the whole run (each group proposed its own first).
    let mut first: std::collections::HashMap<&str, &str> = std::collections::HashMap::new();
    for p in &pending {
        for (alias, _) in &p.diagnostics {
            if let Some(alias) = alias {
                let display = p.source.display.as_str();
                let best = first.entry(alias.as_str()).or_insert(display);
                if display < *best {
                    *best = display;
                }
            }
        }
    }
    let keep: Vec<Vec<bool>> = pending
        .iter()
        .map(|p| {
            p.diagnostics
                .iter()
                .map(|(alias, _)| {
                    alias
                        .as_deref()
                        .is_none_or(|a| first.get(a) == Some(&p.source.display.as_str()))
                })
                .collect()
        })
        .collect();
    drop(first);
    for (p, keep) in pending.into_iter().zip(keep) {
        let diagnostics = p
            .diagnostics
            .into_iter()
            .zip(keep)
            .filter_map(|((_, d), k)| k.then_some(d))
            .collect();
        files.push(finish_file(options, p.source, diagnostics, &p.chain));
    }
    files.extend(stages::unloaded_files(unloaded, plan.walk_errors));
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

/// Read `.azplint.yml` at `path` and check it, rule ids included.
pub fn load_config(path: &Path) -> Result<config::Loaded, config::ConfigError> {
    let loaded = config::Loaded::from_file(path)?;
    let known: Vec<&str> = rules::RULES.iter().map(|r| r.id).collect();
    let categories: Vec<&str> = rules::Category::ALL.iter().map(|c| c.as_str()).collect();
    loaded.check_rule_ids(&known, &categories)?;
    Ok(loaded)
}

fn sort_diagnostics(out: &mut [Diagnostic]) {
    out.sort_by(|a, b| (a.span.start, a.span.end, a.rule).cmp(&(b.span.start, b.span.end, b.rule)));
}

/// Run the rules on one document.
fn check_document(
    source: &Source,
    doc: &yaml::Document,
    model: &pipeline::Model,
    files: &dyn RepoFiles,
    templates: &dyn rules::Templates,
    settings: Settings,
    out: &mut Vec<Diagnostic>,
) {
    let ctx = Context {
        source,
        doc,
        model,
        files,
        templates,
        config: settings.config,
        tasks: settings.tasks,
        structure: Default::default(),
        taint: Default::default(),
    };
    rules::check_all(&ctx, out);
}

/// Parse and check one source on its own (no templates are followed). Diagnostics come back
/// sorted by position.
pub fn lint_source(source: &Source, files: &dyn RepoFiles) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    match yaml::parse(&source.text) {
        Err(e) => out.push(stages::parse_finding(&e, &source.text)),
        Ok(docs) => {
            for doc in &docs {
                let model = pipeline::Model::build(doc.root.as_ref(), None);
                let settings = Settings::default();
                check_document(
                    source,
                    doc,
                    &model,
                    files,
                    &rules::NoTemplates,
                    settings,
                    &mut out,
                );
            }
        }
    }
    sort_diagnostics(&mut out);
    out
}

/// A file `check --fix` changed.
#[derive(Debug, Clone)]
pub struct FixedFile {
    /// The path shown to the user.
    pub display: String,
    /// Where it lives (for standard input, the `--stdin-filename` path, which need not exist).
    pub path: PathBuf,
    /// It is standard input: the fixed text goes to standard output, never to a file.
    pub stdin: bool,
    /// The text as linted first (any byte-order mark removed), and after the fixes.
    pub before: String,
    pub after: String,
    /// How many findings of this file the fixes fixed.
    pub fixed: usize,
    /// The edits applied, pass by pass (each pass's edits are in the text the pass started
    /// from): applying them in order to `before` gives `after`.
    pub passes: Vec<Vec<diagnostic::Edit>>,
}

/// A fix `check --fix` did not apply, and why.
#[derive(Debug, Clone)]
pub struct DroppedFix {
    pub display: String,
    pub line: usize,
    pub rule: &'static str,
    pub why: String,
}

/// What `check --fix` did: the findings that remain (linted on the fixed texts), the files it
/// changed, how many findings it fixed, and the fixes it refused.
#[derive(Debug)]
pub struct Fixed {
    pub report: Report,
    pub files: Vec<FixedFile>,
    pub fixed: usize,
    pub dropped: Vec<DroppedFix>,
}

/// The most passes `fix` makes: each pass applies the fixes of the findings left by the last.
pub const FIX_PASSES: usize = 10;

/// Apply the fixes `mode` allows to the files named by `options` (never to templates of other
/// repositories or files outside the linted paths), in passes until nothing changes: after each
/// pass every file is linted again. A fix is refused when its result no longer parses or has a
/// finding of some rule that the text before it did not have; overlapping fixes wait for the next
/// pass. Nothing is written: the caller writes `Fixed::files` (or shows their diff).
pub fn fix(options: &Options, mode: fix::Mode) -> Result<Fixed, String> {
    use std::collections::{HashMap, HashSet};
    let canonical = |p: &Path| p.canonicalize().unwrap_or_else(|_| p.to_path_buf());
    let roots: Vec<PathBuf> = options.paths.iter().map(|p| canonical(p)).collect();
    let stdin_path = options.stdin.as_ref().map(|(p, _)| p.clone());
    // Which report file may be fixed: standard input, or a file under a linted path.
    let fixable = |source: &Source| -> Option<(PathBuf, bool)> {
        let path = source.fs_path.as_ref()?;
        if stdin_path.as_ref() == Some(path) {
            return Some((path.clone(), true));
        }
        let c = canonical(path);
        roots.iter().any(|r| c.starts_with(r)).then_some((c, false))
    };
    // Per rule, how many findings a file has.
    let counts = |f: &FileResult| -> HashMap<&'static str, usize> {
        let mut m = HashMap::new();
        for d in &f.diagnostics {
            *m.entry(d.rule).or_insert(0) += 1;
        }
        m
    };
    // A changed text is acceptable when it parses and no rule has more findings than before,
    // and at least one finding went away.
    let better = |before: &FileResult, after: Option<&FileResult>| -> Result<(), String> {
        let empty = HashMap::new();
        let b = counts(before);
        let a = after.map(counts).unwrap_or(empty);
        if let Some(syntax) = after.and_then(|f| {
            f.diagnostics
                .iter()
                .find(|d| d.rule == "yaml-syntax" && !b.contains_key("yaml-syntax"))
        }) {
            return Err(format!(
                "the fixed text no longer parses: {}",
                syntax.message
            ));
        }
        let mut worse: Vec<&str> = a
            .iter()
            .filter(|(r, n)| **n > b.get(*r).copied().unwrap_or(0))
            .map(|(r, _)| *r)
            .collect();
        worse.sort();
        if !worse.is_empty() {
            return Err(format!(
                "the fixed text has new findings: {}",
                worse.join(", ")
            ));
        }
        if a.values().sum::<usize>() >= b.values().sum::<usize>() {
            return Err("the fix did not remove its finding".into());
        }
        Ok(())
    };

    let mut opts = options.clone();
    let mut changed: HashMap<PathBuf, FixedFile> = HashMap::new();
    // A refused fix, by file, rule, message and the text of its line (offsets and line numbers
    // move as other fixes apply).
    let mut refused: HashSet<(PathBuf, &'static str, String, String)> = HashSet::new();
    let identity = |source: &Source, d: &Diagnostic| -> (&'static str, String, String) {
        let line = source
            .line_text(source.line_col(d.span.start).line)
            .trim()
            .to_string();
        (d.rule, d.message.clone(), line)
    };
    let mut dropped = Vec::new();
    let mut fixed = 0;
    let mut report = lint(&opts)?;
    // The options with `texts` standing in for their files.
    let with = |opts: &Options, texts: &[(PathBuf, bool, String)]| -> Options {
        let mut o = opts.clone();
        for (key, stdin, text) in texts {
            if *stdin {
                if let Some((_, bytes)) = &mut o.stdin {
                    *bytes = text.clone().into_bytes();
                }
            } else {
                o.buffers.insert(key.clone(), text.clone());
            }
        }
        o
    };
    let find = |report: &Report, display: &str| -> Option<usize> {
        report
            .files
            .iter()
            .position(|f| f.source.display == display)
    };
    for _ in 0..FIX_PASSES {
        let refused_before = refused.len();
        // (file index in `report`, key, stdin, the fixes taken, the new text)
        let mut proposals: Vec<(usize, PathBuf, bool, Vec<usize>, String)> = Vec::new();
        for (fi, file) in report.files.iter().enumerate() {
            let Some((key, stdin)) = fixable(&file.source) else {
                continue;
            };
            let candidates: Vec<usize> = file
                .diagnostics
                .iter()
                .enumerate()
                .filter(|(_, d)| fix::applicable(d, mode).is_some())
                .filter(|(_, d)| {
                    let (rule, message, line) = identity(&file.source, d);
                    !refused.contains(&(key.clone(), rule, message, line))
                })
                .map(|(i, _)| i)
                .collect();
            if candidates.is_empty() {
                continue;
            }
            let fixes: Vec<&diagnostic::Fix> = candidates
                .iter()
                .filter_map(|&i| file.diagnostics[i].fix.as_ref())
                .collect();
            let pass = fix::apply(&file.source.text, &fixes);
            for &i in &pass.invalid {
                let d = &file.diagnostics[candidates[i]];
                let (rule, message, line) = identity(&file.source, d);
                refused.insert((key.clone(), rule, message, line));
                dropped.push(DroppedFix {
                    display: file.source.display.clone(),
                    line: file.source.line_col(d.span.start).line,
                    rule: d.rule,
                    why: "its edits do not fit the file".into(),
                });
            }
            if pass.applied.is_empty() || pass.text == file.source.text {
                continue;
            }
            let taken = pass.applied.iter().map(|&i| candidates[i]).collect();
            proposals.push((fi, key, stdin, taken, pass.text));
        }
        if proposals.is_empty() {
            break;
        }
        let texts: Vec<(PathBuf, bool, String)> = proposals
            .iter()
            .map(|(_, k, s, _, t)| (k.clone(), *s, t.clone()))
            .collect();
        let after = lint(&with(&opts, &texts))?;
        let mut accepted: Vec<(PathBuf, bool, String)> = Vec::new();
        let mut applied: HashMap<PathBuf, (Vec<diagnostic::Edit>, usize)> = HashMap::new();
        for (fi, key, stdin, taken, text) in proposals {
            let before = &report.files[fi];
            let display = before.source.display.clone();
            let after_file = find(&after, &display).map(|i| &after.files[i]);
            if better(before, after_file).is_ok() {
                fixed += taken.len();
                let mut edits: Vec<diagnostic::Edit> = taken
                    .iter()
                    .filter_map(|&i| before.diagnostics[i].fix.as_ref())
                    .flat_map(|f| f.edits.iter().cloned())
                    .collect();
                edits.sort_by_key(|e| (e.range.start, e.range.end));
                applied.insert(key.clone(), (edits, taken.len()));
                accepted.push((key, stdin, text));
                continue;
            }
            // Something in the batch went wrong: try each fix on its own, refuse the ones that
            // fail alone, and take the first that succeeds alone (the others wait for the next
            // pass, where they meet the text it made).
            let mut first_ok: Option<(String, Vec<diagnostic::Edit>)> = None;
            for &i in &taken {
                let d = &before.diagnostics[i];
                let Some(f) = d.fix.as_ref() else { continue };
                let alone = fix::apply(&before.source.text, &[f]);
                let alone_text = alone.text;
                let trial = lint(&with(&opts, &[(key.clone(), stdin, alone_text.clone())]))?;
                let trial_file = find(&trial, &display).map(|j| &trial.files[j]);
                let verdict = better(before, trial_file);
                if verdict.is_ok() && first_ok.is_none() {
                    first_ok = Some((alone_text, f.edits.clone()));
                }
                if let Err(why) = verdict {
                    let (rule, message, line) = identity(&before.source, d);
                    refused.insert((key.clone(), rule, message, line));
                    dropped.push(DroppedFix {
                        display: display.clone(),
                        line: before.source.line_col(d.span.start).line,
                        rule: d.rule,
                        why,
                    });
                }
            }
            if let Some((text, edits)) = first_ok {
                fixed += 1;
                applied.insert(key.clone(), (edits, 1));
                accepted.push((key, stdin, text));
            }
        }
        if accepted.is_empty() {
            // Only refusals this pass: try again from the same texts with them left out, unless
            // nothing was refused either (then nothing will change).
            if refused.len() == refused_before {
                break;
            }
            continue;
        }
        for (key, stdin, text) in &accepted {
            let before = report
                .files
                .iter()
                .find(|f| fixable(&f.source).is_some_and(|(k, _)| &k == key))
                .map(|f| {
                    (
                        f.source.display.clone(),
                        f.source.text.clone(),
                        f.source.fs_path.clone().unwrap_or_default(),
                    )
                });
            let entry = changed.entry(key.clone()).or_insert_with(|| {
                let (display, text, path) = before.unwrap_or_default();
                FixedFile {
                    display,
                    // The path as found (a symbolic link stays one: the writer refuses it).
                    path,
                    fixed: 0,
                    stdin: *stdin,
                    before: text,
                    after: String::new(),
                    passes: Vec::new(),
                }
            });
            entry.after = text.clone();
            let (edits, n) = applied.remove(key).unwrap_or_default();
            entry.passes.push(edits);
            entry.fixed += n;
        }
        opts = with(&opts, &accepted);
        report = lint(&opts)?;
    }
    let mut files: Vec<FixedFile> = changed
        .into_values()
        .filter(|f| f.before != f.after)
        .collect();
    files.sort_by(|a, b| a.display.cmp(&b.display));
    Ok(Fixed {
        report,
        files,
        fixed,
        dropped,
    })
}
