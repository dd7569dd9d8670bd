//! Generator of azplint's task catalog (`data/tasks.json`) and WIF facts (`data/wif.json`).
//!
//! Inputs live outside the repository, in `../shared/data` (see `generate` for the files read).
//! The output is deterministic: the same inputs give the same bytes. Odd input never panics: a file
//! that cannot be read or parsed is reported in [`Generated::notes`] and skipped.

mod schema;
mod steps;

use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};

/// Command that regenerates the committed files.
pub const REGEN_COMMAND: &str = "cargo run -p xtask -- gen-catalog";

/// Root of the workspace (the directory holding `data/`, where the generated files go).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."))
}

/// Where the generated files are written: `data/` in the workspace root.
pub fn output_dir() -> PathBuf {
    workspace_root().join("data")
}

/// Default location of the shared material: `../shared` relative to the workspace root.
pub fn default_shared_dir() -> PathBuf {
    workspace_root().join("..").join("shared")
}

/// Result of a generation run.
#[derive(Debug, Clone)]
pub struct Generated {
    /// Contents of `data/tasks.json`.
    pub tasks_json: String,
    /// Contents of `data/wif.json`.
    pub wif_json: String,
    /// Contents of `data/steps.json`.
    pub steps_json: String,
    /// Contents of `data/schema.json`.
    pub schema_json: String,
    /// Odd things found in the inputs (skipped files, duplicates, cross-check differences).
    pub notes: Vec<String>,
    /// Number of task-major entries, by source.
    pub task_json_entries: usize,
    pub schema_entries: usize,
    /// Number of distinct task names.
    pub names: usize,
}

/// Generate `(tasks.json, wif.json)` from the shared directory (the one holding `data/`).
pub fn generate(shared: &Path) -> Result<(String, String), String> {
    generate_full(shared).map(|g| (g.tasks_json, g.wif_json))
}

// ---------------------------------------------------------------------------------------------
// Output model
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Clone, Serialize)]
struct TaskOut {
    name: String,
    id: Option<String>,
    major: u32,
    version: String,
    source: &'static str,
    deprecated: bool,
    deprecation_message: Option<String>,
    removal_date: Option<String>,
    friendly_name: Option<String>,
    inputs: Vec<InputOut>,
    #[serde(skip)]
    ver: (u64, u64, u64),
}

fn is_false(b: &bool) -> bool {
    !*b
}

#[derive(Debug, Clone, Serialize)]
struct InputOut {
    name: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    aliases: Vec<String>,
    #[serde(rename = "type")]
    kind: String,
    #[serde(skip_serializing_if = "is_false")]
    required: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    default: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    options: Vec<String>,
    #[serde(skip_serializing_if = "is_false")]
    editable_options: bool,
    /// A pickList that accepts several of its options (comma-separated).
    #[serde(skip_serializing_if = "is_false")]
    multi_select: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    visible_rule: Option<String>,
    #[serde(skip_serializing_if = "is_false")]
    arm: bool,
}

#[derive(Debug, Clone, Serialize)]
struct WifOut {
    task: String,
    major: u32,
    support: String,
    replacement: Option<String>,
    note: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------

fn read_text(path: &Path) -> Result<String, String> {
    let bytes = fs::read(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    let text =
        String::from_utf8(bytes).map_err(|e| format!("{}: not UTF-8: {e}", path.display()))?;
    Ok(match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_string(),
        None => text,
    })
}

fn read_json(path: &Path) -> Result<Value, String> {
    let text = read_text(path)?;
    serde_json::from_str(&text).map_err(|e| format!("{}: invalid JSON: {e}", path.display()))
}

/// Sorted subdirectories of `dir`.
fn subdirs(dir: &Path) -> Result<Vec<PathBuf>, String> {
    let rd = fs::read_dir(dir).map_err(|e| format!("{}: cannot list: {e}", dir.display()))?;
    let mut out: Vec<PathBuf> = rd
        .filter_map(|e| e.ok())
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    out.sort();
    Ok(out)
}

fn as_u64(v: Option<&Value>) -> Option<u64> {
    match v? {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn truthy(v: Option<&Value>) -> bool {
    match v {
        Some(Value::Bool(b)) => *b,
        Some(Value::String(s)) => s.trim().eq_ignore_ascii_case("true"),
        Some(Value::Number(n)) => n.as_f64().is_some_and(|f| f != 0.0),
        _ => false,
    }
}

fn opt_string(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) => Some(s.clone()),
        _ => None,
    }
}

fn scalar_string(v: &Value) -> Option<String> {
    match v {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        other => Some(other.to_string()),
    }
}

fn string_list(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|x| x.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

/// Input type, case-normalized: the whole string lowercased (`pickList` -> `picklist`,
/// `connectedService:AzureRM` -> `connectedservice:azurerm`).
fn normalize_kind(t: &str) -> String {
    t.trim().to_ascii_lowercase()
}

fn is_arm_kind(kind: &str) -> bool {
    kind == "connectedservice:azurerm" || kind.starts_with("connectedservice:azurerm:")
}

fn collapse_ws(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Text between the first pair of backticks after `marker`.
fn backticked_after(text: &str, marker: &str) -> Option<String> {
    let rest = &text[text.find(marker)? + marker.len()..];
    let start = rest.find('`')? + 1;
    let len = rest[start..].find('`')?;
    Some(rest[start..start + len].to_string())
}

/// First `https://` URL after `marker`, without trailing punctuation.
fn url_after(text: &str, marker: &str) -> Option<String> {
    let rest = &text[text.find(marker)? + marker.len()..];
    let start = rest.find("https://")?;
    let url: String = rest[start..]
        .chars()
        .take_while(|c| !c.is_whitespace() && !matches!(c, ')' | '`' | ',' | '"'))
        .collect();
    Some(url.trim_end_matches(['.', ',', ';']).to_string())
}

// ---------------------------------------------------------------------------------------------
// task.json
// ---------------------------------------------------------------------------------------------

fn parse_input(v: &Value, ctx: &str, notes: &mut Vec<String>) -> Option<InputOut> {
    let Some(obj) = v.as_object() else {
        notes.push(format!("{ctx}: input is not an object, skipped"));
        return None;
    };
    let Some(name) = obj.get("name").and_then(Value::as_str) else {
        notes.push(format!("{ctx}: input without a name, skipped"));
        return None;
    };
    let kind = match obj.get("type").and_then(Value::as_str) {
        Some(t) => normalize_kind(t),
        None => {
            notes.push(format!("{ctx}: input `{name}` has no type, using `string`"));
            "string".to_string()
        }
    };
    let options = match obj.get("options") {
        Some(Value::Object(m)) => m.keys().cloned().collect(),
        Some(Value::Array(a)) => a.iter().filter_map(scalar_string).collect(),
        _ => Vec::new(),
    };
    let props = obj.get("properties").and_then(Value::as_object);
    let editable_options = truthy(props.and_then(|p| p.get("EditableOptions")));
    let multi_select = truthy(props.and_then(|p| p.get("MultiSelect")))
        || truthy(props.and_then(|p| p.get("MultiSelectFlatList")));
    Some(InputOut {
        name: name.to_string(),
        aliases: string_list(obj.get("aliases")),
        arm: is_arm_kind(&kind),
        kind,
        required: truthy(obj.get("required")),
        default: obj.get("defaultValue").and_then(scalar_string),
        options,
        editable_options,
        multi_select,
        visible_rule: opt_string(obj.get("visibleRule")),
    })
}

/// Inputs that task.json marks required but whose task runs without them. Each entry: task,
/// major (`None`: every major of the task that has an input of that name, from task.json or from
/// the schema; `Some(m)`: only major `m`, when the other majors really need the input), input,
/// and why: the evidence that the task runs without a value.
const REQUIRED_NOT_ENFORCED: &[(&str, Option<u32>, &str, &str)] = &[
    (
        "AzureWebApp",
        None,
        "appType",
        "the task reads the app kind from the App Service when appType is absent; Azure/azure-sdk-tools deploys with AzureWebApp@1 without it",
    ),
    (
        "ManualValidation",
        None,
        "notifyUsers",
        "a server task that runs with no one to notify: the approval still waits for anyone allowed to act on it; PowerShell/PowerShell's release approval uses @0 without notifyUsers and Azure-Samples/modern-data-warehouse-dataops gives `notifyUsers: ''`",
    ),
    (
        "AzureFunction",
        None,
        "key",
        "the key only goes into the URL as `code=`; a function with the anonymous authorization level answers without one, and AzureFunction@2 makes the input optional",
    ),
    (
        "AzureMonitor",
        Some(1),
        "ResourceGroupName",
        "@1 adds `targetResourceGroup` to the alerts query only when a resource group is given ({{#if ResourceGroupName}}): without one it watches the whole subscription (@0 builds its URLs with the group and needs it)",
    ),
    (
        "AzureMonitor",
        Some(1),
        "resource",
        "@1 adds the `targetResource` filter only when a resource is given ({{#if resource}}): without one the gate watches every alert of the scope",
    ),
    (
        "AzureMonitor",
        Some(1),
        "alertRule",
        "@1 adds the `alertRule` filter only when a rule is given ({{#if alertRule}}): without one the gate watches every alert rule of the scope",
    ),
    (
        "AzureResourceManagerTemplateDeployment",
        Some(3),
        "subscriptionName",
        "the task reads `subscriptionName` as optional and, for the Subscription and Resource Group scopes, falls back to the subscription of the service connection; Azure-Samples/modern-data-warehouse-dataops deploys at Resource Group scope without it",
    ),
];

/// Clear `required` on the inputs of `REQUIRED_NOT_ENFORCED` (task.json and schema-only entries
/// alike), with a note for each, and a note for an entry that relaxes nothing (no such input, or
/// one that no major marks required any more).
fn relax_required(tasks: &mut BTreeMap<Key, TaskOut>, notes: &mut Vec<String>) {
    for (task, major, input, why) in REQUIRED_NOT_ENFORCED {
        let mut matched = false;
        for t in tasks.values_mut() {
            if !t.name.eq_ignore_ascii_case(task) || major.is_some_and(|m| m != t.major) {
                continue;
            }
            for inp in t.inputs.iter_mut().filter(|i| i.name == *input) {
                if inp.required {
                    matched = true;
                    inp.required = false;
                    notes.push(format!(
                        "{}@{} input `{}`: not treated as required ({why})",
                        t.name, t.major, inp.name
                    ));
                }
            }
        }
        if !matched {
            let which = major.map_or("any major".to_string(), |m| format!("@{m}"));
            notes.push(format!(
                "REQUIRED_NOT_ENFORCED: no input `{input}` of {task} ({which}) is marked required; stale entry?"
            ));
        }
    }
}

fn parse_task_json(path: &Path, notes: &mut Vec<String>) -> Result<TaskOut, String> {
    let v = read_json(path)?;
    let ctx = path.display().to_string();
    let obj = v
        .as_object()
        .ok_or_else(|| format!("{ctx}: not a JSON object"))?;
    let name = obj
        .get("name")
        .and_then(Value::as_str)
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| format!("{ctx}: no `name`"))?
        .to_string();
    let id = obj
        .get("id")
        .and_then(Value::as_str)
        .map(|s| s.trim().to_ascii_lowercase())
        .ok_or_else(|| format!("{ctx}: no `id`"))?;
    let version = obj.get("version").and_then(Value::as_object);
    let major = as_u64(version.and_then(|m| m.get("Major")))
        .filter(|m| *m <= u64::from(u32::MAX))
        .ok_or_else(|| format!("{ctx}: no integer `version.Major`"))?;
    let minor = as_u64(version.and_then(|m| m.get("Minor"))).unwrap_or(0);
    let patch = as_u64(version.and_then(|m| m.get("Patch"))).unwrap_or(0);
    // Groups can hide all of their inputs with their own `visibleRule`.
    let group_rules: BTreeMap<String, String> = obj
        .get("groups")
        .and_then(Value::as_array)
        .map(|groups| {
            groups
                .iter()
                .filter_map(|g| {
                    let name = g.get("name")?.as_str()?.to_ascii_lowercase();
                    let rule = opt_string(g.get("visibleRule"))?;
                    Some((name, rule))
                })
                .collect()
        })
        .unwrap_or_default();
    let mut inputs = Vec::new();
    match obj.get("inputs") {
        None | Some(Value::Null) => {}
        Some(Value::Array(a)) => {
            for (i, iv) in a.iter().enumerate() {
                if let Some(mut inp) = parse_input(iv, &format!("{ctx} inputs[{i}]"), notes) {
                    let group = iv
                        .get("groupName")
                        .or_else(|| iv.get("groupname"))
                        .and_then(Value::as_str)
                        .map(str::to_ascii_lowercase);
                    if let Some(g) = group.and_then(|g| group_rules.get(&g)) {
                        inp.visible_rule = Some(match inp.visible_rule.take() {
                            Some(own) => format!("({}) && ({})", g.trim(), own.trim()),
                            None => g.trim().to_string(),
                        });
                    }
                    inputs.push(inp);
                }
            }
        }
        Some(_) => notes.push(format!("{ctx}: `inputs` is not an array, ignored")),
    }
    Ok(TaskOut {
        name,
        id: Some(id),
        major: major as u32,
        version: format!("{major}.{minor}.{patch}"),
        source: "task.json",
        deprecated: truthy(obj.get("deprecated")),
        deprecation_message: opt_string(obj.get("deprecationMessage")),
        removal_date: opt_string(obj.get("removalDate")),
        friendly_name: opt_string(obj.get("friendlyName")),
        inputs,
        ver: (major, minor, patch),
    })
}

type Key = (String, u32);

fn key_of(t: &TaskOut) -> Key {
    (t.name.to_ascii_lowercase(), t.major)
}

/// Read `Tasks/*/task.json` and merge `_generated/*_Wif/task.json`.
fn load_task_repo(
    repo: &Path,
    notes: &mut Vec<String>,
) -> Result<(BTreeMap<Key, TaskOut>, usize, usize), String> {
    let mut tasks: BTreeMap<Key, TaskOut> = BTreeMap::new();
    let mut files = 0;
    for dir in subdirs(&repo.join("Tasks"))? {
        let path = dir.join("task.json");
        if !path.is_file() {
            continue; // e.g. Tasks/Common
        }
        let t = match parse_task_json(&path, notes) {
            Ok(t) => t,
            Err(e) => {
                notes.push(format!("skipped: {e}"));
                continue;
            }
        };
        files += 1;
        let k = key_of(&t);
        match tasks.get(&k) {
            Some(old) => {
                notes.push(format!(
                    "{}@{} defined twice in Tasks/ ({} and {}); keeping the higher version",
                    t.name, t.major, old.version, t.version
                ));
                if t.ver > old.ver {
                    tasks.insert(k, t);
                }
            }
            None => {
                tasks.insert(k, t);
            }
        }
    }

    let mut variants = 0;
    let generated = repo.join("_generated");
    if generated.is_dir() {
        for dir in subdirs(&generated)? {
            let is_wif = dir
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.ends_with("_Wif"));
            let path = dir.join("task.json");
            if !is_wif || !path.is_file() {
                continue;
            }
            let w = match parse_task_json(&path, notes) {
                Ok(t) => t,
                Err(e) => {
                    notes.push(format!("skipped: {e}"));
                    continue;
                }
            };
            variants += 1;
            let k = key_of(&w);
            let Some(base) = tasks.get_mut(&k) else {
                notes.push(format!(
                    "{}: {}@{} has no Tasks/ counterpart; added as is",
                    path.display(),
                    w.name,
                    w.major
                ));
                tasks.insert(k, w);
                continue;
            };
            if base.id != w.id {
                notes.push(format!(
                    "{}: id {:?} differs from Tasks/ id {:?}; keeping Tasks/ id",
                    path.display(),
                    w.id,
                    base.id
                ));
            }
            // The variant is what the service ships: its inputs (and their order) come first,
            // then any input only the Tasks/ copy has.
            let mut merged = w.inputs.clone();
            for inp in &base.inputs {
                if !merged
                    .iter()
                    .any(|m| m.name.eq_ignore_ascii_case(&inp.name))
                {
                    notes.push(format!(
                        "{}@{}: input `{}` is in Tasks/ but not in the _Wif variant; kept",
                        base.name, base.major, inp.name
                    ));
                    merged.push(inp.clone());
                }
            }
            base.inputs = merged;
            if w.ver > base.ver {
                base.ver = w.ver;
                base.version = w.version.clone();
            }
        }
    }
    Ok((tasks, files, variants))
}

// ---------------------------------------------------------------------------------------------
// service-schema.json
// ---------------------------------------------------------------------------------------------

#[derive(Debug, Default)]
struct SchemaTask {
    /// Spelling as in the schema.
    name: String,
    major: u32,
    friendly_name: Option<String>,
    deprecation_message: Option<String>,
    inputs: Option<Vec<InputOut>>,
}

/// `^Name@12$` -> (Name, 12)
fn parse_name_major(s: &str) -> Option<(String, u32)> {
    let s = s.strip_prefix('^').unwrap_or(s);
    let s = s.strip_suffix('$').unwrap_or(s);
    let s = s.replace('\\', "");
    let (name, major) = s.rsplit_once('@')?;
    let major: u32 = major.trim().parse().ok()?;
    let name = name.trim();
    if name.is_empty() {
        return None;
    }
    Some((name.to_string(), major))
}

fn schema_inputs(inputs: &Map<String, Value>) -> Vec<InputOut> {
    let required: BTreeSet<String> = string_list(inputs.get("required")).into_iter().collect();
    let mut out = Vec::new();
    let Some(props) = inputs.get("properties").and_then(Value::as_object) else {
        return out;
    };
    for (key, v) in props {
        let schema_aliases = string_list(v.get("aliases"));
        // The schema keys an input by its YAML name (the task.json first alias) and lists the
        // task.json name first in `aliases`: turn it back into the task.json shape.
        let (name, aliases) = match schema_aliases.split_first() {
            Some((first, rest)) => {
                let mut a = vec![key.clone()];
                a.extend(rest.iter().cloned());
                (first.clone(), a)
            }
            None => (key.clone(), Vec::new()),
        };
        let options: Vec<String> = match v.get("enum") {
            Some(Value::Array(a)) => a.iter().filter_map(scalar_string).collect(),
            _ => Vec::new(),
        };
        let kind = match v.get("type").and_then(Value::as_str) {
            _ if !options.is_empty() => "picklist".to_string(),
            Some("integer") | Some("number") => "int".to_string(),
            Some(t) => normalize_kind(t),
            None => "string".to_string(),
        };
        out.push(InputOut {
            name,
            aliases,
            arm: is_arm_kind(&kind),
            kind,
            required: required.contains(key),
            default: None,
            options,
            editable_options: false,
            multi_select: false,
            visible_rule: None,
        });
    }
    out
}

struct Schema {
    tasks: BTreeMap<Key, SchemaTask>,
    version: Option<String>,
}

fn load_schema(path: &Path, notes: &mut Vec<String>) -> Result<Schema, String> {
    let v = read_json(path)?;
    let ctx = path.display().to_string();
    let version = opt_string(v.get("$comment"));
    let task = v
        .pointer("/definitions/task")
        .ok_or_else(|| format!("{ctx}: no definitions.task"))?;
    let mut tasks: BTreeMap<Key, SchemaTask> = BTreeMap::new();

    // The list of names (`properties.task.anyOf[].enum`), with descriptions and deprecations.
    // (description, deprecation message) of each listing of a Name@Major.
    type Listings = Vec<(Option<String>, Option<String>)>;
    let mut enum_seen: BTreeMap<Key, Listings> = BTreeMap::new();
    if let Some(list) = task
        .pointer("/properties/task/anyOf")
        .and_then(Value::as_array)
    {
        for e in list {
            for n in string_list(e.get("enum")) {
                let Some((name, major)) = parse_name_major(&n) else {
                    notes.push(format!("schema: odd task enum value {n:?}, skipped"));
                    continue;
                };
                let desc = opt_string(e.get("description"));
                let dep = opt_string(e.get("deprecationMessage"));
                enum_seen
                    .entry((name.to_ascii_lowercase(), major))
                    .or_default()
                    .push((desc.clone(), dep.clone()));
                let st = tasks
                    .entry((name.to_ascii_lowercase(), major))
                    .or_insert_with(|| SchemaTask {
                        name: name.clone(),
                        major,
                        ..SchemaTask::default()
                    });
                if st.deprecation_message.is_none() {
                    st.deprecation_message = dep;
                }
            }
        }
    } else {
        notes.push(format!("{ctx}: no definitions.task.properties.task.anyOf"));
    }
    // Input definitions (`anyOf[]`, keyed by `properties.task.pattern`).
    let mut input_seen: BTreeMap<Key, usize> = BTreeMap::new();
    let mut from_inputs: BTreeSet<Key> = BTreeSet::new();
    if let Some(list) = task.get("anyOf").and_then(Value::as_array) {
        for (i, e) in list.iter().enumerate() {
            let Some(p) = e
                .pointer("/properties/task/pattern")
                .and_then(Value::as_str)
            else {
                notes.push(format!(
                    "schema: definitions.task.anyOf[{i}] has no task pattern, skipped"
                ));
                continue;
            };
            let Some((name, major)) = parse_name_major(p) else {
                notes.push(format!("schema: odd task pattern {p:?}, skipped"));
                continue;
            };
            let k = (name.to_ascii_lowercase(), major);
            *input_seen.entry(k.clone()).or_default() += 1;
            from_inputs.insert(k.clone());
            let st = tasks.entry(k).or_insert_with(|| SchemaTask {
                name: name.clone(),
                major,
                ..SchemaTask::default()
            });
            // The message next to the pattern is the reliable one: prefer it.
            if let Some(dep) = opt_string(e.get("deprecationMessage")) {
                st.deprecation_message = Some(dep);
            }
            if st.friendly_name.is_none() {
                st.friendly_name = e
                    .pointer("/properties/task/description")
                    .and_then(Value::as_str)
                    .and_then(|d| d.split("\n\n").next())
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty());
            }
            if st.inputs.is_none() {
                if let Some(inp) = e.pointer("/properties/inputs").and_then(Value::as_object) {
                    st.inputs = Some(schema_inputs(inp));
                }
            }
        }
    } else {
        notes.push(format!("{ctx}: no definitions.task.anyOf"));
    }

    for (k, seen) in &enum_seen {
        if seen.len() > 1 {
            let descs: Vec<String> = seen
                .iter()
                .map(|(d, dep)| {
                    let d = d
                        .as_deref()
                        .unwrap_or("")
                        .chars()
                        .take(50)
                        .collect::<String>();
                    match dep {
                        Some(m) => format!("{d:?} deprecated: {m:?}"),
                        None => format!("{d:?}"),
                    }
                })
                .collect();
            notes.push(format!(
                "schema: task list names {}@{} {} times: {}",
                tasks[k].name,
                k.1,
                seen.len(),
                descs.join(" | ")
            ));
        }
        if !from_inputs.contains(k) {
            notes.push(format!(
                "schema: {}@{} is in the task list but has no input definitions",
                tasks[k].name, k.1
            ));
        }
    }
    for (k, n) in &input_seen {
        if *n > 1 {
            notes.push(format!(
                "schema: input definitions for {}@{} appear {n} times; first used",
                tasks[k].name, k.1
            ));
        }
        if !enum_seen.contains_key(k) {
            notes.push(format!(
                "schema: {}@{} has input definitions but is not in the task list",
                tasks[k].name, k.1
            ));
        }
    }
    Ok(Schema { tasks, version })
}

// ---------------------------------------------------------------------------------------------
// CSV (RFC 4180 subset)
// ---------------------------------------------------------------------------------------------

fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let mut row = Vec::new();
    let mut field = String::new();
    let mut in_quotes = false;
    let mut chars = text.chars().peekable();
    let mut any = false;
    while let Some(c) = chars.next() {
        if in_quotes {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    field.push('"');
                    chars.next();
                } else {
                    in_quotes = false;
                }
            } else {
                field.push(c);
            }
            continue;
        }
        match c {
            '"' => {
                in_quotes = true;
                any = true;
            }
            ',' => {
                row.push(std::mem::take(&mut field));
                any = true;
            }
            '\r' => {}
            '\n' => {
                row.push(std::mem::take(&mut field));
                if any || row.iter().any(|f| !f.is_empty()) {
                    rows.push(std::mem::take(&mut row));
                } else {
                    row.clear();
                }
                any = false;
            }
            _ => {
                field.push(c);
                any = true;
            }
        }
    }
    if any || !field.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

fn load_wif(data: &Path, notes: &mut Vec<String>) -> Result<(String, Vec<WifOut>), String> {
    let csv_path = data.join("wif-support-current.csv");
    let text = read_text(&csv_path)?;
    let rows = parse_csv(&text);
    let Some((header, body)) = rows.split_first() else {
        return Err(format!("{}: empty", csv_path.display()));
    };
    let col = |names: &[&str]| {
        header
            .iter()
            .position(|h| names.iter().any(|n| h.trim().eq_ignore_ascii_case(n)))
    };
    let (Some(c_task), Some(c_major), Some(c_support)) =
        (col(&["task"]), col(&["major"]), col(&["wif", "support"]))
    else {
        return Err(format!(
            "{}: header lacks task/major/wif columns: {header:?}",
            csv_path.display()
        ));
    };
    let c_repl = col(&["replacement"]);
    let c_note = col(&["note"]);
    let cell = |r: &[String], c: Option<usize>| -> Option<String> {
        c.and_then(|c| r.get(c))
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
    };
    let mut out: BTreeMap<Key, WifOut> = BTreeMap::new();
    for (i, r) in body.iter().enumerate() {
        let line = i + 2;
        let (Some(task), Some(major), Some(support)) = (
            cell(r, Some(c_task)),
            cell(r, Some(c_major)),
            cell(r, Some(c_support)),
        ) else {
            notes.push(format!(
                "wif csv line {line}: missing task/major/wif, skipped"
            ));
            continue;
        };
        let Ok(major) = major.parse::<u32>() else {
            notes.push(format!(
                "wif csv line {line}: major {major:?} is not a number, skipped"
            ));
            continue;
        };
        let support = support.to_ascii_lowercase();
        if !matches!(support.as_str(), "yes" | "no" | "partial" | "disputed") {
            notes.push(format!(
                "wif csv line {line}: unknown support {support:?}, skipped"
            ));
            continue;
        }
        let k = (task.to_ascii_lowercase(), major);
        if out.contains_key(&k) {
            notes.push(format!(
                "wif csv line {line}: {task}@{major} listed twice; first kept"
            ));
            continue;
        }
        out.insert(
            k,
            WifOut {
                task,
                major,
                support,
                replacement: cell(r, c_repl),
                note: cell(r, c_note),
            },
        );
    }

    // One-line source: the first paragraph of SOURCE-wif-support-current.md.
    let src_md = data.join("SOURCE-wif-support-current.md");
    let source = match read_text(&src_md) {
        Ok(md) => md
            .split("\n\n")
            .map(|p| p.trim())
            .find(|p| !p.is_empty() && !p.starts_with('#'))
            .map(collapse_ws)
            .unwrap_or_default(),
        Err(e) => {
            notes.push(format!("skipped: {e}"));
            String::new()
        }
    };
    Ok((source, out.into_values().collect()))
}

// ---------------------------------------------------------------------------------------------
// Assembly
// ---------------------------------------------------------------------------------------------

/// For an input of a schema-only entry that the schema types as a plain string, borrow the
/// connectedService type from the same input of the nearest task.json major of the same task
/// (the schema does not say which inputs are service connections).
fn infer_connection_kinds(st: &mut TaskOut, siblings: &[&TaskOut]) -> usize {
    let mut inferred = 0;
    let mut sibs: Vec<&&TaskOut> = siblings.iter().collect();
    // nearest major first; on a tie the higher major
    sibs.sort_by_key(|s| (s.major.abs_diff(st.major), std::cmp::Reverse(s.major)));
    for inp in &mut st.inputs {
        if inp.kind != "string" {
            continue;
        }
        let found = sibs.iter().find_map(|s| {
            s.inputs
                .iter()
                .find(|si| si.name.eq_ignore_ascii_case(&inp.name))
                .map(|si| si.kind.clone())
        });
        if let Some(kind) = found {
            if kind.starts_with("connectedservice") {
                inp.arm = is_arm_kind(&kind);
                inp.kind = kind;
                inferred += 1;
            }
        }
    }
    inferred
}

fn source_meta(
    data: &Path,
    schema_version: Option<&str>,
    files: usize,
    variants: usize,
    notes: &mut Vec<String>,
) -> Value {
    let mut tasks_src = Map::new();
    match read_text(&data.join("azure-pipelines-tasks").join("SOURCE.md")) {
        Ok(md) => {
            tasks_src.insert(
                "repository".into(),
                url_after(&md, "Repository:")
                    .map(Value::from)
                    .unwrap_or(Value::Null),
            );
            tasks_src.insert(
                "commit".into(),
                backticked_after(&md, "Commit:")
                    .map(Value::from)
                    .unwrap_or(Value::Null),
            );
        }
        Err(e) => notes.push(format!("skipped: {e}")),
    }
    tasks_src.insert("task_json_files".into(), Value::from(files));
    tasks_src.insert("wif_variants".into(), Value::from(variants));
    let mut schema_src = Map::new();
    match read_text(&data.join("SOURCE-service-schema.md")) {
        Ok(md) => {
            schema_src.insert(
                "repository".into(),
                url_after(&md, "Repository:")
                    .map(Value::from)
                    .unwrap_or(Value::Null),
            );
            schema_src.insert(
                "commit".into(),
                backticked_after(&md, "Last commit that touched the file:")
                    .map(Value::from)
                    .unwrap_or(Value::Null),
            );
            schema_src.insert(
                "snapshot".into(),
                backticked_after(&md, "Snapshot HEAD:")
                    .map(Value::from)
                    .unwrap_or(Value::Null),
            );
        }
        Err(e) => notes.push(format!("skipped: {e}")),
    }
    schema_src.insert(
        "version".into(),
        schema_version.map(Value::from).unwrap_or(Value::Null),
    );
    let mut m = Map::new();
    m.insert("azure-pipelines-tasks".into(), Value::Object(tasks_src));
    m.insert("service-schema".into(), Value::Object(schema_src));
    Value::Object(m)
}

fn to_json<T: Serialize>(v: &T) -> String {
    // Serializing plain data to a String cannot fail.
    serde_json::to_string(v).unwrap_or_else(|e| format!("\"<serialization error: {e}>\""))
}

/// Full generation with notes and counts.
pub fn generate_full(shared: &Path) -> Result<Generated, String> {
    let data = shared.join("data");
    if !data.is_dir() {
        return Err(format!("{}: not a directory", data.display()));
    }
    let mut notes = Vec::new();

    let (mut tasks, files, variants) =
        load_task_repo(&data.join("azure-pipelines-tasks"), &mut notes)?;
    let task_json_entries = tasks.len();

    // Canonical spelling of each task.json name.
    let spelled: BTreeMap<String, String> = tasks
        .values()
        .map(|t| (t.name.to_ascii_lowercase(), t.name.clone()))
        .collect();

    // (guid, major) shared by several names?
    let mut by_id: BTreeMap<(String, u32), Vec<String>> = BTreeMap::new();
    for t in tasks.values() {
        if let Some(id) = &t.id {
            by_id
                .entry((id.clone(), t.major))
                .or_default()
                .push(t.name.clone());
        }
    }
    for ((id, major), names) in &by_id {
        if names.len() > 1 {
            notes.push(format!(
                "task.json: {id}@{major} is claimed by several names: {}",
                names.join(", ")
            ));
        }
    }

    let schema = match load_schema(&data.join("service-schema.json"), &mut notes) {
        Ok(s) => Some(s),
        Err(e) => {
            notes.push(format!("skipped: {e}"));
            None
        }
    };

    let mut schema_entries = 0;
    let mut inferred = 0;
    let mut input_diffs = Vec::new();
    if let Some(schema) = &schema {
        for (k, st) in &schema.tasks {
            if let Some(t) = tasks.get(k) {
                if t.name != st.name {
                    notes.push(format!(
                        "schema spells {}@{} as {}",
                        t.name, t.major, st.name
                    ));
                }
                // Cross-check only: task.json wins.
                if let Some(si) = &st.inputs {
                    let tj: BTreeSet<String> = t
                        .inputs
                        .iter()
                        .map(|i| i.name.to_ascii_lowercase())
                        .collect();
                    let sc: BTreeSet<String> =
                        si.iter().map(|i| i.name.to_ascii_lowercase()).collect();
                    let only_tj: Vec<_> = tj.difference(&sc).cloned().collect();
                    let only_sc: Vec<_> = sc.difference(&tj).cloned().collect();
                    if !only_tj.is_empty() || !only_sc.is_empty() {
                        input_diffs.push(format!(
                            "{}@{} (only task.json: [{}]; only schema: [{}])",
                            t.name,
                            t.major,
                            only_tj.join(", "),
                            only_sc.join(", ")
                        ));
                    }
                }
                continue;
            }
            let name = spelled
                .get(&k.0)
                .cloned()
                .unwrap_or_else(|| st.name.clone());
            if name != st.name {
                notes.push(format!(
                    "schema spells {} as {}; using the task.json spelling",
                    name, st.name
                ));
            }
            if st.inputs.is_none() {
                notes.push(format!(
                    "schema-only {name}@{}: no input definitions; entry has no inputs",
                    st.major
                ));
            }
            let mut entry = TaskOut {
                name,
                id: None,
                major: st.major,
                version: format!("{}.0.0", st.major),
                source: "schema",
                deprecated: st.deprecation_message.is_some(),
                deprecation_message: st.deprecation_message.clone(),
                removal_date: None,
                friendly_name: st.friendly_name.clone(),
                inputs: st.inputs.clone().unwrap_or_default(),
                ver: (u64::from(st.major), 0, 0),
            };
            let sibs: Vec<&TaskOut> = tasks
                .values()
                .filter(|t| t.source == "task.json" && t.name.eq_ignore_ascii_case(&entry.name))
                .collect();
            inferred += infer_connection_kinds(&mut entry, &sibs);
            schema_entries += 1;
            tasks.insert(k.clone(), entry);
        }
        for (k, t) in &tasks {
            if t.source == "task.json" && !schema.tasks.contains_key(k) {
                notes.push(format!(
                    "{}@{} is in task.json but not in the schema",
                    t.name, t.major
                ));
            }
        }
    }
    if !input_diffs.is_empty() {
        notes.push(format!(
            "schema vs task.json input names differ for {} task-majors (task.json used): {}",
            input_diffs.len(),
            input_diffs.join("; ")
        ));
    }
    if inferred > 0 {
        notes.push(format!("schema-only entries: {inferred} connection input types taken from a task.json major of the same task"));
    }

    relax_required(&mut tasks, &mut notes);

    // Duplicate input names/aliases inside one entry (case-insensitive).
    for t in tasks.values() {
        let mut seen: BTreeMap<String, &str> = BTreeMap::new();
        for i in &t.inputs {
            for n in std::iter::once(&i.name).chain(i.aliases.iter()) {
                // A name repeated within one input (e.g. HelmDeploy `canaryimage` with alias
                // `canaryImage`) is harmless; one spelling naming two inputs is not.
                if let Some(prev) = seen.insert(n.to_ascii_lowercase(), &i.name) {
                    if prev != i.name {
                        notes.push(format!(
                            "{}@{}: `{n}` names both input `{prev}` and input `{}`",
                            t.name, t.major, i.name
                        ));
                    }
                }
            }
        }
    }

    // Sort by lowercase name then major (BTreeMap order of the key).
    let list: Vec<&TaskOut> = tasks.values().collect();
    let names: BTreeSet<String> = list.iter().map(|t| t.name.to_ascii_lowercase()).collect();

    // WIF facts.
    let (wif_source, wif) = load_wif(&data, &mut notes)?;
    for w in &wif {
        if !tasks.contains_key(&(w.task.to_ascii_lowercase(), w.major)) {
            notes.push(format!("wif: {}@{} is not in the catalog", w.task, w.major));
        }
        if let Some(r) = &w.replacement {
            let ok = parse_name_major(r)
                .is_some_and(|(n, m)| tasks.contains_key(&(n.to_ascii_lowercase(), m)));
            if !ok {
                notes.push(format!(
                    "wif: replacement {r} of {}@{} is not in the catalog",
                    w.task, w.major
                ));
            }
        }
    }

    // Cross-check with deprecated-tasks.csv (task reference docs); informational only.
    if let Ok(text) = read_text(&data.join("deprecated-tasks.csv")) {
        let rows = parse_csv(&text);
        let mut missing = Vec::new();
        let mut not_marked = Vec::new();
        for r in rows.iter().skip(1) {
            let (Some(task), Some(major)) = (
                r.first(),
                r.get(1).and_then(|m| m.trim().parse::<u32>().ok()),
            ) else {
                continue;
            };
            match tasks.get(&(task.trim().to_ascii_lowercase(), major)) {
                None => missing.push(format!("{task}@{major}")),
                Some(t) if !t.deprecated => {
                    not_marked.push(format!("{task}@{major} ({})", t.source))
                }
                _ => {}
            }
        }
        if !missing.is_empty() {
            notes.push(format!(
                "deprecated-tasks.csv: not in the catalog: {}",
                missing.join(", ")
            ));
        }
        if !not_marked.is_empty() {
            notes.push(format!(
                "deprecated-tasks.csv: deprecated in the docs but not marked deprecated in the catalog ({}): {}",
                not_marked.len(),
                not_marked.join(", ")
            ));
        }
    }

    let sources = source_meta(
        &data,
        schema.as_ref().and_then(|s| s.version.as_deref()),
        files,
        variants,
        &mut notes,
    );
    let mut tasks_json = String::new();
    let _ = write!(
        tasks_json,
        "{{\n\"generated_by\": {},\n\"sources\": {},\n\"tasks\": [\n",
        to_json(&format!("{REGEN_COMMAND} (generated file: do not edit)")),
        to_json(&sources)
    );
    for (i, t) in list.iter().enumerate() {
        tasks_json.push_str(&to_json(t));
        tasks_json.push_str(if i + 1 < list.len() { ",\n" } else { "\n" });
    }
    tasks_json.push_str("]\n}\n");

    let mut wif_json = String::new();
    let _ = write!(
        wif_json,
        "{{\n\"generated_by\": {},\n\"source\": {},\n\"tasks\": [\n",
        to_json(&format!("{REGEN_COMMAND} (generated file: do not edit)")),
        to_json(&wif_source)
    );
    for (i, w) in wif.iter().enumerate() {
        wif_json.push_str(&to_json(w));
        wif_json.push_str(if i + 1 < wif.len() { ",\n" } else { "\n" });
    }
    wif_json.push_str("]\n}\n");

    // The structure files come from the schema alone; an unreadable schema is noted, and they
    // are left empty rather than failing the whole generation.
    let generated_by = format!("{REGEN_COMMAND} (generated file: do not edit)");
    let steps_json = steps::generate_steps(&data, &generated_by).unwrap_or_else(|e| {
        notes.push(format!("data/steps.json not generated: {e}"));
        String::new()
    });
    let schema_json = schema::generate_schema(&data, &generated_by).unwrap_or_else(|e| {
        notes.push(format!("data/schema.json not generated: {e}"));
        String::new()
    });

    Ok(Generated {
        tasks_json,
        wif_json,
        steps_json,
        schema_json,
        notes,
        task_json_entries,
        schema_entries,
        names: names.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn name_major() {
        assert_eq!(
            parse_name_major("^AzureCLI@2$"),
            Some(("AzureCLI".into(), 2))
        );
        assert_eq!(parse_name_major("Foo@x"), None);
        assert_eq!(parse_name_major("@1"), None);
    }

    #[test]
    fn csv_quotes() {
        let rows = parse_csv("a,b,c\n1,\"x, \"\"y\"\"\",\r\n\n2,,z");
        assert_eq!(
            rows,
            vec![
                vec!["a", "b", "c"],
                vec!["1", "x, \"y\"", ""],
                vec!["2", "", "z"]
            ]
        );
    }

    #[test]
    fn input_fields() {
        let v: Value = serde_json::from_str(
            r#"{"name":"a","type":"connectedService:AzureRM","required":"True","defaultValue":5,
                "options":{"x":"X","y":"Y"},"properties":{"EditableOptions":"true"},"aliases":["b"]}"#,
        )
        .unwrap();
        let mut notes = Vec::new();
        let i = parse_input(&v, "t", &mut notes).unwrap();
        assert_eq!(i.kind, "connectedservice:azurerm");
        assert!(i.arm && i.required && i.editable_options);
        assert_eq!(i.default.as_deref(), Some("5"));
        assert_eq!(i.options, vec!["x", "y"]);
        assert_eq!(i.aliases, vec!["b"]);
        let bad: Value = serde_json::from_str(r#"{"type":"string"}"#).unwrap();
        assert!(parse_input(&bad, "t", &mut notes).is_none());
    }

    #[test]
    fn broken_files_are_reported_and_skipped() {
        let root = std::env::temp_dir().join(format!("xtask-odd-{}", std::process::id()));
        let data = root.join("data");
        let write = |rel: &str, text: &str| {
            let p = data.join(rel);
            fs::create_dir_all(p.parent().unwrap()).unwrap();
            fs::write(p, text).unwrap();
        };
        write(
            "azure-pipelines-tasks/Tasks/GoodV1/task.json",
            "\u{feff}{\"id\":\"AB-CD\",\"name\":\"Good\",\"version\":{\"Major\":1,\"Minor\":2,\"Patch\":3},\
             \"inputs\":[{\"name\":\"a\",\"type\":\"PickList\",\"required\":\"True\"},{\"type\":\"string\"},7]}",
        );
        write(
            "azure-pipelines-tasks/Tasks/BrokenV1/task.json",
            "{ not json",
        );
        write(
            "azure-pipelines-tasks/Tasks/NoNameV1/task.json",
            "{\"id\":\"x\",\"version\":{\"Major\":1}}",
        );
        write(
            "azure-pipelines-tasks/_generated/GoodV1_Wif/task.json",
            "{\"id\":\"ab-cd\",\"name\":\"Good\",\"version\":{\"Major\":1,\"Minor\":2,\"Patch\":4},\
             \"inputs\":[{\"name\":\"w\",\"type\":\"connectedService:workloadidentityuser\"}]}",
        );
        write("service-schema.json", "[]");
        write(
            "wif-support-current.csv",
            "task,major,wif,replacement,note\nGood,1,no,Good@2,\"a, b\"\nBad,x,no,,\n",
        );
        let g = generate_full(&root).expect("odd input must not be fatal");
        let _ = fs::remove_dir_all(&root);
        assert!(g
            .notes
            .iter()
            .any(|n| n.contains("BrokenV1") && n.contains("invalid JSON")));
        assert!(g
            .notes
            .iter()
            .any(|n| n.contains("NoNameV1") && n.contains("no `name`")));
        assert!(g.notes.iter().any(|n| n.contains("definitions.task")));
        assert!(g.notes.iter().any(|n| n.contains("line 3")));
        assert_eq!(g.task_json_entries, 1);
        assert_eq!(g.schema_entries, 0);
        assert!(g.tasks_json.contains(
            r#"{"name":"Good","id":"ab-cd","major":1,"version":"1.2.4","source":"task.json","#
        ));
        assert!(g.tasks_json.contains(
            r#""inputs":[{"name":"w","type":"connectedservice:workloadidentityuser"},{"name":"a","type":"picklist","required":true}]"#
        ));
        assert!(g.wif_json.contains(
            r#"{"task":"Good","major":1,"support":"no","replacement":"Good@2","note":"a, b"}"#
        ));
        let parsed: Value = serde_json::from_str(&g.tasks_json).unwrap();
        assert_eq!(parsed["tasks"].as_array().unwrap().len(), 1);
    }

    #[test]
    fn odd_shared_dir_is_an_error_not_a_panic() {
        assert!(generate(Path::new("/nonexistent/shared")).is_err());
    }
}
