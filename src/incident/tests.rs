//! The journal and the fold: durability rules, integrity checks, two writers, resume.

use super::events;
use super::journal::{IncidentDir, parse_id};
use super::state::{Declaration, Incident, Milestone, Status};
use super::{FileStore, IncidentStore};
use crate::model::timeline::{EventKind, TimelineEvent};
use chrono::{DateTime, TimeZone, Utc};
use std::io::Write;

fn t(h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, 4, h, m, 0).unwrap()
}

fn decl() -> Declaration {
    Declaration {
        title: "checkout 5xx".to_string(),
        severity: "SEV2".to_string(),
        commander: "ana".to_string(),
        services: vec!["checkout".to_string()],
        backfill_minutes: 30,
    }
}

fn with_id(mut e: TimelineEvent, id: &str) -> TimelineEvent {
    e.id = id.to_string();
    e
}

fn declare(store: &mut FileStore) -> String {
    let d = with_id(events::declared(&decl(), "ana", t(12, 0)), "E1");
    let backfill = vec![with_id(events::note("before", "ana", t(11, 50)), "E0")];
    store.declare(d, backfill).unwrap();
    store.open_id().unwrap().to_string()
}

#[test]
fn declare_append_and_read_back_in_time_order() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = FileStore::new(dir.path());
    let id = declare(&mut store);
    assert_eq!(id, "INC-20261204-1");
    let appended = store
        .append(vec![
            with_id(
                events::milestone(Milestone::Mitigated, "ana", t(12, 30)),
                "E2",
            ),
            with_id(events::note("rolled back", "bob", t(12, 20)), "E3"),
        ])
        .unwrap();
    assert_eq!(appended.recorded.len(), 2);
    assert_eq!(appended.recorded[1].seq, 4);
    let incident = store.load(&id).unwrap();
    assert!(incident.warnings.is_empty(), "{:?}", incident.warnings);
    let ids: Vec<&str> = incident.events.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, ["E0", "E1", "E3", "E2"], "ordered by occurred_at");
    assert_eq!(incident.meta.status, Status::Mitigated);
    assert_eq!(incident.meta.milestones[&Milestone::Mitigated], t(12, 30));
    assert!(
        incident
            .events
            .iter()
            .all(|e| e.incident_id.as_deref() == Some(id.as_str()))
    );
}

#[test]
fn one_active_incident_per_directory_and_ids_count_per_day() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = FileStore::new(dir.path());
    let id = declare(&mut store);
    let again = store.declare(events::declared(&decl(), "bob", t(13, 0)), vec![]);
    let err = again.unwrap_err().to_string();
    assert!(err.contains(&id) && err.contains("still active"), "{err}");
    store
        .append(vec![events::milestone(
            Milestone::Resolved,
            "ana",
            t(13, 0),
        )])
        .unwrap();
    store
        .declare(events::declared(&decl(), "bob", t(14, 0)), vec![])
        .unwrap();
    assert_eq!(store.open_id(), Some("INC-20261204-2"));
    assert_eq!(store.list().unwrap().len(), 2, "resolved ones stay listed");
    assert_eq!(
        store.active_id().unwrap().as_deref(),
        Some("INC-20261204-2")
    );
    assert_eq!(parse_id("INC-20261204-12"), Some(("20261204".into(), 12)));
    assert_eq!(parse_id("INC-2026124-1"), None);
}

#[test]
fn a_torn_last_line_is_cut_off_on_open_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = FileStore::new(dir.path());
    let id = declare(&mut store);
    let path = store.dir.journal_path(&id);
    let whole = std::fs::metadata(&path).unwrap().len();
    std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .unwrap()
        .write_all(br#"{"seq":3,"prev":"ab","id":"E9","kind":"no"#)
        .unwrap();
    // Read-only readers skip it and say so.
    let read = store.load(&id).unwrap();
    assert_eq!(read.events.len(), 2);
    assert!(
        read.warnings[0].contains("incomplete"),
        "{:?}",
        read.warnings
    );
    // Resuming cuts it off, and appends continue the chain.
    let mut resumed = FileStore::new(dir.path());
    let loaded = resumed.resume().unwrap().unwrap();
    assert_eq!(loaded.entries.len(), 2);
    assert!(
        loaded.warnings[0].contains("cut off"),
        "{:?}",
        loaded.warnings
    );
    assert_eq!(std::fs::metadata(&path).unwrap().len(), whole);
    resumed
        .append(vec![events::note("after the crash", "ana", t(12, 5))])
        .unwrap();
    let after = resumed.load(&id).unwrap();
    assert!(after.warnings.is_empty(), "{:?}", after.warnings);
    assert_eq!(after.events.len(), 3);
}

#[test]
fn an_edited_or_missing_line_is_reported_not_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = FileStore::new(dir.path());
    let id = declare(&mut store);
    store
        .append(vec![
            events::note("one", "ana", t(12, 1)),
            events::note("two", "ana", t(12, 2)),
        ])
        .unwrap();
    let path = store.dir.journal_path(&id);
    let text = std::fs::read_to_string(&path).unwrap();
    // Edit the second line's summary.
    let edited = text.replacen("before", "BEFORE", 1);
    std::fs::write(&path, &edited).unwrap();
    let w = store.load(&id).unwrap().warnings;
    assert!(
        w.iter()
            .any(|w| w.contains("line 3") && w.contains("changed")),
        "{w:?}"
    );
    // Drop the third line.
    let lines: Vec<&str> = text.lines().collect();
    let dropped = format!("{}\n{}\n{}\n", lines[0], lines[1], lines[3]);
    std::fs::write(&path, dropped).unwrap();
    let incident = store.load(&id).unwrap();
    assert!(
        incident.warnings.iter().any(|w| w.contains("missing")),
        "{:?}",
        incident.warnings
    );
    assert_eq!(incident.events.len(), 3, "what is there is still read");
}

#[test]
fn two_writers_take_turns_and_see_each_other() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = FileStore::new(dir.path());
    let id = declare(&mut a);
    let mut b = FileStore::new(dir.path());
    b.resume().unwrap().unwrap();
    for i in 0..20 {
        let from_b = b
            .append(vec![events::note(&format!("b{i}"), "bob", t(12, 10))])
            .unwrap();
        if i > 0 {
            assert_eq!(from_b.others.entries.len(), 1, "b sees a's line first");
        }
        let polled = a.poll().unwrap();
        assert_eq!(polled.entries.len(), 1, "a sees b's line without writing");
        a.append(vec![events::note(&format!("a{i}"), "ana", t(12, 10))])
            .unwrap();
    }
    let incident = a.load(&id).unwrap();
    assert!(incident.warnings.is_empty(), "{:?}", incident.warnings);
    assert_eq!(incident.events.len(), 42);
}

#[test]
fn stars_and_corrections_apply_without_rewriting_history() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = FileStore::new(dir.path());
    let id = declare(&mut store);
    let note = with_id(events::note("db failover", "ana", t(12, 10)), "N1");
    let mile = with_id(
        events::milestone(Milestone::Mitigated, "ana", t(12, 40)),
        "M1",
    );
    store.append(vec![note.clone(), mile.clone()]).unwrap();
    store
        .append(vec![
            events::starred(&note, true, "ana", t(12, 41)),
            events::time_corrected(&mile, t(12, 35), "the graph shows 12:35", "bob", t(12, 42)),
        ])
        .unwrap();
    let incident = store.load(&id).unwrap();
    let n = incident.events.iter().find(|e| e.id == "N1").unwrap();
    assert!(n.highlight);
    let m = incident.events.iter().find(|e| e.id == "M1").unwrap();
    assert_eq!(m.occurred_at, t(12, 35));
    assert_eq!(m.details["corrections"][0]["by"], "bob");
    assert_eq!(incident.meta.milestones[&Milestone::Mitigated], t(12, 35));
    // The journal still holds the original time.
    let raw = std::fs::read_to_string(store.dir.journal_path(&id)).unwrap();
    assert!(raw.contains("2026-12-04T12:40:00Z"));
}

#[test]
fn out_of_order_milestones_are_warned_about() {
    let mut i = Incident::fold([
        with_id(events::declared(&decl(), "ana", t(12, 0)), "D"),
        events::milestone(Milestone::Mitigated, "ana", t(12, 10)),
        events::milestone(Milestone::Detected, "ana", t(12, 20)),
    ])
    .unwrap();
    assert_eq!(i.meta.order_warnings().len(), 1);
    i.apply(events::milestone(Milestone::Resolved, "ana", t(12, 30)));
    assert_eq!(i.meta.status, Status::Resolved);
    assert_eq!(i.meta.ended_at(), Some(t(12, 30)));
}

#[test]
fn hostile_journal_lines_never_panic() {
    let dir = tempfile::tempdir().unwrap();
    let d = IncidentDir::new(dir.path());
    d.ensure().unwrap();
    let path = d.journal_path("INC-20261204-1");
    let mut junk = vec![0xff, 0xfe, b'\n', b'{', b'\n'];
    junk.extend(std::iter::repeat_n(b'[', 100_000));
    junk.push(b'\n');
    junk.extend(b"\"just a string\"\n");
    std::fs::write(&path, junk).unwrap();
    let loaded = d.read("INC-20261204-1").unwrap();
    assert!(loaded.entries.is_empty());
    assert_eq!(loaded.warnings.len(), 4);
    let store = FileStore::new(dir.path());
    assert!(store.load("INC-20261204-1").is_err());
    assert!(store.list().unwrap().is_empty());
    let _ = EventKind::Note;
}

#[test]
fn correcting_a_superseded_milestone_leaves_the_one_that_stands() {
    let a = with_id(
        events::milestone(Milestone::Mitigated, "ana", t(10, 0)),
        "A",
    );
    let b = with_id(
        events::milestone(Milestone::Mitigated, "ana", t(10, 30)),
        "B",
    );
    let i = Incident::fold([
        with_id(events::declared(&decl(), "ana", t(9, 0)), "D"),
        a.clone(),
        b,
        events::time_corrected(&a, t(9, 55), "earlier", "bob", t(11, 0)),
    ])
    .unwrap();
    assert_eq!(i.meta.milestones[&Milestone::Mitigated], t(10, 30));
}

#[test]
fn a_hostile_declaration_neither_panics_nor_names_another_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = FileStore::new(dir.path());
    let mut d = decl();
    d.backfill_minutes = i64::MAX;
    store
        .declare(events::declared(&d, "ana", t(12, 0)), vec![])
        .unwrap();
    let id = store.open_id().unwrap().to_string();
    let path = store.dir.journal_path(&id);
    let text = std::fs::read_to_string(&path).unwrap().replace(
        &format!("\"incident_id\":\"{id}\""),
        "\"incident_id\":\"../../x\"",
    );
    std::fs::write(&path, text).unwrap();
    let i = store.load(&id).unwrap();
    assert_eq!(i.meta.id, id);
    assert!(
        i.warnings.iter().any(|w| w.contains("calls itself")),
        "{:?}",
        i.warnings
    );
    assert_eq!(i.meta.backfill_minutes, super::state::MAX_BACKFILL_MINUTES);
    assert_eq!(store.active_id().unwrap().as_deref(), Some(id.as_str()));
}

#[test]
fn a_journal_edited_with_escapes_is_shown_clean() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = FileStore::new(dir.path());
    let mut d = decl();
    d.title = "checkout \u{1b}]0;owned\u{7} 5xx \u{202e}".to_string();
    let mut note = events::note("fine", "ana", t(12, 5));
    note.summary = "\u{1b}[31mred\u{1b}[0m note".to_string();
    note.body = "line one\nline \u{1b}[2Jtwo".to_string();
    store
        .declare(events::declared(&d, "ana", t(12, 0)), vec![note])
        .unwrap();
    let id = store.open_id().unwrap().to_string();
    let i = store.load(&id).unwrap();
    assert_eq!(i.meta.title, "checkout  5xx ");
    let n = i.events.iter().find(|e| e.kind == EventKind::Note).unwrap();
    assert_eq!(n.summary, "red note");
    assert_eq!(n.body, "line one\nline two");
}
