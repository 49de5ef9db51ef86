//! Kubernetes actions by the safety rules (the Argo CD rollback flow's twin): rollout undo to a
//! chosen revision, rollout restart, scale, Argo Rollouts abort / retry / promote. Each opens
//! a popup saying exactly what will happen; Enter sends a server-side dry run first, its
//! answer is shown, then the real request needs confirmation (the deployment's name typed on
//! production). One request per workload at a time, never retried, every attempt and result
//! on the timeline. A workload one known Argo CD app manages with self-heal on is not undone
//! with kubectl (Argo CD would revert it): that app's rollback is offered instead. Which app
//! manages it is never guessed (`model::kube_argo`): unknown, the popup says so and warns.

use super::{flash, push_event};
use crate::action::Action;
use crate::effect::Effect;
use crate::kube::history::deployment_history;
use crate::kube::{KubeAction, KubeActionReport, KubeRequest, Workload, WorkloadKey, WorkloadKind};
use crate::model::Model;
use crate::model::kube_view::{
    self, ArgoManaged, ArgoOwner, KubeActionForm, KubeActionKind, KubePane, KubePending, KubeStage,
};
use crate::model::popup::{ConfirmStep, Confirmation, Popup};
use crate::model::timeline::{EventKind, EventSource, TimelineEvent};
use crate::model::ui::{FlashLevel, Screen, TriagePane};
use crate::msg::EffectOutcome;
use crossterm::event::{KeyCode, KeyEvent};
use serde_json::json;
use std::sync::Arc;

/// The workload the user points at: on the Kubernetes screen the highlighted workload (on
/// the Pods and Events panes, the one drilled into); on Triage the worst workload of the selected service.
pub fn target_workload(model: &Model) -> Option<Arc<Workload>> {
    match model.screen {
        Screen::Kube => {
            let s = &model.kube_screen;
            // The Workloads pane acts on the highlighted row (the hints name it); the Pods
            // and Events panes on the workload drilled into, never on a row not shown.
            let key = match s.pane {
                KubePane::Workloads => s.selected_workload().map(|r| r.workload.key.clone()),
                KubePane::Pods | KubePane::Events => s.drilled.clone(),
            }?;
            model.kube.workload(&key).cloned()
        }
        Screen::Triage if model.triage_pane != TriagePane::Changes => {
            let service = model.selected_service()?.name.clone();
            service_workloads(model, &service).into_iter().next()
        }
        _ => None,
    }
}

/// The workloads of a service (the triage join's), Deployments first and stuck ones before
/// healthy ones.
pub fn service_workloads(model: &Model, service: &str) -> Vec<Arc<Workload>> {
    let mut out: Vec<Arc<Workload>> = model
        .kube_index()
        .of_service(service)
        .map(|s| Arc::clone(&s.workload))
        .collect();
    out.sort_by_key(|w| {
        (
            w.key.kind != WorkloadKind::Deployment,
            crate::kube::status::rollout_status(w).phase,
            w.key.clone(),
        )
    });
    out
}

/// Is this target production (its name must be typed)? The Argo CD flow's pattern, matched
/// against `cluster/namespace/name`, the namespace and the cluster.
fn is_production(model: &Model, target: &WorkloadKey) -> bool {
    match regex::Regex::new(&model.settings.production_pattern) {
        Ok(re) => {
            re.is_match(&format!(
                "{}/{}/{}",
                target.cluster, target.namespace, target.name
            )) || re.is_match(&target.namespace)
                || re.is_match(&target.cluster)
        }
        // A broken pattern must not make production look safe.
        Err(_) => true,
    }
}

/// Why no Kubernetes action may be sent on `target` now, if so.
pub fn denied(model: &Model, target: &WorkloadKey) -> Option<String> {
    if model.settings.read_only {
        return Some("read-only mode: Kubernetes actions are disabled".into());
    }
    if model.source(&target.cluster).is_some_and(|s| s.read_only) {
        return Some(format!(
            "{} is read-only in the config: actions are disabled",
            target.cluster
        ));
    }
    if model.kube_screen.busy(target) {
        return Some(format!(
            "a request for {} is still in flight",
            target.kubectl_name()
        ));
    }
    None
}

/// The action a key stands for, as a form kind.
pub fn kind_of(action: Action) -> Option<KubeActionKind> {
    Some(match action {
        Action::KubeUndo => KubeActionKind::Undo,
        Action::KubeRestart => KubeActionKind::Restart,
        Action::KubeScale => KubeActionKind::Scale,
        Action::RolloutAbort => KubeActionKind::Abort,
        Action::RolloutRetry => KubeActionKind::Retry,
        Action::RolloutPromote => KubeActionKind::Promote,
        _ => return None,
    })
}

/// `u`, `T`, `+`, `A`, `Y`, `P`: open the action's popup on the target workload.
pub fn open(model: &mut Model, kind: KubeActionKind) -> Vec<Effect> {
    if let Some(denied) = crate::model::permissions::kube_denied(model) {
        flash(model, FlashLevel::Info, denied.message);
        return Vec::new();
    }
    let Some(w) = target_workload(model) else {
        let text = match model.screen {
            Screen::Triage => "no Kubernetes workload known for the selected service",
            Screen::Kube => "select a workload (Workloads pane) or Enter on one first",
            _ => "select a workload first (Kubernetes screen: 7)",
        };
        flash(model, FlashLevel::Info, text);
        return Vec::new();
    };
    let target = w.key.clone();
    if let Some(why) = denied(model, &target) {
        flash(model, FlashLevel::Info, why);
        return Vec::new();
    }
    if let Some(why) = kind_refusal(kind, &w) {
        flash(model, FlashLevel::Info, why);
        return Vec::new();
    }
    let argo = argo_managed(model, &w);
    let mut revisions = Vec::new();
    let mut selected = 0;
    if kind == KubeActionKind::Undo {
        if let Some(objects) = model.kube.clusters.get(&target.cluster) {
            revisions = deployment_history(
                &w,
                objects.replica_sets_in(&target.namespace).map(|rs| &**rs),
            );
        }
        // kubectl's default: the previous revision (the newest one that is not what runs).
        match revisions
            .iter()
            .position(|r| Some(r.revision) != w.revision)
        {
            Some(i) => selected = i,
            None => {
                flash(
                    model,
                    FlashLevel::Info,
                    format!(
                        "{}: no rollout history found (no earlier revision to undo to)",
                        target.kubectl_name()
                    ),
                );
                return Vec::new();
            }
        }
    }
    let production = is_production(model, &target);
    model.popup = Some(Popup::KubeAction(Box::new(KubeActionForm {
        confirm: Confirmation::new(production, &target.name),
        target,
        kind,
        revisions,
        selected,
        current_revision: w.revision,
        current_images: w.images.clone(),
        current_replicas: w.desired,
        replicas: String::new(),
        production,
        stage: KubeStage::Pick,
        dry_run: None,
        problem: None,
        argo,
    })));
    Vec::new()
}

/// Argo CD's hand on `w` for the popup: the one loaded app and its sync policy; the app its
/// tracking names when not loaded (self-heal unknown); or the apps that all claim it.
fn argo_managed(model: &Model, w: &Workload) -> Option<ArgoManaged> {
    Some(match kube_view::argo_owner(model, w)? {
        ArgoOwner::App(key) => match model.apps.get(&key) {
            Some(a) => ArgoManaged::App {
                app: a.key.clone(),
                auto_sync: a.auto_sync,
                self_heal: a.auto_sync && a.self_heal,
            },
            None => ArgoManaged::Unloaded {
                app: key.name.clone(),
            },
        },
        ArgoOwner::Unloaded(app) => ArgoManaged::Unloaded { app },
        ArgoOwner::Ambiguous(apps) => ArgoManaged::Ambiguous { apps },
    })
}

/// Why `kind` makes no sense on `w` (kubectl's words where it has them).
fn kind_refusal(kind: KubeActionKind, w: &Workload) -> Option<String> {
    let name = w.key.kubectl_name();
    match kind {
        KubeActionKind::Undo if w.key.kind != WorkloadKind::Deployment => Some(format!(
            "rollout undo here works on Deployments; {name} is a {}",
            w.key.kind.api_kind()
        )),
        KubeActionKind::Undo if w.paused => Some(format!(
            "deployment \"{}\" is paused: kubectl cannot roll back a paused deployment \
             (resume it first: kubectl rollout resume {name}); nothing offered",
            w.key.name
        )),
        KubeActionKind::Scale if w.key.kind == WorkloadKind::DaemonSet => Some(format!(
            "{name}: a DaemonSet runs one pod per node and cannot be scaled"
        )),
        KubeActionKind::Abort | KubeActionKind::Retry | KubeActionKind::Promote
            if w.key.kind != WorkloadKind::Rollout =>
        {
            Some(format!(
                "{} works on Argo Rollouts; {name} is a {}",
                kind.title(),
                w.key.kind.api_kind()
            ))
        }
        _ => None,
    }
}

/// Keys while an action's popup is open.
pub fn on_form_key(model: &mut Model, key: KeyEvent) -> Vec<Effect> {
    let Some(Popup::KubeAction(form)) = &mut model.popup else {
        return Vec::new();
    };
    match form.stage {
        KubeStage::Pick => match key.code {
            KeyCode::Esc | KeyCode::Char('q') => model.popup = None,
            KeyCode::Down | KeyCode::Char('j') if form.kind == KubeActionKind::Undo => {
                form.selected = (form.selected + 1).min(form.revisions.len().saturating_sub(1));
                form.problem = None;
            }
            KeyCode::Up | KeyCode::Char('k') if form.kind == KubeActionKind::Undo => {
                form.selected = form.selected.saturating_sub(1);
                form.problem = None;
            }
            KeyCode::Char(c) if form.kind == KubeActionKind::Scale && c.is_ascii_digit() => {
                if form.replicas.len() < 5 {
                    form.replicas.push(c);
                }
                form.problem = None;
            }
            KeyCode::Backspace if form.kind == KubeActionKind::Scale => {
                form.replicas.pop();
                form.problem = None;
            }
            // Argo CD would revert a kubectl undo: its own rollback is what is offered.
            KeyCode::Enter | KeyCode::Char('a') if form.argo_reverts() => {
                return open_argo_rollback(model);
            }
            KeyCode::Enter => return send(model, true),
            _ => {}
        },
        KubeStage::Confirm => match form.confirm.on_key(key) {
            ConfirmStep::Confirmed => return send(model, false),
            ConfirmStep::Back => {
                form.stage = KubeStage::Pick;
                form.confirm = Confirmation::new(form.production, &form.target.name);
            }
            ConfirmStep::Waiting => {}
        },
        // Sent: nothing to do but wait; Esc hides the popup, the result still lands.
        KubeStage::DryRun(_) | KubeStage::InFlight(_) => {
            if matches!(key.code, KeyCode::Esc | KeyCode::Char('q')) {
                model.popup = None;
            }
        }
    }
    Vec::new()
}

/// Pasted text is typed text where a name is asked for.
pub fn on_paste(form: &mut KubeActionForm, text: &str) {
    if form.stage == KubeStage::Confirm {
        form.confirm.on_paste(text);
    } else if form.kind == KubeActionKind::Scale && form.stage == KubeStage::Pick {
        form.replicas
            .extend(text.chars().filter(char::is_ascii_digit).take(5));
        form.replicas.truncate(5);
    }
}

/// Leave for the Argo CD rollback of the app that manages the workload (its Apps page, the
/// rollback picker open on it).
fn open_argo_rollback(model: &mut Model) -> Vec<Effect> {
    let Some(Popup::KubeAction(form)) = &model.popup else {
        return Vec::new();
    };
    let Some(app) = form.argo.as_ref().and_then(|a| a.rollback_app()).cloned() else {
        return Vec::new();
    };
    model.popup = None;
    model.screen = Screen::Apps;
    model.app_open = Some(app);
    model.app_pane = Default::default();
    model.app_pane_cursor = Default::default();
    let mut effects = super::argocd::open_rollback(model);
    effects.extend(super::apps::detail_fetches(model, false));
    effects
}

/// Send the form's request: the dry run, or (confirmed) the real one.
fn send(model: &mut Model, dry_run: bool) -> Vec<Effect> {
    let Some(Popup::KubeAction(form)) = &mut model.popup else {
        return Vec::new();
    };
    if let Some(why) = form.refusal() {
        form.problem = Some(why);
        return Vec::new();
    }
    let Some(action) = form.action() else {
        return Vec::new();
    };
    let target = form.target.clone();
    let summary = describe(form, &action, dry_run);
    let details = details(form, &action, dry_run);
    // A second press in flight (another popup, the triage key) finds it busy.
    if model.kube_screen.busy(&target) {
        return Vec::new();
    }
    let request_id = model.next_request_id;
    model.next_request_id += 1;
    model.kube_screen.in_flight.insert(
        request_id,
        KubePending {
            target: target.clone(),
            action: action.clone(),
            dry_run,
        },
    );
    if let Some(Popup::KubeAction(form)) = &mut model.popup {
        form.stage = if dry_run {
            KubeStage::DryRun(request_id)
        } else {
            KubeStage::InFlight(request_id)
        };
        form.problem = None;
    }
    let mut e = event(model, EventKind::ActionAttempted, &target, summary);
    e.details = details;
    e.details["request_id"] = json!(request_id);
    push_event(model, e);
    vec![Effect::Kube(KubeRequest {
        request_id,
        target,
        action,
        dry_run,
    })]
}

/// `dry run: rollout undo deployment/checkout in prod/shop from revision 7 to 6`.
fn describe(form: &KubeActionForm, action: &KubeAction, dry_run: bool) -> String {
    let t = &form.target;
    let mut s = format!(
        "{}{} {} in {}/{}",
        if dry_run { "dry run: " } else { "" },
        match action {
            KubeAction::Undo { .. } => "rollout undo".to_string(),
            other => other.describe(),
        },
        t.kubectl_name(),
        t.cluster,
        t.namespace
    );
    if let (KubeAction::Undo { to_revision, .. }, Some(from)) = (action, form.current_revision)
        && let Some(to) = to_revision
    {
        s.push_str(&format!(" from revision {from} to {to}"));
    }
    if let KubeAction::Scale { replicas } = action {
        s.push_str(&format!(
            " from {} to {replicas} replicas",
            form.current_replicas
        ));
    }
    s
}

fn details(form: &KubeActionForm, action: &KubeAction, dry_run: bool) -> serde_json::Value {
    let t = &form.target;
    let mut d = json!({
        "action": action,
        "dry_run": dry_run,
        "cluster": t.cluster,
        "namespace": t.namespace,
        "kind": t.kind.api_kind(),
        "name": t.name,
        "images_from": form.current_images,
    });
    if form.kind == KubeActionKind::Undo {
        d["from_revision"] = json!(form.current_revision);
        if let Some(r) = form.chosen() {
            d["to_revision"] = json!(r.revision);
            d["images_to"] = json!(r.images);
        }
    }
    match &form.argo {
        Some(ArgoManaged::App { app, .. }) => d["argocd_app"] = json!(app.to_string()),
        Some(ArgoManaged::Unloaded { app }) => {
            d["argocd_app"] = json!(app);
            d["argocd_self_heal"] = json!("unknown");
        }
        Some(ArgoManaged::Ambiguous { apps }) => d["argocd_apps_claiming"] = json!(apps),
        None => {}
    }
    d
}

/// An event by the user about a workload, Kubernetes' source.
fn event(model: &Model, kind: EventKind, target: &WorkloadKey, summary: String) -> TimelineEvent {
    let mut e = TimelineEvent::new(kind, EventSource::Kube, model.now, model.now, summary);
    e.actor = model.settings.author.clone();
    e.refs.cluster = Some(target.cluster.clone());
    e.refs.namespace = Some(target.namespace.clone());
    e.refs.service = model
        .kube
        .workload(target)
        .and_then(|w| kube_view::service_of_workload(model, w));
    e
}

/// Does `request_id` belong to a Kubernetes action?
pub fn owns(model: &Model, request_id: u64) -> bool {
    model.kube_screen.in_flight.contains_key(&request_id)
}

/// An action's result.
pub fn on_outcome(model: &mut Model, outcome: EffectOutcome) -> Vec<Effect> {
    match outcome {
        EffectOutcome::KubeActionDone {
            request_id,
            target,
            action,
            dry_run,
            report,
            ..
        } => {
            model.kube_screen.in_flight.remove(&request_id);
            done(model, request_id, target, action, dry_run, report)
        }
        EffectOutcome::MutationFailed {
            request_id, error, ..
        } => {
            let Some(pending) = model.kube_screen.in_flight.remove(&request_id) else {
                return Vec::new();
            };
            failed(model, request_id, pending, error);
            Vec::new()
        }
        _ => Vec::new(),
    }
}

fn done(
    model: &mut Model,
    request_id: u64,
    target: WorkloadKey,
    action: KubeAction,
    dry_run: bool,
    report: KubeActionReport,
) -> Vec<Effect> {
    let name = target.kubectl_name();
    let summary = if report.summary.is_empty() {
        format!("{name}: {} accepted", action.describe())
    } else {
        report.summary.clone()
    };
    let skipped_text = |to: Option<i64>| match to {
        Some(n) => format!("already at revision {n}'s template, nothing to do"),
        None => "the template already matches, nothing to do".to_string(),
    };
    let mut details = json!({
        "request_id": request_id,
        "dry_run": dry_run,
        "cluster": target.cluster,
        "namespace": target.namespace,
        "kind": target.kind.api_kind(),
        "name": target.name,
        "action": action,
        "skipped": report.skipped,
        "from_revision": report.from_revision,
        "to_revision": report.to_revision,
        "images": report.images,
    });
    details["server"] = json!(summary);
    let prefix = if dry_run { "dry run: " } else { "" };
    let mut e = event(
        model,
        EventKind::ActionSucceeded,
        &target,
        format!("{prefix}{summary}"),
    );
    e.details = details;
    push_event(model, e);

    if dry_run {
        let mut shown = false;
        if let Some(Popup::KubeAction(form)) = &mut model.popup
            && form.stage == KubeStage::DryRun(request_id)
        {
            shown = true;
            if report.skipped {
                form.stage = KubeStage::Pick;
                form.problem = Some(skipped_text(report.to_revision));
            } else {
                form.stage = KubeStage::Confirm;
                form.confirm = Confirmation::new(form.production, &form.target.name);
                form.dry_run = Some(report.clone());
            }
        }
        if report.skipped {
            flash(model, FlashLevel::Info, skipped_text(report.to_revision));
        } else if !shown {
            flash(
                model,
                FlashLevel::Info,
                format!(
                    "dry run of {} on {name} passed; open it again to confirm",
                    action.describe()
                ),
            );
        }
        return Vec::new();
    }
    if let Some(Popup::KubeAction(form)) = &model.popup
        && form.stage == KubeStage::InFlight(request_id)
    {
        model.popup = None;
    }
    if report.skipped {
        flash(
            model,
            FlashLevel::Info,
            format!("{summary} ({})", skipped_text(report.to_revision)),
        );
    } else {
        flash(model, FlashLevel::Success, summary);
    }
    // The watchers will report the change anyway; ask now so the screen follows at once.
    vec![Effect::Refresh {
        source: target.cluster,
    }]
}

fn failed(model: &mut Model, request_id: u64, pending: KubePending, error: String) {
    let target = &pending.target;
    let what = format!(
        "{}{} {}",
        if pending.dry_run { "dry run of " } else { "" },
        pending.action.describe(),
        target.kubectl_name()
    );
    if let Some(Popup::KubeAction(form)) = &mut model.popup
        && matches!(form.stage, KubeStage::DryRun(id) | KubeStage::InFlight(id) if id == request_id)
    {
        form.stage = KubeStage::Pick;
        form.problem = Some(error.clone());
    }
    let mut e = event(
        model,
        EventKind::ActionFailed,
        target,
        format!("{what} failed: {error}"),
    );
    e.details = json!({
        "request_id": request_id,
        "dry_run": pending.dry_run,
        "cluster": target.cluster,
        "namespace": target.namespace,
        "kind": target.kind.api_kind(),
        "name": target.name,
        "action": pending.action,
        "error": error,
    });
    push_event(model, e);
    flash(model, FlashLevel::Error, format!("{what} failed: {error}"));
}
