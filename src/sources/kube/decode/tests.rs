use super::*;
use crate::sources::kube::wire::WireReplicaSet;
use serde_json::json;

fn decode<W: WireObject>(value: serde_json::Value) -> KubeObject {
    let wire: W = serde_json::from_value(value).expect("decodes");
    wire.into_object("prod")
}

fn workload_of(o: KubeObject) -> Arc<Workload> {
    match o {
        KubeObject::Workload(w) => w,
        other => panic!("not a workload: {other:?}"),
    }
}

fn pod_of(o: KubeObject) -> Arc<Pod> {
    match o {
        KubeObject::Pod(p) => p,
        other => panic!("not a pod: {other:?}"),
    }
}

#[test]
fn deployment_stuck_on_its_progress_deadline() {
    let d = workload_of(decode::<WireDeployment>(json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {
            "name": "checkout", "namespace": "shop", "uid": "u-1", "generation": 9,
            "resourceVersion": "1234",
            "creationTimestamp": "2026-11-30T10:00:00Z",
            "labels": {"app.kubernetes.io/name": "checkout"},
            "annotations": {
                "deployment.kubernetes.io/revision": "7",
                "kubectl.kubernetes.io/last-applied-configuration": "{\"huge\":true}",
                "argocd.argoproj.io/tracking-id": "checkout:apps/Deployment:shop/checkout"
            },
            "managedFields": [{"manager": "kube-controller-manager", "fieldsV1": {"f:status": {}}}]
        },
        "spec": {
            "replicas": 3,
            "selector": {"matchLabels": {"app": "checkout"},
                         "matchExpressions": [{"key": "tier", "operator": "In", "values": ["web"]}]},
            "strategy": {"type": "RollingUpdate"},
            "template": {"spec": {"containers": [
                {"name": "app", "image": "shop/checkout:v2.14.0", "env": [{"name": "X", "value": "y"}]},
                {"name": "sidecar", "image": "envoy:1.30"}
            ]}}
        },
        "status": {
            "observedGeneration": 9, "replicas": 4, "updatedReplicas": 1,
            "readyReplicas": 3, "availableReplicas": 3, "unavailableReplicas": 1,
            "conditions": [
                {"type": "Available", "status": "True", "reason": "MinimumReplicasAvailable"},
                {"type": "Progressing", "status": "False", "reason": "ProgressDeadlineExceeded",
                 "message": "ReplicaSet \"checkout-7d9\" has timed out progressing.",
                 "lastTransitionTime": "2026-11-30T10:10:00Z"}
            ]
        }
    })));
    assert_eq!(d.key.kind, WorkloadKind::Deployment);
    assert_eq!(
        (d.key.namespace.as_str(), d.key.name.as_str()),
        ("shop", "checkout")
    );
    assert_eq!(d.key.cluster, "prod");
    assert_eq!(d.revision, Some(7));
    assert_eq!(
        (d.desired, d.current, d.updated, d.ready, d.available),
        (3, 4, 1, 3, 3)
    );
    assert_eq!((d.generation, d.observed_generation), (9, 9));
    assert_eq!(d.images, vec!["shop/checkout:v2.14.0", "envoy:1.30"]);
    assert_eq!(d.strategy, "RollingUpdate");
    assert_eq!(d.conditions[1].reason, "ProgressDeadlineExceeded");
    assert!(d.conditions[1].last_transition.is_some());
    // Only the annotations sitrep reads.
    assert!(
        d.annotations
            .get("kubectl.kubernetes.io/last-applied-configuration")
            .is_none()
    );
    assert!(d.annotations.contains_key("argocd.argoproj.io/tracking-id"));
    assert_eq!(
        d.selector.match_labels.get("app").map(String::as_str),
        Some("checkout")
    );
    assert_eq!(d.selector.match_expressions[0].0, "tier");
    assert_eq!(
        crate::kube::status::rollout_status(&d).text,
        "deployment \"checkout\" exceeded its progress deadline"
    );
}

#[test]
fn crashlooping_pod_that_was_oom_killed() {
    let p = pod_of(decode::<WirePod>(json!({
        "metadata": {
            "name": "checkout-7d9-abcde", "namespace": "shop", "uid": "p-1",
            "labels": {"app": "checkout", "pod-template-hash": "7d9"},
            "ownerReferences": [
                {"kind": "Node", "name": "n", "uid": "x"},
                {"kind": "ReplicaSet", "name": "checkout-7d9", "uid": "rs-7", "controller": true}
            ]
        },
        "spec": {"nodeName": "node-3", "containers": [{"name": "app"}]},
        "status": {
            "phase": "Running",
            "containerStatuses": [{
                "name": "app", "image": "shop/checkout:v2.14.0", "ready": false, "restartCount": 12,
                "state": {"waiting": {"reason": "CrashLoopBackOff",
                          "message": "back-off 5m0s restarting failed container"}},
                "lastState": {"terminated": {"reason": "OOMKilled", "exitCode": 137,
                              "finishedAt": "2026-11-30T10:12:00Z"}}
            }]
        }
    })));
    assert_eq!(
        p.owner.as_ref().map(|o| o.name.as_str()),
        Some("checkout-7d9")
    );
    assert_eq!(p.node, "node-3");
    assert_eq!(p.restarts(), 12);
    let c = &p.containers[0];
    assert!(!c.init);
    assert!(
        matches!(&c.state, ContainerState::Waiting { reason, .. } if reason == "CrashLoopBackOff")
    );
    assert!(matches!(
        &c.last_terminated,
        Some(ContainerState::Terminated { reason, exit_code: 137, .. }) if reason == "OOMKilled"
    ));
    assert_eq!(p.ready_text(), "0/1");
}

#[test]
fn unschedulable_pod() {
    let p = pod_of(decode::<WirePod>(json!({
        "metadata": {"name": "big-0", "namespace": "batch", "deletionTimestamp": "2026-11-30T10:00:00Z"},
        "spec": {"containers": [{"name": "main"}]},
        "status": {
            "phase": "Pending",
            "conditions": [{"type": "PodScheduled", "status": "False", "reason": "Unschedulable",
                            "message": "0/5 nodes are available: 5 Insufficient memory."}]
        }
    })));
    assert_eq!(p.phase, "Pending");
    assert!(p.terminating);
    let (reason, message) = p.unschedulable.clone().expect("unschedulable");
    assert_eq!(reason, "Unschedulable");
    assert!(message.contains("Insufficient memory"));
    assert!(p.containers.is_empty());
    assert_eq!(p.container_names, vec!["main"]);
}

#[test]
fn replicaset_with_revision_and_change_cause() {
    let o = decode::<WireReplicaSet>(json!({
        "metadata": {
            "name": "checkout-7d9", "namespace": "shop", "uid": "rs-7",
            "creationTimestamp": "2026-11-30T10:00:00Z",
            "labels": {"app": "checkout", "pod-template-hash": "7d9"},
            "annotations": {"deployment.kubernetes.io/revision": "7",
                            "kubernetes.io/change-cause": "kubectl set image deployment/checkout app=v2.14.0",
                            "deployment.kubernetes.io/desired-replicas": "3"},
            "ownerReferences": [{"kind": "Deployment", "name": "checkout", "uid": "u-1", "controller": true}]
        },
        "spec": {"replicas": 3, "template": {"spec": {"containers": [{"name": "app", "image": "shop/checkout:v2.14.0"}]}}},
        "status": {"replicas": 3, "readyReplicas": 1}
    }));
    let KubeObject::ReplicaSet(rs) = o else {
        panic!("not a replicaset")
    };
    assert_eq!(rs.revision, Some(7));
    assert_eq!(
        rs.change_cause.as_deref(),
        Some("kubectl set image deployment/checkout app=v2.14.0")
    );
    assert_eq!(rs.template_hash, "7d9");
    assert_eq!(rs.images, vec!["shop/checkout:v2.14.0"]);
    assert_eq!((rs.desired, rs.ready, rs.available), (3, 1, 0));
    assert_eq!(
        rs.owner.as_ref().map(|o| o.kind.as_str()),
        Some("Deployment")
    );
    assert!(rs.created.is_some());
}

#[test]
fn warning_event() {
    let o = decode::<WireEvent>(json!({
        "metadata": {"name": "checkout-7d9-abcde.17f3", "namespace": "shop"},
        "involvedObject": {"kind": "Pod", "name": "checkout-7d9-abcde", "namespace": "shop"},
        "reason": "BackOff", "message": "Back-off restarting failed container app",
        "type": "Warning", "count": 42,
        "firstTimestamp": "2026-11-30T10:00:00Z", "lastTimestamp": "2026-11-30T10:12:00Z"
    }));
    let KubeObject::Event(e) = o else {
        panic!("not an event")
    };
    assert_eq!(
        (e.object_kind.as_str(), e.object_name.as_str()),
        ("Pod", "checkout-7d9-abcde")
    );
    assert_eq!(e.reason, "BackOff");
    assert_eq!(e.count, 42);
    assert!(e.first_seen.unwrap() < e.last_seen.unwrap());
}

#[test]
fn daemonset_and_rollout_counts() {
    let ds = workload_of(decode::<WireDaemonSet>(json!({
        "metadata": {"name": "agent", "namespace": "kube-system"},
        "spec": {"updateStrategy": {"type": "OnDelete"}},
        "status": {"desiredNumberScheduled": 5, "currentNumberScheduled": 5,
                   "updatedNumberScheduled": 4, "numberReady": 3, "numberAvailable": 3,
                   "numberUnavailable": 2}
    })));
    assert_eq!(
        (ds.desired, ds.updated, ds.ready, ds.unavailable),
        (5, 4, 3, 2)
    );
    assert_eq!(ds.strategy, "OnDelete");
    let ro = workload_of(decode::<WireRollout>(json!({
        "metadata": {"name": "web", "namespace": "shop", "annotations": {"rollout.argoproj.io/revision": "4"}},
        "spec": {"replicas": 2, "strategy": {"canary": {"steps": [{"setWeight": 20}]}}},
        "status": {"observedGeneration": "3", "phase": "Degraded", "message": "RolloutAborted", "abort": true}
    })));
    assert_eq!(ro.strategy, "Canary");
    assert_eq!(ro.revision, Some(4));
    assert_eq!(ro.observed_generation, 3);
    assert_eq!(ro.rollout_phase.as_deref(), Some("Degraded"));
    assert!(ro.rollout_aborted);
}

#[test]
fn hostile_fields_are_cleaned_capped_and_never_fail_the_object() {
    let huge = "x".repeat(1024 * 1024);
    let mut labels = serde_json::Map::new();
    for i in 0..500 {
        labels.insert(format!("l{i:03}"), json!("v"));
    }
    labels.insert("evil".into(), json!("\u{1b}]52;c;aGk=\u{7}red\u{1b}[31m"));
    labels.insert("number".into(), json!(5));
    let p = pod_of(decode::<WirePod>(json!({
        "metadata": {
            "name": "evil\u{1b}[2Jpod", "namespace": "shop",
            "labels": labels,
            "annotations": {"kubernetes.io/change-cause": huge.clone(), "big": huge, "null": null}
        },
        "status": {"phase": null, "message": "line\nbreak\u{7}"}
    })));
    assert!(!p.key.name.contains('\u{1b}'));
    assert!(p.labels.len() <= crate::sources::kube::wire::MAX_LABELS);
    assert!(
        p.labels
            .iter()
            .all(|(k, v)| !k.contains('\u{1b}') && !v.contains('\u{1b}'))
    );
    assert!(!p.message.contains('\n') && !p.message.contains('\u{7}'));
    assert_eq!(p.phase, "Pending");
    let rs = decode::<WireReplicaSet>(json!({
        "metadata": {"name": "rs", "annotations": {"kubernetes.io/change-cause": "y".repeat(1024 * 1024)}}
    }));
    let KubeObject::ReplicaSet(rs) = rs else {
        panic!()
    };
    assert!(rs.change_cause.as_ref().unwrap().chars().count() < 4096);
}

#[test]
fn hostile_counts_are_clamped_and_summed_without_overflow() {
    let max = i32::MAX;
    let p = pod_of(decode::<WirePod>(json!({
        "metadata": {"name": "p", "namespace": "shop"},
        "spec": {"containers": [{"name": "a"}, {"name": "b"}, {"name": "c"}]},
        "status": {"containerStatuses": [
            {"name": "a", "restartCount": max},
            {"name": "b", "restartCount": max},
            {"name": "c", "restartCount": -5}
        ]}
    })));
    assert_eq!(p.restarts(), i32::MAX, "saturates, no overflow panic");
    assert!(p.containers.iter().all(|c| c.restarts >= 0));

    let d = workload_of(decode::<WireDeployment>(json!({
        "metadata": {"name": "d", "namespace": "shop", "generation": 2},
        "spec": {"replicas": -3},
        "status": {"observedGeneration": 2, "replicas": max, "updatedReplicas": -7,
                   "readyReplicas": -1, "availableReplicas": -2, "unavailableReplicas": -9}
    })));
    assert_eq!(
        (
            d.desired,
            d.current,
            d.updated,
            d.ready,
            d.available,
            d.unavailable
        ),
        (0, max, 0, 0, 0, 0)
    );
    let status = crate::kube::status::rollout_status(&d);
    assert!(
        status.text.contains(&format!("{max} old replicas")),
        "{}",
        status.text
    );

    let e = match decode::<WireEvent>(json!({
        "metadata": {"name": "e", "namespace": "shop"}, "type": "Warning", "count": -4
    })) {
        KubeObject::Event(e) => e,
        _ => panic!("not an event"),
    };
    assert_eq!(e.count, 0);
}
