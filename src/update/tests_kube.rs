//! Kubernetes through `update`: workloads joined to services (catalog, Argo CD, labels),
//! their state raising urgency, ReplicaSet revisions in the feed and the suspect marker,
//! re-derivation limited to the namespaces a batch touched, RBAC gaps shown as unknown.

use super::tests::{model, t0};
use super::tests_argo::{app, entry, source};
use super::tests_truth::{alert_at, snap_at};
use super::update;
use crate::kube::{
    ContainerState, ContainerStatus, KubeChange, KubeObject, KubePayload, ObjectKey, OwnerRef, Pod,
    ReplicaSet, ResourceKind, WarningEvent, Workload, WorkloadKey, WorkloadKind,
};
use crate::model::Model;
use crate::model::app::{HealthStatus, ResourceStatus, SyncStatus};
use crate::model::kube_join::JoinedBy;
use crate::model::service::Urgency;
use crate::model::source::{SourceKind, SourceStatus};
use crate::msg::{ArgocdPayload, Msg, SourcePayload};
use chrono::{DateTime, Duration, Utc};
use std::sync::Arc;

const CLUSTER: &str = "prod-eu";

fn okey(ns: &str, name: &str) -> ObjectKey {
    ObjectKey {
        cluster: CLUSTER.into(),
        namespace: ns.into(),
        name: name.into(),
    }
}

pub(super) fn wkey(ns: &str, name: &str) -> WorkloadKey {
    WorkloadKey {
        cluster: CLUSTER.into(),
        namespace: ns.into(),
        kind: WorkloadKind::Deployment,
        name: name.into(),
    }
}

/// A Deployment `name` in `ns` at revision `rev`, `ready` of 3 available.
pub(super) fn deployment(ns: &str, name: &str, rev: i64, ready: i32, image: &str) -> Workload {
    let mut w = Workload::new(wkey(ns, name));
    w.uid = format!("uid-{ns}-{name}");
    w.selector.match_labels.insert("app".into(), name.into());
    w.generation = 4;
    w.observed_generation = 4;
    w.desired = 3;
    w.current = 3;
    w.updated = 3;
    w.ready = ready;
    w.available = ready;
    w.revision = Some(rev);
    w.images = vec![image.into()];
    w
}

pub(super) fn replica_set(
    w: &Workload,
    hash: &str,
    rev: i64,
    image: &str,
    created: DateTime<Utc>,
) -> ReplicaSet {
    let mut r = ReplicaSet::new(okey(&w.key.namespace, &format!("{}-{hash}", w.key.name)));
    r.owner = Some(OwnerRef {
        kind: "Deployment".into(),
        name: w.key.name.clone(),
        uid: w.uid.clone(),
    });
    r.labels.insert("app".into(), w.key.name.clone());
    r.labels.insert("pod-template-hash".into(), hash.into());
    r.revision = Some(rev);
    r.change_cause = Some(format!("deploy {image}"));
    r.images = vec![image.into()];
    r.created = Some(created);
    r.template_hash = hash.into();
    r
}

pub(super) fn pod(rs: &ReplicaSet, suffix: &str, crashing: bool, restarts: i32) -> Pod {
    let mut p = Pod::new(okey(
        &rs.key.namespace,
        &format!("{}-{suffix}", rs.key.name),
    ));
    p.owner = Some(OwnerRef {
        kind: "ReplicaSet".into(),
        name: rs.key.name.clone(),
        uid: String::new(),
    });
    p.phase = "Running".into();
    p.containers = vec![ContainerStatus {
        name: "app".into(),
        image: rs.images.first().cloned().unwrap_or_default(),
        ready: !crashing,
        restarts,
        init: false,
        state: if crashing {
            ContainerState::Waiting {
                reason: "CrashLoopBackOff".into(),
                message: "back-off 5m0s restarting failed container".into(),
            }
        } else {
            ContainerState::Running { started_at: None }
        },
        last_terminated: (restarts > 0).then(|| ContainerState::Terminated {
            reason: "Error".into(),
            exit_code: 1,
            message: String::new(),
            finished_at: None,
        }),
    }];
    p.container_names = vec!["app".into()];
    p
}

fn reset(resource: ResourceKind, objects: Vec<KubeObject>) -> KubeChange {
    KubeChange::Reset {
        resource,
        namespace: None,
        objects,
    }
}

pub(super) fn kube_msg(changes: Vec<KubeChange>) -> Msg {
    source(CLUSTER, SourcePayload::Kube(KubePayload { changes }))
}

/// checkout in `payments`: revision 7 (v2.14.0, six minutes old) crashlooping on two of its
/// three pods, revision 6 (v2.13.2) from yesterday scaled down.
pub(super) fn crashloop_changes(label: Option<(&str, &str)>) -> Vec<KubeChange> {
    let mut w = deployment("payments", "checkout", 7, 1, "shop/checkout:v2.14.0");
    w.available = 1;
    if let Some((k, v)) = label {
        w.labels.insert(k.into(), v.into());
    }
    let new = replica_set(
        &w,
        "7d9",
        7,
        "shop/checkout:v2.14.0",
        t0() - Duration::minutes(6),
    );
    let old = replica_set(
        &w,
        "5f4",
        6,
        "shop/checkout:v2.13.2",
        t0() - Duration::days(1),
    );
    let pods = vec![
        pod(&new, "x2k", true, 12),
        pod(&new, "q8z", true, 11),
        pod(&new, "m4p", false, 0),
    ];
    let event = WarningEvent {
        key: okey("payments", "checkout-7d9-x2k.17a"),
        object_kind: "Pod".into(),
        object_name: "checkout-7d9-x2k".into(),
        reason: "BackOff".into(),
        message: "Back-off restarting failed container app".into(),
        count: 40,
        first_seen: Some(t0() - Duration::minutes(5)),
        last_seen: Some(t0() - Duration::seconds(20)),
    };
    vec![
        reset(
            ResourceKind::Deployments,
            vec![KubeObject::Workload(Arc::new(w))],
        ),
        reset(
            ResourceKind::ReplicaSets,
            vec![
                KubeObject::ReplicaSet(Arc::new(new)),
                KubeObject::ReplicaSet(Arc::new(old)),
            ],
        ),
        reset(
            ResourceKind::Pods,
            pods.into_iter()
                .map(|p| KubeObject::Pod(Arc::new(p)))
                .collect(),
        ),
        reset(
            ResourceKind::Events,
            vec![KubeObject::Event(Arc::new(event))],
        ),
        // Listed and empty, and no Argo Rollouts CRD: every kind is known.
        reset(ResourceKind::StatefulSets, Vec::new()),
        reset(ResourceKind::DaemonSets, Vec::new()),
        KubeChange::Unavailable {
            resource: ResourceKind::Rollouts,
            namespace: None,
            reason: String::new(),
        },
    ]
}

pub(super) fn with_cluster(mut m: Model) -> Model {
    for (name, kind) in [
        (CLUSTER, SourceKind::Kube),
        ("argocd", SourceKind::Argocd),
        ("backstage", SourceKind::Catalog),
    ] {
        m.sources.push(SourceStatus::new(
            name,
            kind,
            "https://127.0.0.1:6443",
            "test",
        ));
    }
    m
}

fn row<'a>(m: &'a Model, name: &str) -> &'a crate::model::service::ServiceRow {
    m.services
        .iter()
        .find(|s| s.name == name)
        .unwrap_or_else(|| panic!("no row {name}: {:?}", m.services))
}

#[test]
fn a_crashlooping_service_with_no_alert_is_on_triage_at_the_degraded_rung() {
    let m = crashlooping_checkout();
    let r = row(&m, "checkout");
    assert_eq!(r.firing, 0);
    assert_eq!(r.urgency, Urgency::DegradedApp);
    let k = r.kube.as_ref().unwrap();
    assert_eq!((k.ready, k.desired, k.broken), (1, 3, 2));
    assert_eq!(k.reason.as_deref(), Some("CrashLoopBackOff"));
    let visible: Vec<_> = m
        .visible_services()
        .iter()
        .map(|s| s.name.clone())
        .collect();
    assert_eq!(
        visible,
        vec!["checkout"],
        "never All quiet while it crashloops"
    );
    let s = m
        .kube_index()
        .summary(&wkey("payments", "checkout"))
        .unwrap();
    assert_eq!(s.joined_by, Some(JoinedBy::Label("app.kubernetes.io/name")));
    assert_eq!(s.problems[0].pod, "checkout-7d9-x2k");
    assert_eq!(s.problems[0].problem.restarts, 12);
    assert_eq!(s.events[0].reason, "BackOff");
    assert!(
        s.status
            .text
            .contains("1 of 3 updated replicas are available")
    );
}

#[test]
fn a_workload_named_like_no_service_stays_unjoined_but_is_kept() {
    let mut m = with_cluster(model());
    update(&mut m, kube_msg(crashloop_changes(None)));
    let s = m
        .kube_index()
        .summary(&wkey("payments", "checkout"))
        .unwrap();
    assert_eq!(s.service, None);
    assert!(m.services.iter().all(|r| r.name != "checkout"));
    // Once a service of that name exists (an alert), its name joins it.
    update(
        &mut m,
        snap_at(
            "am",
            t0(),
            vec![alert_at(
                "HighErrorRate",
                "checkout",
                "critical",
                "am",
                t0(),
            )],
        ),
    );
    m.rederive();
    let s = m
        .kube_index()
        .summary(&wkey("payments", "checkout"))
        .unwrap();
    assert_eq!(s.joined_by, Some(JoinedBy::Name));
}

#[test]
fn rollout_stuck_ranks_as_down_rolling_as_progressing_restarts_as_warning() {
    use crate::kube::WorkloadCondition;
    let mut m = with_cluster(model());
    let mut stuck = deployment("a", "stuck", 2, 3, "x:1");
    stuck.labels.insert("app".into(), "stuck".into());
    stuck.conditions.push(WorkloadCondition {
        type_: "Progressing".into(),
        status: "False".into(),
        reason: "ProgressDeadlineExceeded".into(),
        ..Default::default()
    });
    let mut rolling = deployment("a", "rolling", 2, 3, "x:1");
    rolling.labels.insert("app".into(), "rolling".into());
    rolling.updated = 1;
    let mut restarts = deployment("a", "flaky", 2, 3, "x:1");
    restarts.labels.insert("app".into(), "flaky".into());
    let rs = replica_set(&restarts, "aa", 2, "x:1", t0() - Duration::days(3));
    let flaky_pod = pod(&rs, "p1", false, 7);
    update(
        &mut m,
        kube_msg(vec![
            reset(
                ResourceKind::Deployments,
                [stuck, rolling, restarts]
                    .into_iter()
                    .map(|w| KubeObject::Workload(Arc::new(w)))
                    .collect(),
            ),
            reset(
                ResourceKind::ReplicaSets,
                vec![KubeObject::ReplicaSet(Arc::new(rs))],
            ),
            reset(
                ResourceKind::Pods,
                vec![KubeObject::Pod(Arc::new(flaky_pod))],
            ),
        ]),
    );
    assert_eq!(row(&m, "stuck").urgency, Urgency::DegradedApp);
    assert_eq!(row(&m, "rolling").urgency, Urgency::Progressing);
    assert_eq!(row(&m, "flaky").urgency, Urgency::WarningFiring);
    let order: Vec<_> = m.services.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(order, vec!["stuck", "flaky", "rolling"]);
}

#[test]
fn the_catalog_id_wins_over_argo_cd_and_labels() {
    use crate::catalog::{Decoded, decode};
    use crate::msg::{CatalogPayload, SourceUpdate};
    let entity = |v: serde_json::Value| match decode(&v).unwrap() {
        Decoded::Entity(e) => Arc::new(*e),
        other => panic!("{other:?}"),
    };
    let mut m = with_cluster(model());
    let entities = vec![
        entity(
            serde_json::json!({"kind": "Component", "metadata": {"name": "payments-api",
            "annotations": {"backstage.io/kubernetes-id": "pay"}},
            "spec": {"type": "service", "owner": "payments"}}),
        ),
        entity(
            serde_json::json!({"kind": "Component", "metadata": {"name": "ledger",
            "annotations": {"backstage.io/kubernetes-label-selector": "team=ledger,tier=api"}},
            "spec": {"type": "service", "owner": "payments"}}),
        ),
    ];
    update(
        &mut m,
        Msg::Source(SourceUpdate {
            source: "backstage".into(),
            at: t0(),
            payload: SourcePayload::Catalog(CatalogPayload {
                entities: Arc::new(entities),
                problems: vec![],
                index: None,
            }),
        }),
    );
    let mut by_id = deployment("payments", "checkout", 1, 3, "x:1");
    by_id
        .labels
        .insert("backstage.io/kubernetes-id".into(), "pay".into());
    by_id
        .labels
        .insert("app.kubernetes.io/name".into(), "checkout".into());
    let mut by_selector = deployment("payments", "ledger-api", 1, 3, "x:1");
    by_selector.labels.insert("team".into(), "ledger".into());
    by_selector.labels.insert("tier".into(), "api".into());
    update(
        &mut m,
        kube_msg(vec![reset(
            ResourceKind::Deployments,
            vec![
                KubeObject::Workload(Arc::new(by_id)),
                KubeObject::Workload(Arc::new(by_selector)),
            ],
        )]),
    );
    let idx = m.kube_index();
    let s = idx.summary(&wkey("payments", "checkout")).unwrap();
    assert_eq!(
        (s.service.as_deref(), &s.joined_by),
        (Some("payments-api"), &Some(JoinedBy::CatalogId))
    );
    let s = idx.summary(&wkey("payments", "ledger-api")).unwrap();
    assert_eq!(
        (s.service.as_deref(), &s.joined_by),
        (Some("ledger"), &Some(JoinedBy::CatalogSelector))
    );
}

fn checkout_app_with_resource() -> crate::model::app::App {
    let mut a = app(
        "shop-checkout-prod",
        HealthStatus::Healthy,
        SyncStatus::Synced,
        true,
        vec![entry(1, "abc123", 60 * 48, "ci-bot")],
    );
    a.labels.clear(); // its service comes from its name: shop-checkout
    a.resources.push(ResourceStatus {
        group: "apps".into(),
        kind: "Deployment".into(),
        namespace: "payments".into(),
        name: "checkout".into(),
        sync: SyncStatus::Synced,
        health: Some(HealthStatus::Healthy),
        health_message: String::new(),
        requires_pruning: false,
    });
    a
}

#[test]
fn argo_cd_resources_join_before_labels_whichever_arrives_first() {
    let mut m = crashlooping_checkout();
    assert_eq!(
        m.kube_index()
            .summary(&wkey("payments", "checkout"))
            .unwrap()
            .service
            .as_deref(),
        Some("checkout")
    );
    // The app arrives later: the workload moves to the app's service (no pod re-read).
    let before = m.kube_index().namespaces_summarized;
    update(
        &mut m,
        source(
            "argocd",
            SourcePayload::Argocd(ArgocdPayload::Apps {
                apps: vec![checkout_app_with_resource()],
            }),
        ),
    );
    let s = m
        .kube_index()
        .summary(&wkey("payments", "checkout"))
        .unwrap();
    assert_eq!(s.service.as_deref(), Some("shop-checkout"));
    assert!(matches!(s.joined_by, Some(JoinedBy::ArgoResource(_))));
    assert_eq!(m.kube_index().namespaces_summarized, before);
    assert!(m.services.iter().all(|r| r.name != "checkout"));
    assert_eq!(row(&m, "shop-checkout").urgency, Urgency::DegradedApp);
}

#[test]
fn revisions_are_deploys_in_the_feed_and_the_new_one_is_the_suspect() {
    let mut m = crashlooping_checkout();
    let kube_deploys: Vec<_> = m.deploys.iter().filter(|d| d.kube().is_some()).collect();
    // Revision 7 (six minutes ago) and 6 (a day ago: within the feed window).
    assert_eq!(kube_deploys.len(), 2);
    let newest = kube_deploys[0];
    assert_eq!(newest.revision, "rev 7 v2.14.0");
    assert_eq!(newest.initiator, "deploy shop/checkout:v2.14.0");
    assert_eq!(newest.service.as_deref(), Some("checkout"));
    assert_eq!(newest.kube().unwrap().replica_set, "checkout-7d9");
    assert!(!newest.suspect, "no alert yet: no suspect");
    // The first alert fires three minutes after revision 7 reached the cluster.
    update(
        &mut m,
        snap_at(
            "am",
            t0(),
            vec![alert_at(
                "HighErrorRate",
                "checkout",
                "critical",
                "am",
                t0() - Duration::minutes(3),
            )],
        ),
    );
    let r = row(&m, "checkout");
    assert!(r.suspect);
    assert_eq!(r.last_deploy.as_ref().unwrap().history_id, Some(7));
    assert_eq!(m.suspect_count(), 1);
    let marked: Vec<_> = m.deploys.iter().filter(|d| d.suspect).collect();
    assert_eq!(marked.len(), 1);
    assert_eq!(marked[0].history_id, Some(7));
}

#[test]
fn a_replica_set_made_by_an_argo_cd_sync_is_not_a_second_deploy() {
    let mut m = with_cluster(model());
    let mut a = checkout_app_with_resource();
    // Argo CD synced v2.14.0 six minutes ago; its ReplicaSet is revision 7.
    a.history.push(entry(2, "def456", 6, "ci-bot"));
    a.images = vec!["shop/checkout:v2.14.0".into()];
    update(
        &mut m,
        source(
            "argocd",
            SourcePayload::Argocd(ArgocdPayload::Apps { apps: vec![a] }),
        ),
    );
    update(&mut m, kube_msg(crashloop_changes(None)));
    let s = m
        .kube_index()
        .summary(&wkey("payments", "checkout"))
        .unwrap();
    assert!(s.revisions[0].via_argocd.is_some());
    assert!(s.revisions[1].via_argocd.is_none());
    let revs: Vec<_> = m
        .deploys
        .iter()
        .filter(|d| d.service.as_deref() == Some("shop-checkout"))
        .map(|d| (d.kube().is_some(), d.revision.clone()))
        .collect();
    assert_eq!(
        revs,
        vec![
            (false, "def456".to_string()),
            (true, "rev 6 v2.13.2".to_string()),
            (false, "abc123".to_string()),
        ]
    );
}

#[test]
fn a_pod_change_in_one_namespace_summarizes_only_that_namespace() {
    let mut m = with_cluster(model());
    let mut changes = crashloop_changes(Some(("app.kubernetes.io/name", "checkout")));
    let search = deployment("search", "search", 3, 3, "x:1");
    if let KubeChange::Reset { objects, .. } = &mut changes[0] {
        objects.push(KubeObject::Workload(Arc::new(search.clone())));
    }
    update(&mut m, kube_msg(changes));
    let before = m.kube_index().namespaces_summarized;
    let feed_before = m.deploys.clone();
    let rs = replica_set(&search, "bb", 3, "x:1", t0() - Duration::days(2));
    update(
        &mut m,
        kube_msg(vec![KubeChange::Apply(KubeObject::Pod(Arc::new(pod(
            &rs, "z", false, 1,
        ))))]),
    );
    assert_eq!(m.kube_index().namespaces_summarized, before + 1);
    assert_eq!(
        m.deploys, feed_before,
        "a pod's change leaves the feed alone"
    );
    // A pod deleted in payments, owned through a known ReplicaSet: only its workload is
    // summarised again, not the whole namespace.
    update(
        &mut m,
        kube_msg(vec![KubeChange::Delete {
            resource: ResourceKind::Pods,
            namespace: "payments".into(),
            name: "checkout-7d9-x2k".into(),
        }]),
    );
    assert_eq!(m.kube_index().namespaces_summarized, before + 1);
    assert_eq!(row(&m, "checkout").kube.as_ref().unwrap().broken, 1);
}

#[test]
fn pods_refused_by_rbac_are_unknown_not_fine() {
    let mut m = with_cluster(model());
    let mut changes = crashloop_changes(Some(("app.kubernetes.io/name", "checkout")));
    changes[2] = KubeChange::Unavailable {
        resource: ResourceKind::Pods,
        namespace: Some("payments".into()),
        reason: "cannot watch pods in payments".into(),
    };
    update(&mut m, kube_msg(changes));
    let s = m
        .kube_index()
        .summary(&wkey("payments", "checkout"))
        .unwrap();
    assert_eq!(
        s.pods_unknown.as_deref(),
        Some("cannot watch pods in payments")
    );
    assert!(s.problems.is_empty());
    assert!(row(&m, "checkout").kube.as_ref().unwrap().pods_unknown);
}

#[test]
fn hostile_names_do_not_break_the_join_or_the_feed() {
    let mut m = with_cluster(model());
    let mut w = deployment("payments", "evil\u{1b}[2Jname", 1, 0, "x:\u{1b}]8;;");
    w.labels
        .insert("argocd.argoproj.io/instance".into(), "".into());
    w.annotations
        .insert("argocd.argoproj.io/tracking-id".into(), ":::_".into());
    w.labels
        .insert("app.kubernetes.io/name".into(), "x".repeat(10_000));
    let rs = replica_set(&w, "h", 1, "\u{0}", t0());
    update(
        &mut m,
        kube_msg(vec![
            reset(
                ResourceKind::Deployments,
                vec![KubeObject::Workload(Arc::new(w))],
            ),
            reset(
                ResourceKind::ReplicaSets,
                vec![KubeObject::ReplicaSet(Arc::new(rs))],
            ),
        ]),
    );
    assert_eq!(m.kube_index().summaries().count(), 1);
    assert_eq!(m.deploys.iter().filter(|d| d.kube().is_some()).count(), 1);
}

#[test]
fn a_deleted_workload_leaves_its_service_and_the_feed() {
    let mut m = crashlooping_checkout();
    update(
        &mut m,
        kube_msg(vec![KubeChange::Delete {
            resource: ResourceKind::Deployments,
            namespace: "payments".into(),
            name: "checkout".into(),
        }]),
    );
    assert!(m.services.iter().all(|r| r.name != "checkout"));
    assert_eq!(m.deploys.iter().filter(|d| d.kube().is_some()).count(), 0);
}

#[test]
fn snapshot_lists_workloads_and_pod_problems_in_kubectl_words() {
    let m = crashlooping_checkout();
    let v = snapshot_json(&m);
    let w = &v["workloads"][0];
    assert_eq!(w["cluster"], CLUSTER);
    assert_eq!(w["kind"], "Deployment");
    assert_eq!(w["name"], "checkout");
    assert_eq!(w["service"], "checkout");
    assert_eq!(
        (w["ready"].as_i64(), w["desired"].as_i64()),
        (Some(1), Some(3))
    );
    assert_eq!(w["revision"], 7);
    assert_eq!(w["images"][0], "shop/checkout:v2.14.0");
    assert_eq!(w["rollout"]["phase"], "rolling");
    assert_eq!(
        w["rollout"]["text"],
        "Waiting for deployment \"checkout\" rollout to finish: 1 of 3 updated replicas are available..."
    );
    let problems = v["pod_problems"].as_array().unwrap();
    assert_eq!(problems.len(), 2);
    assert_eq!(problems[0]["pod"], "checkout-7d9-x2k");
    assert_eq!(problems[0]["reason"], "CrashLoopBackOff");
    assert_eq!(problems[0]["restarts"], 12);
    assert_eq!(problems[0]["service"], "checkout");
    // The revisions are deploys of origin kubernetes, with their workload.
    let deploys = v["deploys"].as_array().unwrap();
    let rev7 = deploys
        .iter()
        .find(|d| d["kubernetes"]["revision"] == 7)
        .expect("revision 7 in the feed");
    assert_eq!(rev7["origin"], "kubernetes");
    assert_eq!(rev7["kubernetes"]["workload"]["name"], "checkout");

    let mut text = Vec::new();
    crate::snapshot::write_text(&m, &mut text).unwrap();
    let text = String::from_utf8(text).unwrap();
    assert!(
        text.contains("deployment prod-eu/payments/checkout  1/3 ready  rev 7"),
        "{text}"
    );
    assert!(
        text.contains("pod checkout-7d9-x2k  CrashLoopBackOff ×12"),
        "{text}"
    );
}

#[test]
fn refused_replica_sets_make_a_deployments_pods_unknown_and_the_snapshot_incomplete() {
    let mut m = with_cluster(model());
    let mut changes = crashloop_changes(Some(("app.kubernetes.io/name", "checkout")));
    changes.push(KubeChange::Unavailable {
        resource: ResourceKind::ReplicaSets,
        namespace: None,
        reason: "cannot watch replicasets in all namespaces".into(),
    });
    update(&mut m, kube_msg(changes));
    let s = m
        .kube_index()
        .summary(&wkey("payments", "checkout"))
        .unwrap();
    assert_eq!(
        s.pods_unknown.as_deref(),
        Some("pods unknown: cannot watch replicasets in all namespaces"),
        "a Deployment's pods are found through its ReplicaSets: not 'no pods'"
    );
    let v = snapshot_json(&m);
    assert_eq!(v["complete"], false);
    let unknown = v["kube_unknown"].as_array().unwrap();
    assert!(
        unknown.iter().any(|u| u["resource"] == "replicasets"
            && u["reason"] == "cannot watch replicasets in all namespaces"),
        "{unknown:?}"
    );
    // Rollouts never listed are a gap too, but "not served" (empty reason) is not.
    update(
        &mut m,
        kube_msg(vec![KubeChange::Unavailable {
            resource: ResourceKind::Rollouts,
            namespace: None,
            reason: String::new(),
        }]),
    );
    let v = snapshot_json(&m);
    assert!(
        !v["kube_unknown"]
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u["resource"] == "rollouts")
    );
}

#[test]
fn an_undo_that_reuses_an_old_replica_set_is_a_rollback_in_the_feed_when_it_happened() {
    let mut m = crashlooping_checkout();
    // Two minutes later the cluster reports the undo: revision 6's ReplicaSet (a day old)
    // became revision 8 and the Deployment follows it.
    let undo_at = t0() + Duration::minutes(2);
    update(&mut m, Msg::Tick(undo_at));
    let mut w = deployment("payments", "checkout", 8, 3, "shop/checkout:v2.13.2");
    w.labels
        .insert("app.kubernetes.io/name".into(), "checkout".into());
    let old = replica_set(
        &w,
        "5f4",
        8,
        "shop/checkout:v2.13.2",
        t0() - Duration::days(1),
    );
    update(
        &mut m,
        kube_msg(vec![
            KubeChange::Apply(KubeObject::ReplicaSet(Arc::new(old))),
            KubeChange::Apply(KubeObject::Workload(Arc::new(w))),
        ]),
    );
    let undo = m
        .deploys
        .iter()
        .find(|d| d.kube().is_some_and(|k| k.revision == 8))
        .expect("revision 8 in the feed");
    assert_eq!(
        undo.finished_at,
        Some(undo_at),
        "when it came back, not a day ago"
    );
    assert!(
        undo.rollback,
        "going back to an older ReplicaSet is a rollback"
    );
}

/// `sitrep snapshot --format json` of `m`, parsed.
fn snapshot_json(m: &Model) -> serde_json::Value {
    let mut out = Vec::new();
    crate::snapshot::write_json(m, &mut out).unwrap();
    serde_json::from_slice(&out).unwrap()
}

/// A cluster source holding the crashlooping checkout, joined by `app.kubernetes.io/name`.
fn crashlooping_checkout() -> Model {
    let mut m = with_cluster(model());
    update(
        &mut m,
        kube_msg(crashloop_changes(Some((
            "app.kubernetes.io/name",
            "checkout",
        )))),
    );
    m
}
