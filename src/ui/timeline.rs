//! The Timeline screen: every recorded event, oldest at the top, newest at the bottom. With the
//! cursor on the last event the view follows new events as they arrive.

use crate::action::Action;
use crate::model::Model;
use crate::model::timeline::TimelineEvent;
use crate::model::ui::Screen;
use crate::screens::Hints;
use crate::ui::RenderState;
use crate::ui::format::{self, NONE};
use crate::ui::widgets::columns::{self, Col, RowBuilder};
use crate::ui::widgets::{self, put, selectable_row};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};

const COLS: [Col; 6] = [
    Col::fixed("TIME (UTC)", 10, 0),
    Col::fixed("SOURCE", 12, 3),
    Col::flex("KIND", 12, KIND_W, 2),
    Col::flex("SERVICE", 8, 16, 4),
    Col::flex("ACTOR", 6, 12, 5),
    Col::flex("SUMMARY", 16, u16::MAX, 0),
];

pub use crate::model::timeline::source_word;

/// Room for the longest event kind (`change.autosync_toggled`).
const KIND_W: u16 = 23;

/// The status-line hints of the Timeline screen.
pub fn hints(model: &Model, h: &mut Hints) {
    let k = |a: Action| model.keymap.hint(a);
    h.push((5, format!("{} filter", k(Action::Filter))));
    if model.timeline_len() > 0 {
        h.push((4, format!("{} details", k(Action::Enter))));
    }
}

pub fn draw(model: &Model, state: &mut RenderState, area: Rect, buf: &mut Buffer) {
    let theme = &model.theme;
    let n = model.timeline_len();
    let selected = model.timeline_cursor.selected;
    let following = n > 0 && selected + 1 >= n;
    let filter = model.filter(Screen::Timeline);
    let mut title = vec![Span::raw(if filter.is_empty() {
        format!(" Timeline {} ", format::plural(n, "event"))
    } else {
        format!(" Timeline {n}/{} events ", model.timeline.len())
    })];
    if !filter.is_empty() {
        title.push(Span::styled(
            format!("/{} ", format::truncate(filter, 24)),
            theme.accent,
        ));
    }
    title.push(Span::styled("· oldest first ", theme.muted));
    if following {
        title.push(Span::styled("· following ", theme.muted));
    }
    let inner = widgets::draw_pane(buf, area, widgets::pane(theme, Line::from(title), true));
    if inner.is_empty() {
        return;
    }
    // Dates are shown only for events of another day; the oldest event is the first.
    let mut cols = COLS;
    if model
        .timeline
        .first()
        .is_some_and(|e| e.occurred_at.date_naive() != model.now.date_naive())
    {
        cols[0] = Col::fixed("TIME (UTC)", 14, 0);
    }
    let widths = columns::table_header(buf, inner, &cols, theme);
    let list = Rect {
        y: inner.y + 1,
        height: inner.height.saturating_sub(1),
        ..inner
    };
    if n == 0 {
        let text = if filter.is_empty() {
            " No events yet: alerts firing and resolving, silences and your actions land here."
                .to_string()
        } else {
            format!(" No event matches “{filter}”.")
        };
        put(buf, list, list.y, &widgets::muted(theme, text));
        return;
    }
    let window = state.timeline.window(selected, n, usize::from(list.height));
    for (row, i) in window.enumerate() {
        let Some(e) = model.timeline_row(i) else {
            continue;
        };
        let line = event_row(model, e, &cols, &widths, i == selected);
        selectable_row(
            buf,
            theme,
            list,
            list.y + row as u16,
            &line,
            i == selected,
            true,
        );
    }
}

fn event_row<'a>(
    model: &Model,
    e: &'a TimelineEvent,
    cols: &'a [Col],
    widths: &'a [u16],
    selected: bool,
) -> Line<'a> {
    let theme = &model.theme;
    let summary_style = if e.highlight {
        Style::default().add_modifier(Modifier::BOLD)
    } else {
        Style::default()
    };
    RowBuilder::new(cols, widths)
        .prefix(widgets::marker(theme, selected))
        .cell(&format::when(model.now, e.occurred_at), theme.muted)
        .cell(source_word(e.source), theme.muted)
        .cell(e.kind.as_str(), widgets::event_style(theme, e.kind))
        .cell(e.refs.service.as_deref().unwrap_or(NONE), Style::default())
        .cell(
            if e.actor.is_empty() { NONE } else { &e.actor },
            theme.muted,
        )
        .cell(&e.summary, summary_style)
        .build()
}
