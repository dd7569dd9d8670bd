//! A file's text, the path it is shown under, and a line index for byte offsets.

use std::ops::Range;
use std::path::PathBuf;

/// One input file, decoded as UTF-8 with any byte-order mark removed.
#[derive(Debug)]
pub struct Source {
    /// The path as shown to the user (relative to the working directory when the user wrote it so).
    pub display: String,
    /// Where the file lives on disk, when it came from disk.
    pub fs_path: Option<PathBuf>,
    pub text: String,
    line_starts: Vec<usize>,
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
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
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
