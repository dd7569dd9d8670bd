//! `azplint check-connection`: check a service connection as Azure DevOps exports it (the REST
//! API, `az devops service-endpoint show` or `list`) and, optionally, compare it with the
//! federated credentials of its identity (`az ad app federated-credential list`,
//! `az identity federated-credential list`).
//!
//! Field names are looked up without regard to case, so PowerShell's `Issuer`/`Subject` work too.

use crate::wif::errors::{self, Issuer, Subject, AUDIENCE};
use serde_json::Value;

use crate::endpoints::{get, items, parse_json, string};
pub use crate::endpoints::{parse_endpoints, Endpoint, InputError};

/// One federated credential of an identity.
#[derive(Debug, Clone, Default)]
pub struct Credential {
    pub name: String,
    pub issuer: String,
    pub subject: String,
    pub audiences: Vec<String>,
}

/// The federated credentials in a listing; an empty list is valid (the identity has none).
pub fn parse_credentials(text: &str) -> Result<Vec<Credential>, InputError> {
    let v = parse_json(text)?;
    if !matches!(v, Value::Array(_) | Value::Object(_)) {
        return Err(InputError::new("expected a list of federated credentials"));
    }
    let mut out = Vec::new();
    for (i, item) in items(&v).into_iter().enumerate() {
        // `az identity federated-credential` may nest the values under `properties`.
        let body = match (string(item, "issuer"), get(item, "properties")) {
            (None, Some(p)) if p.is_object() => p,
            _ => item,
        };
        let (Some(issuer), Some(subject)) = (string(body, "issuer"), string(body, "subject"))
        else {
            return Err(InputError::new(format!(
                "item {} is not a federated credential: it lacks `issuer` or `subject` \
                 (list them with `az ad app federated-credential list --id <app id>`)",
                i + 1
            )));
        };
        let audiences = match get(body, "audiences").or_else(|| get(body, "audience")) {
            Some(Value::Array(a)) => a
                .iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect(),
            Some(Value::String(s)) => vec![s.clone()],
            _ => Vec::new(),
        };
        out.push(Credential {
            name: string(item, "name")
                .or_else(|| string(body, "name"))
                .unwrap_or_else(|| format!("#{}", i + 1)),
            issuer,
            subject,
            audiences,
        });
    }
    Ok(out)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Ok,
    Note,
    Problem,
}

impl Level {
    fn label(self) -> &'static str {
        match self {
            Level::Ok => "ok",
            Level::Note => "note",
            Level::Problem => "problem",
        }
    }
}

/// One finding about a connection: a headline and lines under it.
#[derive(Debug, Clone)]
pub struct Check {
    pub level: Level,
    pub headline: String,
    pub details: Vec<String>,
}

fn check(level: Level, headline: impl Into<String>, details: Vec<String>) -> Check {
    Check {
        level,
        headline: headline.into(),
        details,
    }
}

/// Everything found about one connection.
#[derive(Debug)]
pub struct EndpointReport {
    pub endpoint: Endpoint,
    pub checks: Vec<Check>,
}

impl EndpointReport {
    pub fn has_problem(&self) -> bool {
        self.checks.iter().any(|c| c.level == Level::Problem)
    }
}

fn required(e: &Endpoint) -> Vec<String> {
    let (Some(issuer), Some(subject)) = (&e.issuer, &e.subject) else {
        return Vec::new();
    };
    let on = match &e.client_id {
        Some(id) => format!("on the identity with client id {id}"),
        None => "on the connection's identity".to_string(),
    };
    vec![
        format!("set {on}, exactly:"),
        format!("  issuer:   {issuer}"),
        format!("  subject:  {subject}"),
        format!("  audience: {AUDIENCE}"),
    ]
}

/// Where two `sc://` subjects differ, part by part.
fn subject_difference(want: &str, have: &str) -> Option<String> {
    let (
        Subject::Names {
            organization: o1,
            project: p1,
            connection: c1,
        },
        Subject::Names {
            organization: o2,
            project: p2,
            connection: c2,
        },
    ) = (errors::subject_form(want), errors::subject_form(have))
    else {
        if want.eq_ignore_ascii_case(have) {
            return Some(
                "it differs only in letter case, and the comparison is case-sensitive".into(),
            );
        }
        return None;
    };
    let mut parts = Vec::new();
    let mut renamed = Vec::new();
    for (what, w, h) in [
        ("organization", o1, o2),
        ("project", p1, p2),
        ("connection", c1, c2),
    ] {
        if w != h {
            let case = if w.eq_ignore_ascii_case(&h) {
                " (only letter case)"
            } else {
                ""
            };
            parts.push(format!(
                "the {what} part is `{h}` there and `{w}` in the connection{case}"
            ));
            renamed.push(what);
        }
    }
    if parts.is_empty() {
        return None;
    }
    Some(format!(
        "{}: a renamed {}?",
        parts.join("; "),
        renamed.join(" and ")
    ))
}

fn scheme_checks(e: &Endpoint, out: &mut Vec<Check>) -> bool {
    let scheme = e.scheme.as_deref().unwrap_or("");
    if scheme.eq_ignore_ascii_case("WorkloadIdentityFederation") {
        out.push(check(
            Level::Ok,
            "scheme WorkloadIdentityFederation",
            vec![],
        ));
        return true;
    }
    if scheme.eq_ignore_ascii_case("ServicePrincipal") {
        let certificate = e
            .authentication_type
            .as_deref()
            .is_some_and(|t| t.eq_ignore_ascii_case("spnCertificate"));
        let (headline, failure) = if certificate {
            (
                "scheme ServicePrincipal: the connection signs in with a certificate, and certificates expire",
                "once it has expired, every pipeline that uses the connection fails at sign-in",
            )
        } else {
            (
                "scheme ServicePrincipal: the connection signs in with a client secret, and secrets expire",
                "once it has expired, every pipeline that uses the connection fails with AADSTS7000215",
            )
        };
        let fix = errors::by_id("invalid-client-secret")
            .map(|x| x.fix.clone())
            .unwrap_or_default();
        out.push(check(
            Level::Problem,
            headline,
            vec![failure.to_string(), format!("fix: {fix}")],
        ));
        return false;
    }
    let shown = if scheme.is_empty() { "missing" } else { scheme };
    out.push(check(
        Level::Note,
        format!("scheme {shown}: not workload identity federation, nothing to compare"),
        vec![],
    ));
    false
}

/// Check one connection; with `credentials`, compare it with its identity's credentials.
pub fn check_endpoint(e: &Endpoint, credentials: Option<&[Credential]>) -> EndpointReport {
    let mut checks = Vec::new();
    if e.is_ready == Some(false) {
        let mut details =
            vec!["creating or updating it did not finish; open it in Azure DevOps".to_string()];
        if let Some(s) = &e.status {
            details.insert(0, format!("status: {s}"));
        }
        checks.push(check(
            Level::Problem,
            "isReady is false: the connection is not usable",
            details,
        ));
    }
    if !scheme_checks(e, &mut checks) {
        return EndpointReport {
            endpoint: e.clone(),
            checks,
        };
    }
    let mut comparable = true;
    // Issuer.
    match &e.issuer {
        None => {
            comparable = false;
            checks.push(check(
                Level::Problem,
                "no workloadIdentityFederationIssuer under authorization.parameters",
                vec![
                    "Azure DevOps fills it in when the connection is saved; export the connection \
                      with `az devops service-endpoint show` after saving it"
                        .to_string(),
                ],
            ));
        }
        Some(issuer) => {
            let what = errors::describe_issuer(issuer);
            match errors::issuer_form(issuer) {
                Issuer::AzureDevOps { .. } | Issuer::Entra { .. } => {
                    checks.push(check(
                        Level::Ok,
                        format!("issuer {issuer} ({what})"),
                        vec![],
                    ));
                }
                Issuer::Old => {
                    let fix = errors::by_id("old-issuer")
                        .map(|x| x.fix.clone())
                        .unwrap_or_default();
                    checks.push(check(
                        Level::Problem,
                        format!("issuer {issuer}: {what}; pipelines fail with AADSTS70021"),
                        vec![format!("fix: {fix}")],
                    ));
                }
                Issuer::AzureDevOpsWithoutId | Issuer::Other => {
                    checks.push(check(
                        Level::Problem,
                        format!("issuer {issuer}: {what}"),
                        vec![format!(
                            "expected https://vstoken.dev.azure.com/<organization id> or \
                             https://login.microsoftonline.com/<tenant id>/v2.0"
                        )],
                    ));
                }
            }
        }
    }
    // Subject.
    match &e.subject {
        None => {
            comparable = false;
            checks.push(check(
                Level::Problem,
                "no workloadIdentityFederationSubject under authorization.parameters",
                vec!["Azure DevOps fills it in when the connection is saved".to_string()],
            ));
        }
        Some(subject) => match errors::subject_form(subject) {
            Subject::Names { connection, .. } => {
                checks.push(check(
                    Level::Ok,
                    format!("subject {subject} ({})", errors::describe_subject(subject)),
                    vec![],
                ));
                if let Some(name) = e.name.as_ref().filter(|n| **n != connection) {
                    checks.push(check(
                        Level::Note,
                        format!("the subject names connection `{connection}`, the export `{name}`"),
                        vec![
                            "a connection renamed after its credential was made no longer matches \
                              it; compare with the credential's subject"
                                .to_string(),
                        ],
                    ));
                }
            }
            Subject::Ids { connection_id, .. } => {
                checks.push(check(
                    Level::Ok,
                    format!("subject {subject} ({})", errors::describe_subject(subject)),
                    vec![],
                ));
                if let Some(id) =
                    e.id.as_ref()
                        .filter(|id| !id.eq_ignore_ascii_case(&connection_id))
                {
                    checks.push(check(
                        Level::Note,
                        format!("the subject names connection id {connection_id}, the export {id}"),
                        vec![],
                    ));
                }
            }
            Subject::Masked | Subject::Other => {
                checks.push(check(
                    Level::Problem,
                    format!("subject {subject}: {}", errors::describe_subject(subject)),
                    vec!["expected sc://<organization>/<project>/<connection> or \
                          <prefix>/sc/<organization id>/<connection id>"
                        .to_string()],
                ));
            }
        },
    }
    if let (Some(i), Some(s)) = (&e.issuer, &e.subject) {
        let pair = (errors::issuer_form(i), errors::subject_form(s));
        let mixed = matches!(
            pair,
            (Issuer::AzureDevOps { .. }, Subject::Ids { .. })
                | (Issuer::Entra { .. }, Subject::Names { .. })
        );
        if mixed {
            checks.push(check(
                Level::Note,
                "issuer and subject are of different generations (Azure DevOps issuers go with \
                 sc:// subjects, Microsoft Entra issuers with /sc/<id>/<id> subjects)",
                vec![],
            ));
        }
    }
    if e.client_id.is_none() {
        checks.push(check(
            Level::Problem,
            "no serviceprincipalid under authorization.parameters: the connection names no identity",
            vec![],
        ));
    }
    if let Some(creds) = credentials {
        if comparable {
            checks.push(compare(e, creds));
        } else {
            checks.push(check(
                Level::Note,
                "federated credentials not compared: the connection lacks an issuer or a subject",
                vec![],
            ));
        }
    }
    EndpointReport {
        endpoint: e.clone(),
        checks,
    }
}

fn names(creds: &[&Credential]) -> String {
    creds
        .iter()
        .map(|c| format!("`{}`", c.name))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Compare a connection (with issuer and subject) with its identity's credentials.
fn compare(e: &Endpoint, creds: &[Credential]) -> Check {
    let issuer = e.issuer.as_deref().unwrap_or_default();
    let subject = e.subject.as_deref().unwrap_or_default();
    let has_audience = |c: &Credential| c.audiences.iter().any(|a| a == AUDIENCE);
    if let Some(c) = creds
        .iter()
        .find(|c| c.issuer == issuer && c.subject == subject && has_audience(c))
    {
        return check(
            Level::Ok,
            format!(
                "federated credential `{}` matches issuer, subject and audience",
                c.name
            ),
            vec![],
        );
    }
    let mut details = Vec::new();
    if creds.is_empty() {
        details.extend(required(e));
        return check(
            Level::Problem,
            "the identity has no federated credential: pipelines fail with AADSTS70025",
            details,
        );
    }
    let by_issuer: Vec<&Credential> = creds.iter().filter(|c| c.issuer == issuer).collect();
    let by_subject: Vec<&Credential> = creds.iter().filter(|c| c.subject == subject).collect();
    let both: Vec<&Credential> = by_issuer
        .iter()
        .copied()
        .filter(|c| c.subject == subject)
        .collect();
    let headline;
    if let Some(c) = both.first() {
        headline = format!(
            "federated credential `{}` has the issuer and subject but not the audience {AUDIENCE}: \
             pipelines fail with AADSTS70021",
            c.name
        );
        details.push(format!(
            "its audiences: {}",
            if c.audiences.is_empty() {
                "none".to_string()
            } else {
                c.audiences.join(", ")
            }
        ));
        details.push(format!(
            "fix: set the audience of `{}` to {AUDIENCE}",
            c.name
        ));
        return check(Level::Problem, headline, details);
    }
    if by_issuer.is_empty() {
        headline = format!(
            "no federated credential has the issuer {issuer}: pipelines fail with AADSTS700211"
        );
        let near: Vec<&Credential> = if by_subject.is_empty() {
            creds.iter().collect()
        } else {
            by_subject.clone()
        };
        for c in near.iter().take(3) {
            let mut line = format!("`{}` has issuer {}", c.name, c.issuer);
            if matches!(errors::issuer_form(&c.issuer), Issuer::Old) {
                line.push_str(" (the retired one)");
            } else if c
                .issuer
                .trim_end_matches('/')
                .eq_ignore_ascii_case(issuer.trim_end_matches('/'))
            {
                line.push_str(" (differs only in letter case or a trailing slash)");
            }
            details.push(line);
        }
        if by_subject.is_empty() {
            details.push(format!("and none has the subject {subject} either"));
        }
        match by_subject.first() {
            Some(c) => details.push(format!("fix: set the issuer of `{}` to {issuer}", c.name)),
            None => details.push(
                "fix: add a federated credential with these values, or correct one".to_string(),
            ),
        }
    } else if by_subject.is_empty() {
        headline = format!(
            "no federated credential has the subject {subject}: pipelines fail with AADSTS700213"
        );
        for c in by_issuer.iter().take(3) {
            let mut line = format!("`{}` has subject {}", c.name, c.subject);
            if let Some(d) = subject_difference(subject, &c.subject) {
                line.push_str(&format!(" ({d})"));
            }
            details.push(line);
        }
        if by_issuer.len() == 1 {
            details.push(format!(
                "fix: set the subject of `{}` to {subject}",
                by_issuer[0].name
            ));
        } else {
            details.push(
                "fix: add a federated credential with these values, or correct one".to_string(),
            );
        }
    } else {
        headline = format!(
            "no single federated credential has both the issuer and the subject: pipelines fail \
             with AADSTS70021 ({} {} the issuer, {} the subject)",
            names(&by_issuer),
            if by_issuer.len() == 1 { "has" } else { "have" },
            names(&by_subject)
        );
        details.push("fix: put the issuer and the subject on the same credential".to_string());
    }
    details.extend(required(e));
    check(Level::Problem, headline, details)
}

/// Check every connection of an export.
pub fn check_all(
    endpoints: &[Endpoint],
    credentials: Option<&[Credential]>,
) -> Vec<EndpointReport> {
    endpoints
        .iter()
        .map(|e| check_endpoint(e, credentials))
        .collect()
}

/// The report for people.
pub fn render(reports: &[EndpointReport], credentials: Option<&[Credential]>) -> String {
    let mut out = String::new();
    let clients: Vec<&str> = {
        let mut v: Vec<&str> = reports
            .iter()
            .filter(|r| r.endpoint.issuer.is_some())
            .filter_map(|r| r.endpoint.client_id.as_deref())
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    if credentials.is_some() && clients.len() > 1 {
        out.push_str(&errors::wrap(
            &format!(
                "note: these connections use {} identities ({}); the federated credentials given \
                 belong to one of them, so compare each connection with its own identity's list",
                clients.len(),
                clients.join(", ")
            ),
            "",
            errors::WIDTH,
        ));
        out.push('\n');
    }
    for (i, r) in reports.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let e = &r.endpoint;
        let mut about = Vec::new();
        if let Some(k) = &e.kind {
            about.push(k.clone());
        }
        if let Some(id) = &e.id {
            about.push(format!("id {id}"));
        }
        let about = if about.is_empty() {
            String::new()
        } else {
            format!(" ({})", about.join(", "))
        };
        out.push_str(&format!(
            "service connection `{}`{about}\n",
            e.name.as_deref().unwrap_or("(no name)")
        ));
        for c in &r.checks {
            let first = format!("  {:<8} ", c.level.label());
            let body = errors::wrap(&c.headline, "", errors::WIDTH - first.len());
            for (n, line) in body.lines().enumerate() {
                if n == 0 {
                    out.push_str(&format!("{first}{line}\n"));
                } else {
                    out.push_str(&format!("{:width$}{line}\n", "", width = first.len()));
                }
            }
            for d in &c.details {
                let indent = " ".repeat(first.len() + 2);
                if d.starts_with("  ") {
                    // Values to copy: never wrapped.
                    out.push_str(&format!("{indent}{d}\n"));
                } else {
                    out.push_str(&errors::wrap(d, &indent, errors::WIDTH));
                }
            }
        }
    }
    let bad = reports.iter().filter(|r| r.has_problem()).count();
    let n = reports.len();
    let conns = if n == 1 {
        "service connection"
    } else {
        "service connections"
    };
    if bad == 0 {
        out.push_str(&format!("\n{n} {conns} checked: no problem found\n"));
    } else {
        out.push_str(&format!("\n{n} {conns} checked: {bad} with problems\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORG: &str = "0f3e6a52-1c4b-4d2e-9a7f-5b8c9d0e1f2a";

    fn wif(subject: &str) -> Endpoint {
        Endpoint {
            name: Some("prod".into()),
            scheme: Some("WorkloadIdentityFederation".into()),
            issuer: Some(format!("https://vstoken.dev.azure.com/{ORG}")),
            subject: Some(subject.into()),
            client_id: Some("11111111-2222-3333-4444-555555555555".into()),
            ..Default::default()
        }
    }

    fn cred(issuer: &str, subject: &str) -> Credential {
        Credential {
            name: "c".into(),
            issuer: issuer.into(),
            subject: subject.into(),
            audiences: vec![AUDIENCE.into()],
        }
    }

    #[test]
    fn codes_per_mismatch() {
        let e = wif("sc://contoso/web/prod");
        let issuer = e.issuer.clone().unwrap();
        let last = |creds: &[Credential]| {
            check_endpoint(&e, Some(creds))
                .checks
                .last()
                .unwrap()
                .clone()
        };
        assert_eq!(
            last(&[cred(&issuer, "sc://contoso/web/prod")]).level,
            Level::Ok
        );
        assert!(last(&[]).headline.contains("AADSTS70025"));
        assert!(last(&[cred(
            "https://app.vstoken.visualstudio.com",
            "sc://contoso/web/prod"
        )])
        .headline
        .contains("AADSTS700211"));
        let renamed = last(&[cred(&issuer, "sc://contoso/webshop/prod")]);
        assert!(renamed.headline.contains("AADSTS700213"));
        assert!(
            renamed.details[0].contains("project part"),
            "{:?}",
            renamed.details
        );
        let mut no_aud = cred(&issuer, "sc://contoso/web/prod");
        no_aud.audiences.clear();
        assert!(last(&[no_aud]).headline.ends_with("AADSTS70021"));
    }

    #[test]
    fn envelopes_and_errors() {
        let one = r#"{"name":"a","authorization":{"scheme":"ServicePrincipal","parameters":{}}}"#;
        assert_eq!(parse_endpoints(one).unwrap().len(), 1);
        assert_eq!(parse_endpoints(&format!("[{one},{one}]")).unwrap().len(), 2);
        assert_eq!(
            parse_endpoints(&format!(r#"{{"count":1,"value":[{one}]}}"#))
                .unwrap()
                .len(),
            1
        );
        let e = parse_endpoints("{\n  \"name\": ,\n}").unwrap_err();
        assert!(e.0.contains("line 2, column"), "{}", e.0);
        assert!(parse_endpoints(r#"{"name":"x"}"#).is_err());
        assert!(parse_credentials("[]").unwrap().is_empty());
        let ps = r#"[{"Name":"n","Issuer":"i","Subject":"s","Audience":["api://AzureADTokenExchange"]}]"#;
        assert_eq!(parse_credentials(ps).unwrap()[0].audiences, vec![AUDIENCE]);
    }
}
