//! Helpers shared by several rules; no rule lives here.

pub mod connections;
pub mod fixes;
pub mod pr_jobs;
pub mod spn_scripts;
pub mod taint;
pub mod template_params;
pub mod vm_image_uses;
