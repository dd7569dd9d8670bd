//! The fast path against the `granit-parser` path: on real pipelines (the shared corpora), on
//! generated pipeline-ish YAML, on mutations of the fixtures, and on the cases it handles.

use super::super::parse::parse_granit;
use super::super::{Document, Node, NodeKind, ScalarStyle};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use std::path::{Path, PathBuf};

/// `fast::parse(text)` against the other path: `Some` must be exactly its `Ok`, and an error
/// there must be `None` here; `Err` says what differs.
fn compare(text: &str) -> Result<Option<Vec<Document>>, String> {
    let fast = super::parse(text);
    match (&fast, parse_granit(text)) {
        (Some(f), Ok(s)) if *f != s => Err(format!(
            "fast path differs on {text:?}:\n fast: {f:?}\n granit: {s:?}"
        )),
        (Some(f), Err(e)) => Err(format!(
            "fast path accepts what granit rejects ({e:?}): {text:?} -> {f:?}"
        )),
        _ => Ok(fast),
    }
}

/// [`compare`], failing the test on a difference.
fn check(text: &str) -> Option<Vec<Document>> {
    compare(text).unwrap_or_else(|m| panic!("{m}"))
}

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            yaml_files(&p, out);
        } else if p.extension().is_some_and(|e| e == "yml" || e == "yaml") {
            out.push(p);
        }
    }
}

#[test]
fn corpus_matches_granit() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dirs = [
        root.join("../shared/corpus"),
        root.join("../shared/corpus-extra"),
    ];
    if !dirs.iter().any(|d| d.is_dir()) {
        eprintln!("corpus_matches_granit: no ../shared/corpus(-extra), skipped");
        return;
    }
    let mut files = Vec::new();
    for d in &dirs {
        yaml_files(d, &mut files);
    }
    let (mut n, mut bytes, mut bailed, mut bailed_bytes) = (0usize, 0usize, 0usize, 0usize);
    let mut bails = Vec::new();
    for f in &files {
        let Ok(text) = std::fs::read_to_string(f) else {
            continue;
        };
        n += 1;
        bytes += text.len();
        if check(&text).is_none() {
            bailed += 1;
            bailed_bytes += text.len();
            if parse_granit(&text).is_ok() {
                // The first line whose prefix the fast path gives up on: why it fell back.
                let mut at = 0;
                let mut why = String::new();
                for line in text.split_inclusive('\n') {
                    at += line.len();
                    if super::parse(&text[..at]).is_none() && parse_granit(&text[..at]).is_ok() {
                        why = line.trim_end().to_string();
                        break;
                    }
                }
                bails.push(format!("{}: {why}", f.display()));
            }
        }
    }
    eprintln!(
        "corpus_matches_granit: {n} files, {bytes} bytes; fell back on {bailed} files ({:.1}%), {bailed_bytes} bytes ({:.1}%)",
        100.0 * bailed as f64 / n.max(1) as f64,
        100.0 * bailed_bytes as f64 / bytes.max(1) as f64
    );
    if std::env::var_os("FAST_YAML_BAILS").is_some() {
        for b in &bails {
            eprintln!("  bail: {b}");
        }
    }
    assert!(n > 0);
    // The fast path must take most real pipelines (it fell back on under 3% when written).
    assert!(
        bailed * 10 <= n,
        "fast path fell back on {bailed} of {n} files"
    );
}

/// Line contents for generated texts: what pipelines are made of (the fast path's subset), and
/// pieces it must give up on.
const FRAGMENTS: &[&str] = &[
    "trigger:",
    "trigger: none",
    "pool:",
    "vmImage: ubuntu-latest",
    "steps:",
    "jobs:",
    "variables:",
    "parameters:",
    "inputs:",
    "name: a",
    "value: b",
    "displayName: 'Build it'",
    "condition: and(succeeded(), eq(variables['a'], 'b'))",
    "dependsOn: [A, B]",
    "dependsOn: []",
    "default: {}",
    "env: { TMP: $(tmpDir), TEMP: \"x\" }",
    "values: [a b, 'c', \"d\"]",
    "- task: AzureCLI@2",
    "- script: echo hi",
    "- bash: |",
    "- pwsh: >-",
    "script: |-",
    "script: |+",
    "script: >",
    "script: | # comment",
    "echo one",
    "  echo indented",
    "#comment in text",
    "- ",
    "-",
    "- - x",
    "- a: 1",
    "  b: 2",
    "- ${{ if eq(parameters.a, 'b') }}:",
    "${{ else }}:",
    "${{ each s in parameters.steps }}:",
    "k: ${{ format('{0}', parameters.x) }}",
    "k: $[ variables.x ]",
    "key with spaces: v",
    "'quoted key': v",
    "\"dq key\" : v",
    "k: 'it''s'",
    "k: \"a\\tb\\u00e9\\x41\\\"\"",
    "k: \"multi",
    "line\"",
    "k: 'multi",
    "line'",
    "k: \"ends with escape \\",
    "k: plain # comment",
    "k: # comment",
    "k:",
    "k: a:b",
    "k: x#y",
    "k: http://example.com",
    "k: -1",
    "k: --flag",
    "plain continuation",
    "- continuation-ish",
    "# comment",
    "   ",
    "",
    "---",
    "--- # doc",
    "...",
    "k: &a x",
    "k: *a",
    "k: !tag x",
    "? complex",
    ": value",
    "k: [a, [b]]",
    "k: {a: b}",
    "k: [a,",
    "k: \"\\uD83D\\uDE00\"",
    "k: \"\\q\"",
    "k: 'unterminated",
    "%YAML 1.2",
    "\t- tab",
    "é: ü",
    "k: v  ",
    "a: b: c",
    "k: \"x\" y",
];

/// A YAML-ish text: lines of fragments at changing indentation, LF or CRLF, maybe a BOM.
fn yamlish() -> impl Strategy<Value = String> {
    let indent = prop_oneof![4 => (0usize..5).prop_map(|i| i * 2), 1 => 0usize..10];
    let line = (
        indent,
        prop::sample::select(FRAGMENTS),
        prop::option::weighted(0.1, prop::sample::select(FRAGMENTS)),
        prop::bool::weighted(0.1),
    );
    (
        prop::collection::vec(line, 0..30),
        any::<bool>(),
        prop::bool::weighted(0.05),
        prop::bool::weighted(0.1),
    )
        .prop_map(|(lines, crlf, bom, no_final_newline)| {
            let eol = if crlf { "\r\n" } else { "\n" };
            let mut text = String::new();
            if bom {
                text.push('\u{feff}');
            }
            for (indent, fragment, tail, trailing_space) in lines {
                text.push_str(&" ".repeat(indent));
                text.push_str(fragment);
                if let Some(t) = tail {
                    text.push(' ');
                    text.push_str(t);
                }
                if trailing_space {
                    text.push_str("  ");
                }
                text.push_str(eol);
            }
            if no_final_newline {
                text.truncate(text.trim_end_matches(['\r', '\n']).len());
            }
            text
        })
}

fn cases(n: u32) -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(n);
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
}

#[test]
fn generated_texts_match_granit() {
    let mut runner = TestRunner::new(cases(4000));
    let taken = std::cell::Cell::new(0u32);
    runner
        .run(&yamlish(), |text| {
            if compare(&text).map_err(TestCaseError::fail)?.is_some() {
                taken.set(taken.get() + 1);
            }
            Ok(())
        })
        .unwrap();
    // Most fragment soups are not YAML; some must still reach the fast path.
    assert!(
        taken.get() > 100,
        "fast path took only {} texts",
        taken.get()
    );
}

/// Well-formed pipeline-shaped YAML from a seed: nested mappings and sequences (compact,
/// indentless, on the next line), every scalar style with multi-line forms, chomping, comments,
/// blank lines, trailing spaces, several documents, CRLF.
fn generate(seed: u64) -> String {
    let mut g = Gen {
        rng: XorShift(seed | 1),
        out: String::new(),
    };
    let docs = 1 + g.rng.below(3) * g.rng.below(2);
    for d in 0..docs {
        if d > 0 || g.rng.below(4) == 0 {
            g.out
                .push_str(["---\n", "--- # doc\n", "---\n\n"][g.rng.below(3)]);
        }
        if g.rng.below(12) == 0 {
            continue;
        }
        g.noise(0);
        if g.rng.below(4) == 0 {
            g.seq(0, 0);
        } else {
            g.map(0, 0);
        }
        if g.rng.below(10) == 0 {
            g.out.push_str("...\n");
        }
    }
    let mut text = g.out;
    if g.rng.below(3) == 0 {
        text = text.replace('\n', "\r\n");
    }
    if g.rng.below(8) == 0 {
        text.truncate(text.trim_end_matches(['\r', '\n']).len());
    }
    text
}

struct Gen {
    rng: XorShift,
    out: String,
}

impl Gen {
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[self.rng.below(xs.len())]
    }

    fn pad(&mut self, n: usize) {
        self.out.extend(std::iter::repeat_n(' ', n));
    }

    /// Maybe blank and comment lines.
    fn noise(&mut self, indent: usize) {
        while self.rng.below(6) == 0 {
            match self.rng.below(3) {
                0 => self.out.push('\n'),
                1 => {
                    let n = self.rng.below(indent + 3);
                    self.pad(n);
                    self.out.push('\n');
                }
                _ => {
                    let n = self.rng.below(indent + 3);
                    self.pad(n);
                    self.out.push_str("# note: x\n");
                }
            }
        }
    }

    fn eol(&mut self) {
        match self.rng.below(10) {
            0 => self.out.push_str("  \n"),
            1 => self.out.push_str(" # c\n"),
            _ => self.out.push('\n'),
        }
    }

    fn key(&mut self) -> &'static str {
        self.pick(&[
            "name",
            "steps",
            "displayName",
            "inputs",
            "key with spaces",
            "'quoted key'",
            "\"dq key\"",
            "${{ if eq(parameters.a, 'b') }}",
            "${{ else }}",
            "a:b",
            "x.y-z_1",
            "é",
            "k ",
        ])
    }

    fn map(&mut self, indent: usize, depth: usize) {
        let n = 1 + self.rng.below(4);
        for i in 0..n {
            if i > 0 {
                self.noise(indent);
                self.pad(indent);
            }
            let k = self.key();
            self.out.push_str(k);
            self.out.push(':');
            self.value(indent, depth);
        }
    }

    fn seq(&mut self, indent: usize, depth: usize) {
        let n = 1 + self.rng.below(4);
        for i in 0..n {
            if i > 0 {
                self.noise(indent);
                self.pad(indent);
            }
            self.out.push('-');
            self.item(indent, depth);
        }
    }

    /// After `-` at column `indent`.
    fn item(&mut self, indent: usize, depth: usize) {
        let deeper = depth < 4;
        match self.rng.below(if deeper { 7 } else { 3 }) {
            0 => self.eol(),
            1 | 2 => {
                self.out.push(' ');
                self.inline_scalar(indent);
            }
            3 | 4 => {
                // A compact mapping: its keys line up after `- `.
                let w = 1 + self.rng.below(3);
                self.pad(w);
                self.map(indent + 1 + w, depth + 1);
            }
            5 => {
                self.out.push(' ');
                self.seq(indent + 2, depth + 1);
            }
            _ => {
                self.eol();
                self.noise(indent);
                let d = indent + 1 + self.rng.below(3);
                self.pad(d);
                if self.rng.below(2) == 0 {
                    self.map(d, depth + 1);
                } else {
                    self.seq(d, depth + 1);
                }
            }
        }
    }

    /// After `key:` of a mapping at column `indent`.
    fn value(&mut self, indent: usize, depth: usize) {
        let deeper = depth < 4;
        match self.rng.below(if deeper { 9 } else { 5 }) {
            0 => self.eol(),
            1..=3 => {
                self.out.push(' ');
                self.inline_scalar(indent);
            }
            4 => {
                self.out.push(' ');
                self.block_scalar(indent);
            }
            5 | 6 => {
                self.eol();
                self.noise(indent);
                let d = indent + 1 + self.rng.below(4);
                self.pad(d);
                self.map(d, depth + 1);
            }
            _ => {
                self.eol();
                self.noise(indent);
                let d = indent + 2 * self.rng.below(2);
                self.pad(d);
                self.seq(d, depth + 1);
            }
        }
    }

    /// A scalar after `key: ` or `- `, in a collection at column `indent`, ending its lines.
    fn inline_scalar(&mut self, indent: usize) {
        let cont = indent + 1 + self.rng.below(4);
        match self.rng.below(12) {
            0..=2 => {
                let v = self.pick(&[
                    "x",
                    "ubuntu-latest",
                    "echo hi",
                    "$(var)",
                    "${{ parameters.x }}",
                    "a:b",
                    "x#y",
                    "-1",
                    "--flag",
                    "http://h/p?q=1",
                    "a [b] {c}, d",
                    "~",
                    "é ü",
                    "eq(variables['a'], 'b')",
                ]);
                self.out.push_str(v);
                self.eol();
            }
            3 => {
                // Multi-line plain.
                self.out.push_str("first part");
                for _ in 0..1 + self.rng.below(3) {
                    self.out.push('\n');
                    if self.rng.below(3) == 0 {
                        self.out.push('\n');
                    }
                    self.pad(cont);
                    let v = self.pick(&["more", "- dash", "'q", "a#b", "[c]", "? q", "x:y"]);
                    self.out.push_str(v);
                }
                self.eol();
            }
            4 | 5 => {
                let v = self.pick(&["'it''s'", "''", "'a b'", "'x' # c", "'#'", "'a: b'"]);
                self.out.push_str(v);
                self.eol();
            }
            6 | 7 => {
                let v = self.pick(&[
                    "\"a\\tb\\u00e9\\x41\\\"\\\\\"",
                    "\"\"",
                    "\"\\N\\_\\L\\P\\e\\0\\/\\ \"",
                    "\"\\U0001F600 \\uD83D\\uDE00\"",
                    "\"$(x) ${{ y }}\"",
                ]);
                self.out.push_str(v);
                self.eol();
            }
            8 => {
                // Multi-line quoted.
                let q = if self.rng.below(2) == 0 { '"' } else { '\'' };
                self.out.push(q);
                self.out.push_str("one  ");
                for _ in 0..1 + self.rng.below(3) {
                    if q == '"' && self.rng.below(3) == 0 {
                        self.out.push('\\');
                    }
                    self.out.push('\n');
                    if self.rng.below(3) == 0 {
                        self.out.push('\n');
                    }
                    self.pad(cont);
                    self.out.push_str("two ");
                }
                self.out.push(q);
                self.eol();
            }
            9 => {
                let v = self.pick(&[
                    "[]",
                    "{}",
                    "[a, b]",
                    "[ 'x' , \"y\" ,z ]",
                    "{ a: b, 'c': \"d\" }",
                    "[a b, c-d]",
                    "{a: b}",
                    "[1, 2, 3]",
                ]);
                self.out.push_str(v);
                self.eol();
            }
            _ => self.block_scalar(indent),
        }
    }

    fn block_scalar(&mut self, indent: usize) {
        let h = self.pick(&["|", ">", "|-", ">-", "|+", ">+", "| # c", ">-  "]);
        self.out.push_str(h);
        self.out.push('\n');
        let ci = indent + 1 + self.rng.below(4);
        let mut content = false;
        for _ in 0..self.rng.below(6) {
            match self.rng.below(6) {
                0 => self.out.push('\n'),
                1 => {
                    // Blank lines longer than the indentation only after the first content line.
                    let n = self.rng.below(if content { ci + 3 } else { ci + 1 });
                    self.pad(n);
                    self.out.push('\n');
                }
                2 if content => {
                    let n = ci + 1 + self.rng.below(3);
                    self.pad(n);
                    self.out.push_str("more indented\n");
                }
                _ => {
                    content = true;
                    self.pad(ci);
                    let v = self.pick(&["echo $(x)", "# not a comment", "a: b", "- c", "x  "]);
                    self.out.push_str(v);
                    self.out.push('\n');
                }
            }
        }
    }
}

#[test]
fn generated_pipelines_match_granit() {
    let mut runner = TestRunner::new(cases(4000));
    let taken = std::cell::Cell::new(0u32);
    let total = std::cell::Cell::new(0u32);
    runner
        .run(&any::<u64>(), |seed| {
            let text = generate(seed);
            total.set(total.get() + 1);
            if compare(&text).map_err(TestCaseError::fail)?.is_some() {
                taken.set(taken.get() + 1);
            } else if std::env::var_os("FAST_YAML_BAILS").is_some() {
                match parse_granit(&text) {
                    Ok(_) => eprintln!("BAIL {text:?}"),
                    Err(e) => eprintln!("ERR {e:?} {text:?}"),
                }
            }
            Ok(())
        })
        .unwrap();
    eprintln!(
        "generated_pipelines_match_granit: fast path took {} of {}",
        taken.get(),
        total.get()
    );
    assert!(
        taken.get() * 2 > total.get(),
        "fast path took only {} of {}",
        taken.get(),
        total.get()
    );
}

/// A tiny xorshift generator: deterministic mutations without a dependency.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// Every fixture cut after each line, and with single bytes deleted or duplicated (at random
/// places, and where YAML cares: quotes, colons, dashes, spaces, line breaks).
#[test]
fn mutated_fixtures_match_granit() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut files = Vec::new();
    yaml_files(&root, &mut files);
    assert!(!files.is_empty(), "no fixtures under {}", root.display());
    // `FAST_YAML_MUTATE_CORPUS=1`: the shared corpora too (a long run).
    if std::env::var_os("FAST_YAML_MUTATE_CORPUS").is_some() {
        let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
        yaml_files(&repo.join("../shared/corpus"), &mut files);
        yaml_files(&repo.join("../shared/corpus-extra"), &mut files);
    }
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    // Per fixture; `FAST_YAML_MUTATIONS=2000` for a long run.
    let mutations: usize = std::env::var("FAST_YAML_MUTATIONS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(24);
    let (mut checked, mut taken) = (0usize, 0usize);
    let mut run = |text: &str| {
        checked += 1;
        if check(text).is_some() {
            taken += 1;
        }
    };
    for f in &files {
        // Some fixtures are not UTF-8 on purpose.
        let Ok(text) = std::fs::read_to_string(f) else {
            continue;
        };
        run(&text);
        let mut at = 0;
        for line in text.split_inclusive('\n') {
            at += line.len();
            run(&text[..at]);
            // Cut inside the line break of a CRLF text, and before the break.
            let body = line.trim_end_matches(['\r', '\n']).len();
            run(&text[..at - line.len() + body]);
        }
        let bytes = text.as_bytes();
        for _ in 0..mutations {
            if bytes.is_empty() {
                break;
            }
            let mut i = rng.below(bytes.len());
            // Half the time, move to the next byte YAML cares about.
            if rng.below(2) == 0 {
                while i < bytes.len() && !b"'\":- \n#|>[]{},".contains(&bytes[i]) {
                    i += 1;
                }
                if i == bytes.len() {
                    continue;
                }
            }
            let mut m = bytes.to_vec();
            if rng.below(2) == 0 {
                m.remove(i);
            } else {
                m.insert(i, bytes[i]);
            }
            if let Ok(m) = String::from_utf8(m) {
                run(&m);
            }
        }
    }
    eprintln!("mutated_fixtures_match_granit: {checked} texts, fast path took {taken}");
    assert!(
        taken * 2 > checked,
        "fast path took only {taken} of {checked}"
    );
}

/// The fast path takes `text`, and builds what granit builds.
fn taken(text: &str) -> Vec<Document> {
    check(text).unwrap_or_else(|| panic!("fast path gave up on {text:?}"))
}

/// The fast path gives up on `text` (and `yaml::parse` still answers, through granit).
fn given_up(text: &str) {
    assert!(check(text).is_none(), "fast path took {text:?}");
}

fn root(text: &str) -> Node {
    taken(text).remove(0).root.unwrap()
}

fn scalar_of(n: &Node) -> (&str, ScalarStyle) {
    match &n.kind {
        NodeKind::Scalar(s, st) => (s, *st),
        k => panic!("not a scalar: {k:?}"),
    }
}

fn value<'a>(n: &'a Node, key: &str) -> &'a Node {
    n.get(key).unwrap_or_else(|| panic!("no {key}"))
}

#[test]
fn quoted_escapes() {
    let t = r#"a: "\0\a\b\t\n\v\f\r\e\ \"\/\\\N\_\L\P\x41\u00e9\U0001F600"
b: 'it''s'
c: ""
d: ''
"#;
    let r = root(t);
    assert_eq!(
        scalar_of(value(&r, "a")),
        (
            "\0\u{7}\u{8}\t\n\u{b}\u{c}\r\u{1b} \"/\\\u{85}\u{a0}\u{2028}\u{2029}Aé😀",
            ScalarStyle::DoubleQuoted
        )
    );
    assert_eq!(
        scalar_of(value(&r, "b")),
        ("it's", ScalarStyle::SingleQuoted)
    );
    assert_eq!(&t[value(&r, "b").span.clone()], "'it''s'");
    assert_eq!(scalar_of(value(&r, "c")).0, "");
    assert_eq!(scalar_of(value(&r, "d")).0, "");
    // Unknown escapes, short hex and surrogates go to granit (which rejects or pairs them).
    given_up(r#"a: "\q""#);
    given_up(r#"a: "\x4""#);
    given_up(r#"a: "\ud83d\ude00""#);
}

#[test]
fn multi_line_plain_and_quoted_fold() {
    let t =
        "a: b c\n  d  \n\n  e # x\nq: \"x\n  y \n\n  z\\\n  w\"\ns: 'x\n  y ''q'' \n\n  z'\nz: 1\n";
    let r = root(t);
    assert_eq!(scalar_of(value(&r, "a")).0, "b c d\ne");
    assert_eq!(&t[value(&r, "a").span.clone()], "b c\n  d  \n\n  e");
    assert_eq!(scalar_of(value(&r, "q")).0, "x y\nzw");
    assert_eq!(scalar_of(value(&r, "s")).0, "x y 'q'\nz");
    // Escaped blanks before a line break stay; `\` + break joins the lines.
    let r = root("a: \"x\\ \n  y\"\nb: \"x \\\n  y\"\n");
    assert_eq!(scalar_of(value(&r, "a")).0, "x  y");
    assert_eq!(scalar_of(value(&r, "b")).0, "x y");
    // Continuation lines may start with what would start a node elsewhere.
    let r = root("- a\n  - b\n  'c\n  [d]\n");
    assert_eq!(scalar_of(&r.as_seq().unwrap()[0]).0, "a - b 'c [d]");
    // A quoted scalar whose next line is not indented deeper than its mapping: granit's call.
    given_up("a: \"x\ny\"\n");
}

#[test]
fn block_scalars_and_chomping() {
    let t = "a: |\n  x\n   y\n\n\nb: |-\n  x\n\nc: |+\n  x\n\n\nd: >\n  x\n  y\n\n  z\n   more\n  w\ne: >-\n  fold\n  this\n\nf: | # c\n\n  lead\ng: |\nh: end\n";
    let r = root(t);
    let a = value(&r, "a");
    assert_eq!(scalar_of(a), ("x\n y\n", ScalarStyle::Literal));
    // From the first content character to the next key (trailing blank lines included).
    assert_eq!(&t[a.span.clone()], "x\n   y\n\n\n");
    assert_eq!(scalar_of(value(&r, "b")).0, "x");
    assert_eq!(scalar_of(value(&r, "c")).0, "x\n\n\n");
    assert_eq!(
        scalar_of(value(&r, "d")),
        ("x y\nz\n more\nw\n", ScalarStyle::Folded)
    );
    assert_eq!(scalar_of(value(&r, "e")).0, "fold this");
    assert_eq!(scalar_of(value(&r, "f")).0, "\nlead\n");
    let g = value(&r, "g");
    assert_eq!(scalar_of(g).0, "");
    assert_eq!(&t[g.span.clone()], "");
    assert_eq!(g.span.start, t.find("h: end").unwrap());
    // Blank lines deeper than the content are content; at the end of the text the scalar
    // still gets its line break; an empty one at the end spans from its header.
    for t in [
        "a: |\n  x\n     \n  y\n     \nb: 1\n",
        "a: >\n  x\n     \n  y\n",
        "a: |\n  x",
        "a: |+\n  x",
        "a: |\n",
        "a: |+\n\n\n",
        "- |\n  x\n- >-\n  y\n",
        "k:\n- |\n  x\n",
    ] {
        taken(t);
    }
    // Indentation indicators and odd headers are left to granit.
    given_up("a: |2\n   x\n");
    given_up("a: >-1\n  x\n");
    given_up("a: |x\n");
    // A leading blank line longer than the content's indentation is an error there.
    given_up("a: |\n     \n  x\n");
}

#[test]
fn empty_values_comments_and_keys() {
    let t = "a:\nb:   # c\nc: x  # comment\nd: x# not a comment\nkey with spaces  : v\n'quoted key': 1\n\"dq key\" : 2\na:b: 3\nurl: http://h/p?q=1\n";
    let r = root(t);
    let a = r.entry("a").unwrap();
    assert_eq!(scalar_of(&a.value), ("~", ScalarStyle::Plain));
    assert_eq!(a.value.span, 1..1, "an empty value sits at its colon");
    assert_eq!(value(&r, "b").span, 4..4);
    assert_eq!(scalar_of(value(&r, "c")).0, "x");
    assert_eq!(scalar_of(value(&r, "d")).0, "x# not a comment");
    let k = r.entry("key with spaces").unwrap();
    assert_eq!(&t[k.key.span.clone()], "key with spaces");
    let q = r.entry("quoted key").unwrap();
    assert_eq!(scalar_of(&q.key).1, ScalarStyle::SingleQuoted);
    assert_eq!(&t[q.key.span.clone()], "'quoted key'");
    assert_eq!(scalar_of(value(&r, "dq key")).0, "2");
    assert_eq!(scalar_of(value(&r, "a:b")).0, "3");
    assert_eq!(scalar_of(value(&r, "url")).0, "http://h/p?q=1");
    // Trailing spaces everywhere.
    taken("a: 1  \nb:  \n  - x  \n  -  \nc: 'q'  \n");
}

#[test]
fn sequences() {
    let t = "steps:\n- task: A\n  inputs:\n    x: y\n- b\n- - c\n  - d\n-\n- e:\n-   f: 1\n    g:\n- # c\n";
    let r = root(t);
    let steps = value(&r, "steps");
    // A sequence at its mapping's indentation starts at its first item.
    assert_eq!(steps.span.start, t.find("task").unwrap());
    let items = steps.as_seq().unwrap();
    assert_eq!(items.len(), 7);
    assert_eq!(
        scalar_of(value(&items[0], "inputs").get("x").unwrap()).0,
        "y"
    );
    let nested = items[2].as_seq().unwrap();
    assert_eq!(items[2].span.start, t.find("- c").unwrap());
    assert_eq!(nested.len(), 2);
    assert_eq!(scalar_of(&items[3]).0, "~");
    assert_eq!(items[3].span.start, t.find("-\n- e").unwrap() + 1);
    assert_eq!(value(&items[5], "g").span.start, t.find("g:").unwrap() + 1);
    // Compact mappings whose keys line up after the dash, indented sequences, nested items.
    taken("- a: 1\n  b: 2\n-  c: 3\n   d:\n     - x\n     - y\n- - - z\n");
    taken("k:\n  - a\n  -\n    b: 1\n  - - c\n");
    // Misaligned keys are an error (or something else) there.
    given_up("- a: 1\n   b: 2\n");
}

#[test]
fn flow_collections() {
    let t = "a: []\nb: {}\nc: [ x , \"y\" ,z]\nd: { k: v, \"q\": 1 }  # c\ne: [a b, c]\n";
    let r = root(t);
    assert_eq!(&t[value(&r, "a").span.clone()], "[]");
    assert_eq!(&t[value(&r, "b").span.clone()], "{}");
    let c = value(&r, "c");
    assert_eq!(c.as_seq().unwrap().len(), 3);
    assert_eq!(&t[c.span.clone()], "[ x , \"y\" ,z");
    assert_eq!(scalar_of(value(value(&r, "d"), "q")).0, "1");
    // Nested, multi-line, pairs in sequences, trailing commas, empty values: granit's.
    given_up("a: [b, [c]]\n");
    given_up("a: [b,\n  c]\n");
    given_up("a: [b: c]\n");
    given_up("a: [b, ]\n");
    given_up("a: {b: }\n");
    given_up("- {{ branch }}\n");
}

#[test]
fn documents_crlf_and_comments_only() {
    assert!(taken("").is_empty());
    assert!(taken("# only\n  # comments\n\n").is_empty());
    let docs = taken("---\n");
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0].root.as_ref().unwrap().span, 3..3);
    let docs = taken("a: 1\n---\n# c\n---\nb: 2\n...\n");
    assert_eq!(docs.len(), 3);
    assert_eq!(docs[1].root.as_ref().unwrap().span, 8..8);
    let t = "a: |\r\n  x\r\n  y\r\n\r\nb: x y\r\n  z\r\nc:\r\n- # c\r\n-\r\n";
    let r = root(t);
    assert_eq!(scalar_of(value(&r, "a")).0, "x\ny\n");
    assert_eq!(scalar_of(value(&r, "b")).0, "x y z");
    let c = value(&r, "c").as_seq().unwrap();
    assert_eq!(c[0].span.start, t.find("\r\n-\r\n").unwrap());
    for t in [
        "a: 1\n...\nb: 2\n",
        "---\n...\n",
        "...\n---\na: 1\n",
        "a: |\n  x\n---\nb: 1\n",
        "--- # c\r\n- a\r\n---\r\n",
    ] {
        taken(t);
    }
    taken("\u{feff}- a: 1\n  b: 2\n");
    taken("é: \"ü\"\r\nb: x\r\n");
    // A root scalar, `--- value` and a bare `\r` are left to granit.
    given_up("x\n");
    given_up("--- x\n");
    given_up("a: 1\rb: 2\n");
}

#[test]
fn gives_up_on_the_rest() {
    for t in [
        "a: &x 1\nb: *x\n",
        "a: !tag x\n",
        "%YAML 1.2\n---\na: 1\n",
        "? complex\n: value\n",
        "a:\n\t- tab\n",
        "a: b: c\n",
        "a: \"x\" y\n",
        "a: x\u{85}y\n",
        " a: 1\n",
        "a: b\n  c: d\n",
        "- a\nb: 1\n",
        "a: 1\n  b: 2\n",
    ] {
        given_up(t);
        // The public entry point answers through granit.
        let _ = crate::yaml::parse(t);
    }
    // Deep nesting: given up here, an error (or a tree) there, never a crash.
    let deep: String = (0..300)
        .map(|i| format!("{}- \n", " ".repeat(i * 2)))
        .collect();
    given_up(&deep);
    let deep: String = (0..300).map(|i| format!("{}k:\n", " ".repeat(i))).collect();
    given_up(&deep);
}

#[test]
fn odd_characters_anywhere_are_given_up() {
    let ok = "a: b\r\nc: é ü ñ 😀 \u{a0}\n";
    assert!(super::plain_text(ok.as_bytes()));
    assert!(super::plain_text("\u{feff}a: 1\n".as_bytes()));
    for bad in [
        "\t", "\r", "\u{0}", "\u{1b}", "\u{7f}", "\u{85}", "\u{9f}", "\u{2028}", "\u{2029}",
        "\u{feff}", "\u{fffe}", "\u{ffff}",
    ] {
        // At every offset around the sweep's block boundaries.
        for at in [0, 1, 5, 62, 63, 64, 65, 127, 128, 200] {
            let mut t = "k".repeat(at);
            t.push_str(if at == 0 && bad == "\u{feff}" {
                "x\u{feff}"
            } else {
                bad
            });
            t.push_str(&"v\n".repeat(70));
            assert!(!super::plain_text(t.as_bytes()), "{bad:?} at {at}");
            given_up(&t);
        }
    }
}
