//! The pipeline model: task steps found by shape, with their references resolved against the catalog.

pub mod inputs;
pub mod names;
pub mod params;
pub mod paths;
pub mod steps;
pub mod taskref;
pub mod variables;
pub mod walk;

use crate::catalog::{catalog, Configured, TaskVersion};
use crate::yaml::{is_directive_key, Entry, Node};
pub use steps::{step_kind, step_kinds, StepKind};
pub use taskref::{parse_task_ref, Malformed, NameKind, ParsedRef, TaskRef};
pub use walk::{for_each_entry, for_each_entry_in};
use walk::{At, Flow, Item, Visitor};

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
    /// The model of a document, in one walk; `tasks` are the configured tasks, resolved like
    /// built-ins.
    pub fn build(root: Option<&'a Node>, tasks: Option<&'a Configured>) -> Model<'a> {
        let mut builder = Builder {
            tasks,
            refs_only: false,
            model: Model::default(),
        };
        if let Some(root) = root {
            walk::walk(root, &mut builder);
            builder.extends(root);
        }
        builder.model
    }

    /// Only the `template:` references of a document (what loading the workspace needs).
    pub fn template_refs(root: Option<&'a Node>) -> Vec<TemplateRef<'a>> {
        let mut builder = Builder {
            tasks: None,
            refs_only: true,
            model: Model::default(),
        };
        if let Some(root) = root {
            walk::walk(root, &mut builder);
            builder.extends(root);
        }
        builder.model.template_refs
    }
}

/// Builds the model as a visitor of the one walk.
struct Builder<'a> {
    tasks: Option<&'a Configured>,
    refs_only: bool,
    model: Model<'a>,
}

impl<'a> Builder<'a> {
    fn extends(&mut self, root: &'a Node) {
        if let Some(r) = root.get("extends").and_then(template_ref) {
            self.model
                .template_refs
                .push(TemplateRef { extends: true, ..r });
        }
    }
}

impl<'a> Visitor<'a> for Builder<'a> {
    fn enter_map(&mut self, map: &'a Node, at: &At<'a>) -> Flow {
        // Task steps and template references are items of lists (steps, jobs, stages, variables,
        // also when passed as parameters), directly or through directive blocks: found by shape.
        if at.item {
            if !self.refs_only {
                if let Some(step) = task_step(map, self.tasks) {
                    self.model.task_steps.push(step);
                }
            }
            if let Some(r) = template_ref(map) {
                self.model.template_refs.push(r);
            }
        }
        Flow::Continue
    }

    fn entry(&mut self, e: &'a Entry, at: &At<'a>) -> Flow {
        if self.refs_only {
            return Flow::Continue;
        }
        // Steps lists: the values of `steps:` keys and the defaults of `step`/`stepList`
        // template parameters.
        let key = e.key.as_str();
        let step_param = || {
            at.holder.is_some_and(|h| {
                matches!(
                    h.get("type").and_then(Node::as_str),
                    Some("step" | "stepList")
                ) && h.get("name").is_some()
            })
        };
        if key == Some("steps") || (key == Some("default") && step_param()) {
            collect_steps(&e.value, &mut self.model.steps);
        }
        Flow::Continue
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

/// The steps of a steps list, through `${{ if }}`/`${{ each }}` blocks.
fn collect_steps<'a>(list: &'a Node, out: &mut Vec<Step<'a>>) {
    walk::for_each_item(list, true, &mut |item| {
        let Item::Node(item, _) = item else { return };
        let Some(entries) = item.as_map() else { return };
        if let Some((id, kind)) = entries
            .iter()
            .filter(|e| !e.key.as_str().is_some_and(is_directive_key))
            .find_map(|e| e.key.as_str().and_then(step_kind).map(|k| (e, k)))
        {
            out.push(Step {
                node: item,
                id,
                kind,
            });
        }
    });
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
