//! A drift group's staged sync, wave by wave: the Effects each step sends (and does not
//! send) — not before the diff was opened, not in read-only, dry runs first, the canary alone,
//! the next wave only on Synced + Healthy + Succeeded, the first failure stops, `x` cancels,
//! production needs the count typed, a second `S` does nothing; the canary settles 30 s and
//! every app already synced must stay Healthy; each app is pinned to the revision it was
//! compared at; a sync that leaves the app OutOfSync stops the plan; `prune` groups get none.

use super::tests::t0;
use super::tests_argo::{key, press, source};
use super::tests_drift_screen::{
    SHA, accepted, drift_model, four_apps, open_first_diff, refused, reported, syncs,
    through_dry_runs,
};
use super::update;
use crate::drift::CauseKind;
use crate::effect::Effect;
use crate::model::Model;
use crate::model::app::{App, HealthStatus, OperationPhase, SyncStatus};
use crate::model::drift_sync::PlanStage;
use crate::model::popup::Popup;
use crate::model::timeline::EventKind;
use crate::msg::{ArgocdPayload, Msg, SourcePayload, WatchChange};
use chrono::Duration;
use crossterm::event::KeyCode;

const NEWER: &str = "9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e9e";

/// The model's clock `secs` after t0.
fn tick(m: &mut Model, secs: i64) -> Vec<Effect> {
    update(m, Msg::Tick(t0() + Duration::seconds(secs)))
}

/// Argo CD reports `name` changed by `f` (a new comparison, a health change).
fn changed(m: &mut Model, name: &str, f: impl FnOnce(&mut App)) -> Vec<Effect> {
    let mut a = m.apps.get(&key(name)).cloned().expect("app");
    f(&mut a);
    update(
        m,
        source(
            "argocd",
            SourcePayload::Argocd(ArgocdPayload::AppChanged {
                change: WatchChange::Modified,
                app: Box::new(a),
            }),
        ),
    )
}

fn stage(m: &Model) -> PlanStage {
    m.drift_screen.plan.as_ref().unwrap().stage.clone()
}

fn stopped_because(m: &Model, words: &str) {
    let stage = stage(m);
    assert!(
        matches!(stage, PlanStage::Stopped(ref why) if why.contains(words)),
        "{stage:?}"
    );
}

/// The canary synced, Synced and Healthy at t0, and settled 30 s: the wave after it's sent.
fn through_canary(m: &mut Model) -> Vec<(u64, String, bool)> {
    let canary = syncs(&through_dry_runs(m));
    accepted(m, canary[0].0, &canary[0].1, false);
    let name = canary[0].1.clone();
    reported(
        m,
        &name,
        false,
        OperationPhase::Succeeded,
        SyncStatus::Synced,
        HealthStatus::Healthy,
        2,
    );
    let wave = syncs(&tick(m, 30));
    assert!(!wave.is_empty(), "{:?}", stage(m));
    wave
}

#[test]
fn sync_is_not_offered_before_the_diff_was_opened() {
    let mut m = four_apps();
    let effects = press(&mut m, KeyCode::Char('S'));
    assert!(effects.is_empty());
    assert!(m.popup.is_none());
    assert!(
        m.flash
            .as_ref()
            .unwrap()
            .text
            .contains("open the diff first")
    );
}

#[test]
fn read_only_offers_no_sync() {
    let mut m = four_apps();
    m.settings.read_only = true;
    open_first_diff(&mut m);
    let effects = press(&mut m, KeyCode::Char('S'));
    assert!(effects.is_empty());
    assert!(m.popup.is_none());
    assert!(m.drift_screen.plan.is_none());
}

#[test]
fn staged_sync_goes_wave_by_wave_only_when_the_canary_is_healthy() {
    let mut m = four_apps();
    open_first_diff(&mut m);
    assert!(press(&mut m, KeyCode::Char('S')).is_empty());
    assert!(matches!(m.popup, Some(Popup::DriftSync)));
    let plan = m.drift_screen.plan.as_ref().unwrap();
    assert_eq!(plan.waves.len(), 2, "canary, then one wave of 3");
    assert_eq!(
        plan.waves[0][0].key.name, "b-dev",
        "non-production, smallest diff"
    );
    assert_eq!(plan.waves[0][0].revision.as_deref(), Some(SHA), "pinned");

    let canary = through_dry_runs(&mut m);
    let sent = syncs(&canary);
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!((sent[0].1.as_str(), sent[0].2), ("b-dev", false));
    let (canary_id, _, _) = sent[0];
    assert!(syncs(&accepted(&mut m, canary_id, "b-dev", false)).is_empty());

    // Synced but not Healthy yet: no second wave.
    let effects = reported(
        &mut m,
        "b-dev",
        false,
        OperationPhase::Succeeded,
        SyncStatus::Synced,
        HealthStatus::Progressing,
        2,
    );
    assert!(
        syncs(&effects).is_empty(),
        "canary not healthy: {effects:?}"
    );
    assert_eq!(
        m.drift_screen.plan.as_ref().unwrap().stage,
        PlanStage::Wave(0)
    );

    // Synced, Healthy, Succeeded: the canary settles 30 s (model clock) first.
    let effects = reported(
        &mut m,
        "b-dev",
        false,
        OperationPhase::Succeeded,
        SyncStatus::Synced,
        HealthStatus::Healthy,
        2,
    );
    assert!(syncs(&effects).is_empty(), "settling: {effects:?}");
    let waiting = m.drift_screen.plan.as_ref().unwrap().waiting.clone();
    assert!(
        waiting
            .as_deref()
            .is_some_and(|w| w.contains("canary healthy, waiting 30 s")),
        "{waiting:?}"
    );
    assert!(syncs(&tick(&mut m, 29)).is_empty(), "29 s is not 30");
    // Then the next wave (the other three).
    let effects = tick(&mut m, 30);
    let wave = syncs(&effects);
    let names: Vec<&str> = wave.iter().map(|w| w.1.as_str()).collect();
    assert_eq!(names, ["c-dev", "d-dev", "a-dev"]);
    assert!(wave.iter().all(|w| !w.2));

    // A second S while running does nothing.
    assert!(press(&mut m, KeyCode::Char('S')).is_empty());
    assert!(m.popup.is_none());

    for (id, name, _) in &wave {
        accepted(&mut m, *id, name, false);
        reported(
            &mut m,
            name,
            false,
            OperationPhase::Succeeded,
            SyncStatus::Synced,
            HealthStatus::Healthy,
            3,
        );
    }
    assert_eq!(m.drift_screen.plan.as_ref().unwrap().stage, PlanStage::Done);
    let steps: Vec<&str> = m
        .timeline
        .iter()
        .filter_map(|e| e.details["step"].as_str())
        .collect();
    assert_eq!(
        steps,
        [
            "confirmed",
            "dry_runs_passed",
            "wave_started",
            "wave_finished",
            "wave_started",
            "wave_finished",
            "done"
        ]
    );
}

#[test]
fn a_failed_dry_run_stops_the_plan_before_anything_changes() {
    let mut m = four_apps();
    open_first_diff(&mut m);
    press(&mut m, KeyCode::Char('S'));
    let dry = syncs(&press(&mut m, KeyCode::Enter));
    assert_eq!(dry.len(), 4);
    let effects = refused(&mut m, dry[1].0, "permission denied");
    assert!(syncs(&effects).is_empty());
    let stage = m.drift_screen.plan.as_ref().unwrap().stage.clone();
    assert!(
        matches!(stage, PlanStage::Stopped(ref why) if why.contains("refused")),
        "{stage:?}"
    );
    // The other dry runs' answers start nothing.
    for (id, name, _) in &dry {
        assert!(syncs(&accepted(&mut m, *id, name, true)).is_empty());
        let e = reported(
            &mut m,
            name,
            true,
            OperationPhase::Succeeded,
            SyncStatus::OutOfSync,
            HealthStatus::Healthy,
            1,
        );
        assert!(syncs(&e).is_empty());
    }
    assert!(
        m.timeline
            .iter()
            .any(|e| e.kind == EventKind::ActionFailed && e.details["step"] == "stopped")
    );
}

#[test]
fn a_failed_canary_sync_stops_the_plan_and_names_the_app() {
    let mut m = four_apps();
    open_first_diff(&mut m);
    press(&mut m, KeyCode::Char('S'));
    let canary = syncs(&through_dry_runs(&mut m));
    accepted(&mut m, canary[0].0, "b-dev", false);
    let effects = reported(
        &mut m,
        "b-dev",
        false,
        OperationPhase::Failed,
        SyncStatus::OutOfSync,
        HealthStatus::Healthy,
        2,
    );
    assert!(syncs(&effects).is_empty());
    let stage = m.drift_screen.plan.as_ref().unwrap().stage.clone();
    assert!(
        matches!(stage, PlanStage::Stopped(ref why) if why.contains("b-dev")),
        "{stage:?}"
    );
}

#[test]
fn a_degraded_canary_stops_the_plan() {
    let mut m = four_apps();
    open_first_diff(&mut m);
    press(&mut m, KeyCode::Char('S'));
    let canary = syncs(&through_dry_runs(&mut m));
    accepted(&mut m, canary[0].0, "b-dev", false);
    let effects = reported(
        &mut m,
        "b-dev",
        false,
        OperationPhase::Running,
        SyncStatus::OutOfSync,
        HealthStatus::Degraded,
        2,
    );
    assert!(syncs(&effects).is_empty());
    assert!(matches!(
        m.drift_screen.plan.as_ref().unwrap().stage,
        PlanStage::Stopped(_)
    ));
}

#[test]
fn cancel_stops_before_the_next_wave() {
    let mut m = four_apps();
    open_first_diff(&mut m);
    press(&mut m, KeyCode::Char('S'));
    let canary = syncs(&through_dry_runs(&mut m));
    accepted(&mut m, canary[0].0, "b-dev", false);
    assert!(press(&mut m, KeyCode::Char('x')).is_empty());
    assert_eq!(
        m.drift_screen.plan.as_ref().unwrap().stage,
        PlanStage::Cancelled
    );
    let effects = reported(
        &mut m,
        "b-dev",
        false,
        OperationPhase::Succeeded,
        SyncStatus::Synced,
        HealthStatus::Healthy,
        2,
    );
    assert!(syncs(&effects).is_empty(), "cancelled: {effects:?}");
    assert!(m.timeline.iter().any(|e| e.details["step"] == "cancelled"));
}

#[test]
fn production_needs_the_number_of_apps_typed() {
    let mut m = drift_model(&[
        ("a-prod", true, 2),
        ("b-dev", false, 2),
        ("c-prod", true, 1),
    ]);
    open_first_diff(&mut m);
    press(&mut m, KeyCode::Char('S'));
    let plan = m.drift_screen.plan.as_ref().unwrap();
    assert_eq!(
        plan.waves[0][0].key.name, "b-dev",
        "a non-production canary"
    );
    // Enter alone, and y, do not confirm.
    assert!(press(&mut m, KeyCode::Enter).is_empty());
    assert!(press(&mut m, KeyCode::Char('y')).is_empty());
    assert!(matches!(m.popup, Some(Popup::DriftSync)));
    press(&mut m, KeyCode::Backspace);
    press(&mut m, KeyCode::Char('3'));
    let effects = press(&mut m, KeyCode::Enter);
    assert_eq!(syncs(&effects).len(), 3);
    assert!(syncs(&effects).iter().all(|s| s.2), "dry runs first");
}

#[test]
fn a_canary_that_turns_degraded_while_settling_stops_the_plan() {
    let mut m = four_apps();
    open_first_diff(&mut m);
    press(&mut m, KeyCode::Char('S'));
    let canary = syncs(&through_dry_runs(&mut m));
    accepted(&mut m, canary[0].0, "b-dev", false);
    reported(
        &mut m,
        "b-dev",
        false,
        OperationPhase::Succeeded,
        SyncStatus::Synced,
        HealthStatus::Healthy,
        2,
    );
    assert!(syncs(&tick(&mut m, 10)).is_empty());
    // Crash-loops 20 s after it passed.
    let effects = changed(&mut m, "b-dev", |a| a.health = HealthStatus::Degraded);
    assert!(syncs(&effects).is_empty());
    stopped_because(&m, "b-dev turned Degraded");
    assert!(syncs(&tick(&mut m, 60)).is_empty(), "stopped stays stopped");
}

#[test]
fn the_canary_must_stay_healthy_for_the_whole_settle_time() {
    let mut m = four_apps();
    open_first_diff(&mut m);
    press(&mut m, KeyCode::Char('S'));
    let canary = syncs(&through_dry_runs(&mut m));
    accepted(&mut m, canary[0].0, "b-dev", false);
    reported(
        &mut m,
        "b-dev",
        false,
        OperationPhase::Succeeded,
        SyncStatus::Synced,
        HealthStatus::Healthy,
        2,
    );
    tick(&mut m, 20);
    // A restart: Progressing, then Healthy again at 25 s: the 30 s count from there.
    changed(&mut m, "b-dev", |a| a.health = HealthStatus::Progressing);
    assert!(syncs(&tick(&mut m, 25)).is_empty());
    let waiting = m.drift_screen.plan.as_ref().unwrap().waiting.clone();
    assert!(
        waiting.as_deref().is_some_and(|w| w.contains("b-dev")),
        "{waiting:?}"
    );
    changed(&mut m, "b-dev", |a| a.health = HealthStatus::Healthy);
    assert!(syncs(&tick(&mut m, 54)).is_empty(), "only 29 s healthy");
    assert_eq!(syncs(&tick(&mut m, 55)).len(), 3);
}

#[test]
fn an_earlier_wave_turning_degraded_stops_the_running_wave_and_the_rest() {
    let mut m = four_apps();
    m.settings.drift_wave_size = 1;
    open_first_diff(&mut m);
    press(&mut m, KeyCode::Char('S'));
    assert_eq!(m.drift_screen.plan.as_ref().unwrap().waves.len(), 4);
    let wave1 = through_canary(&mut m);
    assert_eq!(wave1.len(), 1);
    accepted(&mut m, wave1[0].0, &wave1[0].1, false);
    // The canary crash-loops while wave 1 runs.
    let effects = changed(&mut m, "b-dev", |a| a.health = HealthStatus::Degraded);
    assert!(syncs(&effects).is_empty());
    stopped_because(&m, "b-dev");
    // Wave 1 finishing starts nothing.
    let effects = reported(
        &mut m,
        &wave1[0].1,
        false,
        OperationPhase::Succeeded,
        SyncStatus::Synced,
        HealthStatus::Healthy,
        3,
    );
    assert!(syncs(&effects).is_empty());
}

#[test]
fn a_later_failed_operation_on_a_synced_app_stops_before_the_next_wave() {
    let mut m = four_apps();
    m.settings.drift_wave_size = 1;
    open_first_diff(&mut m);
    press(&mut m, KeyCode::Char('S'));
    let wave1 = through_canary(&mut m);
    accepted(&mut m, wave1[0].0, &wave1[0].1, false);
    // Someone else's sync of the canary failed.
    changed(&mut m, "b-dev", |a| {
        if let Some(op) = a.operation.as_mut() {
            op.phase = OperationPhase::Failed;
            op.message = "hook failed".into();
            op.started_at = Some(t0() + Duration::minutes(5));
        }
    });
    stopped_because(&m, "later operation on b-dev failed");
}

#[test]
fn a_non_git_cause_is_pinned_to_the_revision_it_was_compared_at() {
    let mut m = four_apps();
    for (k, e) in m.drift.apps.iter_mut() {
        e.cause.kind = CauseKind::Live;
        e.cause.revision = None;
        m.apps.get_mut(k).unwrap().git_revision = SHA.into();
    }
    open_first_diff(&mut m);
    press(&mut m, KeyCode::Char('S'));
    let plan = m.drift_screen.plan.as_ref().unwrap();
    assert!(plan.apps().all(|a| a.revision.as_deref() == Some(SHA)));
    let effects = press(&mut m, KeyCode::Enter);
    assert!(
        effects.iter().all(|e| matches!(
            e,
            Effect::Sync { revision: Some(r), .. } if r == SHA
        )),
        "{effects:?}"
    );
}

#[test]
fn a_commit_landing_mid_plan_stops_it_before_the_moved_app_syncs() {
    let mut m = four_apps();
    for a in m.apps.values_mut() {
        a.git_revision = SHA.into();
    }
    open_first_diff(&mut m);
    press(&mut m, KeyCode::Char('S'));
    let canary = syncs(&through_dry_runs(&mut m));
    accepted(&mut m, canary[0].0, "b-dev", false);
    // A commit lands: Argo CD compares c-dev at it.
    changed(&mut m, "c-dev", |a| a.git_revision = NEWER.into());
    reported(
        &mut m,
        "b-dev",
        false,
        OperationPhase::Succeeded,
        SyncStatus::Synced,
        HealthStatus::Healthy,
        2,
    );
    assert!(syncs(&tick(&mut m, 30)).is_empty());
    stopped_because(&m, "c-dev's revision moved");
}

#[test]
fn a_multi_source_app_whose_revisions_moved_is_not_synced() {
    let mut m = four_apps();
    for a in m.apps.values_mut() {
        a.multi_source = true;
        a.git_revisions = vec![SHA.into(), "v1.2.0".into()];
    }
    open_first_diff(&mut m);
    press(&mut m, KeyCode::Char('S'));
    let plan = m.drift_screen.plan.as_ref().unwrap();
    assert!(
        plan.apps().all(|a| a.revision.is_none()),
        "no per-source pin"
    );
    let canary = syncs(&through_dry_runs(&mut m));
    accepted(&mut m, canary[0].0, "b-dev", false);
    changed(&mut m, "a-dev", |a| {
        a.git_revisions = vec![NEWER.into(), "v1.2.0".into()];
    });
    reported(
        &mut m,
        "b-dev",
        false,
        OperationPhase::Succeeded,
        SyncStatus::Synced,
        HealthStatus::Healthy,
        2,
    );
    assert!(syncs(&tick(&mut m, 30)).is_empty());
    stopped_because(&m, "a-dev's revision moved");
}

#[test]
fn a_revision_that_moved_while_the_popup_was_open_stops_before_the_dry_runs() {
    let mut m = four_apps();
    open_first_diff(&mut m);
    press(&mut m, KeyCode::Char('S'));
    changed(&mut m, "d-dev", |a| a.git_revision = NEWER.into());
    assert!(syncs(&press(&mut m, KeyCode::Enter)).is_empty());
    stopped_because(&m, "d-dev's revision moved");
}

#[test]
fn a_sync_that_leaves_the_app_out_of_sync_stops_the_plan_instead_of_hanging() {
    let mut m = four_apps();
    open_first_diff(&mut m);
    press(&mut m, KeyCode::Char('S'));
    let canary = syncs(&through_dry_runs(&mut m));
    accepted(&mut m, canary[0].0, "b-dev", false);
    let effects = reported(
        &mut m,
        "b-dev",
        false,
        OperationPhase::Succeeded,
        SyncStatus::OutOfSync,
        HealthStatus::Healthy,
        2,
    );
    assert!(syncs(&effects).is_empty());
    assert_eq!(
        stage(&m),
        PlanStage::Wave(0),
        "Argo CD may not have compared yet"
    );
    assert!(syncs(&tick(&mut m, 29)).is_empty());
    assert_eq!(stage(&m), PlanStage::Wave(0));
    assert!(syncs(&tick(&mut m, 30)).is_empty());
    stopped_because(&m, "b-dev is still OutOfSync after its sync");
    stopped_because(&m, "prune needed?");
}

#[test]
fn a_comparison_after_the_sync_that_still_differs_stops_at_once() {
    let mut m = four_apps();
    open_first_diff(&mut m);
    press(&mut m, KeyCode::Char('S'));
    let canary = syncs(&through_dry_runs(&mut m));
    accepted(&mut m, canary[0].0, "b-dev", false);
    reported(
        &mut m,
        "b-dev",
        false,
        OperationPhase::Succeeded,
        SyncStatus::OutOfSync,
        HealthStatus::Healthy,
        2,
    );
    // Reconciled a minute after the sync finished (t0 + 2 min): still OutOfSync.
    changed(&mut m, "b-dev", |a| {
        a.reconciled_at = Some(t0() + Duration::minutes(3));
    });
    stopped_because(&m, "still OutOfSync");
}

#[test]
fn a_prune_group_is_not_offered_a_staged_sync() {
    let mut m = four_apps();
    m.drift.groups[0].cause = CauseKind::Prune;
    open_first_diff(&mut m);
    assert!(!crate::model::drift_sync::offered(&m));
    let effects = press(&mut m, KeyCode::Char('S'));
    assert!(effects.is_empty());
    assert!(m.popup.is_none());
    assert!(m.drift_screen.plan.is_none());
    let flash = &m.flash.as_ref().unwrap().text;
    assert!(flash.contains("need pruning"), "{flash}");
    assert!(flash.contains("one app at a time"), "{flash}");
}

#[test]
fn apps_needing_prune_are_marked_in_the_plan() {
    let mut m = four_apps();
    m.apps
        .get_mut(&key("c-dev"))
        .unwrap()
        .resources
        .push(crate::model::app::ResourceStatus {
            group: "apps".into(),
            kind: "Deployment".into(),
            namespace: "shop".into(),
            name: "old".into(),
            sync: SyncStatus::OutOfSync,
            health: None,
            health_message: String::new(),
            requires_pruning: true,
        });
    open_first_diff(&mut m);
    press(&mut m, KeyCode::Char('S'));
    let plan = m.drift_screen.plan.as_ref().unwrap();
    let marked: Vec<&str> = plan
        .apps()
        .filter(|a| a.needs_prune)
        .map(|a| a.key.name.as_str())
        .collect();
    assert_eq!(marked, ["c-dev"]);
}

/// Argo CD's times have no fractions: the canary's real sync may start in the second its dry
/// run did. It is still ours (found by the demo at `--demo-speed 30`, where the plan waited
/// for ever).
#[test]
fn a_real_sync_starting_in_the_dry_runs_second_is_still_seen() {
    let mut m = four_apps();
    open_first_diff(&mut m);
    press(&mut m, KeyCode::Char('S'));
    let canary = syncs(&through_dry_runs(&mut m));
    accepted(&mut m, canary[0].0, &canary[0].1, false);
    let name = canary[0].1.clone();
    // The dry runs were reported at minute 1; the real sync starts at minute 1 too.
    reported(
        &mut m,
        &name,
        false,
        OperationPhase::Succeeded,
        SyncStatus::Synced,
        HealthStatus::Healthy,
        1,
    );
    let wave = syncs(&tick(&mut m, 30));
    assert!(!wave.is_empty(), "{:?}", stage(&m));
}
