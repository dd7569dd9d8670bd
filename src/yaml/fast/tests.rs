//! The fast path against the `granit-parser` path: on real pipelines (the shared corpora), on
//! generated pipeline-ish YAML, on mutations of the fixtures, and on the cases it handles.

use super::super::parse::parse_granit;
use super::super::{Document, Node, NodeKind, ScalarStyle};
use std::path::{Path, PathBuf};

/// `fast::parse(text)`, checked against the other path: `Some` must be exactly its `Ok`, and an
/// error there must be `None` here.
fn check(text: &str) -> Option<Vec<Document>> {
    let fast = super::parse(text);
    let slow = parse_granit(text);
    match (&fast, &slow) {
        (Some(f), Ok(s)) => assert_eq!(f, s, "fast path differs on {text:?}"),
        (Some(f), Err(e)) => {
            panic!("fast path accepts what granit rejects ({e:?}): {text:?} -> {f:?}")
        }
        (None, _) => {}
    }
    fast
}

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            yaml_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "yml" || e == "yaml") {
            out.push(p);
        }
    }
}

#[test]
fn corpus_matches_granit() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dirs = [
        root.join("../shared/corpus"),
        root.join("../shared/corpus-extra"),
    ];
    if !dirs.iter().any(|d| d.is_dir()) {
        eprintln!("corpus_matches_granit: no ../shared/corpus(-extra), skipped");
        return;
    }
    let mut files = Vec::new();
    for d in &dirs {
        yaml_files(d, &mut files);
    }
    let (mut n, mut bytes, mut bailed, mut bailed_bytes) = (0usize, 0usize, 0usize, 0usize);
    let mut bails = Vec::new();
    for f in &files {
        let Ok(text) = std::fs::read_to_string(f) else {
            continue;
        };
        n += 1;
        bytes += text.len();
        if check(&text).is_none() {
            bailed += 1;
            bailed_bytes += text.len();
            if parse_granit(&text).is_ok() {
                // The first line whose prefix the fast path gives up on: why it fell back.
                let mut at = 0;
                let mut why = String::new();
                for line in text.split_inclusive('\n') {
                    at += line.len();
                    if super::parse(&text[..at]).is_none() && parse_granit(&text[..at]).is_ok() {
                        why = line.trim_end().to_string();
                        break;
                    }
                }
                bails.push(format!("{}: {why}", f.display()));
            }
        }
    }
    eprintln!(
        "corpus_matches_granit: {n} files, {bytes} bytes; fell back on {bailed} files ({:.1}%), {bailed_bytes} bytes ({:.1}%)",
        100.0 * bailed as f64 / n.max(1) as f64,
        100.0 * bailed_bytes as f64 / bytes.max(1) as f64
    );
    if std::env::var_os("FAST_YAML_BAILS").is_some() {
        for b in &bails {
            eprintln!("  bail: {b}");
        }
    }
    assert!(n > 0);
    // The fast path must take most real pipelines (it fell back on under 3% when written).
    assert!(
        bailed * 10 <= n,
        "fast path fell back on {bailed} of {n} files"
    );
}

#[test]
#[ignore]
fn debug_file() {
    let Some(f) = std::env::var_os("FAST_YAML_FILE") else {
        return;
    };
    let text = std::fs::read_to_string(f).unwrap();
    eprintln!("fast: {:#?}", super::parse(&text));
    eprintln!("granit: {:#?}", parse_granit(&text));
}
