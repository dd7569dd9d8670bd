//! Evaluating a template expression (`${{ }}`) against what is known at compile time: the
//! parameters of the template, the variables defined so far, and `each` loop variables.

use super::value::{
    compare, eq_ignore_case, equals, format_number, to_json, type_name, Key, Node, Origin, Value,
};
use crate::expr::{self, Expr, ExprKind};
use std::borrow::Cow;
use std::cmp::Ordering;

/// What an expression can see.
pub struct Scope<'s> {
    /// The template's parameters (an object).
    pub parameters: &'s Node,
    /// Variables known at compile time, in definition order (a later one wins).
    pub variables: &'s [(String, Node)],
    /// `each` loop variables, innermost last.
    pub locals: &'s [(String, Node)],
    /// A variable only the server knows reads as null (unset) instead of stopping the
    /// evaluation: for conditions and loops, which must be decided to compile.
    pub unknown_as_null: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum EvalError {
    /// A value only the server knows (a predefined or queue-time variable): the expression is
    /// kept as written.
    Unknown(String),
    /// The compilation fails, at this byte range of the expression text.
    Error {
        message: String,
        at: std::ops::Range<usize>,
    },
}

fn err(message: impl Into<String>, e: &Op) -> EvalError {
    EvalError::Error {
        message: message.into(),
        at: e.span.clone(),
    }
}

/// A parsed expression that owns its pieces: parsed once, evaluated any number of times (in
/// every iteration of a loop, in every instance of a template).
#[derive(Debug)]
pub struct Op {
    kind: OpKind,
    span: std::ops::Range<usize>,
}

#[derive(Debug)]
enum OpKind {
    Bool(bool),
    Null,
    /// The number, or the text that isn't one.
    Number(Result<f64, Box<str>>),
    Version(Box<str>),
    /// The string's value (`''` read as `'`).
    String(Box<str>),
    Wildcard,
    Name(Box<str>),
    Property {
        base: Box<Op>,
        name: Box<str>,
    },
    Index {
        base: Box<Op>,
        index: Box<Op>,
    },
    Call {
        name: Box<str>,
        function: Option<&'static expr::Function>,
        args: Vec<Op>,
    },
}

impl Op {
    fn of(e: &Expr) -> Op {
        let kind = match &e.kind {
            ExprKind::Bool(b) => OpKind::Bool(*b),
            ExprKind::Null => OpKind::Null,
            ExprKind::Number(raw) => OpKind::Number(raw.parse::<f64>().map_err(|_| (*raw).into())),
            ExprKind::Version(raw) => OpKind::Version((*raw).into()),
            ExprKind::String(_) => OpKind::String(e.string_value().unwrap_or_default().into()),
            ExprKind::Wildcard => OpKind::Wildcard,
            ExprKind::Name(n) => OpKind::Name((*n).into()),
            ExprKind::Property { base, name } => OpKind::Property {
                base: Box::new(Op::of(base)),
                name: (*name).into(),
            },
            ExprKind::Index { base, index } => OpKind::Index {
                base: Box::new(Op::of(base)),
                index: Box::new(Op::of(index)),
            },
            ExprKind::Call { name, args } => OpKind::Call {
                name: (*name).into(),
                function: expr::function(name),
                args: args.iter().map(Op::of).collect(),
            },
        };
        Op {
            kind,
            span: e.span.clone(),
        }
    }
}

/// Parse `src` (the text inside `${{ }}`) for [`run`]; the error is the one evaluating it fails
/// with.
pub fn prepare(src: &str) -> Result<Op, EvalError> {
    let parsed = expr::parse(src).map_err(|e| EvalError::Error {
        message: e.message.clone(),
        at: e.range(),
    })?;
    Ok(Op::of(&parsed))
}

/// Parse and evaluate `src` (the text inside `${{ }}`). Values made by the expression get
/// `origin`; values read from parameters keep theirs.
pub fn evaluate(src: &str, scope: &Scope, origin: &Origin) -> Result<Node, EvalError> {
    run(&prepare(src)?, scope, origin)
}

/// Evaluate an expression [`prepare`]d: as [`evaluate`].
pub fn run(op: &Op, scope: &Scope, origin: &Origin) -> Result<Node, EvalError> {
    let (node, _) = eval(op, scope, origin)?;
    Ok(node.into_owned())
}

/// The node and whether it is a filtered array (`x.*`), whose properties map over its items. A
/// value read from the scope (`parameters.x.y`, a loop variable, a variable) is borrowed: large
/// parameter objects are copied only when the result of the whole expression is.
fn eval<'s>(
    e: &Op,
    scope: &Scope<'s>,
    origin: &Origin,
) -> Result<(Cow<'s, Node>, bool), EvalError> {
    let made = |v: Value| Cow::Owned(Node::new(v, origin.clone()));
    Ok(match &e.kind {
        OpKind::Bool(b) => (made(Value::Bool(*b)), false),
        OpKind::Null => (made(Value::Null), false),
        OpKind::Number(n) => {
            let n = n
                .as_ref()
                .map_err(|raw| err(format!("`{raw}` is not a number"), e))?;
            (made(Value::Number(*n)), false)
        }
        OpKind::Version(raw) => (made(Value::Version((**raw).into())), false),
        OpKind::String(s) => (made(Value::String((**s).into())), false),
        OpKind::Wildcard => return Err(err("unexpected `*`", e)),
        OpKind::Name(name) => (name_value(name, e, scope, origin)?, false),
        OpKind::Property { base, name } => {
            if let OpKind::Name(n) = &base.kind {
                if n.eq_ignore_ascii_case("variables") && !is_local(n, scope) {
                    return Ok((variable(name, scope)?, false));
                }
            }
            let (b, filtered) = eval(base, scope, origin)?;
            if &**name == "*" {
                return Ok((made(wildcard(&b.value)), true));
            }
            if filtered {
                let items = match &b.value {
                    Value::Array(items) => items
                        .iter()
                        .filter_map(|i| i.value.get(name).cloned())
                        .collect(),
                    _ => Vec::new(),
                };
                return Ok((made(Value::array(items)), true));
            }
            (
                child(b, |v| v.get(name)).unwrap_or_else(|| made(Value::Null)),
                false,
            )
        }
        OpKind::Index { base, index } => {
            if let OpKind::Name(n) = &base.kind {
                if n.eq_ignore_ascii_case("variables") && !is_local(n, scope) {
                    let (i, _) = eval(index, scope, origin)?;
                    let key = i.value.to_str().unwrap_or_default();
                    return Ok((variable(&key, scope)?, false));
                }
            }
            let (b, _) = eval(base, scope, origin)?;
            if matches!(index.kind, OpKind::Wildcard) {
                return Ok((made(wildcard(&b.value)), true));
            }
            let (i, _) = eval(index, scope, origin)?;
            let got = child(b, |v| match (v, &i.value) {
                (Value::Array(items), iv) => {
                    let n = iv.to_number();
                    if n.is_nan() || n < 0.0 || n.fract() != 0.0 {
                        None
                    } else {
                        items.get(n as usize)
                    }
                }
                (Value::Object(_), iv) => iv.to_str().and_then(|k| v.get(&k)),
                _ => None,
            });
            (got.unwrap_or_else(|| made(Value::Null)), false)
        }
        OpKind::Call {
            name,
            function,
            args,
        } => (made(call(name, *function, args, e, scope, origin)?), false),
    })
}

/// A part of `base` chosen by `pick`: borrowed from the scope when `base` is.
fn child<'s>(
    base: Cow<'s, Node>,
    pick: impl for<'v> Fn(&'v Value) -> Option<&'v Node>,
) -> Option<Cow<'s, Node>> {
    match base {
        Cow::Borrowed(b) => pick(&b.value).map(Cow::Borrowed),
        Cow::Owned(b) => pick(&b.value).cloned().map(Cow::Owned),
    }
}

fn is_local(name: &str, scope: &Scope) -> bool {
    scope
        .locals
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case(name))
}

/// The items of `x.*`: an array's own items (shared), an object's values.
fn wildcard(v: &Value) -> Value {
    match v {
        Value::Array(items) => Value::Array(items.clone()),
        Value::Object(entries) => Value::array(entries.iter().map(|(_, v)| v.clone()).collect()),
        _ => Value::array(Vec::new()),
    }
}

fn variable<'s>(name: &str, scope: &Scope<'s>) -> Result<Cow<'s, Node>, EvalError> {
    match scope
        .variables
        .iter()
        .rev()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
    {
        Some((_, v)) => Ok(Cow::Borrowed(v)),
        None if scope.unknown_as_null => Ok(Cow::Owned(Node::new(Value::Null, Origin::default()))),
        None => Err(EvalError::Unknown(format!("variables['{name}']"))),
    }
}

fn name_value<'s>(
    name: &str,
    e: &Op,
    scope: &Scope<'s>,
    origin: &Origin,
) -> Result<Cow<'s, Node>, EvalError> {
    if let Some((_, v)) = scope
        .locals
        .iter()
        .rev()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
    {
        return Ok(Cow::Borrowed(v));
    }
    if name.eq_ignore_ascii_case("parameters") {
        return Ok(Cow::Borrowed(scope.parameters));
    }
    if name.eq_ignore_ascii_case("variables") {
        let mut entries: Vec<(Key, Node)> = Vec::new();
        for (n, v) in scope.variables {
            entries.retain(|(k, _)| !k.name.eq_ignore_ascii_case(n));
            entries.push((
                Key {
                    name: n.as_str().into(),
                    origin: v.origin.clone(),
                },
                v.clone(),
            ));
        }
        return Ok(Cow::Owned(Node::new(
            Value::object(entries),
            origin.clone(),
        )));
    }
    Err(err(format!("Unrecognized value: '{name}'"), e))
}

fn string_of(v: &Node, e: &Op) -> Result<String, EvalError> {
    v.value.to_str().ok_or_else(|| {
        err(
            format!("Unable to convert from {} to String", type_name(&v.value)),
            e,
        )
    })
}

fn call(
    name: &str,
    function: Option<&'static expr::Function>,
    args: &[Op],
    e: &Op,
    scope: &Scope,
    origin: &Origin,
) -> Result<Value, EvalError> {
    let Some(f) = function else {
        return Err(err(format!("Unrecognized function: '{name}'"), e));
    };
    if args.len() < f.min_args || args.len() > f.max_args {
        return Err(err(
            format!(
                "'{}' takes {} arguments, but {} were given",
                f.name,
                if f.max_args == usize::MAX {
                    format!("at least {}", f.min_args)
                } else if f.min_args == f.max_args {
                    f.min_args.to_string()
                } else {
                    format!("{} to {}", f.min_args, f.max_args)
                },
                args.len()
            ),
            e,
        ));
    }
    let arg = |i: usize| -> Result<Cow<Node>, EvalError> { Ok(eval(&args[i], scope, origin)?.0) };
    let s = |i: usize| -> Result<String, EvalError> { string_of(&*arg(i)?, &args[i]) };
    Ok(match f.name {
        // `and`/`or` stop at the first argument that decides, as the server does.
        "and" => {
            for i in 0..args.len() {
                if !arg(i)?.value.truthy() {
                    return Ok(Value::Bool(false));
                }
            }
            Value::Bool(true)
        }
        "or" => {
            for i in 0..args.len() {
                if arg(i)?.value.truthy() {
                    return Ok(Value::Bool(true));
                }
            }
            Value::Bool(false)
        }
        "not" => Value::Bool(!arg(0)?.value.truthy()),
        "xor" => Value::Bool(arg(0)?.value.truthy() != arg(1)?.value.truthy()),
        "eq" => Value::Bool(equals(&arg(0)?.value, &arg(1)?.value)),
        "ne" => Value::Bool(!equals(&arg(0)?.value, &arg(1)?.value)),
        "gt" | "ge" | "lt" | "le" => {
            let ord = compare(&arg(0)?.value, &arg(1)?.value).map_err(|m| err(m, e))?;
            Value::Bool(match f.name {
                "gt" => ord == Ordering::Greater,
                "ge" => ord != Ordering::Less,
                "lt" => ord == Ordering::Less,
                _ => ord != Ordering::Greater,
            })
        }
        "in" | "notIn" => {
            let needle = arg(0)?;
            let mut found = false;
            for i in 1..args.len() {
                if equals(&needle.value, &arg(i)?.value) {
                    found = true;
                    break;
                }
            }
            Value::Bool(found == (f.name == "in"))
        }
        "contains" => {
            let (hay, needle) = (s(0)?, s(1)?);
            Value::Bool(hay.to_lowercase().contains(&needle.to_lowercase()))
        }
        "containsValue" => {
            let hay = arg(0)?;
            let needle = arg(1)?;
            let found = match &hay.value {
                Value::Array(items) => items.iter().any(|i| equals(&i.value, &needle.value)),
                Value::Object(entries) => {
                    entries.iter().any(|(_, v)| equals(&v.value, &needle.value))
                }
                _ => false,
            };
            Value::Bool(found)
        }
        "startsWith" => Value::Bool(s(0)?.to_lowercase().starts_with(&s(1)?.to_lowercase())),
        "endsWith" => Value::Bool(s(0)?.to_lowercase().ends_with(&s(1)?.to_lowercase())),
        "lower" => Value::String(s(0)?.to_lowercase().into()),
        "upper" => Value::String(s(0)?.to_uppercase().into()),
        "trim" => Value::String(s(0)?.trim().into()),
        // The documentation does not say how `replace` matches; the server uses .NET's
        // `String.Replace`, which is ordinal and case-sensitive. An empty search string
        // leaves the text unchanged (instead of .NET's exception).
        "replace" => {
            let text = s(0)?;
            let old = s(1)?;
            let new = if args.len() > 2 { s(2)? } else { String::new() };
            Value::String(if old.is_empty() {
                text.into()
            } else {
                text.replace(&old, &new).into()
            })
        }
        "split" => {
            let text = s(0)?;
            let sep = s(1)?;
            let parts: Vec<String> = if sep.is_empty() {
                vec![text]
            } else {
                text.split(sep.as_str()).map(str::to_string).collect()
            };
            Value::array(
                parts
                    .into_iter()
                    .map(|p| Node::new(Value::String(p.into()), origin.clone()))
                    .collect(),
            )
        }
        // `join(sep, array)`: items as strings, arrays and objects inside as empty strings; a
        // value that is not an array is returned as a string.
        "join" => {
            let sep = s(0)?;
            let list = arg(1)?;
            match &list.value {
                Value::Array(items) => Value::String(
                    items
                        .iter()
                        .map(|i| i.value.to_str().unwrap_or_default())
                        .collect::<Vec<_>>()
                        .join(&sep)
                        .into(),
                ),
                other => Value::String(other.to_str().unwrap_or_default().into()),
            }
        }
        "format" => {
            let fmt = s(0)?;
            let mut values = Vec::new();
            for i in 1..args.len() {
                values.push(arg(i)?.into_owned());
            }
            Value::String(format(&fmt, &values).map_err(|m| err(m, e))?.into())
        }
        "coalesce" => {
            for i in 0..args.len() {
                let v = arg(i)?;
                match &v.value {
                    Value::Null => {}
                    Value::String(s) if s.is_empty() => {}
                    _ => return Ok(v.into_owned().value),
                }
            }
            Value::Null
        }
        "length" => {
            let v = arg(0)?;
            let n = match &v.value {
                Value::Null => 0,
                Value::String(s) => s.encode_utf16().count(),
                Value::Array(items) => items.len(),
                Value::Object(entries) => entries.len(),
                other => {
                    return Err(err(
                        format!("length() can't measure a {}", type_name(other)),
                        e,
                    ))
                }
            };
            Value::Number(n as f64)
        }
        "convertToJson" => {
            let v = arg(0)?;
            Value::String(
                serde_json::to_string_pretty(&to_json(&v.value))
                    .unwrap_or_default()
                    .into(),
            )
        }
        // Only the chosen branch is evaluated.
        "iif" => {
            if arg(0)?.value.truthy() {
                arg(1)?.into_owned().value
            } else {
                arg(2)?.into_owned().value
            }
        }
        other => {
            return Err(err(
                format!("'{other}' is not available in template expressions (only at run time)"),
                e,
            ))
        }
    })
}

/// `format('{0} and {1}', a, b)`: `{N}` placeholders, `{{` and `}}` for braces. A format
/// specifier (`{0:yyyyMMdd}`) only applies to dates, which compile-time values never are: it is
/// ignored (the documentation is silent on other types).
fn format(fmt: &str, values: &[Node]) -> Result<String, String> {
    let mut out = String::new();
    let mut chars = fmt.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '{' => {
                if chars.peek().map(|x| x.1) == Some('{') {
                    chars.next();
                    out.push('{');
                    continue;
                }
                let rest = &fmt[i + 1..];
                let Some(close) = rest.find('}') else {
                    return Err(format!("The format string '{fmt}' is invalid"));
                };
                let spec = &rest[..close];
                let index = spec.split(':').next().unwrap_or("").trim();
                let n: usize = index
                    .parse()
                    .map_err(|_| format!("The format string '{fmt}' is invalid"))?;
                let v = values.get(n).ok_or_else(|| {
                    format!(
                        "The format string '{fmt}' refers to argument {n}, but only {} were given",
                        values.len()
                    )
                })?;
                out.push_str(&v.value.to_str().ok_or_else(|| {
                    format!("Unable to convert from {} to String", type_name(&v.value))
                })?);
                for _ in 0..spec.chars().count() + 1 {
                    chars.next();
                }
            }
            '}' => {
                if chars.peek().map(|x| x.1) == Some('}') {
                    chars.next();
                    out.push('}');
                } else {
                    return Err(format!("The format string '{fmt}' is invalid"));
                }
            }
            c => out.push(c),
        }
    }
    Ok(out)
}

/// A value inserted into text: strings as they are, others converted.
pub fn text_of(v: &Value) -> Option<String> {
    match v {
        Value::Number(n) => Some(format_number(*n)),
        other => other.to_str(),
    }
}

/// Case-insensitive equality of two names.
pub fn same_name(a: &str, b: &str) -> bool {
    eq_ignore_case(a, b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params() -> Node {
        let o = Origin::default();
        let k = |n: &str| Key {
            name: n.into(),
            origin: o.clone(),
        };
        let n = |v: Value| Node::new(v, o.clone());
        n(Value::object(vec![
            (k("name"), n(Value::String("Web".into()))),
            (k("flag"), n(Value::Bool(true))),
            (k("count"), n(Value::Number(3.0))),
            (
                k("list"),
                n(Value::array(vec![
                    n(Value::String("a".into())),
                    n(Value::String("b".into())),
                ])),
            ),
            (
                k("jobs"),
                n(Value::array(vec![
                    n(Value::object(vec![(
                        k("job"),
                        n(Value::String("A".into())),
                    )])),
                    n(Value::object(vec![(
                        k("job"),
                        n(Value::String("B".into())),
                    )])),
                ])),
            ),
        ]))
    }

    fn ev(src: &str) -> Result<Value, EvalError> {
        let p = params();
        let vars = vec![(
            "configuration".to_string(),
            Node::new(Value::String("Release".into()), Origin::default()),
        )];
        let scope = Scope {
            parameters: &p,
            variables: &vars,
            locals: &[],
            unknown_as_null: false,
        };
        evaluate(src, &scope, &Origin::default()).map(|n| n.value)
    }

    fn string(src: &str) -> String {
        match ev(src) {
            Ok(Value::String(s)) => s.to_string(),
            other => panic!("{src}: {other:?}"),
        }
    }

    fn boolean(src: &str) -> bool {
        match ev(src) {
            Ok(Value::Bool(b)) => b,
            other => panic!("{src}: {other:?}"),
        }
    }

    #[test]
    fn literals_and_names() {
        assert_eq!(ev("true"), Ok(Value::Bool(true)));
        assert_eq!(ev("-1.5"), Ok(Value::Number(-1.5)));
        assert_eq!(ev("1.2.3"), Ok(Value::Version("1.2.3".into())));
        assert_eq!(string("'it''s'"), "it's");
        assert_eq!(string("parameters.name"), "Web");
        assert_eq!(string("parameters['NAME']"), "Web");
        assert_eq!(string("parameters.list[1]"), "b");
        assert_eq!(ev("parameters.missing"), Ok(Value::Null));
        assert_eq!(string("variables.configuration"), "Release");
        assert_eq!(string("variables['Configuration']"), "Release");
        assert!(matches!(
            ev("variables['Build.SourceBranch']"),
            Err(EvalError::Unknown(_))
        ));
        assert!(matches!(ev("foo"), Err(EvalError::Error { .. })));
        assert_eq!(string("join(',', parameters.jobs.*.job)"), "A,B");
    }

    #[test]
    fn logic() {
        assert!(boolean("and(true, parameters.flag)"));
        assert!(
            !boolean("and(false, variables['Build.Reason'])"),
            "short-circuit"
        );
        assert!(boolean("or(true, variables['Build.Reason'])"));
        assert!(boolean("not(false)"));
        assert!(boolean("xor(true, false)"));
        assert!(!boolean("xor(true, true)"));
        assert!(boolean("iif(parameters.flag, true, false)"));
    }

    #[test]
    fn comparisons() {
        assert!(boolean("eq(parameters.name, 'web')"));
        assert!(boolean("ne(parameters.name, 'api')"));
        assert!(boolean("eq(parameters.count, '3')"));
        assert!(boolean("gt(parameters.count, 2)"));
        assert!(boolean("ge(parameters.count, 3)"));
        assert!(boolean("lt(1, 2)"));
        assert!(boolean("le(2, 2)"));
        assert!(boolean("eq(parameters.flag, 'True')"));
        assert!(boolean("in(parameters.name, 'api', 'WEB')"));
        assert!(boolean("notIn(parameters.name, 'api', 'db')"));
        assert!(boolean("contains('Hello', 'ELL')"));
        assert!(boolean("containsValue(parameters.list, 'B')"));
        assert!(boolean("startsWith('refs/heads/main', 'REFS/')"));
        assert!(boolean("endsWith('a.yml', '.YML')"));
        assert!(ev("gt(1, 'x')").is_err());
    }

    #[test]
    fn strings() {
        assert_eq!(string("lower('AbC')"), "abc");
        assert_eq!(string("upper('AbC')"), "ABC");
        assert_eq!(string("trim('  x ')"), "x");
        assert_eq!(string("replace('a-b-c', '-', '_')"), "a_b_c");
        assert_eq!(string("join(';', split('a,b', ','))"), "a;b");
        assert_eq!(string("join('+', 'solo')"), "solo");
        assert_eq!(
            string("format('{0}-{1}-{{x}}', parameters.name, parameters.count)"),
            "Web-3-{x}"
        );
        assert_eq!(string("format('{0:yyyy}', 'x')"), "x");
        assert!(ev("format('{1}', 'a')").is_err());
        assert_eq!(string("coalesce(parameters.missing, '', 'z')"), "z");
        assert_eq!(ev("length(parameters.list)"), Ok(Value::Number(2.0)));
        assert_eq!(ev("length('abc')"), Ok(Value::Number(3.0)));
        assert_eq!(
            string("convertToJson(parameters.list)"),
            "[\n  \"a\",\n  \"b\"\n]"
        );
        assert_eq!(string("format('{0}', true)"), "True");
    }

    #[test]
    fn errors() {
        assert!(matches!(ev("nope(1)"), Err(EvalError::Error { .. })));
        assert!(matches!(ev("eq(1)"), Err(EvalError::Error { .. })));
        assert!(matches!(ev("succeeded()"), Err(EvalError::Error { .. })));
        assert!(matches!(
            ev("lower(parameters.list)"),
            Err(EvalError::Error { .. })
        ));
    }
}
