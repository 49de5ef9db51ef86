//! Kubernetes as sitrep sees it: compact copies of the objects that matter during triage
//! (workloads, ReplicaSets, pods, warning events) and kubectl's rules over them. No IO here:
//! the watchers live in `sources::kube`, the emulated API in `demo::kube`.
//!
//! - `objects`: the compact objects a watcher keeps (managed fields and other bulk never stored).
//! - `payload`: what a cluster's task reports (lists, changes, what RBAC refuses).
//! - `actions`: what the user can ask of a cluster (undo, restart, scale, Argo Rollouts) and
//!   what comes back.
//! - `status`: rollout status by kubectl's rules, in kubectl's words.
//! - `problems`: what is wrong with a pod (CrashLoopBackOff, OOMKilled, Unschedulable…).
//! - `history`, `undo`: `kubectl rollout history/undo/restart` semantics on the wire objects.

pub mod actions;
pub mod history;
pub mod objects;
pub mod payload;
pub mod problems;
pub mod status;
pub mod undo;

pub use actions::{KubeAction, KubeActionReport, KubeRequest, LogRequest, LogTail};
pub use objects::{
    ContainerState, ContainerStatus, LabelSelector, ObjectKey, OwnerRef, Pod, ReplicaSet,
    WarningEvent, Workload, WorkloadCondition, WorkloadKey, WorkloadKind,
};
pub use payload::{KubeChange, KubeObject, KubePayload, ResourceKind};
