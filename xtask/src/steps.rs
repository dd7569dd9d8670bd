//! `data/steps.json`: the keys each kind of step accepts, from the YAML schema's `step` definition.

use serde_json::Value;
use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;

/// Known gaps of the schema, corrected here (each says why).
const CORRECTIONS: &[(&str, &str, &str)] = &[
    // The schema's task step omits `target`, which the server accepts on every step kind.
    (
        "task",
        "target",
        "the server accepts `target` on task steps as on the other step kinds",
    ),
];

/// Generate the contents of `data/steps.json` from `data/service-schema.json`.
pub fn generate_steps(data: &Path, generated_by: &str) -> Result<String, String> {
    let defs = &crate::schema::read_definitions(data)?;
    let alternatives = defs
        .get("step")
        .and_then(|s| s.get("anyOf"))
        .and_then(Value::as_array)
        .ok_or("service-schema.json: no definitions.step.anyOf")?;
    let mut kinds: Vec<(String, BTreeSet<String>, Vec<String>)> = Vec::new();
    for alt in alternatives {
        // `{"$ref": "#/definitions/task"}` or an inline object.
        let body = match alt.get("$ref").and_then(Value::as_str) {
            Some(r) if alt.get("properties").is_none() => {
                let name = r.rsplit('/').next().unwrap_or("");
                defs.get(name)
                    .ok_or_else(|| format!("service-schema.json: missing {r}"))?
            }
            _ => alt,
        };
        let Some(props) = body.get("properties").and_then(Value::as_object) else {
            continue;
        };
        let keys: BTreeSet<String> = props.keys().cloned().collect();
        let first = body
            .get("firstProperty")
            .and_then(Value::as_array)
            .and_then(|a| a.first())
            .and_then(Value::as_str)
            .map(str::to_string)
            .or_else(|| keys.contains("task").then(|| "task".to_string()))
            .ok_or("service-schema.json: a step kind without firstProperty")?;
        let required: Vec<String> = body
            .get("required")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        kinds.push((first, keys, required));
    }
    let mut corrections = Vec::new();
    for (kind, key, why) in CORRECTIONS {
        if let Some((_, keys, _)) = kinds.iter_mut().find(|(k, _, _)| k == kind) {
            if keys.insert(key.to_string()) {
                corrections.push(serde_json::json!({"step": kind, "added": key, "why": why}));
            }
        }
    }
    kinds.sort_by(|a, b| a.0.cmp(&b.0));
    let mut out = String::new();
    let _ = write!(
        out,
        "{{\n\"generated_by\": {},\n\"source\": \"service-schema.json definitions.step (Microsoft's YAML schema for pipelines, MIT)\",\n\"corrections\": {},\n\"steps\": [\n",
        serde_json::to_string(generated_by).unwrap_or_default(),
        serde_json::to_string(&corrections).unwrap_or_default()
    );
    for (i, (kind, keys, _)) in kinds.iter().enumerate() {
        let line = serde_json::json!({"kind": kind, "keys": keys});
        out.push_str(&line.to_string());
        out.push_str(if i + 1 < kinds.len() { ",\n" } else { "\n" });
    }
    out.push_str("]\n}\n");
    Ok(out)
}
