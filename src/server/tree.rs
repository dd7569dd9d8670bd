//! What is under the cursor: the open document parsed into azplint's YAML tree and model, and a
//! few text helpers for when the text being typed does not parse.

use super::{Doc, Server};
use azplint::yaml::{Entry, Node, NodeKind};
use lsp_types::{Position, Url};
use std::path::PathBuf;

/// An open document at a cursor: its text without a byte-order mark, the cursor as a byte offset
/// into that text, and its parsed documents (empty when it does not parse).
pub struct At {
    pub text: String,
    pub bom: usize,
    pub offset: usize,
    pub docs: Vec<azplint::yaml::Document>,
    pub path: Option<PathBuf>,
}

impl At {
    pub fn new(server: &Server, uri: &Url, pos: Position) -> Option<At> {
        let doc: &Doc = server.docs.get(uri)?;
        let bom = doc.bom();
        let offset = doc.index.offset(&doc.text, pos, server.enc).max(bom) - bom;
        let text = doc.text[bom..].to_string();
        let docs = azplint::yaml::parse(&text).unwrap_or_default();
        Some(At {
            text,
            bom,
            offset,
            docs,
            path: doc.path.clone(),
        })
    }

    /// The document (of a multi-document file) holding the cursor.
    pub fn root(&self) -> Option<&Node> {
        self.docs
            .iter()
            .filter_map(|d| d.root.as_ref())
            .find(|r| contains(&r.span, self.offset))
            .or_else(|| self.docs.iter().find_map(|d| d.root.as_ref()))
    }

    /// The line holding the cursor: its start offset and text (without the line break).
    pub fn line(&self) -> (usize, &str) {
        line_at(&self.text, self.offset)
    }

    /// A byte span of this text as an editor range.
    pub fn range(
        &self,
        server: &Server,
        uri: &Url,
        span: std::ops::Range<usize>,
    ) -> lsp_types::Range {
        let doc = &server.docs[uri];
        doc.index.range(
            &doc.text,
            span.start + self.bom..span.end + self.bom,
            server.enc,
        )
    }
}

pub fn line_at(text: &str, offset: usize) -> (usize, &str) {
    let offset = offset.min(text.len());
    let start = text[..offset].rfind('\n').map(|i| i + 1).unwrap_or(0);
    let end = text[offset..]
        .find('\n')
        .map(|i| offset + i)
        .unwrap_or(text.len());
    (start, text[start..end].trim_end_matches('\r'))
}

/// Whether a span holds an offset (its end included: the cursor just after a word is on it).
pub fn contains(span: &std::ops::Range<usize>, offset: usize) -> bool {
    span.start <= offset && offset <= span.end
}

/// Every mapping entry under `node`, with the mapping that holds it, depth first.
pub fn each_entry<'a>(node: &'a Node, f: &mut dyn FnMut(&'a Node, &'a Entry)) {
    each_entry_depth(node, 0, f)
}

fn each_entry_depth<'a>(node: &'a Node, depth: usize, f: &mut dyn FnMut(&'a Node, &'a Entry)) {
    if depth > azplint::yaml::MAX_DEPTH {
        return;
    }
    match &node.kind {
        NodeKind::Map(entries) => {
            for e in entries {
                f(node, e);
                each_entry_depth(&e.value, depth + 1, f);
            }
        }
        NodeKind::Seq(items) => {
            for i in items {
                each_entry_depth(i, depth + 1, f);
            }
        }
        _ => {}
    }
}

/// The text of a file: the open buffer when there is one, else the file on disk.
pub fn read(server: &Server, path: &std::path::Path) -> Option<String> {
    let canonical = path.canonicalize().ok();
    if let Some(d) = server
        .docs
        .values()
        .find(|d| d.path.is_some() && d.path == canonical)
    {
        return Some(d.text.trim_start_matches('\u{feff}').to_string());
    }
    let meta = std::fs::metadata(path).ok()?;
    if meta.len() > azplint::MAX_FILE_BYTES {
        return None;
    }
    let text = std::fs::read_to_string(path).ok()?;
    Some(text.trim_start_matches('\u{feff}').to_string())
}

/// Where a `template:` value written in the open document points, when it is a file.
pub fn template_target(server: &mut Server, uri: &Url, at: &At, value: &str) -> Option<PathBuf> {
    let from = at.path.clone()?;
    let root = server.root_of(uri, &from);
    let scope = server.scope_of(uri);
    let repositories = match server.config(&scope) {
        super::ConfigState::Loaded(c) => c.repositories().into_iter().collect(),
        _ => Default::default(),
    };
    match azplint::templates::locate::locate(value, &from, &root, &repositories) {
        azplint::templates::locate::Located::Path(p) => Some(p),
        _ => None,
    }
}
