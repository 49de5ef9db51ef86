//! What comes back from Argo CD: every attempt gets its outcome on the timeline, a dry run says
//! what would change, and auto-sync is turned off and on again with the settings it had.

use super::tests::t0;
use super::tests_argo::{checkout, key, press, source, world};
use super::update;
use crate::effect::Effect;
use crate::model::Model;
use crate::model::popup::Popup;
use crate::model::timeline::EventKind;
use crate::msg::{ArgocdPayload, EffectOutcome, Msg, SourcePayload, WatchChange};
use crossterm::event::KeyCode;

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
