//! The Deploys screen: the change feed, every deploy and rollback across the Argo CD instances,
//! newest first, suspects marked; a footer explains the selected one.

use crate::action::Action;
use crate::model::Model;
use crate::model::coverage::{Coverage, Domain};
use crate::model::deploy::Deploy;
use crate::model::permissions::has_source;
use crate::model::source::SourceKind;
use crate::model::ui::Screen;
use crate::screens::Hints;
use crate::ui::RenderState;
use crate::ui::argocd;
use crate::ui::coverage;
use crate::ui::format::{self, NONE};
use crate::ui::placeholders;
use crate::ui::widgets::columns::{self, Col, RowBuilder};
use crate::ui::widgets::{self, put, selectable_row};
use chrono::{DateTime, Utc};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

const COLS: [Col; 8] = [
    Col::fixed("TIME (UTC)", 11, 0),
    Col::fixed("AGE", 4, 3).right(),
    Col::flex("SERVICE", 8, 16, 4),
    Col::flex("APP", 12, 32, 0),
    Col::flex("REVISION", 8, 20, 0),
    Col::flex("INITIATOR", 9, 20, 2),
    Col::fixed("RESULT", 9, 0),
    Col::flex("NOTE", 7, 18, 0),
];

/// The status-line hints of the Deploys screen.
pub fn hints(model: &Model, h: &mut Hints) {
    let k = |a: Action| model.keymap.hint(a);
    h.push((5, format!("{} filter", k(Action::Filter))));
    if !model.deploys_view.is_empty() {
        h.push((4, format!("{} open app", k(Action::Enter))));
    }
}

pub fn draw(model: &Model, state: &mut RenderState, area: Rect, buf: &mut Buffer) {
    if !has_source(model, SourceKind::Argocd) && !has_source(model, SourceKind::Kube) {
        placeholders::deploys(model, area, buf);
        return;
    }
    let theme = &model.theme;
    let footer_h = if area.height >= 18 { 6 } else { 0 };
    let table = Rect {
        height: area.height - footer_h,
        ..area
    };
    let n = model.deploys.len();
    let suspects = model.suspect_count();
    let filter = model.filter(Screen::Deploys);
    let mut title = vec![Span::raw(if filter.is_empty() {
        format!(" Deploys {n} ")
    } else {
        format!(" Deploys {}/{n} ", model.deploys_view.len())
    })];
    if !filter.is_empty() {
        title.push(Span::styled(
            format!("/{} ", format::truncate(filter, 24)),
            theme.accent,
        ));
    }
    if suspects > 0 {
        title.push(Span::styled(
            format!("· {suspects} SUSPECT "),
            argocd::suspect_style(theme),
        ));
    }
    title.push(Span::styled("· newest first ", theme.muted));
    let inner = widgets::draw_pane(buf, table, widgets::pane(theme, Line::from(title), true));
    if inner.is_empty() {
        return;
    }
    let inner = coverage::draw_banner(model, Domain::Apps, inner, buf);
    let widths = columns::table_header(buf, inner, &COLS, theme);
    let list = Rect {
        y: inner.y + 1,
        height: inner.height.saturating_sub(1),
        ..inner
    };
    if n == 0 {
        let argo = Coverage::of(&model.sources, Domain::Apps, model.now);
        let text = if model.apps.is_empty() && argo.fresh.is_empty() {
            " Deploys unknown: no Argo CD instance has answered (see above)."
        } else if model.apps.is_empty() {
            " No deploys: Argo CD lists no applications."
        } else {
            " No deploys: no app has any history yet."
        };
        put(buf, list, list.y, &widgets::muted(theme, text));
        return;
    }
    let view = &model.deploys_view;
    if view.is_empty() {
        let text = format!(" No deploy matches “{}”.", model.filter(Screen::Deploys));
        put(buf, list, list.y, &widgets::muted(theme, text));
        return;
    }
    let selected = model.deploys_cursor.selected;
    let window = state
        .deploys
        .window(selected, view.len(), usize::from(list.height));
    for (row, i) in window.enumerate() {
        let Some(d) = view.get(i) else {
            continue;
        };
        let is_sel = i == selected;
        let line = deploy_row(model, d, &widths, is_sel);
        selectable_row(buf, theme, list, list.y + row as u16, &line, is_sel, true);
    }
    if footer_h > 0
        && let Some(d) = model.selected_deploy()
    {
        footer(
            model,
            d,
            Rect {
                y: table.bottom(),
                height: footer_h,
                ..area
            },
            buf,
        );
    }
}

/// `03:06:00` today, `11-22 18:40` on another day.
pub fn when(now: DateTime<Utc>, t: DateTime<Utc>) -> String {
    if t.date_naive() == now.date_naive() {
        format::hms(t)
    } else {
        t.format("%m-%d %H:%M").to_string()
    }
}

fn deploy_row<'a>(model: &Model, d: &'a Deploy, widths: &'a [u16], selected: bool) -> Line<'a> {
    let theme = &model.theme;
    let (time, age) = match d.at() {
        Some(t) => (when(model.now, t), format::age(model.now, t)),
        None => (NONE.to_string(), NONE.to_string()),
    };
    let mut note: Vec<(String, Style)> = Vec::with_capacity(2);
    if d.suspect {
        note.push(("SUSPECT".to_string(), argocd::suspect_style(theme)));
    }
    if d.rollback {
        if !note.is_empty() {
            note.push((" ".to_string(), Style::default()));
        }
        note.push(("↶ rollback".to_string(), theme.accent));
    }
    RowBuilder::new(&COLS, widths)
        .prefix(widgets::marker(theme, selected))
        .cell(&time, theme.muted)
        .cell(&age, theme.muted)
        .cell(d.service.as_deref().unwrap_or(NONE), Style::default())
        .cell(&argocd::app_label(model, &d.app), Style::default())
        .cell(&argocd::short_rev(&d.revision), theme.accent)
        .cell(&argocd::deploy_initiator(d), theme.muted)
        .cell(
            argocd::result_word(d.result),
            argocd::result_style(theme, d.result),
        )
        .spans(&note)
        .build()
}

/// The selected deploy in words: what, when, who, and why it is a suspect.
fn footer(model: &Model, d: &Deploy, area: Rect, buf: &mut Buffer) {
    let theme = &model.theme;
    let title = Line::from(format!(
        " {} of {} ",
        argocd::deploy_kind(d),
        format::truncate(&d.app.to_string(), 60)
    ));
    let inner = widgets::draw_pane(buf, area, widgets::pane(theme, title, false));
    if inner.is_empty() {
        return;
    }
    const W: usize = 11;
    let mut lines: Vec<Line> = Vec::new();
    let mut rev = vec![Span::styled(
        format::truncate(&d.revision, 64),
        theme.accent,
    )];
    if let Some(id) = d.history_id {
        rev.push(Span::styled(format!("  (history {id})"), theme.muted));
    }
    lines.push(widgets::field(theme, "Revision", W, rev));
    let mut when = Vec::new();
    if let Some(t) = d.started_at {
        when.push(Span::raw(format!("started {}", format::utc(t))));
    }
    if let Some(t) = d.finished_at {
        if !when.is_empty() {
            when.push(Span::styled(" · ", theme.muted));
        }
        when.push(Span::raw(format!("finished {}", format::utc(t))));
        if let Some(s) = d.started_at {
            when.push(Span::styled(
                format!(" (took {})", format::duration((t - s).num_seconds())),
                theme.muted,
            ));
        }
    }
    if when.is_empty() {
        when.push(Span::styled(NONE, theme.muted));
    }
    lines.push(widgets::field(theme, "When", W, when));
    lines.push(widgets::field(
        theme,
        "By",
        W,
        vec![
            Span::raw(argocd::deploy_initiator(d)),
            Span::raw("  "),
            Span::styled(
                argocd::result_word(d.result),
                argocd::result_style(theme, d.result),
            ),
        ],
    ));
    if d.suspect {
        let first_alert = d
            .service
            .as_deref()
            .and_then(|s| model.services.iter().find(|r| r.name == s))
            .and_then(|r| r.oldest_firing);
        let service = d.service.as_deref().unwrap_or("its service");
        let why = match (d.finished_at, first_alert) {
            (Some(at), Some(fired)) if fired >= at => format!(
                "finished {} before {service}'s first alert ({} UTC); in effect then",
                format::duration((fired - at).num_seconds()),
                format::hms(fired),
            ),
            _ => format!("in effect when {service}'s first alert began"),
        };
        lines.push(widgets::field(
            theme,
            "SUSPECT",
            W,
            vec![Span::styled(why, theme.critical)],
        ));
    }
    for (i, line) in lines.iter().take(usize::from(inner.height)).enumerate() {
        put(buf, inner, inner.y + i as u16, line);
    }
}
