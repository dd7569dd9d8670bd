//! Shared by the rules about `addSpnToEnvironment`: the steps that set it, and the scripts they run
//! (inline, or a `scriptPath` file of the repository), with the credential variables they read.

use crate::catalog::TaskVersion;
use crate::pipeline::inputs::Value;
use crate::pipeline::{Resolution, TaskStep};
use crate::rules::Context;
use crate::yaml::{is_expression, Entry, Span};
use std::ops::Range;

/// The variables `addSpnToEnvironment: true` puts in the script's environment.
pub const SPN_VARIABLES: &[&str] = &[
    "servicePrincipalId",
    "servicePrincipalKey",
    "idToken",
    "tenantId",
];

pub enum Origin {
    /// Text of the `inlineScript` value; offsets are relative to `base` in the pipeline file.
    Inline { base: usize },
    /// A `scriptPath` file: shown path, and the span of the `scriptPath` value.
    File { shown: String, value: Span },
}

pub struct Script {
    pub text: String,
    pub origin: Origin,
}

impl Script {
    /// Where a range of the script is shown: inline, at its place; in a file, at `scriptPath`.
    pub fn span(&self, r: &Range<usize>) -> Span {
        match &self.origin {
            Origin::Inline { base } => base + r.start..base + r.end,
            Origin::File { value, .. } => value.clone(),
        }
    }

    /// 1-based line of an offset in the script.
    pub fn line(&self, offset: usize) -> usize {
        self.text[..offset.min(self.text.len())]
            .matches('\n')
            .count()
            + 1
    }

    /// The whole line of the script around an offset.
    pub fn line_text(&self, offset: usize) -> &str {
        let start = self.text[..offset.min(self.text.len())]
            .rfind('\n')
            .map_or(0, |i| i + 1);
        let end = self.text[offset.min(self.text.len())..]
            .find('\n')
            .map_or(self.text.len(), |i| offset + i);
        &self.text[start..end]
    }

    /// "the inline script" or "the script `x.sh`".
    pub fn name(&self) -> String {
        match &self.origin {
            Origin::Inline { .. } => "the inline script".to_string(),
            Origin::File { shown, .. } => format!("the script `{shown}`"),
        }
    }
}

pub struct SpnStep<'a> {
    pub step: &'a TaskStep<'a>,
    /// The `addSpnToEnvironment` entry.
    pub flag: &'a Entry,
    pub scripts: Vec<Script>,
    /// Every script that runs could be read (so "never used" can be said).
    pub complete: bool,
}

fn is_true(entry: &Entry) -> bool {
    entry
        .value
        .as_str()
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
}

impl SpnStep<'_> {
    /// The first read of `servicePrincipalKey`, in the order the scripts run, when no script also
    /// reads `idToken` (a script that reads both most likely signs in either way, so it can work
    /// under workload identity federation). The key is not set under WIF.
    pub fn key_read(&self) -> Option<(&Script, Range<usize>)> {
        if self
            .scripts
            .iter()
            .any(|sc| !find_uses(&sc.text, "idToken").is_empty())
        {
            return None;
        }
        self.scripts.iter().find_map(|sc| {
            find_uses(&sc.text, "servicePrincipalKey")
                .into_iter()
                .next()
                .map(|r| (sc, r))
        })
    }
}

/// Steps whose task takes `addSpnToEnvironment` and sets it to true (literally).
pub fn spn_steps<'a>(ctx: &'a Context) -> Vec<SpnStep<'a>> {
    let mut out = Vec::new();
    for step in &ctx.model.task_steps {
        let Resolution::Builtin(task) = &step.resolution else {
            continue;
        };
        if task.input("addSpnToEnvironment").is_none() {
            continue;
        }
        let Some(flag) = step.input_by_key("addSpnToEnvironment") else {
            continue;
        };
        if !is_true(flag) {
            continue;
        }
        let (scripts, complete) = scripts_of(ctx, step, task);
        out.push(SpnStep {
            step,
            flag,
            scripts,
            complete,
        });
    }
    out
}

/// The scripts a step runs, by `scriptLocation` (and its default).
fn scripts_of(ctx: &Context, step: &TaskStep, task: &TaskVersion) -> (Vec<Script>, bool) {
    let location = task.input("scriptLocation").map(|i| step.value_of(i));
    let (inline_runs, path_runs) = match location {
        Some(Value::Literal(l)) | Some(Value::Default(l)) => {
            let l = l.trim();
            (
                l.eq_ignore_ascii_case("inlineScript"),
                l.eq_ignore_ascii_case("scriptPath"),
            )
        }
        _ => (true, true),
    };
    let mut scripts = Vec::new();
    let mut complete = true;
    if let Some(inline) = step.input_by_key("inlineScript").filter(|_| inline_runs) {
        let span = inline.value.span.clone();
        let raw = ctx.source.text.get(span.clone()).unwrap_or("").to_string();
        if inline.value.as_str().is_some_and(is_expression)
            && inline.value.as_str().is_some_and(|s| s.contains("${{"))
        {
            complete = false;
        }
        scripts.push(Script {
            text: raw,
            origin: Origin::Inline { base: span.start },
        });
    }
    if let Some(path_entry) = step.input_by_key("scriptPath").filter(|_| path_runs) {
        let path = path_entry.value.as_str().map(str::trim).unwrap_or("");
        let readable = !path.is_empty()
            && (!is_expression(path) || crate::pipeline::paths::strip_repo_macro(path).is_some());
        match readable.then(|| ctx.files.read(ctx.source, path)).flatten() {
            Some((shown, text)) => scripts.push(Script {
                text,
                origin: Origin::File {
                    shown,
                    value: path_entry.value.span.clone(),
                },
            }),
            None => complete = false,
        }
    }
    if scripts.is_empty() {
        complete = false;
    }
    (scripts, complete)
}

/// The script starts other scripts or programs (`./deploy.ps1`, `$(dir)/tool`, `pwsh -File x`,
/// `python x.py`, ...), which inherit the environment and may read the credentials themselves.
pub fn runs_other_programs(script: &str) -> bool {
    const RUNNERS: &[&str] = &[
        "&",
        ".",
        "pwsh",
        "powershell",
        "bash",
        "sh",
        "python",
        "python3",
        "node",
        "dotnet",
        "call",
        "source",
        "cmd",
        "terraform",
        "make",
        "go",
    ];
    const EXTENSIONS: &[&str] = &[".ps1", ".sh", ".py", ".cmd", ".bat", ".exe", ".js"];
    script.lines().any(|line| {
        let line = line.trim();
        if line.is_empty()
            || line.starts_with('#')
            || line.starts_with("::")
            || line.starts_with("REM ")
        {
            return false;
        }
        let first = line.split_whitespace().next().unwrap_or("");
        let lower = first.to_ascii_lowercase();
        first.contains('/')
            || first.contains('\\')
            || EXTENSIONS.iter().any(|e| lower.ends_with(e))
            || RUNNERS.contains(&lower.as_str())
    })
}

/// A program that reads the exposed credentials from its environment by itself (data/spn-consumers.json).
#[derive(Debug, PartialEq, serde::Deserialize)]
pub struct Consumer {
    pub command: String,
    pub args: Vec<String>,
    pub why: String,
}

// `load()`: data/spn-consumers.json as code `build.rs` wrote (nothing to parse at run time).
include!(concat!(env!("OUT_DIR"), "/spn_consumers_data.rs"));

pub fn consumers() -> &'static [Consumer] {
    static LIST: std::sync::OnceLock<Vec<Consumer>> = std::sync::OnceLock::new();
    LIST.get_or_init(|| {
        let list = load();
        assert!(
            list.iter()
                .all(|c| !c.command.is_empty() && !c.why.trim().is_empty()),
            "data/spn-consumers.json: every entry names a command and says why"
        );
        list
    })
}

/// The first program of the list that the script runs, with the command that runs it.
pub fn runs_consumer(script: &str) -> Option<&'static Consumer> {
    script_commands(script).find_map(|c| {
        let words = c.words();
        let program = c.program_lower();
        consumers().iter().find(|k| {
            program == k.command.to_ascii_lowercase() && {
                let mut rest = words[c.program_index + 1..]
                    .iter()
                    .flat_map(|w| w.split('='))
                    .map(str::to_ascii_lowercase);
                k.args
                    .iter()
                    .all(|a| rest.any(|w| w == a.to_ascii_lowercase()))
            }
        })
    })
}

/// One command of a script: a piece of a line between `;`, `&&`, `|`, `$(` and the like.
#[derive(Debug, Clone, Copy)]
pub struct Command<'a> {
    /// The command's text, trimmed.
    pub text: &'a str,
    /// Byte offset of `text` in the script.
    pub start: usize,
    /// Index of the program among `words()`, after `sudo`, `do`, `then`, `VAR=value`, ...
    pub program_index: usize,
}

impl<'a> Command<'a> {
    pub fn words(&self) -> Vec<&'a str> {
        self.text
            .split_whitespace()
            .map(|w| w.trim_matches(|c| c == '"' || c == '\''))
            .collect()
    }

    /// The program, lowercase, without its directory and `.exe`.
    pub fn program_lower(&self) -> String {
        let words = self.words();
        let w = words.get(self.program_index).copied().unwrap_or("");
        let base = w
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or(w)
            .to_ascii_lowercase();
        base.strip_suffix(".exe")
            .map(str::to_string)
            .unwrap_or(base)
    }

    /// The word `n` places after the program, lowercase.
    fn arg_lower(&self, n: usize) -> String {
        self.words()
            .get(self.program_index + n)
            .map(|w| w.to_ascii_lowercase())
            .unwrap_or_default()
    }

    /// The program and its first `n` arguments, as written.
    fn head(&self, n: usize) -> String {
        let words = self.words();
        let end = (self.program_index + 1 + n).min(words.len());
        words[self.program_index.min(end)..end].join(" ")
    }
}

/// Words that come before the program of a command.
const PREFIXES: &[&str] = &[
    "do", "then", "else", "sudo", "time", "exec", "call", "env", "&", "!", "{", "-e", "-E",
];

fn command_at<'a>(line: &'a str, base: usize) -> Option<Command<'a>> {
    let text = line.trim();
    if text.is_empty() {
        return None;
    }
    let start = base + (text.as_ptr() as usize - line.as_ptr() as usize);
    let mut program_index = 0;
    for w in text.split_whitespace() {
        let assignment = w.contains('=') && !w.starts_with('-') && !w.starts_with('$');
        if PREFIXES.contains(&w) || (assignment && !w.starts_with('=')) {
            program_index += 1;
        } else {
            break;
        }
    }
    Some(Command {
        text,
        start,
        program_index,
    })
}

/// Is this line a comment in bash, PowerShell or cmd?
fn is_comment(line: &str) -> bool {
    let t = line.trim_start();
    t.starts_with('#') || t.starts_with("::") || t.len() >= 4 && t[..4].eq_ignore_ascii_case("rem ")
}

/// The commands of the script from byte `from` on, in order (comment lines skipped).
pub fn commands_from(script: &str, from: usize) -> impl Iterator<Item = Command<'_>> {
    let mut offset = 0;
    script
        .split_inclusive('\n')
        .filter_map(move |line| {
            let base = offset;
            offset += line.len();
            (base + line.len() > from && !is_comment(line)).then_some((base, line))
        })
        .flat_map(|(base, line)| split_commands(line, base))
}

/// The commands of the whole script.
pub fn script_commands(script: &str) -> impl Iterator<Item = Command<'_>> {
    commands_from(script, 0)
}

/// Split one line at `;`, `&&`, `||`, `|`, `$(`, `(`, `{` and `}`.
fn split_commands(line: &str, base: usize) -> Vec<Command<'_>> {
    let mut out = Vec::new();
    let bytes = line.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if matches!(
            b,
            b';' | b'|' | b'&' | b'(' | b')' | b'{' | b'}' | b'`' | b'\n'
        ) {
            // `&` alone starts a PowerShell call (`& $path`): keep it with its command.
            let call =
                b == b'&' && bytes.get(i + 1) != Some(&b'&') && (i == 0 || bytes[i - 1] != b'&');
            if !call {
                if let Some(c) = command_at(&line[start..i], base + start) {
                    out.push(c);
                }
                start = i + 1;
            }
        }
        i += 1;
    }
    if let Some(c) = command_at(&line[start..], base + start) {
        out.push(c);
    }
    out
}

/// A command that may run for a long time (minutes): what it is, when it is one.
pub fn long_work(c: &Command) -> Option<String> {
    let program = c.program_lower();
    let sub = c.arg_lower(1);
    let one = |names: &[&str]| names.contains(&sub.as_str());
    let text = match program.as_str() {
        "terraform" | "terragrunt"
            if one(&[
                "apply", "plan", "destroy", "import", "refresh", "test", "run-all",
            ]) =>
        {
            c.head(1)
        }
        "az" if one(&["deployment", "stack"]) => c.head(3),
        p if p.starts_with("new-az") && p.ends_with("deployment") => c.head(0),
        "sleep" | "start-sleep" => c.head(2),
        "timeout" if c.arg_lower(1) == "/t" => c.head(2),
        "for" | "foreach" | "foreach-object" | "while" | "until" => {
            return Some(format!("a `{program}` loop"))
        }
        "make" | "msbuild" | "mvn" | "gradle" | "gradlew" | "ant" | "bazel" => c.head(1),
        "go" | "cargo" if one(&["build", "test", "install"]) => c.head(1),
        "dotnet" if one(&["build", "test", "publish", "pack"]) => c.head(1),
        "docker" | "podman" if one(&["build", "buildx"]) => c.head(1),
        "npm" | "yarn" | "pnpm" if one(&["ci", "install", "test", "run"]) => c.head(1),
        "helm" if one(&["install", "upgrade"]) => c.head(1),
        "kubectl" if one(&["wait", "rollout"]) => c.head(1),
        "packer" if one(&["build"]) => c.head(1),
        "ansible-playbook" => c.head(0),
        "pulumi" if one(&["up", "destroy", "preview"]) => c.head(1),
        _ => return None,
    };
    Some(format!("`{text}`"))
}

/// The script runs Terraform or Terragrunt (any subcommand).
pub fn runs_terraform(script: &str) -> bool {
    script_commands(script)
        .any(|c| matches!(c.program_lower().as_str(), "terraform" | "terragrunt"))
}

/// Where a script reads the environment variable `name`: `$name`, `${name}`, `$env:name`,
/// `${env:name}`, `%name%`, or the quoted name as an environment lookup (`os.environ['name']`,
/// `getenv("name")`, `GetEnvironmentVariable('name')`).
pub fn find_uses(script: &str, name: &str) -> Vec<Range<usize>> {
    let bytes = script.as_bytes();
    let lower = script.to_ascii_lowercase();
    let needle = name.to_ascii_lowercase();
    let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let mut uses = Vec::new();
    let mut from = 0;
    while let Some(i) = lower[from..].find(&needle) {
        let at = from + i;
        let end = at + needle.len();
        from = end;
        let after = bytes.get(end).copied();
        if after.is_some_and(ident) {
            continue;
        }
        // Only the few characters before the name matter (`${env:` is the longest prefix).
        let before = &script[crate::source::floor_char_boundary(script, at.saturating_sub(8))..at];
        let exact = &script[at..end] == name;
        let before_lower = before.to_ascii_lowercase();
        let start = if before.ends_with("${") && exact {
            Some(at - 2)
        } else if before.ends_with('$') && exact {
            Some(at - 1)
        } else if before_lower.ends_with("${env:") {
            Some(at - 6)
        } else if before_lower.ends_with("$env:") {
            Some(at - 5)
        } else if (before.ends_with('%') && after == Some(b'%'))
            || (exact && is_lookup(before, after))
        {
            Some(at - 1)
        } else {
            None
        };
        if let Some(start) = start {
            let mut stop = end;
            if matches!(after, Some(b'}' | b'%' | b'"' | b'\'')) {
                stop += 1;
            }
            uses.push(start..stop);
        }
    }
    uses
}

/// `'name'` or `"name"` as the argument of an environment lookup.
fn is_lookup(before: &str, after: Option<u8>) -> bool {
    let Some(quote) = before.chars().last().filter(|c| *c == '"' || *c == '\'') else {
        return false;
    };
    if after != Some(quote as u8) {
        return false;
    }
    let lead = before[..before.len() - 1].trim_end();
    lead.ends_with('[') || lead.ends_with('(')
}

#[cfg(test)]
mod tests {
    use super::find_uses;

    #[test]
    fn the_built_list_is_the_json() {
        #[derive(serde::Deserialize)]
        struct ConsumerFile {
            consumers: Vec<super::Consumer>,
        }
        let file: ConsumerFile =
            serde_json::from_str(include_str!("../../../data/spn-consumers.json")).unwrap();
        assert_eq!(file.consumers, super::consumers());
    }

    #[test]
    fn finds_each_form() {
        let s = "echo $idToken; x=${idToken}; $env:idToken; ${env:IDTOKEN}; %idToken%; os.environ['idToken']; os.getenv( \"idToken\")";
        let found: Vec<&str> = find_uses(s, "idToken").into_iter().map(|r| &s[r]).collect();
        assert_eq!(
            found,
            [
                "$idToken",
                "${idToken}",
                "$env:idToken",
                "${env:IDTOKEN}",
                "%idToken%",
                "'idToken'",
                "\"idToken\""
            ]
        );
    }

    #[test]
    fn other_programs() {
        use super::runs_other_programs;
        assert!(runs_other_programs(
            "$(dir)/set_vars.ps1\n./deploy.ps1 -Init\n"
        ));
        assert!(runs_other_programs("pwsh -File build.ps1"));
        assert!(!runs_other_programs(
            "# comment\n$token = (az account get-access-token).accessToken\necho done\n"
        ));
    }

    #[test]
    fn ignores_other_names() {
        assert!(find_uses(
            "echo $idTokenFile $myidToken idToken --id-token 'idToken' \"idToken\"",
            "idToken"
        )
        .is_empty());
        assert_eq!(
            find_uses("az login -p $servicePrincipalKey", "servicePrincipalKey").len(),
            1
        );
    }
}
