//! `condition-syntax`: a `condition:` or a `$[ ]` runtime expression that doesn't parse or calls
//! an unknown function.

use super::{Context, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::expr::{self, ErrorKind};
use crate::pipeline::walk::{At, Flow, Visitor};
use crate::yaml::{Entry, Node, Span};

pub static RULE: Rule = Rule {
    id: "condition-syntax",
    severity: Severity::Error,
    summary: "A condition or `$[ ]` runtime expression doesn't parse or calls an unknown function",
    category: super::Category::Correctness,
    default_enabled: true,
    check: super::Check::Walk(start),
};

/// `$[ ... ]` segments of a value (outside single-quoted strings), as ranges of their inner text.
fn runtime_expressions(s: &str) -> Vec<std::ops::Range<usize>> {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = s[from..].find("$[") {
        let start = from + i + 2;
        let (mut depth, mut in_string, mut j) = (1usize, false, start);
        while j < bytes.len() {
            match bytes[j] {
                b'\'' => in_string = !in_string,
                b'[' if !in_string => depth += 1,
                b']' if !in_string => {
                    depth -= 1;
                    if depth == 0 {
                        break;
                    }
                }
                _ => {}
            }
            j += 1;
        }
        out.push(start..j.min(bytes.len()));
        from = (j + 1).min(s.len());
        if from >= s.len() {
            break;
        }
    }
    out
}

struct Found<'a> {
    /// The expression text.
    text: &'a str,
    /// Where the text starts in the source, when it appears there verbatim.
    at: Option<usize>,
    /// The whole scalar, when the text can't be placed exactly.
    fallback: Span,
}

fn locate<'a>(source: &str, node: &Node, text: &'a str) -> Found<'a> {
    let raw = source.get(node.span.clone()).unwrap_or("");
    Found {
        text,
        at: raw.find(text).map(|p| node.span.start + p),
        fallback: node.span.clone(),
    }
}

fn report(found: &Found, what: &str, out: &mut Vec<Diagnostic>) {
    // A range of the expression text, as a span of the source: inside the text, whole
    // characters, and never empty (an error at the very end points at the last character).
    let span = |r: std::ops::Range<usize>| match found.at {
        Some(a) => {
            let text = found.text;
            let mut start = crate::source::floor_char_boundary(text, r.start);
            let mut end = crate::source::floor_char_boundary(text, r.end.max(r.start)).max(start);
            if end == start {
                if start == text.len() {
                    start = text[..start]
                        .char_indices()
                        .next_back()
                        .map_or(0, |(i, _)| i);
                }
                end = start + text[start..].chars().next().map_or(0, char::len_utf8);
            }
            a + start..a + end
        }
        None => found.fallback.clone(),
    };
    match expr::parse(found.text) {
        // `$(var)` macros inside conditions are left to Azure: they are expanded in some
        // positions and not others.
        Err(e) if e.kind == ErrorKind::Macro => {}
        Err(e) => out.push(
            RULE.diag(
                span(e.range()),
                format!("{what} doesn't parse: {}", e.message),
            )
            .label("here")
            .help(e.help)
            .note(
                "Azure Pipelines fails the run when it evaluates an expression that doesn't parse",
            ),
        ),
        Ok(parsed) => {
            for call in expr::calls(&parsed) {
                match expr::function(call.name) {
                    None => {
                        let names = expr::FUNCTIONS.iter().map(|f| f.name);
                        let mut d = RULE
                            .diag(span(call.offset..call.offset + call.name.len()), format!("{what} calls `{}`, which is not an expression function", call.name))
                            .note("Azure Pipelines fails the run when it evaluates an unknown function");
                        d = match crate::suggest::closest(call.name, names) {
                            Some(s) => d.label(format!("did you mean `{s}`?")).help(format!("use `{s}`")),
                            None => d.label("unknown function").help("use a function from the expression reference (and, or, not, eq, ne, in, contains, startsWith, succeeded, failed, always, ...)"),
                        };
                        out.push(d);
                    }
                    Some(f) if call.args.len() < f.min_args || call.args.len() > f.max_args => {
                        let want = if f.min_args == f.max_args {
                            format!("{}", f.min_args)
                        } else if f.max_args == usize::MAX {
                            format!("at least {}", f.min_args)
                        } else {
                            format!("{} to {}", f.min_args, f.max_args)
                        };
                        out.push(
                            RULE.diag(
                                span(call.offset..call.end),
                                format!(
                                    "`{}` takes {want} arguments, not {}",
                                    f.name,
                                    call.args.len()
                                ),
                            )
                            .label("wrong number of arguments")
                            .help(format!("give `{}` {want} arguments", f.name))
                            .note("Azure Pipelines fails the run when it evaluates the expression"),
                        );
                    }
                    Some(_) => {}
                }
            }
        }
    }
}

/// Conditions (`condition:` values) and runtime expressions (`$[ ]` values), wherever they are.
struct Conditions<'c, 'o> {
    source: &'c str,
    out: &'o mut Vec<Diagnostic>,
}

impl<'a> Visitor<'a> for Conditions<'_, '_> {
    fn entry(&mut self, e: &'a Entry, _: &At<'a>) -> Flow {
        if e.key.as_str() != Some("condition") || e.value.is_null() {
            return Flow::Continue;
        }
        match e.value.as_str() {
            Some(v) if !v.contains("${{") && !v.trim_start().starts_with("$[") => {
                let text = v.trim();
                if !text.is_empty() {
                    report(
                        &locate(self.source, &e.value, text),
                        "this condition",
                        self.out,
                    );
                }
                Flow::Skip
            }
            _ => Flow::Continue,
        }
    }

    fn scalar(&mut self, node: &'a Node, _: &At<'a>) {
        let Some(s) = node.as_str() else { return };
        // A runtime expression is the whole value (`x: $[ ... ]`); `$[` elsewhere (a bash
        // `$[ 1 + 2 ]` in a script) is just text.
        let t = s.trim();
        if t.starts_with("$[") && t.ends_with(']') && !s.contains("${{") {
            for r in runtime_expressions(s) {
                let text = s[r].trim();
                if !text.is_empty() {
                    report(
                        &locate(self.source, node, text),
                        "this runtime expression",
                        self.out,
                    );
                }
            }
        }
    }
}

fn start<'c>(ctx: &'c Context<'c>, out: &'c mut Vec<Diagnostic>) -> Box<dyn Visitor<'c> + 'c> {
    Box::new(Conditions {
        source: &ctx.source.text,
        out,
    })
}

#[cfg(test)]
mod tests {
    use super::runtime_expressions;

    #[test]
    fn finds_runtime_expressions() {
        let s = "$[ counter(variables['a'], 0) ]";
        let r = runtime_expressions(s);
        assert_eq!(&s[r[0].clone()], " counter(variables['a'], 0) ");
        assert_eq!(runtime_expressions("$[ 'x]' ]").len(), 1);
        assert!(runtime_expressions("no expression").is_empty());
    }
}
