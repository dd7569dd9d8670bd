//! The expression parser: builds an [`Expr`] tree from the text inside `${{ }}` (or a condition),
//! with errors in the user's terms.

use std::ops::Range;

use super::ast::{Expr, ExprKind};
use super::error::{ErrorKind, ExprError};
use super::lexer::{Lexer, Tok};

/// Function calls and indexers nested this deep are rejected (the server's limit, which also
/// bounds our recursion).
pub const MAX_DEPTH: usize = 50;

/// Longest expression the server accepts, in UTF-16 code units.
pub const MAX_LENGTH: usize = 21_000;

/// Parse one expression (the text between `${{` and `}}`, without a directive).
pub fn parse(src: &str) -> Result<Expr<'_>, ExprError> {
    if src.trim().is_empty() {
        return Err(ExprError::new(
            ErrorKind::Empty,
            0..src.len(),
            "the expression is empty",
            "write an expression, or remove the empty `${{ }}`",
        ));
    }
    if src.len() > MAX_LENGTH && src.encode_utf16().count() > MAX_LENGTH {
        return Err(ExprError::new(
            ErrorKind::TooLong,
            0..src.len(),
            format!("the expression is longer than {MAX_LENGTH} characters"),
            "split it into several expressions or variables",
        ));
    }
    let mut p = Parser {
        src,
        lex: Lexer { src, pos: 0 },
    };
    let e = p.value(0)?;
    let (tok, at) = p.lex.next(false);
    match tok {
        Tok::End => Ok(e),
        Tok::RParen | Tok::RBracket => Err(ExprError::new(
            ErrorKind::Unbalanced,
            at.clone(),
            format!("this `{}` closes nothing", &src[at]),
            "remove it, or open the matching bracket where it belongs",
        )),
        Tok::UnclosedStr | Tok::BadNumber | Tok::BadWord => {
            Err(p.bad_token(tok, at, "after the end of the expression", ""))
        }
        _ => {
            let rest = at.start..src.trim_end().len().max(at.end);
            Err(ExprError::new(
                ErrorKind::Unexpected,
                rest.clone(),
                format!("unexpected `{}` after the end of the expression", &src[rest]),
                "an expression is one value: combine values with a function such as `format('{0}-{1}', a, b)`, or move text outside `${{ }}`",
            ))
        }
    }
}

struct Parser<'a> {
    src: &'a str,
    lex: Lexer<'a>,
}

impl<'a> Parser<'a> {
    fn text(&self, at: &Range<usize>) -> &'a str {
        self.src.get(at.clone()).unwrap_or("")
    }

    /// The error for a token that can't appear here.
    fn bad_token(
        &self,
        tok: Tok,
        at: Range<usize>,
        context: &str,
        help: &'static str,
    ) -> ExprError {
        match tok {
            Tok::UnclosedStr => ExprError::new(
                ErrorKind::UnclosedString,
                at.start..at.start + 1,
                "this string is never closed",
                "close the string with `'` (write `''` for a quote inside a string)",
            ),
            Tok::BadNumber => self.bad_number(at),
            Tok::BadWord => self.bad_word(at),
            Tok::End => ExprError::new(
                ErrorKind::UnexpectedEnd,
                at,
                format!("the expression ends {context}"),
                help,
            ),
            _ => ExprError::new(
                ErrorKind::Unexpected,
                at.clone(),
                format!("unexpected `{}` {context}", self.text(&at)),
                help,
            ),
        }
    }

    fn bad_number(&self, at: Range<usize>) -> ExprError {
        ExprError::new(
            ErrorKind::InvalidNumber,
            at.clone(),
            format!("`{}` is not a valid number", self.text(&at)),
            "numbers are decimal (`3`, `-1.5`, `.5`) and versions have two or three dots (`1.2.3`); quote other text: `'text'`",
        )
    }

    fn bad_word(&self, at: Range<usize>) -> ExprError {
        let w = self.text(&at);
        if let Some(op) = ["==", "!=", ">=", "<=", "&&", "||", "!", ">", "<", "="]
            .into_iter()
            .find(|op| w.contains(op))
        {
            let start = at.start + w.find(op).unwrap_or(0);
            return ExprError::new(
                ErrorKind::Operator,
                start..start + op.len(),
                format!("`{op}` is not an operator in Azure Pipelines expressions"),
                "use functions: `eq(a, b)`, `ne(a, b)`, `gt(a, b)`, `and(a, b)`, `or(a, b)`, `not(a)`",
            );
        }
        if w.starts_with('"') {
            return ExprError::new(
                ErrorKind::DoubleQuote,
                at,
                "strings in expressions are single-quoted",
                "write the string as 'text' (double `''` for a quote inside it)",
            );
        }
        if w.starts_with('$') {
            return ExprError::new(
                ErrorKind::Macro,
                at,
                "`$( )` macro syntax can't be used inside an expression",
                "read the variable as `variables['name']` (or `variables.name`)",
            );
        }
        ExprError::new(
            ErrorKind::InvalidName,
            at.clone(),
            format!("`{w}` is not a valid name or value"),
            "names start with a letter or `_` and contain letters, digits, `_` or `-`; quote literal text: `'text'`",
        )
    }

    /// A value: a literal, a function call or a named value with its accessors.
    fn value(&mut self, depth: usize) -> Result<Expr<'a>, ExprError> {
        let (tok, at) = self.lex.next(true);
        let lit = |kind| {
            Ok(Expr {
                kind,
                span: at.clone(),
            })
        };
        match tok {
            Tok::Str => lit(ExprKind::String(self.text(&at))),
            Tok::Number => lit(ExprKind::Number(self.text(&at))),
            Tok::Version => lit(ExprKind::Version(self.text(&at))),
            Tok::Word => {
                let w = self.text(&at);
                if self.lex.peek() == Some('(') {
                    self.lex.next(false);
                    let call = self.call(depth, w, at.start)?;
                    self.accessors(depth, call)
                } else if w.eq_ignore_ascii_case("true") || w.eq_ignore_ascii_case("false") {
                    lit(ExprKind::Bool(w.eq_ignore_ascii_case("true")))
                } else if w.eq_ignore_ascii_case("null") {
                    lit(ExprKind::Null)
                } else {
                    self.accessors(
                        depth,
                        Expr {
                            kind: ExprKind::Name(w),
                            span: at,
                        },
                    )
                }
            }
            Tok::LParen => Err(ExprError::new(
                ErrorKind::Grouping,
                at,
                "a `(` must follow a function name",
                "Azure Pipelines expressions have no grouping parentheses: remove them, or write the function name before `(`",
            )),
            Tok::RParen | Tok::RBracket if depth == 0 => Err(ExprError::new(
                ErrorKind::Unbalanced,
                at.clone(),
                format!("this `{}` closes nothing", self.text(&at)),
                "remove it, or open the matching bracket where it belongs",
            )),
            _ => Err(self.bad_token(
                tok,
                at,
                "where a value is expected",
                "write a value here: a string 'text', a number, `parameters.name`, or a function call",
            )),
        }
    }

    fn deeper(&self, depth: usize, at: Range<usize>) -> Result<usize, ExprError> {
        if depth + 1 >= MAX_DEPTH {
            return Err(ExprError::new(
                ErrorKind::TooDeep,
                at,
                format!("the expression nests function calls and brackets {MAX_DEPTH} deep"),
                "split it into several variables or parameters",
            ));
        }
        Ok(depth + 1)
    }

    /// The arguments of `name(`, the `(` just read.
    fn call(&mut self, depth: usize, name: &'a str, start: usize) -> Result<Expr<'a>, ExprError> {
        let open = self.lex.pos - 1;
        let inner = self.deeper(depth, start..open + 1)?;
        let mut args = Vec::new();
        if self.lex.peek() == Some(')') {
            self.lex.next(false);
        } else {
            loop {
                args.push(self.value(inner)?);
                let (tok, at) = self.lex.next(false);
                match tok {
                    Tok::Comma => {
                        if self.lex.peek() == Some(')') {
                            return Err(ExprError::new(
                                ErrorKind::Unexpected,
                                at,
                                format!("trailing `,` in the arguments of `{name}`"),
                                "remove the last comma, or add the missing argument",
                            ));
                        }
                    }
                    Tok::RParen => break,
                    Tok::End => {
                        return Err(ExprError::new(
                            ErrorKind::UnclosedCall,
                            start..open + 1,
                            format!("`{name}(` is never closed"),
                            "close the parenthesis: add `)` after the last argument",
                        ))
                    }
                    _ => {
                        return Err(self.bad_token(
                            tok,
                            at,
                            &format!("in the arguments of `{name}`"),
                            "separate arguments with `,` and close the call with `)`",
                        ))
                    }
                }
            }
        }
        Ok(Expr {
            kind: ExprKind::Call { name, args },
            span: start..self.lex.pos,
        })
    }

    /// `.name`, `.*`, `[index]` and `[*]` after a named value or a call.
    fn accessors(&mut self, depth: usize, mut base: Expr<'a>) -> Result<Expr<'a>, ExprError> {
        loop {
            match self.lex.peek() {
                Some('.') => {
                    self.lex.next(false);
                    let (tok, at) = self.lex.next(false);
                    let name = match tok {
                        Tok::Word | Tok::Star => self.text(&at),
                        Tok::BadWord => return Err(self.bad_word(at)),
                        _ => {
                            return Err(self.bad_token(
                                tok,
                                at,
                                "where a property name is expected after `.`",
                                "write a property name after `.` (letters, digits, `_`), or index with brackets: `x['name']`",
                            ))
                        }
                    };
                    let span = base.span.start..at.end;
                    base = Expr {
                        kind: ExprKind::Property {
                            base: Box::new(base),
                            name,
                        },
                        span,
                    };
                }
                Some('[') => {
                    let (_, open) = self.lex.next(false);
                    let inner = self.deeper(depth, open.clone())?;
                    let index = if self.lex.peek() == Some('*') {
                        let (_, star) = self.lex.next(false);
                        Expr {
                            kind: ExprKind::Wildcard,
                            span: star,
                        }
                    } else {
                        self.value(inner)?
                    };
                    let (tok, at) = self.lex.next(false);
                    match tok {
                        Tok::RBracket => {}
                        Tok::End => {
                            return Err(ExprError::new(
                                ErrorKind::UnclosedIndex,
                                open,
                                "this `[` is never closed",
                                "close the bracket: add `]` after the index",
                            ))
                        }
                        _ => {
                            return Err(self.bad_token(
                                tok,
                                at,
                                "inside `[ ]`",
                                "an index is one value, such as `x['name']` or `x[0]`; close it with `]`",
                            ))
                        }
                    }
                    let span = base.span.start..at.end;
                    base = Expr {
                        kind: ExprKind::Index {
                            base: Box::new(base),
                            index: Box::new(index),
                        },
                        span,
                    };
                }
                _ => return Ok(base),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::{directive, find_template_expressions, functions_used};

    fn ok(s: &str) -> Expr<'_> {
        parse(s).unwrap_or_else(|e| panic!("{s:?}: {e:?}"))
    }

    fn err(s: &str) -> ExprError {
        match parse(s) {
            Ok(e) => panic!("{s:?} parsed: {e:?}"),
            Err(e) => e,
        }
    }

    fn names(s: &'static str) -> Vec<(&'static str, usize)> {
        let e = ok(s);
        functions_used(&e).collect()
    }

    #[test]
    fn literals() {
        assert_eq!(ok("true").kind, ExprKind::Bool(true));
        assert_eq!(ok("FALSE").kind, ExprKind::Bool(false));
        assert_eq!(ok(" True ").kind, ExprKind::Bool(true));
        assert_eq!(ok("null").kind, ExprKind::Null);
        for n in ["1", "-1.2", ".5", "-.5", "5.", "0", "007"] {
            assert!(matches!(ok(n).kind, ExprKind::Number(_)), "{n}");
        }
        for v in ["1.2.3", "1.2.3.4", "10.0.17763"] {
            assert!(matches!(ok(v).kind, ExprKind::Version(_)), "{v}");
        }
        let s = ok("'It''s OK'");
        assert_eq!(s.kind, ExprKind::String("'It''s OK'"));
        assert_eq!(s.string_value().as_deref(), Some("It's OK"));
        assert_eq!(ok("''").string_value().as_deref(), Some(""));
    }

    #[test]
    fn invalid_numbers() {
        for n in [
            "0x1F",
            "1e5",
            "1.2.3.4.5",
            "1..2",
            "-",
            "1abc",
            "1.2.x",
            "-foo",
            ".",
        ] {
            let e = err(n);
            assert_eq!(e.kind, ErrorKind::InvalidNumber, "{n}");
            assert_eq!(e.offset, 0);
            assert_eq!(e.len, n.len());
        }
    }

    #[test]
    fn named_values_and_accessors() {
        ok("parameters.x");
        ok("variables['Build.Reason']");
        ok("dependencies.A.outputs['x.y']");
        ok("stageDependencies.Build.job1.outputs['setvar.myVar']");
        ok("item.name");
        ok("parameters.list[0]");
        ok("parameters.slices.*.configuration");
        ok("parameters.jobs[*].name");
        ok("parameters['my-param']");
        ok("parameters.my-param");
        ok("parameters.true");
        ok("variables [ 'a' ] . b");
        let e = ok("a.b['c'][0]");
        assert_eq!(e.span, 0..11);
        assert!(matches!(e.kind, ExprKind::Index { .. }));
    }

    #[test]
    fn function_calls() {
        let e = ok("and(eq(parameters.a, true), ne(variables['Build.Reason'], 'PullRequest'))");
        let ExprKind::Call { name, args } = &e.kind else {
            panic!()
        };
        assert_eq!((*name, args.len()), ("and", 2));
        assert_eq!(
            names("and(eq(parameters.a, true), ne(variables['Build.Reason'], 'PullRequest'))"),
            [("and", 0), ("eq", 4), ("ne", 28)]
        );
        ok("always()");
        ok("eq (a, b)");
        ok("format('{0}-{1}', a, b)");
        ok("split(parameters.x, ',')[0]");
        ok("coalesce(parameters.a, variables.b, 'c').length");
        assert_eq!(names("EQ(a, b)"), [("EQ", 0)]);
        assert_eq!(names("a[lower(b)].c"), [("lower", 2)]);
    }

    #[test]
    fn strings_with_special_characters() {
        ok("contains(parameters.x, ')')");
        ok("eq(parameters.x, '}}')");
        ok("replace(a, '''', '\"')");
        ok("format('{{literal}} {0}', a)");
        ok("eq(a, '(')");
    }

    #[test]
    fn unbalanced_parentheses() {
        let e = err("eq(a, b");
        assert_eq!((e.kind, e.offset, e.len), (ErrorKind::UnclosedCall, 0, 3));
        let e = err("and(eq(a, b), ne(c, d)");
        assert_eq!((e.kind, e.offset, e.len), (ErrorKind::UnclosedCall, 0, 4));
        let e = err("and(eq(a, b, ne(c, d))");
        assert_eq!((e.kind, e.offset), (ErrorKind::UnclosedCall, 0));
        let e = err("eq(a, b))");
        assert_eq!((e.kind, e.offset, e.len), (ErrorKind::Unbalanced, 8, 1));
        let e = err(")");
        assert_eq!(e.kind, ErrorKind::Unbalanced);
        let e = err("variables['a'");
        assert_eq!((e.kind, e.offset), (ErrorKind::UnclosedIndex, 9));
        let e = err("a]");
        assert_eq!((e.kind, e.offset), (ErrorKind::Unbalanced, 1));
    }

    #[test]
    fn unclosed_strings() {
        let e = err("eq(a, 'b)");
        assert_eq!((e.kind, e.offset, e.len), (ErrorKind::UnclosedString, 6, 1));
        let e = err("'It''s");
        assert_eq!((e.kind, e.offset), (ErrorKind::UnclosedString, 0));
    }

    #[test]
    fn misplaced_tokens() {
        let e = err("eq(a b)");
        assert_eq!((e.kind, e.offset, e.len), (ErrorKind::Unexpected, 5, 1));
        let e = err("eq(a,, b)");
        assert_eq!((e.kind, e.offset), (ErrorKind::Unexpected, 5));
        let e = err("eq(a, b,)");
        assert_eq!((e.kind, e.offset), (ErrorKind::Unexpected, 7));
        let e = err("parameters.x parameters.y");
        assert_eq!((e.kind, e.offset, e.len), (ErrorKind::Unexpected, 13, 12));
        let e = err("'a'.b");
        assert_eq!((e.kind, e.offset), (ErrorKind::Unexpected, 3));
        let e = err("a.");
        assert_eq!((e.kind, e.offset), (ErrorKind::UnexpectedEnd, 2));
        let e = err("a.0");
        assert_eq!((e.kind, e.offset), (ErrorKind::Unexpected, 2));
        let e = err("eq(a,");
        assert_eq!(e.kind, ErrorKind::UnexpectedEnd);
        let e = err("(a)");
        assert_eq!((e.kind, e.offset), (ErrorKind::Grouping, 0));
        let e = err("*");
        assert_eq!(e.kind, ErrorKind::Unexpected);
        let e = err("a[]");
        assert_eq!((e.kind, e.offset), (ErrorKind::Unexpected, 2));
    }

    #[test]
    fn operators_and_foreign_syntax() {
        let e = err("parameters.a == 'b'");
        assert_eq!((e.kind, e.offset, e.len), (ErrorKind::Operator, 13, 2));
        let e = err("eq(a, b) && c");
        assert_eq!((e.kind, e.offset, e.len), (ErrorKind::Operator, 9, 2));
        let e = err("!a");
        assert_eq!((e.kind, e.offset, e.len), (ErrorKind::Operator, 0, 1));
        let e = err("eq(a, \"b\")");
        assert_eq!((e.kind, e.offset), (ErrorKind::DoubleQuote, 6));
        let e = err("$(Build.BuildId)");
        assert_eq!((e.kind, e.offset), (ErrorKind::Macro, 0));
        let e = err("a@b");
        assert_eq!(e.kind, ErrorKind::InvalidName);
        assert_eq!(err("").kind, ErrorKind::Empty);
        assert_eq!(err("   ").kind, ErrorKind::Empty);
    }

    #[test]
    fn hostile_input_is_bounded() {
        let deep = "f(".repeat(10_000);
        assert_eq!(err(&deep).kind, ErrorKind::TooDeep);
        let deep = format!("{}a{}", "f(".repeat(50), ")".repeat(50));
        assert_eq!(err(&deep).kind, ErrorKind::TooDeep);
        let fine = format!("{}a{}", "f(".repeat(49), ")".repeat(49));
        ok(&fine);
        let brackets = "a".to_string() + &"[a".repeat(10_000);
        assert_eq!(err(&brackets).kind, ErrorKind::TooDeep);
        let long = format!("'{}'", "x".repeat(MAX_LENGTH));
        assert_eq!(err(&long).kind, ErrorKind::TooLong);
        for s in [
            "(", "[", "'", "f(,", "a.[", ".", "-", "é", "a.é", "f(é)", "\u{2028}", "a['",
        ] {
            let _ = parse(s);
            let _ = directive(s);
            let _ = find_template_expressions(s);
        }
    }
}
