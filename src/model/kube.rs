//! Every cluster's objects as its watchers last reported them: the store `update` keeps from
//! `SourcePayload::Kube` batches, and the lookups the joins and screens need (a workload's
//! pods, its revisions). Derived views (which service a workload belongs to, its rollout
//! verdict, its pods' problems) are built from here when a batch changed something, never
//! while drawing.

use crate::kube::{
    KubeChange, KubeObject, KubePayload, Pod, ReplicaSet, ResourceKind, WarningEvent, Workload,
    WorkloadKey, WorkloadKind,
};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

/// `(namespace, name)`: how objects are keyed within one cluster.
pub type NsName = (String, String);

/// One cluster's objects.
#[derive(Clone, Debug, Default)]
pub struct ClusterObjects {
    pub workloads: BTreeMap<WorkloadKey, Arc<Workload>>,
    pub replica_sets: BTreeMap<NsName, Arc<ReplicaSet>>,
    pub pods: BTreeMap<NsName, Arc<Pod>>,
    pub events: BTreeMap<NsName, Arc<WarningEvent>>,
    /// What cannot be watched, by resource and namespace (`None`: all namespaces), with why
    /// ("cannot watch pods in payments"; empty: not served, e.g. no Argo Rollouts CRD).
    pub unavailable: BTreeMap<(ResourceKind, Option<String>), String>,
    /// The resources (and namespace scopes) that have had their first complete list.
    pub synced: BTreeSet<(ResourceKind, Option<String>)>,
}

impl ClusterObjects {
    /// The ReplicaSets, pods and events of `namespace` (ranges of the sorted maps).
    fn in_namespace<'a, T>(
        map: &'a BTreeMap<NsName, T>,
        namespace: &str,
    ) -> impl Iterator<Item = &'a T> + 'a {
        let start = (namespace.to_string(), String::new());
        let ns = namespace.to_string();
        map.range(start..)
            .take_while(move |((n, _), _)| *n == ns)
            .map(|(_, v)| v)
    }

    pub fn replica_sets_in<'a>(
        &'a self,
        namespace: &str,
    ) -> impl Iterator<Item = &'a Arc<ReplicaSet>> + 'a {
        Self::in_namespace(&self.replica_sets, namespace)
    }
    pub fn pods_in<'a>(&'a self, namespace: &str) -> impl Iterator<Item = &'a Arc<Pod>> + 'a {
        Self::in_namespace(&self.pods, namespace)
    }
    pub fn events_in<'a>(
        &'a self,
        namespace: &str,
    ) -> impl Iterator<Item = &'a Arc<WarningEvent>> + 'a {
        Self::in_namespace(&self.events, namespace)
    }

    /// The pods `w` runs: through its ReplicaSets (Deployment), owned by it directly
    /// (StatefulSet, DaemonSet; Rollouts own ReplicaSets too), else selected by it.
    pub fn pods_of(&self, w: &Workload) -> Vec<Arc<Pod>> {
        let ns = &w.key.namespace;
        let owners: BTreeSet<&str> = match w.key.kind {
            WorkloadKind::Deployment | WorkloadKind::Rollout => self
                .replica_sets_in(ns)
                .filter(|rs| {
                    rs.owner
                        .as_ref()
                        .is_some_and(|o| o.kind == w.key.kind.api_kind() && o.name == w.key.name)
                })
                .map(|rs| rs.key.name.as_str())
                .collect(),
            WorkloadKind::StatefulSet | WorkloadKind::DaemonSet => {
                std::iter::once(w.key.name.as_str()).collect()
            }
        };
        self.pods_in(ns)
            .filter(|p| match &p.owner {
                Some(o) => owners.contains(o.name.as_str()),
                None => w.selector.matches(&p.labels),
            })
            .cloned()
            .collect()
    }

    /// The warning events about `w`, its ReplicaSets or its pods (newest first).
    pub fn events_of(&self, w: &Workload, pods: &[Arc<Pod>]) -> Vec<Arc<WarningEvent>> {
        let names: BTreeSet<&str> = pods
            .iter()
            .map(|p| p.key.name.as_str())
            .chain(std::iter::once(w.key.name.as_str()))
            .collect();
        let mut out: Vec<_> = self
            .events_in(&w.key.namespace)
            .filter(|e| {
                names.contains(e.object_name.as_str())
                    || (e.object_kind == "ReplicaSet"
                        && e.object_name.starts_with(&format!("{}-", w.key.name)))
            })
            .cloned()
            .collect();
        out.sort_by_key(|e| std::cmp::Reverse(e.last_seen));
        out
    }
}

/// What a batch changed, for incremental re-derivation: the workloads a pod, ReplicaSet or
/// event change belongs to (found through owner references), and the `(cluster, namespace)`s
/// whose changes could not be pinned to one workload (a relist, an unowned pod, a new
/// ReplicaSet that may adopt pods seen before it).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct KubeDelta {
    pub namespaces: BTreeSet<(String, String)>,
    /// A whole cluster's scope changed (a cluster-wide Reset or Unavailable).
    pub clusters: BTreeSet<String>,
    /// Single workloads whose pods, ReplicaSets, events or own object changed.
    pub workloads: BTreeSet<WorkloadKey>,
}

impl KubeDelta {
    pub fn is_empty(&self) -> bool {
        self.namespaces.is_empty() && self.clusters.is_empty() && self.workloads.is_empty()
    }

    /// Merge `other` in.
    pub fn extend(&mut self, other: KubeDelta) {
        self.namespaces.extend(other.namespaces);
        self.clusters.extend(other.clusters);
        self.workloads.extend(other.workloads);
    }
}

/// The workload an owner reference leads to: a StatefulSet or DaemonSet directly, a
/// ReplicaSet through its own owner (a Deployment or an Argo Rollout).
fn owner_workload(
    objects: &ClusterObjects,
    cluster: &str,
    namespace: &str,
    owner: &crate::kube::OwnerRef,
) -> Option<WorkloadKey> {
    let key = |kind, name: &str| WorkloadKey {
        cluster: cluster.to_string(),
        namespace: namespace.to_string(),
        kind,
        name: name.to_string(),
    };
    match owner.kind.as_str() {
        "StatefulSet" => Some(key(WorkloadKind::StatefulSet, &owner.name)),
        "DaemonSet" => Some(key(WorkloadKind::DaemonSet, &owner.name)),
        "Deployment" => Some(key(WorkloadKind::Deployment, &owner.name)),
        "Rollout" => Some(key(WorkloadKind::Rollout, &owner.name)),
        "ReplicaSet" => {
            let rs = objects
                .replica_sets
                .get(&(namespace.to_string(), owner.name.clone()))?;
            let o = rs.owner.as_ref()?;
            match o.kind.as_str() {
                "Deployment" => Some(key(WorkloadKind::Deployment, &o.name)),
                "Rollout" => Some(key(WorkloadKind::Rollout, &o.name)),
                _ => None,
            }
        }
        _ => None,
    }
}

/// Mark what a change of `obj` (as stored now, before the change) touches.
fn mark(objects: &ClusterObjects, cluster: &str, obj: &KubeObject, delta: &mut KubeDelta) {
    let (ns, name) = obj.namespace_name();
    let whole_namespace = |delta: &mut KubeDelta| {
        delta
            .namespaces
            .insert((cluster.to_string(), ns.to_string()));
    };
    let pinned = match obj {
        KubeObject::Workload(w) => Some(WorkloadKey {
            cluster: cluster.to_string(),
            ..w.key.clone()
        }),
        KubeObject::ReplicaSet(r) => {
            // A ReplicaSet seen for the first time may own pods listed before it.
            let known = objects
                .replica_sets
                .contains_key(&(ns.to_string(), name.to_string()));
            r.owner
                .as_ref()
                .filter(|_| known)
                .and_then(|o| owner_workload(objects, cluster, ns, o))
        }
        KubeObject::Pod(p) => p
            .owner
            .as_ref()
            .and_then(|o| owner_workload(objects, cluster, ns, o)),
        KubeObject::Event(e) => match e.object_kind.as_str() {
            "Pod" => objects
                .pods
                .get(&(ns.to_string(), e.object_name.clone()))
                .and_then(|p| p.owner.as_ref())
                .and_then(|o| owner_workload(objects, cluster, ns, o)),
            kind => owner_workload(
                objects,
                cluster,
                ns,
                &crate::kube::OwnerRef {
                    kind: kind.to_string(),
                    name: e.object_name.clone(),
                    uid: String::new(),
                },
            ),
        },
    };
    match pinned {
        Some(key) => {
            delta.workloads.insert(key);
        }
        None => whole_namespace(delta),
    }
}

/// The stored object a Delete removes, to mark what it touched.
fn stored(objects: &ClusterObjects, resource: ResourceKind, key: &NsName) -> Option<KubeObject> {
    match resource {
        ResourceKind::ReplicaSets => objects
            .replica_sets
            .get(key)
            .cloned()
            .map(KubeObject::ReplicaSet),
        ResourceKind::Pods => objects.pods.get(key).cloned().map(KubeObject::Pod),
        ResourceKind::Events => objects.events.get(key).cloned().map(KubeObject::Event),
        _ => None,
    }
}

/// Every cluster's objects, by cluster (source) name.
#[derive(Clone, Debug, Default)]
pub struct KubeStore {
    pub clusters: BTreeMap<String, ClusterObjects>,
}

fn kind_matches(resource: ResourceKind, obj: &KubeObject) -> bool {
    match obj {
        KubeObject::Workload(w) => resource.workload_kind() == Some(w.key.kind),
        KubeObject::ReplicaSet(_) => resource == ResourceKind::ReplicaSets,
        KubeObject::Pod(_) => resource == ResourceKind::Pods,
        KubeObject::Event(_) => resource == ResourceKind::Events,
    }
}

impl KubeStore {
    /// Apply one cluster's batch. Objects are stored under `cluster` whatever their keys say
    /// (a source can only speak for itself).
    pub fn apply(&mut self, cluster: &str, payload: KubePayload) -> KubeDelta {
        let mut delta = KubeDelta::default();
        let objects = self.clusters.entry(cluster.to_string()).or_default();
        for change in payload.changes {
            match change {
                KubeChange::Reset {
                    resource,
                    namespace,
                    objects: list,
                } => {
                    remove_scope(objects, resource, namespace.as_deref());
                    objects.unavailable.remove(&(resource, namespace.clone()));
                    objects.synced.insert((resource, namespace.clone()));
                    match &namespace {
                        Some(ns) => {
                            delta.namespaces.insert((cluster.to_string(), ns.clone()));
                        }
                        None => {
                            delta.clusters.insert(cluster.to_string());
                        }
                    }
                    for obj in list.into_iter().filter(|o| kind_matches(resource, o)) {
                        if let Some(ns) = &namespace
                            && obj.namespace_name().0 != ns
                        {
                            continue;
                        }
                        insert(objects, cluster, obj);
                    }
                }
                KubeChange::Apply(obj) => {
                    // What it belonged to before (an owner can change) and after.
                    let key = (
                        obj.namespace_name().0.to_string(),
                        obj.namespace_name().1.to_string(),
                    );
                    let resource = match &obj {
                        KubeObject::Pod(_) => Some(ResourceKind::Pods),
                        KubeObject::ReplicaSet(_) => Some(ResourceKind::ReplicaSets),
                        KubeObject::Event(_) => Some(ResourceKind::Events),
                        KubeObject::Workload(_) => None,
                    };
                    if let Some(old) = resource.and_then(|r| stored(objects, r, &key)) {
                        mark(objects, cluster, &old, &mut delta);
                    }
                    mark(objects, cluster, &obj, &mut delta);
                    insert(objects, cluster, obj);
                }
                KubeChange::Delete {
                    resource,
                    namespace,
                    name,
                } => {
                    let key = (namespace.clone(), name.clone());
                    match stored(objects, resource, &key) {
                        Some(old) => mark(objects, cluster, &old, &mut delta),
                        None => {
                            if let Some(kind) = resource.workload_kind() {
                                delta.workloads.insert(WorkloadKey {
                                    cluster: cluster.to_string(),
                                    namespace: namespace.clone(),
                                    kind,
                                    name: name.clone(),
                                });
                            }
                        }
                    }
                    match resource {
                        ResourceKind::ReplicaSets => {
                            objects.replica_sets.remove(&key);
                        }
                        ResourceKind::Pods => {
                            objects.pods.remove(&key);
                        }
                        ResourceKind::Events => {
                            objects.events.remove(&key);
                        }
                        _ => {
                            if let Some(kind) = resource.workload_kind() {
                                objects.workloads.remove(&WorkloadKey {
                                    cluster: cluster.to_string(),
                                    namespace: namespace.clone(),
                                    kind,
                                    name,
                                });
                            }
                        }
                    }
                }
                KubeChange::Unavailable {
                    resource,
                    namespace,
                    reason,
                } => {
                    remove_scope(objects, resource, namespace.as_deref());
                    objects.synced.remove(&(resource, namespace.clone()));
                    objects
                        .unavailable
                        .insert((resource, namespace.clone()), reason);
                    match namespace {
                        Some(ns) => {
                            delta.namespaces.insert((cluster.to_string(), ns));
                        }
                        None => {
                            delta.clusters.insert(cluster.to_string());
                        }
                    }
                }
            }
        }
        delta
    }

    /// Forget a cluster (its source was removed).
    pub fn remove_cluster(&mut self, cluster: &str) -> bool {
        self.clusters.remove(cluster).is_some()
    }

    /// Every workload of every cluster.
    pub fn workloads(&self) -> impl Iterator<Item = &Arc<Workload>> {
        self.clusters.values().flat_map(|c| c.workloads.values())
    }

    pub fn workload(&self, key: &WorkloadKey) -> Option<&Arc<Workload>> {
        self.clusters.get(&key.cluster)?.workloads.get(key)
    }
}

/// Drop what `resource` held in `namespace` (all namespaces when `None`).
fn remove_scope(objects: &mut ClusterObjects, resource: ResourceKind, namespace: Option<&str>) {
    let in_scope = |ns: &str| namespace.is_none_or(|n| n == ns);
    match resource {
        ResourceKind::ReplicaSets => objects.replica_sets.retain(|(ns, _), _| !in_scope(ns)),
        ResourceKind::Pods => objects.pods.retain(|(ns, _), _| !in_scope(ns)),
        ResourceKind::Events => objects.events.retain(|(ns, _), _| !in_scope(ns)),
        _ => {
            let kind = resource.workload_kind();
            objects
                .workloads
                .retain(|k, _| Some(k.kind) != kind || !in_scope(&k.namespace));
        }
    }
}

fn insert(objects: &mut ClusterObjects, cluster: &str, obj: KubeObject) {
    match obj {
        KubeObject::Workload(mut w) => {
            if w.key.cluster != cluster {
                Arc::make_mut(&mut w).key.cluster = cluster.to_string();
            }
            objects.workloads.insert(w.key.clone(), w);
        }
        KubeObject::ReplicaSet(mut r) => {
            if r.key.cluster != cluster {
                Arc::make_mut(&mut r).key.cluster = cluster.to_string();
            }
            objects
                .replica_sets
                .insert((r.key.namespace.clone(), r.key.name.clone()), r);
        }
        KubeObject::Pod(mut p) => {
            if p.key.cluster != cluster {
                Arc::make_mut(&mut p).key.cluster = cluster.to_string();
            }
            objects
                .pods
                .insert((p.key.namespace.clone(), p.key.name.clone()), p);
        }
        KubeObject::Event(mut e) => {
            if e.key.cluster != cluster {
                Arc::make_mut(&mut e).key.cluster = cluster.to_string();
            }
            objects
                .events
                .insert((e.key.namespace.clone(), e.key.name.clone()), e);
        }
    }
}

#[cfg(test)]
mod tests;
