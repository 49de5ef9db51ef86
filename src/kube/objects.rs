//! The compact objects kept per cluster. A watcher decodes the wire object straight into one
//! of these (fields sitrep never shows are never allocated), every string already cleaned of
//! control characters and capped. Shared as `Arc` between the model's store and its views.

use crate::catalog::entity::StrMap;
use chrono::{DateTime, Utc};
use serde::Serialize;

/// The kinds of workload sitrep follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum WorkloadKind {
    Deployment,
    StatefulSet,
    DaemonSet,
    /// Argo Rollouts' `argoproj.io/v1alpha1` Rollout (only when the CRD exists).
    Rollout,
}

impl WorkloadKind {
    /// kubectl's lower-case resource name (`deployment`), as in `deployment/checkout`.
    pub fn noun(self) -> &'static str {
        match self {
            WorkloadKind::Deployment => "deployment",
            WorkloadKind::StatefulSet => "statefulset",
            WorkloadKind::DaemonSet => "daemonset",
            WorkloadKind::Rollout => "rollout",
        }
    }
    /// The kind as the API spells it (`Deployment`).
    pub fn api_kind(self) -> &'static str {
        match self {
            WorkloadKind::Deployment => "Deployment",
            WorkloadKind::StatefulSet => "StatefulSet",
            WorkloadKind::DaemonSet => "DaemonSet",
            WorkloadKind::Rollout => "Rollout",
        }
    }
}

/// A namespaced object in one cluster (`cluster` is the source's name: its context).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct ObjectKey {
    pub cluster: String,
    pub namespace: String,
    pub name: String,
}

/// A workload in one cluster.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct WorkloadKey {
    pub cluster: String,
    pub namespace: String,
    pub kind: WorkloadKind,
    pub name: String,
}

impl WorkloadKey {
    /// `deployment/checkout`, kubectl's way of naming it.
    pub fn kubectl_name(&self) -> String {
        format!("{}/{}", self.kind.noun(), self.name)
    }
}

/// `metadata.ownerReferences[]` entry that matters: the controller.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OwnerRef {
    pub kind: String,
    pub name: String,
    pub uid: String,
}

/// `spec.selector` of a workload: `matchLabels` and `matchExpressions`
/// (`(key, operator, values)`, operators In, NotIn, Exists, DoesNotExist).
#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize)]
pub struct LabelSelector {
    pub match_labels: StrMap,
    pub match_expressions: Vec<(String, String, Vec<String>)>,
}

impl LabelSelector {
    /// Does it select `labels`? An empty selector selects nothing (Kubernetes rejects empty
    /// workload selectors; nothing sitrep shows should match everything by accident).
    pub fn matches(&self, labels: &StrMap) -> bool {
        if self.match_labels.is_empty() && self.match_expressions.is_empty() {
            return false;
        }
        self.match_labels
            .iter()
            .all(|(k, v)| labels.get(k).is_some_and(|l| l == v))
            && self.match_expressions.iter().all(|(k, op, values)| {
                let have = labels.get(k);
                match op.as_str() {
                    "In" => have.is_some_and(|h| values.iter().any(|v| v == h)),
                    "NotIn" => have.is_none_or(|h| values.iter().all(|v| v != h)),
                    "Exists" => have.is_some(),
                    "DoesNotExist" => have.is_none(),
                    _ => false,
                }
            })
    }
}

/// One `status.conditions[]` entry.
#[derive(Clone, Debug, PartialEq, Eq, Default, Serialize)]
pub struct WorkloadCondition {
    pub type_: String,
    pub status: String,
    pub reason: String,
    pub message: String,
    pub last_transition: Option<DateTime<Utc>>,
}

/// A Deployment, StatefulSet, DaemonSet or Argo Rollout: what rollout status, the triage row
/// and the Kubernetes screen need. Counts missing on the wire are 0 (as kubectl reads them).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Workload {
    pub key: WorkloadKey,
    pub uid: String,
    pub labels: StrMap,
    /// Only the annotations sitrep reads (revision, change cause, Argo CD tracking); the
    /// rest (`last-applied-configuration` above all) are never stored.
    pub annotations: StrMap,
    pub created: Option<DateTime<Utc>>,
    pub generation: i64,
    pub observed_generation: i64,
    /// `spec.paused` (Deployment, Rollout).
    pub paused: bool,
    /// `spec.replicas` (default 1); DaemonSet: `status.desiredNumberScheduled`.
    pub desired: i32,
    /// `status.replicas`; DaemonSet: `status.currentNumberScheduled`.
    pub current: i32,
    /// `status.updatedReplicas`; DaemonSet: `status.updatedNumberScheduled`.
    pub updated: i32,
    /// `status.readyReplicas`; DaemonSet: `status.numberReady`.
    pub ready: i32,
    /// `status.availableReplicas`; DaemonSet: `status.numberAvailable`.
    pub available: i32,
    pub conditions: Vec<WorkloadCondition>,
    pub selector: LabelSelector,
    /// The pod template's images, in container order (init containers excluded).
    pub images: Vec<String>,
    /// `deployment.kubernetes.io/revision` / `rollout.argoproj.io/revision`.
    pub revision: Option<i64>,
    /// `spec.strategy.type` / `spec.updateStrategy.type` (`RollingUpdate`, `OnDelete`,
    /// `Recreate`); Rollouts: `Canary` or `BlueGreen`.
    pub strategy: String,
    /// StatefulSet: `status.currentRevision` / `status.updateRevision`; for a Deployment or
    /// Rollout empty.
    pub current_revision: String,
    pub update_revision: String,
    /// DaemonSet: `status.numberUnavailable`… kept generic: unavailable pods as reported.
    pub unavailable: i32,
    /// Argo Rollouts: `status.phase` (Healthy, Progressing, Paused, Degraded) and
    /// `status.message`; `status.abort`.
    pub rollout_phase: Option<String>,
    pub rollout_message: String,
    pub rollout_aborted: bool,
}

/// A ReplicaSet: one revision of a Deployment (its history).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReplicaSet {
    pub key: ObjectKey,
    pub uid: String,
    pub owner: Option<OwnerRef>,
    pub labels: StrMap,
    /// `deployment.kubernetes.io/revision`.
    pub revision: Option<i64>,
    /// `kubernetes.io/change-cause`.
    pub change_cause: Option<String>,
    pub images: Vec<String>,
    pub created: Option<DateTime<Utc>>,
    /// `spec.replicas`, `status.readyReplicas`, `status.availableReplicas`.
    pub desired: i32,
    pub ready: i32,
    pub available: i32,
    /// Its `pod-template-hash` label.
    pub template_hash: String,
}

/// What a container is doing now.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum ContainerState {
    Waiting {
        reason: String,
        message: String,
    },
    Running {
        started_at: Option<DateTime<Utc>>,
    },
    Terminated {
        reason: String,
        exit_code: i32,
        message: String,
        finished_at: Option<DateTime<Utc>>,
    },
    /// No state reported yet.
    Unknown,
}

/// One `status.containerStatuses[]` (or `initContainerStatuses[]`) entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ContainerStatus {
    pub name: String,
    pub image: String,
    pub ready: bool,
    pub restarts: i32,
    pub init: bool,
    pub state: ContainerState,
    /// `lastState.terminated`: why it died last time (OOMKilled, Error, exit code).
    pub last_terminated: Option<ContainerState>,
}

/// A pod: enough to say what is wrong with it and whose it is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Pod {
    pub key: ObjectKey,
    pub uid: String,
    /// Its controller (a ReplicaSet, StatefulSet, DaemonSet, Job…).
    pub owner: Option<OwnerRef>,
    pub labels: StrMap,
    /// `status.phase`: Pending, Running, Succeeded, Failed, Unknown.
    pub phase: String,
    /// `status.reason` / `status.message` (Evicted…).
    pub reason: String,
    pub message: String,
    pub node: String,
    pub created: Option<DateTime<Utc>>,
    /// `metadata.deletionTimestamp` is set: it is terminating.
    pub terminating: bool,
    /// `PodScheduled` is False: its reason (Unschedulable) and message.
    pub unschedulable: Option<(String, String)>,
    pub containers: Vec<ContainerStatus>,
    /// The spec's container names, for the log view's container choice.
    pub container_names: Vec<String>,
}

/// A `type: Warning` event (`events.k8s.io` or core v1, whichever the watcher reads).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WarningEvent {
    pub key: ObjectKey,
    /// `involvedObject` / `regarding`: kind and name (same namespace).
    pub object_kind: String,
    pub object_name: String,
    pub reason: String,
    pub message: String,
    pub count: i32,
    pub first_seen: Option<DateTime<Utc>>,
    pub last_seen: Option<DateTime<Utc>>,
}

impl Workload {
    /// A workload with nothing known yet but its key (counts 0, one desired replica): the
    /// start of a decode, and of tests.
    pub fn new(key: WorkloadKey) -> Workload {
        Workload {
            key,
            uid: String::new(),
            labels: StrMap::new(),
            annotations: StrMap::new(),
            created: None,
            generation: 0,
            observed_generation: 0,
            paused: false,
            desired: 1,
            current: 0,
            updated: 0,
            ready: 0,
            available: 0,
            conditions: Vec::new(),
            selector: LabelSelector::default(),
            images: Vec::new(),
            revision: None,
            strategy: String::new(),
            current_revision: String::new(),
            update_revision: String::new(),
            unavailable: 0,
            rollout_phase: None,
            rollout_message: String::new(),
            rollout_aborted: false,
        }
    }
}

impl ReplicaSet {
    /// A ReplicaSet with nothing known yet but its key.
    pub fn new(key: ObjectKey) -> ReplicaSet {
        ReplicaSet {
            key,
            uid: String::new(),
            owner: None,
            labels: StrMap::new(),
            revision: None,
            change_cause: None,
            images: Vec::new(),
            created: None,
            desired: 0,
            ready: 0,
            available: 0,
            template_hash: String::new(),
        }
    }
}

impl Pod {
    /// A pod with nothing known yet but its key (phase Pending).
    pub fn new(key: ObjectKey) -> Pod {
        Pod {
            key,
            uid: String::new(),
            owner: None,
            labels: StrMap::new(),
            phase: "Pending".into(),
            reason: String::new(),
            message: String::new(),
            node: String::new(),
            created: None,
            terminating: false,
            unschedulable: None,
            containers: Vec::new(),
            container_names: Vec::new(),
        }
    }

    /// Restarts of all its containers (saturating: counts come from the API).
    pub fn restarts(&self) -> i32 {
        self.containers
            .iter()
            .fold(0i32, |sum, c| sum.saturating_add(c.restarts.max(0)))
    }

    /// `ready/total` containers, as kubectl's READY column.
    pub fn ready_text(&self) -> String {
        let main: Vec<_> = self.containers.iter().filter(|c| !c.init).collect();
        let ready = main.iter().filter(|c| c.ready).count();
        let total = main.len().max(self.container_names.len());
        format!("{ready}/{total}")
    }
}
