//! `retired-vm-image`: a `vmImage` names a Microsoft-hosted image that is retired (error) or whose
//! retirement is announced (warning).
//!
//! The images, their dates and sources are data: `data/vm-images.csv`, embedded at build time and
//! parsed once. Labels match ignoring ASCII case (`macOS-12` and `macos-12` are the same image).
//!
//! Values are read from every `vmImage:` of a Microsoft-hosted pool (no `name:`, or `Azure
//! Pipelines`), from the `image:` of a 1ES Pipeline Templates pool named `Azure Pipelines`, and
//! from what such a `vmImage:` reads: the default of `${{ parameters.x }}`, a variable of the file
//! for `$(x)`, or the job's `strategy: matrix:` legs for `$(x)` (a leg counts when its pool, maybe
//! `name: $(Pool)` set per leg, is the hosted one). Pools named after anything else are self-hosted,
//! scale set or 1ES pools, whose images are not Microsoft's. Values built with `${{ }}`, `$( )` or
//! `$[ ]` are not checked.

use super::{Context, Rule};
use crate::diagnostic::{Diagnostic, Severity};
use crate::pipeline::for_each_entry;
use crate::yaml::{is_directive_key, is_expression, Node, NodeKind, MAX_DEPTH};
use std::sync::OnceLock;

pub static RULE: Rule = Rule {
    id: "retired-vm-image",
    severity: Severity::Error,
    summary: "A `vmImage` names a Microsoft-hosted image that is retired or being retired",
    check: super::Check::Document(check),
};

/// The image data, with its sources: one row per label (aliases have their own rows).
const DATA: &str = include_str!("../../data/vm-images.csv");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    /// The removal date has passed: jobs asking for the image no longer start.
    Retired,
    /// A retirement is announced: the image still runs, with brownouts before the date.
    Announced,
}

#[derive(Debug)]
struct Image {
    label: String,
    status: Status,
    /// The removal date (ISO), when the source gives one.
    retired: Option<String>,
    replacement: String,
    source: String,
}

fn images() -> &'static [Image] {
    static IMAGES: OnceLock<Vec<Image>> = OnceLock::new();
    IMAGES.get_or_init(|| parse(DATA).unwrap_or_else(|e| panic!("data/vm-images.csv: {e}")))
}

/// The image of a `vmImage` label, ignoring ASCII case and surrounding blanks.
fn lookup(label: &str) -> Option<&'static Image> {
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

/// Where an image value was found.
enum Origin<'a> {
    /// A `vmImage:` key (or the `image:` of a 1ES Pipeline Templates pool named `Azure Pipelines`).
    VmImage,
    /// A variable that a `vmImage: $(variable)` reads.
    Variable(&'a str),
    /// The default of a template parameter that a `vmImage:` reads (`${{ parameters.x }}`).
    Default(&'a str),
    /// A matrix leg's variable that the job's `vmImage: $(variable)` reads.
    Matrix { leg: &'a str, variable: &'a str },
}

#[derive(Default)]
struct Found<'a> {
    values: Vec<(&'a Node, Origin<'a>)>,
    /// Parameters whose value a Microsoft-hosted `vmImage:` reads.
    parameter_uses: Vec<&'a str>,
    /// The document's own parameter declarations: name and default.
    declared: Vec<(&'a str, &'a Node)>,
    /// Variables whose value a Microsoft-hosted `vmImage: $(name)` reads.
    variable_uses: Vec<&'a str>,
    /// The document's variable definitions: name and value.
    variables: Vec<(&'a str, &'a Node)>,
}

/// The variable of a value that is exactly one macro, `$(name)`.
fn macro_name(value: &str) -> Option<&str> {
    let inner = value.trim().strip_prefix("$(")?.strip_suffix(')')?.trim();
    (!inner.is_empty() && !inner.contains(['$', '(', ')'])).then_some(inner)
}

/// The parameter of a value that is exactly `${{ parameters.name }}`.
fn parameter_name(value: &str) -> Option<&str> {
    let inner = value.trim().strip_prefix("${{")?.strip_suffix("}}")?.trim();
    let name = inner.strip_prefix("parameters.")?;
    (!name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .then_some(name)
}

/// A scalar, or each scalar of a sequence (an `object` parameter listing several images).
fn scalars<'a>(node: &'a Node, mut f: impl FnMut(&'a Node)) {
    match &node.kind {
        NodeKind::Scalar(..) => f(node),
        NodeKind::Seq(items) => items
            .iter()
            .filter(|i| matches!(i.kind, NodeKind::Scalar(..)))
            .for_each(f),
        _ => {}
    }
}

/// The first entry named `key` of a mapping, looking into its `${{ if }}` blocks too.
fn entry<'a>(map: &'a Node, key: &str) -> Option<&'a Node> {
    let mut found = None;
    for_each_entry(map, 0, &mut |e| {
        if found.is_none() && e.key.as_str() == Some(key) {
            found = Some(&e.value);
        }
    });
    found
}

/// Whether a pool with this `name:` is the Microsoft-hosted one: no name, or `Azure Pipelines`.
/// A name azplint can't read (an expression) is taken as a self-hosted pool, whose images are
/// not Microsoft's.
fn hosted_name(name: Option<&str>) -> bool {
    name.is_none_or(|n| n.trim().eq_ignore_ascii_case("Azure Pipelines"))
}

fn walk<'a>(
    node: &'a Node,
    holder: &'a Node,
    pool: Option<&'a Node>,
    depth: usize,
    found: &mut Found<'a>,
) {
    if depth > MAX_DEPTH {
        return;
    }
    match &node.kind {
        NodeKind::Map(entries) => {
            // The pool that applies here and below: this mapping's own, or the inherited one.
            let pool = node.get("pool").filter(|p| p.as_map().is_some()).or(pool);
            if let Some(matrix) = node
                .get("strategy")
                .and_then(|s| s.get("matrix"))
                .filter(|m| m.as_map().is_some())
            {
                matrix_legs(matrix, pool, found);
            }
            for e in entries {
                let key = e.key.as_str();
                match key {
                    Some(k @ ("vmImage" | "image")) => {
                        let name = holder.get("name").map(|n| n.as_str().unwrap_or("${{ }}"));
                        // 1ES Pipeline Templates select a hosted image with `image:` in a pool
                        // named `Azure Pipelines`; elsewhere `image:` is a container image.
                        let hosted = match k {
                            "vmImage" => hosted_name(name),
                            _ => name.is_some() && hosted_name(name),
                        };
                        if let (true, Some(value)) = (hosted, e.value.as_str()) {
                            match (parameter_name(value), macro_name(value)) {
                                (Some(p), _) => found.parameter_uses.push(p),
                                (_, Some(v)) => found.variable_uses.push(v),
                                _ => found.values.push((&e.value, Origin::VmImage)),
                            }
                        }
                    }
                    Some("variables") => definitions(&e.value, found),
                    // Matrix legs hold variables; `matrix_legs` reads those a `vmImage` uses.
                    Some("matrix") => continue,
                    Some("parameters") if depth == 0 => {
                        declarations(&e.value, found);
                        // Walk the defaults, not the legacy declarations' keys themselves.
                        if let Some(map) = e.value.as_map() {
                            for d in map {
                                walk(&d.value, &d.value, pool, depth + 2, found);
                            }
                            continue;
                        }
                    }
                    _ => {}
                }
                // The values of `${{ if }}:` keys are spliced into this mapping: same holder.
                let child_holder = if key.is_some_and(is_directive_key) {
                    holder
                } else {
                    &e.value
                };
                walk(&e.value, child_holder, pool, depth + 1, found);
            }
        }
        NodeKind::Seq(items) => {
            for item in items {
                walk(item, item, pool, depth + 1, found);
            }
        }
        NodeKind::Scalar(..) | NodeKind::Alias(_) => {}
    }
}

/// The top-level `parameters:` of a template: typed (`- name:` with `default:`) or legacy
/// (`name: default`).
fn declarations<'a>(value: &'a Node, found: &mut Found<'a>) {
    match &value.kind {
        NodeKind::Seq(items) => {
            for item in items {
                if let (Some(name), Some(default)) =
                    (item.get("name").and_then(Node::as_str), item.get("default"))
                {
                    found.declared.push((name, default));
                }
            }
        }
        NodeKind::Map(entries) => {
            for e in entries {
                if let Some(name) = e.key.as_str() {
                    found.declared.push((name, &e.value));
                }
            }
        }
        _ => {}
    }
}

/// Variable definitions: `variables: { name: value }` or `variables: [ { name:, value: } ]`.
fn definitions<'a>(value: &'a Node, found: &mut Found<'a>) {
    match &value.kind {
        NodeKind::Map(_) => for_each_entry(value, 0, &mut |e| {
            if let Some(name) = e.key.as_str() {
                found.variables.push((name, &e.value));
            }
        }),
        NodeKind::Seq(items) => {
            for item in items {
                if let (Some(name), Some(value)) =
                    (item.get("name").and_then(Node::as_str), item.get("value"))
                {
                    found.variables.push((name, value));
                }
            }
        }
        _ => {}
    }
}

/// The legs of a job's `strategy: matrix:` whose variable feeds the pool's `vmImage: $(variable)`,
/// when the pool is the Microsoft-hosted one (directly, or through the leg's own pool variable).
fn matrix_legs<'a>(matrix: &'a Node, pool: Option<&'a Node>, found: &mut Found<'a>) {
    let Some(pool) = pool else { return };
    let name = entry(pool, "name").map(|n| n.as_str().unwrap_or("${{ }}"));
    // `vmImage: $(x)`, or the `image: $(x)` of a 1ES Pipeline Templates pool (which needs a name).
    let (variable, needs_name) = match (entry(pool, "vmImage"), entry(pool, "image")) {
        (Some(v), _) => (v, false),
        (None, Some(i)) => (i, true),
        (None, None) => return,
    };
    let Some(variable) = variable.as_str().and_then(macro_name) else {
        return;
    };
    for_each_entry(matrix, 0, &mut |leg| {
        let Some(leg_name) = leg.key.as_str() else {
            return;
        };
        let get = |var: &str| {
            let mut value = None;
            for_each_entry(&leg.value, 0, &mut |e| {
                if value.is_none() && e.key.as_str().is_some_and(|k| k.eq_ignore_ascii_case(var)) {
                    value = Some(e);
                }
            });
            value
        };
        // `name: $(Pool)` with `Pool:` set per leg.
        let leg_pool_name = match name.and_then(macro_name) {
            Some(pool_var) => Some(
                get(pool_var)
                    .and_then(|e| e.value.as_str())
                    .unwrap_or("$(unknown)"),
            ),
            None => name,
        };
        if !hosted_name(leg_pool_name) || (needs_name && leg_pool_name.is_none()) {
            return;
        }
        let Some(image) = get(variable) else { return };
        let Some(value) = image.value.as_str() else {
            return;
        };
        match parameter_name(value) {
            Some(p) => found.parameter_uses.push(p),
            None => found.values.push((
                &image.value,
                Origin::Matrix {
                    leg: leg_name,
                    variable: image.key.as_str().unwrap_or(variable),
                },
            )),
        }
    });
}

fn check(ctx: &Context, out: &mut Vec<Diagnostic>) {
    let Some(root) = &ctx.doc.root else { return };
    let mut found = Found::default();
    walk(root, root, None, 0, &mut found);
    for (name, value) in std::mem::take(&mut found.variables) {
        if found
            .variable_uses
            .iter()
            .any(|u| u.eq_ignore_ascii_case(name))
        {
            found.values.push((value, Origin::Variable(name)));
        }
    }
    for (name, default) in std::mem::take(&mut found.declared) {
        if found
            .parameter_uses
            .iter()
            .any(|u| u.eq_ignore_ascii_case(name))
        {
            scalars(default, |n| found.values.push((n, Origin::Default(name))));
        }
    }
    let mut seen = std::collections::HashSet::new();
    for (node, origin) in found.values {
        let Some(value) = node.as_str() else { continue };
        if is_expression(value) || !seen.insert(node.span.start) {
            continue;
        }
        if let Some(image) = lookup(value) {
            out.push(diagnostic(node, value.trim(), image, &origin));
        }
    }
}

fn diagnostic(node: &Node, value: &str, image: &Image, origin: &Origin) -> Diagnostic {
    let check_tools = "and check that the tools your jobs need are on it (the installed software \
                       differs between images)";
    let (severity, message, state, help, note) = match image.status {
        Status::Retired => {
            let date = image.retired.as_deref().unwrap_or("an earlier date");
            (
                Severity::Error,
                format!("`{value}` is a retired Microsoft-hosted image, removed on {date}"),
                "retired image".to_string(),
                format!(
                    "use a current image such as `{}`, {check_tools}",
                    image.replacement
                ),
                format!(
                    "a job that asks for a retired image fails before it starts, with `No image \
                     label found to route agent pool Azure Pipelines` or `An image label with the \
                     label {value} does not exist`; source: {}",
                    image.source
                ),
            )
        }
        Status::Announced => {
            let (message, state, before) = match &image.retired {
                Some(date) => (
                    format!(
                        "`{value}` is a deprecated Microsoft-hosted image, to be removed on {date}"
                    ),
                    format!("image retiring on {date}"),
                    format!(" before {date}"),
                ),
                None => (
                    format!(
                        "`{value}` is a deprecated Microsoft-hosted image, its removal is announced"
                    ),
                    "image being retired".to_string(),
                    String::new(),
                ),
            };
            (
                Severity::Warning,
                message,
                state,
                format!("move to `{}`{before}, {check_tools}", image.replacement),
                format!(
                    "until the removal the image still runs, but jobs can wait longer for an agent \
                     and fail during the scheduled brownouts; after it they fail before they start; \
                     source: {}",
                    image.source
                ),
            )
        }
    };
    let label = match origin {
        Origin::VmImage => state,
        Origin::Default(name) => format!("{state}, the default of parameter `{name}`"),
        Origin::Variable(name) => format!("{state}, read by `$({name})`"),
        Origin::Matrix { leg, variable } => {
            format!(
                "{state}, `{variable}` of matrix leg `{leg}` (read by `vmImage: $({variable})`)"
            )
        }
    };
    Diagnostic::new(RULE.id, severity, node.span.clone(), message)
        .label(label)
        .help(help)
        .note(note)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::NoFiles;
    use crate::source::Source;

    fn found(text: &str) -> Vec<(usize, Severity)> {
        let source = Source::new("t.yml", None, text.to_string());
        crate::lint_source(&source, &NoFiles)
            .into_iter()
            .filter(|d| d.rule == "retired-vm-image")
            .map(|d| (text[..d.span.start].matches('\n').count() + 1, d.severity))
            .collect()
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

    #[test]
    fn vm_image_keys_anywhere() {
        let t = "pool:\n  vmImage: ubuntu-16.04\nstages:\n- stage: a\n  pool:\n    vmImage: 'macos-12'\n  \
                 jobs:\n  - job: b\n    pool:\n      vmImage: ubuntu-22.04\n    steps:\n    - script: x\n";
        assert_eq!(
            found(t),
            vec![
                (2, Severity::Error),
                (6, Severity::Error),
                (10, Severity::Warning)
            ]
        );
    }

    #[test]
    fn expressions_and_current_images_are_skipped() {
        let t = "pool:\n  vmImage: $(image)\njobs:\n- job: a\n  pool:\n    vmImage: ${{ parameters.os }}\n  \
                 steps:\n  - script: x\n- job: b\n  pool:\n    vmImage: ubuntu-latest\n  steps:\n  - script: x\n\
                 - job: c\n  pool:\n    vmImage: $[ variables.img ]\n  steps:\n  - script: x\n";
        assert!(found(t).is_empty());
    }

    #[test]
    fn parameter_defaults_read_by_a_hosted_vm_image() {
        let t = "parameters:\n- name: linuxVmImage\n  default: ubuntu-18.04\n- name: images\n  \
                 type: object\n  default: [ubuntu-16.04]\n- name: buildImage\n  default: windows-2019\n\
                 - name: perfVmImage\n  default: ubuntu-20.04\njobs:\n- job: a\n  pool:\n    \
                 vmImage: ${{ parameters.linuxVmImage }}\n  steps:\n  - script: x\n- job: b\n  pool:\n    \
                 name: Azure Pipelines\n    vmImage: ${{parameters.buildImage}}\n  steps:\n  - script: x\n\
                 - job: c\n  pool:\n    name: perf-pool\n    vmImage: ${{ parameters.perfVmImage }}\n  \
                 steps:\n  - script: x\n- template: t.yml\n  parameters:\n    vmImage: macOS-11\n    \
                 macVmImage: macOS-11\n";
        assert_eq!(
            found(t),
            vec![
                (3, Severity::Error),
                (8, Severity::Error),
                // Passed to a template azplint does not read (here, none are): never an error.
                (31, Severity::Warning)
            ]
        );
    }

    #[test]
    fn legacy_parameter_declarations() {
        let t = "parameters:\n  vmImage: ubuntu-16.04\n  unused: ubuntu-16.04\njobs:\n- job: a\n  pool:\n    \
                 vmImage: ${{ parameters.vmImage }}\n  steps:\n  - script: x\n";
        assert_eq!(found(t), vec![(2, Severity::Error)]);
    }

    #[test]
    fn self_hosted_pools_are_not_checked() {
        let t = "pool:\n  name: Default\n  vmImage: ubuntu-16.04\njobs:\n- job: a\n  pool:\n    \
                 name: $(poolName)\n    vmImage: ubuntu-16.04\n  steps:\n  - script: x\n- job: b\n  \
                 pool:\n    name: ${{ parameters.pool }}\n    ${{ if eq(parameters.pool, 'x') }}:\n      \
                 vmImage: ubuntu-16.04\n  steps:\n  - script: x\n- job: c\n  pool:\n    \
                 name: Azure Pipelines\n    ${{ if true }}:\n      vmImage: ubuntu-16.04\n  steps:\n  \
                 - script: x\n";
        assert_eq!(found(t), vec![(22, Severity::Error)]);
    }

    #[test]
    fn matrix_legs_feeding_a_vm_image_macro() {
        let t = "jobs:\n- job: a\n  strategy:\n    matrix:\n      linux:\n        imageName: ubuntu-16.04\n      \
                 mac:\n        imageName: macOS-latest\n        other: macOS-10.15\n  pool:\n    \
                 vmImage: $(imageName)\n  steps:\n  - script: x\n- job: b\n  strategy:\n    matrix:\n      \
                 custom:\n        Pool: my-pool\n        OSVmImage: ubuntu-20.04\n      hosted:\n        \
                 Pool: Azure Pipelines\n        OSVmImage: ubuntu-20.04\n  pool:\n    name: $(Pool)\n    \
                 vmImage: $(OSVmImage)\n  steps:\n  - script: x\n- job: c\n  strategy:\n    matrix:\n      \
                 legacy:\n        OSVmImage: ubuntu-18.04\n  pool:\n    name: my-pool\n    \
                 demands: ImageOverride -equals $(OSVmImage)\n  steps:\n  - script: x\n";
        assert_eq!(found(t), vec![(6, Severity::Error), (22, Severity::Error)]);
    }

    #[test]
    fn a_stage_pool_applies_to_its_jobs_matrices() {
        let t = "stages:\n- stage: s\n  pool:\n    vmImage: $(img)\n  jobs:\n  - job: a\n    strategy:\n      \
                 matrix:\n        old:\n          img: windows-2019\n    steps:\n    - script: x\n";
        assert_eq!(found(t), vec![(10, Severity::Error)]);
    }

    #[test]
    fn variables_read_by_a_hosted_vm_image() {
        let t = "variables:\n  vmImageName: 'windows-2019'\n  other: ubuntu-16.04\njobs:\n- job: a\n  pool:\n    \
                 vmImage: $(vmImageName)\n  steps:\n  - script: x\n- job: b\n  variables:\n  - name: img\n    \
                 value: macOS-13\n  pool:\n    vmImage: $(IMG)\n  steps:\n  - script: x\n- job: c\n  \
                 variables:\n    self: ubuntu-18.04\n  pool:\n    name: my-pool\n    vmImage: $(self)\n  \
                 steps:\n  - script: x\n";
        assert_eq!(found(t), vec![(2, Severity::Error), (13, Severity::Error)]);
    }

    #[test]
    fn the_image_of_a_1es_pool_named_azure_pipelines() {
        let t = "resources:\n  containers:\n  - container: c\n    image: ubuntu-16.04\njobs:\n- job: a\n  \
                 pool:\n    name: Azure Pipelines\n    image: macos-14\n    os: macOS\n  steps:\n  \
                 - script: x\n- job: b\n  pool:\n    name: my-1es-pool\n    image: ubuntu-20.04\n    \
                 os: linux\n  steps:\n  - script: x\n";
        assert_eq!(found(t), vec![(9, Severity::Error)]);
    }

    #[test]
    fn a_value_is_reported_once() {
        let t = "steps:\n- template: t.yml\n  parameters:\n    vmImage: vs2017-win2016\n";
        // Handed to a template azplint does not read: a warning.
        assert_eq!(found(t), vec![(4, Severity::Warning)]);
    }

    #[test]
    fn messages_name_the_date_the_replacement_and_the_source() {
        let text = "pool:\n  vmImage: ubuntu-22.04\n";
        let source = Source::new("t.yml", None, text.to_string());
        let d = crate::lint_source(&source, &NoFiles)
            .into_iter()
            .find(|d| d.rule == "retired-vm-image")
            .unwrap();
        assert!(d.message.contains("2027-04-17"), "{}", d.message);
        assert!(d.help.as_deref().unwrap().contains("ubuntu-24.04"));
        assert!(d.note.as_deref().unwrap().contains("https://"));
    }
}
