//! Declaring and living an incident through `update`: the effects each key asks for, and
//! what the journal's answers do to the screen's state.

use super::tests::{model, t0};
use super::tests_truth::{alert_at, code, key, mins, snap_at, typed};
use super::update;
use crate::effect::Effect;
use crate::incident::worker::{JournalReport, JournalRequest};
use crate::model::Model;
use crate::model::incident::{JournalHealth, RecordState};
use crate::model::popup::Popup;
use crate::model::timeline::{EventKind, TimelineEvent};
use crate::msg::Msg;
use crossterm::event::KeyCode;

fn incident_model(dir: &std::path::Path) -> Model {
    let mut m = model();
    m.settings.incidents_dir = Some(dir.to_path_buf());
    m.incident.journal = JournalHealth::Ready;
    m
}

/// The journal requests among effects.
fn journal(effects: &[Effect]) -> Vec<&JournalRequest> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Journal(r) => Some(r),
            _ => None,
        })
        .collect()
}

fn appended(effects: &[Effect]) -> Vec<&TimelineEvent> {
    journal(effects)
        .into_iter()
        .flat_map(|r| match r {
            JournalRequest::Append(events) => events.iter().collect(),
            _ => Vec::new(),
        })
        .collect()
}

/// Run journal requests on a real journal thread over `dir`, feeding its reports back.
struct RealJournal {
    handle: crate::incident::worker::JournalHandle,
    rx: tokio::sync::mpsc::Receiver<Msg>,
}

impl RealJournal {
    fn start(dir: &std::path::Path) -> RealJournal {
        let (tx, rx) = tokio::sync::mpsc::channel(64);
        let store = crate::incident::FileStore::new(dir);
        let handle = crate::incident::worker::spawn(Box::new(store), tx);
        RealJournal { handle, rx }
    }

    /// Send every journal request of `effects` and apply the answers (one per request).
    fn run(&mut self, m: &mut Model, effects: Vec<Effect>) {
        for e in effects {
            if let Effect::Journal(r) = e {
                self.handle.send(r);
                let msg = self.rx.blocking_recv().expect("the journal answers");
                let more = update(m, msg);
                self.run(m, more);
            }
        }
    }
}

fn declared_model(dir: &std::path::Path) -> (Model, RealJournal) {
    let mut m = incident_model(dir);
    let mut j = RealJournal::start(dir);
    let old = alert_at(
        "HighErrorRate",
        "checkout",
        "critical",
        "am",
        t0() - mins(10),
    );
    let before = alert_at("DiskFull", "checkout", "warning", "am", t0() - mins(45));
    let other = alert_at("QueueLag", "billing", "warning", "am", t0() - mins(5));
    update(&mut m, snap_at("am", t0(), vec![old, before, other]));
    let effects = update(&mut m, key('i'));
    assert!(effects.is_empty());
    let Some(Popup::Declare(form)) = &m.popup else {
        panic!("i opens the declare form: {:?}", m.popup);
    };
    assert!(
        form.title.lines()[0].contains("HighErrorRate"),
        "{:?}",
        form.title.lines()
    );
    assert_eq!(form.services.lines()[0], "checkout");
    assert_eq!(form.commander.lines()[0], "alice");
    let effects = update(&mut m, code(KeyCode::Enter));
    let [JournalRequest::Declare { declared, backfill }] = journal(&effects)[..] else {
        panic!("Enter declares: {effects:?}");
    };
    assert_eq!(declared.kind, EventKind::IncidentDeclared);
    assert_eq!(
        declared.details["severity"], "SEV2",
        "critical top alert: SEV2"
    );
    // The 30-minute window about checkout: the critical alert, not the 45-minute-old one, not
    // billing's.
    let names: Vec<&str> = backfill.iter().map(|e| e.summary.as_str()).collect();
    assert_eq!(
        names,
        ["CRIT HighErrorRate on checkout firing"],
        "{names:?}"
    );
    j.run(&mut m, effects);
    (m, j)
}

#[test]
fn declaring_writes_the_declaration_and_the_window_then_records_what_concerns_it() {
    let dir = tempfile::tempdir().unwrap();
    let (mut m, mut j) = declared_model(dir.path());
    let meta = m.incident.active().expect("open");
    assert_eq!(meta.id, "INC-20261123-1");
    assert_eq!(meta.services, ["checkout"]);
    let fired = m
        .timeline
        .iter()
        .find(|e| e.summary.contains("HighErrorRate"))
        .unwrap();
    assert_eq!(m.incident.record_state(&fired.id), RecordState::Recorded);
    assert_eq!(fired.incident_id.as_deref(), Some("INC-20261123-1"));

    // A new alert on checkout is recorded; one on billing (warning) is not.
    let a = alert_at(
        "HighErrorRate",
        "checkout",
        "critical",
        "am",
        t0() - mins(10),
    );
    let b = alert_at("Latency", "checkout", "warning", "am", t0());
    let before = alert_at("DiskFull", "checkout", "warning", "am", t0() - mins(45));
    let c = alert_at("QueueLag", "billing", "warning", "am", t0() - mins(5));
    let d = alert_at("Other", "billing", "warning", "am", t0());
    let effects = update(&mut m, snap_at("am", t0(), vec![a, before, b, c, d]));
    let sent: Vec<&str> = appended(&effects)
        .iter()
        .map(|e| e.summary.as_str())
        .collect();
    assert_eq!(sent, ["WARN Latency on checkout firing"]);
    let latency = m
        .timeline
        .iter()
        .find(|e| e.summary.contains("Latency"))
        .unwrap();
    assert_eq!(m.incident.record_state(&latency.id), RecordState::Pending);
    let id = latency.id.clone();
    j.run(&mut m, effects);
    assert_eq!(m.incident.record_state(&id), RecordState::Recorded);

    // Declaring again while it is active says so and opens nothing.
    let effects = update(&mut m, key('i'));
    assert!(effects.is_empty() && m.popup.is_none());
    assert!(m.flash.as_ref().unwrap().text.contains("is active"));
}

#[test]
fn milestones_notes_stars_and_corrections_each_go_to_the_journal() {
    let dir = tempfile::tempdir().unwrap();
    let (mut m, mut j) = declared_model(dir.path());

    update(&mut m, key('m'));
    assert!(matches!(m.popup, Some(Popup::Milestone { cursor: 0 })));
    let effects = update(&mut m, key('4'));
    let sent = appended(&effects);
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].kind, EventKind::Milestone);
    assert_eq!(sent[0].details["milestone"], "mitigated");
    j.run(&mut m, effects);
    assert_eq!(
        m.incident.active().unwrap().status,
        crate::incident::state::Status::Mitigated
    );

    update(&mut m, key('n'));
    typed(&mut m, "rolled back to 0765b95");
    let effects = update(&mut m, code(KeyCode::Enter));
    assert_eq!(appended(&effects)[0].kind, EventKind::Note);
    j.run(&mut m, effects);

    // Star the declaration on the Timeline.
    update(&mut m, key('6'));
    let row = (0..m.timeline_len())
        .find(|i| m.timeline_row(*i).unwrap().kind == EventKind::IncidentDeclared)
        .unwrap();
    m.timeline_cursor.selected = row;
    let target = m.selected_event().unwrap().id.clone();
    let effects = update(&mut m, key('*'));
    let sent = appended(&effects);
    assert_eq!(sent[0].kind, EventKind::Starred);
    assert_eq!(sent[0].details["target"], target.as_str());
    assert!(m.incident.starred.contains(&target));
    j.run(&mut m, effects);

    // Correct the note's time: a bad line keeps the prompt with the reason.
    let row = (0..m.timeline_len())
        .find(|i| m.timeline_row(*i).unwrap().kind == EventKind::Note)
        .unwrap();
    m.timeline_cursor.selected = row;
    let note_id = m.selected_event().unwrap().id.clone();
    update(&mut m, key('E'));
    typed(&mut m, "soon");
    let effects = update(&mut m, code(KeyCode::Enter));
    assert!(effects.is_empty());
    assert!(
        m.prompt
            .as_ref()
            .unwrap()
            .error
            .as_ref()
            .unwrap()
            .contains("not a time")
    );
    update(&mut m, code(KeyCode::Esc));
    update(&mut m, key('E'));
    typed(&mut m, "03:05 the rollback started at 03:05 per the CI log");
    let effects = update(&mut m, code(KeyCode::Enter));
    let sent = appended(&effects);
    assert_eq!(sent[0].kind, EventKind::TimeCorrected);
    assert_eq!(sent[0].details["target"], note_id.as_str());
    j.run(&mut m, effects);
    let note = m.timeline.iter().find(|e| e.id == note_id).unwrap();
    assert_eq!(note.occurred_at, t0() - mins(7));

    // The journal has all of it, in time order, with the correction applied.
    let id = m.incident.active().unwrap().id.clone();
    use crate::incident::IncidentStore;
    let incident = crate::incident::FileStore::new(dir.path())
        .load(&id)
        .unwrap();
    assert!(incident.warnings.is_empty(), "{:?}", incident.warnings);
    let kinds: Vec<EventKind> = incident.events.iter().map(|e| e.kind).collect();
    assert!(kinds.contains(&EventKind::Starred) && kinds.contains(&EventKind::TimeCorrected));
    let note = incident.events.iter().find(|e| e.id == note_id).unwrap();
    assert_eq!(note.occurred_at, t0() - mins(7));
    assert!(
        incident
            .events
            .windows(2)
            .all(|w| w[0].occurred_at <= w[1].occurred_at)
    );
}

#[test]
fn a_failed_journal_says_so_notifies_and_stops_claiming_events_are_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let (mut m, _j) = declared_model(dir.path());
    let effects = update(
        &mut m,
        Msg::Journal(JournalReport::Failed("fsync: Input/output error".into())),
    );
    assert!(effects.iter().any(|e| matches!(e, Effect::Notify(_))));
    assert!(matches!(m.incident.journal, JournalHealth::Failed(_)));
    assert!(m.flash.as_ref().unwrap().text.contains("JOURNAL FAILED"));
    update(&mut m, key('n'));
    typed(&mut m, "after the failure");
    let effects = update(&mut m, code(KeyCode::Enter));
    assert!(
        journal(&effects).is_empty(),
        "never retried, nothing more sent"
    );
    let note = m
        .timeline
        .iter()
        .find(|e| e.summary == "after the failure")
        .unwrap();
    assert_eq!(m.incident.record_state(&note.id), RecordState::Lost);
}

#[test]
fn without_a_data_directory_incidents_say_why() {
    let mut m = model();
    assert_eq!(m.incident.journal, JournalHealth::Unavailable);
    let effects = update(&mut m, key('i'));
    assert!(effects.is_empty() && m.popup.is_none());
    assert!(m.flash.as_ref().unwrap().text.contains("data directory"));
    update(&mut m, key('m'));
    assert!(m.popup.is_none());
}

#[test]
fn a_note_from_another_process_shows_and_a_restart_resumes_without_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    let (m, _j) = declared_model(dir.path());
    let id = m.incident.active().unwrap().id.clone();
    let events_before = m.timeline.len();
    drop(m);
    // A second process adds a note.
    let mut cli = crate::incident::cli::IncidentCli {
        store: crate::incident::FileStore::new(dir.path()),
        author: "bob".into(),
    };
    let cmd = crate::cli::IncidentCommand::Note {
        id: "active".into(),
        text: vec!["bob".into(), "here".into()],
    };
    cli.run(&cmd, t0() + mins(1)).unwrap();
    cli = crate::incident::cli::IncidentCli {
        store: crate::incident::FileStore::new(dir.path()),
        author: "bob".into(),
    };
    drop(cli);
    // A restarted dashboard resumes it, then its sources report the same alert again.
    let mut m = incident_model(dir.path());
    let mut j = RealJournal::start(dir.path());
    let msg = j.rx.blocking_recv().unwrap();
    update(&mut m, msg);
    assert_eq!(m.incident.active().unwrap().id, id);
    assert!(m.timeline.iter().any(|e| e.summary == "bob here"));
    let old = alert_at(
        "HighErrorRate",
        "checkout",
        "critical",
        "am",
        t0() - mins(10),
    );
    let effects = update(&mut m, snap_at("am", t0() + mins(2), vec![old]));
    assert!(
        appended(&effects).is_empty(),
        "already in the journal: {effects:?}"
    );
    let firing = m
        .timeline
        .iter()
        .filter(|e| e.summary == "CRIT HighErrorRate on checkout firing")
        .count();
    assert_eq!(firing, 1);
    assert!(m.timeline.len() <= events_before + 1);
    j.run(&mut m, Vec::new());
}

#[test]
fn a_note_can_have_several_lines() {
    let mut m = model();
    update(&mut m, key('n'));
    typed(&mut m, "rolled back");
    update(
        &mut m,
        Msg::Input(crossterm::event::Event::Key(
            crossterm::event::KeyEvent::new(KeyCode::Enter, crossterm::event::KeyModifiers::ALT),
        )),
    );
    typed(&mut m, "error rate falling");
    update(&mut m, code(KeyCode::Enter));
    let note = m
        .timeline
        .iter()
        .find(|e| e.kind == EventKind::Note)
        .unwrap();
    assert_eq!(note.summary, "rolled back");
    assert_eq!(note.body, "rolled back\nerror rate falling");
}

/// Prometheus answered first and its estimate went into the journal; Alertmanager's start then
/// re-dates the event on screen, and the journal gets a correction, never a rewrite.
#[test]
fn a_retimed_alert_in_the_journal_is_corrected_there() {
    let dir = tempfile::tempdir().unwrap();
    let (mut m, mut j) = declared_model(dir.path());
    let am_start = t0() - mins(2);
    let prom_start = am_start - chrono::Duration::seconds(15);
    let prom = snap_at(
        "prom",
        t0(),
        vec![alert_at(
            "Saturation",
            "checkout",
            "critical",
            "prom",
            prom_start,
        )],
    );
    let effects = update(&mut m, prom);
    let fired = appended(&effects)
        .into_iter()
        .find(|e| e.kind == EventKind::AlertFiring)
        .expect("recorded")
        .clone();
    assert_eq!(fired.occurred_at, prom_start);
    j.run(&mut m, effects);
    let am = snap_at(
        "am",
        t0(),
        vec![
            alert_at(
                "HighErrorRate",
                "checkout",
                "critical",
                "am",
                t0() - mins(10),
            ),
            alert_at("DiskFull", "checkout", "warning", "am", t0() - mins(45)),
            alert_at("QueueLag", "billing", "warning", "am", t0() - mins(5)),
            alert_at("Saturation", "checkout", "critical", "am", am_start),
        ],
    );
    let effects = update(&mut m, am);
    let correction = appended(&effects)
        .into_iter()
        .find(|e| e.kind == EventKind::TimeCorrected)
        .expect("a correction is recorded");
    assert_eq!(correction.details["target"], fired.id.as_str());
    j.run(&mut m, effects);
    let id = m.incident.active().unwrap().id.clone();
    use crate::incident::IncidentStore;
    let incident = crate::incident::FileStore::new(dir.path())
        .load(&id)
        .unwrap();
    let e = incident.events.iter().find(|e| e.id == fired.id).unwrap();
    assert_eq!(e.occurred_at, am_start);
}

/// Sources can answer before the journal is reopened: what fired while sitrep was down is
/// recorded then, and what the journal already has is shown once.
#[test]
fn resumed_after_the_sources_answered_catches_up_without_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    let (m, _j) = declared_model(dir.path());
    drop(m);
    let mut m = incident_model(dir.path());
    m.event_ids = crate::model::timeline::EventIds::for_session(7);
    let old = alert_at(
        "HighErrorRate",
        "checkout",
        "critical",
        "am",
        t0() - mins(10),
    );
    let new = alert_at("Saturation", "checkout", "warning", "am", t0() + mins(1));
    update(&mut m, snap_at("am", t0() + mins(2), vec![old, new]));
    let mut j = RealJournal::start(dir.path());
    let msg = j.rx.blocking_recv().unwrap();
    let effects = update(&mut m, msg);
    let sent: Vec<&str> = appended(&effects)
        .iter()
        .map(|e| e.summary.as_str())
        .collect();
    assert_eq!(sent, ["WARN Saturation on checkout firing"]);
    let firing = m
        .timeline
        .iter()
        .filter(|e| e.summary == "CRIT HighErrorRate on checkout firing")
        .count();
    assert_eq!(firing, 1);
    j.run(&mut m, effects);
}

/// Events that arrive while the declaration is being written are recorded once it is open.
#[test]
fn events_during_the_declaration_are_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let mut m = incident_model(dir.path());
    let mut j = RealJournal::start(dir.path());
    let old = alert_at(
        "HighErrorRate",
        "checkout",
        "critical",
        "am",
        t0() - mins(10),
    );
    update(&mut m, snap_at("am", t0(), vec![old.clone()]));
    update(&mut m, key('i'));
    let declare = update(&mut m, code(KeyCode::Enter));
    // Before the journal answers, a new alert on checkout.
    let new = alert_at("Latency", "checkout", "warning", "am", t0());
    update(&mut m, snap_at("am", t0(), vec![old, new]));
    let [Effect::Journal(request)] = &declare[..] else {
        panic!("{declare:?}")
    };
    j.handle.send(request.clone());
    let opened = j.rx.blocking_recv().unwrap();
    let effects = update(&mut m, opened);
    let sent: Vec<&str> = appended(&effects)
        .iter()
        .map(|e| e.summary.as_str())
        .collect();
    assert_eq!(sent, ["WARN Latency on checkout firing"]);
    j.run(&mut m, effects);
}

/// Correcting (or starring) an event the incident had not recorded records it once.
#[test]
fn an_event_outside_the_incident_is_recorded_once_however_often_it_is_touched() {
    let dir = tempfile::tempdir().unwrap();
    let (mut m, mut j) = declared_model(dir.path());
    update(&mut m, key('6'));
    let row = (0..m.timeline_len())
        .find(|i| m.timeline_row(*i).unwrap().summary.contains("QueueLag"))
        .unwrap();
    m.timeline_cursor.selected = row;
    let id = m.selected_event().unwrap().id.clone();
    let mut copies = 0;
    for line in ["03:01 paged at 03:01", "03:02 no, 03:02"] {
        update(&mut m, key('E'));
        typed(&mut m, line);
        let effects = update(&mut m, code(KeyCode::Enter));
        copies += appended(&effects).iter().filter(|e| e.id == id).count();
        j.run(&mut m, effects);
        let row = (0..m.timeline_len())
            .find(|i| m.timeline_row(*i).unwrap().id == id)
            .unwrap();
        m.timeline_cursor.selected = row;
    }
    let effects = update(&mut m, key('*'));
    copies += appended(&effects).iter().filter(|e| e.id == id).count();
    j.run(&mut m, effects);
    assert_eq!(copies, 1);
    use crate::incident::IncidentStore;
    let incident = crate::incident::FileStore::new(dir.path())
        .load(&m.incident.active().unwrap().id)
        .unwrap();
    assert_eq!(incident.events.iter().filter(|e| e.id == id).count(), 1);
    let e = incident.events.iter().find(|e| e.id == id).unwrap();
    assert_eq!(e.occurred_at, t0() - mins(10));
}

/// Two alerts with one summary (two clusters) at one time stay two.
#[test]
fn same_summary_different_alerts_are_both_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let (mut m, mut j) = declared_model(dir.path());
    let mut eu = alert_at("Saturation", "checkout", "critical", "am", t0());
    eu.labels.insert("cluster".into(), "eu".into());
    eu.fingerprint = crate::model::alert::fingerprint(&eu.labels);
    let mut us = eu.clone();
    us.labels.insert("cluster".into(), "us".into());
    us.fingerprint = crate::model::alert::fingerprint(&us.labels);
    let effects = update(&mut m, snap_at("am", t0(), vec![eu, us]));
    let sat = appended(&effects)
        .iter()
        .filter(|e| e.summary.contains("Saturation") && e.kind == EventKind::AlertFiring)
        .count();
    assert_eq!(sat, 2);
    j.run(&mut m, effects);
}
