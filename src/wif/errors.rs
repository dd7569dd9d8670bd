//! The table of sign-in errors that pipelines print around workload identity federation
//! (`data/errors.yaml`), matching of codes and messages against text, and the reading of the
//! issuer and subject that an `AADSTS70021` message presents.
//!
//! `azplint explain` and `azplint diagnose` print from here; `check-connection` shares the
//! issuer and subject forms.

use serde::Deserialize;
use std::sync::OnceLock;

/// The audience every Azure DevOps federated credential must list.
pub const AUDIENCE: &str = "api://AzureADTokenExchange";

/// The issuer Azure DevOps used before per-organization issuers.
pub const OLD_ISSUER_HOST: &str = "app.vstoken.visualstudio.com";

const TABLE: &str = include_str!("../../data/errors.yaml");

/// One entry of `data/errors.yaml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub codes: Vec<String>,
    #[serde(default)]
    pub messages: Vec<String>,
    #[serde(default)]
    pub keywords: Vec<String>,
    pub cause: String,
    pub fix: String,
    #[serde(rename = "where")]
    pub where_: String,
    #[serde(default)]
    pub rule: Option<String>,
    #[serde(default)]
    pub guides: Vec<String>,
    #[serde(default)]
    pub replaces: Vec<String>,
}

/// Every entry, in the order of the file. The table is embedded, so a broken table is a bug
/// (the unit tests parse it).
pub fn table() -> &'static [Entry] {
    static T: OnceLock<Vec<Entry>> = OnceLock::new();
    T.get_or_init(|| serde_saphyr::from_str(TABLE).expect("data/errors.yaml is valid"))
}

pub fn by_id(id: &str) -> Option<&'static Entry> {
    table().iter().find(|e| e.id.eq_ignore_ascii_case(id))
}

impl Entry {
    /// Which guides list it, in words.
    pub fn guides_text(&self) -> String {
        let names: Vec<&str> = self
            .guides
            .iter()
            .map(|g| match g.as_str() {
                "2023" => "the 2023 troubleshooting guide",
                "current" => "the current troubleshooting guide",
                other => other,
            })
            .collect();
        names.join(" and ")
    }
}

/// Every `AADSTS<digits>` in `text` (any case), upper-cased, each with its whole run of digits.
pub fn codes_in(text: &str) -> Vec<String> {
    let lower = text.to_ascii_lowercase();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = lower[from..].find("aadsts") {
        let start = from + i + "aadsts".len();
        let digits: String = lower[start..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        if !digits.is_empty() {
            let code = format!("AADSTS{digits}");
            if !out.contains(&code) {
                out.push(code);
            }
        }
        from = start + digits.len();
    }
    out
}

/// Whether `pattern` occurs in `text` (both lower-cased already). ` ... ` in a pattern separates
/// parts that must occur in this order.
fn pattern_in(pattern: &str, text: &str) -> bool {
    let mut rest = text;
    for part in pattern
        .split(" ... ")
        .map(str::trim)
        .filter(|p| !p.is_empty())
    {
        match rest.find(part) {
            Some(i) => rest = &rest[i + part.len()..],
            None => return false,
        }
    }
    true
}

/// Entries whose code or message occurs in `text` (a log line, a pasted message), in table
/// order, without those that a more specific match replaces.
pub fn matches(text: &str) -> Vec<&'static Entry> {
    let codes = codes_in(text);
    let lower = text.to_lowercase();
    let found: Vec<&Entry> = table()
        .iter()
        .filter(|e| {
            e.codes
                .iter()
                .any(|c| codes.iter().any(|k| k.eq_ignore_ascii_case(c)))
                || e.messages
                    .iter()
                    .any(|m| pattern_in(&m.to_lowercase(), &lower))
        })
        .collect();
    let replaced: Vec<&str> = found
        .iter()
        .flat_map(|e| e.replaces.iter().map(String::as_str))
        .collect();
    found
        .into_iter()
        .filter(|e| !replaced.contains(&e.id.as_str()))
        .collect()
}

/// Entries for what a user typed after `azplint explain`: a code (`AADSTS700024`, `700024`), a
/// pasted message or log line, an entry id, a keyword, or a piece of a known message.
pub fn lookup(query: &str) -> Vec<&'static Entry> {
    let q = query.trim();
    if q.is_empty() {
        return Vec::new();
    }
    if q.chars().all(|c| c.is_ascii_digit()) {
        return matches(&format!("AADSTS{q}"));
    }
    if let Some(e) = by_id(q) {
        return vec![e];
    }
    let found = matches(q);
    if !found.is_empty() {
        return found;
    }
    let lower = q.to_lowercase();
    table()
        .iter()
        .filter(|e| {
            e.keywords.iter().any(|k| k.to_lowercase() == lower)
                || (lower.chars().count() >= 8
                    && !lower.starts_with("aadsts")
                    && e.messages.iter().chain(&e.keywords).any(|m| {
                        m.to_lowercase()
                            .split(" ... ")
                            .any(|part| part.contains(&lower))
                    }))
        })
        .collect()
}

/// The forms of a federated token's issuer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Issuer {
    /// `https://app.vstoken.visualstudio.com`: retired.
    Old,
    /// `https://vstoken.dev.azure.com/<organization id>`.
    AzureDevOps { organization_id: String },
    /// `https://vstoken.dev.azure.com` without a valid organization id after it.
    AzureDevOpsWithoutId,
    /// `https://login.microsoftonline.com/<tenant id>/v2.0`.
    Entra { tenant: String },
    /// Anything else.
    Other,
}

/// The forms of a federated token's subject.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// `sc://<organization>/<project>/<connection>`.
    Names {
        organization: String,
        project: String,
        connection: String,
    },
    /// `<prefix>/sc/<organization id>/<connection id>`.
    Ids {
        organization_id: String,
        connection_id: String,
    },
    /// Hidden by the log (`***`).
    Masked,
    Other,
}

pub fn is_guid(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() == 5
        && parts
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(p, n)| p.len() == n && p.chars().all(|c| c.is_ascii_hexdigit()))
}

pub fn issuer_form(issuer: &str) -> Issuer {
    let s = issuer.trim();
    let lower = s.to_ascii_lowercase();
    let rest = lower.strip_prefix("https://").unwrap_or(&lower);
    if rest.trim_end_matches('/') == OLD_ISSUER_HOST
        || rest.starts_with(&format!("{OLD_ISSUER_HOST}/"))
    {
        return Issuer::Old;
    }
    if !lower.starts_with("https://") {
        return Issuer::Other;
    }
    let original_rest = &s["https://".len()..];
    if let Some(after) = rest.strip_prefix("vstoken.dev.azure.com") {
        let id = &original_rest["vstoken.dev.azure.com".len()..];
        return match id.strip_prefix('/') {
            Some(id) if is_guid(id) => Issuer::AzureDevOps {
                organization_id: id.to_string(),
            },
            _ if after.is_empty() || after.starts_with('/') => Issuer::AzureDevOpsWithoutId,
            _ => Issuer::Other,
        };
    }
    if let Some(path) = original_rest.strip_prefix("login.microsoftonline.com/") {
        if let Some(tenant) = path.strip_suffix("/v2.0") {
            if !tenant.is_empty() && !tenant.contains('/') {
                return Issuer::Entra {
                    tenant: tenant.to_string(),
                };
            }
        }
    }
    Issuer::Other
}

pub fn subject_form(subject: &str) -> Subject {
    let s = subject.trim();
    if !s.is_empty() && s.chars().all(|c| c == '*') {
        return Subject::Masked;
    }
    if let Some(rest) = s.strip_prefix("sc://") {
        let parts: Vec<&str> = rest.splitn(3, '/').collect();
        if parts.len() == 3 && parts.iter().all(|p| !p.is_empty()) {
            return Subject::Names {
                organization: parts[0].to_string(),
                project: parts[1].to_string(),
                connection: parts[2].to_string(),
            };
        }
        return Subject::Other;
    }
    if let Some(i) = s.rfind("/sc/") {
        let ids: Vec<&str> = s[i + 4..].split('/').collect();
        if ids.len() == 2 && ids.iter().all(|p| is_guid(p)) {
            return Subject::Ids {
                organization_id: ids[0].to_string(),
                connection_id: ids[1].to_string(),
            };
        }
    }
    Subject::Other
}

/// Issuer, subject and audience quoted in a sign-in error.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Assertion {
    pub issuer: Option<String>,
    pub subject: Option<String>,
    pub audience: Option<String>,
}

/// The value after `label` (any case): `Assertion Issuer: 'x'`, `assertion issuer 'x'`, with
/// single, double or back quotes, or unquoted up to white space.
fn quoted_after(text: &str, label: &str) -> Option<String> {
    let lower = text.to_ascii_lowercase();
    let i = lower.find(label)?;
    let rest = text[i + label.len()..].trim_start_matches([':', ' ', '\t']);
    let rest = rest.trim_start_matches('\\');
    let quote = rest.chars().next()?;
    let value = if matches!(quote, '\'' | '"' | '`') {
        let body = &rest[1..];
        let end = body.find(quote)?;
        body[..end].trim_end_matches('\\')
    } else {
        rest.split_whitespace()
            .next()?
            .trim_end_matches(['.', ',', ';'])
    };
    (!value.is_empty()).then(|| value.to_string())
}

pub fn parse_assertion(text: &str) -> Assertion {
    Assertion {
        issuer: quoted_after(text, "assertion issuer"),
        subject: quoted_after(text, "assertion subject"),
        audience: quoted_after(text, "assertion audience"),
    }
}

/// What a sign-in error's issuer and subject say: one short line per fact, advice, and the
/// values the federated credential must have.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Reading {
    pub facts: Vec<String>,
    pub advice: Vec<String>,
    /// `(issuer, subject)` to set on the federated credential, when the message tells both.
    pub required: Option<(String, String)>,
}

pub fn describe_issuer(issuer: &str) -> String {
    match issuer_form(issuer) {
        Issuer::Old => "the retired Azure DevOps issuer".to_string(),
        Issuer::AzureDevOps { organization_id } => {
            format!("Azure DevOps issuer of the organization with id {organization_id}")
        }
        Issuer::AzureDevOpsWithoutId => {
            "Azure DevOps issuer without a valid organization id after it".to_string()
        }
        Issuer::Entra { tenant } => format!("Microsoft Entra issuer of tenant {tenant}"),
        Issuer::Other => "not a form that Azure DevOps uses".to_string(),
    }
}

pub fn describe_subject(subject: &str) -> String {
    match subject_form(subject) {
        Subject::Names {
            organization,
            project,
            connection,
        } => {
            format!("organization `{organization}`, project `{project}`, connection `{connection}`")
        }
        Subject::Ids {
            organization_id,
            connection_id,
        } => format!("organization id {organization_id}, connection id {connection_id}"),
        Subject::Masked => "hidden by the log".to_string(),
        Subject::Other => "not a form that Azure DevOps uses".to_string(),
    }
}

/// Read the issuer, subject and audience quoted in `text`; `None` when it quotes none.
pub fn read_assertion(text: &str) -> Option<Reading> {
    let a = parse_assertion(text);
    if a.issuer.is_none() && a.subject.is_none() && a.audience.is_none() {
        return None;
    }
    let mut r = Reading::default();
    let mut issuer_ok = false;
    if let Some(issuer) = &a.issuer {
        r.facts
            .push(format!("issuer `{issuer}`: {}", describe_issuer(issuer)));
        match issuer_form(issuer) {
            Issuer::Old => r.advice.push(
                "The issuer is the retired one: edit the service connection and save it, so that \
                 it presents its current issuer; if you created its identity yourself, put that \
                 new issuer (shown in the edit dialog) into the identity's federated credential."
                    .to_string(),
            ),
            Issuer::AzureDevOps { .. } | Issuer::Entra { .. } => {
                issuer_ok = true;
                r.advice.push(
                    "The issuer has a current form; the federated credential must hold exactly \
                     this issuer."
                        .to_string(),
                );
            }
            Issuer::AzureDevOpsWithoutId => r.advice.push(
                "The issuer lacks the organization id: the current Azure DevOps form is \
                 `https://vstoken.dev.azure.com/<organization id>`; copy it from the connection's \
                 edit dialog."
                    .to_string(),
            ),
            Issuer::Other => r.advice.push(
                "Azure DevOps connections present `https://vstoken.dev.azure.com/<organization \
                 id>` or `https://login.microsoftonline.com/<tenant id>/v2.0`; this token may not \
                 come from an Azure DevOps service connection."
                    .to_string(),
            ),
        }
    }
    let mut subject_ok = false;
    if let Some(subject) = &a.subject {
        r.facts.push(format!(
            "subject `{subject}`: {}",
            describe_subject(subject)
        ));
        match subject_form(subject) {
            Subject::Names { .. } => {
                subject_ok = true;
                if let Subject::Names {
                    organization,
                    project,
                    connection,
                } = subject_form(subject)
                {
                    r.advice.push(format!(
                        "The subject is built from names. Compare each part with the current name \
                         in Azure DevOps and with the subject on the identity's federated \
                         credential: a credential made before a rename (of the organization, the \
                         project, or of a connection created by hand) still holds the old name \
                         and no longer matches. Letter case counts.\n\
                         \x20 organization: {organization}\n\
                         \x20 project:      {project}\n\
                         \x20 connection:   {connection}"
                    ));
                }
            }
            Subject::Ids { .. } => {
                subject_ok = true;
                r.advice.push(
                    "The subject is built from ids, which survive renames: compare it with the \
                     federated credential character for character, and check that the credential \
                     sits on the identity whose client id the connection uses."
                        .to_string(),
                );
            }
            Subject::Masked => r.advice.push(
                "The log hides the subject; read it in the connection's edit dialog or with \
                 `az devops service-endpoint show`."
                    .to_string(),
            ),
            Subject::Other => r.advice.push(
                "Azure DevOps subjects look like `sc://<organization>/<project>/<connection>` or \
                 `<prefix>/sc/<organization id>/<connection id>`; this one is neither."
                    .to_string(),
            ),
        }
    }
    if let Some(audience) = &a.audience {
        if audience != AUDIENCE {
            r.facts
                .push(format!("audience `{audience}`: expected `{AUDIENCE}`"));
        } else {
            r.facts.push(format!("audience `{audience}`: as expected"));
        }
    }
    match (&a.issuer, &a.subject) {
        (Some(i), Some(s)) if issuer_ok && subject_ok => r.required = Some((i.clone(), s.clone())),
        (Some(i), Some(s)) if subject_ok && issuer_form(i) == Issuer::Old => {
            r.required = Some((
                "(the connection's new issuer, shown in its edit dialog once saved)".to_string(),
                s.clone(),
            ))
        }
        _ => {}
    }
    Some(r)
}

/// Wrap `text` to `width` columns, every line starting with `indent`.
pub fn wrap(text: &str, indent: &str, width: usize) -> String {
    wrap_hanging(text, indent, indent, width)
}

/// Wrap `text`: the first line starts with `first`, the others with `rest`. Lines of `text` after
/// the first that start with a space are kept as they are (values to copy), after `rest`.
pub fn wrap_hanging(text: &str, first: &str, rest: &str, width: usize) -> String {
    let mut out = String::new();
    for (i, para) in text.trim().split('\n').enumerate() {
        if i > 0 && para.starts_with(' ') {
            out.push_str(rest);
            out.push_str(para.trim_end());
            out.push('\n');
            continue;
        }
        let options = textwrap::Options::new(width)
            .initial_indent(if i == 0 { first } else { rest })
            .subsequent_indent(rest)
            // Break at spaces only: never inside a URL, an id or a hyphenated word.
            .word_separator(textwrap::WordSeparator::AsciiSpace)
            .word_splitter(textwrap::WordSplitter::NoHyphenation)
            .break_words(false);
        for line in textwrap::wrap(para.trim(), options) {
            out.push_str(line.trim_end());
            out.push('\n');
        }
    }
    out
}

/// Text width of `explain` and `diagnose`.
pub const WIDTH: usize = 100;

/// An entry as `explain` prints it.
pub fn render_entry(e: &Entry) -> String {
    let field =
        |label: &str, text: &str| wrap_hanging(&format!("{label}: {text}"), "  ", "    ", WIDTH);
    let mut out = String::new();
    out.push_str(&format!("{} [{}]\n", e.title, e.id));
    let mut matched: Vec<String> = e.codes.clone();
    matched.extend(e.messages.iter().map(|m| format!("\"{m}\"")));
    if !matched.is_empty() {
        out.push_str(&field("Matches", &matched.join(", ")));
    }
    out.push_str(&field("Cause", &e.cause));
    out.push_str(&field("Fix", &e.fix));
    out.push_str(&field("Where", &e.where_));
    if let Some(rule) = &e.rule {
        out.push_str(&field(
            "Related rule",
            &format!("{rule}: `azplint check` finds its cause in pipeline YAML (`azplint explain {rule}`)"),
        ));
    }
    if !e.guides.is_empty() {
        out.push_str(&field("Listed in", &e.guides_text()));
    }
    out
}

/// A reading as `explain` prints it.
pub fn render_reading(r: &Reading) -> String {
    let mut out = String::from("What the message presents:\n");
    for f in &r.facts {
        out.push_str(&wrap_hanging(&format!("- {f}"), "  ", "    ", WIDTH));
    }
    out.push('\n');
    for a in &r.advice {
        out.push_str(&wrap(a, "  ", WIDTH));
        out.push('\n');
    }
    if let Some((issuer, subject)) = &r.required {
        out.push_str(&required_values(issuer, subject, "  "));
    }
    out
}

/// The values a federated credential must hold.
pub fn required_values(issuer: &str, subject: &str, indent: &str) -> String {
    format!(
        "{indent}The identity's federated credential must read exactly:\n\
         {indent}  issuer:   {issuer}\n\
         {indent}  subject:  {subject}\n\
         {indent}  audience: {AUDIENCE}\n"
    )
}

/// `azplint explain` for anything that is not a rule id: the matching entries, and for a
/// pasted message with an issuer or subject, what they say. `None` when nothing matched.
pub fn explain(query: &str) -> Option<String> {
    let entries = lookup(query);
    let reading = read_assertion(query);
    if entries.is_empty() && reading.is_none() {
        return None;
    }
    let mut out = String::new();
    for (i, e) in entries.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&render_entry(e));
    }
    if let Some(r) = reading {
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(&render_reading(&r));
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_parses_and_ids_are_unique() {
        let t = table();
        assert!(t.len() >= 15);
        let mut ids: Vec<&str> = t.iter().map(|e| e.id.as_str()).collect();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), t.len(), "duplicate ids");
        for e in t {
            assert!(
                !e.codes.is_empty() || !e.messages.is_empty(),
                "{} matches nothing",
                e.id
            );
            for c in &e.codes {
                assert_eq!(codes_in(c), vec![c.clone()], "{}: malformed code {c}", e.id);
            }
            for r in &e.replaces {
                assert!(by_id(r).is_some(), "{} replaces unknown {r}", e.id);
            }
            if let Some(rule) = &e.rule {
                assert!(
                    crate::rules::by_id(rule).is_some(),
                    "{}: unknown rule {rule}",
                    e.id
                );
                assert!(
                    crate::docs::page(rule).is_some(),
                    "{}: no page for {rule}",
                    e.id
                );
            }
            for g in &e.guides {
                assert!(
                    ["2023", "current"].contains(&g.as_str()),
                    "{}: guide {g}",
                    e.id
                );
            }
        }
    }

    #[test]
    fn codes_match_whole_digit_runs_only() {
        let ids = |t: &str| matches(t).iter().map(|e| e.id.as_str()).collect::<Vec<_>>();
        assert_eq!(ids("AADSTS700211: no match"), vec!["issuer-not-matched"]);
        assert_eq!(ids("AADSTS700213: no match"), vec!["subject-not-matched"]);
        assert_eq!(
            ids("ERROR: AADSTS70021: No matching"),
            vec!["no-matching-federated-record"]
        );
        assert!(ids("AADSTS7002138: case").is_empty());
        assert_eq!(ids("aadsts7000215"), vec!["invalid-client-secret"]);
    }

    #[test]
    fn old_issuer_replaces_the_generic_entry() {
        let m = matches(
            "AADSTS70021: No matching federated identity record found for presented assertion. \
             Assertion Issuer: 'https://app.vstoken.visualstudio.com'.",
        );
        assert_eq!(m.len(), 1);
        assert_eq!(m[0].id, "old-issuer");
    }

    #[test]
    fn lookup_by_number_keyword_and_piece() {
        assert_eq!(lookup("700024")[0].id, "assertion-expired");
        assert_eq!(lookup("--federated-token")[0].id, "old-azure-cli");
        assert_eq!(lookup("jwt")[0].id, "jwt-not-obtained");
        assert_eq!(
            lookup("Insufficient privileges")[0].id,
            "cannot-create-app-registration"
        );
        assert_eq!(
            lookup("unsupported protocol scheme")[0].id,
            "task-without-wif-support"
        );
        assert!(lookup("AADSTS7002").is_empty());
        assert!(lookup("token").is_empty());
    }

    #[test]
    fn forms() {
        let g = "6f1c1f3a-0d5e-4a8b-9c2d-3e4f5a6b7c8d";
        assert_eq!(
            issuer_form("https://app.vstoken.visualstudio.com"),
            Issuer::Old
        );
        assert_eq!(
            issuer_form("https://app.vstoken.visualstudio.com/"),
            Issuer::Old
        );
        assert_eq!(
            issuer_form(&format!("https://vstoken.dev.azure.com/{g}")),
            Issuer::AzureDevOps {
                organization_id: g.into()
            }
        );
        assert_eq!(
            issuer_form("https://vstoken.dev.azure.com/contoso"),
            Issuer::AzureDevOpsWithoutId
        );
        assert_eq!(
            issuer_form(&format!("https://login.microsoftonline.com/{g}/v2.0")),
            Issuer::Entra { tenant: g.into() }
        );
        assert_eq!(
            issuer_form("https://token.actions.githubusercontent.com"),
            Issuer::Other
        );
        assert_eq!(
            subject_form("sc://contoso/web shop/prod-wif"),
            Subject::Names {
                organization: "contoso".into(),
                project: "web shop".into(),
                connection: "prod-wif".into()
            }
        );
        assert_eq!(
            subject_form(&format!("/eid1/c/pub/t/abc/a/def/sc/{g}/{g}")),
            Subject::Ids {
                organization_id: g.into(),
                connection_id: g.into()
            }
        );
        assert_eq!(subject_form("***"), Subject::Masked);
        assert_eq!(subject_form("sc://contoso/web"), Subject::Other);
    }

    #[test]
    fn assertion_values_in_both_quotings() {
        let a = parse_assertion(
            "AADSTS70021: No matching federated identity record found for presented assertion. \
             Assertion Issuer: 'https://vstoken.dev.azure.com/6f1c1f3a-0d5e-4a8b-9c2d-3e4f5a6b7c8d'. \
             Assertion Subject: 'sc://contoso/web/prod'. Assertion Audience: 'api://AzureADTokenExchange'.",
        );
        assert_eq!(a.subject.as_deref(), Some("sc://contoso/web/prod"));
        assert_eq!(a.audience.as_deref(), Some(AUDIENCE));
        let b = parse_assertion(
            "AADSTS700213: ... for presented assertion subject 'sc://a/b/c'. Please",
        );
        assert_eq!(b.subject.as_deref(), Some("sc://a/b/c"));
        assert_eq!(b.issuer, None);
    }

    /// Every code and message of the fact table (`wif-errors.md`, when the shared data is there)
    /// has an entry; each code finds the entry that carries it.
    #[test]
    fn every_message_of_the_fact_table_has_an_entry() {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/wif-errors.md");
        let Ok(text) = std::fs::read_to_string(&path) else {
            eprintln!("skipped: {} is not there", path.display());
            return;
        };
        let mut checked = 0;
        for line in text.lines().filter(|l| l.starts_with("| `")) {
            let first = line
                .trim_start_matches('|')
                .split(" | ")
                .next()
                .unwrap_or_default();
            // The message is the first cell, in back quotes.
            let message: String = first
                .split('`')
                .skip(1)
                .step_by(2)
                .collect::<Vec<_>>()
                .join(" ");
            for variant in [message.replace("(s)", ""), message.replace("(s)", "s")] {
                let found = matches(&variant);
                assert!(!found.is_empty(), "no entry for {variant:?}");
                for code in codes_in(&variant) {
                    assert!(
                        found.iter().any(|e| e.codes.contains(&code))
                            || found.iter().any(|e| e.id == "old-issuer"),
                        "{code} finds {:?}",
                        found.iter().map(|e| &e.id).collect::<Vec<_>>()
                    );
                }
            }
            checked += 1;
        }
        assert!(
            checked >= 18,
            "read only {checked} rows of {}",
            path.display()
        );
    }
}
