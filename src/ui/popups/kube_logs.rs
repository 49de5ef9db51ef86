//! A pod's log tail over the screen: the newest lines at the bottom, long lines wrapped
//! (indentation kept), scrolled up from the end. Only the lines that fit are wrapped and
//! drawn; each is cleaned again here, whatever the client did.

use crate::action::Action;
use crate::model::Model;
use crate::model::kube_view::{LOG_LINE_MAX, LogView};
use crate::screens::Hints;
use crate::ui::format;
use crate::ui::popups;
use crate::ui::widgets::{self, put};
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use unicode_segmentation::UnicodeSegmentation;

/// The status-line hints while the log view is open.
pub fn hints(model: &Model, h: &mut Hints) {
    let k = |a: Action| model.keymap.hint(a);
    let Some(crate::model::popup::Popup::KubeLogs(view)) = &model.popup else {
        return;
    };
    h.push((8, format!("{} follow", k(Action::LogsFollow))));
    h.push((7, format!("{} previous", k(Action::LogsPrevious))));
    if view.containers.len() > 1 {
        h.push((6, format!("{} container", k(Action::LogsContainer))));
    }
    h.push((5, format!("{}/{} scroll", k(Action::Up), k(Action::Down))));
    h.push((9, format!("{} close", k(Action::Back))));
}

/// `line` cut into rows of at most `w` cells, spaces kept (a stack trace's indentation).
fn wrap_keep(line: &str, w: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut used = 0;
    for g in line.graphemes(true) {
        let gw = format::width(g);
        if used + gw > w && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
            used = 0;
        }
        cur.push_str(g);
        used += gw;
    }
    if !cur.is_empty() || out.is_empty() {
        out.push(cur);
    }
    out
}

pub fn draw(model: &Model, view: &LogView, area: Rect, buf: &mut Buffer) {
    let theme = &model.theme;
    let rect = Rect {
        x: area.x,
        y: area.y,
        width: area.width,
        height: area.height,
    };
    widgets::clear(buf, rect, theme);
    let mut title = vec![Span::raw(format!(
        " logs · {}/{} ",
        format::truncate(&view.pod.namespace, 24),
        format::truncate(&view.pod.name, 60)
    ))];
    if let Some(c) = view.container_name() {
        let n = view.containers.len();
        let which = if n > 1 {
            format!("{}/{n} ", view.container + 1)
        } else {
            String::new()
        };
        title.push(Span::styled(
            format!("· {} {which}", format::truncate(c, 40)),
            theme.accent,
        ));
    }
    if view.previous {
        title.push(Span::styled("· PREVIOUS container ", theme.warning));
    }
    if view.follow {
        title.push(Span::styled("· following ", theme.ok));
    }
    let inner = widgets::draw_pane(buf, rect, popups::frame(model, Line::from(title)));
    if inner.is_empty() {
        return;
    }
    let width = usize::from(inner.width);
    let height = usize::from(inner.height);
    // The first row says where this is: an error, nothing yet, a tail whose older lines
    // were cut (the newest are always kept).
    let mut header: Option<Line> = None;
    if let Some(err) = &view.error {
        header = Some(Line::styled(
            format::truncate(&crate::sanitize::clean_line(err, 1024), width),
            theme.critical,
        ));
    } else if !view.loaded {
        header = Some(widgets::muted(theme, "reading the log…"));
    } else if view.lines.is_empty() {
        header = Some(widgets::muted(theme, "the log is empty"));
    } else if view.truncated && view.scroll + height >= view.lines.len() {
        header = Some(widgets::muted(
            theme,
            format!(
                "… older lines cut: the newest {} are shown",
                view.lines.len()
            ),
        ));
    }
    let mut rows_left = height;
    let mut top = inner.y;
    if let Some(h) = &header {
        put(buf, inner, top, h);
        top += 1;
        rows_left = rows_left.saturating_sub(1);
    }
    if view.error.is_some() && view.lines.is_empty() {
        return;
    }
    // From the newest visible line upwards, wrapping only what fits.
    let end = view.lines.len().saturating_sub(view.scroll);
    let mut rows: Vec<String> = Vec::with_capacity(rows_left);
    for line in view.lines[..end].iter().rev() {
        if rows.len() >= rows_left {
            break;
        }
        let clean = crate::sanitize::clean_line(line, LOG_LINE_MAX);
        let wrapped = wrap_keep(&clean, width);
        for r in wrapped.into_iter().rev() {
            if rows.len() >= rows_left {
                break;
            }
            rows.push(r);
        }
    }
    let first = top + (rows_left - rows.len()) as u16;
    for (i, r) in rows.into_iter().rev().enumerate() {
        put(buf, inner, first + i as u16, &Line::raw(r));
    }
    if view.scroll > 0 {
        let note = Line::styled(format!(" ↓ {} newer lines ", view.scroll), theme.muted);
        let border = Rect::new(
            rect.x + 1,
            rect.bottom() - 1,
            rect.width.saturating_sub(2),
            1,
        );
        widgets::put_right(buf, border, border.y, &note);
    }
}
