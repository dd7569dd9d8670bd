//! Completion: `Name@Major` after `task:` (latest major first, deprecated ones tagged), input names
//! under `inputs:` of a known task (required first, those already set left out), values of
//! pickList and boolean inputs, and parameter names in a call of a template that declares them.
//!
//! Text being typed often does not parse, so this reads the lines and their indentation around
//! the cursor, the way YAML nests them.

use super::tree::{template_target, At};
use super::Server;
use azplint::catalog::{catalog, Input, TaskVersion};
use lsp_types::{
    CompletionItem, CompletionItemKind, CompletionItemTag, CompletionParams, CompletionResponse,
    CompletionTextEdit, Documentation, MarkupContent, MarkupKind, TextEdit,
};

/// One line of YAML as nesting sees it.
#[derive(Debug, Clone, Copy)]
struct Line<'a> {
    /// Column of the key (after `- ` for a list item).
    col: usize,
    /// Starts a list item (`- key: ...`).
    dash: bool,
    key: Option<&'a str>,
    value: &'a str,
}

fn line(text: &str) -> Option<Line<'_>> {
    let trimmed = text.trim_start();
    if trimmed.is_empty() || trimmed.starts_with('#') {
        return None;
    }
    let mut col = text.len() - trimmed.len();
    let mut rest = trimmed;
    let mut dash = false;
    if let Some(r) = rest.strip_prefix('-') {
        if r.is_empty() || r.starts_with(' ') {
            dash = true;
            let r2 = r.trim_start();
            col += 1 + (r.len() - r2.len());
            rest = r2;
        }
    }
    let (key, value) = match rest.find(':') {
        Some(i) if rest[i + 1..].is_empty() || rest[i + 1..].starts_with(' ') => {
            (Some(rest[..i].trim()), rest[i + 1..].trim())
        }
        _ => (None, rest.trim()),
    };
    let key = key.map(|k| k.trim_matches(|c| c == '"' || c == '\''));
    Some(Line {
        col,
        dash,
        key,
        value,
    })
}

struct Lines<'a> {
    all: Vec<&'a str>,
}

impl<'a> Lines<'a> {
    fn get(&self, i: usize) -> Option<Line<'a>> {
        line(self.all.get(i)?)
    }

    /// The line (index) holding the mapping that a key at column `col` on line `i` belongs to.
    fn parent(&self, i: usize, col: usize) -> Option<usize> {
        (0..i)
            .rev()
            .find(|&j| self.get(j).is_some_and(|l| l.col < col))
    }

    /// The keys already written beside line `row` (at column `col`), that line left out.
    fn keys_set(&self, row: usize, col: usize) -> Vec<&'a str> {
        self.siblings(row, col)
            .into_iter()
            .filter(|(i, _)| *i != row)
            .filter_map(|(_, l)| l.key)
            .collect()
    }

    /// The keys of the mapping whose key `at` line `i` is at column `col`, with their lines.
    fn siblings(&self, i: usize, col: usize) -> Vec<(usize, Line<'a>)> {
        let mut out = Vec::new();
        let here = self.get(i);
        if let Some(l) = here {
            out.push((i, l));
        }
        if !here.is_some_and(|l| l.dash) {
            for j in (0..i).rev() {
                let Some(l) = self.get(j) else { continue };
                if l.col < col {
                    break;
                }
                if l.col == col {
                    out.push((j, l));
                    if l.dash {
                        break;
                    }
                }
            }
        }
        for j in i + 1..self.all.len() {
            let Some(l) = self.get(j) else { continue };
            if l.col < col || (l.col == col && l.dash) {
                break;
            }
            if l.col == col {
                out.push((j, l));
            }
        }
        out
    }
}

pub fn completion(server: &mut Server, p: CompletionParams) -> Option<CompletionResponse> {
    let uri = p.text_document_position.text_document.uri;
    let at = At::new(server, &uri, p.text_document_position.position)?;
    let (start, text) = at.line();
    let col = (at.offset - start).min(text.len());
    let before = &text[..col];
    let lines = Lines {
        all: at
            .text
            .split('\n')
            .map(|l| l.trim_end_matches('\r'))
            .collect(),
    };
    let row = at.text[..start].matches('\n').count();

    // `task: Partial` at the cursor.
    if let Some(l) = line(before) {
        if l.key == Some("task") {
            let partial = l.value;
            let span = at.offset - partial.len()..at.offset + word_after(&text[col..]);
            let range = at.range(server, &uri, span);
            return Some(CompletionResponse::List(lsp_types::CompletionList {
                is_incomplete: false,
                items: tasks(partial, range),
            }));
        }
    }

    // A key being typed (`    Sour`), or the value of one (`    clean: t`).
    let typed = before.trim_start();
    let key_col = before.len() - typed.len();
    let (key, value) = match typed.find(':') {
        Some(i) => (Some(typed[..i].trim()), Some(typed[i + 1..].trim_start())),
        None if typed
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.') =>
        {
            (None, None)
        }
        None => return None,
    };
    let parent = lines.parent(row, key_col.max(1))?;
    let parent_line = lines.get(parent)?;
    let replace_from = match value {
        Some(v) => at.offset - v.len(),
        None => at.offset - typed.len(),
    };
    let range = at.range(
        server,
        &uri,
        replace_from..at.offset + word_after(&text[col..]),
    );
    match parent_line.key {
        Some("inputs") => {
            let tv = task_of(&lines, parent, parent_line.col)?;
            match (key, value) {
                (Some(k), Some(_)) => Some(CompletionResponse::Array(values(tv.input(k)?, range))),
                _ => {
                    let set = lines.keys_set(row, key_col);
                    Some(CompletionResponse::Array(inputs(tv, &set, range)))
                }
            }
        }
        Some("parameters") if key.is_none() => {
            let template = lines
                .siblings(parent, parent_line.col)
                .into_iter()
                .find(|(_, l)| l.key == Some("template"))?;
            let path = template_target(server, &uri, &at, template.1.value)?;
            let src = super::tree::read(server, &path)?;
            let docs = azplint::yaml::parse(&src).ok()?;
            let root = docs.first().and_then(|d| d.root.as_ref());
            let set = lines.keys_set(row, key_col);
            Some(CompletionResponse::Array(parameters(root, &set, range)))
        }
        _ => None,
    }
}

/// How many bytes of a word follow the cursor (replaced along with what was typed).
fn word_after(rest: &str) -> usize {
    rest.find(|c: char| c.is_whitespace() || c == ':')
        .unwrap_or(rest.len())
}

/// The task of the step that holds `inputs:` (on line `i`, key at `col`).
fn task_of(lines: &Lines, i: usize, col: usize) -> Option<&'static TaskVersion> {
    let (_, task) = lines
        .siblings(i, col)
        .into_iter()
        .find(|(_, l)| l.key == Some("task"))?;
    let reference = task.value.trim_matches(|c| c == '"' || c == '\'');
    let reference = reference.split(" #").next().unwrap_or(reference).trim();
    use azplint::pipeline::{parse_task_ref, NameKind, TaskRef};
    let TaskRef::Parsed(p) = parse_task_ref(reference) else {
        return None;
    };
    match p.kind {
        NameKind::Name => catalog().by_name(p.name, p.major),
        NameKind::Guid => catalog().by_id(p.name, p.major),
        NameKind::Extension => None,
    }
}

fn tasks(partial: &str, range: lsp_types::Range) -> Vec<CompletionItem> {
    let cat = catalog();
    let name_part = partial.split('@').next().unwrap_or("").to_ascii_lowercase();
    let mut out = Vec::new();
    for name in cat.names() {
        if !name.to_ascii_lowercase().contains(&name_part) {
            continue;
        }
        let mut majors = cat.majors(name);
        majors.reverse();
        for (rank, major) in majors.into_iter().enumerate() {
            let Some(tv) = cat.by_name(name, major) else {
                continue;
            };
            let label = format!("{}@{}", tv.name, tv.major);
            out.push(CompletionItem {
                label: label.clone(),
                kind: Some(CompletionItemKind::MODULE),
                detail: Some(match &tv.friendly_name {
                    Some(f) => format!("{f} ({})", tv.version),
                    None => tv.version.to_string(),
                }),
                documentation: Some(Documentation::MarkupContent(MarkupContent {
                    kind: MarkupKind::Markdown,
                    value: super::hover::task_summary(tv),
                })),
                tags: tv.deprecated.then(|| vec![CompletionItemTag::DEPRECATED]),
                sort_text: Some(format!(
                    "{}{}@{rank:03}",
                    if tv.deprecated { "1" } else { "0" },
                    tv.name.to_ascii_lowercase()
                )),
                filter_text: Some(label.clone()),
                text_edit: Some(CompletionTextEdit::Edit(TextEdit::new(range, label))),
                ..Default::default()
            });
        }
    }
    out
}

fn inputs(tv: &TaskVersion, set: &[&str], range: lsp_types::Range) -> Vec<CompletionItem> {
    let set_inputs: Vec<&Input> = set.iter().filter_map(|k| tv.input(k)).collect();
    let mut out = Vec::new();
    for (n, i) in tv.inputs.iter().enumerate() {
        if set_inputs.iter().any(|s| std::ptr::eq(*s, i)) {
            continue;
        }
        let name = i.aliases.first().unwrap_or(&i.name).to_string();
        out.push(CompletionItem {
            label: name.clone(),
            kind: Some(CompletionItemKind::PROPERTY),
            detail: Some(format!(
                "{}{}",
                i.kind,
                if i.required { ", required" } else { "" }
            )),
            documentation: Some(Documentation::MarkupContent(MarkupContent {
                kind: MarkupKind::Markdown,
                value: super::hover::input_doc(i),
            })),
            sort_text: Some(format!("{}{n:04}", if i.required { "0" } else { "1" })),
            filter_text: Some(name.clone()),
            text_edit: Some(CompletionTextEdit::Edit(TextEdit::new(
                range,
                format!("{name}: "),
            ))),
            ..Default::default()
        });
    }
    out
}

fn values(i: &Input, range: lsp_types::Range) -> Vec<CompletionItem> {
    let options: Vec<String> = if i.kind == "boolean" {
        vec!["true".into(), "false".into()]
    } else {
        i.options.iter().map(|o| o.to_string()).collect()
    };
    options
        .into_iter()
        .enumerate()
        .map(|(n, o)| CompletionItem {
            label: o.clone(),
            kind: Some(CompletionItemKind::ENUM_MEMBER),
            detail: (i.default.as_deref() == Some(o.as_str())).then(|| "default".to_string()),
            sort_text: Some(format!("{n:04}")),
            text_edit: Some(CompletionTextEdit::Edit(TextEdit::new(range, o))),
            ..Default::default()
        })
        .collect()
}

fn parameters(
    root: Option<&azplint::yaml::Node>,
    set: &[&str],
    range: lsp_types::Range,
) -> Vec<CompletionItem> {
    use azplint::pipeline::params::{declared, Declared};
    let mut out = Vec::new();
    let mut push = |name: &str, detail: String, required: bool, n: usize| {
        if set.iter().any(|s| s.eq_ignore_ascii_case(name)) {
            return;
        }
        out.push(CompletionItem {
            label: name.to_string(),
            kind: Some(CompletionItemKind::FIELD),
            detail: Some(detail),
            sort_text: Some(format!("{}{n:04}", if required { "0" } else { "1" })),
            text_edit: Some(CompletionTextEdit::Edit(TextEdit::new(
                range,
                format!("{name}: "),
            ))),
            ..Default::default()
        });
    };
    match declared(root) {
        Declared::Typed(params) => {
            for (n, p) in params.iter().enumerate() {
                let detail = match p.default.and_then(|d| d.as_str()) {
                    Some(d) => format!("{} = {d}", p.ty),
                    None if p.default.is_some() => p.ty.to_string(),
                    None => format!("{}, required", p.ty),
                };
                push(p.name, detail, p.default.is_none(), n);
            }
        }
        Declared::Legacy => {
            let entries = root
                .and_then(|r| r.get("parameters"))
                .and_then(|p| p.as_map())
                .unwrap_or(&[]);
            for (n, e) in entries.iter().enumerate() {
                if let Some(k) = e.key.as_str() {
                    push(k, "parameter".into(), false, n);
                }
            }
        }
        Declared::Unknown => {}
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_read_keys_under_list_items() {
        let l = line("  - task: AzureCLI@2").unwrap();
        assert_eq!(
            (l.col, l.dash, l.key, l.value),
            (4, true, Some("task"), "AzureCLI@2")
        );
        let l = line("    inputs:").unwrap();
        assert_eq!((l.col, l.key, l.value), (4, Some("inputs"), ""));
        assert!(line("   # comment").is_none());
        let text =
            "steps:\n- task: AzureCLI@2\n  inputs:\n    scriptType: bash\n    \n- script: x\n";
        let lines = Lines {
            all: text.split('\n').collect(),
        };
        assert_eq!(lines.parent(4, 4), Some(2));
        let keys: Vec<_> = lines
            .siblings(2, 2)
            .into_iter()
            .filter_map(|(_, l)| l.key)
            .collect();
        assert!(
            keys.contains(&"task") && keys.contains(&"inputs"),
            "{keys:?}"
        );
        assert!(task_of(&lines, 2, 2).is_some());
    }
}
