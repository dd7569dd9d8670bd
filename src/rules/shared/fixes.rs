//! Fixes that several rules make: the edits, written once.

use crate::diagnostic::{Edit, Fix};

/// The fix that marks a `##vso[task.setvariable ...]` command secret: `;issecret=true` before the
/// `]` at byte `close` of `file` (the whole file's text; `props` is the text between `[` and `]`).
/// Safe, unless the file reads the variable from the environment after it (`$NAME`,
/// `$env:NAME`, `%NAME%`): secret variables are not put in the environment of later steps, so
/// those reads would come back empty. Only the next 64 KiB are searched (bounded work per
/// finding); when the file goes on past them the fix is unsafe.
pub fn mark_secret(file: &str, close: usize, props: &str) -> Fix {
    const WINDOW: usize = 64 * 1024;
    let end = crate::source::floor_char_boundary(file, close.saturating_add(WINDOW));
    let after = file.get(close..end).unwrap_or("");
    let unsearched = end < file.len();
    let sep = if props.trim_end().ends_with(';') {
        ""
    } else {
        ";"
    };
    let edit = Edit::insert(close, format!("{sep}issecret=true"));
    match variable_name(props) {
        Some(name) if unsearched || reads_from_environment(after, &name) => Fix::unsafe_(
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

/// Whether `text` reads environment variable `NAME` of `variable` in a shell's form.
fn reads_from_environment(text: &str, variable: &str) -> bool {
    let env = super::taint::env_name(variable);
    let lower = text.to_ascii_lowercase();
    let env_lower = env.to_ascii_lowercase();
    let ident = |c: char| c.is_ascii_alphanumeric() || c == '_';
    let whole_at = |hay: &str, needle: &str, prefix: &str| {
        let pat = format!("{prefix}{needle}");
        hay.match_indices(&pat)
            .any(|(i, _)| !hay[i + pat.len()..].chars().next().is_some_and(ident))
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
        why.push(format!(
            "{} {} not in it",
            unknown.join(", "),
            if unknown.len() == 1 { "is" } else { "are" }
        ));
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
    text[start..at]
        .bytes()
        .all(|b| b == b' ')
        .then_some(at - start)
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
    let step_col = block_column(text, step.task.key.span.start).or_else(|| {
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
            Edit::insert(
                insert_at,
                format!("{}{moved}{newline}", " ".repeat(step_col)),
            ),
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

/// How a step gets `NAME: value` in its `env:`: nothing to do (it maps `NAME` already), or one
/// edit (a line in its block `env:`, or a new `env:` after the step's last entry). `None` when
/// the step isn't written in plain block style, or `env:` isn't a block mapping.
pub fn env_entry(
    text: &str,
    step: &crate::yaml::Node,
    name: &str,
    value: &str,
) -> Option<Option<Edit>> {
    let entries = step.as_map()?;
    let first = entries.first()?;
    let col = key_column(text, first.key.span.start)?;
    if entries
        .iter()
        .any(|e| key_column(text, e.key.span.start) != Some(col))
    {
        return None;
    }
    // The line break of the step's own first line (never a scan of the whole file per finding).
    let newline = if text[line_of(text, first.key.span.start)].ends_with("\r\n") {
        "\r\n"
    } else {
        "\n"
    };
    if let Some(env) = step.entry("env") {
        let map = env.value.as_map()?;
        if map
            .iter()
            .any(|e| e.key.as_str().is_some_and(|k| k.eq_ignore_ascii_case(name)))
        {
            return Some(None);
        }
        let first = map.first()?;
        let inner = block_column(text, first.key.span.start)?;
        let at = line_of(text, first.key.span.start).start;
        return Some(Some(Edit::insert(
            at,
            format!("{}{name}: {value}{newline}", " ".repeat(inner)),
        )));
    }
    // A new `env:` after the step's last entry: at the start of the line after its value.
    let last = entries.last()?;
    if let crate::yaml::NodeKind::Scalar(_, style) = &last.value.kind {
        if matches!(
            style,
            crate::yaml::ScalarStyle::Literal | crate::yaml::ScalarStyle::Folded
        ) && text
            .get(last.value.span.start..)
            .and_then(|t| t.lines().next())
            .is_some_and(|l| l.contains('+'))
        {
            return None; // `|+` keeps trailing lines: an insertion would change the script
        }
    }
    let end = last.value.span.end.max(last.key.span.end);
    // A block scalar's span takes the blank lines after it: insert after its last text.
    let end = match text[..end].trim_end().len() {
        t if t > last.key.span.end => t,
        _ => end,
    };
    let at = if end > 0 && text.as_bytes().get(end - 1) == Some(&b'\n') {
        end
    } else {
        match text[end..].find('\n') {
            Some(i) => end + i + 1,
            None => return None,
        }
    };
    // Only blank text (or nothing) may stand between the value's end and the insertion point.
    if !text[end.min(at)..at].trim().is_empty() {
        return None;
    }
    Some(Some(Edit::insert(
        at,
        format!(
            "{pad}env:{newline}{pad}  {name}: {value}{newline}",
            pad = " ".repeat(col)
        ),
    )))
}

/// The column of a block mapping key at `at`: after blanks, or after `- ` (a sequence item).
fn key_column(text: &str, at: usize) -> Option<usize> {
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let before = &text[start..at];
    let ok = before.bytes().all(|b| b == b' ')
        || before
            .trim_end()
            .strip_suffix('-')
            .is_some_and(|b| b.bytes().all(|c| c == b' '));
    ok.then_some(at - start)
}

/// Whether a script has a quoted heredoc (`<<'EOF'`, `<<-"EOF"`) or a single-quoted PowerShell
/// here-string (`@'`): text the shell takes as is, where the value of a macro lands but a
/// variable would not expand. One pass over the script.
pub fn takes_text_verbatim(script: &str) -> bool {
    if script.contains("@'") {
        return true;
    }
    script.match_indices("<<").any(|(i, _)| {
        let rest = script[i + 2..].trim_start_matches(['-', ' ', '\t']);
        rest.starts_with('\'') || rest.starts_with('"')
    })
}

/// Whether byte `at` of a script's text is inside single quotes on its line (where neither bash
/// nor PowerShell expands a variable).
pub fn in_single_quotes(text: &str, at: usize) -> bool {
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let mut single = false;
    let mut double = false;
    for c in text[start..at].chars() {
        match c {
            '\'' if !double => single = !single,
            '"' if !single => double = !double,
            _ => {}
        }
    }
    single
}

/// How `shell` reads environment variable `var` in place of a macro, or `None` for shells
/// where that isn't a safe mechanical change (cmd expands `%VAR%` before parsing; `script:`
/// may be cmd; other interpreters).
pub fn env_read(shell: &str, var: &str) -> Option<String> {
    match shell {
        "bash" => Some(format!("${{{var}}}")),
        "pwsh" => Some(format!("${{env:{var}}}")),
        _ => None,
    }
}

#[cfg(test)]
mod env_tests {
    use super::*;

    pub(super) fn step_of(text: &str, index: usize) -> crate::yaml::Node {
        let docs = crate::yaml::parse(text).unwrap();
        let root = docs[0].root.clone().unwrap();
        root.get("steps").unwrap().as_seq().unwrap()[index].clone()
    }

    #[test]
    fn adds_env_after_a_block_script_and_into_an_existing_env() {
        let text = "steps:\n- bash: |\n    curl -H \"$(System.AccessToken)\"\n\n- pwsh: Write-Host hi\n  env:\n    A: b\n";
        let e = env_entry(
            text,
            &step_of(text, 0),
            "SYSTEM_ACCESSTOKEN",
            "$(System.AccessToken)",
        )
        .unwrap()
        .unwrap();
        let p = crate::fix::apply(text, &[&Fix::safe("x", vec![e])]);
        assert!(
            p.text.starts_with("steps:\n- bash: |\n    curl -H \"$(System.AccessToken)\"\n  env:\n    SYSTEM_ACCESSTOKEN: $(System.AccessToken)\n\n- pwsh"),
            "{}",
            p.text
        );
        let e = env_entry(text, &step_of(text, 1), "T", "$(t)")
            .unwrap()
            .unwrap();
        let p = crate::fix::apply(text, &[&Fix::safe("x", vec![e])]);
        assert!(
            p.text.ends_with("  env:\n    T: $(t)\n    A: b\n"),
            "{}",
            p.text
        );
        assert!(env_entry(text, &step_of(text, 1), "a", "x")
            .unwrap()
            .is_none());
    }

    #[test]
    fn quotes() {
        assert!(in_single_quotes("echo '$(x)'", 6));
        assert!(!in_single_quotes("echo \"it's $(x)\"", 12));
        assert_eq!(env_read("bash", "A_B").as_deref(), Some("${A_B}"));
        assert_eq!(env_read("pwsh", "A_B").as_deref(), Some("${env:A_B}"));
        assert_eq!(env_read("cmd-or-bash", "A_B"), None);
    }
}

/// The fix that reads a value from the environment instead of pasting it into a script:
/// `macro_range` (bytes of the file) becomes the shell's environment read of `var`, and, when
/// `mapping` is given, the step's `env:` maps `var` to it. Unsafe (the script now reads the
/// variable at run time); `None` when the shell or the layout doesn't allow a mechanical change.
///
/// `verbatim`: the script takes some text as is ([`takes_text_verbatim`], computed once per
/// script by the caller), where a variable would not expand.
pub fn read_from_environment(
    text: &str,
    step: &crate::yaml::Node,
    shell: &str,
    macro_range: std::ops::Range<usize>,
    var: &str,
    mapping: Option<&str>,
    verbatim: bool,
) -> Option<Fix> {
    let line_start = text[..macro_range.start].rfind('\n').map_or(0, |i| i + 1);
    // Bounded work per finding: a macro deep in an enormous line gets no fix.
    if verbatim || macro_range.start - line_start > 4096 {
        return None;
    }
    if in_single_quotes(&text[line_start..], macro_range.start - line_start) {
        return None;
    }
    let read = env_read(shell, var)?;
    let mut edits = vec![Edit::replace(macro_range, &read)];
    if let Some(value) = mapping {
        if let Some(add) = env_entry(text, step, var, value)? {
            edits.push(add);
        }
    }
    Some(Fix::unsafe_(
        match mapping {
            Some(v) => format!("map `{var}: {v}` in `env:` and read `{read}`"),
            None => format!("read `{read}` from the environment"),
        },
        edits,
    ))
}

#[cfg(test)]
mod heredoc_tests {
    use super::*;

    #[test]
    fn quoted_heredocs_keep_their_macros() {
        let text =
            "steps:\n- bash: |\n    cat <<'EOF' > f\n    $(Build.SourceBranchName)\n    EOF\n";
        assert!(takes_text_verbatim(text));
        assert!(takes_text_verbatim("cat <<- \"END\"\n$(x)\nEND\n"));
        assert!(takes_text_verbatim("$t = @'\n$(x)\n'@\n"));
        let plain = text.replace("<<'EOF'", "<<EOF");
        assert!(!takes_text_verbatim(&plain));
        let step = super::env_tests::step_of(&plain, 0);
        let at = plain.find("$(").unwrap();
        let r = at..at + "$(Build.SourceBranchName)".len();
        assert!(
            read_from_environment(&plain, &step, "bash", r.clone(), "B", None, false).is_some()
        );
        assert!(read_from_environment(&plain, &step, "bash", r, "B", None, true).is_none());
    }
}
