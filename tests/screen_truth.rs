//! Issue 7, "every word on the screen is true": absence is never drawn as health. A source that
//! never answered or went quiet makes every view say so, in the TUI and in `snapshot`.

mod common;
mod common_ui;

use common::{json_reply, reply, scripted_server};
use common_ui::{ago, model, quiet_model, render_text, show};
use sitrep::model::source::{SourceKind, SourceState, SourceStatus};
use sitrep::model::ui::Screen;
use std::process::Command;

/// Every source failing from the start: an Alertmanager that refuses, a Prometheus and an
/// Argo CD that answer HTML.
fn nothing_answers(mut m: sitrep::model::Model) -> sitrep::model::Model {
    let failing = |name: &str, kind: SourceKind, err: &str| {
        let mut s = SourceStatus::new(name, kind, "http://127.0.0.1:1", "flag");
        s.state = SourceState::Failing;
        s.last_error = Some(err.to_string());
        s.consecutive_failures = 3;
        s
    };
    m.sources = vec![
        failing(
            "alertmanager",
            SourceKind::Alertmanager,
            "tcp connect: Connection refused",
        ),
        failing(
            "prometheus",
            SourceKind::Prometheus,
            "answers HTML, not JSON (is the URL the API's?)",
        ),
        failing(
            "argocd",
            SourceKind::Argocd,
            "answers HTML, not JSON (is the URL the API's?)",
        ),
    ];
    m.rederive();
    m
}

/// Seen: a green `✓ All quiet: no firing alerts from 0 sources` with every source down, and the
/// Argo CD failure missing from the centre text.
#[test]
fn nothing_answering_is_unknown_not_all_quiet() {
    let m = nothing_answers(quiet_model());
    let text = render_text(&m, 120, 40);
    assert!(!text.contains("All quiet"), "{text}");
    assert!(
        text.contains("Unknown: no source has answered yet"),
        "{text}"
    );
    for source in ["AM unknown (refused)", "prom unknown", "argocd unknown"] {
        assert!(text.contains(source), "missing {source}:\n{text}");
    }
    assert!(
        text.contains("alerts may be firing, apps may be degraded"),
        "{text}"
    );
    assert!(text.contains("3/3 sources not current"), "{text}");
}

#[test]
fn the_alerts_screen_does_not_say_no_alerts_when_nothing_answered() {
    let mut m = nothing_answers(quiet_model());
    show(&mut m, Screen::Alerts);
    m.rederive();
    let text = render_text(&m, 120, 40);
    assert!(!text.contains(" No alerts."), "{text}");
    assert!(
        text.contains("Alerts unknown: no alert source is answering"),
        "{text}"
    );
}

/// "All quiet" only when every source answered recently, naming how many.
#[test]
fn all_quiet_names_how_many_sources_answered() {
    let mut m = quiet_model();
    m.sources.retain(|s| s.name != "prod-eu");
    m.rederive();
    let text = render_text(&m, 120, 40);
    assert!(
        text.contains("All quiet: no firing alerts (all 2 sources answered)"),
        "{text}"
    );
}

/// Seen: after the sources died the status line turned red but the rows looked live.
#[test]
fn rows_from_a_source_that_went_quiet_are_marked_with_its_age() {
    let mut m = model();
    m.sources.retain(|s| s.name != "prod-eu");
    for s in &mut m.sources {
        if s.name == "alertmanager" {
            s.state = SourceState::Failing;
            s.last_ok = Some(ago(42));
            s.last_error = Some("tcp connect: Connection refused".into());
        }
    }
    m.rederive();
    let text = render_text(&m, 120, 40);
    assert!(
        text.contains("⚠ AM last answered 42s ago (refused)"),
        "{text}"
    );
    // checkout's alerts come only from that Alertmanager: its row is marked, not selected.
    let row = text
        .lines()
        .find(|l| l.contains("WARN reporting"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(row.contains("?WARN reporting"), "{row}");
    show(&mut m, Screen::Alerts);
    m.rederive();
    let text = render_text(&m, 120, 40);
    assert!(
        text.contains("⚠ AM last answered 42s ago (refused) · ? = last known state"),
        "{text}"
    );
    assert!(text.lines().any(|l| l.contains("┃?  ")), "{text}");
}

/// A degraded app with no alert at all is on the triage list, never "All quiet".
#[test]
fn a_degraded_app_without_alerts_is_not_all_quiet() {
    let mut m = common_ui::argo_model();
    m.alerts = Default::default();
    m.rederive();
    let text = render_text(&m, 120, 40);
    assert!(!text.contains("All quiet"), "{text}");
    assert!(text.contains("checkout"), "{text}");
    assert!(text.contains("Degraded"), "{text}");
}

fn sitrep(args: &[&str]) -> (i32, String, String) {
    let home = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_sitrep"))
        .args(args)
        .env("HOME", home.path())
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .env("XDG_DATA_HOME", home.path().join("data"))
        .env_remove("SITREP_CONFIG")
        .env_remove("ARGOCD_AUTH_TOKEN")
        .env_remove("ARGOCD_SERVER")
        .output()
        .expect("run sitrep");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Seen: `sitrep snapshot` printed `all quiet: nothing firing, nothing degraded` while every
/// source failed (exit 1, but stdout read healthy).
#[tokio::test(flavor = "multi_thread")]
async fn snapshot_with_dead_sources_says_incomplete_in_text_and_json() {
    let html =
        scripted_server(|_| reply(200, "text/html", "<html><body>login</body></html>")).await;
    let html_url = html.url.to_string();
    let args = |format: &'static str| {
        vec![
            "snapshot".to_string(),
            "--format".to_string(),
            format.to_string(),
            "--alertmanager".to_string(),
            "http://127.0.0.1:1".to_string(),
            "--prometheus".to_string(),
            html_url.clone(),
        ]
    };
    let text_args = args("text");
    let (code, out, err) = tokio::task::spawn_blocking(move || {
        sitrep(&text_args.iter().map(String::as_str).collect::<Vec<_>>())
    })
    .await
    .unwrap();
    assert_eq!(code, 1, "{out}{err}");
    assert!(!out.contains("all quiet"), "{out}");
    assert!(
        out.contains("UNKNOWN: none of the 2 sources answered; nothing is known"),
        "{out}"
    );

    let json_args = args("json");
    let (code, out, _) = tokio::task::spawn_blocking(move || {
        sitrep(&json_args.iter().map(String::as_str).collect::<Vec<_>>())
    })
    .await
    .unwrap();
    assert_eq!(code, 1);
    let v: serde_json::Value = serde_json::from_str(&out).expect(&out);
    assert_eq!(v["complete"], false);
    assert_eq!(v["unknown"].as_array().unwrap().len(), 2);
    assert!(
        v["sources"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["ok"] == false)
    );

    // The same command against a source that answers: complete, all quiet.
    let am = scripted_server(|req| match req.target.as_str() {
        t if t.starts_with("/api/v2/alerts") => json_reply(&serde_json::json!([])),
        _ => json_reply(&serde_json::json!({"versionInfo": {"version": "0.25.0"}})),
    })
    .await;
    let am_url = am.url.to_string();
    let (code, out, err) =
        tokio::task::spawn_blocking(move || sitrep(&["snapshot", "--alertmanager", &am_url]))
            .await
            .unwrap();
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("all quiet: nothing firing, nothing degraded (its 1 source answered)"),
        "{out}"
    );
}

/// Some sources answered, one went quiet: the snapshot lists what it saw and says it is partial.
#[test]
fn a_partial_snapshot_says_incomplete_above_what_it_saw() {
    let m = model();
    let mut out = Vec::new();
    sitrep::snapshot::write_text(&m, &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    assert!(
        text.contains(
            "INCOMPLETE: 2 of 3 sources answered; what the others would report is unknown"
        ),
        "{text}"
    );
    assert!(text.contains("checkout"), "{text}");
    let mut out = Vec::new();
    sitrep::snapshot::write_json(&m, &mut out).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(v["complete"], false);
    assert_eq!(v["unknown"], serde_json::json!(["prod-eu"]));
}
