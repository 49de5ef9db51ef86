//! The three tables of the Kubernetes screen, and the styles that carry meaning in them
//! (a stuck rollout and a crashlooping pod in the critical style).

use crate::config::theme::Theme;
use crate::kube::problems::ProblemWeight;
use crate::kube::status::RolloutPhase;
use crate::model::Model;
use crate::model::kube_view::{ArgoOwner, PodRow, WorkloadRow};
use crate::model::ui::Screen;
use crate::ui::RenderState;
use crate::ui::format::{self, NONE};
use crate::ui::widgets::columns::{self, Col, RowBuilder};
use crate::ui::widgets::{self, put, selectable_row};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::Line;

const WORKLOAD_COLS: [Col; 11] = [
    Col::fixed("KIND", 10, 5),
    Col::flex("NAMESPACE", 9, 14, 3),
    Col::flex("NAME", 10, 28, 0),
    Col::fixed("READY", 5, 0),
    Col::fixed("UPDATED", 7, 6),
    Col::fixed("AVAIL", 5, 7),
    Col::fixed("REV", 4, 4).right(),
    Col::flex("IMAGES", 10, 24, 8),
    Col::fixed("AGE", 4, 2).right(),
    Col::flex("ROLLOUT", 32, 90, 0),
    Col::flex("SERVICE", 8, 16, 1),
];

const POD_COLS: [Col; 7] = [
    Col::flex("NAMESPACE", 9, 16, 3),
    Col::flex("NAME", 16, 48, 0),
    Col::fixed("READY", 5, 0),
    Col::flex("STATUS", 10, 26, 0),
    Col::fixed("RESTARTS", 8, 0).right(),
    Col::fixed("AGE", 4, 2).right(),
    Col::flex("NODE", 8, 24, 1),
];

const EVENT_COLS: [Col; 4] = [
    Col::fixed("LAST SEEN", 9, 1).right(),
    Col::flex("OBJECT", 14, 40, 0),
    Col::flex("REASON", 8, 22, 0),
    Col::flex("MESSAGE", 20, 200, 0),
];

pub fn rollout_style(theme: &Theme, phase: RolloutPhase) -> Style {
    match phase {
        RolloutPhase::Stuck => theme.critical,
        RolloutPhase::Paused => theme.warning,
        RolloutPhase::Rolling => theme.info,
        RolloutPhase::Complete => theme.ok,
    }
}

pub fn pod_status_style(theme: &Theme, row: &PodRow) -> Style {
    match row.problem.as_ref().map(|p| p.weight) {
        Some(ProblemWeight::Broken) => theme.critical,
        Some(ProblemWeight::Degraded) => theme.warning,
        None if row.pod.phase == "Running" || row.pod.phase == "Succeeded" => theme.ok,
        None => theme.muted,
    }
}

fn age(model: &Model, t: Option<chrono::DateTime<chrono::Utc>>) -> String {
    t.map(|t| format::age(model.now, t))
        .unwrap_or_else(|| NONE.to_string())
}

/// Image references without their registry: `checkout:v2.14.0`.
pub fn short_images(images: &[String]) -> String {
    images
        .iter()
        .map(|i| i.rsplit('/').next().unwrap_or(i))
        .collect::<Vec<_>>()
        .join(",")
}

/// A table's empty state: why there is nothing (a filter, a namespace, a drill-down).
fn empty_text(model: &Model, what: &str) -> String {
    let s = &model.kube_screen;
    let filter = model.filter(Screen::Kube);
    if !filter.is_empty() {
        format!(" No {what} matches “{}”.", format::truncate(filter, 40))
    } else if let Some(k) = &s.drilled {
        format!(" No {what} for {}.", k.kubectl_name())
    } else if let Some(why) = nothing_listed(model) {
        // Never "No workload" for a cluster that has shown nothing yet.
        format!(" Unknown: {why}.")
    } else if let Some(ns) = &s.namespace {
        format!(" No {what} in namespace {ns}.")
    } else {
        format!(" No {what}.")
    }
}

/// Why the current cluster has shown nothing at all yet, if it has not.
fn nothing_listed(model: &Model) -> Option<String> {
    let cluster = crate::model::kube_view::current_cluster(model)?;
    match model.kube.clusters.get(&cluster) {
        Some(c) if !c.synced.is_empty() => None,
        _ => Some(format!("nothing listed from {cluster} yet")),
    }
}

/// One of the screen's lists: its columns, its rows, the selected one, what a row is called.
struct Table<'a, T> {
    cols: &'a [Col],
    rows: &'a [T],
    selected: usize,
    what: &'a str,
}

/// The header, then the visible rows of a list.
fn table<T>(
    model: &Model,
    area: Rect,
    buf: &mut Buffer,
    t: Table<'_, T>,
    viewport: &mut crate::ui::Viewport,
    line: impl Fn(&T, &[u16], bool) -> Line<'static>,
) {
    let Table {
        cols,
        rows,
        selected,
        what,
    } = t;
    let theme = &model.theme;
    if area.height < 2 {
        return;
    }
    let widths = columns::table_header(buf, area, cols, theme);
    let list = Rect {
        y: area.y + 1,
        height: area.height - 1,
        ..area
    };
    if rows.is_empty() {
        put(
            buf,
            list,
            list.y,
            &widgets::muted(theme, empty_text(model, what)),
        );
        return;
    }
    let window = viewport.window(selected, rows.len(), usize::from(list.height));
    for (i, idx) in window.clone().enumerate() {
        let Some(row) = rows.get(idx) else { continue };
        let is_sel = idx == selected;
        let l = line(row, &widths, is_sel);
        selectable_row(buf, theme, list, list.y + i as u16, &l, is_sel, true);
    }
    let outer = Rect {
        y: area.y,
        height: area.height + 1,
        ..area
    };
    widgets::scroll_note(buf, theme, outer, &window, rows.len());
}

/// Rows below the table for the selected row's full text, when the pane is tall enough.
fn footer_height(area: Rect) -> u16 {
    if area.height >= 16 { 3 } else { 0 }
}

pub fn workloads(model: &Model, state: &mut RenderState, area: Rect, buf: &mut Buffer) {
    let s = &model.kube_screen;
    let theme = &model.theme;
    let foot = footer_height(area);
    let table_area = Rect {
        height: area.height - foot,
        ..area
    };
    let selected = s.workloads_cursor.selected;
    table(
        model,
        table_area,
        buf,
        Table {
            cols: &WORKLOAD_COLS,
            rows: &s.workloads,
            selected,
            what: "workload",
        },
        &mut state.kube_workloads,
        |r: &WorkloadRow, widths, is_sel| workload_line(model, r, widths, is_sel),
    );
    if foot > 0
        && let Some(r) = s.selected_workload()
    {
        let y = table_area.bottom();
        let w = usize::from(area.width);
        let status = format::wrap(&r.status.text, w.saturating_sub(1), 2);
        let mut lines: Vec<Line> = status
            .into_iter()
            .map(|t| Line::styled(format!(" {t}"), rollout_style(theme, r.status.phase)))
            .collect();
        let mut info = format!(
            " {} · images {}",
            r.workload.key.kubectl_name(),
            short_images(&r.workload.images)
        );
        match &r.argo {
            Some(ArgoOwner::App(app)) => info.push_str(&format!(" · Argo CD app {}", app.name)),
            Some(ArgoOwner::Unloaded(app)) => {
                info.push_str(&format!(" · Argo CD app {app} (not loaded)"))
            }
            Some(ArgoOwner::Ambiguous(apps)) => info.push_str(&format!(
                " · Argo CD (which app is unknown: {})",
                apps.join(", ")
            )),
            None => {}
        }
        if let Some(p) = s.in_flight.values().find(|p| p.target == r.workload.key) {
            info.push_str(&format!(
                " · {}{} in flight",
                if p.dry_run { "dry run of " } else { "" },
                p.action.describe()
            ));
        }
        lines.push(Line::styled(info, theme.muted));
        for (i, l) in lines.iter().take(usize::from(foot)).enumerate() {
            put(buf, area, y + i as u16, l);
        }
    }
}

fn workload_line(model: &Model, r: &WorkloadRow, widths: &[u16], selected: bool) -> Line<'static> {
    let theme = &model.theme;
    let w = &r.workload;
    let ready = format!("{}/{}", w.ready, w.desired);
    let ready_style = if w.ready < w.desired {
        theme.warning
    } else {
        theme.ok
    };
    let revision = w
        .revision
        .map(|r| r.to_string())
        .unwrap_or_else(|| NONE.to_string());
    // kubectl's sentence without the name the row already shows.
    let mut status = r
        .status
        .text
        .replace(&format!("{} \"{}\" ", w.key.kind.noun(), w.key.name), "");
    if w.paused {
        status = format!("PAUSED · {status}");
    }
    let line = RowBuilder::new(&WORKLOAD_COLS, widths)
        .prefix(widgets::marker(theme, selected))
        .cell(w.key.kind.api_kind(), theme.muted)
        .cell(&w.key.namespace, theme.muted)
        .cell(&w.key.name, Style::default())
        .cell(&ready, ready_style)
        .cell(&w.updated.to_string(), Style::default())
        .cell(&w.available.to_string(), Style::default())
        .cell(&revision, theme.accent)
        .cell(&short_images(&w.images), theme.muted)
        .cell(&age(model, w.created), theme.muted)
        .cell(&status, rollout_style(theme, r.status.phase))
        .cell(r.service.as_deref().unwrap_or(NONE), Style::default())
        .build();
    owned(line)
}

pub fn pods(model: &Model, state: &mut RenderState, area: Rect, buf: &mut Buffer) {
    let s = &model.kube_screen;
    let theme = &model.theme;
    let foot = footer_height(area);
    let table_area = Rect {
        height: area.height - foot,
        ..area
    };
    table(
        model,
        table_area,
        buf,
        Table {
            cols: &POD_COLS,
            rows: &s.pods,
            selected: s.pods_cursor.selected,
            what: "pod",
        },
        &mut state.kube_pods,
        |r: &PodRow, widths, is_sel| pod_line(model, r, widths, is_sel),
    );
    if foot > 0
        && let Some(r) = s.selected_pod()
        && let Some(p) = &r.problem
    {
        let y = table_area.bottom();
        let mut text = p.reason.clone();
        if let Some(c) = &p.container {
            text = format!("{text} in container {c}");
        }
        if !p.message.is_empty() {
            text = format!("{text}: {}", format::one_line(&p.message));
        }
        let lines = format::wrap(&text, usize::from(area.width).saturating_sub(1), 3);
        for (i, l) in lines.iter().enumerate() {
            put(
                buf,
                area,
                y + i as u16,
                &Line::styled(format!(" {l}"), pod_status_style(theme, r)),
            );
        }
    }
}

fn pod_line(model: &Model, r: &PodRow, widths: &[u16], selected: bool) -> Line<'static> {
    let theme = &model.theme;
    let p = &r.pod;
    let restarts = p.restarts();
    let restart_style = if restarts >= crate::kube::problems::RESTARTS_WORTH_SAYING {
        theme.warning
    } else {
        Style::default()
    };
    let line = RowBuilder::new(&POD_COLS, widths)
        .prefix(widgets::marker(theme, selected))
        .cell(&p.key.namespace, theme.muted)
        .cell(&p.key.name, Style::default())
        .cell(&p.ready_text(), Style::default())
        .cell(r.status_word(), pod_status_style(theme, r))
        .cell(&restarts.to_string(), restart_style)
        .cell(&age(model, p.created), theme.muted)
        .cell(if p.node.is_empty() { NONE } else { &p.node }, theme.muted)
        .build();
    owned(line)
}

pub fn events(model: &Model, state: &mut RenderState, area: Rect, buf: &mut Buffer) {
    let s = &model.kube_screen;
    let theme = &model.theme;
    let foot = footer_height(area);
    let table_area = Rect {
        height: area.height - foot,
        ..area
    };
    if foot > 0
        && let Some(e) = s.events.get(s.events_cursor.selected)
    {
        let text = format!(
            "{} {}/{}: {}",
            e.reason,
            e.object_kind.to_lowercase(),
            e.object_name,
            format::one_line(&e.message)
        );
        let lines = format::wrap(&text, usize::from(area.width).saturating_sub(1), 3);
        for (i, l) in lines.iter().enumerate() {
            put(
                buf,
                area,
                table_area.bottom() + i as u16,
                &Line::styled(format!(" {l}"), theme.warning),
            );
        }
    }
    table(
        model,
        table_area,
        buf,
        Table {
            cols: &EVENT_COLS,
            rows: &s.events,
            selected: s.events_cursor.selected,
            what: "warning event",
        },
        &mut state.kube_events,
        |e, widths, is_sel| {
            let object = format!("{}/{}", e.object_kind.to_lowercase(), e.object_name);
            let mut message = format::one_line(&e.message);
            if e.count > 1 {
                message = format!("{message} (x{})", e.count);
            }
            owned(
                RowBuilder::new(&EVENT_COLS, widths)
                    .prefix(widgets::marker(theme, is_sel))
                    .cell(&age(model, e.last_seen.or(e.first_seen)), theme.muted)
                    .cell(&object, Style::default())
                    .cell(&e.reason, theme.warning)
                    .cell(&message, Style::default())
                    .build(),
            )
        },
    );
}

/// A line that borrows nothing (rows are built from temporaries).
fn owned(line: Line<'_>) -> Line<'static> {
    Line::from(
        line.spans
            .into_iter()
            .map(|s| ratatui::text::Span::styled(s.content.into_owned(), s.style))
            .collect::<Vec<_>>(),
    )
}
