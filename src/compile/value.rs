//! The values of the compiled pipeline and of template expressions, with the coercions of the
//! Azure Pipelines expression language.
//!
//! Coercions, as Microsoft documents them for expressions (in our words):
//! - to boolean: `null` is false; a number is false only for 0; a string only when empty; a version,
//!   an array and an object are always true.
//! - to number: `true` is 1 and `false` 0; `null` is 0; a string is parsed (surrounding whitespace,
//!   a leading sign, a decimal point and thousands separators allowed) and becomes NaN when it
//!   isn't a number; a version can't become a number.
//! - to string: `True`/`False` for booleans; empty for `null`; a number without exponent,
//!   thousands separator or trailing zeros; a version as written (`1.2.3`). Arrays and objects
//!   can't become strings.
//! - to version: a string or a number with two to four dot-separated parts.
//! - to null: only the empty string.
//!
//! Strings compare ordinally ignoring case; mapping keys match ignoring case.

use std::cmp::Ordering;
use std::ops::Range;
use std::sync::Arc;

/// Where a compiled node came from: the index of a file of the compilation and a byte range in it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Origin {
    pub file: usize,
    pub span: Range<usize>,
}

/// A value with where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    pub origin: Origin,
}

/// A mapping key with where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Key {
    /// Shared: the compiler makes the same keys again and again (loops, templates).
    pub name: Arc<str>,
    pub origin: Origin,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Number(f64),
    /// Shared: the same texts come again in loops and templates.
    String(Arc<str>),
    /// A version as written: `1.2.3`.
    Version(Arc<str>),
    /// Shared: a value read from a parameter or a loop variable is used again without a copy
    /// (copied on write, which only the compiler's own new values see).
    Array(Arc<Vec<Node>>),
    /// Keys in source order; shared as arrays.
    Object(Arc<Vec<(Key, Node)>>),
}

impl Node {
    pub fn new(value: Value, origin: Origin) -> Self {
        Node { value, origin }
    }
}

/// The type names Azure uses in its messages.
pub fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "Null",
        Value::Bool(_) => "Boolean",
        Value::Number(_) => "Number",
        Value::String(_) => "String",
        Value::Version(_) => "Version",
        Value::Array(_) => "Array",
        Value::Object(_) => "Object",
    }
}

impl Value {
    pub fn array(items: Vec<Node>) -> Value {
        Value::Array(Arc::new(items))
    }

    pub fn object(entries: Vec<(Key, Node)>) -> Value {
        Value::Object(Arc::new(entries))
    }

    pub fn truthy(&self) -> bool {
        match self {
            Value::Null => false,
            Value::Bool(b) => *b,
            Value::Number(n) => *n != 0.0 && !n.is_nan(),
            Value::String(s) => !s.is_empty(),
            Value::Version(_) | Value::Array(_) | Value::Object(_) => true,
        }
    }

    /// The number this value converts to; NaN when it doesn't (Azure's rule for strings).
    pub fn to_number(&self) -> f64 {
        match self {
            Value::Null => 0.0,
            Value::Bool(b) => f64::from(u8::from(*b)),
            Value::Number(n) => *n,
            Value::String(s) => parse_number(s).unwrap_or(f64::NAN),
            Value::Version(_) | Value::Array(_) | Value::Object(_) => f64::NAN,
        }
    }

    /// The string this value converts to; `None` for arrays and objects.
    pub fn to_str(&self) -> Option<String> {
        match self {
            Value::Null => Some(String::new()),
            Value::Bool(true) => Some("True".into()),
            Value::Bool(false) => Some("False".into()),
            Value::Number(n) => Some(format_number(*n)),
            Value::String(s) | Value::Version(s) => Some(s.to_string()),
            Value::Array(_) | Value::Object(_) => None,
        }
    }

    /// The version this value converts to, as its numeric parts.
    pub fn to_version(&self) -> Option<Vec<u64>> {
        match self {
            Value::Version(s) | Value::String(s) => parse_version(s),
            Value::Number(n) if *n > 0.0 && *n < f64::from(i32::MAX) => {
                parse_version(&format_number(*n))
            }
            _ => None,
        }
    }

    /// A property of an object, matched ignoring case.
    pub fn get(&self, name: &str) -> Option<&Node> {
        match self {
            Value::Object(entries) => entries
                .iter()
                .find(|(k, _)| k.name.eq_ignore_ascii_case(name))
                .map(|(_, v)| v),
            _ => None,
        }
    }
}

/// A number as the server parses a string: surrounding whitespace, a leading sign, a decimal
/// point and `,` thousands separators; no exponent, no hex.
pub fn parse_number(s: &str) -> Option<f64> {
    let t = s.trim();
    let body = t.strip_prefix(['-', '+']).unwrap_or(t);
    if body.is_empty()
        || !body
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
        || body.matches('.').count() > 1
        || !body.chars().any(|c| c.is_ascii_digit())
    {
        return None;
    }
    // Thousands separators only before the decimal point.
    if let Some(dot) = body.find('.') {
        if body[dot..].contains(',') {
            return None;
        }
    }
    let clean: String = t.chars().filter(|&c| c != ',' && c != '+').collect();
    clean.parse::<f64>().ok()
}

/// A version: two to four dot-separated unsigned numbers.
pub fn parse_version(s: &str) -> Option<Vec<u64>> {
    let parts: Vec<&str> = s.trim().split('.').collect();
    if !(2..=4).contains(&parts.len()) {
        return None;
    }
    parts
        .iter()
        .map(|p| {
            if p.is_empty() || !p.chars().all(|c| c.is_ascii_digit()) {
                None
            } else {
                p.parse::<u64>().ok().filter(|&n| n <= i32::MAX as u64)
            }
        })
        .collect()
}

/// A number the way the server prints it: integers without a decimal point, others with the
/// shortest representation that reads back the same, never an exponent.
pub fn format_number(n: f64) -> String {
    if n.is_nan() {
        return "NaN".into();
    }
    if n.is_infinite() {
        return if n > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    if n == n.trunc() && n.abs() < 1e15 {
        return format!("{}", n as i64);
    }
    let s = format!("{n}");
    if s.contains('e') {
        // Rust never prints exponents with `{}` for f64, but keep the promise explicit.
        format!("{n:.10}")
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_string()
    } else {
        s
    }
}

/// Convert `right` to the type of `left` as comparisons do. `None` when it can't be.
fn coerce_like(left: &Value, right: &Value) -> Option<Value> {
    Some(match left {
        Value::Null => match right {
            Value::Null => Value::Null,
            Value::String(s) if s.is_empty() => Value::Null,
            _ => return None,
        },
        Value::Bool(_) => Value::Bool(right.truthy()),
        Value::Number(_) => {
            let n = right.to_number();
            if n.is_nan() {
                return None;
            }
            Value::Number(n)
        }
        Value::String(_) => Value::String(right.to_str()?.into()),
        Value::Version(_) => {
            let v = right.to_version()?;
            Value::Version(
                v.iter()
                    .map(u64::to_string)
                    .collect::<Vec<_>>()
                    .join(".")
                    .into(),
            )
        }
        Value::Array(_) | Value::Object(_) => return None,
    })
}

/// `eq`: the right value converted to the left's type; false when it can't be. Strings ignore
/// case. Arrays and objects are equal only to themselves on the server (by reference); two
/// values azplint builds are never the same reference, so they are never equal here.
pub fn equals(left: &Value, right: &Value) -> bool {
    let Some(r) = coerce_like(left, right) else {
        return false;
    };
    match (left, &r) {
        (Value::Null, Value::Null) => true,
        (Value::Bool(a), Value::Bool(b)) => a == b,
        (Value::Number(a), Value::Number(b)) => a == b,
        (Value::String(a), Value::String(b)) => eq_ignore_case(a, b),
        (Value::Version(a), Value::Version(b)) => parse_version(a) == parse_version(b),
        _ => false,
    }
}

/// `gt`/`lt`/...: the right value converted to the left's type; an error when it can't be or the
/// type has no order.
pub fn compare(left: &Value, right: &Value) -> Result<Ordering, String> {
    let fail = || {
        format!(
            "unable to compare {} with {}",
            type_name(left),
            type_name(right)
        )
    };
    let r = coerce_like(left, right).ok_or_else(fail)?;
    match (left, &r) {
        (Value::Null, Value::Null) => Ok(Ordering::Equal),
        (Value::Bool(a), Value::Bool(b)) => Ok(a.cmp(b)),
        (Value::Number(a), Value::Number(b)) => a.partial_cmp(b).ok_or_else(fail),
        (Value::String(a), Value::String(b)) => Ok(cmp_ignore_case(a, b)),
        (Value::Version(a), Value::Version(b)) => {
            let (a, b) = (
                parse_version(a).ok_or_else(fail)?,
                parse_version(b).ok_or_else(fail)?,
            );
            Ok(a.cmp(&b))
        }
        _ => Err(fail()),
    }
}

/// Ordinal comparison ignoring case (the server upper-cases invariantly; Unicode lower-casing
/// gives the same answer for equality on real pipeline text).
pub fn eq_ignore_case(a: &str, b: &str) -> bool {
    a.eq_ignore_ascii_case(b) || a.to_lowercase() == b.to_lowercase()
}

fn cmp_ignore_case(a: &str, b: &str) -> Ordering {
    a.to_uppercase().cmp(&b.to_uppercase())
}

/// JSON of a value as `convertToJson` and `--format json` print it.
pub fn to_json(v: &Value) -> serde_json::Value {
    match v {
        Value::Null => serde_json::Value::Null,
        Value::Bool(b) => serde_json::Value::Bool(*b),
        Value::Number(n) => {
            if n.fract() == 0.0 && n.abs() < 9e15 {
                serde_json::Value::from(*n as i64)
            } else {
                serde_json::Number::from_f64(*n)
                    .map(serde_json::Value::Number)
                    .unwrap_or(serde_json::Value::Null)
            }
        }
        Value::String(s) | Value::Version(s) => serde_json::Value::String(s.to_string()),
        Value::Array(items) => {
            serde_json::Value::Array(items.iter().map(|n| to_json(&n.value)).collect())
        }
        Value::Object(entries) => {
            let mut m = serde_json::Map::new();
            for (k, v) in entries.iter() {
                m.insert(k.name.to_string(), to_json(&v.value));
            }
            serde_json::Value::Object(m)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: &str) -> Value {
        Value::String(x.into())
    }

    #[test]
    fn truthiness() {
        assert!(!Value::Null.truthy());
        assert!(!Value::Number(0.0).truthy());
        assert!(Value::Number(-1.0).truthy());
        assert!(!s("").truthy());
        assert!(s("false").truthy(), "any non-empty string is true");
        assert!(Value::Version("1.2".into()).truthy());
        assert!(Value::array(vec![]).truthy());
    }

    #[test]
    fn numbers() {
        assert_eq!(s(" 1,000.5 ").to_number(), 1000.5);
        assert_eq!(s("-2").to_number(), -2.0);
        assert!(s("1e5").to_number().is_nan());
        assert!(s("0x10").to_number().is_nan());
        assert!(s("").to_number().is_nan());
        assert_eq!(Value::Bool(true).to_number(), 1.0);
        assert_eq!(Value::Null.to_number(), 0.0);
        assert_eq!(format_number(3.0), "3");
        assert_eq!(format_number(-1.25), "-1.25");
        assert_eq!(format_number(0.1), "0.1");
    }

    #[test]
    fn strings() {
        assert_eq!(Value::Bool(true).to_str().as_deref(), Some("True"));
        assert_eq!(Value::Null.to_str().as_deref(), Some(""));
        assert_eq!(Value::Number(2.50).to_str().as_deref(), Some("2.5"));
        assert_eq!(Value::array(vec![]).to_str(), None);
    }

    #[test]
    fn versions() {
        assert_eq!(parse_version("1.2.3"), Some(vec![1, 2, 3]));
        assert_eq!(parse_version("1"), None);
        assert_eq!(parse_version("1.2.3.4.5"), None);
        assert_eq!(Value::Number(1.5).to_version(), Some(vec![1, 5]));
    }

    #[test]
    fn equality_converts_right_to_left() {
        assert!(equals(&s("ABC"), &s("abc")));
        assert!(equals(&Value::Number(1.0), &s("1")));
        assert!(!equals(&Value::Number(1.0), &s("one")));
        assert!(equals(&s("True"), &Value::Bool(true)));
        assert!(equals(&Value::Bool(true), &s("x")));
        assert!(
            !equals(&Value::Bool(false), &s("false")),
            "'false' is a non-empty string"
        );
        assert!(equals(&Value::Null, &s("")));
        assert!(!equals(&Value::Null, &s("a")));
        assert!(equals(&Value::Version("1.2.0".into()), &s("1.2.0")));
        assert!(!equals(&Value::array(vec![]), &Value::array(vec![])));
    }

    #[test]
    fn ordering() {
        assert_eq!(compare(&Value::Number(2.0), &s("10")), Ok(Ordering::Less));
        assert_eq!(compare(&s("b"), &s("A")), Ok(Ordering::Greater));
        assert!(compare(&Value::Number(2.0), &s("x")).is_err());
        assert_eq!(
            compare(&Value::Version("1.10".into()), &s("1.9")),
            Ok(Ordering::Greater)
        );
    }
}
