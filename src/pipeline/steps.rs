//! Step kinds, generated from Microsoft's YAML schema (`data/steps.json`): the identifying key of
//! each kind of step and the keys it accepts.

use serde::Deserialize;
use std::sync::OnceLock;

#[derive(Debug, Deserialize)]
pub struct StepKind {
    /// The identifying key: `task`, `script`, `bash`, `checkout`, `template`, ...
    pub kind: String,
    /// Every key a step of this kind accepts.
    pub keys: Vec<String>,
}

#[derive(Deserialize)]
struct File {
    steps: Vec<StepKind>,
}

static STEPS: OnceLock<Vec<StepKind>> = OnceLock::new();

/// Every step kind.
pub fn step_kinds() -> &'static [StepKind] {
    STEPS.get_or_init(|| {
        serde_json::from_str::<File>(include_str!("../../data/steps.json"))
            .map(|f| f.steps)
            .unwrap_or_else(|e| panic!("data/steps.json is invalid ({e}); regenerate it with `cargo run -p xtask -- gen-catalog`"))
    })
}

/// The step kind whose identifying key is `key`.
pub fn step_kind(key: &str) -> Option<&'static StepKind> {
    step_kinds().iter().find(|k| k.kind == key)
}

#[cfg(test)]
mod tests {
    #[test]
    fn step_kinds_load() {
        let task = super::step_kind("task").unwrap();
        assert!(task.keys.iter().any(|k| k == "target"));
        assert!(super::step_kind("checkout")
            .unwrap()
            .keys
            .iter()
            .any(|k| k == "fetchDepth"));
        assert!(super::step_kind("nope").is_none());
    }
}
