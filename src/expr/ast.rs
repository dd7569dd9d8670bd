//! The expression tree ([`Expr`]) and walking it for function calls ([`calls`]).

use std::ops::Range;

/// A parsed expression. Slices borrow the parsed text; spans are byte ranges inside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expr<'a> {
    pub kind: ExprKind<'a>,
    pub span: Range<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExprKind<'a> {
    Bool(bool),
    /// `null` (any case). The server treats it as an unknown name; azplint keeps it apart.
    Null,
    /// A decimal number as written: `-1.5`, `.5`.
    Number(&'a str),
    /// A version as written: `1.2.3`.
    Version(&'a str),
    /// A string as written, quotes included; see [`Expr::string_value`].
    String(&'a str),
    /// A named value: `parameters`, `variables`, `dependencies`, an `each` variable, ...
    Name(&'a str),
    /// `base.name`; `name` is `*` for a filtered array (`base.*`).
    Property {
        base: Box<Expr<'a>>,
        name: &'a str,
    },
    /// `base[index]`.
    Index {
        base: Box<Expr<'a>>,
        index: Box<Expr<'a>>,
    },
    /// `*` inside brackets: `base[*]`.
    Wildcard,
    /// `name(args...)`; the name starts at `span.start`.
    Call {
        name: &'a str,
        args: Vec<Expr<'a>>,
    },
}

impl Expr<'_> {
    /// The text of a string literal, with `''` turned into `'`.
    pub fn string_value(&self) -> Option<String> {
        match &self.kind {
            ExprKind::String(raw) => {
                let inner = raw.get(1..raw.len().saturating_sub(1)).unwrap_or("");
                Some(inner.replace("''", "'"))
            }
            _ => None,
        }
    }
}

/// One function call in an expression.
#[derive(Debug, Clone, Copy)]
pub struct Call<'e, 'a> {
    /// The name as written.
    pub name: &'a str,
    /// Byte offset of the name in the parsed text.
    pub offset: usize,
    /// Byte offset just past the closing `)`.
    pub end: usize,
    pub args: &'e [Expr<'a>],
}

/// Every function call of `expr`, outermost first, in source order.
pub fn calls<'e, 'a>(expr: &'e Expr<'a>) -> Calls<'e, 'a> {
    Calls { stack: vec![expr] }
}

pub struct Calls<'e, 'a> {
    stack: Vec<&'e Expr<'a>>,
}

impl<'e, 'a> Iterator for Calls<'e, 'a> {
    type Item = Call<'e, 'a>;

    fn next(&mut self) -> Option<Self::Item> {
        while let Some(e) = self.stack.pop() {
            match &e.kind {
                ExprKind::Call { name, args } => {
                    self.stack.extend(args.iter().rev());
                    return Some(Call {
                        name,
                        offset: e.span.start,
                        end: e.span.end,
                        args,
                    });
                }
                ExprKind::Property { base, .. } => self.stack.push(base),
                ExprKind::Index { base, index } => {
                    self.stack.push(index);
                    self.stack.push(base);
                }
                _ => {}
            }
        }
        None
    }
}

/// The name and byte offset of every function called in `expr`, in source order.
pub fn functions_used<'e, 'a>(expr: &'e Expr<'a>) -> impl Iterator<Item = (&'a str, usize)> + 'e {
    calls(expr).map(|c| (c.name, c.offset))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::parse;

    fn ok(s: &str) -> Expr<'_> {
        parse(s).unwrap_or_else(|e| panic!("{s:?}: {e:?}"))
    }

    #[test]
    fn calls_report_argument_counts() {
        let e = ok("and(eq(a, b), always())");
        let got: Vec<(&str, usize)> = calls(&e).map(|c| (c.name, c.args.len())).collect();
        assert_eq!(got, [("and", 2), ("eq", 2), ("always", 0)]);
    }
}
