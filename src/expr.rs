//! Azure Pipelines expressions: the text inside `${{ }}` (and, later, `$[ ]` and `condition:`).
//!
//! The grammar follows what the Azure Pipelines server accepts (its expression lexer and parser, and
//! the template reader that finds `${{ }}` in scalars and splits directives), not a general
//! expression language:
//! - literals: `true`/`false` (any case), decimal numbers (`-1.5`, `.5`; no hex, no exponent),
//!   versions (`1.2.3`, `1.2.3.4`), `'single-quoted'` strings with `''` for a quote;
//! - named values with property access and indexing: `parameters.x`, `variables['a.b']`,
//!   `dependencies.A.outputs['x.y']`, `parameters.list[0]`, filtered arrays `parameters.jobs.*.name`
//!   and `x[*]`;
//! - function calls `f(a, b)`; a `(` only ever follows a function name: there are no operators
//!   (`==`, `&&`, `!`) and no grouping parentheses;
//! - function names are case-insensitive (`eq`, `Eq`, `EQ`); the directive words `if`, `elseif`,
//!   `else`, `each`, `in` and `insert` are case-sensitive.
//!
//! Names may contain `-` after their first character (the server has an option for it; azplint
//! accepts it rather than guess). Unknown functions and wrong argument counts are not parse
//! errors here: [`calls`] and [`function`] let a rule check them.
//!
//! Parsing never panics, allocates only the tree, and is bounded: nesting stops at [`MAX_DEPTH`].

use std::ops::Range;

/// Function calls and indexers nested this deep are rejected (the server's limit, which also
/// bounds our recursion).
pub const MAX_DEPTH: usize = 50;

/// Longest expression the server accepts, in UTF-16 code units.
pub const MAX_LENGTH: usize = 21_000;

/// A parse error at a byte range of the parsed text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExprError {
    pub kind: ErrorKind,
    /// What is wrong, in the user's terms.
    pub message: String,
    /// How to fix it.
    pub help: &'static str,
    /// Byte offset of the offending text inside the parsed text.
    pub offset: usize,
    /// Byte length of the offending text (0 at the end of the text).
    pub len: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// `${{ }}` with nothing inside.
    Empty,
    /// `'text` without its closing quote.
    UnclosedString,
    /// `f(a, b` without its `)`.
    UnclosedCall,
    /// `x[0` without its `]`.
    UnclosedIndex,
    /// A `)` or `]` that closes nothing.
    Unbalanced,
    /// `(` that does not follow a function name (no grouping parentheses).
    Grouping,
    /// A token where it can't be: `f(a b)`, `f(a,)`, `'a'.b`, text after a complete expression.
    Unexpected,
    /// The expression ends where something must follow.
    UnexpectedEnd,
    /// `0x1F`, `1e5`, `1.2.3.4.5`.
    InvalidNumber,
    /// `==`, `&&`, `!`: Azure expressions have no operators.
    Operator,
    /// `"text"`: strings are single-quoted.
    DoubleQuote,
    /// `$(name)` inside an expression.
    Macro,
    /// Any other text that is not a name.
    InvalidName,
    /// Nested deeper than [`MAX_DEPTH`].
    TooDeep,
    /// Longer than [`MAX_LENGTH`].
    TooLong,
    /// A directive with the wrong number of operands: `if` alone, `else x`, `each x y`.
    DirectiveOperands,
    /// The loop variable of `each` is not an identifier.
    EachVariable,
    /// `If`, `Else`: directive words are lowercase.
    DirectiveCase,
}

impl ExprError {
    fn new(
        kind: ErrorKind,
        at: Range<usize>,
        message: impl Into<String>,
        help: &'static str,
    ) -> Self {
        ExprError {
            kind,
            message: message.into(),
            help,
            offset: at.start,
            len: at.end.saturating_sub(at.start),
        }
    }

    pub fn range(&self) -> Range<usize> {
        self.offset..self.offset + self.len
    }

    /// The same error, moved `by` bytes to the right (for text parsed out of a larger text).
    pub fn shifted(mut self, by: usize) -> Self {
        self.offset += by;
        self
    }
}

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

/// A known expression function with how many arguments it takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Function {
    /// The documented spelling.
    pub name: &'static str,
    pub min_args: usize,
    /// `usize::MAX` when unbounded.
    pub max_args: usize,
}

const N: usize = usize::MAX;

const fn f(name: &'static str, min_args: usize, max_args: usize) -> Function {
    Function {
        name,
        min_args,
        max_args,
    }
}

/// The documented Azure Pipelines expression functions, then the job status functions.
/// Where the documentation and the server disagree on argument counts, the looser bound is kept.
pub static FUNCTIONS: &[Function] = &[
    f("and", 2, N),
    f("or", 2, N),
    f("not", 1, 1),
    f("xor", 2, 2),
    f("eq", 2, 2),
    f("ne", 2, 2),
    f("gt", 2, 2),
    f("ge", 2, 2),
    f("lt", 2, 2),
    f("le", 2, 2),
    f("in", 1, N),
    f("notIn", 1, N),
    f("contains", 2, 2),
    f("containsValue", 2, 2),
    f("startsWith", 2, 2),
    f("endsWith", 2, 2),
    f("coalesce", 2, N),
    f("format", 1, N),
    f("join", 2, 2),
    f("split", 2, 2),
    f("replace", 2, 3),
    f("lower", 1, 1),
    f("upper", 1, 1),
    f("trim", 1, 1),
    f("length", 1, 1),
    f("convertToJson", 1, 1),
    f("counter", 1, 2),
    f("iif", 3, 3),
    f("always", 0, 0),
    f("canceled", 0, 0),
    f("failed", 0, N),
    f("succeeded", 0, N),
    f("succeededOrFailed", 0, N),
];

/// The known function named `name`, ignoring ASCII case as Azure does.
pub fn function(name: &str) -> Option<&'static Function> {
    FUNCTIONS.iter().find(|f| f.name.eq_ignore_ascii_case(name))
}

// ---------------------------------------------------------------------------------------------
// Lexer

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Tok {
    LParen,
    RParen,
    LBracket,
    RBracket,
    Comma,
    Dot,
    Star,
    Str,
    UnclosedStr,
    Number,
    Version,
    BadNumber,
    Word,
    BadWord,
    End,
}

fn is_punct(c: char) -> bool {
    matches!(c, '(' | ')' | ',' | '.' | '[' | ']')
}

fn is_boundary(c: char) -> bool {
    is_punct(c) || c.is_whitespace()
}

struct Lexer<'a> {
    src: &'a str,
    pos: usize,
}

impl<'a> Lexer<'a> {
    fn skip_ws(&mut self) {
        let rest = &self.src[self.pos..];
        let trimmed = rest.trim_start();
        self.pos += rest.len() - trimmed.len();
    }

    /// The next non-whitespace character, without consuming it.
    fn peek(&mut self) -> Option<char> {
        self.skip_ws();
        self.src[self.pos..].chars().next()
    }

    /// The next token. `value` tells whether a value may start here: a `.` then starts a number
    /// (`.5`) rather than a property access.
    fn next(&mut self, value: bool) -> (Tok, Range<usize>) {
        self.skip_ws();
        let start = self.pos;
        let Some(c) = self.src[start..].chars().next() else {
            return (Tok::End, start..start);
        };
        let single = match c {
            '(' => Some(Tok::LParen),
            ')' => Some(Tok::RParen),
            '[' => Some(Tok::LBracket),
            ']' => Some(Tok::RBracket),
            ',' => Some(Tok::Comma),
            '*' => Some(Tok::Star),
            '.' if !value => Some(Tok::Dot),
            _ => None,
        };
        if let Some(t) = single {
            self.pos += 1;
            return (t, start..self.pos);
        }
        if c == '\'' {
            return self.string(start);
        }
        if c == '.' || c == '-' || c.is_ascii_digit() {
            return self.number(start);
        }
        self.word(start)
    }

    fn string(&mut self, start: usize) -> (Tok, Range<usize>) {
        let bytes = self.src.as_bytes();
        let mut i = start + 1;
        while i < bytes.len() {
            if bytes[i] == b'\'' {
                if bytes.get(i + 1) == Some(&b'\'') {
                    i += 2;
                    continue;
                }
                self.pos = i + 1;
                return (Tok::Str, start..self.pos);
            }
            i += 1;
        }
        self.pos = bytes.len();
        (Tok::UnclosedStr, start..self.pos)
    }

    fn number(&mut self, start: usize) -> (Tok, Range<usize>) {
        let rest = &self.src[start..];
        let mut end = rest.len();
        for (i, c) in rest.char_indices().skip(1) {
            if is_boundary(c) && c != '.' {
                end = i;
                break;
            }
        }
        self.pos = start + end;
        let text = &rest[..end];
        let kind = if text.matches('.').count() >= 2 {
            if is_version(text) {
                Tok::Version
            } else {
                Tok::BadNumber
            }
        } else if is_decimal(text) {
            Tok::Number
        } else {
            Tok::BadNumber
        };
        (kind, start..self.pos)
    }

    fn word(&mut self, start: usize) -> (Tok, Range<usize>) {
        let rest = &self.src[start..];
        let end = rest
            .char_indices()
            .skip(1)
            .find(|(_, c)| is_boundary(*c))
            .map_or(rest.len(), |(i, _)| i);
        self.pos = start + end;
        let kind = if is_name(&rest[..end]) {
            Tok::Word
        } else {
            Tok::BadWord
        };
        (kind, start..self.pos)
    }
}

/// `[A-Za-z_][A-Za-z0-9_-]*`.
fn is_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// What .NET's `Decimal.TryParse` accepts with a leading sign and a decimal point.
fn is_decimal(s: &str) -> bool {
    let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    !(int.is_empty() && frac.is_empty())
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit())
}

/// What .NET's `Version.TryParse` accepts: 2 to 4 non-negative integer parts (here 3 or 4, since a
/// version literal has at least two dots).
fn is_version(s: &str) -> bool {
    let parts: Vec<&str> = s.split('.').collect();
    (2..=4).contains(&parts.len())
        && parts.iter().all(|p| {
            !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()) && p.parse::<i32>().is_ok()
        })
}

// ---------------------------------------------------------------------------------------------
// Parser

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

// ---------------------------------------------------------------------------------------------
// Calls

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

// ---------------------------------------------------------------------------------------------
// Directives

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
/// not the expressions inside it: parse those with [`parse`].
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

// ---------------------------------------------------------------------------------------------
// Finding `${{ }}` in a scalar

/// One `${{ ... }}` found in a scalar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateExpr {
    /// From `${{` to just past `}}`; to the end of the text when not closed.
    pub range: Range<usize>,
    /// False when no `}}` ends it (outside quotes): Azure rejects the value.
    pub closed: bool,
}

impl TemplateExpr {
    /// The text between `${{` and `}}`.
    pub fn inner(&self) -> Range<usize> {
        let end = if self.closed {
            self.range.end - 2
        } else {
            self.range.end
        };
        self.range.start + 3..end
    }
}

/// Every `${{ ... }}` of a scalar value, the way Azure finds them: an expression ends at the first
/// `}}` outside a single-quoted string. An unclosed `${{` is returned last with `closed: false`
/// (Azure stops reading the value there).
pub fn find_template_expressions(text: &str) -> Vec<TemplateExpr> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = text[from..].find("${{") {
        let start = from + i;
        let mut j = start + 3;
        let mut in_string = false;
        let mut end = None;
        while j < bytes.len() {
            match bytes[j] {
                b'\'' => in_string = !in_string,
                b'}' if !in_string && bytes[j - 1] == b'}' => {
                    end = Some(j + 1);
                    break;
                }
                _ => {}
            }
            j += 1;
        }
        match end {
            Some(end) => {
                out.push(TemplateExpr {
                    range: start..end,
                    closed: true,
                });
                from = end;
            }
            None => {
                out.push(TemplateExpr {
                    range: start..text.len(),
                    closed: false,
                });
                break;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn fuzzed_input_never_panics_and_errors_stay_in_bounds() {
        const PIECES: [&str; 24] = [
            "(",
            ")",
            "[",
            "]",
            ",",
            ".",
            "*",
            "'",
            "''",
            " ",
            "eq",
            "a",
            "-",
            "1",
            ".5",
            "é",
            "${{",
            "}}",
            "}",
            "==",
            "if ",
            "else",
            "each x in ",
            "\u{3000}",
        ];
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..20_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let len = (seed % 12) as usize;
            let s: String = (0..len)
                .map(|i| PIECES[((seed >> (i * 5)) % PIECES.len() as u64) as usize])
                .collect();
            for e in [parse(&s).err(), directive(&s).err()].into_iter().flatten() {
                let r = e.range();
                assert!(r.end <= s.len(), "{s:?}: {e:?}");
                assert!(
                    s.is_char_boundary(r.start) && s.is_char_boundary(r.end),
                    "{s:?}: {e:?}"
                );
            }
            for f in find_template_expressions(&s) {
                assert!(
                    f.range.end <= s.len() && s.get(f.inner()).is_some(),
                    "{s:?}"
                );
            }
        }
    }

    #[test]
    fn known_functions_ignore_case() {
        assert_eq!(function("startswith").map(|f| f.name), Some("startsWith"));
        assert_eq!(function("NOTIN").map(|f| f.name), Some("notIn"));
        assert_eq!(function("Eq").map(|f| f.name), Some("eq"));
        assert!(function("succeededOrFailed").is_some());
        assert!(function("toJson").is_none());
        assert!(function("substring").is_none());
    }

    #[test]
    fn calls_report_argument_counts() {
        let e = ok("and(eq(a, b), always())");
        let got: Vec<(&str, usize)> = calls(&e).map(|c| (c.name, c.args.len())).collect();
        assert_eq!(got, [("and", 2), ("eq", 2), ("always", 0)]);
    }

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

    #[test]
    fn finds_expressions_in_scalars() {
        let s = "echo ${{ parameters.x }}-${{ format('{0}}}', 'a') }} done";
        let found = find_template_expressions(s);
        let texts: Vec<&str> = found.iter().map(|f| &s[f.range.clone()]).collect();
        assert_eq!(
            texts,
            ["${{ parameters.x }}", "${{ format('{0}}}', 'a') }}"]
        );
        assert!(found.iter().all(|f| f.closed));
        assert_eq!(&s[found[0].inner()], " parameters.x ");
        assert_eq!(
            find_template_expressions("${{ eq(a, '}}') }}")[0].range,
            0..18
        );
        assert_eq!(
            find_template_expressions("${{ 'It''s }}' }}")[0].range,
            0..17
        );
        assert_eq!(find_template_expressions("${{}}")[0].range, 0..5);
        assert!(find_template_expressions("$(a) $[ b ] {{ c }}").is_empty());
    }

    #[test]
    fn unterminated_expressions() {
        let found = find_template_expressions("a ${{ parameters.x } b");
        assert_eq!(
            found,
            [TemplateExpr {
                range: 2..22,
                closed: false
            }]
        );
        // A missing `}}` makes the expression run on to the next one's.
        let found = find_template_expressions("${{ a } ${{ b }}");
        assert_eq!((found.len(), found[0].closed), (1, true));
        let found = find_template_expressions("${{ a }} ${{ eq(b, 'c) }}");
        assert_eq!(found.len(), 2);
        assert!(found[0].closed && !found[1].closed);
        assert_eq!(found[1].inner(), 12..25);
    }
}
