//! Keys do what they say: every status-line hint and help line pressed in every screen and
//! popup, and every screen of the table reachable, listed and moving.

use super::tests::{model, t0};
use super::tests_truth::{alert_at, code, key, mins, snap_at, typed};
use super::update;
use crate::model::Model;
use crate::model::alert::Alert;
use crate::msg::Msg;
use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};

// --- Key hints tested against what the keys do --------------------------------------------

/// What a user can see change after a key: screen, popup, prompt, panes, cursors, filters,
/// the message, quitting.
fn observable(m: &Model) -> String {
    format!(
        "{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{:?}|{}",
        m.screen,
        (
            &m.drift_screen.cursor,
            &m.drift_screen.expanded,
            &m.drift_screen.expanded_apps,
            m.drift_screen.focus,
            m.drift_screen.opened.is_some(),
            &m.drift_screen.diff_top,
            m.drift_screen.diff_left,
            m.drift_screen.plan.is_some(),
        ),
        (
            m.kube_screen.pane,
            &m.kube_screen.drilled,
            &m.kube_screen.cluster,
            &m.kube_screen.namespace
        ),
        m.popup.as_ref().map(|p| format!("{p:?}")),
        m.prompt,
        m.triage_pane,
        m.triage,
        m.detail,
        m.alerts_cursor,
        m.services_cursor,
        m.timeline_cursor,
        m.app_open,
        m.app_pane,
        m.filters,
        m.flash.as_ref().map(|f| &f.text),
        m.alerts_view.collapsed,
        m.theme.name,
        m.quit,
    )
}

/// The key events a hint like `tab pane`, `j/k scroll` or `/ filter` names.
fn hint_keys(hint: &str) -> Vec<Msg> {
    let keys = hint.split_whitespace().next().unwrap();
    let labels: Vec<&str> = if keys == "/" {
        vec!["/"]
    } else {
        keys.split('/').collect()
    };
    labels
        .into_iter()
        .map(|label| {
            let label = match label {
                "↑" => "up",
                "↓" => "down",
                other => other,
            };
            let spec = crate::config::keymap::KeySpec::parse(label)
                .unwrap_or_else(|e| panic!("hint `{hint}`: {e}"));
            let mods = match spec.code {
                KeyCode::Char(c) if c.is_ascii_uppercase() => spec.mods | KeyModifiers::SHIFT,
                _ => spec.mods,
            };
            Msg::Input(Event::Key(KeyEvent::new(spec.code, mods)))
        })
        .collect()
}

/// Press every key every hint names, in a given state: each must change something the user can
/// see, or ask for something to be done.
fn assert_hints_act(m: &Model, state: &str) {
    let hints = crate::ui::chrome::hints(m);
    assert!(!hints.is_empty(), "{state}: no hints");
    for (_, hint) in hints {
        for msg in hint_keys(&hint) {
            let mut after = m.clone();
            let effects = update(&mut after, msg.clone());
            assert!(
                !effects.is_empty() || observable(&after) != observable(m),
                "{state}: the hint `{hint}` promises something, but {msg:?} did nothing"
            );
        }
    }
}

fn busy_model() -> Model {
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
                alert_at(
                    "KubePodCrashLooping",
                    "checkout",
                    "warning",
                    "am",
                    t0() - mins(4),
                ),
                alert_at("DiskSpaceLow", "search", "warning", "am", t0() - mins(30)),
                alert_at("QueueSlow", "ledger", "warning", "am", t0() - mins(20)),
                alert_at("Watchdog", "monitoring", "info", "am", t0() - mins(600)),
            ],
        ),
    );
    update(&mut m, snap_at("prom", t0(), vec![]));
    m
}

#[test]
fn every_hint_on_every_screen_does_what_it_says() {
    let base = busy_model();
    for screen_key in ['1', '2', '3', '4', '5', '6'] {
        let mut m = base.clone();
        update(&mut m, key(screen_key));
        update(&mut m, key('j'));
        assert_hints_act(&m, &format!("screen {screen_key}"));
    }
    // Triage panes.
    let mut m = base.clone();
    update(&mut m, code(KeyCode::Tab));
    assert_hints_act(&m, "triage detail pane");
    // The prompt, help, the reading popup, the silence form.
    for (opener, state) in [
        (key('/'), "filter prompt"),
        (key(':'), "command prompt"),
        (key('s'), "silence form"),
    ] {
        let mut m = base.clone();
        update(&mut m, opener);
        assert_hints_act(&m, state);
    }
    // Help scrolled one line down, so up and down both have somewhere to go.
    let mut m = base.clone();
    m.size = (80, 20);
    update(&mut m, key('?'));
    update(&mut m, key('j'));
    assert_hints_act(&m, "help");
    let mut m = base.clone();
    m.size = (80, 20);
    update(&mut m, key('6'));
    update(&mut m, code(KeyCode::Enter));
    update(&mut m, key('j'));
    assert_hints_act(&m, "reading popup");
}

/// Every line of the help overlay: its key does something, from the triage screen or (for the
/// keys that go back or to the triage) from the Alerts screen.
#[test]
fn every_help_line_does_something() {
    let mut triage = busy_model();
    triage.size = (120, 40);
    update(&mut triage, key('j'));
    let mut alerts = triage.clone();
    update(&mut alerts, key('2'));
    for (action, _) in triage.keymap.help_rows() {
        let first = triage.keymap.hint(action);
        let acts = [&triage, &alerts].into_iter().any(|base| {
            let mut m = base.clone();
            let effects = update(&mut m, hint_keys(&first).remove(0));
            !effects.is_empty() || observable(&m) != observable(base)
        });
        assert!(
            acts,
            "help lists `{first}` for {action:?}, which did nothing"
        );
    }
}

// --- Issue 8: one table per thing ----------------------------------------------------------

/// The Argo CD world with the busy alerts: every screen's list has rows to move through.
fn world_with_rows() -> Model {
    let mut m = super::tests_argo::world();
    let busy = busy_model();
    let all = |m: &Model| -> Vec<Alert> {
        m.alerts
            .ranked()
            .into_iter()
            .map(|a| Alert::clone(a))
            .collect()
    };
    let mut alerts = all(&m);
    alerts.extend(all(&busy));
    update(&mut m, snap_at("am", t0(), alerts));
    super::tests_kube_actions::add_cluster(&mut m);
    // Two apps drifted for different reasons: two groups on the Drift screen.
    use super::tests_argo::{app, entry, source};
    use crate::model::app::{HealthStatus, SyncStatus};
    use crate::msg::{ArgocdPayload, SourcePayload, WatchChange};
    let mut moved = app(
        "ledger-prod",
        HealthStatus::Healthy,
        SyncStatus::OutOfSync,
        false,
        vec![entry(
            1,
            "0765b95aa0765b95aa0765b95aa0765b95aa0765",
            60,
            "alice",
        )],
    );
    moved.git_revision = "4f2a1c94f2a1c94f2a1c94f2a1c94f2a1c94f2a1".into();
    let mut edited = app(
        "search-prod",
        HealthStatus::Healthy,
        SyncStatus::OutOfSync,
        false,
        vec![entry(
            1,
            "0765b95aa0765b95aa0765b95aa0765b95aa0765",
            60,
            "alice",
        )],
    );
    edited.git_revision = "0765b95aa0765b95aa0765b95aa0765b95aa0765".into();
    for a in [moved, edited] {
        update(
            &mut m,
            source(
                "argocd",
                SourcePayload::Argocd(ArgocdPayload::AppChanged {
                    change: WatchChange::Modified,
                    app: Box::new(a),
                }),
            ),
        );
    }
    m
}

fn line_text(line: &ratatui::text::Line) -> String {
    line.spans.iter().map(|s| s.content.as_ref()).collect()
}

/// A screen is one entry of `screens::SCREENS`: from that entry alone it gets its number key,
/// its palette command (offered by completion, aliases run too), its `[keys]` name, its help
/// line, its tab, its hints, and movement keys that move its list.
#[test]
fn every_screen_of_the_table_is_reachable_listed_and_moves() {
    use crate::action::Action;
    use crate::screens::SCREENS;
    let mut base = world_with_rows();
    base.size = (120, 40);
    let help: Vec<String> = crate::ui::popups::help::lines(&base)
        .iter()
        .map(line_text)
        .collect();
    let mut buf = ratatui::buffer::Buffer::empty(ratatui::layout::Rect::new(0, 0, 120, 40));
    let area = buf.area;
    crate::ui::draw(&base, &mut Default::default(), area, &mut buf);
    let tabs: String = (0..120).map(|x| buf[(x, 0)].symbol()).collect();
    for (i, def) in SCREENS.iter().enumerate() {
        let n = char::from_digit(i as u32 + 1, 10).unwrap();
        let title = def.title;
        let elsewhere = SCREENS[(i + 1) % SCREENS.len()].screen;

        let mut m = base.clone();
        m.screen = elsewhere;
        update(&mut m, key(n));
        assert_eq!(m.screen, def.screen, "key {n}");

        for name in std::iter::once(def.command).chain(def.aliases.iter().copied()) {
            let mut m = base.clone();
            m.screen = elsewhere;
            update(&mut m, key(':'));
            typed(&mut m, name);
            if name == def.command {
                let offered = &m.prompt.as_ref().unwrap().completions;
                assert!(offered.iter().any(|c| c == name), ":{name} not offered");
            }
            update(&mut m, code(KeyCode::Enter));
            assert_eq!(m.screen, def.screen, ":{name}");
        }

        assert_eq!(
            Action::from_name(&format!("screen_{}", def.command)),
            Some(Action::Screen(def.screen))
        );
        assert!(
            help.iter()
                .any(|l| l.trim_start().starts_with(n) && l.contains(&format!("{title} screen"))),
            "help has no line for {n} {title}: {help:#?}"
        );
        assert!(tabs.contains(&format!("{n} {title}")), "tab bar: {tabs}");

        let mut m = base.clone();
        update(&mut m, key(n));
        assert_hints_act(&m, &format!("screen {title}"));
        update(&mut m, key('g'));
        let len = (def.list)(&mut m).len;
        assert!(len >= 2, "{title}: the test needs two rows, has {len}");
        assert_eq!((def.list)(&mut m).cursor.selected, 0, "{title}");
        update(&mut m, key('j'));
        assert_eq!((def.list)(&mut m).cursor.selected, 1, "{title}: j");
        update(&mut m, key('G'));
        assert_eq!((def.list)(&mut m).cursor.selected, len - 1, "{title}: G");
        update(&mut m, key('k'));
        assert_eq!((def.list)(&mut m).cursor.selected, len - 2, "{title}: k");
    }
}

/// Issue 8: one set of permission queries. Wherever help notes a mutation as off, its key
/// refuses with the matching sentence and no screen offers it as a hint; where help does not,
/// the key acts.
#[test]
fn what_help_says_is_off_the_key_refuses_and_no_hint_offers() {
    use crate::action::Action;
    use crate::model::permissions;
    use crate::model::source::SourceKind;
    type Setup = fn(&mut Model);
    let states: [(&str, Setup); 5] = [
        ("everything writable", |_| {}),
        ("read-only mode", |m| m.settings.read_only = true),
        ("every Alertmanager read-only", |m| {
            for s in &mut m.sources {
                s.read_only |= s.kind == SourceKind::Alertmanager;
            }
        }),
        ("Argo CD read-only", |m| {
            for s in &mut m.sources {
                s.read_only |= s.kind == SourceKind::Argocd;
            }
        }),
        ("no Argo CD", |m| {
            m.sources.retain(|s| s.kind != SourceKind::Argocd)
        }),
    ];
    for (state, setup) in states {
        let mut base = world_with_rows();
        setup(&mut base);
        let help: Vec<String> = crate::ui::popups::help::lines(&base)
            .iter()
            .map(line_text)
            .collect();
        for action in Action::all().filter(|a| a.is_mutation()) {
            let key_label = base.keymap.hint(action);
            let line = help
                .iter()
                .find(|l| l.contains(action.describe()))
                .unwrap_or_else(|| panic!("{state}: no help line for {action:?}"));
            let Some(denied) = permissions::why_not(&base, action) else {
                assert!(
                    !line.contains("off:") && !line.contains("needs"),
                    "{state}: {line}"
                );
                continue;
            };
            assert!(line.contains(denied.note), "{state}: {line}");
            for screen in crate::screens::SCREENS {
                let mut m = base.clone();
                m.screen = screen.screen;
                let offered = crate::ui::chrome::hints(&m);
                assert!(
                    !offered
                        .iter()
                        .any(|(_, h)| h.split_whitespace().next() == Some(key_label.as_str())),
                    "{state}: {} offers {action:?}: {offered:?}",
                    screen.title
                );
                let effects = update(&mut m, hint_keys(&key_label).remove(0));
                assert!(
                    effects.is_empty() && m.popup.is_none(),
                    "{state}: {action:?}"
                );
                assert_eq!(
                    m.flash.as_ref().map(|f| f.text.as_str()),
                    Some(denied.message.as_str()),
                    "{state}: {action:?} on {}",
                    screen.title
                );
            }
        }
    }
}
