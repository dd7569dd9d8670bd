//! `azplint explain` for sign-in errors, `azplint diagnose` and `azplint check-connection`:
//! snapshots of what the user sees, and exit codes.
//!
//! The inputs are hand-written (fake ids) and kept here rather than under `fixtures/`, where
//! every directory must be a rule's. Each test writes them into a temporary directory and runs
//! the binary there, so that the snapshots show short relative names.

mod common;

use common::{azplint, azplint_in, Run};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

const ORG_ID: &str = "0f3e6a52-1c4b-4d2e-9a7f-5b8c9d0e1f2a";
const PROD_ID: &str = "c4d5e6f7-a8b9-4c0d-9e1f-2a3b4c5d6e7f";
const LEGACY_ID: &str = "2b3c4d5e-6f70-4812-9a3b-4c5d6e7f8091";

/// A job log as the web UI's "Download raw log" gives it: a byte order mark, timestamps, ANSI
/// colors from the tools, CRLF on some lines, `##[section]`, `##[warning]` and `##[error]`.
const PIPELINE_LOG: &str = concat!(
    "\u{feff}2024-05-01T10:00:00.1234567Z ##[section]Starting: Deploy web app\n",
    "2024-05-01T10:00:00.1301234Z ==============================================================================\n",
    "2024-05-01T10:00:00.1302345Z Task         : Azure CLI\n",
    "2024-05-01T10:00:00.1303456Z Version      : 2.238.1\n",
    "2024-05-01T10:00:00.1306789Z ==============================================================================\n",
    "2024-05-01T10:00:01.2345678Z [command]/usr/bin/az --version\n",
    "2024-05-01T10:00:02.3456789Z azure-cli                         2.60.0\n",
    "2024-05-01T10:00:02.6789012Z [command]/usr/bin/az cloud set -n AzureCloud\n",
    "2024-05-01T10:00:03.7890123Z [command]/usr/bin/az login --service-principal -u *** --tenant *** --allow-no-subscriptions --federated-token ***\n",
    "2024-05-01T10:00:05.8901234Z ##[error]\u{1b}[1;31mERROR: AADSTS70021: No matching federated identity record found for presented assertion. ",
    "Assertion Issuer: 'https://vstoken.dev.azure.com/0f3e6a52-1c4b-4d2e-9a7f-5b8c9d0e1f2a'. Assertion Subject: 'sc://contoso/web-shop/prod-wif'. ",
    "Assertion Audience: 'api://AzureADTokenExchange'. https://docs.microsoft.com/en-us/azure/active-directory/develop/workload-identity-federation ",
    "Trace ID: 11111111-aaaa-4bbb-8ccc-222222222222 Correlation ID: 33333333-dddd-4eee-8fff-444444444444 Timestamp: 2024-05-01 10:00:05Z\u{1b}[0m\n",
    "2024-05-01T10:00:05.9012345Z ##[error]Script failed with exit code: 1\n",
    "2024-05-01T10:00:06.0123456Z [command]/usr/bin/az account clear\n",
    "2024-05-01T10:00:06.9123456Z ##[section]Finishing: Deploy web app\n",
    "2024-05-01T10:00:07.0000000Z ##[section]Starting: Copy static files\r\n",
    "2024-05-01T10:00:07.1000000Z ##[warning]Task 'AzureFileCopy' version 5 is deprecated.\r\n",
    "2024-05-01T10:00:08.2000000Z \u{1b}[36mUploading files from /home/vsts/work/1/s/static\u{1b}[0m\r\n",
    "2024-05-01T10:00:09.3000000Z ##[error]Identity not found\r\n",
    "2024-05-01T10:00:09.4000000Z ##[section]Finishing: Copy static files\r\n",
    "2024-05-01T10:00:10.0000000Z ##[section]Starting: Migrate database\n",
    "2024-05-01T10:00:10.1000000Z echo \"token length: ${#idToken}\"\n",
    "2024-05-01T10:00:10.2000000Z token length: 1234\n",
    "2024-05-01T10:12:44.3000000Z Applying migration 0042_add_orders ... done\n",
    "2024-05-01T10:12:45.4000000Z [command]/usr/bin/az login --service-principal -u *** --tenant *** --federated-token ***\n",
    "2024-05-01T10:12:46.5000000Z \u{1b}[91mERROR: AADSTS700024: Client assertion is not within its valid time range. Current time: 2024-05-01T10:12:46.0000000Z, ",
    "assertion valid from 2024-05-01T10:00:03.0000000Z, expiry time of assertion 2024-05-01T10:10:03.0000000Z.\u{1b}[0m\n",
    "2024-05-01T10:12:46.6000000Z ##[error]Script failed with exit code: 1\n",
    "2024-05-01T10:12:47.0000000Z ##[section]Starting: Legacy deploy\n",
    "2024-05-01T10:12:48.0000000Z ##[error]AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.\n",
    "2024-05-01T10:12:49.0000000Z ##[section]Finishing: Legacy deploy\n",
);

/// `az devops service-endpoint show` of a WIF connection whose identity Azure DevOps created.
fn endpoint_json(id: &str, name: &str, project: &str, scheme: &str) -> String {
    let params = if scheme == "WorkloadIdentityFederation" {
        format!(
            r#""serviceprincipalid": "5d2a7c1e-8b3f-4e6a-9c0d-1f2e3a4b5c6d",
      "tenantid": "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
      "workloadIdentityFederationIssuer": "https://vstoken.dev.azure.com/{ORG_ID}",
      "workloadIdentityFederationSubject": "sc://contoso/{project}/{name}""#
        )
    } else {
        r#""authenticationType": "spnKey",
      "serviceprincipalid": "7e6d5c4b-3a29-4180-9f7e-6d5c4b3a2918",
      "serviceprincipalkey": null,
      "tenantid": "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d""#
            .to_string()
    };
    format!(
        r#"{{
  "administratorsGroup": null,
  "authorization": {{
    "parameters": {{
      {params}
    }},
    "scheme": "{scheme}"
  }},
  "createdBy": {{
    "displayName": "Dana Example",
    "id": "aaaaaaaa-1111-4222-8333-bbbbbbbbbbbb",
    "uniqueName": "dana@contoso.example"
  }},
  "data": {{
    "appObjectId": "",
    "creationMode": "Automatic",
    "environment": "AzureCloud",
    "scopeLevel": "Subscription",
    "subscriptionId": "12345678-90ab-4cde-8f01-23456789abcd",
    "subscriptionName": "Contoso Production"
  }},
  "description": "",
  "id": "{id}",
  "isReady": true,
  "isShared": false,
  "name": "{name}",
  "operationStatus": {{
    "state": "Ready",
    "statusMessage": ""
  }},
  "owner": "library",
  "readersGroup": null,
  "serviceEndpointProjectReferences": [
    {{
      "description": "",
      "name": "{name}",
      "projectReference": {{
        "id": "d1e2f3a4-b5c6-4d7e-8f90-a1b2c3d4e5f6",
        "name": "{project}"
      }}
    }}
  ],
  "type": "azurerm",
  "url": "https://management.azure.com/"
}}
"#
    )
}

/// A newer connection with the Microsoft Entra issuer and an id-based subject.
const ENTRA_ENDPOINT: &str = r#"{
  "authorization": {
    "parameters": {
      "serviceprincipalid": "5d2a7c1e-8b3f-4e6a-9c0d-1f2e3a4b5c6d",
      "tenantid": "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
      "workloadIdentityFederationIssuer": "https://login.microsoftonline.com/9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d/v2.0",
      "workloadIdentityFederationIssuerType": "EntraID",
      "workloadIdentityFederationSubject": "/eid1/c/pub/t/ZmFrZXRlbmFudA/a/ZmFrZWFwcA/sc/0f3e6a52-1c4b-4d2e-9a7f-5b8c9d0e1f2a/e8f9a0b1-c2d3-4e4f-8a5b-6c7d8e9f0a1b"
    },
    "scheme": "WorkloadIdentityFederation"
  },
  "data": { "creationMode": "Automatic", "environment": "AzureCloud", "scopeLevel": "Subscription" },
  "id": "e8f9a0b1-c2d3-4e4f-8a5b-6c7d8e9f0a1b",
  "isReady": true,
  "name": "staging-wif",
  "type": "azurerm",
  "url": "https://management.azure.com/"
}"#;

/// `az ad app federated-credential list --id <app id>` with one credential.
fn credentials_json(issuer: &str, subject: &str) -> String {
    format!(
        r#"[
  {{
    "audiences": [
      "api://AzureADTokenExchange"
    ],
    "description": "Created by Azure DevOps",
    "id": "f0e1d2c3-b4a5-4968-8776-655443322110",
    "issuer": "{issuer}",
    "name": "contoso-web-shop-prod-wif",
    "subject": "{subject}"
  }}
]
"#
    )
}

fn issuer() -> String {
    format!("https://vstoken.dev.azure.com/{ORG_ID}")
}

/// Write the inputs into a fresh temporary directory.
fn inputs() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let w = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
    w("pipeline.log", PIPELINE_LOG);
    w("quiet.log", "2024-05-01T10:00:00.0000000Z ##[section]Starting: Build\n2024-05-01T10:00:01.0000000Z All good\n");
    w(
        "endpoint.json",
        &endpoint_json(
            PROD_ID,
            "prod-wif",
            "web-shop",
            "WorkloadIdentityFederation",
        ),
    );
    w(
        "endpoint-secret.json",
        &endpoint_json(LEGACY_ID, "legacy-spn", "web-shop", "ServicePrincipal"),
    );
    w(
        "endpoints.json",
        &format!(
            "{{\n  \"count\": 3,\n  \"value\": [\n{},\n{},\n{}\n  ]\n}}\n",
            endpoint_json(
                PROD_ID,
                "prod-wif",
                "web-shop",
                "WorkloadIdentityFederation"
            ),
            endpoint_json(LEGACY_ID, "legacy-spn", "web-shop", "ServicePrincipal"),
            ENTRA_ENDPOINT
        ),
    );
    w(
        "creds-match.json",
        &credentials_json(&issuer(), "sc://contoso/web-shop/prod-wif"),
    );
    // Made before the project `webshop` was renamed `web-shop`.
    w(
        "creds-renamed.json",
        &credentials_json(&issuer(), "sc://contoso/webshop/prod-wif"),
    );
    w(
        "creds-old-issuer.json",
        &credentials_json(
            "https://app.vstoken.visualstudio.com",
            "sc://contoso/web-shop/prod-wif",
        ),
    );
    w("creds-none.json", "[]\n");
    w("broken.json", "{\n  \"name\": \"prod-wif\",\n  \"authorization\": {\n    \"scheme\": \"WorkloadIdentityFederation\",\n  }\n}\n");
    dir
}

fn shown(run: &Run) -> String {
    format!(
        "exit code: {}\n--- stdout ---\n{}--- stderr ---\n{}",
        run.code, run.stdout, run.stderr
    )
}

fn with_stdin(dir: &Path, args: &[&str], input: &str) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_azplint"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run azplint");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

// --- explain ---

#[test]
fn explain_rule_id_prints_the_rule_page() {
    let run = azplint(&["explain", "idtoken-expiry"]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.starts_with("# idtoken-expiry"), "{}", run.stdout);
}

#[test]
fn explain_code() {
    let run = azplint(&["explain", "AADSTS700024"]);
    assert_eq!(run.code, 0);
    // The bare number finds the same entry.
    assert_eq!(azplint(&["explain", "700024"]).stdout, run.stdout);
    insta::assert_snapshot!("explain_code", shown(&run));
}

#[test]
fn explain_message_and_flag() {
    let run = azplint(&["explain", "Identity", "not", "found"]);
    assert_eq!(run.code, 0);
    insta::assert_snapshot!("explain_identity_not_found", shown(&run));
    let flag = azplint(&["explain", "--federated-token"]);
    assert_eq!(flag.code, 0);
    assert!(flag.stdout.contains("[old-azure-cli]"), "{}", flag.stdout);
}

#[test]
fn explain_pasted_message_with_the_old_issuer() {
    let run = azplint(&[
        "explain",
        "##[error]AADSTS70021: No matching federated identity record found for presented assertion. \
         Assertion Issuer: 'https://app.vstoken.visualstudio.com'. Assertion Subject: 'sc://contoso/web-shop/prod-wif'. \
         Assertion Audience: 'api://AzureADTokenExchange'.",
    ]);
    assert_eq!(run.code, 0);
    assert!(!run.stdout.contains("##["), "runner markers are broken");
    insta::assert_snapshot!("explain_70021_old_issuer", shown(&run));
}

#[test]
fn explain_pasted_message_after_a_project_rename() {
    let dir = inputs();
    // From standard input, as `pbpaste | azplint explain -` would.
    let run = with_stdin(
        dir.path(),
        &["explain", "-"],
        "2024-05-01T10:00:05.8901234Z ERROR: AADSTS70021: No matching federated identity record found for presented \
         assertion. Assertion Issuer: 'https://vstoken.dev.azure.com/0f3e6a52-1c4b-4d2e-9a7f-5b8c9d0e1f2a'. \
         Assertion Subject: 'sc://contoso/web-shop/prod-wif'. Assertion Audience: 'api://AzureADTokenExchange'. \
         https://docs.microsoft.com/en-us/azure/active-directory/develop/workload-identity-federation\n",
    );
    assert_eq!(run.code, 0);
    insta::assert_snapshot!("explain_70021_renamed_project", shown(&run));
}

#[test]
fn explain_unknown_code_and_text() {
    let run = azplint(&["explain", "AADSTS50076"]);
    assert_eq!(run.code, 2);
    assert!(run.stdout.is_empty());
    insta::assert_snapshot!("explain_unknown_code", shown(&run));
    let text = azplint(&["explain", "the build was slow"]);
    assert_eq!(text.code, 2);
    assert!(
        text.stderr.contains("paste the error message"),
        "{}",
        text.stderr
    );
    // A close rule id still gets its suggestion.
    let typo = azplint(&["explain", "idtoken-expiri"]);
    assert_eq!(typo.code, 2);
    assert!(
        typo.stderr.contains("did you mean `idtoken-expiry`"),
        "{}",
        typo.stderr
    );
}

// --- diagnose ---

#[test]
fn diagnose_a_realistic_log() {
    let dir = inputs();
    let run = azplint_in(dir.path(), &["diagnose", "pipeline.log"]);
    assert_eq!(run.code, 1);
    assert!(!run.stdout.contains("##["), "runner markers are broken");
    assert!(!run.stdout.contains('\u{1b}'), "no escapes in the output");
    insta::assert_snapshot!("diagnose_pipeline_log", shown(&run));
}

#[test]
fn diagnose_json() {
    let dir = inputs();
    let run = azplint_in(
        dir.path(),
        &["diagnose", "--format", "json", "pipeline.log"],
    );
    assert_eq!(run.code, 1);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let lines: Vec<u64> = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["line"].as_u64().unwrap())
        .collect();
    assert_eq!(lines, vec![10, 17, 24, 27]);
    assert_eq!(
        v["findings"][0]["subject"],
        "sc://contoso/web-shop/prod-wif"
    );
    assert_eq!(v["findings"][0]["level"], "error");
    assert_eq!(v["findings"][2]["level"], serde_json::Value::Null);
    insta::assert_json_snapshot!("diagnose_pipeline_log_json", v);
}

#[test]
fn diagnose_exit_codes_and_stdin() {
    let dir = inputs();
    let quiet = azplint_in(dir.path(), &["diagnose", "quiet.log"]);
    assert_eq!(quiet.code, 0);
    insta::assert_snapshot!("diagnose_quiet_log", shown(&quiet));
    let missing = azplint_in(dir.path(), &["diagnose", "no-such.log"]);
    assert_eq!(missing.code, 2);
    assert!(
        missing.stderr.contains("can't read `no-such.log`"),
        "{}",
        missing.stderr
    );
    assert_eq!(azplint_in(dir.path(), &["diagnose", "."]).code, 2);
    let piped = with_stdin(dir.path(), &["diagnose", "-"], PIPELINE_LOG);
    assert_eq!(piped.code, 1);
    assert!(
        piped
            .stdout
            .starts_with("<stdin>:10: no-matching-federated-record"),
        "{}",
        piped.stdout
    );
}

// --- check-connection ---

#[test]
fn check_connection_matching_export() {
    let dir = inputs();
    let run = azplint_in(
        dir.path(),
        &[
            "check-connection",
            "endpoint.json",
            "--federated-credentials",
            "creds-match.json",
        ],
    );
    assert_eq!(run.code, 0);
    insta::assert_snapshot!("check_connection_match", shown(&run));
    // Without credentials, only the connection itself is checked.
    assert_eq!(
        azplint_in(dir.path(), &["check-connection", "endpoint.json"]).code,
        0
    );
}

#[test]
fn check_connection_renamed_project() {
    let dir = inputs();
    let run = azplint_in(
        dir.path(),
        &[
            "check-connection",
            "endpoint.json",
            "--federated-credentials",
            "creds-renamed.json",
        ],
    );
    assert_eq!(run.code, 1);
    insta::assert_snapshot!("check_connection_wrong_subject", shown(&run));
}

#[test]
fn check_connection_wrong_issuer() {
    let dir = inputs();
    let run = azplint_in(
        dir.path(),
        &[
            "check-connection",
            "endpoint.json",
            "--federated-credentials",
            "creds-old-issuer.json",
        ],
    );
    assert_eq!(run.code, 1);
    insta::assert_snapshot!("check_connection_wrong_issuer", shown(&run));
}

#[test]
fn check_connection_no_credential() {
    let dir = inputs();
    let run = azplint_in(
        dir.path(),
        &[
            "check-connection",
            "endpoint.json",
            "--federated-credentials",
            "creds-none.json",
        ],
    );
    assert_eq!(run.code, 1);
    insta::assert_snapshot!("check_connection_no_credential", shown(&run));
}

#[test]
fn check_connection_secret_based() {
    let dir = inputs();
    let run = azplint_in(dir.path(), &["check-connection", "endpoint-secret.json"]);
    assert_eq!(run.code, 1);
    insta::assert_snapshot!("check_connection_secret", shown(&run));
}

#[test]
fn check_connection_list_of_endpoints() {
    let dir = inputs();
    let run = azplint_in(
        dir.path(),
        &[
            "check-connection",
            "endpoints.json",
            "--federated-credentials",
            "creds-match.json",
        ],
    );
    assert_eq!(run.code, 1);
    insta::assert_snapshot!("check_connection_list", shown(&run));
}

#[test]
fn check_connection_invalid_input() {
    let dir = inputs();
    let broken = azplint_in(dir.path(), &["check-connection", "broken.json"]);
    assert_eq!(broken.code, 2);
    insta::assert_snapshot!("check_connection_invalid_json", shown(&broken));
    let swapped = azplint_in(dir.path(), &["check-connection", "creds-match.json"]);
    assert_eq!(swapped.code, 2);
    assert!(
        swapped.stderr.contains("not a service connection"),
        "{}",
        swapped.stderr
    );
    let bad_creds = azplint_in(
        dir.path(),
        &[
            "check-connection",
            "endpoint.json",
            "--federated-credentials",
            "endpoint.json",
        ],
    );
    assert_eq!(bad_creds.code, 2);
    assert!(
        bad_creds.stderr.contains("not a federated credential"),
        "{}",
        bad_creds.stderr
    );
    assert_eq!(
        azplint_in(dir.path(), &["check-connection", "missing.json"]).code,
        2
    );
}
