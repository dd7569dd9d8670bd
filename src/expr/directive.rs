//! Template directives: splits the text inside `${{ }}` into `if`/`elseif`/`else`/`each`/`insert`
//! and their operands, or a plain expression.

use super::error::{ErrorKind, ExprError};

/// What the text inside `${{ }}` is: a template directive or a plain expression. Slices borrow the
/// text given to [`directive`]; [`offset_in`] gives their position in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Directive<'a> {
    If(&'a str),
    ElseIf(&'a str),
    Else,
    Each {
        var: &'a str,
        collection: &'a str,
    },
    Insert,
    /// A plain expression, trimmed.
    Value(&'a str),
}

/// The directive word of a [`Directive`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DirectiveKind {
    If,
    ElseIf,
    Else,
    Each,
    Insert,
}

impl DirectiveKind {
    pub fn word(self) -> &'static str {
        match self {
            DirectiveKind::If => "if",
            DirectiveKind::ElseIf => "elseif",
            DirectiveKind::Else => "else",
            DirectiveKind::Each => "each",
            DirectiveKind::Insert => "insert",
        }
    }
}

impl<'a> Directive<'a> {
    pub fn kind(&self) -> Option<DirectiveKind> {
        match self {
            Directive::If(_) => Some(DirectiveKind::If),
            Directive::ElseIf(_) => Some(DirectiveKind::ElseIf),
            Directive::Else => Some(DirectiveKind::Else),
            Directive::Each { .. } => Some(DirectiveKind::Each),
            Directive::Insert => Some(DirectiveKind::Insert),
            Directive::Value(_) => None,
        }
    }

    /// The expression this directive evaluates, if any: the condition, the collection or the
    /// value.
    pub fn expression(&self) -> Option<&'a str> {
        match *self {
            Directive::If(e) | Directive::ElseIf(e) | Directive::Value(e) => Some(e),
            Directive::Each { collection, .. } => Some(collection),
            Directive::Else | Directive::Insert => None,
        }
    }
}

/// The byte offset of `part` inside `whole`, when `part` is a slice of it.
pub fn offset_in(whole: &str, part: &str) -> Option<usize> {
    let start = (part.as_ptr() as usize).checked_sub(whole.as_ptr() as usize)?;
    (start + part.len() <= whole.len()).then_some(start)
}

const DIRECTIVES: [(DirectiveKind, usize); 5] = [
    (DirectiveKind::If, 1),
    (DirectiveKind::ElseIf, 1),
    (DirectiveKind::Else, 0),
    (DirectiveKind::Each, 3),
    (DirectiveKind::Insert, 0),
];

/// The directive word that `inner` (the text inside `${{ }}`) starts with, if any. Case-sensitive,
/// and the word must be followed by whitespace or the end, as on Azure.
pub fn directive_word(inner: &str) -> Option<DirectiveKind> {
    let t = inner.trim();
    DIRECTIVES.iter().map(|(k, _)| *k).find(|k| {
        t.strip_prefix(k.word())
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(char::is_whitespace))
    })
}

/// Split the operands of a directive on whitespace outside strings and parentheses, as Azure
/// does (so `if eq(a, b)` is one operand, `if eq (a, b)` two).
fn operands(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut in_string = false;
    let mut parens = 0i32;
    for (i, c) in s.char_indices() {
        if c.is_whitespace() && !in_string && parens == 0 {
            if start < i {
                out.push(&s[start..i]);
            }
            start = i + c.len_utf8();
        } else if c == '\'' {
            in_string = !in_string;
        } else if c == '(' && !in_string {
            parens += 1;
        } else if c == ')' && !in_string {
            parens -= 1;
        }
    }
    if start < s.len() {
        out.push(&s[start..]);
    }
    out
}

/// What the text inside `${{ }}` is. Checks the directive's shape (operand count, `each x in`),
/// not the expressions inside it: parse those with [`parse`](super::parse).
pub fn directive(inner: &str) -> Result<Directive<'_>, ExprError> {
    let t = inner.trim();
    let t_at = offset_in(inner, t).unwrap_or(0);
    if t.is_empty() {
        return Err(ExprError::new(
            ErrorKind::Empty,
            0..inner.len(),
            "the expression is empty",
            "write an expression, or remove the empty `${{ }}`",
        ));
    }
    let Some(kind) = directive_word(t) else {
        // `If`, `ELSE`: Azure only knows the lowercase words, and fails on these.
        let first = t.split(char::is_whitespace).next().unwrap_or("");
        if let Some((k, _)) = DIRECTIVES
            .iter()
            .find(|(k, _)| k.word().eq_ignore_ascii_case(first))
        {
            return Err(ExprError::new(
                ErrorKind::DirectiveCase,
                t_at..t_at + first.len(),
                format!("`{first}` is not a directive: directives are lowercase"),
                match k {
                    DirectiveKind::If => "write `if`",
                    DirectiveKind::ElseIf => "write `elseif`",
                    DirectiveKind::Else => "write `else`",
                    DirectiveKind::Each => "write `each`",
                    DirectiveKind::Insert => "write `insert`",
                },
            ));
        }
        return Ok(Directive::Value(t));
    };
    let word = kind.word();
    let ops = operands(&t[word.len()..]);
    let want = DIRECTIVES
        .iter()
        .find(|(k, _)| *k == kind)
        .map_or(0, |d| d.1);
    let at = |part: &str| {
        let s = offset_in(inner, part).unwrap_or(t_at);
        s..s + part.len()
    };
    let word_at = t_at..t_at + word.len();
    if ops.len() != want {
        let (range, message, help) = match (kind, ops.len()) {
            (DirectiveKind::If | DirectiveKind::ElseIf, 0) => (
                word_at,
                format!("`{word}` needs a condition"),
                "write the condition after it: `${{ if eq(parameters.x, 'y') }}`",
            ),
            (DirectiveKind::If | DirectiveKind::ElseIf, _) => {
                let first = at(ops[0]);
                let last = at(ops[ops.len() - 1]);
                (
                    first.start..last.end,
                    format!("`{word}` takes one condition, but this is {} expressions separated by spaces", ops.len()),
                    "write one expression with no space between a function name and its `(`, and combine conditions with `and(...)`/`or(...)`",
                )
            }
            (DirectiveKind::Else | DirectiveKind::Insert, _) => {
                let first = at(ops[0]);
                let last = at(ops[ops.len() - 1]);
                (
                    first.start..last.end,
                    format!("`{word}` takes nothing after it"),
                    if kind == DirectiveKind::Else {
                        "write `${{ else }}` alone, or use `${{ elseif <condition> }}`"
                    } else {
                        "write `${{ insert }}` alone"
                    },
                )
            }
            (DirectiveKind::Each, _) => (
                t_at..t_at + t.len(),
                "`each` must read `each <name> in <collection>`".to_string(),
                "write it as `${{ each item in parameters.list }}`",
            ),
        };
        return Err(ExprError::new(
            ErrorKind::DirectiveOperands,
            range,
            message,
            help,
        ));
    }
    Ok(match kind {
        DirectiveKind::If => Directive::If(ops[0]),
        DirectiveKind::ElseIf => Directive::ElseIf(ops[0]),
        DirectiveKind::Else => Directive::Else,
        DirectiveKind::Insert => Directive::Insert,
        DirectiveKind::Each => {
            let (var, keyword, collection) = (ops[0], ops[1], ops[2]);
            let reserved = ["true", "false", "_"]
                .iter()
                .any(|r| var.eq_ignore_ascii_case(r));
            if !is_identifier(var) || reserved {
                return Err(ExprError::new(
                    ErrorKind::EachVariable,
                    at(var),
                    format!("`{var}` can't name the loop variable of `each`"),
                    "use a name of letters, digits and `_` that starts with a letter or `_` (not `true`, `false` or `_`)",
                ));
            }
            if keyword != "in" {
                return Err(ExprError::new(
                    ErrorKind::DirectiveOperands,
                    at(keyword),
                    format!("`each` expects `in` after the loop variable, found `{keyword}`"),
                    "write it as `${{ each item in parameters.list }}`",
                ));
            }
            Directive::Each { var, collection }
        }
    })
}

/// `[A-Za-z_][A-Za-z0-9_]*`: what `each` accepts as a loop variable.
fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directives() {
        assert_eq!(
            directive(" if eq(parameters.a, true) "),
            Ok(Directive::If("eq(parameters.a, true)"))
        );
        assert_eq!(
            directive("elseif ne(a, 'x y')"),
            Ok(Directive::ElseIf("ne(a, 'x y')"))
        );
        assert_eq!(directive(" else "), Ok(Directive::Else));
        assert_eq!(directive("insert"), Ok(Directive::Insert));
        assert_eq!(
            directive(" each step in parameters.steps "),
            Ok(Directive::Each {
                var: "step",
                collection: "parameters.steps"
            })
        );
        assert_eq!(
            directive("each x in split(parameters.list, ', ')"),
            Ok(Directive::Each {
                var: "x",
                collection: "split(parameters.list, ', ')"
            })
        );
        assert_eq!(
            directive(" parameters.x "),
            Ok(Directive::Value("parameters.x"))
        );
        // Directive words are case-sensitive and must stand alone.
        assert_eq!(
            directive("If a").unwrap_err().kind,
            ErrorKind::DirectiveCase
        );
        assert_eq!(directive(" ELSE ").unwrap_err().range(), 1..5);
        assert_eq!(directive("iffy"), Ok(Directive::Value("iffy")));
        assert_eq!(directive("Iffy(a)"), Ok(Directive::Value("Iffy(a)")));
        assert_eq!(directive("elsewhere"), Ok(Directive::Value("elsewhere")));
        assert_eq!(directive_word("  elseif x"), Some(DirectiveKind::ElseIf));
        assert_eq!(directive_word("insert"), Some(DirectiveKind::Insert));
        assert_eq!(directive_word("inserted"), None);
    }

    #[test]
    fn directive_errors_point_at_the_operands() {
        let inner = " if and (a, b) ";
        let e = directive(inner).unwrap_err();
        assert_eq!(e.kind, ErrorKind::DirectiveOperands);
        assert_eq!(&inner[e.range()], "and (a, b)");
        let e = directive(" if ").unwrap_err();
        assert_eq!((e.offset, e.len), (1, 2));
        let inner = " else eq(a, b) ";
        let e = directive(inner).unwrap_err();
        assert_eq!(&inner[e.range()], "eq(a, b)");
        let inner = " each x of y ";
        let e = directive(inner).unwrap_err();
        assert_eq!(&inner[e.range()], "of");
        let inner = " each 1x in y ";
        let e = directive(inner).unwrap_err();
        assert_eq!((e.kind, &inner[e.range()]), (ErrorKind::EachVariable, "1x"));
        let e = directive(" each true in y ").unwrap_err();
        assert_eq!(e.kind, ErrorKind::EachVariable);
        let e = directive(" each x in ").unwrap_err();
        assert_eq!(e.kind, ErrorKind::DirectiveOperands);
        assert_eq!(directive("  ").unwrap_err().kind, ErrorKind::Empty);
    }

    #[test]
    fn directive_operands_are_slices_of_the_input() {
        let inner = " if eq(a, b) ";
        let Ok(Directive::If(cond)) = directive(inner) else {
            panic!()
        };
        assert_eq!(offset_in(inner, cond), Some(4));
        assert_eq!(offset_in(inner, "eq(a, b)"), None);
    }
}
