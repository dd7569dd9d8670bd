//! Azure Pipelines expressions: the text inside `${{ }}` (and, later, `$[ ]` and `condition:`).
//!
//! The grammar follows what the Azure Pipelines server accepts (its expression lexer and parser, and
//! the template reader that finds `${{ }}` in scalars and splits directives), not a general
//! expression language:
//! - literals: `true`/`false` (any case), decimal numbers (`-1.5`, `.5`; no hex, no exponent),
//!   versions (`1.2.3`, `1.2.3.4`), `'single-quoted'` strings with `''` for a quote;
//! - named values with property access and indexing: `parameters.x`, `variables['a.b']`,
//!   `dependencies.A.outputs['x.y']`, `parameters.list[0]`, filtered arrays `parameters.jobs.*.name`
//!   and `x[*]`;
//! - function calls `f(a, b)`; a `(` only ever follows a function name: there are no operators
//!   (`==`, `&&`, `!`) and no grouping parentheses;
//! - function names are case-insensitive (`eq`, `Eq`, `EQ`); the directive words `if`, `elseif`,
//!   `else`, `each`, `in` and `insert` are case-sensitive.
//!
//! Names may contain `-` after their first character (the server has an option for it; azplint
//! accepts it rather than guess). Unknown functions and wrong argument counts are not parse
//! errors here: [`calls`] and [`function`] let a rule check them.
//!
//! Parsing never panics, allocates only the tree, and is bounded: nesting stops at [`MAX_DEPTH`].
//!
//! One job per file: `lexer` (tokens), `parser` ([`parse`], the limits), `ast` (the tree and
//! [`calls`]), `functions` (the known functions), `directive` ([`directive`]: `if`, `each`, ...),
//! `find` ([`find_template_expressions`] in a scalar) and `error` (the shared [`ExprError`]).

mod ast;
mod directive;
mod error;
mod find;
mod functions;
mod lexer;
mod parser;

pub use ast::{calls, functions_used, Call, Calls, Expr, ExprKind};
pub use directive::{directive, directive_word, offset_in, Directive, DirectiveKind};
pub use error::{ErrorKind, ExprError};
pub use find::{find_template_expressions, TemplateExpr};
pub use functions::{function, Function, FUNCTIONS};
pub use parser::{parse, MAX_DEPTH, MAX_LENGTH};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fuzzed_input_never_panics_and_errors_stay_in_bounds() {
        const PIECES: [&str; 24] = [
            "(",
            ")",
            "[",
            "]",
            ",",
            ".",
            "*",
            "'",
            "''",
            " ",
            "eq",
            "a",
            "-",
            "1",
            ".5",
            "é",
            "${{",
            "}}",
            "}",
            "==",
            "if ",
            "else",
            "each x in ",
            "\u{3000}",
        ];
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..20_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let len = (seed % 12) as usize;
            let s: String = (0..len)
                .map(|i| PIECES[((seed >> (i * 5)) % PIECES.len() as u64) as usize])
                .collect();
            for e in [parse(&s).err(), directive(&s).err()].into_iter().flatten() {
                let r = e.range();
                assert!(r.end <= s.len(), "{s:?}: {e:?}");
                assert!(
                    s.is_char_boundary(r.start) && s.is_char_boundary(r.end),
                    "{s:?}: {e:?}"
                );
            }
            for f in find_template_expressions(&s) {
                assert!(
                    f.range.end <= s.len() && s.get(f.inner()).is_some(),
                    "{s:?}"
                );
            }
        }
    }
}
