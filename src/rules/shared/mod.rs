//! Helpers shared by several rules; no rule lives here.

pub mod spn_scripts;
pub mod template_params;
