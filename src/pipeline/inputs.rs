//! Task input values and `visibleRule` evaluation, with the defaults of the inputs a rule reads.

use super::{for_each_entry, TaskStep};
use crate::catalog::{Input, TaskVersion};
use crate::yaml::{is_directive_key, is_expression, Entry};

/// What a step gives for one input.
#[derive(Debug, Clone, Copy)]
pub enum Value<'a> {
    /// Written in the step, as a literal scalar.
    Literal(&'a str),
    /// Written in the step, but built from `${{ }}`, `$( )` or `$[ ]`, or not a scalar.
    Unknown,
    /// Not written: the task's default applies (empty when it has none).
    Default(&'a str),
}

impl<'a> TaskStep<'a> {
    /// True when `inputs:` may hold keys azplint can't see: `inputs: ${{ parameters.x }}`, or an
    /// `${{ insert }}`/`${{ each }}` block whose keys are computed.
    pub fn inputs_are_open(&self) -> bool {
        self.inputs.iter().any(|inputs| open_inputs(inputs))
    }

    /// The value of `input` in this step.
    pub fn value_of(&self, input: &'a Input) -> Value<'a> {
        match self.input_entry(input) {
            Some(e) if e.value.is_null() => Value::Literal(""),
            Some(e) => match e.value.as_str() {
                Some(v) if !is_expression(v) => Value::Literal(v),
                _ => Value::Unknown,
            },
            None => Value::Default(input.default.as_deref().unwrap_or("")),
        }
    }

    /// Every plain input entry of the step (following `${{ if }}` blocks).
    pub fn input_entries(&self) -> Vec<&'a Entry> {
        let mut out = Vec::new();
        for inputs in &self.inputs {
            for_each_entry(inputs, 0, &mut |e| {
                if e.key.as_str().is_some_and(|k| !is_expression(k)) {
                    out.push(e)
                }
            });
        }
        out
    }
}

fn open_inputs(inputs: &crate::yaml::Node) -> bool {
    if inputs.as_map().is_none() {
        return !inputs.is_null();
    }
    let mut open = false;
    super::walk::for_each_key(inputs, &mut |e| {
        if let Some(k) = e.key.as_str() {
            if is_directive_key(k) && e.value.as_map().is_none() {
                open = true; // `${{ insert }}: ${{ parameters.x }}`
            } else if is_expression(k) && !is_directive_key(k) {
                open = true; // a key built from an expression
            }
            if matches!(crate::yaml::directive_of(k), Some("each" | "insert")) {
                open = true;
            }
        }
    });
    open
}

/// Three-valued truth: a rule that reads a value built from an expression is unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Truth {
    True,
    False,
    Unknown,
}

impl Truth {
    fn and(self, o: Truth) -> Truth {
        match (self, o) {
            (Truth::False, _) | (_, Truth::False) => Truth::False,
            (Truth::True, Truth::True) => Truth::True,
            _ => Truth::Unknown,
        }
    }
    fn or(self, o: Truth) -> Truth {
        match (self, o) {
            (Truth::True, _) | (_, Truth::True) => Truth::True,
            (Truth::False, Truth::False) => Truth::False,
            _ => Truth::Unknown,
        }
    }
}

/// Whether `input` is shown (and so used) for this step, by its `visibleRule`.
pub fn is_visible(step: &TaskStep, task: &TaskVersion, input: &Input) -> Truth {
    visible_at(step, task, input, 0)
}

/// Rules can read inputs that are hidden themselves; a hidden input has no value. `depth` bounds
/// chains (and cycles) of rules.
fn visible_at(step: &TaskStep, task: &TaskVersion, input: &Input, depth: usize) -> Truth {
    match &input.visible_rule {
        None => Truth::True,
        Some(_) if depth > 8 => Truth::Unknown,
        Some(rule) => {
            let mut p = RuleParser {
                s: rule.as_ref(),
                step,
                task,
                depth,
            };
            p.or_expr()
        }
    }
}

/// `visibleRule` grammar: `a = b`, `a == b`, `a != b`, `a EndsWith b`, `a NotEndsWith b`,
/// `a Contains b`, joined by `&&` and `||` (`&&` binds tighter), with parentheses.
struct RuleParser<'r, 's, 'a> {
    s: &'r str,
    step: &'s TaskStep<'a>,
    task: &'s TaskVersion,
    depth: usize,
}

impl RuleParser<'_, '_, '_> {
    fn skip_ws(&mut self) {
        self.s = self.s.trim_start();
    }

    fn or_expr(&mut self) -> Truth {
        let mut v = self.and_expr();
        loop {
            self.skip_ws();
            if let Some(rest) = self.s.strip_prefix("||") {
                self.s = rest;
                let r = self.and_expr();
                v = v.or(r);
            } else {
                return v;
            }
        }
    }

    fn and_expr(&mut self) -> Truth {
        let mut v = self.atom();
        loop {
            self.skip_ws();
            if let Some(rest) = self.s.strip_prefix("&&") {
                self.s = rest;
                let r = self.atom();
                v = v.and(r);
            } else {
                return v;
            }
        }
    }

    fn atom(&mut self) -> Truth {
        self.skip_ws();
        if let Some(rest) = self.s.strip_prefix('(') {
            self.s = rest;
            let v = self.or_expr();
            self.skip_ws();
            if let Some(rest) = self.s.strip_prefix(')') {
                self.s = rest;
            }
            return v;
        }
        // The condition runs to the next `&&`, `||` or `)`.
        let end = [
            crate::text::find(self.s, "&&"),
            crate::text::find(self.s, "||"),
            self.s.find(')'),
        ]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or(self.s.len());
        let cond = &self.s[..end];
        self.s = &self.s[end..];
        self.condition(cond.trim())
    }

    fn condition(&self, cond: &str) -> Truth {
        const OPS: &[&str] = &[
            " NotEndsWith ",
            " EndsWith ",
            " NotContains ",
            " Contains ",
            "!=",
            "==",
            "=",
        ];
        let Some((op, at)) = OPS
            .iter()
            .find_map(|op| crate::text::find(cond, op).map(|i| (*op, i)))
        else {
            return Truth::Unknown;
        };
        let name = cond[..at].trim();
        let want = cond[at + op.len()..].trim();
        let Some(input) = self.task.input(name) else {
            return Truth::Unknown;
        };
        let have = match visible_at(self.step, self.task, input, self.depth + 1) {
            Truth::False => "",
            Truth::Unknown => return Truth::Unknown,
            Truth::True => match self.step.value_of(input) {
                Value::Literal(v) | Value::Default(v) => v.trim(),
                Value::Unknown => return Truth::Unknown,
            },
        };
        let (h, w) = (have.to_ascii_lowercase(), want.to_ascii_lowercase());
        let b = match op.trim() {
            "=" | "==" => h == w,
            "!=" => h != w,
            "EndsWith" => h.ends_with(&w),
            "NotEndsWith" => !h.ends_with(&w),
            "Contains" => h.contains(&w),
            "NotContains" => !h.contains(&w),
            _ => return Truth::Unknown,
        };
        if b {
            Truth::True
        } else {
            Truth::False
        }
    }
}
