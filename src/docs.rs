//! Every rule's documentation page (`docs/rules/<id>.md`), embedded for `azplint explain`.

include!(concat!(env!("OUT_DIR"), "/docs.rs"));

/// The page of a rule.
pub fn page(id: &str) -> Option<&'static str> {
    PAGES
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(id))
        .map(|(_, p)| *p)
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_rule_has_an_embedded_page() {
        for r in crate::rules::RULES {
            assert!(super::page(r.id).is_some(), "no embedded page for {}", r.id);
        }
    }
}
