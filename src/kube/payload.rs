//! What a cluster's live task reports (`SourcePayload::Kube`): complete lists after the initial
//! sync or a relist (410 Gone), single changes from the watch, and what RBAC refuses. Batched:
//! one message carries every change of a short window so a busy cluster costs one re-derive
//! per batch, not one per event.

use super::objects::{Pod, ReplicaSet, WarningEvent, Workload, WorkloadKind};
use serde::Serialize;
use std::sync::Arc;

/// The resources a cluster's task watches, each by its own watcher.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum ResourceKind {
    Deployments,
    ReplicaSets,
    StatefulSets,
    DaemonSets,
    Pods,
    Events,
    Rollouts,
}

impl ResourceKind {
    pub const ALL: [ResourceKind; 7] = [
        ResourceKind::Deployments,
        ResourceKind::ReplicaSets,
        ResourceKind::StatefulSets,
        ResourceKind::DaemonSets,
        ResourceKind::Pods,
        ResourceKind::Events,
        ResourceKind::Rollouts,
    ];
    /// The API's plural resource name (`deployments`), as RBAC and `kubectl` say it.
    pub fn plural(self) -> &'static str {
        match self {
            ResourceKind::Deployments => "deployments",
            ResourceKind::ReplicaSets => "replicasets",
            ResourceKind::StatefulSets => "statefulsets",
            ResourceKind::DaemonSets => "daemonsets",
            ResourceKind::Pods => "pods",
            ResourceKind::Events => "events",
            ResourceKind::Rollouts => "rollouts",
        }
    }
    /// The API group (`apps`; "" for the core group).
    pub fn group(self) -> &'static str {
        match self {
            ResourceKind::Deployments
            | ResourceKind::ReplicaSets
            | ResourceKind::StatefulSets
            | ResourceKind::DaemonSets => "apps",
            ResourceKind::Pods | ResourceKind::Events => "",
            ResourceKind::Rollouts => "argoproj.io",
        }
    }
    /// The workload kind its objects are, if they are workloads.
    pub fn workload_kind(self) -> Option<WorkloadKind> {
        match self {
            ResourceKind::Deployments => Some(WorkloadKind::Deployment),
            ResourceKind::StatefulSets => Some(WorkloadKind::StatefulSet),
            ResourceKind::DaemonSets => Some(WorkloadKind::DaemonSet),
            ResourceKind::Rollouts => Some(WorkloadKind::Rollout),
            _ => None,
        }
    }
}

/// One compact object of any watched kind.
#[derive(Clone, Debug, PartialEq)]
pub enum KubeObject {
    Workload(Arc<Workload>),
    ReplicaSet(Arc<ReplicaSet>),
    Pod(Arc<Pod>),
    Event(Arc<WarningEvent>),
}

impl KubeObject {
    /// The namespace and name it is stored under.
    pub fn namespace_name(&self) -> (&str, &str) {
        match self {
            KubeObject::Workload(w) => (&w.key.namespace, &w.key.name),
            KubeObject::ReplicaSet(r) => (&r.key.namespace, &r.key.name),
            KubeObject::Pod(p) => (&p.key.namespace, &p.key.name),
            KubeObject::Event(e) => (&e.key.namespace, &e.key.name),
        }
    }
}

/// One change to a cluster's objects.
#[derive(Clone, Debug, PartialEq)]
pub enum KubeChange {
    /// Every object of `resource` (in `namespace`, or in all namespaces when `None`): the
    /// initial sync or a relist. Replaces what was held for that scope, atomically.
    Reset {
        resource: ResourceKind,
        namespace: Option<String>,
        objects: Vec<KubeObject>,
    },
    /// An object was added or changed.
    Apply(KubeObject),
    /// An object is gone.
    Delete {
        resource: ResourceKind,
        namespace: String,
        name: String,
    },
    /// `resource` cannot be watched in `namespace` (all namespaces when `None`): RBAC said no
    /// (`reason` says it as "cannot watch pods in payments"), or the API does not serve it
    /// (Argo Rollouts without its CRD: `reason` empty, not a problem). What was held is dropped.
    Unavailable {
        resource: ResourceKind,
        namespace: Option<String>,
        reason: String,
    },
}

/// A batch of changes from one cluster.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct KubePayload {
    pub changes: Vec<KubeChange>,
}
