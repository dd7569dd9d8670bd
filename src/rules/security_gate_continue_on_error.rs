//! `security-gate-continue-on-error`: `continueOnError: true` on a security or compliance task
//! (data/security-tasks.json), so its failure no longer stops the run.

use super::{Context, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::pipeline::for_each_entry;

pub static RULE: Rule = Rule {
    id: "security-gate-continue-on-error",
    severity: Severity::Note,
    summary:
        "`continueOnError: true` on a security or compliance task turns its failure into a warning",
    category: super::Category::Security,
    default_enabled: true,
    check: super::Check::Document(check),
};

#[derive(Debug, PartialEq, serde::Deserialize)]
struct Gate {
    name: String,
    what: String,
}

#[cfg(test)]
#[derive(serde::Deserialize)]
struct GateFile {
    tasks: Vec<Gate>,
}

fn gates() -> &'static [Gate] {
    static LIST: std::sync::OnceLock<Vec<Gate>> = std::sync::OnceLock::new();
    LIST.get_or_init(load)
}

// `load()`: data/security-tasks.json as code `build.rs` wrote (nothing to parse at run time).
include!(concat!(env!("OUT_DIR"), "/security_tasks_data.rs"));

/// The gate a task reference names: the last `.` segment of the name before `@`.
fn gate(reference: &str) -> Option<&'static Gate> {
    let name = reference.split('@').next()?.trim();
    let last = name.rsplit('.').next()?;
    gates().iter().find(|g| g.name.eq_ignore_ascii_case(last))
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for step in &ctx.model.task_steps {
        let Some(g) = gate(step.reference()) else {
            continue;
        };
        let mut flag = None;
        for_each_entry(step.step, 0, &mut |e| {
            if flag.is_none() && e.key.as_str() == Some("continueOnError") {
                flag = Some(e);
            }
        });
        let Some(flag) = flag else { continue };
        if !flag
            .value
            .as_str()
            .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
        {
            continue;
        }
        let reference = step.reference().trim();
        out.push(
            RULE.diag(flag.key.span.start..flag.value.span.end, format!("`{reference}` ({}) continues on error, so its failure does not fail the run", g.what))
                .label("a failing check only marks the run as partially succeeded")
                .help("remove `continueOnError: true` and handle known findings with the tool's baseline or suppression file")
                .note("a security gate that can't fail the run is a report nobody is made to read: findings ship unless someone looks at every partially succeeded run"),
        );
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_built_list_is_the_json() {
        let file: super::GateFile =
            serde_json::from_str(include_str!("../../data/security-tasks.json")).unwrap();
        assert_eq!(file.tasks, super::gates());
    }

    #[test]
    fn gates_by_last_segment() {
        assert!(super::gate("securedevelopmentteam.vss-secure-development-tools.build-task-postanalysis.PostAnalysis@2").is_some());
        assert!(super::gate("credscan@3").is_some());
        assert!(super::gate("PublishSecurityAnalysisLogs@3").is_none());
        assert!(super::gate("PowerShell@2").is_none());
    }
}
