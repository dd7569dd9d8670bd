//! The one diagnostic type that flows from rules to every reporter.

use crate::yaml::Span;
use serde::Serialize;
use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Note,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A secondary location in the same file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Stable kebab-case rule id.
    pub rule: &'static str,
    pub severity: Severity,
    /// What is wrong, in the user's terms.
    pub message: String,
    /// Where: the primary span and what it points at.
    pub span: Span,
    pub label: String,
    /// Further located labels in the same file.
    pub labels: Vec<Label>,
    /// The concrete fix.
    pub help: Option<String>,
    /// Why it matters, and what the pipeline would print.
    pub note: Option<String>,
    /// For a finding in a template: the include chain that reaches it, outermost first, as
    /// `path:line` of each `template:` reference.
    pub included_from: Vec<String>,
    /// How to fix it in place, when azplint knows (`check --fix`, the server's code actions).
    pub fix: Option<Fix>,
}

/// How safe a fix is to apply without review (as ruff defines it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Applicability {
    /// Shown as a suggestion, never applied: what it changes can't be done mechanically.
    DisplayOnly,
    /// What a careful person would do, but what the pipeline does may change: `--unsafe-fixes`.
    Unsafe,
    /// Keeps what the pipeline does and only removes the problem: `--fix`.
    Safe,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::DisplayOnly => "display-only",
            Applicability::Unsafe => "unsafe",
            Applicability::Safe => "safe",
        }
    }
}

/// One replacement in the file of the diagnostic: the bytes of `range` become `text`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Edit {
    pub range: Span,
    pub text: String,
}

impl Edit {
    pub fn replace(range: Span, text: impl Into<String>) -> Self {
        Edit {
            range,
            text: text.into(),
        }
    }
    pub fn insert(at: usize, text: impl Into<String>) -> Self {
        Edit::replace(at..at, text)
    }
    pub fn delete(range: Span) -> Self {
        Edit::replace(range, "")
    }
}

/// A fix: what it does, how safe it is, and its edits (in the diagnostic's file; they never
/// overlap).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    /// What the fix does, imperative ("use `AzureFileCopy@6`").
    pub message: String,
    pub applicability: Applicability,
    pub edits: Vec<Edit>,
}

impl Fix {
    pub fn new(applicability: Applicability, message: impl Into<String>, edits: Vec<Edit>) -> Self {
        let mut edits = edits;
        edits.sort_by_key(|e| (e.range.start, e.range.end));
        Fix {
            message: message.into(),
            applicability,
            edits,
        }
    }
    pub fn safe(message: impl Into<String>, edits: Vec<Edit>) -> Self {
        Fix::new(Applicability::Safe, message, edits)
    }
    pub fn unsafe_(message: impl Into<String>, edits: Vec<Edit>) -> Self {
        Fix::new(Applicability::Unsafe, message, edits)
    }
    pub fn display_only(message: impl Into<String>) -> Self {
        Fix::new(Applicability::DisplayOnly, message, Vec::new())
    }
    /// The bytes the fix touches, first to last.
    pub fn range(&self) -> Option<Span> {
        let start = self.edits.iter().map(|e| e.range.start).min()?;
        let end = self.edits.iter().map(|e| e.range.end).max()?;
        Some(start..end)
    }
}

impl Diagnostic {
    pub fn new(
        rule: &'static str,
        severity: Severity,
        span: Span,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            rule,
            severity,
            message: message.into(),
            span,
            label: String::new(),
            labels: Vec::new(),
            help: None,
            note: None,
            included_from: Vec::new(),
            fix: None,
        }
    }

    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }

    pub fn with_label(mut self, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    /// Move the primary location, with its label.
    pub fn at(mut self, span: Span, label: impl Into<String>) -> Self {
        self.span = span;
        self.label = label.into();
        self
    }

    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into());
        self
    }

    pub fn fix(mut self, fix: Fix) -> Self {
        self.fix = Some(fix);
        self
    }
}

/// One linted file and what was found in it.
#[derive(Debug)]
pub struct FileResult {
    pub source: crate::source::Source,
    pub diagnostics: Vec<Diagnostic>,
}

#[derive(Debug, Default)]
pub struct Report {
    /// Files linted, in path order; only files with diagnostics need be looked at.
    pub files: Vec<FileResult>,
}

impl Report {
    pub fn count(&self, severity: Severity) -> usize {
        self.diagnostics()
            .filter(|(_, d)| d.severity == severity)
            .count()
    }

    pub fn diagnostics(&self) -> impl Iterator<Item = (&crate::source::Source, &Diagnostic)> {
        self.files
            .iter()
            .flat_map(|f| f.diagnostics.iter().map(move |d| (&f.source, d)))
    }
}
