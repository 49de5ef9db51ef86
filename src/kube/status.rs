//! Rollout status by kubectl's rules (`kubectl rollout status`, `rollout_status.go`), in
//! kubectl's words, so what sitrep says matches what the responder would read in a terminal.

use super::objects::{Workload, WorkloadKind};
use serde::Serialize;

/// Where a rollout stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RolloutPhase {
    /// The progress deadline passed (`ProgressDeadlineExceeded`), or an Argo Rollout is
    /// Degraded or aborted: stuck until someone acts.
    Stuck,
    /// Paused (`spec.paused`, an Argo Rollout waiting for promotion).
    Paused,
    /// New replicas are coming up or old ones going away.
    Rolling,
    /// Done: every replica updated and available.
    Complete,
}

/// The verdict and kubectl's sentence for it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RolloutStatus {
    pub phase: RolloutPhase,
    pub text: String,
}

impl RolloutStatus {
    fn new(phase: RolloutPhase, text: String) -> RolloutStatus {
        RolloutStatus { phase, text }
    }
}

/// The condition `type_`'s reason, if the workload has it.
fn condition_reason<'a>(w: &'a Workload, type_: &str) -> Option<&'a str> {
    w.conditions
        .iter()
        .find(|c| c.type_ == type_)
        .map(|c| c.reason.as_str())
}

/// kubectl's verdict on `w`.
pub fn rollout_status(w: &Workload) -> RolloutStatus {
    match w.key.kind {
        WorkloadKind::Deployment => deployment_status(w),
        WorkloadKind::StatefulSet => statefulset_status(w),
        WorkloadKind::DaemonSet => daemonset_status(w),
        WorkloadKind::Rollout => argo_rollout_status(w),
    }
}

fn deployment_status(w: &Workload) -> RolloutStatus {
    use RolloutPhase::*;
    let name = &w.key.name;
    if w.generation > w.observed_generation {
        return RolloutStatus::new(
            Rolling,
            "Waiting for deployment spec update to be observed...".into(),
        );
    }
    if condition_reason(w, "Progressing") == Some("ProgressDeadlineExceeded") {
        return RolloutStatus::new(
            Stuck,
            format!("deployment \"{name}\" exceeded its progress deadline"),
        );
    }
    let waiting = |what: String| {
        RolloutStatus::new(
            if w.paused { Paused } else { Rolling },
            format!("Waiting for deployment \"{name}\" rollout to finish: {what}..."),
        )
    };
    if w.updated < w.desired {
        return waiting(format!(
            "{} out of {} new replicas have been updated",
            w.updated, w.desired
        ));
    }
    if w.current > w.updated {
        return waiting(format!(
            "{} old replicas are pending termination",
            w.current.saturating_sub(w.updated)
        ));
    }
    if w.available < w.updated {
        return waiting(format!(
            "{} of {} updated replicas are available",
            w.available, w.updated
        ));
    }
    RolloutStatus::new(
        Complete,
        format!("deployment \"{name}\" successfully rolled out"),
    )
}

fn statefulset_status(w: &Workload) -> RolloutStatus {
    use RolloutPhase::*;
    if w.strategy == "OnDelete" {
        return RolloutStatus::new(
            Complete,
            "rollout status is only available for RollingUpdate strategy type".into(),
        );
    }
    if w.observed_generation == 0 || w.generation > w.observed_generation {
        return RolloutStatus::new(
            Rolling,
            "Waiting for statefulset spec update to be observed...".into(),
        );
    }
    if w.ready < w.desired {
        return RolloutStatus::new(
            Rolling,
            format!(
                "Waiting for {} pods to be ready...",
                w.desired.saturating_sub(w.ready)
            ),
        );
    }
    if !w.update_revision.is_empty() && w.update_revision != w.current_revision {
        return RolloutStatus::new(
            Rolling,
            format!(
                "waiting for statefulset rolling update to complete {} pods at revision {}...",
                w.updated, w.update_revision
            ),
        );
    }
    RolloutStatus::new(
        Complete,
        format!(
            "statefulset rolling update complete {} pods at revision {}...",
            w.current, w.current_revision
        ),
    )
}

fn daemonset_status(w: &Workload) -> RolloutStatus {
    use RolloutPhase::*;
    let name = &w.key.name;
    if w.strategy == "OnDelete" {
        return RolloutStatus::new(
            Complete,
            "rollout status is only available for RollingUpdate strategy type".into(),
        );
    }
    if w.generation > w.observed_generation {
        return RolloutStatus::new(
            Rolling,
            "Waiting for daemon set spec update to be observed...".into(),
        );
    }
    if w.updated < w.desired {
        return RolloutStatus::new(
            Rolling,
            format!(
                "Waiting for daemon set \"{name}\" rollout to finish: {} out of {} new pods have been updated...",
                w.updated, w.desired
            ),
        );
    }
    if w.available < w.desired {
        return RolloutStatus::new(
            Rolling,
            format!(
                "Waiting for daemon set \"{name}\" rollout to finish: {} of {} updated pods are available...",
                w.available, w.desired
            ),
        );
    }
    RolloutStatus::new(
        Complete,
        format!("daemon set \"{name}\" successfully rolled out"),
    )
}

/// Argo Rollouts reports its own verdict (`status.phase`, `status.message`), as
/// `kubectl argo rollouts status` prints it.
fn argo_rollout_status(w: &Workload) -> RolloutStatus {
    use RolloutPhase::*;
    let message = if w.rollout_message.is_empty() {
        String::new()
    } else {
        format!(" - {}", w.rollout_message)
    };
    if w.rollout_aborted {
        return RolloutStatus::new(Stuck, format!("Degraded - RolloutAborted{message}"));
    }
    match w.rollout_phase.as_deref() {
        Some("Degraded") => RolloutStatus::new(Stuck, format!("Degraded{message}")),
        Some("Paused") => RolloutStatus::new(Paused, format!("Paused{message}")),
        Some("Healthy") => RolloutStatus::new(Complete, "Healthy".into()),
        Some(other) if !other.is_empty() => {
            RolloutStatus::new(Rolling, format!("{other}{message}"))
        }
        _ => RolloutStatus::new(
            Rolling,
            "Progressing - waiting for rollout spec update to be observed".into(),
        ),
    }
}

#[cfg(test)]
mod tests;
