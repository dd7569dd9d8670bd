//! `azplint expand`: the final pipeline, compiled offline the way the Azure Pipelines server
//! compiles it: templates inlined, template expressions evaluated, conditionals and loops
//! applied, typed parameters checked and defaulted, variable templates merged. Runtime syntax
//! (`$(var)`, `$[ ]`, `condition:`) stays as written.
//!
//! One job per file: `value` (values, origins and the coercions), `eval` (template
//! expressions), `expand` (the walk, templates, parameters), `emit` (YAML and JSON).

pub mod emit;
pub mod eval;
pub mod expand;
pub mod validate;
pub mod value;

pub use value::{Key, Node, Origin, Value};

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

/// What `expand` needs besides the pipeline's path.
#[derive(Debug, Clone, Default)]
pub struct ExpandOptions {
    /// `--parameter NAME=VALUE`, in order (a later one wins).
    pub parameters: Vec<(String, String)>,
    /// `--repository ALIAS=PATH`: local checkouts of other repositories.
    pub repositories: HashMap<String, PathBuf>,
    /// The repository root (`/path` templates start there); by default the nearest folder up
    /// from the pipeline that holds `.git`, else the pipeline's folder.
    pub root: Option<PathBuf>,
}

/// A compiled pipeline.
#[derive(Debug)]
pub struct Compiled {
    pub root: Node,
    /// The files read, shown as the user would write their paths (indexed by [`Origin::file`]).
    pub files: Vec<String>,
    /// Where each of them is on disk (`None` for a `--parameter` value).
    pub paths: Vec<Option<PathBuf>>,
    /// The first problem of the checks the server makes once the pipeline is compiled (whatever
    /// the notes say: a caller that can't use a guess looks at `notes` first); [`expand`]
    /// reports it as a compile error.
    pub problem: Option<validate::Problem>,
    /// The same problem with its location as `path:line:col`.
    pub problem_at: Option<(validate::Kind, String, String)>,
    /// What azplint left as written and why (templates it can't read, values only the server
    /// knows), each starting with `path:line:col`.
    pub notes: Vec<String>,
}

impl Compiled {
    pub fn to_yaml(&self) -> String {
        emit::yaml(&self.root)
    }

    pub fn to_json(&self) -> String {
        emit::json(&self.root)
    }
}

/// Why the compilation failed, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompileError {
    pub message: String,
    /// `path:line:col` (or the path alone, or empty when no file is involved).
    pub location: String,
    /// What azplint noted before failing.
    pub notes: Vec<String>,
    /// True for a problem with the command itself (the pipeline file can't be read, a malformed
    /// `--parameter`), not with the pipeline.
    pub usage: bool,
}

impl fmt::Display for CompileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.location.is_empty() {
            write!(f, "error: {}", self.message)
        } else {
            write!(f, "{}: error: {}", self.location, self.message)
        }
    }
}

impl std::error::Error for CompileError {}

/// `--parameter NAME=VALUE`: the name and the value (which may hold `=`).
pub fn parse_parameter(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((name, value)) if !name.trim().is_empty() => {
            Ok((name.trim().to_string(), value.to_string()))
        }
        _ => Err(format!("expected NAME=VALUE, got `{s}`")),
    }
}

fn usage(message: String) -> CompileError {
    CompileError {
        message,
        location: String::new(),
        notes: Vec::new(),
        usage: true,
    }
}

/// Compile the pipeline at `path`. Runs on a thread with a large stack: the walk is recursive
/// and bounded (templates 100 deep, the tree 1500 levels), which the main thread's stack
/// can't always hold in debug builds.
pub fn expand(path: &Path, options: &ExpandOptions) -> Result<Compiled, CompileError> {
    let compiled = compile_only(path, options)?;
    // What the server checks once the pipeline is compiled fails the compilation too.
    if let Some((_, message, location)) = &compiled.problem_at {
        let message = if compiled.notes.is_empty() {
            message.clone()
        } else {
            format!("{message} (with the values azplint assumed: see the notes)")
        };
        return Err(CompileError {
            message,
            location: location.clone(),
            notes: compiled.notes,
            usage: false,
        });
    }
    Ok(compiled)
}

/// Compile without failing on the checks of the compiled pipeline: they are in
/// [`Compiled::problem`] (and its location in `problem_at`).
pub fn compile_only(path: &Path, options: &ExpandOptions) -> Result<Compiled, CompileError> {
    let path = path.to_path_buf();
    let options = options.clone();
    std::thread::Builder::new()
        .name("azplint-expand".into())
        .stack_size(512 * 1024 * 1024)
        .spawn(move || expand_here(&path, &options))
        .map_err(|e| usage(format!("can't start the compiler: {e}")))?
        .join()
        .unwrap_or_else(|_| Err(usage("internal error while compiling".into())))
}

fn expand_here(path: &Path, options: &ExpandOptions) -> Result<Compiled, CompileError> {
    let canonical = path
        .canonicalize()
        .map_err(|e| usage(format!("can't read {}: {e}", path.display())))?;
    if !canonical.is_file() {
        return Err(usage(format!("{} is not a file", path.display())));
    }
    let dir = canonical.parent().unwrap_or(Path::new("/")).to_path_buf();
    let root_dir = match &options.root {
        Some(r) => r.canonicalize().unwrap_or(r.clone()),
        None => crate::discover::git_root(&dir).unwrap_or(dir),
    };
    let mut c = expand::Compiler::new(root_dir, &options.repositories);
    let result = compile(&mut c, path, &canonical, options);
    let notes = c.notes.clone();
    match result {
        Ok(root) => {
            let problem = validate::check(&root);
            let problem_at = problem
                .as_ref()
                .map(|p| (p.kind, p.message.clone(), c.locate(&p.origin)));
            Ok(Compiled {
                root,
                files: c.files.iter().map(|f| f.display.clone()).collect(),
                paths: c.files.iter().map(|f| f.fs_path.clone()).collect(),
                problem,
                problem_at,
                notes,
            })
        }
        Err(Ok(f)) => Err(CompileError {
            message: f.message,
            location: f.origin.map(|o| c.locate(&o)).unwrap_or_default(),
            notes,
            usage: false,
        }),
        Err(Err(u)) => Err(u),
    }
}

/// A pipeline compiled for `azplint check`: the files come from the lint run (`preloaded`, by
/// canonical path; anything else is read from disk), the parameters take their defaults, and
/// every problem of the compiled pipeline is returned (not only the first), or why it doesn't
/// compile.
pub struct ForCheck {
    pub problems: Vec<validate::Problem>,
    /// Why the compilation failed, when it did (then there are no `problems`).
    pub failure: Option<expand::Failure>,
    /// The canonical path of each file of the compilation (indexed by [`Origin::file`]).
    pub paths: Vec<Option<PathBuf>>,
    /// What azplint left as written and why (see [`Compiled::notes`]).
    pub notes: Vec<String>,
    /// Where a condition or a loop was decided with a variable only the server knows read as
    /// unset.
    pub guesses: Vec<Origin>,
}

/// Compile the pipeline at `canonical` (a key of `preloaded`) with its default parameters, far
/// enough for [`validate::problems`]: what is under the keys of [`validate::NOT_READ`] is left out.
/// Runs on a thread with a large stack, as [`compile_only`]: the current one when it was made
/// for this (the command line's threads are: a thread each would map and fault in a fresh stack
/// for every pipeline of a run), else a thread of its own.
pub fn for_check(
    canonical: &Path,
    root_dir: &Path,
    repositories: &HashMap<String, PathBuf>,
    preloaded: &expand::Preloaded,
) -> Option<ForCheck> {
    let work = || check_here(canonical, root_dir, repositories, preloaded);
    if on_big_stack() {
        // A thread made for this (see [`big_stack_thread`]): compile right here. Waiting for
        // another thread instead would let a worker of the run's pool take up more files while
        // it waits, and hold their trees too.
        return std::panic::catch_unwind(std::panic::AssertUnwindSafe(work))
            .ok()
            .flatten();
    }
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .name("azplint-compile".into())
            .stack_size(COMPILE_STACK)
            .spawn_scoped(scope, work)
            .ok()?
            .join()
            .ok()
            .flatten()
    })
}

/// The stack of a thread that compiles (see [`expand`] for why it is large; only the pages the
/// recursion touches are ever mapped).
pub const COMPILE_STACK: usize = 512 * 1024 * 1024;

thread_local! {
    static BIG_STACK: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Mark the current thread as one with a stack of [`COMPILE_STACK`] bytes: [`for_check`] then
/// compiles on it directly. For the start handler of a thread pool built with that stack size
/// (the command line's pool is).
pub fn big_stack_thread() {
    BIG_STACK.with(|b| b.set(true));
}

fn on_big_stack() -> bool {
    BIG_STACK.with(std::cell::Cell::get)
}

fn check_here(
    canonical: &Path,
    root_dir: &Path,
    repositories: &HashMap<String, PathBuf>,
    preloaded: &expand::Preloaded,
) -> Option<ForCheck> {
    let mut c = expand::Compiler::with_files(root_dir.to_path_buf(), repositories, preloaded);
    // Only stages, jobs and what decides them are read: the rest is not compiled.
    c.skip = validate::NOT_READ;
    let entry = c.add_preloaded(canonical)?;
    let at = Origin {
        file: entry,
        span: 0..0,
    };
    let (problems, failure) = match c.pipeline(entry, None, &at) {
        Ok(root) => (validate::problems(&root), None),
        Err(f) => (Vec::new(), Some(f)),
    };
    Some(ForCheck {
        problems,
        failure,
        paths: (0..c.files.len())
            .map(|i| c.path_of(i).map(Path::to_path_buf))
            .collect(),
        notes: c.notes,
        guesses: c.guesses,
    })
}

type Outcome = Result<Node, Result<expand::Failure, CompileError>>;

fn compile(
    c: &mut expand::Compiler,
    shown: &Path,
    canonical: &Path,
    options: &ExpandOptions,
) -> Outcome {
    let text = std::fs::read_to_string(canonical)
        .map_err(|e| Err(usage(format!("can't read {}: {e}", shown.display()))))?;
    let entry = c
        .add_file(
            shown.display().to_string(),
            Some(canonical.to_path_buf()),
            text,
        )
        .map_err(Ok)?;
    // `--parameter` values: each read as YAML (objects as YAML or JSON), a string parameter's
    // value kept as typed.
    // The declared types of the pipeline's parameters, from the tree the compiler parsed.
    let declared: Vec<(String, String)> = {
        let root = c.root_of(entry);
        match crate::pipeline::params::declared(root.get()) {
            crate::pipeline::params::Declared::Typed(ps) => ps
                .iter()
                .map(|p| (p.name.to_string(), p.ty.to_string()))
                .collect(),
            _ => Vec::new(),
        }
    };
    let mut passed: Vec<(Key, Node)> = Vec::new();
    for (name, value) in &options.parameters {
        let string = declared
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .is_none_or(|(_, t)| t.eq_ignore_ascii_case("string"));
        let shown = format!("--parameter {name}");
        let parsed = c.add_file(shown.clone(), None, value.clone());
        let i = c.files.len() - 1;
        if let (Err(f), false) = (parsed, string) {
            return Err(Ok(expand::Failure {
                message: format!("{shown}: {}", f.message),
                origin: None,
                kind: expand::FailKind::Other,
            }));
        }
        let origin = Origin {
            file: i,
            span: 0..value.len(),
        };
        let node = if string {
            Node::new(Value::String(value.as_str().into()), origin.clone())
        } else {
            literal_tree(c, i, &origin)
        };
        passed.retain(|(k, _)| !k.name.eq_ignore_ascii_case(name));
        passed.push((
            Key {
                name: name.as_str().into(),
                origin,
            },
            node,
        ));
    }
    let at = Origin {
        file: entry,
        span: 0..0,
    };
    let passed = Node::new(Value::object(passed), at.clone());
    c.pipeline(entry, Some(passed), &at).map_err(Ok)
}

/// The value of a `--parameter` file, read as literal YAML (no expressions).
fn literal_tree(c: &expand::Compiler, file: usize, origin: &Origin) -> Node {
    let root = crate::yaml::parse(&c.files[file].text)
        .ok()
        .and_then(|d| d.into_iter().next())
        .and_then(|d| d.root);
    match root {
        Some(r) => expand::literal_node(&r, file, 0),
        None => Node::new(Value::Null, origin.clone()),
    }
}
