//! Expiring a silence: show the silence in full and what will start notifying again.

use crate::model::Model;
use crate::model::popup::{ExpireForm, FormStage};
use crate::ui::format;
use crate::ui::popups;
use crate::ui::widgets;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

const LABEL_W: usize = 14;

pub fn draw(model: &Model, form: &ExpireForm, area: Rect, buf: &mut Buffer) {
    let theme = &model.theme;
    let s = &form.silence;
    let in_flight = matches!(form.stage, FormStage::InFlight(_));
    let field = |l: &str, v: Vec<Span<'static>>| widgets::field(theme, l, LABEL_W, v);

    let mut lines: Vec<Line> = vec![Line::from(Span::styled(
        "This silence will be expired now:",
        theme.header,
    ))];
    lines.push(field(
        "  Silence",
        vec![
            Span::styled(s.id.clone(), theme.accent),
            Span::styled(format!("  on {}", s.source), theme.muted),
        ],
    ));
    for (i, m) in s.matchers.iter().enumerate() {
        let l = if i == 0 { "  Matchers" } else { "" };
        lines.push(field(l, vec![Span::raw(m.to_string())]));
    }
    lines.push(field("  Created by", vec![Span::raw(s.created_by.clone())]));
    lines.push(field("  Comment", vec![Span::raw(s.comment.clone())]));
    lines.push(field(
        "  Started",
        vec![
            Span::raw(format::utc(s.starts_at)),
            Span::styled(
                format!("  ({})", format::relative(model.now, s.starts_at)),
                theme.muted,
            ),
        ],
    ));
    lines.push(field(
        "  Ends",
        vec![
            Span::raw(format::utc(s.ends_at)),
            Span::styled(
                format!("  ({})", format::relative(model.now, s.ends_at)),
                theme.muted,
            ),
        ],
    ));
    let plural = if form.affected == 1 { "" } else { "s" };
    lines.push(field(
        "  Affects",
        vec![Span::styled(
            format!("{} alert{plural} will notify again", form.affected),
            if form.affected > 0 {
                theme.warning
            } else {
                theme.text
            },
        )],
    ));
    lines.push(Line::default());
    popups::confirm_box(
        model,
        area,
        buf,
        &lines,
        in_flight,
        90,
        popups::ConfirmWords {
            title: " Expire silence ",
            title_sent: " Expiring silence… ",
            verb: "expire",
            back: "cancel",
            waiting: format!("expiring… waiting for {}", s.source),
        },
    );
}
