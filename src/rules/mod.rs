//! The rule registry: one line per rule, one file per rule.

use crate::diagnostic::{Diagnostic, Severity};
use crate::pipeline::Model;
use crate::source::Source;
use crate::yaml::Document;

mod deprecated_task;
mod duplicate_input;
mod extension_task;
mod idtoken_expiry;
mod invalid_input_value;
mod missing_required_input;
mod task_reference_format;
mod unknown_step_key;
mod unknown_task;
mod unknown_task_input;
mod unknown_task_version;
pub mod unreadable_file;
mod wif_unsupported_task;
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

/// What a rule sees of one file.
pub struct Context<'a> {
    pub source: &'a Source,
    pub doc: &'a Document,
    pub model: &'a Model<'a>,
    pub files: &'a dyn RepoFiles,
}

pub struct Rule {
    /// Stable kebab-case id.
    pub id: &'static str,
    pub severity: Severity,
    /// One line: what the rule finds.
    pub summary: &'static str,
    /// Checks one parsed file. Rules whose findings come from earlier stages (reading, parsing)
    /// have a check that finds nothing here.
    pub check: fn(&Context, &mut Vec<Diagnostic>),
}

impl Rule {
    /// A diagnostic of this rule at its default severity.
    pub fn diag(&'static self, span: crate::yaml::Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(self.id, self.severity, span, message)
    }
}

/// Every rule, in the order of `azplint rules`.
pub static RULES: &[&Rule] = &[
    &unreadable_file::RULE,
    &yaml_syntax::RULE,
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
];

pub fn by_id(id: &str) -> Option<&'static Rule> {
    RULES.iter().copied().find(|r| r.id == id)
}

/// Run every rule on one parsed file.
pub fn check_all(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for rule in RULES {
        (rule.check)(ctx, out);
    }
}

pub(crate) fn nothing(_: &Context, _: &mut Vec<Diagnostic>) {}
