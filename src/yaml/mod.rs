//! Our YAML tree: every key and value keeps its byte span. The parser crate stays behind this module.
//!
//! Scalars stay strings; nothing is interpreted by YAML 1.1 rules. Anchors and aliases are recorded,
//! never expanded (Azure Pipelines rejects them anyway).

mod fast;
mod parse;

pub use parse::{parse, ParseError, MAX_DEPTH};

use std::ops::Range;

/// Byte range into the source text.
pub type Span = Range<usize>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScalarStyle {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NodeKind {
    /// A scalar with its value after YAML escape processing.
    Scalar(String, ScalarStyle),
    Seq(Vec<Node>),
    Map(Vec<Entry>),
    /// An alias (`*name`); Azure rejects these. Never expanded.
    Alias(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    pub span: Span,
    pub kind: NodeKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub key: Node,
    pub value: Node,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Anchor {
    pub name: String,
    pub span: Span,
}

/// One parsed YAML document.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Document {
    pub root: Option<Node>,
    pub anchors: Vec<Anchor>,
    /// Spans of `*alias` tokens.
    pub aliases: Vec<(String, Span)>,
}

impl Node {
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            NodeKind::Scalar(s, _) => Some(s),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&[Entry]> {
        match &self.kind {
            NodeKind::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.kind {
            NodeKind::Seq(s) => Some(s),
            _ => None,
        }
    }

    /// True for an empty plain scalar (`key:` with nothing after it) or `~`/`null`.
    pub fn is_null(&self) -> bool {
        matches!(&self.kind, NodeKind::Scalar(s, ScalarStyle::Plain) if s.is_empty() || s == "~" || s == "null" || s == "Null" || s == "NULL")
    }

    /// The first entry whose plain key equals `key` exactly (Azure keys are case-sensitive).
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entry(key).map(|e| &e.value)
    }

    pub fn entry(&self, key: &str) -> Option<&Entry> {
        self.as_map()?.iter().find(|e| e.key.as_str() == Some(key))
    }

    /// The first entry whose key equals `key` ignoring ASCII case (task inputs are matched this way).
    pub fn entry_ignore_case(&self, key: &str) -> Option<&Entry> {
        self.as_map()?
            .iter()
            .find(|e| e.key.as_str().is_some_and(|k| k.eq_ignore_ascii_case(key)))
    }

    pub fn kind_name(&self) -> &'static str {
        match &self.kind {
            NodeKind::Scalar(..) => "a scalar",
            NodeKind::Seq(_) => "a sequence",
            NodeKind::Map(_) => "a mapping",
            NodeKind::Alias(_) => "an alias",
        }
    }
}

/// A value that Azure only knows at run or compile time: `${{ }}`, `$( )` or `$[ ]`.
pub fn is_expression(s: &str) -> bool {
    // One pass over the bytes (this runs on every key of every walk): a `$` followed by `{{`, `(`
    // or `[`.
    let b = s.as_bytes();
    let mut i = 0;
    while let Some(p) = b[i..].iter().position(|&c| c == b'$') {
        let at = i + p;
        match b.get(at + 1) {
            Some(b'(' | b'[') => return true,
            Some(b'{') if b.get(at + 2) == Some(&b'{') => return true,
            _ => {}
        }
        i = at + 1;
    }
    false
}

/// A key that is one whole `${{ }}` expression (`${{ if x }}`, `${{ c }}`), directive or not.
fn is_whole_expression(s: &str) -> bool {
    let t = s.trim();
    t.starts_with("${{") && t.ends_with("}}")
}

/// A template-directive key (`${{ if ... }}`, `${{ elseif ... }}`, `${{ else }}`, `${{ each x in y }}`,
/// `${{ insert }}`): its value is spliced into the parent. Every other `${{ }}` key is a computed key
/// (see [`is_computed_key`]).
pub fn is_directive_key(s: &str) -> bool {
    directive_of(s).is_some()
}

/// A key whose name is computed by a `${{ }}` expression but that is not a directive (`${{ leg }}`,
/// `${{ format('Release_{0}', parameters.platform) }}`, `${{ parameters.name }}_x64`): an ordinary
/// entry whose name azplint can't know. Its value is that entry's value, never spliced into the
/// parent, and conditionals inside it belong to it.
pub fn is_computed_key(s: &str) -> bool {
    is_expression(s) && !is_directive_key(s)
}

/// The directive word of a template-expression key (`if`, `elseif`, `else`, `each`, `insert`), or
/// `None` for any other key (a value expression such as `${{ parameters.x }}`, or a plain key).
pub fn directive_of(key: &str) -> Option<&'static str> {
    // Every key of every walk comes here: a key whose first byte is ASCII other than `$` and
    // other than whitespace `trim` would take (`\x0b` included) can't be an expression.
    if key
        .as_bytes()
        .first()
        .is_none_or(|&b| b.is_ascii() && b != b'$' && !(b.is_ascii_whitespace() || b == 0x0b))
    {
        return None;
    }
    if !is_whole_expression(key) {
        return None;
    }
    let mut t = key.trim_start();
    while let Some(rest) = t.strip_prefix("${{") {
        t = rest;
    }
    let t = t.trim_start();
    ["elseif", "else", "if", "each", "insert"]
        .into_iter()
        .find(|w| {
            t.strip_prefix(w)
                .is_some_and(|r| r.starts_with(|c: char| !c.is_alphanumeric() && c != '_'))
        })
}

/// `${{ if }}`, `${{ elseif }}` and `${{ else }}` keys: blocks whose keys azplint can read
/// (unlike `${{ each }}`, `${{ insert }}` and `${{ x }}: v` keys, which are computed).
pub fn is_branch_key(key: &str) -> bool {
    matches!(directive_of(key), Some("if" | "elseif" | "else"))
}

/// A key that can't be a name of anything (a parameter, a step kind, an input): it has a space or
/// punctuation other than `_`, `-` and `.`. Under a `${{ if }}` such a key is a deliberate trap:
/// libraries add `"envName is required": error` only when their input is bad, so that the server
/// stops with that sentence.
pub fn is_trap_key(key: &str) -> bool {
    let k = key.trim();
    !k.is_empty()
        && !is_expression(k)
        && k.chars()
            .any(|c| !(c.is_alphanumeric() || c == '_' || c == '-' || c == '.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directives() {
        assert_eq!(directive_of("${{ if eq(a, b) }}"), Some("if"));
        assert_eq!(directive_of("${{ elseif x }}"), Some("elseif"));
        assert_eq!(directive_of("${{ else }}"), Some("else"));
        assert_eq!(
            directive_of("${{ each s in parameters.steps }}"),
            Some("each")
        );
        assert_eq!(directive_of("${{ insert }}"), Some("insert"));
        assert_eq!(directive_of("${{ parameters.ifValue }}"), None);
        assert_eq!(directive_of("${{ iffy }}"), None);
        assert_eq!(directive_of("plain"), None);
        assert!(is_branch_key("${{ else }}"));
        assert!(!is_branch_key("${{ insert }}"));
        assert!(is_directive_key("${{ each c in parameters.configs }}"));
        assert!(!is_directive_key("${{ c }}"));
        assert!(is_computed_key("${{ c }}"));
        assert!(is_computed_key(
            "${{ format('Release_{0}', parameters.platform) }}"
        ));
        assert!(is_computed_key("${{ parameters.name }}_x64"));
        assert!(!is_computed_key("${{ if eq(c, 'release') }}"));
        assert!(!is_computed_key("plain"));
        for (text, want) in [
            ("${{ x }}", true),
            ("a$(b)", true),
            ("$[ c ]", true),
            ("${ x }", false),
            ("$", false),
            ("cost: $5", false),
            ("${", false),
            ("$${{", true),
        ] {
            assert_eq!(is_expression(text), want, "{text}");
        }
        assert!(is_trap_key("envName is required"));
        assert!(is_trap_key("Parameter 'x' must be set!"));
        assert!(!is_trap_key("envName"));
        assert!(!is_trap_key("system.debug"));
        assert!(!is_trap_key("${{ parameters.x }}"));
    }
}
