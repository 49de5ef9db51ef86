//! A rendered buffer as an SVG image: monospace text with foreground/background colours, bold,
//! italic, underline and reverse video. Used to generate README screenshots from the demo.

use ratatui::buffer::{Buffer, CellWidth};
use ratatui::style::{Color, Modifier};
use std::fmt::Write;

/// Cell size in pixels for a 14 px monospace font.
const CELL_W: f32 = 8.4;
const CELL_H: f32 = 18.0;
const FONT_SIZE: f32 = 14.0;
const BASELINE: f32 = 13.5;

/// Turn `buffer` into a standalone SVG document. `default_fg`/`default_bg` stand for
/// `Color::Reset` (the terminal's own colours).
pub fn buffer_to_svg(buffer: &Buffer, default_fg: Color, default_bg: Color) -> String {
    let area = buffer.area;
    let fg0 = hex(default_fg).unwrap_or_else(|| "#d0d0d0".to_string());
    let bg0 = hex(default_bg).unwrap_or_else(|| "#1c1c1c".to_string());
    let width = f32::from(area.width) * CELL_W;
    let height = f32::from(area.height) * CELL_H;
    let mut out = String::with_capacity(usize::from(area.width) * usize::from(area.height) * 8);
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{width:.1}" height="{height:.1}" viewBox="0 0 {width:.1} {height:.1}" font-family="'DejaVu Sans Mono', 'Menlo', 'Consolas', monospace" font-size="{FONT_SIZE}" xml:space="preserve">"#
    );
    let _ = write!(out, r#"<rect width="100%" height="100%" fill="{bg0}"/>"#);

    for y in 0..area.height {
        // Collect the row's visible cells: (column, symbol, width, style colours).
        let mut cells: Vec<CellView> = Vec::with_capacity(usize::from(area.width));
        let mut skip = 0u16;
        for x in 0..area.width {
            let Some(cell) = buffer.cell((area.x + x, area.y + y)) else {
                continue;
            };
            let w = cell.cell_width().max(1);
            if skip > 0 {
                skip -= 1;
                continue;
            }
            skip = w - 1;
            let mods = cell.modifier;
            let mut fg = hex(cell.fg).unwrap_or_else(|| fg0.clone());
            let mut bg = hex(cell.bg).unwrap_or_else(|| bg0.clone());
            if mods.contains(Modifier::REVERSED) {
                std::mem::swap(&mut fg, &mut bg);
            }
            cells.push(CellView {
                x,
                w,
                symbol: cell.symbol().to_string(),
                fg,
                bg,
                mods,
            });
        }

        // Backgrounds: runs of the same colour, skipping the default.
        let mut i = 0;
        while i < cells.len() {
            let start = i;
            while i + 1 < cells.len() && cells[i + 1].bg == cells[start].bg {
                i += 1;
            }
            if cells[start].bg != bg0 {
                let x0 = f32::from(cells[start].x) * CELL_W;
                let x1 = f32::from(cells[i].x + cells[i].w) * CELL_W;
                let _ = write!(
                    out,
                    r#"<rect x="{x0:.1}" y="{:.1}" width="{:.1}" height="{CELL_H}" fill="{}"/>"#,
                    f32::from(y) * CELL_H,
                    x1 - x0,
                    cells[start].bg
                );
            }
            i += 1;
        }

        // Text: runs of one style made of single-width cells; each wide glyph on its own, so
        // every run can be stretched to exactly its cells (fonts disagree on CJK widths).
        let mut i = 0;
        while i < cells.len() {
            let start = i;
            let same = |a: &CellView, b: &CellView| a.fg == b.fg && a.mods == b.mods;
            if cells[start].w == 1 {
                while i + 1 < cells.len()
                    && cells[i + 1].w == 1
                    && cells[i + 1].x == cells[i].x + 1
                    && same(&cells[i + 1], &cells[start])
                {
                    i += 1;
                }
            }
            let run = &cells[start..=i];
            let text: String = run.iter().map(|c| c.symbol.as_str()).collect();
            let underlined = cells[start].mods.contains(Modifier::UNDERLINED);
            if !text.trim().is_empty() || underlined {
                let c = &cells[start];
                let x0 = f32::from(c.x) * CELL_W;
                let cols: u16 = run.iter().map(|c| c.w).sum();
                let _ = write!(
                    out,
                    r#"<text x="{x0:.1}" y="{:.1}" fill="{}" textLength="{:.1}" lengthAdjust="spacingAndGlyphs"{}>{}</text>"#,
                    f32::from(y) * CELL_H + BASELINE,
                    c.fg,
                    f32::from(cols) * CELL_W,
                    attrs(c.mods),
                    escape(&text)
                );
            }
            i += 1;
        }
    }
    out.push_str("</svg>\n");
    out
}

struct CellView {
    x: u16,
    w: u16,
    symbol: String,
    fg: String,
    bg: String,
    mods: Modifier,
}

fn attrs(m: Modifier) -> String {
    let mut s = String::new();
    if m.contains(Modifier::BOLD) {
        s.push_str(r#" font-weight="bold""#);
    }
    if m.contains(Modifier::ITALIC) {
        s.push_str(r#" font-style="italic""#);
    }
    if m.contains(Modifier::UNDERLINED) {
        s.push_str(r#" text-decoration="underline""#);
    }
    if m.contains(Modifier::DIM) {
        s.push_str(r#" opacity="0.6""#);
    }
    if m.contains(Modifier::CROSSED_OUT) {
        s.push_str(r#" text-decoration="line-through""#);
    }
    s
}

/// Escape text for XML character data and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // XML 1.0 forbids most control characters even as references.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// `#rrggbb` for a colour; `None` for `Reset` (the caller's default).
pub fn hex(c: Color) -> Option<String> {
    let (r, g, b) = match c {
        Color::Reset => return None,
        Color::Black => (0, 0, 0),
        Color::Red => (205, 0, 0),
        Color::Green => (0, 205, 0),
        Color::Yellow => (205, 205, 0),
        Color::Blue => (0, 0, 238),
        Color::Magenta => (205, 0, 205),
        Color::Cyan => (0, 205, 205),
        Color::Gray => (229, 229, 229),
        Color::DarkGray => (127, 127, 127),
        Color::LightRed => (255, 0, 0),
        Color::LightGreen => (0, 255, 0),
        Color::LightYellow => (255, 255, 0),
        Color::LightBlue => (92, 92, 255),
        Color::LightMagenta => (255, 0, 255),
        Color::LightCyan => (0, 255, 255),
        Color::White => (255, 255, 255),
        Color::Rgb(r, g, b) => (r, g, b),
        Color::Indexed(i) => indexed(i),
    };
    Some(format!("#{r:02x}{g:02x}{b:02x}"))
}

/// The xterm 256-colour palette.
fn indexed(i: u8) -> (u8, u8, u8) {
    const BASE: [(u8, u8, u8); 16] = [
        (0, 0, 0),
        (205, 0, 0),
        (0, 205, 0),
        (205, 205, 0),
        (0, 0, 238),
        (205, 0, 205),
        (0, 205, 205),
        (229, 229, 229),
        (127, 127, 127),
        (255, 0, 0),
        (0, 255, 0),
        (255, 255, 0),
        (92, 92, 255),
        (255, 0, 255),
        (0, 255, 255),
        (255, 255, 255),
    ];
    match i {
        0..=15 => BASE[usize::from(i)],
        16..=231 => {
            let i = i - 16;
            let level = |v: u8| if v == 0 { 0 } else { 55 + v * 40 };
            (level(i / 36), level(i / 6 % 6), level(i % 6))
        }
        _ => {
            let v = 8 + (i - 232) * 10;
            (v, v, v)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::layout::Rect;
    use ratatui::style::Style;

    #[test]
    fn escapes_markup_and_keeps_colours() {
        let mut buf = Buffer::empty(Rect::new(0, 0, 12, 2));
        buf.set_string(
            0,
            0,
            "<a&b> \"q'",
            Style::default()
                .fg(Color::Rgb(255, 0, 0))
                .add_modifier(Modifier::BOLD),
        );
        buf.set_string(0, 1, "日本x", Style::default().bg(Color::Indexed(21)));
        let svg = buffer_to_svg(&buf, Color::White, Color::Black);
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains("&lt;a&amp;b&gt; &quot;q&apos;"), "{svg}");
        assert!(!svg.contains("<a&b>"));
        assert!(svg.contains(r##"fill="#ff0000""##));
        assert!(svg.contains(r#"font-weight="bold""#));
        assert!(
            svg.contains(r##"fill="#0000ff""##),
            "indexed 21 is blue: {svg}"
        );
        // Wide glyphs are drawn one per <text>, stretched to two cells.
        assert!(svg.contains(r#"textLength="16.8" lengthAdjust="spacingAndGlyphs">日</text>"#));
        assert!(svg.trim_end().ends_with("</svg>"));
    }

    #[test]
    fn palette_corners() {
        assert_eq!(hex(Color::Indexed(16)).unwrap(), "#000000");
        assert_eq!(hex(Color::Indexed(231)).unwrap(), "#ffffff");
        assert_eq!(hex(Color::Indexed(232)).unwrap(), "#080808");
        assert_eq!(hex(Color::Reset), None);
    }
}
