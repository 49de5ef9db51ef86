//! `kubectl rollout undo` and `kubectl rollout restart` on the wire objects (JSON as the API
//! returns them), so the patch sitrep sends is the one kubectl would send. The effect client
//! (`sources::kube::actions`) reads the Deployment and its ReplicaSets fresh, plans here, then
//! dry-runs and applies the plan.
//!
//! Semantics (kubectl `pkg/polymorphichelpers/rollback.go`): refuse a paused Deployment; to
//! revision 0 = the ReplicaSet with the second-highest revision; "no rollout history found"
//! without one; "skipped rollback" when the templates already match (ignoring
//! `pod-template-hash`); the target's template without the `pod-template-hash` label; the
//! Deployment keeps only kubectl's annotations (`last-applied-configuration`, the revision
//! annotations…) and takes the ReplicaSet's others; one JSON patch replacing `/spec/template`
//! and `/metadata/annotations`.

use serde_json::Value;

/// What an undo will do.
#[derive(Clone, Debug, PartialEq)]
pub enum UndoPlan {
    /// Send `patch` (a JSON patch) to the Deployment.
    Patch {
        patch: Value,
        from_revision: Option<i64>,
        to_revision: i64,
        /// The images the target revision runs.
        images: Vec<String>,
    },
    /// The current template already is the target's: nothing to send
    /// ("skipped rollback (current template already matches revision N)").
    Skipped { to_revision: i64 },
}

/// Plan `kubectl rollout undo --to-revision=to_revision` (0 = previous) of `deployment` given
/// the namespace's ReplicaSets. `Err` carries kubectl's words ("cannot rollback a paused
/// deployment; resume it first…", "no rollout history found", "unable to find specified
/// revision N in history").
pub fn plan_undo(
    _deployment: &Value,
    _replica_sets: &[Value],
    _to_revision: i64,
) -> Result<UndoPlan, String> {
    Err("rollout undo is not implemented yet".into())
}

/// The strategic-merge patch of `kubectl rollout restart` at `now` (RFC 3339).
pub fn restart_patch(now: &str) -> Value {
    serde_json::json!({
        "spec": {"template": {"metadata": {"annotations": {
            "kubectl.kubernetes.io/restartedAt": now
        }}}}
    })
}
