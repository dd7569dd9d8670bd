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
fn a_category_sets_the_level_of_its_rules_and_a_rule_entry_wins() {
    let tmp = repo();
    let d = tmp.path();
    let text = format!("{COPY_V5}- script: echo hi\n  displayName: a\n  displayName: b\n");
    write(d, "azure-pipelines.yml", &text);
    let found = |config: &str| {
        write(d, ".azplint.yml", config);
        let (_, found) = rules_of(d, &[]);
        found
            .into_iter()
            .map(|(_, rule, sev)| format!("{rule}:{sev}"))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        found("rules: {}\n"),
        ["wif-unsupported-task:warning", "duplicate-key:error"]
    );
    assert_eq!(found("rules:\n  wif: off\n"), ["duplicate-key:error"]);
    assert_eq!(
        found("rules:\n  wif: off\n  wif-unsupported-task: note\n  correctness: warning\n"),
        ["wif-unsupported-task:note", "duplicate-key:warning"]
    );
    assert_eq!(
        found("rules:\n  duplicate-key: off\n  correctness: error\n  wif: error\n"),
        ["wif-unsupported-task:error"]
    );
    assert_eq!(
        found("per-file-ignores:\n  '*.yml': [correctness]\n"),
        ["wif-unsupported-task:warning"]
    );
    // The security category: `security: off` silences its rules, a rule's entry brings one back.
    write(
        d,
        "azure-pipelines.yml",
        "variables:\n  system.debug: true\nsteps:\n- checkout: self\n  persistCredentials: true\n",
    );
    assert_eq!(
        found("rules: {}\n"),
        ["debug-enabled:note", "persist-credentials:warning"]
    );
    assert!(found("rules:\n  security: off\n").is_empty());
    assert_eq!(
        found("rules:\n  security: off\n  persist-credentials: error\n"),
        ["persist-credentials:error"]
    );
    write(d, ".azplint.yml", "rules:\n  securty: off\n");
    let run = azplint_in(d, &["."]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("did you mean `security`?"),
        "{}",
        run.stderr
    );
}

/// Rules that are off by default run only when `.azplint.yml` names their id with a level; a
/// category entry does not turn them on.
#[test]
fn rules_off_by_default_need_their_own_entry() {
    let tmp = repo();
    let d = tmp.path();
    write(
        d,
        "azure-pipelines.yml",
        "trigger:\n- main\npr:\n- main\npool: build-agents\nsteps:\n- script: make\n",
    );
    let found = |config: &str| {
        write(d, ".azplint.yml", config);
        let (_, found) = rules_of(d, &[]);
        found
            .into_iter()
            .map(|(_, rule, sev)| format!("{rule}:{sev}"))
            .collect::<Vec<_>>()
    };
    assert!(found("rules: {}\n").is_empty());
    assert!(found("rules:\n  security: error\n").is_empty());
    assert!(found("rules:\n  self-hosted-pr-pool: off\n").is_empty());
    assert_eq!(
        found("rules:\n  self-hosted-pr-pool: warning\n"),
        ["self-hosted-pr-pool:warning"]
    );
    // Its own entry sets the level; the category's does not override it.
    assert_eq!(
        found("rules:\n  security: off\n  self-hosted-pr-pool: error\n"),
        ["self-hosted-pr-pool:error"]
    );
    // Its option: pools that are accepted.
    assert!(found(
        "rules:\n  self-hosted-pr-pool: warning\noptions:\n  self-hosted-pr-pool:\n    allow: [Build-Agents]\n"
    )
    .is_empty());
    // `require-extends` says nothing until a template is configured.
    assert!(found("rules:\n  require-extends: warning\n").is_empty());
    assert_eq!(
        found("rules:\n  require-extends: warning\noptions:\n  require-extends:\n    template: base.yml@templates\n"),
        ["require-extends:warning"]
    );
    // Unknown options are configuration errors.
    write(
        d,
        ".azplint.yml",
        "options:\n  self-hosted-pr-pool:\n    alow: [x]\n",
    );
    assert_eq!(azplint_in(d, &["."]).code, 2);
}

/// `unpinned-template-repo` accepts the refs and repositories listed under its option.
#[test]
fn unpinned_template_repo_allow_list() {
    let tmp = repo();
    let d = tmp.path();
    write(
        d,
        "azure-pipelines.yml",
        "resources:\n  repositories:\n  - repository: templates\n    type: git\n    name: platform/templates\n    ref: refs/heads/release\nextends:\n  template: base.yml@templates\n",
    );
    let found = |config: &str| {
        write(d, ".azplint.yml", config);
        let (_, found) = rules_of(d, &[]);
        found
            .into_iter()
            .filter(|(_, rule, _)| rule == "unpinned-template-repo")
            .count()
    };
    assert_eq!(found("rules: {}\n"), 1);
    let allow = |v: &str| format!("options:\n  unpinned-template-repo:\n    allow: [{v}]\n");
    assert_eq!(found(&allow("refs/heads/release")), 0);
    assert_eq!(found(&allow("release")), 0);
    assert_eq!(found(&allow("platform/templates")), 0);
    assert_eq!(found(&allow("templates")), 0);
    assert_eq!(found(&allow("refs/heads/main")), 1);
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

/// `(line, severity)` of each `# expect: error|warning` line of a fixture.
fn expected_severities(rel: &str) -> Vec<(u64, String)> {
    let text = fs::read_to_string(common::root().join(rel)).unwrap();
    text.lines()
        .enumerate()
        .filter_map(|(i, l)| {
            l.split("# expect: ")
                .nth(1)
                .map(|s| (i as u64 + 1, s.trim().to_string()))
        })
        .collect()
}

fn wif_severities(v: &serde_json::Value, rel: &str) -> Vec<(u64, String)> {
    v["diagnostics"]
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
        .collect()
}

/// `serviceConnectionsFrom:` in `.azplint.yml`: the export as a list (`az devops service-endpoint
/// list -o json`) and as the REST API's envelope; `serviceConnections:` wins over the file.
#[test]
fn wif_severity_follows_imported_endpoints() {
    for case in ["endpoints-list", "endpoints-envelope"] {
        let rel = format!("fixtures/wif-unsupported-task/{case}/connections.yml");
        let (_, v) = common::json(&[&rel]);
        assert_eq!(
            wif_severities(&v, &rel),
            expected_severities(&rel),
            "{case}"
        );
    }
    let rel = "fixtures/wif-unsupported-task/endpoints-list/connections.yml";
    let human = common::azplint(&["--color", "never", rel]);
    insta::assert_snapshot!("wif_endpoints_human", human.stdout);
}

/// `--endpoints FILE` on the command line, with or without a configuration; `serviceConnections:`
/// of the configuration found still wins.
#[test]
fn endpoints_flag_imports_list_and_envelope() {
    let rel = "fixtures/wif-unsupported-task/connections/connections.yml";
    for file in [
        "fixtures/wif-unsupported-task/endpoints-list/endpoints.json",
        "fixtures/wif-unsupported-task/endpoints-envelope/exports/endpoints.json",
    ] {
        let (_, v) = common::json(&["--no-config", "--endpoints", file, rel]);
        let got = wif_severities(&v, rel);
        // prod-wif is WIF in both exports, legacy-spn secret-based, staging in neither.
        assert!(got.contains(&(9, "error".into())), "{file}: {got:?}");
        assert!(got.contains(&(25, "warning".into())), "{file}: {got:?}");
        assert!(!got.iter().any(|(l, _)| *l == 17), "{file}: {got:?}");
        // With the folder's .azplint.yml too: what it declares, plus the file.
        let (_, v) = common::json(&["--endpoints", file, rel]);
        assert_eq!(wif_severities(&v, rel), expected_severities(rel), "{file}");
    }
    // Without any configuration in the linted tree.
    let tmp = repo();
    write(
        tmp.path(),
        "azure-pipelines.yml",
        &COPY_V5.replace("prod", "prod-wif"),
    );
    let export = common::root().join("fixtures/wif-unsupported-task/endpoints-list/endpoints.json");
    let (_, found) = rules_of(tmp.path(), &["--endpoints", export.to_str().unwrap()]);
    assert_eq!(
        found,
        vec![(
            "azure-pipelines.yml".to_string(),
            "wif-unsupported-task".to_string(),
            "error".to_string()
        )]
    );
}

/// A malformed or missing export is a usage error (exit 2) naming the file, with line and column.
#[test]
fn malformed_endpoints_are_errors_with_positions() {
    let tmp = repo();
    write(tmp.path(), "azure-pipelines.yml", COPY_V5);
    write(
        tmp.path(),
        "bad.json",
        "[\n  {\"name\": \"prod\",\n   \"authorization\": {\"scheme\": }}\n]\n",
    );
    let run = azplint_in(tmp.path(), &["--endpoints", "bad.json"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("bad.json:3:32: "), "{}", run.stderr);
    assert!(run.stderr.contains("invalid JSON"), "{}", run.stderr);
    write(tmp.path(), "notes.json", "[\n  {\"name\": \"prod\"}\n]\n");
    let run = azplint_in(tmp.path(), &["--endpoints", "notes.json"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("notes.json:2:3: "), "{}", run.stderr);
    assert!(run.stderr.contains("item 1"), "{}", run.stderr);
    let run = azplint_in(tmp.path(), &["--endpoints", "missing.json"]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("missing.json"), "{}", run.stderr);
    // Through `.azplint.yml`, relative to its directory.
    write(
        tmp.path(),
        "ci/.azplint.yml",
        "serviceConnectionsFrom: ../bad.json\n",
    );
    write(tmp.path(), "ci/azure-pipelines.yml", COPY_V5);
    let run = azplint_in(tmp.path(), &["ci"]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("bad.json:3:32: "), "{}", run.stderr);
}

/// Nothing of `authorization.parameters` is ever printed: every format, both fixtures.
#[test]
fn endpoint_parameters_never_appear_in_any_output() {
    let secret = "FAKE-SECRET-azplint-must-never-print-this";
    for dir in ["endpoints-list", "endpoints-envelope"] {
        let dir = format!("fixtures/wif-unsupported-task/{dir}");
        for format in [
            "human", "short", "json", "sarif", "github", "azure", "junit",
        ] {
            let run = common::azplint(&["--format", format, "--color", "never", &dir]);
            assert!(
                !run.stdout.contains(secret) && !run.stderr.contains(secret),
                "{format}"
            );
            let run = common::azplint(&[
                "--format",
                format,
                "--no-config",
                "--endpoints",
                &format!("{dir}/../endpoints-list/endpoints.json"),
                &dir,
            ]);
            assert!(
                !run.stdout.contains(secret) && !run.stderr.contains(secret),
                "{format}"
            );
        }
        // Nor any identifier of the parameters (client and tenant ids, issuer, subject).
        let run = common::azplint(&["--format", "json", &dir]);
        for id in ["11111111-2222", "66666666-7777", "sc://contoso", "vstoken"] {
            assert!(!run.stdout.contains(id), "{id}");
        }
    }
    // An export whose secret sits where a malformed file's message could quote it.
    let tmp = repo();
    write(tmp.path(), "azure-pipelines.yml", COPY_V5);
    write(
        tmp.path(),
        "leak.json",
        &format!("[{{\"name\": \"p\", \"authorization\": {{\"parameters\": {{\"key\": \"{secret}\"}}, \"scheme\": 5}}}}, {{\"name\": \"{secret}\"}}]"),
    );
    let run = azplint_in(tmp.path(), &["--endpoints", "leak.json"]);
    assert!(!run.stderr.contains(secret), "{}", run.stderr);
}

/// `fixtures/spn-key-under-wif/connections/`: error for a connection declared WIF, nothing for a
/// secret-based one, a warning for one not declared.
#[test]
fn spn_key_severity_follows_declared_connections() {
    let rel = "fixtures/spn-key-under-wif/connections/connections.yml";
    let (_, v) = common::json(&[rel]);
    let got: Vec<(u64, String)> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule"] == "spn-key-under-wif" && d["path"] == rel)
        .map(|d| {
            (
                d["line"].as_u64().unwrap(),
                d["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(got, expected_severities(rel));
    // The same connections imported from an export instead: prod-wif is WIF there too.
    let (_, v) = common::json(&[
        "--no-config",
        "--endpoints",
        "fixtures/wif-unsupported-task/endpoints-list/endpoints.json",
        rel,
    ]);
    let got: Vec<(u64, String)> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule"] == "spn-key-under-wif")
        .map(|d| {
            (
                d["line"].as_u64().unwrap(),
                d["severity"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(got, expected_severities(rel));
    let human = common::azplint(&["--color", "never", rel]);
    insta::assert_snapshot!("spn_key_connections_human", human.stdout);
}
