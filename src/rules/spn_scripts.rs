//! Shared by the rules about `addSpnToEnvironment`: the steps that set it, and the scripts they run
//! (inline, or a `scriptPath` file of the repository), with the credential variables they read.

use super::Context;
use crate::catalog::TaskVersion;
use crate::pipeline::inputs::Value;
use crate::pipeline::{Resolution, TaskStep};
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
            && (!is_expression(path) || crate::discover::strip_repo_macro(path).is_some());
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
