//! `update` in isolation: messages in, model and effects out. No terminal, no network.

use super::update;
use crate::config::keymap::Keymap;
use crate::config::settings::Settings;
use crate::config::theme::Theme;
use crate::effect::Effect;
use crate::model::Model;
use crate::model::alert::{Alert, AlertState, Labels, fingerprint};
use crate::model::popup::{FormStage, Popup};
use crate::model::silence::{Matcher, Silence, SilenceState};
use crate::model::source::{SourceKind, SourceState, SourceStatus};
use crate::model::timeline::EventKind;
use crate::model::ui::Screen;
use crate::msg::{AlertsPayload, EffectOutcome, Msg, SourcePayload, SourceUpdate};
use chrono::{DateTime, TimeZone, Utc};
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};

pub(super) fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 23, 3, 12, 0).unwrap()
}

pub(super) fn model() -> Model {
    let settings = Settings {
        author: "alice".into(),
        ..Settings::default()
    };
    let theme = Theme::builtin("dark").unwrap();
    let mut m = Model::new(
        settings,
        Keymap::default(),
        theme.clone(),
        vec![theme],
        t0(),
    );
    m.sources.push(SourceStatus::new(
        "am",
        SourceKind::Alertmanager,
        "http://127.0.0.1:9093",
        "test",
    ));
    m.sources.push(SourceStatus::new(
        "prom",
        SourceKind::Prometheus,
        "http://127.0.0.1:9090",
        "test",
    ));
    m
}

fn alert(name: &str, service: &str, severity: &str, state: AlertState, mins_ago: i64) -> Alert {
    let mut labels = Labels::new();
    labels.insert("alertname".into(), name.into());
    labels.insert("service".into(), service.into());
    labels.insert("severity".into(), severity.into());
    let mut annotations = Labels::new();
    annotations.insert("summary".into(), format!("{name} on {service}"));
    Alert {
        fingerprint: fingerprint(&labels),
        labels,
        annotations,
        state,
        starts_at: t0() - chrono::Duration::minutes(mins_ago),
        ends_at: None,
        generator_url: Some("http://prom/graph".into()),
        silenced_by: vec![],
        inhibited_by: vec![],
        muted_by: vec![],
        receivers: vec![],
        source: "am".into(),
        also_from: vec![],
        digest: 0,
    }
}

fn answer(source: &str, alerts: Vec<Alert>) -> Msg {
    Msg::Source(SourceUpdate {
        source: source.into(),
        at: t0(),
        payload: SourcePayload::Alerts(AlertsPayload {
            alerts,
            silences: Some(vec![]),
        }),
    })
}

fn key(c: char) -> Msg {
    let mods = if c.is_ascii_uppercase() {
        KeyModifiers::SHIFT
    } else {
        KeyModifiers::NONE
    };
    Msg::Input(Event::Key(KeyEvent::new(KeyCode::Char(c), mods)))
}

fn code(k: KeyCode) -> Msg {
    Msg::Input(Event::Key(KeyEvent::new(k, KeyModifiers::NONE)))
}

fn incident() -> Vec<Alert> {
    vec![
        alert("Watchdog", "monitoring", "none", AlertState::Firing, 600),
        alert(
            "KubePodCrashLooping",
            "checkout",
            "warning",
            AlertState::Firing,
            4,
        ),
        alert(
            "HighErrorRate",
            "checkout",
            "critical",
            AlertState::Firing,
            5,
        ),
        alert("DiskSpaceLow", "search", "warning", AlertState::Firing, 30),
    ]
}

#[test]
fn services_rank_critical_first() {
    let mut m = model();
    update(&mut m, answer("am", incident()));
    let names: Vec<_> = m.services.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["checkout", "search", "monitoring"]);
    assert_eq!(m.services[0].firing, 2);
    assert_eq!(m.source("am").unwrap().state, SourceState::Ok);
}

#[test]
fn first_answer_records_firing_alerts_at_their_start() {
    let mut m = model();
    update(&mut m, answer("am", incident()));
    let firing: Vec<_> = m
        .timeline
        .iter()
        .filter(|e| e.kind == EventKind::AlertFiring)
        .collect();
    assert_eq!(firing.len(), 4);
    let her = firing
        .iter()
        .find(|e| e.summary.contains("HighErrorRate"))
        .unwrap();
    assert_eq!(her.occurred_at, t0() - chrono::Duration::minutes(5));
    assert!(her.highlight);
    assert_eq!(her.refs.service.as_deref(), Some("checkout"));
}

#[test]
fn resolved_and_source_failure_are_events_once() {
    let mut m = model();
    update(&mut m, answer("am", incident()));
    let err = |text: &str| {
        Msg::Source(SourceUpdate {
            source: "am".into(),
            at: t0(),
            payload: SourcePayload::Error(text.into()),
        })
    };
    update(&mut m, err("timeout"));
    update(&mut m, err("timeout"));
    // A failing source keeps its alerts: nothing resolved.
    assert_eq!(m.alerts.len(), 4);
    assert_eq!(
        m.timeline
            .iter()
            .filter(|e| e.kind == EventKind::SourceStatus)
            .count(),
        1
    );
    assert_eq!(m.source("am").unwrap().consecutive_failures, 2);
    update(&mut m, answer("am", incident()[..3].to_vec()));
    assert_eq!(
        m.timeline
            .iter()
            .filter(|e| e.kind == EventKind::AlertResolved)
            .count(),
        1
    );
    assert_eq!(
        m.timeline
            .iter()
            .filter(|e| e.kind == EventKind::SourceStatus)
            .count(),
        2
    );
}

#[test]
fn prometheus_and_alertmanager_copies_merge() {
    let mut m = model();
    update(&mut m, answer("am", incident()));
    let mut p = alert(
        "HighErrorRate",
        "checkout",
        "critical",
        AlertState::Firing,
        5,
    );
    p.source = "prom".into();
    let mut pending = alert("HighLatency", "checkout", "warning", AlertState::Pending, 1);
    pending.source = "prom".into();
    update(&mut m, answer("prom", vec![p, pending]));
    assert_eq!(m.alerts.len(), 5);
    let her = m
        .alerts
        .iter()
        .find(|a| a.name() == "HighErrorRate")
        .unwrap();
    assert_eq!(her.source, "am");
    assert_eq!(her.also_from, vec!["prom".to_string()]);
    assert_eq!(m.services[0].pending, 1);
}

#[test]
fn navigation_moves_and_screens_switch() {
    let mut m = model();
    update(&mut m, answer("am", incident()));
    update(&mut m, key('j'));
    assert_eq!(m.triage.selected, 1);
    update(&mut m, key('G'));
    assert_eq!(m.triage.selected, 2);
    update(&mut m, key('g'));
    assert_eq!(m.triage.selected, 0);
    update(&mut m, key('2'));
    assert_eq!(m.screen, Screen::Alerts);
    update(&mut m, code(KeyCode::Esc));
    assert_eq!(m.screen, Screen::Triage);
    assert_eq!(update(&mut m, key('q')), vec![Effect::Quit]);
    assert!(m.quit);
}

#[test]
fn filter_applies_live_and_esc_clears_it() {
    let mut m = model();
    update(&mut m, answer("am", incident()));
    update(&mut m, key('2'));
    update(&mut m, key('/'));
    for c in "severity=critical".chars() {
        update(&mut m, key(c));
    }
    assert_eq!(m.alerts_view.matched, 1);
    update(&mut m, code(KeyCode::Enter));
    assert!(m.prompt.is_none());
    assert_eq!(m.filter(Screen::Alerts), "severity=critical");
    update(&mut m, code(KeyCode::Esc));
    assert_eq!(m.filter(Screen::Alerts), "");
    assert_eq!(m.alerts_view.matched, 4);
}

#[test]
fn bad_matcher_in_filter_is_reported_not_applied() {
    let mut m = model();
    update(&mut m, answer("am", incident()));
    update(&mut m, key('2'));
    update(&mut m, key('/'));
    for c in "severity=~(".chars() {
        update(&mut m, key(c));
    }
    assert!(
        m.alerts_view
            .filter_error
            .as_ref()
            .unwrap()
            .contains("regex")
    );
}

fn silence_flow_to_confirm(m: &mut Model) {
    update(m, answer("am", incident()));
    update(m, code(KeyCode::Tab)); // detail pane: checkout's alerts
    update(m, key('s'));
    assert!(matches!(m.popup, Some(Popup::Silence(_))));
    // Enter without a comment: refused with a reason.
    update(m, code(KeyCode::Enter));
    let Some(Popup::Silence(form)) = &m.popup else {
        panic!()
    };
    assert_eq!(form.stage, FormStage::Edit);
    assert!(form.problem.as_ref().unwrap().contains("comment"));
    for c in "rolling back".chars() {
        update(m, key(c));
    }
    update(m, code(KeyCode::Enter));
}

#[test]
fn silence_needs_confirmation_and_is_sent_once() {
    let mut m = model();
    silence_flow_to_confirm(&mut m);
    let Some(Popup::Silence(form)) = &m.popup else {
        panic!()
    };
    assert_eq!(form.stage, FormStage::Confirm);
    assert_eq!(form.affected, 1);
    let effects = update(&mut m, key('y'));
    let [
        Effect::CreateSilence {
            request_id,
            source,
            silence,
        },
    ] = effects.as_slice()
    else {
        panic!("{effects:?}")
    };
    assert_eq!(source, "am");
    assert_eq!(silence.comment, "rolling back");
    assert_eq!(silence.created_by, "alice");
    assert_eq!(
        silence.ends_at - silence.starts_at,
        chrono::Duration::hours(2)
    );
    assert!(
        silence
            .matchers
            .contains(&Matcher::equal("alertname", "HighErrorRate"))
    );
    // A second press while in flight does nothing.
    assert!(update(&mut m, key('y')).is_empty());
    assert!(
        m.timeline
            .iter()
            .any(|e| e.kind == EventKind::ActionAttempted)
    );
    let effects = update(
        &mut m,
        Msg::Done(EffectOutcome::SilenceCreated {
            request_id: *request_id,
            source: "am".into(),
            silence_id: "abc".into(),
        }),
    );
    assert_eq!(
        effects,
        vec![Effect::Refresh {
            source: "am".into()
        }]
    );
    assert!(m.popup.is_none());
    assert!(m.in_flight.is_empty());
    assert!(
        m.timeline
            .iter()
            .any(|e| e.kind == EventKind::ActionSucceeded && e.summary.contains("abc"))
    );
}

#[test]
fn failed_silence_is_not_retried_and_keeps_the_servers_words() {
    let mut m = model();
    silence_flow_to_confirm(&mut m);
    let effects = update(&mut m, key('y'));
    let [Effect::CreateSilence { request_id, .. }] = effects.as_slice() else {
        panic!()
    };
    let effects = update(
        &mut m,
        Msg::Done(EffectOutcome::MutationFailed {
            request_id: *request_id,
            source: "am".into(),
            error: "silence invalid: end time must not be in the past".into(),
            autosync_before: None,
        }),
    );
    assert!(effects.is_empty());
    let Some(Popup::Silence(form)) = &m.popup else {
        panic!()
    };
    assert_eq!(form.stage, FormStage::Edit);
    assert!(
        form.problem
            .as_ref()
            .unwrap()
            .contains("end time must not be in the past")
    );
    let failed = m
        .timeline
        .iter()
        .find(|e| e.kind == EventKind::ActionFailed)
        .unwrap();
    assert!(failed.summary.contains("end time must not be in the past"));
}

#[test]
fn silenced_alert_offers_expiry() {
    let mut m = model();
    let mut a = alert(
        "InventoryLag",
        "inventory",
        "warning",
        AlertState::Silenced,
        20,
    );
    a.silenced_by = vec!["s1".into()];
    let silence = Silence {
        id: "s1".into(),
        source: "am".into(),
        matchers: vec![Matcher::equal("service", "inventory")],
        starts_at: t0(),
        ends_at: t0() + chrono::Duration::hours(1),
        created_by: "bob".into(),
        comment: "known".into(),
        state: SilenceState::Active,
    };
    update(
        &mut m,
        Msg::Source(SourceUpdate {
            source: "am".into(),
            at: t0(),
            payload: SourcePayload::Alerts(AlertsPayload {
                alerts: vec![a],
                silences: Some(vec![silence]),
            }),
        }),
    );
    update(&mut m, key('s'));
    assert!(matches!(m.popup, Some(Popup::Expire(_))));
    let effects = update(&mut m, key('y'));
    assert!(
        matches!(effects.as_slice(), [Effect::ExpireSilence { silence_id, .. }] if silence_id == "s1")
    );
}

#[test]
fn read_only_removes_silences() {
    let mut m = model();
    m.settings.read_only = true;
    update(&mut m, answer("am", incident()));
    assert!(update(&mut m, key('s')).is_empty());
    assert!(m.popup.is_none());
    assert!(m.flash.as_ref().unwrap().text.contains("read-only"));
}

#[test]
fn command_palette_switches_theme_and_completes() {
    let mut m = model();
    m.themes.push(Theme::builtin("light").unwrap());
    update(&mut m, key(':'));
    for c in "th".chars() {
        update(&mut m, key(c));
    }
    assert_eq!(
        m.prompt.as_ref().unwrap().completions,
        vec!["theme ".to_string()]
    );
    update(&mut m, code(KeyCode::Tab));
    for c in "light".chars() {
        update(&mut m, key(c));
    }
    update(&mut m, code(KeyCode::Enter));
    assert_eq!(m.theme.name, "light");
}

#[test]
fn note_lands_on_the_timeline() {
    let mut m = model();
    update(&mut m, key('n'));
    for c in "paged payments".chars() {
        update(&mut m, key(c));
    }
    update(&mut m, code(KeyCode::Enter));
    let note = m.timeline.last().unwrap();
    assert_eq!(note.kind, EventKind::Note);
    assert_eq!(note.actor, "alice");
    assert_eq!(note.summary, "paged payments");
}

#[test]
fn twenty_thousand_alerts_do_not_flood_the_timeline() {
    let mut m = model();
    let alerts: Vec<Alert> = (0..20_000)
        .map(|i| {
            alert(
                &format!("A{i}"),
                &format!("svc{}", i % 1000),
                "warning",
                AlertState::Firing,
                3,
            )
        })
        .collect();
    update(&mut m, answer("am", alerts));
    assert_eq!(m.services.len(), 1000);
    assert!(m.timeline.len() <= super::events::INITIAL_EVENTS_CAP + 1);
}

#[test]
fn an_old_silence_is_dated_by_the_silence_not_by_when_we_learnt_of_it() {
    let mut m = model();
    let mut from_prom = alert(
        "KubeHpaMaxedOut",
        "inventory",
        "warning",
        AlertState::Firing,
        90,
    );
    from_prom.source = "prom".into();
    update(&mut m, answer("prom", vec![from_prom]));
    let mut a = alert(
        "KubeHpaMaxedOut",
        "inventory",
        "warning",
        AlertState::Silenced,
        90,
    );
    a.silenced_by = vec!["s1".into()];
    let silence = Silence {
        id: "s1".into(),
        source: "am".into(),
        matchers: vec![Matcher::equal("service", "inventory")],
        starts_at: t0() - chrono::Duration::minutes(85),
        ends_at: t0() + chrono::Duration::hours(1),
        created_by: "alice".into(),
        comment: "INFRA-2291".into(),
        state: SilenceState::Active,
    };
    update(
        &mut m,
        Msg::Source(SourceUpdate {
            source: "am".into(),
            at: t0(),
            payload: SourcePayload::Alerts(AlertsPayload {
                alerts: vec![a],
                silences: Some(vec![silence]),
            }),
        }),
    );
    let silenced: Vec<_> = m
        .timeline
        .iter()
        .filter(|e| e.kind == EventKind::AlertSilenced)
        .collect();
    assert_eq!(silenced.len(), 1);
    assert_eq!(
        silenced[0].occurred_at,
        t0() - chrono::Duration::minutes(85)
    );
    assert_eq!(silenced[0].actor, "alice");
    assert!(silenced[0].summary.contains("INFRA-2291"));
}
