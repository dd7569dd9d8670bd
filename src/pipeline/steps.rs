//! Step kinds, generated from Microsoft's YAML schema (`data/steps.json`): the identifying key of
//! each kind of step and the keys it accepts. `build.rs` turns the file into code that builds the
//! list: nothing is parsed at run time.

use serde::Deserialize;
use std::sync::OnceLock;

#[derive(Debug, PartialEq, Deserialize)]
pub struct StepKind {
    /// The identifying key: `task`, `script`, `bash`, `checkout`, `template`, ...
    pub kind: String,
    /// Every key a step of this kind accepts.
    pub keys: Vec<String>,
}

include!(concat!(env!("OUT_DIR"), "/steps_data.rs"));

static STEPS: OnceLock<Vec<StepKind>> = OnceLock::new();

/// Every step kind.
pub fn step_kinds() -> &'static [StepKind] {
    STEPS.get_or_init(load)
}

/// The step kind whose identifying key is `key`.
pub fn step_kind(key: &str) -> Option<&'static StepKind> {
    step_kinds().iter().find(|k| k.kind == key)
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_built_list_is_the_json() {
        #[derive(serde::Deserialize)]
        struct File {
            steps: Vec<super::StepKind>,
        }
        let file: File = serde_json::from_str(include_str!("../../data/steps.json")).unwrap();
        assert_eq!(file.steps, super::step_kinds());
    }

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
