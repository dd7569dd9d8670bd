//! Finding `${{ }}` template expressions in a scalar, the way Azure does.

use std::ops::Range;

/// One `${{ ... }}` found in a scalar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateExpr {
    /// From `${{` to just past `}}`; to the end of the text when not closed.
    pub range: Range<usize>,
    /// False when no `}}` ends it (outside quotes): Azure rejects the value.
    pub closed: bool,
}

impl TemplateExpr {
    /// The text between `${{` and `}}`.
    pub fn inner(&self) -> Range<usize> {
        let end = if self.closed {
            self.range.end - 2
        } else {
            self.range.end
        };
        self.range.start + 3..end
    }
}

/// Every `${{ ... }}` of a scalar value, the way Azure finds them: an expression ends at the first
/// `}}` outside a single-quoted string. An unclosed `${{` is returned last with `closed: false`
/// (Azure stops reading the value there).
pub fn find_template_expressions(text: &str) -> Vec<TemplateExpr> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(i) = crate::text::find(&text[from..], "${{") {
        let start = from + i;
        let mut j = start + 3;
        let mut in_string = false;
        let mut end = None;
        while j < bytes.len() {
            match bytes[j] {
                b'\'' => in_string = !in_string,
                b'}' if !in_string && bytes[j - 1] == b'}' => {
                    end = Some(j + 1);
                    break;
                }
                _ => {}
            }
            j += 1;
        }
        match end {
            Some(end) => {
                out.push(TemplateExpr {
                    range: start..end,
                    closed: true,
                });
                from = end;
            }
            None => {
                out.push(TemplateExpr {
                    range: start..text.len(),
                    closed: false,
                });
                break;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_expressions_in_scalars() {
        let s = "echo ${{ parameters.x }}-${{ format('{0}}}', 'a') }} done";
        let found = find_template_expressions(s);
        let texts: Vec<&str> = found.iter().map(|f| &s[f.range.clone()]).collect();
        assert_eq!(
            texts,
            ["${{ parameters.x }}", "${{ format('{0}}}', 'a') }}"]
        );
        assert!(found.iter().all(|f| f.closed));
        assert_eq!(&s[found[0].inner()], " parameters.x ");
        assert_eq!(
            find_template_expressions("${{ eq(a, '}}') }}")[0].range,
            0..18
        );
        assert_eq!(
            find_template_expressions("${{ 'It''s }}' }}")[0].range,
            0..17
        );
        assert_eq!(find_template_expressions("${{}}")[0].range, 0..5);
        assert!(find_template_expressions("$(a) $[ b ] {{ c }}").is_empty());
    }

    #[test]
    fn unterminated_expressions() {
        let found = find_template_expressions("a ${{ parameters.x } b");
        assert_eq!(
            found,
            [TemplateExpr {
                range: 2..22,
                closed: false
            }]
        );
        // A missing `}}` makes the expression run on to the next one's.
        let found = find_template_expressions("${{ a } ${{ b }}");
        assert_eq!((found.len(), found[0].closed), (1, true));
        let found = find_template_expressions("${{ a }} ${{ eq(b, 'c) }}");
        assert_eq!(found.len(), 2);
        assert!(found[0].closed && !found[1].closed);
        assert_eq!(found[1].inner(), 12..25);
    }
}
