//! `.azplint.yml`: rule severities, file filters, per-path ignores, repository aliases, extra
//! (private or extension) tasks, and what azplint should know of service connections.

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
        Ok(Loaded {
            config,
            dir,
            path: Some(path.to_path_buf()),
        })
    }

    /// Check that every rule id the configuration names is one of `known` (the library passes its
    /// registry: the configuration knows no rules of its own).
    pub fn check_rule_ids(&self, known: &[&str]) -> Result<(), ConfigError> {
        let path = self.path.clone().unwrap_or_default();
        // Keys carry no location of their own here: errors point at their value, on the same line.
        for (id, level) in &self.config.rules {
            if !known.contains(&id.as_str()) {
                let hint = crate::suggest::closest(id, known.iter().copied())
                    .map(|s| format!(" (did you mean `{s}`?)"))
                    .unwrap_or_default();
                return Err(at(&path, level, format!("unknown rule `{id}`{hint}")));
            }
        }
        for ids in self.config.per_file_ignores.values() {
            for id in &ids.value {
                if !known.contains(&id.value.as_str()) {
                    return Err(at(&path, id, format!("unknown rule `{}`", id.value)));
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

    /// The level configured for `rule`, if any.
    pub fn level(&self, rule: &str) -> Option<Level> {
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
            dir: PathBuf::from("."),
            path: Some(PathBuf::from(".azplint.yml")),
        };
        let e = loaded
            .check_rule_ids(&["deprecated-task", "unknown-task"])
            .unwrap_err();
        assert_eq!(e.line, 2, "{e}");
        assert!(e.message.contains("deprecated-task"), "{e}");
        let e = parse("rules:\n  deprecated-task: loud\n").unwrap_err();
        assert_eq!(e.line, 2, "{e}");
        let e = parse("serviceConnections:\n  x: { scheme: Password }\n").unwrap_err();
        assert_eq!(e.line, 2, "{e}");
    }
}
