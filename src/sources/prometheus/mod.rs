//! Prometheus (HTTP API v1): the alerts its rules hold (pending and firing), polled. No actions.
//!
//! - `wire`: serde types of its JSON and their translation into model values.
//! - `client`: `PrometheusClient` (alerts from the rules, version).

pub mod client;
pub mod wire;

pub use client::PrometheusClient;
