//! `persist-credentials`: a `checkout` step with a literal `persistCredentials: true`, which leaves
//! the job's access token in the repository's `.git/config` for every later step of the job.

use super::{Context, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::pipeline::walk::for_each_entry;

pub static RULE: Rule = Rule {
    id: "persist-credentials",
    severity: Severity::Warning,
    summary: "A `checkout` step keeps the job's access token in `.git/config` for every later step",
    category: super::Category::Security,
    default_enabled: true,
    check: super::Check::Document(check),
};

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    for step in &ctx.model.steps {
        if step.kind.kind != "checkout" {
            continue;
        }
        // The step's own keys and those of its `${{ if }}` blocks: a conditional
        // `persistCredentials: true` is still written in the pipeline.
        let mut found = None;
        for_each_entry(step.node, 0, &mut |e| {
            if found.is_none()
                && e.key
                    .as_str()
                    .is_some_and(|k| k.eq_ignore_ascii_case("persistCredentials"))
                && e.value
                    .as_str()
                    .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
            {
                found = Some(e);
            }
        });
        let Some(entry) = found else { continue };
        let repo = step.id.value.as_str().unwrap_or("").trim();
        out.push(
            RULE.diag(
                entry.key.span.start..entry.value.span.end,
                format!(
                    "`checkout: {repo}` leaves the job's access token in `.git/config`, readable by every later step"
                ),
            )
            .label("the token stays on the agent")
            .help(
                "remove `persistCredentials: true`; give the token only to the git commands that need it, \
                 with `env: { SYSTEM_ACCESSTOKEN: $(System.AccessToken) }` and \
                 `git -c http.extraheader=\"AUTHORIZATION: bearer $SYSTEM_ACCESSTOKEN\" push ...`",
            )
            .note(
                "with `persistCredentials: true` the checkout writes the token as an `http.extraheader` of the \
                 repository's git configuration; any later script, task or tool of the job (a build script, a \
                 package's install hook) can read it and act on the repositories with the build identity's rights",
            ),
        );
    }
}
