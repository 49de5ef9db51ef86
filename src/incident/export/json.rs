//! The JSON export, `sitrep.incident/1`: the incident's metadata as the Markdown states it, then
//! every event as the journal holds it (stars and corrections applied), in `occurred_at` order.
//! Typed structs keep the key order fixed; times are RFC 3339 UTC, durations whole seconds.

use crate::incident::state::{Incident, IncidentMeta, Milestone, Status};
use crate::model::timeline::TimelineEvent;
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde::ser::Serializer;

pub const FORMAT: &str = "sitrep.incident/1";

#[derive(Serialize)]
struct Document<'a> {
    format: &'static str,
    incident: Meta<'a>,
    events: &'a [TimelineEvent],
}

#[derive(Serialize)]
struct Meta<'a> {
    id: &'a str,
    title: &'a str,
    severity: &'a str,
    status: Status,
    commander: &'a str,
    services: &'a [String],
    declared_at: DateTime<Utc>,
    declared_by: &'a str,
    /// Null when impact start was not marked.
    impact_started_at: Option<DateTime<Utc>>,
    /// Null while not resolved.
    ended_at: Option<DateTime<Utc>>,
    /// `impact_started`, or `declared` when impact start was not marked.
    measured_from: &'static str,
    /// From `measured_from` to `ended_at`; null while not resolved.
    duration_seconds: Option<i64>,
    backfill_minutes: i64,
    /// Marked milestones, in response order.
    #[serde(serialize_with = "milestone_map")]
    milestones: &'a IncidentMeta,
    /// Each marked milestone (and `declared`) in seconds from `measured_from`.
    #[serde(serialize_with = "seconds_map")]
    seconds_from_start: &'a IncidentMeta,
    /// What reading the journal found wrong (gaps, edits, a torn line).
    warnings: &'a [String],
    /// Milestones marked out of their usual order.
    milestone_warnings: Vec<String>,
}

pub fn render(incident: &Incident) -> String {
    let m = &incident.meta;
    let marked_start = m.milestones.get(&Milestone::ImpactStarted).copied();
    let ended_at = m.ended_at();
    let doc = Document {
        format: FORMAT,
        incident: Meta {
            id: &m.id,
            title: &m.title,
            severity: &m.severity,
            status: m.status,
            commander: &m.commander,
            services: &m.services,
            declared_at: m.declared_at,
            declared_by: &m.declared_by,
            impact_started_at: marked_start,
            ended_at,
            measured_from: match marked_start {
                Some(_) => "impact_started",
                None => "declared",
            },
            duration_seconds: ended_at.map(|e| (e - m.impact_start()).num_seconds()),
            backfill_minutes: m.backfill_minutes,
            milestones: m,
            seconds_from_start: m,
            warnings: &incident.warnings,
            milestone_warnings: m.order_warnings(),
        },
        events: &incident.events,
    };
    let mut out = serde_json::to_string_pretty(&doc).expect("the export serializes");
    out.push('\n');
    out
}

fn marked(m: &IncidentMeta) -> impl Iterator<Item = (Milestone, DateTime<Utc>)> + '_ {
    Milestone::ALL
        .into_iter()
        .filter_map(|ms| m.milestones.get(&ms).map(|t| (ms, *t)))
}

fn milestone_map<S: Serializer>(m: &&IncidentMeta, s: S) -> Result<S::Ok, S::Error> {
    s.collect_map(marked(m).map(|(ms, t)| (ms.as_str(), t)))
}

fn seconds_map<S: Serializer>(m: &&IncidentMeta, s: S) -> Result<S::Ok, S::Error> {
    let start = m.impact_start();
    let declared = std::iter::once(("declared", m.declared_at));
    s.collect_map(
        marked(m)
            .map(|(ms, t)| (ms.as_str(), t))
            .chain(declared)
            .map(|(name, t)| (name, (t - start).num_seconds())),
    )
}
