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
        PromptKind::Note => "note (alt-enter: new line): ",
        PromptKind::CorrectTime(_) => "right time (UTC) and why: ",
        PromptKind::SkipStep(_) => "skip this step because: ",
    };
    widgets::clear(buf, line, theme);
    let room = usize::from(line.width).saturating_sub(2);
    // A note's line breaks, shown on one line.
    let shown = prompt.text.replace('\n', " ⏎ ");
    let text = format::tail(&shown, room.saturating_sub(sigil.chars().count()));
    // Reopened with its text: shown selected, the first key typed replaces it.
    let text_style = if prompt.select_all {
        theme.selection
    } else {
        theme.text
    };
    put(
        buf,
        line,
        line.y,
        &Line::from(vec![
            Span::styled(sigil, theme.accent),
            Span::styled(text, text_style),
            // The cursor: a reversed cell, visible without colour.
            Span::styled(" ", theme.text.add_modifier(Modifier::REVERSED)),
        ]),
    );

    // Above the prompt, top to bottom: completions in a box, then the error nearest the input.
    let mut above: Vec<Line> = Vec::new();
    let n = prompt.completions.len();
    if n > 0 {
        let w = usize::from(line.width).max(4);
        let inner_w = w - 4;
        // A window of the list that keeps the one Tab chose in view.
        let shown = n.min(MAX_COMPLETIONS);
        let chosen = prompt.completion.unwrap_or(0);
        let start = chosen.saturating_sub(shown - 1).min(n - shown);
        let mut title = format!(
            "─ completions {}/{n} · tab next · shift-tab previous ",
            chosen + 1
        );
        if prompt.completion.is_none() {
            title = format!(
                "─ {} completion{} · tab picks ",
                n,
                if n == 1 { "" } else { "s" }
            );
        }
        let title = format::truncate(&title, w.saturating_sub(2));
        let fill = w.saturating_sub(2 + format::width(&title));
        above.push(Line::from(Span::styled(
            format!("┌{title}{}┐", "─".repeat(fill)),
            theme.border,
        )));
        if start > 0 {
            above.push(boxed(
                theme,
                widgets::muted(theme, format!("↑ {start} more")),
                inner_w,
            ));
        }
        let name_w = prompt
            .completions
            .iter()
            .map(|c| format::width(c))
            .max()
            .unwrap_or(0)
            .min(inner_w / 2);
        for (i, c) in prompt
            .completions
            .iter()
            .enumerate()
            .skip(start)
            .take(shown)
        {
            let picked = prompt.completion == Some(i);
            let style = if picked { theme.selection } else { theme.text };
            // What the command does, from the palette's own list.
            let what = crate::update::command_help(c).unwrap_or("");
            let line = Line::from(vec![
                Span::styled(format::fit(c, name_w), style),
                Span::styled(
                    format::truncate(&format!("  {what}"), inner_w.saturating_sub(name_w)),
                    theme.muted,
                ),
            ]);
            above.push(boxed(theme, line, inner_w));
        }
        let after = n - start - shown;
        if after > 0 {
            above.push(boxed(
                theme,
                widgets::muted(theme, format!("↓ {after} more")),
                inner_w,
            ));
        }
        above.push(Line::from(Span::styled(
            format!("└{}┘", "─".repeat(w - 2)),
            theme.border,
        )));
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

/// `│ content │`, the content padded to `inner_w`.
fn boxed<'a>(theme: &crate::config::theme::Theme, content: Line<'a>, inner_w: usize) -> Line<'a> {
    let pad = inner_w.saturating_sub(content.width());
    let mut spans = vec![Span::styled("│ ", theme.border)];
    spans.extend(content.spans);
    spans.push(Span::raw(" ".repeat(pad)));
    spans.push(Span::styled(" │", theme.border));
    Line::from(spans)
}
