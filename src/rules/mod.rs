//! The rule registry: one line per rule, one file per rule.

use crate::diagnostic::{Diagnostic, Severity};
use crate::pipeline::walk::Visitor;
use crate::pipeline::Model;
use crate::source::Source;
use crate::templates::Target;
use crate::yaml::Document;

mod addspn_unused;
mod argument_injection;
mod condition_syntax;
mod credential_before_untrusted_code;
mod debug_enabled;
pub mod dependency_cycle;
mod deprecated_syntax;
mod deprecated_task;
mod duplicate_input;
mod duplicate_key;
pub mod duplicate_name;
mod expression_syntax;
mod extension_task;
mod extension_task_wif;
pub mod file_too_large;
mod fork_secrets_guard;
mod hardcoded_secret;
mod idtoken_expiry;
mod invalid_cron;
mod invalid_input_value;
mod invalid_name;
pub mod invalid_template_parameter_value;
mod invalid_value;
mod missing_key;
mod missing_required_input;
pub mod missing_template_parameter;
pub mod nesting_too_deep;
mod overbroad_keyvault;
mod parameter_injection;
mod persist_credentials;
pub mod remote_template;
mod require_extends;
mod retired_vm_image;
mod script_injection;
mod security_gate_continue_on_error;
mod self_hosted_pr_pool;
pub mod shared;
mod spn_key_under_wif;
mod spn_secret_exposure;
mod task_reference_format;
pub mod template_cycle;
mod template_not_found;
mod template_outside_repository;
mod token_on_command_line;
pub mod unknown_dependency;
mod unknown_key;
mod unknown_step_key;
mod unknown_task;
mod unknown_task_input;
mod unknown_task_version;
pub mod unknown_template_parameter;
mod unmasked_secret_variable;
mod unpinned_container_image;
mod unpinned_template_repo;
pub mod unreadable_file;
pub mod unused_suppression;
mod unverified_script_exec;
mod wif_unsupported_task;
mod yaml_anchor;
pub mod yaml_syntax;

/// Access to other files of the repository (a `scriptPath`), given to rules so that rules never
/// touch the filesystem themselves.
pub trait RepoFiles: Sync {
    /// The text of `path` as referenced from `from`, when it is a readable file inside the
    /// repository. `path` is as written in the pipeline (macros such as `$(Build.SourcesDirectory)`
    /// at its start are understood). Returns the path shown to the user and the text.
    fn read(&self, from: &Source, path: &str) -> Option<(String, String)>;
}

/// A `RepoFiles` that knows no files (standard input, tests).
pub struct NoFiles;

impl RepoFiles for NoFiles {
    fn read(&self, _: &Source, _: &str) -> Option<(String, String)> {
        None
    }
}

/// The templates of the run, as seen from one file: rules look up where a reference points and
/// read the template's parsed document, never the filesystem.
pub trait Templates: Sync {
    /// Where the `template:` value starting at byte `start` of this file points.
    fn target(&self, start: usize) -> Option<&Target>;
    /// Where the `template:` value starting at byte `start` of another file of the run (an index
    /// from [`Templates::target`]) points: to follow a chain of `extends:` templates.
    fn target_in(&self, _file: usize, _start: usize) -> Option<&Target> {
        None
    }
    /// A file of the run (a resolved template).
    /// A template of the run (the target of a reference): its source and first document.
    fn template(&self, index: usize) -> Option<(&Source, &Document)>;
    /// This file is included as a template by another file of the run.
    fn included(&self) -> bool;
    /// What the files including this one pass for parameter `name`: per call, where it is
    /// (`path:line`) and the value (`Some(literal)`, `None` when it isn't a literal or isn't passed).
    fn caller_arguments(&self, name: &str) -> Vec<(String, Option<String>)>;
    /// Like [`Templates::caller_arguments`], with any scalar text passed (`$(x)`, `${{ }}`
    /// included): what the parameter's text becomes once the template is expanded.
    fn caller_texts(&self, _name: &str) -> Vec<(String, Option<String>)> {
        Vec::new()
    }
    /// Per call of this file: where it is (`path:line`), the calling file (an index for
    /// [`Templates::template`]), whether that file is itself included, and the scalar text passed
    /// for parameter `name`.
    fn caller_files(&self, _name: &str) -> Vec<(String, usize, bool, Option<String>)> {
        Vec::new()
    }
    /// Byte `pos` of this file is content handed to a template azplint can't read (under
    /// `extends: parameters:` of a remote template, or in a file only ever included from there):
    /// that template may read, strip or resolve it before the server sees it.
    fn handed(&self, _pos: usize) -> bool {
        false
    }
}

/// No templates known (standard input, unit tests).
pub struct NoTemplates;

impl Templates for NoTemplates {
    fn target(&self, _: usize) -> Option<&Target> {
        None
    }
    fn template(&self, _: usize) -> Option<(&Source, &Document)> {
        None
    }
    fn included(&self) -> bool {
        false
    }
    fn caller_arguments(&self, _: &str) -> Vec<(String, Option<String>)> {
        Vec::new()
    }
}

/// What a rule sees of one file.
pub struct Context<'a> {
    pub source: &'a Source,
    pub doc: &'a Document,
    pub model: &'a Model<'a>,
    pub files: &'a dyn RepoFiles,
    pub templates: &'a dyn Templates,
    /// `.azplint.yml`, when there is one (service connections, ...).
    pub config: Option<&'a crate::config::Loaded>,
    /// The tasks `.azplint.yml` describes, checked like built-ins.
    pub tasks: Option<&'a crate::catalog::Configured>,
    /// The schema check of the document, computed once for the rules that report from it.
    pub structure: std::cell::OnceCell<Vec<crate::structure::validate::Problem>>,
    /// What the injection rules first work out about the document's variables and parameters,
    /// computed once (each rule goes on from its own copy).
    pub taint: std::cell::OnceCell<shared::taint::Known>,
}

impl Context<'_> {
    /// What the schema check found in this document.
    pub fn structure(&self) -> &[crate::structure::validate::Problem] {
        self.structure.get_or_init(|| {
            let Some(root) = &self.doc.root else {
                return Vec::new();
            };
            let mut found = crate::structure::validate::validate(root);
            // Stages and jobs handed inline to a remote `extends` template still reach the server.
            if let Some((span, more)) = crate::structure::validate::validate_extends_content(root) {
                if self.templates.handed(span.start) {
                    found.extend(more);
                }
            }
            found
        })
    }
}

pub struct Rule {
    /// Stable kebab-case id.
    pub id: &'static str,
    pub severity: Severity,
    /// One line: what the rule finds.
    pub summary: &'static str,
    /// What kind of problem it finds (`azplint rules`, SARIF tags, selecting rules by category).
    pub category: Category,
    /// Whether the rule runs without being named in `.azplint.yml`. A rule that is off by default
    /// runs only when `.azplint.yml` names its id under `rules:` with a level other than `off`;
    /// a category entry (`security: warning`) does not turn it on.
    pub default_enabled: bool,
    /// How the rule finds what it reports.
    pub check: Check,
}

/// What kind of problem a rule finds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    /// The pipeline is wrong: Azure rejects it, or a step fails or misbehaves.
    Correctness,
    /// Workload identity federation: sign-in with service connections.
    Wif,
    /// Security: injection, credentials, secrets, supply chain.
    Security,
}

impl Category {
    /// Every category, as `.azplint.yml` may name them.
    pub const ALL: [Category; 3] = [Category::Correctness, Category::Wif, Category::Security];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::Correctness => "correctness",
            Category::Wif => "wif",
            Category::Security => "security",
        }
    }
}

/// How a rule finds what it reports.
#[derive(Clone, Copy)]
pub enum Check {
    /// It checks one parsed document.
    Document(fn(&Context, &mut Vec<Diagnostic>)),
    /// It visits the document in the one walk the rules share (`pipeline::walk::walk_all`): the
    /// function makes its visitor, which pushes its findings to the list it is given.
    Walk(Start),
    /// Its findings are made by an earlier stage of the run, which knows what the document can't.
    Stage(Stage),
}

/// Makes the visitor of a [`Check::Walk`] rule for a document that has a root.
pub type Start = for<'c> fn(&'c Context<'c>, &'c mut Vec<Diagnostic>) -> Box<dyn Visitor<'c> + 'c>;

/// The stages of a run that make findings of their own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    /// Reading files: unreadable, not UTF-8, too large.
    Load,
    /// Parsing YAML: syntax errors, nesting past azplint's limit.
    Parse,
    /// The include graph of the run: cycles, nesting past Azure's limits, other repositories.
    IncludeGraph,
    /// The filter: inline suppressions that suppress nothing.
    Filter,
}

impl Stage {
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Load => "reading files",
            Stage::Parse => "parsing YAML",
            Stage::IncludeGraph => "the include graph",
            Stage::Filter => "the filter",
        }
    }
}

impl Rule {
    /// Whether the rule runs under this configuration: a rule that is on by default runs unless a
    /// level turns it off later (the filter drops its findings); one that is off by default runs
    /// only when the configuration names its id with a level other than `off`.
    pub fn enabled(&self, config: Option<&crate::config::Loaded>) -> bool {
        self.default_enabled
            || config
                .and_then(|c| c.own_level(self.id))
                .is_some_and(|l| l != crate::config::Level::Off)
    }

    /// A diagnostic of this rule at its default severity.
    pub fn diag(&'static self, span: crate::yaml::Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(self.id, self.severity, span, message)
    }
}

/// Every rule, in the order of `azplint rules`.
pub static RULES: &[&Rule] = &[
    &unreadable_file::RULE,
    &yaml_syntax::RULE,
    &file_too_large::RULE,
    &nesting_too_deep::RULE,
    &task_reference_format::RULE,
    &unknown_task_version::RULE,
    &unknown_task::RULE,
    &extension_task::RULE,
    &deprecated_task::RULE,
    &wif_unsupported_task::RULE,
    &idtoken_expiry::RULE,
    &unknown_task_input::RULE,
    &missing_required_input::RULE,
    &invalid_input_value::RULE,
    &duplicate_input::RULE,
    &unknown_step_key::RULE,
    &template_not_found::RULE,
    &template_outside_repository::RULE,
    &template_cycle::RULE,
    &remote_template::RULE,
    &unknown_template_parameter::RULE,
    &missing_template_parameter::RULE,
    &invalid_template_parameter_value::RULE,
    &unknown_key::RULE,
    &invalid_value::RULE,
    &missing_key::RULE,
    &deprecated_syntax::RULE,
    &invalid_name::RULE,
    &duplicate_name::RULE,
    &unknown_dependency::RULE,
    &dependency_cycle::RULE,
    &condition_syntax::RULE,
    &invalid_cron::RULE,
    &unused_suppression::RULE,
    &yaml_anchor::RULE,
    &duplicate_key::RULE,
    &expression_syntax::RULE,
    &retired_vm_image::RULE,
    &spn_secret_exposure::RULE,
    &addspn_unused::RULE,
    &spn_key_under_wif::RULE,
    &extension_task_wif::RULE,
    &persist_credentials::RULE,
    &debug_enabled::RULE,
    &unverified_script_exec::RULE,
    &unpinned_template_repo::RULE,
    &unmasked_secret_variable::RULE,
    &hardcoded_secret::RULE,
    &unpinned_container_image::RULE,
    &security_gate_continue_on_error::RULE,
    &overbroad_keyvault::RULE,
    &script_injection::RULE,
    &argument_injection::RULE,
    &parameter_injection::RULE,
    &token_on_command_line::RULE,
    &credential_before_untrusted_code::RULE,
    &fork_secrets_guard::RULE,
    &self_hosted_pr_pool::RULE,
    &require_extends::RULE,
];

pub fn by_id(id: &str) -> Option<&'static Rule> {
    RULES.iter().copied().find(|r| r.id == id)
}

/// Run every rule on one parsed file.
pub fn check_all(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let start = out.len();
    // The rules that visit the document do it in one walk, each into findings of its own.
    let walking: Vec<Start> = RULES
        .iter()
        .filter(|r| r.enabled(ctx.config))
        .filter_map(|r| match r.check {
            Check::Walk(start) => Some(start),
            _ => None,
        })
        .collect();
    let mut walked: Vec<Vec<Diagnostic>> = vec![Vec::new(); walking.len()];
    if let Some(root) = &ctx.doc.root {
        let mut visitors: Vec<Box<dyn Visitor>> = walking
            .iter()
            .zip(walked.iter_mut())
            .map(|(start, found)| start(ctx, found))
            .collect();
        crate::pipeline::walk::walk_all(root, &mut visitors);
    }
    let mut walked = walked.into_iter();
    for rule in RULES {
        let before = out.len();
        if matches!(rule.check, Check::Stage(_)) || !rule.enabled(ctx.config) {
            continue;
        }
        match rule.check {
            Check::Document(check) => check(ctx, out),
            Check::Walk(_) => out.extend(walked.next().unwrap_or_default()),
            Check::Stage(_) => {}
        }
        cap(rule, out, before);
    }
    judged_by_unread_templates(ctx, &mut out[start..]);
}

/// Content handed to a template that azplint does not read (another repository's, a path built
/// with `${{ }}`, a missing file) is judged by that template, which may drop, rewrite or wrap it:
/// an error found in it becomes a warning, and its note says why.
fn judged_by_unread_templates(ctx: &Context, found: &mut [Diagnostic]) {
    let unread: Vec<(&crate::yaml::Span, &str)> = ctx
        .model
        .template_refs
        .iter()
        .filter_map(|r| {
            let parameters = r.parameters?;
            match ctx.templates.target(r.entry.value.span.start) {
                Some(Target::File(_)) => None,
                _ => Some((&parameters.span, r.path().trim())),
            }
        })
        .collect();
    for d in found.iter_mut().filter(|d| d.severity == Severity::Error) {
        let whose = match unread
            .iter()
            .find(|(p, _)| p.start <= d.span.start && d.span.end <= p.end)
        {
            Some((_, path)) => format!("this is passed to template `{path}`"),
            // A file only ever included from such content (a job template of 1ES stages).
            None if ctx.templates.handed(d.span.start) => {
                "this file is only included from content passed to an `extends` template"
                    .to_string()
            }
            None => continue,
        };
        // The rule's note tells what Azure does with the content as written; through the
        // template, azplint can't tell.
        d.severity = Severity::Warning;
        d.note = Some(format!(
            "{whose}, which azplint does not read: what Azure does with it depends on that template, so this is a warning, not an error"
        ));
    }
}

/// The most findings one rule reports in one document; past that, one more finding says how many
/// were left out. Keeps memory and output bounded on generated or hostile files.
pub const MAX_PER_RULE: usize = 200;

fn cap(rule: &'static Rule, out: &mut Vec<Diagnostic>, before: usize) {
    let found = out.len() - before;
    // A rule that stops early itself ends with its own summary: MAX + 1 findings.
    if found <= MAX_PER_RULE + 1 {
        return;
    }
    out.truncate(before + MAX_PER_RULE);
    out.shrink_to_fit();
    let last = out[out.len() - 1].span.clone();
    out.push(more_not_shown(rule, last, found - MAX_PER_RULE));
}

/// The finding that stands for `count` findings of `rule` left out after `last`.
pub fn more_not_shown(rule: &'static Rule, last: crate::yaml::Span, count: usize) -> Diagnostic {
    Diagnostic::new(
        rule.id,
        Severity::Note,
        last,
        format!(
            "{count} more `{}` findings in this file are not shown",
            rule.id
        ),
    )
    .label("the last one shown")
    .help("fix the ones shown and run azplint again")
    .note(format!(
        "azplint reports at most {MAX_PER_RULE} findings of one rule per file"
    ))
}
