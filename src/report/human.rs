//! The human format: miette's graphical report with the file, snippet, labels, help and note.

use crate::diagnostic::Report;
use crate::diagnostic::{Diagnostic, Severity};
use crate::source::Source;
use miette::{
    GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteError, MietteSpanContents,
    SourceCode, SourceSpan, SpanContents,
};
use std::fmt;

/// A source under the name shown to the user, borrowed for rendering.
struct Named<'a>(&'a Source);

impl SourceCode for Named<'_> {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        // miette's own `str` implementation walks the text from its start for every snippet,
        // which is quadratic for a file with many findings; the line index finds the lines.
        let text = self.0.text.as_str();
        let start = span.offset();
        let end = start + span.len();
        if end > text.len() {
            return Err(MietteError::OutOfBounds);
        }
        let (range, first_line, column, line_count) = self.0.context(start..end, before, after);
        Ok(Box::new(MietteSpanContents::new_named(
            self.0.display.clone(),
            &text.as_bytes()[range.clone()],
            SourceSpan::from(range.start..range.end),
            first_line,
            column,
            line_count,
        )))
    }
}

struct Rendered<'a> {
    d: &'a Diagnostic,
    src: Named<'a>,
    help: Option<String>,
}

impl fmt::Debug for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.d.message)
    }
}

impl fmt::Display for Rendered<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.d.message)
    }
}

impl std::error::Error for Rendered<'_> {}

impl miette::Diagnostic for Rendered<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(self.d.rule))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.d.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Note => miette::Severity::Advice,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        if self.src.0.text.is_empty() {
            None
        } else {
            Some(&self.src)
        }
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.src.0.text.is_empty() {
            return None;
        }
        let span = |s: &std::ops::Range<usize>| SourceSpan::from(s.start..s.end);
        let primary = LabeledSpan::new_primary_with_span(
            (!self.d.label.is_empty()).then(|| self.d.label.clone()),
            span(&self.d.span),
        );
        let rest = self
            .d
            .labels
            .iter()
            .map(move |l| LabeledSpan::new_with_span(Some(l.message.clone()), span(&l.span)));
        Some(Box::new(std::iter::once(primary).chain(rest)))
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Style {
    pub color: bool,
    pub width: usize,
}

/// Render one diagnostic.
pub fn render_one(src: &Source, d: &Diagnostic, style: Style) -> String {
    let theme = if style.color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(style.width)
        .with_links(false)
        .with_context_lines(1);
    let r = Rendered {
        d,
        src: Named(src),
        help: d.help.clone(),
    };
    let mut out = String::new();
    if handler.render_report(&mut out, &r).is_err() {
        let lc = src.line_col(d.span.start);
        out = format!(
            "{}:{}:{}: {}[{}]: {}\n",
            src.display, lc.line, lc.column, d.severity, d.rule, d.message
        );
    }
    // miette has no fix or note section: the fix (`[*]` when `--fix` applies it) follows the
    // help, then the note (why it matters), aligned with it, then the include chain of a finding
    // inside a template.
    let chain = (!d.included_from.is_empty())
        .then(|| format!("included from {}", d.included_from.join(" → ")));
    let fix = d.fix.as_ref().map(|f| match f.applicability {
        crate::diagnostic::Applicability::Safe => format!("[*] {} (`--fix`)", f.message),
        crate::diagnostic::Applicability::Unsafe => {
            format!("{} (`--fix --unsafe-fixes`; review it)", f.message)
        }
        crate::diagnostic::Applicability::DisplayOnly => f.message.clone(),
    });
    for (head, text) in [
        ("   fix: ", fix.as_ref()),
        ("  note: ", d.note.as_ref()),
        ("  info: ", chain.as_ref()),
    ] {
        let Some(note) = text else { continue };
        let opts = textwrap::Options::new(style.width.saturating_sub(2).max(40))
            .initial_indent(head)
            .subsequent_indent("        ");
        for line in textwrap::wrap(note, opts) {
            out.push_str(&line);
            out.push('\n');
        }
    }
    out
}

/// Render every diagnostic of the report.
pub fn render(report: &Report, style: Style) -> String {
    let mut out = String::new();
    for (src, d) in report.diagnostics() {
        out.push_str(&render_one(src, d, style));
        out.push('\n');
    }
    out
}
