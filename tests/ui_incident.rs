//! The incident on screen: the declare form, the milestone picker, the Timeline's incident
//! header with ● recorded / ○ writing / ★ starred, and the journal-failure banner. Frozen time,
//! fixed sizes; the journal's answers are fed as messages, as its thread sends them.

mod common_ui;

use common_ui::*;
use crossterm::event::KeyCode;
use sitrep::incident::events;
use sitrep::incident::journal::Entry;
use sitrep::incident::state::{Declaration, IncidentMeta};
use sitrep::incident::worker::{JournalReport, JournalRequest};
use sitrep::model::Model;
use sitrep::model::incident::JournalHealth;
use sitrep::model::ui::Screen;
use sitrep::msg::Msg;

fn snap(name: &str, model: &Model, w: u16, h: u16) {
    insta::assert_snapshot!(name, render_text(model, w, h));
}

fn with_journal() -> Model {
    let mut m = model();
    m.settings.incidents_dir = Some("/nonexistent/incidents".into());
    m.incident.journal = JournalHealth::Ready;
    m
}

/// Declare through the keys, then answer as the journal thread would.
fn declared() -> Model {
    let mut m = with_journal();
    act(&mut m, sitrep::action::Action::Incident);
    let effects = press(&mut m, KeyCode::Enter);
    let Some(sitrep::effect::Effect::Journal(JournalRequest::Declare { declared, backfill })) =
        effects
            .into_iter()
            .find(|e| matches!(e, sitrep::effect::Effect::Journal(_)))
    else {
        panic!("Enter declares");
    };
    let mut declared = *declared;
    declared.incident_id = Some("INC-20261123-1".into());
    let mut entries = vec![Entry {
        seq: 1,
        prev: String::new(),
        event: declared.clone(),
    }];
    for (i, mut e) in backfill.into_iter().enumerate() {
        e.incident_id = Some("INC-20261123-1".into());
        entries.push(Entry {
            seq: i as u64 + 2,
            prev: String::new(),
            event: e,
        });
    }
    let meta = IncidentMeta::from_declaration(&declared).unwrap();
    send(
        &mut m,
        Msg::Journal(JournalReport::Opened {
            meta: Box::new(meta),
            entries,
            warnings: vec![],
            declared_here: true,
        }),
    );
    m
}

#[test]
fn declare_form_prefilled_from_the_selection() {
    let mut m = with_journal();
    act(&mut m, sitrep::action::Action::Incident);
    snap("declare_form_120x40", &m, 120, 40);
    let text = render_text(&m, 120, 40);
    assert!(text.contains("Declare an incident"));
    assert!(
        text.contains("[SEV2]"),
        "a critical top alert suggests SEV2"
    );
}

#[test]
fn timeline_with_an_open_incident() {
    let mut m = declared();
    // A note (being written), a milestone and a star.
    act(&mut m, sitrep::action::Action::Note);
    type_text(&mut m, "rolling back checkout");
    press(&mut m, KeyCode::Enter);
    act(&mut m, sitrep::action::Action::Milestone);
    press(&mut m, KeyCode::Char('2'));
    show(&mut m, Screen::Timeline);
    act(&mut m, sitrep::action::Action::Bottom);
    act(&mut m, sitrep::action::Action::Up);
    act(&mut m, sitrep::action::Action::Star);
    snap("timeline_incident_120x40", &m, 120, 40);
    let text = render_text(&m, 120, 40);
    assert!(text.contains("INC-20261123-1 SEV2 active"));
    assert!(text.contains("● "), "recorded events are marked");
    assert!(
        text.contains("○ "),
        "events not yet durable are marked as such"
    );
    assert!(text.contains("★ "));
    act(&mut m, sitrep::action::Action::Milestone);
    snap("milestone_picker_120x40", &m, 120, 40);
}

#[test]
fn a_failed_journal_is_loud_everywhere() {
    let mut m = declared();
    send(
        &mut m,
        Msg::Journal(JournalReport::Failed(
            "journal INC-20261123-1.jsonl failed and records nothing more: fsync: Input/output error"
                .into(),
        )),
    );
    act(&mut m, sitrep::action::Action::Note);
    type_text(&mut m, "after the failure");
    press(&mut m, KeyCode::Enter);
    show(&mut m, Screen::Timeline);
    snap("timeline_journal_failed_100x30", &m, 100, 30);
    let text = render_text(&m, 100, 30);
    assert!(text.contains("JOURNAL FAILED"));
    assert!(text.contains("NOT recorded"));
    assert!(text.contains("✗ after the failure"));
    let _ = events::note("", "", now());
    let _: Option<Declaration> = None;
}
