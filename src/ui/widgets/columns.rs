//! Responsive table columns: each column has a minimum and maximum width and a drop rank;
//! when the pane is too narrow the least important columns go first, then the spare width is
//! shared among the columns that can grow. Rows are built cell by cell into one `Line`, each
//! cell cut or padded to its width, so only the visible rows are ever formatted.

use crate::ui::format;
use ratatui::style::Style;
use ratatui::text::{Line, Span};

/// Gap between cells.
pub const GAP: u16 = 1;

#[derive(Clone, Copy, Debug)]
pub struct Col {
    pub title: &'static str,
    pub min: u16,
    pub max: u16,
    /// 0 never drops; otherwise higher ranks drop first.
    pub drop: u8,
    /// Right-align the cell text (counts, ages).
    pub right: bool,
}

impl Col {
    pub const fn fixed(title: &'static str, w: u16, drop: u8) -> Col {
        Col {
            title,
            min: w,
            max: w,
            drop,
            right: false,
        }
    }
    pub const fn flex(title: &'static str, min: u16, max: u16, drop: u8) -> Col {
        Col {
            title,
            min,
            max,
            drop,
            right: false,
        }
    }
    /// A column that is never shown (its data cannot exist in this configuration).
    pub const fn hidden() -> Col {
        Col {
            title: "",
            min: 0,
            max: 0,
            drop: 0,
            right: false,
        }
    }
    pub const fn right(mut self) -> Col {
        self.right = true;
        self
    }
}

/// Widths per column for a total width; a dropped column has width 0.
pub fn layout(cols: &[Col], total: u16) -> Vec<u16> {
    let mut shown: Vec<bool> = cols.iter().map(|c| c.max > 0).collect();
    let need = |shown: &[bool]| -> u32 {
        let n = shown.iter().filter(|s| **s).count() as u32;
        cols.iter()
            .zip(shown)
            .filter(|(_, s)| **s)
            .map(|(c, _)| u32::from(c.min))
            .sum::<u32>()
            + n.saturating_sub(1) * u32::from(GAP)
    };
    while need(&shown) > u32::from(total) {
        // Drop the highest-ranked droppable column still shown (the rightmost on ties).
        let victim = cols
            .iter()
            .enumerate()
            .filter(|(i, c)| shown[*i] && c.drop > 0)
            .max_by_key(|(i, c)| (c.drop, *i))
            .map(|(i, _)| i);
        match victim {
            Some(i) => shown[i] = false,
            None => break,
        }
    }
    let mut widths: Vec<u16> = cols
        .iter()
        .zip(&shown)
        .map(|(c, s)| if *s { c.min } else { 0 })
        .collect();
    let mut spare = u32::from(total).saturating_sub(need(&shown));
    // Share the spare width one cell at a time among growable columns (few iterations: widths
    // are small).
    while spare > 0 {
        let growable: Vec<usize> = (0..cols.len())
            .filter(|i| shown[*i] && widths[*i] < cols[*i].max)
            .collect();
        if growable.is_empty() {
            break;
        }
        let share = (spare / growable.len() as u32).max(1);
        for i in growable {
            if spare == 0 {
                break;
            }
            let room = u32::from(cols[i].max - widths[i]);
            let add = share.min(room).min(spare);
            widths[i] += add as u16;
            spare -= add;
        }
    }
    widths
}

/// Builds one table row as a `Line`, cell by cell.
pub struct RowBuilder<'a> {
    spans: Vec<Span<'a>>,
    cols: &'a [Col],
    widths: &'a [u16],
    next: usize,
    started: bool,
}

impl<'a> RowBuilder<'a> {
    pub fn new(cols: &'a [Col], widths: &'a [u16]) -> RowBuilder<'a> {
        RowBuilder {
            spans: Vec::with_capacity(cols.len() * 2 + 1),
            cols,
            widths,
            next: 0,
            started: false,
        }
    }

    /// Put a span before the first column (selection marker, indent).
    pub fn prefix(mut self, span: Span<'a>) -> Self {
        self.spans.push(span);
        self
    }

    /// Width of the column the next cell goes into (0 when dropped).
    pub fn width(&self) -> u16 {
        self.widths.get(self.next).copied().unwrap_or(0)
    }

    fn gap(&mut self) {
        if self.started {
            self.spans.push(Span::raw(" ".repeat(usize::from(GAP))));
        }
        self.started = true;
    }

    /// The next cell: `text` cut or padded to the column width.
    pub fn cell(mut self, text: &str, style: Style) -> Self {
        let w = usize::from(self.width());
        let right = self.cols.get(self.next).is_some_and(|c| c.right);
        self.next += 1;
        if w == 0 {
            return self;
        }
        self.gap();
        let text = if right {
            format::fit_right(text, w)
        } else {
            format::fit(text, w)
        };
        self.spans.push(Span::styled(text, style));
        self
    }

    /// The next cell made of several styled parts; parts after the first are added only while
    /// they fit whole (so `3 +1p +2s` degrades to `3`, never to `3 +1`).
    pub fn parts(mut self, parts: &[(String, Style)]) -> Self {
        let w = usize::from(self.width());
        self.next += 1;
        if w == 0 {
            return self;
        }
        self.gap();
        let mut used = 0;
        for (i, (text, style)) in parts.iter().enumerate() {
            let tw = format::width(text);
            if i == 0 {
                let t = format::truncate(text, w);
                used += format::width(&t);
                self.spans.push(Span::styled(t, *style));
            } else if used + tw <= w {
                used += tw;
                self.spans.push(Span::styled(text.clone(), *style));
            } else {
                break;
            }
        }
        if used < w {
            self.spans.push(Span::raw(" ".repeat(w - used)));
        }
        self
    }

    /// The next cell made of several styled spans cut as one text: when they don't fit, the
    /// text is cut where the width ends (with `…`), so the first spans always show.
    pub fn spans(mut self, parts: &[(String, Style)]) -> Self {
        let w = usize::from(self.width());
        self.next += 1;
        if w == 0 {
            return self;
        }
        self.gap();
        let total: usize = parts.iter().map(|(t, _)| format::width(t)).sum();
        let mut used = 0;
        for (text, style) in parts {
            let tw = format::width(text);
            if total <= w || used + tw < w {
                used += tw;
                self.spans.push(Span::styled(text.clone(), *style));
            } else {
                // The cut is here: the appended `…` makes sure it shows even when this part
                // alone would fill the cell exactly.
                let t = format::truncate(&format!("{text}{}", format::ELLIPSIS), w - used);
                used += format::width(&t);
                self.spans.push(Span::styled(t, *style));
                break;
            }
        }
        if used < w {
            self.spans.push(Span::raw(" ".repeat(w - used)));
        }
        self
    }

    pub fn build(self) -> Line<'a> {
        Line::from(self.spans)
    }
}

/// The header row: column titles in `style`, after `prefix` cells of padding.
/// Lay the columns out for a pane's inside (one cell of margin for the selection bar) and draw
/// their header on its first row; the rows go below it.
pub fn table_header(
    buf: &mut ratatui::buffer::Buffer,
    inner: ratatui::layout::Rect,
    cols: &[Col],
    theme: &crate::config::theme::Theme,
) -> Vec<u16> {
    let widths = layout(cols, inner.width.saturating_sub(1));
    super::put(buf, inner, inner.y, &header(cols, &widths, 1, theme.header));
    widths
}

pub fn header<'a>(cols: &'a [Col], widths: &'a [u16], prefix: usize, style: Style) -> Line<'a> {
    let mut row = RowBuilder::new(cols, widths);
    if prefix > 0 {
        row = row.prefix(Span::raw(" ".repeat(prefix)));
    }
    for c in cols {
        row = row.cell(c.title, style);
    }
    row.build()
}

#[cfg(test)]
mod tests {
    use super::*;

    const COLS: [Col; 4] = [
        Col::fixed("A", 4, 0),
        Col::flex("B", 5, 20, 0),
        Col::fixed("C", 6, 2),
        Col::flex("D", 5, u16::MAX, 1),
    ];

    #[test]
    fn drops_least_important_first() {
        // 4 + 5 + 6 + 5 + 3 gaps = 23
        assert_eq!(layout(&COLS, 23), vec![4, 5, 6, 5]);
        assert_eq!(layout(&COLS, 22), vec![4, 8, 0, 8]);
        assert_eq!(layout(&COLS, 10), vec![4, 5, 0, 0]);
        // Nothing left to drop: the minimums stand (the buffer clips).
        assert_eq!(layout(&COLS, 3), vec![4, 5, 0, 0]);
        assert_eq!(layout(&COLS, 0), vec![4, 5, 0, 0]);
    }

    #[test]
    fn hidden_columns_take_no_room() {
        let mut cols = COLS;
        cols[2] = Col::hidden();
        // 4 + 5 + 5 + 2 gaps = 16
        assert_eq!(layout(&cols, 16), vec![4, 5, 0, 5]);
        let line = header(&cols, &[4, 5, 0, 5], 0, Style::default());
        assert_eq!(line.to_string(), "A    B     D    ");
    }

    #[test]
    fn shares_spare_width_up_to_max() {
        let w = layout(&COLS, 60);
        assert_eq!(w.iter().sum::<u16>() + 3, 60);
        assert_eq!(w[0], 4);
        assert_eq!(w[2], 6);
        assert!(w[1] <= 20);
    }

    #[test]
    fn parts_degrade_whole() {
        let cols = [Col::fixed("X", 5, 0)];
        let widths = [5];
        let line = RowBuilder::new(&cols, &widths)
            .parts(&[
                ("3".to_string(), Style::default()),
                (" +1p".to_string(), Style::default()),
            ])
            .build();
        assert_eq!(line.to_string(), "3 +1p");
        let line = RowBuilder::new(&cols, &widths)
            .parts(&[
                ("3".to_string(), Style::default()),
                (" +10p".to_string(), Style::default()),
            ])
            .build();
        assert_eq!(line.to_string(), "3    ");
    }

    #[test]
    fn spans_cut_as_one_text() {
        let cols = [Col::fixed("X", 6, 0)];
        let widths = [6];
        let row = |parts: &[(&str, Style)]| {
            let parts: Vec<(String, Style)> =
                parts.iter().map(|(t, s)| (t.to_string(), *s)).collect();
            RowBuilder::new(&cols, &widths)
                .spans(&parts)
                .build()
                .to_string()
        };
        let s = Style::default();
        assert_eq!(row(&[("⊘ ", s), ("Degraded", s)]), "⊘ Deg…");
        assert_eq!(row(&[("⊘ ", s), ("OK", s)]), "⊘ OK  ");
        assert_eq!(row(&[("abcdef", s), ("x", s)]), "abcde…");
        assert_eq!(row(&[("abc", s), ("def", s)]), "abcdef");
    }
}
