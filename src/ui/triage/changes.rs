//! The triage change feed: alert and change events of the last two hours, newest first.

use super::has_source;
use crate::model::Model;
use crate::model::source::SourceKind;
use crate::model::timeline::{EventKind, TimelineEvent};
use crate::model::ui::TriagePane;
use crate::ui::format::{self, NONE};
use crate::ui::widgets::columns::{self, Col, RowBuilder};
use crate::ui::widgets::{self, put};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

/// How far back the change feed looks.
pub const CHANGES_WINDOW_SECS: i64 = 2 * 3600;

const CHANGE_COLS: [Col; 5] = [
    Col::fixed("TIME", 8, 0),
    Col::fixed("AGE", 4, 3).right(),
    Col::flex("EVENT", 12, 16, 2),
    Col::flex("SERVICE", 8, 16, 4),
    Col::flex("SUMMARY", 10, u16::MAX, 0),
];

pub(super) fn draw(model: &Model, area: Rect, buf: &mut Buffer) {
    let theme = &model.theme;
    let focused = model.triage_pane == TriagePane::Changes;
    let has_argocd = has_source(model, SourceKind::Argocd);
    let cutoff = model.now - chrono::Duration::seconds(CHANGES_WINDOW_SECS);
    // Newest first; the timeline is in recording order, so stop at the first event recorded
    // before the window: this never walks the whole timeline.
    let events: Vec<&TimelineEvent> = model
        .timeline
        .iter()
        .rev()
        .take_while(|e| e.recorded_at >= cutoff)
        .filter(|e| e.occurred_at >= cutoff && is_change(e.kind))
        .take(usize::from(area.height.saturating_sub(2)))
        .collect();
    let mut block = widgets::pane(theme, " Changes (last 2h) ".into(), focused);
    if !has_argocd && !events.is_empty() {
        block = block.title(
            Line::from(Span::styled(
                " Argo CD not configured: alert changes only ",
                theme.muted,
            ))
            .right_aligned(),
        );
    }
    let inner = widgets::draw_pane(buf, area, block);
    if inner.is_empty() {
        return;
    }
    let widths = columns::layout(&CHANGE_COLS, inner.width.saturating_sub(1));
    for (i, e) in events.iter().enumerate() {
        put(
            buf,
            inner,
            inner.y + i as u16,
            &change_row(model, e, &widths),
        );
    }
    if events.is_empty() {
        let text = if has_argocd {
            "No changes in the last 2h"
        } else {
            "Argo CD not configured: no deploys to show"
        };
        put(
            buf,
            inner,
            inner.y,
            &widgets::muted(theme, format!(" {text}")),
        );
    }
}

fn is_change(kind: EventKind) -> bool {
    kind.as_str().starts_with("change.") || kind.as_str().starts_with("alert.")
}

fn change_row<'a>(model: &Model, e: &'a TimelineEvent, widths: &'a [u16]) -> Line<'a> {
    let theme = &model.theme;
    let service = e.refs.service.as_deref().unwrap_or(NONE);
    RowBuilder::new(&CHANGE_COLS, widths)
        .prefix(Span::raw(" "))
        .cell(&format::hms(e.occurred_at), theme.muted)
        .cell(&format::age(model.now, e.occurred_at), theme.muted)
        .cell(e.kind.as_str(), widgets::event_style(theme, e.kind))
        .cell(service, Style::default())
        .cell(&e.summary, Style::default())
        .build()
}
