//! `expression-syntax`: a `${{ }}` template expression that Azure Pipelines can't compile: it does
//! not parse, calls an unknown function or passes a function the wrong number of arguments, is
//! never closed, puts a directive (`${{ if }}`, ...) where none is allowed, or has an
//! `${{ else }}`/`${{ elseif }}` that follows no `${{ if }}`.
//!
//! Every scalar value and every mapping key is checked, wherever it is: Azure expands `${{ }}` in
//! the whole file before anything else. `$( )` macros and `$[ ]` runtime expressions are left to
//! other rules.
//!
//! `${{ else }}` and `${{ elseif }}` are checked the way Azure checks them: the template
//! directive that ended last before them, in document order, must be an `${{ if }}` or an
//! `${{ elseif }}`.

use super::{Context, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::expr::{self, DirectiveKind, ErrorKind, ExprError};
use crate::pipeline::walk::{At, Flow, Visitor};
use crate::yaml::{Entry, Node, NodeKind, Span};
use std::ops::Range;

pub static RULE: Rule = Rule {
    id: "expression-syntax",
    severity: Severity::Error,
    summary: "A `${{ }}` template expression does not parse, calls an unknown function, or has an `else` without an `if`",
    category: super::Category::Correctness,
    default_enabled: true,
    check: super::Check::Walk(start),
};

const NOTE: &str = "Azure Pipelines compiles `${{ }}` template expressions when a run is queued and rejects the whole pipeline on this error, before any job starts";

const FUNCTIONS_URL: &str =
    "https://learn.microsoft.com/azure/devops/pipelines/process/expressions#functions";

fn start<'c>(ctx: &'c Context<'c>, out: &'c mut Vec<Diagnostic>) -> Box<dyn Visitor<'c> + 'c> {
    Box::new(Walker {
        text: &ctx.source.text,
        out,
        last: None,
        open: Vec::new(),
    })
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Place {
    Key,
    Value,
}

struct Walker<'c> {
    text: &'c str,
    out: &'c mut Vec<Diagnostic>,
    /// The directive that ended last, in document order, and where it is.
    last: Option<(DirectiveKind, Span)>,
    /// The directives of the entries being visited, innermost last.
    open: Vec<Option<(DirectiveKind, Span)>>,
}

/// Where one `${{ }}` of a scalar is in the source: byte offsets inside the expression text map to
/// source offsets when the text was found verbatim in the raw scalar, else to the whole scalar.
struct Located {
    start: Option<usize>,
    fallback: Span,
}

impl Located {
    fn span(&self, r: Range<usize>) -> Span {
        match self.start {
            Some(s) => s + r.start..s + r.end,
            None => self.fallback.clone(),
        }
    }
}

/// Find `text` in `raw` from `cursor` on; `base` is where `raw` starts in the source.
fn locate(raw: &str, base: usize, cursor: &mut usize, text: &str) -> Option<usize> {
    let hay = raw.get(*cursor..)?;
    let p = crate::text::find(hay, text)?;
    let start = *cursor + p;
    *cursor = start + text.len();
    Some(base + start)
}

impl<'a> Visitor<'a> for Walker<'_> {
    fn scalar(&mut self, node: &'a Node, _: &At<'a>) {
        self.scalar(node, Place::Value);
    }

    fn entry(&mut self, e: &'a Entry, _: &At<'a>) -> Flow {
        let directive = self.scalar(&e.key, Place::Key);
        if let Some((kind @ (DirectiveKind::Else | DirectiveKind::ElseIf), span)) = &directive {
            if !matches!(
                self.last,
                Some((DirectiveKind::If | DirectiveKind::ElseIf, _))
            ) {
                self.orphan_else(*kind, span.clone());
            }
        }
        self.open.push(directive);
        Flow::Continue
    }

    fn leave_entry(&mut self, _: &'a Entry, _: &At<'a>) {
        // A directive ends after its block: the next `${{ else }}` looks at it.
        if let Some(Some(directive)) = self.open.pop() {
            self.last = Some(directive);
        }
    }
}

impl Walker<'_> {
    /// Check the `${{ }}` of one scalar. For a key that is a whole directive, returns its kind and
    /// span (even when its expression has errors, so that one error does not cascade).
    fn scalar(&mut self, node: &Node, place: Place) -> Option<(DirectiveKind, Span)> {
        let NodeKind::Scalar(value, _) = &node.kind else {
            return None;
        };
        if !crate::text::contains(value, "${{") {
            return None;
        }
        let raw = self.text.get(node.span.clone()).unwrap_or("");
        let mut cursor = 0;
        let mut chain = None;
        for found in expr::find_template_expressions(value) {
            let text = &value[found.range.clone()];
            let mut start = locate(raw, node.span.start, &mut cursor, text);
            if start.is_none() && !found.closed {
                let first_line = text.lines().next().unwrap_or(text);
                start = locate(raw, node.span.start, &mut cursor, first_line);
            }
            let at = Located {
                start,
                fallback: node.span.clone(),
            };
            if !found.closed {
                self.unclosed(&at, text, false);
                break;
            }
            let inner = &text[3..text.len() - 2];
            // A `}}` left out makes the expression run on into the next `${{`.
            if crate::text::contains(inner, "${{") {
                self.unclosed(&at, text, true);
                continue;
            }
            let whole = found.range == (0..value.len());
            match expr::directive(inner) {
                Err(e) => self.expr_error(&at, text, e.shifted(3)),
                Ok(d) => {
                    if let Some(kind) = d.kind() {
                        if !whole {
                            self.directive_misplaced(&at, text, kind, true);
                        } else if place == Place::Value {
                            self.directive_misplaced(&at, text, kind, false);
                        }
                    }
                    if let Some(e) = d.expression() {
                        let off = 3 + expr::offset_in(inner, e).unwrap_or(0);
                        self.expression(&at, text, e, off);
                    }
                }
            }
            if whole && place == Place::Key {
                if let Some(kind) = expr::directive_word(inner) {
                    chain = Some((kind, at.span(0..text.len())));
                }
            }
        }
        chain
    }

    /// Parse one expression found at byte `off` of the `${{ }}` text `text`, and check its calls.
    fn expression(&mut self, at: &Located, text: &str, e: &str, off: usize) {
        let tree = match expr::parse(e) {
            Ok(t) => t,
            Err(err) => return self.expr_error(at, text, err.shifted(off)),
        };
        for call in expr::calls(&tree) {
            let name_span = at.span(off + call.offset..off + call.offset + call.name.len());
            match expr::function(call.name) {
                None => self.unknown_function(name_span, call.name),
                Some(f) => {
                    let n = call.args.len();
                    if n < f.min_args || n > f.max_args {
                        let span = at.span(off + call.offset..off + call.end);
                        self.arity(span, f, n);
                    }
                }
            }
        }
    }

    /// Report a parse error; its offsets are inside the `${{ }}` text `text`.
    fn expr_error(&mut self, at: &Located, text: &str, e: ExprError) {
        // Point at a character, not between two: an empty range marks the end of the expression,
        // so take the character before it.
        let range = if e.len == 0 && e.offset > 0 {
            let mut start = e.offset - 1;
            while start > 0 && !text.is_char_boundary(start) {
                start -= 1;
            }
            start..e.offset
        } else {
            e.range()
        };
        let label = match e.kind {
            ErrorKind::Empty => "empty expression",
            ErrorKind::UnclosedString => "this string has no closing `'`",
            ErrorKind::UnclosedCall => "opened here, never closed",
            ErrorKind::UnclosedIndex => "opened here, never closed",
            ErrorKind::Unbalanced => "nothing to close here",
            ErrorKind::Grouping => "no function name before this `(`",
            ErrorKind::Unexpected => "not expected here",
            ErrorKind::UnexpectedEnd => "something must follow this",
            ErrorKind::InvalidNumber => "not a number",
            ErrorKind::Operator => "not an operator in Azure Pipelines",
            ErrorKind::DoubleQuote => "double-quoted",
            ErrorKind::Macro => "macro syntax",
            ErrorKind::InvalidName => "not a valid name",
            ErrorKind::TooDeep => "nested too deep",
            ErrorKind::TooLong => "too long",
            ErrorKind::DirectiveOperands => "wrong operands for this directive",
            ErrorKind::EachVariable => "not a valid loop variable name",
            ErrorKind::DirectiveCase => "directive words are lowercase",
        };
        self.out.push(
            RULE.diag(
                at.span(range),
                format!("invalid `${{{{ }}}}` expression: {}", e.message),
            )
            .label(label)
            .help(e.help)
            .note(NOTE),
        );
    }

    fn unknown_function(&mut self, span: Span, name: &str) {
        let lower = name.to_ascii_lowercase();
        let github = match lower.as_str() {
            "tojson" => Some("`toJSON` is a GitHub Actions function: use `convertToJson`"),
            "fromjson" => Some(
                "`fromJSON` is a GitHub Actions function; Azure Pipelines has no equivalent: pass an object parameter instead",
            ),
            "hashfiles" => Some(
                "`hashFiles` is a GitHub Actions function; Azure Pipelines has no equivalent (the Cache task hashes files with its `key` input)",
            ),
            "success" => Some("`success()` is GitHub Actions: use `succeeded()`"),
            "failure" => Some("`failure()` is GitHub Actions: use `failed()`"),
            "cancelled" => Some("use `canceled()`: Azure Pipelines spells it with one `l`"),
            _ => None,
        };
        let suggestion = crate::suggest::closest(name, expr::FUNCTIONS.iter().map(|f| f.name));
        let (label, help) = match (github, suggestion) {
            (Some(h), _) => ("unknown function".to_string(), h.to_string()),
            (None, Some(s)) => (
                format!("did you mean `{s}`?"),
                format!("rename it to `{s}`"),
            ),
            (None, None) => (
                "unknown function".to_string(),
                format!("use one of the Azure Pipelines expression functions ({FUNCTIONS_URL})"),
            ),
        };
        self.out.push(
            RULE.diag(
                span,
                format!("`{name}` is not an Azure Pipelines expression function"),
            )
            .label(label)
            .help(help)
            .note(format!("{NOTE} (`Unrecognized value: '{name}'`)")),
        );
    }

    fn arity(&mut self, span: Span, f: &expr::Function, given: usize) {
        let want = if f.max_args == 0 {
            plural(0)
        } else if f.min_args == f.max_args {
            format!("exactly {}", plural(f.min_args))
        } else if f.max_args == usize::MAX {
            format!("at least {}", plural(f.min_args))
        } else {
            format!("{} to {}", f.min_args, plural(f.max_args))
        };
        self.out.push(
            RULE.diag(
                span,
                format!("`{}` takes {want}, but is given {}", f.name, plural(given)),
            )
            .label(format!("{} here", plural(given)))
            .help(format!("pass `{}` {want}", f.name))
            .note(NOTE),
        );
    }

    fn unclosed(&mut self, at: &Located, text: &str, runs_into_next: bool) {
        let body = &text[3..];
        let help = if runs_into_next {
            "close it with `}}` before the next `${{`"
        } else if body.matches('\'').count() % 2 == 1 {
            "a `'` in the expression opens a string that never ends: close the string, or write `''` for a literal quote; then close the expression with `}}`"
        } else {
            "close the expression with `}}`"
        };
        let message = if runs_into_next {
            "a `${{` is not closed before the next `${{`"
        } else {
            "a `${{` is never closed"
        };
        self.out.push(
            RULE.diag(at.span(0..3), message)
                .label("this `${{` has no matching `}}`")
                .help(help)
                .note(NOTE),
        );
    }

    fn directive_misplaced(&mut self, at: &Located, text: &str, kind: DirectiveKind, inline: bool) {
        let word = kind.word();
        let (message, label, help) = if inline {
            (
                format!("`${{{{ {word} }}}}` must be the whole key, not part of a longer text"),
                "directive inside a text",
                format!("write the directive alone as a key (`${{{{ {word} ... }}}}:`) and put the text under it"),
            )
        } else {
            (
                format!("`${{{{ {word} }}}}` can only be a mapping key"),
                "directive used as a value",
                format!("write it as a key followed by `:` with what it selects under it (`- ${{{{ {word} ... }}}}:`)"),
            )
        };
        self.out.push(
            RULE.diag(at.span(0..text.len()), message)
                .label(label)
                .help(help)
                .note(NOTE),
        );
    }

    fn orphan_else(&mut self, kind: DirectiveKind, span: Span) {
        let word = kind.word();
        let mut d = RULE.diag(
            span,
            format!("`${{{{ {word} }}}}` does not follow an `${{{{ if }}}}` or `${{{{ elseif }}}}` block"),
        );
        d = match &self.last {
            Some((prev, prev_span)) => d
                .label(format!(
                    "the block before it is `${{{{ {} }}}}`",
                    prev.word()
                ))
                .with_label(
                    prev_span.clone(),
                    format!("last directive before the `{word}`"),
                ),
            None => d.label(format!("no `${{{{ if }}}}` before this `{word}`")),
        };
        self.out.push(
            d.help(format!(
                "put `${{{{ {word} }}}}` right after a `${{{{ if }}}}` block (or an `${{{{ elseif }}}}`), or make it an `${{{{ if }}}}`"
            ))
            .note(NOTE),
        );
    }
}

fn plural(n: usize) -> String {
    match n {
        0 => "no arguments".into(),
        1 => "1 argument".into(),
        n => format!("{n} arguments"),
    }
}
