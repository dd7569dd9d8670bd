//! Event stream of `granit-parser` -> our span tree. Built with an explicit stack: no recursion.

use super::{Anchor, Document, Entry, Node, NodeKind, ScalarStyle};
use granit_parser::{Event, Parser};
use std::collections::HashMap;

/// Deepest nesting of sequences and mappings accepted. Real pipelines stay far below it; the limit
/// keeps every recursive walk over the tree bounded.
pub const MAX_DEPTH: usize = 200;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub message: String,
    /// Byte offset where the parser stopped.
    pub offset: usize,
    pub too_deep: bool,
}

enum Frame {
    Seq(usize, Vec<Node>),
    Map(usize, Vec<Entry>, Option<Node>),
}

fn style(s: granit_parser::ScalarStyle) -> ScalarStyle {
    match s {
        granit_parser::ScalarStyle::Plain => ScalarStyle::Plain,
        granit_parser::ScalarStyle::SingleQuoted => ScalarStyle::SingleQuoted,
        granit_parser::ScalarStyle::DoubleQuoted => ScalarStyle::DoubleQuoted,
        granit_parser::ScalarStyle::Literal => ScalarStyle::Literal,
        granit_parser::ScalarStyle::Folded => ScalarStyle::Folded,
    }
}

/// Parse every document of `text`. On a syntax error, the documents complete so far are lost and
/// the error is returned: a pipeline with a syntax error does not run on Azure either.
///
/// The hand-written parser of the YAML pipelines use ([`super::fast`]) goes first; texts it does
/// not handle go to `granit-parser` ([`parse_granit`]). Both build the same tree.
pub fn parse(text: &str) -> Result<Vec<Document>, ParseError> {
    match super::fast::parse(text) {
        Some(docs) => Ok(docs),
        None => parse_granit(text),
    }
}

/// [`parse`] by `granit-parser` alone: the reference the fast path is tested against.
pub(crate) fn parse_granit(text: &str) -> Result<Vec<Document>, ParseError> {
    let mut options = granit_parser::Options::default();
    options.emit_anchor_events = true;
    options.emit_unresolved_aliases = true;
    options.block_nesting_limit = MAX_DEPTH;
    options.flow_nesting_limit = MAX_DEPTH;
    let parser = Parser::new_from_str_with_options(text, options);

    let mut docs = Vec::new();
    let mut doc = Document::default();
    let mut stack: Vec<Frame> = Vec::new();
    let mut anchor_names: HashMap<usize, String> = HashMap::new();
    let mut last_end = 0usize;

    for item in parser {
        let (event, span) = match item {
            Ok(x) => x,
            Err(e) => {
                let offset = e.marker().byte_offset().unwrap_or(last_end).min(text.len());
                let info = e.info();
                let too_deep = info.contains("nesting") || info.contains("recursion");
                return Err(ParseError {
                    message: info,
                    offset,
                    too_deep,
                });
            }
        };
        let start = span.start.byte_offset().unwrap_or(last_end);
        let end = span.end.byte_offset().unwrap_or(start).max(start);
        let node = match event {
            Event::StreamStart | Event::StreamEnd => continue,
            Event::DocumentStart(..) => {
                doc = Document::default();
                anchor_names.clear();
                continue;
            }
            Event::DocumentEnd => {
                docs.push(std::mem::take(&mut doc));
                continue;
            }
            Event::Anchor(id, name) => {
                anchor_names.insert(id, name.to_string());
                doc.anchors.push(Anchor {
                    name: name.into_owned(),
                    span: start..end,
                });
                continue;
            }
            Event::Alias(id) => {
                let name = anchor_names.get(&id).cloned().unwrap_or_default();
                doc.aliases.push((name.clone(), start..end));
                Node {
                    span: start..end,
                    kind: NodeKind::Alias(name),
                }
            }
            Event::UnresolvedAlias(name) => {
                doc.aliases.push((name.to_string(), start..end));
                Node {
                    span: start..end,
                    kind: NodeKind::Alias(name.into_owned()),
                }
            }
            Event::Scalar(value, st, _, _) => Node {
                span: start..end,
                kind: NodeKind::Scalar(value.into_owned(), style(st)),
            },
            Event::SequenceStart(..) => {
                stack.push(Frame::Seq(start, Vec::new()));
                continue;
            }
            Event::MappingStart(..) => {
                stack.push(Frame::Map(start, Vec::new(), None));
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => match stack.pop() {
                Some(Frame::Seq(s, items)) => {
                    let e = items.last().map_or(end, |n| n.span.end.max(s));
                    Node {
                        span: s..e.max(s),
                        kind: NodeKind::Seq(items),
                    }
                }
                Some(Frame::Map(s, entries, _)) => {
                    let e = entries.last().map_or(end, |en| en.value.span.end.max(s));
                    Node {
                        span: s..e.max(s),
                        kind: NodeKind::Map(entries),
                    }
                }
                None => continue,
            },
            // Events added by later versions of the parser carry no data we use.
            #[allow(unreachable_patterns)]
            _ => continue,
        };
        last_end = node.span.end;
        match stack.last_mut() {
            None => doc.root = Some(node),
            Some(Frame::Seq(_, items)) => items.push(node),
            Some(Frame::Map(_, entries, pending)) => match pending.take() {
                None => *pending = Some(node),
                Some(key) => entries.push(Entry { key, value: node }),
            },
        }
    }
    if doc.root.is_some() {
        docs.push(doc);
    }
    Ok(docs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn root(text: &str) -> Node {
        parse(text).unwrap().remove(0).root.unwrap()
    }

    #[test]
    fn spans_cover_keys_and_values() {
        let t = "steps:\n- task: AzureCLI@2\n  inputs:\n    azureSubscription: 'conn'\n";
        let r = root(t);
        let steps = r.get("steps").unwrap().as_seq().unwrap();
        let task = steps[0].get("task").unwrap();
        assert_eq!(&t[task.span.clone()], "AzureCLI@2");
        let sub = steps[0]
            .get("inputs")
            .unwrap()
            .entry("azureSubscription")
            .unwrap();
        assert_eq!(&t[sub.key.span.clone()], "azureSubscription");
        assert_eq!(&t[sub.value.span.clone()], "'conn'");
        assert_eq!(sub.value.as_str(), Some("conn"));
    }

    #[test]
    fn keeps_duplicate_keys_and_aliases() {
        let t = "a: &x 1 # c\na: *x\n";
        let docs = parse(t).unwrap();
        let m = docs[0].root.as_ref().unwrap().as_map().unwrap();
        assert_eq!(m.len(), 2);
        assert_eq!(docs[0].anchors[0].name, "x");
        assert_eq!(docs[0].aliases[0].0, "x");
    }

    #[test]
    fn syntax_error_has_position() {
        let e = parse("a: [1, 2\nb: c\n").unwrap_err();
        assert!(e.offset > 0, "{e:?}");
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let t = "[".repeat(100_000);
        assert!(parse(&t).is_err());
        let t: String = (0..5000)
            .map(|i| format!("{}- \n", " ".repeat(i * 2)))
            .collect();
        let _ = parse(&t);
    }

    #[test]
    fn non_ascii_and_crlf_spans_are_bytes() {
        let t = "é: \"ü\"\r\nb: x\r\n";
        let r = root(t);
        let b = r.entry("b").unwrap();
        assert_eq!(&t[b.key.span.clone()], "b");
        assert_eq!(&t[b.value.span.clone()], "x");
    }
}
