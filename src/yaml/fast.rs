//! A hand-written parser for the YAML that real pipelines are made of: block mappings and
//! sequences, plain, quoted and block scalars, one-line flow collections of scalars, comments,
//! `---` between documents, CRLF line ends. It builds exactly the tree that the `granit-parser`
//! path builds (same values, styles and spans), several times faster, and gives up (`None`) on
//! anything else: then [`super::parse`] falls back to that path. Giving up is always safe; a
//! tree that differs from the other path's is a bug (see the differential tests below and in
//! `tests/yaml_fast.rs`).
//!
//! The conventions of the other path that this one reproduces (learnt by experiment):
//! - an empty value (`key:`) is a plain scalar `~` with an empty span at the colon; an empty
//!   sequence item (`-`) is one at the end of the `-` line's blanks and comment (its line break);
//!   an empty document (`---` alone) is one right after the `---`;
//! - a mapping spans from its first key to the end of its last value, a block sequence from its
//!   first `-` (or, for a sequence at its parent mapping's indentation, from its first item) to
//!   the end of its last item, an empty flow collection over its brackets;
//! - a block scalar spans from its first content character to the first non-blank character of
//!   the line that ends it (or the end of the text), trailing blank lines included.
//!
//! Every loop advances through the text, nesting is bounded well below [`MAX_DEPTH`], and every
//! slice is taken at an ASCII byte, so no input can make it panic or hang.

use super::{Document, Entry, Node, NodeKind, ScalarStyle, MAX_DEPTH};

/// Deepest nesting handled here; deeper texts go to the other path, which reports them.
const DEPTH_LIMIT: usize = MAX_DEPTH / 2;

/// Longest implicit key handled (YAML caps them at 1024 characters).
const KEY_LIMIT: usize = 1000;

/// Parse `text`, or `None` when it uses YAML this parser does not handle.
pub(super) fn parse(text: &str) -> Option<Vec<Document>> {
    if !plain_text(text.as_bytes()) {
        return None;
    }
    let mut p = P {
        t: text,
        b: text.as_bytes(),
        depth: 0,
    };
    p.stream()
}

/// No tabs, control characters, lone CRs, DEL, C1 controls (NEL included), line or paragraph
/// separators, byte-order marks (but a leading one) or non-characters: each of those has rules
/// of its own.
fn plain_text(b: &[u8]) -> bool {
    let start = if b.starts_with("\u{feff}".as_bytes()) {
        3
    } else {
        0
    };
    // Blocks of printable ASCII, LF and CR (the common case) are passed in one vectorisable
    // sweep; only blocks with other bytes are looked at byte by byte.
    const BLOCK: usize = 64;
    let mut i = start;
    while i < b.len() {
        let end = (i + BLOCK).min(b.len());
        let odd = b[i..end].iter().fold(0u8, |acc, &c| {
            acc | u8::from(c.wrapping_sub(0x20) >= 0x5f && c != b'\n' && c != b'\r')
        });
        if odd != 0 && !(i..end).all(|j| allowed_at(b, j)) {
            return false;
        }
        i = end;
    }
    // Every CR ends a line with LF.
    memchr::memchr_iter(b'\r', b).all(|j| b.get(j + 1) == Some(&b'\n'))
}

/// The byte at `j` is allowed (looking ahead for the characters that start there; CRs are
/// checked apart).
fn allowed_at(b: &[u8], j: usize) -> bool {
    let c = b[j];
    match c {
        b'\n' | b'\r' => true,
        0..=0x1f | 0x7f => false,
        0xc2 => b.get(j + 1).is_none_or(|&n| n >= 0xa0),
        0xe2 => !(b.get(j + 1) == Some(&0x80) && matches!(b.get(j + 2), Some(0xa8 | 0xa9))),
        0xef => !matches!(
            (b.get(j + 1), b.get(j + 2)),
            (Some(0xbb), Some(0xbf)) | (Some(0xbf), Some(0xbe | 0xbf))
        ),
        _ => true,
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Chomp {
    Strip,
    Clip,
    Keep,
}

/// How the first line of a plain scalar ended.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Stop {
    /// At `: ` (or `:` at the end of the line): the scalar is a key; the colon's offset.
    Colon(usize),
    /// At ` #`.
    Comment,
    /// At the line break (or the end of the text); its offset.
    Eol(usize),
}

/// A node that starts on a line: a key (then a mapping starts there), or a whole scalar.
enum Inline {
    Key(Node, usize),
    /// The scalar and the start of the line after it.
    Scalar(Node, usize),
}

fn is_break(c: u8) -> bool {
    c == b'\n' || c == b'\r'
}

/// Characters that can't start a plain scalar (`-`, `?` and `:` are checked apart).
fn is_indicator(c: u8) -> bool {
    matches!(
        c,
        b'[' | b']'
            | b'{'
            | b'}'
            | b','
            | b'#'
            | b'&'
            | b'*'
            | b'!'
            | b'|'
            | b'>'
            | b'\''
            | b'"'
            | b'%'
            | b'@'
            | b'`'
    )
}

fn is_flow_indicator(c: u8) -> bool {
    matches!(c, b',' | b'[' | b']' | b'{' | b'}')
}

fn scalar(span: std::ops::Range<usize>, value: String, style: ScalarStyle) -> Node {
    Node {
        span,
        kind: NodeKind::Scalar(value, style),
    }
}

fn empty(at: usize) -> Node {
    scalar(at..at, "~".to_string(), ScalarStyle::Plain)
}

struct P<'a> {
    t: &'a str,
    b: &'a [u8],
    depth: usize,
}

impl P<'_> {
    fn len(&self) -> usize {
        self.b.len()
    }

    fn at(&self, i: usize) -> Option<u8> {
        self.b.get(i).copied()
    }

    /// A space, a line break or the end of the text at `i`.
    fn blank(&self, i: usize) -> bool {
        self.at(i).is_none_or(|c| c == b' ' || is_break(c))
    }

    fn spaces(&self, mut i: usize) -> usize {
        while self.at(i) == Some(b' ') {
            i += 1;
        }
        i
    }

    /// The line break at or after `i`, or the end of the text.
    fn eol(&self, i: usize) -> usize {
        let rest = &self.b[i.min(self.len())..];
        memchr::memchr2(b'\n', b'\r', rest).map_or(self.len(), |p| i + p)
    }

    /// The start of the line after the break at `i` (`i` at a break or at the end).
    fn after_break(&self, i: usize) -> usize {
        match self.at(i) {
            Some(b'\r') => i + 2,
            Some(b'\n') => i + 1,
            _ => self.len(),
        }
    }

    fn next_line(&self, i: usize) -> usize {
        self.after_break(self.eol(i))
    }

    /// From a line start, skip blank and comment lines: the start of the next line with content,
    /// or the end of the text.
    fn content_line(&self, mut p: usize) -> usize {
        loop {
            let c = self.spaces(p);
            match self.at(c) {
                None => return self.len(),
                Some(b'#') => p = self.next_line(c),
                Some(x) if is_break(x) => p = self.after_break(c),
                Some(_) => return p,
            }
        }
    }

    /// `---` or `...` (per `ch`) at `p` followed by a blank.
    fn doc_marker(&self, p: usize, ch: u8) -> bool {
        self.b.get(p..p + 3) == Some(&[ch, ch, ch][..]) && self.blank(p + 3)
    }

    /// After a node: blanks, an optional comment, then the line break or the end of the text.
    /// The start of the next line.
    fn end_of_line(&self, p: usize) -> Option<usize> {
        let s = self.spaces(p);
        match self.at(s) {
            None => Some(self.len()),
            Some(c) if is_break(c) => Some(self.after_break(s)),
            Some(b'#') if s > 0 && self.b[s - 1] == b' ' => Some(self.next_line(s)),
            _ => None,
        }
    }

    fn enter(&mut self) -> Option<()> {
        self.depth += 1;
        (self.depth <= DEPTH_LIMIT).then_some(())
    }

    fn stream(&mut self) -> Option<Vec<Document>> {
        let len = self.len();
        let mut docs = Vec::new();
        // A byte-order mark is skipped; columns count after it.
        let mut p = if self.b.starts_with("\u{feff}".as_bytes()) {
            3
        } else {
            0
        };
        loop {
            p = self.content_line(p);
            if p >= len {
                break;
            }
            if self.doc_marker(p, b'.') {
                // `...` ends the document before it (or nothing).
                p = self.end_of_line(p + 3)?;
                continue;
            }
            if self.doc_marker(p, b'-') {
                let marker_end = p + 3;
                p = self.content_line(self.end_of_line(marker_end)?);
                if p >= len || self.doc_marker(p, b'-') || self.doc_marker(p, b'.') {
                    docs.push(Document {
                        root: Some(empty(marker_end)),
                        ..Document::default()
                    });
                    continue;
                }
            }
            // The root starts at the first column (a root scalar or `...` are left to the other
            // path).
            if self.b[p] == b' ' || self.doc_marker(p, b'.') {
                return None;
            }
            let (root, q) = self.block_node(p, p, -1)?;
            docs.push(Document {
                root: Some(root),
                ..Document::default()
            });
            p = self.content_line(q);
            if p < len && !self.doc_marker(p, b'-') && !self.doc_marker(p, b'.') {
                return None;
            }
        }
        Some(docs)
    }

    /// A node whose first character is the first non-blank of its line (`line` starts the line,
    /// `c` is that character), inside a collection indented by `parent` columns.
    fn block_node(&mut self, line: usize, c: usize, parent: isize) -> Option<(Node, usize)> {
        let col = c - line;
        match self.b[c] {
            b'-' if self.blank(c + 1) => self.block_seq(c, col, false),
            b'|' | b'>' => None,
            _ => match self.inline(c, parent)? {
                Inline::Key(key, colon) => self.block_map(key, colon, col),
                Inline::Scalar(..) if parent < 0 => None,
                Inline::Scalar(node, q) => Some((node, q)),
            },
        }
    }

    /// A mapping at column `col` whose first key has been read.
    fn block_map(&mut self, first: Node, colon: usize, col: usize) -> Option<(Node, usize)> {
        self.enter()?;
        let start = first.span.start;
        let mut entries = Vec::new();
        let (mut key, mut colon) = (first, colon);
        let next = loop {
            let (value, q) = self.map_value(colon, col)?;
            entries.push(Entry { key, value });
            let c = match self.block_next(q, col)? {
                Ok((_, c)) => c,
                Err(p) => break p,
            };
            match self.inline(c, col as isize)? {
                Inline::Key(k, cp) => (key, colon) = (k, cp),
                Inline::Scalar(..) => return None,
            }
        };
        self.depth -= 1;
        let end = entries.last().map_or(start, |e| e.value.span.end);
        Some((
            Node {
                span: start..end,
                kind: NodeKind::Map(entries),
            },
            next,
        ))
    }

    /// Where a block collection at indentation `col` goes on after an entry or item that ended
    /// at `q`: `Ok((p, c))` for the next content line at `p`, its content at column `col` from
    /// `c`; `Err(p)` where the collection ends (a line indented less, a document marker, the
    /// end of the text); `None` for a line indented deeper (given up).
    fn block_next(&self, q: usize, col: usize) -> Option<Result<(usize, usize), usize>> {
        let p = self.content_line(q);
        if p >= self.len() {
            return Some(Err(p));
        }
        let c = self.spaces(p);
        let ind = c - p;
        if ind < col || (ind == 0 && (self.doc_marker(p, b'-') || self.doc_marker(p, b'.'))) {
            return Some(Err(p));
        }
        if ind > col {
            return None;
        }
        Some(Ok((p, c)))
    }

    /// The value after the colon at `colon` of a key of the mapping at column `col`.
    fn map_value(&mut self, colon: usize, col: usize) -> Option<(Node, usize)> {
        let len = self.len();
        let s = self.spaces(colon + 1);
        let rest = self.at(s);
        if rest.is_none_or(|c| is_break(c) || c == b'#') {
            // Nothing on the line: the value is on the lines below, or empty.
            let q = self.content_line(self.next_line(s));
            if q >= len {
                return Some((empty(colon), q));
            }
            let c = self.spaces(q);
            let ind = c - q;
            if ind > col {
                return self.block_node(q, c, col as isize);
            }
            if ind == col && self.b[c] == b'-' && self.blank(c + 1) {
                return self.block_seq(c, col, true);
            }
            return Some((empty(colon), q));
        }
        match self.b[s] {
            b'|' | b'>' => self.block_scalar(s, col as isize),
            b'-' if self.blank(s + 1) => None,
            _ => match self.inline(s, col as isize)? {
                Inline::Key(..) => None,
                Inline::Scalar(node, q) => Some((node, q)),
            },
        }
    }

    /// A block sequence whose first `-` is at `dash`, in column `col`. `indentless`: the value
    /// of a mapping key at the mapping's own indentation.
    fn block_seq(&mut self, dash: usize, col: usize, indentless: bool) -> Option<(Node, usize)> {
        self.enter()?;
        let len = self.len();
        let mut items = Vec::new();
        let mut start = None;
        let mut d = dash;
        let next = loop {
            let s = self.spaces(d + 1);
            let mark = if self.at(s) == Some(b'#') {
                self.eol(s)
            } else {
                s
            };
            start.get_or_insert(if indentless { mark } else { d });
            let (node, q) = if self.at(mark).is_none_or(is_break) {
                let q = self.content_line(self.after_break(mark));
                if q < len && self.spaces(q) - q > col {
                    let c = self.spaces(q);
                    self.block_node(q, c, col as isize)?
                } else {
                    (empty(mark), q)
                }
            } else {
                let scol = col + (s - d);
                match self.b[s] {
                    b'-' if self.blank(s + 1) => self.block_seq(s, scol, false)?,
                    b'|' | b'>' => self.block_scalar(s, col as isize)?,
                    _ => match self.inline(s, col as isize)? {
                        Inline::Key(key, colon) => self.block_map(key, colon, scol)?,
                        Inline::Scalar(node, q) => (node, q),
                    },
                }
            };
            items.push(node);
            let (p, c) = match self.block_next(q, col)? {
                Ok(at) => at,
                Err(p) => break p,
            };
            if self.b[c] == b'-' && self.blank(c + 1) {
                d = c;
            } else if indentless {
                break p;
            } else {
                return None;
            }
        };
        self.depth -= 1;
        let start = start.unwrap_or(dash);
        let end = items.last().map_or(start, |n| n.span.end);
        Some((
            Node {
                span: start..end,
                kind: NodeKind::Seq(items),
            },
            next,
        ))
    }

    /// A key or a scalar starting at `s` (not `-`/`|`/`>` as a block indicator), inside a
    /// collection indented by `parent` columns (continuation lines must be indented deeper).
    fn inline(&mut self, s: usize, parent: isize) -> Option<Inline> {
        let c = self.b[s];
        match c {
            b'"' | b'\'' => {
                let (node, end, multiline) = self.quoted(s, parent, true)?;
                let a = self.spaces(end);
                if self.at(a) == Some(b':') && self.blank(a + 1) {
                    if multiline || end - s > KEY_LIMIT {
                        return None;
                    }
                    return Some(Inline::Key(node, a));
                }
                let q = self.end_of_line(end)?;
                Some(Inline::Scalar(node, q))
            }
            b'[' | b'{' => {
                let (node, end) = self.flow(s)?;
                if self.at(self.spaces(end)) == Some(b':') {
                    return None;
                }
                let q = self.end_of_line(end)?;
                Some(Inline::Scalar(node, q))
            }
            b'-' | b'?' | b':' if self.blank(s + 1) => None,
            c if is_indicator(c) => None,
            _ => self.plain(s, parent),
        }
    }

    /// One line of a plain scalar from `s`: the end of its text and how it stopped.
    fn plain_line(&self, s: usize) -> (usize, Stop) {
        let b = self.b;
        let mut i = s;
        let mut last = s;
        while i < b.len() {
            match b[i] {
                b'\n' | b'\r' => return (last, Stop::Eol(i)),
                b' ' => {}
                b'#' if i > s && b[i - 1] == b' ' => return (last, Stop::Comment),
                b':' if self.blank(i + 1) => return (last, Stop::Colon(i)),
                _ => last = i + 1,
            }
            i += 1;
        }
        (last, Stop::Eol(b.len()))
    }

    /// A plain scalar (or key) starting at `s`; continuation lines must be indented deeper than
    /// `parent`.
    fn plain(&mut self, s: usize, parent: isize) -> Option<Inline> {
        let len = self.len();
        let (mut end, stop) = self.plain_line(s);
        let mut e = match stop {
            Stop::Colon(colon) => {
                if end - s > KEY_LIMIT {
                    return None;
                }
                let key = scalar(s..end, self.t[s..end].to_string(), ScalarStyle::Plain);
                return Some(Inline::Key(key, colon));
            }
            Stop::Comment => {
                let node = scalar(s..end, self.t[s..end].to_string(), ScalarStyle::Plain);
                return Some(Inline::Scalar(node, self.next_line(end)));
            }
            Stop::Eol(e) => e,
        };
        let mut value: Option<String> = None;
        let next = loop {
            if e >= len {
                break len;
            }
            // `e` is a line break: look for a continuation line.
            let after = self.after_break(e);
            let mut nl = after;
            let mut empties = 0usize;
            let c = loop {
                let c = self.spaces(nl);
                match self.at(c) {
                    Some(x) if is_break(x) => {
                        empties += 1;
                        nl = self.after_break(c);
                    }
                    _ => break c,
                }
            };
            let Some(first) = self.at(c) else {
                break after;
            };
            if ((c - nl) as isize) <= parent || first == b'#' {
                break after;
            }
            if first == b':' && self.blank(c + 1) {
                return None;
            }
            let (lend, stop) = self.plain_line(c);
            let v = value.get_or_insert_with(|| self.t[s..end].to_string());
            if empties == 0 {
                v.push(' ');
            } else {
                v.extend(std::iter::repeat_n('\n', empties));
            }
            v.push_str(&self.t[c..lend]);
            end = lend;
            match stop {
                Stop::Colon(_) => return None,
                Stop::Comment => break self.next_line(lend),
                Stop::Eol(x) => e = x,
            }
        };
        let value = value.unwrap_or_else(|| self.t[s..end].to_string());
        Some(Inline::Scalar(
            scalar(s..end, value, ScalarStyle::Plain),
            next,
        ))
    }

    /// A quoted scalar at `s`: the node, the offset after the closing quote, and whether it
    /// spans lines (only when `multiline` allows; continuation lines indented deeper than
    /// `parent`).
    fn quoted(&self, s: usize, parent: isize, multiline: bool) -> Option<(Node, usize, bool)> {
        let b = self.b;
        let len = b.len();
        let q = b[s];
        let double = q == b'"';
        let mut out = String::new();
        // `out` keeps its bytes below `keep` when a line break trims trailing spaces.
        let mut keep = 0usize;
        let mut seg = s + 1;
        let mut i = s + 1;
        let mut spans_lines = false;
        loop {
            let c = *b.get(i)?;
            if c == q {
                if !double && b.get(i + 1) == Some(&b'\'') {
                    out.push_str(&self.t[seg..=i]);
                    keep = out.len();
                    i += 2;
                    seg = i;
                    continue;
                }
                out.push_str(&self.t[seg..i]);
                i += 1;
                break;
            }
            if is_break(c) || (double && c == b'\\') {
                out.push_str(&self.t[seg..i]);
                let escaped_break =
                    double && c == b'\\' && b.get(i + 1).is_some_and(|&n| is_break(n));
                if c == b'\\' && !escaped_break {
                    let (ch, n) = escape(&b[i + 1..])?;
                    out.push(ch);
                    keep = out.len();
                    i += 1 + n;
                    seg = i;
                    continue;
                }
                if !multiline {
                    return None;
                }
                spans_lines = true;
                let brk = if escaped_break {
                    i + 1
                } else {
                    let trimmed = out.trim_end_matches(' ').len().max(keep);
                    out.truncate(trimmed);
                    i
                };
                // Empty lines, then the continuation line's indentation.
                let mut nl = self.after_break(brk);
                let mut empties = 0usize;
                let c2 = loop {
                    let c2 = self.spaces(nl);
                    match b.get(c2) {
                        None => return None,
                        Some(&x) if is_break(x) => {
                            empties += 1;
                            nl = self.after_break(c2);
                        }
                        Some(_) => break c2,
                    }
                };
                let ind = c2 - nl;
                if ind == 0 || (ind as isize) <= parent {
                    return None;
                }
                if empties > 0 {
                    out.extend(std::iter::repeat_n('\n', empties));
                } else if !escaped_break {
                    out.push(' ');
                }
                keep = out.len();
                i = c2;
                seg = i;
                continue;
            }
            i += 1;
        }
        if i > len {
            return None;
        }
        let style = if double {
            ScalarStyle::DoubleQuoted
        } else {
            ScalarStyle::SingleQuoted
        };
        Some((scalar(s..i, out, style), i, spans_lines))
    }

    /// A block scalar whose header (`|` or `>`) is at `s`, inside a collection indented by
    /// `parent` columns.
    fn block_scalar(&mut self, s: usize, parent: isize) -> Option<(Node, usize)> {
        let len = self.len();
        let literal = self.b[s] == b'|';
        let mut i = s + 1;
        let chomp = match self.at(i) {
            Some(b'-') => Chomp::Strip,
            Some(b'+') => Chomp::Keep,
            _ => Chomp::Clip,
        };
        if chomp != Chomp::Clip {
            i += 1;
        }
        if !self.blank(i) {
            return None;
        }
        let mut p = self.end_of_line(i)?;
        // Leading empty lines.
        let mut leading = 0usize;
        let mut lead_max = 0usize;
        let c = loop {
            let c = self.spaces(p);
            match self.at(c) {
                None if c > p => return None,
                Some(x) if is_break(x) => {
                    leading += 1;
                    lead_max = lead_max.max(c - p);
                    p = self.after_break(c);
                }
                _ => break c,
            }
        };
        let ci = c - p;
        let style = if literal {
            ScalarStyle::Literal
        } else {
            ScalarStyle::Folded
        };
        if c >= len || (ci as isize) <= parent {
            // No content: an empty scalar where the next node starts (from the header when the
            // text ends first).
            let value = if chomp == Chomp::Keep {
                "\n".repeat(leading)
            } else {
                String::new()
            };
            let span = if c >= len { s..len } else { c..c };
            return Some((scalar(span, value, style), p));
        }
        if lead_max > ci {
            // A leading blank line longer than the indentation: an error there.
            return None;
        }
        let start = c;
        let mut out = String::new();
        out.extend(std::iter::repeat_n('\n', leading));
        let mut prev_spaced = false;
        let mut first = true;
        let mut empties = 0usize;
        let (end, next) = loop {
            // `p` starts a content line indented at least `ci`.
            let text_start = p + ci;
            let e = self.eol(text_start);
            let text = &self.t[text_start..e];
            let spaced = text.starts_with(' ');
            if !first {
                if literal || prev_spaced || spaced {
                    out.extend(std::iter::repeat_n('\n', empties + 1));
                } else if empties == 0 {
                    out.push(' ');
                } else {
                    out.extend(std::iter::repeat_n('\n', empties));
                }
            }
            out.push_str(text);
            first = false;
            prev_spaced = spaced;
            empties = 0;
            if e >= len {
                break (len, len);
            }
            p = self.after_break(e);
            // Empty lines, then the next content line or the end of the scalar. A blank line
            // indented deeper than the content is content (its extra spaces).
            let done = loop {
                let c = self.spaces(p);
                match self.at(c) {
                    _ if c - p > ci => break None,
                    None => break Some((len, len)),
                    Some(x) if is_break(x) => {
                        empties += 1;
                        p = self.after_break(c);
                    }
                    Some(_) if c - p >= ci => break None,
                    Some(_) => break Some((c, p)),
                }
            };
            if let Some(d) = done {
                break d;
            }
        };
        match chomp {
            Chomp::Strip => {}
            Chomp::Clip => out.push('\n'),
            Chomp::Keep => out.extend(std::iter::repeat_n('\n', empties + 1)),
        }
        Some((scalar(start..end, out, style), next))
    }

    /// A one-line flow collection of scalars at `s` (`[` or `{`): the node and the offset after
    /// its closing bracket.
    fn flow(&mut self, s: usize) -> Option<(Node, usize)> {
        self.enter()?;
        let seq = self.b[s] == b'[';
        let close = if seq { b']' } else { b'}' };
        let mut i = self.spaces(s + 1);
        let mut items = Vec::new();
        let mut entries = Vec::new();
        let end = if self.at(i) == Some(close) {
            i + 1
        } else {
            loop {
                let (node, j) = self.flow_scalar(i)?;
                let mut j = self.spaces(j);
                if seq {
                    items.push(node);
                } else {
                    if self.at(j) != Some(b':') || self.at(j + 1) != Some(b' ') {
                        return None;
                    }
                    let v = self.spaces(j + 1);
                    let (value, k) = self.flow_scalar(v)?;
                    entries.push(Entry { key: node, value });
                    j = self.spaces(k);
                }
                match self.at(j) {
                    Some(b',') => {
                        i = self.spaces(j + 1);
                        if self.at(i) == Some(close) {
                            return None;
                        }
                    }
                    Some(c) if c == close => break j + 1,
                    _ => return None,
                }
            }
        };
        self.depth -= 1;
        let node = if seq {
            let e = items.last().map_or(end, |n| n.span.end);
            Node {
                span: s..e,
                kind: NodeKind::Seq(items),
            }
        } else {
            let e = entries.last().map_or(end, |en| en.value.span.end);
            Node {
                span: s..e,
                kind: NodeKind::Map(entries),
            }
        };
        Some((node, end))
    }

    /// A scalar inside a one-line flow collection: the node and the offset after it.
    fn flow_scalar(&self, s: usize) -> Option<(Node, usize)> {
        let c = self.at(s)?;
        if c == b'"' || c == b'\'' {
            let (node, end, _) = self.quoted(s, 0, false)?;
            return Some((node, end));
        }
        let safe = |i: usize| {
            self.at(i)
                .is_some_and(|n| !(n == b' ' || is_break(n) || is_flow_indicator(n)))
        };
        if is_indicator(c)
            || is_break(c)
            || c == b' '
            || (matches!(c, b'-' | b'?' | b':') && !safe(s + 1))
        {
            return None;
        }
        let b = self.b;
        let mut i = s;
        let mut last = s;
        while i < b.len() {
            match b[i] {
                b'\n' | b'\r' => return None,
                b' ' => {}
                b'#' if b[i - 1] == b' ' => return None,
                b':' if !safe(i + 1) => break,
                c if is_flow_indicator(c) => break,
                _ => last = i + 1,
            }
            i += 1;
        }
        let node = scalar(s..last, self.t[s..last].to_string(), ScalarStyle::Plain);
        Some((node, last))
    }
}

/// The character of the escape after a backslash (`b` starts after it) and the bytes it takes.
fn escape(b: &[u8]) -> Option<(char, usize)> {
    let hex = |n: usize| -> Option<(char, usize)> {
        let digits = b.get(1..=n)?;
        let mut v = 0u32;
        for &d in digits {
            v = v * 16 + (d as char).to_digit(16)?;
        }
        Some((char::from_u32(v)?, 1 + n))
    };
    let c = match *b.first()? {
        b'0' => '\0',
        b'a' => '\x07',
        b'b' => '\x08',
        b't' => '\t',
        b'n' => '\n',
        b'v' => '\x0b',
        b'f' => '\x0c',
        b'r' => '\r',
        b'e' => '\x1b',
        b' ' => ' ',
        b'"' => '"',
        b'/' => '/',
        b'\\' => '\\',
        b'N' => '\u{85}',
        b'_' => '\u{a0}',
        b'L' => '\u{2028}',
        b'P' => '\u{2029}',
        b'x' => return hex(2),
        b'u' => return hex(4),
        b'U' => return hex(8),
        _ => return None,
    };
    Some((c, 1))
}

#[cfg(test)]
mod tests;
