//! Where an app's service comes from (kept as a path while other branches still name it; the
//! correlation itself lives in `correlation.rs`).

pub use super::correlation::service_of_app;
