//! Screens whose source is not built yet say so honestly, never with fake data.

use crate::model::Model;
use crate::model::source::SourceKind;
use crate::ui::widgets;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

pub fn apps(model: &Model, area: Rect, buf: &mut Buffer) {
    placeholder(
        model,
        " Apps ",
        "Argo CD applications and their resource trees",
        area,
        buf,
    );
}

pub fn deploys(model: &Model, area: Rect, buf: &mut Buffer) {
    placeholder(
        model,
        " Deploys ",
        "Deploys and syncs across every Argo CD instance and cluster",
        area,
        buf,
    );
}

fn placeholder(model: &Model, title: &str, what: &str, area: Rect, buf: &mut Buffer) {
    let theme = &model.theme;
    let inner = widgets::draw_pane(
        buf,
        area,
        widgets::pane(theme, Line::from(title.to_string()), true),
    );
    let configured = crate::model::permissions::has_source(model, SourceKind::Argocd);
    let lines = if configured {
        vec![
            Line::from(Span::styled(what.to_string(), theme.header)),
            widgets::muted(theme, "Waiting for Argo CD data…"),
        ]
    } else {
        vec![
            Line::from(Span::styled(what.to_string(), theme.header)),
            Line::from(Span::styled("Argo CD is not configured.", theme.warning)),
            widgets::muted(
                theme,
                "Add an [[argocd]] source to your config (see README)",
            ),
        ]
    };
    let top = inner.y + inner.height.saturating_sub(lines.len() as u16) / 2;
    for (i, l) in lines.iter().enumerate() {
        widgets::put_centered(buf, inner, top + i as u16, l);
    }
}
