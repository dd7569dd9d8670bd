//! Hover: a task reference (the task, its inputs, deprecation, workload identity federation), an
//! input of a known task, a `template:` path (its declared parameters), a rule id in a suppression
//! comment (the rule's summary).

use super::tree::{contains, template_target, At};
use super::Server;
use azplint::catalog::{Input, TaskVersion, WifSupport};
use azplint::pipeline::{Model, Resolution};
use lsp_types::{Hover, HoverContents, HoverParams, MarkupContent, MarkupKind};

pub fn hover(server: &mut Server, p: HoverParams) -> Option<Hover> {
    let uri = p.text_document_position_params.text_document.uri;
    let at = At::new(server, &uri, p.text_document_position_params.position)?;
    let (text, span) = find(server, &uri, &at)?;
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: text,
        }),
        range: Some(at.range(server, &uri, span)),
    })
}

fn find(
    server: &mut Server,
    uri: &lsp_types::Url,
    at: &At,
) -> Option<(String, std::ops::Range<usize>)> {
    if let Some(found) = rule_in_comment(at) {
        return Some(found);
    }
    let root = at.root()?;
    let model = Model::build(Some(root), None);
    for step in &model.task_steps {
        let Resolution::Builtin(tv) = &step.resolution else {
            if contains(&step.task.value.span, at.offset) {
                if let Resolution::UnknownMajor { parsed, majors } = &step.resolution {
                    let list: Vec<String> = majors.iter().map(|m| format!("`@{m}`")).collect();
                    return Some((
                        format!(
                            "**{}**: no major {} (known: {})",
                            parsed.name,
                            parsed.major,
                            list.join(", ")
                        ),
                        step.task.value.span.clone(),
                    ));
                }
            }
            continue;
        };
        if contains(&step.task.value.span, at.offset) {
            return Some((task_doc(tv), step.task.value.span.clone()));
        }
        for inputs in &step.inputs {
            let mut hit = None;
            azplint::pipeline::for_each_entry(inputs, 0, &mut |e| {
                if hit.is_none() && contains(&e.key.span, at.offset) {
                    hit = Some(e);
                }
            });
            if let Some(e) = hit {
                let key = e.key.as_str().unwrap_or("");
                let doc = match tv.input(key) {
                    Some(i) => format!(
                        "**{}** (`{}@{}`)\n\n{}",
                        key,
                        tv.name,
                        tv.major,
                        input_doc(i)
                    ),
                    None => format!("`{key}` is not an input of `{}@{}`", tv.name, tv.major),
                };
                return Some((doc, e.key.span.clone()));
            }
        }
    }
    for r in &model.template_refs {
        if contains(&r.entry.value.span, at.offset) {
            let path = template_target(server, uri, at, r.path())?;
            let text = super::tree::read(server, &path)?;
            let docs = azplint::yaml::parse(&text).ok()?;
            let root = docs.first().and_then(|d| d.root.as_ref());
            return Some((template_doc(&path, root), r.entry.value.span.clone()));
        }
    }
    None
}

/// The rule id under the cursor in `# azplint: ignore[a, b]`.
fn rule_in_comment(at: &At) -> Option<(String, std::ops::Range<usize>)> {
    let (start, line) = at.line();
    let col = at.offset - start;
    let mark = line.find("azplint:")?;
    let open = mark + line[mark..].find('[')?;
    let close = open + line[open..].find(']')?;
    if col <= open || col > close {
        return None;
    }
    let mut from = open + 1;
    for part in line[open + 1..close].split(',') {
        let to = from + part.len();
        if col >= from && col <= to {
            let id = part.trim();
            let lead = part.len() - part.trim_start().len();
            let span = start + from + lead..start + from + lead + id.len();
            let text = match azplint::rules::by_id(id) {
                Some(r) => format!(
                    "**{}** ({}, {})\n\n{}\n\nMore: `azplint explain {}`",
                    r.id,
                    r.severity,
                    r.category.as_str(),
                    r.summary,
                    r.id
                ),
                None => format!("`{id}` is not an azplint rule"),
            };
            return Some((text, span));
        }
        from = to + 1;
    }
    None
}

/// A task version: name, version, deprecation, workload identity federation, newest major.
pub fn task_summary(tv: &TaskVersion) -> String {
    let mut s = format!("**{}@{}** (version {})", tv.name, tv.major, tv.version);
    if let Some(f) = &tv.friendly_name {
        s.push_str(&format!(": {f}"));
    }
    s.push_str("\n\n");
    if tv.deprecated {
        s.push_str("**Deprecated**");
        if let Some(m) = &tv.deprecation_message {
            s.push_str(&format!(": {m}"));
        }
        if let Some(d) = &tv.removal_date {
            s.push_str(&format!(" (removal: {d})"));
        }
        s.push_str("\n\n");
    }
    let cat = azplint::catalog::catalog();
    if let Some(f) = cat.wif(&tv.name, tv.major) {
        let support = match f.support {
            WifSupport::Yes => "supported",
            WifSupport::No => "**not supported**",
            WifSupport::Partial => "depends on the connection",
            WifSupport::Disputed => "disputed",
        };
        s.push_str(&format!("Workload identity federation: {support}"));
        if let Some(r) = &f.replacement {
            s.push_str(&format!("; use `{r}`"));
        }
        if let Some(n) = &f.note {
            s.push_str(&format!(". {n}"));
        }
        s.push_str("\n\n");
    }
    if let Some(newest) = cat.recommended_major(&tv.name) {
        if newest > tv.major {
            s.push_str(&format!("Newest major: `{}@{newest}`\n\n", tv.name));
        }
    }
    s
}

/// The task (`task_summary`) with the table of its inputs.
pub fn task_doc(tv: &TaskVersion) -> String {
    let mut s = task_summary(tv);
    if tv.inputs.is_empty() {
        s.push_str("No inputs.");
        return s;
    }
    s.push_str("| input | type | required | default |\n|---|---|---|---|\n");
    for i in tv.inputs.iter() {
        let name = match i.aliases.first() {
            Some(a) => format!("`{a}` (`{}`)", i.name),
            None => format!("`{}`", i.name),
        };
        let default = i
            .default
            .as_deref()
            .filter(|d| !d.is_empty())
            .map(|d| format!("`{}`", cell(d)))
            .unwrap_or_default();
        s.push_str(&format!(
            "| {name} | {} | {} | {default} |\n",
            cell(&kind(i)),
            if i.required { "yes" } else { "" }
        ));
    }
    s
}

/// An input's type, with its options.
fn kind(i: &Input) -> String {
    if i.options.is_empty() {
        i.kind.to_string()
    } else {
        let opts: Vec<String> = i
            .options
            .iter()
            .take(12)
            .map(|o| format!("`{o}`"))
            .collect();
        let more = if i.options.len() > 12 { ", ..." } else { "" };
        format!("{}: {}{more}", i.kind, opts.join(", "))
    }
}

/// Text safe in a Markdown table cell.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

pub fn input_doc(i: &Input) -> String {
    let mut s = format!("name `{}`", i.name);
    if !i.aliases.is_empty() {
        let a: Vec<String> = i.aliases.iter().map(|a| format!("`{a}`")).collect();
        s.push_str(&format!(", aliases {}", a.join(", ")));
    }
    s.push_str(&format!("\n\ntype: {}", i.kind));
    if i.required {
        s.push_str("\n\n**required**");
    }
    if let Some(d) = i.default.as_deref().filter(|d| !d.is_empty()) {
        s.push_str(&format!("\n\ndefault: `{d}`"));
    }
    if !i.options.is_empty() {
        let o: Vec<String> = i.options.iter().map(|o| format!("`{o}`")).collect();
        s.push_str(&format!("\n\noptions: {}", o.join(", ")));
        if i.editable_options {
            s.push_str(" (other values accepted)");
        }
    }
    if let Some(v) = &i.visible_rule {
        s.push_str(&format!("\n\nshown when: `{v}`"));
    }
    s
}

fn template_doc(path: &std::path::Path, root: Option<&azplint::yaml::Node>) -> String {
    use azplint::pipeline::params::{declared, Declared};
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let mut s = format!("**template** `{name}`\n\n");
    match declared(root) {
        Declared::Unknown => s.push_str("Declares no parameters azplint can read."),
        Declared::Legacy => {
            s.push_str("Parameters (legacy form, any name accepted):\n\n");
            if let Some(entries) = root
                .and_then(|r| r.get("parameters"))
                .and_then(|p| p.as_map())
            {
                for e in entries {
                    let v = e.value.as_str().unwrap_or("...");
                    s.push_str(&format!("- `{}`: `{}`\n", e.key.as_str().unwrap_or("?"), v));
                }
            }
        }
        Declared::Typed(params) => {
            if params.is_empty() {
                s.push_str("Declares no parameters.");
            } else {
                s.push_str("| parameter | type | default |\n|---|---|---|\n");
                for p in &params {
                    let default = match p.default {
                        None => "(required)".to_string(),
                        Some(d) => match d.as_str() {
                            Some(v) => format!("`{}`", cell(v)),
                            None => d.kind_name().to_string(),
                        },
                    };
                    s.push_str(&format!("| `{}` | {} | {default} |\n", p.name, p.ty));
                }
            }
        }
    }
    s
}
