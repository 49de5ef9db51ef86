use super::*;
use crate::kube::objects::{ContainerStatus, ObjectKey};

fn pod(containers: Vec<ContainerStatus>) -> Pod {
    let mut p = Pod::new(ObjectKey {
        cluster: "prod".into(),
        namespace: "payments".into(),
        name: "checkout-7d9-abcde".into(),
    });
    p.phase = "Running".into();
    p.containers = containers;
    p
}

fn container(
    state: ContainerState,
    restarts: i32,
    last: Option<ContainerState>,
) -> ContainerStatus {
    ContainerStatus {
        name: "app".into(),
        image: "ghcr.io/acme/checkout:v2.14.0".into(),
        ready: matches!(state, ContainerState::Running { .. }),
        restarts,
        init: false,
        state,
        last_terminated: last,
    }
}

fn oom() -> ContainerState {
    ContainerState::Terminated {
        reason: "OOMKilled".into(),
        exit_code: 137,
        message: String::new(),
        finished_at: None,
    }
}

#[test]
fn crashloop_with_why_it_last_died() {
    let p = pod(vec![container(
        ContainerState::Waiting {
            reason: "CrashLoopBackOff".into(),
            message: "back-off 5m0s restarting failed container".into(),
        },
        12,
        Some(oom()),
    )]);
    let got = pod_problem(&p).unwrap();
    assert_eq!(got.reason, "CrashLoopBackOff");
    assert_eq!(got.weight, ProblemWeight::Broken);
    assert_eq!(got.restarts, 12);
    assert_eq!(
        got.message,
        "back-off 5m0s restarting failed container; last: OOMKilled, exit 137"
    );
}

#[test]
fn image_pull_unschedulable_failed_and_healthy() {
    let p = pod(vec![container(
        ContainerState::Waiting {
            reason: "ImagePullBackOff".into(),
            message: String::new(),
        },
        0,
        None,
    )]);
    assert_eq!(pod_problem(&p).unwrap().reason, "ImagePullBackOff");

    let mut p = pod(vec![]);
    p.phase = "Pending".into();
    p.unschedulable = Some((
        "Unschedulable".into(),
        "0/3 nodes are available: 3 Insufficient memory.".into(),
    ));
    let got = pod_problem(&p).unwrap();
    assert_eq!(
        (got.reason.as_str(), got.container),
        ("Unschedulable", None)
    );

    let mut p = pod(vec![]);
    p.phase = "Failed".into();
    p.reason = "Evicted".into();
    assert_eq!(pod_problem(&p).unwrap().reason, "Evicted");

    let ok = pod(vec![container(
        ContainerState::Running { started_at: None },
        1,
        None,
    )]);
    assert_eq!(pod_problem(&ok), None);
    let mut done = pod(vec![]);
    done.phase = "Succeeded".into();
    assert_eq!(pod_problem(&done), None);
}

#[test]
fn running_but_restarting_or_oom_is_degraded() {
    let p = pod(vec![container(
        ContainerState::Running { started_at: None },
        1,
        Some(oom()),
    )]);
    let got = pod_problem(&p).unwrap();
    assert_eq!(
        (got.reason.as_str(), got.weight),
        ("OOMKilled", ProblemWeight::Degraded)
    );
    let p = pod(vec![container(
        ContainerState::Running { started_at: None },
        RESTARTS_WORTH_SAYING,
        None,
    )]);
    assert_eq!(pod_problem(&p).unwrap().reason, "Restarting");
}
