//! The runbook pane beside the triage view: steps with their state, the variables and where
//! they came from, a refused variable, a command's confirmation. Frozen time, fixed sizes.

mod common_ui;

use common_ui::*;
use crossterm::event::KeyCode;
use sitrep::model::Model;

fn snap(name: &str, model: &Model, w: u16, h: u16) {
    insta::assert_snapshot!(name, render_text(model, w, h));
}

fn with_pane() -> Model {
    let mut m = model();
    m.runbooks = sitrep::runbook::matching::load_library(&["runbooks".into()]);
    act(&mut m, sitrep::action::Action::Runbook);
    assert!(m.runbook_pane.is_some(), "r opens checkout's runbook");
    m
}

#[test]
fn runbook_pane_beside_the_triage() {
    let m = with_pane();
    snap("runbook_pane_120x40", &m, 120, 40);
    let text = render_text(&m, 120, 40);
    assert!(text.contains("Runbook: High error rate"));
    assert!(text.contains("Services"), "the triage stays in view");
    assert!(text.contains("label service of HighErrorRate"));
    snap("runbook_pane_80x24", &m, 80, 24);
}

#[test]
fn an_action_shows_exactly_what_will_run() {
    let mut m = with_pane();
    let pane = m.runbook_pane.as_mut().unwrap();
    let i = pane
        .actionable()
        .iter()
        .position(|(k, _)| *k == "rollback")
        .unwrap();
    pane.cursor = i;
    press(&mut m, KeyCode::Enter);
    snap("runbook_confirm_120x40", &m, 120, 40);
    let text = render_text(&m, 120, 40);
    assert!(text.contains("This will run, exactly"));
}
