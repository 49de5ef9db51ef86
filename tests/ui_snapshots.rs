//! Whole-screen snapshots of the renderer at fixed sizes with time frozen, plus assertions on the
//! styles of the cells that carry meaning (snapshots record text, not colour).

mod common_ui;

use common_ui::*;
use ratatui::style::{Color, Modifier};
use ratatui_textarea::{CursorMove, TextArea};
use sitrep::config::theme::Theme;
use sitrep::model::Model;
use sitrep::model::alerts_view::AlertsRow;
use sitrep::model::popup::{ExpireForm, FormStage, Popup, SilenceField, SilenceForm};
use sitrep::model::silence::Matcher;
use sitrep::model::ui::{Flash, FlashLevel, Prompt, PromptKind, Screen, TriagePane};

fn snap(name: &str, model: &Model, w: u16, h: u16) {
    insta::assert_snapshot!(name, render_text(model, w, h));
}

fn textarea(text: &str) -> TextArea<'static> {
    let mut ta = TextArea::from([text.to_string()]);
    ta.move_cursor(CursorMove::End);
    ta
}

fn silence_form(model: &Model, stage: FormStage, field: SilenceField) -> SilenceForm {
    let line = r#"alertname="HighErrorRate", service="checkout""#;
    let parsed: Result<Vec<Matcher>, String> = line.split(", ").map(Matcher::parse).collect();
    SilenceForm {
        source: "alertmanager".to_string(),
        targets: vec!["alertmanager".to_string(), "prod-eu".to_string()],
        matchers: textarea(line),
        parsed,
        affected: 1,
        duration: 1,
        comment: textarea("Rolling back checkout v2.14.0; errors expected until healed"),
        author: model.settings.author.clone(),
        field,
        stage,
        problem: None,
    }
}

fn alerts_model() -> Model {
    use crossterm::event::KeyCode;
    let mut m = model();
    show(&mut m, Screen::Alerts);
    filter(&mut m, "severity!=info");
    // Collapse the DiskSpaceLow group (Enter on its header row).
    let group = m
        .alerts_view
        .rows
        .iter()
        .position(|r| matches!(r, AlertsRow::Group(g) if g.key == "alertname=DiskSpaceLow"))
        .expect("the DiskSpaceLow group is listed");
    move_to(&mut m, group);
    press(&mut m, KeyCode::Enter);
    // Select the silenced inventory alert, so the footer shows its silence.
    let pos = m
        .alerts_view
        .rows
        .iter()
        .position(|r| match r {
            AlertsRow::Alert(a) => a.name() == "InventorySyncLag",
            AlertsRow::Group(_) => false,
        })
        .expect("the silenced alert is listed");
    move_to(&mut m, pos);
    m
}

/// Move the current screen's cursor to row `row` with `g` then `j`s.
fn move_to(m: &mut Model, row: usize) {
    act(m, sitrep::action::Action::Top);
    for _ in 0..row {
        act(m, sitrep::action::Action::Down);
    }
}

// --- Triage -------------------------------------------------------------------------------

#[test]
fn triage_120x40() {
    snap("triage_120x40", &model(), 120, 40);
}

#[test]
fn triage_80x24() {
    snap("triage_80x24", &model(), 80, 24);
}

#[test]
fn triage_200x60() {
    snap("triage_200x60", &model(), 200, 60);
}

#[test]
fn triage_detail_focused_on_second_alert() {
    let mut m = model();
    act(&mut m, sitrep::action::Action::NextPane);
    act(&mut m, sitrep::action::Action::Down);
    assert_eq!(m.triage_pane, TriagePane::Detail);
    snap("triage_detail_focus_120x40", &m, 120, 40);
}

#[test]
fn triage_all_quiet() {
    snap("triage_all_quiet_120x40", &quiet_model(), 120, 40);
}

#[test]
fn triage_filter_matches_nothing() {
    let mut m = model();
    filter(&mut m, "zzz");
    snap("triage_filter_nothing_80x24", &m, 80, 24);
}

// --- Alerts -------------------------------------------------------------------------------

#[test]
fn alerts_grouped_filtered_collapsed_120x40() {
    snap("alerts_120x40", &alerts_model(), 120, 40);
}

#[test]
fn alerts_80x24() {
    snap("alerts_80x24", &alerts_model(), 80, 24);
}

#[test]
fn alerts_filter_error() {
    let mut m = alerts_model();
    filter(&mut m, "severity=~(crit");
    act(&mut m, sitrep::action::Action::Top);
    snap("alerts_filter_error_120x40", &m, 120, 40);
}

// --- Other screens ------------------------------------------------------------------------

#[test]
fn services_120x40() {
    let mut m = model();
    show(&mut m, Screen::Services);
    move_to(&mut m, 2);
    snap("services_120x40", &m, 120, 40);
}

#[test]
fn timeline_120x40() {
    let mut m = model();
    show(&mut m, Screen::Timeline);
    act(&mut m, sitrep::action::Action::Bottom);
    snap("timeline_120x40", &m, 120, 40);
}

#[test]
fn apps_and_deploys_are_honest_placeholders() {
    let mut m = model();
    show(&mut m, Screen::Apps);
    snap("apps_80x24", &m, 80, 24);
    show(&mut m, Screen::Deploys);
    let text = render_text(&m, 80, 24);
    assert!(text.contains("Argo CD is not configured."));
    assert!(text.contains("Add an [[argocd]] source to your config (see README)"));
}

// --- Popups and prompt --------------------------------------------------------------------

#[test]
fn help_overlay() {
    let mut m = model();
    m.popup = Some(Popup::Help { scroll: 0 });
    snap("help_120x40", &m, 120, 40);
    m.popup = Some(Popup::Help { scroll: 10 });
    snap("help_scrolled_80x24", &m, 80, 24);
    // Scrolling past the end is clamped, not blank.
    m.popup = Some(Popup::Help { scroll: 999 });
    let text = render_text(&m, 80, 24);
    assert!(text.contains("suspend to the shell"));
}

#[test]
fn silence_form_edit() {
    let mut m = model();
    let form = silence_form(&m, FormStage::Edit, SilenceField::Matchers);
    m.popup = Some(Popup::Silence(Box::new(form)));
    snap("silence_edit_120x40", &m, 120, 40);
}

#[test]
fn silence_form_edit_with_errors_80x24() {
    let mut m = model();
    let mut form = silence_form(&m, FormStage::Edit, SilenceField::Comment);
    form.matchers = textarea("alertname=~(High");
    form.parsed = Matcher::parse("alertname=~(High").map(|m| vec![m]);
    form.comment = TextArea::default();
    form.problem = Some("write a comment: it tells the next person why".to_string());
    m.popup = Some(Popup::Silence(Box::new(form)));
    snap("silence_edit_errors_80x24", &m, 80, 24);
}

#[test]
fn silence_form_confirm() {
    let mut m = model();
    let form = silence_form(&m, FormStage::Confirm, SilenceField::Comment);
    m.popup = Some(Popup::Silence(Box::new(form)));
    snap("silence_confirm_120x40", &m, 120, 40);
    let text = render_text(&m, 80, 24);
    for needed in [
        "alertmanager",
        r#"alertname="HighErrorRate""#,
        r#"service="checkout""#,
        "2026-11-23 03:12:00 UTC",
        "2026-11-23 05:12:00 UTC",
        "alice",
        "Rolling back checkout",
        "1 alert",
        "press y to create, Esc to edit",
    ] {
        assert!(
            text.contains(needed),
            "80x24 confirm lacks {needed:?}:\n{text}"
        );
    }
}

#[test]
fn silence_form_in_flight() {
    let mut m = model();
    let form = silence_form(&m, FormStage::InFlight(7), SilenceField::Comment);
    m.popup = Some(Popup::Silence(Box::new(form)));
    let text = render_text(&m, 120, 40);
    assert!(text.contains("creating…"));
    assert!(!text.contains("press y to create"));
}

#[test]
fn expire_confirm() {
    let mut m = model();
    m.popup = Some(Popup::Expire(ExpireForm {
        silence: silence(),
        affected: 1,
        stage: FormStage::Confirm,
    }));
    snap("expire_confirm_120x40", &m, 120, 40);
}

#[test]
fn command_prompt_with_completions_and_error() {
    let mut m = model();
    let mut prompt = Prompt::new(PromptKind::Command, "th".to_string());
    prompt.completions = vec![
        "theme dark".to_string(),
        "theme light".to_string(),
        "theme high-contrast".to_string(),
        "theme colorblind".to_string(),
    ];
    prompt.error = Some("unknown command `th`".to_string());
    m.prompt = Some(prompt);
    snap("prompt_command_80x24", &m, 80, 24);
}

// --- Status line and sizes ----------------------------------------------------------------

#[test]
fn status_line_with_failing_source() {
    let m = model();
    for (w, h) in [(120, 40), (80, 24)] {
        let buf = render_buffer(&m, w, h);
        let last = rows(&buf).pop().unwrap();
        insta::assert_snapshot!(format!("status_line_{w}x{h}"), last.trim_end());
    }
    // A flash message and read-only.
    let mut m = model();
    m.settings.read_only = true;
    m.flash = Some(Flash {
        text: "silence 7c1e created on alertmanager".to_string(),
        level: FlashLevel::Success,
        until: now() + chrono::Duration::seconds(5),
    });
    let buf = render_buffer(&m, 120, 40);
    let all = rows(&buf);
    insta::assert_snapshot!(
        "status_line_flash_readonly_120x40",
        all.last().unwrap().trim_end()
    );
    assert!(all[0].contains("READ-ONLY"));
    assert!(all[0].contains("DEMO"));
    // Read-only: silencing is not offered.
    assert!(
        !all.last().unwrap().contains("s silence"),
        "{}",
        all.last().unwrap()
    );
}

#[test]
fn too_small() {
    snap("too_small_59x14", &model(), 59, 14);
    let text = render_text(&model(), 30, 5);
    assert!(text.contains("too small"), "{text}");
}

// --- Styles -------------------------------------------------------------------------------

#[test]
fn meaningful_cells_carry_theme_styles() {
    let m = model();
    let theme = &m.theme;
    let buf = render_buffer(&m, 120, 40);

    // checkout's CRIT badge in the services pane uses the critical role.
    let (x, y) = find(&buf, "checkout", "CRIT").expect("checkout row with CRIT");
    assert_eq!(buf[(x, y)].fg, theme.critical.fg.unwrap());
    assert!(buf[(x, y)].modifier.contains(Modifier::BOLD));

    // A WARN badge uses the warning role.
    let (x, y) = find(&buf, "payments", "WARN").expect("payments row with WARN");
    assert_eq!(buf[(x, y)].fg, theme.warning.fg.unwrap());

    // The selected (first) row of the focused services pane has the selection style.
    let (x, y) = find(&buf, "CRIT", "checkout").unwrap();
    assert_eq!(buf[(x, y)].bg, theme.selection.bg.unwrap());
    assert_eq!(buf[(x, y)].fg, theme.selection.fg.unwrap());
    // ... and an unselected row does not.
    let (x, y) = find(&buf, "WARN", "payments").unwrap();
    assert_ne!(buf[(x, y)].bg, theme.selection.bg.unwrap());

    // The failing source's ✗ in the status line uses the critical role; the OK ✓ uses ok.
    let (x, y) = find(&buf, "prod-eu", "✗").expect("failing source marker");
    assert_eq!(y, 39);
    assert_eq!(buf[(x, y)].fg, theme.critical.fg.unwrap());
    let (x, y) = find(&buf, "AM ✓", "✓").unwrap();
    assert_eq!(buf[(x, y)].fg, theme.ok.fg.unwrap());

    // The current tab uses the selection style.
    let (x, y) = find(&buf, "1 Triage", "1 Triage").unwrap();
    assert_eq!(y, 0);
    assert_eq!(buf[(x, y)].bg, theme.selection.bg.unwrap());
}

#[test]
fn alerts_screen_styles() {
    let m = alerts_model();
    let theme = &m.theme;
    let buf = render_buffer(&m, 120, 40);
    // Silenced alert: the state word is there and muted, the row is selected.
    let (x, y) = find(&buf, "InventorySyncLag", "silenced").unwrap();
    assert_eq!(buf[(x, y)].fg, theme.muted.fg.unwrap());
    assert_eq!(buf[(x, y)].bg, theme.selection.bg.unwrap());
    // The firing critical alert's badge.
    let (x, y) = find(&buf, "HighErrorRate  ", "CRIT").unwrap();
    assert_eq!(buf[(x, y)].fg, theme.critical.fg.unwrap());
}

#[test]
fn every_builtin_theme_renders() {
    for name in ["dark", "light", "high-contrast", "colorblind"] {
        let mut m = model();
        m.theme = Theme::builtin(name).unwrap();
        let buf = render_buffer(&m, 120, 40);
        let (x, y) = find(&buf, "checkout", "CRIT").unwrap();
        // checkout's row is selected: its CRIT keeps the critical colour unless that would not
        // stand out from the selection bar (vermillion on yellow), then it takes the bar's.
        let (critical, bar) = (m.theme.critical.fg.unwrap(), m.theme.selection);
        let readable = sitrep::config::theme::contrast(critical, bar.bg.unwrap())
            .is_some_and(|r| r >= sitrep::config::theme::TEXT_CONTRAST);
        let want = if readable || m.theme.critical.bg.is_some() {
            critical
        } else {
            bar.fg.unwrap()
        };
        assert_eq!(buf[(x, y)].fg, want, "{name}");
    }
}

#[test]
fn no_color_keeps_meaning_without_colour() {
    let screens = [
        Screen::Triage,
        Screen::Alerts,
        Screen::Services,
        Screen::Timeline,
        Screen::Apps,
    ];
    for screen in screens {
        let mut m = model();
        m.theme = Theme::no_color();
        show(&mut m, screen);
        let buf = render_buffer(&m, 120, 40);
        for cell in buf.content() {
            assert_eq!(cell.fg, Color::Reset, "{screen:?}: coloured fg {cell:?}");
            assert_eq!(cell.bg, Color::Reset, "{screen:?}: coloured bg {cell:?}");
        }
        if matches!(screen, Screen::Triage | Screen::Alerts | Screen::Services) {
            let text = text(&buf);
            assert!(text.contains("CRIT"), "{screen:?}");
            assert!(text.contains("WARN"), "{screen:?}");
        }
    }
    // The selection is reverse video, and the failing source still says ✗ in words.
    let mut m = model();
    m.theme = Theme::no_color();
    let buf = render_buffer(&m, 120, 40);
    let (x, y) = find(&buf, "CRIT", "checkout").unwrap();
    assert!(buf[(x, y)].modifier.contains(Modifier::REVERSED));
    let (x, y) = find(&buf, "WARN", "payments").unwrap();
    assert!(!buf[(x, y)].modifier.contains(Modifier::REVERSED));
    assert!(text(&buf).contains("prod-eu ✗ timeout"));
    // The popups too.
    m.popup = Some(Popup::Silence(Box::new(silence_form(
        &m,
        FormStage::Confirm,
        SilenceField::Matchers,
    ))));
    let buf = render_buffer(&m, 120, 40);
    assert!(
        buf.content()
            .iter()
            .all(|c| c.fg == Color::Reset && c.bg == Color::Reset)
    );
}

#[test]
fn status_line_connecting_and_stale_sources() {
    let mut m = model();
    m.sources[0].last_ok = Some(ago(45)); // 3 x 10 s poll interval passed: stale
    m.sources[1].state = sitrep::model::source::SourceState::Connecting;
    m.sources[1].last_ok = None;
    let buf = render_buffer(&m, 120, 40);
    let last = rows(&buf).pop().unwrap();
    assert!(last.contains("AM ✓ 45s stale"), "{last}");
    assert!(last.contains("prom …"), "{last}");
    let (x, y) = find(&buf, "stale", "stale").unwrap();
    assert_eq!(buf[(x, y)].fg, m.theme.warning.fg.unwrap());
}

#[test]
fn svg_screenshot_of_the_triage_screen() {
    let m = model();
    let buf = render_buffer(&m, 120, 40);
    let svg = sitrep::ui::svg::buffer_to_svg(&buf, Color::Rgb(208, 208, 208), Color::Black);
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert_eq!(svg.matches("<text").count(), svg.matches("</text>").count());
    assert!(svg.contains(">CRIT</text>"));
    let critical = sitrep::ui::svg::hex(m.theme.critical.fg.unwrap()).unwrap();
    assert!(svg.contains(&format!("fill=\"{critical}\"")));
    // The selection background is painted behind the selected row.
    let selection = sitrep::ui::svg::hex(m.theme.selection.bg.unwrap()).unwrap();
    assert!(svg.contains(&selection));
}
