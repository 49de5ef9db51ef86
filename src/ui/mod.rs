//! Pure rendering of the whole app: `render(&Model, &mut RenderState, &mut Frame)`.
//!
//! Rendering reads the model and nothing else: no IO, no clock (ages use `model.now`), no
//! sorting or grouping (the model's derived views are already ranked). Only visible rows are
//! formatted. Every style comes from a `model.theme` role. `RenderState` holds only scroll
//! offsets, so a selection stays in view with a sticky viewport.

pub mod alerts;
pub mod apps;
pub mod argocd;
pub mod chrome;
pub mod coverage;
pub mod deploys;
pub mod drift;
pub mod format;
pub mod hyperlinks;
pub mod kube;
pub mod placeholders;
pub mod popups;
pub mod runbook;
pub mod services;
pub mod svg;
pub mod timeline;
pub mod triage;
pub mod widgets;

use crate::model::Model;
use ratatui::Frame;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use std::ops::Range;

/// Below this size the app shows "terminal too small" instead of a cramped, misleading screen.
pub const MIN_WIDTH: u16 = 60;
pub const MIN_HEIGHT: u16 = 15;

/// A list's scroll position. The viewport only moves when the selection would leave it
/// (sticky, like k9s), and never leaves blank rows below the end of a list that shrank.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Viewport {
    offset: usize,
}

impl Viewport {
    /// First row shown.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// The rows to show for a list of `len` with `selected` in a pane `height` rows high.
    pub fn window(&mut self, selected: usize, len: usize, height: usize) -> Range<usize> {
        if len == 0 || height == 0 {
            self.offset = 0;
            return 0..0;
        }
        let selected = selected.min(len - 1);
        if selected < self.offset {
            self.offset = selected;
        } else if selected >= self.offset + height {
            self.offset = selected + 1 - height;
        }
        if self.offset + height > len {
            self.offset = len.saturating_sub(height);
        }
        self.offset..(self.offset + height).min(len)
    }
}

/// Scroll offsets of every list, kept between frames. Nothing else: what is selected lives in
/// the model.
#[derive(Clone, Debug, Default)]
pub struct RenderState {
    pub triage_services: Viewport,
    pub triage_detail: Viewport,
    pub alerts: Viewport,
    pub services: Viewport,
    pub timeline: Viewport,
    pub apps: Viewport,
    pub deploys: Viewport,
    /// The open app's panes.
    pub app_tree: Viewport,
    pub app_history: Viewport,
    pub app_events: Viewport,
    /// The Kubernetes screen's panes.
    pub kube_workloads: Viewport,
    pub kube_pods: Viewport,
    pub kube_events: Viewport,
    /// The Drift screen's tree list.
    pub drift_list: Viewport,
    /// Cells drawn this frame that are links: written again with OSC 8 around them after
    /// the frame (`terminal::write_hyperlinks`), so terminals that support it make them
    /// clickable. Cleared at the start of every frame.
    pub hyperlinks: Vec<Hyperlink>,
}

/// A link's place on screen: `width` cells from (`x`, `y`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hyperlink {
    pub x: u16,
    pub y: u16,
    pub width: u16,
    pub url: String,
}

/// Draw the whole app for `model` into the frame.
pub fn render(model: &Model, state: &mut RenderState, frame: &mut Frame) {
    let area = frame.area();
    draw(model, state, area, frame.buffer_mut());
}

/// Draw the whole app into `area` of `buf` (what [`render`] does; usable without a terminal,
/// e.g. for benchmarks and SVG screenshots).
pub fn draw(model: &Model, state: &mut RenderState, area: Rect, buf: &mut Buffer) {
    let area = area.intersection(*buf.area());
    if area.is_empty() {
        return;
    }
    state.hyperlinks.clear();
    let theme = &model.theme;
    widgets::fill(buf, area, theme.text);
    if area.width < MIN_WIDTH || area.height < MIN_HEIGHT {
        too_small(model, area, buf);
        return;
    }

    let tabs = widgets::row(area, 0);
    let status = widgets::row(area, area.height - 1);
    let prompt_h = u16::from(model.prompt.is_some());
    let body = Rect::new(area.x, area.y + 1, area.width, area.height - 2 - prompt_h);

    chrome::tab_bar(model, tabs, buf);
    (crate::screens::def(model.screen).render)(model, state, body, buf);
    if let Some(prompt) = &model.prompt {
        let line = widgets::row(area, area.height - 2);
        popups::prompt::draw(model, prompt, body, line, buf);
    }
    if let Some(popup) = &model.popup {
        popups::draw(model, popup, body, buf);
    }
    if model.popup.is_some() || model.prompt.is_some() {
        // Something is drawn over the panes: a link recorded under it would make the popup's
        // own text clickable to another URL.
        state.hyperlinks.clear();
    }
    chrome::status_line(model, status, buf);
}

fn too_small(model: &Model, area: Rect, buf: &mut Buffer) {
    let theme = &model.theme;
    let text = format!(
        "terminal too small (need {MIN_WIDTH}x{MIN_HEIGHT}, have {}x{})",
        area.width, area.height
    );
    // Wrap by hand onto as many rows as needed, centred.
    let w = usize::from(area.width.max(1));
    let mut lines: Vec<String> = Vec::new();
    let mut cur = String::new();
    for word in text.split(' ') {
        if !cur.is_empty() && format::width(&cur) + 1 + format::width(word) > w {
            lines.push(std::mem::take(&mut cur));
        }
        if !cur.is_empty() {
            cur.push(' ');
        }
        cur.push_str(word);
    }
    lines.push(cur);
    let top = area.y + area.height.saturating_sub(lines.len() as u16) / 2;
    for (i, l) in lines.iter().enumerate() {
        let line = Line::from(Span::styled(format::truncate(l, w), theme.warning));
        widgets::put_centered(buf, area, top + i as u16, &line);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn viewport_is_sticky() {
        let mut v = Viewport::default();
        assert_eq!(v.window(0, 100, 10), 0..10);
        assert_eq!(v.window(9, 100, 10), 0..10);
        assert_eq!(v.window(10, 100, 10), 1..11);
        // Moving back up inside the window does not scroll.
        assert_eq!(v.window(5, 100, 10), 1..11);
        assert_eq!(v.window(0, 100, 10), 0..10);
        assert_eq!(v.window(99, 100, 10), 90..100);
        // The list shrank: no blank rows below its end.
        assert_eq!(v.window(3, 5, 10), 0..5);
        assert_eq!(v.window(0, 0, 10), 0..0);
        assert_eq!(v.window(7, 10, 0), 0..0);
    }
}
