//! The links popup (`o` on a service): its owner card's links, numbered, with the URL each
//! opens, so nothing opens that the user did not read first.

use crate::model::Model;
use crate::model::owner::CardLink;
use crate::ui::format;
use crate::ui::widgets::{self, put};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

pub fn draw(
    model: &Model,
    service: &str,
    links: &[CardLink],
    cursor: usize,
    area: Rect,
    buf: &mut Buffer,
) {
    let theme = &model.theme;
    let title = Line::from(format!(" Links of {service} "));
    let inner = super::open_box(model, area, links.len() as u16 + 2, title, buf);
    if inner.is_empty() {
        return;
    }
    let kind_w = links
        .iter()
        .map(|l| format::width(&l.kind))
        .max()
        .unwrap_or(4)
        .min(10);
    // The rows there is room for, scrolled so the cursor's is among them.
    let room = usize::from(inner.height.saturating_sub(2)).max(1);
    let offset = cursor.saturating_sub(room - 1);
    for (row, (i, link)) in links.iter().enumerate().skip(offset).take(room).enumerate() {
        let y = inner.y + row as u16;
        if y + 1 >= inner.bottom() {
            break;
        }
        let number = if i < 9 {
            format!("{}", i + 1)
        } else {
            " ".to_string()
        };
        let row = Line::from(vec![
            Span::raw(format!(
                "{} {number}  ",
                if i == cursor { "›" } else { " " }
            )),
            Span::styled(format::fit(&link.kind, kind_w), theme.header),
            Span::raw("  "),
            Span::styled(format::truncate(&link.title, 30), theme.text),
            Span::raw("  "),
            Span::styled(link.url.clone(), theme.accent),
        ]);
        let row = if i == cursor {
            row.style(theme.selection)
        } else {
            row
        };
        put(buf, inner, y, &row);
    }
    put(
        buf,
        inner,
        inner.bottom().saturating_sub(1),
        &widgets::muted(theme, "enter, o or 1-9 open · y copy the URL · esc close"),
    );
}
