//! The built-in task catalog: every `Name@Major` Azure Pipelines knows, with its inputs, and the
//! workload identity federation (WIF) facts per task major.
//!
//! The data is generated into `data/tasks.json` and `data/wif.json` by
//! `cargo run -p xtask -- gen-catalog`. Nothing is decoded at run time: `build.rs` turns both files
//! into static tables (an index of names, GUIDs, majors and deprecation, every task major with its
//! inputs, and the WIF facts sorted by name and major). The tables hold no pointers (texts are
//! spans of one static text), so they cost the loader nothing at start; a task major's
//! `TaskVersion` (texts borrowed from the static text) is put together the first time a lookup
//! returns it, once per process. Lookups are case-insensitive. The catalog knows nothing of files
//! or YAML.

pub mod vm_images;
#[cfg(test)]
mod vm_images_csv;

use serde::Deserialize;
use std::borrow::Cow;
use std::ops::Range;
use std::sync::OnceLock;

/// The source of the static tables, for the tests that check them against it.
#[cfg(test)]
const TASKS_JSON: &str = include_str!("../../data/tasks.json");

/// A span of a generated text (`build.rs`): byte offsets `start..end`, `Span::NONE` for no text.
/// Generated tables hold spans rather than `&str`s: no pointers, so no relocations at start.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Span(pub u32, pub u32);

impl Span {
    pub(crate) const NONE: Span = Span(u32::MAX, u32::MAX);

    /// The text of the span in `text`, `None` for `Span::NONE`.
    pub(crate) fn get(self, text: &'static str) -> Option<&'static str> {
        (self.0 != u32::MAX).then(|| &text[self.0 as usize..self.1 as usize])
    }
}

/// One task major in the build-time index of `data/tasks.json`.
struct IndexEntry {
    /// The name, lowercase.
    lower: Span,
    major: u32,
    deprecated: bool,
}

/// One task major of `data/tasks.json`, in the order of `TASKS`.
struct Record {
    name: Span,
    id: Span,
    version: Span,
    source: Span,
    deprecation_message: Span,
    removal_date: Span,
    friendly_name: Span,
    /// Its run of `INPUTS`.
    inputs: Range<u32>,
}

/// One input of a task major.
struct InputRecord {
    name: Span,
    /// A run of `LISTS`.
    aliases: Range<u32>,
    kind: Span,
    required: bool,
    default: Span,
    /// A run of `LISTS`.
    options: Range<u32>,
    editable_options: bool,
    multi_select: bool,
    visible_rule: Span,
    arm: bool,
}

/// One WIF fact of `data/wif.json`.
struct WifRecord {
    /// The task name, lowercase.
    lower: Span,
    major: u32,
    task: Span,
    support: WifSupport,
    replacement: Span,
    note: Span,
}

/// The generated tables (`build.rs`): `TASKS`, `BY_ID`, `NAMES`, `RECORDS`, `INPUTS`, `LISTS`,
/// `WIF` and their `TEXT`.
mod data {
    use super::{IndexEntry, InputRecord, Record, Span, WifRecord, WifSupport};
    include!(concat!(env!("OUT_DIR"), "/tasks_data.rs"));

    pub fn text(s: Span) -> &'static str {
        s.get(TEXT).unwrap_or_default()
    }

    pub fn opt(s: Span) -> Option<&'static str> {
        s.get(TEXT)
    }
}
use data::{text, BY_ID, INPUTS, LISTS, NAMES, RECORDS, TASKS, WIF};

/// Each task major, put together on first use.
static BUILT: [OnceLock<TaskVersion>; TASKS.len()] = [const { OnceLock::new() }; TASKS.len()];
/// Each WIF fact, put together on first use.
static BUILT_WIF: [OnceLock<WifFact>; WIF.len()] = [const { OnceLock::new() }; WIF.len()];

static CATALOG: Catalog = Catalog { _private: () };

/// The embedded catalog: static tables, nothing to decode.
pub fn catalog() -> &'static Catalog {
    &CATALOG
}

/// All built-in task majors (the build-time index of `data/tasks.json`), and the WIF facts.
pub struct Catalog {
    _private: (),
}

/// Text of the catalog: static for built-in tasks, owned for tasks of the configuration.
pub type Text = Cow<'static, str>;

/// A list of texts: static for built-in tasks, owned for tasks of the configuration.
pub type Texts = Cow<'static, [Text]>;

/// One major version of a built-in task.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct TaskVersion {
    /// Name used in YAML (`- task: <name>@<major>`), as spelled in task.json.
    pub name: Text,
    /// GUID, lowercase. `None` for majors known only from the service schema.
    #[serde(default)]
    pub id: Option<Text>,
    pub major: u32,
    /// Latest `Major.Minor.Patch`. For `source == "schema"` only the major is known (`N.0.0`).
    pub version: Text,
    /// `"task.json"` (the task repository) or `"schema"` (a retired major only the service schema lists).
    pub source: Text,
    #[serde(default)]
    pub deprecated: bool,
    #[serde(default)]
    pub deprecation_message: Option<Text>,
    /// `YYYY-MM-DD`.
    #[serde(default)]
    pub removal_date: Option<Text>,
    #[serde(default)]
    pub friendly_name: Option<Text>,
    /// In task.json order.
    #[serde(default)]
    pub inputs: Cow<'static, [Input]>,
}

/// One input of a task major.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Input {
    /// task.json `name`; YAML also accepts every alias (the first alias is the usual YAML name).
    pub name: Text,
    #[serde(default)]
    pub aliases: Texts,
    /// The task.json `type`, lowercased: `string`, `boolean`, `picklist`, `filepath`, `multiline`,
    /// `radio`, `int`, `securefile`, `connectedservice:azurerm`, `connectedservice:github:oauth,...`.
    #[serde(rename = "type", default = "default_kind")]
    pub kind: Text,
    #[serde(default)]
    pub required: bool,
    /// Default value as text (`"true"`/`"false"` for booleans).
    #[serde(default)]
    pub default: Option<Text>,
    /// Allowed values of a pickList/radio (the keys of task.json `options`).
    #[serde(default)]
    pub options: Texts,
    /// The pickList also accepts values outside `options`.
    #[serde(default)]
    pub editable_options: bool,
    /// A pickList that accepts several options, comma-separated.
    #[serde(default)]
    pub multi_select: bool,
    #[serde(default)]
    pub visible_rule: Option<Text>,
    /// An Azure Resource Manager service connection (`connectedService:AzureRM`).
    #[serde(default)]
    pub arm: bool,
}

fn default_kind() -> Text {
    Cow::Borrowed("string")
}

/// Whether a task major works with a workload identity federation service connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WifSupport {
    Yes,
    No,
    /// Depends on the kind of connection (see the note).
    Partial,
    /// The sources disagree (see the note).
    Disputed,
}

/// A WIF fact from `data/wif.json`.
#[derive(Debug, Clone)]
pub struct WifFact {
    pub task: Text,
    pub major: u32,
    pub support: WifSupport,
    /// `Name@Major` to move to.
    pub replacement: Option<Text>,
    pub note: Option<Text>,
}

/// Lowercase without allocating when already lowercase.
fn lower(s: &str) -> Cow<'_, str> {
    let s = s.trim();
    if s.bytes().any(|b| b.is_ascii_uppercase()) {
        Cow::Owned(s.to_ascii_lowercase())
    } else {
        Cow::Borrowed(s)
    }
}

/// A static text of the catalog.
fn borrowed(s: Span) -> Text {
    Cow::Borrowed(text(s))
}

/// An optional static text of the catalog.
fn opt(s: Span) -> Option<Text> {
    data::opt(s).map(Cow::Borrowed)
}

/// A run of `LISTS`.
fn list(r: &Range<u32>) -> Texts {
    if r.is_empty() {
        return Cow::Borrowed(&[]);
    }
    LISTS[r.start as usize..r.end as usize]
        .iter()
        .map(|s| borrowed(*s))
        .collect()
}

/// The task major at `i` of the index, put together on first use.
fn task(i: usize) -> &'static TaskVersion {
    BUILT[i].get_or_init(|| {
        let r = &RECORDS[i];
        TaskVersion {
            name: borrowed(r.name),
            id: opt(r.id),
            major: TASKS[i].major,
            version: borrowed(r.version),
            source: borrowed(r.source),
            deprecated: TASKS[i].deprecated,
            deprecation_message: opt(r.deprecation_message),
            removal_date: opt(r.removal_date),
            friendly_name: opt(r.friendly_name),
            inputs: INPUTS[r.inputs.start as usize..r.inputs.end as usize]
                .iter()
                .map(|i| Input {
                    name: borrowed(i.name),
                    aliases: list(&i.aliases),
                    kind: borrowed(i.kind),
                    required: i.required,
                    default: opt(i.default),
                    options: list(&i.options),
                    editable_options: i.editable_options,
                    multi_select: i.multi_select,
                    visible_rule: opt(i.visible_rule),
                    arm: i.arm,
                })
                .collect(),
        }
    })
}

/// Indices into `TASKS` of a lowercase name, ascending major.
fn name_range(lower: &str) -> Range<usize> {
    let start = TASKS.partition_point(|t| text(t.lower) < lower);
    let end = start + TASKS[start..].partition_point(|t| text(t.lower) == lower);
    start..end
}

/// Indices into `BY_ID` of a lowercase GUID, ascending major.
fn id_range(lower: &str) -> Range<usize> {
    let start = BY_ID.partition_point(|(id, _)| text(*id) < lower);
    let end = start + BY_ID[start..].partition_point(|(id, _)| text(*id) == lower);
    start..end
}

impl Catalog {
    /// Indices into `TASKS` of the entries for a name, else for a GUID.
    fn entries(&self, name_or_guid: &str) -> Vec<usize> {
        let key = lower(name_or_guid);
        let names = name_range(&key);
        if !names.is_empty() {
            return names.collect();
        }
        id_range(&key).map(|j| BY_ID[j].1).collect()
    }

    /// Case-insensitive lookup by task name and major.
    pub fn by_name(&self, name: &str, major: u32) -> Option<&TaskVersion> {
        name_range(&lower(name))
            .find(|&i| TASKS[i].major == major)
            .map(task)
    }

    /// Case-insensitive lookup by GUID and major (one GUID serves several names; pick the one with that major).
    pub fn by_id(&self, guid: &str, major: u32) -> Option<&TaskVersion> {
        id_range(&lower(guid))
            .map(|j| BY_ID[j].1)
            .find(|&i| TASKS[i].major == major)
            .map(task)
    }

    /// All majors known for a name (or GUID), ascending; empty if the name is not built in.
    pub fn majors(&self, name_or_guid: &str) -> Vec<u32> {
        let mut v: Vec<u32> = self
            .entries(name_or_guid)
            .iter()
            .map(|&i| TASKS[i].major)
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    }

    /// True when the name (case-insensitive) or GUID is a built-in task.
    pub fn is_builtin(&self, name_or_guid: &str) -> bool {
        let key = lower(name_or_guid);
        !name_range(&key).is_empty() || !id_range(&key).is_empty()
    }

    /// The canonical spelling of every distinct built-in name (for "did you mean" suggestions).
    pub fn names(&self) -> impl Iterator<Item = &str> {
        NAMES.iter().map(|n| text(*n))
    }

    /// Newest non-deprecated major for a name, else newest major.
    pub fn recommended_major(&self, name_or_guid: &str) -> Option<u32> {
        let entries = self.entries(name_or_guid);
        let newest = |deprecated_ok: bool| {
            entries
                .iter()
                .map(|&i| &TASKS[i])
                .filter(|t| deprecated_ok || !t.deprecated)
                .map(|t| t.major)
                .max()
        };
        newest(false).or_else(|| newest(true))
    }

    /// WIF fact for name+major (case-insensitive), from data/wif.json.
    pub fn wif(&self, name: &str, major: u32) -> Option<&WifFact> {
        let key = lower(name);
        let i = WIF
            .binary_search_by(|w| (text(w.lower), w.major).cmp(&(&*key, major)))
            .ok()?;
        Some(BUILT_WIF[i].get_or_init(|| {
            let w = &WIF[i];
            WifFact {
                task: borrowed(w.task),
                major: w.major,
                support: w.support,
                replacement: opt(w.replacement),
                note: opt(w.note),
            }
        }))
    }

    /// Number of task-major entries.
    pub fn len(&self) -> usize {
        TASKS.len()
    }

    /// True when the catalog has no entries (never, for the embedded one).
    pub fn is_empty(&self) -> bool {
        TASKS.is_empty()
    }

    /// Every task-major entry, sorted by name (case-insensitive) then major (decodes them all).
    pub fn iter(&self) -> impl Iterator<Item = &'static TaskVersion> {
        (0..TASKS.len()).map(task)
    }
}

impl TaskVersion {
    /// Find an input by name or alias, case-insensitively.
    ///
    /// An exact-case match wins over a case-insensitive one, and a name over an alias (a few
    /// tasks have inputs whose names or aliases differ only by case).
    pub fn input(&self, name_or_alias: &str) -> Option<&Input> {
        let q = name_or_alias.trim();
        let exact_name = || self.inputs.iter().find(|i| i.name == q);
        let exact_alias = || {
            self.inputs
                .iter()
                .find(|i| i.aliases.iter().any(|a| a == q))
        };
        let ci_name = || self.inputs.iter().find(|i| i.name.eq_ignore_ascii_case(q));
        let ci_alias = || {
            self.inputs
                .iter()
                .find(|i| i.aliases.iter().any(|a| a.eq_ignore_ascii_case(q)))
        };
        exact_name()
            .or_else(exact_alias)
            .or_else(ci_name)
            .or_else(ci_alias)
    }

    /// Inputs that are Azure Resource Manager connections.
    pub fn arm_inputs(&self) -> impl Iterator<Item = &Input> {
        self.inputs.iter().filter(|i| i.arm)
    }
}

/// Private and extension tasks described in the configuration (`tasks:` in `.azplint.yml`),
/// checked like built-in tasks. Carried in the options of a run, never global: one process may
/// lint two workspaces with two configurations.
#[derive(Debug, Default, Clone)]
pub struct Configured {
    pub tasks: Vec<TaskVersion>,
    pub wif: Vec<WifFact>,
}

impl Configured {
    /// A configured task by name (case-insensitive) and major.
    pub fn task(&self, name: &str, major: u32) -> Option<&TaskVersion> {
        self.tasks
            .iter()
            .find(|t| t.major == major && t.name.eq_ignore_ascii_case(name.trim()))
    }
}

/// The WIF fact of a task: configured tasks first, then the built-in facts.
pub fn wif_fact<'a>(
    configured: Option<&'a Configured>,
    name: &str,
    major: u32,
) -> Option<&'a WifFact> {
    if let Some(f) = configured.and_then(|c| {
        c.wif
            .iter()
            .find(|f| f.major == major && f.task.eq_ignore_ascii_case(name.trim()))
    }) {
        return Some(f);
    }
    catalog().wif(name, major)
}

impl TaskVersion {
    /// A task described in the configuration.
    pub fn configured(name: &str, major: u32, inputs: Vec<Input>) -> TaskVersion {
        TaskVersion {
            name: Cow::Owned(name.to_string()),
            id: None,
            major,
            version: Cow::Owned(format!("{major}.0.0")),
            source: Cow::Borrowed("config"),
            deprecated: false,
            deprecation_message: None,
            removal_date: None,
            friendly_name: None,
            inputs: Cow::Owned(inputs),
        }
    }
}

impl Input {
    /// A service connection input (`connectedService:AzureRM`, `connectedService:Kubernetes`, ...).
    pub fn is_connection(&self) -> bool {
        self.kind
            .get(..16)
            .is_some_and(|k| k.eq_ignore_ascii_case("connectedservice"))
    }

    /// An input described in the configuration.
    pub fn configured(
        name: &str,
        aliases: Vec<String>,
        required: bool,
        options: Vec<String>,
        service_connection: bool,
    ) -> Input {
        let kind = if service_connection {
            "connectedservice:azurerm"
        } else if options.is_empty() {
            "string"
        } else {
            "picklist"
        };
        let texts = |v: Vec<String>| -> Texts { v.into_iter().map(Cow::Owned).collect() };
        Input {
            name: Cow::Owned(name.to_string()),
            aliases: texts(aliases),
            kind: Cow::Borrowed(kind),
            required,
            default: None,
            options: texts(options),
            editable_options: false,
            multi_select: false,
            visible_rule: None,
            arm: service_connection,
        }
    }
}

impl WifFact {
    pub fn configured(task: &str, major: u32, supported: bool) -> WifFact {
        WifFact {
            task: Cow::Owned(task.to_string()),
            major,
            support: if supported {
                WifSupport::Yes
            } else {
                WifSupport::No
            },
            replacement: None,
            note: Some(Cow::Borrowed("as declared in .azplint.yml")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASH_GUID: &str = "6C731C3C-3C68-459A-A5C9-BDE6E6595B5B";

    #[test]
    fn azure_cli_arm_input_and_alias() {
        let cat = catalog();
        let t = cat.by_name("AzureCLI", 2).expect("AzureCLI@2");
        let i = t.input("connectedServiceNameARM").expect("input by name");
        assert_eq!(i.aliases, vec!["azureSubscription"]);
        assert!(i.arm);
        assert_eq!(i.kind, "connectedservice:azurerm");
        assert!(std::ptr::eq(t.input("AZURESUBSCRIPTION").unwrap(), i));
        assert_eq!(t.arm_inputs().count(), 1);
        assert!(cat.by_name("azurecli", 2).is_some());
        assert!(cat.by_name("AZURECLI", 1).is_some());
        assert!(cat.is_builtin("azurecli"));
        assert!(!cat.is_builtin("NoSuchTask"));
        assert!(cat.majors("NoSuchTask").is_empty());
        assert!(cat.by_name("AzureCLI", 99).is_none());
    }

    #[test]
    fn guid_shared_by_names() {
        let cat = catalog();
        assert_eq!(cat.by_id(BASH_GUID, 3).map(|t| &*t.name), Some("Bash"));
        assert_eq!(
            cat.by_id(BASH_GUID, 2).map(|t| &*t.name),
            Some("ShellScript")
        );
        assert_eq!(
            cat.by_id(&BASH_GUID.to_lowercase(), 3).map(|t| &*t.name),
            Some("Bash")
        );
        assert!(cat.by_id(BASH_GUID, 1).is_none());
        assert!(cat.is_builtin(BASH_GUID));
        assert_eq!(cat.majors(BASH_GUID), vec![2, 3]);
        assert_eq!(
            cat.by_name("Bash", 3).unwrap().id.as_deref(),
            Some(&*BASH_GUID.to_lowercase())
        );
    }

    #[test]
    fn azure_file_copy_majors_and_recommendation() {
        let cat = catalog();
        let majors = cat.majors("AzureFileCopy");
        for m in 1..=6 {
            assert!(majors.contains(&m), "AzureFileCopy@{m} missing: {majors:?}");
        }
        assert_eq!(cat.recommended_major("AzureFileCopy"), Some(6));
        assert_eq!(cat.recommended_major("azurefilecopy"), Some(6));
        assert_eq!(cat.recommended_major("NoSuchTask"), None);
    }

    #[test]
    fn schema_only_retired_major() {
        let cat = catalog();
        // AzureCLI@0 is gone from the task repository; only the service schema lists it.
        let t = cat.by_name("azurecli", 0).expect("AzureCLI@0");
        assert_eq!(t.source, "schema");
        assert_eq!(t.id, None);
        assert!(t.input("connectedServiceNameARM").is_some_and(|i| i.arm));
        assert!(cat.majors("AzureCLI").starts_with(&[0, 1, 2]));
        // Xcode@2..4 and deprecated schema-only majors.
        assert_eq!(cat.by_name("Xcode", 4).map(|t| &*t.source), Some("schema"));
        let x = cat.by_name("XamarinLicense", 1).expect("XamarinLicense@1");
        assert!(x.deprecated && x.deprecation_message.is_some());
        assert!(cat.names().any(|n| n == "XamarinLicense"));
    }

    #[test]
    fn wif_facts() {
        let cat = catalog();
        let f = cat.wif("AzureFileCopy", 5).expect("wif AzureFileCopy@5");
        assert_eq!(f.support, WifSupport::No);
        assert_eq!(f.replacement.as_deref(), Some("AzureFileCopy@6"));
        assert_eq!(
            cat.wif("packerbuild", 1).map(|f| f.support),
            Some(WifSupport::Yes)
        );
        assert_eq!(
            cat.wif("PackerBuild", 0).map(|f| f.support),
            Some(WifSupport::No)
        );
        assert_eq!(
            cat.wif("Docker", 1).map(|f| f.support),
            Some(WifSupport::Partial)
        );
        assert_eq!(
            cat.wif("AzureIoTEdge", 2).map(|f| f.support),
            Some(WifSupport::Disputed)
        );
        assert!(cat.wif("Bash", 3).is_none());
    }

    #[test]
    fn wif_variant_inputs_are_merged() {
        let cat = catalog();
        let t = cat
            .by_name("NuGetAuthenticate", 1)
            .expect("NuGetAuthenticate@1");
        let i = t
            .input("workloadIdentityServiceConnection")
            .expect("_Wif input");
        assert_eq!(i.aliases, vec!["azureDevOpsServiceConnection"]);
        assert!(std::ptr::eq(
            t.input("azureDevOpsServiceConnection").unwrap(),
            i
        ));
        assert!(!i.arm);
        assert!(t.input("feedUrl").is_some());
        assert!(t.input("nuGetServiceConnections").is_some());
        assert!(cat
            .by_name("UniversalPackages", 1)
            .unwrap()
            .input("adoServiceConnection")
            .is_some());
    }

    #[test]
    fn names_and_len() {
        let cat = catalog();
        let names: Vec<&str> = cat.names().collect();
        assert!(names.contains(&"AzureCLI") && names.contains(&"VSTest"));
        let mut lower: Vec<String> = names.iter().map(|n| n.to_ascii_lowercase()).collect();
        let n = lower.len();
        lower.dedup();
        assert_eq!(lower.len(), n, "names must be distinct ignoring case");
        assert!(cat.len() > names.len());
        assert_eq!(cat.iter().count(), cat.len());
    }

    #[test]
    fn input_fields_are_normalized() {
        let cat = catalog();
        // `required: "true"` strings, int defaults and editable pickLists.
        let t = cat.by_name("DotNetCoreCLI", 2).unwrap();
        assert_eq!(
            t.input("requestTimeout").and_then(|i| i.default.as_deref()),
            Some("300000")
        );
        let p = cat.by_name("PipAuthenticate", 1).unwrap();
        let feeds = p.input("artifactFeeds").unwrap();
        assert!(feeds.editable_options);
        assert_eq!(feeds.kind, "picklist");
        for t in cat.iter() {
            for i in t.inputs.iter() {
                assert_eq!(
                    i.kind,
                    i.kind.to_ascii_lowercase(),
                    "{}@{} {}",
                    t.name,
                    t.major,
                    i.name
                );
                assert_eq!(
                    i.arm,
                    i.kind == "connectedservice:azurerm",
                    "{}@{} {}",
                    t.name,
                    t.major,
                    i.name
                );
            }
        }
    }

    #[test]
    fn index_matches_the_json() {
        // Every task major put together from the tables is the one its JSON decodes to, and the
        // one the index says, and the order is the one lookups rely on.
        #[derive(Deserialize)]
        struct File {
            tasks: Vec<TaskVersion>,
        }
        let file: File = serde_json::from_str(TASKS_JSON).unwrap();
        assert_eq!(file.tasks.len(), TASKS.len());
        let mut seen = std::collections::HashSet::new();
        for decoded in &file.tasks {
            let i = name_range(&decoded.name.to_ascii_lowercase())
                .find(|&i| TASKS[i].major == decoded.major)
                .unwrap();
            assert!(seen.insert(i), "{}@{} twice", decoded.name, decoded.major);
            assert_eq!(task(i), decoded);
        }
        for (i, e) in TASKS.iter().enumerate() {
            let t = task(i);
            assert_eq!(
                (t.name.to_ascii_lowercase(), t.major),
                (text(e.lower).to_string(), e.major)
            );
            assert_eq!(t.deprecated, e.deprecated);
        }
        assert!(TASKS
            .windows(2)
            .all(|w| (text(w[0].lower), w[0].major) <= (text(w[1].lower), w[1].major)));
        for (id, i) in BY_ID {
            assert_eq!(task(i).id.as_deref(), Some(text(id)));
        }
        assert!(WIF
            .windows(2)
            .all(|w| (text(w[0].lower), w[0].major) < (text(w[1].lower), w[1].major)));
    }

    #[test]
    fn wif_table_matches_the_json() {
        // The first row of each task major with a known support, as the catalog always read them.
        let v: serde_json::Value =
            serde_json::from_str(include_str!("../../data/wif.json")).unwrap();
        let mut seen = std::collections::HashSet::new();
        let mut n = 0;
        for r in v["tasks"].as_array().unwrap() {
            let task = r["task"].as_str().unwrap();
            let major = r["major"].as_u64().unwrap() as u32;
            let support = match r["support"].as_str().unwrap().to_ascii_lowercase().as_str() {
                "yes" => WifSupport::Yes,
                "no" => WifSupport::No,
                "partial" => WifSupport::Partial,
                "disputed" => WifSupport::Disputed,
                _ => continue,
            };
            if !seen.insert((task.to_ascii_lowercase(), major)) {
                continue;
            }
            n += 1;
            let f = catalog().wif(&task.to_ascii_uppercase(), major).unwrap();
            assert_eq!((&*f.task, f.major, f.support), (task, major, support));
            assert_eq!(f.replacement.as_deref(), r["replacement"].as_str());
            assert_eq!(f.note.as_deref(), r["note"].as_str());
        }
        assert_eq!(n, WIF.len());
    }
}
