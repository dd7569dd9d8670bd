//! `data/schema.json`: the structure of pipelines (root, stages, jobs, deployment strategies, pool,
//! resources, triggers, variables, parameters, ...) from Microsoft's YAML schema, compacted: only
//! the keywords the validator reads, with the corrections listed below.

use serde_json::{Map, Value};
use std::fmt::Write as _;
use std::path::Path;

/// Keywords the validator reads (shared with azplint's build script); everything else
/// (descriptions, editor hints) is dropped.
#[path = "../../build/schema_keywords.rs"]
mod schema_keywords;
use schema_keywords::KEYWORDS as KEEP;

/// Keys the server requires that the schema doesn't mark: (definition, alternative's first
/// property, key, why).
const REQUIRED: &[(&str, &str, &str, &str)] = &[(
    "job",
    "deployment",
    "environment",
    "a deployment job runs against an environment; the server rejects one without it",
)];

/// Properties given another definition: (definition, property, new definition, why).
const RETYPED: &[(&str, &str, &str, &str)] = &[
    (
        "job",
        "timeoutInMinutes",
        "integer",
        "the server reads it as a whole number; the schema says only string",
    ),
    (
        "job",
        "cancelTimeoutInMinutes",
        "integer",
        "the server reads it as a whole number; the schema says only string",
    ),
    (
        "jobStrategy",
        "maxParallel",
        "integer",
        "the server reads it as a whole number; the schema says only string",
    ),
    (
        "jobStrategy",
        "parallel",
        "integer",
        "the server reads it as a whole number; the schema says only string",
    ),
    // The schema's pattern allows `-`, which the server rejects in job names; the invalid-name rule
    // checks job and stage names with the server's rule instead.
    (
        "job",
        "job",
        "string",
        "job names are checked by the invalid-name rule with the server's rule",
    ),
    (
        "job",
        "continueOnError",
        "boolean",
        "the server reads a job's continueOnError as a boolean",
    ),
    // Real pipelines that run use `.` in repository aliases (azure-sdk-tools: `azure-sdk-docs-eng.ms`).
    (
        "repositoryResource",
        "repository",
        "string",
        "the server accepts `.` in repository aliases, which the schema's pattern rejects",
    ),
];

fn compact(v: &Value) -> Value {
    match v {
        Value::Object(m) => {
            let mut out = Map::new();
            for (k, val) in m {
                if KEEP.contains(&k.as_str()) {
                    let inner = match k.as_str() {
                        // Property and pattern-property names are data, not keywords.
                        "properties" | "patternProperties" => match val {
                            Value::Object(props) => Value::Object(
                                props
                                    .iter()
                                    .map(|(pk, pv)| (pk.clone(), compact(pv)))
                                    .collect(),
                            ),
                            other => other.clone(),
                        },
                        _ => compact(val),
                    };
                    // `#/definitions/x` -> `x`
                    let inner = match (k.as_str(), inner) {
                        ("$ref", Value::String(r)) => {
                            Value::String(r.trim_start_matches("#/definitions/").to_string())
                        }
                        (_, i) => i,
                    };
                    out.insert(k.clone(), inner);
                }
            }
            Value::Object(out)
        }
        Value::Array(a) => Value::Array(a.iter().map(compact).collect()),
        other => other.clone(),
    }
}

/// Rewire `def.properties[prop]` to the definition `to`, in every alternative of `def`.
fn retype(defs: &mut Map<String, Value>, def: &str, prop: &str, to: &str) -> bool {
    let rewire = |alt: &mut Value, prop: &str| -> bool {
        match alt.get_mut("properties") {
            Some(Value::Object(props)) => match props.get_mut(prop) {
                Some(p) => {
                    *p = serde_json::json!({"$ref": to});
                    true
                }
                None => false,
            },
            _ => false,
        }
    };
    let Some(d) = defs.get_mut(def) else {
        return false;
    };
    if let Some(Value::Array(alts)) = d.get_mut("anyOf") {
        let mut changed = false;
        for alt in alts.iter_mut() {
            changed |= rewire(alt, prop);
        }
        return changed;
    }
    rewire(d, prop)
}

/// The `definitions` of `data/service-schema.json`.
pub fn read_definitions(data: &Path) -> Result<Map<String, Value>, String> {
    let path = data.join("service-schema.json");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let schema: Value = serde_json::from_str(text.trim_start_matches('\u{feff}'))
        .map_err(|e| format!("{}: {e}", path.display()))?;
    match schema.get("definitions") {
        Some(Value::Object(defs)) => Ok(defs.clone()),
        _ => Err("service-schema.json: no definitions".to_string()),
    }
}

pub fn generate_schema(data: &Path, generated_by: &str) -> Result<String, String> {
    let defs = &read_definitions(data)?;
    let mut out: Map<String, Value> = defs
        .iter()
        .filter(|(k, _)| k.as_str() != "task")
        .map(|(k, v)| (k.clone(), compact(v)))
        .collect();
    let mut corrections: Vec<Value> = Vec::new();
    // Task steps are checked against the task catalog and data/steps.json, not here.
    out.insert(
        "task".into(),
        serde_json::json!({"type": "object", "additionalProperties": true}),
    );
    corrections.push(serde_json::json!({"definition": "task", "why": "task steps are checked against the task catalog (data/tasks.json) and data/steps.json"}));
    out.insert(
        "integer".into(),
        serde_json::json!({"type": "string", "pattern": "^\\s*[0-9]+\\s*$"}),
    );
    // `trigger`/`pr` as a plain string: the schema allows only `none`; whether the server also takes
    // a single branch name is not verified, so no string is flagged there.
    for def in ["trigger", "pr"] {
        let alts = out
            .get_mut(def)
            .and_then(|d| d.get_mut("anyOf"))
            .and_then(Value::as_array_mut);
        for alt in alts.into_iter().flatten() {
            if alt.get("pattern").and_then(Value::as_str) == Some("^none$") {
                if let Some(o) = alt.as_object_mut() {
                    o.remove("pattern");
                    corrections.push(serde_json::json!({"definition": def, "removed": "pattern ^none$", "why": "not verified that the server rejects a single branch name; not flagged"}));
                }
            }
        }
    }
    for (def, first, key, why) in REQUIRED {
        let alts = out
            .get_mut(*def)
            .and_then(|d| d.get_mut("anyOf"))
            .and_then(Value::as_array_mut);
        for alt in alts.into_iter().flatten() {
            let is_it = alt
                .get("firstProperty")
                .and_then(Value::as_array)
                .is_some_and(|f| f.first().and_then(Value::as_str) == Some(first));
            if is_it {
                let req = alt.as_object_mut().map(|o| {
                    o.entry("required")
                        .or_insert_with(|| Value::Array(Vec::new()))
                });
                if let Some(Value::Array(r)) = req {
                    r.push(Value::String(key.to_string()));
                    corrections.push(serde_json::json!({"definition": def, "alternative": first, "required": key, "why": why}));
                }
            }
        }
    }
    for (def, prop, to, why) in RETYPED {
        if retype(&mut out, def, prop, to) {
            corrections.push(
                serde_json::json!({"definition": def, "property": prop, "now": to, "why": why}),
            );
        }
    }
    let mut s = String::new();
    let _ = write!(
        s,
        "{{\n\"generated_by\": {},\n\"source\": \"service-schema.json definitions (Microsoft's YAML schema for pipelines, MIT), compacted\",\n\"corrections\": {},\n\"definitions\": {{\n",
        serde_json::to_string(generated_by).unwrap_or_default(),
        serde_json::to_string(&corrections).unwrap_or_default()
    );
    let n = out.len();
    let mut keys: Vec<&String> = out.keys().collect();
    keys.sort();
    for (i, k) in keys.into_iter().enumerate() {
        let _ = writeln!(
            s,
            "{}: {}{}",
            serde_json::to_string(k).unwrap_or_default(),
            serde_json::to_string(&out[k]).unwrap_or_default(),
            if i + 1 < n { "," } else { "" }
        );
    }
    s.push_str("}\n}\n");
    Ok(s)
}
