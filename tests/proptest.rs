//! Property tests: whatever the bytes, linting never panics, and every finding points inside the
//! text. Inputs are arbitrary bytes, and YAML-ish text generated from a grammar of pipeline
//! fragments (keys, `- task:` lines, `${{ if }}` keys, anchors and aliases, quotes, flow
//! collections, block scalars, comments, indentation changes, CRLF, BOM). Case counts are
//! bounded so the file runs in a few seconds; the fuzz target (fuzz/) runs the same check for
//! hours.

use azplint::diagnostic::Diagnostic;
use azplint::report;
use azplint::source::Source;
use azplint::{FileResult, Report};
use proptest::prelude::*;
use proptest::test_runner::Config;

/// Lint `text` as one file, render the findings in every format, and check that each finding's
/// span lies inside the text, on character boundaries (both were bugs, found here: a
/// `yaml-syntax` span ending inside `é`, a `condition-syntax` span past the end of `condition: eq(`
/// at the end of a file).
fn lint_and_render(text: String) -> Result<Vec<Diagnostic>, TestCaseError> {
    let source = Source::new("p.yml", None, text);
    let diagnostics = azplint::lint_source(&source, &azplint::rules::NoFiles);
    let len = source.text.len();
    for d in &diagnostics {
        let spans = std::iter::once(&d.span).chain(d.labels.iter().map(|l| &l.span));
        for s in spans {
            prop_assert!(
                s.start <= s.end && s.end <= len,
                "{}: span {s:?} outside the text (len {len})",
                d.rule
            );
            prop_assert!(
                source.text.is_char_boundary(s.start) && source.text.is_char_boundary(s.end),
                "{}: span {s:?} splits a character",
                d.rule
            );
        }
    }
    let report = Report {
        files: vec![FileResult {
            source,
            diagnostics: diagnostics.clone(),
        }],
    };
    let style = report::human::Style {
        color: false,
        width: 100,
    };
    let _ = report::human::render(&report, style);
    let _ = report::short::render(&report);
    let _ = report::json::render(&report);
    let _ = report::sarif::render(&report);
    let _ = report::github::render(&report);
    let _ = report::azure::render(&report);
    let _ = report::junit::render(&report, None);
    Ok(diagnostics)
}

/// `cases` per property unless `PROPTEST_CASES` says otherwise (for a long run:
/// `PROPTEST_CASES=100000 cargo test --release --test proptest`). Failures are shrunk and
/// printed; nothing is written next to the tests.
fn config(cases: u32) -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(cases);
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
}

/// Line contents: the pieces pipelines are made of, and the pieces that break them.
const FRAGMENTS: &[&str] = &[
    // keys
    "trigger:",
    "trigger: none",
    "pr: none",
    "pool:",
    "vmImage: ubuntu-latest",
    "vmImage: ubuntu-20.04",
    "stages:",
    "jobs:",
    "steps:",
    "variables:",
    "parameters:",
    "inputs:",
    "extends:",
    "resources:",
    "repositories:",
    "strategy:",
    "matrix:",
    "schedules:",
    "cron: '0 0 * * *'",
    "cron: '61 25 * * Fr'",
    "name: a",
    "value: b",
    "type: string",
    "default: x",
    "values: [a, b]",
    "displayName: 'x'",
    "condition: succeeded()",
    "condition: and(succeeded(), eq(variables['a'], 'b'))",
    "condition: eq(",
    "dependsOn: [A, B]",
    "dependsOn: A",
    "azureSubscription: prod",
    "addSpnToEnvironment: true",
    "scriptType: bash",
    "scriptLocation: inlineScript",
    "inlineScript: |",
    "echo $idToken $servicePrincipalKey",
    "az login --federated-token \"$idToken\"",
    "template: x.yml",
    "template: t.yml@r",
    "template: ${{ parameters.t }}",
    // sequence items
    "- task: AzureCLI@2",
    "- task: AzureFileCopy@5",
    "- task: PowerShell@2",
    "- task: NodeTool@0",
    "- task: Nope@1",
    "- task: a.b.c.Task@1",
    "- task: AzureCLI",
    "- task: AzureCLI@x",
    "- script: echo hi",
    "- bash: |",
    "- pwsh: Write-Host $env:idToken",
    "- checkout: self",
    "- stage: S",
    "- stage: S",
    "- job: J",
    "- job: bad name!",
    "- deployment: D",
    "- template: x.yml",
    "- name: p",
    "- ",
    "-",
    // template expressions
    "${{ if eq(parameters.a, 'b') }}:",
    "- ${{ if true }}:",
    "${{ else }}:",
    "${{ elseif ne(1, 2) }}:",
    "${{ each s in parameters.steps }}:",
    "- ${{ s }}",
    "- ${{ each x in y }}:",
    "${{ insert }}: ${{ parameters.x }}",
    "${{ if ",
    "k: ${{ format('{0}', parameters.x) }}",
    "k: ${{ unknownFunc(1) }}",
    "k: $[ variables.x ]",
    "k: $(var)",
    // anchors and aliases
    "a: &x 1",
    "b: *x",
    "&x",
    "*x",
    "<<: *x",
    "- &s [1, 2]",
    "- *s",
    "c: *undefined",
    // quotes and escapes
    "k: 'it''s'",
    "k: \"a\\tb\\u00e9\\x41\"",
    "k: \"unterminated",
    "k: 'unterminated",
    "'",
    "\"",
    "k: \"\\uD800\"",
    // flow collections
    "k: [a, {b: c}, [d]]",
    "{a: b}",
    "[",
    "]",
    "{",
    "k: {a: [b, {c: d}]}",
    // block scalars
    "script: >-",
    "  echo one",
    "k: |2",
    "k: |+",
    // comments and suppressions
    "# azplint: ignore[unknown-task]",
    "# azplint: ignore-file[yaml-anchor]",
    "k: v # azplint: ignore[yaml-anchor, nope]",
    "# c",
    // documents, directives, odd YAML
    "---",
    "...",
    "%YAML 1.2",
    "%TAG ! tag:x,2000:",
    "? complex",
    ": value",
    "!!str k: v",
    "k: !custom v",
    "\t- tab",
    "é: ü",
    "\u{feff}",
    "k: \u{0}",
    "##vso[task.setvariable variable=x]y",
    "",
];

/// A YAML-ish text: lines of fragments at changing indentation, LF or CRLF, maybe a BOM.
fn yamlish() -> impl Strategy<Value = String> {
    let indent = prop_oneof![3 => (0usize..6).prop_map(|i| i * 2), 1 => 0usize..13];
    let line = (
        indent,
        prop::sample::select(FRAGMENTS),
        prop::option::weighted(0.15, prop::sample::select(FRAGMENTS)),
    );
    (
        prop::collection::vec(line, 0..48),
        any::<bool>(),
        prop::bool::weighted(0.1),
        prop::bool::weighted(0.1),
    )
        .prop_map(|(lines, crlf, bom, no_final_newline)| {
            let eol = if crlf { "\r\n" } else { "\n" };
            let mut text = String::new();
            if bom {
                text.push('\u{feff}');
            }
            for (indent, fragment, tail) in lines {
                text.push_str(&" ".repeat(indent));
                text.push_str(fragment);
                if let Some(t) = tail {
                    text.push(' ');
                    text.push_str(t);
                }
                text.push_str(eol);
            }
            if no_final_newline {
                text.truncate(text.trim_end_matches(['\r', '\n']).len());
            }
            text
        })
}

/// Task steps the catalog knows, with inputs the rules look at (names, aliases, options,
/// booleans, connections, scripts), inside a well-formed pipeline.
fn pipeline() -> impl Strategy<Value = String> {
    const TASKS: &[&str] = &[
        "AzureCLI@2",
        "AzureCLI@1",
        "AzureFileCopy@5",
        "AzureFileCopy@6",
        "AzurePowerShell@5",
        "PowerShell@2",
        "Bash@3",
        "Kubernetes@1",
        "DotNetCoreCLI@2",
        "NodeTool@0",
        "Docker@2",
        "AzureCLI@9",
        "AzureCli@2",
        "Contoso.Tasks.Deploy@1",
        "${{ parameters.task }}",
    ];
    const INPUTS: &[&str] = &[
        "azureSubscription: prod-wif",
        "azureSubscription: $(conn)",
        "azureSubscription: ${{ parameters.conn }}",
        "connectedServiceNameARM: x",
        "scriptType: bash",
        "scriptType: nope",
        "scriptLocation: inlineScript",
        "addSpnToEnvironment: true",
        "addSpnToEnvironment: maybe",
        "inlineScript: echo $idToken",
        "inlineScript: |\n      echo \"##vso[task.setvariable variable=t]$idToken\"\n      az login --federated-token $idToken",
        "targetType: inline",
        "script: Write-Host $env:servicePrincipalKey",
        "displayName: x",
        "SourcePath: drop",
        "Destination: AzureBlob",
        "command: build",
        "unknownInput: 1",
        "${{ if true }}:\n      scriptType: ps",
    ];
    let step = (
        prop::sample::select(TASKS),
        prop::collection::vec(prop::sample::select(INPUTS), 0..6),
        any::<bool>(),
    )
        .prop_map(|(task, inputs, conditional)| {
            let mut s = String::new();
            if conditional {
                s.push_str("- ${{ if eq(parameters.deploy, true) }}:\n  ");
            }
            s.push_str(&format!("- task: {task}\n"));
            if !inputs.is_empty() {
                s.push_str(if conditional {
                    "    inputs:\n"
                } else {
                    "  inputs:\n"
                });
                for i in inputs {
                    let pad = if conditional { "      " } else { "    " };
                    s.push_str(pad);
                    s.push_str(&i.replace('\n', &format!("\n{}", &pad[2..])));
                    s.push('\n');
                }
            }
            s
        });
    (prop::collection::vec(step, 1..8), 0usize..3).prop_map(|(steps, shape)| {
        let head = "parameters:\n- name: deploy\n  type: boolean\n  default: true\n- name: task\n  default: Bash@3\n- name: conn\n  default: prod-wif\n";
        let body: String = steps.concat();
        match shape {
            0 => format!("{head}steps:\n{body}"),
            1 => format!(
                "{head}jobs:\n- job: A\n  steps:\n{}",
                body.lines().map(|l| format!("  {l}\n")).collect::<String>()
            ),
            _ => format!(
                "{head}stages:\n- stage: S\n  jobs:\n  - deployment: D\n    environment: e\n    strategy:\n      runOnce:\n        deploy:\n          steps:\n{}",
                body.lines().map(|l| format!("          {l}\n")).collect::<String>()
            ),
        }
    })
}

proptest! {
    #![proptest_config(config(256))]

    /// Arbitrary bytes, decoded lossily as the binary decodes a file that is not UTF-8.
    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        lint_and_render(String::from_utf8_lossy(&bytes).into_owned())?;
    }

    /// Bytes drawn mostly from YAML's punctuation, where the parser's corner cases are.
    #[test]
    fn yaml_punctuation_never_panics(
        bytes in prop::collection::vec(
            prop::sample::select(b"-:[]{}?,&*!|>'\"%@`#\n\r\t  ab$".to_vec()), 0..512)
    ) {
        lint_and_render(String::from_utf8_lossy(&bytes).into_owned())?;
    }
}

proptest! {
    #![proptest_config(config(384))]

    /// Text built from pipeline fragments at changing indentation.
    #[test]
    fn yamlish_text_never_panics(text in yamlish()) {
        lint_and_render(text)?;
    }

    /// Well-formed pipelines with generated task steps: no panic, the same findings on every run,
    /// and the same findings (rule, line, column) when the file has CRLF line breaks and a BOM.
    #[test]
    fn generated_pipelines_are_stable_under_crlf_and_bom(text in pipeline()) {
        let lf = lint_and_render(text.clone())?;
        let again = lint_and_render(text.clone())?;
        prop_assert_eq!(&lf, &again);
        let crlf = format!("\u{feff}{}", text.replace('\n', "\r\n"));
        let crlf_diags = lint_and_render(crlf.clone())?;
        let lf_src = Source::new("p.yml", None, text);
        let crlf_src = Source::new("p.yml", None, crlf);
        let at = |src: &Source, ds: &[Diagnostic]| -> Vec<(&'static str, usize, usize)> {
            ds.iter()
                .map(|d| {
                    let lc = src.line_col(d.span.start);
                    (d.rule, lc.line, lc.column)
                })
                .collect()
        };
        prop_assert_eq!(at(&lf_src, &lf), at(&crlf_src, &crlf_diags));
    }
}
