//! Service connections: what a connection input's value names, as the rules about connections
//! (and the connections inventory) read it.

use crate::pipeline::variables::{resolve_name, ValueName};
use crate::rules::Context;

/// What a connection input's value names, resolved through variables and parameter defaults of
/// this file and its variable templates.
pub fn connection_of(ctx: &Context, value: &str) -> ValueName {
    let Some(root) = ctx.doc.root.as_ref() else {
        return ValueName::Literal(value.trim().to_string());
    };
    let template_root = |start: usize| match ctx.templates.target(start) {
        Some(crate::templates::Target::File(i)) => ctx
            .templates
            .template(*i)
            .and_then(|(_, d)| d.root.as_ref()),
        _ => None,
    };
    let callers = |param: &str| ctx.templates.caller_arguments(param);
    resolve_name(value, root, &template_root, &callers)
}
