//! Expression errors: [`ExprError`] and its [`ErrorKind`], shared by the parser and the directive
//! splitter.

use std::ops::Range;

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
    /// Nested deeper than [`MAX_DEPTH`](super::MAX_DEPTH).
    TooDeep,
    /// Longer than [`MAX_LENGTH`](super::MAX_LENGTH).
    TooLong,
    /// A directive with the wrong number of operands: `if` alone, `else x`, `each x y`.
    DirectiveOperands,
    /// The loop variable of `each` is not an identifier.
    EachVariable,
    /// `If`, `Else`: directive words are lowercase.
    DirectiveCase,
}

impl ExprError {
    pub(super) fn new(
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
