//! Modal popups and the bottom prompt, drawn over the current screen.

pub mod expire;
pub mod help;
pub mod prompt;
pub mod silence;

use crate::model::Model;
use crate::model::popup::Popup;
use crate::ui::widgets;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::Block;

pub fn draw(model: &Model, popup: &Popup, area: Rect, buf: &mut Buffer) {
    match popup {
        Popup::Help { scroll } => help::draw(model, *scroll, area, buf),
        Popup::Silence(form) => silence::draw(model, form, area, buf),
        Popup::Expire(form) => expire::draw(model, form, area, buf),
        Popup::Rollback(_) | Popup::Sync(_) | Popup::Confirm(_) => {}
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
