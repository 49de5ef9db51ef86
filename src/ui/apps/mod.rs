//! The Apps screen: every Argo CD application (filtered and sorted by the model), and with
//! `Enter` the detail of one: header, resource tree, history and events.

mod detail;
mod tree;

use crate::action::Action;
use crate::model::app::{App, AppKey};
use crate::model::coverage::Domain;
use crate::model::permissions::has_source;
use crate::model::source::{SourceKind, SourceState};
use crate::model::ui::Screen;
use crate::model::{AppsSort, Model};
use crate::screens::Hints;
use crate::ui::argocd;
use crate::ui::coverage;
use crate::ui::format::{self, NONE};
use crate::ui::placeholders;
use crate::ui::widgets::columns::{self, Col, RowBuilder};
use crate::ui::widgets::{self, put, selectable_row};
use crate::ui::{RenderState, chrome};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

const COLS: [Col; 10] = [
    Col::flex("INSTANCE", 8, 14, 6),
    Col::flex("APP", 14, 48, 0),
    Col::flex("PROJECT", 7, 12, 5),
    Col::fixed("HEALTH", 11, 0),
    Col::fixed("SYNC", 9, 0),
    Col::flex("OPERATION", 9, 11, 3),
    Col::flex("REVISION", 8, 12, 2),
    Col::fixed("DEPLOYED", 8, 2).right(),
    Col::fixed("AUTO-SYNC", 12, 1),
    Col::flex("SERVICE", 8, 12, 4),
];
const INSTANCE_COL: usize = 0;
const APP_COL: usize = 1;
const PROJECT_COL: usize = 2;
const REVISION_COL: usize = 6;
const SERVICE_COL: usize = 9;

fn sort_word(s: AppsSort) -> &'static str {
    match s {
        AppsSort::Health => "health",
        AppsSort::Sync => "sync",
        AppsSort::Age => "last deploy",
        AppsSort::Name => "name",
    }
}

/// The status-line hints of the Apps screen (the list, or the open app).
pub fn hints(model: &Model, h: &mut Hints) {
    let k = |a: Action| model.keymap.hint(a);
    if !has_source(model, SourceKind::Argocd) {
        h.push((4, format!("{} command", k(Action::Command))));
        return;
    }
    if model.app_open.is_some() {
        h.push((7, format!("{} back", k(Action::Back))));
        h.push((5, format!("{} pane", k(Action::NextPane))));
        h.push((4, format!("{} details", k(Action::Enter))));
    } else {
        h.push((5, format!("{} filter", k(Action::Filter))));
        if !model.apps_view.is_empty() {
            h.push((6, format!("{} open", k(Action::Enter))));
        }
    }
    let has_app = model.app_open.is_some() || !model.apps_view.is_empty();
    if crate::model::permissions::argo_writable(model) && has_app {
        h.push((4, format!("{} rollback", k(Action::Rollback))));
        h.push((3, format!("{} sync", k(Action::Sync))));
    }
}

pub fn draw(model: &Model, state: &mut RenderState, area: Rect, buf: &mut Buffer) {
    if !has_source(model, SourceKind::Argocd) {
        placeholders::apps(model, area, buf);
        return;
    }
    match &model.app_open {
        Some(key) => detail::draw(model, state, key, area, buf),
        None => table(model, state, area, buf),
    }
}

fn table(model: &Model, state: &mut RenderState, area: Rect, buf: &mut Buffer) {
    let theme = &model.theme;
    let filter = model.filter(Screen::Apps);
    let view = &model.apps_view;
    let mut title = vec![Span::raw(if filter.is_empty() {
        format!(" Apps {} ", view.len())
    } else {
        format!(" Apps {}/{} ", view.len(), model.apps.len())
    })];
    if !filter.is_empty() {
        title.push(Span::styled(
            format!("/{} ", format::truncate(filter, 24)),
            theme.accent,
        ));
    }
    title.push(Span::styled(
        format!("· sorted by {} ", sort_word(model.apps_sort)),
        theme.muted,
    ));
    let inner = widgets::draw_pane(buf, area, widgets::pane(theme, Line::from(title), true));
    if inner.is_empty() {
        return;
    }
    let inner = coverage::draw_banner(model, Domain::Apps, inner, buf);
    let mut cols = COLS;
    let instances = model
        .sources
        .iter()
        .filter(|s| s.kind == SourceKind::Argocd)
        .count();
    if instances <= 1 {
        // One instance: the column would say the same on every row.
        cols[INSTANCE_COL] = Col::hidden();
    }
    let list = Rect {
        y: inner.y + 1,
        height: inner.height.saturating_sub(1),
        ..inner
    };
    let selected = model.apps_cursor.selected;
    let window = state
        .apps
        .window(selected, view.len(), usize::from(list.height));
    widen_revisions(model, &mut cols, &view[window.clone()], inner.width);
    let widths = columns::table_header(buf, inner, &cols, theme);
    if view.is_empty() {
        let line = if !model.apps.is_empty() {
            widgets::muted(theme, format!(" No app matches “{filter}”."))
        } else {
            waiting_line(model)
        };
        put(buf, list, list.y, &line);
        return;
    }
    let not_fresh = coverage::not_fresh(model);
    for (row, i) in window.enumerate() {
        let Some(app) = model.apps.get(&view[i]) else {
            continue;
        };
        let is_sel = i == selected;
        let current = coverage::is_current(&not_fresh, std::iter::once(app.key.instance.as_str()));
        let line = app_row(model, app, &cols, &widths, is_sel, current);
        selectable_row(buf, theme, list, list.y + row as u16, &line, is_sel, true);
    }
}

/// Give the REVISION column room for `0765b95 (git 74dd23a)` when a visible row says that:
/// if the pane has the width without cutting an app name or dropping another column, else by
/// giving up the project column (the least telling one), else not at all.
fn widen_revisions(model: &Model, cols: &mut [Col], visible: &[AppKey], width: u16) {
    let apps = || visible.iter().filter_map(|k| model.apps.get(k));
    let want = apps()
        .map(|a| format::width(&argocd::revision_label(a)))
        .max()
        .unwrap_or(0)
        .min(21) as u16;
    let col = cols[REVISION_COL];
    if want <= col.max {
        return;
    }
    let layout = |cols: &[Col]| columns::layout(cols, width.saturating_sub(1));
    let before = layout(cols);
    let names = apps()
        .map(|a| format::width(&name_of(&a.key)))
        .max()
        .unwrap_or(0)
        .min(usize::from(before[APP_COL])) as u16;
    let fits = |ws: &[u16]| {
        ws.iter().zip(&before).all(|(w, b)| (*w > 0) == (*b > 0)) && ws[APP_COL] >= names
    };
    cols[REVISION_COL] = Col::flex(col.title, want, want, col.drop);
    if fits(&layout(cols)) {
        return;
    }
    let project = cols[PROJECT_COL];
    cols[PROJECT_COL] = Col::hidden();
    let ws = layout(cols);
    if ws[APP_COL] >= names
        && ws
            .iter()
            .zip(&before)
            .filter(|(w, b)| **w == 0 && **b > 0)
            .count()
            == 1
    {
        return;
    }
    cols[PROJECT_COL] = project;
    cols[REVISION_COL] = col;
}

/// `name` in the usual `argocd` namespace, `namespace/name` in another (the instance has its
/// own column).
fn name_of(key: &AppKey) -> String {
    if key.namespace == "argocd" || key.namespace.is_empty() {
        key.name.clone()
    } else {
        format!("{}/{}", key.namespace, key.name)
    }
}

/// No apps yet: say why (connecting, failing, or simply none).
fn waiting_line<'a>(model: &Model) -> Line<'a> {
    let theme = &model.theme;
    let argo: Vec<_> = model
        .sources
        .iter()
        .filter(|s| s.kind == SourceKind::Argocd)
        .collect();
    if let Some(s) = argo.iter().find(|s| s.state == SourceState::Failing) {
        let err = s
            .last_error
            .as_deref()
            .map(format::one_line)
            .unwrap_or_else(|| "failing".to_string());
        return Line::from(Span::styled(
            format!(" ✗ {}: {err}", chrome::source_label(s)),
            theme.critical,
        ));
    }
    if argo.iter().any(|s| s.state == SourceState::Connecting) {
        return widgets::muted(theme, " Waiting for Argo CD data…");
    }
    widgets::muted(
        theme,
        " No applications on Argo CD (or none this token can see).",
    )
}

fn app_row<'a>(
    model: &Model,
    app: &'a App,
    cols: &'a [Col],
    widths: &'a [u16],
    selected: bool,
    current: bool,
) -> Line<'a> {
    let theme = &model.theme;
    let key = &app.key;
    let name = name_of(key);
    // (The instance has its own column.)
    let (op, op_style) = match &app.operation {
        Some(o) => (
            argocd::phase_word(o.phase),
            argocd::phase_style(theme, o.phase),
        ),
        None => (NONE, theme.muted),
    };
    let deployed = argocd::last_deployed(app)
        .map(|t| format::age(model.now, t))
        .unwrap_or_else(|| NONE.to_string());
    let (auto, auto_style) = argocd::autosync(model, app);
    // The service column is formatted (and looked up) only when it is shown.
    let service = if widths.get(SERVICE_COL).copied().unwrap_or(0) > 0 {
        argocd::service_of(model, key).unwrap_or(NONE)
    } else {
        NONE
    };
    RowBuilder::new(cols, widths)
        .prefix(coverage::row_marker(model, selected, current))
        .cell(&key.instance, theme.muted)
        .cell(&name, Style::default())
        .cell(&app.project, theme.muted)
        .cell(app.health.word(), argocd::health_style(theme, app.health))
        .cell(app.sync.word(), argocd::sync_style(theme, app.sync))
        .cell(op, op_style)
        .cell(&argocd::revision_label(app), theme.accent)
        .cell(&deployed, Style::default())
        .cell(auto, auto_style)
        .cell(service, Style::default())
        .build()
}
