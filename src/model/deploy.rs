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
    /// Where it comes from: Argo CD's history, or a Deployment's ReplicaSet revision.
    pub origin: DeployOrigin,
}

/// Where a deploy comes from. A Kubernetes revision's `app` is a key of its own
/// ([`kube_deploy_key`]): instance = the cluster (source) name, so it never names an Argo CD
/// app, and the feed, the suspect marker and their keys treat both alike.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DeployOrigin {
    ArgoCd,
    Kubernetes(std::sync::Arc<KubeDeploy>),
}

/// A Deployment's revision (one ReplicaSet) as a deploy.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct KubeDeploy {
    pub workload: crate::kube::WorkloadKey,
    pub replica_set: String,
    pub revision: i64,
    pub images: Vec<String>,
    pub change_cause: Option<String>,
}

/// The feed key of a workload's revisions: `cluster` / `namespace` / `deployment/checkout`.
pub fn kube_deploy_key(w: &crate::kube::WorkloadKey) -> AppKey {
    AppKey {
        instance: w.cluster.clone(),
        namespace: w.namespace.clone(),
        name: w.kubectl_name(),
    }
}

impl Deploy {
    /// Its Kubernetes side, when it is a ReplicaSet revision.
    pub fn kube(&self) -> Option<&KubeDeploy> {
        match &self.origin {
            DeployOrigin::Kubernetes(k) => Some(k),
            DeployOrigin::ArgoCd => None,
        }
    }
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

/// The fleet's deploys, newest first. An ordered set rather than a list: one app's change moves
/// only its own entries, each in O(log n), whatever the size of the fleet.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Feed(std::collections::BTreeSet<FeedEntry>);

/// A deploy in feed order: newest first, then by app, then by entry.
#[derive(Clone, Debug)]
struct FeedEntry(std::sync::Arc<Deploy>);

/// Feed order: newest first, then by app, then by entry (a total order).
pub fn feed_order(a: &Deploy, b: &Deploy) -> std::cmp::Ordering {
    b.at()
        .cmp(&a.at())
        .then_with(|| a.app.cmp(&b.app))
        .then_with(|| b.history_id.cmp(&a.history_id))
        .then_with(|| b.started_at.cmp(&a.started_at))
}

impl PartialEq for FeedEntry {
    fn eq(&self, other: &Self) -> bool {
        feed_order(&self.0, &other.0).is_eq() && self.0.suspect == other.0.suspect
    }
}
impl Eq for FeedEntry {}
impl PartialOrd for FeedEntry {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for FeedEntry {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        feed_order(&self.0, &other.0)
    }
}

impl Feed {
    pub fn len(&self) -> usize {
        self.0.len()
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn clear(&mut self) {
        self.0.clear();
    }
    /// Newest first.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &std::sync::Arc<Deploy>> {
        self.0.iter().map(|e| &e.0)
    }
    pub fn first(&self) -> Option<&std::sync::Arc<Deploy>> {
        self.0.first().map(|e| &e.0)
    }
    pub fn insert(&mut self, d: std::sync::Arc<Deploy>) {
        self.0.replace(FeedEntry(d));
    }
    /// Remove the entry in `d`'s place in the order (whatever its flags).
    pub fn remove(&mut self, d: &std::sync::Arc<Deploy>) {
        self.0.remove(&FeedEntry(std::sync::Arc::clone(d)));
    }
}

impl FromIterator<std::sync::Arc<Deploy>> for Feed {
    fn from_iter<I: IntoIterator<Item = std::sync::Arc<Deploy>>>(iter: I) -> Feed {
        Feed(iter.into_iter().map(FeedEntry).collect())
    }
}
