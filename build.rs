//! Embeds every rule page of `docs/rules/` for `azplint explain`, and turns the embedded data
//! that a run would otherwise decode at start into Rust in `OUT_DIR` (`include!`d by the modules
//! that read it), so that a run decodes nothing: the task catalog and WIF facts
//! (`data/tasks.json`, `data/wif.json`), the pipeline schema (`data/schema.json`), the VM image
//! table (`data/vm-images.csv`), and the small tables of `data/` (steps, taint model, SPN
//! consumers, untrusted code, security tasks). The files of `data/` stay the source of truth.
//!
//! The large tables hold no pointers: texts are `Span(start, end)`s of one generated text file
//! (`include_str!`d), lists are runs of static arrays. A `&'static str` in a static would cost the
//! loader a relocation at every start, `--version` included (tens of thousands of them for the
//! catalog). The small tables are code that builds the values serde used to decode.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

#[path = "build/schema_keywords.rs"]
mod schema_keywords;

fn main() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out_dir = std::env::var("OUT_DIR").expect("OUT_DIR is set by cargo");
    docs(manifest, Path::new(&out_dir));
    tasks(manifest, Path::new(&out_dir));
    schema(manifest, Path::new(&out_dir));
    vm_images(manifest, Path::new(&out_dir));
    small_data(manifest, Path::new(&out_dir));
}

/// A JSON boolean, `false` when absent.
fn flag(v: &serde_json::Value, what: &str) -> bool {
    match v {
        serde_json::Value::Null => false,
        serde_json::Value::Bool(b) => *b,
        _ => panic!("{what} is not a boolean"),
    }
}

/// A JSON string.
fn jstr<'v>(v: &'v serde_json::Value, what: &str) -> &'v str {
    v.as_str()
        .unwrap_or_else(|| panic!("{what} is not a string"))
}

/// A JSON list of strings (empty when absent).
fn texts<'v>(v: &'v serde_json::Value, what: &str) -> Vec<&'v str> {
    match v {
        serde_json::Value::Null => Vec::new(),
        serde_json::Value::Array(a) => a.iter().map(|s| jstr(s, what)).collect(),
        _ => panic!("{what} is not a list"),
    }
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

/// Texts of the generated tables, kept out of them: a table holds `Span(start, end)` byte offsets
/// into one text (the same text once), so that the tables hold no pointers and cost the loader no
/// relocation at start.
#[derive(Default)]
struct Blob {
    text: String,
    seen: std::collections::HashMap<String, (usize, usize)>,
}

impl Blob {
    /// `Span(start, end)` of `s` in the text.
    fn span(&mut self, s: &str) -> String {
        let (a, b) = match self.seen.get(s) {
            Some(&r) => r,
            None => {
                let r = (self.text.len(), self.text.len() + s.len());
                self.text.push_str(s);
                self.seen.insert(s.to_string(), r);
                r
            }
        };
        assert!(b <= u32::MAX as usize, "generated text too long");
        format!("Span({a}, {b})")
    }

    /// The span of an optional JSON string, `Span::NONE` when absent.
    fn opt(&mut self, v: &serde_json::Value, what: &str) -> String {
        match v {
            serde_json::Value::Null => "Span::NONE".to_string(),
            serde_json::Value::String(s) => self.span(s),
            _ => panic!("{what} is not a string or null"),
        }
    }

    /// Write the text to `out_dir/name` and return the Rust item that embeds it as `TEXT`.
    fn write(&self, out_dir: &Path, name: &str) -> String {
        std::fs::write(out_dir.join(name), &self.text).expect("write generated text");
        format!(
            "/// Every text of the tables, which hold spans of it.\npub const TEXT: &str = include_str!(concat!(env!(\"OUT_DIR\"), \"/{name}\"));\n"
        )
    }
}

/// `data/tasks.json` and `data/wif.json` -> `tasks_data.rs`, for `catalog`:
/// - `TASKS`, every task major sorted by (lowercase name, major) as the catalog orders them,
///   `BY_ID` (lowercase GUID, index into `TASKS`) by GUID then major and name, and `NAMES`, the
///   canonical spelling of each distinct name;
/// - `RECORDS` (each task major, in the order of `TASKS`), `INPUTS` (their inputs, each task
///   major's in a run) and `LISTS` (aliases and options);
/// - `WIF`, the WIF facts sorted by (lowercase task name, major): the first row of a task major
///   only, rows of an unknown support left out (as the catalog always read them).
///
/// Texts are spans of `TEXT`.
fn tasks(manifest: &Path, out_dir: &Path) {
    let path = manifest.join("data/tasks.json");
    println!("cargo:rerun-if-changed={}", path.display());
    let text = std::fs::read_to_string(&path).expect("read data/tasks.json");
    let top: serde_json::Value = serde_json::from_str(&text).expect("data/tasks.json is valid");
    let tasks = top["tasks"].as_array().expect("data/tasks.json has tasks");
    struct Entry<'a> {
        name: &'a str,
        lower: String,
        id: Option<&'a str>,
        major: u64,
        v: &'a serde_json::Value,
    }
    let mut entries: Vec<Entry> = tasks
        .iter()
        .map(|v| {
            let name = jstr(&v["name"], "data/tasks.json: a task name");
            let major = v["major"].as_u64().expect("task major");
            assert!(
                major <= u32::MAX as u64,
                "{name}@{major}: major out of range"
            );
            Entry {
                lower: name.to_ascii_lowercase(),
                name,
                id: v["id"].as_str(),
                major,
                v,
            }
        })
        .collect();
    // The order `Catalog` always had: a stable sort by lowercase name, then major.
    entries.sort_by(|a, b| (&a.lower, a.major).cmp(&(&b.lower, b.major)));
    let mut blob = Blob::default();
    let mut out = String::new();

    let _ = writeln!(
        out,
        "/// Every task major of data/tasks.json, sorted by lowercase name then major.\npub static TASKS: [IndexEntry; {}] = [",
        entries.len()
    );
    for e in &entries {
        let _ = writeln!(
            out,
            "    IndexEntry {{ lower: {}, major: {}, deprecated: {} }},",
            blob.span(&e.lower),
            e.major,
            flag(&e.v["deprecated"], e.name)
        );
    }
    out.push_str("];\n");
    let mut by_id: Vec<(String, u64, &str, usize)> = entries
        .iter()
        .enumerate()
        .filter_map(|(i, e)| {
            e.id.map(|id| (id.to_ascii_lowercase(), e.major, e.lower.as_str(), i))
        })
        .collect();
    by_id.sort();
    let _ = writeln!(
        out,
        "/// (lowercase GUID, index into TASKS), sorted by GUID, then major and name.\npub static BY_ID: [(Span, usize); {}] = [",
        by_id.len()
    );
    for (id, _, _, i) in &by_id {
        let _ = writeln!(out, "    ({}, {i}),", blob.span(id));
    }
    out.push_str("];\n");
    let mut names: Vec<&str> = Vec::new();
    let mut last: Option<&str> = None;
    for e in &entries {
        if last != Some(e.lower.as_str()) {
            names.push(e.name);
            last = Some(&e.lower);
        }
    }
    let _ = writeln!(
        out,
        "/// The canonical spelling of each distinct name, sorted case-insensitively.\npub static NAMES: [Span; {}] = [",
        names.len()
    );
    for n in &names {
        let _ = writeln!(out, "    {},", blob.span(n));
    }
    out.push_str("];\n");

    // Every task major, its inputs and their lists.
    let mut records = String::new();
    let mut inputs_out = String::new();
    let mut lists = String::new();
    let (mut n_inputs, mut n_lists) = (0usize, 0usize);
    for e in &entries {
        let v = e.v;
        let what = format!("data/tasks.json {}@{}", e.name, e.major);
        for key in v.as_object().expect("task is an object").keys() {
            assert!(
                [
                    "name",
                    "id",
                    "major",
                    "version",
                    "source",
                    "deprecated",
                    "deprecation_message",
                    "removal_date",
                    "friendly_name",
                    "inputs"
                ]
                .contains(&key.as_str()),
                "{what}: unknown field {key}"
            );
        }
        let inputs: &[serde_json::Value] = match &v["inputs"] {
            serde_json::Value::Null => &[],
            serde_json::Value::Array(a) => a,
            _ => panic!("{what}: inputs is not a list"),
        };
        let first_input = n_inputs;
        for i in inputs {
            let obj = i
                .as_object()
                .unwrap_or_else(|| panic!("{what}: an input is not an object"));
            for key in obj.keys() {
                assert!(
                    [
                        "name",
                        "aliases",
                        "type",
                        "required",
                        "default",
                        "options",
                        "editable_options",
                        "multi_select",
                        "visible_rule",
                        "arm"
                    ]
                    .contains(&key.as_str()),
                    "{what}: unknown input field {key}"
                );
            }
            let mut list = |key: &str, blob: &mut Blob, lists: &mut String| -> String {
                let items = texts(&i[key], &what);
                let start = n_lists;
                for s in items {
                    let _ = writeln!(lists, "    {},", blob.span(s));
                    n_lists += 1;
                }
                format!("{start}..{n_lists}")
            };
            let aliases = list("aliases", &mut blob, &mut lists);
            let options = list("options", &mut blob, &mut lists);
            let kind = match &i["type"] {
                serde_json::Value::Null => "string",
                t => jstr(t, &what),
            };
            let _ = writeln!(
                inputs_out,
                "    InputRecord {{ name: {}, aliases: {aliases}, kind: {}, required: {}, default: {}, options: {options}, editable_options: {}, multi_select: {}, visible_rule: {}, arm: {} }},",
                blob.span(jstr(&i["name"], &what)),
                blob.span(kind),
                flag(&i["required"], &what),
                blob.opt(&i["default"], &what),
                flag(&i["editable_options"], &what),
                flag(&i["multi_select"], &what),
                blob.opt(&i["visible_rule"], &what),
                flag(&i["arm"], &what),
            );
            n_inputs += 1;
        }
        let _ = writeln!(
            records,
            "    Record {{ name: {}, id: {}, version: {}, source: {}, deprecation_message: {}, removal_date: {}, friendly_name: {}, inputs: {first_input}..{n_inputs} }},",
            blob.span(jstr(&v["name"], &what)),
            blob.opt(&v["id"], &what),
            blob.span(jstr(&v["version"], &what)),
            blob.span(jstr(&v["source"], &what)),
            blob.opt(&v["deprecation_message"], &what),
            blob.opt(&v["removal_date"], &what),
            blob.opt(&v["friendly_name"], &what),
        );
    }
    let _ = writeln!(
        out,
        "/// Each task major, in the order of `TASKS`.\npub static RECORDS: [Record; {}] = [\n{records}];",
        entries.len()
    );
    let _ = writeln!(
        out,
        "/// The inputs of every task major.\npub static INPUTS: [InputRecord; {n_inputs}] = [\n{inputs_out}];"
    );
    let _ = writeln!(
        out,
        "/// The aliases and options of every input.\npub static LISTS: [Span; {n_lists}] = [\n{lists}];"
    );

    // The WIF facts.
    let path = manifest.join("data/wif.json");
    println!("cargo:rerun-if-changed={}", path.display());
    let wif_text = std::fs::read_to_string(&path).expect("read data/wif.json");
    let v: serde_json::Value = serde_json::from_str(&wif_text).expect("data/wif.json is valid");
    let rows = v["tasks"].as_array().expect("data/wif.json has tasks");
    let mut facts: BTreeMap<(String, u64), &serde_json::Value> = BTreeMap::new();
    let mut supports: BTreeMap<(String, u64), &str> = BTreeMap::new();
    for r in rows {
        let what = "data/wif.json";
        let task = jstr(&r["task"], what);
        let major = r["major"].as_u64().expect("wif major");
        assert!(major <= u32::MAX as u64, "{what}: major out of range");
        let support = match jstr(&r["support"], what).to_ascii_lowercase().as_str() {
            "yes" => "Yes",
            "no" => "No",
            "partial" => "Partial",
            "disputed" => "Disputed",
            _ => continue,
        };
        let key = (task.to_ascii_lowercase(), major);
        if !facts.contains_key(&key) {
            facts.insert(key.clone(), r);
            supports.insert(key, support);
        }
    }
    let _ = writeln!(
        out,
        "/// The WIF facts of data/wif.json, sorted by lowercase task name and major.\npub static WIF: [WifRecord; {}] = [",
        facts.len()
    );
    for ((lower, major), r) in &facts {
        let what = "data/wif.json";
        let _ = writeln!(
            out,
            "    WifRecord {{ lower: {}, major: {major}, task: {}, support: WifSupport::{}, replacement: {}, note: {} }},",
            blob.span(lower),
            blob.span(jstr(&r["task"], what)),
            supports[&(lower.clone(), *major)],
            blob.opt(&r["replacement"], what),
            blob.opt(&r["note"], what),
        );
    }
    out.push_str("];\n");
    out.push_str(&blob.write(out_dir, "tasks_text.txt"));
    std::fs::write(out_dir.join("tasks_data.rs"), out).expect("write tasks_data.rs");
}

#[path = "src/catalog/vm_images_csv.rs"]
mod vm_images_csv;

/// `data/vm-images.csv` -> `vm_images.rs`: `IMAGES`, every row in file order, texts as spans of
/// `TEXT`.
fn vm_images(manifest: &Path, out_dir: &Path) {
    let path = manifest.join("data/vm-images.csv");
    println!("cargo:rerun-if-changed={}", path.display());
    println!(
        "cargo:rerun-if-changed={}",
        manifest.join("src/catalog/vm_images_csv.rs").display()
    );
    let text = std::fs::read_to_string(&path).expect("read data/vm-images.csv");
    let rows = vm_images_csv::parse(&text).unwrap_or_else(|e| panic!("data/vm-images.csv: {e}"));
    let mut blob = Blob::default();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "/// Every row of data/vm-images.csv, in file order.\npub static IMAGES: [Record; {}] = [",
        rows.len()
    );
    for r in &rows {
        let retired = match &r.retired {
            Some(d) => blob.span(d),
            None => "Span::NONE".to_string(),
        };
        let _ = writeln!(
            out,
            "    Record {{ label: {}, status: Status::{}, retired: {retired}, replacement: {}, source: {} }},",
            blob.span(&r.label),
            if r.retired_status { "Retired" } else { "Announced" },
            blob.span(&r.replacement),
            blob.span(&r.source)
        );
    }
    out.push_str("];\n");
    out.push_str(&blob.write(out_dir, "vm_images.txt"));
    std::fs::write(out_dir.join("vm_images.rs"), out).expect("write vm_images.rs");
}

/// `data/schema.json` -> `schema_data.rs`: every schema node as a `structure::schema::Def` in one
/// static array, `NODES`, that holds no pointers: a node's `anyOf` alternatives, properties and
/// pattern properties are runs of `NODES` (with their names in runs of `KEYS`), its `items` one
/// node, and texts are spans of `TEXT`. The definitions come first, sorted by name (`NAMES`).
fn schema(manifest: &Path, out_dir: &Path) {
    let path = manifest.join("data/schema.json");
    println!("cargo:rerun-if-changed={}", path.display());
    let text = std::fs::read_to_string(&path).expect("read data/schema.json");
    let top: serde_json::Value = serde_json::from_str(&text).expect("data/schema.json is valid");
    let definitions = top["definitions"]
        .as_object()
        .expect("data/schema.json has definitions");
    let mut names: Vec<&String> = definitions.keys().collect();
    names.sort();
    let mut gen = SchemaGen {
        names: names.iter().map(|n| n.to_string()).collect(),
        ..SchemaGen::default()
    };
    let roots: Vec<(&serde_json::Value, String)> = names
        .iter()
        .map(|n| (&definitions[n.as_str()], n.to_string()))
        .collect();
    let first = gen.block(roots.len());
    for (i, (v, what)) in roots.iter().enumerate() {
        gen.node(first + i, v, what);
    }
    let mut out = String::new();
    let _ = writeln!(
        out,
        "/// The name of each definition (`NODES[i]` for `NAMES[i]`), sorted.\npub static NAMES: [Span; {}] = [",
        names.len()
    );
    for n in &names {
        let _ = writeln!(out, "    {},", gen.blob.span(n));
    }
    out.push_str("];\n");
    let _ = writeln!(
        out,
        "/// Every schema node.\npub static NODES: [Def; {}] = [",
        gen.nodes.len()
    );
    for n in &gen.nodes {
        let _ = writeln!(out, "    {},", n.as_deref().expect("every node is written"));
    }
    out.push_str("];\n");
    let _ = writeln!(
        out,
        "/// Property names (runs of them, each sorted) and the strings of lists.\npub static KEYS: [Span; {}] = [\n{}];",
        gen.n_keys, gen.keys
    );
    out.push_str(&gen.blob.write(out_dir, "schema.txt"));
    std::fs::write(out_dir.join("schema_data.rs"), out).expect("write schema_data.rs");
}

/// Writes the schema nodes of `NODES`, with their keys and texts.
#[derive(Default)]
struct SchemaGen {
    /// The definitions' names, sorted: `NODES[i]` is `names[i]`.
    names: Vec<String>,
    nodes: Vec<Option<String>>,
    keys: String,
    n_keys: usize,
    blob: Blob,
}

impl SchemaGen {
    /// Room for `n` nodes in a run; the index of the first.
    fn block(&mut self, n: usize) -> usize {
        let first = self.nodes.len();
        self.nodes.resize(first + n, None);
        first
    }

    /// A run of `KEYS`: `start..end`.
    fn keys(&mut self, items: &[&str]) -> String {
        let start = self.n_keys;
        for s in items {
            let span = self.blob.span(s);
            let _ = writeln!(self.keys, "    {span},");
            self.n_keys += 1;
        }
        format!("{start}..{}", self.n_keys)
    }

    /// A list of strings (empty when absent): a run of `KEYS`.
    fn strs(&mut self, v: &serde_json::Value, what: &str) -> String {
        let items = texts(v, what);
        self.keys(&items)
    }

    /// An optional list of strings: a run of `KEYS`, `NONE` when absent.
    fn opt_strs(&mut self, v: &serde_json::Value, what: &str) -> String {
        match v {
            serde_json::Value::Null => "NONE".to_string(),
            v => self.strs(v, what),
        }
    }

    /// An optional object of nodes: (run of `KEYS`, run of `NODES`), sorted by key; `NONE`s when
    /// absent.
    fn props(&mut self, v: &serde_json::Value, what: &str) -> (String, String) {
        let map = match v {
            serde_json::Value::Null => return ("NONE".to_string(), "NONE".to_string()),
            serde_json::Value::Object(m) => m,
            _ => panic!("data/schema.json: {what} is not an object"),
        };
        let mut keys: Vec<&str> = map.keys().map(String::as_str).collect();
        keys.sort();
        let key_run = self.keys(&keys);
        let first = self.block(keys.len());
        for (i, k) in keys.iter().enumerate() {
            self.node(first + i, &map[*k], &format!("{what}.{k}"));
        }
        (key_run, format!("{first}..{}", first + keys.len()))
    }

    /// Write node `at`: the JSON `v` as serde decoded it.
    fn node(&mut self, at: usize, v: &serde_json::Value, what: &str) {
        let obj = v
            .as_object()
            .unwrap_or_else(|| panic!("data/schema.json: {what} is not an object"));
        for key in obj.keys() {
            assert!(
                schema_keywords::KEYWORDS.contains(&key.as_str()),
                "data/schema.json: {what} has an unknown key {key}"
            );
        }
        let additional = match &v["additionalProperties"] {
            serde_json::Value::Null => "None".to_string(),
            serde_json::Value::Bool(b) => format!("Some({b})"),
            _ => panic!("{what}: additionalProperties is not a boolean"),
        };
        let any_of = match &v["anyOf"] {
            serde_json::Value::Null => "NONE".to_string(),
            serde_json::Value::Array(alts) => {
                let first = self.block(alts.len());
                for (i, a) in alts.iter().enumerate() {
                    self.node(first + i, a, &format!("{what}.anyOf[{i}]"));
                }
                format!("{first}..{}", first + alts.len())
            }
            _ => panic!("{what}: anyOf is not a list"),
        };
        let items = match &v["items"] {
            serde_json::Value::Null => "NONE".to_string(),
            item => {
                let first = self.block(1);
                self.node(first, item, &format!("{what}.items"));
                format!("{first}..{}", first + 1)
            }
        };
        // A `type` that is not a string (a list of types) reads as none, as it always did.
        let ty = match &v["type"] {
            serde_json::Value::String(s) => self.blob.span(s),
            _ => "Span::NONE".to_string(),
        };
        let (property_keys, properties) =
            self.props(&v["properties"], &format!("{what}.properties"));
        let (pattern_keys, pattern_properties) = self.props(
            &v["patternProperties"],
            &format!("{what}.patternProperties"),
        );
        let reference = self.blob.opt(&v["$ref"], what);
        // The node a `$ref` names, resolved here so that a run never looks a name up.
        let target = v["$ref"]
            .as_str()
            .and_then(|r| self.names.binary_search_by(|n| n.as_str().cmp(r)).ok())
            .map_or("u32::MAX".to_string(), |i| i.to_string());
        let required = self.strs(&v["required"], what);
        let allowed = self.opt_strs(&v["enum"], what);
        let ignore_case = self.blob.opt(&v["ignoreCase"], what);
        let pattern = self.blob.opt(&v["pattern"], what);
        let first_property = self.strs(&v["firstProperty"], what);
        let deprecation = self.blob.opt(&v["deprecationMessage"], what);
        self.nodes[at] = Some(format!(
            "Def {{ reference: {reference}, target: {target}, ty: {ty}, property_keys: {property_keys}, properties: {properties}, additional: {additional}, required: {required}, any_of: {any_of}, items: {items}, allowed: {allowed}, ignore_case: {ignore_case}, pattern: {pattern}, first_property: {first_property}, pattern_keys: {pattern_keys}, pattern_properties: {pattern_properties}, deprecation: {deprecation}, alternatives: OnceLock::new() }}"
        ));
    }
}

/// A Rust expression building a `String`.
fn owned(s: &str) -> String {
    format!("String::from({s:?})")
}

/// A Rust expression building a `Vec<String>` of a JSON list of strings.
fn owned_list(v: &serde_json::Value, what: &str) -> String {
    let items: Vec<String> = texts(v, what).iter().map(|s| owned(s)).collect();
    format!("vec![{}]", items.join(", "))
}

/// A field of a generated record: its name and the Rust expression of it for a JSON object.
type Field<'a> = (&'a str, &'a dyn Fn(&serde_json::Value) -> String);

/// A Rust expression building a `Vec` of `ty` from a JSON list of objects: `fields` are (Rust
/// field, Rust expression of the JSON object).
fn records(v: &serde_json::Value, ty: &str, what: &str, fields: &[Field]) -> String {
    let rows = v
        .as_array()
        .unwrap_or_else(|| panic!("{what} is not a list"));
    let mut out = String::from("vec![\n");
    for r in rows {
        let _ = write!(out, "        {ty} {{");
        for (field, expr) in fields {
            let _ = write!(out, " {field}: {},", expr(r));
        }
        out.push_str(" },\n");
    }
    out.push_str("    ]");
    out
}

/// Read a small data file of `data/` as JSON, for `cargo` to watch.
fn small(manifest: &Path, name: &str) -> serde_json::Value {
    let path = manifest.join("data").join(name);
    println!("cargo:rerun-if-changed={}", path.display());
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read data/{name}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("data/{name} is invalid: {e}"))
}

/// The small data files -> one `<name>.rs` each in `OUT_DIR`, a function `load()` that builds
/// what serde would have decoded (no text to parse at run time):
/// `steps.json` (`pipeline::steps`), `taint.json` (`rules::shared::taint`), `spn-consumers.json`
/// (`rules::shared::spn_scripts`), `untrusted-code.json` (credential-before-untrusted-code) and
/// `security-tasks.json` (security-gate-continue-on-error).
fn small_data(manifest: &Path, out_dir: &Path) {
    let write = |name: &str, ty: &str, body: String| {
        let out = format!(
            "/// What data/{name} holds, built by code `build.rs` wrote from it.\nfn load() -> {ty} {{\n    {body}\n}}\n"
        );
        let file = name.replace(".json", "_data.rs").replace('-', "_");
        std::fs::write(out_dir.join(file), out).expect("write generated data");
    };
    let s = |key: &'static str, what: &'static str| {
        move |r: &serde_json::Value| owned(jstr(&r[key], what))
    };

    let v = small(manifest, "steps.json");
    let what = "data/steps.json";
    let keys = |r: &serde_json::Value| owned_list(&r["keys"], what);
    let body = records(
        &v["steps"],
        "StepKind",
        what,
        &[("kind", &s("kind", what)), ("keys", &keys)],
    );
    write("steps.json", "Vec<StepKind>", body);

    let v = small(manifest, "taint.json");
    let what = "data/taint.json";
    let control = |r: &serde_json::Value| match jstr(&r["control"], what) {
        "structured" => "Control::Structured".to_string(),
        "arbitrary" => "Control::Arbitrary".to_string(),
        c => panic!("{what}: unknown control {c}"),
    };
    let sinks = |key: &str| {
        records(
            &v[key],
            "SinkInput",
            what,
            &[
                ("task", &s("task", what)),
                ("input", &s("input", what)),
                ("shell", &s("shell", what)),
            ],
        )
    };
    let body = format!(
        "File {{\n    variables: {},\n    code: {},\n    arguments: {},\n    }}",
        records(
            &v["variables"],
            "Predefined",
            what,
            &[
                ("name", &s("name", what)),
                ("control", &control),
                ("what", &s("what", what)),
            ],
        ),
        sinks("code"),
        sinks("arguments")
    );
    write("taint.json", "File", body);

    let v = small(manifest, "spn-consumers.json");
    let what = "data/spn-consumers.json";
    let args = |r: &serde_json::Value| owned_list(&r["args"], what);
    let body = records(
        &v["consumers"],
        "Consumer",
        what,
        &[
            ("command", &s("command", what)),
            ("args", &args),
            ("why", &s("why", what)),
        ],
    );
    write("spn-consumers.json", "Vec<Consumer>", body);

    let v = small(manifest, "untrusted-code.json");
    let what = "data/untrusted-code.json";
    let body = format!(
        "File {{\n    step_kinds: {},\n    tasks: {},\n    }}",
        owned_list(&v["stepKinds"], what),
        records(
            &v["tasks"],
            "Runner",
            what,
            &[("name", &s("name", what)), ("what", &s("what", what))],
        )
    );
    write("untrusted-code.json", "File", body);

    let v = small(manifest, "security-tasks.json");
    let what = "data/security-tasks.json";
    let body = records(
        &v["tasks"],
        "Gate",
        what,
        &[("name", &s("name", what)), ("what", &s("what", what))],
    );
    write("security-tasks.json", "Vec<Gate>", body);
}
