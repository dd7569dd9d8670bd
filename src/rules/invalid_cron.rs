//! `invalid-cron`: a `schedules` cron that isn't a valid 5-field expression.

use super::{Context, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::yaml::is_expression;

pub static RULE: Rule = Rule {
    id: "invalid-cron",
    severity: Severity::Error,
    summary: "A scheduled trigger's cron is not a valid five-field expression",
    category: super::Category::Correctness,
    default_enabled: true,
    check: super::Check::Document(check),
};

const MONTHS: &[&str] = &[
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];
const DAYS: &[&str] = &["sun", "mon", "tue", "wed", "thu", "fri", "sat"];
/// Full month and day names, also accepted.
const FULL_NAMES: &[&str] = &[
    "january",
    "february",
    "march",
    "april",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "sunday",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
];

/// (name, min, max, names)
const FIELDS: [(&str, u32, u32, &[&str]); 5] = [
    ("minute", 0, 59, &[]),
    ("hour", 0, 23, &[]),
    ("day of month", 1, 31, &[]),
    ("month", 1, 12, MONTHS),
    // 7 is Sunday again in most cron dialects; it is accepted rather than flagged.
    ("day of week", 0, 7, DAYS),
];

/// A value of a field: a number or, for months and days, a name (3 letters or the full word).
fn value(v: &str, min: u32, max: u32, names: &[&str]) -> Result<u32, String> {
    if v.bytes().all(|b| b.is_ascii_digit()) && !v.is_empty() {
        let n: u32 = v
            .parse()
            .map_err(|_| format!("`{v}` is out of range {min}-{max}"))?;
        return if (min..=max).contains(&n) {
            Ok(n)
        } else {
            Err(format!("`{v}` is out of range {min}-{max}"))
        };
    }
    let lower = v.to_ascii_lowercase();
    names
        .iter()
        .position(|n| lower == *n || FULL_NAMES.contains(&lower.as_str()) && lower.starts_with(n))
        .map(|i| i as u32 + min)
        .ok_or_else(|| {
            if names.is_empty() {
                format!("`{v}` is not a number")
            } else {
                format!(
                    "`{v}` is neither a number nor a name (`{}`, ...)",
                    names[..3].join("`, `")
                )
            }
        })
}

/// Check one field: `*`, `n`, `a-b`, lists `a,b`, steps `*/n` and `a-b/n`.
pub fn field(f: &str, min: u32, max: u32, names: &[&str]) -> Result<(), String> {
    for part in f.split(',') {
        if part.is_empty() {
            return Err("an empty item in a list".into());
        }
        let (range, step) = match part.split_once('/') {
            Some((r, s)) => (r, Some(s)),
            None => (part, None),
        };
        if let Some(s) = step {
            match s.parse::<u32>() {
                Ok(n) if n > 0 => {}
                _ => return Err(format!("step `/{s}` must be a positive number")),
            }
        }
        if range == "*" {
            continue;
        }
        match range.split_once('-') {
            Some((a, b)) => {
                let (a, b) = (value(a, min, max, names)?, value(b, min, max, names)?);
                if a > b {
                    return Err(format!("range `{range}` goes backwards"));
                }
            }
            None => {
                value(range, min, max, names)?;
            }
        }
    }
    Ok(())
}

/// Why a cron expression is invalid, if it is.
pub fn problem(cron: &str) -> Option<String> {
    let fields: Vec<&str> = cron.split_whitespace().collect();
    if fields.len() != 5 {
        let n = fields.len();
        return Some(format!(
            "it has {n} field{}; Azure Pipelines takes exactly five (minute hour day-of-month month day-of-week)",
            if n == 1 { "" } else { "s" }
        ));
    }
    for (f, (name, min, max, names)) in fields.iter().zip(FIELDS) {
        if let Err(e) = field(f, min, max, names) {
            return Some(format!("the {name} field `{f}` is invalid: {e}"));
        }
    }
    None
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let Some(schedules) = ctx.doc.root.as_ref().and_then(|r| r.get("schedules")) else {
        return;
    };
    for item in schedules.as_seq().unwrap_or_default() {
        let Some(cron) = item.get("cron") else {
            continue;
        };
        let Some(text) = cron.as_str() else { continue };
        if cron.is_null() || is_expression(text) {
            continue;
        }
        if let Some(why) = problem(text) {
            out.push(
                RULE.diag(cron.span.clone(), format!("cron `{}` is invalid: {why}", text.trim()))
                    .label("not a valid schedule")
                    .help("write five fields: minute hour day-of-month month day-of-week, e.g. `0 3 * * Mon-Fri` (times are UTC)")
                    .note("Azure Pipelines rejects the pipeline's schedules, so none of them run"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::problem;

    #[test]
    fn valid_and_invalid() {
        for ok in [
            "0 3 * * *",
            "*/15 * * * *",
            "0 0-23/2 1,15 * Mon-Fri",
            "30 22 * Jan-Jun sun",
            "0 12 * * 0",
        ] {
            assert_eq!(problem(ok), None, "{ok}");
        }
        for bad in [
            "0 3 * *",
            "60 * * * *",
            "0 24 * * *",
            "0 0 0 * *",
            "0 0 * 13 *",
            "0 0 * * Funday",
            "*/0 * * * *",
            "5-1 * * * *",
            "0 0 * * * *",
        ] {
            assert!(problem(bad).is_some(), "{bad}");
        }
    }
}
