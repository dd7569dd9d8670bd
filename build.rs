//! Embeds every rule page of `docs/rules/` for `azplint explain`, and indexes the embedded data
//! that a run would otherwise decode at start: the task catalog (`data/tasks.json`) and the
//! pipeline schema (`data/schema.json`). The index holds what lookups need (names, GUIDs,
//! majors, deprecation) and the byte range of each entry's JSON, decoded only when used.

use serde_json::value::RawValue;
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out_dir = std::env::var("OUT_DIR").expect("OUT_DIR is set by cargo");
    docs(manifest, Path::new(&out_dir));
    tasks(manifest, Path::new(&out_dir));
    schema(manifest, Path::new(&out_dir));
}

fn docs(manifest: &Path, out_dir: &Path) {
    let dir = manifest.join("docs/rules");
    println!("cargo:rerun-if-changed={}", dir.display());
    let mut pages: Vec<(String, String)> = std::fs::read_dir(&dir)
        .map(|rd| {
            rd.flatten()
                .filter_map(|e| {
                    let p = e.path();
                    let id = p.file_stem()?.to_str()?.to_string();
                    (p.extension()? == "md").then(|| (id, p.display().to_string()))
                })
                .collect()
        })
        .unwrap_or_default();
    pages.sort();
    let mut out = String::from("/// `(rule id, page)` for every page of `docs/rules/`.\npub static PAGES: &[(&str, &str)] = &[\n");
    for (id, path) in &pages {
        let _ = writeln!(out, "    ({id:?}, include_str!({path:?})),");
        println!("cargo:rerun-if-changed={path}");
    }
    out.push_str("];\n");
    std::fs::write(out_dir.join("docs.rs"), out).expect("write docs.rs");
}

/// Byte range of `raw` inside `text` (a slice of it).
fn range_in(text: &str, raw: &str) -> (usize, usize) {
    let start = raw.as_ptr() as usize - text.as_ptr() as usize;
    (start, start + raw.len())
}

/// `data/tasks.json` -> `tasks_index.rs`: `TASKS` sorted by (lowercase name, major) as the
/// catalog orders them, `BY_ID` (lowercase GUID -> index, by major then name) and `NAMES`.
fn tasks(manifest: &Path, out_dir: &Path) {
    let path = manifest.join("data/tasks.json");
    println!("cargo:rerun-if-changed={}", path.display());
    let text = std::fs::read_to_string(&path).expect("read data/tasks.json");
    let top: BTreeMap<String, &RawValue> =
        serde_json::from_str(&text).expect("data/tasks.json is valid");
    let tasks: Vec<&RawValue> =
        serde_json::from_str(top["tasks"].get()).expect("data/tasks.json has tasks");
    struct Entry {
        name: String,
        lower: String,
        id: Option<String>,
        major: u64,
        deprecated: bool,
        range: (usize, usize),
    }
    let mut entries: Vec<Entry> = tasks
        .iter()
        .map(|raw| {
            let v: serde_json::Value = serde_json::from_str(raw.get()).expect("task is valid");
            let name = v["name"].as_str().expect("task name").to_string();
            Entry {
                lower: name.to_ascii_lowercase(),
                name,
                id: v["id"].as_str().map(str::to_string),
                major: v["major"].as_u64().expect("task major"),
                deprecated: v["deprecated"].as_bool().unwrap_or(false),
                range: range_in(&text, raw.get()),
            }
        })
        .collect();
    // The order `Catalog` always had: a stable sort by lowercase name, then major.
    entries.sort_by(|a, b| (&a.lower, a.major).cmp(&(&b.lower, b.major)));
    let mut out = String::new();
    let _ = writeln!(
        out,
        "/// Every task major of data/tasks.json, sorted by lowercase name then major.\npub static TASKS: [IndexEntry; {}] = [",
        entries.len()
    );
    for e in &entries {
        let _ = writeln!(
            out,
            "    IndexEntry {{ lower: {:?}, major: {}, deprecated: {}, json: {}..{} }},",
            e.lower, e.major, e.deprecated, e.range.0, e.range.1
        );
    }
    out.push_str("];\n");
    let mut by_id: Vec<(String, u64, &str, usize)> = entries
        .iter()
        .enumerate()
        .filter_map(|(i, e)| {
            e.id.as_ref()
                .map(|id| (id.to_ascii_lowercase(), e.major, e.lower.as_str(), i))
        })
        .collect();
    by_id.sort();
    let _ = writeln!(
        out,
        "/// (lowercase GUID, index into TASKS), sorted by GUID, then major and name.\npub static BY_ID: [(&str, usize); {}] = [",
        by_id.len()
    );
    for (id, _, _, i) in &by_id {
        let _ = writeln!(out, "    ({id:?}, {i}),");
    }
    out.push_str("];\n");
    let mut names: Vec<&str> = Vec::new();
    let mut last: Option<&str> = None;
    for e in &entries {
        if last != Some(e.lower.as_str()) {
            names.push(&e.name);
            last = Some(&e.lower);
        }
    }
    let _ = writeln!(
        out,
        "/// The canonical spelling of each distinct name, sorted case-insensitively.\npub static NAMES: [&str; {}] = [",
        names.len()
    );
    for n in &names {
        let _ = writeln!(out, "    {n:?},");
    }
    out.push_str("];\n");
    std::fs::write(out_dir.join("tasks_index.rs"), out).expect("write tasks_index.rs");
}

/// `data/schema.json` -> `schema_index.rs`: `DEFINITIONS`, (name, byte range of its JSON) sorted
/// by name.
fn schema(manifest: &Path, out_dir: &Path) {
    let path = manifest.join("data/schema.json");
    println!("cargo:rerun-if-changed={}", path.display());
    let text = std::fs::read_to_string(&path).expect("read data/schema.json");
    let top: BTreeMap<String, &RawValue> =
        serde_json::from_str(&text).expect("data/schema.json is valid");
    let definitions: BTreeMap<String, &RawValue> =
        serde_json::from_str(top["definitions"].get()).expect("data/schema.json has definitions");
    let mut out = String::new();
    let _ = writeln!(
        out,
        "/// Every definition of data/schema.json: (name, byte range of its JSON), sorted by name.\npub static DEFINITIONS: [(&str, std::ops::Range<usize>); {}] = [",
        definitions.len()
    );
    for (name, raw) in &definitions {
        let (s, e) = range_in(&text, raw.get());
        let _ = writeln!(out, "    ({name:?}, {s}..{e}),");
    }
    out.push_str("];\n");
    std::fs::write(out_dir.join("schema_index.rs"), out).expect("write schema_index.rs");
}
