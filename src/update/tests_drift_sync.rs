//! A drift group's staged sync, wave by wave: the Effects each step sends (and does not
//! send) — not before the diff was opened, not in read-only, dry runs first, the canary alone,
//! the next wave only on Synced + Healthy + Succeeded, the first failure stops, `x` cancels,
//! production needs the count typed, a second `S` does nothing.

use super::tests_argo::press;
use super::tests_drift_screen::{
    SHA, accepted, drift_model, four_apps, open_first_diff, refused, reported, syncs,
    through_dry_runs,
};
use crate::model::app::{HealthStatus, OperationPhase, SyncStatus};
use crate::model::drift_sync::PlanStage;
use crate::model::popup::Popup;
use crate::model::timeline::EventKind;
use crossterm::event::KeyCode;

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

    // Synced, Healthy, Succeeded: the next wave (the other three).
    let effects = reported(
        &mut m,
        "b-dev",
        false,
        OperationPhase::Succeeded,
        SyncStatus::Synced,
        HealthStatus::Healthy,
        2,
    );
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
