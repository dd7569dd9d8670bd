//! Microsoft-hosted VM images that are retired or being retired: `data/vm-images.csv`, with the
//! source of every row, checked and turned into a static table by `build.rs` (nothing is parsed at
//! run time; the table holds spans of one static text, no pointers). Labels match ignoring ASCII case
//! (`macOS-12` and `macos-12` are the same image).

use super::Span;
use std::sync::OnceLock;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// The removal date has passed: jobs asking for the image no longer start.
    Retired,
    /// A retirement is announced: the image still runs, with brownouts before the date.
    Announced,
}

/// One row of the image data: one row per label (aliases have their own rows).
#[derive(Debug)]
pub struct Image {
    pub label: &'static str,
    pub status: Status,
    /// The removal date (ISO), when the source gives one.
    pub retired: Option<&'static str>,
    pub replacement: &'static str,
    pub source: &'static str,
}

/// One row of the generated table.
struct Record {
    label: Span,
    status: Status,
    retired: Span,
    replacement: Span,
    source: Span,
}

mod data {
    use super::{Record, Span, Status};
    include!(concat!(env!("OUT_DIR"), "/vm_images.rs"));
}

pub fn images() -> &'static [Image] {
    static IMAGES: OnceLock<Vec<Image>> = OnceLock::new();
    IMAGES.get_or_init(|| {
        let text = |s: Span| s.get(data::TEXT).unwrap_or_default();
        data::IMAGES
            .iter()
            .map(|r| Image {
                label: text(r.label),
                status: r.status,
                retired: r.retired.get(data::TEXT),
                replacement: text(r.replacement),
                source: text(r.source),
            })
            .collect()
    })
}

/// The image of a `vmImage` label, ignoring ASCII case and surrounding blanks.
pub fn lookup(label: &str) -> Option<&'static Image> {
    let label = label.trim();
    images()
        .iter()
        .find(|i| i.label.eq_ignore_ascii_case(label))
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::catalog::vm_images_csv::{fields, parse, HEADER};

    const DATA: &str = include_str!("../../data/vm-images.csv");

    #[test]
    fn the_static_images_are_the_rows_of_the_file() {
        let rows = parse(DATA).unwrap();
        assert_eq!(rows.len(), images().len());
        for (r, i) in rows.iter().zip(images()) {
            assert_eq!(r.label, i.label);
            assert_eq!(r.retired_status, i.status == Status::Retired);
            assert_eq!(r.retired.as_deref(), i.retired);
            assert_eq!(r.replacement, i.replacement);
            assert_eq!(r.source, i.source);
        }
    }

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
