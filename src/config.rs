//! `.azplint.yml`: rule severities, file filters, per-path ignores, repository aliases, extra
//! (private or extension) tasks, and what azplint should know of service connections (declared
//! under `serviceConnections:`, or imported from an endpoint export with `serviceConnectionsFrom:`
//! or `--endpoints`).

use crate::diagnostic::Severity;
use serde::Deserialize;
use serde_saphyr::Spanned;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub const FILE_NAME: &str = ".azplint.yml";

/// A rule's configured level.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Off,
    Note,
    Warning,
    Error,
}

impl Level {
    pub fn severity(self) -> Option<Severity> {
        match self {
            Level::Off => None,
            Level::Note => Some(Severity::Note),
            Level::Warning => Some(Severity::Warning),
            Level::Error => Some(Severity::Error),
        }
    }
}

/// How a service connection authenticates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum Scheme {
    WorkloadIdentityFederation,
    ServicePrincipal,
    ManagedServiceIdentity,
    PublishProfile,
    Certificate,
}

impl Scheme {
    /// The scheme of an `authorization.scheme` string of an endpoint export (any case); `None` for
    /// the schemes of other kinds of connections (`InstallationToken`, `UsernamePassword`, `Token`...).
    pub fn from_export(s: &str) -> Option<Scheme> {
        [
            Scheme::WorkloadIdentityFederation,
            Scheme::ServicePrincipal,
            Scheme::ManagedServiceIdentity,
            Scheme::PublishProfile,
            Scheme::Certificate,
        ]
        .into_iter()
        .find(|k| k.as_str().eq_ignore_ascii_case(s.trim()))
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Scheme::WorkloadIdentityFederation => "WorkloadIdentityFederation",
            Scheme::ServicePrincipal => "ServicePrincipal",
            Scheme::ManagedServiceIdentity => "ManagedServiceIdentity",
            Scheme::PublishProfile => "PublishProfile",
            Scheme::Certificate => "Certificate",
        }
    }

    /// A scheme that keeps a secret (the ones that predate workload identity federation).
    pub fn is_secret_based(self) -> bool {
        !matches!(self, Scheme::WorkloadIdentityFederation)
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceConnection {
    pub scheme: Scheme,
}

/// Where azplint learned a connection's scheme.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SchemeFrom {
    /// `serviceConnections:` in `.azplint.yml`.
    Config,
    /// An endpoint export (`serviceConnectionsFrom:` or `--endpoints`).
    Endpoints,
}

impl SchemeFrom {
    pub fn as_str(self) -> &'static str {
        match self {
            SchemeFrom::Config => "config",
            SchemeFrom::Endpoints => "endpoints",
        }
    }

    /// Where it was read, as a message says it: ".azplint.yml" or "the endpoints file".
    pub fn shown(self) -> &'static str {
        match self {
            SchemeFrom::Config => ".azplint.yml",
            SchemeFrom::Endpoints => "the endpoints file",
        }
    }
}

/// One connection of an endpoint export: its name, type and `authorization.scheme`, nothing else
/// (never anything of `authorization.parameters`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedConnection {
    pub name: String,
    /// `azurerm`, `github`, `dockerregistry`, ...
    pub kind: Option<String>,
    /// As written in the export (`WorkloadIdentityFederation`, `ServicePrincipal`, `Token`, ...).
    pub scheme: Option<String>,
}

/// A private or extension task described by the user so that it is checked like a built-in one.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExtraTask {
    /// `Name@Major` (for an extension task, its full `publisher.extension.contribution.Name@Major`).
    pub task: Spanned<String>,
    /// Input names (first alias rules are not needed: list every accepted name).
    #[serde(default)]
    pub inputs: Vec<ExtraInput>,
    /// Whether the task works with a workload identity federation service connection.
    #[serde(default)]
    pub wif: Option<bool>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExtraInput {
    pub name: String,
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub required: bool,
    /// Allowed values (a pickList).
    #[serde(default)]
    pub options: Vec<String>,
    /// An Azure Resource Manager service connection.
    #[serde(default, rename = "serviceConnection")]
    pub service_connection: bool,
}

/// The file as written.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// `rule-id: off|note|warning|error`.
    #[serde(default)]
    pub rules: BTreeMap<String, Spanned<Level>>,
    #[serde(default)]
    pub include: Vec<Spanned<String>>,
    #[serde(default)]
    pub exclude: Vec<Spanned<String>>,
    /// `glob: [rule-id, ...]`: rules ignored in matching files.
    #[serde(default, rename = "per-file-ignores")]
    pub per_file_ignores: BTreeMap<String, Spanned<Vec<Spanned<String>>>>,
    /// `alias: path` (relative to the config file) for `template: x.yml@alias`.
    #[serde(default)]
    pub repositories: BTreeMap<String, Spanned<String>>,
    #[serde(default)]
    pub tasks: Vec<ExtraTask>,
    #[serde(default, rename = "serviceConnections")]
    pub service_connections: BTreeMap<String, ServiceConnection>,
    /// An endpoint export (path relative to the config file) read for the schemes of the
    /// connections not under `serviceConnections`.
    #[serde(default, rename = "serviceConnectionsFrom")]
    pub service_connections_from: Option<Spanned<String>>,
    /// Options of the rules that have some, by rule id.
    #[serde(default)]
    pub options: RuleOptions,
}

/// `options:` in `.azplint.yml`: each rule that has options, under its id.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleOptions {
    #[serde(default, rename = "unpinned-template-repo")]
    pub unpinned_template_repo: AllowList,
    #[serde(default, rename = "self-hosted-pr-pool")]
    pub self_hosted_pr_pool: AllowList,
    #[serde(default, rename = "require-extends")]
    pub require_extends: RequireExtends,
}

/// Values a rule accepts (compared without regard to ASCII case, trimmed).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AllowList {
    #[serde(default)]
    pub allow: Vec<String>,
}

impl AllowList {
    pub fn allows(&self, value: &str) -> bool {
        let value = value.trim();
        self.allow
            .iter()
            .any(|a| a.trim().eq_ignore_ascii_case(value))
    }
}

/// `require-extends`: the template every entry pipeline must extend (`path@alias`, or a path).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RequireExtends {
    #[serde(default)]
    pub template: Option<String>,
}

/// A configuration error with its place in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    pub path: PathBuf,
    pub line: u64,
    pub column: u64,
    pub message: String,
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line > 0 {
            write!(
                f,
                "{}:{}:{}: {}",
                self.path.display(),
                self.line,
                self.column,
                self.message
            )
        } else {
            write!(f, "{}: {}", self.path.display(), self.message)
        }
    }
}

/// A loaded configuration, with the directory relative paths in it are resolved against.
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    pub config: Config,
    pub dir: PathBuf,
    pub path: Option<PathBuf>,
    /// Connections imported from endpoint exports, in the order read (the first of a name wins).
    pub endpoints: Vec<ImportedConnection>,
}

fn at<T>(path: &Path, s: &Spanned<T>, message: String) -> ConfigError {
    ConfigError {
        path: path.to_path_buf(),
        line: s.referenced.line(),
        column: s.referenced.column(),
        message,
    }
}

impl Loaded {
    /// Parse and check a configuration file.
    pub fn from_file(path: &Path) -> Result<Loaded, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            path: path.to_path_buf(),
            line: 0,
            column: 0,
            message: format!("can't read the configuration: {e}"),
        })?;
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf();
        let config = Self::parse(&text, path)?;
        let mut loaded = Loaded {
            config,
            dir,
            path: Some(path.to_path_buf()),
            endpoints: Vec::new(),
        };
        if let Some(from) = loaded.config.service_connections_from.clone() {
            let file = loaded.dir.join(from.value.trim());
            if from.value.trim().is_empty() {
                return Err(at(
                    path,
                    &from,
                    "`serviceConnectionsFrom` needs a file name".into(),
                ));
            }
            loaded.import_endpoints(&file)?;
        }
        Ok(loaded)
    }

    /// A configuration with nothing in it, rooted at `dir` (for `--endpoints` when there is no
    /// `.azplint.yml`, or with `--no-config`).
    pub fn empty(dir: PathBuf) -> Loaded {
        Loaded {
            config: Config::default(),
            dir,
            path: None,
            endpoints: Vec::new(),
        }
    }

    /// Add the connections of an endpoint export file (`az devops service-endpoint list -o json`,
    /// or the REST API's `{"count": n, "value": [...]}`); errors carry the file, line and column.
    /// Only the name, type and scheme of each connection are kept.
    pub fn import_endpoints(&mut self, path: &Path) -> Result<(), ConfigError> {
        let error = |line: usize, column: usize, message: String| ConfigError {
            path: path.to_path_buf(),
            line: line as u64,
            column: column as u64,
            message,
        };
        let text = std::fs::read_to_string(path).map_err(|e| {
            error(
                0,
                0,
                format!("can't read the service connection export: {e}"),
            )
        })?;
        let found = crate::endpoints::parse_endpoints(&text).map_err(|e| {
            let (line, column) = e.1.unwrap_or((0, 0));
            // The position is printed in front; don't repeat it in the message.
            let message =
                e.0.replacen(&format!(" at line {line}, column {column}"), "", 1);
            error(
                line,
                column,
                format!("not a service connection export: {message}"),
            )
        })?;
        for e in found {
            // Nothing but these three fields is kept: `authorization.parameters` may hold secrets.
            let Some(name) = e.name else { continue };
            self.endpoints.push(ImportedConnection {
                name,
                kind: e.kind,
                scheme: e.scheme,
            });
        }
        Ok(())
    }

    /// The scheme of a service connection by name (ASCII case-insensitive, trimmed):
    /// `serviceConnections:` first, then imported endpoints. A connection whose scheme is not one
    /// of an Azure Resource Manager connection's has none here.
    pub fn scheme_of(&self, name: &str) -> Option<(Scheme, SchemeFrom)> {
        let name = name.trim();
        if let Some(c) = self.connection(name) {
            return Some((c.scheme, SchemeFrom::Config));
        }
        let e = self
            .endpoints
            .iter()
            .find(|e| e.name.trim().eq_ignore_ascii_case(name))?;
        let scheme = Scheme::from_export(e.scheme.as_deref()?)?;
        Some((scheme, SchemeFrom::Endpoints))
    }

    /// Some connection, declared or imported, uses this scheme.
    pub fn any_scheme(&self, scheme: Scheme) -> bool {
        self.config
            .service_connections
            .values()
            .any(|c| c.scheme == scheme)
            || self
                .endpoints
                .iter()
                .any(|e| e.scheme.as_deref().and_then(Scheme::from_export) == Some(scheme))
    }

    /// Check that every rule id the configuration names is one of `known` or a category of
    /// `categories` (the library passes its registry: the configuration knows no rules of its
    /// own). A category stands for all its rules, under `rules:` and in `per-file-ignores`.
    pub fn check_rule_ids(&self, known: &[&str], categories: &[&str]) -> Result<(), ConfigError> {
        let path = self.path.clone().unwrap_or_default();
        let accepted = |id: &str| known.contains(&id) || categories.contains(&id);
        let hint = |id: &str| {
            crate::suggest::closest(id, known.iter().chain(categories).copied())
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_default()
        };
        // Keys carry no location of their own here: errors point at their value, on the same line.
        for (id, level) in &self.config.rules {
            if !accepted(id) {
                return Err(at(
                    &path,
                    level,
                    format!("unknown rule or category `{id}`{}", hint(id)),
                ));
            }
        }
        for ids in self.config.per_file_ignores.values() {
            for id in &ids.value {
                if !accepted(&id.value) {
                    return Err(at(
                        &path,
                        id,
                        format!("unknown rule or category `{}`{}", id.value, hint(&id.value)),
                    ));
                }
            }
        }
        Ok(())
    }

    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        if text.trim().is_empty() {
            return Ok(Config::default());
        }
        let config: Config = serde_saphyr::from_str(text).map_err(|e| {
            let loc = e.location();
            // The library's message carries its own rendering; keep its first line.
            let message = e.to_string();
            let message = message
                .lines()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("invalid configuration")
                .trim()
                .trim_start_matches("error: ")
                .to_string();
            ConfigError {
                path: path.to_path_buf(),
                line: loc.map_or(0, |l| l.line()),
                column: loc.map_or(0, |l| l.column()),
                message,
            }
        })?;
        for (glob, ids) in &config.per_file_ignores {
            globset::Glob::new(glob)
                .map_err(|e| at(path, ids, format!("invalid glob `{glob}`: {e}")))?;
        }
        for g in config.include.iter().chain(&config.exclude) {
            globset::Glob::new(&g.value)
                .map_err(|e| at(path, g, format!("invalid glob `{}`: {e}", g.value)))?;
        }
        for t in &config.tasks {
            let v = &t.task.value;
            let ok = matches!(
                crate::pipeline::parse_task_ref(v),
                crate::pipeline::TaskRef::Parsed(_)
            );
            if !ok {
                return Err(at(path, &t.task, format!("`{v}` is not `Name@Major`")));
            }
        }
        Ok(config)
    }

    /// Find `.azplint.yml` in `start` or a parent directory, up to the repository root.
    pub fn discover(start: &Path) -> Option<PathBuf> {
        let start = start.canonicalize().ok()?;
        let start = if start.is_file() {
            start.parent()?.to_path_buf()
        } else {
            start
        };
        for dir in start.ancestors() {
            let candidate = dir.join(FILE_NAME);
            if candidate.is_file() {
                return Some(candidate);
            }
            if dir.join(".git").exists() {
                break;
            }
        }
        None
    }

    /// The level configured for `rule`, if any: its own entry, else its category's (`category`
    /// is the rule's category name; a rule's own entry wins).
    pub fn level(&self, rule: &str, category: Option<&str>) -> Option<Level> {
        self.config
            .rules
            .get(rule)
            .or_else(|| category.and_then(|c| self.config.rules.get(c)))
            .map(|v| v.value)
    }

    /// The level configured for `rule` by its own id, ignoring its category's (what turns on a
    /// rule that is off by default).
    pub fn own_level(&self, rule: &str) -> Option<Level> {
        self.config.rules.get(rule).map(|v| v.value)
    }

    pub fn repositories(&self) -> Vec<(String, PathBuf)> {
        self.config
            .repositories
            .iter()
            .map(|(alias, p)| (alias.clone(), self.dir.join(&p.value)))
            .collect()
    }

    /// The service connection declared under this name (names match without regard to case).
    pub fn connection(&self, name: &str) -> Option<&ServiceConnection> {
        self.config
            .service_connections
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name.trim()))
            .map(|(_, v)| v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Loaded::parse(text, Path::new(".azplint.yml"))
    }

    #[test]
    fn reads_every_section() {
        let c = parse(
            "rules:\n  deprecated-task: off\n  wif-unsupported-task: error\ninclude: ['pipelines/**']\nexclude: ['legacy/**']\nper-file-ignores:\n  'old/*.yml': [unknown-task-input]\nrepositories:\n  tools: ../tools\ntasks:\n- task: Contoso.Deploy@1\n  wif: false\n  inputs:\n  - name: azureSubscription\n    serviceConnection: true\n    required: true\nserviceConnections:\n  prod-wif: { scheme: WorkloadIdentityFederation }\n  legacy: { scheme: ServicePrincipal }\n",
        )
        .unwrap();
        assert_eq!(c.rules.len(), 2);
        assert_eq!(c.tasks[0].inputs[0].name, "azureSubscription");
        assert!(c.service_connections["legacy"].scheme.is_secret_based());
    }

    #[test]
    fn errors_have_locations() {
        let e = parse("rules:\n  deprecated-task: off\nunknown: 1\n").unwrap_err();
        assert_eq!(e.line, 3, "{e}");
        // Rule ids are checked against the ids the caller knows (the library passes its registry).
        let loaded = Loaded {
            config: parse("rules:\n  deprecated-tsk: off\n").unwrap(),
            path: Some(PathBuf::from(".azplint.yml")),
            ..Loaded::empty(PathBuf::from("."))
        };
        let e = loaded
            .check_rule_ids(&["deprecated-task", "unknown-task"], &["security"])
            .unwrap_err();
        assert_eq!(e.line, 2, "{e}");
        assert!(e.message.contains("deprecated-task"), "{e}");
        // A category is accepted where a rule id is, and a rule's own entry wins over it.
        let loaded = Loaded {
            config: parse("rules:\n  security: off\n  persist-credentials: error\nper-file-ignores:\n  'old/*': [security]\n").unwrap(),
            path: Some(PathBuf::from(".azplint.yml")),
            ..Loaded::empty(PathBuf::from("."))
        };
        loaded
            .check_rule_ids(&["persist-credentials", "debug-enabled"], &["security"])
            .unwrap();
        assert_eq!(
            loaded.level("debug-enabled", Some("security")),
            Some(Level::Off)
        );
        assert_eq!(
            loaded.level("persist-credentials", Some("security")),
            Some(Level::Error)
        );
        assert_eq!(loaded.level("duplicate-key", Some("correctness")), None);
        let e = parse("rules:\n  deprecated-task: loud\n").unwrap_err();
        assert_eq!(e.line, 2, "{e}");
        let e = parse("serviceConnections:\n  x: { scheme: Password }\n").unwrap_err();
        assert_eq!(e.line, 2, "{e}");
    }
}
