//! Fixes: each failing fixture whose findings carry fixes has its fixed result next to it
//! (`fail.yml` -> `fail.yml.fixed`, all fixes applied, unsafe ones included), and the command
//! line applies them byte-exact: `--fix`, `--unsafe-fixes`, `--diff`, standard input.
//!
//! `AZPLINT_BLESS=1 cargo test --test fixes` writes the `.fixed` files; review them with git diff.

mod common;

use common::{azplint_in, root};
use std::path::Path;

/// The fixed text of a fixture (all fixes, unsafe ones included), checked on the way: every
/// changed byte lies inside an edit of a fix, and fixing the result again changes nothing.
fn fixed_by_library(path: &Path) -> Option<String> {
    let options = azplint::Options {
        paths: vec![path.to_path_buf()],
        ..Default::default()
    };
    let fixed = azplint::fix(&options, azplint::fix::Mode::Unsafe).unwrap();
    let file = fixed.files.into_iter().next()?;
    // Replaying the recorded edits pass by pass on the original gives the result: nothing else
    // changed.
    let mut text = file.before.clone();
    for pass in &file.passes {
        let fix = azplint::diagnostic::Fix::safe("replay", pass.clone());
        text = azplint::fix::apply(&text, &[&fix]).text;
    }
    assert_eq!(
        text,
        file.after,
        "{}: bytes changed outside the fixes' edits",
        path.display()
    );
    // Idempotent: the fixed text, standing in for the file, has nothing left to fix.
    let mut again = options.clone();
    again
        .buffers
        .insert(path.canonicalize().unwrap(), file.after.clone());
    let second = azplint::fix(&again, azplint::fix::Mode::Unsafe).unwrap();
    assert!(
        second.files.is_empty(),
        "{}: fixing the fixed text changes it again",
        path.display()
    );
    Some(file.after)
}

#[test]
fn fixtures_have_their_fixed_results() {
    let bless = std::env::var_os("AZPLINT_BLESS").is_some();
    let mut checked = 0;
    let mut dirs: Vec<_> = std::fs::read_dir(root().join("fixtures"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    let mut problems = Vec::new();
    for dir in dirs {
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with("fail"))
                    && p.extension().is_some_and(|e| e == "yml" || e == "yaml")
            })
            .collect();
        files.sort();
        for file in files {
            let expected_path = file.with_extension(format!(
                "{}.fixed",
                file.extension().unwrap().to_string_lossy()
            ));
            let got = fixed_by_library(&file);
            let want = std::fs::read_to_string(&expected_path).ok();
            if bless {
                match &got {
                    Some(text) => std::fs::write(&expected_path, text).unwrap(),
                    None if want.is_some() => std::fs::remove_file(&expected_path).unwrap(),
                    None => {}
                }
                continue;
            }
            if got != want {
                problems.push(format!(
                    "{}: the fixed text differs from {} (AZPLINT_BLESS=1 to update)",
                    file.display(),
                    expected_path.display()
                ));
            }
            if got.is_some() {
                checked += 1;
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(bless || checked >= 10, "only {checked} fixtures have fixes");
}

fn repo(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    dir
}

const PIPELINE: &str = "steps:\n- script: echo hi # azplint: ignore[unknown-task]\n- task: PublishBuildArtifact@1 # expect: unknown-task\n";

#[test]
fn diff_shows_and_changes_nothing() {
    let dir = repo(&[("azure-pipelines.yml", PIPELINE.as_bytes())]);
    let run = azplint_in(dir.path(), &["check", "--diff", "."]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        run.stdout
            .contains("--- a/azure-pipelines.yml\n+++ b/azure-pipelines.yml\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("-- script: echo hi # azplint: ignore[unknown-task]\n+- script: echo hi\n"),
        "{}",
        run.stdout
    );
    // Safe fixes only: the task name is an unsafe fix.
    assert!(
        !run.stdout.contains("PublishBuildArtifacts"),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr.contains("Would fix 1 finding in 1 file"),
        "{}",
        run.stderr
    );
    let after = std::fs::read_to_string(dir.path().join("azure-pipelines.yml")).unwrap();
    assert_eq!(after, PIPELINE);
    let run = azplint_in(dir.path(), &["check", "--diff", "--unsafe-fixes", "."]);
    assert!(
        run.stdout.contains("+- task: PublishBuildArtifacts@1"),
        "{}",
        run.stdout
    );
}

#[test]
fn fix_writes_keeps_the_byte_order_mark_and_reports_what_remains() {
    let mut text = "\u{feff}".as_bytes().to_vec();
    text.extend_from_slice(PIPELINE.replace('\n', "\r\n").as_bytes());
    let dir = repo(&[("azure-pipelines.yml", &text)]);
    let run = azplint_in(dir.path(), &["check", "--fix", "."]);
    let after = std::fs::read(dir.path().join("azure-pipelines.yml")).unwrap();
    let want = "\u{feff}steps:\r\n- script: echo hi\r\n- task: PublishBuildArtifact@1 # expect: unknown-task\r\n";
    assert_eq!(String::from_utf8(after).unwrap(), want);
    assert!(
        run.stderr.contains("Fixed 1 finding (1 remaining)"),
        "{}",
        run.stderr
    );
    // The unknown task remains, a warning: exit 1 at the default `--fail-on warning`.
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stdout.contains("unknown-task"), "{}", run.stdout);
    assert!(
        run.stderr.contains(
            "1 fix available with `--fix --unsafe-fixes` (see first with `--diff --unsafe-fixes`)"
        ),
        "{}",
        run.stderr
    );
    let run = azplint_in(dir.path(), &["check", "--fix", "--unsafe-fixes", "."]);
    assert_eq!(run.code, 0, "{}\n{}", run.stdout, run.stderr);
    assert!(
        run.stderr.contains("Fixed 1 finding (0 remaining)"),
        "{}",
        run.stderr
    );
    let after = std::fs::read_to_string(dir.path().join("azure-pipelines.yml")).unwrap();
    assert!(
        after.contains("- task: PublishBuildArtifacts@1 #"),
        "{after}"
    );
    // Nothing left: `--diff` prints nothing and exits 0.
    let run = azplint_in(dir.path(), &["check", "--diff", "--unsafe-fixes", "."]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, "");
}

#[test]
fn a_fix_that_adds_a_finding_is_refused() {
    // `PowerShel@2` is a typo of `PowerShell@2`, which requires an input this step lacks.
    let text = "steps:\n- task: PowerShel@2\n";
    let dir = repo(&[("azure-pipelines.yml", text.as_bytes())]);
    let run = azplint_in(dir.path(), &["check", "--fix", "--unsafe-fixes", "."]);
    assert!(
        run.stderr.contains(
            "the `unknown-task` fix was not applied: the fixed text has new findings: missing-required-input"
        ),
        "{}",
        run.stderr
    );
    let after = std::fs::read_to_string(dir.path().join("azure-pipelines.yml")).unwrap();
    assert_eq!(after, text);
}

#[test]
fn standard_input_gets_the_fixed_text_on_stdout() {
    let dir = repo(&[]);
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_azplint"))
        .args([
            "check",
            "--fix",
            "--format",
            "short",
            "--stdin-filename",
            "azure-pipelines.yml",
            "-",
        ])
        .current_dir(dir.path())
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(PIPELINE.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(
        stdout,
        "steps:\n- script: echo hi\n- task: PublishBuildArtifact@1 # expect: unknown-task\n"
    );
    assert!(stderr.contains("unknown-task"), "{stderr}");
    // Nothing was written next to the file.
    assert!(!dir.path().join("azure-pipelines.yml").exists());
}

#[test]
fn templates_outside_the_linted_paths_are_not_fixed() {
    let dir = repo(&[
        (
            "azure-pipelines.yml",
            b"steps:\n- template: steps.yml\n- script: echo a # azplint: ignore[unknown-task]\n",
        ),
        (
            "steps.yml",
            b"steps:\n- script: echo b # azplint: ignore[unknown-task]\n",
        ),
    ]);
    let run = azplint_in(dir.path(), &["check", "--fix", "azure-pipelines.yml"]);
    assert!(run.stderr.contains("Fixed 1 finding"), "{}", run.stderr);
    let template = std::fs::read_to_string(dir.path().join("steps.yml")).unwrap();
    assert!(template.contains("ignore[unknown-task]"), "{template}");
    let entry = std::fs::read_to_string(dir.path().join("azure-pipelines.yml")).unwrap();
    assert!(!entry.contains("ignore"), "{entry}");
}

#[cfg(unix)]
#[test]
fn read_only_and_symlinked_files_are_reported_not_written() {
    use std::os::unix::fs::PermissionsExt;
    let dir = repo(&[
        ("azure-pipelines.yml", PIPELINE.as_bytes()),
        ("real.yml", PIPELINE.as_bytes()),
    ]);
    let p = dir.path().join("azure-pipelines.yml");
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o444)).unwrap();
    std::os::unix::fs::symlink("real.yml", dir.path().join("link.yml")).unwrap();
    let run = azplint_in(
        dir.path(),
        &["check", "--fix", "azure-pipelines.yml", "link.yml"],
    );
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("azure-pipelines.yml: it is read-only; its fixes were not written"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("link.yml: it is a symbolic link, which azplint does not replace"),
        "{}",
        run.stderr
    );
    assert_eq!(std::fs::read_to_string(&p).unwrap(), PIPELINE);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("real.yml")).unwrap(),
        PIPELINE
    );
    assert!(std::fs::symlink_metadata(dir.path().join("link.yml"))
        .unwrap()
        .file_type()
        .is_symlink());
}

#[cfg(unix)]
#[test]
fn a_written_file_keeps_its_permissions_and_tabs_round_trip() {
    use std::os::unix::fs::PermissionsExt;
    let text = "steps:\n- script: |\n    printf 'a\\tb'\t# a tab inside the script\n  displayName: x # azplint: ignore[unknown-task]\n";
    let dir = repo(&[("azure-pipelines.yml", text.as_bytes())]);
    let p = dir.path().join("azure-pipelines.yml");
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o640)).unwrap();
    let run = azplint_in(dir.path(), &["check", "--fix", "."]);
    assert!(run.stderr.contains("Fixed 1 finding"), "{}", run.stderr);
    let after = std::fs::read_to_string(&p).unwrap();
    assert_eq!(after, text.replace(" # azplint: ignore[unknown-task]", ""));
    let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640);
    // No temporary file is left behind.
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.contains(".tmp")), "{names:?}");
}
