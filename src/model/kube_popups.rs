//! The state of the Kubernetes screen's popups: an action's confirmation (undo, restart,
//! scale, Argo Rollouts) by the safety rules, and a pod's log tail.

use super::app::AppKey;
use super::popup::Confirmation;
use crate::kube::history::Revision;
use crate::kube::{KubeAction, KubeActionReport, ObjectKey, WorkloadKey};
use chrono::{DateTime, Utc};

/// Which action a confirmation is for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KubeActionKind {
    Undo,
    Restart,
    Scale,
    Abort,
    Retry,
    Promote,
}

impl KubeActionKind {
    /// `rollout undo`, as the popup's title says it.
    pub fn title(self) -> &'static str {
        match self {
            KubeActionKind::Undo => "rollout undo",
            KubeActionKind::Restart => "rollout restart",
            KubeActionKind::Scale => "scale",
            KubeActionKind::Abort => "rollout abort",
            KubeActionKind::Retry => "rollout retry",
            KubeActionKind::Promote => "rollout promote",
        }
    }
}

/// Where an action's confirmation stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KubeStage {
    /// Choosing (a revision, a replica count) or reviewing; Enter sends the dry run.
    Pick,
    /// Server-side dry run sent (request id).
    DryRun(u64),
    /// The dry run passed: exactly what will happen, waiting for confirmation.
    Confirm,
    /// Sent for real (request id): further presses do nothing.
    InFlight(u64),
}

/// Argo CD's hand on a workload, as the action's popup says it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ArgoManaged {
    /// One loaded app manages it: whether it would undo a kubectl change is known.
    App {
        app: AppKey,
        auto_sync: bool,
        self_heal: bool,
    },
    /// Its tracking names this app, not loaded: whether it self-heals is unknown.
    Unloaded { app: String },
    /// Several apps claim it: which one manages it is unknown (never a redirect).
    Ambiguous { apps: Vec<String> },
}

impl ArgoManaged {
    /// Would Argo CD revert a kubectl change on its own (known only for one loaded app)?
    pub fn self_heal(&self) -> bool {
        matches!(
            self,
            ArgoManaged::App {
                self_heal: true,
                ..
            }
        )
    }

    /// The app to roll back with instead, when that is the one known answer.
    pub fn rollback_app(&self) -> Option<&AppKey> {
        match self {
            ArgoManaged::App {
                app,
                self_heal: true,
                ..
            } => Some(app),
            _ => None,
        }
    }
}

/// An action on one workload, by the safety rules: dry run first, exact confirmation, typed
/// name on production.
#[derive(Clone, Debug)]
pub struct KubeActionForm {
    pub target: WorkloadKey,
    pub kind: KubeActionKind,
    /// Undo: the Deployment's revisions, newest first; `selected` indexes it.
    pub revisions: Vec<Revision>,
    pub selected: usize,
    pub current_revision: Option<i64>,
    pub current_images: Vec<String>,
    /// Scale: the replicas now, and the number being typed.
    pub current_replicas: i32,
    pub replicas: String,
    pub production: bool,
    pub confirm: Confirmation,
    pub stage: KubeStage,
    /// The dry run's answer (what the real request would do).
    pub dry_run: Option<KubeActionReport>,
    /// The server's words when refused, or why Enter does nothing now.
    pub problem: Option<String>,
    pub argo: Option<ArgoManaged>,
}

impl KubeActionForm {
    /// Argo CD would revert a kubectl undo: only its own rollback is offered.
    pub fn argo_reverts(&self) -> bool {
        self.kind == KubeActionKind::Undo && self.argo.as_ref().is_some_and(ArgoManaged::self_heal)
    }

    /// The revision chosen (undo).
    pub fn chosen(&self) -> Option<&Revision> {
        self.revisions.get(self.selected)
    }

    /// Why the chosen revision cannot be undone to (undo), or the typed count is no count.
    pub fn refusal(&self) -> Option<String> {
        match self.kind {
            KubeActionKind::Undo => match self.chosen() {
                None => Some("no rollout history found".into()),
                Some(r) if Some(r.revision) == self.current_revision => Some(format!(
                    "revision {} is what runs now: choose another",
                    r.revision
                )),
                Some(_) => None,
            },
            KubeActionKind::Scale => match self.replicas.parse::<i32>() {
                Ok(n) if (0..=10_000).contains(&n) => None,
                _ => Some("type the number of replicas (0–10000)".into()),
            },
            _ => None,
        }
    }

    /// The request the form stands for now.
    pub fn action(&self) -> Option<KubeAction> {
        Some(match self.kind {
            KubeActionKind::Undo => KubeAction::Undo {
                to_revision: Some(self.chosen()?.revision),
                expect_from: self.current_revision,
            },
            KubeActionKind::Restart => KubeAction::Restart,
            KubeActionKind::Scale => KubeAction::Scale {
                replicas: self.replicas.parse().ok()?,
            },
            KubeActionKind::Abort => KubeAction::RolloutAbort,
            KubeActionKind::Retry => KubeAction::RolloutRetry,
            KubeActionKind::Promote => KubeAction::RolloutPromote { full: false },
        })
    }
}

/// A pod's log tail, open over the screen.
#[derive(Clone, Debug, PartialEq)]
pub struct LogView {
    pub pod: ObjectKey,
    pub containers: Vec<String>,
    /// Index into `containers`.
    pub container: usize,
    pub previous: bool,
    pub follow: bool,
    /// The last tail read (replaced by each read: bounded by the tail's size).
    pub lines: Vec<String>,
    pub truncated: bool,
    /// Why the last read failed, in the server's words.
    pub error: Option<String>,
    /// A read sent and not answered (one at a time).
    pub pending: Option<u64>,
    pub requested_at: Option<DateTime<Utc>>,
    /// Lines scrolled up from the end (0: the newest lines show).
    pub scroll: usize,
    /// Nothing read yet.
    pub loaded: bool,
}

impl LogView {
    pub fn container_name(&self) -> Option<&str> {
        self.containers.get(self.container).map(String::as_str)
    }
}
