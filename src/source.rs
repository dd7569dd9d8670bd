//! A file's text, the path it is shown under, and a line index for byte offsets.

use std::ops::Range;
use std::path::PathBuf;

/// Files larger than this are not linted (no pipeline comes close).
pub const MAX_FILE_BYTES: u64 = 10 * 1024 * 1024;

/// One input file, decoded as UTF-8 with any byte-order mark removed.
#[derive(Debug, Clone)]
pub struct Source {
    /// The path as shown to the user (relative to the working directory when the user wrote it so).
    pub display: String,
    /// Where the file lives on disk, when it came from disk.
    pub fs_path: Option<PathBuf>,
    pub text: String,
    line_starts: Vec<usize>,
}

/// The largest char boundary of `text` at or before `offset` (clamped to the text).
pub fn floor_char_boundary(text: &str, offset: usize) -> usize {
    let mut at = offset.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// A 1-based line and column; the column counts characters, not bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct LineCol {
    pub line: usize,
    pub column: usize,
}

impl Source {
    pub fn new(display: impl Into<String>, fs_path: Option<PathBuf>, mut text: String) -> Self {
        if text.starts_with('\u{feff}') {
            text.drain(..'\u{feff}'.len_utf8());
        }
        let mut line_starts = vec![0];
        line_starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
        Source {
            display: display.into(),
            fs_path,
            text,
            line_starts,
        }
    }

    /// Line and column of a byte offset (clamped to the text, snapped to a char boundary).
    pub fn line_col(&self, offset: usize) -> LineCol {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = match self.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.line_starts[line];
        let column = self.text[start..offset].chars().count() + 1;
        LineCol {
            line: line + 1,
            column,
        }
    }

    /// The text of the 1-based line `line`, without its line break.
    pub fn line_text(&self, line: usize) -> &str {
        let Some(&start) = self.line_starts.get(line.wrapping_sub(1)) else {
            return "";
        };
        let end = self
            .line_starts
            .get(line)
            .map(|e| e - 1)
            .unwrap_or(self.text.len());
        self.text[start..end].trim_end_matches('\r')
    }

    /// Byte range of the 1-based line `line` (without the line break).
    pub fn line_range(&self, line: usize) -> Range<usize> {
        let Some(&start) = self.line_starts.get(line.wrapping_sub(1)) else {
            return self.text.len()..self.text.len();
        };
        let text = self.line_text(line);
        start..start + text.len()
    }

    /// The text around `span` for a snippet, as miette reads it: from the start of the line
    /// `before` lines above the span (from the span itself when `before` is 0) to the end of the
    /// line `after` lines below it (to the span's end when `after` is 0). Returns that byte range,
    /// the 0-based line and byte column where it starts, and the number of lines up to its end. Uses the
    /// line index: no scan from the start of the text.
    pub fn context(
        &self,
        span: Range<usize>,
        before: usize,
        after: usize,
    ) -> (Range<usize>, usize, usize, usize) {
        let len = self.text.len();
        let line_of = |offset: usize| match self.line_starts.binary_search(&offset.min(len)) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let span_line = line_of(span.start);
        let (start, first, column) = if before == 0 {
            (
                span.start.min(len),
                span_line,
                span.start.min(len) - self.line_starts[span_line],
            )
        } else {
            let first = span_line.saturating_sub(before);
            (self.line_starts[first], first, 0)
        };
        let last_offset = if span.end > span.start {
            span.end - 1
        } else {
            span.start
        };
        let last_line = line_of(last_offset);
        let end = if after == 0 {
            span.end.min(len).max(start)
        } else {
            let last = (last_line + after).min(self.line_starts.len() - 1);
            // Through the line break of the last line, as miette's reader does.
            self.line_starts
                .get(last + 1)
                .copied()
                .unwrap_or(len)
                .clamp(start, len)
        };
        // Like miette's own reader, count the lines from the start of the text to the end of the
        // snippet: miette merges two labels' snippets by comparing `line + line_count`.
        let lines = line_of(end.max(start)) + 1;
        (start..end, first, column, lines)
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_chars_and_strips_bom() {
        let s = Source::new("a.yml", None, "\u{feff}ab\r\nçé: x\n".to_string());
        assert_eq!(s.text, "ab\r\nçé: x\n");
        assert_eq!(s.line_col(0), LineCol { line: 1, column: 1 });
        assert_eq!(s.line_col(4), LineCol { line: 2, column: 1 });
        // "çé" is 4 bytes; ':' is at byte 8, the third character.
        assert_eq!(s.line_col(8), LineCol { line: 2, column: 3 });
        assert_eq!(s.line_text(1), "ab");
        assert_eq!(s.line_text(2), "çé: x");
        assert_eq!(s.line_col(1000).line, 3);
    }
}
