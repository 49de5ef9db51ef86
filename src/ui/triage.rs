//! The home screen: services ranked by urgency (left), the selected service's detail (right),
//! the fleet-wide change feed (bottom). The first frame answers "what is broken".

use crate::model::Model;
use crate::model::alert::{Alert, AlertState};
use crate::model::service::ServiceRow;
use crate::model::source::{SourceKind, SourceState};
use crate::model::timeline::{EventKind, TimelineEvent};
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

/// How far back the change feed looks.
pub const CHANGES_WINDOW_SECS: i64 = 2 * 3600;

const SERVICE_COLS: [Col; 7] = [
    Col::fixed("SEV", 4, 0),
    Col::flex("SERVICE", 10, 28, 0),
    Col::flex("OWNER", 6, 14, 4),
    Col::flex("FIRING", 6, 11, 0),
    Col::flex("ARGO", 4, 10, 3),
    Col::fixed("DEPLOY", 6, 3),
    Col::fixed("AGE", 4, 2).right(),
];

const DETAIL_COLS: [Col; 5] = [
    Col::fixed("SEV", 4, 0),
    Col::fixed("STATE", 9, 0),
    Col::flex("ALERT", 16, 22, 0),
    Col::fixed("AGE", 4, 2).right(),
    Col::flex("SUMMARY", 12, u16::MAX, 3),
];

const CHANGE_COLS: [Col; 5] = [
    Col::fixed("TIME", 8, 0),
    Col::fixed("AGE", 4, 3).right(),
    Col::flex("EVENT", 12, 16, 2),
    Col::flex("SERVICE", 8, 16, 4),
    Col::flex("SUMMARY", 10, u16::MAX, 0),
];

/// Label column of the detail pane's sections.
const SECTION_LABEL_W: usize = 15;

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
        detail_pane(model, state, selected, right, buf);
    }
    if changes_h > 0 {
        changes_pane(model, changes, buf);
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

fn detail_pane(
    model: &Model,
    state: &mut RenderState,
    service: Option<&ServiceRow>,
    area: Rect,
    buf: &mut Buffer,
) {
    let theme = &model.theme;
    let focused = model.triage_pane == TriagePane::Detail;
    let Some(service) = service else {
        let inner = widgets::draw_pane(buf, area, widgets::pane(theme, " Detail ".into(), false));
        put(
            buf,
            inner,
            inner.y,
            &widgets::muted(theme, "no service selected"),
        );
        return;
    };
    let title = Line::from(vec![
        Span::raw(" "),
        Span::raw(format::truncate(&service.name, 40)),
        Span::raw(" "),
    ]);
    let inner = widgets::draw_pane(buf, area, widgets::pane(theme, title, focused));
    if inner.is_empty() {
        return;
    }

    // Alerts list, then the four sections (one line each) below it.
    let n = service.alerts.len();
    let mut counts = vec![Span::styled("Alerts", theme.header)];
    counts.push(Span::styled(
        format!("  {} firing", service.firing),
        if service.firing > 0 {
            widgets::severity_style(theme, service.worst)
        } else {
            theme.muted
        },
    ));
    if service.pending > 0 {
        counts.push(Span::styled(
            format!(" · {} pending", service.pending),
            theme.muted,
        ));
    }
    if service.suppressed > 0 {
        counts.push(Span::styled(
            format!(" · {} silenced/inhibited", service.suppressed),
            theme.muted,
        ));
    }
    put(buf, inner, inner.y, &Line::from(counts));

    const SECTIONS_H: u16 = 5; // a blank line and four sections
    let room = inner.height.saturating_sub(1 + SECTIONS_H).max(1);
    let list_h = (n as u16).min(room);
    let list = Rect {
        y: inner.y + 1,
        height: list_h.min(inner.height.saturating_sub(1)),
        ..inner
    };
    let widths = columns::layout(&DETAIL_COLS, inner.width.saturating_sub(1));
    let window = state
        .triage_detail
        .window(model.detail.selected, n, usize::from(list.height));
    for (row, i) in window.enumerate() {
        let Some(alert) = service
            .alerts
            .get(i)
            .and_then(|ix| model.alerts.merged.get(*ix))
        else {
            continue;
        };
        let selected = i == model.detail.selected;
        let line = detail_alert_row(model, alert, &widths, selected && focused);
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
    if n > usize::from(list.height) && list.height > 0 {
        let more = format!(" {}/{} ", model.detail.selected.min(n - 1) + 1, n);
        widgets::put_right(
            buf,
            inner,
            inner.y,
            &Line::from(Span::styled(more, theme.muted)),
        );
    }

    let sections_y = list.bottom() + 1;
    let has_argocd = has_source(model, SourceKind::Argocd);
    let has_catalog = has_source(model, SourceKind::Catalog);
    let argo_text = if has_argocd {
        "no Argo CD app linked to this service"
    } else {
        "not configured — add an Argo CD source"
    };
    let deploys_text = if has_argocd {
        "no deploys seen for this service"
    } else {
        "not configured — add an Argo CD source"
    };
    let sections = [
        ("Apps", vec![Span::styled(argo_text, theme.muted)]),
        (
            "Recent deploys",
            vec![Span::styled(deploys_text, theme.muted)],
        ),
        ("Owner", owner_spans(model, service, has_catalog)),
        ("Runbook", runbook_spans(model, service)),
    ];
    for (i, (label, value)) in sections.into_iter().enumerate() {
        let line = widgets::field(theme, label, SECTION_LABEL_W, value);
        put(buf, inner, sections_y + i as u16, &line);
    }

    // The rest of the pane: what the selected alert says about itself.
    let about = Rect {
        y: sections_y + 5,
        height: inner.bottom().saturating_sub(sections_y + 5),
        ..inner
    };
    let selected = service
        .alerts
        .get(model.detail.selected)
        .and_then(|ix| model.alerts.merged.get(*ix));
    if let Some(alert) = selected
        && about.height >= 3
    {
        about_alert(model, alert, about, buf);
    }
}

/// The selected alert's name, description (or summary) and labels, wrapped into `area`.
fn about_alert(model: &Model, alert: &Alert, area: Rect, buf: &mut Buffer) {
    let theme = &model.theme;
    let w = usize::from(area.width);
    let mut lines: Vec<Line> = vec![Line::from(vec![
        Span::styled("About ", theme.header),
        Span::styled(alert.name().to_string(), theme.header),
        Span::styled(
            format!(
                "  since {} · from {}",
                format::hms(alert.starts_at),
                alert.source
            ),
            theme.muted,
        ),
    ])];
    let text = alert
        .annotations
        .get("description")
        .filter(|d| !d.is_empty())
        .map(String::as_str)
        .unwrap_or_else(|| alert.summary());
    let room = usize::from(area.height).saturating_sub(2);
    let label_lines = 2.min(room.saturating_sub(1));
    for l in format::wrap(text, w, room.saturating_sub(label_lines).max(1)) {
        lines.push(Line::raw(l));
    }
    let labels = alert
        .labels
        .iter()
        .map(|(k, v)| format!("{k}={}", format::truncate(v, 80)))
        .collect::<Vec<_>>()
        .join(" ");
    for l in format::wrap(&labels, w, label_lines) {
        lines.push(Line::from(Span::styled(l, theme.muted)));
    }
    for (i, line) in lines.iter().take(usize::from(area.height)).enumerate() {
        put(buf, area, area.y + i as u16, line);
    }
}

fn detail_alert_row<'a>(
    model: &Model,
    alert: &'a Alert,
    widths: &'a [u16],
    selected: bool,
) -> Line<'a> {
    let theme = &model.theme;
    let sev = alert.severity();
    let quiet = !alert.state.is_active() && alert.state != AlertState::Pending;
    let (badge_style, text_style) = if quiet {
        (theme.muted, theme.muted)
    } else {
        (widgets::severity_style(theme, sev), Style::default())
    };
    RowBuilder::new(&DETAIL_COLS, widths)
        .prefix(widgets::marker(theme, selected))
        .cell(sev.word(), badge_style)
        .cell(
            alert.state.word(),
            widgets::state_style(theme, alert.state, sev),
        )
        .cell(alert.name(), text_style)
        .cell(&format::age(model.now, alert.starts_at), text_style)
        .cell(
            alert.summary(),
            if quiet { theme.muted } else { theme.text },
        )
        .build()
}

fn owner_spans<'a>(model: &Model, service: &ServiceRow, has_catalog: bool) -> Vec<Span<'a>> {
    let theme = &model.theme;
    match &service.owner {
        Some(owner) => vec![Span::raw(owner.clone())],
        None if has_catalog => vec![Span::styled("not in the catalog", theme.muted)],
        None => vec![Span::styled("no catalog configured", theme.muted)],
    }
}

/// The selected alert's `runbook_url`, else the first one among the service's alerts.
fn runbook_spans<'a>(model: &Model, service: &ServiceRow) -> Vec<Span<'a>> {
    let theme = &model.theme;
    let alert_at = |i: usize| {
        service
            .alerts
            .get(i)
            .and_then(|ix| model.alerts.merged.get(*ix))
    };
    let url_of = |a: &Alert| {
        a.annotations
            .get("runbook_url")
            .filter(|u| !u.is_empty())
            .cloned()
    };
    let found = alert_at(model.detail.selected)
        .and_then(|a| url_of(a).map(|u| (u, a.name().to_string())))
        .or_else(|| {
            service
                .alerts
                .iter()
                .filter_map(|ix| model.alerts.merged.get(*ix))
                .find_map(|a| url_of(a).map(|u| (u, a.name().to_string())))
        });
    match found {
        Some((url, from)) => vec![
            Span::styled(url, theme.accent),
            Span::styled(format!("  (from {from})"), theme.muted),
        ],
        None => vec![Span::styled(
            "none: no runbook_url on these alerts",
            theme.muted,
        )],
    }
}

fn changes_pane(model: &Model, area: Rect, buf: &mut Buffer) {
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

/// The style of an event kind: firing alerts stand out, resolutions read as good news.
pub fn kind_style(model: &Model, kind: EventKind) -> Style {
    let theme = &model.theme;
    match kind {
        EventKind::AlertFiring => theme.warning,
        EventKind::AlertResolved => theme.ok,
        EventKind::AlertSilenced | EventKind::AlertUnsilenced => theme.muted,
        EventKind::Deploy | EventKind::Rollback => theme.accent,
        EventKind::HealthChanged => theme.warning,
        EventKind::ActionFailed => theme.critical,
        EventKind::ActionSucceeded => theme.ok,
        EventKind::IncidentDeclared | EventKind::Milestone => theme.accent,
        EventKind::ActionAttempted | EventKind::SourceStatus | EventKind::Note => theme.text,
    }
}

fn change_row<'a>(model: &Model, e: &'a TimelineEvent, widths: &'a [u16]) -> Line<'a> {
    let theme = &model.theme;
    let service = e.refs.service.as_deref().unwrap_or(NONE);
    RowBuilder::new(&CHANGE_COLS, widths)
        .prefix(Span::raw(" "))
        .cell(&format::hms(e.occurred_at), theme.muted)
        .cell(&format::age(model.now, e.occurred_at), theme.muted)
        .cell(e.kind.as_str(), kind_style(model, e.kind))
        .cell(service, Style::default())
        .cell(&e.summary, Style::default())
        .build()
}

fn has_source(model: &Model, kind: SourceKind) -> bool {
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
