//! The library API: `lint()` carries its configuration in its options, so one process can lint
//! with two configurations (the language server reloads `.azplint.yml`) and each run gets its own.

use azplint::{lint, Options};
use std::path::Path;

fn options(dir: &Path, config: &str) -> Options {
    let cfg = dir.join(".azplint.yml");
    std::fs::write(&cfg, config).unwrap();
    Options {
        paths: vec![dir.join("azure-pipelines.yml")],
        config: Some(azplint::load_config(&cfg).unwrap()),
        ..Options::default()
    }
}

/// (rule, severity) of every finding.
fn found(options: &Options) -> Vec<(String, String)> {
    let report = lint(options).unwrap();
    let mut out: Vec<(String, String)> = report
        .diagnostics()
        .map(|(_, d)| (d.rule.to_string(), d.severity.as_str().to_string()))
        .collect();
    out.sort();
    out
}

#[test]
fn two_configurations_in_one_process_each_get_their_own_result() {
    let pipeline = "steps:\n- task: Contoso.Deploy@1\n  inputs:\n    mode: reckless\n";
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    for d in [&a, &b] {
        std::fs::write(d.path().join("azure-pipelines.yml"), pipeline).unwrap();
    }
    // A: the task is described (so its input is checked) and invalid-input-value is an error.
    let with_task = options(
        a.path(),
        "rules:\n  invalid-input-value: error\ntasks:\n- task: Contoso.Deploy@1\n  inputs:\n  - name: mode\n    options: [fast, safe]\n",
    );
    // B: no task described (an unknown extension-looking name is a private task) and notes off.
    let without_task = options(b.path(), "rules:\n  extension-task: off\n");

    let first_a = found(&with_task);
    let first_b = found(&without_task);
    assert_eq!(
        first_a,
        vec![("invalid-input-value".to_string(), "error".to_string())],
        "the configured task's input is checked at the configured level"
    );
    assert!(
        first_b.iter().all(|(r, _)| r != "invalid-input-value"),
        "a task configured for another run is unknown here: {first_b:?}"
    );
    // Again, in the other order: nothing of one run leaks into the next.
    assert_eq!(found(&without_task), first_b);
    assert_eq!(found(&with_task), first_a);
}
