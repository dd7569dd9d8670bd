//! The layers of the crate only point down: this reads every source file's `crate::` paths (outside
//! its unit tests) and checks the never-edges of the design and that the top-level modules form no
//! cycle.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// The top-level module of a source file (`src/rules/unknown_key.rs` -> `rules`).
fn module_of(rel: &str) -> String {
    let first = rel.split('/').next().unwrap_or(rel);
    first.trim_end_matches(".rs").to_string()
}

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The code of a file without its comments and its `#[cfg(test)]` module.
fn code(text: &str) -> String {
    let text = match text.find("#[cfg(test)]") {
        Some(i) => &text[..i],
        None => text,
    };
    text.lines()
        .map(|l| match l.find("//") {
            Some(i) => &l[..i],
            None => l,
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Top-level modules named by `crate::name` and `use crate::{name, other::x}` in `code`.
fn referenced(code: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = code;
    while let Some(i) = rest.find("crate::") {
        rest = &rest[i + "crate::".len()..];
        if let Some(inner) = rest.strip_prefix('{') {
            // `use crate::{a::b, c, d::{e, f}}`: the first name of each top-level item.
            let mut depth = 1;
            let mut item = String::new();
            for ch in inner.chars() {
                match ch {
                    '{' => depth += 1,
                    '}' => {
                        depth -= 1;
                        if depth == 0 {
                            break;
                        }
                    }
                    ',' if depth == 1 => {
                        push_first(&item, &mut out);
                        item.clear();
                        continue;
                    }
                    _ => {}
                }
                if depth == 1 {
                    item.push(ch);
                }
            }
            push_first(&item, &mut out);
        } else {
            push_first(rest, &mut out);
        }
    }
    out
}

fn push_first(item: &str, out: &mut BTreeSet<String>) {
    let name: String = item
        .trim()
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    if !name.is_empty() {
        out.insert(name);
    }
}

fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = common::root().join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in files {
        let rel = f
            .strip_prefix(&src)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if rel == "lib.rs" || rel == "main.rs" {
            continue; // the crate root and the command line sit on top of everything
        }
        let m = module_of(&rel);
        let refs = referenced(&code(&std::fs::read_to_string(&f).unwrap()));
        let entry = g.entry(m.clone()).or_default();
        for r in refs {
            if r != m {
                entry.insert(r);
            }
        }
    }
    g
}

/// The items `lib.rs` defines itself (not its modules): a module naming one of them imports the
/// crate root.
fn root_items() -> BTreeSet<String> {
    let lib = std::fs::read_to_string(common::root().join("src/lib.rs")).unwrap();
    let mut out = BTreeSet::new();
    for l in lib.lines() {
        let l = l.trim_start();
        for kw in [
            "pub fn ",
            "fn ",
            "pub struct ",
            "struct ",
            "pub const ",
            "const ",
        ] {
            if let Some(rest) = l.strip_prefix(kw) {
                push_first(rest, &mut out);
            }
        }
    }
    out
}

#[test]
fn never_edges_hold() {
    let g = graph();
    let modules: BTreeSet<&str> = g.keys().map(String::as_str).collect();
    assert!(modules.contains("rules") && modules.contains("pipeline"));
    let forbid = |from: &str, to: &[&str]| {
        for t in to {
            assert!(
                !g.get(from).is_some_and(|s| s.contains(*t)),
                "`{from}` must not import `{t}`: {:?}",
                g.get(from)
            );
        }
    };
    // Rules see other files through the model's view, never the workspace, discovery or reporters.
    forbid(
        "rules",
        &["report", "discover", "workspace", "view", "stages"],
    );
    // Loading returns typed problems; the library turns them into findings and checks rule ids.
    forbid("workspace", &["rules", "report", "filter", "stages"]);
    forbid("config", &["rules", "workspace", "report", "discover"]);
    // Reporters read the report beside the diagnostic, not the YAML tree.
    forbid("report", &["yaml", "workspace", "pipeline", "structure"]);
    // The catalog and the YAML layer know nothing of files or rules.
    for low in ["catalog", "yaml"] {
        forbid(
            low,
            &[
                "rules",
                "workspace",
                "discover",
                "config",
                "filter",
                "report",
                "source",
            ],
        );
    }
    // The language server (src/server/, a module of the binary) is a top layer like main.rs:
    // nothing imports it.
    for (m, refs) in &g {
        assert!(
            m == "server" || !refs.contains("server"),
            "`{m}` must not import `server`"
        );
    }
    // Nothing below the crate root imports it (Report and the API types live in their layers).
    let root = root_items();
    for (m, refs) in &g {
        for r in refs {
            assert!(!root.contains(r), "`{m}` imports `crate::{r}` from lib.rs");
        }
    }
}

#[test]
fn top_level_modules_form_no_cycle() {
    let g = graph();
    // Depth-first search for a back edge.
    fn visit(
        m: &str,
        g: &BTreeMap<String, BTreeSet<String>>,
        state: &mut BTreeMap<String, u8>,
        path: &mut Vec<String>,
    ) {
        match state.get(m) {
            Some(2) => return,
            Some(1) => panic!("import cycle: {} -> {m}", path.join(" -> ")),
            _ => {}
        }
        state.insert(m.to_string(), 1);
        path.push(m.to_string());
        for next in g.get(m).into_iter().flatten() {
            if g.contains_key(next) {
                visit(next, g, state, path);
            }
        }
        path.pop();
        state.insert(m.to_string(), 2);
    }
    let mut state = BTreeMap::new();
    for m in g.keys() {
        visit(m, &g, &mut state, &mut Vec::new());
    }
}

#[test]
fn the_reader_of_imports_reads_them() {
    let refs = referenced("use crate::{diagnostic::Report, rules, yaml::{Node, Span}};\nlet x = crate::catalog::catalog();");
    let want: BTreeSet<String> = ["diagnostic", "rules", "yaml", "catalog"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(refs, want);
    assert_eq!(module_of("rules/shared/spn_scripts.rs"), "rules");
    assert_eq!(module_of("catalog.rs"), "catalog");
}
