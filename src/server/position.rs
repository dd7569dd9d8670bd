//! Byte offsets <-> LSP positions. LSP counts a position's `character` in UTF-16 code units unless
//! the client and server agreed on UTF-8 (`positionEncoding`); azplint's spans are byte offsets.

use lsp_types::{Position, Range};

/// How `Position::character` counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
}

/// The start of every line of a text, to convert both ways without scanning from the start.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
    len: usize,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex {
            starts,
            len: text.len(),
        }
    }

    /// The position of a byte offset (clamped to the text, snapped back to a char boundary).
    pub fn position(&self, text: &str, offset: usize, enc: Encoding) -> Position {
        let mut offset = offset.min(self.len).min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.starts[line];
        let prefix = &text[start..offset];
        let character = match enc {
            Encoding::Utf8 => prefix.len(),
            Encoding::Utf16 => prefix.chars().map(char::len_utf16).sum(),
        };
        Position::new(line as u32, character as u32)
    }

    /// The byte offset of a position. A line past the end is the end of the text; a character past
    /// the end of its line is the end of the line (as LSP says); a character inside a UTF-16
    /// surrogate pair or a UTF-8 sequence is the start of that character.
    pub fn offset(&self, text: &str, pos: Position, enc: Encoding) -> usize {
        let Some(&start) = self.starts.get(pos.line as usize) else {
            return text.len();
        };
        let end = self
            .starts
            .get(pos.line as usize + 1)
            .map(|e| e - 1)
            .unwrap_or(text.len())
            .min(text.len());
        let line = &text[start.min(end)..end];
        // The line break (`\r\n` too) is not part of the line's characters.
        let line = line.strip_suffix('\r').unwrap_or(line);
        let want = pos.character as usize;
        let mut units = 0;
        for (i, c) in line.char_indices() {
            if units >= want {
                return start + i;
            }
            units += match enc {
                Encoding::Utf8 => c.len_utf8(),
                Encoding::Utf16 => c.len_utf16(),
            };
            if units > want {
                return start + i;
            }
        }
        start + line.len()
    }

    pub fn range(&self, text: &str, span: std::ops::Range<usize>, enc: Encoding) -> Range {
        Range::new(
            self.position(text, span.start, enc),
            self.position(text, span.end.max(span.start), enc),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_counts_surrogate_pairs_and_non_ascii() {
        // "é" is 2 bytes, 1 UTF-16 unit; "😀" is 4 bytes, 2 UTF-16 units.
        let text = "a: é😀x\nb: 1\n";
        let idx = LineIndex::new(text);
        let x = text.find('x').unwrap();
        assert_eq!(x, 9);
        assert_eq!(idx.position(text, x, Encoding::Utf16), Position::new(0, 6));
        assert_eq!(idx.position(text, x, Encoding::Utf8), Position::new(0, 9));
        assert_eq!(idx.offset(text, Position::new(0, 6), Encoding::Utf16), x);
        assert_eq!(idx.offset(text, Position::new(0, 9), Encoding::Utf8), x);
        // Inside the surrogate pair: the start of the emoji.
        assert_eq!(idx.offset(text, Position::new(0, 5), Encoding::Utf16), 5);
        // Second line.
        let b = text.find('b').unwrap();
        assert_eq!(idx.position(text, b, Encoding::Utf16), Position::new(1, 0));
        assert_eq!(
            idx.offset(text, Position::new(1, 3), Encoding::Utf16),
            b + 3
        );
    }

    #[test]
    fn out_of_range_positions_clamp() {
        let text = "ab\r\ncd";
        let idx = LineIndex::new(text);
        // Past the end of a line: its end, before the `\r\n`.
        assert_eq!(idx.offset(text, Position::new(0, 99), Encoding::Utf16), 2);
        // Past the last line: the end of the text.
        assert_eq!(idx.offset(text, Position::new(9, 0), Encoding::Utf16), 6);
        assert_eq!(
            idx.position(text, 999, Encoding::Utf16),
            Position::new(1, 2)
        );
        // Inside a character: snapped back.
        let t = "é";
        let i = LineIndex::new(t);
        assert_eq!(i.position(t, 1, Encoding::Utf16), Position::new(0, 0));
    }

    #[test]
    fn round_trips_every_char_boundary() {
        let text = "- task: Été@1 # ✓ 𝄞\n  inputs:\n    a: \"ö\"\n";
        let idx = LineIndex::new(text);
        for enc in [Encoding::Utf8, Encoding::Utf16] {
            for (i, _) in text.char_indices() {
                let p = idx.position(text, i, enc);
                assert_eq!(idx.offset(text, p, enc), i, "{enc:?} at {i}");
            }
        }
    }
}
