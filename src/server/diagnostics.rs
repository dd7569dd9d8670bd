//! Lint a scope with the open buffers standing in for files, and publish what was found: for every
//! file of the report with findings, and to clear the files that had some and have none now.

use super::position::{Encoding, LineIndex};
use super::{ConfigState, FileLint, Scope, Server};
use azplint::diagnostic::{Diagnostic, Severity};
use lsp_types::notification::PublishDiagnostics;
use lsp_types::{
    CodeDescription, DiagnosticRelatedInformation, DiagnosticSeverity, Location, NumberOrString,
    Position, PublishDiagnosticsParams, Range, Url,
};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

/// The options of a lint of `scope`: its folder walked for pipelines (or the document alone),
/// its configuration, the open buffers. `Err` holds a broken configuration's problem.
pub fn options(
    server: &mut Server,
    scope: &Scope,
) -> (azplint::Options, Option<azplint::config::ConfigError>) {
    let config = server.config(scope);
    let mut opts = azplint::Options {
        buffers: server.buffers(),
        ..Default::default()
    };
    match scope {
        Scope::Folder(f) => opts.paths = vec![f.clone()],
        Scope::Document(uri) => {
            // Alone, the document is linted only when it looks like a pipeline (an editor may
            // hand every YAML file to the server).
            opts.pipelines_only = true;
            let doc = server.docs.get(uri);
            match (doc.and_then(|d| d.path.clone()), doc) {
                (Some(p), _) => opts.paths = vec![p],
                (None, Some(d)) if azplint::discover::looks_like_pipeline(&d.text) => {
                    // Not on disk (yet): lint the buffer as if it were the file.
                    let path = d
                        .uri_path
                        .clone()
                        .unwrap_or_else(|| PathBuf::from("untitled.yml"));
                    opts.stdin = Some((path, d.text.clone().into_bytes()));
                }
                _ => {}
            }
        }
    }
    let mut broken = None;
    match config {
        ConfigState::None => {}
        ConfigState::Broken(e) => broken = Some(e),
        ConfigState::Loaded(c) => {
            opts.filters.include = c.config.include.iter().map(|g| g.value.clone()).collect();
            opts.filters.exclude = c.config.exclude.iter().map(|g| g.value.clone()).collect();
            opts.repositories = c.repositories().into_iter().collect();
            opts.config = Some(*c);
        }
    }
    (opts, broken)
}

pub fn lint_and_publish(server: &mut Server, scope: &Scope) {
    if matches!(scope, Scope::Document(u) if !server.docs.contains_key(u)) {
        // A document linted alone was closed: clear what it showed.
        server.clear_scope(scope);
        return;
    }
    let (opts, broken) = options(server, scope);
    if opts.paths.is_empty() && opts.stdin.is_none() {
        server.clear_scope(scope);
        return;
    }
    let report = match azplint::lint(&opts) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("azplint server: can't lint {scope:?}: {e}");
            return;
        }
    };
    let enc = server.enc;
    let before = server.published.remove(scope).unwrap_or_default();
    let mut now = HashSet::new();
    let mut sent = HashSet::new();
    for file in report.files {
        let uri = match (&file.source.fs_path, scope) {
            (Some(p), _) => server.uri_for(p),
            (None, Scope::Document(u)) => Some(u.clone()),
            _ => None,
        };
        let Some(uri) = uri else { continue };
        let doc = server.docs.get(&uri);
        let bom = doc.map(|d| d.bom()).unwrap_or(0);
        let version = doc.map(|d| d.version);
        let lint = FileLint {
            index: LineIndex::new(&file.source.text),
            text: file.source.text,
            bom,
            path: file.source.fs_path.clone(),
            diagnostics: file.diagnostics,
        };
        let out: Vec<lsp_types::Diagnostic> = lint
            .diagnostics
            .iter()
            .map(|d| to_lsp(&lint, &uri, d, enc))
            .collect();
        let open = doc.is_some();
        if !out.is_empty() || before.contains(&uri) || open {
            if !out.is_empty() {
                now.insert(uri.clone());
            }
            sent.insert(uri.clone());
            server.send(lsp_server::Notification::new(
                <PublishDiagnostics as lsp_types::notification::Notification>::METHOD.into(),
                PublishDiagnosticsParams::new(uri.clone(), out, version),
            ));
        }
        server.results.insert(uri, lint);
    }
    // A broken `.azplint.yml`: one finding on it (the lint ran without it).
    let config_uri = broken
        .as_ref()
        .and_then(|e| server.uri_for(&e.path).map(|u| (u, e)));
    if let Some((uri, e)) = &config_uri {
        let line = e.line.saturating_sub(1) as u32;
        let col = e.column.saturating_sub(1) as u32;
        let d = lsp_types::Diagnostic {
            range: Range::new(Position::new(line, col), Position::new(line, col + 1)),
            severity: Some(DiagnosticSeverity::ERROR),
            source: Some("azplint".into()),
            message: format!("invalid configuration: {}", e.message),
            ..Default::default()
        };
        server.send(lsp_server::Notification::new(
            <PublishDiagnostics as lsp_types::notification::Notification>::METHOD.into(),
            PublishDiagnosticsParams::new(uri.clone(), vec![d], None),
        ));
        now.insert(uri.clone());
        sent.insert(uri.clone());
    }
    for uri in before.difference(&now) {
        // Gone from the report, or its configuration problem is fixed.
        if !sent.contains(uri) {
            server.send(empty(uri.clone()));
        }
    }
    server.published.insert(scope.clone(), now);
}

fn empty(uri: Url) -> lsp_server::Notification {
    lsp_server::Notification::new(
        <PublishDiagnostics as lsp_types::notification::Notification>::METHOD.into(),
        PublishDiagnosticsParams::new(uri, Vec::new(), None),
    )
}

/// A byte span of a linted file as an LSP range (in the editor's text, byte-order mark included).
pub fn range(lint: &FileLint, span: std::ops::Range<usize>, enc: Encoding) -> Range {
    let mut r = lint.index.range(&lint.text, span, enc);
    if lint.bom > 0 {
        let units = if enc == Encoding::Utf8 { 3 } else { 1 };
        for p in [&mut r.start, &mut r.end] {
            if p.line == 0 {
                p.character += units;
            }
        }
    }
    r
}

/// An editor position as a byte offset into the linted text.
pub fn offset(lint: &FileLint, pos: Position, enc: Encoding) -> usize {
    let mut pos = pos;
    if lint.bom > 0 && pos.line == 0 {
        let units = if enc == Encoding::Utf8 { 3 } else { 1 };
        pos.character = pos.character.saturating_sub(units);
    }
    lint.index.offset(&lint.text, pos, enc)
}

pub fn severity(s: Severity) -> DiagnosticSeverity {
    match s {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Note => DiagnosticSeverity::INFORMATION,
    }
}

/// The rule's page, when the docs base is an absolute URL.
fn code_description(rule: &str) -> Option<CodeDescription> {
    let href = Url::parse(&azplint::report::rule_doc(rule)).ok()?;
    Some(CodeDescription { href })
}

pub fn to_lsp(lint: &FileLint, uri: &Url, d: &Diagnostic, enc: Encoding) -> lsp_types::Diagnostic {
    let mut message = d.message.clone();
    if let Some(h) = &d.help {
        message.push_str("\nhelp: ");
        message.push_str(h);
    }
    if let Some(n) = &d.note {
        message.push_str("\nnote: ");
        message.push_str(n);
    }
    let mut related = Vec::new();
    for l in &d.labels {
        related.push(DiagnosticRelatedInformation {
            location: Location::new(uri.clone(), range(lint, l.span.clone(), enc)),
            message: l.message.clone(),
        });
    }
    for (i, at) in d.included_from.iter().enumerate() {
        if let Some(location) = chain_location(at) {
            related.push(DiagnosticRelatedInformation {
                location,
                message: if i == 0 {
                    "included from here".into()
                } else {
                    "which is included from here".into()
                },
            });
        }
    }
    lsp_types::Diagnostic {
        range: range(lint, d.span.clone(), enc),
        severity: Some(severity(d.severity)),
        code: Some(NumberOrString::String(d.rule.to_string())),
        code_description: code_description(d.rule),
        source: Some("azplint".into()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        tags: None,
        data: None,
    }
}

/// `path:line` of an include chain (the path as the report shows it: relative to the working
/// directory, or absolute).
fn chain_location(at: &str) -> Option<Location> {
    let (path, line) = at.rsplit_once(':')?;
    let line: u32 = line.parse().ok()?;
    let path = Path::new(path);
    let path = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().ok()?.join(path)
    };
    let uri = Url::from_file_path(path.canonicalize().unwrap_or(path)).ok()?;
    let p = Position::new(line.saturating_sub(1), 0);
    Some(Location::new(uri, Range::new(p, p)))
}
