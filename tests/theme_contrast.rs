//! Every shipped theme is readable on every terminal: it brings its own background, the renderer
//! fills it under every cell (popups included), and every character drawn stands out from the
//! cell behind it. Judged on rendered screens, cell by cell, not on the theme file alone.

mod common_ui;

use common_ui::*;
use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};
use sitrep::config::theme::{BUILTIN, TEXT_CONTRAST, Theme, contrast};
use sitrep::model::Model;
use sitrep::model::popup::Popup;
use sitrep::model::ui::{Flash, FlashLevel, Screen, TriagePane};

/// The states worth looking at: every screen, both triage panes, popups, flashes of each level.
fn states() -> Vec<(String, Model)> {
    let mut out = Vec::new();
    for screen in [
        Screen::Triage,
        Screen::Alerts,
        Screen::Apps,
        Screen::Deploys,
        Screen::Services,
        Screen::Timeline,
    ] {
        let mut m = argo_model();
        show(&mut m, screen);
        out.push((format!("{screen:?}"), m));
    }
    let mut m = argo_model();
    act(&mut m, sitrep::action::Action::NextPane);
    assert_eq!(m.triage_pane, TriagePane::Detail);
    out.push(("triage detail pane".into(), m));
    let mut m = argo_model();
    act(&mut m, sitrep::action::Action::Help);
    out.push(("help popup".into(), m));
    let mut m = argo_model();
    // checkout is selected: R opens its rollback picker.
    press(&mut m, crossterm::event::KeyCode::Char('R'));
    assert!(matches!(m.popup, Some(Popup::Rollback(_))));
    out.push(("rollback popup".into(), m));
    for level in [FlashLevel::Info, FlashLevel::Success, FlashLevel::Error] {
        let mut m = argo_model();
        m.flash = Some(Flash {
            text: format!("a {level:?} message"),
            level,
            until: now() + chrono::Duration::seconds(5),
        });
        out.push((format!("{level:?} flash"), m));
    }
    out
}

/// Box drawing and block elements are lines, not letters: 3:1 is enough for them.
fn is_line(symbol: &str) -> bool {
    symbol
        .chars()
        .all(|c| ('\u{2500}'..='\u{259f}').contains(&c))
}

/// Cells that are blank, drawn in the terminal's default colour, or hard to read.
fn unreadable_cells(buf: &Buffer) -> Vec<String> {
    let mut bad = Vec::new();
    let area = buf.area;
    for y in area.top()..area.bottom() {
        for x in area.left()..area.right() {
            let cell = &buf[(x, y)];
            let (mut fg, mut bg) = (cell.fg, cell.bg);
            if cell.modifier.contains(Modifier::REVERSED) {
                std::mem::swap(&mut fg, &mut bg);
            }
            let symbol = cell.symbol();
            if bg == Color::Reset {
                bad.push(format!(
                    "({x},{y}) {symbol:?}: terminal's default background"
                ));
                continue;
            }
            if symbol.trim().is_empty() {
                continue;
            }
            let need = if is_line(symbol) { 3.0 } else { TEXT_CONTRAST };
            match contrast(fg, bg) {
                None => bad.push(format!(
                    "({x},{y}) {symbol:?}: terminal's default foreground"
                )),
                Some(ratio) if ratio < need => bad.push(format!(
                    "({x},{y}) {symbol:?}: {fg:?} on {bg:?} is {ratio:.1}:1, needs {need}:1"
                )),
                Some(_) => {}
            }
        }
    }
    bad
}

#[test]
fn every_shipped_theme_is_readable_on_every_screen() {
    let mut report = Vec::new();
    for (name, _) in BUILTIN {
        let theme = Theme::builtin(name).unwrap();
        for (state, mut m) in states() {
            m.theme = theme.clone();
            let bad = unreadable_cells(&render_buffer(&m, 120, 40));
            if !bad.is_empty() {
                report.push(format!(
                    "{name}, {state}: {} cells, e.g.\n    {}",
                    bad.len(),
                    bad.iter()
                        .take(4)
                        .cloned()
                        .collect::<Vec<_>>()
                        .join("\n    ")
                ));
            }
        }
    }
    assert!(report.is_empty(), "\n{}", report.join("\n"));
}

#[test]
fn every_shipped_theme_passes_its_own_contrast_check() {
    for (name, _) in BUILTIN {
        let theme = Theme::builtin(name).unwrap();
        assert_eq!(theme.contrast_problems(), Vec::<String>::new(), "{name}");
        // A text colour always comes with the background it was chosen for.
        assert!(
            theme.text.fg.is_some() && theme.text.bg.is_some(),
            "{name}: text sets fg and bg"
        );
    }
}

#[test]
fn a_theme_with_a_foreground_and_no_background_is_refused() {
    // The light theme as it once was: dark text, no background, unreadable on a dark terminal.
    let err = Theme::parse("mine", "[roles]\ntext = { fg = \"#1c1c1c\" }\n").unwrap_err();
    assert!(
        err.contains("theme `mine`") && err.contains("`text`") && err.contains("no background"),
        "{err}"
    );
    assert!(err.contains("fix: give `text` a `bg`"), "{err}");
    // A background with no foreground is the same guess the other way round.
    let err = Theme::parse("mine", "[roles]\nselection = { bg = \"#303030\" }\n").unwrap_err();
    assert!(
        err.contains("`selection`") && err.contains("no foreground"),
        "{err}"
    );
    // Paired colours, or modifiers only, are fine.
    Theme::parse(
        "mine",
        "[roles]\ntext = { fg = \"#1c1c1c\", bg = \"#ffffff\" }\n",
    )
    .unwrap();
    Theme::parse("mine", "[roles]\ncritical = { bold = true }\n").unwrap();
}

#[test]
fn a_hard_to_read_user_theme_is_loaded_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("murky.toml"),
        "[roles]\ntext = { fg = \"#d0d0d0\", bg = \"#000000\" }\nmuted = { fg = \"#303030\" }\n",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("bare.toml"),
        "[roles]\ntext = { fg = \"#1c1c1c\" }\n",
    )
    .unwrap();
    let (themes, problems) = sitrep::config::theme::available(Some(dir.path()));
    assert!(themes.iter().any(|t| t.name == "murky"), "loaded");
    assert!(!themes.iter().any(|t| t.name == "bare"), "refused");
    let all = problems.join("\n");
    assert!(
        all.contains("murky.toml: hard to read: role `muted`"),
        "{all}"
    );
    assert!(
        all.contains("bare.toml") && all.contains("no background"),
        "{all}"
    );
}
