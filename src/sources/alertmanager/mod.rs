//! Alertmanager (API v2): alerts and silences, polled; silences created and expired.
//!
//! - `wire`: serde types of its JSON and their translation into model values.
//! - `client`: `AlertmanagerClient` (alerts, silences, status, the silence mutations).

pub mod client;
pub mod wire;

pub use client::{AlertmanagerClient, AmStatus};
