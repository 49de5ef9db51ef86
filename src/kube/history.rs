//! `kubectl rollout history` from the compact store: a Deployment's revisions are the
//! ReplicaSets it owns AND its selector matches, numbered by `deployment.kubernetes.io/revision`,
//! with `kubernetes.io/change-cause` and the images of each.

use super::objects::{ReplicaSet, Workload};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// One revision of a Deployment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Revision {
    pub revision: i64,
    pub replica_set: String,
    pub change_cause: Option<String>,
    pub images: Vec<String>,
    pub created: Option<DateTime<Utc>>,
    /// Pods it runs now (`spec.replicas` of the ReplicaSet).
    pub desired: i32,
    pub available: i32,
}

/// Is `rs` a revision of `deployment`: owned by it (controller uid) and selected by it?
pub fn is_revision_of(rs: &ReplicaSet, deployment: &Workload) -> bool {
    rs.key.cluster == deployment.key.cluster
        && rs.key.namespace == deployment.key.namespace
        && rs.owner.as_ref().is_some_and(|o| {
            o.kind == "Deployment"
                && (o.uid == deployment.uid || (o.uid.is_empty() && o.name == deployment.key.name))
        })
        && deployment.selector.matches(&rs.labels)
}

/// The Deployment's revisions, newest first. ReplicaSets without a revision annotation are
/// left out (kubectl skips them too).
pub fn deployment_history<'a>(
    deployment: &Workload,
    replica_sets: impl IntoIterator<Item = &'a ReplicaSet>,
) -> Vec<Revision> {
    let mut out: Vec<Revision> = replica_sets
        .into_iter()
        .filter(|rs| is_revision_of(rs, deployment))
        .filter_map(|rs| {
            Some(Revision {
                revision: rs.revision?,
                replica_set: rs.key.name.clone(),
                change_cause: rs.change_cause.clone(),
                images: rs.images.clone(),
                created: rs.created,
                desired: rs.desired,
                available: rs.available,
            })
        })
        .collect();
    out.sort_by_key(|r| std::cmp::Reverse(r.revision));
    out
}

/// What `kubectl rollout undo` (no `--to-revision`) goes back to: the ReplicaSet with the
/// second-highest revision. `None`: "no rollout history found".
pub fn previous_revision(history: &[Revision]) -> Option<&Revision> {
    history.get(1)
}
