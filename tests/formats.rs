//! The machine formats (`short`, `sarif`, `github`, `azure`, `junit`), `--output`, `--fail-on`,
//! `--quiet`, and that no format lets text from a linted file inject a CI command.

mod common;

use common::{azplint, azplint_in, root};
use serde_json::Value;
use std::fs;
use std::path::Path;

const FORMATS: &[&str] = &["short", "github", "azure", "sarif", "junit"];

/// Warnings, an error, notes, labels and an include chain.
const SNAPSHOT_PATHS: &[&str] = &[
    "fixtures/wif-unsupported-task",
    "fixtures/idtoken-expiry",
    "fixtures/extension-task/fail.yml",
    "fixtures/template-cycle",
];

fn run_format(format: &str, paths: &[&str]) -> common::Run {
    let mut args = vec!["--format", format];
    args.extend_from_slice(paths);
    azplint(&args)
}

#[test]
fn snapshots_of_every_format() {
    for &format in FORMATS {
        let run = run_format(format, SNAPSHOT_PATHS);
        assert_eq!(run.code, 1, "{format}: {}", run.stderr);
        assert_eq!(run.stderr, "", "{format}: machine formats print no summary");
        let mut text = run.stdout.replace(env!("CARGO_PKG_VERSION"), "[version]");
        if format == "sarif" {
            text = stable_sarif(&text);
        }
        insta::assert_snapshot!(format, text);
    }
}

/// The SARIF log with only the descriptors of the rules its results use, and rule indexes
/// redacted, so that a rule added to the registry does not change the snapshot (the whole list and
/// every index are checked in `sarif_is_valid_for_every_fixture`).
fn stable_sarif(text: &str) -> String {
    let log: Value = serde_json::from_str(text).unwrap();
    let used: std::collections::HashSet<String> = log["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["ruleId"].as_str().unwrap().to_string())
        .collect();
    let mut out: Vec<String> = Vec::new();
    let mut rules_indent: Option<String> = None;
    let (mut block, mut kept): (Vec<&str>, Vec<Vec<&str>>) = (Vec::new(), Vec::new());
    for line in text.lines() {
        let indent = &line[..line.len() - line.trim_start().len()];
        match &rules_indent {
            None => {
                if let Some(rest) = line.trim_start().strip_prefix("\"ruleIndex\": ") {
                    let comma = if rest.ends_with(',') { "," } else { "" };
                    out.push(format!("{indent}\"ruleIndex\": \"[index]\"{comma}"));
                    continue;
                }
                out.push(line.to_string());
                if line.trim() == "\"rules\": [" {
                    rules_indent = Some(indent.to_string());
                }
            }
            Some(ri) => {
                if indent == ri && line.trim_start().starts_with(']') {
                    let n = kept.len();
                    for (i, b) in kept.drain(..).enumerate() {
                        let last = b.len() - 1;
                        for (j, l) in b.iter().enumerate() {
                            let l = if j == last {
                                l.trim_end_matches(',')
                            } else {
                                l
                            };
                            let comma = if j == last && i + 1 < n { "," } else { "" };
                            out.push(format!("{l}{comma}"));
                        }
                    }
                    out.push(line.to_string());
                    rules_indent = None;
                    continue;
                }
                block.push(line);
                if line.trim_end_matches(',') == format!("{ri}  }}") {
                    let id = block.iter().find_map(|l| {
                        l.trim()
                            .strip_prefix("\"id\": \"")
                            .map(|r| r.trim_end_matches(',').trim_end_matches('"'))
                    });
                    if id.is_some_and(|id| used.contains(id)) {
                        kept.push(std::mem::take(&mut block));
                    } else {
                        block.clear();
                    }
                }
            }
        }
    }
    let mut s = out.join("\n");
    s.push('\n');
    serde_json::from_str::<Value>(&s).expect("the trimmed log is still JSON");
    s
}

// ---------------------------------------------------------------------------------------------
// SARIF

/// The SARIF 2.1.0 schema as shipped by Microsoft's SARIF Multitool (npm
/// `@microsoft/sarif-multitool-linux` 5.7.0, MIT; see tests/data/README.md), with format checks
/// on, so that `"format": "uri"` (absolute) and `"uri-reference"` are enforced.
fn sarif_validator() -> jsonschema::Validator {
    let schema: Value =
        serde_json::from_str(include_str!("data/sarif-schema-2.1.0.json")).expect("schema JSON");
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles")
}

fn sarif_errors(validator: &jsonschema::Validator, log: &Value) -> Vec<String> {
    validator
        .iter_errors(log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

fn assert_valid_sarif(text: &str) -> Value {
    let log: Value =
        serde_json::from_str(text).unwrap_or_else(|e| panic!("invalid JSON ({e}):\n{text}"));
    let errors = sarif_errors(&sarif_validator(), &log);
    assert!(
        errors.is_empty(),
        "SARIF schema errors:\n{}",
        errors.join("\n")
    );
    log
}

#[test]
fn sarif_is_valid_for_every_fixture() {
    // Every rule's fixtures: unreadable files, syntax errors, include chains, labels.
    let run = run_format("sarif", &["fixtures"]);
    let log = assert_valid_sarif(&run.stdout);
    let sarif_run = &log["runs"][0];
    assert_eq!(log["version"], "2.1.0");
    assert_eq!(sarif_run["columnKind"], "unicodeCodePoints");
    let rules = sarif_run["tool"]["driver"]["rules"].as_array().unwrap();
    assert_eq!(rules.len(), azplint::rules::RULES.len());
    for (rule, ours) in rules.iter().zip(azplint::rules::RULES) {
        assert_eq!(rule["id"], ours.id);
        assert_eq!(
            rule["defaultConfiguration"]["level"],
            ours.severity.as_str()
        );
        assert_eq!(rule["shortDescription"]["text"], ours.summary);
        assert_eq!(
            rule["properties"]["tags"],
            serde_json::json!([ours.category.as_str()])
        );
        let score = &rule["properties"]["security-severity"];
        if ours.category == azplint::rules::Category::Security {
            let want = match ours.severity {
                azplint::diagnostic::Severity::Error => "8.5",
                azplint::diagnostic::Severity::Warning => "7.0",
                azplint::diagnostic::Severity::Note => "4.0",
            };
            assert_eq!(score, want, "{}", ours.id);
        } else {
            assert!(score.is_null(), "{}", ours.id);
        }
        assert!(rule["help"]["text"]
            .as_str()
            .unwrap()
            .contains(&azplint::report::rule_doc(ours.id)));
    }
    let results = sarif_run["results"].as_array().unwrap();
    assert!(results.len() > 50);
    let mut fingerprints = std::collections::HashSet::new();
    for r in results {
        let index = r["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], r["ruleId"]);
        assert!(["error", "warning", "note"].contains(&r["level"].as_str().unwrap()));
        let fp = r["partialFingerprints"]["azplint/v1"].as_str().unwrap();
        assert!(
            fingerprints.insert(fp.to_string()),
            "duplicate fingerprint {fp}"
        );
    }
    // A finding inside a template carries its include chain.
    let cycle = results
        .iter()
        .find(|r| {
            r["ruleId"] == "template-cycle"
                && r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
                    == "fixtures/template-cycle/templates/b.yml"
        })
        .expect("template-cycle finding in b.yml");
    let related: Vec<&str> = cycle["relatedLocations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            l["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap()
        })
        .collect();
    assert_eq!(
        related,
        [
            "fixtures/template-cycle/fail.yml",
            "fixtures/template-cycle/templates/a.yml"
        ]
    );
}

#[test]
fn the_schema_check_catches_invalid_sarif() {
    let run = run_format("sarif", &["fixtures/wif-unsupported-task/fail-steps.yml"]);
    let good: Value = serde_json::from_str(&run.stdout).unwrap();
    let validator = sarif_validator();
    assert!(sarif_errors(&validator, &good).is_empty());
    // helpUri must be an absolute URI: the reason DOCS_BASE (relative) stays out of it.
    let mut relative_help = good.clone();
    relative_help["runs"][0]["tool"]["driver"]["rules"][0]["helpUri"] = "docs/rules/x.md".into();
    assert!(!sarif_errors(&validator, &relative_help).is_empty());
    let mut bad_level = good.clone();
    bad_level["runs"][0]["results"][0]["level"] = "warn".into();
    assert!(!sarif_errors(&validator, &bad_level).is_empty());
    let mut bad_line = good;
    bad_line["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        0.into();
    assert!(!sarif_errors(&validator, &bad_line).is_empty());
}

// ---------------------------------------------------------------------------------------------
// Options

#[test]
fn output_writes_the_report_to_a_file_and_the_summary_to_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("report.sarif");
    let out_arg = out.to_str().unwrap();
    let to_stdout = run_format("sarif", &["fixtures/idtoken-expiry"]);
    let to_file = azplint(&[
        "--format",
        "sarif",
        "--output",
        out_arg,
        "fixtures/idtoken-expiry",
    ]);
    assert_eq!(to_file.code, 1);
    assert_eq!(to_file.stdout, "");
    // The summary, then how many findings `--fix` would fix.
    assert_eq!(
        to_file.stderr.trim(),
        "0 errors, 10 warnings, 1 note in 3 files\n[*] 1 fixable with `--fix`"
    );
    assert_eq!(fs::read_to_string(&out).unwrap(), to_stdout.stdout);

    // The human format in a file: no colors, same text as on a pipe.
    let human = dir.path().join("report.txt");
    let run = azplint(&[
        "--output",
        human.to_str().unwrap(),
        "fixtures/idtoken-expiry",
    ]);
    assert_eq!(run.stdout, "");
    assert_eq!(
        fs::read_to_string(&human).unwrap(),
        azplint(&["fixtures/idtoken-expiry"]).stdout
    );

    let quiet = azplint(&["--quiet", "--output", out_arg, "fixtures/idtoken-expiry"]);
    assert_eq!((quiet.code, quiet.stderr.as_str()), (1, ""));

    let unwritable = azplint(&[
        "--output",
        dir.path().join("no/such/dir/x").to_str().unwrap(),
        "fixtures/idtoken-expiry",
    ]);
    assert_eq!(unwritable.code, 2);
    assert!(
        unwritable.stderr.contains("can't write"),
        "{}",
        unwritable.stderr
    );
}

#[test]
fn fail_on_sets_the_exit_code() {
    let code = |fail_on: &str, path: &str| azplint(&["--fail-on", fail_on, path]).code;
    let warnings = "fixtures/idtoken-expiry/fail.yml";
    let notes = "fixtures/extension-task/fail.yml";
    let errors = "fixtures/task-reference-format/fail.yml";
    // The default is `warning`.
    assert_eq!(azplint(&[warnings]).code, 1);
    assert_eq!(azplint(&[notes]).code, 0);
    assert_eq!(code("warning", warnings), 1);
    assert_eq!(code("warning", notes), 0);
    assert_eq!(code("error", warnings), 0);
    assert_eq!(code("error", errors), 1);
    assert_eq!(code("note", notes), 1);
    assert_eq!(code("never", errors), 0);
    // Usage and input errors are still 2.
    assert_eq!(code("never", "no/such/path.yml"), 2);
    assert_eq!(azplint(&["--fail-on", "sometimes", warnings]).code, 2);
    assert_eq!(azplint(&["--format", "xml", warnings]).code, 2);
}

#[test]
fn quiet_drops_the_summary_only() {
    let loud = azplint(&["fixtures/deprecated-task"]);
    let quiet = azplint(&["--quiet", "fixtures/deprecated-task"]);
    assert_eq!(
        loud.stderr.lines().next(),
        Some("0 errors, 3 warnings in 2 files")
    );
    assert_eq!(quiet.stderr, "");
    assert_eq!(quiet.stdout, loud.stdout);
    assert_eq!(quiet.code, loud.code);
}

#[test]
fn junit_failures_follow_fail_on() {
    let failures = |fail_on: &str| {
        let run = azplint(&[
            "--format",
            "junit",
            "--fail-on",
            fail_on,
            "fixtures/extension-task/fail.yml",
            "fixtures/extension-task/pass.yml",
            "fixtures/idtoken-expiry/fail.yml",
        ]);
        let doc = roxmltree::Document::parse(&run.stdout).expect("well-formed XML");
        let cases: Vec<_> = doc
            .descendants()
            .filter(|n| n.has_tag_name("testcase"))
            .collect();
        assert_eq!(cases.len(), 3, "one test case per file");
        let failing: Vec<usize> = cases
            .iter()
            .map(|c| c.children().filter(|n| n.has_tag_name("failure")).count())
            .collect();
        let suite = doc
            .descendants()
            .find(|n| n.has_tag_name("testsuite"))
            .unwrap();
        assert_eq!(
            suite.attribute("failures").unwrap(),
            failing.iter().filter(|&&n| n > 0).count().to_string()
        );
        failing
    };
    // extension-task/fail.yml: 3 notes; pass.yml: 1 warning; idtoken-expiry/fail.yml: 9 warnings.
    assert_eq!(failures("warning"), [0, 1, 9]);
    assert_eq!(failures("note"), [3, 1, 9]);
    assert_eq!(failures("error"), [0, 0, 0]);
}

// ---------------------------------------------------------------------------------------------
// Injection

/// Everything a hostile pipeline can put in a finding: `%`, `;`, `]`, `::`, line breaks (YAML
/// double-quoted `\n` and `\r`), and complete Azure and GitHub commands.
const HOSTILE: &str = r###"steps:
- task: "Bad%;]::x\n##vso[task.setvariable variable=a]b\n::set-output name=c::d ##[set-output name=e;]f\r::error::z"
- task: "##vso[task.setvariable variable=x]y@1"
- task: AzureCLI@2
  inputs:
    azureSubscription: "sub"
    scriptType: "bash%3B%0A%;]::\n##vso[task.setvariable variable=g]h\n::set-output name=i::j"
    scriptLocation: inlineScript
    inlineScript: |
      echo "##vso[task.setvariable variable=s]t"
      echo "::set-output name=u::v"
      sleep 900
      az login --federated-token "$idToken"
    addSpnToEnvironment: true
    "in%;]::\n##vso[task.setvariable variable=k]l": x
"###;

/// A file name with the same ingredients (a line break only where file names may hold one).
fn hostile_file_name() -> &'static str {
    if cfg!(unix) {
        "evil%;]::x##vso[task.setvariable variable=f]y\n::set-output name=f::y.yml"
    } else {
        "evil%;]x##vso[task.setvariable variable=f]y.yml"
    }
}

/// The lines a runner reads: .NET's `ReadLine` ends a line at `\n`, `\r` or `\r\n`.
fn runner_lines(text: &str) -> Vec<&str> {
    text.split(['\n', '\r']).collect()
}

/// A command as a runner reads it: name, unescaped properties, unescaped data.
type Command = (String, Vec<(String, String)>, String);

/// The Azure Pipelines agent's parser (`Command.TryParse`): the first `##vso[` anywhere in the
/// line, up to the first `]`, `area.event` then `;`-separated `key=value` properties, data after.
fn azure_command(line: &str) -> Option<Command> {
    let start = line.find("##vso[")?;
    let end = start + line[start..].find(']')?;
    let info = &line[start + "##vso[".len()..end];
    let (name, props) = info.split_once(' ').unwrap_or((info, ""));
    if name.split('.').filter(|s| !s.is_empty()).count() != 2 {
        return None;
    }
    let unescape = |s: &str| {
        s.replace("%3B", ";")
            .replace("%0D", "\r")
            .replace("%0A", "\n")
            .replace("%5D", "]")
            .replace("%AZP25", "%")
    };
    let props = props
        .split(';')
        .filter(|p| !p.is_empty())
        .filter_map(|p| p.split_once('='))
        .map(|(k, v)| (k.to_string(), unescape(v)))
        .collect();
    Some((name.to_string(), props, unescape(&line[end + 1..])))
}

/// The GitHub runner's parsers (`ActionCommand.TryParseV2`, then `TryParse` for `##[`).
fn github_command(line: &str) -> Option<Command> {
    let trimmed = line.trim_start();
    if let Some(rest) = trimmed.strip_prefix("::") {
        if let Some(end) = rest.find("::") {
            let info = &rest[..end];
            let (name, props) = info.split_once(' ').unwrap_or((info, ""));
            let unescape_data = |s: &str| {
                s.replace("%0D", "\r")
                    .replace("%0A", "\n")
                    .replace("%25", "%")
            };
            let unescape_prop = |s: &str| {
                s.replace("%0D", "\r")
                    .replace("%0A", "\n")
                    .replace("%3A", ":")
                    .replace("%2C", ",")
                    .replace("%25", "%")
            };
            let props = props
                .trim()
                .split(',')
                .filter(|p| !p.is_empty())
                .filter_map(|p| p.split_once('='))
                .map(|(k, v)| (k.to_string(), unescape_prop(v)))
                .collect();
            return Some((name.to_string(), props, unescape_data(&rest[end + 2..])));
        }
    }
    let start = line.find("##[")?;
    let end = start + line[start..].find(']')?;
    let info = &line[start + 3..end];
    let name = info.split(' ').next().unwrap_or("");
    Some((name.to_string(), Vec::new(), line[end + 1..].to_string()))
}

fn rule_ids() -> Vec<&'static str> {
    azplint::rules::RULES.iter().map(|r| r.id).collect()
}

#[test]
fn no_format_lets_linted_text_inject_a_ci_command() {
    let dir = tempfile::tempdir().unwrap();
    let name = hostile_file_name();
    fs::write(dir.path().join(name), HOSTILE).unwrap();
    let rules = rule_ids();
    let mut formats = FORMATS.to_vec();
    formats.extend(["human", "json"]);
    for format in formats {
        let run = azplint_in(dir.path(), &["--format", format, "."]);
        assert_eq!(run.code, 1, "{format}: {}", run.stderr);
        let out = &run.stdout;
        assert!(
            out.contains("set-output name=c"),
            "{format}: the hostile text is shown\n{out}"
        );
        let mut ours = 0;
        for line in runner_lines(out)
            .into_iter()
            .chain(runner_lines(&run.stderr))
        {
            // Azure Pipelines: a `##vso[` command only where azplint writes one.
            if let Some((command, props, _)) = azure_command(line) {
                assert_eq!(format, "azure", "{format}: Azure command in {line:?}");
                assert!(line.starts_with("##vso[task.logissue "), "{line:?}");
                assert_eq!(line.matches("##vso[").count(), 1, "{line:?}");
                assert_eq!(command, "task.logissue");
                let keys: Vec<&str> = props.iter().map(|(k, _)| k.as_str()).collect();
                assert_eq!(
                    keys,
                    ["type", "sourcepath", "linenumber", "columnnumber", "code"],
                    "{line:?}"
                );
                assert!(["error", "warning"].contains(&props[0].1.as_str()));
                assert_eq!(props[1].1.replace('\u{200B}', ""), name);
                assert!(props[2].1.parse::<usize>().is_ok() && props[3].1.parse::<usize>().is_ok());
                assert!(rules.contains(&props[4].1.as_str()), "{line:?}");
                ours += 1;
            }
            // GitHub Actions: a `::` command only where azplint writes one, and never `##[`.
            if let Some((command, props, _)) = github_command(line) {
                assert_eq!(format, "github", "{format}: GitHub command in {line:?}");
                assert!(line.starts_with("::"), "{line:?}");
                assert!(
                    ["error", "warning", "notice"].contains(&command.as_str()),
                    "{line:?}"
                );
                let keys: Vec<&str> = props.iter().map(|(k, _)| k.as_str()).collect();
                assert!(
                    keys == ["file", "line", "col", "endLine", "endColumn", "title"]
                        || keys == ["file", "line", "endLine", "title"],
                    "{line:?}"
                );
                assert_eq!(props[0].1.replace('\u{200B}', ""), name);
                let title = &props.last().unwrap().1;
                assert!(
                    rules.contains(&title.trim_start_matches("azplint: ")),
                    "{line:?}"
                );
                ours += 1;
            }
        }
        match format {
            "github" | "azure" => assert!(ours >= 4, "{format}: {ours} commands\n{out}"),
            _ => assert_eq!(ours, 0),
        }
    }
}

#[test]
fn escaped_text_survives_the_round_trip() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join(hostile_file_name()), HOSTILE).unwrap();
    let task = "Bad%;]::x\n##vso[task.setvariable variable=a]b\n::set-output name=c::d ##[set-output name=e;]f\r::error::z";
    let value = "bash%3B%0A%;]::\n##vso[task.setvariable variable=g]h\n::set-output name=i::j";
    let unbroken = |s: &str| s.replace('\u{200B}', "");

    // JSON and SARIF: the exact values, although the raw text has no marker.
    for format in ["json", "sarif"] {
        let run = azplint_in(dir.path(), &["--format", format, "."]);
        assert!(!run.stdout.contains("##vso[") && !run.stdout.contains("##["));
        let v: Value = serde_json::from_str(&run.stdout).unwrap();
        let text = v.to_string();
        for s in [task, value] {
            assert!(
                text.contains(
                    &serde_json::to_string(s)
                        .unwrap()
                        .trim_matches('"')
                        .to_string()
                ),
                "{format}: {s:?} not in\n{text}"
            );
        }
        if format == "sarif" {
            assert_valid_sarif(&run.stdout);
            let uri = v["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
                ["artifactLocation"]["uri"]
                .as_str()
                .unwrap();
            assert!(!uri.contains([':', '#', '%', ';', ']', '\n']) || uri.contains("%25"));
        }
    }

    // JUnit: the XML values are the text as written.
    let run = azplint_in(dir.path(), &["--format", "junit", "."]);
    assert!(runner_lines(&run.stdout)
        .iter()
        .all(|l| l.is_empty() || l.trim_start().starts_with('<')));
    let doc = roxmltree::Document::parse(&run.stdout).expect("well-formed XML");
    let case = doc
        .descendants()
        .find(|n| n.has_tag_name("testcase"))
        .unwrap();
    assert_eq!(case.attribute("name"), Some(hostile_file_name()));
    let first = case.children().find(|n| n.has_tag_name("failure")).unwrap();
    assert!(first.attribute("message").unwrap().contains(task));
    assert!(first.text().unwrap().contains(task));

    // GitHub and Azure: what the runner unescapes is the text, with the markers broken.
    let run = azplint_in(dir.path(), &["--format", "github", "."]);
    let (_, _, data) = github_command(run.stdout.lines().next().unwrap()).unwrap();
    assert!(unbroken(&data).contains(task), "{data:?}");
    let run = azplint_in(dir.path(), &["--format", "azure", "."]);
    let lines: Vec<&str> = run.stdout.lines().collect();
    let (_, _, data) = azure_command(lines[0]).unwrap();
    assert!(unbroken(&data).contains(task), "{data:?}");
    let with_value = lines
        .iter()
        .find(|l| l.contains("invalid-input-value"))
        .unwrap();
    let (_, _, data) = azure_command(with_value).unwrap();
    assert!(unbroken(&data).contains(value), "{data:?}");
    // The note (an extension task named like a command) is a plain line, not an issue.
    let note = lines
        .iter()
        .find(|l| l.contains("note[extension-task]"))
        .unwrap();
    assert!(azure_command(note).is_none() && github_command(note).is_none());

    // Short: one line per finding.
    let run = azplint_in(dir.path(), &["--format", "short", "."]);
    assert_eq!(run.stdout.lines().count(), 5, "{}", run.stdout);
    assert!(!run.stdout.contains('\r'));
    for line in run.stdout.lines() {
        assert!(line.starts_with("evil%;]::x#\u{200B}#vso["), "{line:?}");
    }
}

/// Paths as written: a relative path with `./`, an absolute one, a Windows-style one.
#[test]
fn sarif_uris_for_paths_as_written() {
    let run = azplint(&["--format", "sarif", "./fixtures/idtoken-expiry/fail.yml"]);
    let v = assert_valid_sarif(&run.stdout);
    let loc = &v["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"];
    assert_eq!(loc["uri"], "fixtures/idtoken-expiry/fail.yml");
    assert_eq!(loc["uriBaseId"], "%SRCROOT%");

    let abs = root().join("fixtures/idtoken-expiry/fail.yml");
    let run = azplint(&["--format", "sarif", abs.to_str().unwrap()]);
    let v = assert_valid_sarif(&run.stdout);
    let loc = &v["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"];
    assert!(
        loc["uri"].as_str().unwrap().starts_with("file:///"),
        "{loc}"
    );
    assert!(loc.get("uriBaseId").is_none());
    assert!(Path::new(&abs).exists());
}
