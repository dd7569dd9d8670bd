//! `azplint connections`: the inventory of service connections, every verdict, names reached
//! through variables, variable templates, parameter defaults and template callers; the JSON form
//! is a public contract and is snapshotted.

mod common;

use common::azplint;

const REPO: &str = "tests/data/connections/repo";

#[test]
fn json_inventory_with_every_verdict() {
    let run = azplint(&["connections", "--format", "json", REPO]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(v["version"], 1);
    let verdicts: Vec<(&str, &str)> = v["connections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["name"].as_str().unwrap(), c["verdict"].as_str().unwrap()))
        .collect();
    assert_eq!(
        verdicts,
        vec![
            ("prod-arm", "blocked"),
            ("wif-arm", "blocked"),
            ("shared-arm", "needs-changes"),
            ("ext-arm", "unknown"),
            ("caller-arm", "ready"),
            ("param-arm", "ready"),
        ]
    );
    let prod = &v["connections"][0];
    assert_eq!(prod["scheme"], "ServicePrincipal");
    assert_eq!(prod["scheme_from"], "config");
    assert_eq!(prod["uses"][0]["via"], "variable armConnection");
    assert_eq!(prod["uses"][0]["fix"], "use `AzureFileCopy@6`");
    assert!(prod["uses"][1]["fix"].is_null());
    assert_eq!(
        v["unresolved"][0]["value"],
        "$(connectionFromAnEarlierStep)"
    );
    insta::assert_json_snapshot!("connections_json", v);
}

#[test]
fn human_and_markdown_reports() {
    let human = azplint(&["connections", REPO]);
    assert_eq!(human.code, 0);
    insta::assert_snapshot!("connections_human", human.stdout);
    let md = azplint(&["connections", "--format", "markdown", REPO]);
    assert_eq!(md.code, 0);
    assert!(md
        .stdout
        .contains("| blocked | `tests/data/connections/repo/azure-pipelines.yml:15` |"));
    insta::assert_snapshot!("connections_markdown", md.stdout);
}

#[test]
fn check_fails_on_blocked_or_needs_changes_only() {
    assert_eq!(azplint(&["connections", "--check", REPO]).code, 1);
    // Only ready uses: exit 0 with --check.
    let ready = "tests/data/connections/repo/templates/deploy.yml";
    let run = azplint(&["connections", "--check", "--no-config", ready]);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
}

#[test]
fn unreadable_files_and_usage_errors_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("azure-pipelines.yml"),
        "steps:\n- task: AzureCLI@2\n  inputs: [\n",
    )
    .unwrap();
    let run = azplint(&["connections", "--no-config", dir.path().to_str().unwrap()]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(
        run.stderr.contains("its connections are not listed"),
        "{}",
        run.stderr
    );
    assert_eq!(azplint(&["connections", "no/such/path"]).code, 2);
    assert_eq!(azplint(&["connections", "--format", "xml", REPO]).code, 2);
}

#[test]
fn schemes_imported_from_an_endpoints_export() {
    for file in ["endpoints-list.json", "endpoints-envelope.json"] {
        let path = format!("tests/data/connections/{file}");
        let run = azplint(&[
            "connections",
            "--format",
            "json",
            "--endpoints",
            &path,
            REPO,
        ]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(
            !run.stdout.contains("fake-secret"),
            "{file}: a secret was printed"
        );
        assert!(
            !run.stdout.contains("sc://"),
            "{file}: parameters were printed"
        );
        let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        let find = |name: &str| {
            v["connections"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["name"] == name)
                .cloned()
                .unwrap()
        };
        // `.azplint.yml` wins over the export (prod-arm is declared ServicePrincipal there).
        assert_eq!(find("prod-arm")["scheme"], "ServicePrincipal", "{file}");
        assert_eq!(find("prod-arm")["scheme_from"], "config", "{file}");
        // Imported: WIF already, so `needs-changes` describes what is broken now.
        let shared = find("shared-arm");
        assert_eq!(shared["scheme"], "WorkloadIdentityFederation", "{file}");
        assert_eq!(shared["scheme_from"], "endpoints", "{file}");
        assert_eq!(shared["verdict"], "needs-changes", "{file}");
        assert_eq!(find("caller-arm")["scheme_from"], "endpoints", "{file}");
        assert!(find("ext-arm")["scheme"].is_null(), "{file}");
        if file == "endpoints-list.json" {
            insta::assert_json_snapshot!("connections_endpoints_json", v);
            let human = azplint(&["connections", "--endpoints", &path, REPO]);
            assert!(human
                .stdout
                .contains("already WIF: the scripts below fail or are at risk now"));
        }
    }
    let bad = azplint(&[
        "connections",
        "--endpoints",
        "tests/data/connections/missing.json",
        REPO,
    ]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("missing.json"), "{}", bad.stderr);
}
