//! The expression lexer: splits the text inside `${{ }}` into tokens, classifying numbers,
//! versions, strings and names as the server does.

use std::ops::Range;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Tok {
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

pub(super) struct Lexer<'a> {
    pub(super) src: &'a str,
    pub(super) pos: usize,
}

impl<'a> Lexer<'a> {
    fn skip_ws(&mut self) {
        let rest = &self.src[self.pos..];
        let trimmed = rest.trim_start();
        self.pos += rest.len() - trimmed.len();
    }

    /// The next non-whitespace character, without consuming it.
    pub(super) fn peek(&mut self) -> Option<char> {
        self.skip_ws();
        self.src[self.pos..].chars().next()
    }

    /// The next token. `value` tells whether a value may start here: a `.` then starts a number
    /// (`.5`) rather than a property access.
    pub(super) fn next(&mut self, value: bool) -> (Tok, Range<usize>) {
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
