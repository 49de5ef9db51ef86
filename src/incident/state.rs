//! An incident as its journal tells it: the declaration, then severity changes, milestones,
//! corrections and stars folded in order. Nothing here is stored on its own; the same journal
//! always folds to the same incident.

use crate::model::timeline::{EventKind, TimelineEvent};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};

/// The response milestones, in the order they normally happen (Rootly, FireHydrant,
/// incident.io track the same; durations are each minus impact start).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Milestone {
    ImpactStarted,
    Detected,
    Acknowledged,
    Mitigated,
    Resolved,
}

impl Milestone {
    pub const ALL: [Milestone; 5] = [
        Milestone::ImpactStarted,
        Milestone::Detected,
        Milestone::Acknowledged,
        Milestone::Mitigated,
        Milestone::Resolved,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Milestone::ImpactStarted => "impact_started",
            Milestone::Detected => "detected",
            Milestone::Acknowledged => "acknowledged",
            Milestone::Mitigated => "mitigated",
            Milestone::Resolved => "resolved",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Milestone::ImpactStarted => "Impact started",
            Milestone::Detected => "Detected",
            Milestone::Acknowledged => "Acknowledged",
            Milestone::Mitigated => "Mitigated",
            Milestone::Resolved => "Resolved",
        }
    }

    /// `mitigated`, `impact-started`, `impact`, `ack`…
    pub fn parse(s: &str) -> Option<Milestone> {
        let s = s.trim().to_ascii_lowercase().replace(['-', ' '], "_");
        let s = match s.as_str() {
            "impact" | "start" | "started" => "impact_started",
            "detect" => "detected",
            "ack" | "acknowledge" => "acknowledged",
            "mitigate" => "mitigated",
            "resolve" => "resolved",
            other => other,
        };
        Milestone::ALL.into_iter().find(|m| m.as_str() == s)
    }
}

/// Where the response stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Active,
    Mitigated,
    Resolved,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Active => "active",
            Status::Mitigated => "mitigated",
            Status::Resolved => "resolved",
        }
    }
}

pub const SEVERITIES: [&str; 4] = ["SEV1", "SEV2", "SEV3", "SEV4"];

/// The longest back-fill window: a week.
pub const MAX_BACKFILL_MINUTES: i64 = 7 * 24 * 60;

/// `sev2`, `2`, `SEV2` → `SEV2`.
pub fn parse_severity(s: &str) -> Option<&'static str> {
    let s = s.trim().to_ascii_uppercase();
    let s = s.strip_prefix("SEV").unwrap_or(&s);
    SEVERITIES.into_iter().find(|sev| &sev[3..] == s)
}

/// What the declaration says (the first event's `details`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Declaration {
    pub title: String,
    pub severity: String,
    pub commander: String,
    #[serde(default)]
    pub services: Vec<String>,
    /// Minutes before the declaration whose events were back-filled.
    #[serde(default)]
    pub backfill_minutes: i64,
}

/// A correction of an event's time: who, why, from what.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Correction {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub by: String,
    pub reason: String,
}

/// What is known about an incident besides its events: enough for a header, a list and the
/// metadata table. The dashboard keeps this beside its timeline; the export keeps it with every
/// event ([`Incident`]).
#[derive(Clone, Debug, PartialEq)]
pub struct IncidentMeta {
    pub id: String,
    pub title: String,
    pub severity: String,
    pub status: Status,
    pub commander: String,
    pub services: Vec<String>,
    pub declared_at: DateTime<Utc>,
    pub declared_by: String,
    /// Minutes before the declaration whose events were back-filled.
    pub backfill_minutes: i64,
    /// Each milestone's time (the latest marking wins; corrections apply).
    pub milestones: BTreeMap<Milestone, DateTime<Utc>>,
    /// Milestone events by id, so a correction of one moves the milestone.
    milestone_ids: HashMap<String, Milestone>,
    /// The event whose marking of each milestone stands (the latest).
    milestone_current: HashMap<Milestone, String>,
    declared_id: String,
    /// Events in the journal.
    pub event_count: usize,
}

impl IncidentMeta {
    /// From the journal's first event; `None` when it is not a declaration.
    pub fn from_declaration(first: &TimelineEvent) -> Option<IncidentMeta> {
        if first.kind != EventKind::IncidentDeclared {
            return None;
        }
        let decl: Declaration = serde_json::from_value(first.details.clone()).ok()?;
        // The declaration's words come from a file anyone can edit: cleaned like any outside text.
        let clean = |s: &str| crate::sanitize::clean_line(s, 200);
        Some(IncidentMeta {
            id: first.incident_id.clone().unwrap_or_default(),
            title: clean(&decl.title),
            severity: clean(&decl.severity),
            status: Status::Active,
            commander: clean(&decl.commander),
            services: decl.services.iter().map(|s| clean(s)).collect(),
            declared_at: first.occurred_at,
            declared_by: first.actor.clone(),
            // A hostile or mistyped journal must not overflow the date arithmetic.
            backfill_minutes: decl.backfill_minutes.clamp(0, MAX_BACKFILL_MINUTES),
            milestones: BTreeMap::new(),
            milestone_ids: HashMap::new(),
            milestone_current: HashMap::new(),
            declared_id: first.id.clone(),
            event_count: 1,
        })
    }

    /// Fold one more event (journal order) into the metadata.
    pub fn apply(&mut self, e: &TimelineEvent) {
        self.event_count += 1;
        let text = |key: &str| e.details.get(key).and_then(|v| v.as_str());
        match e.kind {
            EventKind::SeverityChanged => {
                if let Some(to) = text("to") {
                    self.severity = to.to_string();
                }
            }
            EventKind::StatusChanged => {
                self.status = match text("to") {
                    Some("resolved") => Status::Resolved,
                    Some("mitigated") => Status::Mitigated,
                    _ => Status::Active,
                };
            }
            EventKind::Milestone => {
                if let Some(m) = milestone_of(e) {
                    self.milestones.insert(m, e.occurred_at);
                    self.milestone_ids.insert(e.id.clone(), m);
                    self.milestone_current.insert(m, e.id.clone());
                    match m {
                        Milestone::Resolved => self.status = Status::Resolved,
                        Milestone::Mitigated if self.status == Status::Active => {
                            self.status = Status::Mitigated
                        }
                        _ => {}
                    }
                }
            }
            EventKind::TimeCorrected => {
                if let (Some(target), Some(to)) = (text("target"), correction_to(e)) {
                    // Only the marking that stands moves the milestone; correcting one that a
                    // later marking superseded changes that event, not the milestone.
                    if let Some(m) = self.milestone_ids.get(target)
                        && self.milestone_current.get(m).map(String::as_str) == Some(target)
                    {
                        self.milestones.insert(*m, to);
                    }
                    if target == self.declared_id {
                        self.declared_at = to;
                    }
                }
            }
            _ => {}
        }
    }

    /// When impact started: the milestone, else the declaration (said so where it matters).
    pub fn impact_start(&self) -> DateTime<Utc> {
        self.milestones
            .get(&Milestone::ImpactStarted)
            .copied()
            .unwrap_or(self.declared_at)
    }

    /// When it ended: resolved, else still running.
    pub fn ended_at(&self) -> Option<DateTime<Utc>> {
        if self.status == Status::Resolved {
            self.milestones.get(&Milestone::Resolved).copied()
        } else {
            None
        }
    }

    /// Milestones marked out of their usual order, as sentences (warned about, never refused).
    pub fn order_warnings(&self) -> Vec<String> {
        let marked: Vec<(Milestone, DateTime<Utc>)> =
            self.milestones.iter().map(|(m, t)| (*m, *t)).collect();
        let mut out = Vec::new();
        for (i, (a, ta)) in marked.iter().enumerate() {
            for (b, tb) in &marked[i + 1..] {
                if tb < ta {
                    out.push(format!(
                        "{} ({}) is before {} ({})",
                        b.title(),
                        tb.format("%H:%M:%S"),
                        a.title().to_lowercase(),
                        ta.format("%H:%M:%S")
                    ));
                }
            }
        }
        out
    }
}

/// An incident with every event of its journal: what `show` and the exports read.
#[derive(Clone, Debug, PartialEq)]
pub struct Incident {
    pub meta: IncidentMeta,
    /// Every event, corrections and stars applied, ordered by `occurred_at` (ties: journal
    /// order).
    pub events: Vec<TimelineEvent>,
    /// What reading the journal found wrong.
    pub warnings: Vec<String>,
}

impl Incident {
    /// Fold a journal's events (in journal order). `None` when the first is not a declaration.
    pub fn fold(events: impl IntoIterator<Item = TimelineEvent>) -> Option<Incident> {
        let mut events = events.into_iter();
        let first = events.next()?;
        let meta = IncidentMeta::from_declaration(&first)?;
        let mut incident = Incident {
            meta,
            events: vec![first],
            warnings: Vec::new(),
        };
        for e in events {
            incident.apply(e);
        }
        Some(incident)
    }

    /// Fold one more event in (journal order).
    pub fn apply(&mut self, e: TimelineEvent) {
        self.meta.apply(&e);
        apply_to_events(&mut self.events, &e);
        insert_in_time_order(&mut self.events, e);
    }
}

/// Insert keeping `occurred_at` order (ties keep arrival order); events mostly arrive in
/// order, so this is nearly always a push.
pub fn insert_in_time_order(events: &mut Vec<TimelineEvent>, e: TimelineEvent) -> usize {
    let pos = events.partition_point(|x| x.occurred_at <= e.occurred_at);
    events.insert(pos, e);
    pos
}

/// The new time a correction gives.
pub fn correction_to(e: &TimelineEvent) -> Option<DateTime<Utc>> {
    e.details
        .get("to")
        .and_then(|v| serde_json::from_value::<DateTime<Utc>>(v.clone()).ok())
}

/// A star or a correction changes another event of a list kept in time order: its
/// `highlight`, or its `occurred_at` (the old time kept in its `details.corrections`, with who
/// and why). Returns whether anything changed.
pub fn apply_to_events(events: &mut Vec<TimelineEvent>, e: &TimelineEvent) -> bool {
    let Some(target) = e.details.get("target").and_then(|v| v.as_str()) else {
        return false;
    };
    match e.kind {
        EventKind::Starred => {
            let on = e
                .details
                .get("starred")
                .and_then(|v| v.as_bool())
                .unwrap_or(true);
            match events.iter_mut().rev().find(|x| x.id == target) {
                Some(old) => {
                    // A person's star is kept apart from sitrep's own highlight (critical
                    // alerts, rollbacks): removing the star leaves sitrep's mark alone.
                    if !old.details.is_object() {
                        old.details = serde_json::json!({});
                    }
                    if on {
                        if !old.highlight {
                            old.details["starred_by_person"] = serde_json::Value::Bool(true);
                        }
                        old.highlight = true;
                    } else if old.details.get("starred_by_person").is_some() {
                        old.details
                            .as_object_mut()
                            .map(|d| d.remove("starred_by_person"));
                        old.highlight = false;
                    }
                    true
                }
                None => false,
            }
        }
        EventKind::TimeCorrected => {
            let Some(to) = correction_to(e) else {
                return false;
            };
            let Some(pos) = events.iter().rposition(|x| x.id == target) else {
                return false;
            };
            let mut old = events.remove(pos);
            let correction = Correction {
                from: old.occurred_at,
                to,
                by: e.actor.clone(),
                reason: e.body.clone(),
            };
            if !old.details.is_object() {
                old.details = serde_json::json!({});
            }
            let list = old.details["corrections"].take();
            let mut list: Vec<serde_json::Value> = serde_json::from_value(list).unwrap_or_default();
            list.push(serde_json::to_value(&correction).expect("serializes"));
            old.details["corrections"] = serde_json::Value::Array(list);
            old.occurred_at = to;
            insert_in_time_order(events, old);
            true
        }
        _ => false,
    }
}

/// The milestone a milestone event marks.
pub fn milestone_of(e: &TimelineEvent) -> Option<Milestone> {
    e.details
        .get("milestone")
        .and_then(|v| v.as_str())
        .and_then(Milestone::parse)
}

/// A duration as people write it in a post-mortem: `42m`, `1h 05m`, `2d 3h`.
pub fn human_duration(d: chrono::Duration) -> String {
    let secs = d.num_seconds();
    let (sign, secs) = if secs < 0 { ("-", -secs) } else { ("", secs) };
    let (d, h, m, s) = (
        secs / 86_400,
        secs % 86_400 / 3600,
        secs % 3600 / 60,
        secs % 60,
    );
    let body = if d > 0 {
        format!("{d}d {h}h")
    } else if h > 0 {
        format!("{h}h {m:02}m")
    } else if m > 0 {
        format!("{m}m {s:02}s")
    } else {
        format!("{s}s")
    };
    format!("{sign}{body}")
}
