//! `azplint server`: the real binary driven over stdio with JSON-RPC, as an editor would.

mod common;

use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

const TIMEOUT: Duration = Duration::from_secs(60);

struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    rx: Receiver<Value>,
    /// Notifications and server requests received while waiting for something else.
    pending: Vec<Value>,
    next_id: i64,
}

impl Client {
    fn start(dir: &Path) -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_azplint"))
            .arg("server")
            .current_dir(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start azplint server");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            loop {
                let mut len = None;
                loop {
                    let mut line = String::new();
                    if r.read_line(&mut line).unwrap_or(0) == 0 {
                        return;
                    }
                    let line = line.trim();
                    if line.is_empty() {
                        break;
                    }
                    if let Some(v) = line.strip_prefix("Content-Length:") {
                        len = v.trim().parse::<usize>().ok();
                    }
                }
                let mut body = vec![0; len.expect("Content-Length")];
                r.read_exact(&mut body).unwrap();
                let v: Value = serde_json::from_slice(&body).expect("JSON from the server");
                if tx.send(v).is_err() {
                    return;
                }
            }
        });
        let stdin = child.stdin.take();
        Client {
            child,
            stdin,
            rx,
            pending: Vec::new(),
            next_id: 0,
        }
    }

    fn raw(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().unwrap();
        stdin.write_all(bytes).unwrap();
        stdin.flush().unwrap();
    }

    fn send(&mut self, v: Value) {
        let body = serde_json::to_vec(&v).unwrap();
        let mut msg = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
        msg.extend(body);
        self.raw(&msg);
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    fn next(&mut self, deadline: Instant) -> Value {
        match self
            .rx
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
        {
            Ok(v) => v,
            Err(RecvTimeoutError::Timeout) => panic!("no message from the server in time"),
            Err(RecvTimeoutError::Disconnected) => panic!("the server closed its output"),
        }
    }

    /// Send a request and wait for its response (the whole message: `result` or `error`).
    fn request(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let v = self.next(deadline);
            if v.get("id") == Some(&json!(id)) && v.get("method").is_none() {
                return v;
            }
            self.pending.push(v);
        }
    }

    /// Wait for `textDocument/publishDiagnostics` for a URI ending with `suffix` that satisfies
    /// `want`.
    fn diagnostics(&mut self, suffix: &str, want: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        let deadline = Instant::now() + TIMEOUT;
        let matches = |v: &Value| {
            v["method"] == "textDocument/publishDiagnostics"
                && v["params"]["uri"]
                    .as_str()
                    .is_some_and(|u| u.ends_with(suffix))
                && want(v["params"]["diagnostics"].as_array().unwrap())
        };
        if let Some(i) = self.pending.iter().position(matches) {
            let v = self.pending.remove(i);
            return v["params"]["diagnostics"].as_array().unwrap().clone();
        }
        loop {
            let v = self.next(deadline);
            if matches(&v) {
                return v["params"]["diagnostics"].as_array().unwrap().clone();
            }
            self.pending.push(v);
        }
    }

    fn initialize(&mut self, dir: &Path) -> Value {
        let r = self.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": uri(dir),
                "workspaceFolders": [{"uri": uri(dir), "name": "ws"}],
                "capabilities": {"general": {"positionEncodings": ["utf-16"]}}
            }),
        );
        self.notify("initialized", json!({}));
        r
    }

    fn open(&mut self, path: &Path, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri(path), "languageId": "yaml", "version": 1, "text": text}}),
        );
    }

    fn wait_exit(&mut self) -> i32 {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(s) = self.child.try_wait().unwrap() {
                return s.code().unwrap_or(-1);
            }
            assert!(Instant::now() < deadline, "the server did not exit");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn uri(path: &Path) -> String {
    let p = path.canonicalize().unwrap_or(path.to_path_buf());
    format!("file://{}", p.display())
}

const PIPELINE: &str = "\
trigger: none
pool:
  vmImage: ubuntu-latest
steps:
- task: AzureFileCopy@5
  inputs:
    SourcePath: $(Build.ArtifactStagingDirectory)
    azureSubscription: prod-wif
    Destination: AzureBlob
    storage: contosostore
    ContainerName: drop
- script: echo hi # azplint: ignore[unknown-task]
- template: templates/build.yml
  parameters:
    name: x
";

const TEMPLATE: &str = "\
parameters:
- name: name
  type: string
- name: configuration
  type: string
  default: Release
steps:
- script: echo ${{ parameters.name }}
";

fn workspace() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    std::fs::create_dir(root.join(".git")).unwrap();
    std::fs::create_dir(root.join("templates")).unwrap();
    std::fs::write(root.join("azure-pipelines.yml"), PIPELINE).unwrap();
    std::fs::write(root.join("templates/build.yml"), TEMPLATE).unwrap();
    (dir, root)
}

fn position_of(text: &str, needle: &str, plus: usize) -> Value {
    let at = text.find(needle).unwrap() + plus;
    let line = text[..at].matches('\n').count();
    let col = at - text[..at].rfind('\n').map(|i| i + 1).unwrap_or(0);
    json!({"line": line, "character": col})
}

#[test]
fn diagnostics_actions_hover_completion_definition() {
    let (_dir, root) = workspace();
    let mut c = Client::start(&root);
    let init = c.initialize(&root);
    assert_eq!(init["result"]["capabilities"]["positionEncoding"], "utf-16");
    let file = root.join("azure-pipelines.yml");
    let doc = json!({"uri": uri(&file)});

    // Diagnostics on open: the task that can't use WIF, the suppression that suppresses nothing.
    c.open(&file, PIPELINE);
    let diags = c.diagnostics("/azure-pipelines.yml", |d| !d.is_empty());
    let codes: Vec<&str> = diags.iter().filter_map(|d| d["code"].as_str()).collect();
    assert!(codes.contains(&"wif-unsupported-task"), "{diags:#?}");
    assert!(codes.contains(&"unused-suppression"), "{diags:#?}");
    let wif = diags
        .iter()
        .find(|d| d["code"] == "wif-unsupported-task")
        .unwrap();
    assert_eq!(wif["source"], "azplint");
    assert_eq!(
        wif["range"]["start"],
        position_of(PIPELINE, "AzureFileCopy@5", 0)
    );

    // Code actions on the suppression's line: its fix, and "suppress".
    let at = position_of(PIPELINE, "# azplint", 2);
    let r = c.request(
        "textDocument/codeAction",
        json!({"textDocument": doc, "range": {"start": at, "end": at}, "context": {"diagnostics": []}}),
    );
    let actions = r["result"].as_array().unwrap();
    let fix = actions
        .iter()
        .find(|a| a["isPreferred"] == true)
        .unwrap_or_else(|| panic!("no preferred fix: {actions:#?}"));
    let edits = fix["edit"]["changes"][uri(&file)].as_array().unwrap();
    assert!(!edits.is_empty(), "{fix:#?}");
    assert!(
        actions
            .iter()
            .any(|a| a["title"].as_str().unwrap().starts_with("Suppress `")),
        "{actions:#?}"
    );
    // Suppressing the WIF finding appends a comment to its line.
    let at = position_of(PIPELINE, "AzureFileCopy@5", 3);
    let r = c.request(
        "textDocument/codeAction",
        json!({"textDocument": doc, "range": {"start": at, "end": at}, "context": {"diagnostics": [], "only": ["quickfix"]}}),
    );
    let suppress = r["result"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["title"] == "Suppress `wif-unsupported-task` on this line")
        .unwrap_or_else(|| panic!("{r:#?}"))
        .clone();
    let edit = &suppress["edit"]["changes"][uri(&file)][0];
    assert_eq!(edit["newText"], "  # azplint: ignore[wif-unsupported-task]");
    // Fix all: one edit for the file.
    let r = c.request(
        "textDocument/codeAction",
        json!({"textDocument": doc, "range": {"start": at, "end": at}, "context": {"diagnostics": [], "only": ["source.fixAll"]}}),
    );
    let all = r["result"].as_array().unwrap();
    assert_eq!(all.len(), 1, "{all:#?}");
    assert_eq!(all[0]["kind"], "source.fixAll.azplint");
    let edits = all[0]["edit"]["changes"][uri(&file)].as_array().unwrap();
    let fixed = apply(PIPELINE, edits);
    assert_eq!(
        fixed,
        PIPELINE.replace(" # azplint: ignore[unknown-task]", ""),
        "{edits:#?}"
    );

    // Hover on the task: its inputs.
    let r = c.request(
        "textDocument/hover",
        json!({"textDocument": doc, "position": position_of(PIPELINE, "AzureFileCopy@5", 4)}),
    );
    let hover = r["result"]["contents"]["value"].as_str().unwrap();
    assert!(hover.contains("AzureFileCopy@5"), "{hover}");
    assert!(hover.contains("SourcePath"), "{hover}");
    // Hover on an input key.
    let r = c.request(
        "textDocument/hover",
        json!({"textDocument": doc, "position": position_of(PIPELINE, "Destination", 2)}),
    );
    let hover = r["result"]["contents"]["value"].as_str().unwrap();
    assert!(hover.contains("AzureBlob"), "{hover}");
    // Hover on the template: its parameters.
    let r = c.request(
        "textDocument/hover",
        json!({"textDocument": doc, "position": position_of(PIPELINE, "templates/build.yml", 3)}),
    );
    let hover = r["result"]["contents"]["value"].as_str().unwrap();
    assert!(
        hover.contains("configuration") && hover.contains("Release"),
        "{hover}"
    );

    // Definition of the template path: the file.
    let r = c.request(
        "textDocument/definition",
        json!({"textDocument": doc, "position": position_of(PIPELINE, "templates/build.yml", 5)}),
    );
    let target = r["result"]["uri"]
        .as_str()
        .unwrap_or_else(|| panic!("{r:#?}"));
    assert!(target.ends_with("/templates/build.yml"), "{target}");

    // Completion after `task: AzureFileC`, and parameter names of the template.
    let edited = PIPELINE.replace("- script: echo hi", "- task: AzureFileC\n- script: echo hi");
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri(&file), "version": 2}, "contentChanges": [{"text": edited}]}),
    );
    let r = c.request(
        "textDocument/completion",
        json!({"textDocument": doc, "position": position_of(&edited, "AzureFileC\n", 10)}),
    );
    let items = completion_items(&r);
    let labels: Vec<&str> = items.iter().filter_map(|i| i["label"].as_str()).collect();
    assert!(labels.contains(&"AzureFileCopy@6"), "{labels:?}");
    let six = labels.iter().position(|l| *l == "AzureFileCopy@6").unwrap();
    let sort = |i: usize| items[i]["sortText"].as_str().unwrap().to_string();
    let five = labels.iter().position(|l| *l == "AzureFileCopy@5").unwrap();
    assert!(sort(six) < sort(five), "latest major first");

    let edited = PIPELINE.replace("    name: x\n", "    name: x\n    \n");
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri(&file), "version": 3}, "contentChanges": [{"text": edited}]}),
    );
    let r = c.request(
        "textDocument/completion",
        json!({"textDocument": doc, "position": position_of(&edited, "    name: x\n", 16)}),
    );
    let labels: Vec<String> = completion_items(&r)
        .iter()
        .filter_map(|i| i["label"].as_str().map(String::from))
        .collect();
    assert_eq!(labels, vec!["configuration".to_string()], "{r:#?}");

    // Input names under `inputs:` of a known task (already set ones left out).
    let edited = PIPELINE.replace(
        "    ContainerName: drop\n",
        "    ContainerName: drop\n    \n",
    );
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri(&file), "version": 4}, "contentChanges": [{"text": edited}]}),
    );
    let r = c.request(
        "textDocument/completion",
        json!({"textDocument": doc, "position": position_of(&edited, "ContainerName: drop\n", 24)}),
    );
    let labels: Vec<String> = completion_items(&r)
        .iter()
        .filter_map(|i| i["label"].as_str().map(String::from))
        .collect();
    assert!(!labels.is_empty(), "{r:#?}");
    assert!(!labels.iter().any(|l| l == "SourcePath"), "{labels:?}");

    // Values of a pickList input.
    let edited = PIPELINE.replace("Destination: AzureBlob", "Destination: A");
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri(&file), "version": 5}, "contentChanges": [{"text": edited}]}),
    );
    let r = c.request(
        "textDocument/completion",
        json!({"textDocument": doc, "position": position_of(&edited, "Destination: A", 14)}),
    );
    let labels: Vec<String> = completion_items(&r)
        .iter()
        .filter_map(|i| i["label"].as_str().map(String::from))
        .collect();
    assert_eq!(labels, vec!["AzureBlob", "AzureVMs"], "{r:#?}");

    // Hover on a rule id in a suppression comment: the rule's summary.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri(&file), "version": 6}, "contentChanges": [{"text": PIPELINE}]}),
    );
    let r = c.request(
        "textDocument/hover",
        json!({"textDocument": doc, "position": position_of(PIPELINE, "unknown-task]", 3)}),
    );
    let hover = r["result"]["contents"]["value"]
        .as_str()
        .unwrap_or_else(|| panic!("{r:#?}"));
    assert!(hover.starts_with("**unknown-task**"), "{hover}");

    let r = c.request("shutdown", Value::Null);
    assert_eq!(r["result"], Value::Null);
    c.notify("exit", Value::Null);
    assert_eq!(c.wait_exit(), 0);
}

/// Apply LSP text edits to an ASCII text (UTF-16 columns are bytes there).
fn apply(text: &str, edits: &[Value]) -> String {
    let offset = |p: &Value| {
        let line = p["line"].as_u64().unwrap() as usize;
        let col = p["character"].as_u64().unwrap() as usize;
        let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        start + col
    };
    let mut edits: Vec<(usize, usize, &str)> = edits
        .iter()
        .map(|e| {
            (
                offset(&e["range"]["start"]),
                offset(&e["range"]["end"]),
                e["newText"].as_str().unwrap(),
            )
        })
        .collect();
    edits.sort();
    let mut out = text.to_string();
    for (start, end, new) in edits.into_iter().rev() {
        out.replace_range(start..end, new);
    }
    out
}

fn completion_items(r: &Value) -> Vec<Value> {
    match &r["result"] {
        Value::Array(a) => a.clone(),
        Value::Object(o) => o["items"].as_array().cloned().unwrap_or_default(),
        other => panic!("no completion: {other:#?}"),
    }
}

#[test]
fn survives_garbage_unknown_methods_bad_params_and_big_buffers() {
    let (_dir, root) = workspace();
    let mut c = Client::start(&root);
    // Before initialize: refused, not fatal.
    let r = c.request("textDocument/hover", json!({}));
    assert_eq!(r["error"]["code"], -32002);
    c.initialize(&root);
    // Garbage: a line that is no header, a frame that is not JSON, a frame that is no message.
    c.raw(b"hello there\r\n");
    c.raw(b"Content-Length: 5\r\n\r\n{{{{{");
    c.raw(b"Content-Length: 2\r\n\r\n[]");
    let r = c.request("azplint/nothing", json!({}));
    assert_eq!(r["error"]["code"], -32601, "{r}");
    let r = c.request("textDocument/hover", json!({"nonsense": true}));
    assert_eq!(r["error"]["code"], -32602, "{r}");
    // A request about a document that is not open.
    let r = c.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": "file:///nowhere.yml"}, "position": {"line": 99, "character": 99}}),
    );
    assert_eq!(r["result"], Value::Null, "{r}");
    // A 10 MB buffer, then closed right after a change.
    let big = root.join("big-azure-pipelines.yml");
    let mut text = String::from("steps:\n");
    while text.len() < 10_000_000 {
        text.push_str("- script: echo aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n");
    }
    std::fs::write(&big, "steps: []\n").unwrap();
    c.open(&big, &text);
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri(&big), "version": 2},
               "contentChanges": [{"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "text": "# é😀\n"}]}),
    );
    c.notify(
        "textDocument/didClose",
        json!({"textDocument": {"uri": uri(&big)}}),
    );
    // A change with a range past the end of the document.
    let file = root.join("azure-pipelines.yml");
    c.open(&file, PIPELINE);
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri(&file), "version": 2},
               "contentChanges": [{"range": {"start": {"line": 500, "character": 3}, "end": {"line": 9, "character": 0}}, "text": "x"}]}),
    );
    let r = c.request("shutdown", Value::Null);
    assert_eq!(r["result"], Value::Null, "{r}");
    let r = c.request("textDocument/hover", json!({}));
    assert!(r.get("error").is_some(), "{r}");
    c.notify("exit", Value::Null);
    assert_eq!(c.wait_exit(), 0);
}

#[test]
fn exit_without_shutdown_fails() {
    let (_dir, root) = workspace();
    let mut c = Client::start(&root);
    c.initialize(&root);
    c.notify("exit", Value::Null);
    assert_eq!(c.wait_exit(), 1);
}

#[test]
fn a_broken_configuration_is_a_diagnostic_and_a_fixed_one_clears_it() {
    let (_dir, root) = workspace();
    let config = root.join(".azplint.yml");
    std::fs::write(&config, "rules:\n  no-such-rule: off\n").unwrap();
    let mut c = Client::start(&root);
    c.initialize(&root);
    c.open(&root.join("azure-pipelines.yml"), PIPELINE);
    let d = c.diagnostics("/.azplint.yml", |d| !d.is_empty());
    assert!(
        d[0]["message"].as_str().unwrap().contains("no-such-rule"),
        "{d:#?}"
    );
    // Fixed on disk: `wif-unsupported-task: off` silences the finding too.
    std::fs::write(&config, "rules:\n  wif-unsupported-task: off\n").unwrap();
    c.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": uri(&config), "type": 2}]}),
    );
    c.diagnostics("/.azplint.yml", |d| d.is_empty());
    let d = c.diagnostics("/azure-pipelines.yml", |d| {
        !d.iter().any(|x| x["code"] == "wif-unsupported-task")
    });
    assert!(
        d.iter().any(|x| x["code"] == "unused-suppression"),
        "{d:#?}"
    );
}

/// Not a timed test: `scripts/bench-server.sh` runs it in release mode and prints the time from
/// a `didChange` to its diagnostics on a 2,000-line pipeline with templates.
#[test]
#[ignore]
fn bench_did_change() {
    let (_dir, root) = workspace();
    let mut text = String::from("trigger: none\npool:\n  vmImage: ubuntu-latest\njobs:\n");
    let mut job = 0;
    while text.lines().count() < 2000 {
        job += 1;
        text.push_str(&format!(
            "- job: job{job}\n  steps:\n  - task: AzureCLI@2\n    inputs:\n      azureSubscription: prod\n      scriptType: bash\n      scriptLocation: inlineScript\n      inlineScript: echo $(Build.BuildId)\n  - template: templates/build.yml\n    parameters:\n      name: n{job}\n  - task: AzureFileCopy@5\n    inputs:\n      SourcePath: a\n      azureSubscription: prod\n      Destination: AzureBlob\n      storage: s\n      ContainerName: c\n"
        ));
    }
    let file = root.join("azure-pipelines.yml");
    std::fs::write(&file, &text).unwrap();
    let mut c = Client::start(&root);
    c.initialize(&root);
    c.open(&file, &text);
    c.diagnostics("/azure-pipelines.yml", |d| !d.is_empty());
    let runs = 30;
    let mut times = Vec::new();
    for v in 0..runs {
        // Toggle a major: the count of findings changes each time, so each publish is new.
        let major = if v % 2 == 0 {
            "AzureFileCopy@6"
        } else {
            "AzureFileCopy@5"
        };
        let edited = text.replacen("AzureFileCopy@5", major, 1);
        let start = Instant::now();
        c.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri(&file), "version": v + 2}, "contentChanges": [{"text": edited}]}),
        );
        let want_version = v + 2;
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let m = c.next(deadline);
            if m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["version"] == json!(want_version)
            {
                break;
            }
        }
        times.push(start.elapsed());
    }
    times.sort();
    let lines = text.lines().count();
    println!(
        "didChange -> publishDiagnostics, {lines}-line pipeline with {job} template calls, {runs} runs: median {:.1} ms, min {:.1} ms, max {:.1} ms",
        times[runs as usize / 2].as_secs_f64() * 1000.0,
        times[0].as_secs_f64() * 1000.0,
        times[runs as usize - 1].as_secs_f64() * 1000.0,
    );
}

#[test]
fn the_common_helpers_are_linked() {
    // tests/common is shared; keep its root() in use here.
    assert!(common::root().join("Cargo.toml").exists());
}

#[test]
fn definitions_of_depends_on_and_variables() {
    let (_dir, root) = workspace();
    let text = "\
variables:
- name: configuration
  value: Release
stages:
- stage: Build
  jobs:
  - job: Compile
    steps:
    - script: make $(configuration)
- stage: Test
  dependsOn: Build
  jobs:
  - job: Unit
    dependsOn: [Other]
    steps:
    - script: make test
";
    let file = root.join("azure-pipelines.yml");
    std::fs::write(&file, text).unwrap();
    let mut c = Client::start(&root);
    c.initialize(&root);
    c.open(&file, text);
    let doc = json!({"uri": uri(&file)});
    let r = c.request(
        "textDocument/definition",
        json!({"textDocument": doc, "position": position_of(text, "dependsOn: Build", 12)}),
    );
    let loc = &r["result"][0];
    assert_eq!(
        loc["range"]["start"],
        position_of(text, "Build\n", 0),
        "{r:#?}"
    );
    let r = c.request(
        "textDocument/definition",
        json!({"textDocument": doc, "position": position_of(text, "$(configuration)", 4)}),
    );
    assert_eq!(
        r["result"][0]["range"]["start"],
        position_of(text, "configuration\n", 0),
        "{r:#?}"
    );
    // A name that is defined nowhere: no location.
    let r = c.request(
        "textDocument/definition",
        json!({"textDocument": doc, "position": position_of(text, "[Other]", 2)}),
    );
    assert_eq!(r["result"], Value::Null, "{r:#?}");
}

#[test]
fn a_document_outside_any_workspace_or_repository_is_linted_alone() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    let file = root.join("azure-pipelines.yml");
    std::fs::write(&file, PIPELINE).unwrap();
    let mut c = Client::start(&root);
    let r = c.request(
        "initialize",
        json!({"processId": null, "rootUri": null, "capabilities": {}}),
    );
    assert_eq!(r["result"]["capabilities"]["positionEncoding"], "utf-16");
    c.notify("initialized", json!({}));
    c.open(&file, PIPELINE);
    let d = c.diagnostics("/azure-pipelines.yml", |d| !d.is_empty());
    assert!(
        d.iter().any(|x| x["code"] == "wif-unsupported-task"),
        "{d:#?}"
    );
    // A new file, not saved yet: its buffer is linted as if it were there.
    let unsaved = root.join("new-azure-pipelines.yml");
    c.open(&unsaved, "steps:\n- task: AzureFileCopy@5\n");
    let d = c.diagnostics("/new-azure-pipelines.yml", |d| !d.is_empty());
    assert!(
        d.iter().any(|x| x["code"] == "wif-unsupported-task"),
        "{d:#?}"
    );
}
