//! An app's operations and history as Argo CD sees them at a scenario time.
//!
//! Every deploy in the world is the result of a sync operation that started when the deploy
//! did (the cluster starts running the new version as the manifests are applied) and ran for
//! [`OP_TIME`]; its history entry is appended when the operation succeeds. Operations started
//! through the API carry the request's details (who, dry run, prune, partial resources,
//! rollback id) and may end otherwise: a dry run changes nothing and appends no history; a
//! terminated operation fails and appends none either (what it already applied stays applied,
//! as in Argo CD).

use super::apps::App;
use crate::demo::clock::Offset;
use crate::demo::scenario::{Deploy, World};
use chrono::TimeDelta;
use serde_json::Value;

/// How long a sync or rollback operation runs.
pub const OP_TIME: TimeDelta = TimeDelta::seconds(4);
/// How long a dry run takes.
pub const DRY_RUN_TIME: TimeDelta = TimeDelta::seconds(2);
/// From "Terminating" to "Failed".
pub const TERMINATE_TIME: TimeDelta = TimeDelta::seconds(1);
/// `spec.revisionHistoryLimit` default.
pub const HISTORY_LIMIT: usize = 10;
/// The author the emulated application controller puts on the deploys of its automated syncs.
pub const AUTO_SYNC_AUTHOR: &str = "auto-sync";

#[derive(Clone, Debug, PartialEq)]
pub struct OpRecord {
    pub started: Offset,
    pub duration: Offset,
    /// Who asked; None for the controller's automated syncs.
    pub username: Option<String>,
    pub automated: bool,
    /// The git revision synced to.
    pub revision: String,
    /// The version it applies (images in results).
    pub version: Option<String>,
    pub dry_run: bool,
    pub prune: bool,
    pub rollback_id: Option<u64>,
    /// The world deploy this operation made (None: dry run, or nothing new to deploy).
    pub deploy_id: Option<u64>,
    /// Partial sync resources and strategy, as sent.
    pub resources: Vec<Value>,
    pub strategy: Option<Value>,
    pub terminated: Option<Offset>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    Running,
    Terminating,
    Failed,
    Succeeded,
}

impl Phase {
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Running => "Running",
            Phase::Terminating => "Terminating",
            Phase::Failed => "Failed",
            Phase::Succeeded => "Succeeded",
        }
    }
}

impl OpRecord {
    /// The operation behind a deploy nobody started through the API (the script's deploys,
    /// the demo control endpoint).
    pub fn of_deploy(d: &Deploy) -> OpRecord {
        OpRecord {
            started: d.at,
            duration: OP_TIME,
            username: (d.author != AUTO_SYNC_AUTHOR).then(|| d.author.clone()),
            automated: d.automated,
            revision: d.revision.clone(),
            version: Some(d.version.clone()),
            dry_run: false,
            prune: false,
            rollback_id: None,
            deploy_id: Some(d.id),
            resources: Vec::new(),
            strategy: None,
            terminated: None,
        }
    }

    pub fn phase(&self, at: Offset) -> Phase {
        match self.terminated {
            Some(t) if at < t + TERMINATE_TIME => Phase::Terminating,
            Some(_) => Phase::Failed,
            None if at < self.started + self.duration => Phase::Running,
            None => Phase::Succeeded,
        }
    }

    pub fn in_progress(&self, at: Offset) -> bool {
        matches!(self.phase(at), Phase::Running | Phase::Terminating)
    }

    pub fn finished_at(&self) -> Offset {
        match self.terminated {
            Some(t) => t + TERMINATE_TIME,
            None => self.started + self.duration,
        }
    }

    pub fn message(&self, at: Offset) -> &'static str {
        match self.phase(at) {
            Phase::Running => "one or more tasks are running",
            Phase::Terminating => "terminating",
            Phase::Failed => "Operation terminated",
            Phase::Succeeded => "successfully synced (all tasks run)",
        }
    }
}

/// Every operation of `app` started by `at`, oldest first.
pub fn ops(app: &App, world: &World, at: Offset) -> Vec<OpRecord> {
    let mut all: Vec<OpRecord> = world
        .history(&app.def.name, at)
        .into_iter()
        .filter(|d| !app.ops.iter().any(|o| o.deploy_id == Some(d.id)))
        .map(OpRecord::of_deploy)
        .collect();
    all.extend(app.ops.iter().filter(|o| o.started <= at).cloned());
    all.sort_by_key(|o| o.started);
    all
}

/// The latest operation (what `status.operationState` shows).
pub fn current_op(app: &App, world: &World, at: Offset) -> Option<OpRecord> {
    ops(app, world, at).pop()
}

/// `status.history`: deploys whose operation succeeded by `at`, oldest first, the last
/// [`HISTORY_LIMIT`] of them.
pub fn history<'w>(app: &App, world: &'w World, at: Offset) -> Vec<&'w Deploy> {
    let failed = |d: &Deploy| {
        app.ops
            .iter()
            .any(|o| o.deploy_id == Some(d.id) && o.terminated.is_some())
    };
    let mut h: Vec<&Deploy> = world
        .history(&app.def.name, at)
        .into_iter()
        .filter(|d| d.at + OP_TIME <= at && !failed(d))
        .collect();
    let skip = h.len().saturating_sub(HISTORY_LIMIT);
    h.drain(..skip);
    h
}
