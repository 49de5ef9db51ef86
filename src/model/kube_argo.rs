//! Which Argo CD app manages a workload — never guessed. Whether a kubectl undo would be
//! reverted (and whether to send the user to an Argo CD rollback instead) hangs on it, so
//! the answer says when it is unknown.
//!
//! Order: the workload's own tracking metadata (the `argocd.argoproj.io/instance` label, else
//! the `argocd.argoproj.io/tracking-id` annotation) names the app; without it, the apps whose
//! reported resources list the workload — one is the answer, several are "which one is
//! unknown". Tracking that names an app sitrep has not loaded (Argo CD not answered yet, not
//! configured) is still "managed by Argo CD", with self-heal unknown.
//!
//! Argo CD apps carry only their destination's server URL or name, and sitrep's clusters are
//! kubeconfig contexts: there is no rule that says they are equal, so no cluster is matched
//! on them. Several apps of that name (two Argo CD instances) are ambiguous unless exactly
//! one of them reports the workload among its resources.

use super::Model;
use super::app::{App, AppKey};
use super::kube_join::{ARGO_INSTANCE_LABEL, ARGO_TRACKING_ID};
use crate::kube::Workload;

/// Who manages a workload on Argo CD's side.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ArgoOwner {
    /// One app, loaded: what it would do to a kubectl change is known.
    App(AppKey),
    /// Tracking names this app, which sitrep has not loaded: self-heal unknown.
    Unloaded(String),
    /// Several apps claim it (their names): which one manages it is unknown.
    Ambiguous(Vec<String>),
}

/// The app named by the workload's tracking label or annotation, as written there
/// (`name`, or `namespace_name` for apps outside Argo CD's own namespace).
pub fn tracked_app_name(w: &Workload) -> Option<&str> {
    if let Some(label) = w
        .labels
        .get(ARGO_INSTANCE_LABEL)
        .map(|l| l.trim())
        .filter(|l| !l.is_empty())
    {
        return Some(label);
    }
    // `<app>:<group>/<kind>:<namespace>/<name>`
    w.annotations
        .get(ARGO_TRACKING_ID)
        .and_then(|t| t.split(':').next())
        .map(str::trim)
        .filter(|a| !a.is_empty())
}

/// Does the tracked name stand for this app? `ns_name` names the app's namespace too
/// (neither a namespace nor an app name can hold `_`, so the split is exact).
fn names_app(tracked: &str, key: &AppKey) -> bool {
    match tracked.split_once('_') {
        Some((ns, name)) => key.namespace == ns && key.name == name,
        None => key.name == tracked,
    }
}

/// Does this app report `w` among its resources?
fn claims(app: &App, w: &Workload) -> bool {
    let kind = w.key.kind.api_kind();
    app.resources
        .iter()
        .any(|r| r.kind == kind && r.namespace == w.key.namespace && r.name == w.key.name)
}

fn names(apps: &[&App]) -> Vec<String> {
    let mut out: Vec<String> = apps.iter().map(|a| a.key.to_string()).collect();
    out.sort();
    out.dedup();
    out
}

/// Who manages `w` on Argo CD's side; `None`: nothing says Argo CD does.
pub fn argo_owner(model: &Model, w: &Workload) -> Option<ArgoOwner> {
    if let Some(tracked) = tracked_app_name(w) {
        let named: Vec<&App> = model
            .apps
            .values()
            .filter(|a| names_app(tracked, &a.key))
            .collect();
        return Some(match named.as_slice() {
            [] => {
                // Not loaded, yet other apps report it: which one manages it is unknown.
                let claiming: Vec<&App> = model.apps.values().filter(|a| claims(a, w)).collect();
                if claiming.is_empty() {
                    ArgoOwner::Unloaded(tracked.to_string())
                } else {
                    let mut all = names(&claiming);
                    all.insert(0, tracked.to_string());
                    ArgoOwner::Ambiguous(all)
                }
            }
            [one] => {
                // Tracking and the apps' reports disagree: neither is taken on trust.
                let others: Vec<&App> = model
                    .apps
                    .values()
                    .filter(|a| a.key != one.key && claims(a, w))
                    .collect();
                if others.is_empty() {
                    ArgoOwner::App(one.key.clone())
                } else {
                    ArgoOwner::Ambiguous(names(&[&[*one], others.as_slice()].concat()))
                }
            }
            several => {
                // Same name in two Argo CD instances: the one reporting the workload, if only one does.
                let reporting: Vec<&App> =
                    several.iter().copied().filter(|a| claims(a, w)).collect();
                match reporting.as_slice() {
                    [one] => ArgoOwner::App(one.key.clone()),
                    _ => ArgoOwner::Ambiguous(names(several)),
                }
            }
        });
    }
    let claiming: Vec<&App> = model.apps.values().filter(|a| claims(a, w)).collect();
    match claiming.as_slice() {
        [] => None,
        [one] => Some(ArgoOwner::App(one.key.clone())),
        several => Some(ArgoOwner::Ambiguous(names(several))),
    }
}

/// The one loaded app managing `w`, when that is known.
pub fn argo_app_of(model: &Model, w: &Workload) -> Option<AppKey> {
    match argo_owner(model, w)? {
        ArgoOwner::App(k) => Some(k),
        ArgoOwner::Unloaded(_) | ArgoOwner::Ambiguous(_) => None,
    }
}
