//! `unpinned-container-image`: a container image for a job, a container resource or a service
//! container named by tag rather than by digest (`@sha256:`). Pool images are not containers.

use super::{Context, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::pipeline::walk::{At, Flow, Visitor};
use crate::yaml::{Entry, Node};

pub static RULE: Rule = Rule {
    id: "unpinned-container-image",
    severity: Severity::Note,
    summary: "A container image is referenced by tag, not by `@sha256:` digest",
    category: super::Category::Security,
    default_enabled: true,
    check: super::Check::Walk(start),
};

/// Keys below which `container:` and `services:` are not a job's (task inputs, template
/// parameters, variables, a step's `target:`, the resources themselves, pools).
const NOT_JOB: &[&str] = &[
    "inputs",
    "parameters",
    "variables",
    "env",
    "target",
    "resources",
    "pool",
];

struct Finder<'a> {
    /// Plain keys from the root to the current entry.
    keys: Vec<&'a str>,
    /// Aliases declared under `resources: containers:` in this file.
    aliases: Vec<&'a str>,
    out: &'a mut Vec<Diagnostic>,
}

impl<'a> Finder<'a> {
    fn image(&mut self, node: &'a Node, maybe_alias: bool) {
        let Some(v) = node.as_str() else { return };
        let v = v.trim();
        if v.is_empty()
            || crate::yaml::is_expression(v)
            || v.contains("${{")
            || v.contains("@sha256:")
        {
            return;
        }
        if maybe_alias {
            // `container: name` and `services: { x: name }` name a container resource or an
            // image; a bare word may be a resource declared in another file.
            if self.aliases.contains(&v) || !v.contains([':', '/']) {
                return;
            }
        }
        let last = v.rsplit('/').next().unwrap_or(v);
        let tag = last.split_once(':').map(|(_, t)| t);
        let (severity, what) = match tag {
            None => (
                Severity::Warning,
                "has no tag, so it means `latest`".to_string(),
            ),
            Some(t) if t.eq_ignore_ascii_case("latest") => (
                Severity::Warning,
                "uses the moving tag `latest`".to_string(),
            ),
            Some(t) => (
                Severity::Note,
                format!("is referenced by the tag `{t}`, which can be moved"),
            ),
        };
        let mut d = RULE
            .diag(node.span.clone(), format!("container image `{v}` {what}"))
            .label("not pinned by digest")
            .help("reference the image by digest (`image@sha256:<digest>`, optionally after the tag for readers) and update the digest deliberately")
            .note("whoever can push to the image's repository can change what a tag points to; the job then runs that image with the pipeline's secrets and service connections");
        d.severity = severity;
        self.out.push(d);
    }
}

impl<'a> Visitor<'a> for Finder<'a> {
    fn entry(&mut self, e: &'a Entry, _at: &At<'a>) -> Flow {
        let Some(key) = e.key.as_str().filter(|k| !crate::yaml::is_expression(k)) else {
            return Flow::Continue;
        };
        let under = |k: &str| self.keys.contains(&k);
        let job_level = !NOT_JOB.iter().any(|k| under(k));
        match key {
            "container" if job_level => {
                if e.value.as_map().is_some() {
                    if let Some(image) = e.value.get("image") {
                        self.image(image, false);
                    }
                } else {
                    self.image(&e.value, true);
                }
            }
            "services" if job_level => {
                if let Some(entries) = e.value.as_map() {
                    for s in entries {
                        self.image(&s.value, true);
                    }
                }
            }
            "image" if self.keys.ends_with(&["resources", "containers"]) => {
                self.image(&e.value, false)
            }
            _ => {}
        }
        self.keys.push(key);
        Flow::Continue
    }
    fn leave_entry(&mut self, e: &'a Entry, _at: &At<'a>) {
        if e.key
            .as_str()
            .is_some_and(|k| !crate::yaml::is_expression(k))
        {
            self.keys.pop();
        }
    }
}

fn start<'c>(ctx: &'c Context<'c>, out: &'c mut Vec<Diagnostic>) -> Box<dyn Visitor<'c> + 'c> {
    let aliases = ctx
        .doc
        .root
        .as_ref()
        .and_then(|root| root.get("resources"))
        .and_then(|r| r.get("containers"))
        .and_then(Node::as_seq)
        .map(|items| {
            items
                .iter()
                .filter_map(|c| c.get("container").and_then(Node::as_str))
                .collect()
        })
        .unwrap_or_default();
    Box::new(Finder {
        keys: Vec::new(),
        aliases,
        out,
    })
}
