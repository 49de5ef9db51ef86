//! The incident's popups: declaring one (`i`) and marking a milestone (`m`).

use crate::incident::state::{Milestone, SEVERITIES, human_duration};
use crate::model::Model;
use crate::model::popup::{DeclareField, DeclareForm};
use crate::ui::format;
use crate::ui::popups;
use crate::ui::widgets::{self, put};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

const LABEL_W: usize = 13;

fn label<'a>(model: &Model, text: &str, focused: bool) -> Span<'a> {
    if focused {
        Span::styled(
            format::fit(&format!("› {text}"), LABEL_W),
            model.theme.accent,
        )
    } else {
        Span::styled(
            format::fit(&format!("  {text}"), LABEL_W),
            model.theme.header,
        )
    }
}

pub fn declare(model: &Model, form: &DeclareForm, area: Rect, buf: &mut Buffer) {
    let theme = &model.theme;
    let w = area.width.saturating_sub(2).min(90);
    let block = popups::frame(model, Line::from(" Declare an incident "));
    let inner = popups::open(model, buf, area, (w, area.height.min(12)), block);
    if inner.is_empty() {
        return;
    }
    let value = |y: u16| {
        Rect::new(
            inner.x + LABEL_W as u16,
            y,
            inner.width.saturating_sub(LABEL_W as u16),
            1,
        )
        .intersection(inner)
    };
    let mut y = inner.y;
    let focused = form.field == DeclareField::Title;
    put(buf, inner, y, &Line::from(label(model, "Title", focused)));
    popups::silence::textarea(model, &form.title, focused, value(y), buf);
    y += 1;

    let focused = form.field == DeclareField::Severity;
    let mut spans = vec![label(model, "Severity", focused)];
    for (i, sev) in SEVERITIES.iter().enumerate() {
        let chosen = i == form.severity;
        spans.push(Span::styled(
            if chosen {
                format!("[{sev}]")
            } else {
                format!(" {sev} ")
            },
            if chosen { theme.selection } else { theme.muted },
        ));
    }
    if focused {
        spans.push(Span::styled("  ←/→ or 1-4", theme.muted));
    }
    put(buf, inner, y, &Line::from(spans));
    y += 1;

    let focused = form.field == DeclareField::Commander;
    put(
        buf,
        inner,
        y,
        &Line::from(label(model, "Commander", focused)),
    );
    popups::silence::textarea(model, &form.commander, focused, value(y), buf);
    y += 1;

    let focused = form.field == DeclareField::Services;
    put(
        buf,
        inner,
        y,
        &Line::from(label(model, "Services", focused)),
    );
    popups::silence::textarea(model, &form.services, focused, value(y), buf);
    y += 2;

    let backfill = model.settings.backfill_minutes;
    for text in [
        "From now on its events are written to a durable journal;".to_string(),
        format!("events of the last {backfill} min about these services are back-filled."),
    ] {
        put(buf, inner, y, &widgets::muted(theme, text));
        y += 1;
    }
    if let Some(p) = &form.problem {
        put(
            buf,
            inner,
            y,
            &Line::from(Span::styled(format!("✗ {p}"), theme.critical)),
        );
    }
    put(
        buf,
        inner,
        inner.bottom().saturating_sub(1),
        &widgets::muted(theme, "tab next field · enter declare · esc cancel"),
    );
}

pub fn milestone(model: &Model, cursor: usize, area: Rect, buf: &mut Buffer) {
    let theme = &model.theme;
    let Some(meta) = model.incident.active() else {
        return;
    };
    let title = Line::from(format!(" Mark a milestone of {} ", meta.id));
    let inner = popups::open_box(model, area, Milestone::ALL.len() as u16 + 3, title, buf);
    if inner.is_empty() {
        return;
    }
    for (i, m) in Milestone::ALL.iter().enumerate() {
        let marked = meta.milestones.get(m).map(|t| {
            format!(
                "marked {} (+{} from {})",
                format::utc(*t),
                human_duration(*t - meta.impact_start()),
                if meta.milestones.contains_key(&Milestone::ImpactStarted) {
                    "impact start"
                } else {
                    "declaration"
                }
            )
        });
        let row = Line::from(vec![
            Span::raw(format!(
                "{} {}  ",
                if i == cursor { "›" } else { " " },
                i + 1
            )),
            Span::styled(format::fit(m.title(), 16), theme.text),
            Span::styled(
                marked.unwrap_or_else(|| "not marked".to_string()),
                theme.muted,
            ),
        ]);
        let row = if i == cursor {
            row.style(theme.selection)
        } else {
            row
        };
        put(buf, inner, inner.y + i as u16, &row);
    }
    put(
        buf,
        inner,
        inner.bottom().saturating_sub(1),
        &widgets::muted(
            theme,
            "enter or 1-5 marks it now (E on the Timeline corrects a time) · esc cancel",
        ),
    );
}
