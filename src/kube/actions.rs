//! What the user can ask of a cluster and what comes back. `update` builds a [`KubeRequest`]
//! (inside `Effect::Kube`); the cluster's effect client (`sources::kube::actions`) performs
//! it once, dry run first when asked, and answers with `EffectOutcome::KubeActionDone` (or
//! `MutationFailed` with the server's words).

use super::objects::{ObjectKey, WorkloadKey};
use serde::Serialize;

/// A mutation on one workload.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum KubeAction {
    /// `kubectl rollout undo [--to-revision=N]` (Deployments; `to_revision` None = the
    /// previous revision). `expect_from` is the revision the user confirmed undoing: if the
    /// Deployment has moved on since, the client refuses instead of undoing something else.
    Undo {
        to_revision: Option<i64>,
        expect_from: Option<i64>,
    },
    /// `kubectl rollout restart`: `kubectl.kubernetes.io/restartedAt` on the pod template
    /// (Rollouts: `spec.restartAt`).
    Restart,
    /// `kubectl scale --replicas=N`.
    Scale { replicas: i32 },
    /// Argo Rollouts: abort the update (`status.abort=true`).
    RolloutAbort,
    /// Argo Rollouts: retry an aborted update (`status.abort=false`).
    RolloutRetry,
    /// Argo Rollouts: promote past the current pause, or (`full`) skip every remaining step.
    RolloutPromote { full: bool },
}

impl KubeAction {
    /// For people and the timeline: `rollout undo`, `scale to 3`.
    pub fn describe(&self) -> String {
        match self {
            KubeAction::Undo {
                to_revision: Some(r),
                ..
            } => format!("rollout undo to revision {r}"),
            KubeAction::Undo { .. } => "rollout undo".into(),
            KubeAction::Restart => "rollout restart".into(),
            KubeAction::Scale { replicas } => format!("scale to {replicas}"),
            KubeAction::RolloutAbort => "rollout abort".into(),
            KubeAction::RolloutRetry => "rollout retry".into(),
            KubeAction::RolloutPromote { full: false } => "rollout promote".into(),
            KubeAction::RolloutPromote { full: true } => "rollout promote --full".into(),
        }
    }
}

/// `Effect::Kube`: one action on one workload of one cluster (`target.cluster` is the source).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct KubeRequest {
    pub request_id: u64,
    pub target: WorkloadKey,
    pub action: KubeAction,
    /// Server-side dry run (`dryRun=All`): validated and admitted, nothing persisted.
    pub dry_run: bool,
}

/// What an action did (or, dry run, would do), for the confirmation, the flash and the
/// timeline.
#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize)]
pub struct KubeActionReport {
    /// kubectl's words where kubectl has them: `deployment.apps/checkout rolled back`,
    /// `skipped rollback (current template already matches revision 6)`, `… restarted`,
    /// `… scaled`.
    pub summary: String,
    /// Nothing was changed because nothing needed to be (undo onto a matching template).
    pub skipped: bool,
    pub from_revision: Option<i64>,
    pub to_revision: Option<i64>,
    /// The images the workload runs after the action (undo: the target revision's).
    pub images: Vec<String>,
}

/// `Effect::FetchLogs`: a pod's log tail (`GET …/pods/{name}/log?tailLines=&container=&previous=`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LogRequest {
    pub request_id: u64,
    pub pod: ObjectKey,
    pub container: Option<String>,
    pub previous: bool,
    pub tail_lines: u32,
}

/// A log tail, bounded (at most `tail_lines` lines and 1 MiB), every line with escape
/// sequences and control characters neutralised.
#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize)]
pub struct LogTail {
    pub lines: Vec<String>,
    /// More was there than was kept.
    pub truncated: bool,
}
