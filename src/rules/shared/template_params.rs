//! Shared by the template parameter rules: a reference resolved to a template file, with what it
//! declares and what the caller passes.

use crate::pipeline::params::{declared, Declared};
use crate::pipeline::{for_each_entry_in, TemplateRef};
use crate::rules::Context;
use crate::templates::Target;
use crate::yaml::{is_directive_key, is_expression, Entry};

pub(in crate::rules) struct Call<'c, 'a> {
    pub reference: &'c TemplateRef<'a>,
    pub declared: Declared<'c>,
    /// The template path as the caller wrote it.
    pub template: &'a str,
    pub template_source: &'c crate::source::Source,
    /// Literal parameter entries the caller passes (through `${{ if }}` blocks).
    pub passed: Vec<&'a Entry>,
    /// The caller passes parameters azplint can't see (`parameters: ${{ parameters }}`,
    /// `${{ insert }}`, `${{ each }}`).
    pub open: bool,
}

/// Every reference of the file that resolves to a template of the run.
pub(in crate::rules) fn calls<'c, 'a>(ctx: &'c Context<'a>) -> Vec<Call<'c, 'a>> {
    let mut out = Vec::new();
    for r in &ctx.model.template_refs {
        let Some(Target::File(i)) = ctx.templates.target(r.entry.value.span.start) else {
            continue;
        };
        let Some((template_source, doc)) = ctx.templates.template(*i) else {
            continue;
        };
        let mut passed = Vec::new();
        let mut open = false;
        match r.parameters {
            None => {}
            Some(p) if p.is_null() => {}
            Some(p) if p.as_map().is_none() => open = true,
            Some(p) => {
                if let Some(entries) = p.as_map() {
                    for e in entries {
                        if let Some(k) = e.key.as_str() {
                            // Only `${{ if }}`/`${{ elseif }}`/`${{ else }}` blocks hold keys
                            // azplint can read; `insert`, `each` and `${{ x }}: v` keys don't,
                            // nor does a key built from an expression (`a_${{ x }}`).
                            if (is_directive_key(k) && !crate::yaml::is_branch_key(k))
                                || (!is_directive_key(k) && is_expression(k))
                            {
                                open = true;
                            }
                        }
                    }
                }
                for_each_entry_in(p, 0, false, &mut |e, conditional| {
                    let Some(k) = e.key.as_str() else { return };
                    // A key under a conditional that can't be a parameter name is a trap that
                    // stops the run with its text when the input is bad: not a parameter.
                    if !(is_expression(k) || (conditional && crate::yaml::is_trap_key(k))) {
                        passed.push(e);
                    }
                });
            }
        }
        out.push(Call {
            reference: r,
            declared: declared(doc.root.as_ref()),
            template: r.path().trim(),
            template_source,
            passed,
            open,
        });
    }
    out
}
