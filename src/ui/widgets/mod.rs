//! Small drawing helpers shared by the screens: safe writes into the buffer, bordered panes,
//! severity and state badges, and responsive table columns.

pub mod columns;

use crate::config::theme::{TEXT_CONTRAST, Theme, contrast};
use crate::model::alert::{AlertState, Severity};
use crate::model::timeline::EventKind;
use crate::ui::format;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Widget};

/// Write `line` at row `y` of `area`, clipped to the area. Rows outside the area are ignored, so
/// callers never index outside the buffer whatever the terminal size.
pub fn put(buf: &mut Buffer, area: Rect, y: u16, line: &Line<'_>) {
    put_at(buf, area, area.x, y, line);
}

/// Like [`put`] but starting at column `x` (absolute).
fn put_at(buf: &mut Buffer, area: Rect, x: u16, y: u16, line: &Line<'_>) {
    let area = area.intersection(*buf.area());
    if y < area.top() || y >= area.bottom() || x < area.left() || x >= area.right() {
        return;
    }
    let room = area.right() - x;
    if line.width() > usize::from(room) {
        // Mark every cut with `…` rather than letting the edge eat text silently.
        buf.set_line(x, y, &clip(line.clone(), usize::from(room)), room);
    } else {
        buf.set_line(x, y, line, room);
    }
}

/// Cut a line to `max` cells, ending in `…` when cut.
pub fn clip(line: Line<'_>, max: usize) -> Line<'_> {
    if line.width() <= max {
        return line;
    }
    let style = line.style;
    let mut out: Vec<Span> = Vec::new();
    let mut used = 0;
    for span in line.spans {
        let w = span.width();
        if used + w < max {
            used += w;
            out.push(span);
        } else {
            let room = max - used;
            if room > 0 {
                out.push(Span::styled(
                    format::truncate(&span.content, room),
                    span.style,
                ));
            }
            break;
        }
    }
    Line::from(out).style(style)
}

/// Write `line` right-aligned on row `y` of `area`.
pub fn put_right(buf: &mut Buffer, area: Rect, y: u16, line: &Line<'_>) {
    let w = line.width().min(usize::from(area.width)) as u16;
    put_at(buf, area, area.right().saturating_sub(w), y, line);
}

/// Write `line` centred on row `y` of `area`.
pub fn put_centered(buf: &mut Buffer, area: Rect, y: u16, line: &Line<'_>) {
    let w = line.width().min(usize::from(area.width)) as u16;
    put_at(buf, area, area.x + (area.width - w) / 2, y, line);
}

/// Patch `style` onto every cell of `rect` (clipped to the buffer).
pub fn fill(buf: &mut Buffer, rect: Rect, style: Style) {
    let rect = rect.intersection(*buf.area());
    if !rect.is_empty() {
        buf.set_style(rect, style);
    }
}

/// Blank `rect` and give it the base text style (for popups drawn over a screen).
pub fn clear(buf: &mut Buffer, rect: Rect, theme: &Theme) {
    let rect = rect.intersection(*buf.area());
    if rect.is_empty() {
        return;
    }
    Clear.render(rect, buf);
    buf.set_style(rect, theme.text);
}

/// One row of `area` (empty when `i` is past its end).
pub fn row(area: Rect, i: u16) -> Rect {
    if i >= area.height {
        return Rect::new(area.x, area.y, area.width, 0);
    }
    Rect::new(area.x, area.y + i, area.width, 1)
}

/// A bordered pane; the focused one gets the accent border and a bold title.
pub fn pane<'a>(theme: &Theme, title: Line<'a>, focused: bool) -> Block<'a> {
    let (border, title_style) = if focused {
        (theme.accent, theme.accent)
    } else {
        (theme.border, theme.header)
    };
    Block::bordered()
        .border_type(if focused {
            BorderType::Thick
        } else {
            BorderType::Plain
        })
        .border_style(border)
        .title(title.style(title_style))
}

/// Render a pane's block and return its inner area.
pub fn draw_pane(buf: &mut Buffer, area: Rect, block: Block<'_>) -> Rect {
    let area = area.intersection(*buf.area());
    let inner = block.inner(area);
    block.render(area, buf);
    inner
}

/// Style for a severity.
pub fn severity_style(theme: &Theme, sev: Severity) -> Style {
    match sev {
        Severity::Critical => theme.critical,
        Severity::Warning => theme.warning,
        Severity::Info => theme.info,
        Severity::None => theme.muted,
    }
}

/// The severity as a 4-cell word: `CRIT`, `WARN`, `INFO`, `NONE`. Words, not hue alone, so the
/// meaning survives NO_COLOR.
pub fn severity_badge<'a>(theme: &Theme, sev: Severity) -> Span<'a> {
    Span::styled(sev.word(), severity_style(theme, sev))
}

/// Style for an alert state word: firing in the severity's style, the quiet states muted.
pub fn state_style(theme: &Theme, state: AlertState, sev: Severity) -> Style {
    match state {
        AlertState::Firing | AlertState::Unprocessed => severity_style(theme, sev),
        AlertState::Pending => theme.info,
        AlertState::Silenced | AlertState::Inhibited | AlertState::Muted => theme.muted,
    }
}

/// The style of an event kind: firing alerts stand out, resolutions read as good news.
pub fn event_style(theme: &Theme, kind: EventKind) -> Style {
    match kind {
        EventKind::AlertFiring => theme.warning,
        EventKind::AlertResolved => theme.ok,
        EventKind::AlertSilenced | EventKind::AlertUnsilenced => theme.muted,
        EventKind::Deploy | EventKind::Rollback => theme.accent,
        EventKind::HealthChanged => theme.warning,
        EventKind::ActionFailed | EventKind::SyncFailed => theme.critical,
        EventKind::AutosyncToggled => theme.warning,
        EventKind::ActionSucceeded => theme.ok,
        EventKind::IncidentDeclared | EventKind::Milestone | EventKind::SeverityChanged => {
            theme.accent
        }
        EventKind::StatusChanged | EventKind::TimeCorrected | EventKind::Starred => theme.muted,
        EventKind::ActionAttempted | EventKind::SourceStatus | EventKind::Note => theme.text,
        EventKind::RunbookStepDone | EventKind::RunbookCheckPassed => theme.ok,
        EventKind::RunbookCheckFailed => theme.critical,
        EventKind::RunbookStepSkipped | EventKind::RunbookCommandRun => theme.text,
    }
}

/// A reverse-video badge in a theme role (`DEMO`, `READ-ONLY`).
pub fn badge<'a>(text: &'a str, role: Style) -> Span<'a> {
    Span::styled(text, role.add_modifier(Modifier::REVERSED | Modifier::BOLD))
}

/// A badge of text made on the fly (the incident's id and age).
pub fn badge_owned<'a>(text: String, role: Style) -> Span<'a> {
    Span::styled(text, role.add_modifier(Modifier::REVERSED | Modifier::BOLD))
}

/// A muted one-liner for empty states.
pub fn muted<'a>(theme: &Theme, text: impl Into<String>) -> Line<'a> {
    Line::from(Span::styled(text.into(), theme.muted))
}

/// A label/value pair with the label padded to `label_w` cells.
pub fn field<'a>(theme: &Theme, label: &str, label_w: usize, value: Vec<Span<'a>>) -> Line<'a> {
    let mut spans = vec![Span::styled(format::fit(label, label_w), theme.header)];
    spans.extend(value);
    Line::from(spans)
}

/// The selection marker column: `▌` on the selected row (visible even without colour).
pub fn marker<'a>(theme: &Theme, selected: bool) -> Span<'a> {
    if selected {
        Span::styled("▌", theme.accent)
    } else {
        Span::raw(" ")
    }
}

/// Draw a selectable row: the selected one is filled with the selection style when its pane has
/// focus (reverse video under NO_COLOR); an unfocused pane keeps only the marker. Cells keep
/// their colours on the selection bar where they stay readable; a colour that would not stand
/// out from the bar (cyan on a white bar) is drawn in the bar's own foreground instead.
pub fn selectable_row(
    buf: &mut Buffer,
    theme: &Theme,
    area: Rect,
    y: u16,
    line: &Line<'_>,
    selected: bool,
    focused: bool,
) {
    if !(selected && focused) {
        put(buf, area, y, line);
        return;
    }
    let row = Rect::new(area.x, y, area.width, 1).intersection(*buf.area());
    fill(buf, row, theme.selection);
    put(buf, area, y, line);
    let (Some(bar_fg), Some(bar_bg)) = (theme.selection.fg, theme.selection.bg) else {
        return;
    };
    for x in row.left()..row.right() {
        let cell = &mut buf[(x, y)];
        if cell.bg == bar_bg && contrast(cell.fg, bar_bg).is_some_and(|ratio| ratio < TEXT_CONTRAST)
        {
            cell.fg = bar_fg;
        }
    }
}

/// A centred rectangle of at most `w`x`h` inside `area`.
pub fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    )
}

/// `3–10 of 42` on the bottom border of a pane (`outer`: its area with the border) whose rows
/// do not all fit, so a scrolled list says there is more.
pub fn scroll_note(
    buf: &mut Buffer,
    theme: &Theme,
    outer: Rect,
    shown: &std::ops::Range<usize>,
    total: usize,
) {
    if shown.len() >= total || outer.height < 2 || outer.width < 4 {
        return;
    }
    let line = Line::from(Span::styled(
        format!(" {}–{} of {total} ", shown.start + 1, shown.end),
        theme.muted,
    ));
    let border = Rect::new(outer.x + 1, outer.bottom() - 1, outer.width - 2, 1);
    put_right(buf, border, border.y, &line);
}
