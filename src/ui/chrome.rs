//! The frame around every screen: the tab bar on the first row and the status line on the
//! last (source freshness, flash message, the key hints that apply now, read-only).

use crate::action::Action;
use crate::model::Model;
use crate::model::coverage::{Coverage, Domain};
use crate::model::popup::{Popup, RollbackStage};
use crate::model::source::{SourceState, SourceStatus};
use crate::model::ui::FlashLevel;
use crate::screens::SCREENS;
use crate::ui::format;
use crate::ui::widgets;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};

/// `1 Triage 2 Alerts …` (the screen table, in order) with the current screen highlighted, and
/// the DEMO / READ-ONLY badges on the right.
pub fn tab_bar(model: &Model, area: Rect, buf: &mut Buffer) {
    let theme = &model.theme;
    let mut badges: Vec<Span> = Vec::new();
    // On every screen: some of what is shown is not current (each pane's banner says which).
    let coverage = Coverage::of(&model.sources, Domain::All, model.now);
    let connecting = coverage
        .unknown
        .iter()
        .filter(|s| s.state == SourceState::Connecting)
        .count();
    let missing = coverage.stale.len() + coverage.unknown.len() - connecting;
    if missing > 0 {
        badges.push(Span::styled(
            format!(" ⚠ {missing}/{} sources not current ", coverage.total()),
            theme
                .warning
                .add_modifier(Modifier::REVERSED | Modifier::BOLD),
        ));
    } else if connecting > 0 {
        badges.push(Span::styled(
            format!(" connecting to {}… ", format::plural(connecting, "source")),
            theme.muted,
        ));
    }
    if let crate::model::incident::JournalHealth::Failed(_) = &model.incident.journal {
        badges.push(widgets::badge(" ✗ JOURNAL FAILED ", theme.critical));
    }
    if let Some(meta) = model.incident.active() {
        let role = if matches!(meta.severity.as_str(), "SEV1" | "SEV2") {
            theme.critical
        } else {
            theme.warning
        };
        badges.push(widgets::badge_owned(
            format!(
                " {} {} {} ",
                meta.id,
                meta.severity,
                crate::incident::state::human_duration(model.now - meta.impact_start())
            ),
            role,
        ));
    }
    if let Some(team) = &model.team {
        // Other teams' services are hidden on every screen: never forget that, nor what burns
        // among them.
        let hidden = model.firing_hidden_by_team();
        let text = if hidden > 0 {
            format!(
                " TEAM {} · {} hidden ",
                format::truncate(team, 24),
                format::plural(hidden, "firing alert")
            )
        } else {
            format!(" TEAM {} ", format::truncate(team, 24))
        };
        badges.push(widgets::badge_owned(
            text,
            if hidden > 0 {
                theme.warning
            } else {
                theme.accent
            },
        ));
    }
    if model.settings.demo {
        badges.push(widgets::badge(" DEMO ", theme.accent));
    }
    if model.settings.read_only {
        badges.push(widgets::badge(" READ-ONLY ", theme.warning));
    }
    let mut right: Vec<Span> = Vec::new();
    for (i, b) in badges.into_iter().enumerate() {
        if i > 0 {
            right.push(Span::raw(" "));
        }
        right.push(b);
    }
    let right = Line::from(right);
    let right_w = right.width() as u16;

    let full: u16 = SCREENS
        .iter()
        .map(|s| format::width(s.title) as u16 + 4)
        .sum();
    let compact = full + right_w + 1 > area.width;
    let mut spans: Vec<Span> = Vec::with_capacity(SCREENS.len() * 2);
    for (i, screen) in SCREENS.iter().enumerate() {
        let (number, title) = (i + 1, screen.title);
        if screen.screen == model.screen {
            spans.push(Span::styled(format!(" {number} {title} "), theme.selection));
        } else if compact {
            spans.push(Span::styled(format!(" {number} "), theme.accent));
        } else {
            spans.push(Span::styled(format!(" {number}"), theme.accent));
            spans.push(Span::styled(format!(" {title} "), theme.text));
        }
    }
    widgets::put(buf, area, area.y, &Line::from(spans));
    if right_w > 0 {
        widgets::put_right(buf, area, area.y, &right);
    }
}

/// The bottom row.
pub fn status_line(model: &Model, area: Rect, buf: &mut Buffer) {
    let theme = &model.theme;
    let mut left: Vec<Span> = Vec::new();
    // The answer to what the user just did comes first, for its few seconds: with many sources
    // it would otherwise be cut off the end of the line (the tab bar still says when a source
    // is not current).
    if let Some(flash) = model.flash.as_ref().filter(|f| f.until > model.now) {
        let style = match flash.level {
            FlashLevel::Info => theme.info,
            FlashLevel::Success => theme.ok,
            FlashLevel::Error => theme.critical,
        };
        left.push(Span::styled(flash.text.clone(), style));
        left.push(Span::raw("  "));
    }
    for (i, s) in model.sources.iter().enumerate() {
        if i > 0 {
            left.push(Span::styled(" · ", theme.muted));
        }
        source_spans(model, s, &mut left);
    }
    if model.sources.is_empty() {
        left.push(Span::styled("no sources configured", theme.warning));
    }

    // Hints in display order, each with a keep-priority (lower drops first).
    let mut hints: Vec<(u8, String)> = hints(model);
    let ro: Option<Span> = model
        .settings
        .read_only
        .then(|| Span::styled("read-only", theme.warning));
    let left_w: usize = left.iter().map(|s| s.width()).sum();
    let right_w = |hints: &[(u8, String)]| -> usize {
        let h: usize = hints.iter().map(|(_, t)| format::width(t) + 2).sum();
        h + ro.as_ref().map(|r| r.width() + 2).unwrap_or(0)
    };
    let width = usize::from(area.width);
    // Sources and the flash come first; hints give way, but the most important one stays.
    while hints.len() > 1 && left_w + right_w(&hints) > width {
        if let Some(pos) = hints
            .iter()
            .enumerate()
            .min_by_key(|(i, (p, _))| (*p, std::cmp::Reverse(*i)))
            .map(|(i, _)| i)
        {
            hints.remove(pos);
        }
    }
    let mut right: Vec<Span> = Vec::new();
    for (_, text) in &hints {
        right.push(Span::raw("  "));
        right.push(Span::styled(text.clone(), theme.muted));
    }
    if let Some(ro) = ro {
        right.push(Span::raw("  "));
        right.push(ro);
    }
    let right = Line::from(right);
    let rw = right.width();
    let left = widgets::clip(Line::from(left), width.saturating_sub(rw));
    widgets::put(buf, area, area.y, &left);
    widgets::put_right(buf, area, area.y, &right);
}

/// What a source is called on the status line: its kind's tag when it carries the default name
/// (`AM`, `prom`), else its configured name (`prod-eu`).
pub fn source_label(s: &SourceStatus) -> &str {
    crate::sources::registry::default_label(s.kind, &s.name).unwrap_or(&s.name)
}

fn source_spans<'a>(model: &Model, s: &'a SourceStatus, out: &mut Vec<Span<'a>>) {
    let theme = &model.theme;
    // Names come from config, but keep one long name from hiding every other source.
    out.push(Span::styled(
        format::truncate(source_label(s), 16),
        theme.text,
    ));
    match s.state {
        SourceState::Connecting => out.push(Span::styled(" …", theme.muted)),
        // A watched source whose stream is connected: fresh by definition, no age to show.
        SourceState::Ok if s.live == Some(true) => {
            out.push(Span::styled(" ✓", theme.ok));
            out.push(Span::styled(" live", theme.ok));
        }
        SourceState::Ok => {
            let stale = !s.is_fresh(model.now);
            out.push(Span::styled(
                " ✓",
                if stale { theme.warning } else { theme.ok },
            ));
            if let Some(t) = s.last_ok {
                let age = format!(" {}", format::age(model.now, t));
                out.push(Span::styled(
                    age,
                    if stale { theme.warning } else { theme.muted },
                ));
            }
            if stale {
                out.push(Span::styled(" stale", theme.warning));
            }
            if s.live == Some(false) {
                // Listed fine, but the watch is down: changes arrive late until it reconnects.
                out.push(Span::styled(" not live", theme.warning));
            }
        }
        SourceState::Failing => {
            out.push(Span::styled(" ✗", theme.critical));
            let err = s
                .last_error
                .as_deref()
                .map(format::short_error)
                .unwrap_or_else(|| "failing".to_string());
            out.push(Span::styled(format!(" {err}"), theme.critical));
            match s.last_ok {
                Some(t) => out.push(Span::styled(
                    format!(" {} ago", format::age(model.now, t)),
                    theme.muted,
                )),
                None => out.push(Span::styled(" no data yet", theme.muted)),
            }
        }
    }
}

/// The key hints that apply now, as `(keep priority, "key what")`.
pub fn hints(model: &Model) -> Vec<(u8, String)> {
    let k = |a: Action| model.keymap.hint(a);
    let mut h: Vec<(u8, String)> = Vec::new();
    match &model.popup {
        Some(Popup::Help { .. } | Popup::Inspect(_)) => {
            let scrolls = match &model.popup {
                Some(Popup::Inspect(i)) => crate::ui::popups::inspect::max_scroll(model, i) > 0,
                _ => crate::ui::popups::help::max_scroll(model) > 0,
            };
            if scrolls {
                h.push((5, format!("{}/{} scroll", k(Action::Up), k(Action::Down))));
            }
            h.push((9, format!("{} close", k(Action::Back))));
            return h;
        }
        Some(Popup::Rollback(f)) if f.stage == RollbackStage::Watching => {
            h.push((9, format!("{} close", k(Action::Back))));
            return h;
        }
        Some(
            Popup::Silence(_)
            | Popup::Expire(_)
            | Popup::Rollback(_)
            | Popup::Sync(_)
            | Popup::Confirm(_)
            | Popup::Declare(_)
            | Popup::Milestone { .. }
            | Popup::Links { .. }
            | Popup::KubeAction(_)
            | Popup::DriftSync,
        ) => {
            h.push((9, format!("{} cancel", k(Action::Back))));
            return h;
        }
        Some(Popup::KubeLogs(_)) => {
            crate::ui::popups::kube_logs::hints(model, &mut h);
            return h;
        }
        None => {}
    }
    if model.prompt.is_some() {
        h.push((9, "enter apply".to_string()));
        h.push((8, format!("{} cancel", k(Action::Back))));
        return h;
    }
    h.push((9, format!("{} help", k(Action::Help))));
    (crate::screens::def(model.screen).hints)(model, &mut h);
    h.push((8, format!("{} quit", k(Action::Quit))));
    h
}
