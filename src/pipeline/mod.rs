//! The pipeline model: task steps found by shape, with their references resolved against the catalog.

pub mod inputs;
pub mod names;
pub mod params;
pub mod taskref;
pub mod variables;

use crate::catalog::{catalog, Configured, TaskVersion};
use crate::structure::StepKind;
use crate::yaml::{is_directive_key, Entry, Node, NodeKind, MAX_DEPTH};
pub use taskref::{parse_task_ref, Malformed, NameKind, ParsedRef, TaskRef};

/// What a task reference resolves to.
#[derive(Debug, Clone)]
pub enum Resolution<'a> {
    /// Built from expressions: not checked.
    Dynamic,
    Malformed(Malformed<'a>),
    /// A built-in task version.
    Builtin(&'a TaskVersion),
    /// A built-in task name (or GUID) with a major that does not exist.
    UnknownMajor {
        parsed: ParsedRef<'a>,
        majors: Vec<u32>,
    },
    /// Not a built-in name: an extension or private task (or a typo).
    NotBuiltin(ParsedRef<'a>),
}

/// A `- task: Name@Major` step.
#[derive(Debug, Clone)]
pub struct TaskStep<'a> {
    /// The whole step mapping.
    pub step: &'a Node,
    /// The `task:` entry.
    pub task: &'a Entry,
    /// The `inputs:` values: usually one; several when `${{ if }}`/`${{ else }}` branches of the
    /// step each have their own.
    pub inputs: Vec<&'a Node>,
    pub resolution: Resolution<'a>,
}

impl<'a> TaskStep<'a> {
    /// The task's `task:` value as written (empty for a null value).
    pub fn reference(&self) -> &'a str {
        if self.task.value.is_null() {
            return "";
        }
        self.task.value.as_str().unwrap_or("")
    }

    /// The input entry given for `input` (by its name or any alias, ignoring case), following
    /// `${{ if }}` blocks inside `inputs:`.
    pub fn input_entry(&self, input: &crate::catalog::Input) -> Option<&'a Entry> {
        let mut found = None;
        for inputs in &self.inputs {
            for_each_entry(inputs, 0, &mut |e| {
                if found.is_none() {
                    if let Some(k) = e.key.as_str() {
                        if k.eq_ignore_ascii_case(&input.name)
                            || input.aliases.iter().any(|a| a.eq_ignore_ascii_case(k))
                        {
                            found = Some(e);
                        }
                    }
                }
            });
        }
        found
    }

    /// The input entry with this exact key (ignoring case), following `${{ if }}` blocks.
    pub fn input_by_key(&self, key: &str) -> Option<&'a Entry> {
        let mut found = None;
        for inputs in &self.inputs {
            for_each_entry(inputs, 0, &mut |e| {
                if found.is_none() && e.key.as_str().is_some_and(|k| k.eq_ignore_ascii_case(key)) {
                    found = Some(e);
                }
            });
        }
        found
    }
}

/// Visit the entries of a mapping, descending into template-expression keys (`${{ if }}:` etc.),
/// whose values are spliced into the mapping.
pub fn for_each_entry<'a>(map: &'a Node, depth: usize, f: &mut dyn FnMut(&'a Entry)) {
    for_each_entry_in(map, depth, false, &mut |e, _| f(e));
}

/// Like [`for_each_entry`], also telling whether each entry stands inside a `${{ if }}`,
/// `${{ elseif }}`, `${{ else }}` or `${{ each }}` block (`conditional` says whether `map` itself
/// does).
pub fn for_each_entry_in<'a>(
    map: &'a Node,
    depth: usize,
    conditional: bool,
    f: &mut dyn FnMut(&'a Entry, bool),
) {
    let Some(entries) = map.as_map() else { return };
    for e in entries {
        match e.key.as_str() {
            Some(k) if is_directive_key(k) => {
                if depth < MAX_DEPTH {
                    for_each_entry_in(&e.value, depth + 1, true, f);
                }
            }
            _ => f(e, conditional),
        }
    }
}

/// The model of one file.
#[derive(Debug, Default)]
pub struct Model<'a> {
    /// Task steps, found by shape anywhere in the file.
    pub task_steps: Vec<TaskStep<'a>>,
    /// Every step (of any kind) in a steps list: under a `steps:` key, or in the default of a
    /// template parameter of type `step`/`stepList`.
    pub steps: Vec<Step<'a>>,
    /// `template:` references: list items (steps, jobs, stages, variables) and `extends:`.
    pub template_refs: Vec<TemplateRef<'a>>,
}

/// A `- template: path` item or `extends: template: path`.
#[derive(Debug, Clone)]
pub struct TemplateRef<'a> {
    /// The mapping holding `template:` (and `parameters:`).
    pub node: &'a Node,
    /// The `template:` entry; its value is the path.
    pub entry: &'a Entry,
    /// The `parameters:` value passed, when present.
    pub parameters: Option<&'a Node>,
    /// `extends: template:` of the document root (not a list item).
    pub extends: bool,
}

impl<'a> TemplateRef<'a> {
    pub fn path(&self) -> &'a str {
        self.entry.value.as_str().unwrap_or("")
    }
}

/// A step of a steps list, with its kind.
#[derive(Debug, Clone)]
pub struct Step<'a> {
    pub node: &'a Node,
    /// The entry that names the kind (`task:`, `script:`, `checkout:`, ...).
    pub id: &'a Entry,
    pub kind: &'static StepKind,
}

impl<'a> Model<'a> {
    /// The model of a document; `tasks` are the configured tasks, resolved like built-ins.
    pub fn build(root: Option<&'a Node>, tasks: Option<&'a Configured>) -> Model<'a> {
        let mut model = Model::default();
        if let Some(root) = root {
            find_steps(root, false, 0, tasks, &mut model.task_steps);
            find_step_lists(root, 0, &mut model.steps);
            find_template_refs(root, false, 0, &mut model.template_refs);
            if let Some(ext) = root.get("extends") {
                if let Some(r) = template_ref(ext) {
                    model.template_refs.push(TemplateRef { extends: true, ..r });
                }
            }
        }
        model
    }
}

/// A mapping whose first plain key is `template:` with a scalar value.
fn template_ref(node: &Node) -> Option<TemplateRef<'_>> {
    let entries = node.as_map()?;
    let first = entries
        .iter()
        .find(|e| !e.key.as_str().is_some_and(is_directive_key))?;
    if first.key.as_str() != Some("template")
        || first.value.as_str().is_none()
        || first.value.is_null()
    {
        return None;
    }
    let mut parameters = None;
    for_each_entry(node, 0, &mut |e| {
        if parameters.is_none() && e.key.as_str() == Some("parameters") {
            parameters = Some(&e.value);
        }
    });
    Some(TemplateRef {
        node,
        entry: first,
        parameters,
        extends: false,
    })
}

/// Template references are items of sequences (steps, jobs, stages and variables lists, also when
/// passed as parameters), through `${{ }}` blocks.
fn find_template_refs<'a>(
    node: &'a Node,
    in_seq: bool,
    depth: usize,
    out: &mut Vec<TemplateRef<'a>>,
) {
    if depth >= MAX_DEPTH {
        return;
    }
    match &node.kind {
        NodeKind::Seq(items) => {
            for item in items {
                find_template_refs(item, true, depth + 1, out);
            }
        }
        NodeKind::Map(entries) => {
            if in_seq {
                if let Some(r) = template_ref(node) {
                    out.push(r);
                }
            }
            for e in entries {
                let spliced = in_seq && e.key.as_str().is_some_and(is_directive_key);
                find_template_refs(&e.value, spliced, depth + 1, out);
            }
        }
        NodeKind::Scalar(..) | NodeKind::Alias(_) => {}
    }
}

/// Find steps lists anywhere: the values of `steps:` keys and the defaults of `step`/`stepList`
/// template parameters.
fn find_step_lists<'a>(node: &'a Node, depth: usize, out: &mut Vec<Step<'a>>) {
    if depth >= MAX_DEPTH {
        return;
    }
    match &node.kind {
        NodeKind::Seq(items) => {
            for item in items {
                find_step_lists(item, depth + 1, out);
            }
        }
        NodeKind::Map(entries) => {
            let param_type = node.get("type").and_then(Node::as_str);
            let is_step_param =
                matches!(param_type, Some("step" | "stepList")) && node.get("name").is_some();
            for e in entries {
                let key = e.key.as_str();
                if key == Some("steps") || (is_step_param && key == Some("default")) {
                    collect_steps(&e.value, depth + 1, out);
                }
                find_step_lists(&e.value, depth + 1, out);
            }
        }
        NodeKind::Scalar(..) | NodeKind::Alias(_) => {}
    }
}

/// The items of a steps list, through `${{ if }}`/`${{ each }}` blocks.
fn collect_steps<'a>(list: &'a Node, depth: usize, out: &mut Vec<Step<'a>>) {
    if depth >= MAX_DEPTH {
        return;
    }
    let items: &[Node] = match &list.kind {
        NodeKind::Seq(items) => items,
        // A single step given where a list is expected (a `step` parameter default).
        NodeKind::Map(_) => std::slice::from_ref(list),
        _ => return,
    };
    for item in items {
        let Some(entries) = item.as_map() else {
            continue;
        };
        let plain: Vec<&Entry> = entries
            .iter()
            .filter(|e| !e.key.as_str().is_some_and(is_directive_key))
            .collect();
        if plain.is_empty() {
            // `- ${{ if ... }}:` wrapping more steps (a list) or one step (a mapping).
            for e in entries {
                collect_steps(&e.value, depth + 1, out);
            }
            continue;
        }
        if let Some((id, kind)) = plain.iter().find_map(|e| {
            e.key
                .as_str()
                .and_then(crate::structure::step_kind)
                .map(|k| (*e, k))
        }) {
            out.push(Step {
                node: item,
                id,
                kind,
            });
        }
    }
}

/// Walk the whole tree and collect task steps by shape: a mapping that is an item of a sequence
/// (directly, or through template-expression blocks) and has a scalar `task:` key. Everything is
/// visited, so steps in stages/jobs, deployment hooks, `${{ if }}`/`${{ each }}` blocks, template
/// parameter defaults and `extends: parameters:` are all found.
fn find_steps<'a>(
    node: &'a Node,
    in_seq: bool,
    depth: usize,
    tasks: Option<&'a Configured>,
    out: &mut Vec<TaskStep<'a>>,
) {
    if depth >= MAX_DEPTH {
        return;
    }
    match &node.kind {
        NodeKind::Seq(items) => {
            for item in items {
                find_steps(item, true, depth + 1, tasks, out);
            }
        }
        NodeKind::Map(entries) => {
            if in_seq {
                if let Some(step) = task_step(node, tasks) {
                    out.push(step);
                }
            }
            for e in entries {
                // The value of an expression key inside a sequence item is still part of that item.
                let spliced = in_seq && e.key.as_str().is_some_and(is_directive_key);
                find_steps(&e.value, spliced, depth + 1, tasks, out);
            }
        }
        NodeKind::Scalar(..) | NodeKind::Alias(_) => {}
    }
}

fn task_step<'a>(node: &'a Node, tasks: Option<&'a Configured>) -> Option<TaskStep<'a>> {
    let entries = node.as_map()?;
    // `task:` itself must be a direct key (a step spliced from a `${{ if }}` block is visited on its
    // own); `inputs:` may come from a conditional block of the step.
    let task = entries.iter().find(|e| e.key.as_str() == Some("task"))?;
    let mut inputs = Vec::new();
    for_each_entry(node, 0, &mut |e| {
        if e.key.as_str() == Some("inputs") {
            inputs.push(&e.value);
        }
    });
    let reference = if task.value.is_null() {
        ""
    } else {
        task.value.as_str()?
    };
    // Data that merely has a `task` field (a matrix row, a parameter object) is not a step: a step's
    // `task:` comes first or names a version.
    let first_plain = entries
        .iter()
        .find(|e| !e.key.as_str().is_some_and(is_directive_key));
    let is_first = first_plain.is_some_and(|e| std::ptr::eq(e, task));
    if !is_first && !reference.contains('@') && inputs.is_empty() {
        return None;
    }
    Some(TaskStep {
        step: node,
        task,
        inputs,
        resolution: resolve(reference, tasks),
    })
}

/// Resolve a `task:` value against the configured tasks, then the built-in catalog.
pub fn resolve<'a>(reference: &'a str, tasks: Option<&'a Configured>) -> Resolution<'a> {
    let parsed = match parse_task_ref(reference) {
        TaskRef::Dynamic => return Resolution::Dynamic,
        TaskRef::Malformed(m) => return Resolution::Malformed(m),
        TaskRef::Parsed(p) => p,
    };
    if let Some(t) = tasks.and_then(|c| c.task(parsed.name, parsed.major)) {
        return Resolution::Builtin(t);
    }
    let cat = catalog();
    let found = match parsed.kind {
        NameKind::Extension => return Resolution::NotBuiltin(parsed),
        NameKind::Guid => cat.by_id(parsed.name, parsed.major),
        NameKind::Name => cat.by_name(parsed.name, parsed.major),
    };
    if let Some(tv) = found {
        return Resolution::Builtin(tv);
    }
    if cat.is_builtin(parsed.name) {
        let majors = cat.majors(parsed.name);
        return Resolution::UnknownMajor { parsed, majors };
    }
    Resolution::NotBuiltin(parsed)
}
