//! Wire objects into the compact objects of `crate::kube`: every string cleaned of control
//! characters and escape sequences and capped, lists capped, counts missing on the wire 0.

use super::wire::{
    Meta, WireCondition, WireContainerState, WireContainerStatus, WireDaemonSet, WireDeployment,
    WireEvent, WirePod, WireReplicaSet, WireRollout, WireSelector, WireStatefulSet, WireTemplate,
    WireWorkload,
};
use crate::catalog::entity::StrMap;
use crate::kube::{
    ContainerState, ContainerStatus, KubeObject, LabelSelector, ObjectKey, OwnerRef, Pod,
    ReplicaSet, ResourceKind, WarningEvent, Workload, WorkloadCondition, WorkloadKey, WorkloadKind,
};
use crate::sanitize::clean_line;
use chrono::{DateTime, Utc};
use std::fmt::Debug;
use std::sync::Arc;

/// Names, label keys and values, images.
const NAME_CAP: usize = 256;
const IMAGE_CAP: usize = 512;
/// Messages, reasons, annotations kept.
const TEXT_CAP: usize = 2048;
/// Containers, conditions and selector terms per object.
const LIST_CAP: usize = 64;

/// A wire type one watcher follows: its resource and how it becomes a compact object.
pub trait WireObject:
    ::kube::Resource<DynamicType = (), Scope = k8s_openapi::NamespaceResourceScope>
    + serde::de::DeserializeOwned
    + Clone
    + Debug
    + Send
    + Sync
    + 'static
{
    const RESOURCE: ResourceKind;
    fn into_object(self, cluster: &str) -> KubeObject;
    /// Namespace and name, cleaned (for a delete).
    fn namespace_name(&self) -> (String, String);
}

fn text(s: Option<&str>, cap: usize) -> String {
    s.map(|s| clean_line(s, cap)).unwrap_or_default()
}

fn time(s: Option<&str>) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s?.trim())
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

fn pairs(raw: &[(String, String)], cap: usize) -> StrMap {
    raw.iter()
        .map(|(k, v)| (clean_line(k, NAME_CAP), clean_line(v, cap)))
        .collect()
}

fn meta_key(meta: &Meta) -> (String, String) {
    (
        text(meta.k8s.namespace.as_deref(), NAME_CAP),
        text(meta.k8s.name.as_deref(), NAME_CAP),
    )
}

fn object_key(cluster: &str, meta: &Meta) -> ObjectKey {
    let (namespace, name) = meta_key(meta);
    ObjectKey {
        cluster: cluster.to_string(),
        namespace,
        name,
    }
}

fn owner(meta: &Meta) -> Option<OwnerRef> {
    meta.owner.as_ref().map(|o| OwnerRef {
        kind: text(o.kind.as_deref(), NAME_CAP),
        name: text(o.name.as_deref(), NAME_CAP),
        uid: text(o.uid.as_deref(), NAME_CAP),
    })
}

fn revision(annotations: &StrMap, key: &str) -> Option<i64> {
    annotations.get(key).and_then(|r| r.trim().parse().ok())
}

fn images(template: Option<&WireTemplate>) -> Vec<String> {
    template
        .and_then(|t| t.spec.as_ref())
        .and_then(|s| s.containers.as_ref())
        .map(|cs| {
            cs.iter()
                .take(LIST_CAP)
                .map(|c| text(c.image.as_deref(), IMAGE_CAP))
                .collect()
        })
        .unwrap_or_default()
}

fn selector(s: Option<&WireSelector>) -> LabelSelector {
    let Some(s) = s else {
        return LabelSelector::default();
    };
    LabelSelector {
        match_labels: s
            .match_labels
            .as_ref()
            .map(|l| pairs(&l.0, NAME_CAP))
            .unwrap_or_default(),
        match_expressions: s
            .match_expressions
            .iter()
            .flatten()
            .take(LIST_CAP)
            .map(|r| {
                (
                    text(r.key.as_deref(), NAME_CAP),
                    text(r.operator.as_deref(), NAME_CAP),
                    r.values
                        .iter()
                        .flatten()
                        .take(LIST_CAP)
                        .map(|v| clean_line(v, NAME_CAP))
                        .collect(),
                )
            })
            .collect(),
    }
}

fn conditions(c: Option<&Vec<WireCondition>>) -> Vec<WorkloadCondition> {
    c.iter()
        .flat_map(|c| c.iter())
        .take(LIST_CAP)
        .map(|c| WorkloadCondition {
            type_: text(c.type_.as_deref(), NAME_CAP),
            status: text(c.status.as_deref(), NAME_CAP),
            reason: text(c.reason.as_deref(), NAME_CAP),
            message: text(c.message.as_deref(), TEXT_CAP),
            last_transition: time(c.last_transition_time.as_deref()),
        })
        .collect()
}

/// The parts every workload kind shares.
fn workload<K>(cluster: &str, kind: WorkloadKind, w: WireWorkload<K>) -> Workload {
    let (namespace, name) = meta_key(&w.metadata);
    let mut out = Workload::new(WorkloadKey {
        cluster: cluster.to_string(),
        namespace,
        kind,
        name,
    });
    let meta = &w.metadata;
    out.uid = text(Some(&meta.uid), NAME_CAP);
    out.labels = pairs(&meta.labels, NAME_CAP);
    out.annotations = pairs(&meta.annotations, TEXT_CAP);
    out.created = time(meta.created.as_deref());
    out.generation = meta.generation;
    let spec = w.spec.unwrap_or_default();
    let status = w.status.unwrap_or_default();
    out.observed_generation = status.observed_generation.as_ref().map_or(0, |g| g.0);
    out.paused = spec.paused.unwrap_or(false);
    out.desired = count(spec.replicas, 1);
    out.current = count(status.replicas, 0);
    out.updated = count(status.updated_replicas, 0);
    out.ready = count(status.ready_replicas, 0);
    out.available = count(status.available_replicas, 0);
    out.unavailable = count(status.unavailable_replicas, 0);
    out.conditions = conditions(status.conditions.as_ref());
    out.selector = selector(spec.selector.as_ref());
    out.images = images(spec.template.as_ref());
    out.strategy = text(
        spec.strategy
            .as_ref()
            .or(spec.update_strategy.as_ref())
            .and_then(|s| s.type_.as_deref()),
        NAME_CAP,
    );
    match kind {
        WorkloadKind::Deployment => {
            out.revision = revision(&out.annotations, "deployment.kubernetes.io/revision");
        }
        WorkloadKind::StatefulSet => {
            out.current_revision = text(status.current_revision.as_deref(), NAME_CAP);
            out.update_revision = text(status.update_revision.as_deref(), NAME_CAP);
        }
        WorkloadKind::DaemonSet => {
            out.desired = count(status.desired_number_scheduled, 0);
            out.current = count(status.current_number_scheduled, 0);
            out.updated = count(status.updated_number_scheduled, 0);
            out.ready = count(status.number_ready, 0);
            out.available = count(status.number_available, 0);
            out.unavailable = count(status.number_unavailable, 0);
        }
        WorkloadKind::Rollout => {
            out.revision = revision(&out.annotations, "rollout.argoproj.io/revision");
            let strategy = spec.strategy.as_ref();
            out.strategy = if strategy.is_some_and(|s| s.blue_green.is_some()) {
                "BlueGreen".into()
            } else if strategy.is_some_and(|s| s.canary.is_some()) {
                "Canary".into()
            } else {
                String::new()
            };
            out.rollout_phase = status.phase.as_deref().map(|p| clean_line(p, NAME_CAP));
            out.rollout_message = text(status.message.as_deref(), TEXT_CAP);
            out.rollout_aborted = status.abort.unwrap_or(false);
        }
    }
    out
}

macro_rules! workload_object {
    ($ty:ty, $resource:expr, $kind:expr) => {
        impl WireObject for $ty {
            const RESOURCE: ResourceKind = $resource;
            fn into_object(self, cluster: &str) -> KubeObject {
                KubeObject::Workload(Arc::new(workload(cluster, $kind, self)))
            }
            fn namespace_name(&self) -> (String, String) {
                meta_key(&self.metadata)
            }
        }
    };
}

workload_object!(
    WireDeployment,
    ResourceKind::Deployments,
    WorkloadKind::Deployment
);
workload_object!(
    WireStatefulSet,
    ResourceKind::StatefulSets,
    WorkloadKind::StatefulSet
);
workload_object!(
    WireDaemonSet,
    ResourceKind::DaemonSets,
    WorkloadKind::DaemonSet
);
workload_object!(WireRollout, ResourceKind::Rollouts, WorkloadKind::Rollout);

impl WireObject for WireReplicaSet {
    const RESOURCE: ResourceKind = ResourceKind::ReplicaSets;
    fn into_object(self, cluster: &str) -> KubeObject {
        let meta = &self.metadata;
        let mut rs = ReplicaSet::new(object_key(cluster, meta));
        rs.uid = text(Some(&meta.uid), NAME_CAP);
        rs.owner = owner(meta);
        rs.labels = pairs(&meta.labels, NAME_CAP);
        let annotations = pairs(&meta.annotations, TEXT_CAP);
        rs.revision = revision(&annotations, "deployment.kubernetes.io/revision");
        rs.change_cause = annotations.get("kubernetes.io/change-cause").cloned();
        rs.created = time(meta.created.as_deref());
        let spec = self.spec.unwrap_or_default();
        let status = self.status.unwrap_or_default();
        rs.images = images(spec.template.as_ref());
        rs.desired = count(spec.replicas, 1);
        rs.ready = count(status.ready_replicas, 0);
        rs.available = count(status.available_replicas, 0);
        rs.template_hash = rs
            .labels
            .get("pod-template-hash")
            .cloned()
            .unwrap_or_default();
        KubeObject::ReplicaSet(Arc::new(rs))
    }
    fn namespace_name(&self) -> (String, String) {
        meta_key(&self.metadata)
    }
}

fn container_state(s: Option<&WireContainerState>) -> ContainerState {
    let Some(s) = s else {
        return ContainerState::Unknown;
    };
    if let Some(t) = &s.terminated {
        return terminated(t);
    }
    if let Some(w) = &s.waiting {
        return ContainerState::Waiting {
            reason: text(w.reason.as_deref(), NAME_CAP),
            message: text(w.message.as_deref(), TEXT_CAP),
        };
    }
    if let Some(r) = &s.running {
        return ContainerState::Running {
            started_at: time(r.started_at.as_deref()),
        };
    }
    ContainerState::Unknown
}

fn terminated(t: &super::wire::WireTerminated) -> ContainerState {
    ContainerState::Terminated {
        reason: text(t.reason.as_deref(), NAME_CAP),
        exit_code: t.exit_code.unwrap_or(0),
        message: text(t.message.as_deref(), TEXT_CAP),
        finished_at: time(t.finished_at.as_deref()),
    }
}

fn container_status(c: &WireContainerStatus, init: bool) -> ContainerStatus {
    ContainerStatus {
        name: text(c.name.as_deref(), NAME_CAP),
        image: text(c.image.as_deref(), IMAGE_CAP),
        ready: c.ready.unwrap_or(false),
        restarts: count(c.restart_count, 0),
        init,
        state: container_state(c.state.as_ref()),
        last_terminated: c
            .last_state
            .as_ref()
            .and_then(|l| l.terminated.as_ref())
            .map(terminated),
    }
}

impl WireObject for WirePod {
    const RESOURCE: ResourceKind = ResourceKind::Pods;
    fn into_object(self, cluster: &str) -> KubeObject {
        let meta = &self.metadata;
        let mut pod = Pod::new(object_key(cluster, meta));
        pod.uid = text(Some(&meta.uid), NAME_CAP);
        pod.owner = owner(meta);
        pod.labels = pairs(&meta.labels, NAME_CAP);
        pod.created = time(meta.created.as_deref());
        pod.terminating = meta.deleting;
        let spec = self.spec.unwrap_or_default();
        let status = self.status.unwrap_or_default();
        pod.node = text(spec.node_name.as_deref(), NAME_CAP);
        pod.container_names = spec
            .containers
            .iter()
            .flatten()
            .take(LIST_CAP)
            .map(|c| text(c.name.as_deref(), NAME_CAP))
            .collect();
        if let Some(phase) = status.phase.as_deref() {
            pod.phase = clean_line(phase, NAME_CAP);
        }
        pod.reason = text(status.reason.as_deref(), NAME_CAP);
        pod.message = text(status.message.as_deref(), TEXT_CAP);
        pod.unschedulable = status
            .conditions
            .iter()
            .flatten()
            .find(|c| {
                c.type_.as_deref() == Some("PodScheduled") && c.status.as_deref() == Some("False")
            })
            .map(|c| {
                (
                    text(c.reason.as_deref(), NAME_CAP),
                    text(c.message.as_deref(), TEXT_CAP),
                )
            });
        let init = status
            .init_container_statuses
            .iter()
            .flatten()
            .map(|c| (c, true));
        let main = status
            .container_statuses
            .iter()
            .flatten()
            .map(|c| (c, false));
        pod.containers = init
            .chain(main)
            .take(LIST_CAP)
            .map(|(c, init)| container_status(c, init))
            .collect();
        KubeObject::Pod(Arc::new(pod))
    }
    fn namespace_name(&self) -> (String, String) {
        meta_key(&self.metadata)
    }
}

impl WireObject for WireEvent {
    const RESOURCE: ResourceKind = ResourceKind::Events;
    fn into_object(self, cluster: &str) -> KubeObject {
        let involved = self.involved_object.unwrap_or_default();
        let last_seen = time(
            self.series
                .as_ref()
                .and_then(|s| s.last_observed_time.as_deref()),
        )
        .or_else(|| time(self.last_timestamp.as_deref()))
        .or_else(|| time(self.event_time.as_deref()));
        let count = count(self.series.as_ref().and_then(|s| s.count).or(self.count), 1);
        KubeObject::Event(Arc::new(WarningEvent {
            key: object_key(cluster, &self.metadata),
            object_kind: text(involved.kind.as_deref(), NAME_CAP),
            object_name: text(involved.name.as_deref(), NAME_CAP),
            reason: text(self.reason.as_deref(), NAME_CAP),
            message: text(self.message.as_deref(), TEXT_CAP),
            count,
            first_seen: time(self.first_timestamp.as_deref())
                .or_else(|| time(self.event_time.as_deref())),
            last_seen,
        }))
    }
    fn namespace_name(&self) -> (String, String) {
        meta_key(&self.metadata)
    }
}

/// A count as the API states it (`default` when missing), never negative: sums and
/// differences of counts must not overflow or read as nonsense on a hostile answer.
fn count(v: Option<i32>, default: i32) -> i32 {
    v.unwrap_or(default).max(0)
}

#[cfg(test)]
mod tests;
