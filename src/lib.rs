//! sitrep: a terminal dashboard for on-call triage. See README.md for the shape of the code.

pub mod action;
pub mod config;
pub mod effect;
pub mod model;
pub mod msg;
pub mod sanitize;
pub mod sources;
