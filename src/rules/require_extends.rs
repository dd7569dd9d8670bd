//! `require-extends`: an entry pipeline that does not extend the template `.azplint.yml` requires
//! (`options: { require-extends: { template: security/base.yml@templates } }`). Without that
//! option the rule reports nothing.

use super::shared::pr_jobs::{entry_root, get};
use super::{Context, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::yaml::is_expression;

pub static RULE: Rule = Rule {
    id: "require-extends",
    severity: Severity::Warning,
    summary: "An entry pipeline does not extend the template that `.azplint.yml` requires",
    category: super::Category::Security,
    default_enabled: false,
    check: super::Check::Document(check),
};

/// A template reference without a leading `/` and with the alias trimmed, for comparison.
fn normal(reference: &str) -> String {
    let r = reference.trim();
    let (path, alias) = match r.rsplit_once('@') {
        Some((p, a)) => (p.trim(), Some(a.trim())),
        None => (r, None),
    };
    let path = path.trim_start_matches('/').to_ascii_lowercase();
    match alias {
        Some(a) if !a.eq_ignore_ascii_case("self") => format!("{path}@{}", a.to_ascii_lowercase()),
        _ => path,
    }
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let Some(required) = ctx
        .config
        .and_then(|c| c.config.options.require_extends.template.as_deref())
        .map(str::trim)
        .filter(|t| !t.is_empty())
    else {
        return;
    };
    let Some(root) = entry_root(ctx) else { return };
    let help = format!(
        "make the pipeline `extends: {{ template: {required} }}` and pass its stages, jobs or steps as that template's parameters"
    );
    let note = "the required template is where the organization's checks run (scans, approvals, the steps every \
                build must have); a pipeline that does not extend it runs without them. Azure can enforce this \
                with a \"Required template\" check on protected resources";
    let extends = get(root, "extends");
    let template = extends.and_then(|e| get(&e.value, "template"));
    let d = match template {
        Some(t) => {
            let Some(path) = t.value.as_str() else { return };
            if is_expression(path) || normal(path) == normal(required) {
                return;
            }
            RULE.diag(
                t.value.span.clone(),
                format!(
                    "the pipeline extends `{}`, not the required template `{required}`",
                    path.trim()
                ),
            )
            .label("another template")
        }
        None => {
            // Point at the pipeline's work: its stages, jobs, steps or `extends:`.
            let at = ["extends", "stages", "jobs", "steps"]
                .iter()
                .find_map(|k| get(root, k))
                .map(|e| e.key.span.clone());
            let Some(at) = at else { return };
            RULE.diag(
                at,
                format!("the pipeline does not extend the required template `{required}`"),
            )
            .label("runs without the required template")
        }
    };
    out.push(d.help(help).note(note));
}

#[cfg(test)]
mod tests {
    #[test]
    fn references_compare_without_case_slash_or_self() {
        use super::normal;
        assert_eq!(
            normal("/security/Base.yml@Templates"),
            normal("security/base.yml@templates")
        );
        assert_eq!(normal("base.yml@self"), normal("base.yml"));
        assert_ne!(normal("base.yml@templates"), normal("base.yml"));
    }
}
