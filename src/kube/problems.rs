//! What is wrong with a pod, in the words `kubectl get pods` shows in its STATUS column
//! (CrashLoopBackOff, OOMKilled, ImagePullBackOff, Pending/Unschedulable, Evicted), with the
//! container, its restarts and why it last died. A service with such pods ranks higher.

use super::objects::{ContainerState, Pod};
use serde::Serialize;

/// Restarts from which a running pod is called out even when it is up right now.
pub const RESTARTS_WORTH_SAYING: i32 = 5;

/// Waiting reasons that mean the container cannot run.
const BAD_WAITING: [&str; 8] = [
    "CrashLoopBackOff",
    "ImagePullBackOff",
    "ErrImagePull",
    "InvalidImageName",
    "CreateContainerConfigError",
    "CreateContainerError",
    "RunContainerError",
    "ErrImageNeverPull",
];

/// How much a problem weighs in triage.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ProblemWeight {
    /// The pod cannot serve (crashlooping, cannot pull, cannot be scheduled, killed).
    Broken,
    /// It serves but something is off (restarting often).
    Degraded,
}

/// One pod's problem.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PodProblem {
    /// kubectl's STATUS word: `CrashLoopBackOff`, `OOMKilled`, `Unschedulable`…
    pub reason: String,
    pub weight: ProblemWeight,
    /// The container it concerns (none for scheduling and eviction).
    pub container: Option<String>,
    pub restarts: i32,
    /// What else there is to know: the waiting message, why it last died
    /// (`last: OOMKilled, exit 137`), the scheduler's message.
    pub message: String,
}

/// Why a terminated state ended: `OOMKilled, exit 137`.
fn terminated_text(state: &ContainerState) -> Option<String> {
    match state {
        ContainerState::Terminated {
            reason, exit_code, ..
        } => Some(if reason.is_empty() {
            format!("exit {exit_code}")
        } else {
            format!("{reason}, exit {exit_code}")
        }),
        _ => None,
    }
}

fn join(parts: impl IntoIterator<Item = String>) -> String {
    parts
        .into_iter()
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("; ")
}

/// The worst thing about `pod`, or `None` when it is fine (or has finished: a Succeeded pod
/// is not a problem).
pub fn pod_problem(pod: &Pod) -> Option<PodProblem> {
    if pod.phase == "Succeeded" {
        return None;
    }
    let restarts = pod.restarts();
    // A container that cannot run, init containers first (the pod waits on them).
    let mut containers: Vec<_> = pod.containers.iter().collect();
    containers.sort_by_key(|c| !c.init);
    for c in &containers {
        let last = c.last_terminated.as_ref().and_then(terminated_text);
        match &c.state {
            ContainerState::Waiting { reason, message }
                if BAD_WAITING.contains(&reason.as_str()) =>
            {
                return Some(PodProblem {
                    reason: if c.init {
                        format!("Init:{reason}")
                    } else {
                        reason.clone()
                    },
                    weight: ProblemWeight::Broken,
                    container: Some(c.name.clone()),
                    restarts: c.restarts,
                    message: join([
                        message.clone(),
                        last.map(|l| format!("last: {l}")).unwrap_or_default(),
                    ]),
                });
            }
            ContainerState::Terminated {
                reason,
                message,
                exit_code,
                ..
            } if reason == "OOMKilled"
                || (*exit_code != 0 && !c.init && pod.phase != "Succeeded") =>
            {
                return Some(PodProblem {
                    reason: if reason.is_empty() {
                        "Error".into()
                    } else {
                        reason.clone()
                    },
                    weight: ProblemWeight::Broken,
                    container: Some(c.name.clone()),
                    restarts: c.restarts,
                    message: join([message.clone(), format!("exit {exit_code}")]),
                });
            }
            _ => {}
        }
    }
    if let Some((reason, message)) = &pod.unschedulable {
        return Some(PodProblem {
            reason: if reason.is_empty() {
                "Unschedulable".into()
            } else {
                reason.clone()
            },
            weight: ProblemWeight::Broken,
            container: None,
            restarts,
            message: message.clone(),
        });
    }
    if pod.phase == "Failed" {
        return Some(PodProblem {
            reason: if pod.reason.is_empty() {
                "Failed".into()
            } else {
                pod.reason.clone()
            },
            weight: ProblemWeight::Broken,
            container: None,
            restarts,
            message: pod.message.clone(),
        });
    }
    // Up now, but it died recently and often, or last time ran out of memory.
    let worst = containers
        .iter()
        .filter(|c| !c.init)
        .max_by_key(|c| c.restarts)?;
    let last = worst.last_terminated.as_ref();
    let oom =
        matches!(last, Some(ContainerState::Terminated { reason, .. }) if reason == "OOMKilled");
    if worst.restarts >= RESTARTS_WORTH_SAYING || (oom && worst.restarts > 0) {
        return Some(PodProblem {
            reason: if oom {
                "OOMKilled".into()
            } else {
                "Restarting".into()
            },
            weight: ProblemWeight::Degraded,
            container: Some(worst.name.clone()),
            restarts: worst.restarts,
            message: last
                .and_then(terminated_text)
                .map(|l| format!("last: {l}"))
                .unwrap_or_default(),
        });
    }
    None
}

#[cfg(test)]
mod tests;
