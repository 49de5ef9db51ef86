//! Deploys: Argo CD history entries and running operations, as one change feed. The deploy that
//! was in effect when a service's first firing alert began, if it finished shortly before, is a
//! *suspect*.

use super::app::{AppKey, HistoryEntry, OperationPhase};
use chrono::{DateTime, Utc};
use serde::Serialize;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DeployResult {
    Running,
    Succeeded,
    Failed,
}

impl DeployResult {
    pub fn from_phase(phase: OperationPhase) -> DeployResult {
        match phase {
            OperationPhase::Running | OperationPhase::Terminating => DeployResult::Running,
            OperationPhase::Succeeded => DeployResult::Succeeded,
            OperationPhase::Failed | OperationPhase::Error => DeployResult::Failed,
        }
    }

    pub fn word(self) -> &'static str {
        match self {
            DeployResult::Running => "running",
            DeployResult::Succeeded => "succeeded",
            DeployResult::Failed => "failed",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Deploy {
    pub app: AppKey,
    pub service: Option<String>,
    pub revision: String,
    /// The history id (None for an operation still running: it has no history entry yet).
    pub history_id: Option<i64>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub initiator: String,
    pub automated: bool,
    pub result: DeployResult,
    /// A person went back to an older revision ([`goes_back`]); never an automated sync.
    pub rollback: bool,
    /// It was what was in effect for its app when the service's first firing alert began (the
    /// newest deploy of that app finished by then), and it finished within the suspect window
    /// before that. A later deploy supersedes it; one that finished after the alert began is
    /// never a suspect.
    pub suspect: bool,
}

/// Is a deploy of `revision` after the history `earlier` (oldest first) a rollback? Only when a
/// person asked for it (an automated sync deploys Git's target, whatever it was before), the
/// revision was deployed before, and it is older than the one it replaces: going back, not
/// forward again (re-syncing Git's head after a rollback is a deploy).
pub fn goes_back(earlier: &[HistoryEntry], revision: &str, automated: bool) -> bool {
    if automated || revision.is_empty() {
        return false;
    }
    let Some(previous) = earlier.last() else {
        return false;
    };
    let first_seen = |r: &str| earlier.iter().position(|h| h.revision == r);
    match (first_seen(revision), first_seen(&previous.revision)) {
        (Some(this), Some(replaced)) => this < replaced,
        _ => false,
    }
}

impl Deploy {
    /// When it happened, for ordering the feed: finish, else start.
    pub fn at(&self) -> Option<DateTime<Utc>> {
        self.finished_at.or(self.started_at)
    }
}
