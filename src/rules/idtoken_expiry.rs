//! `idtoken-expiry`: a script that reads the `idToken` exposed by `addSpnToEnvironment: true` where
//! something can use it after it expires (10 minutes after it was issued, AADSTS700024).
//!
//! Reported only when seen: long work (a Terraform apply, `az deployment`, a sleep, a loop, a
//! build) runs in the step before the token is read, or is handed the token; or the token is
//! copied into an environment variable and long work follows; or it leaves the step as a pipeline
//! variable or a file that a later step of the file reads. A token used at once (`az login
//! --federated-token $idToken`), or handed on to something azplint can't see into, is not judged.

use super::shared::spn_scripts::{
    commands_from, find_uses, long_work, runs_terraform, spn_steps, Origin, Script,
};
use super::{Context, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::pipeline::TaskStep;
use std::ops::Range;

pub static RULE: Rule = Rule {
    id: "idtoken-expiry",
    severity: Severity::Warning,
    summary: "A script uses the `idToken` from `addSpnToEnvironment` where it can have expired (10 minutes)",
    category: super::Category::Wif,
    default_enabled: true,
    check: super::Check::Document(check),
};

/// Environment variables that tools read by themselves (no script names them): a pipeline variable
/// of this name reaches them in every later step.
const TOOL_VARIABLES: &[&str] = &[
    "ARM_OIDC_TOKEN",
    "ARM_OIDC_TOKEN_FILE_PATH",
    "AZURE_FEDERATED_TOKEN",
    "AZURE_FEDERATED_TOKEN_FILE",
];

/// How a line hands on the value of the variable read in it.
enum Carrier {
    /// `##vso[task.setvariable variable=NAME;issecret=...;isoutput=...]`.
    PipelineVariable { name: String, secret: bool },
    /// `NAME=...`, `export NAME=...`, `$env:NAME = ...`, `set NAME=...`.
    Shell { name: String, exported: bool },
    /// `> path`, `Out-File path`, `Set-Content path`, `tee path`.
    File { path: String },
    /// Used on the line itself (an argument).
    Direct,
}

fn carrier(line: &str, use_at: usize) -> Carrier {
    let lower = line.to_ascii_lowercase();
    if let Some(i) = lower.find("##vso[task.setvariable") {
        let rest = &line[i..];
        let rest_lower = &lower[i..];
        let head_end = rest.find(']').unwrap_or(rest.len());
        let head = &rest_lower[..head_end];
        if let Some(v) = head.find("variable=") {
            let name: String = rest[v + 9..head_end]
                .chars()
                .take_while(|c| *c != ';' && *c != ']')
                .collect();
            return Carrier::PipelineVariable {
                name: name.trim().to_string(),
                secret: head.contains("issecret=true"),
            };
        }
    }
    if let Some((name, exported)) = assignment(&line[..use_at.min(line.len())]) {
        return Carrier::Shell { name, exported };
    }
    if let Some(path) = file_target(line) {
        return Carrier::File { path };
    }
    Carrier::Direct
}

/// `NAME=`, `export NAME=`, `$env:NAME = `, `set NAME=` at the start of a command, ending the text
/// before a use: the assigned name, and whether child programs see it.
fn assignment(before: &str) -> Option<(String, bool)> {
    let before = before.trim_end().trim_end_matches(['"', '\'']).trim_end();
    let lhs = before.strip_suffix('=')?;
    if lhs.ends_with(['=', '!', '<', '>', ':', '+']) {
        return None;
    }
    // The command holding the assignment.
    let cmd = lhs
        .rsplit([';', '{', '(', '&', '|'])
        .next()
        .unwrap_or(lhs)
        .trim();
    let lower = cmd.to_ascii_lowercase();
    let (rest, exported) = ["export ", "set ", "$env:", "${env:"]
        .iter()
        .find_map(|p| lower.starts_with(p).then(|| (&cmd[p.len()..], true)))
        .or_else(|| {
            ["local ", "declare ", "readonly ", "$", "${"]
                .iter()
                .find_map(|p| lower.starts_with(p).then(|| (&cmd[p.len()..], false)))
        })
        .unwrap_or((cmd, false));
    let name = rest.trim().trim_end_matches('}').trim();
    let ident = !name.is_empty()
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !name.starts_with(|c: char| c.is_ascii_digit());
    ident.then(|| (name.to_string(), exported))
}

/// Where a line writes to a file, if it does (not `/dev/null`, `$null`, `nul`).
fn file_target(line: &str) -> Option<String> {
    let unquote = |w: &str| w.trim_matches(|c| c == '"' || c == '\'').to_string();
    let words: Vec<&str> = line.split_whitespace().collect();
    let mut target = None;
    if let Some(i) = words.iter().position(|w| {
        matches!(
            w.to_ascii_lowercase().as_str(),
            "out-file" | "set-content" | "add-content" | "tee-object" | "tee"
        )
    }) {
        let rest = &words[i + 1..];
        target = match rest.iter().position(|w| {
            matches!(
                w.to_ascii_lowercase().as_str(),
                "-filepath" | "-path" | "-literalpath"
            )
        }) {
            Some(p) => rest.get(p + 1).map(|w| unquote(w)),
            None => rest
                .iter()
                .find(|w| !w.starts_with('-'))
                .map(|w| unquote(w)),
        };
    } else if let Some(i) = line.rfind('>') {
        let prev = line[..i].chars().last();
        if !matches!(prev, Some('-' | '=' | '2' | '&')) {
            target = line[i + 1..].split_whitespace().next().map(unquote);
        }
    }
    target.filter(|t| {
        let t = t.to_ascii_lowercase();
        !t.is_empty() && t != "/dev/null" && t != "$null" && t != "nul" && !t.starts_with('&')
    })
}

/// What was seen that lets the token be used after it expires.
struct Risk {
    /// The use of the variable that is reported.
    at: Range<usize>,
    /// Main message, after "the inline script of `X`".
    what: String,
    /// Where, in the script, the long work is (inline scripts only get a label there).
    work: Option<(Range<usize>, &'static str)>,
    terraform: bool,
}

/// Where a later step reads a variable (offset in the file), whether that step runs Terraform, and
/// whether the read is implicit (a tool's environment variable).
type Reader = (usize, bool, bool);

struct StepInfo<'a> {
    ctx: &'a Context<'a>,
    step: &'a TaskStep<'a>,
    /// The step passes Terraform variables in its `env:` (`TF_VAR_x`, `TF_WORKSPACE`, ...).
    terraform_env: Option<String>,
    /// `later_reader` answers, by variable name and secrecy.
    readers: std::cell::RefCell<std::collections::HashMap<(String, bool), Option<Reader>>>,
}

fn terraform_env(step: &TaskStep) -> Option<String> {
    let env = step.step.get("env")?.as_map()?;
    env.iter()
        .filter_map(|e| e.key.as_str())
        .find(|k| {
            let k = k.to_ascii_uppercase();
            k.starts_with("TF_VAR_")
                || k.starts_with("TF_CLI_ARGS")
                || matches!(k.as_str(), "TF_WORKSPACE" | "TF_IN_AUTOMATION" | "TF_INPUT")
        })
        .map(str::to_string)
}

/// The long work of a script, in order, found once per script.
struct Facts {
    long: Vec<(Range<usize>, String)>,
}

impl Facts {
    fn of(script: &Script) -> Facts {
        Facts {
            long: commands_from(&script.text, 0)
                .filter_map(|c| long_work(&c).map(|w| (c.start..c.start + c.text.len(), w)))
                .collect(),
        }
    }

    /// The first long work before the line holding byte `at`.
    fn before(&self, script: &Script, at: usize) -> Option<(Range<usize>, String)> {
        let line_start = script.text[..at].rfind('\n').map_or(0, |i| i + 1);
        self.long
            .first()
            .filter(|(r, _)| r.start < line_start)
            .cloned()
    }

    /// The first long work from byte `from` on.
    fn after(&self, from: usize) -> Option<(Range<usize>, String)> {
        let i = self.long.partition_point(|(r, _)| r.start < from);
        self.long.get(i).cloned()
    }
}

/// At most this many reads of the token (and of each copy) are looked at per script.
const MAX_USES: usize = 64;

/// The long command holding byte `at`, if the token is its argument.
fn long_consumer(script: &Script, at: usize) -> Option<(Range<usize>, String)> {
    let line_start = script.text[..at].rfind('\n').map_or(0, |i| i + 1);
    let line = &script.text[line_start..line_end(&script.text, at)];
    let at = at - line_start;
    commands_from(line, 0)
        .take_while(|c| c.start <= at)
        .filter(|c| at <= c.start + c.text.len())
        .last()
        .and_then(|c| {
            long_work(&c).map(|w| (line_start + c.start..line_start + c.start + c.text.len(), w))
        })
}

/// The end of the line holding byte `at`.
fn line_end(text: &str, at: usize) -> usize {
    text[at..].find('\n').map_or(text.len(), |i| at + i + 1)
}

fn word_at(text: &str, at: usize, len: usize) -> bool {
    let ident = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let b = text.as_bytes();
    let before = at > 0 && ident(b[at - 1]);
    let after = b.get(at + len).copied().is_some_and(ident);
    !before && !after
}

/// A macro or expression reference to a variable at `at..at+len`: `$(NAME)`, `$(step.NAME)`,
/// `variables.NAME`, `variables['NAME']`, `outputs['step.NAME']`.
fn is_reference(lower: &str, at: usize, len: usize) -> bool {
    let b = lower.as_bytes();
    let prev = at.checked_sub(1).map(|i| b[i]);
    let before_prev = at.checked_sub(2).map(|i| b[i]);
    let next = b.get(at + len).copied();
    match prev {
        Some(b'(') => next == Some(b')'),
        Some(b'.') => {
            matches!(next, Some(b')' | b'\'' | b'"' | b']')) || lower[..at].ends_with("variables.")
        }
        Some(q @ (b'\'' | b'"')) => before_prev == Some(b'[') && next == Some(q),
        _ => false,
    }
}

/// Where a later step of this file reads the pipeline variable `name`: its offset and whether
/// that step runs Terraform.
fn later_reader(info: &StepInfo, name: &str, secret: bool) -> Option<Reader> {
    let key = (name.to_ascii_lowercase(), secret);
    if let Some(known) = info.readers.borrow().get(&key) {
        return *known;
    }
    let found = find_later_reader(info, name, secret);
    info.readers.borrow_mut().insert(key, found);
    found
}

fn find_later_reader(info: &StepInfo, name: &str, secret: bool) -> Option<Reader> {
    let text = &info.ctx.source.text;
    let end = info.step.step.span.end.min(text.len());
    let after = &text[end..];
    let lower = after.to_ascii_lowercase();
    let needle = name.to_ascii_lowercase();
    let mut found = None;
    let mut from = 0;
    while let Some(i) = lower[from..].find(&needle) {
        let at = from + i;
        from = at + needle.len();
        if !word_at(&lower, at, needle.len()) {
            continue;
        }
        if is_reference(&lower, at, needle.len()) {
            found = Some(at);
            break;
        }
    }
    let mut implicit = false;
    if found.is_none() && !secret {
        // Not secret: later steps get it as an environment variable.
        let env = name.to_ascii_uppercase().replace('.', "_");
        found = find_uses(after, &env).first().map(|r| r.start);
        if found.is_none() && TOOL_VARIABLES.contains(&env.as_str()) {
            found = info
                .ctx
                .model
                .steps
                .iter()
                .map(|s| s.node.span.start)
                .filter(|s| *s >= end)
                .min()
                .map(|s| s - end);
            implicit = found.is_some();
        }
    }
    let at = end + found?;
    let reader = info
        .ctx
        .model
        .steps
        .iter()
        .filter(|s| s.node.span.start <= at && at < s.node.span.end)
        .min_by_key(|s| s.node.span.len());
    let terraform = reader.is_some_and(|s| {
        runs_terraform(&without_keys(text.get(s.node.span.clone()).unwrap_or("")))
    });
    Some((at, terraform, implicit))
}

/// The text of a step with YAML keys and list dashes taken off each line (`- script: x` -> `x`), so
/// that what remains reads as commands.
fn without_keys(step: &str) -> String {
    step.lines()
        .map(|l| {
            let l = l.trim_start().trim_start_matches("- ");
            match l.split_once(": ") {
                Some((k, v)) if k.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') => v,
                _ => l,
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn pipeline_line(info: &StepInfo, at: usize) -> usize {
    info.ctx.source.line_col(at).line
}

/// What makes the use of `var` at `at` (and what it is copied into) risky; `depth` bounds the
/// following of copies.
fn risk_of(
    info: &StepInfo,
    script: &Script,
    facts: &Facts,
    at: Range<usize>,
    depth: usize,
) -> Option<Risk> {
    let text = &script.text;
    let line_start = text[..at.start].rfind('\n').map_or(0, |i| i + 1);
    let end = line_end(text, at.start);
    let line = &text[line_start..end];
    if let Some((work, w)) = facts.before(script, at.start) {
        return Some(Risk {
            at,
            what: format!("reads `idToken` after {w}{}: if the work before takes more than 10 minutes, the token has expired", where_(script, work.start)),
            work: Some((work, "runs before the token is read")),
            terraform: w.contains("terraform") || w.contains("terragrunt"),
        });
    }
    match carrier(line, at.start - line_start) {
        Carrier::Direct => {
            let (_, w) = long_consumer(script, at.start)?;
            Some(Risk {
                at,
                what: format!("hands `idToken` to {w}, which fails if it still needs the token 10 minutes after it was issued"),
                work: None,
                terraform: w.contains("terraform") || w.contains("terragrunt"),
            })
        }
        Carrier::Shell { name, exported } => {
            if exported {
                if let Some((work, w)) = facts.after(end) {
                    return Some(Risk {
                        at,
                        what: format!("copies `idToken` into `{name}`, then runs {w}{}, which fails if it still needs the token 10 minutes after it was issued", where_(script, work.start)),
                        work: Some((work, "runs with the copied token")),
                        terraform: w.contains("terraform") || w.contains("terragrunt"),
                    });
                }
                if name.starts_with("ARM_") {
                    if let Some(tf) = &info.terraform_env {
                        return Some(Risk {
                            at,
                            what: format!("copies `idToken` into `{name}` in a step that passes Terraform variables (`{tf}`): a Terraform run that outlasts the token fails"),
                            work: None,
                            terraform: true,
                        });
                    }
                }
            }
            if depth == 0 {
                return None;
            }
            // Follow the copy.
            find_uses(&text[end..], &name)
                .into_iter()
                .take(MAX_USES)
                .map(|r| r.start + end..r.end + end)
                .find_map(|r| risk_of(info, script, facts, r, depth - 1))
                .map(|r| Risk {
                    at: at.clone(),
                    what: match r.what.strip_prefix("reads `idToken`") {
                        Some(rest) => format!("copies `idToken` into `{name}` and reads it{rest}"),
                        None => format!("copies `idToken` into `{name}`, then {}", r.what),
                    },
                    ..r
                })
        }
        Carrier::PipelineVariable { name, secret } => {
            let (reader, terraform, implicit) = later_reader(info, &name, secret)?;
            let line = pipeline_line(info, reader);
            let how = if implicit {
                format!(
                    "which every later step gets in its environment (the next one at line {line})"
                )
            } else if terraform {
                format!("which a later step that runs Terraform reads (line {line})")
            } else {
                format!("which a later step reads (line {line})")
            };
            Some(Risk {
                at,
                what: format!("exports `idToken` as the pipeline variable `{name}`, {how}"),
                work: None,
                terraform,
            })
        }
        Carrier::File { path } => {
            // The path published as a pipeline variable further down the script.
            let published = text[end..].lines().find_map(|l| {
                if !l.contains(path.as_str()) {
                    return None;
                }
                match carrier(l, l.find(path.as_str()).unwrap_or(0)) {
                    Carrier::PipelineVariable { name, .. } => Some(name),
                    _ => None,
                }
            });
            if let Some(name) = published {
                let (reader, terraform, implicit) = later_reader(info, &name, false)?;
                let line = pipeline_line(info, reader);
                let how = if implicit {
                    format!("which every later step gets in its environment (the next one at line {line})")
                } else {
                    format!("which a later step reads (line {line})")
                };
                return Some(Risk {
                    at,
                    what: format!("writes `idToken` to `{path}` and publishes that path as the pipeline variable `{name}`, {how}"),
                    work: None,
                    terraform,
                });
            }
            let src = &info.ctx.source.text;
            let step_end = info.step.step.span.end.min(src.len());
            let found = src[step_end..].find(path.as_str())? + step_end;
            let line = pipeline_line(info, found);
            Some(Risk {
                at,
                what: format!(
                    "writes `idToken` to `{path}`, which a later step reads (line {line})"
                ),
                work: None,
                terraform: false,
            })
        }
    }
}

/// " (line N of the script)" for script files; inline scripts show the place with a label.
fn where_(script: &Script, offset: usize) -> String {
    match &script.origin {
        Origin::Inline { .. } => String::new(),
        Origin::File { .. } => format!(" (line {})", script.line(offset)),
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for s in spn_steps(ctx) {
        let reference = s.step.reference().trim();
        let info = StepInfo {
            ctx,
            step: s.step,
            terraform_env: terraform_env(s.step),
            readers: Default::default(),
        };
        for script in &s.scripts {
            let uses = find_uses(&script.text, "idToken");
            if uses.is_empty() {
                continue;
            }
            let facts = Facts::of(script);
            let Some(risk) = uses
                .iter()
                .take(MAX_USES)
                .find_map(|u| risk_of(&info, script, &facts, u.clone(), 2))
            else {
                continue;
            };
            let inline = matches!(script.origin, Origin::Inline { .. });
            let what = format!("{} of `{reference}` {}", script.name(), risk.what);
            let label = match &script.origin {
                Origin::Inline { .. } => "`idToken` used here".to_string(),
                Origin::File { shown, .. } => format!(
                    "`{shown}` uses `idToken` at line {}",
                    script.line(risk.at.start)
                ),
            };
            let mut d = RULE
                .diag(script.span(&risk.at), what)
                .label(label)
                .with_label(
                    s.flag.key.span.clone(),
                    "exposes the short-lived `idToken` to the script",
                );
            if inline {
                if let Some((work, why)) = &risk.work {
                    d = d.with_label(script.span(work), *why);
                }
            }
            let terraform =
                risk.terraform || info.terraform_env.is_some() || runs_terraform(&script.text);
            let help = if terraform {
                "for Terraform, don't copy the token: set `ARM_USE_OIDC=true`, `ARM_OIDC_REQUEST_URL` (or `SYSTEM_OIDCREQUESTURI`) with `ARM_OIDC_REQUEST_TOKEN` (or `SYSTEM_ACCESSTOKEN`) and `ARM_ADO_PIPELINE_SERVICE_CONNECTION_ID`, and the azurerm provider fetches fresh tokens itself"
            } else {
                "use `idToken` right after the step starts (for example `az login --federated-token` first thing), or request a fresh token from `$(System.OidcRequestUri)` with `$(System.AccessToken)` in the step that needs it; on AzureCLI@2 `keepAzSessionActive: true` keeps the Azure CLI session signed in"
            };
            out.push(d.help(help).note(
                "the federated `idToken` is valid for 10 minutes; whatever uses it later fails with `AADSTS700024: Client assertion is not within its valid time range`",
            ));
        }
    }
}
