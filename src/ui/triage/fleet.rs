//! Triage's fleet row: many OutOfSync apps as one row (`⇄ 17 apps OutOfSync · 4 causes · git
//! 4f2a1c9 by Alice (11)`), and its detail pane: the top groups and how to open them.

use crate::drift::group::short_cause;
use crate::model::Model;
use crate::model::ui::TriagePane;
use crate::ui::format;
use crate::ui::widgets::{self, put};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

/// The fleet row's mark.
pub const FLEET_GLYPH: &str = "⇄";
/// Groups listed in the detail pane at most (the Drift screen has them all).
const MAX_GROUPS: usize = 8;

/// `9 apps OutOfSync` or `9 apps OutOfSync, 1 Unknown`: Argo CD's two words kept apart, so
/// an app it could not compare is never counted as one that differs.
pub fn count_text(model: &Model) -> String {
    let unknown = model
        .drift
        .apps
        .keys()
        .filter(|k| {
            model
                .apps
                .get(*k)
                .is_some_and(|a| a.sync == crate::model::app::SyncStatus::Unknown)
        })
        .count();
    let out_of_sync = model.drift.unsynced() - unknown;
    match (out_of_sync, unknown) {
        (n, 0) => format!("{} OutOfSync", format::plural(n, "app")),
        (0, u) => format!("{} Unknown", format::plural(u, "app")),
        (n, u) => format!("{} OutOfSync, {u} Unknown", format::plural(n, "app")),
    }
}

/// The row's text after its mark.
pub fn row_text(model: &Model) -> String {
    let causes = model.drift.groups.len();
    let mut text = format!(
        "{} · {}",
        count_text(model),
        format::plural(causes, "cause")
    );
    if let Some(top) = model.drift.groups.iter().max_by(|a, b| {
        a.apps
            .len()
            .cmp(&b.apps.len())
            .then_with(|| b.id.cmp(&a.id))
    }) {
        text.push_str(&format!(" · {} ({})", short_cause(top), top.apps.len()));
    }
    text
}

pub(super) fn row<'a>(model: &Model, width: usize, selected: bool, current: bool) -> Line<'a> {
    let marker = crate::ui::coverage::row_marker(model, selected, current);
    let room = width.saturating_sub(format::width(&marker.content) + 2);
    Line::from(vec![
        marker,
        Span::styled(format!("{FLEET_GLYPH} "), model.theme.warning),
        Span::raw(format::truncate(&row_text(model), room)),
    ])
}

/// The detail pane beside the fleet row.
pub(super) fn detail(model: &Model, area: Rect, buf: &mut Buffer) {
    let theme = &model.theme;
    let focused = model.triage_pane == TriagePane::Detail;
    let title = Line::from(format!(" {FLEET_GLYPH} Fleet drift "));
    let inner = widgets::draw_pane(buf, area, widgets::pane(theme, title, focused));
    if inner.is_empty() {
        return;
    }
    let w = usize::from(inner.width);
    let mut y = inner.y;
    let mut line = |l: Line<'_>, y: &mut u16| {
        if *y < inner.bottom() {
            put(buf, inner, *y, &l);
            *y += 1;
        }
    };
    let groups = &model.drift.groups;
    line(
        Line::from(Span::styled(
            format::truncate(
                &format!(
                    "{}, {} — production first",
                    count_text(model),
                    format::plural(groups.len(), "cause")
                ),
                w,
            ),
            theme.header,
        )),
        &mut y,
    );
    line(Line::from(""), &mut y);
    for g in groups.iter().take(MAX_GROUPS) {
        let word = g.cause.word();
        let prod = if g.production > 0 { "prod " } else { "" };
        let rest = g.summary.strip_prefix(word).unwrap_or(&g.summary);
        let room = w.saturating_sub(format::width(word) + prod.len() + 2);
        line(
            Line::from(vec![
                Span::raw(" "),
                Span::styled(prod, theme.critical),
                Span::styled(word.to_string(), theme.warning),
                Span::raw(format::truncate(rest, room)),
            ]),
            &mut y,
        );
    }
    if groups.len() > MAX_GROUPS {
        line(
            widgets::muted(theme, format!(" … and {} more", groups.len() - MAX_GROUPS)),
            &mut y,
        );
    }
    line(Line::from(""), &mut y);
    line(
        Line::from(vec![
            Span::styled(" Enter", theme.accent),
            Span::raw(": Drift screen (causes, diffs, who changed what)"),
        ]),
        &mut y,
    );
}
