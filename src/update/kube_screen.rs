//! Moving around the Kubernetes screen: Enter drills into a workload (its pods and events),
//! Esc comes back, Tab cycles the panes, `C` / `:ctx NAME` picks the cluster, `:ns NAME` the
//! namespace. Every change rebuilds the rows once, here, not while drawing.

use super::flash;
use crate::effect::Effect;
use crate::model::Model;
use crate::model::kube_view::{self, KubePane};
use crate::model::ui::{Cursor, FlashLevel, Screen};

/// Enter: on a workload, drill into it (its pods, its events); on a pod or event, nothing more
/// to open yet (`l` reads the pod's log).
pub fn enter(model: &mut Model) {
    let s = &mut model.kube_screen;
    if s.pane != KubePane::Workloads {
        flash(model, FlashLevel::Info, "l reads the selected pod's log");
        return;
    }
    let Some(key) = s.selected_workload().map(|r| r.workload.key.clone()) else {
        return;
    };
    s.drilled = Some(key);
    s.pane = KubePane::Pods;
    s.pods_cursor = Cursor::default();
    s.events_cursor = Cursor::default();
    kube_view::rebuild(model);
}

/// Esc: out of a drill-down first; `false` when there was none (the caller goes on).
pub fn back(model: &mut Model) -> bool {
    let s = &mut model.kube_screen;
    if s.drilled.take().is_some() {
        s.pane = KubePane::Workloads;
        kube_view::rebuild(model);
        return true;
    }
    if s.pane != KubePane::Workloads {
        s.pane = KubePane::Workloads;
        return true;
    }
    false
}

pub fn next_pane(model: &mut Model) {
    let s = &mut model.kube_screen;
    s.pane = s.pane.next();
}

/// Show `cluster` (from the start: no drill-down, cursors at the top).
fn show_cluster(model: &mut Model, cluster: String) {
    let s = &mut model.kube_screen;
    s.cluster = Some(cluster);
    s.drilled = None;
    s.pane = KubePane::Workloads;
    s.workloads_cursor = Cursor::default();
    s.pods_cursor = Cursor::default();
    s.events_cursor = Cursor::default();
    model.screen = Screen::Kube;
    kube_view::rebuild(model);
}

/// `C`: the next cluster.
pub fn next_cluster(model: &mut Model) -> Vec<Effect> {
    let all = kube_view::clusters(model);
    if all.is_empty() {
        flash(
            model,
            FlashLevel::Info,
            "no Kubernetes cluster configured (add [[kubernetes]] or --kube-context NAME)",
        );
        return Vec::new();
    }
    let now = kube_view::current_cluster(model);
    let i = now
        .and_then(|c| all.iter().position(|n| *n == c))
        .map(|i| (i + 1) % all.len())
        .unwrap_or(0);
    let next = all[i].clone();
    if model.screen == Screen::Kube && all.len() == 1 {
        flash(
            model,
            FlashLevel::Info,
            format!("{next} is the only cluster"),
        );
    }
    show_cluster(model, next);
    Vec::new()
}

/// `:ctx NAME`: show that cluster; no name: say which ones there are.
pub fn run_ctx(model: &mut Model, arg: &str) -> Vec<Effect> {
    let all = kube_view::clusters(model);
    if all.is_empty() {
        flash(
            model,
            FlashLevel::Info,
            "no Kubernetes source configured: nothing to switch",
        );
        return Vec::new();
    }
    if arg.is_empty() {
        let now = kube_view::current_cluster(model).unwrap_or_default();
        flash(
            model,
            FlashLevel::Info,
            format!("showing {now}; clusters: {}", all.join(", ")),
        );
        return Vec::new();
    }
    match all.iter().find(|c| *c == arg) {
        Some(c) => show_cluster(model, c.clone()),
        None => {
            let arg = crate::sanitize::clean_line(arg, 60);
            flash(
                model,
                FlashLevel::Error,
                format!("no cluster `{arg}`: {}", all.join(", ")),
            );
        }
    }
    Vec::new()
}

/// `:ns NAME`: only that namespace; bare `:ns`: all namespaces.
pub fn run_ns(model: &mut Model, arg: &str) -> Vec<Effect> {
    let arg = crate::sanitize::clean_line(arg.trim(), 253);
    let s = &mut model.kube_screen;
    s.namespace = (!arg.is_empty() && arg != "all").then(|| arg.clone());
    s.drilled = None;
    s.workloads_cursor = Cursor::default();
    s.pods_cursor = Cursor::default();
    s.events_cursor = Cursor::default();
    model.screen = Screen::Kube;
    kube_view::rebuild(model);
    let text = match &model.kube_screen.namespace {
        Some(ns) => format!("namespace {ns} only (:ns for all)"),
        None => "all namespaces".to_string(),
    };
    flash(model, FlashLevel::Info, text);
    Vec::new()
}

/// The namespaces the current cluster has objects in, for `:ns` completion.
pub fn namespaces(model: &Model) -> Vec<String> {
    let Some(c) = kube_view::current_cluster(model) else {
        return Vec::new();
    };
    let Some(objects) = model.kube.clusters.get(&c) else {
        return Vec::new();
    };
    let mut out: Vec<String> = objects
        .workloads
        .keys()
        .map(|k| k.namespace.clone())
        .collect();
    out.dedup();
    out.sort();
    out.dedup();
    out
}
