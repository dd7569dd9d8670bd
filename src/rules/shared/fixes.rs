//! Fixes that several rules make: the edits, written once.

use crate::diagnostic::{Edit, Fix};

/// The fix that marks a `##vso[task.setvariable ...]` command secret: `;issecret=true` before the
/// `]` at byte `close` of `file` (the whole file's text; `props` is the text between `[` and `]`).
/// Safe, unless the file reads the variable from the environment somewhere (`$NAME`,
/// `$env:NAME`, `%NAME%`): secret variables are not put in the environment of later steps, so
/// those reads would come back empty.
pub fn mark_secret(file: &str, close: usize, props: &str) -> Fix {
    let sep = if props.trim_end().ends_with(';') {
        ""
    } else {
        ";"
    };
    let edit = Edit::insert(close, format!("{sep}issecret=true"));
    match variable_name(props) {
        Some(name) if reads_from_environment(file, &name) => Fix::unsafe_(
            format!(
                "add `issecret=true` (then read `{name}` as `$({name})` or map it in `env:`: secret variables are not in later steps' environment)"
            ),
            vec![edit],
        ),
        _ => Fix::safe("add `issecret=true`", vec![edit]),
    }
}

/// `variable=NAME` of a `task.setvariable` command's properties.
fn variable_name(props: &str) -> Option<String> {
    props.split(';').find_map(|p| {
        let (k, v) = p.trim().split_once('=')?;
        let k = k.trim();
        let k = k.rsplit(' ').next().unwrap_or(k);
        k.eq_ignore_ascii_case("variable")
            .then(|| v.trim().to_string())
            .filter(|v| !v.is_empty())
    })
}

/// The name a variable has in a step's environment: upper case, `.` and spaces as `_`.
pub fn env_name(variable: &str) -> String {
    variable
        .chars()
        .map(|c| match c {
            '.' | ' ' => '_',
            c => c.to_ascii_uppercase(),
        })
        .collect()
}

/// Whether `text` reads environment variable `NAME` of `variable` in a shell's form.
fn reads_from_environment(text: &str, variable: &str) -> bool {
    let env = env_name(variable);
    let lower = text.to_ascii_lowercase();
    let env_lower = env.to_ascii_lowercase();
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let whole_at = |hay: &str, needle: &str, prefix: &str| {
        let pat = format!("{prefix}{needle}");
        hay.match_indices(&pat).any(|(i, _)| {
            !hay[i + pat.len()..].chars().next().is_some_and(ident)
        })
    };
    whole_at(text, &env, "$")
        || whole_at(text, &env, "${")
        || whole_at(&lower, &env_lower, "$env:")
        || text.contains(&format!("%{env}%"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Applicability;

    #[test]
    fn marks_secret_safely_unless_read_from_the_environment() {
        let text = "echo \"##vso[task.setvariable variable=tok]$t\"\n";
        let close = text.find(']').unwrap();
        let f = mark_secret(text, close, "task.setvariable variable=tok");
        assert_eq!(f.applicability, Applicability::Safe);
        let p = crate::fix::apply(text, &[&f]);
        assert_eq!(
            p.text,
            "echo \"##vso[task.setvariable variable=tok;issecret=true]$t\"\n"
        );
        let later = format!("{text}- script: curl -H \"$TOK\"\n");
        let f = mark_secret(&later, close, "task.setvariable variable=tok");
        assert_eq!(f.applicability, Applicability::Unsafe);
        let later = format!("{text}- script: curl -H \"$TOKEN\"\n");
        let f = mark_secret(&later, close, "task.setvariable variable=tok;");
        assert_eq!(f.applicability, Applicability::Safe);
        assert_eq!(f.edits[0].text, "issecret=true");
    }

    #[test]
    fn environment_names() {
        assert_eq!(env_name("Build.SourceBranchName"), "BUILD_SOURCEBRANCHNAME");
        assert!(reads_from_environment("x $env:my_tok y", "My.Tok"));
        assert!(reads_from_environment("%MY_TOK%", "my.tok"));
    }
}

/// The fix that moves a task step to `name@major` (a newer major, or the replacement a fact
/// names): unsafe when every input the step sets exists in the target (by name or alias) and the
/// target requires nothing the step doesn't set; otherwise display-only, saying what doesn't
/// carry over.
pub fn retarget_task(
    text: &str,
    step: &crate::pipeline::TaskStep,
    target: &crate::catalog::TaskVersion,
) -> Option<Fix> {
    use crate::pipeline::walk::for_each_entry;
    use crate::yaml::{is_computed_key, is_directive_key};
    let reference = step.reference().trim();
    if reference.is_empty() {
        return None;
    }
    let span = step.task.value.span.clone();
    let raw = text.get(span.clone())?;
    let at = raw.find(reference)?;
    let new = format!("{}@{}", target.name, target.major);
    let edit = Edit::replace(span.start + at..span.start + at + reference.len(), &new);
    let mut set: Vec<&str> = Vec::new();
    let mut unknown: Vec<String> = Vec::new();
    for inputs in &step.inputs {
        for_each_entry(inputs, 0, &mut |e| {
            let Some(k) = e.key.as_str() else { return };
            if is_directive_key(k) || is_computed_key(k) {
                return;
            }
            set.push(k);
            if target.input(k).is_none() {
                unknown.push(format!("`{k}`"));
            }
        });
    }
    use crate::pipeline::inputs::{is_visible, Truth, Value};
    if step.inputs_are_open() {
        // The inputs come from an expression: what carries over can't be checked.
        return Some(Fix::display_only(format!(
            "move to `{new}` by hand, checking the inputs the expression gives"
        )));
    }
    // Required inputs of the target, shown for what the step sets, that the step doesn't give
    // and that have no default (as `missing-required-input` judges them).
    let missing: Vec<String> = target
        .inputs
        .iter()
        .filter(|i| i.required && i.default.as_deref().is_none_or(|d| d.trim().is_empty()))
        .filter(|i| matches!(step.value_of(i), Value::Default(_)))
        .filter(|i| is_visible(step, target, i) != Truth::False)
        .map(|i| format!("`{}`", i.aliases.first().unwrap_or(&i.name)))
        .collect();
    if unknown.is_empty() && missing.is_empty() {
        return Some(Fix::unsafe_(format!("use `{new}`"), vec![edit]));
    }
    let mut why = Vec::new();
    if !unknown.is_empty() {
        why.push(format!("{} {} not in it", unknown.join(", "), if unknown.len() == 1 { "is" } else { "are" }));
    }
    if !missing.is_empty() {
        why.push(format!("it requires {}", missing.join(", ")));
    }
    Some(Fix::display_only(format!(
        "move to `{new}` by hand: {}",
        why.join("; ")
    )))
}

/// The edit that writes `new` in place of a task step's `task:` reference (inside any quotes).
pub fn task_reference(text: &str, step: &crate::pipeline::TaskStep, new: &str) -> Option<Edit> {
    let reference = step.reference().trim();
    if reference.is_empty() {
        return None;
    }
    let span = step.task.value.span.clone();
    let at = text.get(span.clone())?.find(reference)?;
    Some(Edit::replace(
        span.start + at..span.start + at + reference.len(),
        new,
    ))
}

/// The edit that renames a plain (unquoted) mapping key to `new`.
pub fn rename_key(text: &str, key: &crate::yaml::Node, new: &str) -> Option<Edit> {
    let old = key.as_str()?;
    (text.get(key.span.clone())? == old).then(|| Edit::replace(key.span.clone(), new))
}

/// The column (in bytes) of byte `at` on its line, when only blanks precede it there.
fn block_column(text: &str, at: usize) -> Option<usize> {
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    text[start..at].bytes().all(|b| b == b' ').then_some(at - start)
}

/// The line of byte `at`, with its line break: its range.
fn line_of(text: &str, at: usize) -> std::ops::Range<usize> {
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let end = text[at..].find('\n').map_or(text.len(), |i| at + i + 1);
    start..end
}

/// The fix that moves `entry` (a one-line entry of the step's `inputs:`, such as `condition:`)
/// out of `inputs:`, next to `task:`. `None` when the layout isn't plain block style or the
/// step already has that key.
pub fn move_out_of_inputs(
    text: &str,
    step: &crate::pipeline::TaskStep,
    entry: &crate::yaml::Entry,
) -> Option<Fix> {
    let key = entry.key.as_str()?;
    if step.step.entry_ignore_case(key).is_some() {
        return None;
    }
    let inputs = step.step.entry("inputs")?;
    // A direct entry of `inputs:` (not inside a `${{ if }}`), on one line of its own.
    let direct = inputs
        .value
        .as_map()?
        .iter()
        .any(|e| std::ptr::eq(e, entry));
    let end = entry.value.span.end.max(entry.key.span.end);
    if !direct || text.get(entry.key.span.start..end)?.contains('\n') {
        return None;
    }
    let step_col = block_column(text, step.task.key.span.start)
        .or_else(|| {
            // `- task: X`: the step's keys stand where `task` does.
            let line = line_of(text, step.task.key.span.start);
            let before = &text[line.start..step.task.key.span.start];
            before
                .trim_end()
                .strip_suffix('-')
                .filter(|b| b.bytes().all(|c| c == b' '))
                .map(|_| step.task.key.span.start - line.start)
        })?;
    let inputs_col = block_column(text, inputs.key.span.start)?;
    if inputs_col != step_col || block_column(text, entry.key.span.start).is_none() {
        return None;
    }
    let line = line_of(text, entry.key.span.start);
    // The rest of the entry's line (a comment) goes with it.
    let moved = text[entry.key.span.start..line.end].trim_end_matches(['\n', '\r']);
    let newline = if text[line.clone()].ends_with("\r\n") {
        "\r\n"
    } else {
        "\n"
    };
    let insert_at = line_of(text, inputs.key.span.start).start;
    Some(Fix::unsafe_(
        format!("move `{key}` out of `inputs:`, next to `task:`"),
        vec![
            Edit::insert(insert_at, format!("{}{moved}{newline}", " ".repeat(step_col))),
            Edit::delete(line),
        ],
    ))
}

/// The edit that replaces a scalar's value with `new`: the whole scalar when it is written
/// plain, the text inside the quotes when it is quoted and holds no escapes.
pub fn replace_scalar(text: &str, node: &crate::yaml::Node, new: &str) -> Option<Edit> {
    let value = node.as_str()?;
    let span = node.span.clone();
    let raw = text.get(span.clone())?;
    if raw == value {
        return Some(Edit::replace(span, new));
    }
    let quoted = raw.len() >= 2
        && ((raw.starts_with('\'') && raw.ends_with('\''))
            || (raw.starts_with('"') && raw.ends_with('"')));
    (quoted && &raw[1..raw.len() - 1] == value && !new.contains(['\'', '"', '\\']))
        .then(|| Edit::replace(span.start + 1..span.end - 1, new))
}
