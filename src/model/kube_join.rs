//! Kubernetes joined to services: each workload's ready-made summary (kubectl's rollout
//! verdict, its unhealthy pods, its latest warning event, its revisions), the service it
//! belongs to and why, and what a service row says about its workloads.
//!
//! Kept incrementally: a batch from a cluster names the namespaces it touched
//! ([`crate::model::kube::KubeDelta`]); only those namespaces are summarized again, each in
//! one pass over its objects (ReplicaSets and pods indexed by owner first), so 10,000 pods
//! are never rescanned for one pod's change. Joins are cheap lookups, redone for every
//! workload only when Argo CD apps or the catalog changed. Rendering reads the summaries.

use crate::catalog::CatalogIndex;
use crate::kube::history::{Revision, deployment_history};
use crate::kube::problems::{PodProblem, ProblemWeight, pod_problem};
use crate::kube::status::{RolloutPhase, RolloutStatus, rollout_status};
use crate::kube::{
    Pod, ReplicaSet, ResourceKind, WarningEvent, Workload, WorkloadKey, WorkloadKind,
};
use crate::model::app::{App, AppKey};
use crate::model::kube::{ClusterObjects, KubeDelta, KubeStore};
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

/// Workload labels naming a service, most specific first. `app.kubernetes.io/part-of` is not
/// one: it names the system several services make up, and would merge their rows.
pub const WORKLOAD_SERVICE_LABELS: [&str; 2] = ["app.kubernetes.io/name", "app"];
/// Argo CD's label-based tracking (the default before 3.0).
pub const ARGO_INSTANCE_LABEL: &str = "argocd.argoproj.io/instance";
/// Argo CD's annotation-based tracking: `<app>:<group>/<kind>:<namespace>/<name>`.
pub const ARGO_TRACKING_ID: &str = "argocd.argoproj.io/tracking-id";
/// Warning events kept per workload (newest first): the detail pane shows the first.
const EVENTS_KEPT: usize = 3;

/// How a workload was joined to its service (the detail pane and `snapshot` say it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JoinedBy {
    /// The workload's `backstage.io/kubernetes-id` label names the component.
    CatalogId,
    /// The component's `backstage.io/kubernetes-label-selector` selects the workload.
    CatalogSelector,
    /// Argo CD reports the workload among the app's resources.
    ArgoResource(AppKey),
    /// Argo CD's tracking label or annotation names the app.
    ArgoTracking(AppKey),
    /// A label of [`WORKLOAD_SERVICE_LABELS`].
    Label(&'static str),
    /// Its name is a service's name.
    Name,
}

impl JoinedBy {
    pub fn describe(&self) -> String {
        match self {
            JoinedBy::CatalogId => format!("workload via label {}", crate::catalog::KUBERNETES_ID),
            JoinedBy::CatalogSelector => {
                format!("workload via {}", crate::catalog::KUBERNETES_SELECTOR)
            }
            JoinedBy::ArgoResource(k) => format!("workload via Argo CD app {k}'s resources"),
            JoinedBy::ArgoTracking(k) => format!("workload via Argo CD tracking of app {k}"),
            JoinedBy::Label(l) => format!("workload via label {l}"),
            JoinedBy::Name => "workload via its name".to_string(),
        }
    }
}

/// One unhealthy pod of a workload.
#[derive(Clone, Debug, PartialEq)]
pub struct PodIssue {
    pub pod: String,
    pub problem: PodProblem,
}

/// A revision of a Deployment, and whether an Argo CD sync already stands for it in the feed.
#[derive(Clone, Debug, PartialEq)]
pub struct KubeRevision {
    pub revision: Revision,
    /// The Argo CD app whose sync created this ReplicaSet (same service, images, within
    /// [`SAME_CHANGE_SECS`]): the feed shows that sync, not this revision a second time.
    pub via_argocd: Option<AppKey>,
}

/// A ReplicaSet created this close to an Argo CD sync of the same service, with the images
/// that app runs, is that sync's doing.
pub const SAME_CHANGE_SECS: i64 = 120;

/// Everything the screens say about one workload, built when its namespace changed.
#[derive(Clone, Debug, PartialEq)]
pub struct WorkloadSummary {
    pub workload: Arc<Workload>,
    pub service: Option<String>,
    pub joined_by: Option<JoinedBy>,
    pub status: RolloutStatus,
    /// Its unhealthy pods, broken first, then by restarts.
    pub problems: Vec<PodIssue>,
    /// Its newest warning events (at most [`EVENTS_KEPT`]) and how many there are.
    pub events: Vec<Arc<WarningEvent>>,
    pub warning_events: usize,
    /// Why its pods are not known ("cannot watch pods in payments", "pods not listed yet"):
    /// never read as "no problems".
    pub pods_unknown: Option<String>,
    /// Deployments: its revisions, newest first.
    pub revisions: Vec<KubeRevision>,
    /// When sitrep saw the current revision take over (it changed while watched): an undo
    /// re-uses an old ReplicaSet, whose creation time says nothing about when it came back.
    pub revision_seen_at: Option<(i64, DateTime<Utc>)>,
}

impl WorkloadSummary {
    pub fn broken(&self) -> usize {
        self.problems
            .iter()
            .filter(|p| p.problem.weight == ProblemWeight::Broken)
            .count()
    }
}

/// What a service row says about its workloads (worst first), built with the row.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct KubeRowState {
    pub workloads: usize,
    pub ready: i32,
    pub desired: i32,
    /// The worst rollout phase among them (Stuck < Paused < Rolling < Complete).
    pub phase: Option<RolloutPhase>,
    pub broken: usize,
    pub degraded: usize,
    /// The reason most of the broken pods share (`CrashLoopBackOff`), else the first's.
    pub reason: Option<String>,
    pub warning_events: usize,
    /// Some workload's pods cannot be seen (RBAC, not listed yet).
    pub pods_unknown: bool,
    /// The clusters its workloads are in (whether their sources are current is asked when
    /// drawing).
    pub clusters: Vec<String>,
}

impl KubeRowState {
    pub fn of<'a>(summaries: impl IntoIterator<Item = &'a WorkloadSummary>) -> KubeRowState {
        let mut s = KubeRowState::default();
        let mut reasons: BTreeMap<&str, usize> = BTreeMap::new();
        for w in summaries {
            s.workloads += 1;
            s.ready = s.ready.saturating_add(w.workload.ready);
            s.desired = s.desired.saturating_add(w.workload.desired);
            s.phase = Some(s.phase.map_or(w.status.phase, |p| p.min(w.status.phase)));
            for p in &w.problems {
                match p.problem.weight {
                    ProblemWeight::Broken => {
                        s.broken += 1;
                        *reasons.entry(p.problem.reason.as_str()).or_default() += 1;
                    }
                    ProblemWeight::Degraded => s.degraded += 1,
                }
            }
            s.warning_events = s.warning_events.saturating_add(w.warning_events);
            s.pods_unknown |= w.pods_unknown.is_some();
            if !s.clusters.contains(&w.workload.key.cluster) {
                s.clusters.push(w.workload.key.cluster.clone());
            }
        }
        s.reason = reasons
            .iter()
            .max_by_key(|(r, n)| (**n, std::cmp::Reverse(*r)))
            .map(|(r, _)| r.to_string());
        s
    }
}

/// The Argo CD side of the join, kept as apps are stored and removed.
#[derive(Clone, Debug, Default)]
pub struct ArgoResources {
    /// `(kind, namespace, name)` of a managed resource → the apps reporting it.
    by_resource: HashMap<(String, String, String), BTreeSet<AppKey>>,
    /// App name → apps of that name (tracking labels name the app only).
    by_name: HashMap<String, BTreeSet<AppKey>>,
    /// What each app reported, to take it back out.
    of_app: HashMap<AppKey, Vec<(String, String, String)>>,
}

impl ArgoResources {
    pub fn note_app(&mut self, app: &App) {
        self.remove(&app.key);
        let keys: Vec<_> = app
            .resources
            .iter()
            .filter(|r| is_workload_kind(&r.kind))
            .map(|r| (r.kind.clone(), r.namespace.clone(), r.name.clone()))
            .collect();
        for k in &keys {
            self.by_resource
                .entry(k.clone())
                .or_default()
                .insert(app.key.clone());
        }
        self.by_name
            .entry(app.key.name.clone())
            .or_default()
            .insert(app.key.clone());
        self.of_app.insert(app.key.clone(), keys);
    }

    pub fn remove(&mut self, key: &AppKey) {
        if let Some(keys) = self.of_app.remove(key) {
            for k in keys {
                if let Some(set) = self.by_resource.get_mut(&k) {
                    set.remove(key);
                    if set.is_empty() {
                        self.by_resource.remove(&k);
                    }
                }
            }
        }
        if let Some(set) = self.by_name.get_mut(&key.name) {
            set.remove(key);
            if set.is_empty() {
                self.by_name.remove(&key.name);
            }
        }
    }

    /// The one app managing `w` (two apps claiming it: neither, no guessed owner).
    fn app_of(&self, w: &Workload) -> Option<JoinedBy> {
        let k = (
            w.key.kind.api_kind().to_string(),
            w.key.namespace.clone(),
            w.key.name.clone(),
        );
        if let Some(set) = self.by_resource.get(&k)
            && let Some(app) = only(set)
        {
            return Some(JoinedBy::ArgoResource(app.clone()));
        }
        let named = |name: &str| self.by_name.get(name).and_then(only).cloned();
        if let Some(app) = w.labels.get(ARGO_INSTANCE_LABEL).and_then(|n| named(n)) {
            return Some(JoinedBy::ArgoTracking(app));
        }
        let tracked = w
            .annotations
            .get(ARGO_TRACKING_ID)
            .and_then(|t| t.split(':').next())
            .filter(|a| !a.is_empty())?;
        // Apps outside Argo CD's namespace are tracked as `<namespace>_<app>`.
        named(tracked)
            .or_else(|| tracked.split_once('_').and_then(|(_, a)| named(a)))
            .map(JoinedBy::ArgoTracking)
    }
}

fn only(set: &BTreeSet<AppKey>) -> Option<&AppKey> {
    let mut it = set.iter();
    match (it.next(), it.next()) {
        (Some(one), None) => Some(one),
        _ => None,
    }
}

fn is_workload_kind(kind: &str) -> bool {
    matches!(kind, "Deployment" | "StatefulSet" | "DaemonSet" | "Rollout")
}

/// What the join reads besides the workload.
pub struct JoinContext<'a> {
    pub catalog: &'a CatalogIndex,
    pub argo: &'a ArgoResources,
    /// The service an Argo CD app is joined to.
    pub service_of_app: &'a dyn Fn(&AppKey) -> Option<String>,
    /// Does a service of this name exist (alerts, apps or a catalog component)?
    pub service_exists: &'a dyn Fn(&str) -> bool,
}

/// The service `w` belongs to and why: the catalog, then Argo CD, then its labels, then its
/// name if a service has it. `None`: it belongs to no service (still shown on the Kubernetes
/// screen and in `snapshot`).
pub fn join_workload(w: &Workload, cx: &JoinContext) -> Option<(String, JoinedBy)> {
    let ns = w.key.namespace.as_str();
    if !cx.catalog.components().is_empty() {
        if let Some(id) = w.labels.get(crate::catalog::KUBERNETES_ID)
            && let Some(s) = cx.catalog.service_by_kubernetes_id(id, ns)
        {
            return Some((s.to_string(), JoinedBy::CatalogId));
        }
        if let Some(s) = cx.catalog.service_selecting_workload(&w.labels, ns) {
            return Some((s.to_string(), JoinedBy::CatalogSelector));
        }
    }
    if let Some(by) = cx.argo.app_of(w) {
        let app = match &by {
            JoinedBy::ArgoResource(k) | JoinedBy::ArgoTracking(k) => k,
            _ => unreachable!("app_of joins through apps only"),
        };
        if let Some(s) = (cx.service_of_app)(app) {
            return Some((s, by));
        }
    }
    for label in WORKLOAD_SERVICE_LABELS {
        if let Some(v) = w.labels.get(label).filter(|v| !v.is_empty()) {
            let service = cx
                .catalog
                .component(v)
                .map_or_else(|| v.clone(), |c| c.service.clone());
            return Some((service, JoinedBy::Label(label)));
        }
    }
    (cx.service_exists)(&w.key.name).then(|| (w.key.name.clone(), JoinedBy::Name))
}

/// Every workload's summary and each service's workloads.
#[derive(Clone, Debug, Default)]
pub struct KubeIndex {
    workloads: BTreeMap<WorkloadKey, Arc<WorkloadSummary>>,
    by_service: HashMap<String, BTreeSet<WorkloadKey>>,
    pub argo: ArgoResources,
    /// Noted since the last re-derive.
    pending: KubeDelta,
    /// Joins must be redone for every workload (apps or the catalog changed).
    pub(crate) rejoin: bool,
    /// Namespaces summarized since start: tests assert a change re-derives only its own.
    pub namespaces_summarized: u64,
}

impl KubeIndex {
    pub fn note(&mut self, delta: KubeDelta) {
        self.pending.extend(delta);
    }

    pub fn has_pending(&self) -> bool {
        !self.pending.is_empty() || self.rejoin
    }

    pub fn take_pending(&mut self) -> KubeDelta {
        std::mem::take(&mut self.pending)
    }

    pub fn summary(&self, key: &WorkloadKey) -> Option<&Arc<WorkloadSummary>> {
        self.workloads.get(key)
    }

    /// Every workload's summary, by cluster, namespace, kind, name.
    pub fn summaries(&self) -> impl Iterator<Item = &Arc<WorkloadSummary>> {
        self.workloads.values()
    }

    /// A service's workloads, in key order.
    pub fn of_service<'a>(
        &'a self,
        service: &str,
    ) -> impl Iterator<Item = &'a Arc<WorkloadSummary>> + 'a {
        self.by_service
            .get(service)
            .into_iter()
            .flatten()
            .filter_map(|k| self.workloads.get(k))
    }

    pub fn services(&self) -> impl Iterator<Item = &String> {
        self.by_service.keys()
    }

    /// The workload keys of `(cluster, namespace)` now in the index.
    fn keys_in(&self, cluster: &str, namespace: &str) -> Vec<WorkloadKey> {
        let start = WorkloadKey {
            cluster: cluster.to_string(),
            namespace: namespace.to_string(),
            kind: WorkloadKind::Deployment,
            name: String::new(),
        };
        self.workloads
            .range(start..)
            .take_while(|(k, _)| k.cluster == cluster && k.namespace == namespace)
            .map(|(k, _)| k.clone())
            .collect()
    }

    /// Put `summary` in (or take `key` out when `None`); returns the service it was under.
    pub fn replace(
        &mut self,
        key: &WorkloadKey,
        summary: Option<WorkloadSummary>,
    ) -> Option<String> {
        let old = self.workloads.remove(key).and_then(|s| s.service.clone());
        if let Some(old) = &old
            && let Some(set) = self.by_service.get_mut(old)
        {
            set.remove(key);
            if set.is_empty() {
                self.by_service.remove(old);
            }
        }
        if let Some(s) = summary {
            if let Some(service) = &s.service {
                self.by_service
                    .entry(service.clone())
                    .or_default()
                    .insert(key.clone());
            }
            self.workloads.insert(key.clone(), Arc::new(s));
        }
        old
    }

    /// The `(cluster, namespace)`s a delta calls for: the named ones, and for a cluster-wide
    /// change every namespace the cluster holds or held.
    pub fn scope(&self, store: &KubeStore, delta: &KubeDelta) -> BTreeSet<(String, String)> {
        let mut out = delta.namespaces.clone();
        for cluster in &delta.clusters {
            if let Some(c) = store.clusters.get(cluster) {
                out.extend(namespaces_of(c).map(|ns| (cluster.clone(), ns)));
            }
            out.extend(
                self.workloads
                    .keys()
                    .filter(|k| &k.cluster == cluster)
                    .map(|k| (k.cluster.clone(), k.namespace.clone())),
            );
        }
        out
    }

    /// Summarize `(cluster, namespace)` again (joins left to the caller: `service` is `None`).
    /// Returns the keys that were there before and the fresh summaries.
    pub fn summarize(
        &mut self,
        store: &KubeStore,
        cluster: &str,
        namespace: &str,
    ) -> (Vec<WorkloadKey>, Vec<WorkloadSummary>) {
        self.namespaces_summarized += 1;
        let before = self.keys_in(cluster, namespace);
        let fresh = store
            .clusters
            .get(cluster)
            .map(|c| summarize_namespace(c, cluster, namespace, None))
            .unwrap_or_default();
        (before, fresh)
    }

    /// The single workloads a delta names outside the namespaces `scope` summarises whole,
    /// by namespace.
    pub fn pinned(
        delta: &KubeDelta,
        scope: &BTreeSet<(String, String)>,
    ) -> BTreeMap<(String, String), BTreeSet<WorkloadKey>> {
        let mut out: BTreeMap<(String, String), BTreeSet<WorkloadKey>> = BTreeMap::new();
        for key in &delta.workloads {
            let ns = (key.cluster.clone(), key.namespace.clone());
            if !scope.contains(&ns) {
                out.entry(ns).or_default().insert(key.clone());
            }
        }
        out
    }

    /// Summarise only `keys` of `(cluster, namespace)` again: a pod's restart re-derives its
    /// workload, not the fifty beside it. Returns those of `keys` held before and the fresh
    /// summaries of those that still exist.
    pub fn summarize_some(
        &mut self,
        store: &KubeStore,
        cluster: &str,
        namespace: &str,
        keys: &BTreeSet<WorkloadKey>,
    ) -> (Vec<WorkloadKey>, Vec<WorkloadSummary>) {
        let before = keys
            .iter()
            .filter(|k| self.workloads.contains_key(*k))
            .cloned()
            .collect();
        let fresh = store
            .clusters
            .get(cluster)
            .map(|c| summarize_namespace(c, cluster, namespace, Some(keys)))
            .unwrap_or_default();
        (before, fresh)
    }
}

/// Every namespace a cluster's objects are in.
fn namespaces_of(c: &ClusterObjects) -> impl Iterator<Item = String> + '_ {
    let mut set: BTreeSet<&str> = BTreeSet::new();
    set.extend(c.workloads.keys().map(|k| k.namespace.as_str()));
    set.extend(c.replica_sets.keys().map(|(ns, _)| ns.as_str()));
    set.extend(c.pods.keys().map(|(ns, _)| ns.as_str()));
    set.extend(c.events.keys().map(|(ns, _)| ns.as_str()));
    set.into_iter().map(str::to_string)
}

/// What a cluster cannot show, resource by resource: refused by RBAC (the reason as the
/// watcher said it) or never listed yet. Argo Rollouts not served (no CRD) is not a gap.
/// `(resource, namespace scope, why)`.
pub fn unknown_scopes(c: Option<&ClusterObjects>) -> Vec<(ResourceKind, Option<String>, String)> {
    let Some(c) = c else {
        return vec![(
            ResourceKind::Deployments,
            None,
            "nothing listed from this cluster yet".to_string(),
        )];
    };
    let mut out: Vec<_> = c
        .unavailable
        .iter()
        .filter(|(_, why)| !why.is_empty())
        .map(|((r, ns), why)| (*r, ns.clone(), why.clone()))
        .collect();
    for r in ResourceKind::ALL {
        let refused = c.unavailable.keys().any(|(u, _)| *u == r);
        if !refused && !c.synced.iter().any(|(s, _)| *s == r) {
            out.push((r, None, format!("{} not listed yet", r.plural())));
        }
    }
    out
}

/// Why a service's workloads may be missing from what the cluster shows: its Deployments,
/// StatefulSets or DaemonSets were refused or not listed yet.
pub fn workloads_unknown(c: Option<&ClusterObjects>) -> Option<String> {
    unknown_scopes(c)
        .into_iter()
        .find(|(r, _, _)| r.workload_kind().is_some() && *r != ResourceKind::Rollouts)
        .map(|(_, _, why)| why)
}

/// Why `resource` in `namespace` is not known, if it is not (refused, or not listed yet).
pub fn resource_unknown(
    c: &ClusterObjects,
    resource: ResourceKind,
    namespace: &str,
) -> Option<String> {
    let all = (resource, None);
    let here = (resource, Some(namespace.to_string()));
    if let Some(why) = c.unavailable.get(&here).or_else(|| c.unavailable.get(&all)) {
        return Some(if why.is_empty() {
            format!("cannot watch {} in {namespace}", resource.plural())
        } else {
            why.clone()
        });
    }
    (!c.synced.contains(&all) && !c.synced.contains(&here))
        .then(|| format!("{} not listed yet", resource.plural()))
}

/// Why the pods of a workload of `kind` in `namespace` are not known, if they are not: its
/// pods, or — for a Deployment or Rollout, whose pods are found through them — its
/// ReplicaSets. Never "no pods" when they could not be seen.
fn pods_unknown(c: &ClusterObjects, kind: WorkloadKind, namespace: &str) -> Option<String> {
    resource_unknown(c, ResourceKind::Pods, namespace).or_else(|| match kind {
        WorkloadKind::Deployment | WorkloadKind::Rollout => {
            resource_unknown(c, ResourceKind::ReplicaSets, namespace)
                .map(|why| format!("pods unknown: {why}"))
        }
        _ => None,
    })
}

/// One pass over a namespace: its ReplicaSets, pods and events indexed by owner/object name,
/// then each workload's summary from lookups.
pub fn summarize_namespace(
    c: &ClusterObjects,
    cluster: &str,
    namespace: &str,
    only: Option<&BTreeSet<WorkloadKey>>,
) -> Vec<WorkloadSummary> {
    let start = WorkloadKey {
        cluster: cluster.to_string(),
        namespace: namespace.to_string(),
        kind: WorkloadKind::Deployment,
        name: String::new(),
    };
    let workloads: Vec<&Arc<Workload>> = c
        .workloads
        .range(start..)
        .take_while(|(k, _)| k.namespace == namespace)
        .filter(|(k, _)| only.is_none_or(|keys| keys.contains(*k)))
        .map(|(_, w)| w)
        .collect();
    if workloads.is_empty() {
        return Vec::new();
    }
    let mut rs_by_owner: HashMap<(&str, &str), Vec<&ReplicaSet>> = HashMap::new();
    for rs in c.replica_sets_in(namespace) {
        if let Some(o) = &rs.owner {
            rs_by_owner
                .entry((o.kind.as_str(), o.name.as_str()))
                .or_default()
                .push(rs);
        }
    }
    let mut pods_by_owner: HashMap<&str, Vec<&Arc<Pod>>> = HashMap::new();
    let mut unowned: Vec<&Arc<Pod>> = Vec::new();
    for p in c.pods_in(namespace) {
        match &p.owner {
            Some(o) => pods_by_owner.entry(o.name.as_str()).or_default().push(p),
            None => unowned.push(p),
        }
    }
    let mut events_by_object: HashMap<&str, Vec<&Arc<WarningEvent>>> = HashMap::new();
    for e in c.events_in(namespace) {
        events_by_object
            .entry(e.object_name.as_str())
            .or_default()
            .push(e);
    }
    workloads
        .into_iter()
        .map(|w| {
            let unknown = pods_unknown(c, w.key.kind, namespace);
            let owned_rs: &[&ReplicaSet] = rs_by_owner
                .get(&(w.key.kind.api_kind(), w.key.name.as_str()))
                .map_or(&[], Vec::as_slice);
            let owner_names: Vec<&str> = match w.key.kind {
                WorkloadKind::Deployment | WorkloadKind::Rollout => {
                    owned_rs.iter().map(|r| r.key.name.as_str()).collect()
                }
                _ => vec![w.key.name.as_str()],
            };
            let pods: Vec<&Arc<Pod>> = owner_names
                .iter()
                .filter_map(|n| pods_by_owner.get(n))
                .flatten()
                .copied()
                .chain(
                    unowned
                        .iter()
                        .filter(|p| w.selector.matches(&p.labels))
                        .copied(),
                )
                .collect();
            let mut problems: Vec<PodIssue> = if unknown.is_some() {
                Vec::new()
            } else {
                pods.iter()
                    .filter_map(|p| {
                        pod_problem(p).map(|problem| PodIssue {
                            pod: p.key.name.clone(),
                            problem,
                        })
                    })
                    .collect()
            };
            problems.sort_by(|a, b| {
                (
                    a.problem.weight,
                    std::cmp::Reverse(a.problem.restarts),
                    &a.pod,
                )
                    .cmp(&(
                        b.problem.weight,
                        std::cmp::Reverse(b.problem.restarts),
                        &b.pod,
                    ))
            });
            let mut events: Vec<&Arc<WarningEvent>> = owner_names
                .iter()
                .copied()
                .chain(std::iter::once(w.key.name.as_str()))
                .chain(pods.iter().map(|p| p.key.name.as_str()))
                .collect::<BTreeSet<&str>>()
                .into_iter()
                .filter_map(|n| events_by_object.get(n))
                .flatten()
                .copied()
                .collect();
            events.sort_by(|a, b| {
                b.last_seen
                    .cmp(&a.last_seen)
                    .then_with(|| a.key.name.cmp(&b.key.name))
            });
            let warning_events = events.len();
            let revisions = if w.key.kind == WorkloadKind::Deployment {
                deployment_history(w, owned_rs.iter().copied())
                    .into_iter()
                    .map(|revision| KubeRevision {
                        revision,
                        via_argocd: None,
                    })
                    .collect()
            } else {
                Vec::new()
            };
            WorkloadSummary {
                workload: Arc::clone(w),
                service: None,
                joined_by: None,
                status: rollout_status(w),
                problems,
                events: events.into_iter().take(EVENTS_KEPT).cloned().collect(),
                warning_events,
                pods_unknown: unknown.clone(),
                revisions,
                revision_seen_at: None,
            }
        })
        .collect()
}
