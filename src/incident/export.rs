//! The post-mortem export of an incident: Markdown for people (renders on GitHub, the author
//! fills in the sections only people can write) and JSON for tools.
//!
//! Both read only the folded [`Incident`]: no clock, no environment and no hash-map order reach
//! the output, so the same journal always exports to the same bytes. Every string that came from
//! outside (alert annotations, app names, notes, server errors) goes through `escape` before it
//! reaches the Markdown.

mod actions;
mod alerts;
mod changes;
mod document;
mod escape;
mod json;
mod table;
mod timeline;

use super::state::Incident;
use chrono::{DateTime, Utc};

/// The incident as a Markdown post-mortem.
pub fn markdown(incident: &Incident) -> String {
    document::render(incident)
}

/// The incident as pretty JSON (`sitrep.incident/1`, schema in the README).
pub fn json(incident: &Incident) -> String {
    json::render(incident)
}

/// A time as every part of the export writes it: UTC, to the second.
fn utc(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S").to_string()
}

#[cfg(test)]
mod proptests;
#[cfg(test)]
#[path = "export_tests.rs"]
mod tests;
