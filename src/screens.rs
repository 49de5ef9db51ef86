//! Every screen, once. An entry gives a screen its number key (its place in [`SCREENS`]), its
//! name, its palette command, the list the movement keys move, its render function and its
//! status-line hints. The tab bar, the number keys and their help lines, the `[keys]` names
//! (`screen_alerts`), the `:alerts` commands, the movement keys and the hints all read this
//! table, so none of them can forget a screen.
//!
//! Adding a screen: a `Screen` variant (`model/ui.rs`), a file under `ui/` with its `draw` and
//! `hints`, and one entry here. What a screen does on Enter, `y` and Esc stays in exhaustive
//! matches in `update/keys.rs`, and how its rows are rebuilt in `Model::rebuild_view`: the
//! compiler points at those.

use crate::model::Model;
use crate::model::ui::{Cursor, Screen, TriagePane};
use crate::ui::{self, RenderState};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;

/// Status-line hints: `(keep priority, "key what")`; the lowest priority gives way first.
pub type Hints = Vec<(u8, String)>;

pub struct ScreenDef {
    pub screen: Screen,
    /// In the tab bar and the help overlay: `Alerts`.
    pub title: &'static str,
    /// Its palette command (`:alerts`), also its `[keys]` name (`screen_alerts`).
    pub command: &'static str,
    /// More palette names for it (`:home`).
    pub aliases: &'static [&'static str],
    /// The list the movement keys move now.
    pub list: fn(&mut Model) -> List<'_>,
    /// Opening the screen puts its cursor on the last row (the newest event).
    pub opens_at_end: bool,
    pub render: fn(&Model, &mut RenderState, Rect, &mut Buffer),
    /// What this screen offers, between `? help` and `q quit`.
    pub hints: fn(&Model, &mut Hints),
}

/// The list that has the keyboard: its cursor and its length.
pub struct List<'a> {
    pub cursor: &'a mut Cursor,
    pub len: usize,
    /// The cursor of the selected row's own list (the triage detail's alerts): it goes back to
    /// the top when the selection moves to another row.
    pub within: Option<&'a mut Cursor>,
}

impl List<'_> {
    fn of(cursor: &mut Cursor, len: usize) -> List<'_> {
        List {
            cursor,
            len,
            within: None,
        }
    }
}

/// The screens, in number-key order: `1` is the first.
pub const SCREENS: &[ScreenDef] = &[
    ScreenDef {
        screen: Screen::Triage,
        title: "Triage",
        command: "triage",
        aliases: &["home"],
        list: triage_list,
        opens_at_end: false,
        render: ui::triage::draw,
        hints: ui::triage::hints,
    },
    ScreenDef {
        screen: Screen::Alerts,
        title: "Alerts",
        command: "alerts",
        aliases: &[],
        list: |m| List::of(&mut m.alerts_cursor, m.alerts_view.rows.len()),
        opens_at_end: false,
        render: ui::alerts::draw,
        hints: ui::alerts::hints,
    },
    ScreenDef {
        screen: Screen::Apps,
        title: "Apps",
        command: "apps",
        aliases: &[],
        list: apps_list,
        opens_at_end: false,
        render: ui::apps::draw,
        hints: ui::apps::hints,
    },
    ScreenDef {
        screen: Screen::Deploys,
        title: "Deploys",
        command: "deploys",
        aliases: &[],
        list: |m| List::of(&mut m.deploys_cursor, m.deploys_view.len()),
        opens_at_end: false,
        render: ui::deploys::draw,
        hints: ui::deploys::hints,
    },
    ScreenDef {
        screen: Screen::Services,
        title: "Services",
        command: "services",
        aliases: &[],
        list: |m| List::of(&mut m.services_cursor, m.services_view.len()),
        opens_at_end: false,
        render: ui::services::draw,
        hints: ui::services::hints,
    },
    ScreenDef {
        screen: Screen::Timeline,
        title: "Timeline",
        command: "timeline",
        aliases: &[],
        list: |m| {
            let len = m.timeline_len();
            List::of(&mut m.timeline_cursor, len)
        },
        opens_at_end: true,
        render: ui::timeline::draw,
        hints: ui::timeline::hints,
    },
    ScreenDef {
        screen: Screen::Kube,
        title: "Kube",
        command: "kube",
        aliases: &["k8s", "kubernetes"],
        list: |m| {
            let (cursor, len) = m.kube_screen.list();
            List::of(cursor, len)
        },
        opens_at_end: false,
        render: ui::kube::draw,
        hints: ui::kube::hints,
    },
    ScreenDef {
        screen: Screen::Drift,
        title: "Drift",
        command: "drift",
        aliases: &[],
        list: |m| {
            let (cursor, len) = m.drift_screen.list();
            List::of(cursor, len)
        },
        opens_at_end: false,
        render: ui::drift::draw,
        hints: ui::drift::hints,
    },
];

/// A screen's entry.
pub fn def(screen: Screen) -> &'static ScreenDef {
    SCREENS
        .iter()
        .find(|d| d.screen == screen)
        .expect("every Screen has an entry in screens::SCREENS")
}

/// The services list, or the selected service's alerts when the detail pane has the keyboard.
fn triage_list(m: &mut Model) -> List<'_> {
    if m.triage_pane == TriagePane::Detail {
        let len = m.selected_service().map(|s| s.alerts.len()).unwrap_or(0);
        return List::of(&mut m.detail, len);
    }
    let len = m.triage_view.len();
    List {
        cursor: &mut m.triage,
        len,
        within: Some(&mut m.detail),
    }
}

/// The apps list, or the open app's current pane.
fn apps_list(m: &mut Model) -> List<'_> {
    match &m.app_open {
        None => List::of(&mut m.apps_cursor, m.apps_view.len()),
        Some(key) => {
            let len = crate::model::app_view::pane_len(m, key, m.app_pane);
            List::of(&mut m.app_pane_cursor, len)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_holds_each_screen_once_with_its_own_names() {
        for (i, a) in SCREENS.iter().enumerate() {
            assert_eq!(def(a.screen).title, a.title);
            assert_eq!(a.screen.number(), i + 1);
            for b in &SCREENS[i + 1..] {
                assert_ne!(a.screen, b.screen);
                assert_ne!(a.command, b.command);
                assert!(!b.aliases.contains(&a.command) && !a.aliases.contains(&b.command));
            }
        }
        // The number keys are single digits.
        assert!(SCREENS.len() <= 9);
    }
}
