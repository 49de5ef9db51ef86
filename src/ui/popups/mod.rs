//! Modal popups and the bottom prompt, drawn over the current screen.

pub mod argocd;
pub mod drift_sync;
pub mod expire;
pub mod help;
pub mod incident;
pub mod inspect;
pub mod kube_action;
pub mod kube_logs;
mod links;
pub mod prompt;
pub mod rollback;
pub mod silence;

use crate::model::Model;
use crate::model::popup::Popup;
use crate::ui::widgets::{self, put};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Block;

pub fn draw(model: &Model, popup: &Popup, area: Rect, buf: &mut Buffer) {
    match popup {
        Popup::Help { scroll } => help::draw(model, *scroll, area, buf),
        Popup::Silence(form) => silence::draw(model, form, area, buf),
        Popup::Expire(form) => expire::draw(model, form, area, buf),
        Popup::Rollback(form) => rollback::draw(model, form, area, buf),
        Popup::Sync(form) => argocd::sync(model, form, area, buf),
        Popup::Confirm(action) => argocd::confirm(model, action, area, buf),
        Popup::Inspect(inspect) => inspect::draw(model, inspect, area, buf),
        Popup::Declare(form) => incident::declare(model, form, area, buf),
        Popup::Milestone { cursor } => incident::milestone(model, *cursor, area, buf),
        Popup::Links {
            service,
            links,
            cursor,
        } => links::draw(model, service, links, *cursor, area, buf),
        Popup::KubeAction(form) => kube_action::draw(model, form, area, buf),
        Popup::KubeLogs(view) => kube_logs::draw(model, view, area, buf),
        Popup::DriftSync => drift_sync::draw(model, area, buf),
    }
}

/// Clear a centred box of at most `w`x`h` in `area`, frame it with `block`, return the inside.
pub fn open(
    model: &Model,
    buf: &mut Buffer,
    area: Rect,
    (w, h): (u16, u16),
    block: Block<'_>,
) -> Rect {
    let rect = widgets::centered(area, w, h);
    widgets::clear(buf, rect, &model.theme);
    widgets::draw_pane(buf, rect, block)
}

/// A popup frame: accent border, title.
pub fn frame<'a>(model: &Model, title: Line<'a>) -> Block<'a> {
    widgets::pane(&model.theme, title, true)
}

/// The popup's width in `area`: as wide as useful.
fn box_width(area: Rect) -> u16 {
    area.width.saturating_sub(2).min(100)
}

/// Cells inside the popup's border.
pub fn inner_width(area: Rect) -> usize {
    usize::from(box_width(area).saturating_sub(2))
}

/// The popup's box: as wide as useful, as tall as the lines (within `area`).
pub fn open_box(model: &Model, area: Rect, lines: u16, title: Line<'_>, buf: &mut Buffer) -> Rect {
    let w = box_width(area);
    let h = (lines + 2).min(area.height);
    open(model, buf, area, (w, h), frame(model, title))
}

/// Lines on top, `last` pinned to the bottom row; if the box is too short, say how much is hidden.
pub fn fill(model: &Model, inner: Rect, lines: &[Line<'_>], last: &[Line<'_>], buf: &mut Buffer) {
    let theme = &model.theme;
    if inner.is_empty() {
        return;
    }
    let last_h = last.len().min(usize::from(inner.height));
    let body_h = usize::from(inner.height) - last_h;
    let hidden = lines.len().saturating_sub(body_h);
    for (i, line) in lines.iter().take(body_h).enumerate() {
        put(buf, inner, inner.y + i as u16, line);
    }
    if hidden > 0 && body_h > 0 {
        let y = inner.y + body_h as u16 - 1;
        widgets::clear(buf, Rect::new(inner.x, y, inner.width, 1), theme);
        put(
            buf,
            inner,
            y,
            &Line::from(Span::styled(
                format!(
                    "… {} more lines: enlarge the terminal to review everything",
                    hidden + 1
                ),
                theme.warning,
            )),
        );
    }
    let top = inner.bottom() - last_h as u16;
    for (i, line) in last.iter().rev().take(last_h).rev().enumerate() {
        put(buf, inner, top + i as u16, line);
    }
}

pub fn key_hint<'a>(model: &Model, parts: &[(&'a str, bool)]) -> Line<'a> {
    let theme = &model.theme;
    Line::from(
        parts
            .iter()
            .map(|(t, key)| Span::styled(*t, if *key { theme.accent } else { theme.text }))
            .collect::<Vec<_>>(),
    )
}

/// The words of a `y`-to-confirm box: its title before and after sending, what `y` and Esc do,
/// and what it says while waiting for the server.
pub struct ConfirmWords<'a> {
    pub title: &'a str,
    pub title_sent: &'a str,
    pub verb: &'a str,
    pub back: &'a str,
    pub waiting: String,
}

/// A centred confirmation box: `lines`, then the `y`/Esc instruction pinned to the bottom row
/// (or the waiting message once sent).
pub fn confirm_box(
    model: &Model,
    area: Rect,
    buf: &mut Buffer,
    lines: &[Line<'_>],
    sent: bool,
    max_w: u16,
    words: ConfirmWords<'_>,
) {
    let theme = &model.theme;
    let last = if sent {
        Line::from(Span::styled(words.waiting, theme.muted))
    } else {
        Line::from(vec![
            Span::styled("press ", theme.text),
            Span::styled("y", theme.accent),
            Span::styled(format!(" to {}, ", words.verb), theme.text),
            Span::styled("Esc", theme.accent),
            Span::styled(format!(" to {}", words.back), theme.text),
        ])
    };
    let title = if sent { words.title_sent } else { words.title };
    let w = area.width.saturating_sub(2).min(max_w);
    let h = (lines.len() as u16 + 3).min(area.height);
    let inner = open(model, buf, area, (w, h), frame(model, Line::from(title)));
    fill(model, inner, lines, &[last], buf);
}
