//! The Alerts screen: every alert, grouped like Alertmanager's `group_by`, filtered by matchers
//! or fuzzy text; a footer shows the selected alert's labels, annotations and silence.

use crate::action::Action;
use crate::model::Model;
use crate::model::alert::{Alert, AlertState};
use crate::model::alerts_view::{AlertsRow, GroupRow};
use crate::model::coverage::{Coverage, Domain};
use crate::model::ui::Screen;
use crate::screens::Hints;
use crate::ui::RenderState;
use crate::ui::coverage;
use crate::ui::format::{self, NONE};
use crate::ui::widgets::columns::{self, Col, RowBuilder};
use crate::ui::widgets::{self, put, selectable_row};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

const COLS: [Col; 8] = [
    Col::fixed("SEV", 4, 0),
    Col::fixed("STATE", 9, 0),
    Col::flex("ALERTNAME", 20, 28, 0),
    Col::flex("SERVICE", 8, 18, 3),
    Col::flex("LABELS", 16, 48, 5),
    Col::fixed("AGE", 4, 2).right(),
    Col::flex("SUMMARY", 20, u16::MAX, 4),
    Col::flex("SOURCE", 10, 24, 6),
];

/// Marker column plus the indent of alert rows under their group.
const ALERT_PREFIX: u16 = 3;

/// The status-line hints of the Alerts screen.
pub fn hints(model: &Model, h: &mut Hints) {
    let k = |a: Action| model.keymap.hint(a);
    h.push((5, format!("{} filter", k(Action::Filter))));
    match model.alerts_view.rows.get(model.alerts_cursor.selected) {
        Some(AlertsRow::Group(g)) => {
            let what = if g.collapsed { "expand" } else { "collapse" };
            h.push((4, format!("{} {what}", k(Action::Enter))));
        }
        Some(AlertsRow::Alert(_)) => h.push((4, format!("{} details", k(Action::Enter)))),
        None => {}
    }
    if crate::model::permissions::can_silence(model) && !model.alerts_view.rows.is_empty() {
        h.push((6, format!("{} silence", k(Action::Silence))));
    }
}

pub fn draw(model: &Model, state: &mut RenderState, area: Rect, buf: &mut Buffer) {
    let theme = &model.theme;
    let error = model.alerts_view.filter_error.as_deref();
    let filter_h = 1 + u16::from(error.is_some());
    filter_line(
        model,
        Rect {
            height: filter_h,
            ..area
        },
        buf,
    );

    let rest = Rect {
        y: area.y + filter_h,
        height: area.height.saturating_sub(filter_h),
        ..area
    };
    let footer_h = if rest.height >= 18 {
        (rest.height / 3).clamp(7, 11)
    } else {
        0
    };
    let table = Rect {
        height: rest.height - footer_h,
        ..rest
    };
    let footer = Rect {
        y: table.bottom(),
        height: footer_h,
        ..rest
    };

    let group_by = model.settings.group_by.join(", ");
    let title = Line::from(format!(" Alerts · grouped by {group_by} "));
    let inner = widgets::draw_pane(buf, table, widgets::pane(theme, title, true));
    if inner.is_empty() {
        return;
    }
    let inner = coverage::draw_banner(model, Domain::Alerts, inner, buf);
    let widths = columns::layout(&COLS, inner.width.saturating_sub(ALERT_PREFIX));
    put(
        buf,
        inner,
        inner.y,
        &columns::header(&COLS, &widths, usize::from(ALERT_PREFIX), theme.header),
    );
    let list = Rect {
        y: inner.y + 1,
        height: inner.height.saturating_sub(1),
        ..inner
    };
    let rows = &model.alerts_view.rows;
    if rows.is_empty() {
        let text = if model.alerts.is_empty() {
            no_alerts_text(model)
        } else {
            format!(" No alert matches “{}”.", model.filter(Screen::Alerts))
        };
        put(buf, list, list.y, &widgets::muted(theme, text));
    }
    let selected = model.alerts_cursor.selected;
    let window = state
        .alerts
        .window(selected, rows.len(), usize::from(list.height));
    let not_fresh = coverage::not_fresh(model);
    for (row, i) in window.enumerate() {
        let is_sel = i == selected;
        let line = match &rows[i] {
            AlertsRow::Group(g) => group_row(model, g, is_sel),
            AlertsRow::Alert(a) => {
                let current = coverage::is_current(&not_fresh, coverage::alert_sources(a));
                alert_row(model, a, &widths, is_sel, current)
            }
        };
        selectable_row(buf, theme, list, list.y + row as u16, &line, is_sel, true);
    }

    if footer_h > 0 {
        match rows.get(selected) {
            Some(AlertsRow::Alert(a)) => alert_footer(model, a, footer, buf),
            Some(AlertsRow::Group(g)) => group_footer(model, g, footer, buf),
            None => {}
        }
    }
}

fn filter_line(model: &Model, area: Rect, buf: &mut Buffer) {
    let theme = &model.theme;
    let filter = model.filter(Screen::Alerts);
    let view = &model.alerts_view;
    let count = Line::from(vec![
        Span::styled(format!("{}", view.matched), theme.text),
        Span::styled(format!("/{} alerts ", model.alerts.len()), theme.muted),
    ]);
    let room = usize::from(area.width).saturating_sub(count.width() + 4);
    let line = if filter.is_empty() {
        Line::from(vec![
            Span::styled(
                format!(" {} ", model.keymap.hint(Action::Filter)),
                theme.accent,
            ),
            Span::styled(
                format::truncate(
                    "filter: matchers like severity=critical service=~\"check.*\", or text",
                    room,
                ),
                theme.muted,
            ),
        ])
    } else {
        Line::from(vec![
            Span::styled(" filter ", theme.header),
            Span::styled(
                format::truncate(filter, room.saturating_sub(8)),
                theme.accent,
            ),
        ])
    };
    put(buf, area, area.y, &line);
    widgets::put_right(buf, area, area.y, &count);
    if let Some(err) = &view.filter_error {
        let text = format!(" ✗ {}", format::one_line(err));
        put(
            buf,
            area,
            area.y + 1,
            &Line::from(Span::styled(
                format::truncate(&text, usize::from(area.width)),
                theme.critical,
            )),
        );
    }
}

fn group_row<'a>(model: &Model, g: &'a GroupRow, selected: bool) -> Line<'a> {
    let theme = &model.theme;
    let mut spans = vec![
        widgets::marker(theme, selected),
        Span::styled(if g.collapsed { "▸ " } else { "▾ " }, theme.accent),
    ];
    for (i, (k, v)) in g.labels.iter().enumerate() {
        if i > 0 {
            spans.push(Span::raw(" "));
        }
        spans.push(Span::styled(format!("{k}="), theme.muted));
        let v = if v.is_empty() { "\"\"" } else { v.as_str() };
        spans.push(Span::styled(format::truncate(v, 60), theme.header));
    }
    if g.firing > 0 {
        spans.push(Span::raw("  "));
        spans.push(widgets::severity_badge(theme, g.worst));
    }
    let alerts = if g.count == 1 { "alert" } else { "alerts" };
    spans.push(Span::styled(
        format!("  {} {alerts} · {} firing", g.count, g.firing),
        theme.muted,
    ));
    if g.collapsed {
        spans.push(Span::styled(" (collapsed)", theme.muted));
    }
    Line::from(spans)
}

/// The empty Alerts screen: "no alerts" only as far as the sources that answered can tell.
fn no_alerts_text(model: &Model) -> String {
    let c = Coverage::of(&model.sources, Domain::Alerts, model.now);
    if c.is_empty() {
        " No alert source configured: add [[alertmanager]] or [[prometheus]] to your config."
            .to_string()
    } else if c.complete() {
        format!(
            " No alerts: {} answered.",
            format::plural(c.total(), "source")
        )
    } else if c.fresh.is_empty() {
        " Alerts unknown: no alert source is answering (see above).".to_string()
    } else {
        format!(
            " No alerts from the {} answering; the others' alerts are unknown.",
            format::plural(c.fresh.len(), "source")
        )
    }
}

fn alert_row<'a>(
    model: &Model,
    a: &'a Alert,
    widths: &'a [u16],
    selected: bool,
    current: bool,
) -> Line<'a> {
    let theme = &model.theme;
    let sev = a.severity();
    let quiet = matches!(
        a.state,
        AlertState::Silenced | AlertState::Inhibited | AlertState::Muted
    );
    let (badge, text) = if quiet {
        (theme.muted, theme.muted)
    } else {
        (widgets::severity_style(theme, sev), Style::default())
    };
    let service = model.alert_service_name(a).unwrap_or(NONE);
    let labels_w = usize::from(widths.get(4).copied().unwrap_or(0));
    let labels = if labels_w > 0 {
        distinguishing_labels(model, a, labels_w)
    } else {
        String::new()
    };
    let mut source = vec![(a.source.clone(), theme.muted)];
    if !a.also_from.is_empty() {
        source.push((format!(" +{}", a.also_from.len()), theme.muted));
    }
    RowBuilder::new(&COLS, widths)
        .prefix(coverage::row_marker(model, selected, current))
        .prefix(Span::raw("  "))
        .cell(sev.word(), badge)
        .cell(a.state.word(), widgets::state_style(theme, a.state, sev))
        .cell(a.name(), text)
        .cell(service, text)
        .cell(&labels, theme.muted)
        .cell(&format::age(model.now, a.starts_at), text)
        .cell(a.summary(), text)
        .parts(&source)
        .build()
}

/// Labels that tell this alert apart from its group: everything except the name, severity,
/// the grouping labels and the service label. Built only up to `max` cells.
fn distinguishing_labels(model: &Model, a: &Alert, max: usize) -> String {
    let service_label = model
        .settings
        .service_labels
        .iter()
        .find(|l| a.labels.get(*l).is_some_and(|v| !v.is_empty()));
    let mut out = String::new();
    for (k, v) in &a.labels {
        if k == "alertname"
            || k == "severity"
            || Some(k) == service_label
            || model.settings.group_by.contains(k)
        {
            continue;
        }
        if format::width(&out) >= max {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&format::truncate(&format!("{k}="), max));
        out.push_str(&format::truncate(v, max));
    }
    out
}

fn alert_footer(model: &Model, a: &Alert, area: Rect, buf: &mut Buffer) {
    let theme = &model.theme;
    let title = Line::from(format!(" {} ", format::truncate(a.name(), 60)));
    let inner = widgets::draw_pane(buf, area, widgets::pane(theme, title, false));
    if inner.is_empty() {
        return;
    }
    let w = usize::from(inner.width);
    let mut lines: Vec<Line> = Vec::new();

    let sev = a.severity();
    let mut state = vec![
        widgets::severity_badge(theme, sev),
        Span::raw(" "),
        Span::styled(a.state.word(), widgets::state_style(theme, a.state, sev)),
        Span::styled(
            format!(
                " since {} ({}) · from {}",
                format::utc(a.starts_at),
                format::age(model.now, a.starts_at),
                a.source
            ),
            theme.muted,
        ),
    ];
    if !a.also_from.is_empty() {
        state.push(Span::styled(
            format!(" (also {})", a.also_from.join(", ")),
            theme.muted,
        ));
    }
    if !coverage::is_current(&coverage::not_fresh(model), coverage::alert_sources(a)) {
        state.push(Span::styled(
            " · last known state: its source is not answering",
            coverage::stale_style(model),
        ));
    }
    lines.push(Line::from(state));

    for id in &a.silenced_by {
        lines.extend(silence_lines(model, id));
    }
    if !a.inhibited_by.is_empty() {
        lines.push(widgets::muted(
            theme,
            format!("inhibited by {}", a.inhibited_by.join(", ")),
        ));
    }
    if !a.muted_by.is_empty() {
        lines.push(widgets::muted(
            theme,
            format!("muted by time interval {}", a.muted_by.join(", ")),
        ));
    }

    // Labels, wrapped over at most two lines.
    let mut label_lines: Vec<Vec<Span>> = vec![Vec::new()];
    let mut used = 0usize;
    for (k, v) in &a.labels {
        let key = format!("{k}=");
        let val = format::truncate(v, w.saturating_sub(format::width(&key) + 1).max(1));
        let pw = format::width(&key) + format::width(&val) + 1;
        if used > 0 && used + pw > w {
            if label_lines.len() == 2 {
                break;
            }
            label_lines.push(Vec::new());
            used = 0;
        }
        let cur = label_lines.last_mut().expect("never empty");
        cur.push(Span::styled(key, theme.muted));
        cur.push(Span::raw(val));
        cur.push(Span::raw(" "));
        used += pw;
    }
    lines.extend(label_lines.into_iter().map(Line::from));

    for (k, v) in &a.annotations {
        let key = format!("{k}: ");
        let val = format::truncate(v, w.saturating_sub(format::width(&key)));
        lines.push(Line::from(vec![
            Span::styled(key, theme.header),
            Span::raw(val),
        ]));
    }
    for (i, line) in lines.iter().enumerate() {
        put(buf, inner, inner.y + i as u16, line);
    }
}

/// `silenced by <id> on <am> · created by bob` and `ends … · “comment”`, from the silence store.
fn silence_lines<'a>(model: &Model, id: &str) -> Vec<Line<'a>> {
    let theme = &model.theme;
    match model.silences.get(id) {
        Some(s) => vec![
            Line::from(vec![
                Span::styled("silenced", theme.accent),
                Span::styled(format!(" by {id} on {}", s.source), theme.muted),
                Span::styled(format!(" · created by {}", s.created_by), theme.text),
            ]),
            Line::from(vec![
                Span::styled(
                    format!(
                        "  ends {} ({})",
                        format::utc(s.ends_at),
                        format::relative(model.now, s.ends_at)
                    ),
                    theme.muted,
                ),
                Span::styled(format!(" · “{}”", format::one_line(&s.comment)), theme.text),
            ]),
        ],
        None => vec![widgets::muted(
            theme,
            format!("silenced by {id} (silence details not loaded)"),
        )],
    }
}

fn group_footer(model: &Model, g: &GroupRow, area: Rect, buf: &mut Buffer) {
    let theme = &model.theme;
    let inner = widgets::draw_pane(buf, area, widgets::pane(theme, " Group ".into(), false));
    let mut first = vec![Span::styled(g.key.clone(), theme.header)];
    first.push(Span::styled(
        format!(
            " · {} alert{}, {} firing",
            g.count,
            if g.count == 1 { "" } else { "s" },
            g.firing
        ),
        theme.muted,
    ));
    if g.firing > 0 {
        first.push(Span::styled(" · worst ", theme.muted));
        first.push(widgets::severity_badge(theme, g.worst));
    }
    put(buf, inner, inner.y, &Line::from(first));
    let what = if g.collapsed { "expand" } else { "collapse" };
    let mut hint = format!("{} {what}", model.keymap.hint(Action::Enter));
    if crate::model::permissions::can_silence(model) {
        hint.push_str(&format!(
            " · {} silence the whole group",
            model.keymap.hint(Action::Silence)
        ));
    }
    put(buf, inner, inner.y + 1, &widgets::muted(theme, hint));
}
