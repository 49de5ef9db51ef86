//! Issue 7, "every word on the screen is true": each test here failed on the code before the
//! fix and stays as a regression test. Times in order and from the right source, selections
//! that follow their thing, filters that cancel and match what a person would call a match,
//! keys that do what their hint says.

use super::tests::{model, t0};
use super::update;
use crate::effect::Effect;
use crate::model::Model;
use crate::model::alert::{Alert, AlertState, Labels, fingerprint};
use crate::model::alerts_view::AlertsRow;
use crate::model::popup::{InspectTarget, Popup};
use crate::model::timeline::EventKind;
use crate::model::ui::{FlashLevel, Screen};
use crate::msg::{AlertsPayload, Msg, SourcePayload, SourceUpdate};
use chrono::{DateTime, Duration, Utc};
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};

pub(super) fn alert_at(
    name: &str,
    service: &str,
    severity: &str,
    source: &str,
    start: DateTime<Utc>,
) -> Alert {
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
        state: AlertState::Firing,
        starts_at: start,
        ends_at: None,
        generator_url: Some("http://prom.example/graph?g0.expr=up".into()),
        silenced_by: vec![],
        inhibited_by: vec![],
        muted_by: vec![],
        receivers: vec![],
        source: source.into(),
        also_from: vec![],
        digest: 0,
    }
}

pub(super) fn snap_at(source: &str, at: DateTime<Utc>, alerts: Vec<Alert>) -> Msg {
    Msg::Source(SourceUpdate {
        source: source.into(),
        at,
        payload: SourcePayload::Alerts(AlertsPayload {
            alerts,
            silences: Some(vec![]),
        }),
    })
}

pub(super) fn mins(n: i64) -> Duration {
    Duration::minutes(n)
}

pub(super) fn key(c: char) -> Msg {
    let mods = if c.is_ascii_uppercase() {
        KeyModifiers::SHIFT
    } else {
        KeyModifiers::NONE
    };
    Msg::Input(Event::Key(KeyEvent::new(KeyCode::Char(c), mods)))
}

pub(super) fn code(k: KeyCode) -> Msg {
    Msg::Input(Event::Key(KeyEvent::new(k, KeyModifiers::NONE)))
}

pub(super) fn typed(m: &mut Model, text: &str) {
    for c in text.chars() {
        update(m, key(c));
    }
}

fn firing_time(m: &Model, name: &str) -> DateTime<Utc> {
    m.timeline
        .iter()
        .find(|e| e.kind == EventKind::AlertFiring && e.summary.contains(name))
        .unwrap_or_else(|| panic!("no firing event for {name}: {:#?}", m.timeline))
        .occurred_at
}

fn assert_time_order(m: &Model) {
    let times: Vec<_> = m.timeline.iter().map(|e| e.occurred_at).collect();
    let mut sorted = times.clone();
    sorted.sort();
    assert_eq!(times, sorted, "timeline out of order");
}

/// Seen: `12:24:58, 10:50:58, 12:19:08, …` — each source's first answer back-filled the past
/// after what was already recorded.
#[test]
fn the_timeline_is_in_time_order_whatever_order_sources_answer_in() {
    let mut m = model();
    update(
        &mut m,
        snap_at(
            "prom",
            t0(),
            vec![alert_at(
                "A",
                "checkout",
                "critical",
                "prom",
                t0() - mins(5),
            )],
        ),
    );
    update(
        &mut m,
        snap_at(
            "am",
            t0(),
            vec![alert_at("B", "search", "warning", "am", t0() - mins(90))],
        ),
    );
    update(&mut m, key(':'));
    typed(&mut m, "note looking at checkout");
    update(&mut m, code(KeyCode::Enter));
    assert_eq!(m.timeline.len(), 3);
    assert_time_order(&m);
    assert!(m.timeline[0].summary.contains("B"));
    // The cursor follows the newest event, which is last.
    assert_eq!(m.timeline_cursor.selected, 2);
}

/// Seen: `HighErrorRate` stamped with Prometheus' time while the detail said Alertmanager's:
/// the time depended on which source answered first.
#[test]
fn alertmanagers_start_wins_whichever_source_answers_first() {
    let am_start = t0() - mins(5);
    // Prometheus' estimate (activeAt + for) can be an evaluation interval off.
    let prom_start = am_start - Duration::seconds(15);
    for prom_first in [true, false] {
        let mut m = model();
        let prom = snap_at(
            "prom",
            t0(),
            vec![alert_at(
                "HighErrorRate",
                "checkout",
                "critical",
                "prom",
                prom_start,
            )],
        );
        let am = snap_at(
            "am",
            t0(),
            vec![alert_at(
                "HighErrorRate",
                "checkout",
                "critical",
                "am",
                am_start,
            )],
        );
        if prom_first {
            update(&mut m, prom);
            update(&mut m, am);
        } else {
            update(&mut m, am);
            update(&mut m, prom);
        }
        assert_eq!(
            firing_time(&m, "HighErrorRate"),
            am_start,
            "prom first: {prom_first}"
        );
        assert_eq!(
            m.timeline
                .iter()
                .filter(|e| e.kind == EventKind::AlertFiring)
                .count(),
            1
        );
    }
}

/// A pending alert that fires is dated when it fired (its start), not when sitrep polled.
#[test]
fn pending_to_firing_is_dated_when_it_fired() {
    let mut m = model();
    let mut pending = alert_at("HighLatency", "checkout", "warning", "prom", t0() - mins(2));
    pending.state = AlertState::Pending;
    update(&mut m, snap_at("prom", t0(), vec![pending]));
    let fired_at = t0() + Duration::seconds(20);
    let firing = alert_at("HighLatency", "checkout", "warning", "prom", fired_at);
    update(&mut m, snap_at("prom", t0() + mins(1), vec![firing]));
    assert_eq!(firing_time(&m, "HighLatency"), fired_at);
}

/// Seen: expiring a silence moved the Alerts cursor to Watchdog; `S` on search-prod left it on
/// checkout-prod. The cursor follows the thing, not the row number.
#[test]
fn the_alerts_cursor_stays_on_its_alert_when_the_list_reorders() {
    let mut m = model();
    let warn = alert_at("DiskSpaceLow", "search", "warning", "am", t0() - mins(30));
    let info = alert_at("Watchdog", "monitoring", "info", "am", t0() - mins(600));
    update(
        &mut m,
        snap_at("am", t0(), vec![warn.clone(), info.clone()]),
    );
    update(&mut m, key('2'));
    let pos = |m: &Model, fp: &str| {
        m.alerts_view
            .rows
            .iter()
            .position(|r| matches!(r, AlertsRow::Alert(a) if a.fingerprint == fp))
    };
    m.alerts_cursor.selected = pos(&m, &warn.fingerprint).unwrap();
    // A critical alert arrives and sorts above everything.
    let crit = alert_at(
        "HighErrorRate",
        "checkout",
        "critical",
        "am",
        t0() - mins(1),
    );
    update(&mut m, snap_at("am", t0(), vec![crit, warn.clone(), info]));
    assert_eq!(Some(m.alerts_cursor.selected), pos(&m, &warn.fingerprint));
}

#[test]
fn the_triage_cursor_stays_on_its_service_and_detail_on_its_alert() {
    let mut m = model();
    let a = alert_at("DiskSpaceLow", "search", "warning", "am", t0() - mins(30));
    let b = alert_at("QueueSlow", "search", "warning", "am", t0() - mins(20));
    update(&mut m, snap_at("am", t0(), vec![a.clone(), b.clone()]));
    update(&mut m, code(KeyCode::Tab));
    update(&mut m, key('j'));
    let selected = |m: &Model| {
        let s = m.selected_service().unwrap();
        s.alerts[m.detail.selected].name().to_string()
    };
    let before = selected(&m);
    let crit = alert_at(
        "HighErrorRate",
        "checkout",
        "critical",
        "am",
        t0() - mins(1),
    );
    let crit2 = alert_at("Disk", "search", "critical", "am", t0() - mins(1));
    update(&mut m, snap_at("am", t0(), vec![crit, crit2, a, b]));
    assert_eq!(m.selected_service().unwrap().name, "search");
    assert_eq!(selected(&m), before);
}

/// Seen: Esc shown as `esc cancel` kept the filter; `/` again appended to the old text.
#[test]
fn esc_cancels_a_filter_edit_and_slash_again_replaces_the_text() {
    let mut m = model();
    update(
        &mut m,
        snap_at(
            "am",
            t0(),
            vec![
                alert_at(
                    "HighErrorRate",
                    "checkout",
                    "critical",
                    "am",
                    t0() - mins(5),
                ),
                alert_at("DiskSpaceLow", "search", "warning", "am", t0() - mins(30)),
            ],
        ),
    );
    update(&mut m, key('2'));
    update(&mut m, key('/'));
    typed(&mut m, "severity=critical");
    update(&mut m, code(KeyCode::Enter));
    assert_eq!(m.alerts_view.matched, 1);
    // Reopen: the text is there, selected; typing replaces it.
    update(&mut m, key('/'));
    typed(&mut m, "severity=warning");
    assert_eq!(m.prompt.as_ref().unwrap().text, "severity=warning");
    assert_eq!(m.alerts_view.matched, 1);
    // Esc puts back what was applied before this edit.
    update(&mut m, code(KeyCode::Esc));
    assert!(m.prompt.is_none());
    assert_eq!(m.filter(Screen::Alerts), "severity=critical");
    // → keeps the text for editing instead.
    update(&mut m, key('/'));
    update(&mut m, code(KeyCode::Right));
    typed(&mut m, " checkout");
    assert_eq!(
        m.prompt.as_ref().unwrap().text,
        "severity=critical checkout"
    );
}

/// Seen: a bad regex said "showing the last valid filter's results" over an empty list. Now
/// the bad token is named and ignored, and the rows are those of the rest of the filter.
#[test]
fn a_bad_matcher_is_ignored_and_named_and_the_rest_applies() {
    let mut m = model();
    update(
        &mut m,
        snap_at(
            "am",
            t0(),
            vec![
                alert_at(
                    "HighErrorRate",
                    "checkout",
                    "critical",
                    "am",
                    t0() - mins(5),
                ),
                alert_at("DiskSpaceLow", "search", "warning", "am", t0() - mins(30)),
            ],
        ),
    );
    update(&mut m, key('2'));
    update(&mut m, key('/'));
    typed(&mut m, "checkout severity=~(");
    let err = m.alerts_view.filter_error.clone().unwrap();
    assert!(err.contains("severity=~("), "{err}");
    assert_eq!(
        m.alerts_view.matched, 1,
        "the valid part (checkout) applies"
    );
}

/// Seen: help promised matchers on `/`, but on Triage `/severity=critical` matched nothing.
#[test]
fn matchers_filter_the_triage_by_the_services_alerts() {
    let mut m = model();
    update(
        &mut m,
        snap_at(
            "am",
            t0(),
            vec![
                alert_at(
                    "HighErrorRate",
                    "checkout",
                    "critical",
                    "am",
                    t0() - mins(5),
                ),
                alert_at("DiskSpaceLow", "search", "warning", "am", t0() - mins(30)),
            ],
        ),
    );
    update(&mut m, key('/'));
    typed(&mut m, "severity=critical");
    update(&mut m, code(KeyCode::Enter));
    let names: Vec<_> = m
        .visible_services()
        .iter()
        .map(|s| s.name.clone())
        .collect();
    assert_eq!(names, ["checkout"]);
    // Text matches alert names too.
    update(&mut m, key('/'));
    typed(&mut m, "disk");
    let names: Vec<_> = m
        .visible_services()
        .iter()
        .map(|s| s.name.clone())
        .collect();
    assert_eq!(names, ["search"]);
}

/// Seen: `sea` matched 6/6 alerts and `crashloop` matched Watchdog.
#[test]
fn text_filters_match_what_a_person_would_call_a_match() {
    let mut m = model();
    let mut watchdog = alert_at("Watchdog", "monitoring", "none", "am", t0() - mins(600));
    watchdog.annotations.insert(
        "summary".into(),
        "An alert that should always be firing to certify that Alertmanager is working properly."
            .into(),
    );
    update(
        &mut m,
        snap_at(
            "am",
            t0(),
            vec![
                watchdog,
                alert_at(
                    "KubePodCrashLooping",
                    "checkout",
                    "warning",
                    "am",
                    t0() - mins(4),
                ),
                alert_at(
                    "HighErrorRate",
                    "checkout",
                    "critical",
                    "am",
                    t0() - mins(5),
                ),
                alert_at("DiskSpaceLow", "search", "warning", "am", t0() - mins(30)),
            ],
        ),
    );
    update(&mut m, key('2'));
    let matched = |m: &mut Model, text: &str| {
        update(m, key('/'));
        update(m, code(KeyCode::Backspace));
        typed(m, text);
        update(m, code(KeyCode::Enter));
        m.alerts_view.matched
    };
    assert_eq!(matched(&mut m, "sea"), 1);
    assert_eq!(matched(&mut m, "crashloop"), 1);
    assert_eq!(matched(&mut m, "her"), 1);
    assert_eq!(matched(&mut m, "checkout"), 2);
}

/// Seen: Tab completed once and did not cycle; `:sort ` offered nothing.
#[test]
fn tab_cycles_through_completions_and_arguments_complete() {
    let mut m = model();
    update(&mut m, key(':'));
    typed(&mut m, "sort ");
    let p = m.prompt.as_ref().unwrap();
    assert_eq!(
        p.completions,
        ["sort health", "sort sync", "sort age", "sort name"]
    );
    update(&mut m, code(KeyCode::Tab));
    assert_eq!(m.prompt.as_ref().unwrap().text, "sort health");
    update(&mut m, code(KeyCode::Tab));
    assert_eq!(m.prompt.as_ref().unwrap().text, "sort sync");
    update(&mut m, code(KeyCode::BackTab));
    update(&mut m, code(KeyCode::BackTab));
    assert_eq!(m.prompt.as_ref().unwrap().text, "sort name");
}

/// Seen: `unknown command 'frobnicate'` still showing after a successful `:sort health`.
#[test]
fn a_new_action_replaces_the_last_message() {
    let mut m = model();
    update(&mut m, key(':'));
    typed(&mut m, "frobnicate");
    update(&mut m, code(KeyCode::Enter));
    assert_eq!(m.flash.as_ref().unwrap().level, FlashLevel::Error);
    update(&mut m, key(':'));
    typed(&mut m, "sort health");
    update(&mut m, code(KeyCode::Enter));
    assert!(m.flash.is_none(), "{:?}", m.flash);
    update(&mut m, key(':'));
    typed(&mut m, "frobnicate");
    update(&mut m, code(KeyCode::Enter));
    update(&mut m, key('j'));
    assert!(m.flash.is_none(), "{:?}", m.flash);
}

/// Seen: in Help, `G` and End closed it, and any other key closed it and was swallowed.
#[test]
fn help_scrolls_to_the_bottom_and_other_keys_do_their_job() {
    let mut m = model();
    m.size = (80, 20);
    update(&mut m, key('?'));
    update(&mut m, key('G'));
    match &m.popup {
        Some(Popup::Help { scroll }) => assert!(*scroll > 0),
        other => panic!("help closed: {other:?}"),
    }
    update(&mut m, code(KeyCode::End));
    assert!(matches!(m.popup, Some(Popup::Help { .. })));
    update(&mut m, key('2'));
    assert!(m.popup.is_none());
    assert_eq!(m.screen, Screen::Alerts, "the key was not swallowed");
    update(&mut m, key('?'));
    update(&mut m, code(KeyCode::Esc));
    assert!(m.popup.is_none());
    assert_eq!(m.screen, Screen::Alerts);
}

/// Seen: `r` said `runbook: high-error-rate.md (o opens it)` and `o` opened the Prometheus
/// graph. Now `r` says what the runbook is and `o` says what it opens.
#[test]
fn r_and_o_say_what_they_really_do() {
    let mut m = model();
    let mut a = alert_at(
        "HighErrorRate",
        "checkout",
        "critical",
        "am",
        t0() - mins(5),
    );
    a.annotations
        .insert("runbook_url".into(), "high-error-rate.md".into());
    update(&mut m, snap_at("am", t0(), vec![a]));
    update(&mut m, key('r'));
    let said = m.flash.as_ref().unwrap().text.clone();
    assert!(said.contains("high-error-rate.md"), "{said}");
    assert!(!said.contains("opens it"), "{said}");
    let effects = update(&mut m, key('o'));
    assert_eq!(
        effects,
        vec![Effect::OpenUrl(
            "http://prom.example/graph?g0.expr=up".into()
        )]
    );
    let said = &m.flash.as_ref().unwrap().text;
    assert!(said.contains("source graph"), "{said}");
}

/// Seen: Enter on a timeline row did nothing; long summaries could not be read anywhere.
#[test]
fn enter_on_a_timeline_event_opens_it_in_full() {
    let mut m = model();
    update(
        &mut m,
        snap_at(
            "am",
            t0(),
            vec![alert_at(
                "HighErrorRate",
                "checkout",
                "critical",
                "am",
                t0() - mins(5),
            )],
        ),
    );
    update(&mut m, key('6'));
    update(&mut m, code(KeyCode::Enter));
    let id = m.timeline[m.timeline_cursor.selected].id.clone();
    assert_eq!(
        m.popup.as_ref().map(|p| match p {
            Popup::Inspect(i) => i.target.clone(),
            _ => panic!("{p:?}"),
        }),
        Some(InspectTarget::Event(id))
    );
    update(&mut m, code(KeyCode::Esc));
    assert!(m.popup.is_none());
    assert_eq!(m.screen, Screen::Timeline);
}

#[test]
fn the_timeline_filter_keeps_its_cursor_as_events_arrive() {
    let mut m = model();
    update(
        &mut m,
        snap_at(
            "am",
            t0(),
            vec![
                alert_at(
                    "HighErrorRate",
                    "checkout",
                    "critical",
                    "am",
                    t0() - mins(50),
                ),
                alert_at("DiskSpaceLow", "search", "warning", "am", t0() - mins(40)),
                alert_at("QueueSlow", "checkout", "warning", "am", t0() - mins(30)),
            ],
        ),
    );
    update(&mut m, key('6'));
    update(&mut m, key('/'));
    typed(&mut m, "checkout");
    update(&mut m, code(KeyCode::Enter));
    assert_eq!(m.timeline_len(), 2);
    update(&mut m, key('g'));
    let first = m.timeline_row(0).unwrap().id.clone();
    // An older checkout event arrives: it sorts above; the cursor stays on its event.
    update(
        &mut m,
        snap_at(
            "prom",
            t0(),
            vec![alert_at(
                "Older",
                "checkout",
                "warning",
                "prom",
                t0() - mins(55),
            )],
        ),
    );
    assert_eq!(m.timeline_len(), 3);
    assert_eq!(
        m.timeline_row(m.timeline_cursor.selected).unwrap().id,
        first
    );
}
