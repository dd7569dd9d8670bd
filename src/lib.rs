//! azplint: a fast, offline linter for Azure Pipelines YAML.
//!
//! Data flows one way: paths -> [`discover`] -> [`source::Source`] -> [`yaml`] tree ->
//! [`pipeline::Model`] -> [`rules`] -> [`diagnostic::Diagnostic`] -> [`report`].

pub mod catalog;
pub mod compile;
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

/// A run's files, loaded once: what `lint` and the connections inventory both read.
struct Run {
    ws: workspace::Workspace,
    walk_errors: Vec<discover::WalkError>,
    tasks: Option<catalog::Configured>,
}

fn load(options: &Options) -> Result<Run, String> {
    let (mut candidates, walk_errors) = discover::discover(&options.paths, &options.filters)?;
    if options.pipelines_only {
        for c in &mut candidates {
            c.explicit = false;
        }
    }
    let ws = workspace::Workspace::build(
        &candidates,
        &options.repositories,
        options.stdin.as_ref(),
        &options.buffers,
    );
    Ok(Run {
        ws,
        walk_errors,
        tasks: options.config.as_ref().map(configured_tasks),
    })
}

/// Call `f` with the rule context of every document of the run (in parallel over files), the
/// model of each built once; returns per file what `f` returned for each of its documents, and
/// the finding of a file that did not parse.
fn each_document<T: Send>(
    run: &Run,
    config: Option<&config::Loaded>,
    f: &(dyn Fn(&Context) -> T + Sync),
) -> Vec<(Vec<T>, Option<Diagnostic>)> {
    let ws = &run.ws;
    let settings = Settings {
        config,
        tasks: run.tasks.as_ref(),
    };
    // The model of every document, built once: for its own rules and for the files including it.
    let models: Vec<Vec<pipeline::Model>> = ws
        .files
        .par_iter()
        .map(|f| match &f.parsed {
            Ok(docs) => docs
                .iter()
                .map(|d| pipeline::Model::build(d.root.as_ref(), settings.tasks))
                .collect(),
            Err(_) => Vec::new(),
        })
        .collect();
    (0..ws.files.len())
        .into_par_iter()
        .map(|i| {
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
                            };
                            f(&ctx)
                        })
                        .collect(),
                    None,
                ),
            }
        })
        .collect()
}

/// The service connections the pipelines under `options.paths` use (their templates included),
/// with what converting each to workload identity federation breaks. Also returns the findings
/// of files that could not be read or parsed (their connections are missing from the inventory).
pub fn connections(
    options: &Options,
) -> Result<(wif::connections::Inventory, Vec<FileResult>), String> {
    let run = load(options)?;
    let mut found = Vec::new();
    let mut problems = Vec::new();
    for (i, (docs, parse)) in each_document(&run, options.config.as_ref(), &|ctx| {
        wif::connections::uses_in(ctx)
    })
    .into_iter()
    .enumerate()
    {
        found.extend(docs.into_iter().flatten());
        if let Some(d) = parse {
            problems.push((i, d));
        }
    }
    let config = options.config.as_ref();
    let scheme_of = |name: &str| {
        config
            .and_then(|c| c.scheme_of(name))
            .map(|(scheme, from)| (scheme.as_str().to_string(), from.as_str()))
    };
    let inventory = wif::connections::inventory(found, &scheme_of);
    let Run {
        ws, walk_errors, ..
    } = run;
    let mut files: Vec<Option<workspace::File>> = ws.files.into_iter().map(Some).collect();
    let mut unreadable: Vec<FileResult> = problems
        .into_iter()
        .filter_map(|(i, d)| {
            Some(FileResult {
                source: files.get_mut(i)?.take()?.source,
                diagnostics: vec![d],
            })
        })
        .collect();
    unreadable.extend(stages::unloaded_files(ws.unreadable, walk_errors));
    Ok((inventory, unreadable))
}

/// Lint the files under `options.paths`, and every template they include.
pub fn lint(options: &Options) -> Result<Report, String> {
    let run = load(options)?;
    let mut per_file: Vec<Vec<Diagnostic>> = each_document(&run, options.config.as_ref(), &|ctx| {
        let mut out = Vec::new();
        rules::check_all(ctx, &mut out);
        out
    })
    .into_iter()
    .map(|(docs, parse)| {
        let mut out: Vec<Diagnostic> = docs.into_iter().flatten().chain(parse).collect();
        sort_diagnostics(&mut out);
        out
    })
    .collect();
    let Run {
        ws, walk_errors, ..
    } = run;

    let mut order: Vec<usize> = (0..ws.files.len()).collect();
    order.sort_by(|&a, &b| ws.files[a].source.display.cmp(&ws.files[b].source.display));
    let name = |i: usize| ws.files[i].source.display.clone();
    for (file, d) in stages::graph_findings(&ws.edges, &order, &name) {
        per_file[file].push(d);
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
        filter::apply(
            options.config.as_ref(),
            options.baseline.as_ref(),
            &file.source,
            &mut diagnostics,
        );
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
    files.extend(stages::unloaded_files(unreadable, walk_errors));
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
            // Something in the batch went wrong: try each fix on its own, and refuse the ones
            // that fail alone (the others are taken again in the next pass).
            for &i in &taken {
                let d = &before.diagnostics[i];
                let Some(f) = d.fix.as_ref() else { continue };
                let alone = fix::apply(&before.source.text, &[f]);
                let trial = lint(&with(&opts, &[(key.clone(), stdin, alone.text)]))?;
                let trial_file = find(&trial, &display).map(|j| &trial.files[j]);
                if let Err(why) = better(before, trial_file) {
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
        }
        if accepted.is_empty() {
            // Only refusals this pass: lint again from the same texts with them left out.
            if refused.is_empty() {
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
