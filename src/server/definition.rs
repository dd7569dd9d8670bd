//! Go to definition: a `template:` path (the file), a `dependsOn` name (the stage or job of that
//! name in the file), a `$(variable)` (where the file's `variables:` define it).

use super::tree::{contains, each_entry, line_at, template_target, At};
use super::Server;
use azplint::yaml::{Node, NodeKind};
use lsp_types::{GotoDefinitionParams, GotoDefinitionResponse, Location, Position, Range, Url};

pub fn definition(server: &mut Server, p: GotoDefinitionParams) -> Option<GotoDefinitionResponse> {
    let uri = p.text_document_position_params.text_document.uri;
    let at = At::new(server, &uri, p.text_document_position_params.position)?;
    let spans = find(server, &uri, &at)?;
    match spans {
        Found::File(path) => {
            let target = Url::from_file_path(&path).ok()?;
            let target = server.uri_for(&path).unwrap_or(target);
            let start = Position::new(0, 0);
            Some(GotoDefinitionResponse::Scalar(Location::new(
                target,
                Range::new(start, start),
            )))
        }
        Found::Here(spans) if !spans.is_empty() => {
            let locations: Vec<Location> = spans
                .into_iter()
                .map(|s| Location::new(uri.clone(), at.range(server, &uri, s)))
                .collect();
            Some(GotoDefinitionResponse::Array(locations))
        }
        Found::Here(_) => None,
    }
}

enum Found {
    File(std::path::PathBuf),
    Here(Vec<std::ops::Range<usize>>),
}

fn find(server: &mut Server, uri: &Url, at: &At) -> Option<Found> {
    if let Some(name) = variable_at(at) {
        let root = at.root()?;
        return Some(Found::Here(variable_definitions(root, &name)));
    }
    let root = at.root()?;
    for r in azplint::pipeline::Model::template_refs(Some(root)) {
        if contains(&r.entry.value.span, at.offset) {
            return template_target(server, uri, at, r.path()).map(Found::File);
        }
    }
    // `dependsOn: name` or `dependsOn: [a, b]`.
    let mut hit: Option<(String, &'static [&'static str])> = None;
    each_entry(root, &mut |map, e| {
        if hit.is_some() || e.key.as_str() != Some("dependsOn") {
            return;
        }
        let kinds: &'static [&'static str] = if map.get("stage").is_some() {
            &["stage"]
        } else {
            &["job", "deployment"]
        };
        let names: Vec<&Node> = match &e.value.kind {
            NodeKind::Scalar(..) => vec![&e.value],
            NodeKind::Seq(items) => items.iter().collect(),
            _ => Vec::new(),
        };
        for n in names {
            if contains(&n.span, at.offset) {
                if let Some(s) = n.as_str() {
                    hit = Some((s.to_string(), kinds));
                }
            }
        }
    });
    let (name, kinds) = hit?;
    let mut spans = Vec::new();
    each_entry(root, &mut |_, e| {
        if e.key.as_str().is_some_and(|k| kinds.contains(&k))
            && e.value.as_str().is_some_and(|v| v.trim() == name.trim())
        {
            spans.push(e.value.span.clone());
        }
    });
    Some(Found::Here(spans))
}

/// The name in `$(name)` under the cursor.
fn variable_at(at: &At) -> Option<String> {
    let (start, line) = line_at(&at.text, at.offset);
    let col = at.offset - start;
    let open = line[..col.min(line.len())].rfind("$(")?;
    // The cursor must not be past a `)` closing it.
    let close = open + line[open..].find(')')?;
    if col > close {
        return None;
    }
    let name = line[open + 2..close].trim();
    (!name.is_empty()).then(|| name.to_string())
}

/// Where the file's `variables:` define `name`: a key of the mapping form, the `name:` of the
/// list form.
fn variable_definitions(root: &Node, name: &str) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    each_entry(root, &mut |_, e| {
        if e.key.as_str() != Some("variables") {
            return;
        }
        match &e.value.kind {
            NodeKind::Map(entries) => {
                for v in entries {
                    if v.key.as_str().is_some_and(|k| k.eq_ignore_ascii_case(name)) {
                        out.push(v.key.span.clone());
                    }
                }
            }
            NodeKind::Seq(items) => {
                for item in items {
                    if let Some(n) = item.get("name") {
                        if n.as_str().is_some_and(|k| k.eq_ignore_ascii_case(name)) {
                            out.push(n.span.clone());
                        }
                    }
                }
            }
            _ => {}
        }
    });
    out
}
