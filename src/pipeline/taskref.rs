//! `task:` values: `Name@Major`, `Name@Major.Minor.Patch`, `GUID@Major`, `publisher.extension.contribution.Task@N`.

/// What a `task:` value says, before any catalog lookup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TaskRef<'a> {
    /// Built from `${{ }}`, `$( )` or `$[ ]`: unknown until Azure expands it.
    Dynamic,
    /// Not `Name@Version`.
    Malformed(Malformed<'a>),
    Parsed(ParsedRef<'a>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Malformed<'a> {
    Empty,
    /// No `@version` at all.
    NoVersion {
        name: &'a str,
    },
    /// Something after `@` that is neither `N` nor `N.N.N`.
    BadVersion {
        name: &'a str,
        version: &'a str,
    },
    /// Nothing before `@`.
    NoName,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameKind {
    /// A plain name, looked up among the built-in tasks.
    Name,
    /// A task GUID.
    Guid,
    /// `publisher.extension.contribution.Task`: a Marketplace extension task.
    Extension,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedRef<'a> {
    pub name: &'a str,
    pub kind: NameKind,
    pub major: u32,
    /// The version as written after `@`.
    pub version: &'a str,
}

pub fn parse_task_ref(value: &str) -> TaskRef<'_> {
    let v = value.trim();
    if crate::yaml::is_expression(v) {
        return TaskRef::Dynamic;
    }
    if v.is_empty() {
        return TaskRef::Malformed(Malformed::Empty);
    }
    let Some((name, version)) = v.rsplit_once('@') else {
        return TaskRef::Malformed(Malformed::NoVersion { name: v });
    };
    if name.is_empty() {
        return TaskRef::Malformed(Malformed::NoName);
    }
    if name.ends_with(char::is_whitespace) {
        return TaskRef::Malformed(Malformed::BadVersion {
            name: name.trim_end(),
            version,
        });
    }
    let Some(major) = parse_version(version) else {
        return TaskRef::Malformed(Malformed::BadVersion { name, version });
    };
    let kind = if is_guid(name) {
        NameKind::Guid
    } else if name.contains('.') {
        NameKind::Extension
    } else {
        NameKind::Name
    };
    TaskRef::Parsed(ParsedRef {
        name,
        kind,
        major,
        version,
    })
}

/// `N` or `N.N.N`, each part decimal digits; returns the major.
fn parse_version(v: &str) -> Option<u32> {
    let parts: Vec<&str> = v.split('.').collect();
    if parts.len() != 1 && parts.len() != 3 {
        return None;
    }
    if parts
        .iter()
        .any(|p| p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    parts[0].parse().ok()
}

/// 8-4-4-4-12 hexadecimal digits.
pub fn is_guid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(v: &str) -> ParsedRef<'_> {
        match parse_task_ref(v) {
            TaskRef::Parsed(p) => p,
            other => panic!("{v}: {other:?}"),
        }
    }

    #[test]
    fn forms() {
        assert_eq!(parsed("AzureCLI@2").major, 2);
        assert_eq!(parsed("azurecli@2.245.0").major, 2);
        assert_eq!(parsed(" Bash@3 ").name, "Bash");
        let g = parsed("6C731C3C-3C68-459A-A5C9-BDE6E6595B5B@3");
        assert_eq!(g.kind, NameKind::Guid);
        let e = parsed(
            "ms-devlabs.custom-terraform-tasks.custom-terraform-release-task.TerraformTaskV4@4",
        );
        assert_eq!(e.kind, NameKind::Extension);
        assert_eq!(parse_task_ref("Foo@${{ parameters.v }}"), TaskRef::Dynamic);
        assert_eq!(parse_task_ref("$(task)"), TaskRef::Dynamic);
        assert!(matches!(
            parse_task_ref("Bash @ 3"),
            TaskRef::Malformed(Malformed::BadVersion { .. })
        ));
    }

    #[test]
    fn malformed() {
        assert!(matches!(
            parse_task_ref("AzureCLI"),
            TaskRef::Malformed(Malformed::NoVersion { .. })
        ));
        assert!(matches!(
            parse_task_ref("AzureCLI@v2"),
            TaskRef::Malformed(Malformed::BadVersion { .. })
        ));
        assert!(matches!(
            parse_task_ref("AzureCLI@2.1"),
            TaskRef::Malformed(Malformed::BadVersion { .. })
        ));
        assert!(matches!(
            parse_task_ref("AzureCLI@"),
            TaskRef::Malformed(Malformed::BadVersion { .. })
        ));
        assert!(matches!(
            parse_task_ref("@2"),
            TaskRef::Malformed(Malformed::NoName)
        ));
        assert!(matches!(
            parse_task_ref("AzureCLI@99999999999"),
            TaskRef::Malformed(Malformed::BadVersion { .. })
        ));
        assert_eq!(parse_task_ref(""), TaskRef::Malformed(Malformed::Empty));
    }
}
