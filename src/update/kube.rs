//! Kubernetes in the model: a cluster's changes stored and joined to services, its actions'
//! results, pod logs.

use crate::effect::Effect;
use crate::kube::KubePayload;
use crate::model::Model;
use crate::msg::EffectOutcome;
use chrono::{DateTime, Utc};

/// A cluster reported a batch of changes: store them, and note the namespaces they touched
/// so the next re-derive summarizes those (and only those) again.
pub fn on_kube(
    model: &mut Model,
    source: &str,
    _at: DateTime<Utc>,
    payload: KubePayload,
) -> Vec<Effect> {
    let delta = model.kube.apply(source, payload);
    if !delta.is_empty() {
        model.correlation.note_kube(delta);
        model.pending_rederive = true;
    }
    Vec::new()
}

/// Does `request_id` belong to a Kubernetes action or log read?
pub fn owns(model: &Model, request_id: u64) -> bool {
    super::kube_actions::owns(model, request_id) || super::kube_logs::owns(model, request_id)
}

/// A Kubernetes action's or log read's result.
pub fn on_outcome(model: &mut Model, outcome: EffectOutcome) -> Vec<Effect> {
    match &outcome {
        EffectOutcome::Logs { .. } => super::kube_logs::on_outcome(model, outcome),
        EffectOutcome::MutationFailed { request_id, .. }
            if super::kube_logs::owns(model, *request_id) =>
        {
            super::kube_logs::on_outcome(model, outcome)
        }
        _ => super::kube_actions::on_outcome(model, outcome),
    }
}
