//! `unverified-script-exec`: a script that downloads code and runs it at once (`curl ... | sh`,
//! `bash <(curl ...)`, `iex (iwr ...)`), with no checksum check anywhere in the script.
//!
//! Only the downloaded content itself being executed counts: `curl -o f url`, `curl url | tar x`,
//! `curl url | python -c ...`, `iwr url -OutFile f` are not reported.

use super::{Context, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::pipeline::Resolution;
use crate::yaml::Node;

pub static RULE: Rule = Rule {
    id: "unverified-script-exec",
    severity: Severity::Note,
    summary: "A script runs code it downloads (`curl ... | sh`, `iex (iwr ...)`) without checking a checksum",
    category: super::Category::Security,
    default_enabled: true,
    check: super::Check::Document(check),
};

/// Script steps, by the key that names them.
const SCRIPT_STEPS: &[&str] = &["script", "bash", "pwsh", "powershell"];

/// Built-in tasks with an inline script, and the input that holds it.
const SCRIPT_TASKS: &[(&str, &str)] = &[
    ("Bash", "script"),
    ("CmdLine", "script"),
    ("PowerShell", "script"),
    ("AzureCLI", "inlineScript"),
    ("AzurePowerShell", "Inline"),
];

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let mut scripts: Vec<&Node> = Vec::new();
    for step in &ctx.model.steps {
        if SCRIPT_STEPS.contains(&step.kind.kind.as_str()) {
            scripts.push(&step.id.value);
        }
    }
    for step in &ctx.model.task_steps {
        let Resolution::Builtin(task) = &step.resolution else {
            continue;
        };
        let Some((_, input)) = SCRIPT_TASKS.iter().find(|(n, _)| *n == task.name) else {
            continue;
        };
        // `targetType: filePath` runs a file; the inline input is not used.
        if step.input_by_key("targetType").is_some_and(|t| {
            t.value
                .as_str()
                .is_some_and(|v| v.trim().eq_ignore_ascii_case("filePath"))
        }) {
            continue;
        }
        if let Some(e) = step.input_by_key(input) {
            scripts.push(&e.value);
        }
    }
    for node in scripts {
        if node.as_str().is_none() {
            continue;
        }
        // The text as written in the file, so that offsets are the file's.
        let Some(text) = ctx.source.text.get(node.span.clone()) else {
            continue;
        };
        // Most scripts download nothing: skip them before reading them line by line.
        if !mentions_download(text) || verifies_checksum(text) {
            continue;
        }
        for (range, how) in downloads_and_runs(text) {
            let at = node.span.start + range.start..node.span.start + range.end;
            out.push(
                RULE.diag(at, format!("this line downloads a script and runs it at once ({how})"))
                    .label("downloaded and run without a check")
                    .help(
                        "download to a file, compare its SHA-256 with a known value (`sha256sum -c`, \
                         `Get-FileHash`), then run the file; or install the tool from a package feed or a \
                         pinned release",
                    )
                    .note(
                        "whatever the server returns runs with the job's rights, its secrets and its access \
                         token: a compromised, hijacked or simply changed download runs in your pipeline \
                         unseen",
                    ),
            );
        }
    }
}

/// The script names a downloader at all (a cheap test that every reported line passes).
fn mentions_download(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    [
        "curl",
        "wget",
        "iwr",
        "irm",
        "invoke-webrequest",
        "invoke-restmethod",
        "downloadstring",
    ]
    .iter()
    .any(|w| crate::text::contains(&lower, w))
}

/// The script checks a hash somewhere (then the author made a choice azplint leaves alone).
fn verifies_checksum(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    [
        "sha256sum",
        "sha512sum",
        "shasum",
        "get-filehash",
        "certutil -hashfile",
    ]
    .iter()
    .any(|w| crate::text::contains(&lower, w))
}

/// Lines (byte ranges of `text`) that run downloaded content, with how.
fn downloads_and_runs(text: &str) -> Vec<(std::ops::Range<usize>, &'static str)> {
    let mut out = Vec::new();
    let mut start = 0;
    // Logical lines: a shell line ending with `\` or a PowerShell line ending with a backtick
    // goes on.
    let mut logical = String::new();
    let mut logical_start = 0;
    // Inside a here-document or a PowerShell here-string: text, not commands. Its end marker.
    let mut text_until: Option<String> = None;
    for line in text.split_inclusive('\n') {
        let end = start + line.len();
        if let Some(marker) = &text_until {
            let t = line.trim();
            if t == marker || (marker.ends_with('@') && t.starts_with(marker.as_str())) {
                text_until = None;
            }
            start = end;
            continue;
        }
        if logical.is_empty() {
            logical_start = start;
        }
        let body = line.trim_end_matches(['\n', '\r']);
        let cont = body.trim_end();
        if let Some(head) = cont.strip_suffix('\\').or_else(|| cont.strip_suffix('`')) {
            logical.push_str(head);
            logical.push(' ');
            start = end;
            continue;
        }
        logical.push_str(body);
        text_until = text_block_start(&logical);
        let trimmed_end = logical_start + text[logical_start..start + body.len()].trim_end().len();
        if let Some(how) = runs_download(&logical) {
            let lead = text[logical_start..trimmed_end].len()
                - text[logical_start..trimmed_end].trim_start().len();
            out.push((logical_start + lead..trimmed_end, how));
        }
        logical.clear();
        start = end;
    }
    out
}

/// The end marker of a here-document (`<<EOF`, `<<-'EOF'`) or a PowerShell here-string (`@"`,
/// `@'`) that starts on this line.
fn text_block_start(line: &str) -> Option<String> {
    let t = line.trim_end();
    if t.ends_with("@\"") {
        return Some("\"@".to_string());
    }
    if t.ends_with("@'") {
        return Some("'@".to_string());
    }
    let mut search = 0;
    while let Some(p) = t[search..].find("<<") {
        let at = search + p + 2;
        search = at;
        if t[at..].starts_with('<') {
            // `<<<` is a here-string: one word, on this line.
            search = at + 1;
            continue;
        }
        let rest = t[at..].trim_start_matches('-').trim_start();
        let word: String = rest
            .chars()
            .take_while(|c| !c.is_whitespace() && !matches!(c, ';' | '|' | '&' | ')' | '>'))
            .filter(|c| !matches!(c, '\'' | '"' | '\\'))
            .collect();
        if !word.is_empty() {
            return Some(word);
        }
    }
    None
}

fn runs_download(line: &str) -> Option<&'static str> {
    let code = line.trim();
    if code.starts_with('#')
        || code.starts_with("::")
        || code.to_ascii_lowercase().starts_with("rem ")
    {
        return None;
    }
    shell_pipe(code)
        .or_else(|| shell_substitution(code))
        .or_else(|| powershell(code))
}

/// The words of a command, up to a comment.
fn words(segment: &str) -> Vec<&str> {
    segment
        .split_whitespace()
        .take_while(|w| !w.starts_with('#'))
        .collect()
}

fn base(word: &str) -> &str {
    let w = word.trim_matches(['"', '\'', '(', ')', '{', '}', ';']);
    w.rsplit('/').next().unwrap_or(w)
}

/// The words of a command after `sudo` (and its options) and `env VAR=...`.
fn command_words(segment: &str) -> Vec<&str> {
    let mut w = words(segment);
    loop {
        match w.first().map(|s| base(s)) {
            Some("sudo") | Some("env") | Some("exec") => {
                w.remove(0);
                while w
                    .first()
                    .is_some_and(|s| s.starts_with('-') || s.contains('='))
                {
                    w.remove(0);
                }
            }
            _ => return w,
        }
    }
}

/// A download command whose output goes to standard output.
fn downloads_to_stdout(words: &[&str]) -> bool {
    match words.first().map(|s| base(s)) {
        Some("curl") => !words[1..].iter().any(|w| {
            *w == "--output"
                || w.starts_with("--output=")
                || *w == "--remote-name"
                || *w == "--remote-name-all"
                || (w.starts_with('-')
                    && !w.starts_with("--")
                    && (w.contains('o') || w.contains('O')))
        }),
        Some("wget") => {
            words.windows(2).any(|p| {
                let flag = p[0].starts_with('-') && !p[0].starts_with("--") && p[0].ends_with('O');
                flag && (p[1] == "-" || p[1] == "/dev/stdout")
            }) || words[1..].iter().any(|w| {
                (w.starts_with('-') && !w.starts_with("--") && w.ends_with("O-"))
                    || *w == "--output-document=-"
                    || *w == "-O/dev/stdout"
            })
        }
        _ => false,
    }
}

/// An interpreter that runs what it reads on standard input: no `-c`/`-m`, no script file.
fn runs_stdin(words: &[&str]) -> bool {
    let Some(program) = words.first().map(|s| base(s)) else {
        return false;
    };
    let shell = matches!(program, "sh" | "bash" | "zsh" | "dash" | "ksh");
    let python = matches!(program, "python" | "python3");
    if !shell && !python {
        return false;
    }
    for w in &words[1..] {
        match *w {
            "-c" | "-m" => return false,
            "-s" | "-" | "--" => return true,
            w if w.starts_with('-') => continue,
            // A script file (or redirection): standard input is not the program.
            _ => return false,
        }
    }
    true
}

/// `curl url | sh`, `wget -qO- url | sudo bash -s -- args`.
fn shell_pipe(code: &str) -> Option<&'static str> {
    commands(code).into_iter().find_map(|pipeline| {
        let segments: Vec<&str> = pipeline.split('|').collect();
        let from = segments
            .iter()
            .position(|s| downloads_to_stdout(&command_words(s)))?;
        segments[from + 1..]
            .iter()
            .any(|s| runs_stdin(&command_words(s)))
            .then_some("piped into a shell")
    })
}

/// The pipelines of a command line: split at `;`, `&&`, `||` and `&` (not the `&` of `2>&1`).
fn commands(code: &str) -> Vec<&str> {
    let bytes = code.as_bytes();
    let mut out = Vec::new();
    let mut last = 0;
    let mut i = 0;
    while i < bytes.len() {
        let two = matches!(
            (bytes[i], bytes.get(i + 1)),
            (b'|', Some(b'|')) | (b'&', Some(b'&'))
        );
        let one = bytes[i] == b';'
            || (bytes[i] == b'&'
                && !matches!(bytes.get(i + 1), Some(b'>'))
                && !(i > 0 && matches!(bytes[i - 1], b'>' | b'<')));
        if two || one {
            out.push(&code[last..i]);
            i += if two { 2 } else { 1 };
            last = i;
            continue;
        }
        i += 1;
    }
    out.push(&code[last..]);
    out
}

/// `bash <(curl url)`, `bash -c "$(curl -fsSL url)"`, `eval "$(wget -qO- url)"`, `. <(curl url)`.
fn shell_substitution(code: &str) -> Option<&'static str> {
    for (open, how) in [
        ("<(", "process substitution"),
        ("$(", "command substitution"),
    ] {
        let mut search = 0;
        while let Some(p) = code[search..].find(open) {
            let at = search + p;
            search = at + open.len();
            let inner = &code[at + open.len()..];
            let inner = &inner[..inner.find(')').unwrap_or(inner.len())];
            if !downloads_to_stdout(&command_words(inner)) {
                continue;
            }
            // The command the substitution is an argument of.
            let before = &code[..at];
            let command_start = before.rfind(['|', ';', '&', '(']).map_or(0, |i| i + 1);
            let w = command_words(
                before[command_start..]
                    .trim_end()
                    .trim_end_matches(['"', '\'']),
            );
            let Some(program) = w.first().map(|s| base(s)) else {
                continue;
            };
            let runs = match open {
                "<(" => matches!(program, "sh" | "bash" | "zsh" | "source" | "."),
                _ => {
                    program == "eval"
                        || (matches!(program, "sh" | "bash" | "zsh")
                            && w.last().is_some_and(|l| *l == "-c"))
                }
            };
            if runs {
                return Some(how);
            }
        }
    }
    None
}

/// `iex (iwr url)`, `Invoke-Expression (Invoke-WebRequest url).Content`,
/// `(New-Object Net.WebClient).DownloadString(url) | iex`, `[scriptblock]::Create((irm url))`.
fn powershell(code: &str) -> Option<&'static str> {
    let lower = code.to_ascii_lowercase();
    if lower.contains("-outfile") {
        return None;
    }
    let runs = has_word(&lower, "iex")
        || has_word(&lower, "invoke-expression")
        || lower.contains("[scriptblock]::create(");
    let downloads = has_word(&lower, "iwr")
        || has_word(&lower, "irm")
        || has_word(&lower, "invoke-webrequest")
        || has_word(&lower, "invoke-restmethod")
        || lower.contains(".downloadstring(");
    (runs && downloads).then_some("passed to Invoke-Expression")
}

/// `word` stands on its own in `text` (not part of a longer name or a `$variable`).
fn has_word(text: &str, word: &str) -> bool {
    let inside =
        |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '$' || c == '.';
    text.match_indices(word).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + word.len()..].chars().next();
        !before.is_some_and(inside) && !after.is_some_and(|c| inside(c) && c != '.')
    })
}

#[cfg(test)]
mod tests {
    use super::runs_download;

    #[test]
    fn here_documents_are_text() {
        for text in [
            "$content = @\"\n## Install\ncurl -fsSL https://x/install.sh | bash\n\"@\nWrite-Host $content\n",
            "cat > README.md <<'EOF'\ncurl -fsSL https://x/install.sh | bash\nEOF\n",
            "cat <<-EOF > notes.md\n\tcurl -fsSL https://x/install.sh | bash\n\tEOF\n",
        ] {
            assert!(super::downloads_and_runs(text).is_empty(), "{text}");
        }
        let after = "cat <<EOF\ntext\nEOF\ncurl -fsSL https://x/install.sh | bash\n";
        assert_eq!(super::downloads_and_runs(after).len(), 1);
    }

    #[test]
    fn continued_lines_are_one_line() {
        let text = "set -e\ncurl -fsSL https://x/install.sh \\\n  | bash\necho done\n";
        let found = super::downloads_and_runs(text);
        assert_eq!(found.len(), 1);
        assert_eq!(
            &text[found[0].0.clone()],
            "curl -fsSL https://x/install.sh \\\n  | bash"
        );
    }

    #[test]
    fn what_runs_downloaded_code() {
        for yes in [
            "curl -fsSL https://get.example.com | sh",
            "curl -sL https://aka.ms/InstallAzureCLIDeb | sudo bash",
            "wget -qO- https://x.example/install.sh | bash -s -- --version 1.2",
            "wget -O - https://x.example/install.sh | sh",
            "bash <(curl -s https://codecov.io/bash)",
            "/bin/bash -c \"$(curl -fsSL https://raw.githubusercontent.com/x/install.sh)\"",
            "iex ((New-Object System.Net.WebClient).DownloadString('https://x/install.ps1'))",
            "Invoke-Expression (Invoke-WebRequest https://x/i.ps1 -UseBasicParsing).Content",
            "irm https://x/install.ps1 | iex",
            "& ([scriptblock]::Create((irm https://x/i.ps1))) -Version 1",
            "curl -s https://x/get-pip.py | python3",
            "curl -fsSL https://x/install.sh 2>&1 | bash",
            "eval \"$(curl -fsSL https://x/env.sh)\"",
            "curl -fsSL https://x/uninstall.sh | bash;",
            "cd /tmp && curl -fsSL https://x/install.sh | bash && cd -",
        ] {
            assert!(runs_download(yes).is_some(), "{yes}");
        }
        for no in [
            "curl -fsSL https://x/key.gpg | sudo gpg --dearmor -o /usr/share/keyrings/x.gpg",
            "curl -sSLo install.sh https://x/install.sh && bash install.sh",
            "curl -L https://x/tool.tar.gz | tar xz",
            "wget https://x/install.sh | bash",
            "curl -s https://api.example/v1 | python3 -c 'import json,sys; print(json.load(sys.stdin))'",
            "curl -s https://x/a.sh | bash deploy.sh",
            "# curl https://x | sh",
            "iwr https://x/install.ps1 -OutFile install.ps1; ./install.ps1",
            "$iex = Invoke-WebRequest https://x",
            "curl https://x || bash fallback.sh",
            "diff <(curl -s https://x/a) expected.txt",
            "echo $(curl -s https://x/version)",
        ] {
            assert!(runs_download(no).is_none(), "{no}");
        }
    }
}
