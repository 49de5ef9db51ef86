use super::*;
use crate::kube::objects::{WorkloadCondition, WorkloadKey};

fn deployment(desired: i32, current: i32, updated: i32, available: i32) -> Workload {
    let mut w = Workload::new(WorkloadKey {
        cluster: "prod".into(),
        namespace: "payments".into(),
        kind: WorkloadKind::Deployment,
        name: "checkout".into(),
    });
    w.generation = 4;
    w.observed_generation = 4;
    w.desired = desired;
    w.current = current;
    w.updated = updated;
    w.available = available;
    w
}

#[test]
fn kubectl_words_in_kubectl_order() {
    let mut w = deployment(3, 3, 3, 3);
    w.generation = 5;
    assert_eq!(
        rollout_status(&w).text,
        "Waiting for deployment spec update to be observed..."
    );
    let w = deployment(3, 4, 1, 1);
    assert_eq!(
        rollout_status(&w).text,
        "Waiting for deployment \"checkout\" rollout to finish: 1 out of 3 new replicas have been updated..."
    );
    let w = deployment(3, 5, 3, 3);
    assert_eq!(
        rollout_status(&w).text,
        "Waiting for deployment \"checkout\" rollout to finish: 2 old replicas are pending termination..."
    );
    let s = rollout_status(&deployment(3, 3, 3, 1));
    assert_eq!(
        s.text,
        "Waiting for deployment \"checkout\" rollout to finish: 1 of 3 updated replicas are available..."
    );
    assert_eq!(s.phase, RolloutPhase::Rolling);
    let s = rollout_status(&deployment(3, 3, 3, 3));
    assert_eq!(s.text, "deployment \"checkout\" successfully rolled out");
    assert_eq!(s.phase, RolloutPhase::Complete);
}

#[test]
fn progress_deadline_is_stuck_before_counts() {
    let mut w = deployment(3, 4, 1, 2);
    w.conditions.push(WorkloadCondition {
        type_: "Progressing".into(),
        status: "False".into(),
        reason: "ProgressDeadlineExceeded".into(),
        message: "ReplicaSet \"checkout-7\" has timed out progressing.".into(),
        last_transition: None,
    });
    let s = rollout_status(&w);
    assert_eq!(s.phase, RolloutPhase::Stuck);
    assert_eq!(
        s.text,
        "deployment \"checkout\" exceeded its progress deadline"
    );
}

#[test]
fn paused_deployment_waits_paused_and_other_kinds() {
    let mut w = deployment(3, 3, 1, 1);
    w.paused = true;
    assert_eq!(rollout_status(&w).phase, RolloutPhase::Paused);

    let mut ds = deployment(4, 4, 2, 2);
    ds.key.kind = WorkloadKind::DaemonSet;
    ds.key.name = "node-exporter".into();
    assert_eq!(
        rollout_status(&ds).text,
        "Waiting for daemon set \"node-exporter\" rollout to finish: 2 out of 4 new pods have been updated..."
    );

    let mut ss = deployment(3, 3, 1, 3);
    ss.key.kind = WorkloadKind::StatefulSet;
    ss.ready = 3;
    ss.current_revision = "db-1".into();
    ss.update_revision = "db-2".into();
    assert_eq!(
        rollout_status(&ss).text,
        "waiting for statefulset rolling update to complete 1 pods at revision db-2..."
    );

    let mut ro = deployment(3, 3, 3, 3);
    ro.key.kind = WorkloadKind::Rollout;
    ro.rollout_phase = Some("Paused".into());
    ro.rollout_message = "CanaryPauseStep".into();
    let s = rollout_status(&ro);
    assert_eq!(
        (s.phase, s.text.as_str()),
        (RolloutPhase::Paused, "Paused - CanaryPauseStep")
    );
    ro.rollout_aborted = true;
    assert_eq!(rollout_status(&ro).phase, RolloutPhase::Stuck);
}

#[test]
fn hostile_counts_do_not_overflow() {
    // Counts are clamped at decode, but the status must not panic on any i32 either.
    let w = deployment(i32::MAX, i32::MAX, i32::MIN, 0);
    let s = rollout_status(&w);
    assert!(!s.text.is_empty());
    let w = deployment(i32::MAX, i32::MAX, i32::MAX, i32::MAX);
    let s = rollout_status(&w);
    assert!(s.text.contains("successfully rolled out"), "{}", s.text);
    let mut sts = deployment(i32::MAX, 0, 0, 0);
    sts.key.kind = WorkloadKind::StatefulSet;
    sts.ready = i32::MIN;
    assert!(!rollout_status(&sts).text.is_empty());
}
