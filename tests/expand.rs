//! `azplint expand` on the cases of `tests/data/expand/<case>/`: each runs the real binary on the
//! case's `azure-pipelines.yml` (in `<case>/main/` when that folder exists) with the arguments of
//! `args.txt` (one a line), and compares
//! - stdout with `azure-pipelines.expanded.yml` (or `.json` when the arguments ask for JSON) and
//!   exit code 0, or
//! - stderr with `expected-error.txt` and exit code 1 when that file exists;
//! - stderr with `expected-stderr.txt` when that file exists (notes of a successful run).
//!
//! `AZPLINT_BLESS=1 cargo test --test expand` writes the expected files; review them by eye.

mod common;

use std::path::{Path, PathBuf};

fn cases() -> Vec<PathBuf> {
    let dir = common::root().join("tests/data/expand");
    let mut out: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    out.sort();
    out
}

fn read(p: &Path) -> Option<String> {
    std::fs::read_to_string(p).ok()
}

#[test]
fn expand_cases() {
    let bless = std::env::var_os("AZPLINT_BLESS").is_some();
    let mut failures = Vec::new();
    let all = cases();
    assert!(all.len() >= 10, "expected the expand cases");
    for case in all {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let cwd = if case.join("main").is_dir() {
            case.join("main")
        } else {
            case.clone()
        };
        let extra: Vec<String> = read(&case.join("args.txt"))
            .map(|t| t.lines().map(str::to_string).collect())
            .unwrap_or_default();
        let mut args = vec!["expand".to_string(), "azure-pipelines.yml".to_string()];
        args.extend(extra.iter().cloned());
        let argv: Vec<&str> = args.iter().map(String::as_str).collect();
        let run = common::azplint_in(&cwd, &argv);
        let json = extra.iter().any(|a| a == "json");
        let expected_out = case.join(if json {
            "azure-pipelines.expanded.json"
        } else {
            "azure-pipelines.expanded.yml"
        });
        let error_file = case.join("expected-error.txt");
        let stderr_file = case.join("expected-stderr.txt");
        let failing = name.starts_with("error-");
        if bless {
            if failing {
                std::fs::write(&error_file, &run.stderr).unwrap();
            } else {
                std::fs::write(&expected_out, &run.stdout).unwrap();
                if run.stderr.is_empty() {
                    let _ = std::fs::remove_file(&stderr_file);
                } else {
                    std::fs::write(&stderr_file, &run.stderr).unwrap();
                }
            }
        }
        if failing {
            if run.code != 1 {
                failures.push(format!(
                    "{name}: exit {} (want 1)\n{}",
                    run.code, run.stderr
                ));
            }
            if read(&error_file).as_deref() != Some(run.stderr.as_str()) {
                failures.push(format!("{name}: stderr differs:\n{}", run.stderr));
            }
            if !run.stdout.is_empty() {
                failures.push(format!("{name}: printed a pipeline on failure"));
            }
            continue;
        }
        if run.code != 0 {
            failures.push(format!(
                "{name}: exit {} (want 0)\n{}",
                run.code, run.stderr
            ));
        }
        if read(&expected_out).as_deref() != Some(run.stdout.as_str()) {
            failures.push(format!("{name}: output differs:\n{}", run.stdout));
        }
        let want_err = read(&stderr_file).unwrap_or_default();
        if want_err != run.stderr {
            failures.push(format!("{name}: stderr differs:\n{}", run.stderr));
        }
        // The output is valid YAML (or JSON) that our own parser reads back.
        if json {
            if serde_json::from_str::<serde_json::Value>(&run.stdout).is_err() {
                failures.push(format!("{name}: output is not JSON"));
            }
        } else if azplint::yaml::parse(&run.stdout).is_err() {
            failures.push(format!("{name}: output is not YAML"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn yaml_and_json_have_the_same_structure() {
    let case = common::root().join("tests/data/expand/functions");
    let y = common::azplint_in(&case, &["expand", "azure-pipelines.yml"]);
    let j = common::azplint_in(
        &case,
        &["expand", "azure-pipelines.yml", "--format", "json"],
    );
    assert_eq!((y.code, j.code), (0, 0));
    let from_json: serde_json::Value = serde_json::from_str(&j.stdout).unwrap();
    let docs = azplint::yaml::parse(&y.stdout).unwrap();
    let root = docs[0].root.as_ref().unwrap();
    // Same keys at every level of the first step.
    let step = &root.get("steps").unwrap().as_seq().unwrap()[0];
    let yaml_env: Vec<&str> = step
        .get("env")
        .unwrap()
        .as_map()
        .unwrap()
        .iter()
        .map(|e| e.key.as_str().unwrap())
        .collect();
    let json_env: Vec<&str> = from_json["steps"][0]["env"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(yaml_env, json_env);
}

#[test]
fn usage_errors_exit_2() {
    let case = common::root().join("tests/data/expand/functions");
    let missing = common::azplint_in(&case, &["expand", "no-such-file.yml"]);
    assert_eq!(missing.code, 2, "{}", missing.stderr);
    let bad = common::azplint_in(
        &case,
        &["expand", "azure-pipelines.yml", "--parameter", "x"],
    );
    assert_eq!(bad.code, 2, "{}", bad.stderr);
    let fmt = common::azplint_in(&case, &["expand", "azure-pipelines.yml", "--format", "xml"]);
    assert_eq!(fmt.code, 2, "{}", fmt.stderr);
    let unknown = common::azplint_in(
        &case,
        &["expand", "azure-pipelines.yml", "--parameter", "nope=1"],
    );
    assert_eq!(unknown.code, 1, "{}", unknown.stderr);
    assert!(unknown.stderr.contains("Unexpected parameter 'nope'"));
}

#[test]
fn parameters_are_read_by_their_type() {
    let case = common::root().join("tests/data/expand/parameters");
    let run = common::azplint_in(
        &case,
        &[
            "expand",
            "azure-pipelines.yml",
            "--parameter",
            "verbose=True",
            "--parameter",
            "retries=5",
            "--parameter",
            r#"settings={"A": "1"}"#,
            "--parameter",
            "moreStages=[{stage: extra}]",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("displayName: Verbose run"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("retries=5 verbose=True"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("A: 1"), "{}", run.stdout);
    assert!(run.stdout.contains("- stage: extra"), "{}", run.stdout);
    let bad = common::azplint_in(
        &case,
        &["expand", "azure-pipelines.yml", "--parameter", "retries=2"],
    );
    assert_eq!(bad.code, 1);
    assert!(bad
        .stderr
        .contains("'retries' parameter value '2' is not a valid value"));
}

#[test]
fn never_hangs_on_self_including_templates() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("azure-pipelines.yml"),
        "steps:\n- template: azure-pipelines.yml\n",
    )
    .unwrap();
    let run = common::azplint_in(dir.path(), &["expand", "azure-pipelines.yml"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("template cycle"), "{}", run.stderr);
}

#[test]
fn deep_nesting_and_large_loops_are_bounded() {
    let dir = tempfile::tempdir().unwrap();
    // 150 templates, each including the next: over Azure's 100 levels.
    for i in 0..150 {
        std::fs::write(
            dir.path().join(format!("t{i}.yml")),
            format!("steps:\n- template: t{}.yml\n", i + 1),
        )
        .unwrap();
    }
    std::fs::write(dir.path().join("t150.yml"), "steps:\n- script: end\n").unwrap();
    std::fs::write(
        dir.path().join("azure-pipelines.yml"),
        "steps:\n- template: t0.yml\n",
    )
    .unwrap();
    let run = common::azplint_in(dir.path(), &["expand", "azure-pipelines.yml"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    // Nested loops multiply: 2000^2 items stop at the size bound instead of eating memory.
    let list: Vec<String> = (0..2000).map(|i| i.to_string()).collect();
    std::fs::write(
        dir.path().join("azure-pipelines.yml"),
        format!(
            "parameters:\n- name: l\n  type: object\n  default: [{}]\nsteps:\n- ${{{{ each a in parameters.l }}}}:\n  - ${{{{ each b in parameters.l }}}}:\n    - script: x\n",
            list.join(",")
        ),
    )
    .unwrap();
    let run = common::azplint_in(dir.path(), &["expand", "azure-pipelines.yml"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("too large"), "{}", run.stderr);
    // Copies of a large parameter count by their size.
    std::fs::write(
        dir.path().join("azure-pipelines.yml"),
        format!(
            "parameters:\n- name: l\n  type: object\n  default: [{}]\nsteps:\n- ${{{{ each a in parameters.l }}}}:\n  - script: x\n    env:\n      copy: ${{{{ parameters.l }}}}\n",
            list.join(",")
        ),
    )
    .unwrap();
    let run = common::azplint_in(dir.path(), &["expand", "azure-pipelines.yml"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("too large"), "{}", run.stderr);
}

/// Which YAML files of a repository other files include with `template:`.
fn included(root: &Path, files: &[PathBuf]) -> std::collections::HashSet<PathBuf> {
    fn refs<'a>(n: &'a azplint::yaml::Node, out: &mut Vec<&'a str>, depth: usize) {
        if depth > 300 {
            return;
        }
        if let Some(m) = n.as_map() {
            for e in m {
                if e.key.as_str() == Some("template") {
                    if let Some(v) = e.value.as_str() {
                        out.push(v);
                    }
                }
                refs(&e.value, out, depth + 1);
            }
        } else if let Some(s) = n.as_seq() {
            for i in s {
                refs(i, out, depth + 1);
            }
        }
    }
    let mut set = std::collections::HashSet::new();
    for f in files {
        let Ok(text) = std::fs::read_to_string(f) else {
            continue;
        };
        let Ok(docs) = azplint::yaml::parse(&text) else {
            continue;
        };
        let mut found = Vec::new();
        for d in &docs {
            if let Some(r) = &d.root {
                refs(r, &mut found, 0);
            }
        }
        for v in found {
            if let azplint::templates::Located::Path(p) =
                azplint::templates::locate(v, f, root, &Default::default())
            {
                set.insert(p);
            }
        }
    }
    set
}

/// The entry pipelines of the corpus, compiled with their defaults: how many compile, how many
/// fail and why. `cargo test --release --test expand -- --ignored --nocapture corpus`.
#[test]
#[ignore]
fn corpus_entry_pipelines() {
    let corpus = common::root().join("../shared/corpus");
    let Ok(repos) = std::fs::read_dir(&corpus) else {
        return;
    };
    let mut repos: Vec<PathBuf> = repos
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    repos.sort();
    let (mut ok, mut failed, mut templates, mut noted) = (0, 0, 0, 0);
    let mut reasons: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for repo in repos {
        let root = repo.canonicalize().unwrap();
        let mut files = Vec::new();
        let mut stack = vec![root.clone()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
                let p = e.path();
                let name = e.file_name().to_string_lossy().into_owned();
                if p.is_dir() && !name.starts_with('.') && name != "node_modules" {
                    stack.push(p);
                } else if name.ends_with(".yml") || name.ends_with(".yaml") {
                    files.push(p.canonicalize().unwrap_or(p));
                }
            }
        }
        files.sort();
        // Every file, pipeline or not, compiles or fails cleanly (no panic, no hang).
        for f in &files {
            let options = azplint::compile::ExpandOptions {
                root: Some(root.clone()),
                ..Default::default()
            };
            if let Err(e) = azplint::compile::expand(f, &options) {
                assert!(!e.usage, "{}: {e}", f.display());
            }
        }
        let inc = included(&root, &files);
        for f in &files {
            let Ok(text) = std::fs::read_to_string(f) else {
                continue;
            };
            let Some(root_node) = azplint::yaml::parse(&text)
                .ok()
                .and_then(|d| d.into_iter().next())
                .and_then(|d| d.root)
            else {
                continue;
            };
            let is_pipeline = ["stages", "jobs", "steps"]
                .iter()
                .any(|k| root_node.get(k).is_some())
                || root_node
                    .get("extends")
                    .is_some_and(|e| e.as_map().is_some());
            // Files in a `templates` folder are templates (included from other repositories or
            // by paths azplint can't follow), whoever includes them.
            let in_templates = f
                .strip_prefix(&root)
                .unwrap_or(f)
                .components()
                .any(|c| c.as_os_str().to_string_lossy().contains("templates"));
            let in_templates = in_templates && std::env::var_os("AZPLINT_CORPUS_ALL").is_none();
            if !is_pipeline || inc.contains(f) || in_templates {
                continue;
            }
            // A file whose parameters can't all default is a template (Azure requires a default
            // for every parameter of a pipeline), even when azplint sees no includer.
            let template_shaped = match root_node.get("parameters").map(|p| &p.kind) {
                Some(azplint::yaml::NodeKind::Map(_)) => true,
                Some(azplint::yaml::NodeKind::Seq(decls)) => {
                    decls.iter().any(|d| d.get("default").is_none())
                }
                _ => false,
            };
            if template_shaped {
                templates += 1;
                continue;
            }
            let options = azplint::compile::ExpandOptions {
                root: Some(root.clone()),
                ..Default::default()
            };
            let shown = f
                .strip_prefix(corpus.canonicalize().unwrap())
                .unwrap_or(f)
                .display()
                .to_string();
            let result = azplint::compile::expand(f, &options);
            if let Err(e) = &result {
                assert!(!e.usage, "{shown}: {e}");
            }
            match result {
                Ok(c) => {
                    ok += 1;
                    if !c.notes.is_empty() {
                        noted += 1;
                    }
                }
                Err(e) => {
                    failed += 1;
                    let mut group = String::new();
                    let mut quote = None;
                    for ch in e.message.chars() {
                        match (quote, ch) {
                            (None, '\'' | '`') => {
                                quote = Some(ch);
                                group.push('X');
                            }
                            (Some(q), c) if c == q => quote = None,
                            (Some(_), _) => {}
                            (None, c) => group.push(c),
                        }
                    }
                    reasons
                        .entry(group)
                        .or_default()
                        .push(format!("{shown}: {}: {}", e.location, e.message));
                }
            }
        }
    }
    println!("entry pipelines: {} ({ok} compile, {noted} of them with notes; {failed} fail); {templates} more look like templates (a parameter without default)", ok + failed);
    for (group, items) in &reasons {
        println!("\n[{}] {group}", items.len());
        for i in items.iter().take(4) {
            println!("  {i}");
        }
    }
}
