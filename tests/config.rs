//! `.azplint.yml`, inline suppressions, baselines and standard input, through the real binary.

mod common;

use common::azplint_in;
use std::fs;
use std::path::Path;

const COPY_V5: &str = "steps:\n- task: AzureFileCopy@5\n  inputs:\n    SourcePath: drop\n    azureSubscription: prod\n    Destination: AzureBlob\n    storage: store\n    ContainerName: drop\n";

fn repo() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    fs::create_dir(tmp.path().join(".git")).unwrap();
    tmp
}

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(p, text).unwrap();
}

fn rules_of(dir: &Path, args: &[&str]) -> (i32, Vec<(String, String, String)>) {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    let run = azplint_in(dir, &all);
    let v: serde_json::Value = serde_json::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", run.stdout, run.stderr));
    let found = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["path"].as_str().unwrap().to_string(),
                d["rule"].as_str().unwrap().to_string(),
                d["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    (run.code, found)
}

#[test]
fn levels_and_per_file_ignores() {
    let tmp = repo();
    let d = tmp.path();
    write(d, "azure-pipelines.yml", COPY_V5);
    write(d, "legacy/old.yml", COPY_V5);
    write(
        d,
        ".azplint.yml",
        "rules:\n  wif-unsupported-task: error\nper-file-ignores:\n  'legacy/**': [wif-unsupported-task]\n",
    );
    let (code, found) = rules_of(d, &[]);
    assert_eq!(
        found,
        vec![(
            "azure-pipelines.yml".into(),
            "wif-unsupported-task".into(),
            "error".into()
        )]
    );
    assert_eq!(code, 1);
    write(d, ".azplint.yml", "rules:\n  wif-unsupported-task: off\n");
    assert_eq!(rules_of(d, &[]), (0, vec![]));
    // `--no-config` ignores the file; `--config` picks another one.
    assert_eq!(rules_of(d, &["--no-config"]).1.len(), 2);
    write(d, "other.yml.cfg", "rules:\n  wif-unsupported-task: note\n");
    let (code, found) = rules_of(d, &["--config", "other.yml.cfg"]);
    assert_eq!(code, 0, "notes don't fail");
    assert!(found.iter().all(|(_, _, s)| s == "note"));
}

#[test]
fn bad_configuration_is_a_usage_error_with_a_location() {
    let tmp = repo();
    let d = tmp.path();
    write(d, "azure-pipelines.yml", COPY_V5);
    write(d, ".azplint.yml", "rules:\n  wif-unsupported-tsk: off\n");
    let run = azplint_in(d, &["."]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains(".azplint.yml:2:"), "{}", run.stderr);
    assert!(
        run.stderr.contains("did you mean `wif-unsupported-task`?"),
        "{}",
        run.stderr
    );
    write(d, ".azplint.yml", "rules: {}\nunknownKey: 1\n");
    let run = azplint_in(d, &["."]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains(".azplint.yml:2:"), "{}", run.stderr);
}

#[test]
fn configured_tasks_are_checked_like_built_ins() {
    let tmp = repo();
    let d = tmp.path();
    write(
        d,
        ".azplint.yml",
        "tasks:\n- task: Contoso.Deploy@1\n  wif: false\n  inputs:\n  - name: connection\n    aliases: [azureSubscription]\n    serviceConnection: true\n    required: true\n  - name: mode\n    options: [fast, safe]\n",
    );
    write(d, "azure-pipelines.yml", "steps:\n- task: Contoso.Deploy@1\n  inputs:\n    azureSubscription: prod\n    mode: reckless\n    colour: blue\n");
    let (_, found) = rules_of(d, &[]);
    let rules: Vec<&str> = found.iter().map(|(_, r, _)| r.as_str()).collect();
    assert_eq!(
        rules,
        vec![
            "wif-unsupported-task",
            "invalid-input-value",
            "unknown-task-input"
        ]
    );
}

#[test]
fn inline_suppressions() {
    let tmp = repo();
    let d = tmp.path();
    write(
        d,
        "azure-pipelines.yml",
        "steps:\n- task: AzureFileCopy@5 # azplint: ignore[wif-unsupported-task]\n  inputs:\n    SourcePath: drop\n    azureSubscription: prod\n    Destination: AzureBlob\n    storage: store\n    ContainerName: drop\n# azplint: ignore[deprecated-task]\n- script: echo hi\n",
    );
    let (code, found) = rules_of(d, &[]);
    assert_eq!(
        found,
        vec![(
            "azure-pipelines.yml".into(),
            "unused-suppression".into(),
            "note".into()
        )]
    );
    assert_eq!(code, 0);
}

#[test]
fn baseline_hides_known_findings_across_line_moves() {
    let tmp = repo();
    let d = tmp.path();
    write(d, "azure-pipelines.yml", COPY_V5);
    let run = azplint_in(d, &["--write-baseline", "baseline.json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("recorded 1 findings"), "{}", run.stderr);
    // Lines move: the finding is still known.
    write(
        d,
        "azure-pipelines.yml",
        &format!("# moved down\n\n{COPY_V5}"),
    );
    assert_eq!(rules_of(d, &["--baseline", "baseline.json"]), (0, vec![]));
    // A new finding is not.
    write(d, "azure-pipelines.yml", &format!("{COPY_V5}- task: AzureFileCopy@4\n  inputs:\n    SourcePath: x\n    azureSubscription: prod\n    Destination: AzureBlob\n    storage: s\n    ContainerName: c\n"));
    let (code, found) = rules_of(d, &["--baseline", "baseline.json"]);
    assert_eq!(found.len(), 1);
    assert_eq!(code, 1);
}

#[test]
fn standard_input_is_linted_as_the_named_file() {
    let tmp = repo();
    let d = tmp.path();
    write(d, "templates/steps.yml", COPY_V5);
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_azplint"))
        .args([
            "check",
            "--format",
            "json",
            "--stdin-filename",
            "pipelines/ci.yml",
            "-",
        ])
        .current_dir(d)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"steps:\n- template: ../templates/steps.yml\n- task: AzureCLI@9\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let found: Vec<(&str, &str)> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["path"].as_str().unwrap(), d["rule"].as_str().unwrap()))
        .collect();
    assert_eq!(
        found,
        vec![
            ("pipelines/ci.yml", "unknown-task-version"),
            ("templates/steps.yml", "wif-unsupported-task")
        ]
    );
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn pipelines_only_skips_other_yaml_named_explicitly() {
    let tmp = repo();
    let d = tmp.path();
    write(
        d,
        "docker-compose.yml",
        "version: '3'\nservices:\n  db: {}\n",
    );
    write(d, "azure-pipelines.yml", COPY_V5);
    let run = azplint_in(
        d,
        &[
            "--format",
            "json",
            "--pipelines-only",
            "docker-compose.yml",
            "azure-pipelines.yml",
        ],
    );
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["files"], 1);
}

#[test]
fn explain_prints_a_rule_page() {
    let run = common::azplint(&["explain", "wif-unsupported-task"]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.starts_with("# wif-unsupported-task"));
    let run = common::azplint(&["explain", "wif-unsuported-task"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("did you mean `wif-unsupported-task`?"));
    let run = common::azplint(&["completions", "bash"]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains("azplint"));
}

/// `fixtures/wif-unsupported-task/connections/`: the severity of `wif-unsupported-task` follows
/// what `.azplint.yml` declares of each connection (`# expect: error|warning` marks each line).
#[test]
fn wif_severity_follows_declared_connections() {
    let rel = "fixtures/wif-unsupported-task/connections/connections.yml";
    let text = fs::read_to_string(common::root().join(rel)).unwrap();
    let want: Vec<(u64, String)> = text
        .lines()
        .enumerate()
        .filter_map(|(i, l)| {
            l.split("# expect: ")
                .nth(1)
                .map(|s| (i as u64 + 1, s.trim().to_string()))
        })
        .collect();
    let (_, v) = common::json(&[rel]);
    let got: Vec<(u64, String)> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule"] == "wif-unsupported-task" && d["path"] == rel)
        .map(|d| {
            (
                d["line"].as_u64().unwrap(),
                d["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(got, want);
    // The template's step gets its connection from the caller: declared WIF, an error.
    let in_template: Vec<(&str, &str)> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule"] == "wif-unsupported-task" && d["path"] != rel)
        .map(|d| (d["path"].as_str().unwrap(), d["severity"].as_str().unwrap()))
        .collect();
    assert_eq!(
        in_template,
        vec![(
            "fixtures/wif-unsupported-task/connections/templates/copy.yml",
            "error"
        )]
    );
    let human = common::azplint(&["--color", "never", rel]);
    insta::assert_snapshot!("wif_connections_human", human.stdout);
}
