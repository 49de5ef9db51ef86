//! The runbook pane through `update`: what `r`, Enter, space, `s`, `x` and `y` ask for, how
//! variables are taken from labels (and refused when hostile), and what lands on the timeline.

use super::tests::{model, t0};
use super::tests_truth::{alert_at, code, key, mins, snap_at, typed};
use super::update;
use crate::effect::Effect;
use crate::exec::command::{CommandResult, CommandSpec};
use crate::model::Model;
use crate::model::runbook_pane::ItemState;
use crate::model::timeline::EventKind;
use crate::msg::{EffectOutcome, Msg};
use crossterm::event::KeyCode;
use std::time::Duration;

fn with_runbooks(labels: &[(&str, &str)]) -> Model {
    let mut m = model();
    m.runbooks = crate::runbook::matching::load_library(&["runbooks".into()]);
    assert!(!m.runbooks.is_empty(), "the shipped runbooks load");
    let mut a = alert_at(
        "HighErrorRate",
        "checkout",
        "critical",
        "am",
        t0() - mins(5),
    );
    for (k, v) in labels {
        a.labels.insert(k.to_string(), v.to_string());
    }
    a.annotations
        .insert("runbook_url".into(), "high-error-rate.md".into());
    update(&mut m, snap_at("am", t0(), vec![a]));
    m
}

fn run_spec(effects: &[Effect]) -> Option<&CommandSpec> {
    effects.iter().find_map(|e| match e {
        Effect::RunCommand(s) => Some(s),
        _ => None,
    })
}

/// Move the cursor to the command named `name`.
fn select(m: &mut Model, name: &str) {
    let pane = m.runbook_pane.as_mut().unwrap();
    let i = pane
        .actionable()
        .iter()
        .position(|(k, _)| *k == name)
        .unwrap_or_else(|| panic!("no item {name}"));
    pane.cursor = i;
}

fn finished(spec: &CommandSpec, exit: i32, output: &str) -> Msg {
    Msg::Done(EffectOutcome::CommandFinished(Box::new(CommandResult {
        request_id: spec.request_id,
        key: spec.key.clone(),
        exit_code: Some(exit),
        signal: None,
        timed_out: false,
        cancelled: false,
        output: output.to_string(),
        dropped_bytes: 0,
        duration: Duration::from_millis(120),
        spawn_error: None,
    })))
}

#[test]
fn r_opens_the_matched_runbook_and_enter_runs_the_text_unchanged_with_values_in_the_env() {
    let mut m = with_runbooks(&[("namespace", "shop")]);
    update(&mut m, key('r'));
    let pane = m.runbook_pane.as_ref().expect("r opens the pane");
    assert_eq!(pane.book.title, "High error rate");
    assert!(pane.why.contains("runbook_url"));
    select(&mut m, "pods");
    let effects = update(&mut m, code(KeyCode::Enter));
    let spec = run_spec(&effects).expect("a diagnose step runs at once");
    let cmd = m
        .runbook_pane
        .as_ref()
        .unwrap()
        .command("pods")
        .unwrap()
        .clone();
    assert_eq!(spec.text, cmd.text, "the block's text, unchanged");
    assert!(spec.env.contains(&("NAMESPACE".into(), "shop".into())));
    assert!(spec.env.contains(&("SERVICE".into(), "checkout".into())));
    assert!(
        !spec.text.contains("shop"),
        "values never spliced into the text"
    );
    assert_eq!(
        m.runbook_pane.as_ref().unwrap().state("pods"),
        ItemState::Running(spec.request_id)
    );
    // Finished: done, and on the timeline with its variables and exit.
    let spec = spec.clone();
    update(&mut m, finished(&spec, 0, "pod/checkout-1 Running"));
    assert_eq!(
        m.runbook_pane.as_ref().unwrap().state("pods"),
        ItemState::Done
    );
    let run = m
        .timeline
        .iter()
        .find(|e| e.kind == EventKind::RunbookCommandRun)
        .unwrap();
    assert_eq!(run.details["vars"]["NAMESPACE"], "shop");
    assert_eq!(run.details["exit_code"], 0);
    assert!(run.body.contains("checkout-1"));
    assert!(
        m.timeline
            .iter()
            .any(|e| e.kind == EventKind::RunbookStepDone)
    );
}

#[test]
fn a_hostile_label_refuses_the_step_and_says_which_label_of_which_alert() {
    for hostile in [
        "shop;touch /tmp/pwned",
        "$(touch /tmp/x)",
        "`id`",
        "a\nb",
        "'\"",
    ] {
        let mut m = with_runbooks(&[("namespace", hostile)]);
        update(&mut m, key('r'));
        select(&mut m, "pods");
        let effects = update(&mut m, code(KeyCode::Enter));
        assert!(run_spec(&effects).is_none(), "{hostile:?} must not run");
        let text = &m.flash.as_ref().unwrap().text;
        assert!(
            text.contains("NAMESPACE") && text.contains("label namespace of HighErrorRate"),
            "{text}"
        );
    }
}

#[test]
fn an_action_needs_y_and_read_only_refuses_it() {
    let mut m = with_runbooks(&[("namespace", "shop")]);
    update(&mut m, key('r'));
    select(&mut m, "rollback");
    let effects = update(&mut m, code(KeyCode::Enter));
    assert!(run_spec(&effects).is_none(), "shown first, not run");
    assert!(m.runbook_pane.as_ref().unwrap().pending.is_some());
    let effects = update(&mut m, key('y'));
    assert!(run_spec(&effects).is_some(), "y runs it");

    let mut m = with_runbooks(&[("namespace", "shop")]);
    m.settings.read_only = true;
    update(&mut m, key('r'));
    select(&mut m, "rollback");
    let effects = update(&mut m, code(KeyCode::Enter));
    assert!(run_spec(&effects).is_none());
    assert!(m.flash.as_ref().unwrap().text.contains("read-only"));
}

#[test]
fn a_production_service_needs_its_name_typed() {
    let mut m = with_runbooks(&[("namespace", "shop")]);
    m.settings.production_pattern = "checkout".into();
    update(&mut m, key('r'));
    select(&mut m, "rollback");
    update(&mut m, code(KeyCode::Enter));
    let effects = update(&mut m, key('y'));
    assert!(
        run_spec(&effects).is_none(),
        "y is not enough for production"
    );
    update(&mut m, code(KeyCode::Backspace));
    typed(&mut m, "checkout");
    let effects = update(&mut m, code(KeyCode::Enter));
    assert!(run_spec(&effects).is_some());
}

#[test]
fn checks_pass_on_their_expectation_tasks_tick_steps_skip_with_a_reason() {
    let mut m = with_runbooks(&[("namespace", "shop")]);
    update(&mut m, key('r'));
    select(&mut m, "error-rate");
    let effects = update(&mut m, code(KeyCode::Enter));
    let spec = run_spec(&effects).unwrap().clone();
    update(
        &mut m,
        finished(
            &spec,
            0,
            r#"{"status":"success","data":{"result":[{"v":1}]}}"#,
        ),
    );
    assert!(matches!(
        m.runbook_pane.as_ref().unwrap().state("error-rate"),
        ItemState::Failed(_)
    ));
    assert!(
        m.timeline
            .iter()
            .any(|e| e.kind == EventKind::RunbookCheckFailed)
    );
    let effects = update(&mut m, code(KeyCode::Enter));
    let spec = run_spec(&effects).unwrap().clone();
    update(
        &mut m,
        finished(&spec, 0, r#"{"status":"success","data":{"result":[]}}"#),
    );
    assert_eq!(
        m.runbook_pane.as_ref().unwrap().state("error-rate"),
        ItemState::Passed
    );
    assert!(
        m.timeline
            .iter()
            .any(|e| e.kind == EventKind::RunbookCheckPassed)
    );

    // A task ticks with space; a step skips with a reason.
    let task = {
        let pane = m.runbook_pane.as_ref().unwrap();
        pane.actionable()
            .iter()
            .position(|(_, b)| matches!(b, crate::runbook::ItemBody::Task { .. }))
            .unwrap()
    };
    m.runbook_pane.as_mut().unwrap().cursor = task;
    update(&mut m, key(' '));
    assert!(
        m.timeline
            .iter()
            .any(|e| e.kind == EventKind::RunbookStepDone)
    );
    select(&mut m, "logs");
    update(&mut m, key('s'));
    update(&mut m, code(KeyCode::Enter));
    assert!(
        m.prompt.as_ref().unwrap().error.is_some(),
        "a reason is required"
    );
    typed(&mut m, "no kubectl access from here");
    update(&mut m, code(KeyCode::Enter));
    assert!(matches!(
        m.runbook_pane.as_ref().unwrap().state("logs"),
        ItemState::Skipped(_)
    ));
    let skipped = m
        .timeline
        .iter()
        .find(|e| e.kind == EventKind::RunbookStepSkipped)
        .unwrap();
    assert_eq!(skipped.body, "no kubectl access from here");
}

#[test]
fn x_cancels_the_running_command_and_reopening_restores_step_state() {
    let mut m = with_runbooks(&[("namespace", "shop")]);
    update(&mut m, key('r'));
    select(&mut m, "error-ratio");
    let effects = update(&mut m, code(KeyCode::Enter));
    let spec = run_spec(&effects).unwrap().clone();
    let effects = update(&mut m, key('x'));
    assert_eq!(
        effects,
        vec![Effect::CancelCommand {
            request_id: spec.request_id
        }]
    );
    update(&mut m, finished(&spec, 0, "ok"));
    update(&mut m, code(KeyCode::Esc));
    assert!(m.runbook_pane.is_none());
    update(&mut m, key('r'));
    let pane = m.runbook_pane.as_ref().unwrap();
    assert_eq!(
        pane.state("error-ratio"),
        ItemState::Done,
        "from the timeline"
    );
    assert_ne!(pane.cursor, 0, "starts on the first step not done");
}

/// The Verify steps run once the alert has resolved: the variables keep the values its
/// labels had, and say so.
#[test]
fn variables_outlive_the_alert_they_came_from() {
    let mut m = with_runbooks(&[("namespace", "shop")]);
    update(&mut m, key('r'));
    update(&mut m, snap_at("am", t0() + mins(1), vec![]));
    select(&mut m, "pods");
    let effects = update(&mut m, code(KeyCode::Enter));
    let spec = run_spec(&effects).expect("still runs");
    assert!(spec.env.contains(&("NAMESPACE".into(), "shop".into())));
    let vars = crate::update::runbook_vars(&m, m.runbook_pane.as_ref().unwrap());
    assert!(vars[0].origin.contains("(resolved)"), "{:?}", vars[0]);
}

/// Closing the pane (or opening another runbook) while a command runs loses nothing: its
/// result is recorded from what was started, and applied to no other runbook's step.
#[test]
fn a_result_after_the_pane_closed_is_recorded_and_applied_nowhere_else() {
    let mut m = with_runbooks(&[("namespace", "shop")]);
    update(&mut m, key('r'));
    select(&mut m, "error-rate");
    let effects = update(&mut m, code(KeyCode::Enter));
    let spec = run_spec(&effects).unwrap().clone();
    update(&mut m, code(KeyCode::Esc));
    // Reopened: still running, and a second Enter does not start a second copy.
    update(&mut m, key('r'));
    select(&mut m, "error-rate");
    assert_eq!(
        m.runbook_pane.as_ref().unwrap().state("error-rate"),
        ItemState::Running(spec.request_id)
    );
    assert!(run_spec(&update(&mut m, code(KeyCode::Enter))).is_none());
    update(&mut m, code(KeyCode::Esc));
    update(&mut m, finished(&spec, 0, r#""result":[]"#));
    assert!(
        m.timeline
            .iter()
            .any(|e| e.kind == EventKind::RunbookCommandRun)
    );
    assert!(
        m.timeline
            .iter()
            .any(|e| e.kind == EventKind::RunbookCheckPassed)
    );
    update(&mut m, key('r'));
    assert_eq!(
        m.runbook_pane.as_ref().unwrap().state("error-rate"),
        ItemState::Passed
    );
}

/// Work done for one alert is not shown done for another (another namespace, another alert).
#[test]
fn step_state_belongs_to_the_alert_it_was_done_for() {
    let mut m = with_runbooks(&[("namespace", "shop")]);
    update(&mut m, key('r'));
    let first_task = {
        let pane = m.runbook_pane.as_ref().unwrap();
        pane.actionable()
            .iter()
            .position(|(_, b)| matches!(b, crate::runbook::ItemBody::Task { .. }))
            .unwrap()
    };
    m.runbook_pane.as_mut().unwrap().cursor = first_task;
    update(&mut m, key(' '));
    update(&mut m, code(KeyCode::Esc));
    // The same runbook for another alert (another namespace).
    let mut other = alert_at(
        "HighErrorRate",
        "checkout",
        "critical",
        "am",
        t0() - mins(5),
    );
    other.labels.insert("namespace".into(), "billing".into());
    other.fingerprint = crate::model::alert::fingerprint(&other.labels);
    other
        .annotations
        .insert("runbook_url".into(), "high-error-rate.md".into());
    update(&mut m, snap_at("am", t0(), vec![other]));
    update(&mut m, key('r'));
    let pane = m.runbook_pane.as_ref().unwrap();
    assert!(pane.states.is_empty(), "{:?}", pane.states);
    // Unticking is remembered too.
    update(&mut m, code(KeyCode::Esc));
}

#[test]
fn enter_never_confirms_an_action_and_production_by_value_needs_it_typed() {
    let mut m = with_runbooks(&[("namespace", "prod-payments")]);
    m.settings.production_pattern = "^prod-".into();
    update(&mut m, key('r'));
    select(&mut m, "rollback");
    update(&mut m, code(KeyCode::Enter));
    let pending = m.runbook_pane.as_ref().unwrap().pending.clone().unwrap();
    assert_eq!(pending.confirm.name.as_deref(), Some("prod-payments"));
    assert!(run_spec(&update(&mut m, key('y'))).is_none());

    let mut m = with_runbooks(&[("namespace", "shop")]);
    update(&mut m, key('r'));
    select(&mut m, "rollback");
    update(&mut m, code(KeyCode::Enter));
    assert!(
        run_spec(&update(&mut m, code(KeyCode::Enter))).is_none(),
        "Enter twice runs nothing"
    );
    assert!(run_spec(&update(&mut m, key('y'))).is_some());
}

#[test]
fn a_runbook_cannot_set_the_shells_or_the_tools_variables_from_labels() {
    let text = "---\ntitle: Evil\nalerts: [HighErrorRate]\nvars:\n  KUBECONFIG: {label: namespace}\n---\n## Meaning\nx\n## Mitigation\n### 1. Go\n```sh {\"name\":\"go\",\"kind\":\"diagnose\"}\nkubectl --kubeconfig \"$KUBECONFIG\" get pods\n```\n";
    let book =
        crate::runbook::parse(std::path::Path::new("/tmp/evil.md"), text.as_bytes()).unwrap();
    let mut m = with_runbooks(&[("namespace", "shop")]);
    m.runbooks = vec![std::sync::Arc::new(book)];
    update(&mut m, key('r'));
    select(&mut m, "go");
    let effects = update(&mut m, code(KeyCode::Enter));
    assert!(run_spec(&effects).is_none());
    assert!(
        m.flash
            .as_ref()
            .unwrap()
            .text
            .contains("KUBECONFIG may not be set")
    );
}

#[test]
fn a_running_step_is_not_skipped() {
    let mut m = with_runbooks(&[("namespace", "shop")]);
    update(&mut m, key('r'));
    select(&mut m, "pods");
    update(&mut m, code(KeyCode::Enter));
    update(&mut m, key('s'));
    assert!(m.prompt.is_none());
    assert!(
        m.flash
            .as_ref()
            .unwrap()
            .text
            .contains("x cancels it first")
    );
}

#[test]
fn o_shows_the_whole_output_of_the_selected_command() {
    let mut m = with_runbooks(&[("namespace", "shop")]);
    update(&mut m, key('r'));
    select(&mut m, "pods");
    update(&mut m, key('o'));
    assert!(m.popup.is_none(), "nothing to show before it ran");
    let effects = update(&mut m, code(KeyCode::Enter));
    let spec = run_spec(&effects).unwrap().clone();
    let long = (0..200)
        .map(|i| format!("pod-{i} Running"))
        .collect::<Vec<_>>()
        .join("\n");
    update(&mut m, finished(&spec, 0, &long));
    update(&mut m, key('o'));
    assert!(matches!(
        &m.popup,
        Some(crate::model::popup::Popup::Inspect(i))
            if i.target == crate::model::popup::InspectTarget::RunOutput("pods".into())
    ));
    update(&mut m, code(KeyCode::Esc));
    assert!(m.popup.is_none());
    assert!(
        m.runbook_pane.is_some(),
        "Esc closes the output, not the pane"
    );
}
