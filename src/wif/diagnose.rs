//! `azplint diagnose`: find the sign-in errors of [`crate::wif::errors`] in an Azure Pipelines log.
//!
//! A downloaded or copied log line looks like
//! `2024-05-01T10:00:00.1234567Z ##[error]AADSTS700024: ...`, sometimes with ANSI color escapes
//! and a byte order mark on the first line. Each line is cleaned (escapes, the timestamp, the
//! `##[error]`/`##[warning]` marker) before it is matched against the table.

use crate::wif::errors::{self, Entry, Reading};
use serde_json::json;

/// One log line that matched the table.
#[derive(Debug)]
pub struct Hit {
    /// 1-based.
    pub line: usize,
    /// `error` or `warning` when the line carried `##[error]` or `##[warning]`.
    pub level: Option<&'static str>,
    /// The line without escapes, timestamp and marker.
    pub text: String,
    pub entries: Vec<&'static Entry>,
    pub reading: Option<Reading>,
}

/// Remove ANSI escape sequences: CSI (`ESC [ ... final byte`), OSC (`ESC ] ... BEL` or
/// `ESC \`), and two-character escapes.
pub fn strip_ansi(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\u{1b}' && c != '\u{9b}' {
            out.push(c);
            continue;
        }
        let csi = c == '\u{9b}' || chars.peek() == Some(&'[');
        if c == '\u{1b}' && csi {
            chars.next();
        }
        if csi {
            // Parameters and intermediates up to a final byte in @..~.
            for d in chars.by_ref() {
                if ('@'..='~').contains(&d) {
                    break;
                }
            }
        } else if chars.peek() == Some(&']') {
            chars.next();
            while let Some(d) = chars.next() {
                if d == '\u{7}' {
                    break;
                }
                if d == '\u{1b}' && chars.peek() == Some(&'\\') {
                    chars.next();
                    break;
                }
            }
        } else {
            chars.next();
        }
    }
    out
}

/// The line without a leading `YYYY-MM-DDTHH:MM:SS[.fraction]Z` and the space after it.
pub fn strip_timestamp(s: &str) -> &str {
    let b = s.as_bytes();
    let digit = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
    let at = |i: usize, c: u8| b.get(i) == Some(&c);
    let shape = (0..4).all(digit)
        && at(4, b'-')
        && digit(5)
        && digit(6)
        && at(7, b'-')
        && digit(8)
        && digit(9)
        && at(10, b'T')
        && digit(11)
        && digit(12)
        && at(13, b':')
        && digit(14)
        && digit(15)
        && at(16, b':')
        && digit(17)
        && digit(18);
    if !shape {
        return s;
    }
    let mut i = 19;
    if at(i, b'.') {
        i += 1;
        while digit(i) {
            i += 1;
        }
    }
    if !at(i, b'Z') {
        return s;
    }
    i += 1;
    if at(i, b' ') {
        i += 1;
    }
    &s[i..]
}

/// A raw log line made readable: no escapes, no timestamp, and the level of a leading
/// `##[error]` or `##[warning]` (other `##[...]` markers are dropped).
pub fn clean_line(raw: &str) -> (Option<&'static str>, String) {
    let text = strip_ansi(raw.trim_start_matches('\u{feff}'));
    let text = strip_timestamp(text.trim_end_matches('\r')).trim_end();
    let (level, rest) = if let Some(rest) = text.strip_prefix("##[error]") {
        (Some("error"), rest)
    } else if let Some(rest) = text.strip_prefix("##[warning]") {
        (Some("warning"), rest)
    } else if let Some(rest) = text
        .strip_prefix("##[")
        .and_then(|r| r.split_once(']').map(|(_, t)| t))
    {
        (None, rest)
    } else {
        (None, text)
    };
    (level, rest.trim().to_string())
}

/// Every line of `log` that matches an entry of the table.
pub fn scan(log: &str) -> Vec<Hit> {
    let mut hits = Vec::new();
    for (i, raw) in log.split('\n').enumerate() {
        let (level, text) = clean_line(raw);
        if text.is_empty() {
            continue;
        }
        let entries = errors::matches(&text);
        if entries.is_empty() {
            continue;
        }
        let reading = errors::read_assertion(&text);
        hits.push(Hit {
            line: i + 1,
            level,
            text,
            entries,
            reading,
        });
    }
    hits
}

/// At most `max` characters of `s`, with `…` when cut.
fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let cut: String = s.chars().take(max).collect();
    format!("{}…", cut.trim_end())
}

/// Entries in the order they first appear.
fn distinct_entries(hits: &[Hit]) -> Vec<&'static Entry> {
    let mut out: Vec<&'static Entry> = Vec::new();
    for e in hits.iter().flat_map(|h| h.entries.iter()) {
        if !out.iter().any(|o| o.id == e.id) {
            out.push(e);
        }
    }
    out
}

/// The report for people: each matching line, then each kind of error once.
pub fn render_human(name: &str, hits: &[Hit]) -> String {
    if hits.is_empty() {
        return format!("{name}: no known workload identity federation or sign-in error found\n");
    }
    let mut out = String::new();
    for h in hits {
        let ids: Vec<&str> = h.entries.iter().map(|e| e.id.as_str()).collect();
        out.push_str(&format!("{name}:{}: {}\n", h.line, ids.join(", ")));
        let level = h.level.map(|l| format!("{l}: ")).unwrap_or_default();
        out.push_str(&format!("  | {level}{}\n", shorten(&h.text, 160)));
        if let Some(r) = &h.reading {
            for f in &r.facts {
                out.push_str(&errors::wrap_hanging(f, "  = ", "    ", errors::WIDTH));
            }
            if let Some((issuer, subject)) = &r.required {
                out.push_str(&errors::required_values(issuer, subject, "  = "));
            }
        }
    }
    let kinds = distinct_entries(hits);
    for e in &kinds {
        out.push('\n');
        out.push_str(&errors::render_entry(e));
        let lines: Vec<String> = hits
            .iter()
            .filter(|h| h.entries.iter().any(|x| x.id == e.id))
            .map(|h| h.line.to_string())
            .collect();
        out.push_str(&errors::wrap(
            &format!("Lines: {}", lines.join(", ")),
            "  ",
            errors::WIDTH,
        ));
    }
    let lines = if hits.len() == 1 { "line" } else { "lines" };
    let kinds_word = if kinds.len() == 1 { "kind" } else { "kinds" };
    out.push_str(&format!(
        "\n{} {lines} of {name} match known errors ({} {kinds_word})\n",
        hits.len(),
        kinds.len()
    ));
    out
}

/// The report as one JSON object: `findings` (line, level, text, entry ids, issuer and subject
/// quoted by the line) and `errors` (the matched entries).
pub fn render_json(name: &str, hits: &[Hit]) -> String {
    let findings: Vec<serde_json::Value> = hits
        .iter()
        .map(|h| {
            let a = errors::parse_assertion(&h.text);
            json!({
                "line": h.line,
                "level": h.level,
                "text": h.text,
                "errors": h.entries.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(),
                "issuer": a.issuer,
                "subject": a.subject,
            })
        })
        .collect();
    let entries: Vec<serde_json::Value> = distinct_entries(hits)
        .iter()
        .map(|e| {
            json!({
                "id": e.id,
                "title": e.title,
                "codes": e.codes,
                "cause": e.cause.trim(),
                "fix": e.fix.trim(),
                "where": e.where_.trim(),
                "rule": e.rule,
                "guides": e.guides,
            })
        })
        .collect();
    let v = json!({ "file": name, "findings": findings, "errors": entries });
    serde_json::to_string_pretty(&v).unwrap_or_default() + "\n"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleaning() {
        let (level, text) =
            clean_line("\u{feff}2024-05-01T10:00:00.1234567Z ##[error]\u{1b}[31;1mIdentity not found\u{1b}[0m\r");
        assert_eq!(level, Some("error"));
        assert_eq!(text, "Identity not found");
        assert_eq!(
            clean_line("2024-05-01T10:00:00Z ##[section]Starting: x").1,
            "Starting: x"
        );
        assert_eq!(clean_line("no timestamp").1, "no timestamp");
        assert_eq!(strip_ansi("a\u{1b}]0;title\u{7}b\u{1b}[Kc"), "abc");
    }

    #[test]
    fn scanning() {
        let log = "2024-05-01T10:00:00.1Z ok\n\
                   2024-05-01T10:00:01.1Z ##[error]ERROR: AADSTS700024: Client assertion is not within its valid time range.\n\
                   2024-05-01T10:00:02.1Z [command]/usr/bin/az login --federated-token ***\n";
        let hits = scan(log);
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].line, 2);
        assert_eq!(hits[0].entries[0].id, "assertion-expired");
    }
}
