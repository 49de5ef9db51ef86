//! The resource tree of one app: unhealthy subtrees first, children indented under their
//! parent, each with its health, message, `info` and images. Ordered (by the model's
//! `tree_rows`, bounded in nodes) for the open app only; `Enter` on a row shows it in full.

use crate::model::Model;
use crate::model::app::{App, AppDetail, HealthStatus, TreeNode};
use crate::model::app_view::{AppPane, tree_rows};
use crate::ui::Viewport;
use crate::ui::argocd;
use crate::ui::format::NONE;
use crate::ui::widgets::columns::{self, Col, RowBuilder};
use crate::ui::widgets::{self, put, selectable_row};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

const TREE_COLS: [Col; 3] = [
    Col::flex("RESOURCE", 24, 56, 0),
    Col::fixed("HEALTH", 11, 0),
    Col::flex("DETAIL", 10, u16::MAX, 1),
];

pub(super) fn draw(
    model: &Model,
    viewport: &mut Viewport,
    app: &App,
    detail: Option<&AppDetail>,
    area: Rect,
    buf: &mut Buffer,
) {
    let theme = &model.theme;
    let focus = super::detail::pane_focus(model, AppPane::Resources);
    let mut title = vec![Span::raw(" Resources ")];
    let (rows, unhealthy) = match detail {
        Some(d) => tree_rows(&d.tree, usize::MAX),
        None => (Vec::new(), 0),
    };
    if let Some(d) = detail {
        title.push(Span::raw(format!("{} ", d.tree.len())));
        if unhealthy > 0 {
            title.push(Span::styled(
                format!("· {unhealthy} unhealthy "),
                theme.critical,
            ));
        }
        title.push(Span::styled("· unhealthy first ", theme.muted));
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
    let mut y = inner.y;
    if let Some(err) = &d.error {
        put(
            buf,
            inner,
            y,
            &Line::from(Span::styled(
                format!(" ✗ {}", argocd::one_line(err)),
                theme.critical,
            )),
        );
        y += 1;
    } else if d.resource_version != app.resource_version && !d.resource_version.is_empty() {
        put(
            buf,
            inner,
            y,
            &widgets::muted(
                theme,
                " the app changed since this was fetched: refreshing…",
            ),
        );
        y += 1;
    }
    if d.tree.is_empty() {
        if d.error.is_none() {
            put(buf, inner, y, &widgets::muted(theme, " no resources"));
        }
        return;
    }
    let widths = columns::layout(&TREE_COLS, inner.width.saturating_sub(1));
    put(
        buf,
        inner,
        y,
        &columns::header(&TREE_COLS, &widths, 1, theme.header),
    );
    y += 1;
    let list = Rect {
        y,
        height: inner.bottom().saturating_sub(y),
        ..inner
    };
    let selected = focus.unwrap_or(0);
    let window = viewport.window(selected, rows.len(), usize::from(list.height));
    widgets::scroll_note(buf, theme, area, &window, rows.len());
    for (row, i) in window.enumerate() {
        let (depth, node) = rows[i];
        let is_sel = focus == Some(i);
        let line = tree_row(model, depth, node, &widths, is_sel);
        selectable_row(buf, theme, list, list.y + row as u16, &line, is_sel, true);
    }
}

fn tree_row<'a>(
    model: &Model,
    depth: usize,
    n: &'a TreeNode,
    widths: &'a [u16],
    selected: bool,
) -> Line<'a> {
    let theme = &model.theme;
    let indent = if depth == 0 {
        String::new()
    } else {
        format!("{}└ ", "  ".repeat(depth.min(8) - 1))
    };
    let name = format!("{indent}{}/{}", n.kind, n.name);
    let (health, health_style) = match n.health {
        Some(h) => (h.word(), argocd::health_style(theme, h)),
        None => (NONE, theme.muted),
    };
    let mut detail: Vec<(String, Style)> = Vec::new();
    if !n.health_message.is_empty() {
        detail.push((argocd::one_line(&n.health_message), Style::default()));
    }
    for (k, v) in n.info.iter().take(3) {
        if !detail.is_empty() {
            detail.push((" · ".to_string(), theme.muted));
        }
        detail.push((format!("{k}: {v}"), theme.muted));
    }
    for img in n.images.iter().take(2) {
        if !detail.is_empty() {
            detail.push((" · ".to_string(), theme.muted));
        }
        detail.push((img.clone(), theme.accent));
    }
    let unhealthy = n
        .health
        .is_some_and(|h| h != HealthStatus::Healthy && h != HealthStatus::Unknown);
    RowBuilder::new(&TREE_COLS, widths)
        .prefix(widgets::marker(theme, selected))
        .cell(
            &name,
            if unhealthy {
                Style::default()
            } else {
                theme.text
            },
        )
        .cell(health, health_style)
        .spans(&detail)
        .build()
}
