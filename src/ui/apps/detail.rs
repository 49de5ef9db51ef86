//! One app in detail: what it is and where it deploys (header), its resource tree (`tree.rs`),
//! its history (newest first) and its Kubernetes events (warnings
//! first). Tree and events come from `Model::app_details`; until they arrive it says so.

use crate::model::Model;
use crate::model::app::{App, AppDetail, AppKey, KubeEvent, OperationPhase};
use crate::model::app_view::{AppPane, events_in_order, is_warning};
use crate::ui::RenderState;
use crate::ui::Viewport;
use crate::ui::argocd;
use crate::ui::format::{self, NONE};
use crate::ui::widgets::columns::{self, Col, RowBuilder};
use crate::ui::widgets::{self, put, selectable_row};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

const LABEL_W: usize = 12;

const HISTORY_COLS: [Col; 5] = [
    Col::fixed("ID", 4, 0).right(),
    Col::flex("REVISION", 8, 20, 0),
    Col::fixed("DEPLOYED (UTC)", 14, 2),
    Col::flex("BY", 8, 18, 1),
    Col::fixed("", 7, 0),
];

const EVENT_COLS: [Col; 6] = [
    Col::fixed("TYPE", 7, 0),
    Col::fixed("AGE", 4, 3).right(),
    Col::flex("OBJECT", 12, 36, 2),
    Col::flex("REASON", 8, 20, 4),
    Col::fixed("COUNT", 5, 5).right(),
    Col::flex("MESSAGE", 12, u16::MAX, 1),
];

pub(super) fn draw(
    model: &Model,
    state: &mut RenderState,
    key: &AppKey,
    area: Rect,
    buf: &mut Buffer,
) {
    let theme = &model.theme;
    let Some(app) = model.apps.get(key) else {
        let inner = widgets::draw_pane(
            buf,
            area,
            widgets::pane(theme, Line::from(format!(" {key} ")), true),
        );
        put(
            buf,
            inner,
            inner.y,
            &Line::from(Span::styled(
                format!("{key} is no longer on Argo CD (deleted, or this token lost access)."),
                theme.warning,
            )),
        );
        return;
    };
    let detail = model.app_details.get(key);

    let wide = area.width >= 100;
    let fields = header_fields(model, app);
    let per_row = if wide { 2 } else { 1 };
    let header_rows = fields.len().div_ceil(per_row) as u16;
    let header_h = (header_rows + 2).min((area.height / 3).max(3));
    let header = Rect {
        height: header_h,
        ..area
    };
    draw_header(model, app, &fields, per_row, header, buf);

    let rest = Rect {
        y: header.bottom(),
        height: area.height.saturating_sub(header_h),
        ..area
    };
    if rest.height < 3 {
        return;
    }
    let history_want = app.history.len().min(8) as u16 + 3;
    if wide {
        let tree_w = rest.width * 55 / 100;
        let tree = Rect {
            width: tree_w,
            ..rest
        };
        let right = Rect {
            x: tree.right(),
            width: rest.width - tree_w,
            ..rest
        };
        let history_h = history_want
            .clamp(4, (right.height / 2).max(4))
            .min(right.height);
        super::tree::draw(model, &mut state.app_tree, app, detail, tree, buf);
        draw_history(
            model,
            &mut state.app_history,
            app,
            Rect {
                height: history_h,
                ..right
            },
            buf,
        );
        draw_events(
            model,
            &mut state.app_events,
            detail,
            Rect {
                y: right.y + history_h,
                height: right.height - history_h,
                ..right
            },
            buf,
        );
    } else {
        let tree_h = (rest.height / 2).max(3).min(rest.height);
        let history_h = history_want
            .min((rest.height - tree_h) / 2)
            .max(3.min(rest.height - tree_h));
        let tree = Rect {
            height: tree_h,
            ..rest
        };
        let history = Rect {
            y: tree.bottom(),
            height: history_h,
            ..rest
        };
        let events = Rect {
            y: history.bottom(),
            height: rest.height - tree_h - history_h,
            ..rest
        };
        super::tree::draw(model, &mut state.app_tree, app, detail, tree, buf);
        draw_history(model, &mut state.app_history, app, history, buf);
        draw_events(model, &mut state.app_events, detail, events, buf);
    }
}

/// The header's fields, most important first (a short terminal shows the first ones).
fn header_fields<'a>(model: &Model, app: &'a App) -> Vec<(&'static str, Vec<Span<'a>>)> {
    let theme = &model.theme;
    let mut fields: Vec<(&'static str, Vec<Span>)> = Vec::with_capacity(9);
    let mut health = vec![Span::styled(
        app.health.word(),
        argocd::health_style(theme, app.health),
    )];
    if !app.health_message.is_empty() {
        health.push(Span::raw(format!(
            ": {}",
            argocd::one_line(&app.health_message)
        )));
    }
    fields.push(("Health", health));
    fields.push((
        "Sync",
        vec![
            Span::styled(app.sync.word(), argocd::sync_style(theme, app.sync)),
            Span::styled("  running ", theme.muted),
        ]
        .into_iter()
        .chain(argocd::revision_spans(theme, app))
        .collect(),
    ));
    let auto = if argocd::reminder(model, &app.key) {
        vec![Span::styled(
            format!(
                "{} {}",
                argocd::AUTOSYNC_OFF_GLYPH,
                argocd::AUTOSYNC_OFF_SHORT
            ),
            theme.warning,
        )]
    } else if app.auto_sync {
        vec![Span::raw("on")]
    } else {
        vec![Span::raw("off")]
    };
    fields.push(("Auto-sync", auto));
    let op = match &app.operation {
        Some(o) => {
            let mut spans = vec![Span::styled(
                argocd::phase_word(o.phase),
                argocd::phase_style(theme, o.phase),
            )];
            if !o.message.is_empty() {
                spans.push(Span::raw(format!(": {}", argocd::one_line(&o.message))));
            }
            let mut when = String::new();
            if let Some(t) = o.finished_at.or(o.started_at) {
                let verb = if o.finished_at.is_some() {
                    "finished"
                } else {
                    "started"
                };
                when.push_str(&format!("  {verb} {} ago", format::age(model.now, t)));
            }
            let by = argocd::initiator(&o.initiated_by, o.automated);
            if by != NONE {
                when.push_str(&format!(" by {by}"));
            }
            spans.push(Span::styled(when, theme.muted));
            if o.phase != OperationPhase::Succeeded && !o.failed_resources.is_empty() {
                spans.push(Span::styled(
                    format!("  {} resource(s) failed", o.failed_resources.len()),
                    theme.critical,
                ));
            }
            spans
        }
        None => vec![Span::styled(NONE, theme.muted)],
    };
    fields.push(("Operation", op));
    fields.push((
        "Target",
        vec![Span::styled(
            if app.target_revisions.is_empty() {
                "HEAD".to_string()
            } else {
                app.target_revisions.join(", ")
            },
            theme.accent,
        )],
    ));
    let source = if app.multi_source || app.repo_urls.len() > 1 {
        format!(
            "{}: {}",
            format::plural(app.repo_urls.len(), "source"),
            app.repo_urls.join(", ")
        )
    } else {
        app.repo_urls
            .first()
            .cloned()
            .unwrap_or_else(|| NONE.to_string())
    };
    fields.push(("Source", vec![Span::raw(source)]));
    let dest = match (
        app.destination_server.is_empty(),
        app.destination_namespace.is_empty(),
    ) {
        (true, true) => NONE.to_string(),
        (false, true) => app.destination_server.clone(),
        (true, false) => format!("namespace {}", app.destination_namespace),
        (false, false) => format!(
            "{}  namespace {}",
            app.destination_server, app.destination_namespace
        ),
    };
    fields.push(("Destination", vec![Span::raw(dest)]));
    fields.push(("Project", vec![Span::raw(app.project.clone())]));
    let reconciled = app
        .reconciled_at
        .map(|t| format!("{} ago", format::age(model.now, t)))
        .unwrap_or_else(|| NONE.to_string());
    fields.push(("Reconciled", vec![Span::styled(reconciled, theme.muted)]));
    fields
}

fn draw_header(
    model: &Model,
    app: &App,
    fields: &[(&'static str, Vec<Span<'_>>)],
    per_row: usize,
    area: Rect,
    buf: &mut Buffer,
) {
    let theme = &model.theme;
    let title = Line::from(vec![
        Span::raw(" "),
        Span::raw(format::truncate(&app.key.to_string(), 80)),
        Span::raw(" "),
    ]);
    let inner = widgets::draw_pane(buf, area, widgets::pane(theme, title, true));
    if inner.is_empty() {
        return;
    }
    let col_w = inner.width / per_row as u16;
    for (i, (label, value)) in fields.iter().enumerate() {
        let row = (i / per_row) as u16;
        let col = (i % per_row) as u16;
        if row >= inner.height {
            break;
        }
        let cell = Rect::new(
            inner.x + col * col_w,
            inner.y + row,
            if col + 1 == per_row as u16 {
                inner.width - col * col_w
            } else {
                col_w.saturating_sub(1)
            },
            1,
        );
        let line = widgets::field(theme, label, LABEL_W, value.clone());
        put(buf, cell, cell.y, &line);
    }
}

/// Whether `pane` of the open app has the keyboard, and its cursor.
pub(super) fn pane_focus(model: &Model, pane: AppPane) -> Option<usize> {
    (model.app_pane == pane).then_some(model.app_pane_cursor.selected)
}

fn draw_history(model: &Model, viewport: &mut Viewport, app: &App, area: Rect, buf: &mut Buffer) {
    let theme = &model.theme;
    let focus = pane_focus(model, AppPane::History);
    let title = Line::from(format!(" History {} · newest first ", app.history.len()));
    let inner = widgets::draw_pane(buf, area, widgets::pane(theme, title, focus.is_some()));
    if inner.is_empty() {
        return;
    }
    if app.history.is_empty() {
        put(
            buf,
            inner,
            inner.y,
            &widgets::muted(theme, " no history yet"),
        );
        return;
    }
    let widths = columns::table_header(buf, inner, &HISTORY_COLS, theme);
    let list = Rect {
        y: inner.y + 1,
        height: inner.height.saturating_sub(1),
        ..inner
    };
    let current_id = app.current_history().map(|h| h.id);
    let n = app.history.len();
    let selected = focus.unwrap_or(0);
    let window = viewport.window(selected, n, usize::from(list.height));
    widgets::scroll_note(buf, theme, area, &window, n);
    for (row, i) in window.enumerate() {
        let Some(h) = app.history.iter().rev().nth(i) else {
            continue;
        };
        let current = Some(h.id) == current_id;
        let deployed = h
            .deployed_at
            .map(|t| {
                format!(
                    "{:<11}{:>3}",
                    crate::ui::deploys::when(model.now, t),
                    format::age(model.now, t)
                )
            })
            .unwrap_or_else(|| NONE.to_string());
        let is_sel = focus == Some(i);
        let line = RowBuilder::new(&HISTORY_COLS, &widths)
            .prefix(widgets::marker(theme, is_sel))
            .cell(&h.id.to_string(), theme.muted)
            .cell(&argocd::short_rev(&h.revision), theme.accent)
            .cell(&deployed, Style::default())
            .cell(
                &argocd::initiator(&h.initiated_by, h.automated),
                theme.muted,
            )
            .cell(
                if current { "current" } else { "" },
                if current { theme.info } else { theme.muted },
            )
            .build();
        selectable_row(buf, theme, list, list.y + row as u16, &line, is_sel, true);
    }
}

fn draw_events(
    model: &Model,
    viewport: &mut Viewport,
    detail: Option<&AppDetail>,
    area: Rect,
    buf: &mut Buffer,
) {
    let theme = &model.theme;
    if area.height < 3 {
        return;
    }
    let focus = pane_focus(model, AppPane::Events);
    let mut title = vec![Span::raw(" Events ")];
    let warnings = detail
        .map(|d| d.events.iter().filter(|e| is_warning(e)).count())
        .unwrap_or(0);
    if let Some(d) = detail {
        title.push(Span::raw(format!("{} ", d.events.len())));
        if warnings > 0 {
            title.push(Span::styled(
                format!("· {} ", format::plural(warnings, "warning")),
                theme.warning,
            ));
        }
    }
    let inner = widgets::draw_pane(
        buf,
        area,
        widgets::pane(theme, Line::from(title), focus.is_some()),
    );
    if inner.is_empty() {
        return;
    }
    let Some(d) = detail else {
        put(buf, inner, inner.y, &widgets::muted(theme, " loading…"));
        return;
    };
    if d.events.is_empty() {
        let text = if d.error.is_some() {
            " unavailable (see the error above)"
        } else {
            " no events"
        };
        put(buf, inner, inner.y, &widgets::muted(theme, text));
        return;
    }
    let widths = columns::table_header(buf, inner, &EVENT_COLS, theme);
    let list = Rect {
        y: inner.y + 1,
        height: inner.height.saturating_sub(1),
        ..inner
    };
    // Warnings first, then the most recent; only the shown ones are formatted.
    let order = events_in_order(d);
    let selected = focus.unwrap_or(0);
    let window = viewport.window(selected, order.len(), usize::from(list.height));
    widgets::scroll_note(buf, theme, area, &window, order.len());
    for (row, i) in window.enumerate() {
        let is_sel = focus == Some(i);
        let line = event_row(model, &d.events[order[i]], &widths, is_sel);
        selectable_row(buf, theme, list, list.y + row as u16, &line, is_sel, true);
    }
}

fn event_row<'a>(model: &Model, e: &'a KubeEvent, widths: &'a [u16], selected: bool) -> Line<'a> {
    let theme = &model.theme;
    let warning = is_warning(e);
    let age = e
        .last_seen
        .map(|t| format::age(model.now, t))
        .unwrap_or_else(|| NONE.to_string());
    let count = if e.count > 1 {
        format!("×{}", e.count)
    } else {
        String::new()
    };
    RowBuilder::new(&EVENT_COLS, widths)
        .prefix(widgets::marker(theme, selected))
        .cell(
            if e.event_type.is_empty() {
                NONE
            } else {
                &e.event_type
            },
            if warning { theme.warning } else { theme.muted },
        )
        .cell(&age, theme.muted)
        .cell(&format!("{}/{}", e.kind, e.name), Style::default())
        .cell(&e.reason, if warning { theme.warning } else { theme.text })
        .cell(&count, theme.muted)
        .cell(&argocd::one_line(&e.message), Style::default())
        .build()
}
