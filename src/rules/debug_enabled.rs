//! `debug-enabled`: `system.debug: true` committed in a `variables:` section, which turns on
//! diagnostic logging for every run.

use super::{Context, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::pipeline::walk::{for_each_entry, for_each_item, At, Flow, Item, Visitor};
use crate::yaml::{Entry, Node};

pub static RULE: Rule = Rule {
    id: "debug-enabled",
    severity: Severity::Note,
    summary: "`system.debug: true` is committed in the pipeline's variables, so every run logs in debug mode",
    category: super::Category::Security,
    default_enabled: true,
    check: super::Check::Walk(start),
};

fn start<'c>(_: &'c Context<'c>, out: &'c mut Vec<Diagnostic>) -> Box<dyn Visitor<'c> + 'c> {
    Box::new(Variables { out })
}

struct Variables<'o> {
    out: &'o mut Vec<Diagnostic>,
}

fn is_debug(name: &str) -> bool {
    name.trim().eq_ignore_ascii_case("system.debug")
}

fn is_true(value: &Node) -> bool {
    value
        .as_str()
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("true"))
}

impl<'a> Visitor<'a> for Variables<'_> {
    fn entry(&mut self, e: &'a Entry, _: &At<'a>) -> Flow {
        if e.key.as_str() != Some("variables") {
            return Flow::Continue;
        }
        let mut found: Vec<(&Node, &Node)> = Vec::new();
        match &e.value.kind {
            // variables: { system.debug: true }
            crate::yaml::NodeKind::Map(_) => for_each_entry(&e.value, 0, &mut |v| {
                if v.key.as_str().is_some_and(is_debug) && is_true(&v.value) {
                    found.push((&v.key, &v.value));
                }
            }),
            // variables: [ { name: system.debug, value: true } ]
            crate::yaml::NodeKind::Seq(_) => for_each_item(&e.value, true, &mut |item| {
                let Item::Node(item, _) = item else { return };
                let (Some(name), Some(value)) = (item.get("name"), item.get("value")) else {
                    return;
                };
                if name.as_str().is_some_and(is_debug) && is_true(value) {
                    found.push((name, value));
                }
            }),
            _ => {}
        }
        for (name, value) in found {
            self.out.push(
                RULE.diag(
                    name.span.start..value.span.end,
                    "`system.debug` is set to `true` in the pipeline, so every run writes debug logs",
                )
                .label("debug logging on for every run")
                .help(
                    "remove it; to debug one run, tick \"Enable system diagnostics\" when queuing it, \
                     or set `system.debug` as a variable settable at queue time",
                )
                .note(
                    "debug logs print every variable's value, the commands tasks run with their arguments, \
                     and details of service connections and of the agent; secrets are masked, but values \
                     derived from them, or split across lines, are not, and the logs are readable by \
                     everyone who can see the runs",
                ),
            );
        }
        Flow::Continue
    }
}
