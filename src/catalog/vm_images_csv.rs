//! The reader of `data/vm-images.csv`, shared by `build.rs` (which turns the rows into the static
//! `vm_images::IMAGES`) and the tests of `vm_images`.

// Each includer uses only part of it.
#![allow(dead_code)]

/// One row of the file, checked.
#[derive(Debug)]
pub struct Row {
    pub label: String,
    /// `retired` (else `announced`).
    pub retired_status: bool,
    /// The removal date (ISO), when the source gives one.
    pub retired: Option<String>,
    pub replacement: String,
    pub source: String,
}

/// Split one CSV record: comma-separated, fields may be double-quoted with `""` for a quote.
pub fn fields(line: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut field = String::new();
    let mut chars = line.chars().peekable();
    let mut quoted = false;
    let mut at_start = true;
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                _ => field.push(c),
            }
        } else {
            match c {
                '"' if at_start => {
                    quoted = true;
                    at_start = false;
                    continue;
                }
                ',' => {
                    out.push(std::mem::take(&mut field));
                    at_start = true;
                    continue;
                }
                _ => field.push(c),
            }
        }
        at_start = false;
    }
    if quoted {
        return Err(format!("unterminated quote in `{line}`"));
    }
    out.push(field);
    Ok(out)
}

pub const HEADER: [&str; 7] = [
    "image",
    "status",
    "announced",
    "retired",
    "replacement",
    "source",
    "note",
];

fn is_iso_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b[4] == b'-'
        && b[7] == b'-'
        && b.iter()
            .enumerate()
            .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit())
}

pub fn parse(text: &str) -> Result<Vec<Row>, String> {
    let mut lines = text.lines().filter(|l| !l.trim().is_empty());
    let header = fields(lines.next().ok_or("empty file")?)?;
    if header != HEADER {
        return Err(format!("header is {header:?}, expected {HEADER:?}"));
    }
    let mut out = Vec::new();
    for line in lines {
        let f = fields(line)?;
        if f.len() != HEADER.len() {
            return Err(format!(
                "{} fields instead of {} in `{line}`",
                f.len(),
                HEADER.len()
            ));
        }
        let retired_status = match f[1].as_str() {
            "retired" => true,
            "announced" => false,
            s => return Err(format!("unknown status `{s}` in `{line}`")),
        };
        for date in [&f[2], &f[3]] {
            if !date.is_empty() && !is_iso_date(date) {
                return Err(format!("`{date}` is not an ISO date in `{line}`"));
            }
        }
        if retired_status && f[3].is_empty() {
            return Err(format!("a retired image needs its date: `{line}`"));
        }
        if f[0].trim().is_empty() || f[4].trim().is_empty() || !f[5].starts_with("https://") {
            return Err(format!(
                "image, replacement and source are required: `{line}`"
            ));
        }
        out.push(Row {
            label: f[0].trim().to_string(),
            retired_status,
            retired: Some(f[3].clone()).filter(|d| !d.is_empty()),
            replacement: f[4].trim().to_string(),
            source: f[5].trim().to_string(),
        });
    }
    Ok(out)
}
