//! The help overlay, generated from the keymap and the action table so it can never drift from
//! what the keys do. Actions that cannot apply now are still listed, with the reason
//! `model::permissions` gives when their key is pressed.

use crate::action::{Action, HelpGroup};
use crate::model::Model;
use crate::model::permissions;
use crate::ui::format;
use crate::ui::popups;
use crate::ui::widgets::put;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

const KEYS_W: usize = 16;

/// Why an action does nothing right now (the same answer its key gives).
fn unavailable(model: &Model, a: Action) -> Option<&'static str> {
    permissions::why_not(model, a).map(|denied| denied.note)
}

/// Every line of the help text (before scrolling).
pub fn lines<'a>(model: &Model) -> Vec<Line<'a>> {
    let theme = &model.theme;
    let rows = model.keymap.help_rows();
    let mut out: Vec<Line> = Vec::new();
    for g in HelpGroup::ALL {
        let group: Vec<_> = rows.iter().filter(|(a, _)| a.def().group == g).collect();
        if group.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(Line::default());
        }
        out.push(Line::from(Span::styled(g.title(), theme.header)));
        for (action, keys) in group {
            let mut spans = vec![
                Span::raw("  "),
                Span::styled(format::fit(keys, KEYS_W), theme.accent),
            ];
            let note = unavailable(model, *action);
            spans.push(Span::styled(
                action.describe(),
                if note.is_some() {
                    theme.muted
                } else {
                    theme.text
                },
            ));
            if let Some(note) = note {
                spans.push(Span::styled(format!("  ({note})"), theme.muted));
            }
            out.push(Line::from(spans));
        }
    }
    out
}

/// The furthest help can scroll at the current terminal height (what `G` goes to).
pub fn max_scroll(model: &Model) -> usize {
    let lines = lines(model).len();
    let h = usize::from(model.size.1.saturating_sub(4));
    lines.saturating_sub(h.saturating_sub(2))
}

pub fn draw(model: &Model, scroll: u16, area: Rect, buf: &mut Buffer) {
    let theme = &model.theme;
    let lines = lines(model);
    let want_h = lines.len() as u16 + 2;
    let w = area.width.saturating_sub(4).min(84);
    let h = area.height.saturating_sub(2).min(want_h);
    let inner_h = usize::from(h.saturating_sub(2));
    let max_scroll = lines.len().saturating_sub(inner_h);
    let scroll = usize::from(scroll).min(max_scroll);
    let mut bottom = format!(" {} close ", model.keymap.hint(Action::Back));
    if max_scroll > 0 {
        bottom = format!(
            " {}/{} scroll ·{bottom}· {}/{} ",
            model.keymap.hint(Action::Up),
            model.keymap.hint(Action::Down),
            scroll + 1,
            max_scroll + 1
        );
        if scroll < max_scroll {
            bottom.insert_str(0, " ↓ more ·");
        }
    }
    let block = popups::frame(model, Line::from(" Help: keys "))
        .title_bottom(Line::from(Span::styled(bottom, theme.muted)).right_aligned());
    let inner = popups::open(model, buf, area, (w, h), block);
    for (i, line) in lines.iter().skip(scroll).take(inner_h).enumerate() {
        put(buf, inner, inner.y + i as u16, line);
    }
}
