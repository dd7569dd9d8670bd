//! `template-not-found`: a `template:` reference to a file that does not exist.

use super::{Context, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::templates::Target;

pub static RULE: Rule = Rule {
    id: "template-not-found",
    severity: Severity::Error,
    summary: "A template reference points to a file that does not exist",
    category: super::Category::Correctness,
    default_enabled: true,
    check: super::Check::Document(check),
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for r in &ctx.model.template_refs {
        let span = r.entry.value.span.clone();
        let span_start = span.start;
        let Some(Target::NotFound { tried }) = ctx.templates.target(span.start) else {
            continue;
        };
        let path = r.path().trim();
        let tried_list = tried
            .iter()
            .map(|t| format!("`{t}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let mut d = RULE
            .diag(span, format!("template `{path}` does not exist"))
            .label(format!("tried {tried_list}"))
            .note("Azure Pipelines fails to compile the pipeline: a template it can't find stops the whole run");
        let help = match path.rsplit_once('@') {
            Some((_, alias)) if alias.eq_ignore_ascii_case("self") => {
                "with `@self`, the path is tried relative to the including file, then to the repository root: check the path, or add the missing file"
            }
            Some(_) => "the path is relative to the root of that repository's checkout: check the path, or the `--repository` mapping",
            None if path.starts_with('/') => {
                "a path starting with `/` is relative to the repository root: check the path, or add the missing file"
            }
            None => {
                "a relative path is relative to the file that includes it (write `/path` for the repository root): check the path, or add the missing file"
            }
        };
        d = d.help(help);
        if ctx.templates.handed(span_start) {
            // Handed to a template azplint can't read, which may resolve the path itself (from
            // the repository root, or as data in an object parameter): worth knowing, no more.
            d.severity = Severity::Note;
            d.note = Some("this reference is handed to a template azplint can't read, which decides how the path is resolved (some resolve it from the repository root, or read it as data); Azure fails the run only if that template passes it on unresolved".into());
        }
        out.push(d);
    }
}
