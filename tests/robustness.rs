//! Hostile inputs against the real binary: deep nesting, huge scalars and files, 100,000 keys,
//! alias bombs, invalid UTF-8, NUL bytes, CRLF and BOM, symlink loops, FIFOs and devices,
//! unreadable and vanishing files, template cycles and very wide includes. Every input is
//! generated in a temporary directory (the 50 MB file too). Each run must end with exit code 0 or
//! 1 (2 only where a usage error is expected), without a panic or a backtrace on stderr, with the
//! findings the input calls for.
//!
//! Nothing here asserts a duration. Each run is guarded instead: killed after 60 s, or when its
//! resident memory passes 1 GiB, which fails the test. (Speed is measured by scripts/bench.sh.)
//!
//! The tests at the end reproduce bugs that these tests, the property tests and the fuzz target
//! found (unbounded findings, quadratic reports and rules, spans past a character or the text,
//! standard input without a size limit or decoding); they failed before the fixes.
//!
//! Panics that escape: `main` installs a panic hook that prints `azplint: internal error: ...`
//! and a request to report the bug, and runs the command inside `catch_unwind`, which turns the
//! panic into exit code 2 (src/main.rs, `fn main`). No input found by these tests, the property
//! tests or the fuzz target reaches that path, so it is not exercised here; src/ has no test hook
//! to force it, on purpose.

mod common;

use serde_json::Value;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const GUARD: Duration = Duration::from_secs(60);
const MEMORY_GUARD_KIB: u64 = 1024 * 1024;

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
    /// Peak resident memory seen while polling (/proc), when available.
    peak_kib: Option<u64>,
}

fn vm_hwm_kib(pid: u32) -> Option<u64> {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// Run `azplint ARGS` in `dir` without color; kill it (and fail) after 60 s or past 1 GiB.
fn run(dir: &Path, args: &[&str]) -> Out {
    run_with_stdin(dir, args, None)
}

/// `run` with standard input read from a file.
fn run_with_stdin(dir: &Path, args: &[&str], stdin: Option<&Path>) -> Out {
    let out_dir = tempfile::tempdir().unwrap();
    let (out_path, err_path) = (out_dir.path().join("out"), out_dir.path().join("err"));
    let mut child = Command::new(env!("CARGO_BIN_EXE_azplint"))
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("COLUMNS")
        .env_remove("RUST_BACKTRACE")
        .stdin(match stdin {
            Some(p) => Stdio::from(fs::File::open(p).unwrap()),
            None => Stdio::null(),
        })
        .stdout(fs::File::create(&out_path).unwrap())
        .stderr(fs::File::create(&err_path).unwrap())
        .spawn()
        .expect("run azplint");
    let start = Instant::now();
    let mut peak = None;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if let Some(hwm) = vm_hwm_kib(child.id()) {
            peak = Some(hwm);
            if hwm > MEMORY_GUARD_KIB {
                let _ = child.kill();
                let _ = child.wait();
                panic!("azplint {args:?} used more than 1 GiB ({hwm} KiB): killed");
            }
        }
        if start.elapsed() > GUARD {
            let _ = child.kill();
            let _ = child.wait();
            panic!("azplint {args:?} still running after {GUARD:?}: killed");
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let read = |p: &Path| String::from_utf8_lossy(&fs::read(p).unwrap()).into_owned();
    Out {
        code: status.code().unwrap_or(-1),
        stdout: read(&out_path),
        stderr: read(&err_path),
        peak_kib: peak,
    }
}

/// Exit code 0 or 1, nothing on stderr that a crash leaves.
fn assert_clean(out: &Out, what: &str) {
    assert!(
        out.code == 0 || out.code == 1,
        "{what}: exit code {}\n{}",
        out.code,
        out.stderr
    );
    for bad in [
        "panicked",
        "internal error",
        "RUST_BACKTRACE",
        "stack overflow",
    ] {
        assert!(
            !out.stderr.contains(bad),
            "{what}: `{bad}` on stderr:\n{}",
            out.stderr
        );
    }
}

/// `azplint --format json --no-config ARGS` in `dir`, checked clean, parsed.
fn json_in(dir: &Path, args: &[&str], what: &str) -> (Out, Value) {
    let mut all = vec!["--format", "json", "--no-config"];
    all.extend_from_slice(args);
    let out = run(dir, &all);
    assert_clean(&out, what);
    let v: Value = serde_json::from_str(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{what}: invalid JSON ({e}): {}\n{}",
            &out.stdout[..out.stdout.len().min(2000)],
            out.stderr
        )
    });
    (out, v)
}

fn rules(v: &Value) -> Vec<String> {
    v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["rule"].as_str().unwrap().to_string())
        .collect()
}

fn count(v: &Value, rule: &str) -> usize {
    rules(v).iter().filter(|r| *r == rule).count()
}

fn write(dir: &Path, rel: &str, bytes: impl AsRef<[u8]>) -> PathBuf {
    let p = dir.join(rel);
    fs::create_dir_all(p.parent().unwrap()).unwrap();
    fs::write(&p, bytes).unwrap();
    p
}

const PIPELINE: &str = "trigger: none\nsteps:\n- task: Bash@3\n  inputs:\n    targetType: inline\n    script: echo hi\n";

/// A small deterministic generator (xorshift64*).
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

#[test]
fn deep_nesting_is_reported_not_overflowed() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let n = 100_000;
    let cases: Vec<(&str, String)> = vec![
        ("flow-seq.yml", format!("steps: {}\n", "[".repeat(n))),
        (
            "flow-seq-closed.yml",
            format!("steps: {}{}\n", "[".repeat(n), "]".repeat(n)),
        ),
        ("flow-map.yml", format!("steps: {}\n", "{a: ".repeat(n))),
        ("block-seq.yml", format!("steps:\n{}x\n", "- ".repeat(n))),
        (
            "mixed.yml",
            format!("variables: {}\n", "[{a: ".repeat(n / 2)),
        ),
        // Nested block mappings, one level per line (200 levels is the limit).
        (
            "block-map.yml",
            (0..300)
                .map(|i| format!("{}k{i}:\n", " ".repeat(i)))
                .collect(),
        ),
        // Nested `${{ if }}` blocks inside steps.
        (
            "if-blocks.yml",
            "steps:\n".to_string()
                + &(0..300)
                    .map(|i| format!("{}- ${{{{ if true }}}}:\n", "  ".repeat(i)))
                    .collect::<String>(),
        ),
    ];
    for (name, text) in &cases {
        write(d, name, text);
    }
    for (name, _) in &cases {
        let (_, v) = json_in(d, &[name], name);
        let found = rules(&v);
        assert_eq!(
            found,
            vec!["nesting-too-deep".to_string()],
            "{name}: {found:?}"
        );
    }
    // Just under the limit: read normally.
    let ok = format!("steps: {}{}\n", "[".repeat(150), "]".repeat(150));
    write(d, "ok.yml", ok);
    let (_, v) = json_in(d, &["ok.yml"], "150 levels");
    assert_eq!(count(&v, "nesting-too-deep"), 0, "{v}");
    // Expressions nest 50 deep at most, and are at most 21,000 characters long.
    let expr = format!(
        "steps:\n- script: x\n  condition: {}1{}\n  displayName: ${{{{ {}true{} }}}}\n",
        "eq(1, ".repeat(3000),
        ")".repeat(3000),
        "not(".repeat(n),
        ")".repeat(n)
    );
    write(d, "expr.yml", expr);
    let (_, v) = json_in(d, &["expr.yml"], "deep expressions");
    assert_eq!(count(&v, "condition-syntax"), 1, "{v}");
    assert_eq!(count(&v, "expression-syntax"), 1, "{v}");
}

#[test]
fn huge_scalars_keys_and_files() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let nine_mb = 9 * 1024 * 1024;
    // A 9 MB plain scalar on one line, a 9 MB double-quoted scalar full of escapes, a 9 MB key.
    write(
        d,
        "plain.yml",
        format!("steps:\n- script: echo {}\n", "a".repeat(nine_mb)),
    );
    write(
        d,
        "quoted.yml",
        format!(
            "steps:\n- script: \"{}\"\n",
            "\\t\\u00e9\\\"x".repeat(nine_mb / 12)
        ),
    );
    // YAML limits implicit keys to 1024 characters: a 9 MB key must be explicit (`? `).
    write(
        d,
        "key.yml",
        format!("variables:\n  ? {}\n  : v\n", "k".repeat(nine_mb)),
    );
    write(
        d,
        "implicit-key.yml",
        format!("variables:\n  {}: v\n", "k".repeat(nine_mb)),
    );
    // A 9 MB block scalar: a script that sleeps, then reads the idToken once, at its end.
    write(
        d,
        "block.yml",
        format!(
            "steps:\n- task: AzureCLI@2\n  inputs:\n    azureSubscription: c\n    scriptType: bash\n    scriptLocation: inlineScript\n    addSpnToEnvironment: true\n    inlineScript: |\n      sleep 900\n{}      az login --federated-token \"$idToken\"\n",
            "      echo building the project, step after step\n".repeat(nine_mb / 46)
        ),
    );
    // A 1 MB task name, and task versions that overflow every integer type.
    write(
        d,
        "task-name.yml",
        format!(
            "steps:\n- task: Azure{}@2\n- task: Bash@99999999999999999999999999\n- task: Bash@3.99999999999999999999.0\n",
            "a".repeat(1024 * 1024)
        ),
    );
    // 100,000 keys, 100,000 steps, 100,000 documents.
    write(
        d,
        "keys.yml",
        "variables:\n".to_string()
            + &(0..100_000)
                .map(|i| format!("  k{i}: v\n"))
                .collect::<String>(),
    );
    write(
        d,
        "steps.yml",
        "steps:\n".to_string()
            + &(0..100_000)
                .map(|i| format!("- script: echo {i}\n"))
                .collect::<String>(),
    );
    write(d, "docs.yml", "steps: []\n---\n".repeat(100_000));
    for name in [
        "plain.yml",
        "quoted.yml",
        "key.yml",
        "block.yml",
        "task-name.yml",
        "keys.yml",
        "steps.yml",
        "docs.yml",
    ] {
        let (out, v) = json_in(d, &[name], name);
        assert_eq!(v["files"], 1, "{name}");
        assert_eq!(count(&v, "file-too-large"), 0, "{name}");
        assert!(
            count(&v, "yaml-syntax") + count(&v, "nesting-too-deep") == 0,
            "{name}: {:?}",
            rules(&v)
        );
        if let Some(kib) = out.peak_kib {
            eprintln!("{name}: peak {} MiB", kib / 1024);
        }
    }
    let (_, v) = json_in(d, &["implicit-key.yml"], "implicit-key.yml");
    assert_eq!(rules(&v), vec!["yaml-syntax"], "{v}");
    let (_, v) = json_in(d, &["block.yml"], "block.yml");
    assert!(count(&v, "idtoken-expiry") >= 1, "{:?}", rules(&v));
    let (_, v) = json_in(d, &["task-name.yml"], "task-name.yml");
    // A major too large for any integer is not a valid reference; the long name is not a known task.
    assert_eq!(count(&v, "task-reference-format"), 1, "{:?}", rules(&v));
    assert_eq!(count(&v, "extension-task"), 1, "{:?}", rules(&v));

    // 50 MB: never read past its size; reported named or found in a directory, and a large file
    // that is not a pipeline is skipped in a directory.
    let big = fs::File::create(d.join("big/azure-pipelines.yml")).or_else(|_| {
        fs::create_dir_all(d.join("big")).unwrap();
        fs::File::create(d.join("big/azure-pipelines.yml"))
    });
    let mut big = std::io::BufWriter::new(big.unwrap());
    let step = "- script: echo hello world from a very large generated pipeline\n";
    std::io::Write::write_all(&mut big, b"trigger: none\nsteps:\n").unwrap();
    for _ in 0..50 * 1024 * 1024 / step.len() {
        std::io::Write::write_all(&mut big, step.as_bytes()).unwrap();
    }
    drop(big);
    write(
        d,
        "big/values.yaml",
        "replicaCount: 1\n".repeat(11 * 1024 * 1024 / 16),
    );
    let (out, v) = json_in(d, &["big/azure-pipelines.yml"], "50 MB named");
    assert_eq!(rules(&v), vec!["file-too-large"], "{v}");
    let (_, v) = json_in(d, &["big"], "50 MB in a directory");
    assert_eq!(rules(&v), vec!["file-too-large"], "{v}");
    assert_eq!(v["diagnostics"][0]["path"], "big/azure-pipelines.yml");
    if let Some(kib) = out.peak_kib {
        assert!(kib < 200 * 1024, "50 MB file: peak {kib} KiB: was it read?");
    }
}

#[test]
fn alias_bombs_are_reported_never_expanded() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Billion laughs: nine levels of nine aliases each (10^9 scalars if expanded).
    let mut text =
        String::from("variables:\n  a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j"];
    for w in names.windows(2) {
        let aliases = vec![format!("*{}", w[0]); 9].join(", ");
        text.push_str(&format!("  {}: &{} [{aliases}]\n", w[1], w[1]));
    }
    write(d, "laughs.yml", &text);
    let (out, v) = json_in(d, &["laughs.yml"], "billion laughs");
    // 10 anchors and 81 aliases, each reported once.
    assert_eq!(count(&v, "yaml-anchor"), 10 + 81, "{:?}", rules(&v));
    assert!(out.stdout.len() < 200_000, "{} bytes", out.stdout.len());
    // The same in block style, with merge keys, and aliases of undefined anchors.
    let mut text = String::from("base: &base\n  pool: x\n");
    for i in 0..1000usize {
        text.push_str(&format!(
            "j{i}: &j{i}\n  <<: *base\n  m: *j{}\n",
            i.saturating_sub(1)
        ));
    }
    text.push_str("steps:\n- script: *nowhere\n");
    write(d, "merge.yml", &text);
    let (_, v) = json_in(d, &["merge.yml"], "merge keys");
    // Over 3,000 anchors and aliases: the first 200 are reported, then one finding counts the rest.
    assert_eq!(count(&v, "yaml-anchor"), 201, "{:?}", rules(&v).len());
}

#[test]
fn encodings_nul_bytes_and_random_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "empty.yml", "");
    write(d, "bom-only.yml", "\u{feff}");
    write(d, "newlines.yml", "\n\r\n\r\n\n");
    write(d, "cr-only.yml", PIPELINE.replace('\n', "\r"));
    write(d, "tabs.yml", "steps:\n\t- script: x\n");
    let mut invalid = PIPELINE.as_bytes().to_vec();
    invalid.extend_from_slice(b"# caf\xe9 \xff\xfe\n");
    write(d, "latin1.yml", &invalid);
    let mut utf16 = vec![0xff, 0xfe];
    for u in PIPELINE.encode_utf16() {
        utf16.extend_from_slice(&u.to_le_bytes());
    }
    write(d, "utf16.yml", &utf16);
    write(d, "nul.yml", format!("{PIPELINE}# \0\0\0\n"));
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    for i in 0..20 {
        let len = 1 + (rng.next() % 65_536) as usize;
        let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        write(d, &format!("random/r{i}.yml"), bytes);
        // Printable YAML punctuation only: parses as garbage, not as binary.
        let alphabet = b"-:[]{}?,&*!|>'\"%@#\n\n  \tab$";
        let text: Vec<u8> = (0..len)
            .map(|_| alphabet[(rng.next() % alphabet.len() as u64) as usize])
            .collect();
        write(d, &format!("punct/p{i}.yml"), text);
    }

    for name in ["empty.yml", "bom-only.yml", "newlines.yml", "tabs.yml"] {
        json_in(d, &[name], name);
    }
    let (_, v) = json_in(d, &["cr-only.yml"], "CR line breaks");
    assert_eq!(count(&v, "yaml-syntax"), 0, "{v}");
    let (_, v) = json_in(d, &["latin1.yml"], "invalid UTF-8");
    assert_eq!(rules(&v), vec!["unreadable-file"], "{v}");
    assert_eq!(v["diagnostics"][0]["line"], 7, "{v}");
    assert_eq!(v["diagnostics"][0]["column"], 6, "{v}");
    let (_, v) = json_in(d, &["utf16.yml"], "UTF-16");
    assert_eq!(rules(&v), vec!["unreadable-file"], "{v}");
    let (_, v) = json_in(d, &["nul.yml"], "NUL bytes");
    assert_eq!(rules(&v), vec!["unreadable-file"], "{v}");
    // In a directory walk, binary and non-UTF-8 files that don't look like pipelines are skipped,
    // and the run goes on.
    let (_, v) = json_in(d, &["."], "the whole directory");
    assert!(v["files"].as_u64().unwrap() >= 2, "{v}");
    // Random bytes and punctuation, named explicitly (in the human format too).
    let mut named: Vec<String> = Vec::new();
    for i in 0..20 {
        named.push(format!("random/r{i}.yml"));
        named.push(format!("punct/p{i}.yml"));
    }
    let args: Vec<&str> = named.iter().map(String::as_str).collect();
    let (_, v) = json_in(d, &args, "random bytes");
    assert_eq!(v["files"], 40, "{}", v["files"]);
    let mut human = vec!["--no-config"];
    human.extend_from_slice(&args);
    assert_clean(&run(d, &human), "random bytes, human format");
}

/// Every fixture gives the same findings at the same lines and columns with CRLF line breaks
/// and a byte-order mark as with LF.
#[test]
fn crlf_and_bom_keep_positions() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let fixtures = common::root().join("fixtures");
    let mut names = Vec::new();
    for rule in fs::read_dir(&fixtures).unwrap().flatten() {
        for f in fs::read_dir(rule.path()).unwrap().flatten() {
            let p = f.path();
            if p.extension().is_some_and(|e| e == "yml") {
                let Ok(text) = fs::read_to_string(&p) else {
                    continue; // the unreadable-file fixtures
                };
                if text.contains('\r') || text.contains('\u{feff}') {
                    continue;
                }
                let name = format!(
                    "{}__{}",
                    rule.file_name().to_string_lossy(),
                    f.file_name().to_string_lossy()
                );
                write(d, &format!("lf/{name}"), &text);
                write(
                    d,
                    &format!("crlf/{name}"),
                    format!("\u{feff}{}", text.replace('\n', "\r\n")),
                );
                names.push(name);
            }
        }
    }
    assert!(names.len() > 50, "{} fixtures", names.len());
    let positions = |sub: &str| {
        let args: Vec<String> = names.iter().map(|n| format!("{sub}/{n}")).collect();
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let (_, v) = json_in(d, &args, sub);
        v["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| {
                format!(
                    "{} {} {}:{}-{}:{}",
                    x["path"].as_str().unwrap().trim_start_matches(sub),
                    x["rule"],
                    x["line"],
                    x["column"],
                    x["end_line"],
                    x["end_column"]
                )
            })
            .collect::<Vec<_>>()
    };
    let lf = positions("lf");
    assert!(lf.len() > 100, "{} findings", lf.len());
    assert_eq!(lf, positions("crlf"));
}

#[cfg(unix)]
#[test]
fn symlink_loops_fifos_and_devices() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "repo/azure-pipelines.yml", PIPELINE);
    let repo = d.join("repo");
    // a -> b -> a, a link to itself, a directory linking to its parent, a link out of the root.
    symlink("b.yml", repo.join("a.yml")).unwrap();
    symlink("a.yml", repo.join("b.yml")).unwrap();
    symlink("self.yml", repo.join("self.yml")).unwrap();
    fs::create_dir_all(repo.join("sub")).unwrap();
    symlink("..", repo.join("sub/up")).unwrap();
    symlink(&repo, repo.join("sub/root")).unwrap();
    symlink("/dev/zero", repo.join("zero.yml")).unwrap();
    // A FIFO that looks like a pipeline: opening it would block forever.
    let fifo = repo.join("fifo.yml");
    let have_fifo = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|s| s.success());
    if !have_fifo {
        eprintln!("mkfifo unavailable: FIFO cases skipped");
    }
    // Templates that point at each of them.
    write(
        d,
        "repo/templates.yml",
        "steps:\n- template: a.yml\n- template: self.yml\n- template: zero.yml\n- template: fifo.yml\n- template: sub\n- template: sub/up/azure-pipelines.yml\n",
    );

    let (_, v) = json_in(&repo, &["."], "directory with loops and a FIFO");
    assert_eq!(v["files"], 2, "{v}");
    let (_, v) = json_in(&repo, &["templates.yml"], "templates to odd files");
    assert_eq!(count(&v, "template-not-found"), 4, "{v}");
    assert_eq!(count(&v, "template-outside-repository"), 1, "{v}");
    for name in ["a.yml", "self.yml"] {
        let (_, v) = json_in(&repo, &[name], name);
        assert_eq!(rules(&v), vec!["unreadable-file"], "{name}: {v}");
    }
    let (_, v) = json_in(&repo, &["zero.yml", "/dev/null"], "devices named");
    assert_eq!(rules(&v), vec!["unreadable-file"; 2], "{v}");
    if have_fifo {
        let (_, v) = json_in(&repo, &["fifo.yml", "azure-pipelines.yml"], "FIFO named");
        assert_eq!(rules(&v), vec!["unreadable-file"], "{v}");
        let (_, v) = json_in(
            &repo,
            &["--pipelines-only", "fifo.yml"],
            "FIFO named, --pipelines-only",
        );
        assert!(count(&v, "unreadable-file") <= 1, "{v}");
    }
    // A FIFO as the configuration file found from the linted directory: not opened.
    if have_fifo {
        let cfg = d.join("cfg");
        write(&cfg, "azure-pipelines.yml", PIPELINE);
        let ok = Command::new("mkfifo")
            .arg(cfg.join(".azplint.yml"))
            .status()
            .is_ok_and(|s| s.success());
        if ok {
            let out = run(&cfg, &["--format", "json", "."]);
            assert!(out.code != -1, "{}", out.stderr);
            assert!(!out.stderr.contains("panicked"), "{}", out.stderr);
        }
    }
}

#[cfg(unix)]
#[test]
fn unreadable_files_and_directories() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "ok/azure-pipelines.yml", PIPELINE);
    let file = write(d, "locked.yml", PIPELINE);
    write(d, "closed/inner.yml", PIPELINE);
    fs::set_permissions(&file, fs::Permissions::from_mode(0o000)).unwrap();
    fs::set_permissions(d.join("closed"), fs::Permissions::from_mode(0o000)).unwrap();
    let readable_anyway = fs::read(&file).is_ok();
    let result = std::panic::catch_unwind(|| {
        if readable_anyway {
            eprintln!(
                "skipped: running as root (or with CAP_DAC_OVERRIDE), chmod 000 doesn't block reading"
            );
            return;
        }
        let (_, v) = json_in(d, &["."], "directory with unreadable entries");
        assert_eq!(count(&v, "unreadable-file"), 2, "{v}");
        // The readable pipeline is still linted.
        assert!(v["files"].as_u64().unwrap() >= 2, "{v}");
        let (_, v) = json_in(d, &["locked.yml"], "unreadable file named");
        assert_eq!(rules(&v), vec!["unreadable-file"], "{v}");
    });
    // Restore permissions so that the temporary directory can be removed.
    fs::set_permissions(&file, fs::Permissions::from_mode(0o644)).unwrap();
    fs::set_permissions(d.join("closed"), fs::Permissions::from_mode(0o755)).unwrap();
    if let Err(e) = result {
        std::panic::resume_unwind(e);
    }
}

/// A file that vanishes between discovery and reading: reported, and the run goes on.
#[test]
fn files_that_vanish_mid_run() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(d, "present.yml", PIPELINE);
    let root = d.canonicalize().unwrap();
    let candidate = |name: &str| azplint::discover::Candidate {
        fs_path: root.join(name),
        display: name.to_string(),
        explicit: false,
        root: root.clone(),
        canonical: Some(root.join(name)),
    };
    let ws = azplint::workspace::Workspace::build(
        &[candidate("vanished.yml"), candidate("present.yml")],
        &Default::default(),
        None,
        &Default::default(),
    );
    assert_eq!(ws.files.len(), 1);
    assert_eq!(ws.unreadable.len(), 1);
    assert!(
        matches!(
            &ws.unreadable[0].problem,
            azplint::workspace::LoadProblem::Unreadable { message, .. } if message.contains("vanished.yml")
        ),
        "{:?}",
        ws.unreadable[0].problem
    );
    // Through `lint`, a path that vanished before discovery.
    let report = azplint::lint(&azplint::Options {
        paths: vec![root.join("gone.yml"), root.join("present.yml")],
        ..Default::default()
    })
    .unwrap();
    let found: Vec<&str> = report.diagnostics().map(|(_, d)| d.rule).collect();
    assert_eq!(found, vec!["unreadable-file"]);
}

#[test]
fn template_cycles_chains_and_wide_includes() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    fs::create_dir_all(d.join(".git")).unwrap();
    // A template including itself, and a 2-cycle.
    write(d, "self.yml", "steps:\n- template: self.yml\n");
    write(d, "two-a.yml", "steps:\n- template: two-b.yml\n");
    write(d, "two-b.yml", "steps:\n- template: two-a.yml\n");
    // A chain of 30 files (Azure stops at 20 levels).
    for i in 0..30 {
        let next = if i + 1 < 30 {
            format!("- template: c{}.yml\n", i + 1)
        } else {
            "- script: echo end\n".to_string()
        };
        write(d, &format!("chain/c{i}.yml"), format!("steps:\n{next}"));
    }
    // One template included 10,000 times from one file; the template has one finding.
    write(
        d,
        "wide/t.yml",
        "steps:\n- task: NodeTool@0\n  inputs:\n    versionSpec: '20.x'\n",
    );
    write(
        d,
        "wide/azure-pipelines.yml",
        "steps:\n".to_string() + &"- template: t.yml\n".repeat(10_000),
    );
    // 150 distinct templates from one pipeline (Azure allows 100 files).
    for i in 0..150 {
        write(d, &format!("many/t{i}.yml"), "steps:\n- script: echo\n");
    }
    write(
        d,
        "many/azure-pipelines.yml",
        "steps:\n".to_string()
            + &(0..150)
                .map(|i| format!("- template: t{i}.yml\n"))
                .collect::<String>(),
    );
    // A lattice: each level includes the next one twice, 18 levels (2^18 paths, 18 files).
    for i in 0..18 {
        let body = if i + 1 < 18 {
            format!("- template: l{0}.yml\n- template: l{0}.yml\n", i + 1)
        } else {
            "- script: echo\n".to_string()
        };
        write(d, &format!("lattice/l{i}.yml"), format!("steps:\n{body}"));
    }

    let (_, v) = json_in(d, &["self.yml"], "self include");
    assert_eq!(rules(&v), vec!["template-cycle"], "{v}");
    let (_, v) = json_in(d, &["two-a.yml"], "2-cycle");
    assert_eq!(rules(&v), vec!["template-cycle"], "{v}");
    let (_, v) = json_in(d, &["chain/c0.yml"], "chain of 30");
    assert_eq!(rules(&v), vec!["template-cycle"], "{v}");
    assert!(v["diagnostics"][0]["message"]
        .as_str()
        .unwrap()
        .contains("more than 20 levels"));
    let (_, v) = json_in(d, &["wide/azure-pipelines.yml"], "10,000 includes");
    assert_eq!(v["files"], 2, "{v}");
    assert_eq!(rules(&v), vec!["deprecated-task"], "{v}");
    let (_, v) = json_in(d, &["many/azure-pipelines.yml"], "150 templates");
    assert_eq!(rules(&v), vec!["template-cycle"], "{v}");
    let (_, v) = json_in(d, &["lattice/l0.yml"], "lattice");
    assert_eq!(v["files"], 18, "{v}");
    assert!(rules(&v).is_empty(), "{v}");
    // Everything at once, as a directory.
    let (_, v) = json_in(d, &["."], "all");
    assert!(count(&v, "template-cycle") >= 4, "{:?}", rules(&v));
}

// Regression tests for bugs found by these tests, the property tests and the fuzz target (fixed in
// 0e9fc4a). Each one failed before the fix: killed by the 60 s or 1 GiB guard, or wrong positions.

/// The human report rendered each finding through miette's `SourceCode for str`, which scans the
/// text from its start for every finding: time grew with findings × file size, and 100,000
/// duplicate keys (700 KB) took minutes.
#[test]
fn human_report_of_many_findings_is_linear() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "dup.yml",
        "variables:\n".to_string() + &"  k: v\n".repeat(100_000),
    );
    let out = run(dir.path(), &["--no-config", "dup.yml"]);
    assert_clean(&out, "100,000 duplicate keys, human");
}

/// Every alias was a finding, each with its own strings: a 2 MB file of aliases needed about a
/// gigabyte. Findings per rule and file are bounded now.
#[test]
fn many_findings_stay_in_bounded_memory() {
    let dir = tempfile::tempdir().unwrap();
    let line = "  *a, *a, *a, *a, *a, *a, *a, *a, *a, *a,\n";
    let text = format!(
        "variables:\n  a: &a 1\n  b: [\n{}  *a]\n",
        line.repeat(2 * 1024 * 1024 / line.len())
    );
    write(dir.path(), "aliases.yml", text);
    let out = run(
        dir.path(),
        &["--no-config", "--format", "json", "aliases.yml"],
    );
    assert_clean(&out, "aliases");
    let kib = out.peak_kib.unwrap_or(0);
    assert!(kib < 256 * 1024, "peak {} MiB", kib / 1024);
}

/// `yaml-anchor` looked for each alias's anchor among all anchors of the document:
/// anchors × aliases. 60,000 of each (1.3 MB) took minutes.
#[test]
fn anchors_and_aliases_are_matched_in_linear_time() {
    let dir = tempfile::tempdir().unwrap();
    let text: String = "steps:\n".to_string()
        + &(0..60_000)
            .map(|i| format!("- &a{i} x\n- *a{i}\n"))
            .collect::<String>();
    write(dir.path(), "anchors.yml", text);
    let out = run(
        dir.path(),
        &["--no-config", "--format", "short", "anchors.yml"],
    );
    assert_clean(&out, "anchors");
}

/// `yaml-syntax` and `nesting-too-deep` ended their span one byte after the parser's offset,
/// inside a multi-byte character: the end column snapped back to the start column (an empty
/// range in JSON, SARIF and the annotations).
#[test]
fn yaml_syntax_range_covers_a_whole_character() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "e.yml", "b: *x\n  é: ü\n");
    let (_, v) = json_in(dir.path(), &["e.yml"], "é");
    let d = &v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["rule"] == "yaml-syntax")
        .unwrap()
        .clone();
    assert_eq!(
        (d["line"].clone(), d["column"].clone()),
        (2.into(), 3.into())
    );
    assert_eq!(d["end_column"], 4, "{d}");
}

/// A condition cut off at the end of a file without a final line break got a span one byte past
/// the text: JSON and SARIF got an empty range, and the human report dropped the label.
#[test]
fn condition_cut_off_at_end_of_file_points_into_the_text() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "c.yml", "steps:\n- script: x\n  condition: eq(");
    let (_, v) = json_in(dir.path(), &["c.yml"], "eq(");
    let d = &v["diagnostics"][0];
    assert_eq!(d["rule"], "condition-syntax");
    assert!(
        d["end_column"].as_u64() > d["column"].as_u64() || d["column"].as_u64() < Some(17),
        "{d}"
    );
    let out = run(dir.path(), &["--no-config", "c.yml"]);
    assert!(out.stdout.contains('╰'), "no label:\n{}", out.stdout);
}

/// `spn_scripts::find_uses` lowercased the whole script before each use of the variable it looks
/// for (`before.to_ascii_lowercase()`): script length × uses. A 9 MB inline script that uses
/// `$idToken` on every line took minutes.
#[test]
fn scripts_with_many_token_uses_are_linear() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "uses.yml",
        format!(
            "steps:\n- task: AzureCLI@2\n  inputs:\n    azureSubscription: c\n    scriptType: bash\n    scriptLocation: inlineScript\n    addSpnToEnvironment: true\n    inlineScript: |\n{}",
            "      az login --federated-token \"$idToken\"\n".repeat(9 * 1024 * 1024 / 46)
        ),
    );
    let out = run(dir.path(), &["--no-config", "--format", "json", "uses.yml"]);
    assert_clean(&out, "9 MB of idToken uses");
}

/// Every `$(System.AccessToken)` of a script is a finding with a fix; building each fix must not
/// rescan the script (a quoted-heredoc check per finding was script length × uses).
#[test]
fn fixes_of_many_token_uses_are_linear() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "tokens.yml",
        format!(
            "steps:\n- bash: |\n{}",
            "    curl -H \"Authorization: Bearer $(System.AccessToken)\" https://x/\n"
                .repeat(2 * 1024 * 1024 / 64)
        ),
    );
    let out = run(
        dir.path(),
        &["--no-config", "--format", "short", "tokens.yml"],
    );
    assert!(
        out.stdout.contains("token-on-command-line"),
        "{}",
        &out.stderr
    );
}

/// Files over 10 MiB are reported as `file-too-large` without being read; standard input
/// (`--stdin-filename PATH -`) was read and linted whatever its size: 50 MB took about 550 MiB.
#[test]
fn standard_input_has_the_file_size_limit() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let text = "steps:\n".to_string()
        + &"- script: echo hello world from a very large generated pipeline\n"
            .repeat(50 * 1024 * 1024 / 64);
    let input = write(d, "input", text);
    let out = run_with_stdin(
        d,
        &[
            "--no-config",
            "--format",
            "json",
            "--stdin-filename",
            "p.yml",
            "-",
        ],
        Some(&input),
    );
    assert_clean(&out, "50 MB on standard input");
    assert!(
        out.stdout.contains("file-too-large"),
        "{}",
        &out.stdout[..out.stdout.len().min(500)]
    );
    let kib = out.peak_kib.unwrap_or(0);
    assert!(kib < 150 * 1024, "peak {} MiB", kib / 1024);
}

/// A file that is not UTF-8 gets `unreadable-file` at the first invalid byte (exit 1); the same
/// text on standard input was a fatal error (exit 2, "can't read standard input").
#[test]
fn invalid_utf8_on_standard_input_is_a_finding() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let input = write(d, "input", b"steps:\n- script: caf\xe9\n");
    let out = run_with_stdin(
        d,
        &[
            "--no-config",
            "--format",
            "json",
            "--stdin-filename",
            "p.yml",
            "-",
        ],
        Some(&input),
    );
    assert_clean(&out, "invalid UTF-8 on standard input");
    assert!(out.stdout.contains("unreadable-file"), "{}", out.stdout);
}
