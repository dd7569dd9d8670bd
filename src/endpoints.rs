//! Service connection exports as Azure DevOps writes them (the REST API, `az devops
//! service-endpoint show` or `list`): read by `check-connection` and by `--endpoints` /
//! `serviceConnectionsFrom` (which keep only the name, type and scheme of each connection).
//!
//! Field names are looked up without regard to case, so PowerShell's `Issuer`/`Subject` work too.

use serde_json::value::RawValue;
use serde_json::Value;

/// What the checks need from one service connection.
#[derive(Debug, Clone, Default)]
pub struct Endpoint {
    pub name: Option<String>,
    pub id: Option<String>,
    pub kind: Option<String>,
    pub scheme: Option<String>,
    pub authentication_type: Option<String>,
    pub issuer: Option<String>,
    pub subject: Option<String>,
    pub client_id: Option<String>,
    pub tenant_id: Option<String>,
    pub is_ready: Option<bool>,
    pub status: Option<String>,
}

/// A JSON file that could not be used: the message says why (with line and column for syntax),
/// and the 1-based line and column of the problem when there is one.
#[derive(Debug)]
pub struct InputError(pub String, pub Option<(usize, usize)>);

impl InputError {
    pub(crate) fn new(message: impl Into<String>) -> InputError {
        InputError(message.into(), None)
    }
}

pub(crate) fn get<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    v.as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v)
}

pub(crate) fn string(v: &Value, key: &str) -> Option<String> {
    match get(v, key)? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        _ => None,
    }
}

pub(crate) fn parse_json(text: &str) -> Result<Value, InputError> {
    let text = text.trim_start_matches('\u{feff}');
    serde_json::from_str(text).map_err(|e| {
        InputError(
            format!(
                "invalid JSON at line {}, column {}: {}",
                e.line(),
                e.column(),
                strip_position(&e.to_string())
            ),
            Some((e.line(), e.column())),
        )
    })
}

/// serde_json's message without its own ` at line L column C` (we print it first).
fn strip_position(s: &str) -> String {
    match s.rfind(" at line ") {
        Some(i) => s[..i].to_string(),
        None => s.to_string(),
    }
}

/// The items of a list: a JSON array, the REST API's `{"count": n, "value": [...]}`, or one
/// object on its own.
pub(crate) fn items(v: &Value) -> Vec<&Value> {
    match v {
        Value::Array(a) => a.iter().collect(),
        Value::Object(_) => match get(v, "value") {
            Some(Value::Array(a)) => a.iter().collect(),
            _ => vec![v],
        },
        _ => Vec::new(),
    }
}

/// Line and column (1-based) where item `index` of the list in `text` starts, read again with
/// the raw text of each item kept (only when an item is reported).
fn item_position(text: &str, index: usize) -> Option<(usize, usize)> {
    let text = text.trim_start_matches('\u{feff}');
    let raw: Vec<&RawValue> = match serde_json::from_str::<Vec<&RawValue>>(text) {
        Ok(list) => list,
        Err(_) => {
            let envelope: std::collections::BTreeMap<String, &RawValue> =
                serde_json::from_str(text).ok()?;
            match envelope
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case("value"))
            {
                Some((_, v)) => serde_json::from_str::<Vec<&RawValue>>(v.get()).ok()?,
                None => vec![serde_json::from_str::<&RawValue>(text).ok()?],
            }
        }
    };
    let item = raw.get(index)?.get();
    let offset = (item.as_ptr() as usize).checked_sub(text.as_ptr() as usize)?;
    let before = text.get(..offset)?;
    let line = before.matches('\n').count() + 1;
    let column = before[before.rfind('\n').map_or(0, |i| i + 1)..]
        .chars()
        .count()
        + 1;
    Some((line, column))
}

/// The service connections in an export.
pub fn parse_endpoints(text: &str) -> Result<Vec<Endpoint>, InputError> {
    let v = parse_json(text)?;
    if !matches!(v, Value::Array(_) | Value::Object(_)) {
        return Err(InputError(
            "expected a service connection (a JSON object) or a list of them".to_string(),
            Some((1, 1)),
        ));
    }
    let mut out = Vec::new();
    for (i, item) in items(&v).into_iter().enumerate() {
        let Some(auth) = get(item, "authorization").filter(|a| a.is_object()) else {
            return Err(InputError(
                format!(
                    "item {} is not a service connection: it has no `authorization` object \
                     (export it with `az devops service-endpoint show --id <id>` or the REST API)",
                    i + 1
                ),
                item_position(text, i),
            ));
        };
        let params = get(auth, "parameters").cloned().unwrap_or(Value::Null);
        let status = get(item, "operationStatus").and_then(|s| string(s, "statusMessage"));
        out.push(Endpoint {
            name: string(item, "name"),
            id: string(item, "id"),
            kind: string(item, "type"),
            scheme: string(auth, "scheme"),
            authentication_type: string(&params, "authenticationType"),
            issuer: string(&params, "workloadIdentityFederationIssuer"),
            subject: string(&params, "workloadIdentityFederationSubject"),
            client_id: string(&params, "serviceprincipalid"),
            tenant_id: string(&params, "tenantid"),
            is_ready: get(item, "isReady").and_then(Value::as_bool),
            status,
        });
    }
    if out.is_empty() {
        return Err(InputError(
            "the file holds no service connection".to_string(),
            Some((1, 1)),
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_of_errors() {
        let e = parse_endpoints("[\n  {\"name\": ,}\n]").unwrap_err();
        assert_eq!(e.1, Some((2, 12)), "{}", e.0);
        let ok = r#"{"name":"a","authorization":{"scheme":"ServicePrincipal"}}"#;
        let e = parse_endpoints(&format!("[\n  {ok},\n    {{\"name\": \"b\"}}\n]")).unwrap_err();
        assert!(e.0.starts_with("item 2 "), "{}", e.0);
        assert_eq!(e.1, Some((3, 5)));
        let e = parse_endpoints(&format!(
            "{{\"count\": 2,\n \"value\": [{ok},\n  {{\"name\": \"b\"}}]}}"
        ))
        .unwrap_err();
        assert_eq!(e.1, Some((3, 3)), "{}", e.0);
    }
}
