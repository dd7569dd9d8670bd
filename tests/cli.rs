//! The command line: discovery, exit codes, output shapes.

mod common;

use common::{azplint, azplint_in, json};
use std::fs;
use std::path::Path;

const PIPELINE_WITH_WARNING: &str =
    "steps:\n- task: AzureFileCopy@5\n  inputs:\n    SourcePath: drop\n    azureSubscription: prod\n    Destination: AzureBlob\n    storage: store\n    ContainerName: drop\n";
const CLEAN_PIPELINE: &str = "trigger: none\nsteps:\n- task: Bash@3\n  inputs:\n    targetType: inline\n    script: echo hi\n";

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(p, text).unwrap();
}

fn paths(v: &serde_json::Value) -> Vec<String> {
    v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["path"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn exit_codes() {
    assert_eq!(
        azplint(&["fixtures/wif-unsupported-task/pass.yml"]).code,
        1,
        "pass.yml has a deprecated Kubernetes@0"
    );
    assert_eq!(azplint(&["fixtures/idtoken-expiry/pass.yml"]).code, 0);
    assert_eq!(azplint(&["fixtures/idtoken-expiry/fail.yml"]).code, 1);
    assert_eq!(
        azplint(&["fixtures/task-reference-format/fail.yml"]).code,
        1
    );
    // Notes alone never fail a run.
    let (code, v) = json(&["fixtures/extension-task/fail.yml"]);
    assert!(v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .all(|d| d["severity"] == "note"));
    assert_eq!(code, 0);
    let missing = azplint(&["no/such/path.yml"]);
    assert_eq!(missing.code, 2);
    assert!(
        missing.stderr.contains("does not exist"),
        "{}",
        missing.stderr
    );
    assert_eq!(azplint(&["--no-such-flag"]).code, 2);
}

#[test]
fn check_is_the_default_command_and_prints_a_summary() {
    let a = azplint(&["check", "fixtures/deprecated-task"]);
    let b = azplint(&["fixtures/deprecated-task"]);
    assert_eq!(a.stdout, b.stdout);
    assert_eq!(a.code, 1);
    assert_eq!(
        a.stderr.trim(),
        "0 errors, 3 warnings in 2 files\n1 fix available with `--fix --unsafe-fixes` (see first with `--diff --unsafe-fixes`)"
    );
    assert!(!a.stdout.contains('\u{1b}'), "no color when not a terminal");
    let colored = azplint(&["--color", "always", "fixtures/deprecated-task"]);
    assert!(colored.stdout.contains('\u{1b}'));
}

#[test]
fn json_is_one_object_sorted_with_paths_as_written() {
    let (_, v) = json(&[
        "fixtures/wif-unsupported-task",
        "fixtures/deprecated-task/fail.yml",
    ]);
    assert_eq!(v["version"], 1);
    // 9 files of fixtures/wif-unsupported-task (two in connections/, one in each endpoints-*/),
    // 1 named explicitly.
    assert_eq!(v["files"], 10);
    let diags = v["diagnostics"].as_array().unwrap();
    let keys: Vec<(String, u64, u64)> = diags
        .iter()
        .map(|d| {
            (
                d["path"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
                d["column"].as_u64().unwrap(),
            )
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    assert!(paths(&v).iter().all(|p| p.starts_with("fixtures/")));
    for d in diags {
        for field in [
            "rule",
            "severity",
            "message",
            "path",
            "line",
            "column",
            "end_line",
            "end_column",
            "help",
        ] {
            assert!(d.get(field).is_some(), "missing {field} in {d}");
        }
    }
}

#[test]
fn discovery_keeps_pipelines_and_skips_other_yaml() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    write(d, "azure-pipelines.yml", PIPELINE_WITH_WARNING);
    write(
        d,
        ".azure-pipelines/templates/steps.yaml",
        PIPELINE_WITH_WARNING,
    );
    write(
        d,
        ".github/workflows/ci.yml",
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n    - uses: x\n",
    );
    write(d, "k8s/deploy.yml", "apiVersion: v1\nkind: Pod\n");
    write(
        d,
        "docker-compose.yml",
        "version: '3'\nservices:\n  db: {}\n",
    );
    write(
        d,
        "node_modules/pkg/azure-pipelines.yml",
        PIPELINE_WITH_WARNING,
    );
    write(d, "target/azure-pipelines.yml", PIPELINE_WITH_WARNING);
    write(d, "ignored/azure-pipelines.yml", PIPELINE_WITH_WARNING);
    write(d, ".gitignore", "ignored/\n");
    fs::create_dir(d.join(".git")).unwrap();
    write(d, "clean.yml", CLEAN_PIPELINE);
    let run = azplint_in(d, &["--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["files"], 3, "{}", run.stdout);
    let mut p = paths(&v);
    p.dedup();
    assert_eq!(
        p,
        vec![
            ".azure-pipelines/templates/steps.yaml",
            "azure-pipelines.yml"
        ]
    );

    // --include / --exclude
    let run = azplint_in(d, &["--format", "json", "--exclude", ".azure-pipelines/**"]);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["files"], 2);
    let run = azplint_in(d, &["--format", "json", "--include", "clean.yml"]);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["files"], 1);
    assert_eq!(run.code, 0);

    // A file named on the command line is always linted, whatever it holds.
    let run = azplint_in(d, &["--format", "json", "k8s/deploy.yml"]);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["files"], 1);
}

#[cfg(unix)]
#[test]
fn symlinks_out_of_the_root_are_not_followed() {
    let outside = tempfile::tempdir().unwrap();
    write(
        outside.path(),
        "secret/azure-pipelines.yml",
        PIPELINE_WITH_WARNING,
    );
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    write(d, "clean.yml", CLEAN_PIPELINE);
    std::os::unix::fs::symlink(outside.path().join("secret"), d.join("linked-dir")).unwrap();
    std::os::unix::fs::symlink(
        outside.path().join("secret/azure-pipelines.yml"),
        d.join("linked.yml"),
    )
    .unwrap();
    std::os::unix::fs::symlink(d.join("clean.yml"), d.join("inside-link.yml")).unwrap();
    std::os::unix::fs::symlink(d.join("loop"), d.join("loop")).unwrap_or(());
    let run = azplint_in(d, &["--format", "json", "."]);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    // clean.yml and the link to it are one file (read once); the links out of the root are skipped.
    assert_eq!(v["files"], 1, "{}", run.stdout);
    assert_eq!(run.code, 0, "{}", run.stdout);
}

#[test]
fn bad_files_are_reported_and_the_run_goes_on() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    write(d, "a-broken.yml", "steps:\n- task: Bash@3\n  inputs: [\n");
    fs::write(d.join("b-latin1.yml"), b"steps:\n- script: echo caf\xe9\n").unwrap();
    fs::write(d.join("c-binary.yml"), b"steps:\x00\x01\x02").unwrap();
    write(d, "d-good.yml", PIPELINE_WITH_WARNING);
    let run = azplint_in(
        d,
        &[
            "--format",
            "json",
            "a-broken.yml",
            "b-latin1.yml",
            "c-binary.yml",
            "d-good.yml",
        ],
    );
    assert_eq!(run.code, 1);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let rules: Vec<(&str, &str)> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["path"].as_str().unwrap(), d["rule"].as_str().unwrap()))
        .collect();
    assert_eq!(
        rules,
        vec![
            ("a-broken.yml", "yaml-syntax"),
            ("b-latin1.yml", "unreadable-file"),
            ("c-binary.yml", "unreadable-file"),
            ("d-good.yml", "wif-unsupported-task"),
        ]
    );
    let latin = &v["diagnostics"][1];
    assert_eq!(
        (latin["line"].as_u64(), latin["column"].as_u64()),
        (Some(2), Some(19))
    );
}

#[test]
fn rules_command_lists_every_rule() {
    let run = azplint(&["rules"]);
    assert_eq!(run.code, 0);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), azplint::rules::RULES.len());
    for (line, r) in lines.iter().zip(azplint::rules::RULES) {
        // id, default severity, category, on or off by default, summary: in that order.
        let columns: Vec<&str> = line.split_whitespace().collect();
        let default = if r.default_enabled { "on" } else { "off" };
        assert_eq!(
            columns[..4],
            [r.id, r.severity.as_str(), r.category.as_str(), default],
            "{line}"
        );
        assert!(line.ends_with(r.summary), "{line}");
    }
}

#[test]
fn remote_templates_are_followed_when_the_alias_is_mapped() {
    let tmp = tempfile::tempdir().unwrap();
    let repo = tmp.path().join("app");
    let tools = tmp.path().join("tools");
    fs::create_dir_all(repo.join(".git")).unwrap();
    write(
        &repo,
        "azure-pipelines.yml",
        "steps:\n- template: steps/copy.yml@tools\n  parameters:\n    container: drop\n",
    );
    write(
        &tools,
        "steps/copy.yml",
        &format!(
            "parameters:\n- name: container\n  type: string\n{}",
            PIPELINE_WITH_WARNING
        ),
    );
    // Not mapped: one note, nothing read from the other repository.
    let run = azplint_in(&repo, &["--format", "json", "azure-pipelines.yml"]);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["files"], 1);
    assert_eq!(v["diagnostics"][0]["rule"], "remote-template");
    assert_eq!(run.code, 0, "a note does not fail the run");
    // Mapped: the template is linted, and its finding says where it was included from.
    let mapping = format!("tools={}", tools.display());
    let run = azplint_in(
        &repo,
        &[
            "--format",
            "json",
            "--repository",
            &mapping,
            "azure-pipelines.yml",
        ],
    );
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["files"], 2, "{}", run.stdout);
    let d = v["diagnostics"].as_array().unwrap();
    assert_eq!(d.len(), 1, "{}", run.stdout);
    assert_eq!(d[0]["rule"], "wif-unsupported-task");
    assert!(d[0]["path"]
        .as_str()
        .unwrap()
        .ends_with("tools/steps/copy.yml"));
    assert_eq!(
        d[0]["included_from"],
        serde_json::json!(["azure-pipelines.yml:2"])
    );
    // A bad mapping is a usage error.
    assert_eq!(azplint_in(&repo, &["--repository", "tools", "."]).code, 2);
}

#[test]
fn the_examples_pass_azplint() {
    let run = azplint(&["examples"]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("in 1 file"),
        "the Azure Pipelines example is linted, the GitHub workflow skipped: {}",
        run.stderr
    );
}

#[test]
fn oversized_files_are_reported_not_read() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let mut big = String::from("steps:\n- script: |\n");
    let line = format!("    echo {}\n", "x".repeat(120));
    while big.len() <= 10 * 1024 * 1024 {
        big.push_str(&line);
    }
    write(d, "azure-pipelines.yml", &big);
    // A big file that is not a pipeline is skipped silently in a directory walk.
    write(
        d,
        "data.yml",
        &format!("rows:\n{}", "- 1\n".repeat(3_000_000)),
    );
    let run = azplint_in(d, &["--format", "json", "."]);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let rules: Vec<(&str, &str)> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| (x["path"].as_str().unwrap(), x["rule"].as_str().unwrap()))
        .collect();
    assert_eq!(rules, vec![("azure-pipelines.yml", "file-too-large")]);
    assert_eq!(run.code, 1);
}

#[test]
fn a_template_outside_a_guessed_root_is_a_warning() {
    // Without `.git`, the directory linted stands for the repository root: the real repository may
    // hold the template, so azplint says less. With `.git`, Azure can't fetch it: an error.
    let severity = |git: bool| {
        let dir = tempfile::tempdir().unwrap();
        let repo = dir.path().join("repo");
        fs::create_dir_all(&repo).unwrap();
        if git {
            fs::create_dir_all(repo.join(".git")).unwrap();
        }
        fs::write(
            repo.join("azure-pipelines.yml"),
            "steps:\n- template: ../shared/steps.yml\n",
        )
        .unwrap();
        let run = azplint_in(&repo, &["--format", "json", "."]);
        let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        let found: Vec<String> = v["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["rule"] == "template-outside-repository")
            .map(|d| d["severity"].as_str().unwrap().to_string())
            .collect();
        found
    };
    assert_eq!(severity(true), vec!["error"]);
    assert_eq!(severity(false), vec!["warning"]);
}
