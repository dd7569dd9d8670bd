//! Code actions: the fixes diagnostics carry (quick fixes; safe ones preferred, display-only ones
//! never offered as edits), "suppress this rule on this line", and "fix all safe" for the file.

use super::diagnostics::{offset, range, to_lsp};
use super::position::Encoding;
use super::{FileLint, Server};
use azplint::diagnostic::{Applicability, Diagnostic, Fix};
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams, TextEdit, Url, WorkspaceEdit,
};
use std::collections::HashMap;

/// The kind of "fix all safe fixes in this file" (editors run it on save with
/// `source.fixAll`).
pub const FIX_ALL: &str = "source.fixAll.azplint";

/// The most passes of "fix all": each applies the safe fixes left after the last one.
const FIX_ALL_PASSES: usize = 5;

pub fn code_actions(server: &mut Server, p: CodeActionParams) -> Vec<CodeActionOrCommand> {
    let uri = p.text_document.uri;
    let enc = server.enc;
    let wants = |kind: &CodeActionKind| match &p.context.only {
        None => true,
        Some(only) => only.iter().any(|o| {
            kind.as_str() == o.as_str() || kind.as_str().starts_with(&format!("{}.", o.as_str()))
        }),
    };
    let mut out = Vec::new();
    let Some(lint) = server.results.get(&uri) else {
        return out;
    };
    let start = offset(lint, p.range.start, enc);
    let end = offset(lint, p.range.end, enc).max(start);
    if wants(&CodeActionKind::QUICKFIX) {
        for d in &lint.diagnostics {
            // The diagnostics the range touches (an empty range at either end counts).
            if d.span.start > end || d.span.end.max(d.span.start) < start {
                continue;
            }
            let diag = to_lsp(lint, &uri, d, enc);
            if let Some(fix) = d
                .fix
                .as_ref()
                .filter(|f| f.applicability != Applicability::DisplayOnly && !f.edits.is_empty())
            {
                let title = match fix.applicability {
                    Applicability::Unsafe => format!("{} (unsafe: review it)", fix.message),
                    _ => fix.message.clone(),
                };
                out.push(CodeActionOrCommand::CodeAction(CodeAction {
                    title,
                    kind: Some(CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![diag.clone()]),
                    edit: Some(edit(&uri, edits(lint, fix, enc))),
                    is_preferred: Some(fix.applicability == Applicability::Safe),
                    ..Default::default()
                }));
            }
            if let Some(e) = suppress(lint, d, enc) {
                out.push(CodeActionOrCommand::CodeAction(CodeAction {
                    title: format!("Suppress `{}` on this line", d.rule),
                    kind: Some(CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![diag]),
                    edit: Some(edit(&uri, vec![e])),
                    ..Default::default()
                }));
            }
        }
    }
    let fix_all = CodeActionKind::new(FIX_ALL);
    if wants(&fix_all) && lint.diagnostics.iter().any(|d| safe(d).is_some()) {
        if let Some(e) = fix_all_edit(server, &uri) {
            out.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: "Fix all safe azplint findings in this file".into(),
                kind: Some(fix_all),
                edit: Some(edit(&uri, vec![e])),
                ..Default::default()
            }));
        }
    }
    out
}

fn edit(uri: &Url, edits: Vec<TextEdit>) -> WorkspaceEdit {
    WorkspaceEdit {
        changes: Some(HashMap::from([(uri.clone(), edits)])),
        ..Default::default()
    }
}

fn edits(lint: &FileLint, fix: &Fix, enc: Encoding) -> Vec<TextEdit> {
    fix.edits
        .iter()
        .map(|e| TextEdit::new(range(lint, e.range.clone(), enc), e.text.clone()))
        .collect()
}

fn safe(d: &Diagnostic) -> Option<&Fix> {
    azplint::fix::applicable(d, azplint::fix::Mode::Safe)
}

/// `# azplint: ignore[rule]` at the end of the diagnostic's line, or the rule added to the
/// suppression comment already there. `None` when that comment already ignores every rule.
fn suppress(lint: &FileLint, d: &Diagnostic, enc: Encoding) -> Option<TextEdit> {
    let source = azplint::source::Source::new("", None, lint.text.clone());
    let line = source.line_col(d.span.start).line;
    let line_range = source.line_range(line);
    let existing = azplint::filter::suppressions(&source)
        .into_iter()
        .find(|s| {
            s.line == Some(line) && s.span.start >= line_range.start && s.span.end <= line_range.end
        });
    if let Some(s) = existing {
        let text = &lint.text[s.span.clone()];
        if s.rules.is_empty() {
            return None; // `# azplint: ignore` already ignores everything on the line
        }
        let close = s.span.start + text.rfind(']')?;
        let at = range(lint, close..close, enc);
        return Some(TextEdit::new(at, format!(", {}", d.rule)));
    }
    let at = range(lint, line_range.end..line_range.end, enc);
    let line_text = &lint.text[line_range.clone()];
    let sep = if line_text.trim().is_empty() {
        ""
    } else {
        "  "
    };
    Some(TextEdit::new(
        at,
        format!("{sep}# azplint: ignore[{}]", d.rule),
    ))
}

/// Apply the safe fixes of the file, lint again, repeat: one edit from the text before to the
/// text after (the smallest replacement that covers every change).
fn fix_all_edit(server: &mut Server, uri: &Url) -> Option<TextEdit> {
    let enc = server.enc;
    let lint = server.results.get(uri)?;
    let original = lint.text.clone();
    let path = lint.path.clone();
    let mut text = original.clone();
    let mut diagnostics = lint.diagnostics.clone();
    let scope = server.scope_of(uri);
    for pass in 0..FIX_ALL_PASSES {
        let fixes: Vec<&Fix> = diagnostics.iter().filter_map(safe).collect();
        if fixes.is_empty() {
            break;
        }
        let applied = azplint::fix::apply(&text, &fixes);
        if applied.applied.is_empty() || applied.text == text {
            break;
        }
        text = applied.text;
        if pass + 1 == FIX_ALL_PASSES {
            break;
        }
        // Lint the fixed text where the file is, with the other buffers as they are.
        let (mut opts, _) = super::diagnostics::options(server, &scope);
        match (&path, &mut opts.stdin) {
            (_, Some((_, bytes))) => *bytes = text.clone().into_bytes(),
            (Some(p), None) => {
                let key = p.canonicalize().unwrap_or(p.clone());
                opts.buffers.insert(key, text.clone());
            }
            (None, None) => break,
        }
        let Ok(report) = azplint::lint(&opts) else {
            break;
        };
        let canonical = path.as_ref().and_then(|p| p.canonicalize().ok());
        let Some(file) = report
            .files
            .into_iter()
            .find(|f| match (&f.source.fs_path, &canonical) {
                (Some(a), Some(b)) => a.canonicalize().ok().as_ref() == Some(b),
                (fs, None) => fs.is_none() || opts.stdin.is_some(),
                _ => false,
            })
        else {
            break;
        };
        if file.source.text != text {
            break; // not the text we gave (should not happen)
        }
        diagnostics = file.diagnostics;
    }
    if text == original {
        return None;
    }
    let lint = server.results.get(uri)?;
    let (start, old_end, new_end) = changed(&original, &text);
    Some(TextEdit::new(
        range(lint, start..old_end, enc),
        text[start..new_end].to_string(),
    ))
}

/// The changed part of two texts: its start, its end in `a` and its end in `b` (on char
/// boundaries).
fn changed(a: &str, b: &str) -> (usize, usize, usize) {
    let mut prefix = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
    while !a.is_char_boundary(prefix) || !b.is_char_boundary(prefix) {
        prefix -= 1;
    }
    let max_suffix = a.len().min(b.len()) - prefix;
    let mut suffix = a
        .bytes()
        .rev()
        .zip(b.bytes().rev())
        .take(max_suffix)
        .take_while(|(x, y)| x == y)
        .count();
    while !a.is_char_boundary(a.len() - suffix) || !b.is_char_boundary(b.len() - suffix) {
        suffix -= 1;
    }
    (prefix, a.len() - suffix, b.len() - suffix)
}

#[cfg(test)]
mod tests {
    use super::changed;

    #[test]
    fn changed_part_is_minimal_and_on_char_boundaries() {
        assert_eq!(changed("abcdef", "abXdef"), (2, 3, 3));
        assert_eq!(changed("abc", "abc"), (3, 3, 3));
        assert_eq!(changed("aé", "aè"), (1, 3, 3));
        assert_eq!(changed("aaa", "aaaa"), (3, 3, 4));
        let (s, e, n) = changed("x\ny\n", "x\n");
        assert_eq!((&"x\ny\n"[s..e], &"x\n"[s..n]), ("y\n", ""));
    }
}

#[cfg(test)]
mod suppress_tests {
    use super::super::position::{Encoding, LineIndex};
    use super::super::FileLint;
    use super::suppress;
    use azplint::diagnostic::{Diagnostic, Severity};

    fn lint(text: &str) -> FileLint {
        FileLint {
            text: text.to_string(),
            index: LineIndex::new(text),
            bom: 0,
            path: None,
            diagnostics: Vec::new(),
        }
    }

    #[test]
    fn suppression_is_appended_or_added_to_the_comment_there() {
        let text = "steps:\n- task: A@1\n- task: B@1 # azplint: ignore[x] why\n- task: C@1 # azplint: ignore\n";
        let l = lint(text);
        let at = |needle: &str| {
            let s = text.find(needle).unwrap();
            Diagnostic::new("unknown-task", Severity::Error, s..s + 3, "m")
        };
        let e = suppress(&l, &at("A@1"), Encoding::Utf16).unwrap();
        assert_eq!(e.new_text, "  # azplint: ignore[unknown-task]");
        assert_eq!((e.range.start.line, e.range.start.character), (1, 11));
        let e = suppress(&l, &at("B@1"), Encoding::Utf16).unwrap();
        assert_eq!(e.new_text, ", unknown-task");
        assert_eq!((e.range.start.line, e.range.start.character), (2, 31));
        // `# azplint: ignore` ignores every rule already.
        assert!(suppress(&l, &at("C@1"), Encoding::Utf16).is_none());
    }
}
