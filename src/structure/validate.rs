//! Check a document against the pipeline schema the way the server reads it: template-expression
//! blocks are lifted into their parent first, values built from expressions are never judged, and
//! every scalar is a string (booleans and numbers are fine where strings are expected).

use super::schema::{def, pattern_matches, Def, Strs};
use crate::pipeline::walk::{for_each_item, lifted_entries, Item, Lifted};
use crate::yaml::{is_expression, Node, NodeKind, Span, MAX_DEPTH};

/// What the schema check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// A key that is not allowed where it stands.
    UnknownKey {
        span: Span,
        key: String,
        /// Where it stands ("a job", "`pool`").
        place: String,
        allowed: Vec<String>,
    },
    /// A value of the wrong shape, or outside an allowed list.
    InvalidValue {
        span: Span,
        message: String,
        help: String,
    },
    /// A required key is absent (one of `keys`).
    MissingKey {
        span: Span,
        keys: Vec<String>,
        place: String,
        suggestion: Option<String>,
    },
    /// A deprecated key (`phases`, `queue`, ...), with the schema's message.
    Deprecated {
        span: Span,
        key: String,
        message: String,
    },
}

/// Check a document root. Pipelines and templates of stages, jobs, steps and variables are all
/// accepted at the root.
pub fn validate(root: &Node) -> Vec<Problem> {
    let mut out = Vec::new();
    if root.is_null() {
        return out;
    }
    static ROOTS: std::sync::OnceLock<Vec<&'static Def>> = std::sync::OnceLock::new();
    let alternatives = ROOTS.get_or_init(|| {
        [
            "pipeline",
            "stagesTemplate",
            "jobsTemplate",
            "stepsTemplate",
            "variablesTemplate",
            "extendsTemplate",
        ]
        .iter()
        .filter_map(|n| def(n))
        .flat_map(|d| alternatives(d).iter().copied())
        .collect()
    });
    let mut v = Validator { depth: 0 };
    v.any_of(root, alternatives, Place::Named("the pipeline"), &mut out);
    out
}

/// Check the stages, jobs and steps written inline under `extends: parameters:` as what they are
/// named (`stages:`, `jobs:`, `steps:` lists), for an `extends` template that azplint can't read:
/// such templates insert them into the pipeline, so a misspelt key reaches the server. Returns the
/// span of `parameters:` with what was found; the caller decides how much of it to say.
pub fn validate_extends_content(root: &Node) -> Option<(Span, Vec<Problem>)> {
    let params = root.get("extends")?.get("parameters")?;
    let mut out = Vec::new();
    let mut v = Validator { depth: 0 };
    for e in params.as_map()? {
        let Some(name @ ("stages" | "jobs" | "steps")) = e.key.as_str() else {
            continue;
        };
        if e.value.as_seq().is_none() {
            continue;
        }
        if let Some(d) = def(name) {
            v.check(&e.value, d, Place::Key(name), &mut out);
        }
    }
    Some((params.span.clone(), out))
}

/// [`flatten`] of a definition, worked out once per run.
fn alternatives(d: &'static Def) -> &'static [&'static Def] {
    d.alternatives.get_or_init(|| flatten(d, 0))
}

/// The alternatives of a definition, through `$ref`s and nested `anyOf`s.
fn flatten(d: &'static Def, depth: usize) -> Vec<&'static Def> {
    if depth > 16 {
        return vec![d];
    }
    // A bare `$ref` stands for what it names.
    if let (Some(target), None, None, None) = (d.target(), d.properties(), d.ty(), d.any_of()) {
        return flatten(target, depth + 1);
    }
    match d.any_of() {
        Some(alts) => alts.iter().flat_map(|a| flatten(a, depth + 1)).collect(),
        None => vec![d],
    }
}

/// The name a definition is known by when it is only a `$ref`.
fn ref_name(d: &Def) -> Option<&str> {
    d.reference()
}

/// Items of a sequence with `- ${{ if }}:` / `- ${{ each }}:` blocks lifted in. Items built from
/// expressions are left out.
fn lifted_items(node: &Node) -> Vec<&Node> {
    let mut out = Vec::new();
    if node.as_seq().is_some() {
        for_each_item(node, true, &mut |item| {
            if let Item::Node(n, _) = item {
                out.push(n);
            }
        });
    }
    out
}

fn shape(node: &Node) -> &'static str {
    node.kind_name()
}

/// Friendly names of the places definitions describe.
fn place_of(def_name: &str) -> Option<&'static str> {
    Some(match def_name {
        "pipeline" => "the pipeline",
        "stage" => "a stage",
        "job" => "a job",
        "pool" => "`pool`",
        "variable" => "a variable",
        "schedule" => "a schedule",
        "trigger" => "`trigger`",
        "pr" => "`pr`",
        "resources" => "`resources`",
        "repositoryResource" => "a repository resource",
        "containerResource" => "a container resource",
        "pipelineResource" => "a pipeline resource",
        "jobStrategy" => "`strategy`",
        "deploymentStrategy" => "a deployment `strategy`",
        "jobContainer" => "`container`",
        "deploymentEnvironment" => "`environment`",
        "templateParameter" | "pipelineTemplateParameter" => "a parameter",
        _ => return None,
    })
}

/// Where a value stands, as the messages name it: a friendly name ("a job") or a key (shown as
/// `` `key` ``). Formatted only when a problem is reported.
#[derive(Clone, Copy)]
enum Place<'a> {
    Named(&'a str),
    Key(&'a str),
}

impl std::fmt::Display for Place<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Place::Named(s) => f.write_str(s),
            Place::Key(k) => write!(f, "`{k}`"),
        }
    }
}

/// Whether `s` (trimmed) is one of `allowed`.
fn allows(allowed: Strs, s: &str, ignore_case: bool) -> bool {
    allowed.iter().any(|a| {
        if ignore_case {
            a.eq_ignore_ascii_case(s)
        } else {
            a == s
        }
    })
}

/// Whether `d` is a plain string definition (no `$ref`, no alternatives) that accepts `node` as
/// written: what [`Validator::check`] would find no problem with, worked out without building
/// the messages of the alternatives that don't fit.
fn plain_string_accepts(node: &Node, d: &Def) -> bool {
    if d.reference().is_some() || d.any_of().is_some() || d.ty() != Some("string") {
        return false;
    }
    let Some(s) = node.as_str() else {
        return false;
    };
    if node.is_null() {
        return true;
    }
    let ignore_case = d.ignore_case().is_some();
    if d.allowed()
        .is_some_and(|allowed| !allows(allowed, s.trim(), ignore_case))
    {
        return false;
    }
    match d.pattern() {
        Some(p) => pattern_matches(p, s.trim(), ignore_case) != Some(false),
        None => true,
    }
}

struct Validator {
    depth: usize,
}

impl Validator {
    fn check(&mut self, node: &Node, d: &'static Def, place: Place, out: &mut Vec<Problem>) {
        if self.depth >= MAX_DEPTH {
            return;
        }
        // Never judge what Azure only knows later, nor aliases (reported by yaml-anchor).
        match &node.kind {
            NodeKind::Scalar(s, _) if is_expression(s) => return,
            NodeKind::Alias(_) => return,
            _ => {}
        }
        if let Some(name) = ref_name(d) {
            match name {
                // Task steps and steps have rules of their own; `any` accepts anything.
                "task" | "any" | "mapping" | "templateContext" => return,
                "step" => return self.step(node, out),
                _ => {}
            }
            if let Some(target) = d.target() {
                let place = place_of(name).map_or(place, Place::Named);
                self.depth += 1;
                self.check(node, target, place, out);
                self.depth -= 1;
                // A `$ref` may carry its own `enum` (e.g. `commands: any|restricted`).
                if let (Some(allowed), Some(s)) = (d.allowed(), node.as_str()) {
                    self.check_enum(node, s, allowed, d.ignore_case().is_some(), place, out);
                }
                return;
            }
        }
        if d.any_of().is_some() {
            let alts = alternatives(d);
            self.depth += 1;
            self.any_of(node, alts, place, out);
            self.depth -= 1;
            return;
        }
        match d.ty() {
            Some("string") => self.string(node, d, place, out),
            Some("array") => self.array(node, d, place, out),
            Some("object") => self.object(node, d, place, out),
            _ => {}
        }
    }

    fn check_enum(
        &mut self,
        node: &Node,
        s: &str,
        allowed: Strs,
        ignore_case: bool,
        place: Place,
        out: &mut Vec<Problem>,
    ) {
        let s = s.trim();
        if !allows(allowed, s, ignore_case) {
            let list = allowed
                .iter()
                .map(|a| format!("`{a}`"))
                .collect::<Vec<_>>()
                .join(", ");
            let help = match crate::suggest::closest(s, allowed.iter()) {
                Some(c) => format!("did you mean `{c}`? {place} accepts {list}"),
                None => format!("use one of {list}"),
            };
            out.push(Problem::InvalidValue {
                span: node.span.clone(),
                message: format!("`{s}` is not a valid value in {place}"),
                help,
            });
        }
    }

    fn string(&mut self, node: &Node, d: &Def, place: Place, out: &mut Vec<Problem>) {
        let Some(s) = node.as_str() else {
            out.push(Problem::InvalidValue {
                span: node.span.clone(),
                message: format!("{place} expects a string, not {}", shape(node)),
                help: "write a single value here".to_string(),
            });
            return;
        };
        if node.is_null() {
            return;
        }
        if let Some(allowed) = d.allowed() {
            self.check_enum(node, s, allowed, d.ignore_case().is_some(), place, out);
        }
        if let Some(p) = d.pattern() {
            if pattern_matches(p, s.trim(), d.ignore_case().is_some()) == Some(false) {
                out.push(Problem::InvalidValue {
                    span: node.span.clone(),
                    message: format!("`{}` is not a valid value in {place}", s.trim()),
                    help: if p == "^\\s*[0-9]+\\s*$" {
                        "write a whole number".to_string()
                    } else {
                        format!("the value must match `{p}`")
                    },
                });
            }
        }
    }

    fn array(&mut self, node: &Node, d: &'static Def, place: Place, out: &mut Vec<Problem>) {
        if node.is_null() {
            return;
        }
        if node.as_seq().is_none() {
            out.push(Problem::InvalidValue {
                span: node.span.clone(),
                message: format!("{place} expects a list, not {}", shape(node)),
                help: "write it as a list of `- ` items".to_string(),
            });
            return;
        }
        let Some(items_def) = d.items() else {
            return;
        };
        // Items of a deprecated kind (`- phase: ...`): reported at their first key.
        let deprecated_items = items_def.target().and_then(|t| t.deprecation());
        for item in lifted_items(node) {
            if let (Some(msg), Some(first)) =
                (deprecated_items, item.as_map().and_then(|m| m.first()))
            {
                // Only an item of the legacy kind itself (`- phase:`), not a `- template:`
                // reference or an item whose first key is something else.
                let kinds: Vec<&str> = items_def
                    .target()
                    .map(|t| {
                        alternatives(t)
                            .iter()
                            .flat_map(|a| a.first_property().iter())
                            .collect()
                    })
                    .unwrap_or_default();
                if let Some(key) = first
                    .key
                    .as_str()
                    .filter(|k| kinds.contains(k) && *k != "template")
                {
                    out.push(Problem::Deprecated {
                        span: first.key.span.clone(),
                        key: key.to_string(),
                        message: msg.to_string(),
                    });
                }
            }
            self.depth += 1;
            self.check(item, items_def, place, out);
            self.depth -= 1;
        }
    }

    fn object(&mut self, node: &Node, d: &'static Def, place: Place, out: &mut Vec<Problem>) {
        if node.is_null() {
            return;
        }
        if node.as_map().is_none() {
            out.push(Problem::InvalidValue {
                span: node.span.clone(),
                message: format!("{place} expects a mapping, not {}", shape(node)),
                help: "write `key: value` pairs here".to_string(),
            });
            return;
        }
        let Lifted {
            entries,
            computed,
            open,
        } = lifted_entries(node);
        let props = d.properties();
        // A computed key (`${{ leg }}:` in a matrix) can't be matched by name, but where every name
        // takes the same kind of value (`patternProperties`), its value is still checked.
        if let Some((_, pd)) = d
            .pattern_properties()
            .as_ref()
            .and_then(|pp| pp.iter().next())
        {
            for e in &computed {
                let place = Place::Key(e.key.as_str().unwrap_or_default().trim());
                self.depth += 1;
                self.check(&e.value, pd, place, out);
                self.depth -= 1;
            }
        }
        for e in &entries {
            let Some(key) = e.key.as_str() else { continue };
            if let Some(pd) = props.and_then(|p| p.get(key)) {
                if let Some(msg) = pd
                    .deprecation()
                    .or_else(|| pd.target().and_then(|t| t.deprecation()))
                {
                    out.push(Problem::Deprecated {
                        span: e.key.span.clone(),
                        key: key.to_string(),
                        message: msg.to_string(),
                    });
                }
                self.depth += 1;
                self.check(&e.value, pd, Place::Key(key), out);
                self.depth -= 1;
                continue;
            }
            if let Some(pp) = d.pattern_properties() {
                if let Some((_, pd)) = pp.iter().next() {
                    self.depth += 1;
                    self.check(&e.value, pd, Place::Key(key), out);
                    self.depth -= 1;
                    continue;
                }
            }
            if d.additional() == Some(false) {
                let allowed: Vec<String> = props
                    .map(|p| p.keys().map(str::to_string).collect())
                    .unwrap_or_default();
                out.push(Problem::UnknownKey {
                    span: e.key.span.clone(),
                    key: key.to_string(),
                    place: place.to_string(),
                    allowed,
                });
            }
        }
        if !open {
            for r in d.required().iter() {
                if !entries.iter().any(|e| e.key.as_str() == Some(r)) {
                    out.push(Problem::MissingKey {
                        span: node.span.start..node.span.start,
                        keys: vec![r.to_string()],
                        place: place.to_string(),
                        suggestion: None,
                    });
                }
            }
        }
    }

    /// A step: its identifying key, if any, decides its kind; the rest is for the step rules.
    fn step(&mut self, node: &Node, out: &mut Vec<Problem>) {
        if node.as_map().is_none() {
            if !node.is_null() {
                out.push(Problem::InvalidValue {
                    span: node.span.clone(),
                    message: format!("a step must be a mapping, not {}", shape(node)),
                    help: "start the step with its kind, e.g. `- script: ...` or `- task: Name@1`"
                        .into(),
                });
            }
            return;
        }
        let Lifted { entries, open, .. } = lifted_entries(node);
        let kinds: Vec<&str> = crate::pipeline::step_kinds()
            .iter()
            .map(|k| k.kind.as_str())
            .collect();
        // A step of a deprecated kind (`upload:`): the schema marks its first property.
        static STEP: std::sync::OnceLock<Option<&'static Def>> = std::sync::OnceLock::new();
        if let Some(step_def) = *STEP.get_or_init(|| def("step")) {
            for e in &entries {
                let Some(k) = e.key.as_str() else { continue };
                let msg = alternatives(step_def).iter().find_map(|alt| {
                    (alt.first_property().first() == Some(k))
                        .then(|| alt.properties()?.get(k)?.deprecation().map(str::to_string))
                        .flatten()
                });
                if let Some(message) = msg {
                    out.push(Problem::Deprecated {
                        span: e.key.span.clone(),
                        key: k.to_string(),
                        message,
                    });
                }
            }
        }
        if open
            || entries
                .iter()
                .any(|e| e.key.as_str().is_some_and(|k| kinds.contains(&k)))
        {
            return;
        }
        // `- 'A sentence explaining the problem': error` is a deliberate trap that makes Azure stop
        // with that sentence (dotnet/arcade uses it); no key with spaces is a typo of a step kind.
        if entries.len() == 1
            && entries[0]
                .key
                .as_str()
                .is_some_and(crate::yaml::is_trap_key)
        {
            return;
        }
        let suggestion = entries
            .iter()
            .filter_map(|e| e.key.as_str())
            .find_map(|k| crate::suggest::closest(k, kinds.iter().copied()).map(|s| (k, s)));
        let span = match suggestion {
            Some((k, _)) => entries
                .iter()
                .find(|e| e.key.as_str() == Some(k))
                .map_or(node.span.clone(), |e| e.key.span.clone()),
            None => node.span.start..node.span.start,
        };
        out.push(Problem::MissingKey {
            span,
            keys: kinds.iter().map(|k| k.to_string()).collect(),
            place: "a step".into(),
            suggestion: suggestion.map(|(_, s)| s.to_string()),
        });
    }

    /// The node must match one of `alts`; report against the closest one.
    fn any_of(&mut self, node: &Node, alts: &[&'static Def], place: Place, out: &mut Vec<Problem>) {
        let fits = |d: &&'static Def| match d.ty() {
            Some("string") => node.as_str().is_some(),
            Some("array") => node.as_seq().is_some() || node.is_null(),
            Some("object") => node.as_map().is_some() || node.is_null(),
            _ => true,
        };
        let mut candidates: Vec<&'static Def> = alts.iter().copied().filter(fits).collect();
        if candidates.is_empty() {
            let mut shapes: Vec<&str> = alts
                .iter()
                .filter_map(|d| match d.ty() {
                    Some("string") => Some("a string"),
                    Some("array") => Some("a list"),
                    Some("object") => Some("a mapping"),
                    _ => None,
                })
                .collect();
            shapes.dedup();
            out.push(Problem::InvalidValue {
                span: node.span.clone(),
                message: format!(
                    "{place} expects {}, not {}",
                    shapes.join(" or "),
                    shape(node)
                ),
                help: "check the indentation and the kind of value expected here".into(),
            });
            return;
        }
        if node.as_map().is_some() {
            let Lifted { entries, open, .. } = lifted_entries(node);
            let has = |k: &str| entries.iter().any(|e| e.key.as_str() == Some(k));
            // The first property says what a mapping is (a job, a deployment, ...); without one,
            // the required keys do.
            let discriminated =
                |d: &&'static Def| !d.first_property().is_empty() || !d.required().is_empty();
            let all_discriminated = candidates.iter().all(discriminated);
            let matching: Vec<&'static Def> = candidates
                .iter()
                .copied()
                .filter(|d| {
                    if d.first_property().is_empty() {
                        d.required().iter().all(&has)
                    } else {
                        d.first_property().iter().all(&has)
                    }
                })
                .collect();
            if matching.is_empty() && all_discriminated {
                if open {
                    return;
                }
                let mut keys: Vec<String> = candidates
                    .iter()
                    .flat_map(|d| {
                        if d.first_property().is_empty() {
                            d.required().to_vec()
                        } else {
                            d.first_property().to_vec()
                        }
                    })
                    .collect();
                keys.sort();
                keys.dedup();
                let suggestion = entries.iter().filter_map(|e| e.key.as_str()).find_map(|k| {
                    crate::suggest::closest(k, keys.iter().map(String::as_str)).map(str::to_string)
                });
                out.push(Problem::MissingKey {
                    span: node.span.start..node.span.start,
                    keys,
                    place: place.to_string(),
                    suggestion,
                });
                return;
            }
            if !matching.is_empty() {
                candidates = matching;
            } else {
                candidates.retain(|d| !discriminated(d));
            }
            // Prefer alternatives whose keys cover the mapping.
            let covers = |d: &&'static Def| {
                d.additional() != Some(false)
                    || entries.iter().all(|e| {
                        e.key
                            .as_str()
                            .is_some_and(|k| d.properties().is_some_and(|p| p.contains_key(k)))
                    })
            };
            if candidates.iter().any(covers) {
                candidates.retain(covers);
            }
        }
        // A scalar that a plain string alternative takes as written fits: nothing to report, and
        // no need to word what the other alternatives would have said.
        if node.as_str().is_some() && candidates.iter().any(|d| plain_string_accepts(node, d)) {
            return;
        }
        // The variant the node fits: one with no problem at all, else one with only deprecated
        // keys (a `phases:` pipeline is legacy, not wrong), else the one with the most keys of the
        // node among its properties, then the fewest problems: its keys are what the help lists.
        let keys: Vec<&str> = lifted_entries(node)
            .entries
            .iter()
            .filter_map(|e| e.key.as_str())
            .collect();
        // Any variant with no problem at all ends the search, whichever it is: try the narrowest
        // first (a steps template's `parameters, steps` before the pipeline forms whose
        // `parameters` is a list), so that a file checks its tree once, not once per variant
        // that fails on a single key. The choice among failing variants below keeps the
        // declared order.
        let mut order: Vec<usize> = (0..candidates.len()).collect();
        if order.len() > 1 {
            order.sort_by_key(|&i| {
                candidates[i]
                    .properties()
                    .map_or(usize::MAX, |p| p.keys().count())
            });
        }
        let mut results: Vec<Vec<Problem>> = vec![Vec::new(); candidates.len()];
        for i in order {
            let mut found = Vec::new();
            self.check(node, candidates[i], place, &mut found);
            if found.is_empty() {
                return;
            }
            results[i] = found;
        }
        let mut best: Option<(usize, usize, Vec<Problem>)> = None;
        let mut legacy: Option<Vec<Problem>> = None;
        for (d, found) in candidates.into_iter().zip(results) {
            let real = found
                .iter()
                .filter(|p| !matches!(p, Problem::Deprecated { .. }))
                .count();
            if real == 0 {
                legacy.get_or_insert(found);
                continue;
            }
            let matched = d.properties().map_or(0, |props| {
                keys.iter().filter(|k| props.contains_key(k)).count()
            });
            if best
                .as_ref()
                .is_none_or(|(m, r, _)| matched > *m || (matched == *m && real < *r))
            {
                best = Some((matched, real, found));
            }
        }
        if let Some(found) = legacy {
            out.extend(found);
            return;
        }
        if let Some((_, _, b)) = best {
            // Alternatives that are each a single literal (booleans, `none`, ...): one message.
            if node.as_str().is_some()
                && alts
                    .iter()
                    .all(|d| d.pattern().is_some() || d.ty() != Some("string"))
            {
                let literals: Vec<String> = alts
                    .iter()
                    .filter_map(|d| d.pattern())
                    .filter_map(|p| p.strip_prefix('^').and_then(|p| p.strip_suffix('$')))
                    .filter(|l| l.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
                    .map(|l| format!("`{l}`"))
                    .collect();
                let others = alts.iter().any(|d| d.ty() != Some("string"));
                if !literals.is_empty() && !others && literals.len() == alts.len() {
                    let given = node.as_str().unwrap_or("").trim();
                    let bare: Vec<&str> = literals.iter().map(|l| l.trim_matches('`')).collect();
                    let help = match crate::suggest::closest(given, bare.iter().copied()) {
                        Some(c) => {
                            format!("did you mean `{c}`? use one of {}", literals.join(", "))
                        }
                        None => format!("use one of {}", literals.join(", ")),
                    };
                    out.push(Problem::InvalidValue {
                        span: node.span.clone(),
                        message: format!("`{given}` is not a valid value in {place}"),
                        help,
                    });
                    return;
                }
            }
            out.extend(b);
        }
    }
}
