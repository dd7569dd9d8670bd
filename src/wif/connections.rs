//! `azplint connections`: every service connection the repository's pipelines use, each use with
//! what becomes of it when the connection signs in with workload identity federation (WIF), and a
//! verdict per connection: "if I convert `prod-arm` now, what breaks, and where?"
//!
//! Uses are found the way the rules find them (task steps by shape, the connection inputs of each
//! task version, names resolved through variables, variable templates, parameter defaults and the
//! literals template callers pass); what a use needs is what the rules say of its step.

use crate::catalog::{Input, WifSupport};
use crate::pipeline::inputs::{is_visible, Truth};
use crate::pipeline::variables::ValueName;
use crate::pipeline::{Resolution, TaskStep};
use crate::rules::shared::connections::connection_of;
use crate::rules::shared::spn_scripts::spn_steps;
use crate::rules::{Check, Context};
use crate::yaml::{is_expression, Entry};
use serde::Serialize;

/// What a use, or a connection, needs before (or, for a WIF connection, since) the conversion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Verdict {
    /// Works under WIF.
    Ready,
    /// Can't be judged (an extension task, ...).
    Unknown,
    /// Works only after a script change (it reads the secret, or reads `idToken` late).
    NeedsChanges,
    /// A task version that can't sign in with WIF.
    Blocked,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Ready => "ready",
            Verdict::Unknown => "unknown",
            Verdict::NeedsChanges => "needs-changes",
            Verdict::Blocked => "blocked",
        }
    }
}

/// One place a connection is used.
#[derive(Debug, Clone, Serialize)]
pub struct Use {
    pub path: String,
    pub line: usize,
    pub column: usize,
    /// `Name@Major` as written.
    pub task: String,
    /// The input as written in the step.
    pub input: String,
    /// How the name was found, when not written literally (`variable armConnection`).
    pub via: Option<String>,
    pub status: Verdict,
    pub reason: String,
    pub fix: Option<String>,
}

/// A service connection and every use of it.
#[derive(Debug, Clone, Serialize)]
pub struct Connection {
    pub name: String,
    /// `WorkloadIdentityFederation`, `ServicePrincipal`, ... when known.
    pub scheme: Option<String>,
    /// `config` (`.azplint.yml`), `endpoints` (an imported export), or null.
    pub scheme_from: Option<&'static str>,
    pub verdict: Verdict,
    pub uses: Vec<Use>,
}

/// A connection input whose connection can't be named.
#[derive(Debug, Clone, Serialize)]
pub struct Unresolved {
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub task: String,
    pub input: String,
    pub value: String,
    pub why: String,
}

/// The whole inventory; its JSON form is a public contract (`version` 1).
#[derive(Debug, Clone, Serialize)]
pub struct Inventory {
    pub version: u32,
    pub connections: Vec<Connection>,
    pub unresolved: Vec<Unresolved>,
}

impl Inventory {
    /// Some connection is `blocked` or `needs-changes` (what `--check` fails on).
    pub fn has_problem(&self) -> bool {
        self.connections
            .iter()
            .any(|c| c.verdict >= Verdict::NeedsChanges)
    }
}

/// A use found in one document, before uses are grouped by connection.
#[derive(Debug, Clone)]
pub enum Found {
    Use { name: String, at: Use },
    Unresolved(Unresolved),
}

/// Input names extension tasks give their service connection, by convention.
fn looks_like_connection(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    [
        "subscription",
        "serviceconnection",
        "connectedservice",
        "azureresourcemanager",
        "endpoint",
    ]
    .iter()
    .any(|w| n.contains(w))
}

/// Rules whose findings on a step mean its script depends on the secret, or on a token that can
/// expire: the step needs a change to work under WIF.
const SCRIPT_RULES: &[&str] = &["idtoken-expiry", "spn-secret-exposure", "spn-key-under-wif"];

/// Every connection use in one document.
pub fn uses_in(ctx: &Context) -> Vec<Found> {
    // What the script rules say of this document, by step.
    let mut script_findings = Vec::new();
    for rule in crate::rules::RULES {
        if let (true, Check::Document(check)) = (SCRIPT_RULES.contains(&rule.id), rule.check) {
            check(ctx, &mut script_findings);
        }
    }
    // Scripts that read `servicePrincipalKey`, which is not set under WIF, whatever the scheme is
    // today (`spn-key-under-wif` is silent for a secret-based connection; converting it is the
    // question here). As in that rule, a script that also reads `idToken` can sign in either way.
    let key_readers: Vec<crate::yaml::Span> = spn_steps(ctx)
        .iter()
        .filter(|s| s.key_read().is_some())
        .map(|s| s.step.step.span.clone())
        .collect();
    let mut out = Vec::new();
    for step in &ctx.model.task_steps {
        let task_ref = step.reference().trim().to_string();
        let entries: Vec<(&Entry, Option<&Input>)> = match &step.resolution {
            Resolution::Builtin(task) => task
                .inputs
                .iter()
                .filter(|i| i.is_connection() && is_visible(step, task, i) != Truth::False)
                .filter_map(|i| step.input_entry(i).map(|e| (e, Some(i))))
                .collect(),
            Resolution::NotBuiltin(_) => step
                .input_entries()
                .into_iter()
                .filter(|e| e.key.as_str().is_some_and(looks_like_connection))
                .map(|e| (e, None))
                .collect(),
            _ => Vec::new(),
        };
        for (entry, input) in entries {
            let Some(value) = entry.value.as_str().filter(|_| !entry.value.is_null()) else {
                continue;
            };
            let lc = ctx.source.line_col(entry.value.span.start);
            let written = entry.key.as_str().unwrap_or_default().to_string();
            let named = connection_of(ctx, value);
            let (name, via) = match named {
                ValueName::Literal(n) if !is_expression(&n) => (n, None),
                // Plain text in the report (`variable armConnection`), as the JSON contract shows.
                ValueName::Resolved { name, via } => (name, Some(via.replace('`', ""))),
                ValueName::Literal(n) => {
                    out.push(Found::Unresolved(Unresolved {
                        path: ctx.source.display.clone(),
                        line: lc.line,
                        column: lc.column,
                        task: task_ref.clone(),
                        input: written,
                        value: n,
                        why: "built from an expression azplint can't evaluate".into(),
                    }));
                    continue;
                }
                ValueName::Unknown(why) => {
                    out.push(Found::Unresolved(Unresolved {
                        path: ctx.source.display.clone(),
                        line: lc.line,
                        column: lc.column,
                        task: task_ref.clone(),
                        input: written,
                        value: value.trim().to_string(),
                        why,
                    }));
                    continue;
                }
            };
            if name.trim().is_empty() {
                continue;
            }
            let (status, reason, fix) = judge(ctx, step, input, &script_findings, &key_readers);
            out.push(Found::Use {
                name: name.trim().to_string(),
                at: Use {
                    path: ctx.source.display.clone(),
                    line: lc.line,
                    column: lc.column,
                    task: task_ref.clone(),
                    input: written,
                    via,
                    status,
                    reason,
                    fix,
                },
            });
        }
    }
    out
}

/// What becomes of one use under WIF, why, and the fix.
fn judge(
    ctx: &Context,
    step: &TaskStep,
    input: Option<&Input>,
    script_findings: &[crate::diagnostic::Diagnostic],
    key_readers: &[crate::yaml::Span],
) -> (Verdict, String, Option<String>) {
    let task = match &step.resolution {
        Resolution::Builtin(t) => *t,
        _ => {
            return (
                Verdict::Unknown,
                "an extension task: azplint can't tell whether it signs in with workload identity federation".into(),
                Some("check the extension's documentation, or describe the task with `wif:` under `tasks:` in .azplint.yml".into()),
            )
        }
    };
    let reference = format!("{}@{}", task.name, task.major);
    if input.is_some_and(|i| !i.arm) && task.arm_inputs().next().is_some() {
        return (
            Verdict::Ready,
            "not the task's Azure Resource Manager connection: converting it does not change this input".into(),
            None,
        );
    }
    if input.is_some_and(|i| !i.arm) {
        return (
            Verdict::Ready,
            "not an Azure Resource Manager connection input: workload identity federation does not apply".into(),
            None,
        );
    }
    let fact = crate::catalog::wif_fact(ctx.tasks, &task.name, task.major);
    if let Some(f) = fact.filter(|f| f.support == WifSupport::No) {
        let fix = match &f.replacement {
            Some(r) => format!("use `{r}`"),
            None => format!(
                "no version of {} supports workload identity federation: do the work in `AzureCLI@2` or `AzurePowerShell@5`, or keep a secret-based connection for this step",
                task.name
            ),
        };
        return (
            Verdict::Blocked,
            format!("`{reference}` can't sign in with workload identity federation (`Identity not found`)"),
            Some(fix),
        );
    }
    let inside = |span: &crate::yaml::Span| {
        step.step.span.start <= span.start && span.end <= step.step.span.end
    };
    if key_readers.iter().any(inside) {
        return (
            Verdict::NeedsChanges,
            "its script reads `servicePrincipalKey`, which is not set under workload identity federation".into(),
            Some("sign in with `az login --service-principal -u \"$servicePrincipalId\" --tenant \"$tenantId\" --federated-token \"$idToken\"` first thing, or rely on the CLI session the task already opened".into()),
        );
    }
    if let Some(d) = script_findings.iter().find(|d| inside(&d.span)) {
        return (
            Verdict::NeedsChanges,
            format!("{} ({})", d.message, d.rule),
            d.help.clone(),
        );
    }
    match fact {
        Some(_) => (Verdict::Ready, format!("`{reference}` signs in with workload identity federation"), None),
        None => (
            Verdict::Ready,
            format!("`{reference}` takes the connection through the agent's standard sign-in, which supports workload identity federation"),
            None,
        ),
    }
}

/// Group the uses by connection (names compare without regard to case), with their schemes.
/// `scheme_of` gives a connection's scheme (`WorkloadIdentityFederation`, ...) and where it was
/// declared (`config`, `endpoints`).
pub fn inventory(
    found: Vec<Found>,
    scheme_of: &dyn Fn(&str) -> Option<(String, &'static str)>,
) -> Inventory {
    let mut connections: Vec<Connection> = Vec::new();
    let mut unresolved = Vec::new();
    for f in found {
        match f {
            Found::Unresolved(u) => unresolved.push(u),
            Found::Use { name, at } => {
                match connections
                    .iter_mut()
                    .find(|c| c.name.eq_ignore_ascii_case(&name))
                {
                    Some(c) => c.uses.push(at),
                    None => {
                        let scheme = scheme_of(&name);
                        connections.push(Connection {
                            name,
                            scheme_from: scheme.as_ref().map(|(_, f)| *f),
                            scheme: scheme.map(|(s, _)| s),
                            verdict: Verdict::Ready,
                            uses: vec![at],
                        });
                    }
                }
            }
        }
    }
    for c in &mut connections {
        c.uses
            .sort_by(|a, b| (&a.path, a.line, a.column).cmp(&(&b.path, b.line, b.column)));
        c.uses
            .dedup_by(|a, b| a.path == b.path && a.line == b.line && a.column == b.column);
        c.verdict = c
            .uses
            .iter()
            .map(|u| u.status)
            .max()
            .unwrap_or(Verdict::Ready);
    }
    connections.sort_by(|a, b| {
        b.verdict.cmp(&a.verdict).then_with(|| {
            a.name
                .to_ascii_lowercase()
                .cmp(&b.name.to_ascii_lowercase())
        })
    });
    unresolved.sort_by(|a, b| (&a.path, a.line, a.column).cmp(&(&b.path, b.line, b.column)));
    unresolved.dedup_by(|a, b| a.path == b.path && a.line == b.line && a.column == b.column);
    Inventory {
        version: 1,
        connections,
        unresolved,
    }
}

/// The scheme as the reports show it.
fn scheme_text(c: &Connection) -> String {
    match (&c.scheme, c.scheme_from) {
        (Some(s), Some("config")) => format!("{s} (.azplint.yml)"),
        (Some(s), Some(_)) => format!("{s} (endpoints file)"),
        (Some(s), None) => s.clone(),
        (None, _) => "unknown".into(),
    }
}

fn verdict_line(c: &Connection) -> &'static str {
    let wif = c.scheme.as_deref() == Some("WorkloadIdentityFederation");
    match (c.verdict, wif) {
        (Verdict::Blocked, false) => "converting it breaks the steps marked blocked",
        (Verdict::Blocked, true) => "already WIF: the steps marked blocked fail now",
        (Verdict::NeedsChanges, false) => "converting it needs the script changes below",
        (Verdict::NeedsChanges, true) => "already WIF: the scripts below fail or are at risk now",
        (Verdict::Unknown, _) => "nothing blocked, but some uses can't be judged",
        (Verdict::Ready, false) => "every use works under workload identity federation",
        (Verdict::Ready, true) => "already WIF, and every use works with it",
    }
}

/// The human report: a table per connection that a person can act on.
pub fn render_human(inv: &Inventory) -> String {
    let mut out = String::new();
    if inv.connections.is_empty() && inv.unresolved.is_empty() {
        return "no service connection is used by the pipelines found\n".into();
    }
    for c in &inv.connections {
        out.push_str(&format!(
            "{}  [{}]  scheme: {}\n  {}\n",
            c.name,
            c.verdict.as_str(),
            scheme_text(c),
            verdict_line(c)
        ));
        for u in &c.uses {
            let via = u
                .via
                .as_ref()
                .map(|v| format!(" via {v}"))
                .unwrap_or_default();
            out.push_str(&format!(
                "  {:<13} {}:{}:{}  {} `{}`{via}\n      {}\n",
                u.status.as_str(),
                u.path,
                u.line,
                u.column,
                u.task,
                u.input,
                u.reason
            ));
            if let Some(fix) = &u.fix {
                out.push_str(&format!("      fix: {fix}\n"));
            }
        }
        out.push('\n');
    }
    if !inv.unresolved.is_empty() {
        out.push_str("connections azplint can't name\n");
        for u in &inv.unresolved {
            out.push_str(&format!(
                "  {}:{}:{}  {} `{}: {}`\n      {}\n",
                u.path, u.line, u.column, u.task, u.input, u.value, u.why
            ));
        }
        out.push('\n');
    }
    out.push_str(&summary(inv));
    out.push('\n');
    out
}

/// One line: how many connections of each verdict.
pub fn summary(inv: &Inventory) -> String {
    let count = |v: Verdict| inv.connections.iter().filter(|c| c.verdict == v).count();
    format!(
        "{} connections: {} blocked, {} needs-changes, {} unknown, {} ready; {} uses can't be named",
        inv.connections.len(),
        count(Verdict::Blocked),
        count(Verdict::NeedsChanges),
        count(Verdict::Unknown),
        count(Verdict::Ready),
        inv.unresolved.len()
    )
}

/// Escape text for a Markdown table cell.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// The Markdown report, for a pull-request comment or a wiki page.
pub fn render_markdown(inv: &Inventory) -> String {
    let mut out = String::from("# Service connections and workload identity federation\n\n");
    out.push_str(&format!("{}\n\n", summary(inv)));
    for c in &inv.connections {
        out.push_str(&format!(
            "## `{}`: {}\n\nScheme: {}. {}.\n\n| status | where | task | input | why | fix |\n|---|---|---|---|---|---|\n",
            cell(&c.name),
            c.verdict.as_str(),
            cell(&scheme_text(c)),
            verdict_line(c)
        ));
        for u in &c.uses {
            let via = u
                .via
                .as_ref()
                .map(|v| format!(" (via {v})"))
                .unwrap_or_default();
            out.push_str(&format!(
                "| {} | `{}:{}` | `{}` | `{}`{} | {} | {} |\n",
                u.status.as_str(),
                cell(&u.path),
                u.line,
                cell(&u.task),
                cell(&u.input),
                cell(&via),
                cell(&u.reason),
                cell(u.fix.as_deref().unwrap_or(""))
            ));
        }
        out.push('\n');
    }
    if !inv.unresolved.is_empty() {
        out.push_str("## Connections azplint can't name\n\n| where | task | input | value | why |\n|---|---|---|---|---|\n");
        for u in &inv.unresolved {
            out.push_str(&format!(
                "| `{}:{}` | `{}` | `{}` | `{}` | {} |\n",
                cell(&u.path),
                u.line,
                cell(&u.task),
                cell(&u.input),
                cell(&u.value),
                cell(&u.why)
            ));
        }
        out.push('\n');
    }
    out
}

/// The JSON report (the public contract).
pub fn render_json(inv: &Inventory) -> String {
    serde_json::to_string_pretty(inv).unwrap_or_default() + "\n"
}
