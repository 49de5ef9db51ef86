//! The Kubernetes screen's actions and log view in `update`: the Effects the keys make (dry
//! run first, then the confirmed request; nothing when read-only, paused, busy, or when Argo CD
//! would revert it), and what the answers do (flash, timeline, the popup's stages).

use super::tests::t0;
use super::update;
use crate::effect::Effect;
use crate::kube::objects::{ContainerState, ContainerStatus, OwnerRef, WorkloadCondition};
use crate::kube::{
    KubeAction, KubeActionReport, KubeChange, KubeObject, KubePayload, KubeRequest, LogTail,
    ObjectKey, Pod, ReplicaSet, ResourceKind, Workload, WorkloadKey, WorkloadKind,
};
use crate::model::Model;
use crate::model::app::{HealthStatus, ResourceStatus, SyncStatus};
use crate::model::kube_view::{ArgoManaged, KubePane, KubeStage};
use crate::model::popup::Popup;
use crate::model::source::{SourceKind, SourceStatus};
use crate::model::timeline::{EventKind, EventSource};
use crate::model::ui::Screen;
use crate::msg::{EffectOutcome, Msg};
use chrono::Duration;
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use std::sync::Arc;

/// Which Argo CD app manages a workload (never guessed), and which row the keys act on.
mod argo;

fn press(m: &mut Model, code: KeyCode) -> Vec<Effect> {
    let mods = match code {
        KeyCode::Char(c) if c.is_ascii_uppercase() => KeyModifiers::SHIFT,
        _ => KeyModifiers::NONE,
    };
    update(m, Msg::Input(Event::Key(KeyEvent::new(code, mods))))
}

fn type_text(m: &mut Model, text: &str) {
    for c in text.chars() {
        press(m, KeyCode::Char(c));
    }
}

fn labels(pairs: &[(&str, &str)]) -> crate::catalog::entity::StrMap {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn key(cluster: &str, kind: WorkloadKind, name: &str) -> WorkloadKey {
    WorkloadKey {
        cluster: cluster.into(),
        namespace: "shop".into(),
        kind,
        name: name.into(),
    }
}

/// checkout at revision 7 (v2.14.0) crashlooping, revisions 6 and 5 before it.
fn checkout(cluster: &str, paused: bool) -> Workload {
    let mut w = Workload::new(key(cluster, WorkloadKind::Deployment, "checkout"));
    w.uid = "uid-checkout".into();
    w.labels = labels(&[("app.kubernetes.io/name", "checkout")]);
    w.selector.match_labels = labels(&[("app", "checkout")]);
    w.desired = 3;
    w.current = 3;
    w.updated = 3;
    w.ready = 1;
    w.available = 1;
    w.generation = 9;
    w.observed_generation = 9;
    w.paused = paused;
    w.revision = Some(7);
    w.images = vec!["registry.example.com/shop/checkout:v2.14.0".into()];
    w.conditions = vec![WorkloadCondition {
        type_: "Progressing".into(),
        status: "False".into(),
        reason: "ProgressDeadlineExceeded".into(),
        message: "ReplicaSet \"checkout-7d9f\" has timed out progressing.".into(),
        last_transition: Some(t0() - Duration::minutes(2)),
    }];
    w.created = Some(t0() - Duration::days(30));
    w
}

fn replica_set(cluster: &str, name: &str, revision: i64, image: &str) -> ReplicaSet {
    let mut rs = ReplicaSet::new(ObjectKey {
        cluster: cluster.into(),
        namespace: "shop".into(),
        name: name.into(),
    });
    rs.owner = Some(OwnerRef {
        kind: "Deployment".into(),
        name: "checkout".into(),
        uid: "uid-checkout".into(),
    });
    rs.labels = labels(&[("app", "checkout")]);
    rs.revision = Some(revision);
    rs.change_cause = Some(format!("deploy {image}"));
    rs.images = vec![format!("registry.example.com/shop/checkout:{image}")];
    rs.created = Some(t0() - Duration::minutes(60 * (8 - revision)));
    rs
}

fn crashing_pod(cluster: &str, name: &str) -> Pod {
    let mut p = Pod::new(ObjectKey {
        cluster: cluster.into(),
        namespace: "shop".into(),
        name: name.into(),
    });
    p.owner = Some(OwnerRef {
        kind: "ReplicaSet".into(),
        name: "checkout-7d9f".into(),
        uid: "uid-rs7".into(),
    });
    p.phase = "Running".into();
    p.container_names = vec!["checkout".into(), "istio-proxy".into()];
    p.containers = vec![ContainerStatus {
        name: "checkout".into(),
        image: "checkout:v2.14.0".into(),
        ready: false,
        restarts: 12,
        init: false,
        state: ContainerState::Waiting {
            reason: "CrashLoopBackOff".into(),
            message: "back-off 5m0s restarting failed container".into(),
        },
        last_terminated: Some(ContainerState::Terminated {
            reason: "Error".into(),
            exit_code: 1,
            message: String::new(),
            finished_at: None,
        }),
    }];
    p
}

fn world(cluster: &str, paused: bool, kind: WorkloadKind) -> KubePayload {
    let mut w = checkout(cluster, paused);
    w.key.kind = kind;
    let objects = |list: Vec<KubeObject>, resource| KubeChange::Reset {
        resource,
        namespace: None,
        objects: list,
    };
    let workload_resource = match kind {
        WorkloadKind::Rollout => ResourceKind::Rollouts,
        _ => ResourceKind::Deployments,
    };
    KubePayload {
        changes: vec![
            objects(vec![KubeObject::Workload(Arc::new(w))], workload_resource),
            objects(
                vec![
                    KubeObject::ReplicaSet(Arc::new(replica_set(
                        cluster,
                        "checkout-7d9f",
                        7,
                        "v2.14.0",
                    ))),
                    KubeObject::ReplicaSet(Arc::new(replica_set(
                        cluster,
                        "checkout-5c6b",
                        6,
                        "v2.13.2",
                    ))),
                    KubeObject::ReplicaSet(Arc::new(replica_set(
                        cluster,
                        "checkout-4a1e",
                        5,
                        "v2.13.1",
                    ))),
                ],
                ResourceKind::ReplicaSets,
            ),
            objects(
                vec![KubeObject::Pod(Arc::new(crashing_pod(
                    cluster,
                    "checkout-7d9f-abcde",
                )))],
                ResourceKind::Pods,
            ),
        ],
    }
}

/// Give `m` a cluster `staging` with crashlooping checkout and a healthy cart (two rows).
pub(super) fn add_cluster(m: &mut Model) {
    m.sources.push(SourceStatus::new(
        "staging",
        SourceKind::Kube,
        "https://k8s.example.com",
        "test",
    ));
    let mut payload = world("staging", false, WorkloadKind::Deployment);
    let mut cart = Workload::new(key("staging", WorkloadKind::Deployment, "cart"));
    cart.desired = 2;
    cart.ready = 2;
    cart.available = 2;
    cart.updated = 2;
    cart.current = 2;
    cart.revision = Some(3);
    payload
        .changes
        .push(KubeChange::Apply(KubeObject::Workload(Arc::new(cart))));
    m.kube.apply("staging", payload);
    m.kube_screen.stale = true;
}

/// A model with one cluster (`cluster`), on the Kubernetes screen, checkout selected.
fn model_with(cluster: &str, paused: bool, kind: WorkloadKind) -> Model {
    let mut m = super::tests::model();
    m.sources.push(SourceStatus::new(
        cluster,
        SourceKind::Kube,
        "https://k8s.example.com",
        "test",
    ));
    m.kube.apply(cluster, world(cluster, paused, kind));
    m.kube_screen.stale = true;
    press(&mut m, KeyCode::Char('7'));
    assert_eq!(m.screen, Screen::Kube);
    assert_eq!(m.kube_screen.workloads.len(), 1, "checkout listed");
    m
}

/// Not production (the default pattern is `prod`).
fn model() -> Model {
    model_with("staging", false, WorkloadKind::Deployment)
}

fn kube_effects(effects: &[Effect]) -> Vec<&KubeRequest> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Kube(r) => Some(r),
            _ => None,
        })
        .collect()
}

fn done(m: &mut Model, req: &KubeRequest, report: KubeActionReport) -> Vec<Effect> {
    update(
        m,
        Msg::Done(EffectOutcome::KubeActionDone {
            request_id: req.request_id,
            source: req.target.cluster.clone(),
            target: req.target.clone(),
            action: req.action.clone(),
            dry_run: req.dry_run,
            report,
        }),
    )
}

fn stage(m: &Model) -> Option<KubeStage> {
    match &m.popup {
        Some(Popup::KubeAction(f)) => Some(f.stage),
        _ => None,
    }
}

/// `u`, Enter: the dry run of undo to the previous revision.
fn undo_dry_run(m: &mut Model) -> KubeRequest {
    press(m, KeyCode::Char('u'));
    assert_eq!(stage(m), Some(KubeStage::Pick));
    let effects = press(m, KeyCode::Enter);
    let reqs = kube_effects(&effects);
    assert_eq!(reqs.len(), 1, "{effects:?}");
    reqs[0].clone()
}

fn accepted(summary: &str) -> KubeActionReport {
    KubeActionReport {
        summary: summary.into(),
        skipped: false,
        from_revision: Some(7),
        to_revision: Some(6),
        images: vec!["registry.example.com/shop/checkout:v2.13.2".into()],
    }
}

#[test]
fn undo_sends_a_dry_run_expecting_the_current_revision_then_the_confirmed_request() {
    let mut m = model();
    let dry = undo_dry_run(&mut m);
    assert!(dry.dry_run);
    assert_eq!(
        dry.action,
        KubeAction::Undo {
            to_revision: Some(6),
            expect_from: Some(7)
        }
    );
    assert_eq!(
        dry.target,
        key("staging", WorkloadKind::Deployment, "checkout")
    );
    // Nothing more until the dry run answers.
    assert!(kube_effects(&press(&mut m, KeyCode::Enter)).is_empty());
    done(
        &mut m,
        &dry,
        accepted("deployment.apps/checkout rolled back (server dry run)"),
    );
    assert_eq!(stage(&m), Some(KubeStage::Confirm));
    let effects = press(&mut m, KeyCode::Char('y'));
    let real = kube_effects(&effects);
    assert_eq!(real.len(), 1);
    assert!(!real[0].dry_run);
    assert_eq!(real[0].action, dry.action);
    let real = real[0].clone();
    // A second press while it is in flight does nothing.
    assert!(kube_effects(&press(&mut m, KeyCode::Char('y'))).is_empty());
    assert!(kube_effects(&press(&mut m, KeyCode::Enter)).is_empty());
    let effects = done(
        &mut m,
        &real,
        accepted("deployment.apps/checkout rolled back"),
    );
    assert!(m.popup.is_none());
    assert_eq!(
        m.flash.as_ref().map(|f| f.text.as_str()),
        Some("deployment.apps/checkout rolled back")
    );
    assert!(effects.contains(&Effect::Refresh {
        source: "staging".into()
    }));
    // Every attempt and result is on the timeline, the Kubernetes source's, by the user.
    let kinds: Vec<EventKind> = m
        .timeline
        .iter()
        .filter(|e| e.source == EventSource::Kube)
        .map(|e| e.kind)
        .collect();
    assert_eq!(
        kinds,
        [
            EventKind::ActionAttempted,
            EventKind::ActionSucceeded,
            EventKind::ActionAttempted,
            EventKind::ActionSucceeded
        ]
    );
    let attempt = &m.timeline[2];
    assert_eq!(attempt.actor, "alice");
    assert_eq!(attempt.details["from_revision"], 7);
    assert_eq!(attempt.details["to_revision"], 6);
    assert_eq!(attempt.details["dry_run"], false);
    assert_eq!(attempt.details["cluster"], "staging");
    assert_eq!(attempt.refs.service.as_deref(), Some("checkout"));
    assert_eq!(attempt.refs.cluster.as_deref(), Some("staging"));
    assert!(
        attempt.summary.contains("from revision 7 to 6"),
        "{}",
        attempt.summary
    );
}

#[test]
fn a_chosen_revision_is_sent_and_what_runs_cannot_be_chosen() {
    let mut m = model();
    press(&mut m, KeyCode::Char('u'));
    press(&mut m, KeyCode::Char('j'));
    let effects = press(&mut m, KeyCode::Enter);
    assert_eq!(
        kube_effects(&effects)[0].action,
        KubeAction::Undo {
            to_revision: Some(5),
            expect_from: Some(7)
        }
    );
    // Back to the picker (Esc hides it while in flight; reopen is refused while busy).
    let mut m = model();
    press(&mut m, KeyCode::Char('u'));
    press(&mut m, KeyCode::Char('k'));
    assert!(kube_effects(&press(&mut m, KeyCode::Enter)).is_empty());
    let Some(Popup::KubeAction(f)) = &m.popup else {
        panic!("popup");
    };
    assert!(f.problem.as_deref().unwrap_or("").contains("what runs now"));
}

#[test]
fn production_needs_the_deployment_name_typed() {
    let mut m = model_with("prod-eu", false, WorkloadKind::Deployment);
    let dry = undo_dry_run(&mut m);
    done(
        &mut m,
        &dry,
        accepted("deployment.apps/checkout rolled back (dry run)"),
    );
    assert_eq!(stage(&m), Some(KubeStage::Confirm));
    // `y` is a letter of the name here, not a yes.
    assert!(kube_effects(&press(&mut m, KeyCode::Char('y'))).is_empty());
    assert!(kube_effects(&press(&mut m, KeyCode::Enter)).is_empty());
    press(&mut m, KeyCode::Backspace);
    type_text(&mut m, "checkou");
    assert!(kube_effects(&press(&mut m, KeyCode::Enter)).is_empty());
    type_text(&mut m, "t");
    let real = press(&mut m, KeyCode::Enter);
    let real = kube_effects(&real);
    assert_eq!(real.len(), 1);
    assert!(!real[0].dry_run);
}

#[test]
fn a_paused_deployment_is_said_so_and_nothing_is_offered() {
    let mut m = model_with("staging", true, WorkloadKind::Deployment);
    let effects = press(&mut m, KeyCode::Char('u'));
    assert!(effects.is_empty());
    assert!(m.popup.is_none());
    assert!(m.flash.as_ref().unwrap().text.contains("paused"));
}

fn managed_by_argo(m: &mut Model, self_heal: bool) {
    managed_by_app(m, "checkout-staging", self_heal);
}

fn managed_by_app(m: &mut Model, name: &str, self_heal: bool) {
    let mut app = super::tests_argo::app(
        name,
        HealthStatus::Degraded,
        SyncStatus::Synced,
        true,
        vec![
            super::tests_argo::entry(1, "aaa", 120, "ci-bot"),
            super::tests_argo::entry(2, "bbb", 10, "ci-bot"),
        ],
    );
    app.self_heal = self_heal;
    app.resources = vec![ResourceStatus {
        group: "apps".into(),
        kind: "Deployment".into(),
        namespace: "shop".into(),
        name: "checkout".into(),
        sync: SyncStatus::Synced,
        health: Some(HealthStatus::Degraded),
        health_message: String::new(),
        requires_pruning: false,
    }];
    if m.source("argocd").is_none() {
        m.sources.push(SourceStatus::new(
            "argocd",
            SourceKind::Argocd,
            "https://argocd",
            "test",
        ));
    }
    m.apps.insert(app.key.clone(), app);
    m.rederive();
}

#[test]
fn self_heal_offers_the_argo_cd_rollback_and_no_kubectl_undo() {
    let mut m = model();
    managed_by_argo(&mut m, true);
    press(&mut m, KeyCode::Char('u'));
    let Some(Popup::KubeAction(f)) = &m.popup else {
        panic!("undo popup");
    };
    assert!(f.argo_reverts());
    let effects = press(&mut m, KeyCode::Enter);
    assert!(kube_effects(&effects).is_empty(), "{effects:?}");
    // The Argo CD rollback flow opened on the app that manages checkout.
    assert!(
        matches!(&m.popup, Some(Popup::Rollback(r)) if r.key.name == "checkout-staging"),
        "{:?}",
        m.popup.as_ref().map(std::mem::discriminant)
    );
}

#[test]
fn auto_sync_without_self_heal_warns_but_allows_the_undo() {
    let mut m = model();
    managed_by_argo(&mut m, false);
    press(&mut m, KeyCode::Char('u'));
    let Some(Popup::KubeAction(f)) = &m.popup else {
        panic!("undo popup");
    };
    assert!(!f.argo_reverts());
    assert!(matches!(
        f.argo,
        Some(ArgoManaged::App {
            auto_sync: true,
            self_heal: false,
            ..
        })
    ));
    assert_eq!(kube_effects(&press(&mut m, KeyCode::Enter)).len(), 1);
}

#[test]
fn restart_and_scale_send_their_actions_dry_run_first() {
    let mut m = model();
    press(&mut m, KeyCode::Char('T'));
    let effects = press(&mut m, KeyCode::Enter);
    let r = kube_effects(&effects);
    assert_eq!(
        (r[0].action.clone(), r[0].dry_run),
        (KubeAction::Restart, true)
    );

    let mut m = model();
    press(&mut m, KeyCode::Char('+'));
    // No number yet: nothing sent.
    assert!(kube_effects(&press(&mut m, KeyCode::Enter)).is_empty());
    type_text(&mut m, "5");
    let effects = press(&mut m, KeyCode::Enter);
    let r = kube_effects(&effects);
    assert_eq!(r[0].action, KubeAction::Scale { replicas: 5 });
    assert!(r[0].dry_run);
}

#[test]
fn argo_rollouts_actions_only_on_rollouts() {
    let mut m = model();
    assert!(press(&mut m, KeyCode::Char('A')).is_empty());
    assert!(m.popup.is_none());
    let mut m = model_with("staging", false, WorkloadKind::Rollout);
    press(&mut m, KeyCode::Char('P'));
    let effects = press(&mut m, KeyCode::Enter);
    assert_eq!(
        kube_effects(&effects)[0].action,
        KubeAction::RolloutPromote { full: false }
    );
}

#[test]
fn read_only_offers_no_mutation() {
    let mut m = model();
    m.settings.read_only = true;
    for k in ['u', 'T', '+', 'A', 'Y', 'P'] {
        let effects = press(&mut m, KeyCode::Char(k));
        assert!(effects.is_empty() && m.popup.is_none(), "{k}");
        assert!(m.flash.as_ref().unwrap().text.contains("read-only"));
    }
    // A read-only source too.
    let mut m = model();
    m.source_mut("staging").unwrap().read_only = true;
    press(&mut m, KeyCode::Char('u'));
    assert!(m.popup.is_none());
    assert!(m.flash.as_ref().unwrap().text.contains("read-only"));
}

#[test]
fn busy_workload_refuses_a_second_action() {
    let mut m = model();
    let _dry = undo_dry_run(&mut m);
    press(&mut m, KeyCode::Esc);
    assert!(m.popup.is_none());
    assert!(press(&mut m, KeyCode::Char('T')).is_empty());
    assert!(m.popup.is_none());
    assert!(m.flash.as_ref().unwrap().text.contains("still in flight"));
}

#[test]
fn a_refusal_is_flashed_and_recorded_in_the_servers_words() {
    let mut m = model();
    let dry = undo_dry_run(&mut m);
    let error = "deployments.apps \"checkout\" is forbidden: User \"alice\" cannot patch resource";
    update(
        &mut m,
        Msg::Done(EffectOutcome::MutationFailed {
            request_id: dry.request_id,
            source: "staging".into(),
            error: error.into(),
            autosync_before: None,
        }),
    );
    assert!(m.flash.as_ref().unwrap().text.contains(error));
    assert_eq!(stage(&m), Some(KubeStage::Pick));
    let failed = m.timeline.last().unwrap();
    assert_eq!(failed.kind, EventKind::ActionFailed);
    assert_eq!(failed.source, EventSource::Kube);
    assert_eq!(failed.details["error"], error);
    // Free again: not retried, but the user may try again.
    assert!(m.kube_screen.in_flight.is_empty());
}

#[test]
fn a_skipped_undo_says_there_was_nothing_to_do() {
    let mut m = model();
    let dry = undo_dry_run(&mut m);
    done(
        &mut m,
        &dry,
        KubeActionReport {
            summary: "skipped rollback (current template already matches revision 6)".into(),
            skipped: true,
            from_revision: Some(7),
            to_revision: Some(6),
            images: vec![],
        },
    );
    assert_eq!(stage(&m), Some(KubeStage::Pick));
    assert!(
        m.flash
            .as_ref()
            .unwrap()
            .text
            .contains("already at revision 6's template, nothing to do")
    );
}

fn log_request(effects: &[Effect]) -> Option<crate::kube::LogRequest> {
    effects.iter().find_map(|e| match e {
        Effect::FetchLogs(r) => Some(r.clone()),
        _ => None,
    })
}

#[test]
fn logs_read_the_worst_pod_previous_container_and_follow_until_closed() {
    let mut m = model();
    let req = log_request(&press(&mut m, KeyCode::Char('l'))).expect("FetchLogs");
    assert_eq!(req.pod.name, "checkout-7d9f-abcde");
    assert_eq!(req.container.as_deref(), Some("checkout"));
    assert!(!req.previous);
    assert!(req.tail_lines >= 100);
    update(
        &mut m,
        Msg::Done(EffectOutcome::Logs {
            request_id: req.request_id,
            source: "staging".into(),
            request: req.clone(),
            result: Ok(LogTail {
                lines: vec!["panic: \x1b[31mboom\x1b[0m".into()],
                truncated: false,
            }),
        }),
    );
    let Some(Popup::KubeLogs(view)) = &m.popup else {
        panic!("log view");
    };
    assert!(!view.lines[0].contains('\x1b'));
    // `p`: the previous container.
    let prev = log_request(&press(&mut m, KeyCode::Char('p'))).expect("previous");
    assert!(prev.previous);
    update(
        &mut m,
        Msg::Done(EffectOutcome::Logs {
            request_id: prev.request_id,
            source: "staging".into(),
            request: prev.clone(),
            result: Err("previous terminated container \"checkout\" not found".into()),
        }),
    );
    let Some(Popup::KubeLogs(view)) = &m.popup else {
        panic!("log view");
    };
    assert!(view.error.as_deref().unwrap().contains("not found"));
    // `c`: the next container.
    let other = log_request(&press(&mut m, KeyCode::Char('c'))).expect("container");
    assert_eq!(other.container.as_deref(), Some("istio-proxy"));
    update(
        &mut m,
        Msg::Done(EffectOutcome::Logs {
            request_id: other.request_id,
            source: "staging".into(),
            request: other,
            result: Ok(LogTail::default()),
        }),
    );
    // `f`: follow re-reads on the tick, every 2 s, one read at a time.
    let first = log_request(&press(&mut m, KeyCode::Char('f'))).expect("follow reads now");
    assert!(log_request(&update(&mut m, Msg::Tick(t0() + Duration::seconds(3)))).is_none());
    update(
        &mut m,
        Msg::Done(EffectOutcome::Logs {
            request_id: first.request_id,
            source: "staging".into(),
            request: first,
            result: Ok(LogTail::default()),
        }),
    );
    let again = update(&mut m, Msg::Tick(t0() + Duration::seconds(6)));
    assert!(log_request(&again).is_some(), "{again:?}");
    // Closed: no more reads.
    press(&mut m, KeyCode::Esc);
    assert!(m.popup.is_none());
    for s in 7..20 {
        assert!(log_request(&update(&mut m, Msg::Tick(t0() + Duration::seconds(s)))).is_none());
    }
}

#[test]
fn drilling_into_a_workload_lists_its_pods_and_esc_comes_back() {
    let mut m = model();
    press(&mut m, KeyCode::Enter);
    assert_eq!(m.kube_screen.pane, KubePane::Pods);
    assert_eq!(m.kube_screen.pods.len(), 1);
    assert_eq!(m.kube_screen.pods[0].status_word(), "CrashLoopBackOff");
    press(&mut m, KeyCode::Esc);
    assert_eq!(m.kube_screen.pane, KubePane::Workloads);
    assert!(m.kube_screen.drilled.is_none());
    assert_eq!(m.screen, Screen::Kube);
}

#[test]
fn undo_works_from_the_triage_screen_on_the_selected_services_deployment() {
    let mut m = super::tests_argo::world();
    add_cluster(&mut m);
    m.rederive();
    let i = m
        .visible_services()
        .iter()
        .position(|s| s.name == "checkout")
        .expect("checkout on triage");
    m.triage.selected = i;
    assert_eq!(m.screen, Screen::Triage);
    press(&mut m, KeyCode::Char('u'));
    let Some(Popup::KubeAction(f)) = &m.popup else {
        panic!("undo popup from triage: {:?}", m.flash);
    };
    assert_eq!(f.target.name, "checkout");
    assert_eq!(f.chosen().map(|r| r.revision), Some(6));
}

#[test]
fn filters_and_namespaces_narrow_the_rows() {
    let mut m = super::tests::model();
    add_cluster(&mut m);
    press(&mut m, KeyCode::Char('7'));
    assert_eq!(m.kube_screen.workloads.len(), 2);
    // The stuck one first.
    assert_eq!(m.kube_screen.workloads[0].workload.key.name, "checkout");
    let filter = |m: &mut Model, text: &str| {
        press(m, KeyCode::Char('/'));
        press(m, KeyCode::Backspace);
        type_text(m, text);
        press(m, KeyCode::Enter);
    };
    filter(&mut m, "kind=statefulset");
    assert!(m.kube_screen.workloads.is_empty());
    filter(&mut m, "ns=shop cart");
    let names: Vec<&str> = m
        .kube_screen
        .workloads
        .iter()
        .map(|r| r.workload.key.name.as_str())
        .collect();
    assert_eq!(names, ["cart"]);
    filter(&mut m, "");
    super::kube_screen::run_ns(&mut m, "payments");
    assert!(m.kube_screen.workloads.is_empty());
    super::kube_screen::run_ns(&mut m, "");
    assert_eq!(m.kube_screen.workloads.len(), 2);
    // Not drilled, the Pods pane does not act on a workload it does not show.
    m.kube_screen.pane = KubePane::Pods;
    press(&mut m, KeyCode::Char('u'));
    assert!(m.popup.is_none());
}

#[test]
fn logs_from_a_warning_about_a_pod_read_that_pod() {
    let mut m = model();
    let event = crate::kube::WarningEvent {
        key: ObjectKey {
            cluster: "staging".into(),
            namespace: "shop".into(),
            name: "checkout-7d9f-abcde.1".into(),
        },
        object_kind: "Pod".into(),
        object_name: "checkout-7d9f-abcde".into(),
        reason: "BackOff".into(),
        message: "Back-off restarting failed container".into(),
        count: 3,
        first_seen: None,
        last_seen: Some(t0()),
    };
    m.kube.apply(
        "staging",
        KubePayload {
            changes: vec![KubeChange::Apply(KubeObject::Event(Arc::new(event)))],
        },
    );
    crate::model::kube_view::rebuild(&mut m);
    press(&mut m, KeyCode::Tab);
    press(&mut m, KeyCode::Tab);
    assert_eq!(m.kube_screen.pane, KubePane::Events);
    let req = log_request(&press(&mut m, KeyCode::Char('l'))).expect("FetchLogs");
    assert_eq!(req.pod.name, "checkout-7d9f-abcde");
}
