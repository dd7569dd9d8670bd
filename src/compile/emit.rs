//! Printing the compiled pipeline: block-style YAML with keys in source order, or JSON of the
//! same structure.

use super::value::{format_number, to_json, Node, Value};
use std::fmt::Write;

/// The compiled tree as JSON (pretty, two-space indent).
pub fn json(root: &Node) -> String {
    let mut s = serde_json::to_string_pretty(&to_json(&root.value)).unwrap_or_default();
    s.push('\n');
    s
}

/// The compiled tree as block-style YAML.
pub fn yaml(root: &Node) -> String {
    let mut out = String::new();
    match &root.value {
        Value::Object(entries) if !entries.is_empty() => map(&mut out, entries, 0),
        Value::Array(items) if !items.is_empty() => seq(&mut out, items, 0),
        other => {
            out.push_str(&scalar(other, 0));
            out.push('\n');
        }
    }
    out
}

fn pad(out: &mut String, n: usize) {
    for _ in 0..n {
        out.push(' ');
    }
}

fn map(out: &mut String, entries: &[(super::value::Key, Node)], indent: usize) {
    for (i, (k, v)) in entries.iter().enumerate() {
        if i > 0 {
            pad(out, indent);
        }
        out.push_str(&key(&k.name));
        out.push(':');
        value_after(out, v, indent, false);
    }
}

fn seq(out: &mut String, items: &[Node], indent: usize) {
    for (i, v) in items.iter().enumerate() {
        if i > 0 {
            pad(out, indent);
        }
        out.push('-');
        match &v.value {
            Value::Object(entries) if !entries.is_empty() => {
                out.push(' ');
                map(out, entries, indent + 2);
            }
            Value::Array(inner) if !inner.is_empty() => {
                out.push(' ');
                seq(out, inner, indent + 2);
            }
            other => {
                out.push(' ');
                out.push_str(&scalar(other, indent + 2));
                out.push('\n');
            }
        }
    }
}

/// What follows `key:`: a nested block on the next lines, or a scalar on the same line.
fn value_after(out: &mut String, v: &Node, indent: usize, _in_seq: bool) {
    match &v.value {
        Value::Object(entries) if !entries.is_empty() => {
            out.push('\n');
            pad(out, indent + 2);
            map(out, entries, indent + 2);
        }
        Value::Array(items) if !items.is_empty() => {
            out.push('\n');
            pad(out, indent);
            seq(out, items, indent);
        }
        other => {
            out.push(' ');
            out.push_str(&scalar(other, indent + 2));
            out.push('\n');
        }
    }
}

fn key(k: &str) -> String {
    if plain_ok(k) {
        k.to_string()
    } else {
        quoted(k)
    }
}

/// A scalar value; multi-line strings become literal blocks indented by `indent`.
fn scalar(v: &Value, indent: usize) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => format_number(*n),
        Value::Array(_) => "[]".into(),
        Value::Object(_) => "{}".into(),
        Value::String(s) | Value::Version(s) => {
            if matches!(v, Value::String(_)) && reads_as_other(s) {
                return quoted(s);
            }
            if plain_ok(s) {
                s.to_string()
            } else if s.contains('\n') && block_ok(s) {
                block(s, indent)
            } else {
                quoted(s)
            }
        }
    }
}

/// Text that Azure would read back as null if written plain. (Azure reads `true` and `1` as
/// strings, so those stay plain, as pipelines write them.)
fn reads_as_other(s: &str) -> bool {
    !matches!(
        super::expand::literal(s, crate::yaml::ScalarStyle::Plain),
        Value::String(_)
    )
}

/// Text that can be written plain on one line and reads back as the same string.
fn plain_ok(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    if s.trim() != s
        || s.contains(": ")
        || s.contains(" #")
        || s.ends_with(':')
        || s.chars().any(|c| c.is_control())
        || "-?:,[]{}#&*!|>'\"%@`".contains(first)
    {
        // `-x`, `?x` and `:x` are plain when a non-space follows, but quoting is simpler.
        return false;
    }
    !reads_as_other(s)
}

/// A multi-line string that a literal block keeps exactly (no control characters but tab and
/// newline).
fn block_ok(s: &str) -> bool {
    !s.chars().any(|c| c.is_control() && c != '\n' && c != '\t')
        && !s
            .lines()
            .any(|l| l.ends_with(' ') && l.trim().is_empty() && !l.is_empty())
}

fn block(s: &str, indent: usize) -> String {
    let chomp = if s.ends_with("\n\n") {
        "+"
    } else if s.ends_with('\n') {
        ""
    } else {
        "-"
    };
    let first_line = s.lines().next().unwrap_or("");
    let indicator = if first_line.starts_with(' ') || (first_line.is_empty() && s.starts_with('\n'))
    {
        "2"
    } else {
        ""
    };
    let mut out = format!("|{indicator}{chomp}\n");
    let body = s.strip_suffix('\n').unwrap_or(s);
    let lines: Vec<&str> = if chomp == "+" {
        s[..s.len() - 1].split('\n').collect()
    } else {
        body.split('\n').collect()
    };
    let n = lines.len();
    for (i, line) in lines.iter().enumerate() {
        if !line.is_empty() {
            for _ in 0..indent {
                out.push(' ');
            }
            out.push_str(line);
        }
        if i + 1 < n {
            out.push('\n');
        }
    }
    out
}

fn quoted(s: &str) -> String {
    if !s.chars().any(|c| c.is_control()) {
        return format!("'{}'", s.replace('\'', "''"));
    }
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compile::value::{Key, Origin};

    fn n(v: Value) -> Node {
        Node::new(v, Origin::default())
    }

    fn k(s: &str) -> Key {
        Key {
            name: s.into(),
            origin: Origin::default(),
        }
    }

    #[test]
    fn block_style() {
        let root = n(Value::object(vec![
            (k("trigger"), n(Value::String("none".into()))),
            (
                k("steps"),
                n(Value::array(vec![n(Value::object(vec![
                    (k("script"), n(Value::String("echo a\necho b\n".into()))),
                    (k("displayName"), n(Value::String("1".into()))),
                    (k("enabled"), n(Value::Bool(true))),
                ]))])),
            ),
            (k("empty"), n(Value::array(vec![]))),
            (k("text"), n(Value::String("a: b".into()))),
        ]));
        assert_eq!(
            yaml(&root),
            "trigger: none\nsteps:\n- script: |\n    echo a\n    echo b\n  displayName: 1\n  enabled: true\nempty: []\ntext: 'a: b'\n"
        );
    }

    #[test]
    fn blocks_keep_text() {
        assert_eq!(block("a\nb", 2), "|-\n  a\n  b");
        assert_eq!(block("a\n\n", 2), "|+\n  a\n");
        assert_eq!(block(" a\nb\n", 2), "|2\n   a\n  b");
        assert_eq!(quoted("it's"), "'it''s'");
        assert_eq!(quoted("a\rb"), "\"a\\rb\"");
    }
}
