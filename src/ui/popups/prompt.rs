//! The one-line prompt at the bottom: `/` filter or `:` command, with completions above it and
//! the error (if any) in the critical style.

use crate::model::Model;
use crate::model::ui::{Prompt, PromptKind};
use crate::ui::format;
use crate::ui::widgets::{self, put};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};

/// Most completions listed at once.
const MAX_COMPLETIONS: usize = 8;

/// `body` is the screen area the completions may cover; `line` is the prompt's own row.
pub fn draw(model: &Model, prompt: &Prompt, body: Rect, line: Rect, buf: &mut Buffer) {
    let theme = &model.theme;
    let sigil = match prompt.kind {
        PromptKind::Filter => "/",
        PromptKind::Command => ":",
        PromptKind::Note => "note: ",
    };
    widgets::clear(buf, line, theme);
    let room = usize::from(line.width).saturating_sub(2);
    let text = format::tail(&prompt.text, room);
    put(
        buf,
        line,
        line.y,
        &Line::from(vec![
            Span::styled(sigil, theme.accent),
            Span::styled(text, theme.text),
            // The cursor: a reversed cell, visible without colour.
            Span::styled(" ", theme.text.add_modifier(Modifier::REVERSED)),
        ]),
    );

    // Above the prompt, top to bottom: completions, then the error nearest the input.
    let mut above: Vec<Line> = Vec::new();
    let shown = prompt.completions.len().min(MAX_COMPLETIONS);
    if shown > 0 {
        above.push(Line::from(Span::styled(
            "─ completions ".to_string() + &"─".repeat(usize::from(line.width)),
            theme.border,
        )));
    }
    for c in prompt.completions.iter().take(shown) {
        above.push(Line::from(vec![
            Span::styled("  ", theme.text),
            Span::styled(
                format::truncate(c, usize::from(line.width).saturating_sub(2)),
                theme.text,
            ),
        ]));
    }
    if prompt.completions.len() > shown {
        above.push(widgets::muted(
            theme,
            format!("  … {} more", prompt.completions.len() - shown),
        ));
    }
    if let Some(err) = &prompt.error {
        above.push(Line::from(Span::styled(
            format::truncate(&format!("✗ {err}"), usize::from(line.width)),
            theme.critical,
        )));
    }
    // Keep the lines nearest the prompt when the body is short.
    let h = (above.len() as u16).min(body.height);
    if h == 0 {
        return;
    }
    let skip = above.len() - usize::from(h);
    let area = Rect {
        y: line.y.saturating_sub(h),
        height: h,
        ..line
    };
    widgets::clear(buf, area, theme);
    for (i, l) in above.iter().skip(skip).enumerate() {
        put(buf, area, area.y + i as u16, l);
    }
}
