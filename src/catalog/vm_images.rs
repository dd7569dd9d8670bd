//! Microsoft-hosted VM images that are retired or being retired: `data/vm-images.csv`, embedded at
//! build time and parsed once, with the source of every row. Labels match ignoring ASCII case
//! (`macOS-12` and `macos-12` are the same image).

use std::sync::OnceLock;

/// The image data, with its sources: one row per label (aliases have their own rows).
const DATA: &str = include_str!("../../data/vm-images.csv");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// The removal date has passed: jobs asking for the image no longer start.
    Retired,
    /// A retirement is announced: the image still runs, with brownouts before the date.
    Announced,
}

#[derive(Debug)]
pub struct Image {
    pub label: String,
    pub status: Status,
    /// The removal date (ISO), when the source gives one.
    pub retired: Option<String>,
    pub replacement: String,
    pub source: String,
}

pub fn images() -> &'static [Image] {
    static IMAGES: OnceLock<Vec<Image>> = OnceLock::new();
    IMAGES.get_or_init(|| parse(DATA).unwrap_or_else(|e| panic!("data/vm-images.csv: {e}")))
}

/// The image of a `vmImage` label, ignoring ASCII case and surrounding blanks.
pub fn lookup(label: &str) -> Option<&'static Image> {
    let label = label.trim();
    images()
        .iter()
        .find(|i| i.label.eq_ignore_ascii_case(label))
}

/// Split one CSV record: comma-separated, fields may be double-quoted with `""` for a quote.
fn fields(line: &str) -> Result<Vec<String>, String> {
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

const HEADER: [&str; 7] = [
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

fn parse(text: &str) -> Result<Vec<Image>, String> {
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
        let status = match f[1].as_str() {
            "retired" => Status::Retired,
            "announced" => Status::Announced,
            s => return Err(format!("unknown status `{s}` in `{line}`")),
        };
        for date in [&f[2], &f[3]] {
            if !date.is_empty() && !is_iso_date(date) {
                return Err(format!("`{date}` is not an ISO date in `{line}`"));
            }
        }
        if status == Status::Retired && f[3].is_empty() {
            return Err(format!("a retired image needs its date: `{line}`"));
        }
        if f[0].trim().is_empty() || f[4].trim().is_empty() || !f[5].starts_with("https://") {
            return Err(format!(
                "image, replacement and source are required: `{line}`"
            ));
        }
        out.push(Image {
            label: f[0].trim().to_string(),
            status,
            retired: Some(f[3].clone()).filter(|d| !d.is_empty()),
            replacement: f[4].trim().to_string(),
            source: f[5].trim().to_string(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_data_parses_and_every_label_is_unique() {
        let images = parse(DATA).unwrap();
        assert!(images.len() > 20);
        for (i, a) in images.iter().enumerate() {
            for b in &images[i + 1..] {
                assert!(!a.label.eq_ignore_ascii_case(&b.label), "{} twice", a.label);
            }
            // A replacement is never itself listed as retired.
            assert!(
                lookup(&a.replacement).is_none_or(|r| r.status != Status::Retired),
                "{} is replaced by a retired image",
                a.label
            );
        }
        for current in [
            "ubuntu-latest",
            "windows-latest",
            "macOS-latest",
            "windows-2022",
        ] {
            assert!(lookup(current).is_none(), "{current} listed");
        }
    }

    #[test]
    fn csv_fields_handle_quotes() {
        assert_eq!(
            fields(r#"a,"b, ""c""",,d"#).unwrap(),
            vec!["a", r#"b, "c""#, "", "d"]
        );
        assert!(fields(r#"a,"b"#).is_err());
        assert!(parse("image,status\n").is_err());
        assert!(parse(&format!(
            "{}\nx,gone,,2020-01-01,y,https://z,\n",
            HEADER.join(",")
        ))
        .is_err());
        assert!(parse(&format!(
            "{}\nx,retired,,2020-1-1,y,https://z,\n",
            HEADER.join(",")
        ))
        .is_err());
    }

    #[test]
    fn labels_match_ignoring_case_and_blanks() {
        assert_eq!(lookup("MACOS-12").unwrap().label, "macOS-12");
        assert_eq!(lookup(" ubuntu 16.04 ").unwrap().label, "Ubuntu 16.04");
    }
}
