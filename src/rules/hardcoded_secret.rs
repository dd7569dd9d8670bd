//! `hardcoded-secret`: a credential written as a literal in `variables`, `env` or task inputs
//! (GitHub and AWS tokens, private keys, storage and Service Bus keys, SAS signatures, connection
//! string passwords). Judged by the value's shape, never by the variable's name.

use super::{Context, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::pipeline::walk::{At, Flow, Visitor};
use crate::yaml::{Entry, Node};

pub static RULE: Rule = Rule {
    id: "hardcoded-secret",
    severity: Severity::Warning,
    summary: "A credential is written as a literal value in `variables`, `env` or task inputs",
    category: super::Category::Security,
    default_enabled: true,
    check: super::Check::Walk(start),
};

/// The Azure Storage emulator's published account key: documented, not a secret.
const EMULATOR_KEY: &str =
    "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

/// Keys whose values are read.
const HOLDERS: &[&str] = &["variables", "env", "inputs"];

struct Finder<'a> {
    /// How many `variables`/`env`/`inputs` entries enclose the current node.
    inside: usize,
    out: &'a mut Vec<Diagnostic>,
}

impl<'a> Visitor<'a> for Finder<'_> {
    fn entry(&mut self, e: &'a Entry, _at: &At<'a>) -> Flow {
        if e.key.as_str().is_some_and(|k| HOLDERS.contains(&k)) {
            self.inside += 1;
        }
        Flow::Continue
    }
    fn leave_entry(&mut self, e: &'a Entry, _at: &At<'a>) {
        if e.key.as_str().is_some_and(|k| HOLDERS.contains(&k)) {
            self.inside -= 1;
        }
    }
    fn scalar(&mut self, node: &'a Node, at: &At<'a>) {
        if self.inside == 0 || at.key == Some("name") {
            return;
        }
        let Some(text) = node.as_str() else { return };
        if let Some(what) = credential(text) {
            self.out.push(
                RULE.diag(node.span.clone(), format!("{what} is written in the pipeline"))
                    .label("a literal credential")
                    .help("move the value to a secret variable (pipeline settings or a variable group, possibly linked to Key Vault) and reference it with `$(name)`; then revoke this one")
                    .note("anyone who can read the repository, and its history, has the credential; rotating it is the only fix once committed"),
            );
        }
    }
}

fn start<'c>(_: &'c Context<'c>, out: &'c mut Vec<Diagnostic>) -> Box<dyn Visitor<'c> + 'c> {
    Box::new(Finder { inside: 0, out })
}

/// A value that is obviously not a real credential.
fn placeholder(v: &str) -> bool {
    let l = v.to_ascii_lowercase();
    let distinct = {
        let mut c: Vec<char> = v.chars().filter(|c| *c != '=').collect();
        c.sort_unstable();
        c.dedup();
        c.len()
    };
    crate::yaml::is_expression(v)
        || crate::text::contains(v, "${{")
        || (v.contains('<') && v.contains('>'))
        || (v.contains('{') && v.contains('}'))
        || l.contains("xxx")
        || v.contains("***")
        || v.contains("...")
        || l.contains("changeme")
        || l.contains("example")
        || l.contains("placeholder")
        || l.contains("redacted")
        || l.contains("dummy")
        || l.contains("fake")
        || distinct <= 3
        || v == EMULATOR_KEY
}

/// Shannon entropy in bits per character.
fn entropy(v: &str) -> f64 {
    let mut counts = std::collections::HashMap::new();
    for c in v.chars() {
        *counts.entry(c).or_insert(0usize) += 1;
    }
    let n = v.chars().count() as f64;
    counts
        .values()
        .map(|&c| {
            let p = c as f64 / n;
            -p * p.log2()
        })
        .sum()
}

/// The value after `key=` (ignoring case) up to `;`, a quote or whitespace.
fn field<'v>(text: &'v str, key: &str) -> Vec<&'v str> {
    let lower = text.to_ascii_lowercase();
    let key = key.to_ascii_lowercase();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = crate::text::find(&lower[from..], &key) {
        let at = from + i;
        from = at + key.len();
        // A whole key: not the end of a longer word.
        if at > 0 && lower.as_bytes()[at - 1].is_ascii_alphanumeric() {
            continue;
        }
        let rest = &text[from..];
        let end = rest
            .find(|c: char| c == ';' || c == '"' || c == '\'' || c == '&' || c.is_whitespace())
            .unwrap_or(rest.len());
        out.push(&rest[..end]);
    }
    out
}

/// A random-looking key: long, from the base64 (or URL-encoded base64) alphabet, high entropy.
fn random_key(v: &str, min: usize) -> bool {
    v.len() >= min
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=' | '%' | '-' | '_'))
        && v.chars().any(|c| c.is_ascii_digit())
        && v.chars().any(|c| c.is_ascii_uppercase())
        && v.chars().any(|c| c.is_ascii_lowercase())
        && entropy(v) >= 4.0
        && !placeholder(v)
}

/// `prefix` followed by at least `len` characters of `alphabet`, starting a word.
fn token_after(text: &str, prefix: &str, len: usize, alphabet: fn(char) -> bool) -> bool {
    let mut from = 0;
    while let Some(i) = crate::text::find(&text[from..], prefix) {
        let at = from + i;
        from = at + prefix.len();
        if at > 0 && text.as_bytes()[at - 1].is_ascii_alphanumeric() {
            continue;
        }
        let body: String = text[from..].chars().take_while(|c| alphabet(*c)).collect();
        if body.len() >= len && !placeholder(&body) && entropy(&body) >= 3.0 {
            return true;
        }
    }
    false
}

/// What kind of credential the text holds, if any.
fn credential(text: &str) -> Option<&'static str> {
    let alnum = |c: char| c.is_ascii_alphanumeric();
    let pat = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let upper = |c: char| c.is_ascii_uppercase() || c.is_ascii_digit();
    if token_after(text, "ghp_", 36, alnum)
        || token_after(text, "gho_", 36, alnum)
        || token_after(text, "github_pat_", 70, pat)
    {
        return Some("a GitHub token");
    }
    if token_after(text, "AKIA", 16, upper) {
        return Some("an AWS access key id");
    }
    if let Some(i) = crate::text::find(text, "-----BEGIN ") {
        let head_end = crate::text::find(&text[i..], "PRIVATE KEY-----");
        if let Some(h) = head_end {
            let body_start = i + h + "PRIVATE KEY-----".len();
            let body: String = text[body_start..]
                .chars()
                .take_while(|c| *c != '-')
                .filter(|c| !c.is_whitespace())
                .collect();
            if body.len() >= 64 && random_key(&body, 64) {
                return Some("a private key");
            }
        }
    }
    // Every key looked for below ends with `=`.
    if !text.contains('=') {
        return None;
    }
    for (key, what, min) in [
        ("AccountKey=", "a storage account key", 40),
        ("SharedAccessKey=", "a shared access key", 40),
        ("SharedAccessSignature=", "a shared access signature", 30),
        ("sig=", "a shared access signature", 30),
    ] {
        if field(text, key).into_iter().any(|v| random_key(v, min)) {
            return Some(what);
        }
    }
    let lower = text.to_ascii_lowercase();
    let connection = [
        "server=",
        "data source=",
        "host=",
        "user id=",
        "uid=",
        "username=",
    ]
    .iter()
    .any(|k| crate::text::contains(&lower, k));
    if connection {
        for key in ["Password=", "Pwd="] {
            if field(text, key).into_iter().any(real_password) {
                return Some("a connection string password");
            }
        }
    }
    None
}

/// A password that looks chosen, not a placeholder: long enough, mixing kinds of characters.
fn real_password(v: &str) -> bool {
    let kinds = [
        v.chars().any(|c| c.is_ascii_lowercase()),
        v.chars().any(|c| c.is_ascii_uppercase()),
        v.chars().any(|c| c.is_ascii_digit()),
        v.chars().any(|c| !c.is_ascii_alphanumeric()),
    ]
    .iter()
    .filter(|k| **k)
    .count();
    let l = v.to_ascii_lowercase();
    v.len() >= 10
        && kinds >= 3
        && entropy(v) >= 3.0
        && !placeholder(v)
        && !l.contains("password")
        && !l.contains("passw0rd")
        && !l.contains("secret")
}

#[cfg(test)]
mod tests {
    use super::credential;

    #[test]
    fn shapes_and_placeholders() {
        assert!(credential("ghp_1a2B3c4D5e6F7g8H9i0J1k2L3m4N5o6P7q8R").is_some());
        assert!(credential("ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx").is_none());
        assert!(credential("AKIAQ3EGRWK5ZTN7J2PX").is_some());
        assert!(credential("AKIAIOSFODNN7EXAMPLE").is_none());
        assert!(credential("DefaultEndpointsProtocol=https;AccountName=a;AccountKey=3333333333333333333333333333333333333333333333333333333333333333333333333333333333333333;").is_none());
        assert!(credential("UseDevelopmentStorage=true;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==").is_none());
        assert!(credential("AccountKey=$(storageKey)").is_none());
        assert!(credential("Server=db;User Id=sa;Password=$(dbPassword)").is_none());
        assert!(credential("Server=db;User Id=sa;Password=<your password>").is_none());
        assert!(credential("Server=db;User Id=sa;Password=Tr0ub4dor#93xQ").is_some());
        let pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA3Tz2mr7SZiAMfQyuvBjM9Oi8Q9eWkN0LqXp4Rb2YwHc7Jd5Ke\n-----END RSA PRIVATE KEY-----";
        assert!(credential(pem).is_some());
        assert!(
            credential("-----BEGIN PRIVATE KEY-----\n<your key>\n-----END PRIVATE KEY-----")
                .is_none()
        );
        assert!(credential("AccountKey=kX9mQ2vL7pR4tY8wZ1aB3cD5eF6gH0jK2lM4nP6qS8uV0xW2yZ4bC6dE8fG0hJ2kL4mN6pQ8rS0tU2vW4xY6zA8==").is_some());
    }
}
