//! Workload identity federation (WIF) outside the pipeline files: the table of sign-in errors,
//! the scan of a pipeline log for them, and the check of a service connection against its
//! federated credentials.

pub mod connection;
pub mod connections;
pub mod diagnose;
pub mod errors;
