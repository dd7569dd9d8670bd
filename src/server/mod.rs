//! `azplint server`: the language server (LSP over stdio, synchronous, on `lsp-server`).
//!
//! One thread answers every message in order. Changes are batched: the messages already queued
//! are handled first, then the workspaces whose documents changed are linted once and their
//! diagnostics published. The server never writes a file: fixes travel as edits to the client.
//!
//! The server is a top layer, like `main.rs`: it uses the library's public API and nothing
//! imports it.

mod actions;
mod completion;
mod definition;
mod diagnostics;
mod hover;
mod position;
mod transport;
mod tree;

use azplint::diagnostic::Diagnostic;
use lsp_server::{ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::Notification as _;
use lsp_types::request::Request as _;
use lsp_types::Url;
use position::{Encoding, LineIndex};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// An open document: the editor's text, which stands in for the file on disk.
#[derive(Debug, Clone)]
pub(crate) struct Doc {
    /// Canonical path, when the document is a file that exists.
    pub path: Option<PathBuf>,
    /// The path the URI names (for a file not saved yet).
    pub uri_path: Option<PathBuf>,
    pub version: i32,
    pub text: String,
    pub index: LineIndex,
}

impl Doc {
    fn new(uri: &Url, version: i32, text: String) -> Doc {
        let uri_path = uri.to_file_path().ok();
        let path = uri_path.as_ref().and_then(|p| p.canonicalize().ok());
        let index = LineIndex::new(&text);
        Doc {
            path,
            uri_path,
            version,
            text,
            index,
        }
    }

    /// Bytes of a leading byte-order mark, which azplint's spans don't count.
    pub fn bom(&self) -> usize {
        if self.text.starts_with('\u{feff}') {
            3
        } else {
            0
        }
    }
}

/// What the last lint found in one file.
#[derive(Debug)]
pub(crate) struct FileLint {
    /// The text the spans point into (any byte-order mark removed).
    pub text: String,
    pub index: LineIndex,
    /// Bytes of the byte-order mark the editor's text has before `text` (0 or 3).
    pub bom: usize,
    pub path: Option<PathBuf>,
    pub diagnostics: Vec<Diagnostic>,
}

/// `.azplint.yml` of a workspace, as last read.
#[derive(Debug, Clone)]
pub(crate) enum ConfigState {
    None,
    Loaded(Box<azplint::config::Loaded>),
    Broken(azplint::config::ConfigError),
}

pub(crate) struct Server {
    out: crossbeam_channel::Sender<Message>,
    pub enc: Encoding,
    /// Workspace folders, canonical.
    folders: Vec<PathBuf>,
    pub docs: HashMap<Url, Doc>,
    /// Per linted scope (a workspace folder, a repository, or a single document's path).
    configs: HashMap<PathBuf, ConfigState>,
    /// Scopes to lint at the end of the batch.
    dirty: BTreeSet<Scope>,
    /// What the last lint of each scope found, by URI.
    pub results: HashMap<Url, FileLint>,
    /// URIs whose last published diagnostics were not empty, by scope.
    published: HashMap<Scope, HashSet<Url>>,
    /// Whether the client takes `client/registerCapability` for file watchers.
    dynamic_watch: bool,
    next_id: i32,
    shutdown: bool,
}

/// What one lint covers: a folder (walked for pipelines) or one document (with its templates).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Scope {
    Folder(PathBuf),
    Document(Url),
}

/// Run the server on standard input and output until `exit`.
pub fn run() -> ExitCode {
    let (sender, receiver, threads) = transport::stdio();
    let mut server = Server {
        out: sender,
        enc: Encoding::Utf16,
        folders: Vec::new(),
        docs: HashMap::new(),
        configs: HashMap::new(),
        dirty: BTreeSet::new(),
        results: HashMap::new(),
        published: HashMap::new(),
        dynamic_watch: false,
        next_id: 0,
        shutdown: false,
    };
    let mut initialized = false;
    let code = 'main: loop {
        let Ok(first) = receiver.recv() else {
            // Standard input closed without `exit`.
            break if server.shutdown { 0 } else { 1 };
        };
        let mut batch = vec![first];
        while let Ok(m) = receiver.try_recv() {
            batch.push(m);
        }
        for msg in batch {
            if let Message::Notification(n) = &msg {
                if n.method == lsp_types::notification::Exit::METHOD {
                    break 'main if server.shutdown { 0 } else { 1 };
                }
            }
            if !initialized {
                match msg {
                    Message::Request(r) if r.method == lsp_types::request::Initialize::METHOD => {
                        let reply = guarded("initialize", || server.initialize(&r));
                        match reply {
                            Some(Ok(result)) => {
                                server.send(Response::new_ok(r.id, result));
                                initialized = true;
                            }
                            Some(Err(e)) => server.send(Response::new_err(
                                r.id,
                                ErrorCode::InvalidParams as i32,
                                e,
                            )),
                            None => server.send(internal_error(r.id)),
                        }
                    }
                    Message::Request(r) => server.send(Response::new_err(
                        r.id,
                        ErrorCode::ServerNotInitialized as i32,
                        "the server is not initialized".into(),
                    )),
                    _ => {}
                }
                continue;
            }
            server.handle(msg);
        }
        if guarded("lint", || server.flush()).is_none() {
            server.dirty.clear();
        }
    };
    drop(server);
    let _ = threads.join();
    ExitCode::from(code)
}

/// Run `f`, catching a panic (logged to standard error): the server survives a bug.
fn guarded<T>(what: &str, f: impl FnOnce() -> T) -> Option<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(v) => Some(v),
        Err(e) => {
            let msg = e
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            eprintln!("azplint server: internal error in {what}: {msg}");
            None
        }
    }
}

fn internal_error(id: RequestId) -> Response {
    Response::new_err(
        id,
        ErrorCode::InternalError as i32,
        "internal error (see the server's log)".into(),
    )
}

type Answer = Result<serde_json::Value, (ErrorCode, String)>;

fn params<P: serde::de::DeserializeOwned>(v: serde_json::Value) -> Result<P, (ErrorCode, String)> {
    serde_json::from_value(v)
        .map_err(|e| (ErrorCode::InvalidParams, format!("invalid params: {e}")))
}

fn json<T: serde::Serialize>(v: T) -> Answer {
    serde_json::to_value(v).map_err(|e| (ErrorCode::InternalError, e.to_string()))
}

impl Server {
    pub fn send(&self, msg: impl Into<Message>) {
        let _ = self.out.send(msg.into());
    }

    fn notify<N: lsp_types::notification::Notification>(&self, params: N::Params) {
        self.send(Notification::new(N::METHOD.to_string(), params));
    }

    fn initialize(&mut self, r: &Request) -> Result<serde_json::Value, String> {
        let p: lsp_types::InitializeParams =
            serde_json::from_value(r.params.clone()).map_err(|e| format!("invalid params: {e}"))?;
        let offered = p
            .capabilities
            .general
            .as_ref()
            .and_then(|g| g.position_encodings.clone())
            .unwrap_or_default();
        self.enc = if offered.contains(&lsp_types::PositionEncodingKind::UTF8) {
            Encoding::Utf8
        } else {
            Encoding::Utf16
        };
        let mut folders: Vec<PathBuf> = p
            .workspace_folders
            .iter()
            .flatten()
            .filter_map(|f| f.uri.to_file_path().ok())
            .collect();
        #[allow(deprecated)]
        if folders.is_empty() {
            folders.extend(p.root_uri.as_ref().and_then(|u| u.to_file_path().ok()));
            folders.extend(p.root_path.as_ref().map(PathBuf::from));
        }
        self.folders = folders
            .into_iter()
            .filter_map(|f| f.canonicalize().ok())
            .collect();
        self.dynamic_watch = p
            .capabilities
            .workspace
            .as_ref()
            .and_then(|w| w.did_change_watched_files.as_ref())
            .and_then(|d| d.dynamic_registration)
            .unwrap_or(false);
        use lsp_types::*;
        let caps = ServerCapabilities {
            position_encoding: Some(match self.enc {
                Encoding::Utf8 => PositionEncodingKind::UTF8,
                Encoding::Utf16 => PositionEncodingKind::UTF16,
            }),
            text_document_sync: Some(TextDocumentSyncCapability::Options(
                TextDocumentSyncOptions {
                    open_close: Some(true),
                    change: Some(TextDocumentSyncKind::INCREMENTAL),
                    save: Some(TextDocumentSyncSaveOptions::Supported(true)),
                    ..Default::default()
                },
            )),
            code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
                code_action_kinds: Some(vec![
                    CodeActionKind::QUICKFIX,
                    CodeActionKind::new(actions::FIX_ALL),
                ]),
                resolve_provider: Some(false),
                ..Default::default()
            })),
            hover_provider: Some(HoverProviderCapability::Simple(true)),
            completion_provider: Some(CompletionOptions {
                trigger_characters: Some(vec![":".into(), " ".into(), "@".into()]),
                ..Default::default()
            }),
            definition_provider: Some(OneOf::Left(true)),
            workspace: Some(WorkspaceServerCapabilities {
                workspace_folders: Some(WorkspaceFoldersServerCapabilities {
                    supported: Some(true),
                    change_notifications: Some(OneOf::Left(true)),
                }),
                file_operations: None,
            }),
            ..Default::default()
        };
        let result = InitializeResult {
            capabilities: caps,
            server_info: Some(ServerInfo {
                name: "azplint".into(),
                version: Some(env!("CARGO_PKG_VERSION").into()),
            }),
        };
        serde_json::to_value(result).map_err(|e| e.to_string())
    }

    fn handle(&mut self, msg: Message) {
        match msg {
            Message::Request(r) => {
                let id = r.id.clone();
                let method = r.method.clone();
                match guarded(&method, || self.request(r)) {
                    Some(Ok(v)) => self.send(Response::new_ok(id, v)),
                    Some(Err((code, m))) => self.send(Response::new_err(id, code as i32, m)),
                    None => self.send(internal_error(id)),
                }
            }
            Message::Notification(n) => {
                let method = n.method.clone();
                guarded(&method, || self.notification(n));
            }
            Message::Response(_) => {} // answers to our registrations
        }
    }

    fn request(&mut self, r: Request) -> Answer {
        use lsp_types::request::*;
        if self.shutdown && r.method != Shutdown::METHOD {
            return Err((
                ErrorCode::InvalidRequest,
                "the server is shutting down".into(),
            ));
        }
        match r.method.as_str() {
            Initialize::METHOD => Err((
                ErrorCode::InvalidRequest,
                "the server is initialized already".into(),
            )),
            Shutdown::METHOD => {
                self.shutdown = true;
                Ok(serde_json::Value::Null)
            }
            CodeActionRequest::METHOD => {
                let p = params(r.params)?;
                // The fixes come from the last lint: make it current.
                self.flush();
                json(actions::code_actions(self, p))
            }
            HoverRequest::METHOD => json(hover::hover(self, params(r.params)?)),
            Completion::METHOD => json(completion::completion(self, params(r.params)?)),
            GotoDefinition::METHOD => json(definition::definition(self, params(r.params)?)),
            _ => Err((
                ErrorCode::MethodNotFound,
                format!("unknown method `{}`", r.method),
            )),
        }
    }

    fn notification(&mut self, n: Notification) {
        use lsp_types::notification::*;
        let bad = |e: serde_json::Error| eprintln!("azplint server: bad {}: {e}", n.method);
        match n.method.as_str() {
            Initialized::METHOD => self.register_watchers(),
            DidOpenTextDocument::METHOD => {
                match serde_json::from_value::<lsp_types::DidOpenTextDocumentParams>(
                    n.params.clone(),
                ) {
                    Ok(p) => {
                        let d = p.text_document;
                        let doc = Doc::new(&d.uri, d.version, d.text);
                        self.docs.insert(d.uri.clone(), doc);
                        self.touched(&d.uri);
                    }
                    Err(e) => bad(e),
                }
            }
            DidChangeTextDocument::METHOD => {
                match serde_json::from_value::<lsp_types::DidChangeTextDocumentParams>(
                    n.params.clone(),
                ) {
                    Ok(p) => self.changed(p),
                    Err(e) => bad(e),
                }
            }
            DidSaveTextDocument::METHOD => {
                match serde_json::from_value::<lsp_types::DidSaveTextDocumentParams>(
                    n.params.clone(),
                ) {
                    Ok(p) => {
                        if is_config(&p.text_document.uri) {
                            self.config_changed();
                        } else {
                            self.touched(&p.text_document.uri);
                        }
                    }
                    Err(e) => bad(e),
                }
            }
            DidCloseTextDocument::METHOD => {
                match serde_json::from_value::<lsp_types::DidCloseTextDocumentParams>(
                    n.params.clone(),
                ) {
                    Ok(p) => {
                        let uri = p.text_document.uri;
                        // Lint again with the file on disk standing in for the closed buffer.
                        self.touched(&uri);
                        self.docs.remove(&uri);
                    }
                    Err(e) => bad(e),
                }
            }
            DidChangeWatchedFiles::METHOD => {
                match serde_json::from_value::<lsp_types::DidChangeWatchedFilesParams>(
                    n.params.clone(),
                ) {
                    Ok(p) => {
                        if p.changes.iter().any(|c| is_config(&c.uri)) {
                            self.config_changed();
                        } else {
                            // Pipelines created, changed or deleted on disk.
                            let scopes: BTreeSet<Scope> = self.published.keys().cloned().collect();
                            self.dirty.extend(scopes);
                        }
                    }
                    Err(e) => bad(e),
                }
            }
            DidChangeWorkspaceFolders::METHOD => {
                match serde_json::from_value::<lsp_types::DidChangeWorkspaceFoldersParams>(
                    n.params.clone(),
                ) {
                    Ok(p) => {
                        for f in &p.event.removed {
                            if let Some(path) = f
                                .uri
                                .to_file_path()
                                .ok()
                                .and_then(|p| p.canonicalize().ok())
                            {
                                self.folders.retain(|x| x != &path);
                                self.clear_scope(&Scope::Folder(path));
                            }
                        }
                        for f in &p.event.added {
                            if let Some(path) = f
                                .uri
                                .to_file_path()
                                .ok()
                                .and_then(|p| p.canonicalize().ok())
                            {
                                self.folders.push(path);
                            }
                        }
                        let open: Vec<Url> = self.docs.keys().cloned().collect();
                        for u in open {
                            self.touched(&u);
                        }
                    }
                    Err(e) => bad(e),
                }
            }
            // `$/cancelRequest`, `$/setTrace` and other notifications need nothing.
            _ => {}
        }
    }

    fn changed(&mut self, p: lsp_types::DidChangeTextDocumentParams) {
        let uri = p.text_document.uri;
        let enc = self.enc;
        let Some(doc) = self.docs.get_mut(&uri) else {
            return;
        };
        for c in p.content_changes {
            match c.range {
                None => doc.text = c.text,
                Some(range) => {
                    let start = doc.index.offset(&doc.text, range.start, enc);
                    let end = doc.index.offset(&doc.text, range.end, enc).max(start);
                    doc.text.replace_range(start..end, &c.text);
                }
            }
            doc.index = LineIndex::new(&doc.text);
        }
        doc.version = p.text_document.version;
        self.touched(&uri);
    }

    /// Ask the client to tell us when `.azplint.yml` changes on disk.
    fn register_watchers(&mut self) {
        if !self.dynamic_watch {
            return;
        }
        use lsp_types::*;
        let options = DidChangeWatchedFilesRegistrationOptions {
            watchers: vec![
                FileSystemWatcher {
                    glob_pattern: GlobPattern::String("**/.azplint.yml".into()),
                    kind: None,
                },
                FileSystemWatcher {
                    glob_pattern: GlobPattern::String("**/*.{yml,yaml}".into()),
                    kind: Some(WatchKind::Create | WatchKind::Delete),
                },
            ],
        };
        let params = RegistrationParams {
            registrations: vec![Registration {
                id: "azplint-watch".into(),
                method: notification::DidChangeWatchedFiles::METHOD.into(),
                register_options: serde_json::to_value(options).ok(),
            }],
        };
        self.next_id += 1;
        self.send(Request::new(
            RequestId::from(format!("azplint-{}", self.next_id)),
            request::RegisterCapability::METHOD.into(),
            params,
        ));
    }

    fn config_changed(&mut self) {
        self.configs.clear();
        let scopes: Vec<Scope> = self.published.keys().cloned().collect();
        self.dirty.extend(scopes);
        let open: Vec<Url> = self.docs.keys().cloned().collect();
        for u in open {
            self.touched(&u);
        }
    }

    /// The document changed, opened, closed or was saved: lint its scope at the end of the batch.
    fn touched(&mut self, uri: &Url) {
        if uri.scheme() != "file" {
            return;
        }
        let scope = self.scope_of(uri);
        self.dirty.insert(scope);
    }

    /// What to lint for a document: the deeper of its repository (the nearest directory with
    /// `.git`) and its workspace folder (a folder may hold many repositories, or be a part of
    /// one), else the document alone.
    pub fn scope_of(&self, uri: &Url) -> Scope {
        let path = self
            .docs
            .get(uri)
            .and_then(|d| d.path.clone())
            .or_else(|| uri.to_file_path().ok().and_then(|p| p.canonicalize().ok()));
        let Some(path) = path else {
            return Scope::Document(uri.clone());
        };
        let folder = self
            .folders
            .iter()
            .filter(|f| path.starts_with(f))
            .max_by_key(|f| f.components().count())
            .cloned();
        let repo = repository_of(&path);
        match (repo, folder) {
            (Some(r), Some(f)) => Scope::Folder(if r.starts_with(&f) { r } else { f }),
            (Some(d), None) | (None, Some(d)) => Scope::Folder(d),
            (None, None) => Scope::Document(uri.clone()),
        }
    }

    /// The repository root templates of a document resolve against.
    pub fn root_of(&self, uri: &Url, path: &Path) -> PathBuf {
        if let Some(repo) = repository_of(path) {
            return repo;
        }
        match self.scope_of(uri) {
            Scope::Folder(f) => f,
            Scope::Document(_) => path.parent().unwrap_or(path).to_path_buf(),
        }
    }

    /// `.azplint.yml` for a scope, read once until it changes.
    pub fn config(&mut self, scope: &Scope) -> ConfigState {
        let key = match scope {
            Scope::Folder(f) => f.clone(),
            Scope::Document(u) => u
                .to_file_path()
                .ok()
                .and_then(|p| p.parent().map(Path::to_path_buf))
                .unwrap_or_default(),
        };
        if let Some(c) = self.configs.get(&key) {
            return c.clone();
        }
        let state = match azplint::config::Loaded::discover(&key) {
            None => ConfigState::None,
            Some(file) => match azplint::load_config(&file) {
                Ok(c) => ConfigState::Loaded(Box::new(c)),
                Err(e) => ConfigState::Broken(e),
            },
        };
        self.configs.insert(key, state.clone());
        state
    }

    /// The open buffers, by canonical path: they stand in for the files on disk.
    pub fn buffers(&self) -> HashMap<PathBuf, String> {
        self.docs
            .values()
            .filter_map(|d| Some((d.path.clone()?, d.text.clone())))
            .collect()
    }

    /// The URI to publish a file's diagnostics under: the open document's own URI when the file
    /// is open (the client compares URIs as it sent them).
    pub fn uri_for(&self, path: &Path) -> Option<Url> {
        let canonical = path.canonicalize().ok();
        if let Some((u, _)) = self
            .docs
            .iter()
            .find(|(_, d)| d.path.is_some() && d.path == canonical)
        {
            return Some(u.clone());
        }
        Url::from_file_path(canonical.as_deref().unwrap_or(path)).ok()
    }

    /// Lint every scope changed in this batch and publish.
    pub fn flush(&mut self) {
        let dirty = std::mem::take(&mut self.dirty);
        for scope in dirty {
            diagnostics::lint_and_publish(self, &scope);
        }
    }

    fn clear_scope(&mut self, scope: &Scope) {
        if let Some(uris) = self.published.remove(scope) {
            for u in uris {
                self.results.remove(&u);
                self.notify::<lsp_types::notification::PublishDiagnostics>(
                    lsp_types::PublishDiagnosticsParams::new(u, Vec::new(), None),
                );
            }
        }
    }
}

/// The nearest directory above `path` that holds `.git`.
fn repository_of(path: &Path) -> Option<PathBuf> {
    path.ancestors()
        .skip(1)
        .find(|d| d.join(".git").exists())
        .map(Path::to_path_buf)
}

fn is_config(uri: &Url) -> bool {
    uri.path().ends_with("/.azplint.yml")
}
