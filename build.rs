//! Embeds every rule page of `docs/rules/` for `azplint explain`.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/rules");
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
    let dest =
        Path::new(&std::env::var("OUT_DIR").expect("OUT_DIR is set by cargo")).join("docs.rs");
    std::fs::write(dest, out).expect("write docs.rs");
}
