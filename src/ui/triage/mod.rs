//! The home screen: services ranked by urgency (left), the selected service's detail (right),
//! the fleet-wide change feed (bottom). The first frame answers "what is broken".

mod changes;
mod detail;

pub use changes::CHANGES_WINDOW_SECS;

use crate::model::Model;
use crate::model::service::ServiceRow;
use crate::model::source::{SourceKind, SourceState};
use crate::model::ui::{Screen, TriagePane};
use crate::ui::RenderState;
use crate::ui::chrome;
use crate::ui::format::{self, NONE};
use crate::ui::widgets::columns::{self, Col, RowBuilder};
use crate::ui::widgets::{self, put, selectable_row};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

const SERVICE_COLS: [Col; 7] = [
    Col::fixed("SEV", 4, 0),
    Col::flex("SERVICE", 10, 28, 0),
    Col::flex("OWNER", 6, 14, 4),
    Col::flex("FIRING", 6, 11, 0),
    Col::flex("ARGO", 4, 10, 3),
    Col::fixed("DEPLOY", 6, 3),
    Col::fixed("AGE", 4, 2).right(),
];

pub fn draw(model: &Model, state: &mut RenderState, area: Rect, buf: &mut Buffer) {
    let changes_h = if area.height >= 16 {
        (area.height / 4).clamp(5, 10)
    } else {
        0
    };
    let top = Rect {
        height: area.height - changes_h,
        ..area
    };
    let changes = Rect {
        y: top.bottom(),
        height: changes_h,
        ..area
    };
    if model.alerts.is_empty() {
        all_quiet(model, top, buf);
    } else {
        let left_w = (area.width * 45 / 100).clamp(34, 80).min(area.width);
        let left = Rect {
            width: left_w,
            ..top
        };
        let right = Rect {
            x: left.right(),
            width: top.width - left_w,
            ..top
        };
        let services = model.visible_services();
        services_pane(model, state, &services, left, buf);
        let selected = services.get(model.triage.selected).copied();
        detail::draw(model, state, selected, right, buf);
    }
    if changes_h > 0 {
        changes::draw(model, changes, buf);
    }
}

fn services_pane(
    model: &Model,
    state: &mut RenderState,
    services: &[&ServiceRow],
    area: Rect,
    buf: &mut Buffer,
) {
    let theme = &model.theme;
    let focused = model.triage_pane == TriagePane::Services;
    let filter = model.filter(Screen::Triage);
    let title = if filter.is_empty() {
        Line::from(format!(" Services {} ", services.len()))
    } else {
        Line::from(format!(
            " Services /{} {}/{} ",
            format::truncate(filter, 20),
            services.len(),
            model.services.len()
        ))
    };
    let inner = widgets::draw_pane(buf, area, widgets::pane(theme, title, focused));
    if inner.is_empty() {
        return;
    }
    let widths = columns::layout(&SERVICE_COLS, inner.width.saturating_sub(1));
    put(
        buf,
        inner,
        inner.y,
        &columns::header(&SERVICE_COLS, &widths, 1, theme.header),
    );
    let list = Rect {
        y: inner.y + 1,
        height: inner.height.saturating_sub(1),
        ..inner
    };
    if services.is_empty() {
        put(
            buf,
            list,
            list.y,
            &widgets::muted(theme, format!(" no service matches “{filter}”")),
        );
        return;
    }
    let window = state.triage_services.window(
        model.triage.selected,
        services.len(),
        usize::from(list.height),
    );
    for (row, i) in window.enumerate() {
        let s = services[i];
        let selected = i == model.triage.selected;
        let line = service_row(model, s, &widths, selected);
        selectable_row(
            buf,
            theme,
            list,
            list.y + row as u16,
            &line,
            selected,
            focused,
        );
    }
}

fn service_row<'a>(model: &Model, s: &ServiceRow, widths: &'a [u16], selected: bool) -> Line<'a> {
    let theme = &model.theme;
    let (badge, badge_style) = if s.firing > 0 {
        (s.worst.word(), widgets::severity_style(theme, s.worst))
    } else {
        (NONE, theme.muted)
    };
    let name_style = if s.firing > 0 {
        Style::default()
    } else {
        theme.muted
    };
    let mut firing = vec![(
        s.firing.to_string(),
        if s.firing > 0 {
            Style::default()
        } else {
            theme.muted
        },
    )];
    if s.pending > 0 {
        firing.push((format!(" +{}p", s.pending), theme.muted));
    }
    if s.suppressed > 0 {
        firing.push((format!(" +{}s", s.suppressed), theme.muted));
    }
    let (owner, owner_style) = match &s.owner {
        Some(o) => (o.as_str(), Style::default()),
        None => (NONE, theme.muted),
    };
    let age = s
        .oldest_firing
        .map(|t| format::age(model.now, t))
        .unwrap_or_else(|| NONE.to_string());
    RowBuilder::new(&SERVICE_COLS, widths)
        .prefix(widgets::marker(theme, selected))
        .cell(badge, badge_style)
        .cell(&s.name, name_style)
        .cell(owner, owner_style)
        .parts(&firing)
        .cell(NONE, theme.muted)
        .cell(NONE, theme.muted)
        .cell(
            &age,
            if s.oldest_firing.is_some() {
                Style::default()
            } else {
                theme.muted
            },
        )
        .build()
}

pub(crate) fn has_source(model: &Model, kind: SourceKind) -> bool {
    model.sources.iter().any(|s| s.kind == kind)
}

/// No alerts at all: say so calmly, and say honestly which sources could not be asked.
fn all_quiet(model: &Model, area: Rect, buf: &mut Buffer) {
    let theme = &model.theme;
    let inner = widgets::draw_pane(buf, area, widgets::pane(theme, " Triage ".into(), false));
    let alert_sources: Vec<_> = model
        .sources
        .iter()
        .filter(|s| matches!(s.kind, SourceKind::Alertmanager | SourceKind::Prometheus))
        .collect();
    let ok = alert_sources
        .iter()
        .filter(|s| s.state == SourceState::Ok)
        .count();
    let mut lines: Vec<Line> = Vec::new();
    if alert_sources.is_empty() {
        lines.push(Line::from(Span::styled(
            "No alert sources configured",
            theme.warning,
        )));
        lines.push(widgets::muted(
            theme,
            "add an [[alertmanager]] or [[prometheus]] source to your config (see README)",
        ));
    } else {
        let plural = if ok == 1 { "" } else { "s" };
        lines.push(Line::from(vec![
            Span::styled("✓ ", theme.ok),
            Span::styled(
                format!("All quiet: no firing alerts from {ok} source{plural}"),
                theme.ok,
            ),
        ]));
        for s in alert_sources.iter().filter(|s| s.state != SourceState::Ok) {
            let (what, style) = match s.state {
                SourceState::Connecting => ("still connecting".to_string(), theme.muted),
                _ => (
                    format!(
                        "failing ({}): its alerts are unknown",
                        s.last_error
                            .as_deref()
                            .map(format::short_error)
                            .unwrap_or_else(|| "error".to_string())
                    ),
                    theme.warning,
                ),
            };
            lines.push(Line::from(Span::styled(
                format!("{} {what}", chrome::source_label(s)),
                style,
            )));
        }
    }
    let top = inner.y + inner.height.saturating_sub(lines.len() as u16) / 2;
    for (i, line) in lines.iter().enumerate() {
        widgets::put_centered(buf, inner, top + i as u16, line);
    }
}
