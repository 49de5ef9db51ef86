//! The Argo CD flows in `update`: correlation, suspects, and rollback by the safety rules.

use super::update;
use crate::effect::Effect;
use crate::model::Model;
use crate::model::alert::{Alert, AlertState, Labels, fingerprint};
use crate::model::app::{App, AppKey, HealthStatus, HistoryEntry, SyncStatus};
use crate::model::popup::{Popup, RollbackStage};
use crate::model::service::Urgency;
use crate::model::source::{SourceKind, SourceStatus};
use crate::model::timeline::EventKind;
use crate::msg::{
    AlertsPayload, ArgocdPayload, EffectOutcome, Msg, SourcePayload, SourceUpdate, WatchChange,
};
use chrono::Duration;
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};

use super::tests::t0;

/// The alerts test model (Alertmanager "am", Prometheus "prom") plus an Argo CD instance.
fn model() -> Model {
    let mut m = super::tests::model();
    m.sources.push(SourceStatus::new(
        "argocd",
        SourceKind::Argocd,
        "https://argocd",
        "test",
    ));
    m
}

fn key(name: &str) -> AppKey {
    AppKey {
        instance: "argocd".into(),
        namespace: "argocd".into(),
        name: name.into(),
    }
}

fn entry(id: i64, rev: &str, mins_ago: i64, by: &str) -> HistoryEntry {
    HistoryEntry {
        id,
        revision: rev.into(),
        revisions: vec![],
        deployed_at: Some(t0() - Duration::minutes(mins_ago)),
        deploy_started_at: Some(t0() - Duration::minutes(mins_ago) - Duration::seconds(30)),
        initiated_by: by.into(),
        automated: by == "ci-bot",
    }
}

fn app(
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
        operation: None,
        history,
        images: vec![],
        reconciled_at: Some(t0()),
        resources: vec![],
        resource_version: "1".into(),
        seen_health: Default::default(),
    }
}

fn checkout() -> App {
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

fn her() -> Alert {
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

fn source(name: &str, payload: SourcePayload) -> Msg {
    Msg::Source(SourceUpdate {
        source: name.into(),
        at: t0(),
        payload,
    })
}

fn press(m: &mut Model, code: KeyCode) -> Vec<Effect> {
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
fn apps_join_services_and_the_deploy_before_the_alert_is_suspect() {
    let m = world();
    let checkout = &m.services[0];
    assert_eq!(checkout.name, "checkout");
    assert_eq!(checkout.urgency, Urgency::CriticalFiring);
    assert_eq!(checkout.health, Some(HealthStatus::Degraded));
    assert!(checkout.suspect);
    let last = checkout.last_deploy.as_ref().unwrap();
    assert_eq!(last.revision, "v2.14.0");
    assert!(last.suspect);
    // search: out of sync, ranked after checkout; cart: quiet, not on the triage list.
    assert_eq!(m.services[1].name, "search");
    assert_eq!(m.services[1].urgency, Urgency::OutOfSync);
    assert!(m.visible_services().iter().all(|s| s.name != "cart"));
    assert!(m.services.iter().any(|s| s.name == "cart"));
    // The recent deploy and the degraded health are on the timeline.
    assert!(
        m.timeline
            .iter()
            .any(|e| e.kind == EventKind::Deploy && e.summary.contains("v2.14.0"))
    );
    assert!(
        m.timeline
            .iter()
            .any(|e| e.kind == EventKind::HealthChanged && e.highlight)
    );
}

#[test]
fn affected_apps_get_their_detail_fetched_once() {
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
    let effects = update(
        &mut m,
        source(
            "argocd",
            SourcePayload::Argocd(ArgocdPayload::Apps {
                apps: vec![checkout()],
            }),
        ),
    );
    assert_eq!(
        effects,
        vec![Effect::FetchAppDetail {
            key: key("checkout-prod"),
            refresh: None
        }]
    );
    // Asked already: not again until the answer comes.
    let effects = update(
        &mut m,
        source(
            "argocd",
            SourcePayload::Argocd(ArgocdPayload::AppChanged {
                change: WatchChange::Modified,
                app: Box::new(checkout()),
            }),
        ),
    );
    assert!(effects.is_empty());
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

fn by(mut e: HistoryEntry, who: &str, automated: bool) -> HistoryEntry {
    e.initiated_by = who.into();
    e.automated = automated;
    e
}

/// checkout-prod's story in history: ci-bot's good and bad deploys, alice's rollback, auto-sync
/// putting Git's bad head back, bob's manual roll forward to it, carol's second rollback.
fn storied() -> App {
    app(
        "checkout-prod",
        HealthStatus::Degraded,
        SyncStatus::Synced,
        true,
        vec![
            by(entry(1, "good", 60 * 24, ""), "ci-bot", false),
            by(entry(2, "bad", 20, ""), "ci-bot", false),
            by(entry(3, "good", 15, ""), "alice", false),
            by(entry(4, "bad", 10, ""), "", true),
            by(entry(5, "good", 8, ""), "carol", false),
            by(entry(6, "bad", 7, ""), "bob", false),
        ],
    )
}

#[test]
fn a_rollback_is_a_person_going_back_and_an_automated_redeploy_never_is() {
    let mut m = model();
    update(
        &mut m,
        source(
            "argocd",
            SourcePayload::Argocd(ArgocdPayload::Apps {
                apps: vec![storied()],
            }),
        ),
    );
    let rollback_of = |id: i64| {
        m.deploys
            .iter()
            .find(|d| d.history_id == Some(id))
            .unwrap()
            .rollback
    };
    assert!(!rollback_of(1) && !rollback_of(2), "new revisions");
    assert!(rollback_of(3), "alice went back to good");
    assert!(
        !rollback_of(4),
        "auto-sync re-deploying Git's head is automated"
    );
    assert!(rollback_of(5), "carol went back to good again");
    assert!(!rollback_of(6), "bob rolled forward to Git's head again");
    // The timeline says the same, in the same words as the screens.
    let rollbacks: Vec<&str> = m
        .timeline
        .iter()
        .filter(|e| e.kind == EventKind::Rollback)
        .map(|e| e.summary.as_str())
        .collect();
    assert_eq!(
        rollbacks,
        [
            "checkout-prod rolled back to good by alice",
            "checkout-prod rolled back to good by carol"
        ]
    );
    assert!(
        m.timeline
            .iter()
            .any(|e| e.summary == "checkout-prod deployed bad by auto-sync")
    );
}

#[test]
fn the_suspect_is_the_deploy_in_effect_when_the_alert_began_and_the_row_agrees() {
    // The alert began 5 minutes ago. ci-bot deployed at -9m and -6m (the second supersedes the
    // first), alice rolled back a minute ago (after the alert began: never a suspect).
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
    let mut a = checkout();
    a.history = vec![
        entry(6, "v2.13.2", 60 * 24, "ci-bot"),
        entry(7, "v2.13.9", 9, "ci-bot"),
        entry(8, "v2.14.0", 6, "ci-bot"),
        by(entry(9, "v2.13.9", 1, ""), "alice", false),
    ];
    update(
        &mut m,
        source(
            "argocd",
            SourcePayload::Argocd(ArgocdPayload::Apps { apps: vec![a] }),
        ),
    );
    let suspect = |id: i64| {
        m.deploys
            .iter()
            .find(|d| d.history_id == Some(id))
            .unwrap()
            .suspect
    };
    assert!(suspect(8), "in effect when the alert began");
    assert!(!suspect(7), "superseded by 8 before the alert");
    assert!(!suspect(9), "finished after the alert began");
    let row = m.services.iter().find(|s| s.name == "checkout").unwrap();
    let shown = row.last_deploy.as_ref().unwrap();
    assert_eq!(shown.history_id, Some(9));
    assert!(shown.rollback);
    assert!(
        !row.suspect,
        "the row shows the rollback, so its marker must not say SUSPECT"
    );
}

fn health_events(m: &Model) -> Vec<&crate::model::timeline::TimelineEvent> {
    m.timeline
        .iter()
        .filter(|e| e.kind == EventKind::HealthChanged)
        .collect()
}

#[test]
fn health_events_carry_argo_cds_transition_time_or_say_first_seen() {
    // Argo CD says since when: the event is dated then, not when sitrep started.
    let mut m = model();
    let mut a = checkout();
    a.health_since = Some(t0() - Duration::minutes(4));
    update(
        &mut m,
        source(
            "argocd",
            SourcePayload::Argocd(ArgocdPayload::Apps { apps: vec![a] }),
        ),
    );
    let e = health_events(&m)[0];
    assert_eq!(e.occurred_at, t0() - Duration::minutes(4));
    assert_eq!(
        e.summary,
        "checkout-prod is Degraded: Deployment has 0/3 ready"
    );

    // It doesn't (an older server): the event says it was first seen, at the time it was seen.
    let mut m = model();
    update(
        &mut m,
        source(
            "argocd",
            SourcePayload::Argocd(ArgocdPayload::Apps {
                apps: vec![checkout()],
            }),
        ),
    );
    let e = health_events(&m)[0];
    assert_eq!(e.occurred_at, t0());
    assert!(
        e.summary
            .starts_with("checkout-prod first seen Degraded (Argo CD does not say since when)"),
        "{}",
        e.summary
    );

    // A change seen later is dated by Argo CD's transition time too.
    let mut healed = checkout();
    healed.health = HealthStatus::Healthy;
    healed.health_message.clear();
    healed.health_since = Some(t0() - Duration::seconds(10));
    update(
        &mut m,
        Msg::Source(SourceUpdate {
            source: "argocd".into(),
            at: t0() + Duration::seconds(30),
            payload: SourcePayload::Argocd(ArgocdPayload::AppChanged {
                change: WatchChange::Modified,
                app: Box::new(healed),
            }),
        }),
    );
    let e = health_events(&m)
        .into_iter()
        .find(|e| e.summary == "checkout-prod Degraded -> Healthy")
        .expect("the change is on the timeline");
    assert_eq!(e.occurred_at, t0() - Duration::seconds(10));
}

#[test]
fn a_recent_failed_sync_found_at_first_sight_is_on_the_timeline_when_it_failed() {
    let mut m = model();
    let mut a = checkout();
    a.operation = Some(crate::model::app::Operation {
        phase: crate::model::app::OperationPhase::Failed,
        message: "one or more objects failed to apply".into(),
        started_at: Some(t0() - Duration::minutes(3)),
        finished_at: Some(t0() - Duration::minutes(2)),
        initiated_by: "bob".into(),
        automated: false,
        revision: "v2.14.1".into(),
        failed_resources: vec!["Deployment/checkout/api: bad image".into()],
        dry_run: false,
        results: vec![],
    });
    update(
        &mut m,
        source(
            "argocd",
            SourcePayload::Argocd(ArgocdPayload::Apps { apps: vec![a] }),
        ),
    );
    let e = m
        .timeline
        .iter()
        .find(|e| e.kind == EventKind::SyncFailed)
        .expect("the failed sync is news");
    assert_eq!(e.occurred_at, t0() - Duration::minutes(2));
    assert!(e.summary.contains("one or more objects failed to apply"));
}

fn request_ids(m: &Model, kind: EventKind) -> Vec<u64> {
    m.timeline
        .iter()
        .filter(|e| e.kind == kind)
        .filter_map(|e| e.details["request_id"].as_u64())
        .collect()
}

#[test]
fn every_attempt_gets_an_outcome_and_a_dry_run_says_what_would_change() {
    use crate::model::app::{Operation, OperationPhase, ResourceResult};
    let mut m = world();
    m.screen = crate::model::ui::Screen::Apps;
    m.rederive();
    m.apps_cursor.selected = m
        .apps_view
        .iter()
        .position(|k| k.name == "search-prod")
        .unwrap();
    press(&mut m, KeyCode::Char('S'));
    press(&mut m, KeyCode::Char('d'));
    press(&mut m, KeyCode::Enter);
    let effects = press(&mut m, KeyCode::Enter);
    let Some(Effect::Sync {
        request_id,
        dry_run: true,
        ..
    }) = effects.first().cloned()
    else {
        panic!("{effects:?}")
    };
    // Argo CD accepts: the answer is the app with the dry run's operation requested.
    let mut search = m.apps[&key("search-prod")].clone();
    let op = |phase, started| Operation {
        phase,
        message: String::new(),
        started_at: started,
        finished_at: None,
        initiated_by: "admin".into(),
        automated: false,
        revision: "v4.2.0".into(),
        failed_resources: vec![],
        dry_run: true,
        results: vec![],
    };
    search.operation = Some(op(OperationPhase::Running, None));
    update(
        &mut m,
        Msg::Done(EffectOutcome::AppActionDone {
            request_id,
            source: "argocd".into(),
            key: key("search-prod"),
            dry_run: true,
            app: Box::new(Some(search.clone())),
            autosync_before: None,
        }),
    );
    assert_eq!(
        request_ids(&m, EventKind::ActionSucceeded),
        request_ids(&m, EventKind::ActionAttempted),
        "the attempt has its outcome"
    );
    let Some(Popup::Sync(form)) = &m.popup else {
        panic!("the form stays open for the result")
    };
    assert_eq!(form.stage, crate::model::popup::FormStage::Edit);

    // Argo CD ran it: what it would do shows on the app, and so on the timeline.
    let mut done = op(OperationPhase::Succeeded, Some(t0()));
    done.results = vec![
        ResourceResult {
            kind: "Deployment".into(),
            namespace: "search".into(),
            name: "search".into(),
            status: "Synced".into(),
            message: "deployment.apps/search configured (dry run)".into(),
        },
        ResourceResult {
            kind: "Service".into(),
            namespace: "search".into(),
            name: "search".into(),
            status: "Synced".into(),
            message: "service/search unchanged (dry run)".into(),
        },
    ];
    search.operation = Some(done);
    update(
        &mut m,
        source(
            "argocd",
            SourcePayload::Argocd(ArgocdPayload::AppChanged {
                change: WatchChange::Modified,
                app: Box::new(search),
            }),
        ),
    );
    let result = m
        .timeline
        .iter()
        .find(|e| e.summary.starts_with("dry run of sync"))
        .expect("the dry run's result is on the timeline");
    assert_eq!(
        result.summary,
        "dry run of sync of search-prod: Argo CD would change Deployment search \
         (deployment.apps/search configured (dry run)); 1 unchanged"
    );
    assert_eq!(result.details["request_id"].as_u64(), Some(request_id));
    let Some(Popup::Sync(form)) = &m.popup else {
        panic!()
    };
    assert!(form.last_dry_run.as_ref().unwrap().result.is_some());

    // A refusal is an outcome too, with the server's words.
    press(&mut m, KeyCode::Char('d'));
    press(&mut m, KeyCode::Enter);
    for c in "search-prod".chars() {
        press(&mut m, KeyCode::Char(c));
    }
    let effects = press(&mut m, KeyCode::Enter);
    let Some(Effect::Sync {
        request_id,
        dry_run: false,
        ..
    }) = effects.first().cloned()
    else {
        panic!("{effects:?}")
    };
    update(
        &mut m,
        Msg::Done(EffectOutcome::MutationFailed {
            request_id,
            source: "argocd".into(),
            error: "another operation is already in progress".into(),
            autosync_before: None,
        }),
    );
    let failed = m
        .timeline
        .iter()
        .find(|e| e.kind == EventKind::ActionFailed)
        .expect("the refusal is on the timeline");
    assert_eq!(
        failed.summary,
        "sync failed: another operation is already in progress"
    );
    let mut outcomes = request_ids(&m, EventKind::ActionSucceeded);
    outcomes.extend(request_ids(&m, EventKind::ActionFailed));
    for attempt in request_ids(&m, EventKind::ActionAttempted) {
        assert!(
            outcomes.contains(&attempt),
            "attempt {attempt} has no outcome"
        );
    }
}

#[test]
fn a_dry_run_operation_is_no_deploy_and_no_failed_sync() {
    use crate::model::app::{Operation, OperationPhase};
    let mut m = world();
    let mut search = m.apps[&key("search-prod")].clone();
    let dry = |phase| Operation {
        phase,
        message: "one or more objects failed to apply (dry run)".into(),
        started_at: Some(t0()),
        finished_at: None,
        initiated_by: "admin".into(),
        automated: false,
        revision: "v4.2.0".into(),
        failed_resources: vec![],
        dry_run: true,
        results: vec![],
    };
    for phase in [OperationPhase::Running, OperationPhase::Failed] {
        search.operation = Some(dry(phase));
        update(
            &mut m,
            source(
                "argocd",
                SourcePayload::Argocd(ArgocdPayload::AppChanged {
                    change: WatchChange::Modified,
                    app: Box::new(search.clone()),
                }),
            ),
        );
        assert!(
            m.deploys
                .iter()
                .all(|d| !(d.app == key("search-prod") && d.history_id.is_none())),
            "{phase:?}: a dry run in the change feed"
        );
    }
    assert!(!m.timeline.iter().any(|e| e.kind == EventKind::SyncFailed));
    let row = m.services.iter().find(|s| s.name == "search").unwrap();
    assert_eq!(row.urgency, Urgency::OutOfSync, "not a failed sync");
}

/// Seen: `:autosync off` and bare `:autosync` were "unknown command".
#[test]
fn autosync_command_says_the_state_and_turns_it_off_with_confirmation() {
    let mut m = world();
    m.settings.production_pattern = "^never$".into();
    m.screen = crate::model::ui::Screen::Apps;
    m.rederive();
    let pos = m
        .apps_view
        .iter()
        .position(|k| k.name == "checkout-prod")
        .unwrap();
    m.apps_cursor.selected = pos;
    let command = |m: &mut Model, text: &str| {
        press(m, KeyCode::Char(':'));
        for c in text.chars() {
            press(m, KeyCode::Char(c));
        }
        press(m, KeyCode::Enter)
    };
    command(&mut m, "autosync");
    let said = m.flash.as_ref().unwrap().text.clone();
    assert_eq!(
        said,
        "auto-sync of checkout-prod is ON; :autosync off turns it off"
    );
    assert!(command(&mut m, "autosync off").is_empty());
    assert!(matches!(m.popup, Some(Popup::Confirm(_))));
    let effects = press(&mut m, KeyCode::Char('y'));
    let request_id = match effects.as_slice() {
        [
            Effect::SetAutoSync {
                request_id,
                enabled: false,
                ..
            },
        ] => *request_id,
        other => panic!("{other:?}"),
    };
    let mut off = checkout();
    off.auto_sync = false;
    update(
        &mut m,
        Msg::Done(EffectOutcome::AppActionDone {
            request_id,
            source: "argocd".into(),
            key: key("checkout-prod"),
            dry_run: false,
            app: Box::new(Some(off)),
            autosync_before: None,
        }),
    );
    assert!(
        m.autosync_off.contains(&key("checkout-prod")),
        "the reminder stays"
    );
    assert!(
        m.timeline
            .iter()
            .any(|e| e.kind == EventKind::ActionSucceeded
                && e.summary.contains("auto-sync is OFF until re-enabled"))
    );
    command(&mut m, "autosync sideways");
    assert!(m.flash.as_ref().unwrap().text.contains("on or off"));
}

/// Seen: `/` on Deploys opened a filter that filtered nothing (help promises a filter).
#[test]
fn the_deploys_screen_filters_and_keeps_its_selection() {
    let mut m = world();
    press(&mut m, KeyCode::Char('4'));
    let all = m.deploys_view.len();
    assert!(all >= 3, "{all}");
    press(&mut m, KeyCode::Char('/'));
    for c in "bob".chars() {
        press(&mut m, KeyCode::Char(c));
    }
    press(&mut m, KeyCode::Enter);
    assert!(m.deploys_view.len() < all);
    assert!(m.deploys_view.iter().all(|d| d.initiator == "bob"));
    assert_eq!(m.selected_deploy().unwrap().initiator, "bob");
    press(&mut m, KeyCode::Esc);
    assert_eq!(m.deploys_view.len(), all);
}

/// The correlation index follows deltas; after any sequence of them it must say exactly what a
/// rebuild from the stores says.
#[test]
fn incremental_correlation_equals_a_rebuild_from_scratch() {
    fn assert_same(m: &Model, step: &str) {
        let mut rebuilt = m.clone();
        rebuilt.rederive();
        assert_eq!(m.services, rebuilt.services, "services after {step}");
        assert_eq!(m.deploys, rebuilt.deploys, "deploys after {step}");
        assert_eq!(m.triage_view, rebuilt.triage_view, "triage after {step}");
    }
    let mut m = world();
    assert_same(&m, "the first answers");
    // An alert resolves, another appears on another service.
    let mut other = her();
    other.labels.insert("alertname".into(), "Disk".into());
    other.labels.insert("service".into(), "cart".into());
    other.fingerprint = crate::model::alert::fingerprint(&other.labels);
    update(
        &mut m,
        source(
            "am",
            SourcePayload::Alerts(AlertsPayload {
                alerts: vec![other.clone()],
                silences: Some(vec![]),
            }),
        ),
    );
    assert_same(&m, "an alert moved");
    // An app turns Degraded, then moves to another service, then is deleted.
    let mut cart = app(
        "cart-prod",
        HealthStatus::Degraded,
        SyncStatus::Synced,
        true,
        vec![entry(1, "v1.0.0", 6000, "bob"), entry(2, "v1.1.0", 3, "ci")],
    );
    let changed = |app: &App| {
        source(
            "argocd",
            SourcePayload::Argocd(ArgocdPayload::AppChanged {
                change: WatchChange::Modified,
                app: Box::new(app.clone()),
            }),
        )
    };
    update(&mut m, changed(&cart));
    assert_same(&m, "an app changed");
    cart.labels
        .insert("app.kubernetes.io/part-of".into(), "payments".into());
    m.settings.app_service_labels = vec!["app.kubernetes.io/part-of".into()];
    m.rederive();
    update(&mut m, changed(&cart));
    assert_same(&m, "an app moved service");
    update(
        &mut m,
        source(
            "argocd",
            SourcePayload::Argocd(ArgocdPayload::AppChanged {
                change: WatchChange::Deleted,
                app: Box::new(cart),
            }),
        ),
    );
    assert_same(&m, "an app was deleted");
    // A batch, as the app loop folds it: several apps and an alert snapshot, one settle.
    for (i, health) in [
        HealthStatus::Degraded,
        HealthStatus::Progressing,
        HealthStatus::Healthy,
    ]
    .into_iter()
    .enumerate()
    {
        let a = app(
            &format!("batch{i}-prod"),
            health,
            SyncStatus::OutOfSync,
            true,
            vec![entry(1, "v1", 90 - i as i64, "ci")],
        );
        super::apply(&mut m, changed(&a));
    }
    super::apply(
        &mut m,
        source(
            "am",
            SourcePayload::Alerts(AlertsPayload {
                alerts: vec![other.clone(), her()],
                silences: Some(vec![]),
            }),
        ),
    );
    super::settle(&mut m);
    assert_same(&m, "a batch of changes to several services");
    // The same answer again changes nothing at all.
    let before = m.services.clone();
    update(
        &mut m,
        source(
            "am",
            SourcePayload::Alerts(AlertsPayload {
                alerts: vec![other, her()],
                silences: Some(vec![]),
            }),
        ),
    );
    assert_eq!(m.services, before);
}

/// The auto-sync settings sitrep removed travel in the outcome into the model and onto the
/// timeline, and come back in the effect that turns auto-sync on again.
#[test]
fn the_auto_sync_settings_sitrep_removed_come_back_when_it_turns_it_on() {
    let mut m = world();
    m.settings.production_pattern = "^never$".into();
    m.screen = crate::model::ui::Screen::Apps;
    m.rederive();
    let pos = m
        .apps_view
        .iter()
        .position(|k| k.name == "checkout-prod")
        .unwrap();
    m.apps_cursor.selected = pos;
    let command = |m: &mut Model, text: &str| {
        press(m, KeyCode::Char(':'));
        for c in text.chars() {
            press(m, KeyCode::Char(c));
        }
        press(m, KeyCode::Enter)
    };
    let policy = serde_json::json!({"prune": true, "selfHeal": true, "allowEmpty": true});

    command(&mut m, "autosync off");
    let effects = press(&mut m, KeyCode::Char('y'));
    let [
        Effect::SetAutoSync {
            request_id,
            enabled: false,
            restore: None,
            ..
        },
    ] = effects.as_slice()
    else {
        panic!("{effects:?}")
    };
    let mut off = checkout();
    off.auto_sync = false;
    update(
        &mut m,
        Msg::Done(EffectOutcome::AppActionDone {
            request_id: *request_id,
            source: "argocd".into(),
            key: key("checkout-prod"),
            dry_run: false,
            app: Box::new(Some(off)),
            autosync_before: Some(policy.clone()),
        }),
    );
    assert_eq!(m.autosync_before.get(&key("checkout-prod")), Some(&policy));
    let outcome = m
        .timeline
        .iter()
        .find(|e| e.kind == EventKind::ActionSucceeded)
        .unwrap();
    assert_eq!(outcome.details["autosync_before"], policy);

    command(&mut m, "autosync on");
    let effects = press(&mut m, KeyCode::Char('y'));
    let [
        Effect::SetAutoSync {
            request_id,
            enabled: true,
            restore: Some(restore),
            ..
        },
    ] = effects.as_slice()
    else {
        panic!("{effects:?}")
    };
    assert_eq!(restore, &policy);
    update(
        &mut m,
        Msg::Done(EffectOutcome::AppActionDone {
            request_id: *request_id,
            source: "argocd".into(),
            key: key("checkout-prod"),
            dry_run: false,
            app: Box::new(Some(checkout())),
            autosync_before: None,
        }),
    );
    assert!(
        m.autosync_before.is_empty(),
        "restored: nothing left to keep"
    );
}
