//! The dashboard's side of the incident: what is open, what the journal has made durable, and
//! what is waiting to be written. The journal itself lives in `crate::incident`.

use crate::incident::state::IncidentMeta;
use crate::model::timeline::TimelineEvent;
use std::collections::HashSet;

/// Can events be recorded?
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum JournalHealth {
    /// No data directory (no `$HOME`): incidents cannot be kept.
    #[default]
    Unavailable,
    Ready,
    /// A write or fsync failed: nothing more is recorded, and the screen says so.
    Failed(String),
}

#[derive(Debug, Clone, Default)]
pub struct IncidentState {
    /// The open incident; `None` before a declaration and after it is resolved and closed.
    pub meta: Option<IncidentMeta>,
    pub journal: JournalHealth,
    /// A declaration sent and not yet answered: a second `i` does nothing.
    pub declaring: bool,
    /// Events to hand to the journal (drained into one effect per batch).
    pub outbox: Vec<TimelineEvent>,
    /// Ids handed to the journal, not yet durable.
    pub pending: HashSet<String>,
    /// Ids durable in the open incident's journal.
    pub recorded: HashSet<String>,
    /// Problems the journal reported when it was opened (shown on the Timeline header).
    pub warnings: Vec<String>,
    /// Events a responder starred (★), by id. (`highlight` is also set by sitrep itself for
    /// critical alerts and milestones; the star is the person's.)
    pub starred: HashSet<String>,
}

impl IncidentState {
    pub fn active(&self) -> Option<&IncidentMeta> {
        self.meta.as_ref()
    }

    /// Keep the starred set in step with a star event.
    pub fn note_star(&mut self, e: &TimelineEvent) {
        if e.kind != crate::model::timeline::EventKind::Starred {
            return;
        }
        let Some(target) = e.details.get("target").and_then(|v| v.as_str()) else {
            return;
        };
        if e.details
            .get("starred")
            .and_then(|v| v.as_bool())
            .unwrap_or(true)
        {
            self.starred.insert(target.to_string());
        } else {
            self.starred.remove(target);
        }
    }

    /// How an event stands with the journal, for its row marker.
    pub fn record_state(&self, id: &str) -> RecordState {
        if self.recorded.contains(id) {
            RecordState::Recorded
        } else if self.pending.contains(id) {
            if matches!(self.journal, JournalHealth::Failed(_)) {
                RecordState::Lost
            } else {
                RecordState::Pending
            }
        } else {
            RecordState::NotInIncident
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecordState {
    /// Durable in the journal.
    Recorded,
    /// Sent to the journal, not yet synced.
    Pending,
    /// Sent, and the journal failed before it was synced: not recorded.
    Lost,
    /// Not part of the incident (before it, or about another service).
    NotInIncident,
}
