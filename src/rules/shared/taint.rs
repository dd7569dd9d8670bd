//! The taint model of the injection rules (data/taint.json): which predefined variables carry text
//! someone else chose, how that text reaches a script (macros, template expressions, user
//! variables, template parameters), and where a script's code and arguments are written.

use crate::expr::{Expr, ExprKind};
use crate::pipeline::inputs::{is_visible, Truth};
use crate::pipeline::walk::{for_each_item, At, Flow, Item, Visitor};
use crate::pipeline::{for_each_entry, Resolution};
use crate::rules::Context;
use crate::yaml::{Entry, Node, NodeKind, Span};
use std::collections::HashMap;
use std::ops::Range;

/// Who controls a variable's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Control {
    /// Constrained by Azure DevOps (an existing branch, a user's name).
    Structured,
    /// Free text.
    Arbitrary,
}

#[derive(Debug, PartialEq, serde::Deserialize)]
pub struct Predefined {
    pub name: String,
    pub control: Control,
    /// Whose text it is, in a few words.
    pub what: String,
}

#[derive(Debug, PartialEq, serde::Deserialize)]
pub struct SinkInput {
    pub task: String,
    pub input: String,
    pub shell: String,
}

#[derive(Debug, PartialEq, serde::Deserialize)]
struct File {
    variables: Vec<Predefined>,
    code: Vec<SinkInput>,
    arguments: Vec<SinkInput>,
}

// `load()`: data/taint.json as code `build.rs` wrote (nothing to parse at run time).
include!(concat!(env!("OUT_DIR"), "/taint_data.rs"));

fn data() -> &'static File {
    static DATA: std::sync::OnceLock<File> = std::sync::OnceLock::new();
    DATA.get_or_init(load)
}

/// The predefined variable `name` when its text is controlled by someone else.
pub fn predefined(name: &str) -> Option<&'static Predefined> {
    data()
        .variables
        .iter()
        .find(|v| v.name.eq_ignore_ascii_case(name.trim()))
}

/// The environment variable the agent sets for a variable: upper case, `.` turned into `_`.
pub fn env_name(name: &str) -> String {
    name.trim()
        .chars()
        .map(|c| {
            if c == '.' {
                '_'
            } else {
                c.to_ascii_uppercase()
            }
        })
        .collect()
}

/// How a tainted value reaches the text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Via {
    /// The predefined variable itself.
    Direct,
    /// A variable of the file set from a tainted value.
    Variable(String),
    /// A template parameter given a tainted value by a caller (`where` is `path:line`).
    Parameter { name: String, at: String },
}

/// A tainted value: the predefined variable it comes from, and how it got here.
#[derive(Debug, Clone)]
pub struct Taint {
    pub source: &'static Predefined,
    pub via: Via,
}

impl Taint {
    fn worse(a: Option<Taint>, b: Option<Taint>) -> Option<Taint> {
        match (a, b) {
            (Some(a), Some(b)) => Some(if b.source.control > a.source.control {
                b
            } else {
                a
            }),
            (a, b) => a.or(b),
        }
    }
}

/// One tainted reference in a text: its range in the text and what it carries.
#[derive(Debug, Clone)]
pub struct Hit {
    pub range: Range<usize>,
    pub taint: Taint,
}

/// What [`Env::of`] works out for a document, kept in its context so that each rule asking
/// starts from a copy instead of working it out again.
#[derive(Debug, Clone, Default)]
pub struct Known {
    variables: HashMap<String, Taint>,
    parameters: HashMap<String, Option<Taint>>,
    /// The file's own variable definitions (its variable templates' left out), `(name, value)`.
    own: Vec<(String, String)>,
}

/// [`Known`] of the document of `ctx`, worked out on first use.
fn known<'k>(ctx: &'k Context) -> &'k Known {
    ctx.taint.get_or_init(|| {
        let (env, own) = Env::work_out(ctx);
        Known {
            variables: env.variables,
            parameters: env.parameters,
            own,
        }
    })
}

/// The variable definitions of the document of `ctx` itself, `(name, value)` (see
/// [`definitions`]).
pub fn own_definitions<'k>(ctx: &'k Context) -> &'k [(String, String)] {
    &known(ctx).own
}

/// What is known of a file's variables and parameters.
pub struct Env<'c> {
    /// Tainted user variables (lower-case name).
    variables: HashMap<String, Taint>,
    /// The taint of a template parameter, by callers' texts (lower-case name).
    parameters: HashMap<String, Option<Taint>>,
    /// The file's root and template view (none for a caller's text).
    file: Option<(&'c Node, &'c dyn crate::rules::Templates)>,
}

impl<'c> Env<'c> {
    /// Predefined variables only (a caller's text, seen from the template).
    fn bare() -> Env<'c> {
        Env {
            variables: HashMap::new(),
            parameters: HashMap::new(),
            file: None,
        }
    }

    /// The variables of the file and what its callers pass.
    pub fn of(ctx: &Context<'c>) -> Env<'c> {
        let known = known(ctx);
        Env {
            variables: known.variables.clone(),
            parameters: known.parameters.clone(),
            file: ctx.doc.root.as_ref().map(|root| (root, ctx.templates)),
        }
    }

    /// [`Env::of`], worked out.
    fn work_out(ctx: &Context<'c>) -> (Env<'c>, Vec<(String, String)>) {
        let doc: &'c crate::yaml::Document = ctx.doc;
        let Some(root) = doc.root.as_ref() else {
            return (Env::bare(), Vec::new());
        };
        let mut env = Env {
            variables: HashMap::new(),
            parameters: HashMap::new(),
            file: Some((root, ctx.templates)),
        };
        let found = Definitions::of(Some(root));
        let own = found
            .variables
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let mut defs = found.variables;
        defs.extend(template_definitions(&found.includes, ctx.templates));
        // A variable set from another tainted one: a few rounds reach the fixpoint.
        for _ in 0..8 {
            let mut changed = false;
            for (name, value) in &defs {
                let key = name.to_ascii_lowercase();
                if env.variables.contains_key(&key) || predefined(name).is_some() {
                    continue;
                }
                if let Some(t) = env.value_taint(value) {
                    let t = Taint {
                        source: t.source,
                        via: Via::Variable(name.to_string()),
                    };
                    env.variables.insert(key, t);
                    changed = true;
                }
            }
            if !changed {
                break;
            }
        }
        (env, own)
    }

    /// The taint of a variable named in `$(x)` or `variables['x']`.
    fn variable(&self, name: &str) -> Option<Taint> {
        if let Some(p) = predefined(name) {
            return Some(Taint {
                source: p,
                via: Via::Direct,
            });
        }
        self.variables
            .get(&name.trim().to_ascii_lowercase())
            .cloned()
    }

    /// The taint of a template parameter: what the callers pass (or, where they pass nothing,
    /// the default).
    fn parameter(&mut self, name: &str) -> Option<Taint> {
        let key = name.trim().to_ascii_lowercase();
        if let Some(t) = self.parameters.get(&key) {
            return t.clone();
        }
        // No loop through a parameter's own default.
        self.parameters.insert(key.clone(), None);
        let (root, templates) = self.file?;
        let default = Some(root).and_then(|r| match crate::pipeline::params::declared(Some(r)) {
            crate::pipeline::params::Declared::Typed(ps) => ps
                .iter()
                .find(|p| p.name.eq_ignore_ascii_case(name))
                .and_then(|p| p.default)
                .and_then(Node::as_str)
                .map(str::to_string),
            _ => None,
        });
        let calls = templates.caller_texts(name);
        let mut found = None;
        if calls.is_empty() {
            if let Some(d) = &default {
                found = self.value_taint(d);
            }
        }
        for (at, passed) in calls {
            let t = match passed {
                Some(text) => Env::bare().text_taint(&text),
                None => default.as_deref().and_then(|d| self.value_taint(d)),
            };
            if let Some(t) = t {
                let t = Taint {
                    source: t.source,
                    via: Via::Parameter {
                        name: name.to_string(),
                        at,
                    },
                };
                found = Taint::worse(found, Some(t));
            }
        }
        self.parameters.insert(key, found.clone());
        found
    }

    /// The taint of a variable's value: its text, or a `$[ ]` runtime expression.
    fn value_taint(&mut self, value: &str) -> Option<Taint> {
        let v = value.trim();
        if let Some(inner) = v.strip_prefix("$[").and_then(|r| r.strip_suffix(']')) {
            return crate::expr::parse(inner)
                .ok()
                .and_then(|e| self.expr_taint(&e, 0));
        }
        self.text_taint(value)
    }

    fn text_taint(&mut self, text: &str) -> Option<Taint> {
        self.hits(text, false)
            .into_iter()
            .map(|h| h.taint)
            .fold(None, |a, b| Taint::worse(a, Some(b)))
    }

    /// Every tainted `$(x)` macro and `${{ }}` expression of a text. With `skip_comments`, lines
    /// that are shell comments (`#`, `REM`, `::`) are left out: what the agent expands there is
    /// never run.
    pub fn hits(&mut self, text: &str, skip_comments: bool) -> Vec<Hit> {
        let mut out = Vec::new();
        for (start, name) in macros(text) {
            if skip_comments && in_comment(text, start) {
                continue;
            }
            if let Some(taint) = self.variable(name) {
                out.push(Hit {
                    range: start..start + name.len() + 3,
                    taint,
                });
            }
        }
        for e in crate::expr::find_template_expressions(text) {
            if !e.closed || (skip_comments && in_comment(text, e.range.start)) {
                continue;
            }
            let Ok(parsed) = crate::expr::parse(&text[e.inner()]) else {
                continue;
            };
            if let Some(taint) = self.expr_taint(&parsed, 0) {
                out.push(Hit {
                    range: e.range.clone(),
                    taint,
                });
            }
        }
        out.sort_by_key(|h| h.range.start);
        out
    }

    /// The taint of an expression's value: a variable or parameter whose text reaches it.
    fn expr_taint(&mut self, e: &Expr, _depth: usize) -> Option<Taint> {
        let mut found = None;
        for (root, name) in value_references(e) {
            let t = if root.eq_ignore_ascii_case("variables") {
                self.variable(&name)
            } else if root.eq_ignore_ascii_case("parameters") {
                self.parameter(&name)
            } else {
                None
            };
            found = Taint::worse(found, t);
        }
        found
    }
}

/// The references (`variables.x`, `parameters['y']`: root and name) whose text reaches the value
/// of an expression, directly or through a function that passes text on (`format`, `replace`,
/// `coalesce`, `iif`'s results, ...). Comparisons and tests (`eq`, `startsWith`, ...) give
/// constants, so what they read is left out.
pub fn value_references<'e>(e: &'e Expr) -> Vec<(&'e str, String)> {
    fn go<'e>(e: &'e Expr, depth: usize, out: &mut Vec<(&'e str, String)>) {
        if depth > 20 {
            return;
        }
        match &e.kind {
            ExprKind::Property { .. } | ExprKind::Index { .. } => {
                if let Some((root, name)) = reference(e, 0).filter(|(_, n)| !n.is_empty()) {
                    out.push((root, name));
                }
            }
            ExprKind::Call { name, args } => {
                let from = match name.to_ascii_lowercase().as_str() {
                    "format" | "replace" | "coalesce" | "lower" | "upper" | "trim" | "join"
                    | "converttojson" => 0,
                    "iif" => 1,
                    _ => return,
                };
                for a in args.iter().skip(from) {
                    go(a, depth + 1, out);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    go(e, 0, &mut out);
    out
}

/// `variables.a.b` / `variables['a.b']`: the root name and the dotted rest.
fn reference<'e>(e: &'e Expr, depth: usize) -> Option<(&'e str, String)> {
    if depth > 20 {
        return None;
    }
    let (base, part) = match &e.kind {
        ExprKind::Name(n) => return Some((n, String::new())),
        ExprKind::Property { base, name } => (base, name.to_string()),
        ExprKind::Index { base, index } => (base, index.string_value()?),
        _ => return None,
    };
    let (root, rest) = reference(base, depth + 1)?;
    Some((
        root,
        if rest.is_empty() {
            part
        } else {
            format!("{rest}.{part}")
        },
    ))
}

/// Every `$(name)` macro of a text: the offset of `$` and the name.
pub fn macros(text: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = crate::text::find(&text[from..], "$(") {
        let start = from + i;
        let rest = &text[start + 2..];
        let len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')))
            .unwrap_or(rest.len());
        if len > 0 && rest[len..].starts_with(')') {
            out.push((start, &rest[..len]));
        }
        from = start + 2;
    }
    out
}

/// The line around `offset` is a shell comment.
pub fn in_comment(text: &str, offset: usize) -> bool {
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line = text[line_start..offset].trim_start();
    let starts = |word: &str| {
        line.as_bytes()
            .get(..word.len())
            .is_some_and(|b| b.eq_ignore_ascii_case(word.as_bytes()))
    };
    line.starts_with('#') || line.starts_with("::") || starts("rem ") || starts("@rem ")
}

/// The variables of a document, from one walk: every definition (`(name, value)` from
/// `variables:` sections in mapping and list forms, at any scope) and where each variable
/// template is included (`variables: - template: vars.yml`, by the value's start).
#[derive(Debug, Default)]
pub struct Definitions<'a> {
    pub variables: Vec<(&'a str, &'a str)>,
    pub includes: Vec<usize>,
}

impl<'a> Definitions<'a> {
    pub fn of(root: Option<&'a Node>) -> Definitions<'a> {
        let mut d = Definitions::default();
        if let Some(root) = root {
            crate::pipeline::walk::walk(root, &mut d);
        }
        d
    }
}

impl<'a> Visitor<'a> for Definitions<'a> {
    fn entry(&mut self, e: &'a Entry, _: &At<'a>) -> Flow {
        if e.key.as_str() != Some("variables") {
            return Flow::Continue;
        }
        match &e.value.kind {
            NodeKind::Map(_) => for_each_entry(&e.value, 0, &mut |v| {
                if let (Some(k), Some(val)) = (v.key.as_str(), v.value.as_str()) {
                    self.variables.push((k, val));
                }
            }),
            NodeKind::Seq(_) => for_each_item(&e.value, true, &mut |item| {
                let Item::Node(item, _) = item else { return };
                if let (Some(k), Some(val)) = (
                    item.get("name").and_then(Node::as_str),
                    item.get("value").and_then(Node::as_str),
                ) {
                    self.variables.push((k, val));
                }
            }),
            _ => {}
        }
        for_each_item(&e.value, true, &mut |item| {
            let Item::Node(item, _) = item else { return };
            if let Some(t) = item.entry("template") {
                self.includes.push(t.value.span.start);
            }
        });
        Flow::Continue
    }
}

/// Every variable definition of a file: `(name, value)` from `variables:` sections in mapping
/// and list forms, at any scope.
pub fn definitions(root: &Node) -> Vec<(&str, &str)> {
    Definitions::of(Some(root)).variables
}

/// The variable definitions of the variable templates a file includes (`includes`, see
/// [`Definitions`]). One level: a variable template's own `- template:` items are resolved
/// from that file, which this file's view of the templates can't do.
fn template_definitions<'a>(
    includes: &[usize],
    templates: &'a dyn crate::rules::Templates,
) -> Vec<(&'a str, &'a str)> {
    let mut out = Vec::new();
    for &start in includes {
        let Some(crate::templates::Target::File(i)) = templates.target(start) else {
            continue;
        };
        let Some((_, doc)) = templates.template(*i) else {
            continue;
        };
        let Some(t_root) = doc.root.as_ref() else {
            continue;
        };
        out.extend(definitions(t_root));
    }
    out
}

/// A place whose text runs as code or lands on a command line.
pub struct Sink<'a> {
    /// The value node (a scalar); its raw text is read from the source.
    pub value: &'a Node,
    /// `the \`bash\` step`, `input \`script\` of \`CmdLine@2\``.
    pub what: String,
    /// Which environment form the help gives (see data/taint.json).
    pub shell: String,
    /// The `env:` of the step (for the help).
    pub step: &'a Node,
}

impl Sink<'_> {
    /// The raw text of the value in the file, and where it starts.
    pub fn text<'s>(&self, ctx: &'s Context) -> (&'s str, usize) {
        let span: Span = self.value.span.clone();
        (ctx.source.text.get(span.clone()).unwrap_or(""), span.start)
    }
}

/// The code sinks of a file (`code`) or its argument inputs (`!code`).
pub fn sinks<'a>(ctx: &'a Context, code: bool) -> Vec<Sink<'a>> {
    let mut out = Vec::new();
    if code {
        for s in &ctx.model.steps {
            let shell = match s.kind.kind.as_str() {
                "script" => "cmd-or-bash",
                "bash" => "bash",
                "pwsh" | "powershell" => "pwsh",
                _ => continue,
            };
            if s.id.value.as_str().is_none() {
                continue;
            }
            out.push(Sink {
                value: &s.id.value,
                what: format!("the `{}` step", s.kind.kind),
                shell: shell.to_string(),
                step: s.node,
            });
        }
    }
    let list = if code {
        &data().code
    } else {
        &data().arguments
    };
    for step in &ctx.model.task_steps {
        let Resolution::Builtin(task) = &step.resolution else {
            continue;
        };
        for sink in list
            .iter()
            .filter(|s| s.task.eq_ignore_ascii_case(&task.name))
        {
            let Some(input) = task.input(&sink.input) else {
                continue;
            };
            if is_visible(step, task, input) == Truth::False {
                continue;
            }
            let Some(entry) = step.input_entry(input) else {
                continue;
            };
            if entry.value.as_str().is_none() {
                continue;
            }
            let shell = if sink.shell == "azurecli" {
                let ty = task
                    .input("scriptType")
                    .map(|i| step.value_of(i))
                    .and_then(|v| match v {
                        crate::pipeline::inputs::Value::Literal(l)
                        | crate::pipeline::inputs::Value::Default(l) => {
                            Some(l.trim().to_ascii_lowercase())
                        }
                        _ => None,
                    });
                match ty.as_deref() {
                    Some("bash") => "bash",
                    Some("ps") | Some("pscore") => "pwsh",
                    Some("batch") => "cmd",
                    _ => "azurecli",
                }
                .to_string()
            } else {
                sink.shell.clone()
            };
            out.push(Sink {
                value: &entry.value,
                what: format!(
                    "input `{}` of `{}`",
                    entry.key.as_str().unwrap_or(&sink.input),
                    step.reference().trim()
                ),
                shell,
                step: step.step,
            });
        }
    }
    out
}

/// How a script reads the environment variable `var` in `shell`.
pub fn env_form(shell: &str, var: &str) -> String {
    match shell {
        "bash" => format!("read `\"${var}\"` (double-quoted)"),
        "pwsh" => format!("read `$env:{var}`"),
        "python" => format!("read `os.environ[\"{var}\"]`"),
        "cmd" => format!(
            "use PowerShell and read `$env:{var}` (cmd expands `%{var}%` into the line before parsing it, just like a macro)"
        ),
        "cmd-or-bash" => format!(
            "read `\"${var}\"` (double-quoted) on Linux and macOS; on Windows, where cmd expands `%{var}%` into the line before parsing it, use a `pwsh` step and read `$env:{var}`"
        ),
        "remote" => "the remote machine doesn't get the agent's environment: check the value in an earlier step (fail unless it matches a strict pattern) before it is passed on".to_string(),
        _ => format!("read `\"${var}\"` in bash or `$env:{var}` in PowerShell"),
    }
}

/// The help of a finding: the environment form of the tainted value.
pub fn help(taint: &Taint, shell: &str) -> String {
    match &taint.via {
        Via::Direct => {
            let var = env_name(&taint.source.name);
            if shell == "remote" {
                return env_form(shell, &var);
            }
            format!(
                "the agent also puts it in the environment as `{var}`: {}",
                env_form(shell, &var)
            )
        }
        Via::Variable(name) => {
            let var = env_name(name);
            if shell == "remote" {
                return env_form(shell, &var);
            }
            format!(
                "map it in the step's `env:` (`{var}: $({name})`) and {}",
                env_form(shell, &var)
            )
        }
        Via::Parameter { name, .. } => {
            let var = env_name(name);
            if shell == "remote" {
                return env_form(shell, &var);
            }
            format!(
                "map it in the step's `env:` (`{var}: ${{{{ parameters.{name} }}}}`) and {}",
                env_form(shell, &var)
            )
        }
    }
}

/// Where the value comes from, for the finding's note.
pub fn origin(taint: &Taint) -> String {
    let src = &taint.source;
    match &taint.via {
        Via::Direct => format!("`{}` is {}", src.name, src.what),
        Via::Variable(v) => format!("variable `{v}` is set from `{}`, {}", src.name, src.what),
        Via::Parameter { name, at } => format!(
            "parameter `{name}` is given `{}` at {at}: {}",
            src.name, src.what
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_table_is_the_json() {
        let file: File = serde_json::from_str(include_str!("../../../data/taint.json")).unwrap();
        assert_eq!(&file, data());
    }

    #[test]
    fn the_table_loads() {
        assert_eq!(
            predefined("build.sourcebranchname").map(|p| p.control),
            Some(Control::Arbitrary)
        );
        assert_eq!(
            predefined("Build.RequestedFor").map(|p| p.control),
            Some(Control::Structured)
        );
        assert!(predefined("Build.BuildId").is_none());
        assert_eq!(env_name("Build.SourceBranchName"), "BUILD_SOURCEBRANCHNAME");
    }

    #[test]
    fn macros_and_expressions() {
        let mut env = Env::bare();
        let t = "echo $(Build.SourceBranchName) $(date)\n# $(Build.SourceBranch)\necho ${{ variables['Build.SourceBranch'] }} ${{ eq(variables['Build.SourceBranchName'], 'main') }} ${{ replace(variables.Build.SourceBranch, 'refs/heads/', '') }}";
        let hits = env.hits(t, true);
        let texts: Vec<&str> = hits.iter().map(|h| &t[h.range.clone()]).collect();
        assert_eq!(
            texts,
            vec![
                "$(Build.SourceBranchName)",
                "${{ variables['Build.SourceBranch'] }}",
                "${{ replace(variables.Build.SourceBranch, 'refs/heads/', '') }}"
            ]
        );
    }
}
