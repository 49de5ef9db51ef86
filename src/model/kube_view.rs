//! The Kubernetes screen's state: which cluster and namespace it shows, which pane has the
//! keyboard, the workload it is drilled into, and its rows — derived from the store when the
//! store (or the filter) changes, never while drawing — and the actions still in flight. Its
//! popups' state is in `kube_popups`.

use super::Model;
use super::app::AppKey;
use super::source::SourceKind;
use super::text_match::TextQuery;
use super::ui::{Cursor, Screen};
use crate::kube::problems::{PodProblem, ProblemWeight, pod_problem};
use crate::kube::status::{RolloutStatus, rollout_status};
use crate::kube::{KubeAction, Pod, WarningEvent, Workload, WorkloadKey, WorkloadKind};
use std::collections::{BTreeMap, HashMap};

pub use super::kube_argo::{ArgoOwner, argo_app_of, argo_owner};
use std::sync::Arc;

/// Lines asked of the API per log read.
pub const LOG_TAIL_LINES: u32 = 500;
/// Longest log line kept (the client already caps; this is the view's own bound).
pub const LOG_LINE_MAX: usize = 4096;
/// While following, the tail is read again this often.
pub const FOLLOW_EVERY_SECS: i64 = 2;

/// Which list of the Kubernetes screen has the keyboard.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum KubePane {
    #[default]
    Workloads,
    Pods,
    Events,
}

impl KubePane {
    pub fn next(self) -> KubePane {
        match self {
            KubePane::Workloads => KubePane::Pods,
            KubePane::Pods => KubePane::Events,
            KubePane::Events => KubePane::Workloads,
        }
    }
}

/// A workload row: the object, kubectl's verdict on it, whose it is.
#[derive(Clone, Debug)]
pub struct WorkloadRow {
    pub workload: Arc<Workload>,
    pub status: RolloutStatus,
    /// The service it belongs to: the triage join's answer (so the screens agree).
    pub service: Option<String>,
    /// Argo CD's hand on it, as the action popup will say it (`None`: not managed).
    pub argo: Option<ArgoOwner>,
    /// Its pods that cannot serve.
    pub broken_pods: usize,
    /// The pod to read logs of for it: the worst one (broken first, most restarts).
    pub worst_pod: Option<Arc<Pod>>,
}

/// A pod row with what is wrong with it.
#[derive(Clone, Debug)]
pub struct PodRow {
    pub pod: Arc<Pod>,
    pub problem: Option<PodProblem>,
}

impl PodRow {
    /// kubectl's STATUS word: the problem's, else the phase (Terminating when deleting).
    pub fn status_word(&self) -> &str {
        match &self.problem {
            Some(p) => &p.reason,
            None if self.pod.terminating => "Terminating",
            None => &self.pod.phase,
        }
    }
}

/// A mutation sent to a cluster and not answered yet.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KubePending {
    pub target: WorkloadKey,
    pub action: KubeAction,
    pub dry_run: bool,
}

/// The Kubernetes screen.
#[derive(Clone, Debug, Default)]
pub struct KubeScreen {
    /// The cluster shown (`None`: the first one).
    pub cluster: Option<String>,
    /// `:ns NAME`: only this namespace.
    pub namespace: Option<String>,
    pub pane: KubePane,
    /// Enter on a workload: the Pods and Events panes show only its pods and events.
    pub drilled: Option<WorkloadKey>,
    pub workloads: Vec<WorkloadRow>,
    pub pods: Vec<PodRow>,
    pub events: Vec<Arc<WarningEvent>>,
    /// Pods of `pods` that cannot serve (counted when the rows are built, for the tab).
    pub broken_pods: usize,
    pub workloads_cursor: Cursor,
    pub pods_cursor: Cursor,
    pub events_cursor: Cursor,
    /// The store changed since the rows were built: rebuilt when the screen is shown.
    pub stale: bool,
    /// Kubernetes actions sent and not answered, by request id: a second press does nothing.
    pub in_flight: BTreeMap<u64, KubePending>,
}

impl KubeScreen {
    /// The cursor of the pane that has the keyboard and that pane's length.
    pub fn list(&mut self) -> (&mut Cursor, usize) {
        match self.pane {
            KubePane::Workloads => (&mut self.workloads_cursor, self.workloads.len()),
            KubePane::Pods => (&mut self.pods_cursor, self.pods.len()),
            KubePane::Events => (&mut self.events_cursor, self.events.len()),
        }
    }

    pub fn selected_workload(&self) -> Option<&WorkloadRow> {
        self.workloads.get(self.workloads_cursor.selected)
    }

    pub fn selected_pod(&self) -> Option<&PodRow> {
        self.pods.get(self.pods_cursor.selected)
    }

    /// A request for this workload is still in flight.
    pub fn busy(&self, target: &WorkloadKey) -> bool {
        self.in_flight.values().any(|p| p.target == *target)
    }
}

/// Every cluster sitrep knows: the Kubernetes sources in config order, then any the store has
/// that no source names (a test, a removed source).
pub fn clusters(model: &Model) -> Vec<String> {
    let mut out: Vec<String> = model
        .sources
        .iter()
        .filter(|s| s.kind == SourceKind::Kube)
        .map(|s| s.name.clone())
        .collect();
    for name in model.kube.clusters.keys() {
        if !out.contains(name) {
            out.push(name.clone());
        }
    }
    out
}

/// The cluster the screen shows: the chosen one if it still exists, else the first.
pub fn current_cluster(model: &Model) -> Option<String> {
    let all = clusters(model);
    match &model.kube_screen.cluster {
        Some(c) if all.contains(c) => Some(c.clone()),
        _ => all.into_iter().next(),
    }
}

/// A `/` filter on this screen: `ns=NAME` / `namespace=NAME`, `kind=Deployment`, and text.
struct KubeFilter {
    namespace: Option<String>,
    kind: Option<String>,
    text: TextQuery,
}

impl KubeFilter {
    fn parse(text: &str) -> KubeFilter {
        let (mut namespace, mut kind, mut words) = (None, None, Vec::new());
        for word in text.split_whitespace() {
            match word.split_once('=') {
                Some(("ns" | "namespace", v)) => namespace = Some(v.trim_matches('"').to_string()),
                Some(("kind", v)) => kind = Some(v.trim_matches('"').to_lowercase()),
                _ => words.push(word),
            }
        }
        KubeFilter {
            namespace,
            kind,
            text: TextQuery::new(&words.join(" ")),
        }
    }
}

/// `kind=deployment` (or `deployments`) selects Deployments.
fn kind_ok(want: Option<&str>, kind: &str) -> bool {
    want.is_none_or(|k| k == kind.to_lowercase() || k == format!("{}s", kind.to_lowercase()))
}

/// The service a workload belongs to: the triage join's answer (catalog, Argo CD resources,
/// labels; `model::kube_join`), so the screen, the actions and the triage rows agree.
pub fn service_of_workload(model: &Model, w: &Workload) -> Option<String> {
    match model.kube_index().summary(&w.key) {
        Some(summary) => summary.service.clone(),
        // Not summarised yet (arrived in this batch): its one known Argo CD app's service,
        // else its `app.kubernetes.io/name`.
        None => service_of(model, w, argo_app_of(model, w).as_ref()),
    }
}

fn service_of(model: &Model, w: &Workload, app: Option<&AppKey>) -> Option<String> {
    if let Some(app) = app.and_then(|k| model.apps.get(k)) {
        return Some(super::correlation::service_of_app(
            app,
            &model.settings,
            &model.catalog,
        ));
    }
    w.labels.get("app.kubernetes.io/name").cloned()
}

/// Broken before degraded before fine; more restarts first (a hostile count cannot overflow).
fn pod_rank(row: &PodRow) -> (u8, std::cmp::Reverse<i64>) {
    let weight = match row.problem.as_ref().map(|p| p.weight) {
        Some(ProblemWeight::Broken) => 0,
        Some(ProblemWeight::Degraded) => 1,
        None => 2,
    };
    (weight, std::cmp::Reverse(i64::from(row.pod.restarts())))
}

/// Rebuild the screen's rows from the store (the current cluster, namespace, filter and
/// drill-down), keeping each cursor on its thing where it still is.
pub fn rebuild(model: &mut Model) {
    let before_w = model
        .kube_screen
        .selected_workload()
        .map(|r| r.workload.key.clone());
    let before_p = model.kube_screen.selected_pod().map(|r| r.pod.key.clone());
    let (workloads, pods, events) = derive(model);
    let s = &mut model.kube_screen;
    s.workloads = workloads;
    s.pods = pods;
    s.events = events;
    s.broken_pods = s
        .pods
        .iter()
        .filter(|p| p.problem.as_ref().map(|x| x.weight) == Some(ProblemWeight::Broken))
        .count();
    s.stale = false;
    if let Some(k) = before_w
        && let Some(i) = s.workloads.iter().position(|r| r.workload.key == k)
    {
        s.workloads_cursor.selected = i;
    }
    if let Some(k) = before_p
        && let Some(i) = s.pods.iter().position(|r| r.pod.key == k)
    {
        s.pods_cursor.selected = i;
    }
    s.workloads_cursor.clamp(s.workloads.len());
    s.pods_cursor.clamp(s.pods.len());
    s.events_cursor.clamp(s.events.len());
}

/// Each workload's pods, by `(namespace, kind, name)`: through its ReplicaSets (Deployments,
/// Rollouts) or owned directly (StatefulSets, DaemonSets). One pass over the pods, so 10,000
/// pods and 2,000 Deployments cost no more than listing them.
fn pods_by_owner<'a>(
    objects: &'a super::kube::ClusterObjects,
    pods: &'a [PodRow],
) -> HashMap<(&'a str, WorkloadKind, &'a str), Vec<&'a PodRow>> {
    let rs_owner: HashMap<(&str, &str), (WorkloadKind, &str)> = objects
        .replica_sets
        .values()
        .filter_map(|rs| {
            let o = rs.owner.as_ref()?;
            let kind = match o.kind.as_str() {
                "Deployment" => WorkloadKind::Deployment,
                "Rollout" => WorkloadKind::Rollout,
                _ => return None,
            };
            Some((
                (rs.key.namespace.as_str(), rs.key.name.as_str()),
                (kind, o.name.as_str()),
            ))
        })
        .collect();
    let mut out: HashMap<_, Vec<&PodRow>> = HashMap::new();
    for row in pods {
        let Some(o) = &row.pod.owner else { continue };
        let ns = row.pod.key.namespace.as_str();
        let owner = match o.kind.as_str() {
            "ReplicaSet" => rs_owner.get(&(ns, o.name.as_str())).copied(),
            "StatefulSet" => Some((WorkloadKind::StatefulSet, o.name.as_str())),
            "DaemonSet" => Some((WorkloadKind::DaemonSet, o.name.as_str())),
            _ => None,
        };
        if let Some((kind, name)) = owner {
            out.entry((ns, kind, name)).or_default().push(row);
        }
    }
    out
}

type Rows = (Vec<WorkloadRow>, Vec<PodRow>, Vec<Arc<WarningEvent>>);

fn derive(model: &Model) -> Rows {
    let Some(cluster) = current_cluster(model) else {
        return Default::default();
    };
    let Some(objects) = model.kube.clusters.get(&cluster) else {
        return Default::default();
    };
    let KubeFilter {
        namespace: filter_ns,
        kind: filter_kind,
        text: mut query,
    } = KubeFilter::parse(model.filter(Screen::Kube));
    // The screen's namespace (`:ns`) and the filter's (`ns=`) both narrow.
    let ns_ok = |ns: &str| {
        model
            .kube_screen
            .namespace
            .as_deref()
            .is_none_or(|n| n == ns)
            && filter_ns.as_deref().is_none_or(|n| n == ns)
    };
    let all_pods: Vec<PodRow> = objects
        .pods
        .values()
        .filter(|p| ns_ok(&p.key.namespace))
        .map(|pod| PodRow {
            problem: pod_problem(pod),
            pod: pod.clone(),
        })
        .collect();
    let owned = pods_by_owner(objects, &all_pods);

    let mut workloads = Vec::new();
    for w in objects.workloads.values() {
        let k = &w.key;
        if !ns_ok(&k.namespace) || !kind_ok(filter_kind.as_deref(), k.kind.api_kind()) {
            continue;
        }
        let argo = argo_owner(model, w);
        let service = service_of_workload(model, w);
        let status = rollout_status(w);
        if !query.is_empty()
            && !query.matches(
                [
                    k.name.as_str(),
                    k.namespace.as_str(),
                    k.kind.api_kind(),
                    status.text.as_str(),
                    service.as_deref().unwrap_or(""),
                ]
                .into_iter()
                .chain(w.images.iter().map(String::as_str)),
            )
        {
            continue;
        }
        // Its pods' verdicts, computed once per pod for the whole cluster (below).
        let (broken_pods, worst_pod) =
            match owned.get(&(k.namespace.as_str(), k.kind, k.name.as_str())) {
                Some(rows) => (
                    rows.iter()
                        .filter(|r| {
                            r.problem.as_ref().map(|x| x.weight) == Some(ProblemWeight::Broken)
                        })
                        .count(),
                    rows.iter()
                        .min_by_key(|r| pod_rank(r))
                        .map(|r| r.pod.clone()),
                ),
                None => (0, None),
            };
        workloads.push(WorkloadRow {
            workload: w.clone(),
            status,
            service,
            argo,
            broken_pods,
            worst_pod,
        });
    }

    // Most urgent first: stuck, paused, rolling, then done; more failing pods first.
    workloads.sort_by(|a, b| {
        (
            a.status.phase,
            std::cmp::Reverse(a.broken_pods),
            &a.workload.key,
        )
            .cmp(&(
                b.status.phase,
                std::cmp::Reverse(b.broken_pods),
                &b.workload.key,
            ))
    });

    let drilled = model
        .kube_screen
        .drilled
        .as_ref()
        .and_then(|k| objects.workloads.get(k));
    let (pod_list, event_list): (Vec<Arc<Pod>>, Vec<Arc<WarningEvent>>) = match drilled {
        Some(w) => {
            let pods = objects.pods_of(w);
            let events = objects.events_of(w, &pods);
            (pods, events)
        }
        None => (Vec::new(), objects.events.values().cloned().collect()),
    };
    let pod_rows: Vec<PodRow> = match drilled {
        Some(_) => pod_list
            .into_iter()
            .filter(|p| ns_ok(&p.key.namespace))
            .map(|pod| PodRow {
                problem: pod_problem(&pod),
                pod,
            })
            .collect(),
        None => all_pods,
    };
    let mut pods: Vec<PodRow> = pod_rows
        .into_iter()
        .filter(|row| {
            drilled.is_some()
                || query.is_empty()
                || query.matches(
                    [
                        row.pod.key.name.as_str(),
                        row.pod.key.namespace.as_str(),
                        row.status_word(),
                        row.pod.node.as_str(),
                    ]
                    .into_iter(),
                )
        })
        .collect();
    pods.sort_by(|a, b| {
        pod_rank(a)
            .cmp(&pod_rank(b))
            .then_with(|| a.pod.key.cmp(&b.pod.key))
    });
    let mut events: Vec<Arc<WarningEvent>> = event_list
        .into_iter()
        .filter(|e| ns_ok(&e.key.namespace))
        .filter(|e| {
            drilled.is_some()
                || query.is_empty()
                || query.matches(
                    [
                        e.object_name.as_str(),
                        e.key.namespace.as_str(),
                        e.reason.as_str(),
                        e.message.as_str(),
                    ]
                    .into_iter(),
                )
        })
        .collect();
    events.sort_by(|a, b| {
        b.last_seen
            .cmp(&a.last_seen)
            .then_with(|| a.key.cmp(&b.key))
    });
    (workloads, pods, events)
}

/// What cannot be watched in the current cluster, as sentences ("pods: cannot watch pods in
/// payments"); a resource simply not served (no Argo Rollouts CRD) is not a problem.
pub fn unavailable_notes(model: &Model, cluster: &str) -> Vec<String> {
    let Some(objects) = model.kube.clusters.get(cluster) else {
        return Vec::new();
    };
    objects
        .unavailable
        .iter()
        .filter(|(_, why)| !why.is_empty())
        .map(|((kind, _), why)| format!("{}: {why}", kind.plural()))
        .collect()
}

pub use super::kube_popups::{ArgoManaged, KubeActionForm, KubeActionKind, KubeStage, LogView};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kube::objects::{ContainerState, ContainerStatus};
    use crate::kube::{KubeChange, KubeObject, KubePayload, ObjectKey, ResourceKind};

    fn model_with(workloads: Vec<Workload>) -> Model {
        let theme = crate::config::theme::Theme::no_color();
        let mut m = Model::new(
            Default::default(),
            Default::default(),
            theme.clone(),
            vec![theme],
            chrono::DateTime::UNIX_EPOCH,
        );
        m.kube.apply(
            "c1",
            KubePayload {
                changes: vec![KubeChange::Reset {
                    resource: ResourceKind::Deployments,
                    namespace: None,
                    objects: workloads
                        .into_iter()
                        .map(|w| KubeObject::Workload(Arc::new(w)))
                        .collect(),
                }],
            },
        );
        m.rederive();
        rebuild(&mut m);
        m
    }

    fn deployment(name: &str, labels: &[(&str, &str)]) -> Workload {
        let mut w = Workload::new(WorkloadKey {
            cluster: "c1".into(),
            namespace: "shop".into(),
            kind: WorkloadKind::Deployment,
            name: name.into(),
        });
        w.labels = labels
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        w
    }

    #[test]
    fn the_service_column_is_the_triage_joins_answer() {
        // `app: payments` joins it to payments (the triage join's label rule), which the
        // screen's own old rule (`app.kubernetes.io/name` only) did not see.
        let m = model_with(vec![deployment("payments-api", &[("app", "payments")])]);
        let row = &m.kube_screen.workloads[0];
        let summary = m.kube_index().summary(&row.workload.key).expect("summary");
        assert_eq!(summary.service.as_deref(), Some("payments"));
        assert_eq!(row.service, summary.service);
        assert_eq!(
            service_of_workload(&m, &row.workload),
            Some("payments".to_string())
        );
    }

    #[test]
    fn hostile_restart_counts_rank_without_overflow() {
        let pod = |name: &str, restarts: i32| {
            let mut p = Pod::new(ObjectKey {
                cluster: "c1".into(),
                namespace: "shop".into(),
                name: name.into(),
            });
            p.containers = vec![ContainerStatus {
                name: "app".into(),
                image: "app:1".into(),
                ready: true,
                restarts,
                init: false,
                state: ContainerState::Running { started_at: None },
                last_terminated: None,
            }];
            PodRow {
                problem: None,
                pod: Arc::new(p),
            }
        };
        let (low, high, many) = (pod("a", i32::MIN), pod("b", 0), pod("c", i32::MAX));
        // More restarts first; i32::MIN negated would have overflowed (a negative count
        // counts as none).
        assert!(pod_rank(&many) < pod_rank(&high));
        assert!(pod_rank(&high) <= pod_rank(&low));
    }
}
