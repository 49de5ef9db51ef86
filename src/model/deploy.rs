//! Deploys: Argo CD history entries and running operations, as one change feed. A deploy that
//! finished shortly before a service's first firing alert is a *suspect*.

use super::app::{AppKey, OperationPhase};
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
    /// Is this a rollback (to an older revision) rather than a new one?
    pub rollback: bool,
    /// Finished within the suspect window before the service's first firing alert.
    pub suspect: bool,
}

impl Deploy {
    /// When it happened, for ordering the feed: finish, else start.
    pub fn at(&self) -> Option<DateTime<Utc>> {
        self.finished_at.or(self.started_at)
    }
}
