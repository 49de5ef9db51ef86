//! Kubernetes on the triage screen: the PODS cell of a crashlooping checkout, the detail
//! pane's Workloads section (rollout in kubectl's words, unhealthy pods with why they last
//! died, the latest warning event), a service with only Kubernetes trouble on a quiet
//! screen, and what RBAC hides. Frozen time, 120x40 and 80x24; the cluster's objects go
//! through `update` as its watcher sends them.

mod common_ui;

use chrono::Duration;
use common_ui::*;
use sitrep::kube::{
    ContainerState, ContainerStatus, KubeChange, KubeObject, KubePayload, ObjectKey, OwnerRef, Pod,
    ReplicaSet, ResourceKind, WarningEvent, Workload, WorkloadKey, WorkloadKind,
};
use sitrep::model::Model;
use sitrep::model::source::{SourceKind, SourceStatus};
use sitrep::msg::SourcePayload;
use std::sync::Arc;

const CLUSTER: &str = "kube-prod";

fn okey(name: &str) -> ObjectKey {
    ObjectKey {
        cluster: CLUSTER.into(),
        namespace: "payments".into(),
        name: name.into(),
    }
}

fn rs(w: &Workload, hash: &str, rev: i64, image: &str, secs_ago: i64) -> ReplicaSet {
    let mut r = ReplicaSet::new(okey(&format!("checkout-{hash}")));
    r.owner = Some(OwnerRef {
        kind: "Deployment".into(),
        name: "checkout".into(),
        uid: w.uid.clone(),
    });
    r.labels.insert("app".into(), "checkout".into());
    r.revision = Some(rev);
    r.change_cause = Some(format!("ci: deploy {image}"));
    r.images = vec![format!("registry.example.com/shop/checkout:{image}")];
    r.created = Some(ago(secs_ago));
    r.template_hash = hash.into();
    r
}

fn pod(owner: &str, name: &str, crashing: bool, restarts: i32) -> Pod {
    let mut p = Pod::new(okey(name));
    p.owner = Some(OwnerRef {
        kind: "ReplicaSet".into(),
        name: owner.into(),
        uid: String::new(),
    });
    p.phase = "Running".into();
    p.containers = vec![ContainerStatus {
        name: "app".into(),
        image: String::new(),
        ready: !crashing,
        restarts,
        init: false,
        state: if crashing {
            ContainerState::Waiting {
                reason: "CrashLoopBackOff".into(),
                message: String::new(),
            }
        } else {
            ContainerState::Running { started_at: None }
        },
        last_terminated: crashing.then(|| ContainerState::Terminated {
            reason: "Error".into(),
            exit_code: 1,
            message: String::new(),
            finished_at: None,
        }),
    }];
    p
}

/// checkout's revision 7 (v2.14.0, six minutes old) crashlooping on two of three pods.
fn crashloop(pods_refused: bool) -> Vec<KubeChange> {
    let mut w = Workload::new(WorkloadKey {
        cluster: CLUSTER.into(),
        namespace: "payments".into(),
        kind: WorkloadKind::Deployment,
        name: "checkout".into(),
    });
    w.uid = "uid-checkout".into();
    w.labels
        .insert("app.kubernetes.io/name".into(), "checkout".into());
    w.selector
        .match_labels
        .insert("app".into(), "checkout".into());
    (w.generation, w.observed_generation) = (4, 4);
    (w.desired, w.current, w.updated, w.ready, w.available) = (3, 3, 3, 1, 1);
    w.revision = Some(7);
    w.images = vec!["registry.example.com/shop/checkout:v2.14.0".into()];
    let new = rs(&w, "7d9", 7, "v2.14.0", 6 * 60);
    let old = rs(&w, "5f4", 6, "v2.13.2", 26 * 3600);
    let pods = if pods_refused {
        KubeChange::Unavailable {
            resource: ResourceKind::Pods,
            namespace: Some("payments".into()),
            reason: "cannot watch pods in payments".into(),
        }
    } else {
        KubeChange::Reset {
            resource: ResourceKind::Pods,
            namespace: None,
            objects: vec![
                KubeObject::Pod(Arc::new(pod("checkout-7d9", "checkout-7d9-x2k", true, 12))),
                KubeObject::Pod(Arc::new(pod("checkout-7d9", "checkout-7d9-q8z", true, 11))),
                KubeObject::Pod(Arc::new(pod("checkout-7d9", "checkout-7d9-m4p", false, 0))),
            ],
        }
    };
    let event = WarningEvent {
        key: okey("checkout-7d9-x2k.17a"),
        object_kind: "Pod".into(),
        object_name: "checkout-7d9-x2k".into(),
        reason: "BackOff".into(),
        message: "Back-off restarting failed container app".into(),
        count: 40,
        first_seen: Some(ago(300)),
        last_seen: Some(ago(20)),
    };
    vec![
        KubeChange::Reset {
            resource: ResourceKind::Deployments,
            namespace: None,
            objects: vec![KubeObject::Workload(Arc::new(w))],
        },
        KubeChange::Reset {
            resource: ResourceKind::ReplicaSets,
            namespace: None,
            objects: vec![
                KubeObject::ReplicaSet(Arc::new(new)),
                KubeObject::ReplicaSet(Arc::new(old)),
            ],
        },
        pods,
        KubeChange::Reset {
            resource: ResourceKind::Events,
            namespace: None,
            objects: vec![KubeObject::Event(Arc::new(event))],
        },
        // Listed and empty, and no Argo Rollouts CRD: every kind is known.
        KubeChange::Reset {
            resource: ResourceKind::StatefulSets,
            namespace: None,
            objects: Vec::new(),
        },
        KubeChange::Reset {
            resource: ResourceKind::DaemonSets,
            namespace: None,
            objects: Vec::new(),
        },
        KubeChange::Unavailable {
            resource: ResourceKind::Rollouts,
            namespace: None,
            reason: String::new(),
        },
    ]
}

fn with_cluster(mut m: Model, pods_refused: bool) -> Model {
    m.sources.push(SourceStatus::new(
        CLUSTER,
        SourceKind::Kube,
        "https://127.0.0.1:6443",
        "config",
    ));
    send(
        &mut m,
        source_msg(
            CLUSTER,
            now() - Duration::seconds(5),
            SourcePayload::Kube(KubePayload {
                changes: crashloop(pods_refused),
            }),
        ),
    );
    tick(&mut m, now());
    m
}

fn snap(name: &str, model: &Model, w: u16, h: u16) {
    insta::assert_snapshot!(name, render_text(model, w, h));
}

#[test]
fn a_crashlooping_checkout_on_triage() {
    let m = with_cluster(model(), false);
    snap("kube_triage_crashloop_120x40", &m, 120, 40);
    snap("kube_triage_crashloop_80x24", &m, 80, 24);
    // The cell that carries the meaning is in the critical style, and reads without colour.
    let buf = render_buffer(&m, 120, 40);
    let (x, y) = find(&buf, "checkout", "CrashLoop ×2").expect("the PODS cell");
    assert_eq!(buf[(x, y)].fg, m.theme.critical.fg.unwrap());
    let (x, y) = find(&buf, "checkout-7d9-x2k", "CrashLoopBackOff").expect("the pod line");
    assert_eq!(buf[(x, y)].fg, m.theme.critical.fg.unwrap());
    let text = render_text(&m, 120, 40);
    assert!(
        text.contains("Waiting for deployment \"checkout\" rollout to finish"),
        "{text}"
    );
    assert!(text.contains("checkout-7d9-x2k"), "{text}");
}

#[test]
fn only_kubernetes_trouble_is_never_all_quiet() {
    let m = with_cluster(quiet_model(), false);
    let text = render_text(&m, 120, 40);
    assert!(!text.contains("All quiet"), "{text}");
    snap("kube_triage_quiet_but_crashlooping_120x40", &m, 120, 40);
}

#[test]
fn pods_rbac_refused_says_unknown() {
    let m = with_cluster(model(), true);
    let text = render_text(&m, 120, 40);
    assert!(
        text.contains("pods: cannot watch pods in payments"),
        "{text}"
    );
    assert!(!text.contains("CrashLoop ×"), "{text}");
}

#[test]
fn a_cluster_not_answering_marks_its_counts_as_last_known() {
    let mut m = with_cluster(model(), false);
    let src = m.sources.iter_mut().find(|s| s.name == CLUSTER).unwrap();
    src.live = Some(false);
    let text = render_text(&m, 120, 40);
    assert!(text.contains("Crash ×2 ?"), "{text}");
    // Another service with no workload: "—" would claim it is not on Kubernetes; with the
    // cluster's workloads all listed it is still "—".
    assert!(!text.contains("workloads unknown"), "{text}");
}
