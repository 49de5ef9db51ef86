//! Argo CD in the correlation: deploy labels, suspects, health and sync events with their
//! times, the change feed and the Deploys screen, and the incremental index against a rebuild.

use super::tests::t0;
use super::tests_argo::{app, checkout, entry, her, key, model, press, source, world};
use super::update;
use crate::effect::Effect;
use crate::model::Model;
use crate::model::app::{App, HealthStatus, HistoryEntry, SyncStatus};
use crate::model::service::Urgency;
use crate::model::timeline::EventKind;
use crate::msg::{AlertsPayload, ArgocdPayload, Msg, SourcePayload, SourceUpdate, WatchChange};
use chrono::Duration;
use crossterm::event::KeyCode;

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

pub(super) fn by(mut e: HistoryEntry, who: &str, automated: bool) -> HistoryEntry {
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
    // A batch, as the app loop folds it: several apps and an alert answer, one settle.
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
