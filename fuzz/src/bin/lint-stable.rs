//! The `lint` fuzz target on a stable toolchain: a small mutation loop instead of libFuzzer.
//!
//! ```sh
//! cargo run --release --manifest-path fuzz/Cargo.toml --bin lint-stable -- [SECONDS] [--seed N] [DIR...]
//! ```
//!
//! Seeds are the `*.yml`/`*.yaml` files under the DIRs (default: `fixtures/`, `../shared/corpus`
//! when present, and every file of `fuzz/corpus/lint` when present). Each iteration takes a seed
//! (or an earlier mutant whose set of findings was new), applies 1 to 4 mutations (byte flips,
//! inserted YAML and pipeline tokens, deleted or duplicated ranges, truncation, splicing with
//! another seed, indentation changes, swapped lines, long repetitions of `[`, `- `, `{a: `,
//! invalid UTF-8, NUL, CRLF, BOM) and lints the result, rendering it in every output format
//! (`azplint_fuzz::lint_bytes`).
//!
//! Panics are caught and saved to `fuzz/artifacts/lint-stable/crash-*` (the input, and the
//! message in `.txt`); an iteration over 10 s is saved as `timeout-*` and stops the run; the
//! process growing past 2 GiB is saved as `oom-*` and stops the run; inputs taking over 1 s are
//! saved as `slow-*`; the slowest input of the run is saved as `slowest-*`. Exit code: 0 when nothing was found, 1 otherwise.

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const MAX_SEED_BYTES: u64 = 256 * 1024;
const MAX_INPUT: usize = 1024 * 1024;
const POOL_LIMIT: usize = 20_000;
const TIMEOUT: Duration = Duration::from_secs(10);
const SLOW: Duration = Duration::from_secs(1);
const RSS_LIMIT_KIB: u64 = 2 * 1024 * 1024;

/// YAML and pipeline fragments inserted by the mutator.
const TOKENS: &[&str] = &[
    "- ",
    ": ",
    ":",
    "-",
    "\n",
    "\n  ",
    "\n- ",
    "  ",
    "\t",
    "\r\n",
    "\r",
    "#",
    " # azplint: ignore[",
    " # azplint: ignore-file[yaml-anchor]",
    "]",
    "[",
    "{",
    "}",
    ",",
    "'",
    "\"",
    "\\",
    "|",
    "|-",
    ">",
    ">+",
    "? ",
    "!!str ",
    "!tag ",
    "&a ",
    "*a",
    "&anchor ",
    "*anchor",
    "<<: *a",
    "---\n",
    "...\n",
    "%YAML 1.2\n",
    "%TAG ! x\n",
    "${{ ",
    " }}",
    "${{ if eq(parameters.a, 'b') }}:",
    "${{ else }}:",
    "${{ elseif true }}:",
    "${{ each x in parameters.list }}:",
    "${{ insert }}:",
    "$(",
    ")",
    "$[ ",
    " ]",
    "variables['a']",
    "parameters.",
    "eq(",
    "and(",
    "not(",
    "succeeded()",
    "format('{0}', 1)",
    "task: ",
    "AzureCLI@2",
    "AzureFileCopy@5",
    "Bash@3",
    "PowerShell@2",
    "a.b.c.Task@1",
    "NoSuch@99",
    "@",
    "inputs:\n",
    "  azureSubscription: x\n",
    "addSpnToEnvironment: true\n",
    "inlineScript: |\n    echo $idToken\n",
    "script: ",
    "bash: ",
    "pwsh: ",
    "template: ",
    "template: x.yml",
    "template: x.yml@alias",
    "parameters:\n",
    "- name: p\n  type: string\n",
    "  default: x\n",
    "  values: [a]\n",
    "stages:\n",
    "- stage: A\n",
    "jobs:\n",
    "- job: B\n",
    "- deployment: D\n",
    "steps:\n",
    "dependsOn: ",
    "condition: ",
    "pool:\n  vmImage: ",
    "ubuntu-20.04",
    "vs2017-win2016",
    "schedules:\n- cron: '",
    "* * * * *",
    "0 0 * * Tue,Fr",
    "trigger:\n",
    "extends:\n",
    "resources:\n  repositories:\n  - repository: r\n",
    "strategy:\n  matrix:\n",
    "displayName: ",
    "é",
    "\u{feff}",
    "\u{200b}",
    "##vso[task.x]",
    "::error::",
    "\0",
    "null",
    "~",
    "true",
    "yes",
    "0x1F",
    "1e999",
    "-.inf",
];

/// Invalid UTF-8 sequences.
const BAD_UTF8: &[&[u8]] = &[
    b"\xc3",
    b"\xff",
    b"\xfe\xff",
    b"\xed\xa0\x80",
    b"\xf4\x90\x80\x80",
    b"\xc0\xaf",
    b"\xe2\x82",
    b"\x80",
];

/// xorshift64*: enough randomness for mutation, reproducible from `--seed`.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }
    fn chance(&mut self, one_in: usize) -> bool {
        self.below(one_in) == 0
    }
}

fn mutate(rng: &mut Rng, input: &mut Vec<u8>, seeds: &[Vec<u8>]) {
    let len = input.len();
    let pos = rng.below(len + 1);
    match rng.below(14) {
        0 => {
            if len > 0 {
                let i = rng.below(len);
                input[i] ^= 1 << rng.below(8);
            }
        }
        1 => {
            if len > 0 {
                let i = rng.below(len);
                let bytes = b"\0\xff\n\r:- \t[]{}&*#\"'|>!%@?$,";
                input[i] = bytes[rng.below(bytes.len())];
            }
        }
        2 | 3 => {
            let t = TOKENS[rng.below(TOKENS.len())].as_bytes();
            input.splice(pos..pos, t.iter().copied());
        }
        4 => {
            let end = (pos + 1 + rng.below(64)).min(len);
            if pos < end {
                input.drain(pos..end);
            }
        }
        5 => {
            // Duplicate a range somewhere else.
            if len > 0 {
                let a = rng.below(len);
                let b = (a + 1 + rng.below(256)).min(len);
                let chunk = input[a..b].to_vec();
                let at = rng.below(input.len() + 1);
                input.splice(at..at, chunk);
            }
        }
        6 => input.truncate(pos),
        7 => {
            // Splice: this input's prefix, another seed's suffix.
            let other = &seeds[rng.below(seeds.len())];
            let from = rng.below(other.len() + 1);
            input.truncate(pos);
            input.extend_from_slice(&other[from..]);
        }
        8 => {
            // Indent or dedent the line around `pos`.
            let start = input[..pos]
                .iter()
                .rposition(|&b| b == b'\n')
                .map_or(0, |i| i + 1);
            if rng.chance(2) {
                let n = 1 + rng.below(4);
                input.splice(start..start, std::iter::repeat_n(b' ', n));
            } else {
                let spaces = input[start..].iter().take_while(|&&b| b == b' ').count();
                let n = spaces.min(1 + rng.below(4));
                input.drain(start..start + n);
            }
        }
        9 => {
            // Long repetitions: deep nesting, many keys, long scalars.
            let unit: &[u8] = match rng.below(8) {
                0 => b"[",
                1 => b"{a: ",
                2 => b"- ",
                3 => b"a",
                4 => b"k: v\n",
                5 => b"  ",
                6 => b"- &a [*a, *a]\n",
                _ => b"${{ ",
            };
            let max = if rng.chance(8) { 5000 } else { 300 };
            let n = 1 + rng.below(max);
            let block: Vec<u8> = unit.iter().copied().cycle().take(unit.len() * n).collect();
            input.splice(pos..pos, block);
        }
        10 => {
            let b = BAD_UTF8[rng.below(BAD_UTF8.len())];
            input.splice(pos..pos, b.iter().copied());
        }
        11 => {
            // Line endings and BOM.
            if rng.chance(2) {
                let mut out = Vec::with_capacity(input.len() + input.len() / 16);
                for &b in input.iter() {
                    if b == b'\n' {
                        out.push(b'\r');
                    }
                    out.push(b);
                }
                *input = out;
            } else {
                input.splice(0..0, "\u{feff}".bytes());
            }
        }
        12 => {
            // Swap two lines.
            let mut lines: Vec<Vec<u8>> =
                input.split(|&b| b == b'\n').map(<[u8]>::to_vec).collect();
            if lines.len() > 2 {
                let a = rng.below(lines.len());
                let b = rng.below(lines.len());
                lines.swap(a, b);
                *input = lines.join(&b'\n');
            }
        }
        _ => {
            // Replace the text after a `: ` with a token (values, expressions, anchors).
            if let Some(off) = input[pos..].windows(2).position(|w| w == b": ") {
                let at = pos + off + 2;
                let end = input[at..]
                    .iter()
                    .position(|&b| b == b'\n')
                    .map_or(input.len(), |e| at + e);
                let t = TOKENS[rng.below(TOKENS.len())].as_bytes();
                input.splice(at..end, t.iter().copied());
            }
        }
    }
    input.truncate(MAX_INPUT);
}

fn collect_seeds(dir: &Path, any_file: bool, out: &mut Vec<Vec<u8>>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        let Ok(meta) = std::fs::symlink_metadata(&p) else {
            continue;
        };
        if meta.is_dir() {
            collect_seeds(&p, any_file, out);
        } else if meta.is_file() && meta.len() <= MAX_SEED_BYTES {
            let yaml = p.extension().is_some_and(|e| e == "yml" || e == "yaml");
            if yaml || any_file {
                if let Ok(b) = std::fs::read(&p) {
                    out.push(b);
                }
            }
        }
    }
}

fn fnv(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(0)
}

fn save(dir: &Path, kind: &str, data: &[u8], note: &str) -> PathBuf {
    let _ = std::fs::create_dir_all(dir);
    let p = dir.join(format!("{kind}-{:016x}", fnv(data)));
    let _ = std::fs::write(&p, data);
    if !note.is_empty() {
        let _ = std::fs::write(p.with_extension("txt"), note);
    }
    p
}

fn main() {
    let mut seconds: u64 = 60;
    let mut seed: u64 = 0;
    let mut dirs: Vec<PathBuf> = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        if a == "--seed" {
            seed = args.next().and_then(|s| s.parse().ok()).expect("--seed N");
        } else if let Ok(n) = a.parse() {
            seconds = n;
        } else {
            dirs.push(PathBuf::from(a));
        }
    }
    let here = Path::new(env!("CARGO_MANIFEST_DIR"));
    if dirs.is_empty() {
        dirs = vec![
            here.join("../fixtures"),
            here.join("../../shared/corpus"),
            here.join("corpus/lint"),
        ];
    }
    if seed == 0 {
        seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |d| d.as_nanos() as u64)
            | 1;
    }
    let artifacts = here.join("artifacts/lint-stable");

    let mut seeds = Vec::new();
    for d in &dirs {
        // libFuzzer's corpus files have no extension.
        collect_seeds(d, d.ends_with("corpus/lint"), &mut seeds);
    }
    if seeds.is_empty() {
        seeds.push(b"steps:\n- task: AzureCLI@2\n  inputs:\n    azureSubscription: x\n".to_vec());
    }
    eprintln!(
        "lint-stable: {} seeds from {:?}; {seconds} s; --seed {seed}",
        seeds.len(),
        dirs
    );

    // Panics are caught and saved; keep their message, not the default hook's output.
    let last_panic: Arc<Mutex<String>> = Arc::default();
    {
        let last = last_panic.clone();
        std::panic::set_hook(Box::new(move |info| {
            if let Ok(mut l) = last.lock() {
                *l = info.to_string();
            }
        }));
    }

    // Watchdog: an iteration over TIMEOUT, or the process over RSS_LIMIT_KIB, stops the run with
    // the input saved.
    let current: Arc<Mutex<Vec<u8>>> = Arc::default();
    let started_ms = Arc::new(AtomicU64::new(0));
    let done = Arc::new(AtomicBool::new(false));
    let epoch = Instant::now();
    let peak_rss = Arc::new(AtomicU64::new(0));
    {
        let (current, started_ms, done, artifacts, peak_rss) = (
            current.clone(),
            started_ms.clone(),
            done.clone(),
            artifacts.clone(),
            peak_rss.clone(),
        );
        std::thread::spawn(move || {
            while !done.load(Ordering::Relaxed) {
                std::thread::sleep(Duration::from_millis(100));
                let rss = rss_kib();
                peak_rss.fetch_max(rss, Ordering::Relaxed);
                let start = started_ms.load(Ordering::Relaxed);
                let now = epoch.elapsed().as_millis() as u64;
                let stuck = start > 0 && now.saturating_sub(start) > TIMEOUT.as_millis() as u64;
                if stuck || rss > RSS_LIMIT_KIB {
                    let kind = if stuck { "timeout" } else { "oom" };
                    let data = current.lock().map(|c| c.clone()).unwrap_or_default();
                    let p = save(&artifacts, kind, &data, &format!("rss {rss} KiB"));
                    eprintln!("lint-stable: {kind}: input saved to {}", p.display());
                    std::process::exit(1);
                }
            }
        });
    }

    let mut rng = Rng(seed);
    let mut pool: Vec<Vec<u8>> = seeds.clone();
    let mut signatures: HashSet<Vec<&'static str>> = HashSet::new();
    let mut crashes: HashSet<String> = HashSet::new();
    let mut slow = 0usize;
    let mut iterations: u64 = 0;
    let mut max_iter = Duration::ZERO;
    let mut slowest: Vec<u8> = Vec::new();
    let mut total_bytes: u64 = 0;
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut next_report = Instant::now() + Duration::from_secs(60);
    let t0 = Instant::now();
    // Every seed once unmutated, then mutants until the deadline.
    let mut unmutated = 0usize;
    while Instant::now() < deadline {
        let input = if unmutated < seeds.len() {
            unmutated += 1;
            seeds[unmutated - 1].clone()
        } else {
            let mut input = pool[rng.below(pool.len())].clone();
            for _ in 0..1 + rng.below(4) {
                mutate(&mut rng, &mut input, &seeds);
            }
            input
        };
        if let Ok(mut c) = current.lock() {
            c.clear();
            c.extend_from_slice(&input);
        }
        started_ms.store(epoch.elapsed().as_millis() as u64 + 1, Ordering::Relaxed);
        let t = Instant::now();
        let result = std::panic::catch_unwind(|| azplint_fuzz::lint_bytes(&input));
        let took = t.elapsed();
        started_ms.store(0, Ordering::Relaxed);
        iterations += 1;
        total_bytes += input.len() as u64;
        if took > max_iter {
            max_iter = took;
            slowest.clone_from(&input);
        }
        if took > SLOW {
            slow += 1;
            let p = save(&artifacts, "slow", &input, &format!("{took:?}"));
            eprintln!(
                "lint-stable: slow input ({took:?}) saved to {}",
                p.display()
            );
        }
        match result {
            Ok(mut rules) => {
                rules.sort_unstable();
                rules.dedup();
                if signatures.insert(rules) && input.len() <= 64 * 1024 {
                    if pool.len() < POOL_LIMIT {
                        pool.push(input);
                    } else {
                        let i = seeds.len() + rng.below(POOL_LIMIT - seeds.len());
                        pool[i] = input;
                    }
                }
            }
            Err(_) => {
                let msg = last_panic.lock().map(|m| m.clone()).unwrap_or_default();
                // One artifact per panic location.
                let key = msg.lines().next().unwrap_or("").to_string();
                if crashes.insert(key) {
                    let p = save(&artifacts, "crash", &input, &msg);
                    eprintln!("lint-stable: PANIC {msg}\n  input saved to {}", p.display());
                }
            }
        }
        if Instant::now() >= next_report {
            next_report += Duration::from_secs(60);
            eprintln!(
                "lint-stable: {iterations} iterations, {:.0}/s, {} distinct panics, {slow} slow, slowest {:?}, pool {}, peak RSS {} MiB",
                iterations as f64 / t0.elapsed().as_secs_f64(),
                crashes.len(),
                max_iter,
                pool.len(),
                peak_rss.load(Ordering::Relaxed) / 1024
            );
        }
    }
    done.store(true, Ordering::Relaxed);
    // The slowest input, to look at (not a failure unless over SLOW).
    let p = save(&artifacts, "slowest", &slowest, &format!("{max_iter:?}"));
    eprintln!("lint-stable: slowest input saved to {}", p.display());
    let secs = t0.elapsed().as_secs_f64();
    eprintln!(
        "lint-stable: done: {iterations} iterations in {secs:.0} s ({:.0}/s, {:.1} MB linted), {} distinct panics, {slow} inputs over 1 s, slowest input {max_iter:?}, {} distinct finding sets, peak RSS {} MiB",
        iterations as f64 / secs,
        total_bytes as f64 / 1e6,
        crashes.len(),
        signatures.len(),
        peak_rss.load(Ordering::Relaxed) / 1024
    );
    let _ = std::io::stderr().flush();
    std::process::exit(if crashes.is_empty() && slow == 0 {
        0
    } else {
        1
    });
}
