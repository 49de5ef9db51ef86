//! A pod's log tail (`l`): read once when opened, again when the container or previous/current
//! changes, and every two seconds while following (on the clock's tick, one read at a time).
//! Nothing is read once the view is closed. Each read replaces the lines (a tail is a
//! snapshot), so memory is bounded by one tail whatever the pod prints.

use super::flash;
use crate::action::Action;
use crate::effect::Effect;
use crate::kube::{LogRequest, LogTail, Pod};
use crate::model::Model;
use crate::model::kube_view::{FOLLOW_EVERY_SECS, KubePane, LOG_LINE_MAX, LOG_TAIL_LINES, LogView};
use crate::model::popup::Popup;
use crate::model::ui::{FlashLevel, Screen};
use crate::msg::EffectOutcome;
use crossterm::event::{KeyCode, KeyEvent};
use std::sync::Arc;

/// A followed read unanswered this long is taken as lost.
const READ_LOST_SECS: i64 = 20;

/// The pod `l` reads: the selected pod on the Pods pane, the pod a warning is about, or the
/// highlighted workload's worst pod.
fn target_pod(model: &Model) -> Option<Arc<Pod>> {
    if model.screen != Screen::Kube {
        return None;
    }
    let s = &model.kube_screen;
    match s.pane {
        KubePane::Pods => s.selected_pod().map(|r| r.pod.clone()),
        // A warning about a pod (BackOff): that pod.
        KubePane::Events => {
            let e = s.events.get(s.events_cursor.selected)?;
            if e.object_kind != "Pod" {
                return None;
            }
            let objects = model.kube.clusters.get(&e.key.cluster)?;
            objects
                .pods
                .get(&(e.key.namespace.clone(), e.object_name.clone()))
                .cloned()
        }
        // The highlighted workload's worst pod, else any of its own pods: never another's.
        KubePane::Workloads => {
            let row = s.selected_workload()?;
            row.worst_pod.clone().or_else(|| {
                let objects = model.kube.clusters.get(&row.workload.key.cluster)?;
                objects.pods_of(&row.workload).into_iter().next()
            })
        }
    }
}

/// `l` (or `p` outside the view: straight to the previous container).
pub fn open(model: &mut Model, previous: bool) -> Vec<Effect> {
    let Some(pod) = target_pod(model) else {
        let s = &model.kube_screen;
        let text = match (model.screen, s.pane, s.selected_workload()) {
            (Screen::Kube, KubePane::Workloads, Some(row)) => {
                format!("no pods for {}", row.workload.key.kubectl_name())
            }
            (Screen::Kube, ..) => "select a pod or a workload with pods first".to_string(),
            _ => "pod logs are on the Kubernetes screen (7)".to_string(),
        };
        flash(model, FlashLevel::Info, text);
        return Vec::new();
    };
    let mut containers = pod.container_names.clone();
    if containers.is_empty() {
        containers = pod
            .containers
            .iter()
            .filter(|c| !c.init)
            .map(|c| c.name.clone())
            .collect();
    }
    // Start on the container that is in trouble, if one is.
    let troubled = crate::kube::problems::pod_problem(&pod).and_then(|p| p.container);
    let container = troubled
        .and_then(|c| containers.iter().position(|n| *n == c))
        .unwrap_or(0);
    model.popup = Some(Popup::KubeLogs(Box::new(LogView {
        pod: pod.key.clone(),
        containers,
        container,
        previous,
        follow: false,
        lines: Vec::new(),
        truncated: false,
        error: None,
        pending: None,
        requested_at: None,
        scroll: 0,
        loaded: false,
    })));
    request(model)
}

/// Ask for the tail as the view now wants it.
fn request(model: &mut Model) -> Vec<Effect> {
    let request_id = model.next_request_id;
    let Some(Popup::KubeLogs(view)) = &mut model.popup else {
        return Vec::new();
    };
    model.next_request_id += 1;
    view.pending = Some(request_id);
    view.requested_at = Some(model.now);
    vec![Effect::FetchLogs(LogRequest {
        request_id,
        pod: view.pod.clone(),
        container: view.container_name().map(str::to_string),
        previous: view.previous,
        tail_lines: LOG_TAIL_LINES,
    })]
}

/// Keys while the log view is open: the movement keys scroll, `p` previous container, `c`
/// next container, `f` follow, Esc / `q` / `l` close.
pub fn on_key(model: &mut Model, key: KeyEvent) -> Vec<Effect> {
    let page = usize::from(model.size.1.saturating_sub(6)).max(1);
    let action = model.keymap.action_for(&key);
    let Some(Popup::KubeLogs(view)) = &mut model.popup else {
        return Vec::new();
    };
    let max = view.lines.len().saturating_sub(1);
    match action {
        // Scrolled up from the end: Up goes back in time.
        Some(Action::Up) => view.scroll = (view.scroll + 1).min(max),
        Some(Action::Down) => view.scroll = view.scroll.saturating_sub(1),
        Some(Action::PageUp) => view.scroll = (view.scroll + page).min(max),
        Some(Action::PageDown) => view.scroll = view.scroll.saturating_sub(page),
        Some(Action::Top) => view.scroll = max,
        Some(Action::Bottom) => view.scroll = 0,
        Some(Action::LogsFollow) => {
            view.follow = !view.follow;
            if view.follow {
                view.scroll = 0;
                if view.pending.is_none() {
                    return request(model);
                }
            }
        }
        Some(Action::LogsPrevious) => {
            view.previous = !view.previous;
            view.scroll = 0;
            return request(model);
        }
        Some(Action::LogsContainer) if view.containers.len() > 1 => {
            view.container = (view.container + 1) % view.containers.len();
            view.scroll = 0;
            return request(model);
        }
        Some(Action::Back | Action::KubeLogs) => model.popup = None,
        Some(Action::Quit) if key.code != KeyCode::Char('c') => model.popup = None,
        // Any other bound key closes the view and does its job (as help does): nothing
        // pressed is swallowed, ctrl-c still quits.
        Some(other) => {
            model.popup = None;
            return super::keys::on_action(model, other);
        }
        None if key.code == KeyCode::Esc => model.popup = None,
        None => {}
    }
    Vec::new()
}

/// The clock ticked: a following view reads again every two seconds (one read at a time).
pub fn on_tick(model: &mut Model) -> Vec<Effect> {
    let now = model.now;
    let due = match &model.popup {
        Some(Popup::KubeLogs(view)) if view.follow => {
            let waited = view
                .requested_at
                .map_or(i64::MAX, |t| (now - t).num_seconds());
            // A read is a read, not a mutation: one lost on the way is asked again (its late
            // answer, if any, is then ignored).
            waited >= FOLLOW_EVERY_SECS && (view.pending.is_none() || waited >= READ_LOST_SECS)
        }
        _ => false,
    };
    if due { request(model) } else { Vec::new() }
}

/// Is this log read the open view's?
pub fn owns(model: &Model, request_id: u64) -> bool {
    matches!(&model.popup, Some(Popup::KubeLogs(v)) if v.pending == Some(request_id))
}

/// A log read came back: shown if the view still waits for it; dropped otherwise.
pub fn on_outcome(model: &mut Model, outcome: EffectOutcome) -> Vec<Effect> {
    let (request_id, result) = match outcome {
        EffectOutcome::Logs {
            request_id, result, ..
        } => (request_id, result),
        EffectOutcome::MutationFailed {
            request_id, error, ..
        } => (request_id, Err(error)),
        _ => return Vec::new(),
    };
    let Some(Popup::KubeLogs(view)) = &mut model.popup else {
        return Vec::new();
    };
    if view.pending != Some(request_id) {
        return Vec::new();
    }
    view.pending = None;
    view.loaded = true;
    match result {
        Ok(LogTail { lines, truncated }) => {
            // The client neutralises lines already; the view does not rely on it.
            let keep = lines.len().saturating_sub(LOG_TAIL_LINES as usize);
            view.lines = lines[keep..]
                .iter()
                .map(|l| crate::sanitize::clean_line(l, LOG_LINE_MAX))
                .collect();
            view.truncated = truncated || keep > 0;
            view.error = None;
            view.scroll = view.scroll.min(view.lines.len().saturating_sub(1));
        }
        Err(error) => {
            view.error = Some(crate::sanitize::clean_line(&error, 1024));
            // A failed read ends following: retrying forever would only repeat the error.
            view.follow = false;
        }
    }
    Vec::new()
}
