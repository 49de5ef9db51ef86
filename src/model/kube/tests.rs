use super::*;
use crate::kube::{ObjectKey, OwnerRef};

fn key(ns: &str, name: &str) -> ObjectKey {
    ObjectKey {
        cluster: "prod".into(),
        namespace: ns.into(),
        name: name.into(),
    }
}

fn deployment(ns: &str, name: &str) -> Arc<Workload> {
    let mut w = Workload::new(WorkloadKey {
        cluster: "prod".into(),
        namespace: ns.into(),
        kind: WorkloadKind::Deployment,
        name: name.into(),
    });
    w.uid = format!("uid-{name}");
    w.selector.match_labels.insert("app".into(), name.into());
    Arc::new(w)
}

fn rs(ns: &str, name: &str, owner: &str) -> Arc<ReplicaSet> {
    let mut r = ReplicaSet::new(key(ns, name));
    r.owner = Some(OwnerRef {
        kind: "Deployment".into(),
        name: owner.into(),
        uid: format!("uid-{owner}"),
    });
    Arc::new(r)
}

fn pod(ns: &str, name: &str, owner: &str) -> Arc<Pod> {
    let mut p = Pod::new(key(ns, name));
    p.owner = Some(OwnerRef {
        kind: "ReplicaSet".into(),
        name: owner.into(),
        uid: String::new(),
    });
    Arc::new(p)
}

#[test]
fn reset_replaces_its_scope_only_and_pods_follow_their_owner_chain() {
    let mut store = KubeStore::default();
    store.apply(
        "prod",
        KubePayload {
            changes: vec![
                KubeChange::Reset {
                    resource: ResourceKind::Deployments,
                    namespace: None,
                    objects: vec![
                        KubeObject::Workload(deployment("payments", "checkout")),
                        KubeObject::Workload(deployment("search", "search")),
                    ],
                },
                KubeChange::Reset {
                    resource: ResourceKind::ReplicaSets,
                    namespace: None,
                    objects: vec![
                        KubeObject::ReplicaSet(rs("payments", "checkout-7d9", "checkout")),
                        KubeObject::ReplicaSet(rs("payments", "other-1", "other")),
                    ],
                },
                KubeChange::Reset {
                    resource: ResourceKind::Pods,
                    namespace: None,
                    objects: vec![
                        KubeObject::Pod(pod("payments", "checkout-7d9-a", "checkout-7d9")),
                        KubeObject::Pod(pod("payments", "other-1-a", "other-1")),
                    ],
                },
            ],
        },
    );
    let c = &store.clusters["prod"];
    let w = c
        .workloads
        .values()
        .find(|w| w.key.name == "checkout")
        .unwrap();
    let pods = c.pods_of(w);
    assert_eq!(pods.len(), 1);
    assert_eq!(pods[0].key.name, "checkout-7d9-a");

    // A relist of Deployments in one namespace keeps the other namespace's.
    let delta = store.apply(
        "prod",
        KubePayload {
            changes: vec![KubeChange::Reset {
                resource: ResourceKind::Deployments,
                namespace: Some("search".into()),
                objects: vec![],
            }],
        },
    );
    assert!(
        delta
            .namespaces
            .contains(&("prod".to_string(), "search".to_string()))
    );
    let names: Vec<_> = store.workloads().map(|w| w.key.name.clone()).collect();
    assert_eq!(names, vec!["checkout"]);
}

#[test]
fn delete_and_unavailable() {
    let mut store = KubeStore::default();
    store.apply(
        "prod",
        KubePayload {
            changes: vec![
                KubeChange::Apply(KubeObject::Pod(pod("payments", "p1", "rs"))),
                KubeChange::Apply(KubeObject::Pod(pod("payments", "p2", "rs"))),
                KubeChange::Delete {
                    resource: ResourceKind::Pods,
                    namespace: "payments".into(),
                    name: "p1".into(),
                },
            ],
        },
    );
    assert_eq!(store.clusters["prod"].pods.len(), 1);
    store.apply(
        "prod",
        KubePayload {
            changes: vec![KubeChange::Unavailable {
                resource: ResourceKind::Pods,
                namespace: Some("payments".into()),
                reason: "cannot watch pods in payments".into(),
            }],
        },
    );
    let c = &store.clusters["prod"];
    assert!(c.pods.is_empty());
    assert_eq!(
        c.unavailable[&(ResourceKind::Pods, Some("payments".into()))],
        "cannot watch pods in payments"
    );
}

#[test]
fn a_pod_change_names_its_workload_not_its_namespace() {
    let mut store = KubeStore::default();
    store.apply(
        "prod",
        KubePayload {
            changes: vec![
                KubeChange::Reset {
                    resource: ResourceKind::Deployments,
                    namespace: None,
                    objects: vec![KubeObject::Workload(deployment("payments", "checkout"))],
                },
                KubeChange::Reset {
                    resource: ResourceKind::ReplicaSets,
                    namespace: None,
                    objects: vec![KubeObject::ReplicaSet(rs(
                        "payments",
                        "checkout-7d9",
                        "checkout",
                    ))],
                },
            ],
        },
    );
    let delta = store.apply(
        "prod",
        KubePayload {
            changes: vec![KubeChange::Apply(KubeObject::Pod(pod(
                "payments",
                "checkout-7d9-a",
                "checkout-7d9",
            )))],
        },
    );
    assert!(delta.namespaces.is_empty(), "{delta:?}");
    assert_eq!(
        delta
            .workloads
            .iter()
            .map(|k| k.name.as_str())
            .collect::<Vec<_>>(),
        vec!["checkout"]
    );
    // A pod whose ReplicaSet is not known: the namespace, not a guess.
    let delta = store.apply(
        "prod",
        KubePayload {
            changes: vec![KubeChange::Apply(KubeObject::Pod(pod(
                "payments", "x-1-a", "x-1",
            )))],
        },
    );
    assert!(delta.workloads.is_empty());
    assert!(
        delta
            .namespaces
            .contains(&("prod".to_string(), "payments".to_string()))
    );
}
