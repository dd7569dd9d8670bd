//! Walking a pipeline's YAML tree into the compiled tree: directives applied, expressions
//! evaluated, templates inlined, typed parameters checked and defaulted.
//!
//! What the server does and the documentation leaves open, decided here:
//! - scalars are strings (`true`, `3.10`) and only empty/`~`/`null` plain values are null (see
//!   [`literal`]); booleans and numbers come from typed parameters and expressions;
//! - a sequence item that is exactly one `${{ }}` whose value is a sequence is spliced into the
//!   parent sequence (`- ${{ parameters.steps }}`), like `steps: ${{ parameters.steps }}`;
//! - a variable the YAML doesn't define (predefined, queue-time or from a variable group) is
//!   known only to the server: an expression that needs one is kept as written, and so is the
//!   directive it decides (with a note), instead of guessing;
//! - repeated keys at the pipeline's root (the entry's `variables` next to an `extends`
//!   template's) are merged: sequences concatenated, mappings combined, otherwise the later wins.

use super::eval::{prepare, run, text_of, EvalError, Op, Scope};
use super::value::{equals, Key, Node, Origin, Value};
use crate::expr::{self, Directive};
use crate::source::Source;
use crate::templates::{display_for, locate, Located, Target};
use crate::yaml::{self, ScalarStyle};
use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;

/// Templates nested deeper than this fail, as on Azure.
pub const MAX_TEMPLATE_DEPTH: usize = 100;
/// More distinct template files than this fail, as on Azure.
pub const MAX_FILES: usize = 100;
/// Nesting of the compiled tree (keeps every recursion bounded).
const MAX_DEPTH: usize = 1500;
/// Nodes produced (keeps loops over large collections bounded).
const MAX_NODES: usize = 2_000_000;
const KINDS: [&str; 4] = ["stages", "jobs", "steps", "variables"];

/// The compiler's maps: their keys are texts of the pipelines linted (a pull request's too), so
/// the hasher is seeded at random per process, as the standard one, and cheaper.
pub type Map<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

/// Why the compilation fails, where.
#[derive(Debug, Clone)]
pub struct Failure {
    pub message: String,
    pub origin: Option<Origin>,
    pub kind: FailKind,
}

/// What kind of failure: the ones a caller of a template makes have a lint rule of their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FailKind {
    #[default]
    Other,
    /// A template is passed a parameter it doesn't declare.
    UnknownParameter,
    /// A template's parameter without a default is not passed.
    MissingParameter,
    /// A value passed for a typed parameter is not of its type, or not one of its `values:`.
    ParameterValue,
}

type R<T> = Result<T, Failure>;

fn fail<T>(message: impl Into<String>, origin: &Origin) -> R<T> {
    fail_as(FailKind::Other, message, origin)
}

fn fail_as<T>(kind: FailKind, message: impl Into<String>, origin: &Origin) -> R<T> {
    Err(Failure {
        message: message.into(),
        origin: Some(origin.clone()),
        kind,
    })
}

#[derive(Clone)]
struct Ctx {
    file: usize,
    params: Rc<Node>,
    /// Inside values handed to a template (`parameters:`): data, not pipeline structure.
    data: bool,
    depth: usize,
    /// The pipeline's root mapping (or a branch spliced into it).
    root: bool,
    /// The direct items of a `variables:` block: each defines a compile-time variable.
    vars_block: bool,
}

impl Ctx {
    fn child(&self) -> Ctx {
        Ctx {
            depth: self.depth + 1,
            root: false,
            vars_block: false,
            ..self.clone()
        }
    }
}

/// A scalar text: without expressions (shared), or the expressions found in it.
enum Text {
    Plain(Arc<str>),
    Expressions(Rc<[expr::TemplateExpr]>),
}

/// The state of an `if`/`elseif`/`else` chain.
enum Chain {
    /// A branch was taken: the rest are skipped.
    Taken,
    /// No branch taken yet.
    Open,
}

/// Files parsed before the compilation (by a lint run), by canonical path: the compiler reads
/// them from here instead of from disk, and parses nothing twice. Where template references
/// lead is shared too, between the compilations of one run.
pub struct Preloaded<'o> {
    pub files: Map<PathBuf, (&'o Source, Option<&'o yaml::Node>)>,
    pub located: std::sync::Mutex<Map<LocateKey, Located>>,
    /// The directories resolved so far by the template locator, shared by the compilations.
    pub dirs: crate::templates::locate::Dirs,
    /// The expressions parsed so far, by text: the compilations of a run share templates.
    pub parsed: std::sync::Mutex<Map<Box<str>, Parsed>>,
}

/// An expression parsed for evaluation, or why it doesn't parse.
pub type Parsed = Arc<Result<Op, EvalError>>;

/// A template reference, the file that makes it and the repository root it is relative to.
pub type LocateKey = (String, PathBuf, PathBuf);

/// The parsed root of a file of the compilation: parsed by the compiler, or lent by the caller.
#[derive(Clone)]
pub enum Root<'o> {
    Owned(Rc<Option<yaml::Node>>),
    Lent(Option<&'o yaml::Node>),
}

impl Root<'_> {
    pub fn get(&self) -> Option<&yaml::Node> {
        match self {
            Root::Owned(r) => r.as_ref().as_ref(),
            Root::Lent(r) => *r,
        }
    }
}

pub struct Compiler<'o> {
    /// The files of the compilation: those of `preloaded` are borrowed.
    pub files: Vec<Cow<'o, Source>>,
    roots: Vec<Root<'o>>,
    preloaded: Option<&'o Preloaded<'o>>,
    paths: Vec<Option<PathBuf>>,
    /// The repository root each file's paths are relative to (a mapped checkout for templates
    /// of another repository).
    file_roots: Vec<PathBuf>,
    repositories: &'o HashMap<String, PathBuf>,
    root_dir: PathBuf,
    stack: Vec<usize>,
    vars: Vec<(String, Node)>,
    locals: Vec<(String, Node)>,
    pub notes: Vec<String>,
    /// Where a condition or a loop was decided with a variable only the server knows read as
    /// unset (see [`Compiler::eval_at`]): the compiled tree around them is a guess.
    pub guesses: Vec<Origin>,
    /// Keys whose values are not compiled (left null): what the caller will never read.
    pub skip: &'static [&'static str],
    /// Where each template reference leads, by (reference, including file, repository root):
    /// finding a file costs system calls, and loops include the same template many times.
    located: Map<LocateKey, Located>,
    /// The file each template reference of a file loaded, by including file and reference.
    opened: Vec<Map<String, usize>>,
    /// Each expression text parsed once: loops and templates evaluate the same ones again.
    parsed: Map<Box<str>, Parsed>,
    /// Each directive key split once.
    directives: Map<Box<str>, Result<Split, (String, usize)>>,
    nodes: usize,
    /// The mapping keys made so far, one copy each.
    keys: std::collections::HashSet<Arc<str>, foldhash::fast::RandomState>,
    /// The scalar texts met so far, one copy each, with the expressions found in them (`None`
    /// for none).
    texts: Map<Arc<str>, Option<Rc<[expr::TemplateExpr]>>>,
}

impl<'o> Compiler<'o> {
    pub fn new(root_dir: PathBuf, repositories: &'o HashMap<String, PathBuf>) -> Self {
        Compiler {
            files: Vec::new(),
            roots: Vec::new(),
            preloaded: None,
            paths: Vec::new(),
            file_roots: Vec::new(),
            repositories,
            root_dir,
            stack: Vec::new(),
            vars: Vec::new(),
            locals: Vec::new(),
            notes: Vec::new(),
            guesses: Vec::new(),
            skip: &[],
            located: Map::default(),
            opened: Vec::new(),
            parsed: Map::default(),
            directives: Map::default(),
            nodes: 0,
            keys: Default::default(),
            texts: Map::default(),
        }
    }

    /// A compiler that takes the files in `preloaded` as they are there (text and tree) instead
    /// of reading them.
    pub fn with_files(
        root_dir: PathBuf,
        repositories: &'o HashMap<String, PathBuf>,
        preloaded: &'o Preloaded<'o>,
    ) -> Self {
        Compiler {
            preloaded: Some(preloaded),
            ..Compiler::new(root_dir, repositories)
        }
    }

    /// Where file `file` of the compilation is on disk (canonical; `None` for a text that
    /// isn't a file, such as a `--parameter` value).
    pub fn path_of(&self, file: usize) -> Option<&Path> {
        self.paths.get(file).and_then(|p| p.as_deref())
    }

    /// Add a file of `preloaded`, when it is there.
    pub fn add_preloaded(&mut self, path: &Path) -> Option<usize> {
        let (source, root) = self.preloaded?.files.get(path)?;
        let i = self.files.len();
        self.files.push(Cow::Borrowed(*source));
        self.file_roots.push(self.root_dir.clone());
        self.paths.push(Some(path.to_path_buf()));
        self.roots.push(Root::Lent(*root));
        Some(i)
    }

    /// Text `name`, shared with the same texts made before.
    fn intern(&mut self, name: &str) -> Arc<str> {
        if let Some(k) = self.keys.get(name) {
            return k.clone();
        }
        let k: Arc<str> = name.into();
        self.keys.insert(k.clone());
        k
    }

    /// A text of the source without `${{`, shared as [`Compiler::intern`]; `None` when it holds
    /// an expression. Texts come again and again (loops, templates): each is searched once.
    fn plain(&mut self, text: &str) -> Option<Arc<str>> {
        match self.text(text) {
            Text::Plain(k) => Some(k),
            Text::Expressions(_) => None,
        }
    }

    /// A scalar text of the source, shared, or the expressions in it: each text is searched
    /// once.
    fn text(&mut self, text: &str) -> Text {
        if let Some((k, found)) = self.texts.get_key_value(text) {
            return match found {
                None => Text::Plain(k.clone()),
                Some(f) => Text::Expressions(f.clone()),
            };
        }
        let found = expr::find_template_expressions(text);
        let found: Option<Rc<[expr::TemplateExpr]>> = (!found.is_empty()).then(|| found.into());
        let k: Arc<str> = text.into();
        self.texts.insert(k.clone(), found.clone());
        match found {
            None => Text::Plain(k),
            Some(f) => Text::Expressions(f),
        }
    }

    fn note(&mut self, text: String) {
        if !self.notes.contains(&text) {
            self.notes.push(text);
        }
    }

    /// Read and parse a file (once). A read failure is reported at `at`.
    pub fn load(&mut self, path: &Path, at: Option<&Origin>, root: PathBuf) -> R<usize> {
        if let Some(i) = self.paths.iter().position(|p| p.as_deref() == Some(path)) {
            return Ok(i);
        }
        let here = |m: String| Failure {
            message: m,
            origin: at.cloned(),
            kind: FailKind::Other,
        };
        if self.paths.iter().filter(|p| p.is_some()).count() > MAX_FILES {
            return Err(here(format!(
                "more than {MAX_FILES} template files are included (Azure's limit)"
            )));
        }
        if let Some(i) = self.add_preloaded(path) {
            if let Some(slot) = self.file_roots.last_mut() {
                *slot = root;
            }
            return Ok(i);
        }
        let too_big = std::fs::metadata(path)
            .map(|m| m.len() > crate::source::MAX_FILE_BYTES)
            .unwrap_or(false);
        if too_big {
            return Err(here(format!("{} is larger than 10 MB", display_for(path))));
        }
        let text = std::fs::read_to_string(path)
            .map_err(|e| here(format!("can't read {}: {e}", display_for(path))))?;
        let display = display_for(path);
        let r = self.add_file(display, Some(path.to_path_buf()), text);
        if let Some(slot) = self.file_roots.last_mut() {
            *slot = root;
        }
        r
    }

    /// The parsed root of file `file` of the compilation.
    pub fn root_of(&self, file: usize) -> Root<'o> {
        self.roots.get(file).cloned().unwrap_or(Root::Lent(None))
    }

    /// Add a text as a file of the compilation (the entry, a template, a `--parameter` value).
    pub fn add_file(&mut self, display: String, path: Option<PathBuf>, text: String) -> R<usize> {
        let source = Source::new(display, path.clone(), text);
        let parsed = yaml::parse(&source.text);
        let i = self.files.len();
        self.files.push(Cow::Owned(source));
        self.file_roots.push(self.root_dir.clone());
        self.paths.push(path);
        match parsed {
            Ok(docs) => {
                self.roots.push(Root::Owned(Rc::new(
                    docs.into_iter().next().and_then(|d| d.root),
                )));
                Ok(i)
            }
            Err(e) => {
                self.roots.push(Root::Lent(None));
                fail(
                    format!("the YAML is not valid: {}", e.message),
                    &Origin {
                        file: i,
                        span: e.offset..e.offset,
                    },
                )
            }
        }
    }

    fn origin(&self, file: usize, span: &yaml::Span) -> Origin {
        Origin {
            file,
            span: span.clone(),
        }
    }

    /// Compile the pipeline in file `file` with its parameters given by the caller.
    pub fn pipeline(&mut self, file: usize, passed: Option<Node>, at: &Origin) -> R<Node> {
        let root = self.roots[file].clone();
        let whole = Origin { file, span: 0..0 };
        let Some(root) = root.get() else {
            return Ok(Node::new(Value::object(Vec::new()), whole));
        };
        let params = self.bind(file, root, passed, at)?;
        let entries = match &root.kind {
            yaml::NodeKind::Map(entries) => entries,
            _ if root.is_null() => return Ok(Node::new(Value::object(Vec::new()), whole)),
            _ => {
                return fail(
                    format!(
                        "a pipeline is a mapping, but this file holds {}",
                        root.kind_name()
                    ),
                    &self.origin(file, &root.span),
                )
            }
        };
        let ctx = Ctx {
            file,
            params: Rc::new(params),
            data: false,
            depth: self.stack.len(),
            root: true,
            vars_block: false,
        };
        let out = self.map_node(entries, &ctx)?;
        Ok(Node::new(
            Value::object(merge_root(out)),
            self.origin(file, &root.span),
        ))
    }

    fn count(&mut self, ctx: &Ctx, at: &yaml::Span) -> R<()> {
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            return fail(
                "the compiled pipeline is too large (more than 2,000,000 values)",
                &self.origin(ctx.file, at),
            );
        }
        if ctx.depth > MAX_DEPTH {
            return fail(
                "the compiled pipeline is nested too deeply",
                &self.origin(ctx.file, at),
            );
        }
        Ok(())
    }

    /// Expand any node. `key` is the mapping key it is the value of.
    fn node(&mut self, n: &yaml::Node, ctx: &Ctx, key: Option<&str>) -> R<Node> {
        self.count(ctx, &n.span)?;
        let origin = self.origin(ctx.file, &n.span);
        match &n.kind {
            yaml::NodeKind::Scalar(text, style) => self.scalar(text, *style, &n.span, ctx),
            yaml::NodeKind::Seq(items) => {
                let mut out = Vec::with_capacity(items.len());
                let mut c = ctx.child();
                c.vars_block = ctx.vars_block;
                self.seq_into(items, &c, key, &mut out)?;
                Ok(Node::new(Value::array(out), origin))
            }
            yaml::NodeKind::Map(entries) => {
                let mut c = ctx.child();
                c.vars_block = ctx.vars_block;
                let out = self.map_node(entries, &c)?;
                Ok(Node::new(Value::object(out), origin))
            }
            yaml::NodeKind::Alias(name) => fail(
                format!("anchors and aliases are not supported (`*{name}`)"),
                &origin,
            ),
        }
    }

    fn scope<'s>(&'s self, ctx: &'s Ctx) -> Scope<'s> {
        Scope {
            parameters: &ctx.params,
            variables: &self.vars,
            locals: &self.locals,
            unknown_as_null: false,
        }
    }

    /// Where an error at byte `at` of an expression found at `expr_start` of a scalar is.
    fn expr_origin(&self, ctx: &Ctx, span: &yaml::Span, text: &str, at: usize) -> Origin {
        let src = &self.files[ctx.file].text;
        let start = if src.get(span.clone()) == Some(text) {
            span.start + at
        } else if src.get(span.start + 1..span.end.saturating_sub(1)) == Some(text) {
            span.start + 1 + at
        } else {
            span.start
        };
        Origin {
            file: ctx.file,
            span: start..start.max(span.start),
        }
    }

    /// The expression `src`, parsed (once per compilation).
    fn prepared(&mut self, src: &str) -> Parsed {
        if let Some(p) = self.parsed.get(src) {
            return p.clone();
        }
        let shared = self.preloaded.and_then(|p| p.parsed.lock().ok());
        let p = match shared {
            Some(mut m) => match m.get(src) {
                Some(p) => p.clone(),
                None => {
                    let p = Arc::new(prepare(src));
                    m.insert(src.into(), p.clone());
                    p
                }
            },
            None => Arc::new(prepare(src)),
        };
        self.parsed.insert(src.into(), p.clone());
        p
    }

    /// Evaluate the expression at `inner` of `text` (a scalar at `span`). `None` when it needs a
    /// value only the server knows, unless `decide`: then such a variable reads as unset (a
    /// condition or a loop must be decided to compile), with a note.
    fn eval_at(
        &mut self,
        text: &str,
        inner: std::ops::Range<usize>,
        span: &yaml::Span,
        ctx: &Ctx,
        decide: bool,
    ) -> R<Option<Node>> {
        let origin = self.origin(ctx.file, span);
        let src = text.get(inner.clone()).unwrap_or("");
        let op = self.prepared(src);
        let evaluate = |scope: &Scope| match &*op {
            Ok(op) => run(op, scope, &origin),
            Err(e) => Err(e.clone()),
        };
        let mut result = evaluate(&self.scope(ctx));
        if let (Err(EvalError::Unknown(name)), true) = (&result, decide) {
            self.note(format!(
                "{}: `{name}` is known only to the server; `${{{{ {} }}}}` is decided as if it were not set",
                self.locate(&origin),
                src.trim()
            ));
            self.guesses.push(origin.clone());
            let mut scope = self.scope(ctx);
            scope.unknown_as_null = true;
            result = evaluate(&scope);
        }
        match result {
            Ok(n) => Ok(Some(n)),
            Err(EvalError::Unknown(name)) => {
                self.note(format!(
                    "{}: `{name}` is known only to the server; `${{{{ {} }}}}` is kept as written",
                    self.locate(&origin),
                    src.trim()
                ));
                Ok(None)
            }
            Err(EvalError::Error { message, at }) => {
                let o = self.expr_origin(ctx, span, text, inner.start + at.start);
                Err(Failure {
                    message: format!("{message} (in `${{{{ {} }}}}`)", src.trim()),
                    origin: Some(o),
                    kind: FailKind::Other,
                })
            }
        }
    }

    /// A scalar: a literal, one whole expression (its value, of any type), or text with
    /// expressions (a string).
    fn scalar(&mut self, text: &str, style: ScalarStyle, span: &yaml::Span, ctx: &Ctx) -> R<Node> {
        let origin = self.origin(ctx.file, span);
        let found = match self.text(text) {
            Text::Plain(shared) => {
                // As [`literal`], the text shared with the same texts made before.
                let value = if null_literal(text, style) {
                    Value::Null
                } else {
                    Value::String(shared)
                };
                return Ok(Node::new(value, origin));
            }
            Text::Expressions(found) => found,
        };
        if let Some(open) = found.iter().find(|f| !f.closed) {
            let o = self.expr_origin(ctx, span, text, open.range.start);
            return fail("the expression is not closed with `}}`", &o);
        }
        if found.len() == 1 && text.trim() == &text[found[0].range.clone()] {
            let v = self
                .eval_at(text, found[0].inner(), span, ctx, false)?
                .unwrap_or_else(|| Node::new(Value::String(text.into()), origin));
            // A spliced value counts by its size: copies of a large parameter can't grow the
            // output past the bound either.
            self.nodes += weight(&v.value, MAX_NODES);
            self.count(ctx, span)?;
            return Ok(v);
        }
        let mut out = String::new();
        let mut last = 0;
        for f in found.iter() {
            out.push_str(&text[last..f.range.start]);
            let Some(v) = self.eval_at(text, f.inner(), span, ctx, false)? else {
                return Ok(Node::new(Value::String(text.into()), origin));
            };
            let Some(s) = text_of(&v.value) else {
                let o = self.expr_origin(ctx, span, text, f.range.start);
                return fail(
                    format!(
                        "`{}` is {}, which can't be inserted into text",
                        &text[f.range.clone()],
                        article(&v.value)
                    ),
                    &o,
                );
            };
            out.push_str(&s);
            last = f.range.end;
        }
        out.push_str(&text[last..]);
        Ok(Node::new(Value::String(out.into()), origin))
    }

    /// A mapping key that is not a directive: its text, with expressions evaluated.
    fn key(&mut self, k: &yaml::Node, ctx: &Ctx) -> R<Key> {
        let origin = self.origin(ctx.file, &k.span);
        let Some(text) = k.as_str() else {
            return fail("a mapping key must be a scalar", &origin);
        };
        if let Some(name) = self.plain(text) {
            return Ok(Key { name, origin });
        }
        let v = self.scalar(text, ScalarStyle::DoubleQuoted, &k.span, ctx)?;
        let name = text_of(&v.value).ok_or_else(|| Failure {
            message: format!("the key `{text}` is {}, not text", article(&v.value)),
            origin: Some(origin.clone()),
            kind: FailKind::Other,
        })?;
        Ok(Key {
            name: name.into(),
            origin,
        })
    }

    /// A mapping of the source: its `variables:` first (they are visible to the whole mapping),
    /// then every entry in order.
    fn map_node(&mut self, entries: &[yaml::Entry], ctx: &Ctx) -> R<Vec<(Key, Node)>> {
        let mark = self.vars.len();
        let mut stash = None;
        if !ctx.data && !ctx.vars_block {
            if let Some(i) = entries
                .iter()
                .position(|e| e.key.as_str() == Some("variables"))
            {
                let e = &entries[i];
                let mut c = ctx.child();
                c.vars_block = true;
                let v = self.node(&e.value, &c, Some("variables"))?;
                stash = Some((i, v));
            }
        }
        let mut out = Vec::with_capacity(entries.len());
        let r = self.map_into(entries, ctx, false, &mut stash, &mut out);
        if !ctx.vars_block {
            // The variables of a `variables:` mapping belong to the mapping that holds it.
            self.vars.truncate(mark);
        }
        r.map(|()| out)
    }

    fn directive_of<'k>(&mut self, k: &'k str, ctx: &Ctx, span: &yaml::Span) -> R<Directive<'k>> {
        let split = match self.directives.get(k) {
            Some(d) => Some(d.clone()),
            None => {
                let d = split_directive(k);
                if let Some(d) = &d {
                    self.directives.insert(k.into(), d.clone());
                }
                d
            }
        };
        let at = |r: &Range<usize>| k.get(r.clone()).unwrap_or("");
        match split {
            Some(Ok(d)) => Ok(match d {
                Split::If(c) => Directive::If(at(&c)),
                Split::ElseIf(c) => Directive::ElseIf(at(&c)),
                Split::Else => Directive::Else,
                Split::Each { var, collection } => Directive::Each {
                    var: at(&var),
                    collection: at(&collection),
                },
                Split::Insert => Directive::Insert,
                Split::Value(v) => Directive::Value(at(&v)),
            }),
            Some(Err((message, offset))) => Err(Failure {
                message,
                origin: Some(self.expr_origin(ctx, span, k, offset)),
                kind: FailKind::Other,
            }),
            // Pieces not inside the key (none are): split again, not cached.
            None => {
                let found = expr::find_template_expressions(k);
                let inner = found.first().map(|f| f.inner()).unwrap_or(0..0);
                expr::directive(k.get(inner.clone()).unwrap_or("")).map_err(|e| Failure {
                    message: e.message.clone(),
                    origin: Some(self.expr_origin(ctx, span, k, inner.start + e.offset)),
                    kind: FailKind::Other,
                })
            }
        }
    }

    /// For an `if`, `elseif` or `else` directive: whether its block is taken, moving the chain
    /// of the conditional on (`else` ends it); `None` for any other directive. Shared by
    /// mappings and sequences.
    fn branch(
        &mut self,
        d: &Directive,
        chain: &mut Option<Chain>,
        key: &str,
        ctx: &Ctx,
        span: &yaml::Span,
    ) -> R<Option<bool>> {
        let at = || self.origin(ctx.file, span);
        let cond = match d {
            Directive::If(c) => *c,
            Directive::ElseIf(c) => match chain {
                None => return fail("`elseif` must follow an `if` or `elseif`", &at()),
                Some(Chain::Taken) => return Ok(Some(false)),
                Some(Chain::Open) => *c,
            },
            Directive::Else => {
                return match chain.take() {
                    None => fail("`else` must follow an `if` or `elseif`", &at()),
                    Some(Chain::Taken) => Ok(Some(false)),
                    Some(Chain::Open) => Ok(Some(true)),
                }
            }
            _ => return Ok(None),
        };
        let taken = self.condition(key, cond, ctx, span)?;
        *chain = Some(if taken { Chain::Taken } else { Chain::Open });
        Ok(Some(taken))
    }

    fn condition(&mut self, key: &str, cond: &str, ctx: &Ctx, span: &yaml::Span) -> R<bool> {
        let start = crate::expr::offset_in(key, cond).unwrap_or(0);
        Ok(self
            .eval_at(key, start..start + cond.len(), span, ctx, true)?
            .is_some_and(|v| v.value.truthy()))
    }

    fn register_var(&mut self, name: &str, value: &Node) {
        self.vars.push((name.to_string(), value.clone()));
    }

    fn register_item(&mut self, item: &Node) {
        if let (Some(name), Some(value)) = (item.value.get("name"), item.value.get("value")) {
            if let Some(n) = text_of(&name.value) {
                self.register_var(&n, value);
            }
        }
    }

    fn map_into(
        &mut self,
        entries: &[yaml::Entry],
        ctx: &Ctx,
        branch: bool,
        stash: &mut Option<(usize, Node)>,
        out: &mut Vec<(Key, Node)>,
    ) -> R<()> {
        let mut chain: Option<Chain> = None;
        // A stage or a job, also one handed to a template as a value: what `skip` names in it
        // is left out (templates pass jobs on; they don't make stages or jobs from their steps).
        let unit = !self.skip.is_empty()
            && entries.iter().any(|e| {
                e.key
                    .as_str()
                    .is_some_and(|k| matches!(k, "job" | "deployment" | "stage"))
            });
        for (i, e) in entries.iter().enumerate() {
            let korigin = self.origin(ctx.file, &e.key.span);
            let Some(k) = e.key.as_str() else {
                return fail("a mapping key must be a scalar", &korigin);
            };
            if yaml::directive_of(k).is_some() {
                let d = self.directive_of(k, ctx, &e.key.span)?;
                if let Some(taken) = self.branch(&d, &mut chain, k, ctx, &e.key.span)? {
                    if taken {
                        self.splice_map(&e.value, ctx, true, out)?;
                    }
                    continue;
                }
                match d {
                    Directive::Each { var, collection } => {
                        chain = None;
                        self.each(k, var, collection, &e.key.span, ctx, &mut |this, c| {
                            this.splice_map(&e.value, c, false, out)
                        })?;
                        continue;
                    }
                    Directive::Insert => {
                        chain = None;
                        let v = self.node(&e.value, ctx, None)?;
                        match v.value {
                            Value::Object(es) => {
                                for (k, v) in Arc::unwrap_or_clone(es) {
                                    if ctx.vars_block {
                                        self.register_var(&k.name, &v);
                                    }
                                    out.push((k, v));
                                }
                            }
                            Value::Null => {}
                            other => {
                                return fail(
                                    format!(
                                        "`insert` needs a mapping, but this is {}",
                                        article(&other)
                                    ),
                                    &v.origin,
                                )
                            }
                        }
                        continue;
                    }
                    // `if`/`elseif`/`else` are taken by `branch`.
                    _ => {}
                }
            }
            chain = None;
            if ctx.root && !ctx.data && k == "parameters" {
                continue;
            }
            if ctx.root && !ctx.data && k == "extends" {
                let got = self.extends(&e.value, ctx)?;
                out.extend(got);
                continue;
            }
            if branch && !ctx.data && yaml::is_trap_key(k) {
                return fail(format!("Unexpected value '{k}'"), &korigin);
            }
            let key = self.key(&e.key, ctx)?;
            let value = match stash.take() {
                Some((at, v)) if at == i => v,
                other
                    if (!ctx.data || unit)
                        && !ctx.vars_block
                        && self.skip.iter().any(|s| s.eq_ignore_ascii_case(k)) =>
                {
                    *stash = other;
                    Node::new(Value::Null, self.origin(ctx.file, &e.value.span))
                }
                other => {
                    *stash = other;
                    let mut c = ctx.child();
                    c.vars_block = k == "variables" && !ctx.data;
                    self.node(&e.value, &c, Some(k))?
                }
            };
            if ctx.vars_block {
                self.register_var(&key.name, &value);
            }
            out.push((key, value));
        }
        Ok(())
    }

    /// The body of a directive in a mapping: its entries join the parent mapping.
    fn splice_map(
        &mut self,
        body: &yaml::Node,
        ctx: &Ctx,
        branch: bool,
        out: &mut Vec<(Key, Node)>,
    ) -> R<()> {
        self.count(ctx, &body.span)?;
        match &body.kind {
            yaml::NodeKind::Map(entries) => {
                let mut c = ctx.clone();
                c.depth += 1;
                self.map_into(entries, &c, branch, &mut None, out)
            }
            _ if body.is_null() => Ok(()),
            _ => fail(
                format!(
                    "this directive is in a mapping, so its content must be a mapping, not {}",
                    body.kind_name()
                ),
                &self.origin(ctx.file, &body.span),
            ),
        }
    }

    /// `${{ each var in collection }}`: run `body` once per item with `var` bound.
    fn each(
        &mut self,
        key: &str,
        var: &str,
        collection: &str,
        span: &yaml::Span,
        ctx: &Ctx,
        body: &mut dyn FnMut(&mut Self, &Ctx) -> R<()>,
    ) -> R<()> {
        let start = crate::expr::offset_in(key, collection).unwrap_or(0);
        let Some(coll) = self.eval_at(key, start..start + collection.len(), span, ctx, true)?
        else {
            return Ok(());
        };
        let (key_key, value_key) = (self.intern("key"), self.intern("value"));
        let items: Vec<Node> = match coll.value {
            Value::Array(items) => Arc::unwrap_or_clone(items),
            Value::Object(entries) => Arc::unwrap_or_clone(entries)
                .into_iter()
                .map(|(k, v)| {
                    let o = k.origin.clone();
                    Node::new(
                        Value::object(vec![
                            (
                                Key {
                                    name: key_key.clone(),
                                    origin: o.clone(),
                                },
                                Node::new(Value::String(k.name), o.clone()),
                            ),
                            (
                                Key {
                                    name: value_key.clone(),
                                    origin: o.clone(),
                                },
                                v,
                            ),
                        ]),
                        o,
                    )
                })
                .collect(),
            Value::Null => Vec::new(),
            other => {
                return fail(
                    format!(
                        "`each` needs a sequence or a mapping, but `{collection}` is {}",
                        article(&other)
                    ),
                    &self.origin(ctx.file, span),
                )
            }
        };
        let mut c = ctx.clone();
        c.depth += 1;
        for item in items {
            self.locals.push((var.to_string(), item));
            let r = body(self, &c);
            self.locals.pop();
            r?;
        }
        Ok(())
    }

    fn push_item(&mut self, n: Node, ctx: &Ctx, out: &mut Vec<Node>) {
        if ctx.vars_block {
            self.register_item(&n);
        }
        out.push(n);
    }

    fn seq_into(
        &mut self,
        items: &[yaml::Node],
        ctx: &Ctx,
        list_key: Option<&str>,
        out: &mut Vec<Node>,
    ) -> R<()> {
        let mut chain: Option<Chain> = None;
        for item in items {
            let directive_item = item.as_map().is_some_and(|m| {
                !m.is_empty()
                    && m.iter().all(|e| {
                        e.key.as_str().is_some_and(|k| {
                            matches!(
                                yaml::directive_of(k),
                                Some("if" | "elseif" | "else" | "each")
                            )
                        })
                    })
            });
            if directive_item {
                for e in item.as_map().unwrap_or(&[]) {
                    let k = e.key.as_str().unwrap_or("");
                    let d = self.directive_of(k, ctx, &e.key.span)?;
                    if let Some(taken) = self.branch(&d, &mut chain, k, ctx, &e.key.span)? {
                        if taken {
                            self.splice_seq(&e.value, ctx, list_key, out)?;
                        }
                        continue;
                    }
                    if let Directive::Each { var, collection } = d {
                        chain = None;
                        self.each(k, var, collection, &e.key.span, ctx, &mut |this, c| {
                            this.splice_seq(&e.value, c, list_key, out)
                        })?;
                    }
                }
                continue;
            }
            chain = None;
            if is_template_item(item) {
                let got = self.include(item, ctx, list_key)?;
                for n in got {
                    self.push_item(n, ctx, out);
                }
                continue;
            }
            let n = self.node(item, &ctx.child(), None)?;
            let whole_expr = item.as_str().is_some_and(|s| {
                let t = s.trim();
                t.starts_with("${{") && t.ends_with("}}")
            });
            match n.value {
                Value::Array(inner) if whole_expr => {
                    for x in Arc::unwrap_or_clone(inner) {
                        self.push_item(x, ctx, out);
                    }
                }
                value => self.push_item(Node::new(value, n.origin), ctx, out),
            }
        }
        Ok(())
    }

    /// The body of a directive in a sequence: its items join the parent sequence (a mapping body
    /// is one item).
    fn splice_seq(
        &mut self,
        body: &yaml::Node,
        ctx: &Ctx,
        list_key: Option<&str>,
        out: &mut Vec<Node>,
    ) -> R<()> {
        self.count(ctx, &body.span)?;
        let mut c = ctx.clone();
        c.depth += 1;
        match &body.kind {
            yaml::NodeKind::Seq(items) => self.seq_into(items, &c, list_key, out),
            _ if body.is_null() => Ok(()),
            _ => self.seq_into(std::slice::from_ref(body), &c, list_key, out),
        }
    }

    /// Template file `t`, included from `ctx` at `at`: a cycle or too deep a nesting fails.
    fn enter(&self, t: usize, ctx: &Ctx, at: &Origin) -> R<usize> {
        if self.stack.contains(&t) || ctx.file == t {
            let mut chain: Vec<String> = self
                .stack
                .iter()
                .map(|&i| self.files[i].display.clone())
                .collect();
            chain.push(self.files[t].display.clone());
            return fail(
                format!(
                    "template cycle: {} includes itself ({})",
                    self.files[t].display,
                    chain.join(" -> ")
                ),
                at,
            );
        }
        if self.stack.len() >= MAX_TEMPLATE_DEPTH {
            return fail(
                format!("templates are nested more than {MAX_TEMPLATE_DEPTH} levels deep (Azure's limit)"),
                at,
            );
        }
        Ok(t)
    }

    /// Locate and load a template; `Err` on failure, `Ok(None)` for a template azplint can't
    /// read (noted).
    fn open_template(&mut self, path: &str, ctx: &Ctx, at: &Origin) -> R<Option<usize>> {
        if let Some(&t) = self.opened.get(ctx.file).and_then(|m| m.get(path)) {
            return self.enter(t, ctx, at).map(Some);
        }
        let from = self.paths[ctx.file]
            .clone()
            .unwrap_or_else(|| self.root_dir.join("azure-pipelines.yml"));
        let alias = path
            .rsplit_once('@')
            .map(|(_, a)| a)
            .filter(|a| !a.is_empty() && !a.contains('/') && !a.contains('\\'));
        let base = match alias {
            Some(a) if a.eq_ignore_ascii_case("self") => self.root_dir.clone(),
            _ => self.file_roots[ctx.file].clone(),
        };
        let key = (path.to_string(), from, base);
        let shared = self.preloaded.map(|p| &p.located);
        let known = match shared {
            Some(m) => m.lock().ok().and_then(|m| m.get(&key).cloned()),
            None => self.located.get(&key).cloned(),
        };
        let located = match known {
            Some(l) => l,
            None => {
                let l = match self.preloaded {
                    Some(p) => crate::templates::locate::locate_in(
                        path,
                        &key.1,
                        &key.2,
                        self.repositories,
                        &p.dirs,
                    ),
                    None => locate(path, &key.1, &key.2, self.repositories),
                };
                match shared {
                    Some(m) => {
                        if let Ok(mut m) = m.lock() {
                            m.insert(key.clone(), l.clone());
                        }
                    }
                    None => {
                        self.located.insert(key.clone(), l.clone());
                    }
                }
                l
            }
        };
        let (_, _, base) = key;
        match located {
            Located::Path(p) => {
                let root = match alias {
                    Some(a) if !a.eq_ignore_ascii_case("self") => self
                        .repositories
                        .iter()
                        .find(|(k, _)| k.eq_ignore_ascii_case(a))
                        .map(|(_, c)| c.canonicalize().unwrap_or(c.clone()))
                        .unwrap_or_else(|| base.clone()),
                    _ => base.clone(),
                };
                let t = self.load(&p, Some(at), root)?;
                if self.opened.len() <= ctx.file {
                    self.opened.resize_with(ctx.file + 1, Map::default);
                }
                self.opened[ctx.file].insert(path.to_string(), t);
                self.enter(t, ctx, at).map(Some)
            }
            Located::Other(Target::Remote { alias }) => {
                self.note(format!(
                    "{}: `{path}` is in repository `{alias}`, not mapped with --repository {alias}=PATH; kept as a template reference",
                    self.locate(at)
                ));
                Ok(None)
            }
            Located::Other(Target::NotFound { tried }) => fail(
                format!(
                    "template `{path}` not found (looked for {})",
                    tried.join(", ")
                ),
                at,
            ),
            Located::Other(Target::Outside { resolved, .. }) => fail(
                format!("template `{path}` is outside the repository ({resolved})"),
                at,
            ),
            Located::Other(_) => fail(format!("template `{path}` can't be read"), at),
        }
    }

    /// A `template:` reference (a list item or `extends:`), evaluated in the caller's context:
    /// the reference as evaluated, where its path is and the path (`None` when only the server
    /// knows it). [`take_parameters`] then takes the parameters passed out of the reference.
    fn reference(&mut self, v: &yaml::Node, ctx: &Ctx) -> R<(Node, Origin, Option<String>)> {
        let mut c = ctx.child();
        c.data = true;
        let r = self.node(v, &c, None)?;
        let Some(t) = r.value.get("template") else {
            let decided_by_server = matches!(&r.value, Value::Object(es)
                if es.iter().any(|(k, _)| has_template(&k.name)));
            if decided_by_server {
                // `template:` chosen under a condition only the server can decide.
                let o = r.origin.clone();
                return Ok((r, o, None));
            }
            return fail("a template reference needs a `template:`", &r.origin);
        };
        let at = t.origin.clone();
        let path = match text_of(&t.value) {
            Some(p) if has_template(&p) => {
                self.note(format!(
                    "{}: the template path `{}` depends on values only the server knows; kept as a template reference",
                    self.locate(&at),
                    p.trim()
                ));
                None
            }
            Some(p) if !p.trim().is_empty() => Some(p.trim().to_string()),
            _ => return fail("the template path is empty or not text", &at),
        };
        Ok((r, at, path))
    }

    /// `- template: x.yml` in a list: the template's items of the list's kind.
    fn include(&mut self, item: &yaml::Node, ctx: &Ctx, list_key: Option<&str>) -> R<Vec<Node>> {
        let (kept, at, path) = self.reference(item, ctx)?;
        let Some(path) = path else {
            return Ok(vec![kept]);
        };
        let Some(t) = self.open_template(&path, ctx, &at)? else {
            return Ok(vec![kept]);
        };
        let passed = take_parameters(kept);
        let root = self.roots[t].clone();
        let Some(root) = root.get() else {
            return Ok(Vec::new());
        };
        let params = self.bind(t, root, passed, &at)?;
        // The whole root is expanded (a root-level `${{ if }}` may choose the content or hold
        // a trap key); `parameters:` is skipped as at the pipeline's root.
        let entries: &[yaml::Entry] = match &root.kind {
            yaml::NodeKind::Map(entries) => entries,
            _ => &[],
        };
        self.stack.push(t);
        let tctx = Ctx {
            file: t,
            params: Rc::new(params),
            data: ctx.data,
            depth: ctx.depth + 1,
            root: true,
            vars_block: false,
        };
        let expanded = self.map_node(entries, &tctx);
        self.stack.pop();
        let expanded = expanded?;
        let has = |k: &str| expanded.iter().any(|(x, _)| &*x.name == k);
        let kind = list_key
            .filter(|k| KINDS.contains(k) && has(k))
            .or_else(|| KINDS.into_iter().find(|k| has(k)));
        let Some(kind) = kind else {
            return fail(
                format!(
                    "the template `{path}` has no {}",
                    match list_key.filter(|k| KINDS.contains(k)) {
                        Some(k) => format!("`{k}:`"),
                        None => "`stages:`, `jobs:`, `steps:` or `variables:`".into(),
                    }
                ),
                &at,
            );
        };
        let body = expanded
            .into_iter()
            .find(|(x, _)| &*x.name == kind)
            .map(|(_, v)| v);
        let mut out = Vec::new();
        let r = match body.map(|b| (b.origin, b.value)) {
            Some((_, Value::Array(items))) => {
                out = Arc::unwrap_or_clone(items);
                Ok(())
            }
            // A mapping of variables becomes `- name: x, value: y` items.
            Some((_, Value::Object(es))) if kind == "variables" => {
                let (name_key, value_key) = (self.intern("name"), self.intern("value"));
                for (k, v) in Arc::unwrap_or_clone(es) {
                    let o = k.origin.clone();
                    out.push(Node::new(
                        Value::object(vec![
                            (
                                Key {
                                    name: name_key.clone(),
                                    origin: o.clone(),
                                },
                                Node::new(Value::String(k.name), o.clone()),
                            ),
                            (
                                Key {
                                    name: value_key.clone(),
                                    origin: o.clone(),
                                },
                                v,
                            ),
                        ]),
                        o,
                    ));
                }
                Ok(())
            }
            Some((_, Value::Null)) | None => Ok(()),
            Some((o, _)) => fail(format!("`{kind}:` of a template must be a sequence"), &o),
        };
        r?;
        Ok(out)
    }

    /// `extends: { template, parameters }`: the template's pipeline, to merge with the entry's
    /// other keys.
    fn extends(&mut self, v: &yaml::Node, ctx: &Ctx) -> R<Vec<(Key, Node)>> {
        let origin = self.origin(ctx.file, &v.span);
        let (kept, at, path) = self.reference(v, ctx)?;
        let t = match &path {
            Some(p) => self.open_template(p, ctx, &at)?,
            None => None,
        };
        let Some(t) = t else {
            return Ok(vec![(
                Key {
                    name: "extends".into(),
                    origin,
                },
                kept,
            )]);
        };
        let passed = take_parameters(kept);
        self.stack.push(t);
        let r = self.pipeline(t, passed, &at);
        self.stack.pop();
        match r?.value {
            Value::Object(entries) => Ok(Arc::unwrap_or_clone(entries)),
            _ => Ok(Vec::new()),
        }
    }

    /// The parameters a file sees: its declarations filled from what the caller passes.
    pub fn bind(
        &mut self,
        file: usize,
        root: &yaml::Node,
        passed: Option<Node>,
        at: &Origin,
    ) -> R<Node> {
        let mut passed_entries = match passed {
            None => Vec::new(),
            Some(Node {
                value: Value::Object(es),
                ..
            }) => Arc::unwrap_or_clone(es),
            Some(Node {
                value: Value::Null, ..
            }) => Vec::new(),
            Some(other) => return fail("template parameters must be a mapping", &other.origin),
        };
        let decl_ctx = Ctx {
            file,
            params: Rc::new(Node::new(Value::object(Vec::new()), at.clone())),
            data: true,
            depth: self.stack.len(),
            root: false,
            vars_block: false,
        };
        let Some(decl) = root.get("parameters") else {
            return Ok(Node::new(Value::object(passed_entries), at.clone()));
        };
        let mut out: Vec<(Key, Node)> = Vec::new();
        match &decl.kind {
            yaml::NodeKind::Map(_) => {
                // The legacy form: defaults, and the caller may pass anything.
                if let Value::Object(defaults) = self.node(decl, &decl_ctx, None)?.value {
                    out = Arc::unwrap_or_clone(defaults);
                }
                for (k, v) in passed_entries {
                    match out
                        .iter_mut()
                        .find(|(d, _)| d.name.eq_ignore_ascii_case(&k.name))
                    {
                        Some(slot) => slot.1 = v,
                        None => out.push((k, v)),
                    }
                }
            }
            yaml::NodeKind::Seq(decls) => {
                // Parameters passed under a condition only the server can decide are left out.
                let before = passed_entries.len();
                passed_entries.retain(|(k, _)| !has_template(&k.name));
                let skipped = passed_entries.len() != before;
                if skipped {
                    self.note(format!(
                        "{}: parameters passed under a condition only the server can decide are left out",
                        self.locate(at)
                    ));
                }
                let mut names = Vec::new();
                for d in decls {
                    let dorigin = self.origin(file, &d.span);
                    let Some(name) = d.get("name").and_then(yaml::Node::as_str) else {
                        return fail("a parameter declaration needs a `name:`", &dorigin);
                    };
                    names.push(name);
                }
                // Callers mostly pass parameters in the order they are declared: each search
                // starts after the last name found.
                let mut hint = 0;
                for (k, _) in &passed_entries {
                    let same = |n: &&str| n.eq_ignore_ascii_case(&k.name);
                    let found = names[hint..]
                        .iter()
                        .position(same)
                        .map(|i| hint + i)
                        .or_else(|| names[..hint].iter().position(same));
                    if let Some(i) = found {
                        hint = i + 1;
                    } else {
                        return fail_as(
                            FailKind::UnknownParameter,
                            format!("Unexpected parameter '{}'", k.name),
                            &k.origin,
                        );
                    }
                }
                for (d, name) in decls.iter().zip(names) {
                    let name_node = d.get("name").map(|n| n.span.clone()).unwrap_or_default();
                    let ty_node = d.get("type");
                    let ty = ty_node.and_then(yaml::Node::as_str).unwrap_or("string");
                    let given = passed_entries
                        .iter()
                        .position(|(k, _)| k.name.eq_ignore_ascii_case(name))
                        .map(|i| passed_entries.swap_remove(i).1);
                    // A null passed (`OS:` left empty, `${{ x.missing }}`) is a value, converted
                    // by the type like any other (null is '' / 0 / false): production pipelines
                    // pass such values to required parameters and the server accepts them (the
                    // documentation doesn't say how).
                    let value = match (given, d.get("default")) {
                        (Some(v), _) => v,
                        (None, Some(def)) => self.node(def, &decl_ctx, None)?,
                        (None, None) if skipped => {
                            out.push((
                                Key {
                                    name: self.intern(name),
                                    origin: self.origin(file, &name_node),
                                },
                                Node::new(Value::Null, at.clone()),
                            ));
                            continue;
                        }
                        (None, None) => {
                            // The entry pipeline has no caller: point at the declaration
                            // (a value given at queue time, not a caller's mistake).
                            let (here, kind) = if at.span.is_empty() && at.file == file {
                                (self.origin(file, &name_node), FailKind::Other)
                            } else {
                                (at.clone(), FailKind::MissingParameter)
                            };
                            return fail_as(
                                kind,
                                format!("A value for the '{name}' parameter must be provided."),
                                &here,
                            );
                        }
                    };
                    let ty_origin = ty_node
                        .map(|t| self.origin(file, &t.span))
                        .unwrap_or_else(|| self.origin(file, &name_node));
                    // The entry pipeline's own values are chosen when the run is queued: not
                    // a caller's mistake.
                    let entry = at.span.is_empty() && at.file == file;
                    let queued = |mut f: Failure| {
                        if entry {
                            f.kind = FailKind::Other;
                        }
                        f
                    };
                    let value = coerce_param(name, ty, value, &ty_origin).map_err(queued)?;
                    if let Some(values) = d.get("values").and_then(yaml::Node::as_seq) {
                        let mut allowed = Vec::new();
                        for a in values {
                            allowed.push(self.node(a, &decl_ctx, None)?);
                        }
                        check_values(name, &value, &allowed).map_err(queued)?;
                    }
                    out.push((
                        Key {
                            name: self.intern(name),
                            origin: self.origin(file, &name_node),
                        },
                        value,
                    ));
                }
            }
            _ if decl.is_null() => out = passed_entries,
            _ => {
                return fail(
                    "`parameters:` must be a list of declarations",
                    &self.origin(file, &decl.span),
                )
            }
        }
        Ok(Node::new(Value::object(out), self.origin(file, &decl.span)))
    }

    /// `path:line:col` of an origin.
    pub fn locate(&self, o: &Origin) -> String {
        match self.files.get(o.file) {
            Some(f) if f.fs_path.is_some() => {
                let lc = f.line_col(o.span.start);
                format!("{}:{}:{}", f.display, lc.line, lc.column)
            }
            Some(f) => f.display.clone(),
            None => String::new(),
        }
    }
}

/// A directive key split into its directive and operands, as byte ranges of the key (or the
/// error and its offset in the key): the same keys come again in loops and templates.
#[derive(Clone)]
enum Split {
    If(Range<usize>),
    ElseIf(Range<usize>),
    Else,
    Each {
        var: Range<usize>,
        collection: Range<usize>,
    },
    Insert,
    Value(Range<usize>),
}

/// `None` when a piece is not a slice of `k`.
fn split_directive(k: &str) -> Option<Result<Split, (String, usize)>> {
    let found = expr::find_template_expressions(k);
    let inner = found.first().map(|f| f.inner()).unwrap_or(0..0);
    let d = match expr::directive(k.get(inner.clone()).unwrap_or("")) {
        Ok(d) => d,
        Err(e) => return Some(Err((e.message.clone(), inner.start + e.offset))),
    };
    let r = |part: &str| expr::offset_in(k, part).map(|start| start..start + part.len());
    Some(Ok(match d {
        Directive::If(c) => Split::If(r(c)?),
        Directive::ElseIf(c) => Split::ElseIf(r(c)?),
        Directive::Else => Split::Else,
        Directive::Each { var, collection } => Split::Each {
            var: r(var)?,
            collection: r(collection)?,
        },
        Directive::Insert => Split::Insert,
        Directive::Value(v) => Split::Value(r(v)?),
    }))
}

/// How many values `v` holds (itself included), counted up to `cap`.
fn weight(v: &Value, cap: usize) -> usize {
    if !matches!(v, Value::Array(_) | Value::Object(_)) {
        return 1;
    }
    let mut n = 0;
    let mut stack = vec![v];
    while let Some(v) = stack.pop() {
        n += 1;
        if n >= cap {
            break;
        }
        match v {
            Value::Array(items) => stack.extend(items.iter().map(|i| &i.value)),
            Value::Object(entries) => stack.extend(entries.iter().map(|(_, v)| &v.value)),
            _ => {}
        }
    }
    n
}

fn is_template_item(item: &yaml::Node) -> bool {
    item.as_map().is_some_and(|m| {
        m.iter().any(|e| e.key.as_str() == Some("template"))
            && m.iter()
                .all(|e| matches!(e.key.as_str(), Some("template" | "parameters")))
    })
}

/// The text holds `${{` (the search sets up nothing: it runs on every scalar).
fn has_template(s: &str) -> bool {
    crate::text::contains(s, "${{")
}

/// The `parameters:` of a template reference, taken out of it (no copy of what may be large).
fn take_parameters(reference: Node) -> Option<Node> {
    match reference.value {
        Value::Object(entries) => Arc::unwrap_or_clone(entries)
            .into_iter()
            .find(|(k, _)| k.name.eq_ignore_ascii_case("parameters"))
            .map(|(_, v)| v),
        _ => None,
    }
}
fn article(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Version(_) => "a version",
        Value::Array(_) => "a sequence",
        Value::Object(_) => "a mapping",
    }
}

/// A scalar of the source. The server reads every scalar as a string (`true` and `3.10` too:
/// a template's `eq(parameters.flag, 'false')` with `flag: true` passed is false, which
/// production pipelines rely on); only an empty plain value, `~` and `null` are null.
pub fn literal(text: &str, style: ScalarStyle) -> Value {
    if null_literal(text, style) {
        Value::Null
    } else {
        Value::String(text.into())
    }
}

/// An empty plain value, `~` or `null`: null (see [`literal`]).
fn null_literal(text: &str, style: ScalarStyle) -> bool {
    matches!(
        (style, text),
        (ScalarStyle::Plain, "" | "~" | "null" | "Null" | "NULL")
    )
}

/// A value passed for a typed parameter, converted to its type.
fn coerce_param(name: &str, ty: &str, v: Node, ty_origin: &Origin) -> R<Node> {
    let origin = v.origin.clone();
    let bad = |what: &str| -> R<Node> {
        let shown = match &v.value {
            Value::Array(_) | Value::Object(_) => String::new(),
            other => format!(" '{}'", text_of(other).unwrap_or_default()),
        };
        fail_as(
            FailKind::ParameterValue,
            format!("The '{name}' parameter value{shown} is not a valid {what}."),
            &origin,
        )
    };
    let is_obj = |n: &Node| matches!(n.value, Value::Object(_));
    if matches!(&v.value, Value::String(s) if has_template(s)) {
        // A value only the server knows (kept as written): its type can't be checked.
        return Ok(v);
    }
    // The type names are short: lower-cased on the stack (a longer name is no type).
    let mut buf = [0u8; 16];
    let lower = match buf.get_mut(..ty.len()) {
        Some(b) => {
            b.copy_from_slice(ty.as_bytes());
            b.make_ascii_lowercase();
            std::str::from_utf8(b).unwrap_or("")
        }
        None => "",
    };
    match lower {
        "string" => match &v.value {
            Value::Array(_) | Value::Object(_) => bad("string"),
            Value::String(_) => Ok(v),
            other => Ok(Node::new(
                Value::String(text_of(other).unwrap_or_default().into()),
                origin,
            )),
        },
        "number" => {
            let n = match &v.value {
                Value::Number(n) => *n,
                Value::Null => 0.0,
                Value::String(s) => super::value::parse_number(s).unwrap_or(f64::NAN),
                _ => f64::NAN,
            };
            if n.is_nan() {
                bad("number")
            } else {
                Ok(Node::new(Value::Number(n), origin))
            }
        }
        "boolean" => match &v.value {
            Value::Bool(b) => Ok(Node::new(Value::Bool(*b), origin)),
            Value::Null => Ok(Node::new(Value::Bool(false), origin)),
            Value::String(s) if s.eq_ignore_ascii_case("true") => {
                Ok(Node::new(Value::Bool(true), origin))
            }
            Value::String(s) if s.eq_ignore_ascii_case("false") => {
                Ok(Node::new(Value::Bool(false), origin))
            }
            _ => bad("boolean"),
        },
        "object" => Ok(v),
        "step" | "job" | "deployment" | "stage" => {
            if is_obj(&v) {
                Ok(v)
            } else {
                bad(ty)
            }
        }
        "steplist" | "joblist" | "deploymentlist" | "stagelist" | "stringlist" => {
            let strings = ty.eq_ignore_ascii_case("stringList");
            match v.value {
                Value::Null => Ok(Node::new(Value::array(Vec::new()), origin)),
                Value::Array(ref items)
                    if items.iter().all(|i| {
                        if strings {
                            !matches!(i.value, Value::Array(_) | Value::Object(_))
                        } else {
                            is_obj(i)
                        }
                    }) =>
                {
                    Ok(v)
                }
                _ => bad(ty),
            }
        }
        _ => fail(
            format!("'{ty}' is not a parameter type (string, number, boolean, object, step, stepList, job, jobList, deployment, deploymentList, stage, stageList, stringList)"),
            ty_origin,
        ),
    }
}

fn check_values(name: &str, v: &Node, allowed: &[Node]) -> R<()> {
    let one = |x: &Node| allowed.iter().any(|a| equals(&a.value, &x.value));
    let ok = match &v.value {
        Value::Array(items) => items.iter().all(one),
        Value::Object(_) => true,
        _ => one(v),
    };
    if ok {
        return Ok(());
    }
    let shown = match &v.value {
        Value::Array(items) => items
            .iter()
            .find(|i| !one(i))
            .and_then(|i| text_of(&i.value))
            .unwrap_or_default(),
        other => text_of(other).unwrap_or_default(),
    };
    fail_as(
        FailKind::ParameterValue,
        format!("The '{name}' parameter value '{shown}' is not a valid value."),
        &v.origin,
    )
}

/// Repeated keys at the root (the entry's next to its `extends` template's): sequences
/// concatenated, mappings merged the same way key by key (`resources: repositories:` of both),
/// otherwise the later one wins.
fn merge_root(entries: Vec<(Key, Node)>) -> Vec<(Key, Node)> {
    merge_entries(entries, 0)
}

fn merge_entries(entries: Vec<(Key, Node)>, depth: usize) -> Vec<(Key, Node)> {
    let mut out: Vec<(Key, Node)> = Vec::new();
    for (k, v) in entries {
        let Some(slot) = out.iter_mut().find(|(x, _)| x.name == k.name) else {
            out.push((k, v));
            continue;
        };
        match (&mut slot.1.value, v.value) {
            (Value::Array(a), Value::Array(b)) => Arc::make_mut(a).extend(Arc::unwrap_or_clone(b)),
            (Value::Object(a), Value::Object(b)) if depth < 8 => {
                let mut all = std::mem::take(Arc::make_mut(a));
                all.extend(Arc::unwrap_or_clone(b));
                *a = Arc::new(merge_entries(all, depth + 1));
            }
            (_, other) => slot.1 = Node::new(other, v.origin),
        }
    }
    out
}

/// A source node as written, nothing evaluated (a `--parameter` value).
pub fn literal_node(n: &yaml::Node, file: usize, depth: usize) -> Node {
    let origin = Origin {
        file,
        span: n.span.clone(),
    };
    if depth > yaml::MAX_DEPTH {
        return Node::new(Value::Null, origin);
    }
    let value = match &n.kind {
        yaml::NodeKind::Scalar(s, style) => literal(s, *style),
        yaml::NodeKind::Seq(items) => Value::array(
            items
                .iter()
                .map(|i| literal_node(i, file, depth + 1))
                .collect(),
        ),
        yaml::NodeKind::Map(entries) => Value::object(
            entries
                .iter()
                .map(|e| {
                    (
                        Key {
                            name: e.key.as_str().unwrap_or_default().into(),
                            origin: Origin {
                                file,
                                span: e.key.span.clone(),
                            },
                        },
                        literal_node(&e.value, file, depth + 1),
                    )
                })
                .collect(),
        ),
        yaml::NodeKind::Alias(_) => Value::Null,
    };
    Node::new(value, origin)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(v: Value) -> Node {
        Node::new(v, Origin::default())
    }

    fn s(x: &str) -> Node {
        n(Value::String(x.into()))
    }

    fn k(x: &str) -> Key {
        Key {
            name: x.into(),
            origin: Origin::default(),
        }
    }

    #[test]
    fn scalars_are_strings_except_null() {
        assert_eq!(
            literal("true", ScalarStyle::Plain),
            Value::String("true".into())
        );
        assert_eq!(
            literal("3.10", ScalarStyle::Plain),
            Value::String("3.10".into())
        );
        assert_eq!(literal("", ScalarStyle::Plain), Value::Null);
        assert_eq!(literal("~", ScalarStyle::Plain), Value::Null);
        assert_eq!(
            literal("null", ScalarStyle::SingleQuoted),
            Value::String("null".into())
        );
    }

    #[test]
    fn parameters_take_their_type() {
        let o = Origin::default();
        let v = |ty: &str, x: Node| coerce_param("p", ty, x, &o).map(|n| n.value);
        assert_eq!(v("boolean", s("TRUE")).ok(), Some(Value::Bool(true)));
        assert_eq!(v("boolean", n(Value::Null)).ok(), Some(Value::Bool(false)));
        assert!(v("boolean", s("yes")).is_err());
        assert_eq!(v("number", s("1,000")).ok(), Some(Value::Number(1000.0)));
        assert!(v("number", s("ten")).is_err());
        assert_eq!(
            v("string", n(Value::Bool(true))).ok(),
            Some(Value::String("True".into()))
        );
        assert!(v("string", n(Value::array(vec![]))).is_err());
        assert_eq!(
            v("stepList", n(Value::Null)).ok(),
            Some(Value::array(vec![]))
        );
        assert!(v("stepList", n(Value::array(vec![s("x")]))).is_err());
        assert!(v("step", s("x")).is_err());
        assert!(v("job", n(Value::object(vec![(k("job"), s("a"))]))).is_ok());
        assert!(v("stringList", n(Value::array(vec![s("a")]))).is_ok());
        assert!(v("strnig", s("x")).is_err());
        // A value only the server knows passes unchecked.
        assert!(v("boolean", s("${{ variables['Build.Reason'] }}")).is_ok());
    }

    #[test]
    fn values_are_matched_ignoring_case() {
        let allowed = [s("Debug"), s("Release")];
        assert!(check_values("c", &s("release"), &allowed).is_ok());
        assert!(check_values("c", &s("Profile"), &allowed).is_err());
        assert!(check_values("c", &n(Value::array(vec![s("debug")])), &allowed).is_ok());
    }

    #[test]
    fn root_keys_merge() {
        let merged = merge_root(vec![
            (k("variables"), n(Value::array(vec![s("a")]))),
            (k("trigger"), s("none")),
            (k("variables"), n(Value::array(vec![s("b")]))),
            (k("trigger"), s("main")),
        ]);
        assert_eq!(merged.len(), 2);
        assert_eq!(merged[0].1.value, Value::array(vec![s("a"), s("b")]));
        assert_eq!(merged[1].1.value, Value::String("main".into()));
        let repos = |name: &str| {
            n(Value::object(vec![(
                k("repositories"),
                n(Value::array(vec![s(name)])),
            )]))
        };
        let merged = merge_root(vec![
            (k("resources"), repos("a")),
            (k("resources"), repos("b")),
        ]);
        assert_eq!(merged.len(), 1);
        assert_eq!(
            merged[0].1.value,
            Value::object(vec![(
                k("repositories"),
                n(Value::array(vec![s("a"), s("b")]))
            )])
        );
    }
}
