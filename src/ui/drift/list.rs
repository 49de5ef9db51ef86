//! The tree list: a group row (cause colour, summary, app count, production marker), its apps
//! (diff stat), their resources (kind, name, the first changed path and who wrote it).

use crate::config::theme::Theme;
use crate::drift::CauseKind;
use crate::model::Model;
use crate::model::drift_view::{self, DriftFocus, DriftRow};
use crate::model::ui::Screen;
use crate::ui::RenderState;
use crate::ui::format;
use crate::ui::widgets::{self, put, selectable_row};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

/// The colour a cause is shown in: a commit or chart (info), the cluster changed under Git
/// (warning), not known (muted).
pub fn cause_style(theme: &Theme, cause: CauseKind) -> Style {
    match cause {
        CauseKind::Git | CauseKind::Chart | CauseKind::AppSpec => theme.info,
        CauseKind::Live | CauseKind::Prune | CauseKind::Missing => theme.warning,
        CauseKind::Unknown => theme.muted,
    }
}

pub fn draw(model: &Model, state: &mut RenderState, area: Rect, buf: &mut Buffer) {
    let theme = &model.theme;
    let s = &model.drift_screen;
    let focused = s.focus == DriftFocus::List;
    let outer = area;
    let inner = widgets::draw_pane(
        buf,
        area,
        widgets::pane(theme, Line::from(" Causes "), focused),
    );
    if inner.height == 0 {
        return;
    }
    if s.rows.is_empty() {
        let filter = model.filter(Screen::Drift);
        let text = if filter.is_empty() {
            " Nothing to list.".to_string()
        } else {
            format!(" No drift matches “{}”.", format::truncate(filter, 40))
        };
        put(buf, inner, inner.y, &widgets::muted(theme, text));
        return;
    }
    let shown = state
        .drift_list
        .window(s.cursor.selected, s.rows.len(), usize::from(inner.height));
    for (n, i) in shown.clone().enumerate() {
        let Some(row) = s.rows.get(i) else { continue };
        let selected = i == s.cursor.selected;
        let mut spans = vec![widgets::marker(theme, selected)];
        spans.extend(row_spans(model, row, usize::from(inner.width)));
        let line = Line::from(spans);
        selectable_row(
            buf,
            theme,
            inner,
            inner.y + n as u16,
            &line,
            selected,
            focused,
        );
    }
    widgets::scroll_note(buf, theme, outer, &shown, s.rows.len());
}

fn row_spans<'a>(model: &Model, row: &DriftRow, width: usize) -> Vec<Span<'a>> {
    let theme = &model.theme;
    let s = &model.drift_screen;
    match row {
        DriftRow::Group { group, id } => {
            let Some(g) = model.drift.groups.get(*group).filter(|g| g.id == *id) else {
                return vec![Span::styled("(changed: refreshing)", theme.muted)];
            };
            let open = s.expanded.contains(id) || !model.filter(Screen::Drift).is_empty();
            let mut out = vec![Span::styled(if open { "▾ " } else { "▸ " }, theme.muted)];
            if g.production > 0 {
                out.push(Span::styled(
                    format!("PROD×{} ", g.production),
                    theme.critical,
                ));
            }
            let used = 4 + if g.production > 0 { 8 } else { 0 };
            out.push(Span::styled(
                format::truncate(&format::one_line(&g.summary), width.saturating_sub(used)),
                cause_style(theme, g.cause),
            ));
            out
        }
        DriftRow::App { id, key, .. } => {
            let open = s.expanded_apps.contains(&(id.clone(), key.clone()));
            let entry = model.drift.apps.get(key);
            let mut out = vec![
                Span::styled(if open { "  ▾ " } else { "  ▸ " }, theme.muted),
                Span::styled(format::truncate(&key.name, 40), theme.text),
            ];
            if entry.is_some_and(|e| e.production) {
                out.push(Span::styled(" PROD", theme.critical));
            }
            let (stat, style) = match entry.and_then(|e| e.drift.as_ref()) {
                None => ("diff not fetched yet".to_string(), theme.muted),
                Some(d) => match &d.error {
                    Some(e) => (format!("⚠ {}", format::one_line(e)), theme.warning),
                    None => (drift_view::diff_stat(d), theme.muted),
                },
            };
            out.push(Span::styled(format!("  {stat}"), style));
            out
        }
        DriftRow::Resource { key, resource, .. } => {
            let Some(r) = model
                .drift
                .apps
                .get(key)
                .and_then(|e| e.drift.as_ref())
                .and_then(|d| d.resources.get(*resource))
            else {
                return vec![Span::styled("      (gone)", theme.muted)];
            };
            let opened = s
                .opened
                .as_ref()
                .is_some_and(|o| o.drift.key == *key && o.resource == *resource);
            let mut out = vec![
                Span::styled(if opened { "    ● " } else { "      " }, theme.accent),
                Span::styled(
                    format::truncate(&drift_view::resource_name(r), 48),
                    theme.text,
                ),
                Span::styled(format!("  +{}", r.added), theme.ok),
                Span::styled(format!(" −{}", r.removed), theme.critical),
            ];
            if let Some(p) = r.paths.first() {
                let who = p
                    .writer
                    .as_ref()
                    .map(|w| format!(" ← {}", w.manager))
                    .unwrap_or_default();
                out.push(Span::styled(
                    format!("  {}{who}", format::truncate(&p.path, 40)),
                    theme.muted,
                ));
            }
            out
        }
    }
}
