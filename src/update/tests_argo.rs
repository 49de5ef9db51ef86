//! The Argo CD flows in `update`: correlation, suspects, and rollback by the safety rules.

use super::tests_deploys::by;
use super::update;
use crate::effect::Effect;
use crate::model::Model;
use crate::model::alert::{Alert, AlertState, Labels, fingerprint};
use crate::model::app::{App, AppKey, HealthStatus, HistoryEntry, SyncStatus};
use crate::model::popup::{Popup, RollbackStage};
use crate::model::source::{SourceKind, SourceStatus};
use crate::model::timeline::EventKind;
use crate::msg::{
    AlertsPayload, ArgocdPayload, EffectOutcome, Msg, SourcePayload, SourceUpdate, WatchChange,
};
use chrono::Duration;
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};

use super::tests::t0;

/// The alerts test model (Alertmanager "am", Prometheus "prom") plus an Argo CD instance.
pub(super) fn model() -> Model {
    let mut m = super::tests::model();
    m.sources.push(SourceStatus::new(
        "argocd",
        SourceKind::Argocd,
        "https://argocd",
        "test",
    ));
    m
}

pub(super) fn key(name: &str) -> AppKey {
    AppKey {
        instance: "argocd".into(),
        namespace: "argocd".into(),
        name: name.into(),
    }
}

pub(super) fn entry(id: i64, rev: &str, mins_ago: i64, by: &str) -> HistoryEntry {
    HistoryEntry {
        id,
        revision: rev.into(),
        revisions: vec![],
        deployed_at: Some(t0() - Duration::minutes(mins_ago)),
        deploy_started_at: Some(t0() - Duration::minutes(mins_ago) - Duration::seconds(30)),
        initiated_by: by.into(),
        automated: by == "ci-bot",
        sources: vec![],
    }
}

pub(super) fn app(
    name: &str,
    health: HealthStatus,
    sync: SyncStatus,
    auto_sync: bool,
    history: Vec<HistoryEntry>,
) -> App {
    let mut labels = Labels::new();
    labels.insert(
        "app.kubernetes.io/part-of".into(),
        name.trim_end_matches("-prod").into(),
    );
    App {
        key: key(name),
        project: "payments".into(),
        labels,
        annotations: Labels::new(),
        sync,
        health,
        health_message: if health == HealthStatus::Degraded {
            "Deployment has 0/3 ready".into()
        } else {
            String::new()
        },
        health_since: None,
        git_revision: history
            .last()
            .map(|h| h.revision.clone())
            .unwrap_or_default(),
        git_revisions: vec![],
        target_revisions: vec!["main".into()],
        repo_urls: vec!["https://git/checkout".into()],
        multi_source: false,
        destination_server: "https://kubernetes.default.svc".into(),
        destination_namespace: name.trim_end_matches("-prod").into(),
        auto_sync,
        self_heal: false,
        operation: None,
        history,
        images: vec![],
        reconciled_at: Some(t0()),
        resources: vec![],
        resource_version: "1".into(),
        seen_health: Default::default(),
        sources: vec![],
        compared_to: vec![],
        conditions: vec![],
    }
}

pub(super) fn checkout() -> App {
    app(
        "checkout-prod",
        HealthStatus::Degraded,
        SyncStatus::Synced,
        true,
        vec![
            entry(7, "v2.13.2", 60 * 24, "ci-bot"),
            entry(8, "v2.14.0", 6, "ci-bot"),
        ],
    )
}

pub(super) fn her() -> Alert {
    let mut labels = Labels::new();
    labels.insert("alertname".into(), "HighErrorRate".into());
    labels.insert("service".into(), "checkout".into());
    labels.insert("severity".into(), "critical".into());
    Alert {
        fingerprint: fingerprint(&labels),
        labels,
        annotations: Labels::new(),
        state: AlertState::Firing,
        starts_at: t0() - Duration::minutes(5),
        ends_at: None,
        generator_url: None,
        silenced_by: vec![],
        inhibited_by: vec![],
        muted_by: vec![],
        receivers: vec![],
        source: "am".into(),
        also_from: vec![],
        digest: 0,
    }
}

pub(super) fn source(name: &str, payload: SourcePayload) -> Msg {
    Msg::Source(SourceUpdate {
        source: name.into(),
        at: t0(),
        payload,
    })
}

pub(super) fn press(m: &mut Model, code: KeyCode) -> Vec<Effect> {
    let mods = match code {
        KeyCode::Char(c) if c.is_ascii_uppercase() => KeyModifiers::SHIFT,
        _ => KeyModifiers::NONE,
    };
    update(m, Msg::Input(Event::Key(KeyEvent::new(code, mods))))
}

pub(super) fn world() -> Model {
    let mut m = model();
    update(
        &mut m,
        source(
            "am",
            SourcePayload::Alerts(AlertsPayload {
                alerts: vec![her()],
                silences: Some(vec![]),
            }),
        ),
    );
    let search = app(
        "search-prod",
        HealthStatus::Healthy,
        SyncStatus::OutOfSync,
        false,
        vec![entry(3, "v4.1.3", 600, "bob")],
    );
    let quiet = app(
        "cart-prod",
        HealthStatus::Healthy,
        SyncStatus::Synced,
        true,
        vec![entry(1, "v1.0.0", 6000, "bob")],
    );
    update(
        &mut m,
        source(
            "argocd",
            SourcePayload::Argocd(ArgocdPayload::Apps {
                apps: vec![checkout(), search, quiet],
            }),
        ),
    );
    m
}

#[test]
fn rollback_with_auto_sync_skips_the_impossible_dry_run_and_is_confirmed_by_typed_name() {
    let mut m = world();
    assert!(
        press(&mut m, KeyCode::Char('R'))
            .iter()
            .all(|e| matches!(e, Effect::FetchAppDetail { .. }))
    );
    let Some(Popup::Rollback(form)) = &m.popup else {
        panic!("no rollback popup")
    };
    assert_eq!(
        form.entries[form.selected].id, 7,
        "preselects the previous deployment"
    );
    assert!(form.auto_sync && form.production);

    // Enter without accepting the auto-sync step: nothing sent.
    let effects = press(&mut m, KeyCode::Enter);
    assert!(!effects.iter().any(|e| matches!(e, Effect::Rollback { .. })));

    // Accepted: Argo CD cannot dry-run a rollback with auto-sync on, so none is asked for
    // (nothing on the timeline either): straight to what will happen.
    press(&mut m, KeyCode::Char('a'));
    let effects = press(&mut m, KeyCode::Enter);
    assert!(!effects.iter().any(|e| matches!(e, Effect::Rollback { .. })));
    let Some(Popup::Rollback(form)) = &m.popup else {
        panic!()
    };
    assert_eq!(form.stage, RollbackStage::Confirm);
    assert!(form.dry_run_skipped);
    assert!(
        !m.timeline
            .iter()
            .any(|e| e.kind == EventKind::ActionAttempted)
    );

    // Production: `y` is a letter of the name, not a confirmation.
    assert!(
        !press(&mut m, KeyCode::Char('y'))
            .iter()
            .any(|e| matches!(e, Effect::Rollback { .. }))
    );
    press(&mut m, KeyCode::Backspace);
    for c in "checkout-prod".chars() {
        press(&mut m, KeyCode::Char(c));
    }
    let effects = press(&mut m, KeyCode::Enter);
    let Some(Effect::Rollback {
        request_id,
        key: k,
        id: 7,
        dry_run: false,
        disable_auto_sync: true,
        prune: false,
    }) = effects
        .iter()
        .find(|e| matches!(e, Effect::Rollback { .. }))
        .cloned()
    else {
        panic!("{effects:?}")
    };
    assert_eq!(k, key("checkout-prod"));
    // In flight: more presses send nothing.
    assert!(
        !press(&mut m, KeyCode::Enter)
            .iter()
            .any(|e| matches!(e, Effect::Rollback { .. }))
    );
    let attempted = m
        .timeline
        .iter()
        .find(|e| e.kind == EventKind::ActionAttempted)
        .unwrap();
    assert_eq!(
        attempted.summary,
        "disable auto-sync, then roll back checkout-prod from v2.14.0 to v2.13.2 (history 7; \
         no dry run: Argo CD cannot dry-run with auto-sync on)"
    );

    let mut healed = checkout();
    healed.auto_sync = false;
    update(
        &mut m,
        Msg::Done(EffectOutcome::AppActionDone {
            request_id,
            source: "argocd".into(),
            key: key("checkout-prod"),
            dry_run: false,
            app: Box::new(Some(healed.clone())),
            autosync_before: None,
        }),
    );
    let Some(Popup::Rollback(form)) = &m.popup else {
        panic!()
    };
    assert_eq!(form.stage, RollbackStage::Watching);
    assert!(m.autosync_off.contains(&key("checkout-prod")));
    // The request's outcome; the toggle and the rollback come as Argo CD reports them.
    assert!(m.timeline.iter().any(|e| e.kind == EventKind::ActionSucceeded
        && e.summary
            == "rollback on checkout-prod: accepted by argocd; auto-sync is OFF until re-enabled"));
    assert!(!m.timeline.iter().any(|e| e.kind == EventKind::Rollback));

    healed.health = HealthStatus::Healthy;
    healed
        .history
        .push(by(entry(9, "v2.13.2", 0, ""), "alice", false));
    update(
        &mut m,
        source(
            "argocd",
            SourcePayload::Argocd(ArgocdPayload::AppChanged {
                change: WatchChange::Modified,
                app: Box::new(healed),
            }),
        ),
    );
    assert!(m.flash.as_ref().unwrap().text.contains("Healthy again"));
    let rollback = m
        .timeline
        .iter()
        .find(|e| e.kind == EventKind::Rollback && e.summary.contains("rolled back to"))
        .unwrap();
    assert!(rollback.summary.contains("v2.13.2"));
    // Auto-sync going off is on the timeline once, as Argo CD reported it, said to be sitrep's.
    let toggles: Vec<&str> = m
        .timeline
        .iter()
        .filter(|e| e.kind == EventKind::AutosyncToggled)
        .map(|e| e.summary.as_str())
        .collect();
    assert_eq!(
        toggles,
        ["checkout-prod auto-sync OFF (turned off by sitrep for a rollback)"]
    );
    // The reminder stays until auto-sync is back on.
    assert!(m.autosync_off.contains(&key("checkout-prod")));
}

/// The world with checkout-prod's auto-sync off: a rollback dry-runs first.
fn world_without_auto_sync() -> Model {
    let mut m = world();
    let mut a = checkout();
    a.auto_sync = false;
    update(
        &mut m,
        source(
            "argocd",
            SourcePayload::Argocd(ArgocdPayload::AppChanged {
                change: WatchChange::Modified,
                app: Box::new(a),
            }),
        ),
    );
    m
}

#[test]
fn refused_rollback_shows_the_servers_words_and_is_not_retried() {
    let mut m = world_without_auto_sync();
    press(&mut m, KeyCode::Char('R'));
    let effects = press(&mut m, KeyCode::Enter);
    let Some(Effect::Rollback {
        request_id,
        dry_run: true,
        ..
    }) = effects.first().cloned()
    else {
        panic!("{effects:?}")
    };
    let effects = update(
        &mut m,
        Msg::Done(EffectOutcome::MutationFailed {
            request_id,
            source: "argocd".into(),
            error: "application checkout-prod does not have deployment with id 7".into(),
            autosync_before: None,
        }),
    );
    assert!(effects.is_empty());
    let Some(Popup::Rollback(form)) = &m.popup else {
        panic!()
    };
    assert_eq!(form.stage, RollbackStage::Pick);
    assert!(
        form.problem
            .as_ref()
            .unwrap()
            .contains("does not have deployment with id 7")
    );
    let failed = m
        .timeline
        .iter()
        .find(|e| e.kind == EventKind::ActionFailed)
        .unwrap();
    assert_eq!(failed.refs.app.as_deref(), Some("checkout-prod"));
    assert_eq!(failed.refs.service.as_deref(), Some("checkout"));
}

#[test]
fn read_only_removes_argocd_actions() {
    let mut m = world();
    m.settings.read_only = true;
    press(&mut m, KeyCode::Char('R'));
    press(&mut m, KeyCode::Char('S'));
    assert!(m.popup.is_none());
    assert!(m.flash.as_ref().unwrap().text.contains("read-only"));
}

#[test]
fn terminate_needs_a_running_operation_and_confirmation() {
    let mut m = world();
    press(&mut m, KeyCode::Char('x'));
    assert!(m.popup.is_none());
    let mut running = checkout();
    running.operation = Some(crate::model::app::Operation {
        phase: crate::model::app::OperationPhase::Running,
        message: "waiting for healthy state".into(),
        started_at: Some(t0()),
        finished_at: None,
        initiated_by: "bob".into(),
        automated: false,
        revision: "v2.14.1".into(),
        failed_resources: vec![],
        dry_run: false,
        results: vec![],
    });
    update(
        &mut m,
        source(
            "argocd",
            SourcePayload::Argocd(ArgocdPayload::AppChanged {
                change: WatchChange::Modified,
                app: Box::new(running),
            }),
        ),
    );
    press(&mut m, KeyCode::Char('x'));
    // Production: `y` is just a letter of the name being typed.
    assert!(press(&mut m, KeyCode::Char('y')).is_empty());
    press(&mut m, KeyCode::Backspace);
    for c in "checkout-prod".chars() {
        press(&mut m, KeyCode::Char(c));
    }
    let effects = press(&mut m, KeyCode::Enter);
    assert!(
        effects
            .iter()
            .any(|e| matches!(e, Effect::Terminate { key: k, .. } if *k == key("checkout-prod")))
    );
}

#[test]
fn sync_of_a_non_production_app_confirms_with_y() {
    let mut m = world();
    m.settings.production_pattern = "^never$".into();
    m.screen = crate::model::ui::Screen::Apps;
    m.rederive();
    let pos = m
        .apps_view
        .iter()
        .position(|k| k.name == "search-prod")
        .unwrap();
    m.apps_cursor.selected = pos;
    press(&mut m, KeyCode::Char('S'));
    press(&mut m, KeyCode::Char('p'));
    press(&mut m, KeyCode::Enter);
    let effects = press(&mut m, KeyCode::Char('y'));
    assert!(effects.iter().any(|e| matches!(
        e,
        Effect::Sync {
            prune: true,
            dry_run: false,
            ..
        }
    )));
}

#[test]
fn auto_sync_off_reminder_survives_a_failed_rollback_with_the_popup_closed() {
    let mut m = world();
    press(&mut m, KeyCode::Char('R'));
    press(&mut m, KeyCode::Char('a'));
    press(&mut m, KeyCode::Enter);
    for c in "checkout-prod".chars() {
        press(&mut m, KeyCode::Char(c));
    }
    let effects = press(&mut m, KeyCode::Enter);
    let Some(Effect::Rollback {
        request_id,
        disable_auto_sync: true,
        ..
    }) = effects
        .iter()
        .find(|e| matches!(e, Effect::Rollback { .. }))
        .cloned()
    else {
        panic!("{effects:?}")
    };
    press(&mut m, KeyCode::Esc);
    assert!(m.popup.is_none());
    update(&mut m, Msg::Done(EffectOutcome::MutationFailed {
        request_id,
        source: "argocd".into(),
        error: "auto-sync is now OFF for checkout-prod, but the rollback to history #7 failed: boom".into(),
        autosync_before: None,
    }));
    assert!(m.autosync_off.contains(&key("checkout-prod")));
    assert!(m.in_flight.is_empty());
}
