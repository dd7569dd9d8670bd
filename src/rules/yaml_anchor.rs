//! `yaml-anchor`: a YAML anchor (`&name`) or alias (`*name`), which Azure Pipelines rejects.

use super::{Context, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::yaml::Anchor;

pub static RULE: Rule = Rule {
    id: "yaml-anchor",
    severity: Severity::Error,
    summary: "A YAML anchor or alias is used; Azure Pipelines does not support them",
    category: super::Category::Correctness,
    default_enabled: true,
    check: super::Check::Document(check),
};

const HELP: &str =
    "repeat the value where it is needed, or define it once as a template parameter \
     or a variable, or generate the repeated items with a `${{ each }}` loop";

/// Azure's own message for an anchor named `name`.
fn azure_message(name: &str) -> String {
    format!("`Anchors are not currently supported. Remove the anchor '{name}'`")
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let doc = ctx.doc;
    for a in doc.anchors.iter().take(super::MAX_PER_RULE) {
        out.push(
            RULE.diag(
                a.span.clone(),
                format!(
                    "YAML anchor `&{}` is not supported by Azure Pipelines",
                    a.name
                ),
            )
            .label("anchor")
            .help(HELP)
            .note(format!(
                "Azure Pipelines rejects the file before any job runs: {}",
                azure_message(&a.name)
            )),
        );
    }
    // Anchors by name, in document order: each alias looks up its name once.
    let mut by_name: std::collections::HashMap<&str, Vec<&Anchor>> =
        std::collections::HashMap::new();
    for a in &doc.anchors {
        by_name.entry(a.name.as_str()).or_default().push(a);
    }
    // At most `MAX_PER_RULE` findings, then one that counts the rest: a file of a million
    // aliases stays small.
    let total = doc.anchors.len() + doc.aliases.len();
    let room = super::MAX_PER_RULE.saturating_sub(doc.anchors.len().min(super::MAX_PER_RULE));
    for (name, span) in doc.aliases.iter().take(room) {
        // An alias refers to the closest anchor of that name before it.
        let anchor: Option<&Anchor> = by_name.get(name.as_str()).and_then(|list| {
            let i = list.partition_point(|a| a.span.start < span.start);
            i.checked_sub(1).map(|i| list[i])
        });
        let mut d = RULE
            .diag(
                span.clone(),
                format!("YAML alias `*{name}` is not supported by Azure Pipelines"),
            )
            .label("alias")
            .help(HELP);
        d = match anchor {
            Some(a) => d
                .with_label(a.span.clone(), format!("anchor `&{name}` defined here"))
                .note(format!(
                    "Azure Pipelines rejects the file at the anchor this alias needs, before any \
                     job runs: {}",
                    azure_message(name)
                )),
            None => d.note(format!(
                "no anchor `&{name}` comes before this alias, so no YAML tool can resolve it; \
                 Azure Pipelines reads neither anchors nor aliases"
            )),
        };
        out.push(d);
    }
    if total > super::MAX_PER_RULE {
        if let Some(last) = out.last().map(|d| d.span.clone()) {
            out.push(super::more_not_shown(
                &RULE,
                last,
                total - super::MAX_PER_RULE,
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::NoFiles;
    use crate::source::Source;

    fn lint(text: &str) -> Vec<crate::diagnostic::Diagnostic> {
        let source = Source::new("t.yml", None, text.to_string());
        crate::lint_source(&source, &NoFiles)
            .into_iter()
            .filter(|d| d.rule == "yaml-anchor")
            .collect()
    }

    #[test]
    fn reports_anchor_and_alias_with_link() {
        let t = "variables:\n  a: &v one\n  b: *v\n";
        let d = lint(t);
        assert_eq!(d.len(), 2, "{d:?}");
        assert_eq!(&t[d[0].span.clone()], "&v");
        assert_eq!(&t[d[1].span.clone()], "*v");
        assert_eq!(&t[d[1].labels[0].span.clone()], "&v");
    }

    #[test]
    fn alias_points_at_the_latest_anchor_of_its_name() {
        let t = "a: &v 1\nb: &v 2\nc: *v\n";
        let d = lint(t);
        assert_eq!(d.len(), 3, "{d:?}");
        assert_eq!(d[2].labels[0].span.start, t.find("&v 2").unwrap());
    }

    #[test]
    fn unresolved_alias_has_no_label() {
        let d = lint("steps:\n- script: *nothing\n");
        assert_eq!(d.len(), 1, "{d:?}");
        assert!(d[0].labels.is_empty());
    }

    #[test]
    fn ampersand_and_star_in_scalars_are_not_anchors() {
        assert!(lint("steps:\n- script: echo a && ls *.txt\n  displayName: '&x *y'\n").is_empty());
    }
}
