//! `argument-injection`: text someone else chose expanded into the arguments a task passes to the
//! script it runs.

use super::{Context, Rule};
use crate::diagnostic::{Diagnostic, Severity};

pub static RULE: Rule = Rule {
    id: "argument-injection",
    severity: Severity::Warning,
    summary:
        "A branch name, commit message or other outside text is expanded into a script's arguments",
    category: super::Category::Security,
    default_enabled: true,
    check: super::Check::Document(check),
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    super::script_injection::report(ctx, out, &RULE, false);
}
