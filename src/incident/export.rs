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
use chrono::{DateTime, Datelike, Timelike, Utc};

/// The incident as a Markdown post-mortem.
pub fn markdown(incident: &Incident) -> String {
    document::render(incident)
}

/// The incident as pretty JSON (`sitrep.incident/1`, schema in the README).
pub fn json(incident: &Incident) -> String {
    json::render(incident)
}

/// A time as every part of the export writes it: UTC, to the second (`2026-12-04 12:05:01`).
fn utc(t: DateTime<Utc>) -> String {
    format!("{} {}", date(t), clock(t))
}

/// `2026-12-04`. Written by hand: strftime parses its pattern on every call, and a journal of
/// 100,000 events formats a few hundred thousand times.
fn date(t: DateTime<Utc>) -> String {
    format!("{:04}-{:02}-{:02}", t.year(), t.month(), t.day())
}

/// `12:05:01`.
fn clock(t: DateTime<Utc>) -> String {
    format!("{:02}:{:02}:{:02}", t.hour(), t.minute(), t.second())
}

#[cfg(test)]
mod proptests;
#[cfg(test)]
#[path = "export_tests.rs"]
mod tests;
